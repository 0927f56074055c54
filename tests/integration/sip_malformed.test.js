'use strict';
// Malformed SIP and SDP: each is answered 400 (when it can be answered at
// all), creates no channel, and the server still answers OPTIONS after it.
const assert = require('node:assert/strict');
const dgram = require('node:dgram');
const { serverTest, pjsipConf, runSipp, assertSipp } = require('./lib/server');

const CONF = { files: { 'pjsip.conf': pjsipConf({ alice: { match: '127.0.0.1' } }) } };

async function noChannelAndAlive(srv, ws) {
	await ws.expectNone('StasisStart', 200, 'a malformed request created a channel');
	assert.deepEqual((await srv.get('/ari/channels')).json, []);
	assertSipp(await runSipp({ scenario: 'uac_options', remote: srv, timeoutMs: 6000 }), 0,
		'OPTIONS answered 200 afterwards');
}

for (const [scenario, what] of [
	['malformed_request_uri', 'garbage_request_uri'],
	['malformed_missing_headers', 'invite_without_from_and_contact'],
	['malformed_sdp', 'invite_with_unparseable_sdp'],
]) {
	serverTest(`${what}_is_answered_400_and_the_server_keeps_serving`, CONF, async (srv) => {
		const ws = await srv.events('sipapp');
		const r = await runSipp({ scenario, remote: srv, service: '100', keys: { from_user: 'alice' }, timeoutMs: 8000 });
		assertSipp(r, 0, `${scenario}: 400, ACK, then OPTIONS → 200`);
		await noChannelAndAlive(srv, ws);
	});
}

serverTest('junk_datagrams_on_the_sip_port_do_not_crash_the_server', CONF, async (srv) => {
	const ws = await srv.events('sipapp');
	const sock = dgram.createSocket('udp4');
	const junk = [
		Buffer.from('\x00\x01\x02\xff garbage\r\n\r\n', 'latin1'),
		Buffer.from('GARBAGE\r\n\r\n'),
		Buffer.from('INVITE\r\n\r\n'),
		Buffer.from('SIP/2.0 200 OK\r\n\r\n'),
		Buffer.from('INVITE sip:100@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bKx\r\n' +
			'Content-Length: 99999\r\n\r\nv=0\r\n'),
		Buffer.from('OPTIONS sip:127.0.0.1 SIP/2.0\r\n' + 'X-Pad: ' + 'a'.repeat(60000) + '\r\n\r\n'),
		Buffer.alloc(0),
	];
	for (const b of junk) await new Promise((r) => sock.send(b, srv.sipPort, '127.0.0.1', r));
	sock.close();
	await noChannelAndAlive(srv, ws);
	assert.equal(srv.exit, null, 'server still running');
});
