'use strict';
// SIP over TCP when connections come in floods (src/sip/sip_tcp_guard.c,
// src/net/door.c): the listeners have a real backlog (libre's tcp_listen()
// asks for 5), and when file descriptors run short they stop taking new
// connections, refuse those waiting and close the ones that never sent a
// byte, instead of spinning on accept() at 100 % CPU with every descriptor
// gone. The server runs with a small limit of open files (prlimit) so that
// a few hundred connections are a flood.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const net = require('node:net');
const { startServer, freePort, pjsipConf, sleep, SLOW } = require('./lib/server');

const NOFILE = 200;

function tcpConf() {
	return pjsipConf({ alice: { match: '127.0.0.1' } }) +
		'\n[transport-tcp]\ntype = transport\nprotocol = tcp\nbind = 127.0.0.1:{{TCP_PORT}}\n';
}

/** utime + stime of a process, in clock ticks (100 per second). */
function cpuTicks(pid) {
	const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
	return Number(f[11]) + Number(f[12]);
}

function openFds(pid) {
	return fs.readdirSync(`/proc/${pid}/fd`).length;
}

/** Connect n sockets at once; resolves with them and how many were
 *  established within `withinMs` (the others may still be retrying). */
async function connectMany(port, n, withinMs) {
	const socks = [];
	let established = 0;
	const started = Date.now();
	await Promise.all(Array.from({ length: n }, () => new Promise((resolve) => {
		const s = net.connect(port, '127.0.0.1');
		socks.push(s);
		s.on('error', () => resolve());
		s.once('connect', () => { if (Date.now() - started <= withinMs) established++; resolve(); });
		setTimeout(resolve, withinMs + 50);
	})));
	return { socks, established };
}

function options(port, n) {
	return `OPTIONS sip:100@127.0.0.1:${port};transport=tcp SIP/2.0\r\n` +
		`Via: SIP/2.0/TCP 127.0.0.1:5999;branch=z9hG4bK-guard-${n}\r\n` +
		'Max-Forwards: 70\r\n' +
		`From: <sip:alice@127.0.0.1>;tag=g${n}\r\n` +
		'To: <sip:100@127.0.0.1>\r\n' +
		`Call-ID: guard-${n}@127.0.0.1\r\n` +
		`CSeq: 1 OPTIONS\r\n` +
		'Content-Length: 0\r\n\r\n';
}

/** An OPTIONS over a new TCP connection: the status line of the answer. */
function optionsOverTcp(port, n, timeoutMs) {
	return new Promise((resolve, reject) => {
		const s = net.connect(port, '127.0.0.1');
		let got = '';
		const t = setTimeout(() => { s.destroy(); reject(new Error(`no answer to OPTIONS in ${timeoutMs} ms`)); },
			timeoutMs);
		s.on('connect', () => s.write(options(port, n)));
		s.on('data', (d) => {
			got += d;
			const m = /^SIP\/2\.0 (\d{3}) [^\r\n]*/.exec(got);
			if (m) { clearTimeout(t); s.destroy(); resolve(m[0]); }
		});
		s.on('error', (e) => { clearTimeout(t); reject(e); });
	});
}

/** A TCP connection that sends OPTIONS on demand: a phone that stays. */
async function phone(port) {
	const s = net.connect(port, '127.0.0.1');
	await new Promise((resolve, reject) => { s.once('connect', resolve); s.once('error', reject); });
	let got = '';
	let waiting = null;
	s.on('data', (d) => {
		got += d;
		const m = /^SIP\/2\.0 (\d{3}) [^\r\n]*/m.exec(got);
		if (m && waiting) { got = ''; const w = waiting; waiting = null; w(m[0]); }
	});
	s.on('error', () => {});
	return {
		options(n, timeoutMs) {
			return new Promise((resolve, reject) => {
				const t = setTimeout(() => reject(new Error(`no answer on the phone's connection in ${timeoutMs} ms`)),
					timeoutMs);
				waiting = (line) => { clearTimeout(t); resolve(line); };
				s.write(options(port, n));
			});
		},
		close() { s.destroy(); },
	};
}

/** Keep-alive pings (RFC 5626 CRLFCRLF) every 500 ms on each socket. */
function ping(socks) {
	const t = setInterval(() => { for (const s of socks) if (!s.destroyed) s.write('\r\n\r\n'); }, 500);
	return () => clearInterval(t);
}

test('a_burst_of_tcp_connects_is_taken_without_waiting_for_syn_retransmissions', { timeout: 30000 * SLOW }, async () => {
	const tcp = await freePort();
	const srv = await startServer({ vars: { TCP_PORT: tcp }, files: { 'pjsip.conf': tcpConf() } });
	let socks = [];
	try {
		// With libre's backlog of 5 most of these waited for their SYN's
		// first retransmission, a second later.
		const r = await connectMany(tcp, 150, 800);
		socks = r.socks;
		assert.equal(r.established, 150, `${r.established} of 150 connected within 800 ms`);
		assert.match(await optionsOverTcp(tcp, 1, 5000 * SLOW), /^SIP\/2\.0 200 /);
	} catch (e) {
		e.message += '\n' + srv.tail();
		throw e;
	} finally {
		for (const s of socks) s.destroy();
		await srv.stop();
	}
});

test('a_tcp_flood_that_exhausts_file_descriptors_is_shed_and_the_server_neither_spins_nor_stays_shut', { timeout: 60000 * SLOW }, async () => {
	const tcp = await freePort();
	const srv = await startServer({ limits: { nofile: NOFILE }, vars: { TCP_PORT: tcp }, files: { 'pjsip.conf': tcpConf() } });
	const pid = srv.proc.pid;
	let flood = [];
	let stopPings = () => {};
	try {
		assert.equal(await srv.metric('ariadne_sip_tcp_accepting'), 1);
		assert.equal(await srv.metric('ariadne_sip_tcp_refused_total'), 0);
		// A phone that registered before the flood: its connection stays.
		const ph = await phone(tcp);
		assert.match(await ph.options(1, 5000 * SLOW), /^SIP\/2\.0 200 /);
		// More connections than the server has descriptors: half stay
		// silent, half send keep-alive pings but never a request.
		flood = (await connectMany(tcp, 2 * NOFILE, 3000)).socks;
		stopPings = ping(flood.filter((_, i) => i % 2));
		await srv.waitForLog(/WARNING.*Only \d+ file descriptors free \(limit 200\) besides \d+ kept for calls and ARI, which have them now: not accepting new SIP TCP or TLS connections/,
			10000 * SLOW);
		// the reserve is ARI's at once, before any connection is closed
		assert.equal((await srv.get('/ari/asterisk/ping')).status, 200);

		// The flood still holds every socket; the server gave its
		// descriptors back by closing the unheard ones, and is idle.
		await srv.waitForLog(/NOTICE.*file descriptors free again: accepting new SIP TCP and TLS connections \(meanwhile \d+ refused, [1-9]\d* silent ones closed\)/,
			15000 * SLOW);
		const fds = openFds(pid);
		assert.ok(fds < NOFILE / 2, `${fds} descriptors open after the unheard ones were closed`);
		const t0 = cpuTicks(pid);
		await sleep(1000);
		const used = cpuTicks(pid) - t0;
		// spinning on accept() was 90+ ticks a second
		assert.ok(used < 30, `the server used ${used} of 100 ticks in a second while the flood held its sockets`);

		// The phone, ARI and a new SIP TCP client get in while the flood
		// is still there.
		assert.match(await ph.options(2, 5000 * SLOW), /^SIP\/2\.0 200 /, 'the phone lost its connection');
		ph.close();
		assert.equal((await srv.get('/ari/asterisk/ping')).status, 200);
		assert.match(await optionsOverTcp(tcp, 3, 10000 * SLOW), /^SIP\/2\.0 200 /);
		assert.equal(await srv.metric('ariadne_sip_tcp_accepting'), 1);
		const closed = await srv.metric('ariadne_sip_tcp_silent_closed_total');
		const refused = await srv.metric('ariadne_sip_tcp_refused_total');
		assert.ok(closed > 0, `silent connections closed: ${closed}`);
		// every flood socket got in and was closed by one or the other
		assert.ok(closed + refused <= 2 * NOFILE, `${closed} closed + ${refused} refused`);
		stopPings();

		// A second wave within the minute is shed the same way, without a
		// second WARNING (one a minute says how many times).
		for (const s of flood) s.destroy();
		flood = (await connectMany(tcp, 2 * NOFILE, 3000)).socks;
		let again = closed;
		for (let i = 0; i < 100 && again === closed; i++) {
			await sleep(100);
			again = await srv.metric('ariadne_sip_tcp_silent_closed_total');
		}
		assert.ok(again > closed, 'the second wave was not shed');
		for (let i = 0; i < 100 && await srv.metric('ariadne_sip_tcp_accepting') !== 1; i++) await sleep(100);
		assert.equal(await srv.metric('ariadne_sip_tcp_accepting'), 1);
		assert.equal(srv.stderr.match(/WARNING.*not accepting new SIP TCP/g).length, 1, srv.tail());
	} catch (e) {
		e.message += '\n' + srv.tail();
		throw e;
	} finally {
		stopPings();
		for (const s of flood) s.destroy();
		await srv.stop();
	}
});

/** Everything the server sends on one connection until it closes it. */
function exchange(port, data, timeoutMs) {
	return new Promise((resolve, reject) => {
		const s = net.connect(port, '127.0.0.1');
		let got = '';
		const t = setTimeout(() => { s.destroy(); resolve({ got, closed: false }); }, timeoutMs);
		s.on('connect', () => s.write(data));
		s.on('data', (d) => { got += d; });
		s.on('end', () => { clearTimeout(t); s.destroy(); resolve({ got, closed: true }); });
		s.on('error', (e) => { clearTimeout(t); reject(e); });
	});
}

// libre frames TCP messages by Content-Length read leniently: "-5" and
// "12abc" as 0, 4294967301 as 5, the last of two headers. The bytes after
// were taken for the next request ("helloOPTIONS ..." got 501). Such a
// request gets 400 and its connection is closed (RFC 3261 18.3, 20.14).
test('a_tcp_request_whose_content_length_cannot_frame_the_stream_gets_400_and_its_connection_closes', { timeout: 60000 * SLOW }, async () => {
	const tcp = await freePort();
	const srv = await startServer({ vars: { TCP_PORT: tcp }, files: { 'pjsip.conf': tcpConf() } });
	try {
		const cases = [['-5'], ['12abc'], ['4294967301'], ['5', '0']];
		for (const [i, lengths] of cases.entries()) {
			const bad = options(tcp, 10 + i).replace('Content-Length: 0\r\n',
				lengths.map((l) => `Content-Length: ${l}\r\n`).join(''));
			const r = await exchange(tcp, bad + 'hello' + options(tcp, 20 + i), 5000 * SLOW);
			const statuses = r.got.match(/^SIP\/2\.0 \d{3}/gm) || [];
			assert.deepEqual(statuses, ['SIP/2.0 400'], `Content-Length ${lengths}: ${JSON.stringify(r.got)}`);
			assert.ok(r.closed, `Content-Length ${lengths}: the connection stayed open`);
		}
		assert.match(await optionsOverTcp(tcp, 30, 5000 * SLOW), /^SIP\/2\.0 200 /);
		assert.match(srv.stderr, /NOTICE.*SIP OPTIONS from 127\.0\.0\.1:\d+ over TCP: Content-Length '-5' \(1 such headers\) cannot frame the stream; 400, connection closed/);
	} catch (e) {
		e.message += '\n' + srv.tail();
		throw e;
	} finally {
		await srv.stop();
	}
});

// A contact registered over TCP is reached through its connection (RFC
// 5626; behind NAT there is no other way): when the connection closes the
// contact goes, as chan_pjsip removes it when the transport shuts down,
// instead of being dialled until its registration expires.
test('a_contact_registered_over_tcp_goes_when_its_connection_closes', { timeout: 60000 * SLOW }, async () => {
	const tcp = await freePort();
	const conf = pjsipConf({ alice: { match: '127.0.0.1', max_contacts: 3 } }) +
		'\n[transport-tcp]\ntype = transport\nprotocol = tcp\nbind = 127.0.0.1:{{TCP_PORT}}\n';
	const srv = await startServer({ vars: { TCP_PORT: tcp }, files: { 'pjsip.conf': conf } });
	try {
		const ws = await srv.events('regapp', { subscribeAll: true });
		const register = (s, n, contactPort = s.localPort) => new Promise((resolve, reject) => {
			let got = '';
			const t = setTimeout(() => reject(new Error('no answer to REGISTER')), 5000 * SLOW);
			s.on('data', (d) => {
				got += d;
				const m = /^SIP\/2\.0 (\d{3})/.exec(got);
				if (m) { clearTimeout(t); resolve(m[1]); }
			});
			const port = s.localPort;
			s.write(`REGISTER sip:127.0.0.1:${tcp};transport=tcp SIP/2.0\r\n` +
				`Via: SIP/2.0/TCP 127.0.0.1:${port};branch=z9hG4bK-reg-${n}\r\n` +
				'Max-Forwards: 70\r\n' +
				`From: <sip:alice@127.0.0.1>;tag=r${n}\r\nTo: <sip:alice@127.0.0.1>\r\n` +
				`Call-ID: reg-${n}@127.0.0.1\r\nCSeq: 1 REGISTER\r\n` +
				`Contact: <sip:alice@127.0.0.1:${contactPort};transport=tcp>\r\nExpires: 3600\r\n` +
				'Content-Length: 0\r\n\r\n');
		});
		const stays = net.connect(tcp, '127.0.0.1');
		const goes = net.connect(tcp, '127.0.0.1');
		// a phone that names a port of its own (it listens there): it can
		// be reached over a new connection, so its contact outlives this one
		const listens = net.connect(tcp, '127.0.0.1');
		await Promise.all([stays, goes, listens].map((s) => new Promise((r) => s.once('connect', r))));
		assert.equal(await register(stays, 1), '200');
		assert.equal(await register(goes, 2), '200');
		assert.equal(await register(listens, 3, 5999), '200');
		const gonePort = goes.localPort;
		await ws.waitFor((e) => e.type === 'ContactStatusChange' && e.contact_info.uri.includes(`:${gonePort};`));
		const from = ws.events.length;
		goes.destroy();
		listens.destroy();
		const removed = await ws.waitFor((e) => e.type === 'ContactStatusChange' &&
			e.contact_info.contact_status === 'Removed', 20000 * SLOW, { from });
		assert.match(removed.contact_info.uri, new RegExp(`:${gonePort};transport=tcp`));
		await srv.waitForLog(new RegExp(`Removed contact 'sip:alice@127\\.0\\.0\\.1:${gonePort};transport=tcp' from AOR 'alice' due to shutdown`));
		// the other connection's contact and the one naming its own port stay
		await sleep(11000);
		const gone = ws.events.slice(from).filter((e) => e.type === 'ContactStatusChange' &&
			e.contact_info.contact_status === 'Removed');
		assert.equal(gone.length, 1, JSON.stringify(gone));
		stays.destroy();
	} catch (e) {
		e.message += '\n' + srv.tail();
		throw e;
	} finally {
		await srv.stop();
	}
});
