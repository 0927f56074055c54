'use strict';
// Bridges of real SIP calls (SIPp): a digit one caller sends (RFC 4733)
// reaches the other caller as RFC 4733 unless the sender joined with
// absorbDTMF, and is still the sender's ChannelDtmfReceived; SIP members get
// each other's Call-ID as BRIDGEPVTCALLID; the classic ARI "dial" pattern
// (caller in Stasis, POST /channels/create, bridge, dial, talk, one side hangs
// up and the app hangs up the other) with SIP on both sides and with Local
// channels; CEL rows of the bridge.
const assert = require('node:assert/strict');
const dgram = require('node:dgram');
const {
	serverTest, pjsipConf, spawnSipp, assertSipp, withSipp, freeUdpPort, SLOW, sleep,
} = require('./lib/server');

const enc = encodeURIComponent;
const APP = 'br';
const CONF = {
	timeout: 60000 * SLOW,
	files: {
		'pjsip.conf': pjsipConf({ alice: { match: '127.0.0.1', context: `stasis-${APP}` }, bob: {} }),
		'extensions.conf': '[far]\nexten => s,1,Answer()\n same => n,Wait(600)\n',
	},
};

/**
 * A UDP socket standing for a phone's RTP port: the RFC 4733 events (payload
 * type 101) it receives, one entry per digit (its end packets, which are sent
 * three times, count once).
 */
async function rtpSink() {
	const sock = dgram.createSocket('udp4');
	await new Promise((r) => sock.bind(0, '127.0.0.1', r));
	const digits = [];
	const ends = new Set();
	let packets = 0;
	sock.on('message', (b) => {
		if (b.length < 12 || (b[0] >> 6) !== 2) return;
		packets++;
		if ((b[1] & 0x7f) !== 101 || b.length < 16 || !(b[13] & 0x80)) return;
		const ts = b.readUInt32BE(4);
		if (ends.has(ts)) return;
		ends.add(ts);
		digits.push('0123456789*#ABCD'[b[12]] || '?');
	});
	return { port: sock.address().port, digits, packets: () => packets, close: () => sock.close() };
}

async function waitUntil(pred, what, ms = 5000 * SLOW) {
	const deadline = Date.now() + ms;
	while (Date.now() < deadline) {
		if (pred()) return;
		await sleep(20);
	}
	assert.fail(`timed out waiting for ${what}`);
}

const started = (exten) => (e) => e.type === 'StasisStart' && e.channel.dialplan.exten === exten;
const entered = (id) => (e) => e.type === 'ChannelEnteredBridge' && e.channel.id === id;

/** Caller `sink` (its audio at our socket) answered in the app; then the DTMF caller in the bridge. */
async function dtmfIntoBridge(srv, ws, absorb) {
	const sink = await rtpSink();
	const callee = await spawnSipp({ scenario: 'path_uac_rtp_sink', remote: srv, service: 'sink',
		timeoutMs: 40000 * SLOW, keys: { from_user: 'alice', rtp_port: sink.port } });
	const { channel: b } = await ws.waitFor(started('sink'));
	assert.equal((await srv.post(`/ari/channels/${enc(b.id)}/answer`)).status, 204);
	const caller = await spawnSipp({ scenario: 'uac_dtmf', remote: srv, service: 'dtmf', duration: 500,
		timeoutMs: 40000 * SLOW, keys: { from_user: 'alice' } });
	const { channel: a } = await ws.waitFor(started('dtmf'));
	assert.equal((await srv.post('/ari/bridges?bridgeId=talk')).status, 200);
	let r = await srv.post(`/ari/bridges/talk/addChannel?channel=${enc(b.id)}`);
	assert.equal(r.status, 204, r.body);
	r = await srv.post(`/ari/bridges/talk/addChannel?channel=${enc(a.id)}&absorbDTMF=${absorb}`);
	assert.equal(r.status, 204, r.body);
	await ws.waitFor(entered(a.id));
	await ws.waitFor(entered(b.id));
	// Answered only now: SIPp sends its digits 500 ms after its ACK.
	assert.equal((await srv.post(`/ari/channels/${enc(a.id)}/answer`)).status, 204);
	return { sink, callee, caller, a, b };
}

serverTest('digits_of_a_sip_caller_cross_the_bridge_as_rfc4733', CONF, async (srv) => {
	const ws = await srv.events(APP);
	const { sink, callee, caller, a, b } = await dtmfIntoBridge(srv, ws, false);
	await withSipp(callee, async () => {
		for (const d of ['1', '2', '#'])
			await ws.waitFor((e) => e.type === 'ChannelDtmfReceived' && e.channel.id === a.id && e.digit === d);
		await waitUntil(() => sink.digits.length >= 3, 'three digits at the other caller');
		assert.deepEqual(sink.digits, ['1', '2', '#']);
		// Nothing comes back to the sender as its own digit event.
		assert.equal(ws.filter((e) => e.type === 'ChannelDtmfReceived' && e.channel.id === b.id).length, 0);
		// SIP members: the peer's name and Call-ID.
		const vars = (id, v) => ws.filter((e) => e.type === 'ChannelVarset' && e.channel.id === id &&
			e.variable === v).map((e) => e.value);
		assert.deepEqual(vars(a.id, 'BRIDGEPEER'), [b.name]);
		assert.deepEqual(vars(b.id, 'BRIDGEPEER'), [a.name]);
		assert.deepEqual(vars(a.id, 'BRIDGEPVTCALLID'), [b.protocol_id]);
		assert.deepEqual(vars(b.id, 'BRIDGEPVTCALLID'), [a.protocol_id]);
		assert.ok(b.protocol_id.length > 0);
		assertSipp(await caller.done, 0, 'DTMF caller');
		assert.equal((await srv.del(`/ari/channels/${enc(b.id)}`)).status, 204);
		assertSipp(await callee.done, 0, 'callee');
	});
	sink.close();
});

serverTest('absorbDTMF_keeps_a_sip_callers_digits_out_of_the_bridge', CONF, async (srv) => {
	const ws = await srv.events(APP);
	const { sink, callee, caller, a, b } = await dtmfIntoBridge(srv, ws, true);
	await withSipp(callee, async () => {
		for (const d of ['1', '2', '#'])
			await ws.waitFor((e) => e.type === 'ChannelDtmfReceived' && e.channel.id === a.id && e.digit === d);
		assertSipp(await caller.done, 0, 'DTMF caller');
		// The callee got the bridge's audio all along, but no digit.
		assert.ok(sink.packets() > 0, 'RTP reached the other caller');
		assert.deepEqual(sink.digits, []);
		assert.equal((await srv.del(`/ari/channels/${enc(b.id)}`)).status, 204);
		assertSipp(await callee.done, 0, 'callee');
	});
	sink.close();
});

/** The dial pattern up to "both talk": caller in Stasis, callee created, bridged, dialled. */
async function dialPattern(srv, ws, endpoint, callerId) {
	let r = await srv.post(`/ari/channels/create?endpoint=${enc(endpoint)}&app=${APP}&channelId=callee`);
	assert.equal(r.status, 200, r.body);
	assert.equal(r.json.state, 'Down');
	await ws.waitFor((e) => e.type === 'StasisStart' && e.channel.id === 'callee');
	assert.equal((await srv.post('/ari/bridges?bridgeId=call')).status, 200);
	r = await srv.post(`/ari/bridges/call/addChannel?channel=${enc(`${callerId},callee`)}`);
	assert.equal(r.status, 204, r.body);
	await ws.waitFor(entered('callee'));
	r = await srv.post(`/ari/channels/callee/dial?caller=${enc(callerId)}&timeout=10`);
	assert.equal(r.status, 204, r.body);
	await ws.waitFor((e) => e.type === 'Dial' && e.peer.id === 'callee' && e.dialstatus === 'ANSWER');
	await ws.waitFor((e) => e.type === 'ChannelStateChange' && e.channel.id === 'callee' &&
		e.channel.state === 'Up');
	r = await srv.get('/ari/bridges/call');
	assert.deepEqual(r.json.channels, [callerId, 'callee']);
}

/** What the app does: when one side is gone, hang up the other. */
function hangUpTheOther(srv, ws, ids) {
	ws.ws.on('message', (data) => {
		const e = JSON.parse(data.toString());
		if (e.type === 'StasisEnd' && ids.includes(e.channel.id)) {
			for (const other of ids.filter((x) => x !== e.channel.id))
				srv.del(`/ari/channels/${enc(other)}`).catch(() => {});
		}
	});
}

serverTest('dial_pattern_with_sip_caller_and_callee_caller_hangs_up', CONF, async (srv) => {
	const ws = await srv.events(APP);
	const uasPort = await freeUdpPort();
	const uas = await spawnSipp({ scenario: 'uas_answer', port: uasPort, timeoutMs: 40000 * SLOW });
	await uas.ready();
	const caller = await spawnSipp({ scenario: 'uac_call', remote: srv, service: '100', duration: 1500,
		timeoutMs: 40000 * SLOW, keys: { from_user: 'alice' } });
	await withSipp(uas, async () => {
		const { channel: a } = await ws.waitFor(started('100'));
		assert.equal((await srv.post(`/ari/channels/${enc(a.id)}/answer`)).status, 204);
		hangUpTheOther(srv, ws, [a.id, 'callee']);
		await dialPattern(srv, ws, `PJSIP/bob/sip:bob@127.0.0.1:${uasPort}`, a.id);
		// The caller hangs up (SIPp's BYE after -d); the app ends the callee.
		await ws.waitFor((e) => e.type === 'ChannelDestroyed' && e.channel.id === a.id, 10000 * SLOW);
		await ws.waitFor((e) => e.type === 'ChannelDestroyed' && e.channel.id === 'callee');
		assertSipp(await caller.done, 0, 'caller');
		assertSipp(await uas.done, 0, 'callee: INVITE → 200 → ACK → BYE from ariadne → 200');
		assert.deepEqual((await srv.get('/ari/bridges/call')).json.channels, []);
	});
});

serverTest('dial_pattern_with_sip_caller_and_callee_callee_hangs_up', CONF, async (srv) => {
	const ws = await srv.events(APP);
	const uasPort = await freeUdpPort();
	const uas = await spawnSipp({ scenario: 'uas_answer_then_bye', port: uasPort, duration: 1000,
		timeoutMs: 40000 * SLOW });
	await uas.ready();
	const caller = await spawnSipp({ scenario: 'uac_call_server_bye', remote: srv, service: '100',
		timeoutMs: 40000 * SLOW, keys: { from_user: 'alice' } });
	await withSipp(uas, async () => {
		const { channel: a } = await ws.waitFor(started('100'));
		assert.equal((await srv.post(`/ari/channels/${enc(a.id)}/answer`)).status, 204);
		hangUpTheOther(srv, ws, [a.id, 'callee']);
		await dialPattern(srv, ws, `PJSIP/bob/sip:bob@127.0.0.1:${uasPort}`, a.id);
		const left = await ws.waitFor((e) => e.type === 'ChannelLeftBridge' && e.channel.id === 'callee',
			10000 * SLOW);
		assert.equal(left.bridge.id, 'call');
		await ws.waitFor((e) => e.type === 'ChannelDestroyed' && e.channel.id === a.id);
		assertSipp(await uas.done, 0, 'callee: answers, then BYE → 200');
		assertSipp(await caller.done, 0, 'caller: BYE from ariadne → 200');
	});
});

serverTest('dial_pattern_with_local_channels_and_cel_bridge_rows', CONF, async (srv) => {
	const ws = await srv.events(APP);
	await srv.originate({ endpoint: 'Local/s@far', app: APP, channelId: 'caller', otherChannelId: 'caller2' });
	await ws.waitFor((e) => e.type === 'StasisStart' && e.channel.id === 'caller');
	hangUpTheOther(srv, ws, ['caller', 'callee']);
	await dialPattern(srv, ws, 'Local/s@far', 'caller');
	// The far end of the callee hangs up: the callee goes, the app ends the caller.
	const callee2 = ws.filter((e) => e.type === 'Dial' && e.peer.id === 'callee')[0];
	assert.ok(callee2, 'Dial events of the callee');
	const name2 = (await srv.get('/ari/channels/callee')).json.name.replace(/;1$/, ';2');
	const half = (await srv.get('/ari/channels')).json.find((c) => c.name === name2);
	assert.ok(half, 'the other half of the callee');
	assert.equal((await srv.del(`/ari/channels/${enc(half.id)}`)).status, 204);
	await ws.waitFor((e) => e.type === 'ChannelDestroyed' && e.channel.id === 'callee');
	await ws.waitFor((e) => e.type === 'ChannelDestroyed' && e.channel.id === 'caller');
	const rows = srv.celRows().filter((row) => /^BRIDGE_/.test(row[0]));
	const enter = rows.find((row) => row[0] === 'BRIDGE_ENTER' && row[14] === 'callee');
	assert.ok(enter, `BRIDGE_ENTER of the callee in ${JSON.stringify(rows)}`);
	assert.match(enter[16], /^Local\/s@far-[0-9a-f]+;1$/, 'peer: the caller');
	assert.deepEqual(JSON.parse(enter[18]), { bridge_id: 'call', bridge_technology: 'simple_bridge' });
	assert.ok(rows.some((row) => row[0] === 'BRIDGE_EXIT' && row[14] === 'caller'));
});
