'use strict';
// The ARI application and the sampler of bench/soak.sh.
//
// SIP calls arrive in Stasis app `soak` (SIPp sends a tone in a loop):
// every other one hears prompts played over and over (playback), the
// others are paired two by two in mixing bridges and hear each other
// (audio through a bridge both ways). Once a second an ARI originate makes
// a Local channel (Local/s@soak-far: Answer, Playback, Hangup) whose ;1
// half enters the app and is answered. Every BENCH_SOAK_RECONNECT_S the app
// drops its events socket and comes back with since=<last sequence>
// (ari.conf reconnect_grace keeps its calls meanwhile); an EventsLost is a
// failure. Every BENCH_SOAK_SAMPLE_S a CSV line: time, ariadne's RSS and
// open fds, channels and bridges, calls answered, originates, failures.
//
// argv: ARI base URL, user:password, ariadne's pid, CSV file, duration (s).
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const WebSocket = require(path.join(__dirname, '..', 'node_modules', 'ws'));

const [URL_ARG, AUTH, PID, CSV, DURATION] = process.argv.slice(2);
const num = (name, def) => Number(process.env[name] || def);
const SAMPLE_S = num('BENCH_SOAK_SAMPLE_S', 10);
const RECONNECT_S = num('BENCH_SOAK_RECONNECT_S', 120);
const ORIGINATE_MS = num('BENCH_SOAK_ORIGINATE_MS', 1000);
const u = new URL(URL_ARG);
// Idle sockets go after 10 s, before the server's session_inactivity (30 s)
// closes them under a request sent just then (ECONNRESET).
const agent = new http.Agent({ keepAlive: true, maxSockets: 16, timeout: 10000 });
const HDR = { Authorization: 'Basic ' + Buffer.from(AUTH).toString('base64') };
const enc = encodeURIComponent;
const t0 = Date.now();

const stats = { answered: 0, played: 0, bridged: 0, originated: 0, reconnects: 0, failures: 0, lost: 0 };
const failures = new Map();
function fail(kind, detail) {
	stats.failures++;
	const n = (failures.get(kind) || 0) + 1;
	failures.set(kind, n);
	if (n <= 3) console.log(`  FAILURE ${kind}: ${detail}`);
}

function req(method, p) {
	return new Promise((resolve) => {
		const r = http.request({ host: u.hostname, port: u.port, method, path: '/ari' + p, headers: HDR, agent }, (res) => {
			let b = '';
			res.setEncoding('utf8');
			res.on('data', (d) => { b += d; });
			res.on('end', () => resolve({ status: res.statusCode, body: b }));
		});
		r.setTimeout(10000, () => r.destroy(new Error('timed out')));
		r.on('error', (e) => resolve({ status: 0, body: e.message }));
		r.end();
	});
}
// A channel can hang up between an event and our request: 404 then is no failure.
const ok = (r, want) => r.status === want || r.status === 404;

const live = new Set();       // channels in the app
let waiting = null;           // an unpaired SIP call
let sipCalls = 0;

async function onStart(ch) {
	live.add(ch.id);
	const r = await req('POST', `/channels/${enc(ch.id)}/answer`);
	if (!ok(r, 204)) return fail('answer', `${r.status} ${r.body}`);
	stats.answered++;
	if (ch.name.startsWith('Local/')) return undefined;
	if (sipCalls++ % 2 === 0) return play(ch.id);
	if (!waiting || !live.has(waiting)) { waiting = ch.id; return undefined; }
	const peer = waiting;
	waiting = null;
	const b = await req('POST', '/bridges?type=mixing');
	if (b.status !== 200) return fail('bridge create', `${b.status} ${b.body}`);
	const bid = JSON.parse(b.body).id;
	const a = await req('POST', `/bridges/${enc(bid)}/addChannel?channel=${enc(peer)},${enc(ch.id)}`);
	if (!ok(a, 204) && a.status !== 400) fail('addChannel', `${a.status} ${a.body}`);
	else stats.bridged++;
	return undefined;
}

async function play(id) {
	if (!live.has(id)) return;
	const r = await req('POST', `/channels/${enc(id)}/play?media=${enc('sound:hello-world')}`);
	if (!ok(r, 200) && r.status !== 409) fail('play', `${r.status} ${r.body}`);
	else stats.played++;
}

// Bridges whose calls ended: destroyed, so nothing is left behind.
async function onLeftBridge(ev) {
	if (ev.bridge && ev.bridge.channels.length === 0) {
		const r = await req('DELETE', `/bridges/${enc(ev.bridge.id)}`);
		if (!ok(r, 204)) fail('bridge destroy', `${r.status} ${r.body}`);
	}
}

let ws = null;
let lastSeq = 0;
let closing = false;
function connect(since) {
	const q = since ? `&since=${since}` : '';
	ws = new WebSocket(`ws://${u.host}/ari/events?app=soak&api_key=${enc(AUTH)}${q}`);
	ws.on('open', () => { if (!since) console.log('ready'); });
	ws.on('error', (e) => fail('events socket', e.message));
	ws.on('close', () => { if (!closing) fail('events socket', 'closed by the server'); });
	ws.on('message', (data) => {
		const ev = JSON.parse(data);
		if (ev.sequence) {
			if (ev.sequence <= lastSeq) fail('event twice', `sequence ${ev.sequence} after ${lastSeq}`);
			lastSeq = ev.sequence;
		}
		if (ev.type === 'EventsLost') { stats.lost++; fail('events lost', JSON.stringify(ev)); }
		else if (ev.type === 'StasisStart') onStart(ev.channel).catch((e) => fail('StasisStart', e.message));
		else if (ev.type === 'StasisEnd') live.delete(ev.channel.id);
		else if (ev.type === 'PlaybackFinished') play((ev.playback.target_uri || '').replace(/^channel:/, ''));
		else if (ev.type === 'ChannelLeftBridge') onLeftBridge(ev);
	});
}

function reconnect() {
	closing = true;
	const old = ws;
	old.terminate();
	setTimeout(() => {
		closing = false;
		stats.reconnects++;
		connect(lastSeq);
	}, 1000);
}

async function originate() {
	const r = await req('POST', '/channels?endpoint=Local/s@soak-far&app=soak');
	if (r.status !== 200) fail('originate', `${r.status} ${r.body}`);
	else stats.originated++;
}

function procRss() {
	try { return Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${PID}/status`, 'utf8'))[1]); } catch { return NaN; }
}
function procFds() {
	try { return fs.readdirSync(`/proc/${PID}/fd`).length; } catch { return NaN; }
}

async function sample() {
	const ch = await req('GET', '/channels');
	const br = await req('GET', '/bridges');
	let nch = NaN;
	let nbr = NaN;
	try { nch = JSON.parse(ch.body).length; nbr = JSON.parse(br.body).length; } catch { fail('sample', `${ch.status} ${br.status}`); }
	const line = [((Date.now() - t0) / 1000).toFixed(0), procRss(), procFds(), nch, nbr, stats.answered,
		stats.originated, stats.reconnects, stats.failures].join(',');
	fs.appendFileSync(CSV, line + '\n');
	console.log(`  t=${line.split(',')[0]}s rss=${procRss()} kB fds=${procFds()} channels=${nch} bridges=${nbr}` +
		` answered=${stats.answered} originated=${stats.originated} reconnects=${stats.reconnects} failures=${stats.failures}`);
}

fs.writeFileSync(CSV, 't_s,rss_kb,fds,channels,bridges,answered,originated,reconnects,failures\n');
connect(0);
const timers = [
	setInterval(originate, ORIGINATE_MS),
	setInterval(() => sample().catch((e) => fail('sample', e.message)), SAMPLE_S * 1000),
	setInterval(reconnect, RECONNECT_S * 1000),
];
setTimeout(async () => {
	timers.forEach(clearInterval);
	await sample();
	closing = true;
	ws.close();
	console.log(`app: ${JSON.stringify(stats)}${failures.size ? ' failures by kind: ' + JSON.stringify([...failures]) : ''}`);
	process.exit(0);
}, Number(DURATION) * 1000);
process.on('SIGTERM', () => process.exit(1));
