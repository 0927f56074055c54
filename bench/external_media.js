'use strict';
// The ARI app of bench/external_media.sh (one run, one N); it drives the
// media bots, which run in bench/em_bots.c (BENCH_EM_BOTS_BIN).
//
// Every SIP call arriving in Stasis app `bench` is answered; the app creates
// a server-mode WebSocket external media channel for it
//   POST /ari/channels/externalMedia?app=bench&transport=websocket
//        &encapsulation=none&connection_type=server&format=slin16
// connects a bot to ws://127.0.0.1:PORT/media/<MEDIA_WEBSOCKET_CONNECTION_ID>
// (subprotocol `media`) that sends every BINARY frame straight back, and
// bridges the call with the media channel in a mixing bridge. The first call
// to arrive is the "slow bot": once measuring, its bot stops reading
// (em_bots drops the socket from its epoll set) for BENCH_EM_SLOW_S seconds,
// then reads again.
//
// When all BENCH_EM_TOTAL calls are up: BENCH_EM_WARMUP_S of warm-up, then a
// window of BENCH_EM_HOLD_S seconds (cut short if the first call's planned
// end, BENCH_EM_CALL_MS after it arrived, comes first) in which it
//   - has em_bots stamp every BINARY frame (CLOCK_MONOTONIC, the clock of
//     process.hrtime.bigint()) and keep the inter-arrival times of each bot
//     (both frames in the window);
//   - samples once a second ariadne's CPU (utime + stime of /proc/PID/stat,
//     % of one core) and RSS (VmRSS), its own CPU (process.cpuUsage), the
//     bots' and SIPp's (pid in the file BENCH_EM_SIPP_PID_FILE), the whole machine's
//     (/proc/stat), and the time of GET /ari/asterisk/ping;
//   - has tcpdump stamp ariadne's writes to a sample of the bots (see "wire
//     view" below).
// Then it waits for every call to end (SIPp hangs up), deletes the media
// channels and bridges, checks GET /ari/channels and /ari/bridges are
// empty, prints the figures and writes the summary line to
// BENCH_EM_SUMMARY. Exit status: 0, or 1 when something went wrong (a
// request refused, a call not set up, a bot closed early, channels left).
// Missed timing targets are printed, not failures.
//
// argv: ARI base URL, user:password, ariadne's pid.

const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const { monitorEventLoopDelay, performance } = require('node:perf_hooks');
const { spawn } = require('node:child_process');

const ROOT = path.resolve(__dirname, '..');
const WebSocket = require(path.join(ROOT, 'node_modules', 'ws'));

const [URL_ARG, AUTH, ARIADNE_PID] = process.argv.slice(2);
const num = (name, def) => {
	const v = process.env[name];
	if (v === undefined || v === '') return def;
	const n = Number(v);
	if (!Number.isFinite(n) || n < 0) { console.error(`${name}: not a number: ${v}`); process.exit(2); }
	return n;
};
const N = num('BENCH_EM_N', 100);                 // regular calls
const TOTAL = num('BENCH_EM_TOTAL', N + 1);       // + the slow bot's
const HOLD_S = num('BENCH_EM_HOLD_S', 30);
const WARMUP_S = num('BENCH_EM_WARMUP_S', 2);
const SLOW_S = num('BENCH_EM_SLOW_S', 10);
const SLOW_AT_S = num('BENCH_EM_SLOW_AT_S', 5);    // pause start, into the window
const CALL_MS = num('BENCH_EM_CALL_MS', 60000);   // SIPp's -d
const SETUP_S = num('BENCH_EM_SETUP_S', 20);      // all calls up within, from the first
const TIMEOUT_S = num('BENCH_EM_TIMEOUT_S', 180);
const CLK_TCK = num('CLK_TCK', 100);
const SUMMARY = process.env.BENCH_EM_SUMMARY || '';
const SIPP_PID_FILE = process.env.BENCH_EM_SIPP_PID_FILE || '';
const READY_FILE = process.env.BENCH_EM_READY_FILE || '';
const FORMAT = 'slin16';
const CORES = require('node:os').cpus().length;
const FRAME_BYTES = 640;
const TICK_MS = 20;
const SLOW_ON = SLOW_S > 0 && TOTAL > N;
const PCAP_BOTS = num('BENCH_EM_PCAP', 50);       // bots whose socket tcpdump watches (0: none)
const TMP = process.env.BENCH_EM_TMP || require('node:os').tmpdir();
const WS_FRAME = FRAME_BYTES + 4;                 // a BINARY frame of 640 bytes on the wire (2 + 2 header bytes)

const u = new URL(URL_ARG);
// Idle sockets go after 10 s, before the server's session_inactivity (30 s)
// closes them under a request sent just then (ECONNRESET).
const agent = new http.Agent({ keepAlive: true, maxSockets: 16, timeout: 10000 });
const AUTH_HDR = 'Basic ' + Buffer.from(AUTH).toString('base64');
const enc = encodeURIComponent;
const hr = () => process.hrtime.bigint();
const T0 = hr();
const sinceS = (t = hr()) => (Number(t - T0) / 1e9).toFixed(1);
const ms = (ns) => Number(ns) / 1e6;
const sleep = (t) => new Promise((r) => setTimeout(r, t));

// ------------------------------------------------------------ problems

const problems = new Map(); // kind → {count, first examples}
function problem(kind, detail) {
	let p = problems.get(kind);
	if (!p) { p = { count: 0, examples: [] }; problems.set(kind, p); }
	p.count++;
	if (p.examples.length < 3) {
		p.examples.push(detail);
		console.log(`PROBLEM ${kind}: ${detail}`);
	}
}

// ------------------------------------------------------------ ARI

function req(method, p, { timeoutMs = 10000 } = {}) {
	return new Promise((resolve) => {
		const t0 = hr();
		const r = http.request({
			host: u.hostname, port: u.port, method, path: '/ari' + p,
			headers: { Authorization: AUTH_HDR }, agent,
		}, (res) => {
			let b = '';
			res.setEncoding('utf8');
			res.on('data', (d) => { b += d; });
			res.on('end', () => resolve({ status: res.statusCode, body: b, ms: ms(hr() - t0) }));
		});
		r.setTimeout(timeoutMs, () => r.destroy(new Error(`timed out after ${timeoutMs} ms`)));
		r.on('error', (e) => resolve({ status: 0, body: e.message, ms: ms(hr() - t0) }));
		r.end();
	});
}
const short = (s) => String(s).replace(/\s+/g, ' ').slice(0, 200);

// ------------------------------------------------------------ figures

class Floats {
	constructor() { this.a = new Float64Array(1 << 16); this.n = 0; }
	push(v) {
		if (this.n === this.a.length) { const b = new Float64Array(this.a.length * 2); b.set(this.a); this.a = b; }
		this.a[this.n++] = v;
	}
	sorted() { return this.a.slice(0, this.n).sort(); }
}
function pct(sorted, q) {
	if (!sorted.length) return NaN;
	return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}
function stats(floats) {
	const s = floats.sorted();
	let within = 0;
	for (const v of s) if (v >= TICK_MS - 5 && v <= TICK_MS + 5) within++;
	let sum = 0;
	for (const v of s) sum += v;
	return {
		n: s.length, p50: pct(s, 0.5), p99: pct(s, 0.99), p999: pct(s, 0.999), max: s.length ? s[s.length - 1] : NaN,
		min: s.length ? s[0] : NaN, mean: s.length ? sum / s.length : NaN,
		within: s.length ? (100 * within) / s.length : NaN,
		over30: s.filter((v) => v > 30).length, over50: s.filter((v) => v > 50).length,
		under5: s.filter((v) => v < 5).length,
	};
}
const f1 = (v) => (Number.isFinite(v) ? v.toFixed(1) : '-');
const f2 = (v) => (Number.isFinite(v) ? v.toFixed(2) : '-');

// Measurement state (ns bigints, from hrtime).
let phase = 'setup'; // setup → warmup → measure → after
let winStart = 0n;
let winEnd = 0n;
let pauseStart = 0n;
let pauseEnd = 0n;
let pausing = false;
let ivAll = new Floats();     // regular bots, whole window (filled by botDump)
let ivPause = new Floats();   // regular bots, frame arrived while the slow bot was paused
let ivOutside = new Floats(); // regular bots, the rest of the window
let winFrames = 0;              // regular bots' frames in the window
let pauseFrames = 0;            // ... while the slow bot was paused
let badSize = 0;
const badSizes = new Map();

// ------------------------------------------------------------ calls and bots

const calls = new Map();       // SIP channel id → call
const byMedia = new Map();     // media channel id → call
let arrived = 0;
let up = 0;
let ended = 0;
let firstArrival = null;
let slowCall = null;

function newBot(call) {
	return {
		open: false, port: 0, frames: 0, firstText: null, firstMsgBinary: false,
		winFrames: 0, close: null, connected: null,
		// slow bot only
		pausedFrames: 0, resumeFrames1s: 0, resumeFirst: null, resumeBurst50ms: 0,
	};
}

// The bots live in bench/em_bots.c (one epoll loop in C, see its header):
// node's own per-message cost would take most of a core at 500 bots and
// add its event-loop lag to every figure. This process drives them with
// one-line commands and reads their answers.
const BOTS_BIN = process.env.BENCH_EM_BOTS_BIN || path.join(TMP, 'em_bots');
const byIdx = new Map();       // call index → call
const botReplies = [];         // resolvers, in the order of the commands that answer
const botProc = spawn(BOTS_BIN, [u.hostname, u.port], { stdio: ['pipe', 'pipe', 'inherit'] });
botProc.on('error', (e) => { console.error(`app: bots process: ${e.message}`); process.exit(2); });
botProc.on('exit', (code, sig) => {
	if (!finished) { problem('bots process exited', `${code === null ? sig : code} at t=${sinceS()}s`); }
});
let botOut = '';
botProc.stdout.setEncoding('utf8');
botProc.stdout.on('data', (d) => {
	botOut += d;
	let nl;
	while ((nl = botOut.indexOf('\n')) >= 0) {
		const line = botOut.slice(0, nl);
		botOut = botOut.slice(nl + 1);
		onBotLine(line);
	}
});
const botCmd = (line) => botProc.stdin.write(line + '\n');
const botAsk = (line) => new Promise((resolve) => { botReplies.push(resolve); botCmd(line); });

function onBotLine(line) {
	const sp = line.indexOf(' ');
	const kind = sp < 0 ? line : line.slice(0, sp);
	const rest = sp < 0 ? '' : line.slice(sp + 1);
	if (kind === 'open' || kind === 'fail' || kind === 'close') {
		const f = rest.split(' ');
		const call = byIdx.get(Number(f[0]));
		if (!call) return;
		const b = call.bot;
		if (kind === 'open') {
			b.open = true;
			b.port = Number(f[1]);
			if (b.connected) b.connected({ ok: true });
		} else if (kind === 'fail') {
			if (b.connected) b.connected({ ok: false, why: f.slice(1).join(' ') });
		} else {
			b.close = { code: Number(f[1]), reason: f.slice(3).join(' '), t: BigInt(f[2]) };
			if (b.connected) b.connected({ ok: false, why: `closed ${f[1]} before open` });
			if (b.open && !call.ended && phase !== 'after' && !call.sipEnded && (phase === 'measure' || phase === 'warmup'))
				problem('bot closed during the run', `call ${call.idx}${call.slow ? ' (slow bot)' : ''}: code ${f[1]} ${b.close.reason} at t=${sinceS()}s`);
		}
		return;
	}
	const r = botReplies.shift();
	if (r) r(rest);
}

/** The window's figures, from the bots: inter-arrival times and counters. */
async function botDump() {
	const base = path.join(TMP, 'bots-iv');
	const j = JSON.parse(await botAsk(`D ${base}`));
	const load = (ext) => {
		const buf = fs.readFileSync(`${base}.${ext}`);
		const f = new Floats();
		f.a = new Float64Array(buf.buffer, buf.byteOffset, buf.length / 8).slice();
		f.n = f.a.length;
		return f;
	};
	ivAll = load('all');
	ivPause = load('pause');
	ivOutside = load('out');
	winFrames = j.winFrames;
	pauseFrames = j.pauseFrames;
	badSize = j.badSize;
	for (const [size, n] of j.badSizes) badSizes.set(size, n);
	for (const x of j.bots) {
		const call = byIdx.get(x.idx);
		if (!call) continue;
		Object.assign(call.bot, {
			frames: x.frames, winFrames: x.winFrames, firstText: x.firstText || null, firstMsgBinary: x.firstMsgBinary,
			pausedFrames: x.pausedFrames, resumeFrames1s: x.resumeFrames1s, resumeBurst50ms: x.resumeBurst50ms,
			resumeFirst: x.resumeFirst !== '0' ? BigInt(x.resumeFirst) : null,
		});
	}
}

function connectBot(call, connId) {
	return new Promise((resolve) => {
		const b = call.bot;
		const timer = setTimeout(() => finish({ ok: false, why: 'open timed out after 10 s' }), 10000);
		const finish = (v) => { if (b.connected) { b.connected = null; clearTimeout(timer); resolve(v); } };
		b.connected = finish;
		botCmd(`C ${call.idx} ${call.slow ? 1 : 0} /media/${enc(connId)}`);
	});
}

async function setupCall(call) {
	const step = (what, r) => problem(`${what} failed`, `call ${call.idx}: ${r.status} ${short(r.body)}`);
	let r = await req('POST', `/channels/${enc(call.sip)}/answer`);
	if (r.status !== 204) return step('answer', r);
	r = await req('POST', `/channels/externalMedia?app=bench&transport=websocket&encapsulation=none` +
		`&connection_type=server&format=${FORMAT}`);
	if (r.status !== 200) return step('externalMedia', r);
	let ch;
	try { ch = JSON.parse(r.body); } catch { return step('externalMedia (JSON)', r); }
	const connId = ch.channelvars && ch.channelvars.MEDIA_WEBSOCKET_CONNECTION_ID;
	if (!connId) return step('externalMedia (no MEDIA_WEBSOCKET_CONNECTION_ID)', r);
	call.media = ch.id;
	byMedia.set(ch.id, call);
	if (call.sipEnded) return undefined;
	const c = await connectBot(call, connId);
	if (!c.ok) return problem('bot connect failed', `call ${call.idx}: ${c.why}`);
	r = await req('POST', '/bridges?type=mixing');
	if (r.status !== 200) return step('POST /bridges', r);
	call.bridge = JSON.parse(r.body).id;
	r = await req('POST', `/bridges/${enc(call.bridge)}/addChannel?channel=${enc(call.sip)},${enc(call.media)}`);
	if (r.status !== 204) return step('addChannel', r);
	call.up = true;
	up++;
	if (up % 100 === 0 || up === TOTAL) console.log(`  t=${sinceS()}s: ${up}/${TOTAL} calls up (answered, bot connected, bridged)`);
	if (up === TOTAL && phase === 'setup') startWarmup();
	return undefined;
}

async function cleanupCall(call) {
	if (call.media) {
		const r = await req('DELETE', `/channels/${enc(call.media)}`);
		if (r.status !== 204 && r.status !== 404) problem('DELETE media channel failed', `call ${call.idx}: ${r.status} ${short(r.body)}`);
	}
	if (call.bridge) {
		const r = await req('DELETE', `/bridges/${enc(call.bridge)}`);
		if (r.status !== 204 && r.status !== 404) problem('DELETE bridge failed', `call ${call.idx}: ${r.status} ${short(r.body)}`);
	}
	call.ended = true;
	ended++;
	if (ended === TOTAL) allEnded();
}

// ------------------------------------------------------------ wire view
// What ariadne itself does, without node's scheduling: tcpdump on lo stamps,
// in the kernel, each TCP segment ariadne writes to a sample of the bots
// (BENCH_EM_PCAP of them), so the inter-departure times below are free of
// whatever delay node adds before a bot's 'message' handler runs. For the same sample,
// GET /channels/{sip}/rtp_statistics at the window's start and end says how
// many RTP packets the SIP legs received from SIPp (the tone) and sent to it
// (the bot's echo, back through the bridge).

let sampled = [];
let cap = null;            // {proc, file, stderr, exited}
let rtpStart = null;
let rtpEnd = null;
let measureDone = Promise.resolve();
const wallOffsetUs = (performance.timeOrigin + performance.now()) * 1000 - Number(hr()) / 1000;
const wallUs = (ns) => Number(ns) / 1000 + wallOffsetUs;

function pickSampled() {
	const reg = [...calls.values()].filter((c) => !c.slow && c.up).sort((a, b) => a.idx - b.idx);
	const k = Math.min(Math.max(PCAP_BOTS, 20), reg.length);
	const out = [];
	for (let i = 0; i < k; i++) out.push(reg[Math.floor((i * reg.length) / k)]);
	return out;
}

function startCapture() {
	if (!PCAP_BOTS) return Promise.resolve();
	const ports = sampled.slice(0, PCAP_BOTS).map((c) => c.bot.port).filter(Boolean);
	if (!ports.length) return Promise.resolve();
	const file = path.join(TMP, 'bots.pcap');
	const filter = `tcp and src host 127.0.0.1 and src port ${u.port} and (${ports.map((p) => `dst port ${p}`).join(' or ')})`;
	const proc = spawn('tcpdump', ['-i', 'lo', '-n', '-s', '128', '-B', '8192', '-U', '-w', file, filter],
		{ stdio: ['ignore', 'ignore', 'pipe'] });
	cap = { proc, file, stderr: '', exited: null, ports };
	proc.stderr.setEncoding('utf8');
	return new Promise((resolve) => {
		const t = setTimeout(() => { console.log('  note: tcpdump not listening after 3 s'); resolve(); }, 3000);
		proc.stderr.on('data', (d) => {
			cap.stderr += d;
			if (/listening on/.test(cap.stderr)) { clearTimeout(t); resolve(); }
		});
		proc.on('error', (e) => { cap.exited = e.message; clearTimeout(t); resolve(); });
		proc.on('exit', (code, sig) => { cap.exited = `exit ${code === null ? sig : code}`; clearTimeout(t); resolve(); });
	});
}

function stopCapture() {
	if (!cap || cap.exited) return Promise.resolve();
	return new Promise((resolve) => {
		const t = setTimeout(() => cap.proc.kill('SIGKILL'), 3000);
		cap.proc.on('exit', () => { clearTimeout(t); resolve(); });
		cap.proc.kill('SIGINT');
	});
}

/** TCP segments with payload in a pcap file: [{dport, us, len}]. */
function readPcap(file) {
	const b = fs.readFileSync(file);
	if (b.length < 24) return [];
	const magic = b.readUInt32LE(0);
	let le = true;
	let nano = false;
	if (magic === 0xa1b23c4d) nano = true;
	else if (magic === 0xd4c3b2a1) le = false;
	else if (magic === 0x4d3cb2a1) { le = false; nano = true; } else if (magic !== 0xa1b2c3d4) throw new Error('not a pcap file');
	const u32 = (o) => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
	const link = u32(20) & 0xffff;
	const lhl = { 0: 4, 1: 14, 12: 0, 101: 0, 113: 16, 276: 20 }[link];
	if (lhl === undefined) throw new Error(`link type ${link}`);
	const out = [];
	for (let o = 24; o + 16 <= b.length;) {
		const us = u32(o) * 1e6 + (nano ? u32(o + 4) / 1000 : u32(o + 4));
		const incl = u32(o + 8);
		const ip = o + 16 + lhl;
		o += 16 + incl;
		if (o > b.length || incl < lhl + 40 || (b[ip] >> 4) !== 4 || b[ip + 9] !== 6) continue;
		const ihl = (b[ip] & 0x0f) * 4;
		const len = b.readUInt16BE(ip + 2) - ihl - (b[ip + ihl + 12] >> 4) * 4;
		if (len > 0) out.push({ dport: b.readUInt16BE(ip + ihl + 2), us, len });
	}
	return out;
}

function wireFigures() {
	if (!cap) return null;
	if (!fs.existsSync(cap.file)) return { error: `no capture: tcpdump ${cap.exited || '?'}: ${short(cap.stderr)}` };
	let pkts;
	try { pkts = readPcap(cap.file); } catch (e) { return { error: e.message }; }
	const s0 = wallUs(winStart);
	const s1 = wallUs(winEnd);
	const last = new Map();
	const iv = new Floats();
	const ivP = new Floats();
	const p0 = pauseStart ? wallUs(pauseStart) : 0;
	const p1 = pauseEnd ? wallUs(pauseEnd) : 0;
	let frames = 0;
	let multi = 0;
	for (const p of pkts) {
		if (p.us < s0 || p.us > s1) continue;
		const k = Math.max(1, Math.round(p.len / WS_FRAME));
		if (k > 1) multi++;
		for (let j = 0; j < k; j++) {
			const prev = last.get(p.dport);
			if (prev !== undefined) {
				iv.push((p.us - prev) / 1000);
				if (p.us >= p0 && p.us <= p1) ivP.push((p.us - prev) / 1000);
			}
			last.set(p.dport, p.us);
		}
		frames += k;
	}
	const dropped = /(\d+) packets? dropped by kernel/.exec(cap.stderr);
	return {
		bots: cap.ports.length, frames, expected: Math.round(cap.ports.length * (s1 - s0) / 1000 / TICK_MS),
		multi, st: stats(iv), pause: stats(ivP), kernelDrops: dropped ? Number(dropped[1]) : NaN,
	};
}

async function rtpSnap() {
	const counts = (await botAsk(`F ${sampled.map((c) => c.idx).join(' ')}`)).split(' ').map(Number);
	return Promise.all(sampled.map(async (c, i) => {
		const r = await req('GET', `/channels/${enc(c.sip)}/rtp_statistics`);
		let j = null;
		try { j = JSON.parse(r.body); } catch { /* below */ }
		if (r.status !== 200 || !j || j.rxcount === undefined) {
			problem('rtp_statistics failed', `call ${c.idx}: ${r.status} ${short(r.body)}`);
			return null;
		}
		return { idx: c.idx, rx: j.rxcount, tx: j.txcount, frames: counts[i], t: hr() };
	}));
}

// ------------------------------------------------------------ phases

let setupTimer = null;
let sampler = null;
let endTimer = null;
const samples = [];
const pings = [];
const eld = monitorEventLoopDelay({ resolution: 10 });

function startWarmup() {
	if (phase !== 'setup') return;
	clearTimeout(setupTimer);
	phase = 'warmup';
	if (up < TOTAL) console.log(`  t=${sinceS()}s: going on with the ${up} calls that are up`);
	console.log(`  t=${sinceS()}s: warm-up ${WARMUP_S} s`);
	sampled = pickSampled();
	const ready = startCapture();
	setTimeout(async () => { await ready; startMeasure(); }, WARMUP_S * 1000);
}

function procTicks(pid) {
	try {
		const s = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
		const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
		return Number(f[11]) + Number(f[12]); // utime, stime (fields 14, 15)
	} catch { return NaN; }
}
function rssKb(pid) {
	try {
		const m = /^VmRSS:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
		return m ? Number(m[1]) : NaN;
	} catch { return NaN; }
}
/** Whole machine: busy and steal ticks (all cores) from /proc/stat. */
function machineTicks() {
	try {
		const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
		const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
		return { busy: total - f[3] - f[4], steal: f[7] || 0 };
	} catch { return { busy: NaN, steal: NaN }; }
}
function sippPid() {
	try { return Number(fs.readFileSync(SIPP_PID_FILE, 'utf8').trim()) || 0; } catch { return 0; }
}

function startMeasure() {
	phase = 'measure';
	winStart = hr();
	for (const c of calls.values()) c.measured = c.up;
	botCmd(`M ${[...calls.values()].filter((c) => c.measured && !c.slow).map((c) => c.idx).join(' ')}`);
	// The window must end before the first call's planned hangup.
	let holdMs = HOLD_S * 1000;
	const firstEnd = ms(firstArrival - T0) + CALL_MS - 1500;
	const avail = firstEnd - ms(winStart - T0);
	if (avail < holdMs) {
		console.log(`  NOTE window shortened: the calls were up late; measuring ${(avail / 1000).toFixed(1)} s instead of ${HOLD_S} s`);
		holdMs = Math.max(1000, avail);
	}
	console.log(`  t=${sinceS()}s: measuring for ${(holdMs / 1000).toFixed(1)} s`);
	measureDone = rtpSnap().then((v) => { rtpStart = v; });
	eld.enable();
	const capPid = () => (cap && !cap.exited ? cap.proc.pid : 0);
	let prev = { t: hr(), a: procTicks(ARIADNE_PID), cpu: process.cpuUsage(), s: NaN, sp: sippPid(), m: machineTicks(), tp: capPid(), b: procTicks(botProc.pid) };
	if (prev.sp) prev.s = procTicks(prev.sp);
	prev.td = prev.tp ? procTicks(prev.tp) : 0;
	sampler = setInterval(async () => {
		const now = { t: hr(), a: procTicks(ARIADNE_PID), cpu: process.cpuUsage(), sp: sippPid(), m: machineTicks(), tp: capPid(), b: procTicks(botProc.pid) };
		now.s = now.sp ? procTicks(now.sp) : NaN;
		now.td = now.tp ? procTicks(now.tp) : 0;
		const dt = Number(now.t - prev.t) / 1e9;
		const smp = {
			at: ms(now.t - winStart) / 1000,
			ariadne: ((now.a - prev.a) / CLK_TCK / dt) * 100,
			rss: rssKb(ARIADNE_PID),
			node: ((now.cpu.user - prev.cpu.user + now.cpu.system - prev.cpu.system) / 1e6 / dt) * 100,
			bots: ((now.b - prev.b) / CLK_TCK / dt) * 100,
			sipp: now.sp === prev.sp ? ((now.s - prev.s) / CLK_TCK / dt) * 100 : NaN,
			machine: ((now.m.busy - prev.m.busy) / CLK_TCK / dt) * 100,
			steal: ((now.m.steal - prev.m.steal) / CLK_TCK / dt) * 100,
			tcpdump: now.tp && now.tp === prev.tp ? ((now.td - prev.td) / CLK_TCK / dt) * 100 : 0,
			paused: pausing,
		};
		smp.others = smp.machine - smp.ariadne - smp.node - smp.bots - (Number.isFinite(smp.sipp) ? smp.sipp : 0) - smp.tcpdump;
		prev = now;
		samples.push(smp);
		const r = await req('GET', '/asterisk/ping', { timeoutMs: 5000 });
		if (r.status !== 200) problem('GET /ari/asterisk/ping failed', `${r.status} ${short(r.body)}`);
		pings.push({ ms: r.ms, paused: smp.paused || pausing });
		console.log(`  +${smp.at.toFixed(0)}s: ariadne CPU ${f1(smp.ariadne)}% RSS ${smp.rss} kB | app CPU ${f1(smp.node)}% bots ${f1(smp.bots)}%` +
			` | SIPp CPU ${f1(smp.sipp)}% | machine ${f1(smp.machine)}% of ${CORES * 100}% (others ${f1(smp.others)}%, steal ${f1(smp.steal)}%) | ping ${f1(r.ms)} ms${smp.paused ? ' | slow bot paused' : ''}`);
	}, 1000);
	if (SLOW_ON && slowCall && slowCall.up) {
		let at = Math.min(SLOW_AT_S * 1000, Math.max(0, holdMs - SLOW_S * 1000 - 1000));
		setTimeout(async () => {
			if (!slowCall.bot.open || slowCall.bot.close) return;
			pausing = true;
			pauseStart = BigInt(await botAsk('P'));
			console.log(`  t=${sinceS()}s: slow bot (call ${slowCall.idx}) stops reading for ${SLOW_S} s`);
			setTimeout(async () => {
				pausing = false;
				pauseEnd = BigInt(await botAsk('R'));
				console.log(`  t=${sinceS()}s: slow bot reads again`);
			}, SLOW_S * 1000);
		}, at);
	}
	endTimer = setTimeout(endMeasure, holdMs);
}

function endMeasure() {
	if (phase !== 'measure') return;
	winEnd = hr();
	botCmd('E');
	phase = 'after';
	clearInterval(sampler);
	eld.disable();
	console.log(`  t=${sinceS()}s: window over; waiting for SIPp to hang up the calls`);
	const prev = measureDone;
	// Calls that never reached Stasis never end here: stop waiting once SIPp is gone.
	const gone = setInterval(() => {
		const pid = sippPid();
		let st = '';
		try { st = fs.readFileSync(`/proc/${pid}/stat`, 'utf8'); } catch { /* gone */ }
		const dead = pid && (!st || st.slice(st.lastIndexOf(')') + 2)[0] === 'Z');
		if (dead && ended === arrived) { clearInterval(gone); allEnded(); }
	}, 500);
	gone.unref();
	measureDone = (async () => {
		await prev;
		rtpEnd = await rtpSnap();
		await stopCapture();
	})();
}

let finished = false;
async function allEnded() {
	if (finished) return;
	finished = true;
	if (phase === 'measure') endMeasure();
	// Sockets close once ariadne hangs the media channels up.
	for (let i = 0; i < 50; i++) {
		let open = 0;
		for (const c of calls.values()) if (c.bot.open && c.bot.close === null) open++;
		if (!open) break;
		await sleep(100);
	}
	await report();
}

// ------------------------------------------------------------ report

async function report() {
	if (phase === 'measure') endMeasure();
	await measureDone;
	await botDump();
	const winMs = winEnd && winStart ? ms(winEnd - winStart) : 0;
	const pauseMs = pauseEnd && pauseStart ? ms(pauseEnd - pauseStart) : 0;
	const regular = [...calls.values()].filter((c) => !c.slow && c.measured);
	if (up < TOTAL) problem('calls not set up', `${TOTAL - up} of ${TOTAL} calls never got answered, connected and bridged (${arrived} reached Stasis)`);
	const expected = Math.round(regular.length * winMs / TICK_MS);
	const expectedPause = Math.round(regular.length * pauseMs / TICK_MS);
	const all = stats(ivAll);
	const pz = stats(ivPause);
	const out = stats(ivOutside);
	const mean = (k, pred = () => true) => {
		const v = samples.filter(pred).map((s) => s[k]).filter(Number.isFinite);
		return v.length ? v.reduce((a, b) => a + b, 0) / v.length : NaN;
	};
	const max = (k) => Math.max(...samples.map((s) => s[k]).filter(Number.isFinite));
	const rssMax = max('rss');

	console.log();
	console.log(`calls: ${arrived} arrived, ${up} set up, ${ended} ended (expected ${TOTAL}: ${N} + ${TOTAL - N} slow bot)`);
	console.log(`window: ${(winMs / 1000).toFixed(1)} s after ${WARMUP_S} s of warm-up, ${regular.length} regular bots`);
	console.log(`RESULT N=${N} ariadne: CPU avg ${f1(mean('ariadne'))}% max ${f1(max('ariadne'))}% of one core, RSS max ${(rssMax / 1024).toFixed(1)} MB (${samples.length} samples)`);
	console.log(`RESULT N=${N} node (the ARI app): CPU avg ${f1(mean('node'))}% max ${f1(max('node'))}%; em_bots (${up} bots): CPU avg ${f1(mean('bots'))}% max ${f1(max('bots'))}%; SIPp CPU avg ${f1(mean('sipp'))}% max ${f1(max('sipp'))}%`);
	console.log(`RESULT N=${N} machine: busy avg ${f1(mean('machine'))}% max ${f1(max('machine'))}% of ${CORES * 100}%; not ariadne/node/bots/SIPp/tcpdump avg ${f1(mean('others'))}% (kernel softirq, other work); steal avg ${f1(mean('steal'))}%`);
	const h = eld.count ? eld : null;
	// The histogram holds the time between the 10 ms timer's runs: its lag is that minus 10 ms.
	const lag = (v) => (h ? f1(Math.max(0, v / 1e6 - 10)) : '-');
	console.log(`RESULT N=${N} node event-loop lag (beyond a 10 ms timer): p50 ${lag(h && h.percentile(50))} ms p99 ${lag(h && h.percentile(99))} ms max ${lag(h && h.max)} ms`);
	console.log(`RESULT N=${N} inter-arrival (regular bots, whole window): p50 ${f2(all.p50)} ms p99 ${f2(all.p99)} ms p99.9 ${f2(all.p999)} ms max ${f2(all.max)} ms min ${f2(all.min)} ms mean ${f2(all.mean)} ms;` +
		` ${f1(all.within)}% within 20±5 ms, ${all.over30} > 30 ms, ${all.over50} > 50 ms, ${all.under5} < 5 ms (${all.n} intervals)`);
	console.log(`RESULT N=${N} frames: received ${winFrames} / expected ${expected} (${expected ? f2((100 * winFrames) / expected) : '-'}%)` +
		`${badSize ? `; ${badSize} frames not ${FRAME_BYTES} bytes: ${[...badSizes].map(([k, v]) => `${v}×${k}`).join(' ')}` : `; all ${FRAME_BYTES} bytes`}`);
	if (rtpStart && rtpEnd) {
		let rx = 0; let tx = 0; let fr = 0; let exp = 0; let k = 0;
		for (let i = 0; i < rtpStart.length; i++) {
			const a = rtpStart[i]; const b = rtpEnd[i];
			if (!a || !b) continue;
			k++;
			rx += b.rx - a.rx; tx += b.tx - a.tx; fr += b.frames - a.frames;
			exp += ms(b.t - a.t) / TICK_MS;
		}
		const pc = (v) => (exp ? f1((100 * v) / exp) : '-');
		console.log(`RESULT N=${N} ${k} sampled calls, same span: SIP legs received ${rx} RTP packets from SIPp (${pc(rx)}% of 50/s), sent ${tx} to it (${pc(tx)}%); their bots received ${fr} frames (${pc(fr)}%)`);
	}
	const wire = wireFigures();
	let wireLine = '';
	if (wire && wire.error) console.log(`  note: tcpdump capture unreadable: ${wire.error}`);
	else if (wire) {
		const w = wire.st;
		console.log(`RESULT N=${N} on the wire (kernel timestamps, tcpdump, ${wire.bots} bots): ariadne's inter-departure p50 ${f2(w.p50)} ms p99 ${f2(w.p99)} ms p99.9 ${f2(w.p999)} ms max ${f2(w.max)} ms;` +
			` ${f1(w.within)}% within 20±5 ms, ${w.over30} > 30 ms, ${w.under5} < 5 ms; frames ${wire.frames} / expected ${wire.expected}, ${wire.multi} segments carried > 1 frame` +
			`${Number.isFinite(wire.kernelDrops) ? `; capture drops ${wire.kernelDrops}` : ''}`);
		if (wire.pause.n) console.log(`RESULT N=${N} on the wire while the slow bot did not read: inter-departure p99 ${f2(wire.pause.p99)} ms max ${f2(wire.pause.max)} ms (${wire.pause.n} intervals)`);
		wireLine = ` wire_p99=${f1(w.p99)}ms wire_max=${f1(w.max)}ms`;
	}
	const low = regular.filter((c) => c.bot.winFrames < 0.95 * winMs / TICK_MS);
	if (low.length) {
		low.sort((a, b) => a.bot.winFrames - b.bot.winFrames);
		console.log(`  NOTE ${low.length} regular bots received < 95% of the frames expected in the window (fewest: call ${low[0].idx}, ${low[0].bot.winFrames} of ${Math.round(winMs / TICK_MS)})`);
	}
	const none = regular.filter((c) => c.bot.winFrames === 0);
	if (none.length) problem('bots without audio', `${none.length} regular bots received no frame in the window (e.g. call ${none[0].idx})`);
	let slowLine = 'slow=off';
	if (SLOW_ON && slowCall) {
		const b = slowCall.bot;
		const pingPause = pings.filter((p) => p.paused).map((p) => p.ms);
		const pingOther = pings.filter((p) => !p.paused).map((p) => p.ms);
		console.log(`RESULT N=${N} while the slow bot did not read (${(pauseMs / 1000).toFixed(1)} s): other bots' inter-arrival p50 ${f2(pz.p50)} ms p99 ${f2(pz.p99)} ms max ${f2(pz.max)} ms,` +
			` ${f1(pz.within)}% within 20±5 ms; frames ${pauseFrames} / expected ${expectedPause}; rest of the window: p99 ${f2(out.p99)} ms max ${f2(out.max)} ms`);
		console.log(`RESULT N=${N} ARI ping during the pause: max ${f1(Math.max(...pingPause))} ms; otherwise max ${f1(Math.max(...pingOther))} ms`);
		const resumeLag = b.resumeFirst !== null ? f1(ms(b.resumeFirst - pauseEnd)) : '-';
		console.log(`RESULT N=${N} slow bot: ${b.pausedFrames} frames while paused, after reading again: first frame +${resumeLag} ms, ${b.resumeBurst50ms} frames within 50 ms of it, ${b.resumeFrames1s} in the first second;` +
			` ${b.winFrames} frames in the window (of ${Math.round(winMs / TICK_MS)} at 50/s); socket ${b.close ? `closed ${b.close.code} at t=${sinceS(b.close.t)}s` : 'open'}${slowCall.sipEnded && b.close && winEnd && b.close.t < winEnd ? ' (DURING the window)' : ''}`);
		slowLine = `slow_p99=${f1(pz.p99)}ms slow_max=${f1(pz.max)}ms`;
	}

	// Leftovers.
	let r = await req('GET', '/channels');
	let left = [];
	try { left = JSON.parse(r.body); } catch { problem('GET /ari/channels', `${r.status} ${short(r.body)}`); }
	for (let i = 0; left.length && i < 20; i++) {
		await sleep(250);
		r = await req('GET', '/channels');
		try { left = JSON.parse(r.body); } catch { left = []; }
	}
	if (left.length) problem('channels left over', `${left.length}: ${left.slice(0, 5).map((c) => `${c.name} (${c.state})`).join(', ')}`);
	r = await req('GET', '/bridges');
	try {
		const b = JSON.parse(r.body);
		if (b.length) problem('bridges left over', `${b.length}: ${b.slice(0, 3).map((x) => `${x.id} (${x.channels.length} channels)`).join(', ')}`);
	} catch { problem('GET /ari/bridges', `${r.status} ${short(r.body)}`); }
	const notClean = [...calls.values()].filter((c) => c.bot.close && c.bot.close.code !== 1000);
	if (notClean.length) problem('media sockets not closed with 1000', `${notClean.length}: e.g. call ${notClean[0].idx} ${notClean[0].bot.close.code} ${notClean[0].bot.close.reason}`);
	const notStart = [...calls.values()].filter((c) => c.up && (!c.bot.firstText || !c.bot.firstText.startsWith('MEDIA_START') || c.bot.firstMsgBinary));
	if (notStart.length) problem('first message not a TEXT MEDIA_START', `${notStart.length} bots: e.g. ${short(notStart[0].bot.firstText)}`);

	const summary = `N=${N} cpu_avg=${f1(mean('ariadne'))}% cpu_max=${f1(max('ariadne'))}% rss_max=${(rssMax / 1024).toFixed(1)}MB` +
		` p50=${f2(all.p50)}ms p99=${f2(all.p99)}ms max=${f1(all.max)}ms frames=${winFrames}/${expected} ${slowLine}${wireLine}` +
		` node_cpu=${f1(mean('node'))}% bots_cpu=${f1(mean('bots'))}% sipp_cpu=${f1(mean('sipp'))}% machine=${f1(mean('machine'))}%/${CORES * 100}% calls=${up}/${TOTAL}${problems.size ? ' PROBLEMS' : ''}`;
	if (problems.size) {
		console.log(`problems (${problems.size} kinds):`);
		for (const [k, p] of problems) console.log(`  PROBLEM ${k}: ${p.count} times; e.g. ${p.examples.join(' | ')}`);
	}
	if (SUMMARY) fs.appendFileSync(SUMMARY, summary + '\n');
	console.log(`SUMMARY ${summary}`);
	process.exit(problems.size ? 1 : 0);
}

// ------------------------------------------------------------ events

const ev = new WebSocket(`ws://${u.host}/ari/events?app=bench&api_key=${enc(AUTH)}`, { perMessageDeflate: false });
ev.on('open', () => {
	console.log(`  app: connected to ${u.host} (app bench); waiting for ${TOTAL} calls`);
	if (READY_FILE) fs.writeFileSync(READY_FILE, 'ready\n');
});
ev.on('error', (e) => { console.error(`app: events WebSocket: ${e.message}`); process.exit(2); });
ev.on('close', () => {
	if (!finished) { problem('events WebSocket closed', `at t=${sinceS()}s`); report(); }
});
ev.on('message', (data) => {
	const e = JSON.parse(data);
	if (e.type === 'StasisStart') {
		if (byMedia.has(e.channel.id) || e.channel.name.startsWith('WebSocket/')) return;
		const call = { idx: arrived++, sip: e.channel.id, media: null, bridge: null, up: false, ended: false, sipEnded: false, slow: false };
		call.bot = newBot(call);
		byIdx.set(call.idx, call);
		if (call.idx === 0 && SLOW_ON) { call.slow = true; slowCall = call; }
		calls.set(call.sip, call);
		if (firstArrival === null) {
			firstArrival = hr();
			setupTimer = setTimeout(() => {
				console.log(`  NOTE only ${up} of ${TOTAL} calls up ${SETUP_S} s after the first arrived (${arrived} arrived); measuring those`);
				if (up > (SLOW_ON ? 1 : 0)) startWarmup();
			}, SETUP_S * 1000);
		}
		setupCall(call).catch((err) => problem('setup threw', `call ${call.idx}: ${err.stack}`));
	} else if (e.type === 'StasisEnd') {
		const call = calls.get(e.channel.id);
		if (call && !call.sipEnded) {
			call.sipEnded = true;
			if (phase === 'measure') {
				problem('call ended during the window', `call ${call.idx}${call.slow ? ' (slow bot)' : ''} at t=${sinceS()}s`);
			}
			cleanupCall(call).catch((err) => problem('cleanup threw', `call ${call.idx}: ${err.stack}`));
		}
		const m = byMedia.get(e.channel.id);
		if (m && !m.sipEnded && phase !== 'after')
			problem('media channel left Stasis before its call', `call ${m.idx}${m.slow ? ' (slow bot)' : ''} at t=${sinceS()}s (phase ${phase})`);
	}
});

setTimeout(() => {
	problem('timeout', `${TIMEOUT_S} s: ${arrived} arrived, ${up} up, ${ended} ended`);
	if (!finished) { finished = true; if (phase === 'measure') endMeasure(); report(); }
}, TIMEOUT_S * 1000).unref();
// Never leave tcpdump behind, whatever the way out.
process.on('exit', () => {
	if (cap && !cap.exited) cap.proc.kill('SIGKILL');
	botProc.kill('SIGKILL');
});
process.on('SIGTERM', () => {
	console.log(`app: SIGTERM at t=${sinceS()}s (${arrived} arrived, ${up} up, ${ended} ended)`);
	process.exit(1);
});
