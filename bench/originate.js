'use strict';
// Originate benchmark for ariadne (run through bench/originate.sh).
//
// Starts build/ariadne on a free loopback port with its own temporary config
// directory, opens one events WebSocket for app `bench`, then
//   1. cycle: BENCH_CALLS times, at most BENCH_CONCURRENCY at once:
//        POST /ari/channels?endpoint=Local/100@stasis-bench&app=bench-out
//             (channelId/otherChannelId chosen by us)
//        → StasisStart of the ;2 half in app `bench`
//        → DELETE /ari/channels/{;2 id} → ChannelDestroyed of the ;2 half.
//      Prints originate→StasisStart latency p50/p95/p99, the originate HTTP
//      response time and the whole-cycle rate in calls/s.
//   2. hold: BENCH_HOLD Local pairs originated and kept in Stasis; prints the
//      server's RSS with them alive, the time of GET /ari/channels and the
//      server's CPU per channel variable set (an event routed to the app
//      holding them all), then hangs them all up and prints RSS again.
// Nothing is asserted about speed: figures are printed. The run exits
// non-zero only when something went wrong (HTTP errors, events that never
// came, channels left over, the server dying or exiting non-zero), and it is
// bounded by BENCH_TIMEOUT_S (default 100 s) after which everything is torn
// down. Only 127.0.0.1 is used.

const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const net = require('node:net');
const http = require('node:http');

const ROOT = path.resolve(__dirname, '..');
const BIN = process.env.ARIADNE_BIN ? path.resolve(process.env.ARIADNE_BIN)
	: path.join(ROOT, 'build', 'ariadne');
const WebSocket = require(path.join(ROOT, 'node_modules', 'ws'));

const int = (name, def) => {
	const v = process.env[name];
	if (v === undefined || v === '') return def;
	const n = Number(v);
	if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got ${v}`);
	return n;
};
const N = int('BENCH_CALLS', 5000);
const CONC = Math.max(1, int('BENCH_CONCURRENCY', 50));
const K = int('BENCH_HOLD', 1000);
const WARMUP = int('BENCH_WARMUP', 200);
const ROUNDS = Math.max(1, int('BENCH_HOLD_ROUNDS', 3));
const LIST = process.env.BENCH_LIST !== '0';
const TIMEOUT_S = int('BENCH_TIMEOUT_S', 100);
const EVENT_TIMEOUT_MS = int('BENCH_EVENT_TIMEOUT_MS', 10000);
const AUTH = 'asterisk:asterisk';
const AUTH_HDR = 'Basic ' + Buffer.from(AUTH).toString('base64');
const APP = 'bench';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const nowMs = () => Number(process.hrtime.bigint()) / 1e6;

let server = null;   // { proc, tmp, port, exited, exit, logFile }
let ws = null;
let agent = null;
const problems = [];
function problem(msg) {
	problems.push(msg);
	if (problems.length <= 20) console.log(`PROBLEM: ${msg}`);
}

// ---------------------------------------------------------------- server

function freePort() {
	return new Promise((resolve, reject) => {
		const s = net.createServer();
		s.on('error', reject);
		s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
	});
}

const CLK_TCK = (() => {
	try { return Number(execFileSync('getconf', ['CLK_TCK']).toString()) || 100; } catch { return 100; }
})();

function rssKb() {
	try {
		const m = /^VmRSS:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${server.proc.pid}/status`, 'utf8'));
		return m ? Number(m[1]) : NaN;
	} catch { return NaN; }
}

// The server's CPU time (user + system) so far, in ms.
function cpuMs() {
	try {
		const f = fs.readFileSync(`/proc/${server.proc.pid}/stat`, 'utf8').split(') ')[1].split(' ');
		return (Number(f[11]) + Number(f[12])) * 1000 / CLK_TCK;
	} catch { return NaN; }
}

function logTail(n = 30) {
	try {
		return fs.readFileSync(server.logFile, 'utf8').split('\n').slice(-n).join('\n');
	} catch { return ''; }
}

async function startServer() {
	const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ariadne-bench-'));
	const dirs = ['etc', 'log', 'run', 'data'].map((d) => path.join(tmp, d));
	dirs.forEach((d) => fs.mkdirSync(d));
	server = { tmp, logFile: path.join(tmp, 'ariadne.log'), exit: null };
	for (let attempt = 0; attempt < 3; attempt++) {
		const port = await freePort();
		fs.writeFileSync(path.join(dirs[0], 'ariadne.conf'),
			`[directories]\nastlogdir = ${dirs[1]}\nastrundir = ${dirs[2]}\nastdatadir = ${dirs[3]}\n` +
			`[options]\nverbose = ${process.env.BENCH_VERBOSE || 3}\n`);
		fs.writeFileSync(path.join(dirs[0], 'http.conf'),
			`[general]\nenabled = yes\nbindaddr = 127.0.0.1\nbindport = ${port}\n`);
		const logFd = fs.openSync(server.logFile, 'w');
		const proc = spawn(BIN, ['-C', dirs[0], '-f'], { stdio: ['ignore', logFd, logFd] });
		fs.closeSync(logFd);
		server.proc = proc;
		server.port = port;
		server.exit = null;
		server.exited = new Promise((resolve) => {
			proc.on('exit', (code, signal) => { server.exit = { code, signal }; resolve(server.exit); });
			proc.on('error', (e) => { server.exit = { code: -1, signal: null, error: e.message }; resolve(server.exit); });
		});
		const deadline = Date.now() + 10000;
		while (Date.now() < deadline && !server.exit) {
			try {
				const r = await request('GET', '/ari/asterisk/ping', { fresh: true });
				if (r.status === 200) return;
			} catch { /* not yet */ }
			await sleep(50);
		}
		if (!server.exit) throw new Error(`ariadne not ready on port ${port} within 10 s\n${logTail()}`);
		if (!/in use|EADDRINUSE/i.test(logTail(200))) break;
	}
	throw new Error(`ariadne exited during start-up ${JSON.stringify(server.exit)}\n${logTail()}`);
}

// SIGTERM, wait (10 s at most), report exit status and shutdown time.
async function stopServer() {
	if (!server || !server.proc) return;
	if (!server.exit) {
		const t0 = nowMs();
		server.proc.kill('SIGTERM');
		let timer;
		const r = await Promise.race([server.exited,
			new Promise((res) => { timer = setTimeout(() => res(null), 10000); })]);
		clearTimeout(timer);
		if (!r) {
			problem('ariadne did not exit within 10 s of SIGTERM; killed');
			server.proc.kill('SIGKILL');
			await server.exited;
		} else {
			console.log(`server stopped ${(nowMs() - t0).toFixed(0)} ms after SIGTERM, exit ${JSON.stringify(server.exit)}`);
		}
	}
	if (server.exit.code !== 0) problem(`ariadne exited with ${JSON.stringify(server.exit)}\n${logTail()}`);
}

function cleanup() {
	if (server && server.proc && !server.exit) {
		try { server.proc.kill('SIGKILL'); } catch { /* gone */ }
	}
	if (server && server.tmp && !process.env.ARIADNE_KEEP_TMP) {
		try { fs.rmSync(server.tmp, { recursive: true, force: true }); } catch { /* ignore */ }
	}
}
process.on('exit', cleanup);
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => { cleanup(); process.exit(130); });

// ---------------------------------------------------------------- HTTP

function request(method, p, { fresh = false, timeout = EVENT_TIMEOUT_MS } = {}) {
	return new Promise((resolve, reject) => {
		const req = http.request({
			host: '127.0.0.1', port: server.port, method, path: p,
			agent: fresh ? false : agent,
			headers: { Authorization: AUTH_HDR, 'Content-Length': 0 },
		}, (res) => {
			const chunks = [];
			res.on('data', (c) => chunks.push(c));
			res.on('error', reject);
			res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString() }));
		});
		req.setTimeout(timeout, () => req.destroy(new Error(`${method} ${p} timed out after ${timeout} ms`)));
		req.on('error', reject);
		req.end();
	});
}

// ---------------------------------------------------------------- events

const counts = {};              // event type → count
const seen = new Map();         // `${type} ${channelId}` → receive time (ms)
const waiters = new Map();      // `${type} ${channelId}` → resolve

function openEvents() {
	return new Promise((resolve, reject) => {
		const url = `ws://127.0.0.1:${server.port}/ari/events?app=${APP}&api_key=${AUTH}`;
		ws = new WebSocket(url);
		const t = setTimeout(() => { ws.terminate(); reject(new Error('events WebSocket open timed out')); }, 5000);
		ws.once('open', () => { clearTimeout(t); resolve(); });
		ws.once('error', (e) => { clearTimeout(t); reject(e); });
		ws.on('close', (code) => { if (!shuttingDown) problem(`events WebSocket closed by the server (code ${code})`); });
		ws.on('message', (data) => {
			const at = nowMs();
			let ev;
			try { ev = JSON.parse(data.toString()); } catch {
				problem(`invalid JSON event: ${data.toString().slice(0, 200)}`);
				return;
			}
			counts[ev.type] = (counts[ev.type] || 0) + 1;
			if (!ev.channel || !ev.channel.id) return;
			const key = `${ev.type} ${ev.channel.id}`;
			const w = waiters.get(key);
			if (w) { waiters.delete(key); w(at); } else seen.set(key, at);
		});
	});
}
let shuttingDown = false;

// Resolves with the receive time of event `type` for channel `id`.
function waitEvent(type, id) {
	const key = `${type} ${id}`;
	if (seen.has(key)) {
		const at = seen.get(key);
		seen.delete(key);
		return Promise.resolve(at);
	}
	return new Promise((resolve, reject) => {
		const t = setTimeout(() => {
			waiters.delete(key);
			reject(new Error(`no ${type} for ${id} within ${EVENT_TIMEOUT_MS} ms`));
		}, EVENT_TIMEOUT_MS);
		waiters.set(key, (at) => { clearTimeout(t); resolve(at); });
	});
}

// ---------------------------------------------------------------- calls

let seq = 0;
// Originate one Local pair; resolves when the ;2 half is in Stasis.
async function originate(tag) {
	const n = ++seq;
	const id1 = `${tag}-${n}-1`, id2 = `${tag}-${n}-2`;
	const q = new URLSearchParams({
		endpoint: `Local/100@stasis-${APP}`, app: `${APP}-out`, channelId: id1, otherChannelId: id2,
	});
	const started = waitEvent('StasisStart', id2);
	const t0 = nowMs();
	const r = await request('POST', `/ari/channels?${q}`);
	const tResp = nowMs();
	if (r.status !== 200) {
		started.catch(() => {});
		throw new Error(`originate → HTTP ${r.status} ${r.body.slice(0, 200)}`);
	}
	const tStart = await started;
	return { id1, id2, startLatency: tStart - t0, respLatency: tResp - t0 };
}

async function hangup(id2) {
	const destroyed = waitEvent('ChannelDestroyed', id2);
	const r = await request('DELETE', `/ari/channels/${encodeURIComponent(id2)}`);
	if (r.status !== 204) {
		destroyed.catch(() => {});
		throw new Error(`DELETE ${id2} → HTTP ${r.status} ${r.body.slice(0, 200)}`);
	}
	await destroyed;
}

// Run fn(i) for i < count with at most `conc` running; collects failures.
async function pool(count, conc, fn) {
	let next = 0, failed = 0;
	const worker = async () => {
		while (next < count) {
			const i = next++;
			try { await fn(i); } catch (e) {
				failed++;
				problem(e.message);
			}
			if (server.exit) throw new Error(`ariadne died: ${JSON.stringify(server.exit)}\n${logTail()}`);
		}
	};
	await Promise.all(Array.from({ length: Math.min(conc, count) }, worker));
	return failed;
}

function pct(sorted, p) {
	if (!sorted.length) return NaN;
	return sorted[Math.min(sorted.length - 1, Math.ceil(p / 100 * sorted.length) - 1)];
}
const ms = (v) => `${v.toFixed(2)} ms`;
function dist(values) {
	const s = values.slice().sort((a, b) => a - b);
	const mean = s.reduce((a, b) => a + b, 0) / (s.length || 1);
	return `p50 ${ms(pct(s, 50))}, p95 ${ms(pct(s, 95))}, p99 ${ms(pct(s, 99))}, max ${ms(s[s.length - 1] || NaN)}, mean ${ms(mean)} (n=${s.length})`;
}

async function channelCount() {
	const t0 = nowMs();
	const r = await request('GET', '/ari/channels', { timeout: 30000 });
	const dt = nowMs() - t0;
	if (r.status !== 200) throw new Error(`GET /ari/channels → HTTP ${r.status}`);
	return { count: JSON.parse(r.body).length, ms: dt, bytes: r.body.length };
}

async function waitNoChannels(what) {
	const t0 = nowMs();
	const deadline = Date.now() + EVENT_TIMEOUT_MS;
	let c;
	while (Date.now() < deadline) {
		c = await channelCount();
		if (c.count === 0) {
			const dt = nowMs() - t0;
			if (dt > 1000) console.log(`note: channels took ${(dt / 1000).toFixed(2)} s to disappear from GET /ari/channels after ${what}`);
			return;
		}
		await sleep(100);
	}
	problem(`${c.count} channel(s) still listed by GET /ari/channels ${EVENT_TIMEOUT_MS} ms after ${what}`);
}

// ---------------------------------------------------------------- main

async function main() {
	const watchdog = setTimeout(() => {
		console.log(`PROBLEM: run exceeded BENCH_TIMEOUT_S=${TIMEOUT_S} s; aborting`);
		if (server) console.log(logTail());
		cleanup();
		process.exit(2);
	}, TIMEOUT_S * 1000);
	watchdog.unref();

	const tRun = nowMs();
	await startServer();
	agent = new http.Agent({ keepAlive: true, maxSockets: CONC });
	await openEvents();
	let git = '';
	try {
		git = execFileSync('git', ['-C', ROOT, 'rev-parse', '--short', 'HEAD']).toString().trim();
		try { execFileSync('git', ['-C', ROOT, 'diff', '--quiet', 'HEAD', '--', 'src']); } catch { git += '+dirty'; }
	} catch { /* not a checkout */ }
	console.log('== bench/originate.js ==');
	console.log(`date: ${new Date().toISOString()}`);
	console.log(`machine: ${os.cpus().length} cores, ${os.cpus()[0].model.trim()}, ` +
		`${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${os.type()} ${os.release()}, node ${process.version}`);
	console.log(`ariadne: ${BIN}, git ${git}; pid ${server.proc.pid} on 127.0.0.1:${server.port}`);
	console.log(`parameters: BENCH_CALLS=${N} BENCH_CONCURRENCY=${CONC} BENCH_HOLD=${K} BENCH_WARMUP=${WARMUP} BENCH_HOLD_ROUNDS=${ROUNDS}`);
	await sleep(200);
	const rss0 = rssKb();
	console.log(`RSS idle, events socket open: ${rss0} kB`);

	// Warm-up: opens the keep-alive connections and grows the server's pools;
	// not counted.
	const cycle = async () => {
		const c = await originate('c');
		await hangup(c.id2);
		return c;
	};
	if (WARMUP) {
		const tw = nowMs();
		await pool(WARMUP, CONC, cycle);
		console.log(`warm-up: ${WARMUP} cycles in ${((nowMs() - tw) / 1000).toFixed(2)} s (not counted)`);
	}

	// 1. full cycles
	const startLat = [], respLat = [];
	let t0 = nowMs();
	const failed = await pool(N, CONC, async () => {
		const c = await cycle();
		startLat.push(c.startLatency);
		respLat.push(c.respLatency);
	});
	const cycleS = (nowMs() - t0) / 1000;
	console.log(`\n-- cycle: originate → StasisStart → DELETE ;2 → ChannelDestroyed, ${N} calls, ${CONC} at a time`);
	console.log(`RESULT cycle rate: ${((N - failed) / cycleS).toFixed(0)} calls/s (${N - failed} calls in ${cycleS.toFixed(2)} s, ${failed} failed)`);
	console.log(`RESULT originate → StasisStart: ${dist(startLat)}`);
	console.log(`RESULT originate HTTP response: ${dist(respLat)}`);
	await waitNoChannels('the cycle phase');
	await sleep(200);
	const rss1 = rssKb();
	console.log(`RSS idle after ${WARMUP + N} cycles: ${rss1} kB`);

	// 2. hold K pairs in Stasis, ROUNDS times (RSS after each round shows
	//    whether memory comes back or keeps growing).
	for (let round = 1; K && round <= ROUNDS; round++) {
		const rssBefore = rssKb();
		console.log(`\n-- hold round ${round}/${ROUNDS}: ${K} Local pairs originated (${CONC} at a time) and kept in Stasis`);
		const held = [];
		const holdLat = [];
		t0 = nowMs();
		const hf = await pool(K, CONC, async () => {
			const c = await originate('h');
			held.push(c.id2);
			holdLat.push(c.startLatency);
		});
		const upS = (nowMs() - t0) / 1000;
		console.log(`RESULT originated ${held.length} pairs in ${upS.toFixed(2)} s (${(held.length / upS).toFixed(0)} originates/s, ${hf} failed); originate → StasisStart ${dist(holdLat)}`);
		await sleep(200);
		const rssK = rssKb();
		console.log(`RESULT RSS with ${held.length} pairs alive: ${rssK} kB (+${rssK - rssBefore} kB over the ${rssBefore} kB before, ` +
			`${((rssK - rssBefore) / Math.max(1, held.length)).toFixed(1)} kB per pair)`);
		if (LIST) {
			const list = await channelCount();
			console.log(`RESULT GET /ari/channels with ${list.count} channels: ${ms(list.ms)}, ${list.bytes} bytes; RSS now ${rssKb()} kB`);
			if (list.count !== 2 * held.length) problem(`GET /ari/channels lists ${list.count} channels, expected ${2 * held.length}`);
		}
		// Each variable set publishes a ChannelVarset that is routed to
		// the apps by the channel's id: its cost must not grow with the
		// number of channels the app holds.
		const varRounds = 3;
		const cpu0 = cpuMs();
		t0 = nowMs();
		let vf = 0;
		for (let v = 0; v < varRounds; v++)
			vf += await pool(held.length, CONC, async (i) => {
				const r = await request('POST', `/ari/channels/${encodeURIComponent(held[i])}/variable?variable=BENCH&value=${v}`);
				if (r.status !== 204) throw new Error(`POST variable → HTTP ${r.status} ${r.body.slice(0, 200)}`);
			});
		const setS = (nowMs() - t0) / 1000, sets = varRounds * held.length - vf;
		console.log(`RESULT ${sets} channel variables set with ${held.length} channels in the app: ${(sets / setS).toFixed(0)}/s, ` +
			`server CPU ${((cpuMs() - cpu0) * 1000 / Math.max(1, sets)).toFixed(1)} µs each (${vf} failed)`);
		t0 = nowMs();
		const df = await pool(held.length, CONC, (i) => hangup(held[i]));
		const downS = (nowMs() - t0) / 1000;
		console.log(`RESULT hung up ${held.length - df} pairs in ${downS.toFixed(2)} s (${((held.length - df) / downS).toFixed(0)} hangups/s, ${df} failed)`);
		await waitNoChannels('hanging up the held pairs');
		await sleep(500);
		console.log(`RESULT RSS after hanging them all up: ${rssKb()} kB (before this round: ${rssBefore} kB)`);
	}

	// Event bookkeeping: every ;2 half must have started, ended and been destroyed.
	const total = WARMUP + N + K * ROUNDS;
	console.log(`\nevents received: ${JSON.stringify(counts)}`);
	for (const type of ['StasisStart', 'StasisEnd', 'ChannelDestroyed']) {
		if ((counts[type] || 0) !== total) problem(`${counts[type] || 0} ${type} events, expected ${total}`);
	}
	const log = fs.readFileSync(server.logFile, 'utf8').split('\n');
	const bad = log.filter((l) => /\b(ERROR|WARNING)\[/.test(l));
	console.log(`server log: ${log.length - 1} lines, ${bad.length} ERROR/WARNING`);
	bad.slice(0, 5).forEach((l) => console.log(`  ${l}`));

	shuttingDown = true;
	ws.close();
	agent.destroy();
	await stopServer();
	clearTimeout(watchdog);
	console.log(`whole run: ${((nowMs() - tRun) / 1000).toFixed(1)} s`);
}

main().then(() => {
	if (problems.length) {
		console.log(`\n${problems.length} problem(s); first: ${problems[0]}`);
		process.exitCode = 1;
	}
}, async (e) => {
	console.log(`FAILED: ${e.stack || e.message}`);
	if (server) console.log(logTail());
	shuttingDown = true;
	try { if (ws) ws.terminate(); } catch { /* ignore */ }
	try { await stopServer(); } catch { /* ignore */ }
	process.exitCode = 1;
});
