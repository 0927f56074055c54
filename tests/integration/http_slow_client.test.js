'use strict';
// Clients that ask faster than they read: the server answers in order, holds
// back further requests while a client is behind (docs/ARCHITECTURE.md,
// "Slow consumers"), and closes a client that never reads instead of growing
// its memory. The same for an events WebSocket that stops reading
// (ari.conf websocket_queue_kb).
const assert = require('node:assert/strict');
const fs = require('node:fs');
const net = require('node:net');
const { serverTest, basicAuth, ini, BIN } = require('./lib/server');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const AUTH_HDR = 'Authorization: ' + basicAuth('asterisk:asterisk') + '\r\n';
const DOC = '/ari/api-docs/channels.json';
const REQ = `GET ${DOC} HTTP/1.1\r\nHost: 127.0.0.1\r\n${AUTH_HDR}\r\n`;

function rssKb(pid) {
	const m = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
	return m ? Number(m[1]) : 0;
}

/** Count complete HTTP replies (status line + Content-Length body) in buf. */
function countReplies(buf) {
	let n = 0;
	let off = 0;
	const statuses = new Set();
	for (;;) {
		const end = buf.indexOf('\r\n\r\n', off);
		if (end < 0) break;
		const head = buf.subarray(off, end).toString('latin1');
		const m = /content-length:\s*(\d+)/i.exec(head);
		const len = m ? Number(m[1]) : 0;
		if (end + 4 + len > buf.length) break;
		statuses.add(head.split('\r\n')[0]);
		n++;
		off = end + 4 + len;
	}
	return { n, statuses: [...statuses] };
}

serverTest('a_client_that_reads_late_gets_every_reply_in_order', async (srv) => {
	const one = await srv.get(DOC);
	assert.equal(one.status, 200);
	const N = 150;   // about N x the document queued: far over the pause mark
	const sock = net.connect(srv.port, '127.0.0.1');
	await new Promise((r) => sock.once('connect', r));
	sock.pause();
	sock.write(REQ.repeat(N));
	await sleep(1500);
	const chunks = [];
	sock.on('data', (d) => chunks.push(d));
	sock.resume();
	const deadline = Date.now() + 15000;
	let got;
	for (;;) {
		got = countReplies(Buffer.concat(chunks));
		if (got.n >= N || Date.now() > deadline) break;
		await sleep(100);
	}
	sock.destroy();
	assert.equal(got.n, N, `${got.n} of ${N} replies (${one.body.length} bytes each) arrived`);
	assert.deepEqual(got.statuses, ['HTTP/1.1 200 OK']);
});

serverTest('a_client_that_never_reads_is_closed_and_memory_stays_bounded', async (srv) => {
	await srv.get(DOC);
	const before = rssKb(srv.proc.pid);
	const sock = net.connect(srv.port, '127.0.0.1');
	await new Promise((r) => sock.once('connect', r));
	sock.pause();   // never reads
	let closed = false;
	sock.on('close', () => { closed = true; });
	sock.on('error', () => { closed = true; });
	let peak = before;
	const deadline = Date.now() + 20000;
	while (!closed && Date.now() < deadline) {
		if (sock.writableLength < 1 << 20) sock.write(REQ.repeat(50));
		peak = Math.max(peak, rssKb(srv.proc.pid));
		await sleep(20);
	}
	sock.destroy();
	assert.ok(closed, 'the server kept a connection that never reads open for 20 s');
	// ASan keeps freed memory in its quarantine (up to 256 MB), so RSS
	// says nothing there; the plain build is where the bound shows.
	if (!/asan/.test(BIN)) {
		assert.ok(peak - before < 24 * 1024, `server RSS grew ${((peak - before) / 1024).toFixed(1)} MB`);
	}
	assert.match(srv.stderr, /sends requests without reading the replies/);
	const r = await srv.get('/ari/asterisk/ping');
	assert.equal(r.status, 200, 'the server must go on serving others');
});

// An app whose events socket stops reading: beyond websocket_queue_kb of
// events waiting (once the kernel's buffers are full too) the server
// closes the socket with a WARNING naming the app and counts the event it
// could not send; its memory does not follow the events, and the app goes
// as with any lost socket.
serverTest('an_events_socket_that_stops_reading_is_closed_beyond_websocket_queue_kb', {
	files: { 'ari.conf': ini({ general: { enabled: 'yes', websocket_queue_kb: 256 },
		asterisk: { type: 'user', password: 'asterisk' } }) },
}, async (srv) => {
	const ws = await srv.events('slowapp');
	const before = rssKb(srv.proc.pid);
	ws.ws._socket.pause();   // the app stops reading
	const body = JSON.stringify({ variables: { big: 'x'.repeat(60000) } });
	let peak = before;
	let sent = 0;
	const deadline = Date.now() + 20000;
	while (!/is not reading/.test(srv.stderr) && Date.now() < deadline) {
		const r = await srv.post('/ari/events/user/tick?application=slowapp',
			{ body, headers: { 'Content-Type': 'application/json' } });
		if (r.status === 404) break;   // closed: its log line is on the way
		assert.equal(r.status, 204, r.body);
		sent += body.length;
		peak = Math.max(peak, rssKb(srv.proc.pid));
	}
	await srv.waitForLog(/is not reading/, 5000);
	const m = /WARNING\[\d+\]: .*WebSocket to '127\.0\.0\.1:\d+' \(app slowapp\) is not reading: (\d+) bytes queued, closing it/
		.exec(srv.stderr);
	assert.ok(m, `no WARNING after ${(sent / 1048576).toFixed(1)} MB of events\n` + srv.tail());
	const queued = Number(m[1]);
	assert.ok(queued <= 256 * 1024 && queued > 128 * 1024, `${queued} bytes queued when closed`);
	if (!/asan/.test(BIN)) {
		assert.ok(peak - before < 16 * 1024, `server RSS grew ${((peak - before) / 1024).toFixed(1)} MB`);
	}
	const metrics = (await srv.get('/metrics')).body;
	assert.match(metrics, /^ariadne_events_dropped_total\{app="slowapp"\} [1-9]/m);
	// the app went with its socket, as Asterisk's does
	let app;
	for (let i = 0; i < 50; i++) {
		app = await srv.get('/ari/applications/slowapp');
		if (app.status === 404) break;
		await sleep(50);
	}
	assert.equal(app.status, 404, 'the app outlived its closed socket');
	assert.equal((await srv.get('/ari/asterisk/ping')).status, 200);
});

// More idle HTTP connections than the server has descriptors (prlimit):
// libre's listener used to spin on a failing accept() at 100 % CPU, ARI
// answering no one and nothing logged. Now the listener is shut while
// descriptors are short (src/ari/http_guard.c): a WARNING says so, the
// connections it holds still work, the CPU stays low, and once the idle
// ones time out (session_inactivity) it takes new clients again.
const NOFILE = 160;
serverTest('http_connections_beyond_the_descriptor_limit_shut_the_listener_instead_of_spinning', {
	limits: { nofile: NOFILE },
	files: { 'http.conf': ini({ general: { enabled: 'yes', bindaddr: '127.0.0.1', bindport: '{{HTTP_PORT}}',
		session_inactivity: '3000' } }) },
}, async (srv) => {
	const pid = srv.proc.pid;
	const ticks = () => {
		const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
		return Number(f[11]) + Number(f[12]);
	};
	// A kept connection of the app's, made before the flood.
	const app = net.connect(srv.port, '127.0.0.1');
	await new Promise((r) => app.once('connect', r));
	const flood = [];
	try {
		assert.equal(await srv.metric('ariadne_http_accepting'), 1);
		for (let i = 0; i < NOFILE + 40; i++) {
			const s = net.connect(srv.port, '127.0.0.1');
			s.on('error', () => {});
			flood.push(s);
		}
		await srv.waitForLog(/WARNING.*Only \d+ file descriptors free \(limit 160\): not accepting new HTTP connections/,
			10000);
		const t0 = ticks();
		await sleep(1000);
		const used = ticks() - t0;
		assert.ok(used < 30, `the server used ${used} of 100 ticks in a second (spinning on accept was ~100)`);
		// The connection the app holds still gets its answers.
		const reply = new Promise((resolve) => {
			let buf = '';
			app.on('data', (d) => { buf += d; if (buf.includes('\r\n\r\n')) resolve(buf); });
		});
		app.write(`GET /ari/asterisk/ping HTTP/1.1\r\nHost: x\r\n${AUTH_HDR}\r\n`);
		assert.match(await reply, /^HTTP\/1\.1 200 /);
		// The idle ones time out, descriptors come back, the listener opens.
		await srv.waitForLog(/NOTICE.*file descriptors free again: accepting new HTTP connections/, 15000);
		for (const s of flood) s.destroy();
		assert.equal((await srv.get('/ari/asterisk/ping')).status, 200);
		assert.equal(await srv.metric('ariadne_http_accepting'), 1);
	} finally {
		for (const s of flood) s.destroy();
		app.destroy();
	}
});
