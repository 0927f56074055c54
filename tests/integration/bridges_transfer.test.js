'use strict';
// SIP REFER from a caller in a Stasis bridge, as Asterisk 22's default
// (core) transfer handling treats it: a blind REFER to an extension of the
// endpoint's context gets 202, the apps hear BridgeBlindTransfer, a Local
// channel to the extension enters the app and takes the caller's place in
// the bridge, and the final NOTIFY says 200 once it is answered; a REFER to
// an extension that does not exist is refused with 404 and the bridge is
// untouched. (Outside a bridge a REFER stays the app's ChannelTransfer:
// sip_refer.test.js.)
const assert = require('node:assert/strict');
const fs = require('node:fs');
const {
	serverTest, pjsipConf, spawnSipp, assertSipp, withSipp, SLOW,
} = require('./lib/server');

const enc = encodeURIComponent;
const APP = 'xf';
const CONF = {
	timeout: 40000 * SLOW,
	files: {
		'pjsip.conf': pjsipConf({ alice: { match: '127.0.0.1', context: 'calls' } }),
		'extensions.conf': `
[calls]
exten => 100,1,Stasis(${APP})
exten => 200,1,Answer()
 same => n,Wait(600)

[far]
exten => s,1,Answer()
 same => n,Wait(600)
`,
	},
};

/** NOTIFY bodies SIPp received (its message log). */
function notifyBodies(r) {
	const out = [];
	for (const block of r.messages.split(/-{20,}[^\n]*\n/)) {
		if (!/message received/.test(block)) continue;
		const m = /^NOTIFY /m.exec(block);
		if (m) out.push((block.slice(m.index).split(/\r?\n\r?\n/)[1] || '').trim());
	}
	return out;
}

/** Caller `a` (SIPp, scenario) and `b` (Local) bridged, then `a` answered: SIPp REFERs. */
async function referFromBridge(srv, ws, scenario, referUser) {
	await srv.originate({ endpoint: 'Local/s@far', app: APP, channelId: 'b', otherChannelId: 'b2' });
	await ws.waitFor((e) => e.type === 'StasisStart' && e.channel.id === 'b');
	const sipp = await spawnSipp({ scenario, remote: srv, service: '100', timeoutMs: 30000 * SLOW,
		keys: { from_user: 'alice', refer_user: referUser } });
	const { channel: a } = await ws.waitFor((e) => e.type === 'StasisStart' && e.channel.id !== 'b');
	assert.equal((await srv.post('/ari/bridges?bridgeId=talk')).status, 200);
	assert.equal((await srv.post(`/ari/bridges/talk/addChannel?channel=${enc(`${a.id},b`)}`)).status, 204);
	await ws.waitFor((e) => e.type === 'ChannelEnteredBridge' && e.channel.id === 'b');
	assert.equal((await srv.post(`/ari/channels/${enc(a.id)}/answer`)).status, 204);
	return { sipp, a };
}

serverTest('blind_refer_in_a_bridge_is_a_BridgeBlindTransfer_to_a_local_channel', CONF, async (srv) => {
	const ws = await srv.events(APP);
	const { sipp, a } = await referFromBridge(srv, ws, 'refer_uac', '200');
	await withSipp(sipp, async () => {
		const t = await ws.waitFor('BridgeBlindTransfer', 10000 * SLOW);
		assert.equal(t.channel.id, a.id);
		assert.equal(t.transferee.id, 'b');
		assert.equal(t.exten, '200');
		assert.equal(t.context, 'calls');
		assert.equal(t.result, 'Success');
		assert.equal(t.is_external, true);
		assert.equal(t.bridge.id, 'talk');
		assert.match(t.replace_channel.name, /^Local\/200@calls-[0-9a-f]+;1$/);
		const local = t.replace_channel.id;
		// The new call is in the app and in the caller's place.
		await ws.waitFor((e) => e.type === 'StasisStart' && e.channel.id === local);
		await ws.waitFor((e) => e.type === 'ChannelEnteredBridge' && e.channel.id === local);
		const left = ws.filter((e) => e.type === 'ChannelLeftBridge' && e.channel.id === a.id);
		assert.equal(left.length, 1);
		await ws.waitFor((e) => e.type === 'ChannelStateChange' && e.channel.id === local &&
			e.channel.state === 'Up');
		const r = await sipp.done;
		assertSipp(r, 0, 'REFER → 202, NOTIFY 100, final NOTIFY, BYE');
		assert.deepEqual(notifyBodies(r), ['SIP/2.0 100 Trying', 'SIP/2.0 200 OK']);
		const br = await srv.get('/ari/bridges/talk');
		assert.deepEqual(br.json.channels.sort(), ['b', local].sort());
		// The caller stayed in the app until its phone hung up.
		await ws.waitFor((e) => e.type === 'StasisEnd' && e.channel.id === a.id);
		// CEL: one BLINDTRANSFER row on the caller, with the extension,
		// context, bridge and transferee (Asterisk's cel_blind_transfer_cb).
		const rows = fs.readFileSync(srv.celFile, 'utf8').split('\n')
			.filter((l) => l.startsWith('"BLINDTRANSFER"'));
		assert.equal(rows.length, 1, rows.join('\n'));
		for (const want of [a.id, '""extension"":""200""', '""context"":""calls""', 'talk', '""transferee_channel_uniqueid"":""b""']) {
			assert.ok(rows[0].includes(want), `${want} in ${rows[0]}`);
		}
	});
});

serverTest('blind_refer_to_a_missing_extension_is_refused_and_the_bridge_kept', CONF, async (srv) => {
	const ws = await srv.events(APP);
	const { sipp, a } = await referFromBridge(srv, ws, 'refer_uac_refused', '999');
	await withSipp(sipp, async () => {
		assertSipp(await sipp.done, 0, 'REFER → 404, BYE');
		await ws.waitFor((e) => e.type === 'ChannelLeftBridge' && e.channel.id === a.id);
		assert.equal(ws.filter('BridgeBlindTransfer').length, 0);
		assert.equal(ws.filter('ChannelTransfer').length, 0);
		assert.deepEqual((await srv.get('/ari/bridges/talk')).json.channels, ['b']);
		assert.doesNotMatch(fs.readFileSync(srv.celFile, 'utf8'), /BLINDTRANSFER/);
	});
});
