'use strict';
// ARI over HTTP: authentication, routing errors, request bodies, hostile input.
const assert = require('node:assert/strict');
const { serverTest, ini, rawStatus, basicAuth, sleep, SLOW, ASTERISK_ID_RE, TIMESTAMP_RE } = require('./lib/server');

const AUTH_HDR = 'Authorization: ' + basicAuth('asterisk:asterisk') + '\r\n';

function assertMessage(r, status, re) {
	assert.equal(r.status, status, `expected ${status}, got ${r.status} ${r.body}`);
	assert.ok(r.json && typeof r.json.message === 'string', `body must be {"message":...}: ${r.body}`);
	assert.deepEqual(Object.keys(r.json), ['message']);
	if (re) assert.match(r.json.message, re);
	assert.match(String(r.headers['content-type']), /application\/json/i);
}

async function assertStillServing(srv) {
	const r = await srv.get('/ari/asterisk/ping');
	assert.equal(r.status, 200, 'server must keep answering after bad input');
}

serverTest('ping_with_basic_auth_returns_pong', async (srv) => {
	const r = await srv.get('/ari/asterisk/ping');
	assert.equal(r.status, 200);
	assert.equal(r.json.ping, 'pong');
	assert.match(r.json.asterisk_id, ASTERISK_ID_RE);
	assert.match(r.json.timestamp, TIMESTAMP_RE);
	assert.match(String(r.headers['content-type']), /application\/json/i);
});

serverTest('api_key_query_parameter_authenticates', async (srv) => {
	let r = await srv.get('/ari/asterisk/ping?api_key=asterisk:asterisk', { auth: null });
	assert.equal(r.status, 200, r.body);
	r = await srv.get('/ari/asterisk/ping?api_key=asterisk%3Aasterisk', { auth: null });
	assert.equal(r.status, 200, 'an encoded colon must work too: ' + r.body);
	r = await srv.get('/ari/asterisk/ping?api_key=asterisk:wrong', { auth: null });
	assertMessage(r, 401);
	r = await srv.get('/ari/asterisk/ping?api_key=asterisk:', { auth: null });
	assertMessage(r, 401);
});

serverTest('missing_or_wrong_credentials_get_401_with_basic_realm', async (srv) => {
	for (const auth of [null, 'asterisk:nope', 'nobody:asterisk']) {
		const r = await srv.get('/ari/channels', { auth });
		assertMessage(r, 401);
		assert.equal(r.headers['www-authenticate'], 'Basic realm="Asterisk REST Interface"');
	}
	const r = await srv.get('/ari/api-docs/resources.json', { auth: null });
	assert.equal(r.status, 401, 'api-docs are behind auth as well');
});

serverTest('users_from_ari_conf_and_read_only_user_gets_403_on_writes', {
	readyAuth: 'rw:rwpass',
	files: {
		'ari.conf': ini({
			general: { enabled: 'yes' },
			ro: { type: 'user', password: 'ropass', read_only: 'yes', password_format: 'plain' },
			rw: { type: 'user', password: 'rwpass', read_only: 'no', password_format: 'plain' },
		}),
	},
}, async (srv) => {
	let r = await srv.get('/ari/channels', { auth: 'ro:ropass' });
	assert.equal(r.status, 200, r.body);
	assert.deepEqual(r.json, []);
	r = await srv.post('/ari/asterisk/variable?variable=X&value=1', { auth: 'ro:ropass' });
	assertMessage(r, 403);
	r = await srv.del('/ari/channels/nope', { auth: 'ro:ropass' });
	assertMessage(r, 403);
	r = await srv.post('/ari/asterisk/variable?variable=X&value=1', { auth: 'rw:rwpass' });
	assert.equal(r.status, 204, r.body);
	r = await srv.get('/ari/asterisk/ping', { auth: 'asterisk:asterisk' });
	assert.equal(r.status, 401, 'the built-in default user is gone once ari.conf defines users');
	r = await srv.get('/ari/asterisk/ping', { auth: 'ro:wrong' });
	assert.equal(r.status, 401);
});

serverTest('unknown_path_is_404_resource_not_found', async (srv) => {
	for (const p of ['/ari/nosuch', '/ari/channels/x/nosuch', '/ari/asterisk/pong', '/ari/api-docs/nosuch.json']) {
		const r = await srv.get(p);
		assertMessage(r, 404);
		if (!p.includes('api-docs')) assert.equal(r.json.message, 'Resource not found', p);
	}
});

serverTest('a_reply_to_head_has_no_body_and_the_next_reply_follows_it', async (srv) => {
	// HEAD gets the headers GET would (here 405, as Asterisk has no HEAD)
	// but never a body: on a kept-alive connection a body would be read
	// as the start of the next reply.
	const req = (m, p, more = '') => `${m} ${p} HTTP/1.1\r\nHost: x\r\n${AUTH_HDR}${more}\r\n`;
	const res = await srv.raw([req('HEAD', '/ari/asterisk/ping') +
		req('GET', '/ari/asterisk/ping', 'Connection: close\r\n')], { timeout: 3000 });
	assert.ok(res.closed, 'the server did not close after Connection: close');
	const replies = res.data.split(/(?=HTTP\/1\.1 )/);
	assert.equal(replies.length, 2, res.data);
	assert.equal(rawStatus(replies[0]), 405, res.data);
	assert.match(replies[0], /\r\nContent-Length: [1-9]\d*\r\n/);
	assert.ok(replies[0].endsWith('\r\n\r\n'), `a body after the HEAD reply's headers: ${JSON.stringify(replies[0])}`);
	assert.equal(rawStatus(replies[1]), 200, res.data);
	assert.match(replies[1], /"ping":"pong"/);
});

serverTest('trailing_slash_is_404_not_a_redirect', async (srv) => {
	for (const p of ['/ari/channels/', '/ari/asterisk/ping/']) {
		const r = await srv.get(p);
		assertMessage(r, 404);
		assert.equal(r.headers.location, undefined);
	}
});

serverTest('known_path_with_other_method_is_405_with_allow_header', async (srv) => {
	let r = await srv.request({ method: 'PUT', path: '/ari/channels' });
	assert.equal(r.status, 405, r.body);
	const allow = String(r.headers.allow || '').split(/\s*,\s*/);
	assert.ok(allow.includes('GET') && allow.includes('POST'), `Allow: ${r.headers.allow}`);
	assert.ok(!allow.includes('PUT'));
	r = await srv.request({ method: 'DELETE', path: '/ari/asterisk/ping' });
	assert.equal(r.status, 405);
	assert.match(String(r.headers.allow), /GET/);
	r = await srv.request({ method: 'GET', path: '/ari/channels/abc/move' });
	assert.equal(r.status, 405);
	assert.match(String(r.headers.allow), /POST/);
});

serverTest('invalid_json_body_is_400', async (srv) => {
	const r = await srv.post('/ari/asterisk/variable?variable=X', {
		body: '{"value": nope', headers: { 'Content-Type': 'application/json' },
	});
	assertMessage(r, 400);
	// Content type compared case-insensitively, parameters ignored.
	const r2 = await srv.post('/ari/asterisk/variable?variable=X', {
		body: '[[[', headers: { 'Content-Type': 'Application/JSON; charset=utf-8' },
	});
	assertMessage(r2, 400);
	await assertStillServing(srv);
});

serverTest('empty_body_with_json_content_type_is_accepted', async (srv) => {
	// ari-client sends Content-Type: application/json and no body on DELETE.
	const r = await srv.post('/ari/asterisk/variable?variable=EMPTYBODY&value=1', {
		headers: { 'Content-Type': 'application/json' },
	});
	assert.equal(r.status, 204, r.body);
});

serverTest('body_over_512_kb_is_413_and_server_stays_up', async (srv) => {
	const big = '{"value":"' + 'x'.repeat(600 * 1024) + '"}';
	const head = 'POST /ari/asterisk/variable?variable=BIG HTTP/1.1\r\nHost: 127.0.0.1\r\n' + AUTH_HDR +
		'Content-Type: application/json\r\nContent-Length: ' + big.length + '\r\n\r\n';
	const res = await srv.raw([head, big], { timeout: 5000, untilResponse: true });
	assert.ok(!res.timedOut || res.data.length, 'no answer to an oversized body (hang)');
	assert.equal(rawStatus(res.data), 413, `got: ${res.data.slice(0, 200)} ${res.error || ''}`);
	await assertStillServing(srv);
	const v = await srv.get('/ari/asterisk/variable?variable=BIG');
	assert.ok(!(v.json && typeof v.json.value === 'string' && v.json.value.length > 1000),
		'the oversized request must not have been executed');
});

// Transfer-Encoding: chunked request bodies are read as Asterisk's HTTP
// server reads them (clients that do not know a body's length send them).
function chunkedPost(variable, chunks, extra = '') {
	return `POST /ari/asterisk/variable?variable=${variable} HTTP/1.1\r\nHost: 127.0.0.1\r\n` + AUTH_HDR +
		'Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n' + extra + '\r\n' + chunks;
}

serverTest('chunked_request_body_is_read_like_one_with_a_length', async (srv) => {
	// Two chunks, a chunk extension, upper-case hex, a trailer field; sent
	// in pieces that split a size line and a chunk.
	const body = '{"value":"' + 'v'.repeat(300) + '"}';
	const a = body.slice(0, 7), b = body.slice(7);
	// (the second size with leading zeros, as RFC 9112 allows)
	const req = chunkedPost('CH', `${a.length.toString(16)};name=x\r\n${a}\r\n00000000${b.length.toString(16).toUpperCase()}\r\n${b}\r\n0\r\nX-Trailer: 1\r\n\r\n`);
	const cut = req.indexOf(';name') + 2;
	const res = await srv.raw([req.slice(0, cut), req.slice(cut, cut + 40), req.slice(cut + 40)], { timeout: 3000, untilResponse: true });
	assert.equal(rawStatus(res.data), 204, JSON.stringify(res.data.slice(0, 200)));
	const v = await srv.get('/ari/asterisk/variable?variable=CH');
	assert.equal(v.status, 200, v.body);
	assert.equal(v.json.value, 'v'.repeat(300));
});

serverTest('chunked_body_sent_a_byte_at_a_time_is_read_whole', async (srv) => {
	const body = '{"value":"byte by byte"}';
	const chunks = `3;x=y\r\n${body.slice(0, 3)}\r\n${(body.length - 3).toString(16)}\r\n${body.slice(3)}\r\n0\r\n\r\n`;
	const req = chunkedPost('CH3', '');
	const pieces = [req];
	for (const ch of chunks) pieces.push(ch, 1);
	const res = await srv.raw(pieces, { timeout: 5000 * SLOW, untilResponse: true });
	assert.equal(rawStatus(res.data), 204, JSON.stringify(res.data.slice(0, 200)));
	const v = await srv.get('/ari/asterisk/variable?variable=CH3');
	assert.equal(v.json && v.json.value, 'byte by byte', v.body);
});

serverTest('a_request_after_a_chunked_body_on_the_same_connection_is_answered', async (srv) => {
	const body = '{"value":"two"}';
	const req = chunkedPost('CH2', `${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`) +
		'GET /ari/asterisk/variable?variable=CH2 HTTP/1.1\r\nHost: 127.0.0.1\r\n' + AUTH_HDR + '\r\n';
	const res = await srv.raw([req], { timeout: 1500 });
	const statuses = [...res.data.matchAll(/^HTTP\/1\.1 (\d{3})/gm)].map((m) => Number(m[1]));
	assert.deepEqual(statuses, [204, 200], JSON.stringify(res.data.slice(0, 400)));
	assert.match(res.data, /"value":"two"/);
});

serverTest('chunked_body_that_is_malformed_too_large_or_doubly_framed_is_refused', async (srv) => {
	const cases = [
		// size that is not hex, a chunk longer than its size, trailer without a colon
		[chunkedPost('BAD', 'zz\r\nabc\r\n0\r\n\r\n'), 400, /Malformed chunked body/],
		[chunkedPost('BAD', '2\r\nabcdef\r\n0\r\n\r\n'), 400, /Malformed chunked body/],
		[chunkedPost('BAD', '0\r\nnot a field\r\n\r\n'), 400, /Malformed chunked body/],
		// data over the 512 KB body limit, announced or sent
		[chunkedPost('BAD', 'FFFFFFF\r\n'), 413, /too large/],
		[chunkedPost('BAD', ('8000\r\n' + 'x'.repeat(0x8000) + '\r\n').repeat(17)), 413, /too large/],
		// chunked and a Content-Length: refused, not guessed (request smuggling)
		[chunkedPost('BAD', '0\r\n\r\n', 'Content-Length: 5\r\n'), 400, /Transfer-Encoding and Content-Length/],
		// a coding we do not know, alone or before chunked
		['POST /ari/asterisk/variable?variable=BAD HTTP/1.1\r\nHost: x\r\n' + AUTH_HDR +
			'Transfer-Encoding: gzip\r\n\r\nxxxx', 501, /Unsupported Transfer-Encoding/],
		[chunkedPost('BAD', '0\r\n\r\n').replace('Transfer-Encoding: chunked', 'Transfer-Encoding: gzip, chunked'),
			501, /Unsupported Transfer-Encoding/],
		// chunked not the last coding: where the body ends cannot be known
		[chunkedPost('BAD', '0\r\n\r\n').replace('Transfer-Encoding: chunked', 'Transfer-Encoding: chunked, gzip'),
			400, /Invalid Transfer-Encoding/],
		// a size of more than 8 hex digits (leading zeros aside) is too large
		[chunkedPost('BAD', '123456789\r\n'), 413, /too large/],
	];
	for (const [req, status, re] of cases) {
		const res = await srv.raw([req], { timeout: 3000, untilResponse: true });
		assert.equal(rawStatus(res.data), status, `${JSON.stringify(req.slice(-60))}: ${JSON.stringify(res.data.slice(0, 200))}`);
		assert.match(res.data, re);
	}
	const v = await srv.get('/ari/asterisk/variable?variable=BAD');
	assert.ok(!(v.json && v.json.value), `a refused request was executed: ${v.body}`);
	await assertStillServing(srv);
});

serverTest('chunked_body_with_expect_100_continue_gets_the_go_ahead_first', async (srv) => {
	const head = chunkedPost('CONT', '', 'Expect: 100-continue\r\n');
	const res = await srv.raw([head], { timeout: 1000 });
	assert.match(res.data, /^HTTP\/1\.1 100 Continue\r\n\r\n$/, JSON.stringify(res.data));
});

serverTest('garbage_and_truncated_requests_do_not_crash_the_server', async (srv) => {
	const junk = Buffer.alloc(4096);
	for (let i = 0; i < junk.length; i++) junk[i] = (i * 7919 + 13) & 0xff;
	await srv.raw([junk, '\r\n\r\n'], { timeout: 1000 });
	await srv.raw(['GET /ari/asterisk/ping HTTP/1.1\r\nHost: x\r\nContent-Le'], { timeout: 300 });
	await srv.raw(['POST /ari/asterisk/variable HTTP/1.1\r\nContent-Length: 100\r\n\r\n{"a'], { timeout: 300 });
	await srv.raw(['GET /' + 'a'.repeat(70000) + ' HTTP/1.1\r\n\r\n'], { timeout: 1000 });
	await srv.raw(['GET /ari/asterisk/ping HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n'], { timeout: 500 });
	await srv.raw(['GET /ari/%zz%00/..%2f HTTP/1.1\r\nHost: x\r\n' + AUTH_HDR + '\r\n'], { timeout: 500 });
	await srv.raw(['\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03'], { timeout: 300 }); // TLS hello
	await assertStillServing(srv);
	assert.equal(srv.exit, null, 'server process must still be running');
});

serverTest('an_unsupported_combination_answers_501_not_implemented', async (srv) => {
	// Every documented operation has a handler now; 501 is left for what
	// Asterisk also refuses with it: an externalMedia pair it cannot make.
	const r = await srv.request({ method: 'POST',
		path: '/ari/channels/externalMedia?app=a&external_host=127.0.0.1:9&format=ulaw&encapsulation=none&transport=udp' });
	assertMessage(r, 501);
	assert.equal(r.json.message, 'The encapsulation and/or transport is not supported');
	assert.equal((await srv.get('/ari/channels')).json.length, 0);
});

serverTest('parameters_come_from_query_form_body_and_json_body', async (srv) => {
	const get = async (name) => {
		const r = await srv.get('/ari/asterisk/variable?variable=' + name);
		assert.equal(r.status, 200, r.body);
		return r.json.value;
	};
	let r = await srv.post('/ari/asterisk/variable?variable=Q1&value=fromquery');
	assert.equal(r.status, 204, r.body);
	assert.equal(await get('Q1'), 'fromquery');

	r = await srv.post('/ari/asterisk/variable', {
		body: 'variable=F1&value=from+form%20body',
		headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
	});
	assert.equal(r.status, 204, r.body);
	assert.equal(await get('F1'), 'from form body');

	r = await srv.post('/ari/asterisk/variable', { body: { variable: 'J1', value: 'from json' } });
	assert.equal(r.status, 204, r.body);
	assert.equal(await get('J1'), 'from json');

	r = await srv.post('/ari/asterisk/variable?variable=J2&value=fromquery', { body: { value: 'frombody' } });
	assert.equal(r.status, 204, r.body);
	assert.equal(await get('J2'), 'frombody', 'a JSON body field overrides the query string');

	r = await srv.post('/ari/asterisk/variable?value=x');
	assertMessage(r, 400);
	r = await srv.get('/ari/asterisk/variable');
	assertMessage(r, 400);
});

serverTest('percent_encoded_query_values_are_decoded', async (srv) => {
	let r = await srv.post('/ari/asterisk/variable?variable=ENC&value=' + encodeURIComponent('a b,c&d=é'));
	assert.equal(r.status, 204, r.body);
	r = await srv.get('/ari/asterisk/variable?variable=ENC');
	assert.equal(r.json.value, 'a b,c&d=é');
});

serverTest('asterisk_info_and_applications_list_answer_json', async (srv) => {
	let r = await srv.get('/ari/asterisk/info');
	assert.equal(r.status, 200, r.body);
	assert.equal(typeof r.json, 'object');
	r = await srv.get('/ari/applications');
	assert.equal(r.status, 200);
	assert.deepEqual(r.json, []);
	const ws = await srv.events('httpapp');
	r = await srv.get('/ari/applications');
	assert.deepEqual(r.json.map((a) => a.name), ['httpapp']);
	r = await srv.get('/ari/applications/httpapp');
	assert.equal(r.status, 200);
	assert.equal(r.json.name, 'httpapp');
	assert.ok(Array.isArray(r.json.channel_ids));
	r = await srv.get('/ari/applications/nosuchapp');
	assertMessage(r, 404);
	await ws.close();
});

serverTest('events_websocket_requires_auth_and_app', async (srv) => {
	await assert.rejects(srv.events('a', { auth: null }), (e) => e.status === 401);
	await assert.rejects(srv.events('a', { auth: 'asterisk:bad' }), (e) => e.status === 401);
	await assert.rejects(srv.events('', {}), (e) => e.status === 400);
	const r = await srv.get('/ari/events?app=a');
	assert.ok([400, 426].includes(r.status), `plain GET /events without upgrade: ${r.status}`);
	await assertStillServing(srv);
});

// sessionlimit is Asterisk's name; session_limit (below) is taken too.
serverTest('sessionlimit_caps_unfinished_connections_and_session_inactivity_ends_them', {
	files: { 'http.conf': '[general]\nenabled = yes\nbindaddr = 127.0.0.1\nbindport = {{HTTP_PORT}}\n' +
		'sessionlimit = 5\nsession_inactivity = 600\n' },
}, async (srv) => {
	const net = require('node:net');
	// WebSockets are not HTTP sessions any more: more of them than the limit work.
	const sockets = [];
	for (let i = 0; i < 7; i++) sockets.push(await srv.events(`app${i}`));
	// Five connections that never finish their request take every session.
	const held = [];
	for (let i = 0; i < 5; i++) {
		const s = net.connect(srv.port, '127.0.0.1');
		await new Promise((r) => s.once('connect', r));
		s.write('GET /ari/asterisk/ping HTTP/1.1\r\nHost: x\r\n');
		s.closedAt = null;
		s.on('close', () => { s.closedAt = Date.now(); });
		s.on('error', () => {});
		held.push(s);
	}
	await sleep(100);
	// The sixth is closed at once, without an answer, and the log says why.
	const r = await srv.raw(['GET /ari/asterisk/ping HTTP/1.1\r\nHost: x\r\n' + AUTH_HDR + '\r\n'], { timeout: 2000 });
	assert.ok(r.closed || r.error, JSON.stringify(r));
	assert.equal(r.data, '');
	await srv.waitForLog(/WARNING\[\d+\]: .*HTTP session count exceeded 5 sessions \(http\.conf sessionlimit\); closing the one from 127\.0\.0\.1:\d+/);
	// session_inactivity: the silent ones are closed after 600 ms; then
	// requests are answered again, and the events sockets never noticed.
	await sleep(900);
	assert.ok(held.every((s) => s.closedAt), 'a silent connection outlived session_inactivity');
	assert.equal((await srv.get('/ari/asterisk/ping')).status, 200);
	await srv.post('/ari/events/user/hello?application=app6');
	assert.equal((await sockets[6].waitFor('ChannelUserevent')).eventname, 'hello');
});

serverTest('bad_session_settings_are_logged_and_defaults_kept', {
	files: { 'http.conf': '[general]\nenabled = yes\nbindaddr = 127.0.0.1\nbindport = {{HTTP_PORT}}\n' +
		'session_limit = lots\nsession_inactivity = -5\n' },
}, async (srv) => {
	await srv.waitForLog(/http\.conf: session_limit 'lots' is not a number from 1 to 100000; using 1000/);
	await srv.waitForLog(/http\.conf: session_inactivity '-5' is not a number from 100 to 3600000; using 30000/);
	assert.equal((await srv.get('/ari/asterisk/ping')).status, 200);
});

// One plain connection through every way its socket is read (net/tcp_own.c):
// requests byte by byte and pipelined, a reply big enough that it must be
// queued (libre takes the socket back) and, after it, the same connection
// turned into an events WebSocket that still gets its events.
serverTest('one_connection_serves_requests_in_pieces_a_queued_reply_then_an_events_websocket', async (srv) => {
	const net = require('node:net');
	const s = net.connect(srv.port, '127.0.0.1');
	await new Promise((r, j) => { s.once('connect', r); s.once('error', j); });
	s.setNoDelay(true);
	let buf = Buffer.alloc(0);
	let paused = false;
	s.on('data', (d) => { buf = Buffer.concat([buf, d]); });
	const until = async (pred, what, ms = 5000) => {
		const end = Date.now() + ms;
		while (!pred(buf.toString('latin1'))) {
			assert.ok(Date.now() < end, `${what}: got ${JSON.stringify(buf.toString('latin1').slice(0, 300))}`);
			await sleep(5);
		}
	};
	const take = () => { const t = buf.toString('latin1'); buf = Buffer.alloc(0); return t; };
	const req = (p) => `GET ${p} HTTP/1.1\r\nHost: x\r\n${AUTH_HDR}\r\n`;
	const count = (t) => (t.match(/HTTP\/1\.1 200 OK\r\n/g) || []).length;

	// byte by byte, 2 ms apart: each piece is one read
	for (const ch of req('/ari/asterisk/ping')) {
		s.write(ch);
		await sleep(2);
	}
	await until((t) => t.includes('"ping":"pong"'), 'reply to a request sent byte by byte');
	assert.equal(rawStatus(take()), 200);

	// three pipelined in one write, answered in order
	s.write(req('/ari/asterisk/ping') + req('/ari/channels') + req('/ari/asterisk/ping'));
	await until((t) => count(t) === 3 && t.endsWith('}'), 'three pipelined replies');
	const three = take().split(/(?=HTTP\/1\.1 )/);
	assert.match(three[1], /\r\n\r\n\[\]$/, 'the second reply is /channels');

	// 400 api-docs replies (15.7 MB) to a client that does not read: the
	// kernel's buffers on loopback (several MB) fill, the rest waits in the
	// server's queue (libre takes the socket back), then the server stops
	// reading (http.c's TXQ_PAUSE) until the client reads again
	const N = 400;
	s.pause();
	paused = true;
	s.write(req('/ari/api-docs/channels.json').repeat(N) + req('/ari/asterisk/ping'));
	await sleep(300);
	s.resume();
	paused = false;
	await until((t) => count(t) === N + 1 && t.endsWith('}'), 'api-docs replies then ping', 15000);
	const replies = take().split(/(?=HTTP\/1\.1 200 OK\r\n)/);
	assert.equal(replies.length, N + 1);
	let total = 0;
	for (const r of replies.slice(0, N)) {
		const [head, ...rest] = r.split('\r\n\r\n');
		const m = /\r\nContent-Length: (\d+)(\r\n|$)/i.exec(head);
		assert.ok(m, JSON.stringify(head));
		const len = Number(m[1]);
		assert.equal(Buffer.byteLength(rest.join('\r\n\r\n'), 'latin1'), len);
		assert.match(rest.join(''), /"resourcePath": ?"\/api-docs\/channels\.\{format\}"/);
		total += len;
	}
	assert.ok(total > 15000000, `${total} bytes of replies`);
	assert.match(replies[N], /"ping":"pong"/);

	// the same connection becomes an events WebSocket
	s.write('GET /ari/events?app=own_read&api_key=asterisk:asterisk HTTP/1.1\r\nHost: x\r\n' +
		'Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n' +
		'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n');
	await until((t) => t.includes('\r\n\r\n'), 'the upgrade');
	assert.match(take(), /^HTTP\/1\.1 101 /);
	assert.equal((await srv.post('/ari/events/user/own?application=own_read')).status, 204);
	await until((t) => t.includes('"eventname":"own"'), 'the user event on the upgraded connection');
	assert.ok(!paused);
	s.destroy();
	await assertStillServing(srv);
});
