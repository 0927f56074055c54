'use strict';
// SIP calls with a real peer (SIPp, tests/sipp/*.xml) under ARI control:
// inbound INVITE into stasis-<app> with no dialplan, answer, BYE from each
// side, CANCEL, digest-authenticated INVITE, RFC 4733 DTMF, hold re-INVITE,
// outbound originate to a SIPp UAS (answered, busy).
const assert = require('node:assert/strict');
const {
	serverTest, pjsipConf, spawnSipp, assertSipp, sippReport, sleep, EVENT_TIMEOUT_MS, withSipp,
} = require('./lib/server');

const enc = encodeURIComponent;
const CHANNEL_NAME_RE = /^PJSIP\/alice-[0-9a-f]{8}$/;
// The peer is identified by its source address: no auth, no registration.
const OPEN = { files: { 'pjsip.conf': pjsipConf({ alice: { match: '127.0.0.1' }, bob: {} }) } };
const AUTH = { files: { 'pjsip.conf': pjsipConf({ alice: { password: 'Xy9-secret' } }) } };

/** Start a SIPp UAC call into app `sipapp` as alice; returns the SIPp handle. */
function callIn(srv, scenario, opts = {}) {
	return spawnSipp(Object.assign({ scenario, remote: srv, service: '100', keys: { from_user: 'alice' } }, opts));
}

const stateIs = (id, state) => (e) => e.type === 'ChannelStateChange' && e.channel.id === id &&
	e.channel.state === state;

serverTest('inbound_invite_enters_the_stasis_app_in_Ring_and_answer_sends_200_then_peer_bye_destroys_it',
	OPEN, async (srv) => {
		const ws = await srv.events('sipapp');
		const sipp = await callIn(srv, 'uac_call', { duration: 1000 });
		await withSipp(sipp, async () => {
			const start = await ws.waitFor('StasisStart');
			const ch = start.channel;
			assert.match(ch.name, CHANNEL_NAME_RE);
			assert.equal(ch.state, 'Ring');
			assert.equal(ch.dialplan.context, 'stasis-sipapp');
			assert.equal(ch.dialplan.exten, '100');
			assert.equal(ch.caller.number, 'alice');
			assert.deepEqual(start.args, []);

			// The endpoint lists the channel while the call lasts.
			const ep = await srv.get('/ari/endpoints/PJSIP/alice');
			assert.equal(ep.status, 200, ep.body);
			assert.equal(ep.json.technology, 'PJSIP');
			assert.equal(ep.json.resource, 'alice');
			assert.deepEqual(ep.json.channel_ids, [ch.id]);

			const ans = await srv.post(`/ari/channels/${enc(ch.id)}/answer`);
			assert.equal(ans.status, 204, ans.body);
			await ws.waitFor(stateIs(ch.id, 'Up'), EVENT_TIMEOUT_MS, { what: 'ChannelStateChange Up' });
			const end = await ws.waitFor('StasisEnd', 10000);
			assert.equal(end.channel.id, ch.id);
			const gone = await ws.waitFor('ChannelDestroyed');
			assert.equal(gone.cause, 16, `peer BYE → Normal Clearing; got ${JSON.stringify(gone)}`);
			assertSipp(await sipp.done, 0, 'INVITE → 200 → ACK → BYE → 200');
			const after = await srv.get('/ari/endpoints/PJSIP/alice');
			assert.deepEqual(after.json.channel_ids, []);
		});
	});

serverTest('app_hangup_sends_bye_to_the_caller_and_destroys_with_normal_clearing', OPEN, async (srv) => {
	const ws = await srv.events('sipapp');
	const sipp = await callIn(srv, 'uac_call_server_bye');
	await withSipp(sipp, async () => {
		const { channel } = await ws.waitFor('StasisStart');
		assert.equal((await srv.post(`/ari/channels/${enc(channel.id)}/answer`)).status, 204);
		await ws.waitFor(stateIs(channel.id, 'Up'));
		await sleep(300);
		assert.equal((await srv.del(`/ari/channels/${enc(channel.id)}`)).status, 204);
		const gone = await ws.waitFor('ChannelDestroyed');
		assert.equal(gone.cause, 16);
		assertSipp(await sipp.done, 0, 'SIPp receives the BYE and answers 200');
	});
});

serverTest('ring_sends_180_and_app_hangup_before_answer_rejects_the_invite', OPEN, async (srv) => {
	const ws = await srv.events('sipapp');
	// uac_call expects an answer; here the app rings and then rejects the
	// call busy, so SIPp fails and its trace shows what the server sent.
	const sipp = await callIn(srv, 'uac_call', { duration: 200, timeoutMs: 8000 });
	const { channel } = await ws.waitFor('StasisStart');
	assert.equal((await srv.post(`/ari/channels/${enc(channel.id)}/ring`)).status, 204);
	await sleep(300);
	assert.equal((await srv.del(`/ari/channels/${enc(channel.id)}?reason=busy`)).status, 204);
	const gone = await ws.waitFor('ChannelDestroyed');
	assert.equal(gone.cause, 17);
	const r = await sipp.done;
	assert.notEqual(r.code, 0, 'the call failed on the SIPp side');
	assert.match(r.messages, /SIP\/2\.0 180 Ringing/, 'POST ring → 180\n' + sippReport(r));
	assert.match(r.messages, /SIP\/2\.0 486 /, 'hangup reason busy → 486 (Asterisk hangup_cause2sip(17))\n' + sippReport(r));
});

serverTest('cancel_before_answer_destroys_the_channel_with_cause_127_and_sends_487', OPEN, async (srv) => {
	const ws = await srv.events('sipapp');
	const sipp = await callIn(srv, 'uac_cancel', { duration: 500 });
	await withSipp(sipp, async () => {
		const { channel } = await ws.waitFor('StasisStart');
		assert.equal(channel.state, 'Ring');
		const gone = await ws.waitFor('ChannelDestroyed');
		assert.equal(gone.channel.id, channel.id);
		// chan_pjsip: session end with inv cause 487 → hangup_sip2cause(487) =
		// AST_CAUSE_INTERWORKING (127), "Interworking, unspecified".
		assert.equal(gone.cause, 127, JSON.stringify(gone));
		assertSipp(await sipp.done, 0, 'INVITE → 100 → CANCEL → 200 → 487 → ACK');
		await srv.waitChannelGone(channel.id);
	});
});

serverTest('digest_authenticated_invite_is_challenged_then_enters_the_app', AUTH, async (srv) => {
	const ws = await srv.events('sipapp');
	const sipp = await callIn(srv, 'uac_auth_call', { auth: { user: 'alice', pass: 'Xy9-secret' }, duration: 300 });
	await withSipp(sipp, async () => {
		const { channel } = await ws.waitFor('StasisStart');
		assert.match(channel.name, CHANNEL_NAME_RE);
		assert.equal((await srv.post(`/ari/channels/${enc(channel.id)}/answer`)).status, 204);
		await ws.waitFor('ChannelDestroyed', 10000);
		const r = await sipp.done;
		assertSipp(r, 0, 'INVITE → 401 → ACK → INVITE with credentials → 200');
		assert.match(r.messages, /SIP\/2\.0 401 [^\n]*\n[\s\S]*?WWW-Authenticate: Digest/i);
	});
});

serverTest('invite_with_a_wrong_password_gets_a_fresh_401_and_no_channel', AUTH, async (srv) => {
	const ws = await srv.events('sipapp');
	const sipp = await callIn(srv, 'uac_auth_call', { auth: { user: 'alice', pass: 'wrong' }, timeoutMs: 6000 });
	const r = await sipp.done;
	assert.notEqual(r.code, 0);
	// chan_pjsip answers bad credentials with a new challenge, not 403
	assert.equal((r.messages.match(/SIP\/2\.0 401 /g) || []).length >= 2, true,
		'bad credentials on INVITE → 401 again\n' + sippReport(r));
	assert.doesNotMatch(r.messages, /SIP\/2\.0 (200|403) /, sippReport(r));
	await ws.expectNone('StasisStart', 300, 'a channel was created for a rejected INVITE');
	assert.deepEqual((await srv.get('/ari/channels')).json, []);
});

serverTest('rfc4733_digits_from_the_caller_arrive_as_ChannelDtmfReceived_with_duration', OPEN, async (srv) => {
	const ws = await srv.events('sipapp');
	const sipp = await callIn(srv, 'uac_dtmf', { duration: 500 });
	await withSipp(sipp, async () => {
		const { channel } = await ws.waitFor('StasisStart');
		assert.equal((await srv.post(`/ari/channels/${enc(channel.id)}/answer`)).status, 204);
		const isDtmf = (e) => e.type === 'ChannelDtmfReceived';
		await ws.waitFor((e) => isDtmf(e) && e.digit === '#', 10000, { what: 'digit #' });
		const digits = ws.filter(isDtmf);
		assert.deepEqual(digits.map((e) => e.digit), ['1', '2', '#']);
		for (const d of digits) {
			assert.equal(d.channel.id, channel.id);
			// The pcaps' end packets say 2240 samples (280 ms); 140 ms of packets.
			assert.ok(Number.isInteger(d.duration_ms) && d.duration_ms >= 40 && d.duration_ms <= 1000,
				`duration_ms ${d.duration_ms}`);
		}
		assertSipp(await sipp.done, 0, 'DTMF call');
	});
});

serverTest('sendonly_reinvite_raises_ChannelHold_and_sendrecv_ChannelUnhold', OPEN, async (srv) => {
	const ws = await srv.events('sipapp');
	const sipp = await callIn(srv, 'uac_hold', { duration: 800 });
	await withSipp(sipp, async () => {
		const { channel } = await ws.waitFor('StasisStart');
		assert.equal((await srv.post(`/ari/channels/${enc(channel.id)}/answer`)).status, 204);
		const hold = await ws.waitFor('ChannelHold', 10000);
		const unhold = await ws.waitFor('ChannelUnhold', 10000);
		assert.equal(hold.channel.id, channel.id);
		assert.equal(unhold.channel.id, channel.id);
		assert.ok(ws.indexOf(hold) < ws.indexOf(unhold), 'hold before unhold');
		await ws.waitFor('ChannelDestroyed', 10000);
		const r = await sipp.done;
		assertSipp(r, 0, 'hold/unhold re-INVITEs answered 200');
		// Our answer to a sendonly offer is recvonly (RFC 3264 6.1).
		assert.match(r.messages, /a=recvonly/, 'SDP answer to a=sendonly\n' + sippReport(r));
	});
});

serverTest('originate_to_a_sip_uri_reaches_the_sipp_uas_and_goes_Up', OPEN, async (srv) => {
	const ws = await srv.events('sipapp');
	const uas = await (await spawnSipp({ scenario: 'uas_answer' })).ready();
	await withSipp(uas, async () => {
		const ch = await srv.originate({ endpoint: `PJSIP/bob/sip:bob@127.0.0.1:${uas.port}`, app: 'sipapp' });
		assert.match(ch.name, /^PJSIP\/bob-[0-9a-f]{8}$/);
		const start = await ws.waitFor('StasisStart', 10000);
		assert.equal(start.channel.id, ch.id);
		assert.equal(start.channel.state, 'Up');
		await sleep(300);
		assert.equal((await srv.del(`/ari/channels/${enc(ch.id)}`)).status, 204);
		const gone = await ws.waitFor('ChannelDestroyed');
		assert.equal(gone.cause, 16);
		const r = await uas.done;
		assertSipp(r, 0, 'UAS: INVITE → 100/180/200 → ACK → BYE → 200');
		assert.match(r.messages, /INVITE sip:bob@127\.0\.0\.1:\d+ SIP\/2\.0/);
	});
});

serverTest('originate_answered_486_destroys_with_cause_17_and_tech_cause_486', OPEN, async (srv) => {
	const ws = await srv.events('sipapp', { subscribeAll: true });
	const uas = await (await spawnSipp({ scenario: 'uas_busy' })).ready();
	await withSipp(uas, async () => {
		const ch = await srv.originate({ endpoint: `PJSIP/bob/sip:bob@127.0.0.1:${uas.port}`, app: 'sipapp' });
		const gone = await ws.waitFor((e) => e.type === 'ChannelDestroyed' && e.channel.id === ch.id, 10000);
		assert.equal(gone.cause, 17, JSON.stringify(gone));
		assert.equal(gone.tech_cause, 486, JSON.stringify(gone));
		// As Asterisk's dial: the dial ends with the status of the
		// callee's cause (ast_hangup_cause_to_dial_status), before the
		// channel goes.
		const seq = ws.events.filter((e) => (e.type === 'Dial' && e.peer.id === ch.id) ||
			(e.channel && e.channel.id === ch.id && /^Channel(HangupRequest|Destroyed)$/.test(e.type)))
			.map((e) => (e.type === 'Dial' ? `Dial{${e.dialstatus}}` : e.type));
		assert.deepEqual(seq, ['Dial{}', 'ChannelHangupRequest', 'Dial{BUSY}', 'ChannelDestroyed']);
		await ws.expectNone((e) => e.type === 'StasisStart' && e.channel.id === ch.id, 100, 'busy call entered the app');
		assertSipp(await uas.done, 0, 'UAS: INVITE → 100 → 486 → ACK');
	});
});

// The usual pjsip.conf binds 0.0.0.0; libre needs concrete addresses, and a
// wildcard must never reach Contact or SDP (c=0.0.0.0 means hold).
const WILDCARD = { files: { 'pjsip.conf': pjsipConf({ alice: { match: '127.0.0.1' } })
	.replace('bind = 127.0.0.1:{{SIP_PORT}}', 'bind = 0.0.0.0:{{SIP_PORT}}') } };

serverTest('wildcard_bind_answers_with_a_concrete_contact_and_sdp_address', WILDCARD, async (srv) => {
	const ws = await srv.events('sipapp');
	const sipp = await callIn(srv, 'uac_call', { duration: 500 });
	await withSipp(sipp, async () => {
		const { channel } = await ws.waitFor('StasisStart');
		assert.equal((await srv.post(`/ari/channels/${enc(channel.id)}/answer`)).status, 204);
		await ws.waitFor('ChannelDestroyed', 10000);
		const r = await sipp.done;
		assertSipp(r, 0, 'call through a 0.0.0.0 transport');
		const ok = r.messages.slice(r.messages.indexOf('SIP/2.0 200 OK'));
		assert.match(ok, /Contact: <sip:[^@>]+@127\.0\.0\.1:\d+>/);
		assert.match(ok, /c=IN IP4 127\.0\.0\.1/);
		assert.doesNotMatch(r.messages, /0\.0\.0\.0/);
	});
});
