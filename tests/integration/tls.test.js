'use strict';
// TLS: ARI over https and wss (http.conf tlsenable, tlsbindaddr,
// tlscertfile, tlsprivatekey, as Asterisk) and SIP over TLS (pjsip.conf
// transport protocol=tls with cert_file and priv_key_file, as chan_pjsip),
// with a self-signed certificate made by openssl for each run. Real TLS
// clients: openssl s_client, node's https/tls, ws over wss, ari-client.
const assert = require('node:assert/strict');
const path = require('node:path');
const net = require('node:net');
const tls = require('node:tls');
const https = require('node:https');
const { spawn } = require('node:child_process');
const { basicAuth, SLOW, REPO, sleep } = require('./lib/server');
const { CERT, KEY, CA, httpConf, tlsTest, handshake } = require('./lib/tls');

function get(port, p, opts = {}) {
	return new Promise((resolve, reject) => {
		const r = https.request({ host: '127.0.0.1', port, path: p, method: opts.method || 'GET', ca: CA, agent: false,
			headers: { Authorization: basicAuth('asterisk:asterisk') } }, (res) => {
			let body = '';
			res.setEncoding('utf8');
			res.on('data', (d) => { body += d; });
			res.on('end', () => resolve({ status: res.statusCode, body }));
		});
		r.on('error', reject);
		r.end();
	});
}

tlsTest('ari_over_https_answers_and_api_docs_name_an_https_basePath', (ctx) => ({
	files: { 'http.conf': httpConf(ctx.port) },
}), async (srv, ctx) => {
	await srv.waitForLog(new RegExp(`HTTPS server listening on 127\\.0\\.0\\.1:${ctx.port} \\(ARI at https://`));
	const ping = await get(ctx.port, '/ari/asterisk/ping');
	assert.equal(ping.status, 200);
	assert.equal(JSON.parse(ping.body).ping, 'pong');
	const docs = JSON.parse((await get(ctx.port, '/ari/api-docs/resources.json')).body);
	assert.equal(docs.basePath, `https://127.0.0.1:${ctx.port}/ari`);
	// Plain HTTP still serves, with an http basePath.
	const plain = (await srv.get('/ari/api-docs/resources.json')).json;
	assert.match(plain.basePath, /^http:\/\//);
	// Wrong credentials over TLS: 401 as over plain HTTP.
	const bad = await new Promise((resolve, reject) => {
		https.get({ host: '127.0.0.1', port: ctx.port, path: '/ari/channels', ca: CA, agent: false,
			headers: { Authorization: basicAuth('asterisk:nope') } }, (res) => { res.resume(); resolve(res.statusCode); })
			.on('error', reject);
	});
	assert.equal(bad, 401);
});

tlsTest('openssl_s_client_gets_a_pong', (ctx) => ({ files: { 'http.conf': httpConf(ctx.port) } }), async (srv, ctx) => {
	const out = await new Promise((resolve, reject) => {
		const p = spawn('openssl', ['s_client', '-connect', `127.0.0.1:${ctx.port}`, '-CAfile', CERT,
			'-verify_return_error', '-quiet'], { stdio: ['pipe', 'pipe', 'pipe'] });
		let o = '';
		let e = '';
		const t = setTimeout(() => { p.kill(); reject(new Error(`openssl s_client: no answer; ${e}`)); }, 10000 * SLOW);
		p.stdout.on('data', (d) => { o += d; });
		p.stderr.on('data', (d) => { e += d; });
		p.on('exit', () => { clearTimeout(t); resolve({ o, e }); });
		p.stdin.write('GET /ari/asterisk/ping HTTP/1.1\r\nHost: 127.0.0.1\r\n' +
			`Authorization: ${basicAuth('asterisk:asterisk')}\r\nConnection: close\r\n\r\n`);
	});
	assert.match(out.o, /^HTTP\/1\.1 200 OK/, out.e);
	assert.match(out.o, /"ping":"pong"/);
	assert.match(out.e, /verify return:1/, 'the certificate was verified against its CA');
	// The reply's Connection: close ends TLS first (close_notify), then TCP:
	// without it OpenSSL 3 clients report a truncation attack.
	assert.doesNotMatch(out.e, /unexpected eof/i, out.e);
});

tlsTest('events_over_wss_and_rest_over_the_same_socket', (ctx) => ({ files: { 'http.conf': httpConf(ctx.port) } }),
	async (srv, ctx) => {
		const WebSocket = require('ws');
		const ws = new WebSocket(`wss://127.0.0.1:${ctx.port}/ari/events?app=secure&api_key=asterisk:asterisk`, { ca: CA });
		const msgs = [];
		ws.on('message', (d) => msgs.push(JSON.parse(d)));
		await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
		assert.equal((await get(ctx.port, '/ari/events/user/hi?application=secure', { method: 'POST' })).status, 204);
		for (let i = 0; i < 100 && !msgs.length; i++) await sleep(20);
		assert.equal(msgs[0] && msgs[0].type, 'ChannelUserevent');
		// A REST request over the wss socket (ARI's request/response messages).
		ws.send(JSON.stringify({ type: 'RESTRequest', request_id: 'r1', method: 'GET', uri: 'asterisk/ping' }));
		for (let i = 0; i < 100 && !msgs.some((m) => m.type === 'RESTResponse'); i++) await sleep(20);
		const rr = msgs.find((m) => m.type === 'RESTResponse');
		assert.ok(rr, JSON.stringify(msgs));
		assert.equal(rr.status_code, 200);
		ws.close();
		await new Promise((resolve) => ws.once('close', resolve));
	});

tlsTest('ari_client_works_over_https_and_wss', (ctx) => ({ files: { 'http.conf': httpConf(ctx.port) } }),
	async (srv, ctx) => {
		// A separate node: NODE_EXTRA_CA_CERTS is read at start-up only.
		const script = `
			const ari = require(${JSON.stringify(path.join(REPO, 'node_modules', 'ari-client'))});
			(async () => {
				const c = await ari.connect('https://127.0.0.1:${ctx.port}', 'asterisk', 'asterisk');
				const got = new Promise((r) => c.on('ChannelUserevent', (e) => r(e.eventname)));
				c.start('tlsapp');
				await new Promise((r) => c.once('APILoadError', r) && setTimeout(r, 300));
				const info = await c.asterisk.getInfo();
				await c.events.userEvent({ eventName: 'over-tls', application: 'tlsapp' });
				console.log(JSON.stringify({ system: !!info.system, event: await got }));
				c.stop();
				process.exit(0);
			})().catch((e) => { console.error(e && e.message); process.exit(1); });`;
		const r = await new Promise((resolve) => {
			const p = spawn(process.execPath, ['-e', script], { env: { ...process.env, NODE_EXTRA_CA_CERTS: CERT } });
			let o = '';
			let e = '';
			const t = setTimeout(() => p.kill(), 15000 * SLOW);
			p.stdout.on('data', (d) => { o += d; });
			p.stderr.on('data', (d) => { e += d; });
			p.on('exit', (code) => { clearTimeout(t); resolve({ code, o, e }); });
		});
		assert.equal(r.code, 0, r.e);
		assert.deepEqual(JSON.parse(r.o.trim().split('\n').pop()), { system: true, event: 'over-tls' });
	});

tlsTest('garbage_and_plain_http_on_the_tls_port_do_not_hurt', (ctx) => ({ files: { 'http.conf': httpConf(ctx.port) } }),
	async (srv, ctx) => {
		for (const junk of ['GET /ari/asterisk/ping HTTP/1.1\r\nHost: x\r\n\r\n', Buffer.from([0x16, 0x03, 0x01, 0xff, 0xff, 1, 2, 3])]) {
			await new Promise((resolve) => {
				const s = net.connect(ctx.port, '127.0.0.1', () => s.write(junk));
				s.on('data', () => {});
				s.on('error', resolve);
				s.on('close', resolve);
				setTimeout(() => { s.destroy(); resolve(); }, 3000);
			});
		}
		// A handshake that stops half-way, then the client goes.
		const half = tls.connect({ host: '127.0.0.1', port: ctx.port, rejectUnauthorized: false });
		half.on('error', () => {});
		await sleep(50);
		half.destroy();
		assert.equal((await get(ctx.port, '/ari/asterisk/ping')).status, 200);
		assert.equal((await srv.get('/ari/asterisk/ping')).status, 200);
		// What the TLS library said of the failed handshakes went through
		// the log (time stamp, level), not raw to stderr in ANSI colour.
		await srv.waitForLog(/^\[[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d\] WARNING\[\d+\]: .*libre: tls: /m);
		assert.ok(!srv.stderr.includes('\x1b['), 'ANSI escapes on stderr');
	});

// Anyone can make the TLS library speak: 40 bad handshakes were 40
// WARNINGs. At most 10 of its lines a second, and the next one says how
// many were left out.
tlsTest('what_peers_make_the_tls_library_say_is_limited_to_ten_lines_a_second', (ctx) => ({ files: { 'http.conf': httpConf(ctx.port) } }),
	async (srv, ctx) => {
		const junk = () => new Promise((resolve) => {
			const s = net.connect(ctx.port, '127.0.0.1', () => s.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
			s.on('data', () => {});
			s.on('error', resolve);
			s.on('close', resolve);
			setTimeout(() => { s.destroy(); resolve(); }, 3000);
		});
		const t0 = Date.now();
		await Promise.all(Array.from({ length: 40 }, junk));
		const burst = Date.now() - t0;
		await sleep(1100);
		await junk();
		await srv.waitForLog(/NOTICE\[\d+\]: .*libre: \d+ messages left out \(more than 10 a second\)/);
		const lines = srv.stderr.match(/WARNING\[\d+\]: .*libre: tls: /g).length;
		// the burst spans at most a couple of seconds, then one more line
		assert.ok(lines <= 10 * Math.ceil(burst / 1000 + 1) + 1, `${lines} lines for 41 handshakes in ${burst} ms`);
		assert.ok(lines >= 2, `${lines} lines`);
		assert.equal((await get(ctx.port, '/ari/asterisk/ping')).status, 200);
	});

tlsTest('a_bad_certificate_is_logged_and_plain_http_goes_on', (ctx) => ({
	files: { 'http.conf': httpConf(ctx.port).replace(`tlscertfile = ${CERT}`, 'tlscertfile = /nonexistent/cert.pem') },
}), async (srv, ctx) => {
	await srv.waitForLog(/http\.conf: cannot load the certificate '\/nonexistent\/cert\.pem': No such file or directory/);
	await srv.waitForLog(/HTTPS server not started/);
	assert.equal((await srv.get('/ari/asterisk/ping')).status, 200);
	await assert.rejects(get(ctx.port, '/ari/asterisk/ping'));
});

// SIP over TLS ---------------------------------------------------------------

const pjsipTls = (tlsPort, certLine = `cert_file = ${CERT}`) => [
	'[transport-udp]', 'type = transport', 'protocol = udp', 'bind = 127.0.0.1:{{SIP_PORT}}', '',
	'[transport-tls]', 'type = transport', 'protocol = tls', `bind = 127.0.0.1:${tlsPort}`, certLine,
	`priv_key_file = ${KEY}`, 'method = tlsv1_2', '',
	'[alice]', 'type = endpoint', 'context = stasis-sipapp', 'allow = ulaw', 'auth = alice', 'aors = alice', '',
	'[alice]', 'type = auth', 'auth_type = userpass', 'username = alice', 'password = Xy9-secret', '',
	'[alice]', 'type = aor', 'max_contacts = 1', ''].join('\n');

/** Send SIP requests over one TLS connection; resolves the first response to each. */
async function sipOverTls(port, requests) {
	const s = tls.connect({ host: '127.0.0.1', port, ca: CA, servername: 'localhost' });
	await new Promise((resolve, reject) => { s.once('secureConnect', resolve); s.once('error', reject); });
	let buf = '';
	s.setEncoding('utf8');
	s.on('data', (d) => { buf += d; });
	const out = [];
	for (const make of requests) {
		const from = buf.length;
		s.write(make(s.localPort));
		for (let i = 0; i < 100; i++) {
			const m = /SIP\/2\.0 (\d{3})[^]*?\r\n\r\n/.exec(buf.slice(from));
			if (m && !/^SIP\/2\.0 1\d\d/.test(m[0])) { out.push(m[0]); break; }
			await sleep(20);
		}
	}
	s.end();
	return { out, authorized: s.authorized };
}

const req = (method, port, tlsPort, extra = '') => (lport) => [
	`${method} sip:127.0.0.1:${tlsPort};transport=tls SIP/2.0`,
	`Via: SIP/2.0/TLS 127.0.0.1:${lport};branch=z9hG4bK-${method}-${Date.now()}`,
	'From: <sip:alice@127.0.0.1>;tag=tls1', `To: <sip:${method === 'REGISTER' ? 'alice@' : ''}127.0.0.1>`,
	`Call-ID: tls-${method}-${Date.now()}@127.0.0.1`, `CSeq: 1 ${method}`, 'Max-Forwards: 70',
	`Contact: <sip:alice@127.0.0.1:${lport};transport=tls>`, extra, 'Content-Length: 0', '', ''].filter((l, i, a) => l !== '' || i >= a.length - 2).join('\r\n');

tlsTest('sip_over_tls_answers_options_and_challenges_a_register', (ctx) => ({
	files: { 'pjsip.conf': pjsipTls(ctx.port) },
}), async (srv, ctx) => {
	await srv.waitForLog(new RegExp(`SIP transport 'transport-tls' listening on TLS 127\\.0\\.0\\.1:${ctx.port}`));
	const r = await sipOverTls(ctx.port, [req('OPTIONS', srv.sipPort, ctx.port), req('REGISTER', srv.sipPort, ctx.port, 'Expires: 60')]);
	assert.equal(r.authorized, true, 'the server certificate checked out');
	assert.match(r.out[0] || '', /^SIP\/2\.0 200 /, `OPTIONS: ${r.out[0]}`);
	assert.match(r.out[1] || '', /^SIP\/2\.0 401 /, `REGISTER: ${r.out[1]}`);
	assert.match(r.out[1], /WWW-Authenticate: Digest /i);
	assert.match(r.out[1], /Via: SIP\/2\.0\/TLS /i, 'the answer came back over TLS');
	// UDP goes on beside it.
	assert.equal((await srv.get('/ari/endpoints/PJSIP/alice')).status, 200);
});

tlsTest('a_transport_method_allows_that_tls_version_alone', (ctx) => ({
	files: { 'pjsip.conf': pjsipTls(ctx.port) },  // method = tlsv1_2
}), async (srv, ctx) => {
	await srv.waitForLog(new RegExp(`SIP transport 'transport-tls' listening on TLS 127\\.0\\.0\\.1:${ctx.port}`));
	assert.equal(await handshake(ctx.port, 'TLSv1.2'), 'TLSv1.2');
	assert.equal(await handshake(ctx.port, 'TLSv1.3'), null, 'method = tlsv1_2 let TLS 1.3 in');
});

tlsTest('an_unknown_transport_method_is_logged_and_any_version_goes', (ctx) => ({
	files: { 'pjsip.conf': pjsipTls(ctx.port).replace('method = tlsv1_2', 'method = tlsv9') },
}), async (srv, ctx) => {
	await srv.waitForLog(/pjsip\.conf transport 'transport-tls': method 'tlsv9' is not one of tlsv1, tlsv1_1, tlsv1_2, tlsv1_3, sslv23, unspecified/);
	assert.equal(await handshake(ctx.port, 'TLSv1.3'), 'TLSv1.3');
});

tlsTest('a_tls_transport_without_a_usable_certificate_is_logged_and_the_others_run', (ctx) => ({
	files: { 'pjsip.conf': pjsipTls(ctx.port, 'cert_file = /nonexistent/sip.pem') },
}), async (srv) => {
	await srv.waitForLog(/pjsip\.conf transport 'transport-tls': cannot load the certificate '\/nonexistent\/sip\.pem'/);
	await srv.waitForLog(/SIP transport 'transport-udp' listening on UDP/);
	assert.equal((await srv.get('/ari/asterisk/ping')).status, 200);
});

// Media WebSockets over wss on the TLS port: the frames ariadne writes go
// through the connection's TLS layer (they must not take the send thread's
// plain path, net/txoff.h), in both directions through a mixing bridge,
// and each socket ends with a close frame of 1000.
tlsTest('media_websockets_over_wss_carry_audio_both_ways', (ctx) => ({
	files: { 'http.conf': httpConf(ctx.port) }, ariadneConf: { options: { sendthread: 'yes' } },
}), async (srv, ctx) => {
	const { externalMedia, connectMedia, mixBridge, hangup, pattern, patternStream, assertPatternRun } =
		require('./lib/media_ws');
	const ev = await srv.events('bot');
	const bots = [];
	for (const name of ['A', 'B']) {
		const r = await externalMedia(srv, { app: 'bot', transport: 'websocket', encapsulation: 'none',
			connection_type: 'server', format: 'slin' });
		assert.equal(r.status, 200, r.body);
		const connId = r.json.channelvars.MEDIA_WEBSOCKET_CONNECTION_ID;
		const bot = await connectMedia(srv, connId, { name, base: `wss://127.0.0.1:${ctx.port}`,
			wsOptions: { ca: CA } });
		await bot.waitEvent('MEDIA_START');
		await ev.waitFor((e) => e.type === 'StasisStart' && e.channel.id === r.json.id);
		bots.push({ id: r.json.id, name, bot });
	}
	const [A, B] = bots;
	await mixBridge(srv, ev, [A.id, B.id]);
	await sleep(200);
	for (const [from, to] of [[A, B], [B, A]]) {
		const start = to.bot.frames.length;
		from.bot.sendAudio(pattern(8000));   // 1 s
		await to.bot.until(() => (patternStream(to.bot.since(start)).values.length >= 8000 ? true : undefined),
			`${from.name}'s second at ${to.name}`, 5000 * SLOW);
		assert.equal(assertPatternRun(patternStream(to.bot.since(start)).values, { what: `at ${to.name}` }), 8000);
	}
	await hangup(srv, ev, A, B);
});
