'use strict';
// Test harness for ariadne integration tests: start the real binary on free
// ports with its own temporary config directory, talk to it over raw HTTP,
// WebSocket, ari-client and the -rx CLI, and stop it cleanly.
//
// Every test gets its own server (own ports, own temp dir), so test files can
// run in parallel and tests in any order. stop() insists on exit code 0: under
// ASan a leak report turns the exit code non-zero and must fail the test.

const { test, after } = require('node:test');
const assert = require('node:assert/strict');
const { spawn, execFile } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const net = require('node:net');
const dgram = require('node:dgram');
const http = require('node:http');

const REPO = path.resolve(__dirname, '..', '..', '..');
const BIN = process.env.ARIADNE_BIN
	? path.resolve(process.env.ARIADNE_BIN)
	: path.join(REPO, 'build', 'ariadne');
// Sanitizer builds start and run slower; allow a scale factor for waits.
const SLOW = Number(process.env.ARIADNE_TEST_SLOW || (/asan/.test(BIN) ? 2 : 1));
const READY_TIMEOUT_MS = 10000 * SLOW;
/** main.c's NOTICE once everything listens: the process we started is up. */
const READY_RE = /: ariadne \S+ ready\s*$/m;
const EVENT_TIMEOUT_MS = 5000 * SLOW;
const STOP_TIMEOUT_MS = 10000 * SLOW;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Every child a test starts (ariadne, SIPp, nats-server, ...) until it exits.
// A test that fails or times out before it stops its children must not leave
// them running: a live child keeps the test file's process alive, and the
// whole suite then waits for it forever (CI once ran out of time that way).
// After the file's last test, whatever is still running is killed.
const liveChildren = new Set();
function trackChild(proc) {
	liveChildren.add(proc);
	proc.once('exit', () => liveChildren.delete(proc));
	proc.once('error', () => liveChildren.delete(proc));
	return proc;
}
// Only inside a test run: a plain script (bench/cluster_nats.js) that uses
// this harness would otherwise get a test report printed at its exit.
if (process.env.NODE_TEST_CONTEXT || /\.test\.js$/.test((require.main || {}).filename || '')) {
	after(() => {
		for (const proc of liveChildren) {
			process.stderr.write(`[harness] killing ${proc.spawnfile} (pid ${proc.pid}), ` +
				'still running after the last test of this file\n');
			proc.kill('SIGKILL');
		}
	});
}

/*
 * Ports for servers the tests start are taken from a band no other process
 * on the machine is handed: above ariadne's RTP range (rtpstart/rtpend,
 * 10000-20000 by default, which every server under test allocates from)
 * and below the kernel's ephemeral range (ip_local_port_range, 32768-60999
 * on Debian), from which every outgoing connection of every test gets its
 * local port. A port found free in the ephemeral range could be taken by
 * such a connection before the server binds it (a rare CI failure); here
 * only another test can take it. Each test process walks the band from a
 * random start, so processes running side by side rarely meet, and one
 * process never hands out a port it has just released.
 */
const PORT_BAND = (() => {
	let lo = 20001, hi = 32767;
	try {
		const [eLo] = fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'latin1')
			.trim().split(/\s+/).map(Number);
		if (eLo > lo) hi = Math.min(hi, eLo - 1);
	} catch { /* not Linux: keep the default band */ }
	return hi - lo >= 1000 ? { lo, hi } : null;
})();
let portCursor = PORT_BAND ? PORT_BAND.lo + Math.floor(Math.random() * (PORT_BAND.hi - PORT_BAND.lo)) : 0;

/** The next candidate of `count` consecutive ports in the band (even first port with even). */
function nextBandPort(count, even) {
	const { lo, hi } = PORT_BAND;
	let p = portCursor;
	if (even && p % 2) p++;
	if (p + count - 1 > hi) p = even && lo % 2 ? lo + 1 : lo;
	portCursor = p + count;
	return p;
}

function listenTcp(port) {
	return new Promise((resolve) => {
		const srv = net.createServer();
		srv.unref();
		srv.once('error', () => resolve(null));
		srv.listen(port, '127.0.0.1', () => resolve(srv));
	});
}

/** A free TCP port on 127.0.0.1, from the band above (checked by listening on it). */
async function freePort() {
	for (let attempt = 0; PORT_BAND && attempt < 200; attempt++) {
		const port = nextBandPort(1, false);
		const srv = await listenTcp(port);
		if (srv) {
			await new Promise((r) => srv.close(r));
			return port;
		}
	}
	// No band (another OS, a narrow range): what the kernel hands out.
	const srv = await listenTcp(0);
	if (!srv) throw new Error('no free TCP port');
	const { port } = srv.address();
	await new Promise((r) => srv.close(r));
	return port;
}

/** Bind a UDP socket on 127.0.0.1:port (0 = any); resolves the socket or null if taken. */
function bindUdp(port) {
	return new Promise((resolve) => {
		const sock = dgram.createSocket('udp4');
		sock.unref();
		sock.once('error', () => { try { sock.close(); } catch { /* not bound */ } resolve(null); });
		sock.bind(port, '127.0.0.1', () => resolve(sock));
	});
}

/**
 * A free UDP port on 127.0.0.1. With count > 1, the first of `count`
 * consecutive free ports (SIPp's media port uses mp, mp+1 for RTCP and
 * mp+2.. for video); with even, an even first port (RTP convention).
 * Like freePort(), racy by nature: callers retry on EADDRINUSE.
 */
async function freeUdpPort({ count = 1, even = false } = {}) {
	const r = await reserveUdpPorts({ count, even });
	await r.release();
	return r.port;
}

/**
 * Like freeUdpPort() but the ports stay bound until release(): take several
 * reservations first, then release them all, so that the ports handed to one
 * process are distinct (the kernel readily hands a just-closed port out again).
 */
async function reserveUdpPorts({ count = 1, even = false } = {}) {
	for (let attempt = 0; attempt < 200; attempt++) {
		const first = await bindUdp(PORT_BAND ? nextBandPort(count, even) : 0);
		if (!first) continue;
		const base = first.address().port;
		const held = [first];
		let ok = !(even && base % 2) && base + count <= 65535;
		for (let i = 1; i < count && ok; i++) {
			const sock = await bindUdp(base + i);
			if (sock) held.push(sock); else ok = false;
		}
		const release = () => Promise.all(held.map((sock) => new Promise((r) => sock.close(r))));
		if (ok) return { port: base, release };
		await release();
	}
	throw new Error(`no ${count} consecutive free UDP ports found`);
}

/**
 * True while something has a UDP socket bound to `port` (any local
 * address). Read from /proc/net/udp and udp6, not found out by binding the
 * port ourselves: a test bind that lands while SIPp or Kamailio is binding
 * makes that bind fail with EADDRINUSE.
 */
async function udpPortBound(port) {
	const hex = ':' + port.toString(16).toUpperCase().padStart(4, '0');
	for (const table of ['/proc/net/udp', '/proc/net/udp6']) {
		let text;
		try { text = await fs.promises.readFile(table, 'latin1'); } catch { continue; }
		for (const line of text.split('\n').slice(1)) {
			const local = line.trim().split(/\s+/)[1];
			if (local && local.endsWith(hex)) return true;
		}
	}
	return false;
}

function basicAuth(auth) {
	return 'Basic ' + Buffer.from(auth).toString('base64');
}

/**
 * One HTTP request with node's http client (no keep-alive pool).
 * opts: method, path, headers, body (string|Buffer|object → JSON),
 *       auth ('user:pass' | null for none; default asterisk:asterisk),
 *       timeout (ms).
 * Resolves {status, headers, body, json}; json is null when the body is not JSON.
 */
function request(port, opts = {}) {
	const method = opts.method || 'GET';
	const headers = Object.assign({}, opts.headers || {});
	const auth = opts.auth === undefined ? 'asterisk:asterisk' : opts.auth;
	if (auth) headers.Authorization = basicAuth(auth);
	let body = opts.body;
	if (body !== undefined && body !== null && !Buffer.isBuffer(body) && typeof body !== 'string') {
		body = JSON.stringify(body);
		if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type'))
			headers['Content-Type'] = 'application/json';
	}
	if (body !== undefined && body !== null)
		headers['Content-Length'] = Buffer.byteLength(body);
	return new Promise((resolve, reject) => {
		const req = http.request({
			host: '127.0.0.1', port, method, path: opts.path || '/', headers, agent: false,
		}, (res) => {
			const chunks = [];
			res.on('data', (c) => chunks.push(c));
			res.on('error', reject);
			res.on('end', () => {
				const text = Buffer.concat(chunks).toString('utf8');
				let json = null;
				if (text.length) {
					try { json = JSON.parse(text); } catch { json = null; }
				}
				resolve({ status: res.statusCode, headers: res.headers, body: text, json });
			});
		});
		req.setTimeout(opts.timeout || 5000 * SLOW, () => {
			req.destroy(new Error(`HTTP ${method} ${opts.path} timed out`));
		});
		req.on('error', reject);
		if (body !== undefined && body !== null) req.write(body);
		req.end();
	});
}

/**
 * Write raw bytes to the server and collect what comes back until the server
 * closes the connection, `timeout` ms pass, or (with untilResponse) a complete
 * HTTP response head has arrived. Resolves {data, closed, timedOut, error}.
 */
function rawExchange(port, chunks, { timeout = 3000, untilResponse = false } = {}) {
	return new Promise((resolve) => {
		const sock = net.connect({ host: '127.0.0.1', port });
		const got = [];
		let done = false;
		const finish = (how) => {
			if (done) return;
			done = true;
			clearTimeout(timer);
			sock.destroy();
			resolve(Object.assign({ data: Buffer.concat(got).toString('latin1'),
				closed: false, timedOut: false, error: null }, how));
		};
		const timer = setTimeout(() => finish({ timedOut: true }), timeout);
		sock.on('connect', async () => {
			for (const c of [].concat(chunks)) {
				if (done || sock.destroyed) return;
				if (typeof c === 'number') { await sleep(c); continue; }
				sock.write(c);
			}
		});
		sock.on('data', (d) => {
			got.push(d);
			if (untilResponse && /\r\n\r\n/.test(Buffer.concat(got).toString('latin1')))
				setTimeout(() => finish({}), 100);
		});
		sock.on('end', () => finish({ closed: true }));
		sock.on('close', () => finish({ closed: true }));
		sock.on('error', (e) => finish({ error: e }));
	});
}

/** First line status code of a raw HTTP response, or 0. */
function rawStatus(data) {
	const m = /^HTTP\/1\.[01] (\d{3})/.exec(data);
	return m ? Number(m[1]) : 0;
}

/**
 * An ordered log of ARI events with waitFor(). Every event is also stamped
 * with a process-wide receive sequence number `_seq` (non-enumerable) so the
 * order of events from different sockets/clients can be compared.
 */
let globalSeq = 0;
class EventLog {
	constructor() {
		this.events = [];
		this.waiters = [];
	}

	push(ev) {
		Object.defineProperty(ev, '_seq', { value: ++globalSeq, enumerable: false });
		this.events.push(ev);
		this._check();
	}

	_check() {
		for (const w of this.waiters.slice()) {
			const ev = this.events.find((e, i) => i >= w.from && w.pred(e));
			if (ev) {
				this.waiters.splice(this.waiters.indexOf(w), 1);
				clearTimeout(w.timer);
				w.resolve(ev);
			}
		}
	}

	/** Events matching pred (already received). pred may be a type name. */
	filter(pred) {
		const p = typeof pred === 'string' ? (e) => e.type === pred : pred;
		return this.events.filter(p);
	}

	/** Position of an event in this log. */
	indexOf(ev) { return this.events.indexOf(ev); }

	/** Event types received so far, for failure messages. */
	summary() {
		return this.events.map((e) => e.type + (e.application ? `@${e.application}` : '') +
			(e.channel ? `(${e.channel.name})` : '')).join(', ');
	}

	/**
	 * Resolve with the first event (from index `from`, default 0) for which
	 * pred(ev) is true; reject after timeoutMs naming what did arrive.
	 * pred may be a string: the event type.
	 */
	waitFor(pred, timeoutMs = EVENT_TIMEOUT_MS, { from = 0, what } = {}) {
		const p = typeof pred === 'string' ? (e) => e.type === pred : pred;
		const label = what || (typeof pred === 'string' ? pred : p.toString());
		return new Promise((resolve, reject) => {
			const w = { pred: p, from, resolve };
			w.timer = setTimeout(() => {
				this.waiters.splice(this.waiters.indexOf(w), 1);
				reject(new Error(`timed out after ${timeoutMs} ms waiting for event ${label}; ` +
					`received: [${this.summary()}]`));
			}, timeoutMs);
			this.waiters.push(w);
			this._check();
		});
	}

	/** Assert that no event matching pred has arrived after waiting ms. */
	async expectNone(pred, ms = 500, what = 'unexpected event') {
		const p = typeof pred === 'string' ? (e) => e.type === pred : pred;
		await sleep(ms);
		const hit = this.events.find(p);
		assert.equal(hit, undefined, `${what}: ${JSON.stringify(hit)}`);
	}
}

/** Events of one /ari/events WebSocket (raw JSON frames, via `ws`). */
class EventSocket extends EventLog {
	constructor(ws) {
		super();
		this.ws = ws;
		this.raw = [];
		this.closed = false;
		ws.on('message', (data) => {
			const text = data.toString('utf8');
			this.raw.push(text);
			let ev;
			try { ev = JSON.parse(text); } catch { ev = { type: '<invalid JSON>', text }; }
			this.push(ev);
		});
		ws.on('close', () => { this.closed = true; });
		ws.on('error', () => {});
	}

	close() {
		if (this.closed || this.ws.readyState === 3) return Promise.resolve();
		return new Promise((resolve) => {
			const t = setTimeout(() => { this.ws.terminate(); resolve(); }, 2000);
			this.ws.once('close', () => { clearTimeout(t); resolve(); });
			this.ws.close();
		});
	}
}

/** Log every event an ari-client Client emits (its '*' event). */
function eventLog(client) {
	const log = new EventLog();
	client.on('*', (ev) => log.push(ev));
	return log;
}

/** Parse an Asterisk-quoted CSV file (cel_custom Master.csv) into rows of fields. */
function parseCsv(text) {
	const rows = [];
	let row = [];
	let field = '';
	let inQuotes = false;
	let quoted = false;
	for (let i = 0; i < text.length; i++) {
		const c = text[i];
		if (inQuotes) {
			if (c === '"') {
				if (text[i + 1] === '"') { field += '"'; i++; } else inQuotes = false;
			} else field += c;
		} else if (c === '"') { inQuotes = true; quoted = true; }
		else if (c === ',') { row.push(field); field = ''; }
		else if (c === '\n' || c === '\r') {
			if (c === '\r' && text[i + 1] === '\n') i++;
			row.push(field);
			rows.push(row);
			row = []; field = ''; quoted = false;
		} else field += c;
	}
	if (field.length || quoted || row.length) { row.push(field); rows.push(row); }
	return rows;
}

/** Replace {{NAME}} by vars.NAME in a config text (Buffers pass through). */
function substitute(text, vars) {
	if (typeof text !== 'string') return text;
	return text.replace(/\{\{([A-Z_][A-Z0-9_]*)\}\}/g, (m, k) => (vars[k] !== undefined ? String(vars[k]) : m));
}

function ini(sections) {
	// sections: { name: { key: value } } → Asterisk-format text
	return Object.entries(sections).map(([name, kv]) =>
		`[${name}]\n` + Object.entries(kv).map(([k, v]) => `${k} = ${v}`).join('\n') + '\n').join('\n');
}

class Server {
	constructor(opts) {
		this.opts = opts;
		this.stderr = '';
		this.stdout = '';
		this.sockets = [];
		this.clients = [];
		this.exit = null; // {code, signal} once exited
	}

	get url() { return `http://127.0.0.1:${this.port}`; }

	/** host:port of the server's UDP SIP transport (the one written by the harness). */
	get sipAddr() { return `127.0.0.1:${this.sipPort}`; }

	/** sip:user@127.0.0.1:<sipPort> (no user part when user is empty). */
	sipUri(user = '') { return `sip:${user ? user + '@' : ''}127.0.0.1:${this.sipPort}`; }

	async _prepare() {
		this.tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ariadne-test-'));
		this.confDir = path.join(this.tmp, 'etc');
		this.logDir = path.join(this.tmp, 'log');
		this.runDir = path.join(this.tmp, 'run');
		this.dataDir = path.join(this.tmp, 'data');
		for (const d of [this.confDir, this.logDir, this.runDir, this.dataDir])
			fs.mkdirSync(d, { recursive: true });
		this.celFile = path.join(this.logDir, 'cel', 'Master.csv');
		this.ctlSocket = path.join(this.runDir, 'ariadne.ctl');
	}

	_writeConfig() {
		const files = Object.assign({}, this.opts.files || {});
		// opts.ariadneConf: sections merged into the generated ariadne.conf
		// (the test's own directories stay).
		const extra = this.opts.ariadneConf || {};
		const ariadneConf = ini({
			...extra,
			directories: { astspooldir: path.join(this.tmp, 'spool'),
				...(extra.directories || {}), astlogdir: this.logDir,
				astrundir: this.runDir, astdatadir: this.dataDir },
			options: { verbose: this.opts.verbose ?? 3, ...(extra.options || {}) },
		});
		files['ariadne.conf'] = files['ariadne.conf'] !== undefined
			? files['ariadne.conf'] : ariadneConf;
		files['http.conf'] = files['http.conf'] !== undefined ? files['http.conf']
			: ini({ general: { enabled: 'yes', bindaddr: '127.0.0.1', bindport: this.port } });
		// Never the embedded default 127.0.0.1:5060: parallel servers would collide.
		// `pjsip.conf: null` really leaves the file out (and gets 5060).
		files['pjsip.conf'] = files['pjsip.conf'] !== undefined ? files['pjsip.conf']
			: ini({ 'transport-udp': { type: 'transport', protocol: 'udp', bind: '127.0.0.1:{{SIP_PORT}}' } });
		const vars = { SIP_PORT: this.sipPort, HTTP_PORT: this.port, TMP: this.tmp,
			...(this.opts.vars || {}) };
		for (const [name, text] of Object.entries(files)) {
			if (text === null) continue; // explicitly absent
			fs.writeFileSync(path.join(this.confDir, name), substitute(text, vars));
		}
		if (this.opts.setup && !this._setupDone) {
			this._setupDone = true;
			this.opts.setup(this);
		}
	}

	_spawn() {
		this.stderr = '';
		this.exit = null;
		let args = ['-C', this.confDir, '-f', ...(this.opts.args || [])];
		let bin = BIN;
		// opts.limits: resource limits of the server by prlimit's names,
		// a number for soft and hard or 'soft:hard' ({ nofile: 200,
		// fsize: '6000:unlimited' }); prlimit execs the server, so the pid
		// is the server's
		const limits = Object.entries(this.opts.limits || {});
		if (limits.length) {
			args = [...limits.map(([k, v]) => `--${k}=${String(v).includes(':') ? v : `${v}:${v}`}`),
				BIN, ...args];
			bin = 'prlimit';
		}
		this.proc = trackChild(spawn(bin, args, {
			stdio: ['ignore', 'pipe', 'pipe'],
			env: Object.assign({}, process.env, this.opts.env || {}),
		}));
		this.proc.stdout.on('data', (d) => { this.stdout += d.toString(); });
		this.proc.stderr.on('data', (d) => { this.stderr += d.toString(); });
		this.exited = new Promise((resolve) => {
			this.proc.on('exit', (code, signal) => { this.exit = { code, signal }; resolve(this.exit); });
			this.proc.on('error', (e) => {
				this.stderr += `\n[harness] spawn ${BIN} failed: ${e.message}\n`;
				this.exit = { code: -1, signal: null, error: e };
				resolve(this.exit);
			});
		});
	}

	async _waitReady() {
		const deadline = Date.now() + READY_TIMEOUT_MS;
		const auth = this.opts.readyAuth || 'asterisk:asterisk';
		while (Date.now() < deadline) {
			if (this.exit) return false;
			try {
				// The ping alone could be answered by another test's server
				// that holds the port we chose (ours then fails to bind it
				// and exits): ready is our own process saying so, too.
				const r = await request(this.port, { path: '/ari/asterisk/ping', auth, timeout: 1000 });
				if (r.status === 200 && READY_RE.test(this.stderr)) return true;
			} catch { /* not listening yet */ }
			await sleep(50);
		}
		return false;
	}

	/** Start; retries with a new port if the chosen one was taken meanwhile. */
	async start() {
		await this._prepare();
		for (let attempt = 0; attempt < 3; attempt++) {
			this.port = this.opts.port || await freePort();
			this.sipPort = this.opts.sipPort || await freeUdpPort();
			this._writeConfig();
			this._spawn();
			if (await this._waitReady()) {
				// A SIP port taken between freeUdpPort() and the bind is not
				// fatal to the server (it logs and runs without SIP), so
				// catch it here and start again on fresh ports.
				if (this.opts.sipPort || !/could not bind .*Address already in use/.test(this.stderr) ||
					attempt === 2)
					return this;
				this.proc.kill('SIGKILL');
				await this.exited;
				continue;
			}
			if (!this.exit) {
				this.proc.kill('SIGKILL');
				await this.exited;
				throw new Error(`ariadne not ready on port ${this.port} within ${READY_TIMEOUT_MS} ms\n` +
					this.tail());
			}
			if (!/in use|EADDRINUSE/i.test(this.stderr) || this.opts.port) break;
		}
		const e = new Error(`ariadne exited during start-up (${JSON.stringify(this.exit)})\n` + this.tail());
		this._cleanup();
		throw e;
	}

	tail(n = 60) {
		const lines = this.stderr.split('\n');
		return `--- ariadne stderr (last ${Math.min(n, lines.length)} lines; bin ${BIN}) ---\n` +
			lines.slice(-n).join('\n');
	}

	/** Wait until stderr matches re (string or RegExp). */
	async waitForLog(re, timeoutMs = EVENT_TIMEOUT_MS) {
		const rx = typeof re === 'string' ? new RegExp(re.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) : re;
		const deadline = Date.now() + timeoutMs;
		while (Date.now() < deadline) {
			if (rx.test(this.stderr)) return;
			await sleep(25);
		}
		throw new Error(`log line ${rx} did not appear within ${timeoutMs} ms\n` + this.tail());
	}

	request(opts) { return request(this.port, opts); }
	get(p, opts = {}) { return request(this.port, Object.assign({ method: 'GET', path: p }, opts)); }
	post(p, opts = {}) { return request(this.port, Object.assign({ method: 'POST', path: p }, opts)); }
	del(p, opts = {}) { return request(this.port, Object.assign({ method: 'DELETE', path: p }, opts)); }
	put(p, opts = {}) { return request(this.port, Object.assign({ method: 'PUT', path: p }, opts)); }
	raw(chunks, opts) { return rawExchange(this.port, chunks, opts); }

	/** Open /ari/events?app=... ; resolves an EventSocket once open. */
	events(apps, { subscribeAll = false, auth = 'asterisk:asterisk', query = '', headers } = {}) {
		const WebSocket = require('ws');
		let url = `ws://127.0.0.1:${this.port}/ari/events?app=${encodeURIComponent([].concat(apps).join(','))}`;
		if (auth) url += `&api_key=${auth.split(':').map(encodeURIComponent).join(':')}`;
		if (subscribeAll) url += '&subscribeAll=true';
		if (query) url += '&' + query;
		return new Promise((resolve, reject) => {
			const ws = new WebSocket(url, { headers });
			const sock = new EventSocket(ws);
			const t = setTimeout(() => { ws.terminate(); reject(new Error('WebSocket open timed out')); },
				EVENT_TIMEOUT_MS);
			ws.once('open', () => { clearTimeout(t); this.sockets.push(sock); resolve(sock); });
			ws.once('unexpected-response', (req, res) => {
				clearTimeout(t);
				const e = new Error(`WebSocket upgrade refused: HTTP ${res.statusCode}`);
				e.status = res.statusCode;
				req.destroy();
				reject(e);
			});
			ws.once('error', (e) => { clearTimeout(t); reject(e); });
		});
	}

	/** ari-client 2.2.0 connected to this server (stopped automatically by stop()). */
	async ari(user = 'asterisk', pass = 'asterisk') {
		const ari = require('ari-client');
		const client = await ari.connect(this.url, user, pass);
		this.clients.push(client);
		return client;
	}

	/** The value of an unlabelled series in GET /metrics (asserted present). */
	async metric(name) {
		const r = await this.get('/metrics');
		assert.equal(r.status, 200, r.body);
		const m = new RegExp(`^${name} (\\d+)$`, 'm').exec(r.body);
		assert.ok(m, `${name} in /metrics`);
		return Number(m[1]);
	}

	/** ariadne -C dir -rx cmd → {code, stdout, stderr}. */
	cli(cmd, { timeout = 5000 * SLOW } = {}) {
		return new Promise((resolve) => {
			execFile(BIN, ['-C', this.confDir, '-rx', cmd], { timeout, env: process.env },
				(err, stdout, stderr) => {
					const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
					resolve({ code, stdout: String(stdout), stderr: String(stderr), killed: !!(err && err.killed) });
				});
		});
	}

	/** Originate via raw HTTP; returns the Channel JSON (asserts 200). */
	async originate(params, body) {
		const r = await this.post('/ari/channels?' + new URLSearchParams(params), body ? { body } : {});
		assert.equal(r.status, 200, `originate ${JSON.stringify(params)} → ${r.status} ${r.body}`);
		return r.json;
	}

	/** Poll GET /ari/channels/{id} until it is 404 (channel gone). */
	async waitChannelGone(id, timeoutMs = EVENT_TIMEOUT_MS) {
		const deadline = Date.now() + timeoutMs;
		let last;
		while (Date.now() < deadline) {
			last = await this.get(`/ari/channels/${encodeURIComponent(id)}`);
			if (last.status === 404) return;
			await sleep(50);
		}
		throw new Error(`channel ${id} still exists after ${timeoutMs} ms: ${last && last.status} ${last && last.body}`);
	}

	/** A data file of the data directory (mailboxes.json, devstates.json)
	 *  once it holds what `pred` wants: written behind the event loop
	 *  within 200 ms of a change (base/datafile.c). Resolves the object. */
	async waitForDataFile(name, pred, timeoutMs = EVENT_TIMEOUT_MS) {
		const file = path.join(this.dataDir, name);
		const deadline = Date.now() + timeoutMs;
		let obj;
		while (Date.now() < deadline) {
			try { obj = JSON.parse(fs.readFileSync(file, 'utf8')); } catch { obj = undefined; }
			if (obj !== undefined && pred(obj)) return obj;
			await sleep(25);
		}
		throw new Error(`${file} did not come to hold what was expected within ${timeoutMs} ms: ` +
			`${JSON.stringify(obj)}\n` + this.tail());
	}

	/** CEL rows (arrays of 19 fields), [] if no file yet. */
	celRows() {
		if (!fs.existsSync(this.celFile)) return [];
		return parseCsv(fs.readFileSync(this.celFile, 'utf8')).filter((r) => r.length > 1);
	}

	async _closeClients() {
		for (const c of this.clients) {
			try { if (c._ws) c.stop(); } catch { /* already closed */ }
		}
		this.clients = [];
		await Promise.all(this.sockets.map((s) => s.close()));
		this.sockets = [];
	}

	/**
	 * SIGTERM, wait for exit, assert exit code 0, remove the temp dir.
	 * If the server already exited (e.g. `core stop now`) only the exit code is checked.
	 */
	async stop() {
		await this._closeClients();
		if (!this.exit) {
			this.proc.kill('SIGTERM');
			// A cleared timer: a pending 10 s sleep would keep the test process alive.
			let timer;
			const t = new Promise((r) => { timer = setTimeout(() => r('timeout'), STOP_TIMEOUT_MS); });
			const how = await Promise.race([this.exited, t]);
			clearTimeout(timer);
			if (how === 'timeout') {
				this.proc.kill('SIGKILL');
				await this.exited;
				throw new Error(`ariadne did not exit within ${STOP_TIMEOUT_MS} ms of SIGTERM\n` + this.tail());
			}
		}
		const { code, signal } = this.exit;
		if (code !== 0) {
			throw new Error(`ariadne exited with code ${code} signal ${signal} (expected 0)\n` + this.tail(200));
		}
		this._cleanup();
	}

	_cleanup() {
		if (process.env.ARIADNE_KEEP_TMP) return;
		try { fs.rmSync(this.tmp, { recursive: true, force: true }); } catch { /* ignore */ }
	}
}

async function startServer(opts = {}) {
	const srv = new Server(opts);
	await srv.start();
	return srv;
}

/**
 * test() with a fresh server: fn(srv, t). The server is always stopped; its
 * exit status is asserted; its stderr is appended to any failure.
 * opts: server options (files, args, env, readyAuth, limits) plus `timeout` for the test.
 */
function serverTest(name, opts, fn) {
	if (typeof opts === 'function') { fn = opts; opts = {}; }
	const { timeout = 30000 * SLOW, skip, only, todo, ...serverOpts } = opts;
	test(name, { timeout, skip, only, todo }, async (t) => {
		const srv = await startServer(serverOpts);
		let err = null;
		try {
			await fn(srv, t);
		} catch (e) {
			err = e;
		}
		await stopServer(srv, err);
	});
}

/**
 * The end of a test's server: stop it (its exit status is asserted), then
 * rethrow the test's error `err` with the server's stderr appended, or the
 * stop's own error.
 */
async function stopServer(srv, err) {
	let stopErr = null;
	try {
		await srv.stop();
	} catch (e) {
		stopErr = e;
	}
	if (err) {
		if (err instanceof Error && typeof err.message === 'string' && !err.message.includes('--- ariadne stderr'))
			err.message += '\n' + srv.tail() + (stopErr ? `\n(also on stop: ${stopErr.message.split('\n')[0]})` : '');
		srv._cleanup();
		throw err;
	}
	if (stopErr) throw stopErr;
}

/**
 * A pjsip.conf text for SIP tests: the harness's UDP transport on
 * {{SIP_PORT}} plus, per entry of `endpoints` ({name: opts}), Asterisk's usual
 * trio [name] type=endpoint, [name] type=aor, [name-auth] type=auth (when
 * opts.password) and [name-identify] type=identify (when opts.match).
 * opts: context (default stasis-sipapp), allow (ulaw), password, match,
 * contact (static AOR contact), max_contacts (1), qualify_frequency (0),
 * dtmf_mode, rtp_timeout, extra {key: value} for the endpoint.
 */
function pjsipConf(endpoints = {}) {
	const out = ['[transport-udp]', 'type = transport', 'protocol = udp', 'bind = 127.0.0.1:{{SIP_PORT}}', ''];
	for (const [name, o] of Object.entries(endpoints)) {
		out.push(`[${name}]`, 'type = endpoint', `context = ${o.context || 'stasis-sipapp'}`,
			'disallow = all', `allow = ${o.allow || 'ulaw'}`, `aors = ${name}`);
		if (o.password) out.push(`auth = ${name}-auth`);
		if (o.dtmf_mode) out.push(`dtmf_mode = ${o.dtmf_mode}`);
		if (o.rtp_timeout) out.push(`rtp_timeout = ${o.rtp_timeout}`);
		for (const [k, v] of Object.entries(o.extra || {})) out.push(`${k} = ${v}`);
		out.push('', `[${name}]`, 'type = aor', `max_contacts = ${o.max_contacts ?? 1}`,
			'remove_existing = yes', `qualify_frequency = ${o.qualify_frequency ?? 0}`);
		if (o.contact) out.push(`contact = ${o.contact}`);
		out.push('');
		if (o.password) {
			out.push(`[${name}-auth]`, 'type = auth', 'auth_type = userpass', `username = ${name}`,
				`password = ${o.password}`, '');
		}
		if (o.match) out.push(`[${name}-identify]`, 'type = identify', `endpoint = ${name}`, `match = ${o.match}`, '');
	}
	return out.join('\n');
}

// ---------------------------------------------------------------------------
// SIPp (Debian package sip-tester)

const SIPP_BIN = process.env.SIPP_BIN || 'sipp';
const SIPP_DIR = path.join(REPO, 'tests', 'sipp');
const SIPP_PCAP_DIR = '/usr/share/sip-tester';

/** Path of a scenario: a name in tests/sipp ('uac_call' or 'uac_call.xml') or a path. */
function sippScenario(name) {
	if (path.isAbsolute(name) || name.includes('/')) return path.resolve(name);
	return path.join(SIPP_DIR, name.endsWith('.xml') ? name : name + '.xml');
}

/**
 * Spawn SIPp against `remote` ('host:port', or a Server: its SIP transport).
 * opts:
 *   scenario  name in tests/sipp or path (-sf)   | sn: built-in scenario ('uas', 'uac')
 *   remote    'host:port' | Server (omit for a UAS that only listens)
 *   port      local SIP port (-p); default a free UDP port
 *   mediaPort local media port (-mp); default 4 free consecutive UDP ports
 *   calls     -m (default 1); rate -r, ratePeriod -rp, limit -l, users -users
 *   service   -s (user part of the Request-URI, [service]); default 'sipp'
 *   auth      {user, pass} → -au/-ap for [authentication]
 *   keys      {name: value} → -key name value (scenario [name])
 *   duration  -d ms (default pause)
 *   timeoutMs node-side kill timer (SIGKILL after SIGTERM); default 20 s × SLOW
 *   sippTimeout  -timeout in s with -timeout_error (default timeoutMs/1000 - 1)
 *   traceMsg  also -trace_msg (default true: messages are kept for failure reports)
 *   args      extra arguments
 * Returns {proc, port, mediaPort, cwd, cmd, done}; done resolves
 * {code, signal, stdout, stderr, errors, messages, cmd, timedOut}.
 * SIPp exit codes: 0 all calls succeeded, 1 some failed, 97 internal exit,
 * 99 no call processed, 255/254 fatal (e.g. cannot bind).
 */
async function spawnSipp(opts = {}) {
	for (let attempt = 0; ; attempt++) {
		const sipp = await spawnSippOnce(opts);
		if (attempt === 2 || opts.port || opts.mediaPort || !(await sippBindFailed(sipp))) return sipp;
	}
}

/**
 * The ports spawnSipp() picks are free when picked, but another process
 * may bind one before SIPp does (SIPp then exits at once: "Unable to bind
 * ... errno = 98"), and so a test fails for nothing it tests; spawnSipp()
 * then starts SIPp again on fresh ports. SIPp binds its SIP port and its
 * media ports (-mp and -mp+2, audio and video) at start-up, so it has
 * either died of it or bound them all within moments.
 */
async function sippBindFailed(sipp) {
	const deadline = Date.now() + 2000 * SLOW;
	while (Date.now() < deadline) {
		if (sipp.proc.exitCode !== null || sipp.proc.signalCode !== null)
			return /errno = 98|Address already in use/.test((await sipp.done).stderr);
		if (await udpPortBound(sipp.port) && await udpPortBound(sipp.mediaPort) &&
			await udpPortBound(sipp.mediaPort + 2))
			return false;
		await sleep(10);
	}
	return false;
}

async function spawnSippOnce(opts) {
	const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'ariadne-sipp-'));
	// Reserve all three at once so they differ (SIP, media mp..mp+3, control).
	const held = [];
	const take = async (o) => { const r = await reserveUdpPorts(o); held.push(r); return r.port; };
	const port = opts.port || await take();
	const mediaPort = opts.mediaPort || await take({ count: 4, even: true });
	const ctlPort = await take();
	await Promise.all(held.map((r) => r.release()));
	const timeoutMs = opts.timeoutMs || 20000 * SLOW;
	const sippTimeout = opts.sippTimeout || Math.max(1, Math.floor(timeoutMs / 1000) - 1);
	const args = [];
	if (opts.sn) args.push('-sn', opts.sn);
	else args.push('-sf', sippScenario(opts.scenario));
	args.push('-i', '127.0.0.1', '-p', String(port), '-mi', '127.0.0.1', '-mp', String(mediaPort),
		'-cp', String(ctlPort), '-m', String(opts.calls || 1), '-s', opts.service || 'sipp',
		'-nostdin', '-trace_err', '-timeout', `${sippTimeout}s`, '-timeout_error',
		'-max_socket', '1000');
	if (opts.traceMsg !== false) args.push('-trace_msg');
	if (opts.rate) args.push('-r', String(opts.rate));
	if (opts.ratePeriod) args.push('-rp', String(opts.ratePeriod));
	if (opts.limit) args.push('-l', String(opts.limit));
	if (opts.users) args.push('-users', String(opts.users));
	if (opts.duration !== undefined) args.push('-d', String(opts.duration));
	if (opts.auth) args.push('-au', opts.auth.user, '-ap', opts.auth.pass);
	// Every keyword the scenarios in tests/sipp use, so none is left unset.
	const keys = Object.assign({ from_user: 'sipp', expires: 60, message: 'hello from SIPp' }, opts.keys || {});
	for (const [k, v] of Object.entries(keys)) args.push('-key', k, String(v));
	args.push(...(opts.args || []));
	const remote = opts.remote instanceof Server ? opts.remote.sipAddr : opts.remote;
	if (remote) args.push(remote);
	const cmd = `${SIPP_BIN} ${args.join(' ')}`;

	const proc = trackChild(spawn(SIPP_BIN, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] }));
	let stdout = '';
	let stderr = '';
	// The statistics screen is repeated every second: keep the tail only.
	const keep = (acc, d) => (acc + d.toString()).slice(-64 * 1024);
	proc.stdout.on('data', (d) => { stdout = keep(stdout, d); });
	proc.stderr.on('data', (d) => { stderr = keep(stderr, d); });
	let timedOut = false;
	const timer = setTimeout(() => {
		timedOut = true;
		proc.kill('SIGTERM');
		setTimeout(() => proc.kill('SIGKILL'), 2000).unref();
	}, timeoutMs);
	const done = new Promise((resolve) => {
		const finish = (code, signal, error) => {
			clearTimeout(timer);
			const read = (suffix) => {
				try {
					return fs.readdirSync(cwd).filter((f) => f.endsWith(suffix))
						.map((f) => fs.readFileSync(path.join(cwd, f), 'latin1')).join('\n');
				} catch { return ''; }
			};
			const res = { code, signal, stdout, stderr: stderr + (error ? `\n[harness] ${error.message}` : ''),
				errors: read('_errors.log'), messages: read('_messages.log'), cmd, timedOut, port, mediaPort };
			if (!process.env.ARIADNE_KEEP_TMP) fs.rmSync(cwd, { recursive: true, force: true });
			resolve(res);
		};
		proc.on('error', (e) => finish(-1, null, e));
		proc.on('exit', (code, signal) => finish(code, signal));
	});
	return {
		proc, port, mediaPort, cwd, cmd, done,
		/** SIPp has no ready signal: wait until its SIP port is bound. */
		async ready(timeout = 5000 * SLOW) {
			const deadline = Date.now() + timeout;
			while (Date.now() < deadline) {
				if (proc.exitCode !== null || proc.signalCode !== null) break;
				if (await udpPortBound(port)) return this;
				await sleep(20);
			}
			throw new Error(`SIPp did not bind 127.0.0.1:${port}\n${sippReport(await done)}`);
		},
		stop() {
			if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
			return done;
		},
	};
}

/** Run SIPp to completion: spawnSipp(opts).done. */
async function runSipp(opts) {
	return (await spawnSipp(opts)).done;
}

/** A failure report for a SIPp run: command, exit, unexpected messages, SIP trace. */
function sippReport(r, traceChars = 6000) {
	const trace = r.messages.length > traceChars ? '…' + r.messages.slice(-traceChars) : r.messages;
	return `--- sipp: ${r.cmd}\nexit ${r.code}${r.signal ? ' signal ' + r.signal : ''}` +
		`${r.timedOut ? ' (killed: timeout)' : ''}\n--- sipp stderr:\n${r.stderr.slice(-2000)}` +
		`\n--- sipp errors log:\n${r.errors.slice(-3000)}\n--- sipp messages (tail):\n${trace}`;
}

/** Assert a SIPp run ended with exit code `code` (default 0: every call succeeded). */
function assertSipp(r, code = 0, what = 'SIPp scenario') {
	assert.equal(r.code, code, `${what} exited ${r.code}, expected ${code}\n${sippReport(r)}`);
}

// Shapes used by many tests.
const TIMESTAMP_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}[+-]\d{4}$/;
const ASTERISK_ID_RE = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i;

/** Run fn while SIPp runs; on failure stop SIPp and add its report. */
async function withSipp(sipp, fn) {
	try {
		return await fn();
	} catch (e) {
		const r = await sipp.stop();
		e.message += '\n' + sippReport(r);
		throw e;
	}
}

module.exports = {
	withSipp,
	BIN, REPO, SLOW, EVENT_TIMEOUT_MS,
	sleep, trackChild, freePort, freeUdpPort, reserveUdpPorts, udpPortBound, request, rawExchange, rawStatus, basicAuth, parseCsv, ini,
	startServer, serverTest, stopServer, EventLog, EventSocket, eventLog, Server,
	TIMESTAMP_RE, ASTERISK_ID_RE,
	pjsipConf, SIPP_DIR, SIPP_PCAP_DIR, sippScenario, spawnSipp, runSipp, sippReport, assertSipp,
};
