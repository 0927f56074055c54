'use strict';
// SIP registrar (digest auth, contacts, unregister), endpoint state through
// ARI (events and GET /ari/endpoints), out-of-call MESSAGE, with SIPp peers.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const dgram = require('node:dgram');
const {
	serverTest, startServer, pjsipConf, runSipp, spawnSipp, assertSipp, sippReport, freeUdpPort, SLOW,
} = require('./lib/server');

const PASS = 'Xy9-secret';
const REG = { files: { 'pjsip.conf': pjsipConf({ alice: { password: PASS } }) } };

function register(srv, port, { expires = 60, pass = PASS, scenario = 'uac_register' } = {}) {
	return runSipp({ scenario, remote: srv, port, auth: { user: 'alice', pass },
		keys: { from_user: 'alice', expires }, timeoutMs: 8000 });
}

async function subscribeEndpoint(srv, app, resource = 'alice') {
	const r = await srv.post(`/ari/applications/${app}/subscription?eventSource=${encodeURIComponent('endpoint:PJSIP/' + resource)}`);
	assert.equal(r.status, 200, `subscribe ${app} to endpoint:PJSIP/${resource} → ${r.status} ${r.body}`);
}

serverTest('register_with_digest_auth_brings_the_endpoint_online_and_unregister_takes_it_offline', REG, async (srv) => {
	const ws = await srv.events('regapp');
	await subscribeEndpoint(srv, 'regapp');
	let ep = await srv.get('/ari/endpoints/PJSIP/alice');
	assert.equal(ep.status, 200, ep.body);
	assert.equal(ep.json.state, 'offline', 'no contact yet');

	const port = await freeUdpPort();
	const reg = await register(srv, port);
	assertSipp(reg, 0, 'REGISTER → 401 → REGISTER with credentials → 200');
	assert.match(reg.messages, /WWW-Authenticate: Digest [^\n]*nonce="/i);
	assert.match(reg.messages, /SIP\/2\.0 200 [^\n]*\n[\s\S]*?Contact: <sip:alice@127\.0\.0\.1:\d+>;expires=\d+/i,
		'the 200 lists the binding with its expiry\n' + sippReport(reg));
	// Its Expires header is what was asked for (60 s), as chan_pjsip
	// answers, not the aor's default: a phone reading it re-registers on time.
	const ok200 = reg.messages.slice(reg.messages.search(/SIP\/2\.0 200 /));
	assert.match(ok200, /\nExpires: 60\r?\n/, ok200);

	const online = await ws.waitFor((e) => e.type === 'EndpointStateChange' && e.endpoint.state === 'online');
	assert.equal(online.endpoint.technology, 'PJSIP');
	assert.equal(online.endpoint.resource, 'alice');
	const created = await ws.waitFor('ContactStatusChange');
	assert.equal(created.endpoint.resource, 'alice');
	assert.equal(created.contact_info.aor, 'alice');
	assert.equal(created.contact_info.uri, `sip:alice@127.0.0.1:${port}`);
	assert.ok(['NonQualified', 'Reachable', 'Unknown', 'Created'].includes(created.contact_info.contact_status),
		created.contact_info.contact_status);

	ep = await srv.get('/ari/endpoints/PJSIP/alice');
	assert.equal(ep.json.state, 'online');
	assert.deepEqual(ep.json.channel_ids, []);
	const list = await srv.get('/ari/endpoints/PJSIP');
	assert.equal(list.status, 200);
	assert.ok(list.json.some((e) => e.resource === 'alice' && e.state === 'online'), list.body);
	const all = await srv.get('/ari/endpoints');
	assert.ok(all.json.some((e) => e.technology === 'PJSIP' && e.resource === 'alice'), all.body);

	const from = ws.events.length;
	assertSipp(await register(srv, port, { expires: 0 }), 0, 'unregister (Expires: 0)');
	const removed = await ws.waitFor('ContactStatusChange', undefined, { from });
	assert.equal(removed.contact_info.contact_status, 'Removed');
	const offline = await ws.waitFor('EndpointStateChange', undefined, { from });
	assert.equal(offline.endpoint.state, 'offline');
	ep = await srv.get('/ari/endpoints/PJSIP/alice');
	assert.equal(ep.json.state, 'offline');
});

serverTest('register_with_a_wrong_password_gets_a_fresh_401_and_leaves_the_endpoint_offline', REG, async (srv) => {
	const ws = await srv.events('regapp');
	await subscribeEndpoint(srv, 'regapp');
	const r = await register(srv, await freeUdpPort(), { pass: 'not-it', scenario: 'uac_register_wrong_password' });
	assertSipp(r, 0, 'REGISTER → 401 → REGISTER with a wrong password → 401 (a new challenge)');
	await ws.expectNone((e) => e.type === 'EndpointStateChange' || e.type === 'ContactStatusChange', 300);
	assert.equal((await srv.get('/ari/endpoints/PJSIP/alice')).json.state, 'offline');
	assert.doesNotMatch(srv.stderr, /Xy9-secret|not-it/, 'passwords never logged');
});

serverTest('unknown_endpoint_resource_is_404', REG, async (srv) => {
	const r = await srv.get('/ari/endpoints/PJSIP/nobody');
	assert.equal(r.status, 404, r.body);
});

serverTest('incoming_MESSAGE_raises_TextMessageReceived_for_the_endpoint', {
	files: { 'pjsip.conf': pjsipConf({ alice: { match: '127.0.0.1' } }) },
}, async (srv) => {
	const ws = await srv.events('msgapp');
	await subscribeEndpoint(srv, 'msgapp');
	const r = await runSipp({ scenario: 'uac_message', remote: srv, service: '100',
		keys: { from_user: 'alice', message: 'hello ariadne' }, timeoutMs: 8000 });
	assertSipp(r, 0, 'MESSAGE → 202');
	const ev = await ws.waitFor('TextMessageReceived');
	// The body as sent: SIPp ends the [message] line with CRLF (Content-Length counts it).
	assert.equal(ev.message.body, 'hello ariadne\r\n');
	assert.match(ev.message.from, /alice/);
	assert.match(ev.message.to, /100/);
	assert.equal(ev.endpoint.technology, 'PJSIP');
	assert.equal(ev.endpoint.resource, 'alice');
});

// A MESSAGE body in Latin-1 is not UTF-8: the event keeps its message, with
// '?' for the bytes JSON cannot carry (before, the whole message vanished).
serverTest('a_MESSAGE_body_that_is_not_utf8_still_reaches_the_app', {
	files: { 'pjsip.conf': pjsipConf({ alice: { match: '127.0.0.1' } }) },
}, async (srv) => {
	const ws = await srv.events('msgapp');
	await subscribeEndpoint(srv, 'msgapp');
	const sock = dgram.createSocket('udp4');
	await new Promise((r) => sock.bind(0, '127.0.0.1', r));
	const port = sock.address().port;
	const body = Buffer.from('caf\xe9 cr\xe8me', 'latin1');
	const head = 'MESSAGE sip:100@127.0.0.1 SIP/2.0\r\n' +
		`Via: SIP/2.0/UDP 127.0.0.1:${port};branch=z9hG4bK-latin1-1\r\n` +
		`From: <sip:alice@127.0.0.1:${port}>;tag=latin1\r\nTo: <sip:100@127.0.0.1>\r\n` +
		'Call-ID: latin1-message@127.0.0.1\r\nCSeq: 1 MESSAGE\r\nMax-Forwards: 70\r\n' +
		`Content-Type: text/plain\r\nContent-Length: ${body.length}\r\n\r\n`;
	const reply = new Promise((r) => sock.once('message', (m) => r(m.toString('latin1'))));
	await new Promise((r) => sock.send(Buffer.concat([Buffer.from(head, 'latin1'), body]), srv.sipPort, '127.0.0.1', r));
	try {
		assert.match(await reply, /^SIP\/2\.0 202 /);
		const ev = await ws.waitFor('TextMessageReceived');
		assert.equal(ev.message.body, 'caf? cr?me');
		assert.match(ev.message.from, /alice/);
		assert.equal(ev.endpoint.resource, 'alice');
	} finally {
		sock.close();
	}
});

serverTest('originate_to_an_endpoint_calls_its_registered_contact', REG, async (srv) => {
	const ws = await srv.events('regapp');
	const port = await freeUdpPort();
	assertSipp(await register(srv, port), 0, 'REGISTER alice');
	// The phone that registered now answers on the registered contact.
	const uas = await (await spawnSipp({ scenario: 'uas_answer', port })).ready();
	const ch = await srv.originate({ endpoint: 'PJSIP/alice', app: 'regapp' });
	assert.match(ch.name, /^PJSIP\/alice-[0-9a-f]{8}$/);
	const start = await ws.waitFor('StasisStart', 10000);
	assert.equal(start.channel.state, 'Up');
	assert.equal((await srv.del(`/ari/channels/${encodeURIComponent(ch.id)}`)).status, 204);
	const r = await uas.done;
	assertSipp(r, 0, 'UAS on the registered contact');
	assert.match(r.messages, new RegExp(`INVITE sip:alice@127\\.0\\.0\\.1:${port}[ ;]`));
});

serverTest('originate_to_an_endpoint_without_contact_fails', REG, async (srv) => {
	const r = await srv.post('/ari/channels?' + new URLSearchParams({ endpoint: 'PJSIP/alice', app: 'regapp' }));
	// Asterisk: the request fails before a channel exists → 500 "Allocation failed".
	assert.ok([400, 404, 500].includes(r.status), `${r.status} ${r.body}`);
	assert.deepEqual((await srv.get('/ari/channels')).json, []);
});

serverTest('invite_from_an_unknown_user_is_rejected_without_a_channel', REG, async (srv) => {
	const ws = await srv.events('sipapp');
	const r = await runSipp({ scenario: 'uac_call', remote: srv, service: '100',
		keys: { from_user: 'mallory' }, timeoutMs: 6000 });
	assert.notEqual(r.code, 0);
	assert.match(r.messages, /SIP\/2\.0 (401|403) /, 'unknown caller → 401/403\n' + sippReport(r));
	await ws.expectNone('StasisStart', 300, 'a channel was created for an unknown caller');
	assert.deepEqual((await srv.get('/ari/channels')).json, []);
});

test('sendMessage_to_an_endpoint_sends_a_SIP_MESSAGE_to_its_contact', { timeout: 30000 * SLOW }, async () => {
	// The contact must be in pjsip.conf before the server starts: start the UAS first.
	const uas = await (await spawnSipp({ scenario: 'uas_message' })).ready();
	const srv = await startServer({ files: { 'pjsip.conf': pjsipConf({
		bob: { contact: `sip:bob@127.0.0.1:${uas.port}` } }) } });
	try {
		const q = new URLSearchParams({ from: 'sip:ari@example.com', body: 'hi bob' });
		const r = await srv.put(`/ari/endpoints/PJSIP/bob/sendMessage?${q}`);
		// Asterisk's resource_endpoints.c sets 202; the shared reference says 204.
		assert.ok([202, 204].includes(r.status), `${r.status} ${r.body}`);
		const res = await uas.done;
		assertSipp(res, 0, 'UAS: MESSAGE → 202');
		assert.match(res.messages, /MESSAGE sip:bob@127\.0\.0\.1:\d+ SIP\/2\.0/);
		assert.match(res.messages, /\r?\n\r?\nhi bob/);
	} catch (e) {
		e.message += '\n' + srv.tail();
		throw e;
	} finally {
		await uas.stop();
		await srv.stop();
	}
});
