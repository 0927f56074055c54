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
	try {
		assert.equal(await srv.metric('ariadne_sip_tcp_accepting'), 1);
		assert.equal(await srv.metric('ariadne_sip_tcp_refused_total'), 0);
		// More silent connections than the server has descriptors.
		flood = (await connectMany(tcp, 2 * NOFILE, 3000)).socks;
		await srv.waitForLog(/WARNING.*Only \d+ file descriptors free \(limit 200\): not accepting new SIP TCP or TLS connections/,
			10000 * SLOW);

		// The flood still holds every socket; the server gave its
		// descriptors back by closing the silent ones, and is idle.
		await srv.waitForLog(/NOTICE.*file descriptors free again: accepting new SIP TCP and TLS connections \(meanwhile \d+ refused, [1-9]\d* silent ones closed\)/,
			15000 * SLOW);
		const fds = openFds(pid);
		assert.ok(fds < NOFILE / 2, `${fds} descriptors open after the silent ones were closed`);
		const t0 = cpuTicks(pid);
		await sleep(1000);
		const used = cpuTicks(pid) - t0;
		// spinning on accept() was 90+ ticks a second
		assert.ok(used < 30, `the server used ${used} of 100 ticks in a second while the flood held its sockets`);

		// ARI and a new SIP TCP client get in while the flood is still there.
		assert.equal((await srv.get('/ari/asterisk/ping')).status, 200);
		assert.match(await optionsOverTcp(tcp, 2, 10000 * SLOW), /^SIP\/2\.0 200 /);
		assert.equal(await srv.metric('ariadne_sip_tcp_accepting'), 1);
		const closed = await srv.metric('ariadne_sip_tcp_silent_closed_total');
		const refused = await srv.metric('ariadne_sip_tcp_refused_total');
		assert.ok(closed > 0, `silent connections closed: ${closed}`);
		// every flood socket got in and was closed by one or the other
		assert.ok(closed + refused <= 2 * NOFILE, `${closed} closed + ${refused} refused`);

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
		for (const s of flood) s.destroy();
		await srv.stop();
	}
});
