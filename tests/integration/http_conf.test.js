'use strict';
// http.conf as Asterisk's users write it (sessionlimit, session_keep_alive,
// unknown options warned in Asterisk's words) and the HTTP framing rules a
// client or a proxy in front of ariadne relies on: repeated Content-Length,
// HTTP/1.0 keep-alive, Expect from an HTTP/1.0 client, api_key in any case.
const assert = require('node:assert/strict');
const net = require('node:net');
const { serverTest, rawStatus, basicAuth, sleep } = require('./lib/server');

const AUTH = 'Authorization: ' + basicAuth('asterisk:asterisk') + '\r\n';
const httpConf = (extra) => '[general]\nenabled = yes\nbindaddr = 127.0.0.1\nbindport = {{HTTP_PORT}}\n' + extra;

/** One connection: write, then collect until `done(data)` or timeout; reports whether the server closed it. */
function exchange(port, write, { done = () => false, timeout = 3000 } = {}) {
	return new Promise((resolve) => {
		const s = net.connect(port, '127.0.0.1');
		let data = '';
		let closed = false;
		const finish = () => { clearTimeout(t); s.destroy(); resolve({ data, closed, sock: s }); };
		const t = setTimeout(finish, timeout);
		s.on('connect', () => write(s));
		s.on('data', (d) => { data += d.toString('latin1'); if (done(data)) finish(); });
		s.on('close', () => { closed = true; finish(); });
		s.on('error', () => {});
	});
}

const heads = (data) => data.match(/HTTP\/1\.1 \d{3} [^]*?\r\n\r\n/g) || [];
const replies = (data) => heads(data).length;

serverTest('content_length_given_twice_with_different_values_is_400_whatever_the_order', async (srv) => {
	// RFC 9110 8.6: a proxy may frame by one header and ariadne by the
	// other; "0 then 32" must not be read as a 32-byte body.
	const body = '{"variables":{"smuggled":"yes"}}';
	for (const [a, b] of [['0', String(body.length)], [String(body.length), '0']]) {
		const r = await srv.raw([`POST /ari/events/user/cl?application=app1 HTTP/1.1\r\nHost: x\r\n${AUTH}` +
			`Content-Type: application/json\r\nContent-Length: ${a}\r\nContent-Length: ${b}\r\n\r\n${body}`]);
		assert.equal(rawStatus(r.data), 400, `Content-Length ${a} then ${b}: ${r.data}`);
		assert.match(r.data, /Invalid Content-Length/);
		assert.ok(r.closed, 'the connection must close: what follows cannot be framed');
	}
	// The same value twice is one value.
	const ok = await srv.raw([`GET /ari/asterisk/ping HTTP/1.1\r\nHost: x\r\n${AUTH}Content-Length: 0\r\nContent-Length: 0\r\n` +
		'Connection: close\r\n\r\n']);
	assert.equal(rawStatus(ok.data), 200, ok.data);
});

serverTest('an_http_1_0_client_that_asks_for_keep_alive_is_told_so_and_kept', async (srv) => {
	// An HTTP/1.0 client reads until the close unless the reply says
	// keep-alive (RFC 9112 9.3): it must say so when the connection stays.
	const req = `GET /ari/asterisk/ping HTTP/1.0\r\n${AUTH}Connection: keep-alive\r\n\r\n`;
	const r = await exchange(srv.port, (s) => s.write(req + req), { timeout: 1000 });
	assert.equal(replies(r.data), 2, r.data);
	for (const h of heads(r.data)) assert.match(h, /\r\nConnection: keep-alive\r\n/i, h);
	assert.equal(r.closed, false, 'the connection was closed after a keep-alive reply');
	// Without the header an HTTP/1.0 connection ends with the reply.
	const plain = await srv.raw([`GET /ari/asterisk/ping HTTP/1.0\r\n${AUTH}\r\n`]);
	assert.equal(rawStatus(plain.data), 200);
	assert.match(plain.data, /\r\nConnection: close\r\n/i);
	assert.ok(plain.closed);
});

serverTest('an_http_1_0_client_is_not_sent_100_continue', async (srv) => {
	// RFC 9110 10.1.1: an expectation in an HTTP/1.0 request is ignored.
	const body = '{"variables":{"a":"b"}}';
	const head = `POST /ari/events/user/e?application=app1 HTTP/1.0\r\n${AUTH}Content-Type: application/json\r\n` +
		`Content-Length: ${body.length}\r\nExpect: 100-continue\r\n\r\n`;
	const r = await srv.raw([head, 300, body]);
	assert.doesNotMatch(r.data, /100 Continue/, r.data);
	assert.equal(rawStatus(r.data), 404, r.data);   // no such app: the request itself was read
	// HTTP/1.1 still gets the go-ahead before sending its body.
	const r11 = await srv.raw([head.replace('HTTP/1.0', 'HTTP/1.1\r\nHost: x'), 300, body]);
	assert.match(r11.data, /^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 404 /, r11.data);
});

serverTest('the_api_key_parameter_is_matched_in_any_case_as_asterisk_does', async (srv) => {
	for (const name of ['api_key', 'API_KEY', 'Api_Key']) {
		const r = await srv.get(`/ari/asterisk/ping?${name}=asterisk:asterisk`, { auth: null });
		assert.equal(r.status, 200, `${name}: ${r.body}`);
	}
	assert.equal((await srv.get('/ari/asterisk/ping?API_KEY=asterisk:wrong', { auth: null })).status, 401);
});

serverTest('session_keep_alive_0_closes_the_connection_after_every_reply', {
	files: { 'http.conf': httpConf('session_keep_alive = 0\n') },
}, async (srv) => {
	const req = `GET /ari/asterisk/ping HTTP/1.1\r\nHost: x\r\n${AUTH}\r\n`;
	const r = await exchange(srv.port, (s) => s.write(req + req), { timeout: 2000 });
	assert.equal(replies(r.data), 1, `a second reply on a connection that should have closed: ${r.data}`);
	assert.match(r.data, /\r\nConnection: close\r\n/i);
	assert.ok(r.closed);
});

serverTest('session_keep_alive_ends_a_connection_idle_between_requests', {
	files: { 'http.conf': httpConf('session_keep_alive = 400\nsession_inactivity = 5000\n') },
}, async (srv) => {
	const req = `GET /ari/asterisk/ping HTTP/1.1\r\nHost: x\r\n${AUTH}\r\n`;
	// Requests 200 ms apart keep it open; then 1 s of silence ends it.
	let closedAt = 0;
	const t0 = Date.now();
	const r = await exchange(srv.port, async (s) => {
		s.on('close', () => { closedAt = Date.now(); });
		for (let i = 0; i < 3; i++) { s.write(req); await sleep(200); }
	}, { timeout: 3000 });
	assert.equal(replies(r.data), 3, r.data);
	assert.ok(r.closed && closedAt, 'an idle kept-alive connection outlived session_keep_alive');
	const idle = closedAt - t0 - 400;   // after the last request (sent at ~400 ms)
	assert.ok(idle >= 300 && idle < 2500, `closed ${idle} ms after the last request`);
});

serverTest('http_conf_options_ariadne_does_not_know_are_warned_as_asterisk_words_it', {
	files: { 'http.conf': httpConf('bogusoption = 1\nservername = MyPBX\n') },
}, async (srv) => {
	await srv.waitForLog(/WARNING\[\d+\]: .*Ignoring unknown option 'bogusoption' in http\.conf/);
	// An option of Asterisk's that means nothing here is said to, once.
	await srv.waitForLog(/NOTICE\[\d+\]: .*http\.conf:\d+: http\.conf option 'servername' has no effect in ariadne/);
	assert.doesNotMatch(srv.stderr, /unknown option '(enabled|bindaddr|bindport)'/);
	assert.equal((await srv.get('/ari/asterisk/ping')).status, 200);
});

// CORS, as Asterisk's res_ari (process_cors_request, handle_options): only
// for the origins of ari.conf allowed_origins; a preflight is told the
// methods only when it asks for one the resource has.
serverTest('cors_answers_allowed_origins_and_preflights_for_methods_the_resource_has', {
	files: { 'ari.conf': '[general]\nenabled = yes\nallowed_origins = http://app.example,http://other.example\n' +
		'[asterisk]\ntype = user\npassword = asterisk\n' },
}, async (srv) => {
	const pre = (method, origin = 'http://app.example') => srv.request({ method: 'OPTIONS', path: '/ari/channels',
		headers: { Origin: origin, 'Access-Control-Request-Method': method, 'Access-Control-Request-Headers': 'Authorization' } });
	let r = await pre('POST');
	assert.equal(r.status, 204);
	assert.equal(r.headers.allow, 'OPTIONS,GET,POST');
	assert.equal(r.headers['access-control-allow-methods'], 'OPTIONS,GET,POST');
	assert.equal(r.headers['access-control-allow-headers'], 'Authorization');
	assert.equal(r.headers['access-control-allow-origin'], 'http://app.example');
	assert.equal(r.headers['access-control-allow-credentials'], 'true');
	// A method /channels does not have, or one not written in capitals
	// (CORS compares with case): no methods, no headers.
	for (const m of ['DELETE', 'post']) {
		r = await pre(m);
		assert.equal(r.status, 204);
		assert.equal(r.headers['access-control-allow-methods'], undefined, `preflight for ${m}`);
		assert.equal(r.headers['access-control-allow-headers'], undefined, `preflight for ${m}`);
	}
	// An origin not listed gets nothing, and the log says so.
	r = await pre('POST', 'http://evil.example');
	assert.equal(r.headers['access-control-allow-origin'], undefined);
	assert.equal(r.headers['access-control-allow-methods'], undefined);
	await srv.waitForLog(/NOTICE\[\d+\]: .*Origin header 'http:\/\/evil\.example' does not match an allowed origin\./);
	// A simple request from an allowed origin.
	r = await srv.get('/ari/asterisk/ping', { headers: { Origin: 'http://other.example' } });
	assert.equal(r.status, 200);
	assert.equal(r.headers['access-control-allow-origin'], 'http://other.example');
});

serverTest('a_tls_hello_on_the_plain_port_is_refused_at_once', async (srv) => {
	// A client configured for https:// against the plain port: it should
	// fail now, not after session_inactivity (30 s) waiting for a line.
	const t0 = Date.now();
	const r = await srv.raw(['\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03'], { timeout: 5000 });
	assert.ok(r.closed, JSON.stringify(r));
	assert.ok(Date.now() - t0 < 2000, `closed after ${Date.now() - t0} ms`);
	assert.equal(rawStatus(r.data), 400, r.data);
	// Lower-case and other methods still reach the router (405/404 there).
	const low = await srv.raw([`get /ari/asterisk/ping HTTP/1.1\r\nHost: x\r\n${AUTH}Connection: close\r\n\r\n`]);
	assert.notEqual(rawStatus(low.data), 400, low.data);
});
