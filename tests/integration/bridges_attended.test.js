'use strict';
// An attended transfer between two bridges, made by a phone the way phones
// make it: its first call is bridged with the transferee T, its second with
// the target R; then on the first call it sends a REFER whose Refer-To
// carries Replaces naming the second. ariadne links the two bridges with a
// Local pair (Asterisk's "link": Stasis bridges neither merge nor swap),
// tells the app with BridgeAttendedTransfer, ends the REFER with a NOTIFY
// "200 OK" and hangs up both of the phone's calls; T and R, still in their
// bridges, now hear each other through the Local pair (checked on their
// RTP with Goertzel).
const assert = require('node:assert/strict');
const fs = require('node:fs');
const {
	call, bridge, add, listen, hears, deafTo, mediaTest,
} = require('./lib/media_calls');
const { spawnSipp, assertSipp, SLOW } = require('./lib/server');

const enc = encodeURIComponent;
const APP = 'att';

/** A SIPp call of the transferring phone, in the app and answered. */
async function phoneCall(srv, ws, exten, scenario, keys = {}, duration) {
	const sipp = await spawnSipp({
		scenario, remote: srv, service: exten, timeoutMs: 40000 * SLOW, duration,
		keys: { from_user: 'alice', ...keys },
	});
	const { channel } = await ws.waitFor((e) => e.type === 'StasisStart' && e.channel.dialplan.exten === exten,
		8000 * SLOW, { what: `StasisStart of ${exten}` });
	assert.equal((await srv.post(`/ari/channels/${enc(channel.id)}/answer`)).status, 204);
	return { id: channel.id, sipp, protocolId: channel.protocol_id };
}

mediaTest(APP, 'refer_with_replaces_links_the_two_bridges_and_ends_the_phones_calls', async (srv, ws, calls) => {
	calls.push(await call(srv, ws, 't'), await call(srv, ws, 'r'));
	const [t, r] = calls;
	await t.peer.say(500);
	await r.peer.say(1000);

	// The phone's second call first: the REFER must name its Call-ID.
	const second = await phoneCall(srv, ws, 'x2', 'uac_call_server_bye');
	assert.ok(second.protocolId, 'the SIP channel shows its Call-ID');
	const b2 = await bridge(srv);
	await add(srv, ws, b2, { id: second.id, exten: 'x2' });
	await add(srv, ws, b2, r);

	const replaces = enc(`${second.protocolId};to-tag=x;from-tag=y`);
	const first = await phoneCall(srv, ws, 'x1', 'refer_uac_attended',
		{ refer_user: 'r', replaces }, 2500 * SLOW);
	const b1 = await bridge(srv);
	await add(srv, ws, b1, t);
	await add(srv, ws, b1, { id: first.id, exten: 'x1' });

	const ev = await ws.waitFor((e) => e.type === 'BridgeAttendedTransfer', 15000 * SLOW);
	assert.equal(ev.result, 'Success');
	assert.equal(ev.destination_type, 'link');
	assert.equal(ev.is_external, true);
	assert.equal(ev.transferer_first_leg.id, first.id);
	assert.equal(ev.transferer_second_leg.id, second.id);
	assert.equal(ev.transferee.id, t.id);
	assert.equal(ev.transfer_target.id, r.id);
	assert.equal(ev.transferer_first_leg_bridge.id, b1);
	assert.equal(ev.transferer_second_leg_bridge.id, b2);
	assert.match(ev.destination_link_first_leg.name, /^Local\/.*;1$/);
	assert.match(ev.destination_link_second_leg.name, /^Local\/.*;2$/);

	// The phone's calls end (final NOTIFY 200, then BYE on both).
	assertSipp(await first.sipp.done, 0, 'first call: REFER accepted, NOTIFY 200, BYE');
	assertSipp(await second.sipp.done, 0, 'second call: BYE');
	await srv.waitChannelGone(first.id);
	await srv.waitChannelGone(second.id);
	const link1 = ev.destination_link_first_leg.id;
	const link2 = ev.destination_link_second_leg.id;
	assert.deepEqual((await srv.get(`/ari/bridges/${enc(b1)}`)).json.channels.sort(), [t.id, link1].sort());
	assert.deepEqual((await srv.get(`/ari/bridges/${enc(b2)}`)).json.channels.sort(), [link2, r.id].sort());

	// CEL: one ATTENDEDTRANSFER row, on the first leg, naming both bridges
	// and the parties (Asterisk's cel_attended_transfer_cb).
	const rows = fs.readFileSync(srv.celFile, 'utf8').split('\n').filter((l) => l.startsWith('"ATTENDEDTRANSFER"'));
	assert.equal(rows.length, 1, rows.join('\n'));
	assert.ok(rows[0].includes(`"${first.id}"`), rows[0]);
	for (const want of [b1, b2, second.id, t.id, r.id]) assert.ok(rows[0].includes(want), `${want} in ${rows[0]}`);

	// T and R hear each other through the link, never themselves.
	const h = await listen(calls);
	hears(h, 't', 1000);
	deafTo(h, 't', 500);
	hears(h, 'r', 500);
	deafTo(h, 'r', 1000);
});

mediaTest(APP, 'refer_with_replaces_for_a_call_outside_a_bridge_goes_to_the_app', async (srv, ws, calls) => {
	calls.push(await call(srv, ws, 't'));
	const [t] = calls;
	// The second call is in the app but in no bridge: not a bridge
	// transfer, so the app gets ChannelTransfer and decides.
	const second = await phoneCall(srv, ws, 'x2', 'uac_call_server_bye');
	const replaces = enc(`${second.protocolId};to-tag=x;from-tag=y`);
	const first = await phoneCall(srv, ws, 'x1', 'refer_uac_attended',
		{ refer_user: 'r', replaces }, 1500 * SLOW);
	const b1 = await bridge(srv);
	await add(srv, ws, b1, t);
	await add(srv, ws, b1, { id: first.id, exten: 'x1' });
	const ev = await ws.waitFor((e) => e.type === 'ChannelTransfer' && e.referred_by.source_channel.id === first.id, 15000 * SLOW);
	assert.equal(ev.refer_to.requested_destination.destination, 'r', JSON.stringify(ev));
	assert.ok(ev.refer_to.requested_destination.additional_protocol_params
		.some((p) => p.parameter_name === 'Replaces' && p.parameter_value.startsWith(second.protocolId)));
	assert.equal(ws.events.filter((e) => e.type === 'BridgeAttendedTransfer').length, 0);
	// The app says it is done, then ends the phone's calls itself.
	assert.equal((await srv.post(`/ari/channels/${enc(first.id)}/transfer_progress?states=channel_answered`)).status, 204);
	await srv.del(`/ari/channels/${enc(first.id)}`);
	await srv.del(`/ari/channels/${enc(second.id)}`);
	assertSipp(await first.sipp.done, 0, 'first call: REFER accepted, NOTIFY 200, BYE');
	assertSipp(await second.sipp.done, 0, 'second call: BYE');
	assert.deepEqual((await srv.get(`/ari/bridges/${enc(b1)}`)).json.channels, [t.id]);
});
