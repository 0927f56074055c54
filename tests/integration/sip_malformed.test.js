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

serverTest('a_datagram_its_content_length_does_not_fit_is_answered_400', CONF, async (srv) => {
	// RFC 3261 18.3: a body shorter than Content-Length, or a
	// Content-Length that is no number, is a malformed message: 400, and
	// no call set up from a cut-off offer.
	const { udpPeer } = require('./lib/udp_peer');
	const ws = await srv.events('sipapp');
	const peer = await udpPeer();
	try {
		const sdp = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n' +
			'm=audio 40000 RTP/AVP 0\r\n';
		let n = 0;
		for (const clen of ['900', '4294967295', '-1', 'abc']) {
			const id = `clen${n++}`;
			const text = peer.invite(srv, id, sdp).replace(/Content-Length: \d+/, `Content-Length: ${clen}`);
			await peer.send(text, srv.sipPort);
			const r = await peer.until((m) => m.includes(`Call-ID: ${id}@`) && /^SIP\/2\.0 [2-6]/.test(m), `an answer to ${clen}`);
			assert.match(r, /^SIP\/2\.0 400 Bad Request\r\n/, `Content-Length ${clen}: ${r}`);
		}
		await noChannelAndAlive(srv, ws);
	} finally {
		await peer.close();
	}
});

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

// Responses to nothing we sent (a scanner's, or a peer's late ones) are
// dropped quietly: libre printed each raw to stderr ("unhandeled response
// from ..."), outside the log's format and levels.
serverTest('stray_responses_are_dropped_without_a_raw_line_each_on_stderr', CONF, async (srv) => {
	const ws = await srv.events('sipapp');
	const sock = dgram.createSocket('udp4');
	for (let i = 0; i < 30; i++) {
		const r = 'SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bK-stray' + i + '\r\n' +
			'From: <sip:a@127.0.0.1>;tag=1\r\nTo: <sip:b@127.0.0.1>;tag=2\r\nCall-ID: stray' + i + '\r\n' +
			'CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n';
		await new Promise((done) => sock.send(r, srv.sipPort, '127.0.0.1', done));
	}
	sock.close();
	await noChannelAndAlive(srv, ws);
	assert.doesNotMatch(srv.stderr, /unhand[el]+ed response/);
});

// A display name is any bytes on the wire; ARI's JSON must stay whole and
// valid UTF-8 (a WebSocket text frame that is not closes the socket), so
// bytes that are not UTF-8 reach the app as '?' and the call still starts.
serverTest('a_display_name_that_is_not_utf8_reaches_the_app_as_question_marks', CONF, async (srv) => {
	const ws = await srv.events('sipapp');
	const sock = dgram.createSocket('udp4');
	await new Promise((r) => sock.bind(0, '127.0.0.1', r));
	const port = sock.address().port;
	const sdp = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n' +
		'm=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n';
	const invite = Buffer.concat([
		Buffer.from('INVITE sip:100@127.0.0.1 SIP/2.0\r\n' +
			`Via: SIP/2.0/UDP 127.0.0.1:${port};branch=z9hG4bK-utf8-1\r\n` +
			'From: "B', 'latin1'),
		Buffer.from([0xff, 0xfe, 0xc3]),
		Buffer.from(`b" <sip:alice@127.0.0.1:${port}>;tag=utf8\r\n` +
			'To: <sip:100@127.0.0.1>\r\nCall-ID: utf8-display-name@127.0.0.1\r\nCSeq: 1 INVITE\r\n' +
			`Contact: <sip:alice@127.0.0.1:${port}>\r\nMax-Forwards: 70\r\n` +
			`Content-Type: application/sdp\r\nContent-Length: ${sdp.length}\r\n\r\n${sdp}`, 'latin1'),
	]);
	await new Promise((r) => sock.send(invite, srv.sipPort, '127.0.0.1', r));
	try {
		const start = await ws.waitFor('StasisStart', 5000);
		assert.equal(start.channel.caller.name, 'B???b');
		assert.equal(start.channel.caller.number, 'alice');
		assert.equal(ws.closed, false, 'the events socket is still open');
		await srv.del(`/ari/channels/${start.channel.id}`);
		await ws.waitFor((e) => e.type === 'ChannelDestroyed' && e.channel.id === start.channel.id, 5000);
	} finally {
		sock.close();
	}
});

// A call storm must wait in the kernel for the loop rather than be dropped
// there (src/sip/sip_udp_buf.c): the SIP UDP socket asks for a 4 MB receive
// buffer when it first sees a request (the start-up probe), gets it past
// net.core.rmem_max where it may (root), and says what it got. ss(8)
// shows the socket's real buffer (rb, as the kernel reports it: doubled).
serverTest('the_sip_udp_socket_gets_a_large_receive_buffer_and_says_so', {
	...CONF, ariadneConf: { options: { verbose: 2 } },
}, async (srv) => {
	await srv.waitForLog(/SIP UDP socket 127\.0\.0\.1:(\d+): (\d+) KB receive buffer/);
	const said = srv.stderr.match(/SIP UDP socket 127\.0\.0\.1:(\d+): (\d+) KB receive buffer(.*)/);
	assert.equal(Number(said[1]), srv.sipPort);
	const ss = require('node:child_process').execFileSync('ss', ['-uamnH', 'sport', '=', `:${srv.sipPort}`],
		{ encoding: 'utf8' });
	const rb = Number((ss.match(/rb(\d+)/) || [])[1]);
	assert.ok(rb > 0, ss);
	assert.equal(Math.floor(rb / 1024), Number(said[2]), `log says ${said[2]} KB, ss says rb${rb}`);
	const rmemMax = Number(require('node:fs').readFileSync('/proc/sys/net/core/rmem_max', 'utf8'));
	if (process.getuid && process.getuid() === 0) {
		assert.equal(rb, 8 * 1024 * 1024, ss);   // SO_RCVBUFFORCE: 4 MB, reported doubled
		assert.equal(said[3], '');
	} else {
		assert.equal(rb, Math.min(2 * rmemMax, 8 * 1024 * 1024), ss);
	}
});
