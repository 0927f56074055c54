'use strict';
// External media peers for the tests of POST /ari/channels/externalMedia:
// the "bot" end of a WebSocket media channel (chan_websocket compatible:
// BINARY audio, TEXT control in plain text, JSON or Twilio Media Streams),
// both as a client of ariadne's /media/<connection id> (server mode) and as
// a WebSocket server ariadne connects to (client mode); audio patterns that
// survive a bridge bit for bit (a sample counter, never 0) and tones measured
// with Goertzel; and emTest(), a serverTest() that opens the app's event
// socket, and after the test hangs up what is left and insists that
// GET /ari/channels is empty (no phantom channels, Asterisk #1645).
//
// Every received message is stamped with process.hrtime (ms, float), so the
// tests can reason about pacing: one frame per 20 ms tick, marks between
// frames. Timing assertions allow TOL (2 ticks, scaled by SLOW).
const assert = require('node:assert/strict');
const http = require('node:http');
const { test } = require('node:test');
const WebSocket = require('ws');
const {
	startServer, stopServer, sleep, SLOW, EVENT_TIMEOUT_MS,
} = require('./server');

const enc = encodeURIComponent;
const TICK = 20;
/** Slack of timing assertions: two ticks (CI jitter), more on slow builds. */
const TOL = 2 * TICK * SLOW;
const now = () => Number(process.hrtime.bigint()) / 1e6;

/** Bytes of 20 ms of each format, as MEDIA_WEBSOCKET_OPTIMAL_FRAME_SIZE says. */
const FRAME = { ulaw: 160, alaw: 160, slin: 320, slin12: 480, slin16: 640, slin24: 960, slin32: 1280,
	slin44: 1764, slin48: 1920 };
const RATE = { ulaw: 8000, alaw: 8000, slin: 8000, slin12: 12000, slin16: 16000, slin24: 24000, slin32: 32000,
	slin44: 44100, slin48: 48000 };

// ---------------------------------------------------------------------------
// Control messages

/**
 * A TEXT message from ariadne as an object: JSON as it is (its `event`),
 * plain text `NAME key:value key:value` as {event: NAME, key: 'value'}.
 */
function parseControl(text) {
	if (text.startsWith('{')) {
		try {
			const o = JSON.parse(text);
			Object.defineProperty(o, '_json', { value: true });
			return o;
		} catch {
			return { event: '<invalid JSON>', text };
		}
	}
	const parts = text.trim().split(/\s+/);
	const o = { event: parts[0], args: [] };
	for (const p of parts.slice(1)) {
		const i = p.indexOf(':');
		if (i > 0) o[p.slice(0, i)] = p.slice(i + 1);
		else o.args.push(p);
	}
	// Asterisk writes the id of MEDIA_MARK_PROCESSED and
	// MEDIA_BUFFERING_COMPLETED bare: `MEDIA_MARK_PROCESSED <id>`.
	if (o.correlation_id === undefined && o.args.length &&
		(o.event === 'MEDIA_MARK_PROCESSED' || o.event === 'MEDIA_BUFFERING_COMPLETED'))
		o.correlation_id = o.args[0];
	// error_text runs to the end of the line.
	const et = / error_text:(.*)$/.exec(text);
	if (et) o.error_text = et[1];
	Object.defineProperty(o, '_json', { value: false });
	return o;
}

/**
 * One WebSocket media peer (what a voice bot is): every BINARY message is
 * kept in `frames` ({t, data}), every TEXT message in `texts` ({t, text,
 * msg}). `mode` is how commands are written: 'plain', 'json' or 'twilio'.
 */
class MediaBot {
	constructor(ws, { mode = 'plain', name = 'bot' } = {}) {
		this.ws = ws;
		this.mode = mode;
		this.name = name;
		this.frames = [];
		this.texts = [];
		this.waiters = [];
		this.pongs = 0;
		this.echo = false;       // send every BINARY message straight back
		this.closeInfo = null;   // {code, reason, t} once closed
		this.closed = new Promise((resolve) => {
			ws.on('close', (code, reason) => {
				this.closeInfo = { code, reason: reason.toString(), t: now() };
				this._check();
				resolve(this.closeInfo);
			});
		});
		ws.on('error', (e) => { this.error = e; });
		ws.on('pong', () => { this.pongs++; this._check(); });
		ws.on('message', (data, isBinary) => {
			const t = now();
			if (isBinary) {
				this.frames.push({ t, data });
				if (this.echo && ws.readyState === WebSocket.OPEN) ws.send(data, { binary: true });
			} else {
				const text = data.toString('utf8');
				this.texts.push({ t, text, msg: parseControl(text) });
			}
			this._check();
		});
	}

	get open() { return this.ws.readyState === WebSocket.OPEN; }

	/** Control messages received, as objects (with their arrival time `_t`). */
	get events() {
		return this.texts.map((x) => Object.defineProperty(x.msg, '_t', { value: x.t, configurable: true }));
	}

	/** Events named `name` (optionally also matching pred). */
	filter(name, pred = () => true) {
		return this.events.filter((e) => e.event === name && pred(e));
	}

	_check() {
		for (const w of this.waiters.slice()) {
			const v = w.probe();
			if (v !== undefined) {
				this.waiters.splice(this.waiters.indexOf(w), 1);
				clearTimeout(w.timer);
				w.resolve(v);
			} else if (this.closeInfo && !w.whileClosed) {
				this.waiters.splice(this.waiters.indexOf(w), 1);
				clearTimeout(w.timer);
				w.reject(new Error(`${this.name}: socket closed (${this.closeInfo.code}) while waiting for ${w.what}; ` +
					`texts: ${this.summary()}`));
			}
		}
	}

	summary() {
		return JSON.stringify(this.texts.map((x) => x.text.slice(0, 200)));
	}

	/** Resolve once probe() returns something other than undefined. */
	until(probe, what, timeoutMs = EVENT_TIMEOUT_MS) {
		return new Promise((resolve, reject) => {
			const w = { probe, what, resolve, reject };
			w.timer = setTimeout(() => {
				this.waiters.splice(this.waiters.indexOf(w), 1);
				reject(new Error(`${this.name}: timed out after ${timeoutMs} ms waiting for ${what}; ` +
					`${this.frames.length} frames; texts: ${this.summary()}`));
			}, timeoutMs);
			this.waiters.push(w);
			this._check();
		});
	}

	/** The first control event `name` (from text index `from`) matching pred. */
	waitEvent(name, pred = () => true, timeoutMs = EVENT_TIMEOUT_MS, { from = 0 } = {}) {
		return this.until(() => this.events.slice(from).find((e) => e.event === name && pred(e)),
			`event ${name}`, timeoutMs);
	}

	/** Until `n` BINARY messages in all have arrived. */
	waitFrames(n, timeoutMs = EVENT_TIMEOUT_MS) {
		return this.until(() => (this.frames.length >= n ? this.frames.length : undefined),
			`${n} frames`, timeoutMs);
	}

	/** Resolve {code, reason} when the socket closes (reject after timeoutMs). */
	waitClose(timeoutMs = EVENT_TIMEOUT_MS) {
		return new Promise((resolve, reject) => {
			const t = setTimeout(() => reject(new Error(`${this.name}: socket still open after ${timeoutMs} ms; ` +
				`texts: ${this.summary()}`)), timeoutMs);
			this.closed.then((c) => { clearTimeout(t); resolve(c); });
		});
	}

	/** A TEXT message as it is. */
	sendText(text, opts = {}) { this.ws.send(text, { binary: false, ...opts }); }

	/**
	 * A command in this bot's control format: plain `NAME arg`, JSON
	 * {"command": NAME, ...args}. (Twilio messages: sendTwilio.)
	 */
	command(name, args = {}) {
		if (this.mode === 'json') this.sendText(JSON.stringify({ command: name, ...args }));
		else {
			const arg = args.correlation_id ?? args.direction;
			this.sendText(arg !== undefined ? `${name} ${arg}` : name);
		}
	}

	/** A Twilio Media Streams message {event, streamSid, ...}. */
	sendTwilio(obj) { this.sendText(JSON.stringify(obj)); }

	/** One BINARY message. */
	sendAudio(buf) { if (this.open) this.ws.send(buf, { binary: true }); }

	/**
	 * Send `buf` cut into `frame`-byte messages one per 20 ms of wall clock
	 * (catching up after a late timer, like a real-time source). Resolves
	 * {t0, times} once all is sent; stop() ends it early.
	 */
	sendPaced(buf, frame, { ptime = TICK, each } = {}) {
		const times = [];
		let stopped = false;
		const t0 = now();
		const done = (async () => {
			for (let i = 0, off = 0; off < buf.length && !stopped && this.open; i++, off += frame) {
				const wait = t0 + i * ptime - now();
				if (wait > 1) await sleep(wait);
				if (stopped || !this.open) break;
				const chunk = buf.subarray(off, Math.min(off + frame, buf.length));
				times.push(now());
				if (each) each(i, chunk);
				else this.ws.send(chunk, { binary: true });
			}
			return { t0, times };
		})();
		return { done, stop() { stopped = true; return done; } };
	}

	/** Frames received from index `from` (default all). */
	since(from = 0) { return this.frames.slice(from); }

	close(code = 1000) {
		if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.close(code);
		return this.closed;
	}

	terminate() { this.ws.terminate(); return this.closed; }
}

/**
 * Connect to ariadne's /media/<connection id> as a bot would (base: another
 * scheme and port, e.g. wss:// on the TLS port, with wsOptions such as ca).
 * Resolves a MediaBot once open; rejects with err.status on an HTTP refusal.
 */
function connectMedia(srv, connId, {
	protocol = 'media', mode = 'plain', name = 'bot', path, base = `ws://127.0.0.1:${srv.port}`, wsOptions = {},
} = {}) {
	const url = `${base}${path || `/media/${enc(connId)}`}`;
	return new Promise((resolve, reject) => {
		const o = { perMessageDeflate: false, ...wsOptions };
		const ws = protocol ? new WebSocket(url, protocol, o) : new WebSocket(url, o);
		// Attach before 'open': MEDIA_START may come in the same read as the 101.
		const bot = new MediaBot(ws, { mode, name });
		const t = setTimeout(() => { ws.terminate(); reject(new Error(`${name}: WebSocket open timed out`)); },
			EVENT_TIMEOUT_MS);
		ws.once('open', () => { clearTimeout(t); bot.protocol = ws.protocol; resolve(bot); });
		ws.once('unexpected-response', (req, res) => {
			clearTimeout(t);
			const e = new Error(`${name}: WebSocket upgrade refused: HTTP ${res.statusCode}`);
			e.status = res.statusCode;
			req.destroy();
			reject(e);
		});
		ws.once('error', (e) => { clearTimeout(t); reject(e); });
	});
}

/**
 * The HTTP status of a WebSocket upgrade to `path` (raw: 101 or the refusal),
 * offering subprotocol `protocol` (none when null).
 */
function upgradeStatus(srv, path, protocol = 'media') {
	return new Promise((resolve, reject) => {
		const headers = {
			Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13',
			'Sec-WebSocket-Key': Buffer.from('0123456789abcdef').toString('base64'),
		};
		if (protocol) headers['Sec-WebSocket-Protocol'] = protocol;
		const req = http.request({ host: '127.0.0.1', port: srv.port, path, headers, agent: false });
		req.setTimeout(5000 * SLOW, () => req.destroy(new Error(`upgrade ${path} timed out`)));
		req.on('upgrade', (res, sock) => { sock.destroy(); resolve(res.statusCode); });
		req.on('response', (res) => { res.resume(); resolve(res.statusCode); });
		req.on('error', reject);
		req.end();
	});
}

/**
 * A WebSocket server of the test that ariadne connects to (client mode).
 * next() resolves the next connection as a MediaBot (with .req, the HTTP
 * request: its url and headers).
 */
async function botServer({ mode = 'plain', name = 'bot' } = {}) {
	const wss = new WebSocket.Server({
		host: '127.0.0.1', port: 0, perMessageDeflate: false,
		handleProtocols: (protocols) => (protocols.has('media') ? 'media' : false),
	});
	await new Promise((resolve, reject) => { wss.once('listening', resolve); wss.once('error', reject); });
	const pending = [];
	const waiting = [];
	const all = [];
	wss.on('connection', (ws, req) => {
		const bot = new MediaBot(ws, { mode, name });
		bot.req = req;
		bot.protocol = ws.protocol;
		all.push(bot);
		if (waiting.length) waiting.shift()(bot); else pending.push(bot);
	});
	const port = wss.address().port;
	return {
		port,
		url: (p = '/bot') => `ws://127.0.0.1:${port}${p}`,
		all,
		next(timeoutMs = EVENT_TIMEOUT_MS) {
			if (pending.length) return Promise.resolve(pending.shift());
			return new Promise((resolve, reject) => {
				const t = setTimeout(() => reject(new Error(`${name}: ariadne did not connect within ${timeoutMs} ms`)),
					timeoutMs);
				waiting.push((b) => { clearTimeout(t); resolve(b); });
			});
		},
		close() {
			for (const c of wss.clients) c.terminate();
			return new Promise((r) => wss.close(() => r()));
		},
	};
}

// ---------------------------------------------------------------------------
// ARI

/** POST /ari/channels/externalMedia?params (body: {variables} etc.) → response. */
function externalMedia(srv, params, body) {
	return srv.post('/ari/channels/externalMedia?' + new URLSearchParams(params), body ? { body } : {});
}

/**
 * A server-mode WebSocket media channel in `app`, its bot connected:
 * {id, name, channel (the POST's JSON), connId, bot, start (MEDIA_START)}.
 * Waits for StasisStart unless waitStasis is false.
 */
async function serverChannel(srv, ev, {
	app, format = 'slin', transportData, mode, params = {}, body, name = 'bot', waitStasis = true,
} = {}) {
	const q = { app, transport: 'websocket', encapsulation: 'none', connection_type: 'server', format, ...params };
	if (transportData) q.transport_data = transportData;
	const r = await externalMedia(srv, q, body);
	assert.equal(r.status, 200, `externalMedia ${JSON.stringify(q)} → ${r.status} ${r.body}`);
	const ch = r.json;
	const connId = ch.channelvars && ch.channelvars.MEDIA_WEBSOCKET_CONNECTION_ID;
	assert.ok(connId, `no MEDIA_WEBSOCKET_CONNECTION_ID in ${r.body}`);
	const m = mode || (/f\(json\)/.test(transportData || '') ? 'json'
		: /f\(twilio\)/.test(transportData || '') ? 'twilio' : 'plain');
	const from = ev ? ev.events.length : 0;
	const bot = await connectMedia(srv, connId, { mode: m, name });
	const start = m === 'twilio' ? null : await bot.waitEvent('MEDIA_START');
	if (waitStasis && ev) {
		await ev.waitFor((e) => e.type === 'StasisStart' && e.channel.id === ch.id, EVENT_TIMEOUT_MS,
			{ from, what: `StasisStart of ${name} (${ch.id})` });
	}
	return { id: ch.id, name: ch.name, channel: ch, connId, bot, start, format };
}

/** A mixing bridge holding the channels `ids` (waits for each ChannelEnteredBridge). */
async function mixBridge(srv, ev, ids) {
	const r = await srv.post('/ari/bridges?type=mixing');
	assert.equal(r.status, 200, `POST /bridges → ${r.status} ${r.body}`);
	const id = r.json.id;
	const from = ev.events.length;
	const a = await srv.post(`/ari/bridges/${enc(id)}/addChannel?channel=${ids.map(enc).join(',')}`);
	assert.equal(a.status, 204, `addChannel ${ids} → ${a.status} ${a.body}`);
	for (const c of ids) {
		await ev.waitFor((e) => e.type === 'ChannelEnteredBridge' && e.channel.id === c, EVENT_TIMEOUT_MS,
			{ from, what: `ChannelEnteredBridge of ${c}` });
	}
	return id;
}

/** Two server-mode channels A and B, bots connected, in one mixing bridge. */
async function pair(srv, ev, { app = 'bot', format = 'slin', a = {}, b = {} } = {}) {
	const A = await serverChannel(srv, ev, { app, format, name: 'A', ...a });
	const B = await serverChannel(srv, ev, { app, format, name: 'B', ...b });
	const bridgeId = await mixBridge(srv, ev, [A.id, B.id]);
	return { A, B, bridgeId };
}

/**
 * DELETE each channel ({id, name, bot}): 204, its bot's socket closes with
 * 1000, and its ARI life ends (ChannelHangupRequest, StasisEnd,
 * ChannelDestroyed).
 */
async function hangup(srv, ev, ...chans) {
	for (const c of chans) {
		const from = ev.events.length;
		const r = await srv.del(`/ari/channels/${enc(c.id)}`);
		assert.equal(r.status, 204, `DELETE ${c.name} → ${r.status} ${r.body}`);
		if (c.bot) {
			const close = await c.bot.waitClose();
			assert.equal(close.code, 1000, `${c.bot.name} closed with ${close.code}`);
		}
		await channelEnds(ev, c.id, { from });
	}
}

/** Poll GET /ari/channels until it is [] ; assert (naming what is left). */
async function assertNoChannels(srv, timeoutMs = 3000 * SLOW) {
	const deadline = Date.now() + timeoutMs;
	let last;
	for (;;) {
		last = await srv.get('/ari/channels');
		if (last.status === 200 && Array.isArray(last.json) && last.json.length === 0) return;
		if (Date.now() > deadline) break;
		await sleep(50);
	}
	assert.fail(`phantom channels left after the test: ${last.status} ` +
		JSON.stringify((last.json || []).map((c) => `${c.name} ${c.state}`)));
}

/**
 * The ARI events of one channel's end, in order: ChannelHangupRequest (at
 * least one), StasisEnd, ChannelDestroyed; resolves them.
 */
async function channelEnds(ev, id, { from = 0, timeoutMs = EVENT_TIMEOUT_MS } = {}) {
	const of = (type) => (e) => e.type === type && e.channel && e.channel.id === id;
	const end = await ev.waitFor(of('StasisEnd'), timeoutMs, { from, what: `StasisEnd of ${id}` });
	const destroyed = await ev.waitFor(of('ChannelDestroyed'), timeoutMs, { from, what: `ChannelDestroyed of ${id}` });
	const req = ev.events.slice(from).find(of('ChannelHangupRequest'));
	assert.ok(req, `no ChannelHangupRequest for ${id}; received: ${ev.summary()}`);
	assert.ok(req._seq < end._seq && end._seq < destroyed._seq,
		`order ChannelHangupRequest < StasisEnd < ChannelDestroyed broken: ${ev.summary()}`);
	return { req, end, destroyed };
}

/**
 * A test with its own ariadne (as serverTest), the events socket of `app`
 * open: fn(srv, ev, t). opts.prepare (async, optional) runs first and
 * returns extra server options (its files may name ports it opened).
 * Afterwards GET /ari/channels must be [] : a phantom channel fails the
 * test. On failure, what is left is hung up before the server stops.
 */
function emTest(name, opts, fn) {
	if (typeof opts === 'function') { fn = opts; opts = {}; }
	const { timeout = 60000 * SLOW, skip, only, todo, app = 'bot', prepare, cleanup, ...serverOpts } = opts;
	test(name, { timeout, skip, only, todo }, async (t) => {
		let extra = {};
		let prep = null;
		if (prepare) {
			prep = await prepare();
			extra = prep.server || {};
		}
		const files = { ...(serverOpts.files || {}), ...(extra.files || {}) };
		const srv = await startServer({ ...serverOpts, ...extra, files });
		let err = null;
		try {
			const ev = await srv.events(app);
			await fn(srv, ev, t, prep);
			await assertNoChannels(srv);
		} catch (e) {
			err = e;
			try {
				const r = await srv.get('/ari/channels', { timeout: 2000 });
				for (const c of r.json || []) await srv.del(`/ari/channels/${enc(c.id)}`, { timeout: 2000 });
			} catch { /* the server may be wedged; stop() says so */ }
		}
		if (prep && prep.close) await prep.close();
		if (cleanup) await cleanup();
		await stopServer(srv, err);
	});
}

// ---------------------------------------------------------------------------
// Audio

/**
 * The counter pattern: sample n (from `offset`) is (n mod 32767) + 1, times
 * `sign`. Never 0, so it stands out from the silence a bridge fills gaps
 * with, and every sample says where in the stream it was. 16-bit LE.
 */
function pattern(samples, { offset = 0, sign = 1 } = {}) {
	const b = Buffer.alloc(samples * 2);
	for (let i = 0; i < samples; i++) b.writeInt16LE(sign * (((offset + i) % 32767) + 1), i * 2);
	return b;
}
const patternValue = (n, sign = 1) => sign * ((n % 32767) + 1);

/** 16-bit LE samples of a buffer. */
function pcm16(buf) {
	const out = new Int16Array(buf.length >> 1);
	for (let i = 0; i < out.length; i++) out[i] = buf.readInt16LE(i * 2);
	return out;
}

/** `samples` of a sine at hz, 16-bit LE at `rate`, amplitude amp (phase from sample `from`). */
function tone(hz, rate, samples, { amp = 8000, from = 0 } = {}) {
	const b = Buffer.alloc(samples * 2);
	for (let i = 0; i < samples; i++)
		b.writeInt16LE(Math.round(amp * Math.sin(2 * Math.PI * hz * (from + i) / rate)), i * 2);
	return b;
}

/** The amplitude of the hz component of samples at `rate` (Goertzel): ~A for A·sin. */
function goertzel(samples, hz, rate) {
	const k = 2 * Math.cos(2 * Math.PI * hz / rate);
	let s1 = 0;
	let s2 = 0;
	for (const x of samples) {
		const s0 = x + k * s1 - s2;
		s2 = s1;
		s1 = s0;
	}
	return (2 * Math.sqrt(Math.max(0, s1 * s1 + s2 * s2 - k * s1 * s2))) / samples.length;
}

/** Frames (of a bot) in which tone hz (at rate) is present above `min`. */
function toneFrames(frames, hz, rate, min = 2000) {
	return frames.filter((f) => f.data.length >= 4 && goertzel(pcm16(f.data), hz, rate) > min);
}

/**
 * The pattern samples (non-zero, of sign `sign`) in frames, in arrival order,
 * with per frame the index of its first such sample: {values, frames:
 * [{t, first, count, zerosInside}]}.
 */
function patternStream(frames, sign = 1) {
	const values = [];
	const per = [];
	for (const f of frames) {
		const s = pcm16(f.data);
		let count = 0;
		const first = values.length;
		for (const x of s) {
			if (x !== 0 && Math.sign(x) === sign) { values.push(x); count++; }
		}
		per.push({ t: f.t, first, count, len: f.data.length });
	}
	return { values, frames: per };
}

/**
 * Assert values equal pattern samples offset.. (contiguous: nothing lost,
 * repeated or reordered); returns the count.
 */
function assertPatternRun(values, { offset = 0, sign = 1, what = 'audio' } = {}) {
	for (let i = 0; i < values.length; i++) {
		const want = patternValue(offset + i, sign);
		if (values[i] !== want) {
			assert.fail(`${what}: sample ${i} of the received run is ${values[i]}, expected ${want} ` +
				`(pattern index ${offset + i}); around: [${Array.from(values.slice(Math.max(0, i - 4), i + 5))}]`);
		}
	}
	return values.length;
}

/** Index of the first frame containing a pattern sample with index >= n (by value run). */
function frameHolding(stream, n) {
	return stream.frames.findIndex((f) => f.count && f.first + f.count > n);
}

/**
 * Arrival spacing of frames [{t}]: {mean, max, bursts} where bursts counts
 * runs of more than 3 frames (4 arrivals) within 5 ms.
 */
function spacing(frames) {
	const d = [];
	for (let i = 1; i < frames.length; i++) d.push(frames[i].t - frames[i - 1].t);
	const mean = d.length ? (frames[frames.length - 1].t - frames[0].t) / d.length : 0;
	// A burst: four frames within 5 ms. Not one that makes up for a stall
	// just before it (a gap of 3 ticks or more): ariadne runs up to three
	// missed ticks at once after its loop was held up, and the test's own
	// process, when it was held up, reads what waited in its socket at
	// once; the span of the frames still shows whether the pace was kept.
	let bursts = 0;
	let catchups = 0;
	for (let i = 0; i + 3 < frames.length; i++) {
		if (frames[i + 3].t - frames[i].t >= 5) continue;
		if (i > 0 && frames[i].t - frames[i - 1].t >= 3 * TICK) catchups++;
		else bursts++;
	}
	return { mean, max: d.length ? Math.max(...d) : 0, bursts, catchups, n: frames.length };
}

module.exports = {
	TICK, TOL, FRAME, RATE, now,
	parseControl, MediaBot, connectMedia, upgradeStatus, botServer,
	externalMedia, serverChannel, mixBridge, pair, hangup, assertNoChannels, channelEnds, emTest,
	pattern, patternValue, pcm16, tone, goertzel, toneFrames, patternStream, assertPatternRun,
	frameHolding, spacing,
};
