'use strict';
// SIP on the wire as chan_pjsip takes it: datagrams up to 64 KB, TCP
// streams libre's parser could not frame closed with a 400 and a NOTICE
// instead of hanging, malformed datagrams logged a few a second in the
// log's format (not raw on stderr), UPDATE inside a call, re-INVITE offers
// refused with "488 Not Acceptable Here" and a reason in the log, and SDP
// that pjmedia would refuse (no c= line, a bad address, port or payload
// type) refused.
const assert = require('node:assert/strict');
const net = require('node:net');
const tls = require('node:tls');
const dgram = require('node:dgram');
const { serverTest, pjsipConf, sleep, SLOW } = require('./lib/server');
const { udpPeer } = require('./lib/udp_peer');
const { CERT, KEY, CA, tlsTest } = require('./lib/tls');

const enc = encodeURIComponent;
const UDP = { files: { 'pjsip.conf': pjsipConf({ alice: { match: '127.0.0.1' } }) } };
// TCP on the UDP transport's port number: the harness starts again on
// fresh ports when it is taken
const TCP = { files: { 'pjsip.conf': pjsipConf({ alice: { match: '127.0.0.1' } }) +
	'\n[transport-tcp]\ntype = transport\nprotocol = tcp\nbind = 127.0.0.1:{{SIP_PORT}}\n' } };

function sdp({ port = 40000, c = 'c=IN IP4 127.0.0.1', pts = '0', extra = [] } = {}) {
	return ['v=0', 'o=- 1 1 IN IP4 127.0.0.1', 's=-', ...(c ? [c] : []), 't=0 0',
		`m=audio ${port} RTP/AVP ${pts}`, 'a=rtpmap:0 PCMU/8000', ...extra, ''].join('\r\n');
}

const toTag = (m) => /^To:.*;tag=([^;\r\n]+)/mi.exec(m)[1];
const statusLine = (m) => m.split('\r\n')[0];
/** The final response to `cseq method`. */
const answers = (cseq, method) => (m) => /^SIP\/2\.0 [2-6]/.test(m) && m.includes(`\r\nCSeq: ${cseq} ${method}\r\n`);

/** A request inside the dialog of `inv` (ours as UAC) answered by `ok`. */
function inDialog(peer, srv, inv, ok, method, cseq, { body, ctype = 'application/sdp', branch } = {}) {
	const callid = /^Call-ID: ([^\r\n]+)/m.exec(inv)[1];
	const ftag = /^From:.*;tag=([^;\r\n]+)/m.exec(inv)[1];
	return [`${method} sip:100@${srv.sipAddr} SIP/2.0`,
		`Via: SIP/2.0/UDP 127.0.0.1:${peer.port};branch=${branch || `z9hG4bK-${method}-${cseq}-${callid}`}`,
		`From: <sip:alice@127.0.0.1:${peer.port}>;tag=${ftag}`,
		`To: <sip:100@${srv.sipAddr}>;tag=${toTag(ok)}`,
		`Call-ID: ${callid}`, `CSeq: ${cseq} ${method}`,
		`Contact: <sip:alice@127.0.0.1:${peer.port}>`, 'Max-Forwards: 70',
		...(body ? [`Content-Type: ${ctype}`, `Content-Length: ${Buffer.byteLength(body)}`, '', body]
			: ['Content-Length: 0', '', ''])].join('\r\n');
}

/** Send an in-dialog request, wait for its final response (ACKed when it
 *  answers an INVITE). */
async function ask(peer, srv, call, method, cseq, opts = {}) {
	const branch = `z9hG4bK-${method}-${cseq}-${Date.now()}`;
	await peer.send(inDialog(peer, srv, call.inv, call.ok, method, cseq, { ...opts, branch }), srv.sipPort);
	const r = await peer.until(answers(cseq, method), `an answer to ${method} ${cseq}`);
	if (method === 'INVITE') {
		// a non-2xx is ACKed in its transaction, a 2xx with a new one
		const ackBranch = r.startsWith('SIP/2.0 2') ? `${branch}-ack` : branch;
		await peer.send(inDialog(peer, srv, call.inv, call.ok, 'ACK', cseq, { branch: ackBranch }), srv.sipPort);
	}
	return r;
}

/** Call in from the peer, answer over ARI, ACK the 200: the call is up. */
async function answeredCall(srv, ws, peer, id) {
	const inv = peer.invite(srv, id, sdp());
	await peer.send(inv, srv.sipPort);
	const { channel } = await ws.waitFor('StasisStart');
	assert.equal((await srv.post(`/ari/channels/${enc(channel.id)}/answer`)).status, 204);
	const ok = await peer.until(answers(1, 'INVITE'), '200 OK');
	assert.match(ok, /^SIP\/2\.0 200 /);
	await peer.send(inDialog(peer, srv, inv, ok, 'ACK', 1), srv.sipPort);
	return { inv, ok, channel };
}

/** Connect, write `data`, collect what comes back until the server closes
 *  or timeoutMs passes. */
function tcpExchange(port, data, timeoutMs) {
	return new Promise((resolve, reject) => {
		const s = net.connect(port, '127.0.0.1');
		let got = '', lp;
		const t = setTimeout(() => { s.destroy(); resolve({ got, closed: false, port: lp }); }, timeoutMs);
		s.on('connect', () => {
			lp = s.localPort;
			s.write(Buffer.from(typeof data === 'function' ? data(lp) : data, 'latin1'));
		});
		s.on('data', (d) => { got += d.toString('latin1'); });
		s.on('end', () => { clearTimeout(t); s.destroy(); resolve({ got, closed: true, port: lp }); });
		s.on('error', (e) => {
			clearTimeout(t);
			if (e.code === 'ECONNRESET') resolve({ got, closed: true, port: lp });
			else reject(e);
		});
	});
}

function options(port, n, { transport = 'TCP', extra = [], clen } = {}) {
	return [`OPTIONS sip:100@127.0.0.1 SIP/2.0`,
		`Via: SIP/2.0/${transport} 127.0.0.1:${port};branch=z9hG4bK-wire-${n}`,
		'Max-Forwards: 70', `From: <sip:alice@127.0.0.1>;tag=w${n}`, 'To: <sip:100@127.0.0.1>',
		`Call-ID: wire-${n}@127.0.0.1`, `CSeq: 1 OPTIONS`, ...extra,
		`Content-Length: ${clen ?? 0}`, '', ''].join('\r\n');
}

const statuses = (text) => text.match(/^SIP\/2\.0 \d{3}/gm) || [];

// libre read each datagram into 8 KB: the rest was cut off, so a large
// OPTIONS got no answer and a WebRTC-sized INVITE a 400 (its body shorter
// than its Content-Length). pjsip, as Asterisk builds it, takes 32000.
serverTest('udp_requests_larger_than_8_kb_are_read_whole', UDP, async (srv) => {
	const ws = await srv.events('sipapp');
	const peer = await udpPeer();
	try {
		for (const [n, pad] of [[1, 9000], [2, 60000]]) {
			await peer.send(options(peer.port, n, { transport: 'UDP', extra: [`X-Pad: ${'a'.repeat(pad)}`] }),
				srv.sipPort);
			const r = await peer.until((m) => m.includes(`Call-ID: wire-${n}@`), `an answer to the ${pad}-byte OPTIONS`);
			assert.match(r, /^SIP\/2\.0 200 OK\r\n/);
		}
		const ice = Array.from({ length: 150 }, (_, i) =>
			`a=candidate:${i} 1 udp 2130706431 10.0.0.${i % 250} ${40000 + i} typ host`);
		const inv = peer.invite(srv, 'big-invite', sdp({ extra: ice }));
		assert.ok(Buffer.byteLength(inv) > 9000, `${Buffer.byteLength(inv)} bytes`);
		await peer.send(inv, srv.sipPort);
		const { channel } = await ws.waitFor('StasisStart');
		assert.equal(channel.caller.number, 'alice');
		assert.equal(peer.got.filter((m) => /^SIP\/2\.0 400/.test(m)).length, 0, peer.got.join('\n---\n'));
		await srv.del(`/ari/channels/${enc(channel.id)}`);
		await ws.waitFor('ChannelDestroyed');
	} finally {
		await peer.close();
	}
});

// README ("Overload"): a Content-Length too large gets 400 and the
// connection closed, with a NOTICE. libre waited for the body instead,
// saying nothing, until it gave up on the connection.
serverTest('a_tcp_request_with_a_content_length_too_large_gets_400_a_notice_and_its_connection_closed', TCP,
	async (srv) => {
		for (const [n, clen] of [[1, '1000000'], [2, '99999999999'], [3, '65536']]) {
			const r = await tcpExchange(srv.sipPort, (lp) => options(lp, n, { clen }), 4000 * SLOW);
			assert.deepEqual(statuses(r.got), ['SIP/2.0 400'], `Content-Length ${clen}: ${JSON.stringify(r.got)}`);
			assert.match(r.got, new RegExp(`Call-ID: wire-${n}@127\\.0\\.0\\.1\\r\\n`));
			assert.ok(r.closed, `Content-Length ${clen}: the connection stayed open`);
			await srv.waitForLog(new RegExp(`NOTICE.*SIP OPTIONS from 127\\.0\\.0\\.1:${r.port} over TCP: ` +
				`Content-Length '${clen}' makes it longer than 65535 bytes; 400, connection closed`));
		}
		// what fits is taken, body and all
		const body = 'x'.repeat(30000);
		const ok = await tcpExchange(srv.sipPort, (lp) => options(lp, 4, { clen: body.length }) + body +
			options(lp, 5), 1500 * SLOW);
		assert.deepEqual(statuses(ok.got), ['SIP/2.0 200', 'SIP/2.0 200'], ok.got);
	});

// A start line libre cannot read made it wait for more bytes for ever:
// the connection hung with every request after it, and nothing was logged.
serverTest('a_tcp_stream_libre_cannot_frame_is_closed_with_a_notice_naming_the_peer', TCP, async (srv) => {
	for (const [n, junk, said] of [[1, 'garbage\r\n\r\n', "no SIP start line 'garbage'"],
		[2, 'INVITE\r\n\r\n', "no SIP start line 'INVITE'"],
		[3, '\xff\xfe\r\n\r\n', "no SIP start line '\\?\\?'"]]) {
		const r = await tcpExchange(srv.sipPort, (lp) => junk + options(lp, n), 4000 * SLOW);
		assert.deepEqual(statuses(r.got), [], `${JSON.stringify(junk)}: ${JSON.stringify(r.got)}`);
		assert.ok(r.closed, `${JSON.stringify(junk)}: the connection stayed open`);
		await srv.waitForLog(new RegExp(`NOTICE.*SIP message from 127\\.0\\.0\\.1:${r.port} over TCP: ` +
			`${said}; connection closed`));
	}
	// sent in pieces, the junk is found all the same
	const s = net.connect(srv.sipPort, '127.0.0.1');
	const closed = new Promise((resolve) => s.on('close', resolve));
	s.on('error', () => {});
	await new Promise((r) => s.once('connect', r));
	for (const piece of ['gar', 'bage\r', '\n']) { s.write(piece); await sleep(50); }
	s.write(options(s.localPort, 4));
	await Promise.race([closed, sleep(4000 * SLOW).then(() => { throw new Error('still open'); })]);

	// a head without a Content-Length, and a header line without a name:
	// answerable, so 400
	for (const [n, bad, said] of [[5, (lp) => options(lp, 5).replace('Content-Length: 0\r\n', ''), 'no Content-Length'],
		[6, (lp) => options(lp, 6).replace('Max-Forwards: 70', 'Badheader'), "a header line without a name 'Badheader'"]]) {
		const r = await tcpExchange(srv.sipPort, bad, 4000 * SLOW);
		assert.deepEqual(statuses(r.got), ['SIP/2.0 400'], `${n}: ${JSON.stringify(r.got)}`);
		assert.ok(r.closed);
		await srv.waitForLog(new RegExp(`NOTICE.*SIP OPTIONS from 127\\.0\\.0\\.1:${r.port} over TCP: ${said}; ` +
			'400, connection closed'));
	}
	// keep-alives, and requests one after the other, still go through
	const good = await tcpExchange(srv.sipPort, (lp) => '\r\n\r\n' + options(lp, 7) + '\r\n' + options(lp, 8),
		1000 * SLOW);
	assert.deepEqual(statuses(good.got), ['SIP/2.0 200', 'SIP/2.0 200'], good.got);
	assert.equal(good.closed, false);
	// and so do requests in pieces, cut anywhere
	const c = net.connect(srv.sipPort, '127.0.0.1');
	let got = '';
	c.on('data', (d) => { got += d; });
	await new Promise((r) => c.once('connect', r));
	const text = options(c.localPort, 9) + '\r\n' + options(c.localPort, 10);
	for (let i = 0; i < text.length; i += 7) { c.write(text.slice(i, i + 7)); await sleep(2); }
	for (let i = 0; i < 100 && statuses(got).length < 2; i++) await sleep(20);
	assert.deepEqual(statuses(got), ['SIP/2.0 200', 'SIP/2.0 200'], got);
	c.destroy();
	assert.doesNotMatch(srv.stderr, /msg decode err/);
});

// The same on TLS: the stream is cut after decryption.
tlsTest('over_tls_too_a_content_length_too_large_gets_400_and_the_connection_closed', (ctx) => ({
	files: { 'pjsip.conf': pjsipConf({ alice: { match: '127.0.0.1' } }) + ['', '[transport-tls]', 'type = transport',
		'protocol = tls', `bind = 127.0.0.1:${ctx.port}`, `cert_file = ${CERT}`, `priv_key_file = ${KEY}`, ''].join('\n') },
}), async (srv, ctx) => {
	await srv.waitForLog(new RegExp(`SIP transport 'transport-tls' listening on TLS 127\\.0\\.0\\.1:${ctx.port}`));
	const s = tls.connect({ host: '127.0.0.1', port: ctx.port, ca: CA, servername: 'localhost' });
	await new Promise((resolve, reject) => { s.once('secureConnect', resolve); s.once('error', reject); });
	let got = '';
	s.on('data', (d) => { got += d.toString('latin1'); });
	s.on('error', () => {});
	const closed = new Promise((resolve) => s.on('close', resolve));
	const lp = s.localPort;
	s.write(options(lp, 1, { transport: 'TLS' }));
	for (let i = 0; i < 100 && !/^SIP\/2\.0 200 /.test(got); i++) await sleep(20);
	assert.match(got, /^SIP\/2\.0 200 /, 'OPTIONS over TLS');
	s.write(options(lp, 2, { transport: 'TLS', clen: 1000000 }));
	await Promise.race([closed, sleep(4000 * SLOW).then(() => { throw new Error('the connection stayed open'); })]);
	assert.deepEqual(statuses(got), ['SIP/2.0 200', 'SIP/2.0 400'], got);
	await srv.waitForLog(new RegExp(`NOTICE.*SIP OPTIONS from 127\\.0\\.0\\.1:${lp} over TLS: Content-Length ` +
		"'1000000' makes it longer than 65535 bytes; 400, connection closed"));
});

// libre printed "sip: msg decode err: No data available" raw to stderr for
// each datagram it could not parse: 300 junk datagrams, 300 lines, no
// sender named. Now a NOTICE in the log's format, ten a second at most.
serverTest('malformed_datagrams_are_logged_in_the_log_format_a_few_a_second_not_raw', UDP, async (srv) => {
	const sock = dgram.createSocket('udp4');
	await new Promise((r) => sock.bind(0, '127.0.0.1', r));
	const port = sock.address().port;
	try {
		for (let i = 0; i < 300; i++)
			await new Promise((r) => sock.send('INVITE\r\n\r\n', srv.sipPort, '127.0.0.1', r));
		const line = new RegExp(`NOTICE.*SIP datagram from '127\\.0\\.0\\.1:${port}': no SIP start line ` +
			"'INVITE'; dropped", 'g');
		await srv.waitForLog(line);
		await sleep(1100);
		// the next one says how many were left out
		await new Promise((r) => sock.send('OPTIONS\r\n\r\n', srv.sipPort, '127.0.0.1', r));
		await srv.waitForLog(/NOTICE.*\d+ more malformed SIP messages were not logged \(at most 10 a second\)/);
		await srv.waitForLog(/NOTICE.*no SIP start line 'OPTIONS'; dropped/);
		const n = srv.stderr.match(line).length;
		assert.ok(n >= 1 && n <= 20, `${n} NOTICEs for 300 datagrams`);
		assert.doesNotMatch(srv.stderr, /msg decode err/);
	} finally {
		sock.close();
	}
	// one that can be answered is: 400, and the NOTICE names the fault
	const peer = await udpPeer();
	try {
		await peer.send(options(peer.port, 9, { transport: 'UDP' }).replace('CSeq: 1 OPTIONS', 'CSeq: one OPTIONS'),
			srv.sipPort);
		const r = await peer.until((m) => m.includes('Call-ID: wire-9@'), 'a 400');
		assert.match(r, /^SIP\/2\.0 400 Bad Request\r\n/);
		await srv.waitForLog(new RegExp(`NOTICE.*Request 'OPTIONS' from '127\\.0\\.0\\.1:${peer.port}' failed ` +
			"\\(callid: wire-9@127\\.0\\.0\\.1\\) - a CSeq it cannot parse 'one OPTIONS', answered 400"));
	} finally {
		await peer.close();
	}
	assert.doesNotMatch(srv.stderr, /msg decode err/);
});

// UPDATE inside a confirmed dialog got 481, which ends the dialog usage
// (RFC 5057): phones may drop the call. chan_pjsip takes it.
serverTest('update_inside_a_call_refreshes_it_or_takes_its_offer_instead_of_481', UDP, async (srv) => {
	const ws = await srv.events('sipapp');
	const peer = await udpPeer();
	try {
		const call = await answeredCall(srv, ws, peer, 'update-1');
		let r = await ask(peer, srv, call, 'UPDATE', 2);
		assert.match(statusLine(r), /^SIP\/2\.0 200 OK$/, r);
		assert.match(r, /^Contact: <sip:asterisk@127\.0\.0\.1:\d+>\r$/m);
		assert.match(r, /^Allow: .*\bUPDATE\b/m);
		assert.match(r, /\r\nContent-Length: 0\r\n\r\n$/);

		// an offer: answered in the 200, and it puts the call on hold
		r = await ask(peer, srv, call, 'UPDATE', 3, { body: sdp({ extra: ['a=sendonly'] }) });
		assert.match(statusLine(r), /^SIP\/2\.0 200 OK$/, r);
		assert.match(r, /^Content-Type: application\/sdp\r$/m);
		assert.match(r, /^m=audio \d+ RTP\/AVP 0\b/m);
		assert.match(r, /^a=recvonly\r$/m);
		await ws.waitFor((e) => e.type === 'ChannelHold' && e.channel.id === call.channel.id);

		// an offer we cannot take
		r = await ask(peer, srv, call, 'UPDATE', 4, { body: sdp({ pts: '99' }) });
		assert.equal(statusLine(r), 'SIP/2.0 488 Not Acceptable Here');
		await srv.waitForLog(/NOTICE.*PJSIP\/alice-[0-9a-f]+: UPDATE from '127\.0\.0\.1:\d+' refused \(488 Not Acceptable Here\): none of its payload types \(99\) is a codec of ours \(ulaw\)/);

		// the dialog lives on
		assert.match(statusLine(await ask(peer, srv, call, 'OPTIONS', 5)), /^SIP\/2\.0 200 /);
		assert.match(statusLine(await ask(peer, srv, call, 'BYE', 6)), /^SIP\/2\.0 200 /);
		await ws.waitFor((e) => e.type === 'ChannelDestroyed' && e.channel.id === call.channel.id);
		assert.equal(peer.got.filter((m) => /^SIP\/2\.0 481/.test(m)).length, 0, peer.got.join('\n---\n'));

		// outside any dialog of ours, UPDATE is still 481
		await peer.send(inDialog(peer, srv, call.inv.replace(/update-1/g, 'nowhere'), call.ok, 'UPDATE', 2),
			srv.sipPort);
		r = await peer.until((m) => m.includes('Call-ID: nowhere@'), 'an answer to a stray UPDATE');
		assert.match(statusLine(r), /^SIP\/2\.0 481 /);
	} finally {
		await peer.close();
	}
});

// sipsess answered a refused re-INVITE offer with strerror() as its reason
// phrase ("488 Operation not supported", "488 Bad message"), and took SDP
// pjmedia refuses (no c= line, an address of no family, port 99999,
// payload type 300) with 200.
serverTest('a_reinvite_offer_we_cannot_take_gets_488_not_acceptable_here_and_a_notice_saying_why', UDP,
	async (srv) => {
		const ws = await srv.events('sipapp');
		const peer = await udpPeer();
		try {
			const call = await answeredCall(srv, ws, peer, 'reinvite-1');
			const cases = [
				[sdp({ pts: '99' }), 'none of its payload types \\(99\\) is a codec of ours \\(ulaw\\)'],
				['garbage', 'it is not SDP that can be parsed'],
				['v=0\r\nthis line has no equals sign\r\n', 'it is not SDP that can be parsed'],
				[sdp({ c: null }), 'no c= line for a stream, in it or for the session'],
				[sdp({ c: 'c=IN IP4 999.999.1.1' }), "c= address '999\\.999\\.1\\.1' is not an IP4 address"],
				[sdp({ c: 'c=IN IP4 example.invalid' }), "c= address 'example\\.invalid' is not an IP4 address"],
				[sdp({ port: 99999 }), 'm=audio: port 99999 is out of range'],
				[sdp({ pts: '0 300' }), 'm=audio: payload type 300 is not 0 to 127'],
			];
			let cseq = 2;
			for (const [body, why] of cases) {
				const r = await ask(peer, srv, call, 'INVITE', cseq, { body });
				assert.equal(statusLine(r), 'SIP/2.0 488 Not Acceptable Here', `${JSON.stringify(body)}: ${r}`);
				await srv.waitForLog(new RegExp('NOTICE.*PJSIP/alice-[0-9a-f]+: INVITE from ' +
					`'127\\.0\\.0\\.1:${peer.port}' refused \\(488 Not Acceptable Here\\): ${why}`));
				cseq++;
			}
			assert.doesNotMatch(srv.stderr, /Operation not supported|Bad message/);
			// a body that is not SDP at all
			let r = await ask(peer, srv, call, 'INVITE', cseq++, { body: 'hello', ctype: 'text/plain' });
			assert.equal(statusLine(r), 'SIP/2.0 415 Unsupported Media Type');
			assert.match(r, /^Accept: application\/sdp\r$/m);

			// the call is unharmed: a good re-INVITE (hold, c=0.0.0.0 is
			// RFC 2543's) and a session refresh without SDP are taken
			r = await ask(peer, srv, call, 'INVITE', cseq++, { body: sdp({ c: 'c=IN IP4 0.0.0.0' }) });
			assert.match(statusLine(r), /^SIP\/2\.0 200 /, r);
			r = await ask(peer, srv, call, 'INVITE', cseq++, { body: sdp() });
			assert.match(statusLine(r), /^SIP\/2\.0 200 /, r);
			assert.match(statusLine(await ask(peer, srv, call, 'BYE', cseq++)), /^SIP\/2\.0 200 /);
			await ws.waitFor((e) => e.type === 'ChannelDestroyed' && e.channel.id === call.channel.id);
		} finally {
			await peer.close();
		}
	});

// The INVITE's own offer goes through the same rules: 488, as pjmedia's
// validation makes chan_pjsip answer, and no channel left behind.
serverTest('an_invite_whose_sdp_has_no_c_line_or_a_payload_type_over_127_gets_488', UDP, async (srv) => {
	const ws = await srv.events('sipapp');
	const peer = await udpPeer();
	try {
		for (const [id, body, why] of [['no-c', sdp({ c: null }), 'no c= line for a stream'],
			['pt-300', sdp({ pts: '300 0' }), 'm=audio: payload type 300 is not 0 to 127']]) {
			await peer.send(peer.invite(srv, id, body), srv.sipPort);
			const r = await peer.until((m) => m.includes(`Call-ID: ${id}@`) && /^SIP\/2\.0 [2-6]/.test(m),
				`an answer to ${id}`);
			assert.equal(statusLine(r), 'SIP/2.0 488 Not Acceptable Here');
			await srv.waitForLog(new RegExp(`NOTICE.*PJSIP/alice-[0-9a-f]+: SDP offer not acceptable: ${why}`));
		}
		const start = ws.events.find((e) => e.type === 'StasisStart');
		assert.equal(start, undefined, 'a refused offer reached the app');
		assert.deepEqual((await srv.get('/ari/channels')).json, []);
	} finally {
		await peer.close();
	}
});
