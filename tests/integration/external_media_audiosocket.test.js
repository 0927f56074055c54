'use strict';
// POST /ari/channels/externalMedia with encapsulation=audiosocket over TCP
// (/work/shared/ari/external-media.md section 2, T13): ariadne connects to
// a TCP server of the test, the AudioSocket peer. Every message is kind (1
// byte), length (2 bytes, big-endian), payload. The first one is 0x01 with
// the 16 bytes of the UUID given as `data`; audio to the peer is 0x10
// (slin, 8 kHz) or 0x12 (slin16), the kind always matching the bytes
// (Asterisk sends 0x10 whatever the format: CyCoreSystems/audiosocket#11);
// from the peer any linear kind 0x10-0x18 is taken and converted; DTMF is
// 0x03 and one ASCII digit; `00 00 00` from the peer, or closing the
// socket, hangs up.
//
// The other side of the call is a WebSocket media channel (lib/media_ws.js)
// in the same mixing bridge. GET /ari/channels is [] after every test.
const assert = require('node:assert/strict');
const net = require('node:net');
const crypto = require('node:crypto');
const { sleep, SLOW, EVENT_TIMEOUT_MS } = require('./lib/server');
const {
	TICK, TOL, FRAME, RATE, now, externalMedia, serverChannel, mixBridge, hangup, channelEnds, emTest,
	pattern, tone, toneFrames, patternStream, assertPatternRun, spacing,
} = require('./lib/media_ws');

const enc = encodeURIComponent;
const APP = 'bot';
const KIND = { HANGUP: 0x00, UUID: 0x01, DTMF: 0x03, SLIN: 0x10, SLIN16: 0x12, ERROR: 0xff };

/** An AudioSocket message: kind, 16-bit BE length, payload. */
function asMsg(kind, payload = Buffer.alloc(0)) {
	const h = Buffer.alloc(3);
	h[0] = kind;
	h.writeUInt16BE(payload.length, 1);
	return Buffer.concat([h, payload]);
}

/**
 * A TCP server of the test speaking AudioSocket: next() resolves the next
 * connection from ariadne, its messages parsed into conn.msgs ({t, kind,
 * payload}); conn.echo sends every audio message straight back.
 */
async function asServer() {
	const srv = net.createServer();
	const pending = [];
	const waiting = [];
	const conns = [];
	srv.on('connection', (sock) => {
		sock.setNoDelay(true);
		const conn = {
			sock, msgs: [], echo: false, ended: false, waiters: [],
			_buf: Buffer.alloc(0),
			send(kind, payload) { if (!sock.destroyed) sock.write(asMsg(kind, payload)); },
			audio() { return conn.msgs.filter((m) => m.kind >= 0x10 && m.kind <= 0x18); },
			until(probe, what, timeoutMs = EVENT_TIMEOUT_MS) {
				return new Promise((resolve, reject) => {
					const w = { probe, resolve };
					w.timer = setTimeout(() => {
						conn.waiters.splice(conn.waiters.indexOf(w), 1);
						reject(new Error(`AudioSocket peer: timed out after ${timeoutMs} ms waiting for ${what}; ` +
							`kinds so far: ${JSON.stringify(conn.msgs.slice(0, 20).map((m) => m.kind))}` +
							` (${conn.msgs.length} messages, ended ${conn.ended})`));
					}, timeoutMs);
					conn.waiters.push(w);
					conn._check();
				});
			},
			_check() {
				for (const w of conn.waiters.slice()) {
					const v = w.probe();
					if (v !== undefined) {
						conn.waiters.splice(conn.waiters.indexOf(w), 1);
						clearTimeout(w.timer);
						w.resolve(v);
					}
				}
			},
		};
		conn.closed = new Promise((resolve) => sock.on('close', () => { conn.ended = true; conn._check(); resolve(); }));
		sock.on('error', () => {});
		sock.on('data', (d) => {
			const t = now();
			conn._buf = Buffer.concat([conn._buf, d]);
			while (conn._buf.length >= 3) {
				const len = conn._buf.readUInt16BE(1);
				if (conn._buf.length < 3 + len) break;
				const m = { t, kind: conn._buf[0], payload: conn._buf.subarray(3, 3 + len) };
				conn._buf = conn._buf.subarray(3 + len);
				conn.msgs.push(m);
				if (conn.echo && m.kind >= 0x10 && m.kind <= 0x18) conn.send(m.kind, m.payload);
			}
			conn._check();
		});
		conns.push(conn);
		if (waiting.length) waiting.shift()(conn); else pending.push(conn);
	});
	await new Promise((resolve) => srv.listen(0, '127.0.0.1', resolve));
	return {
		port: srv.address().port,
		conns,
		next(timeoutMs = EVENT_TIMEOUT_MS) {
			if (pending.length) return Promise.resolve(pending.shift());
			return new Promise((resolve, reject) => {
				const t = setTimeout(() => reject(new Error(`ariadne did not connect to the AudioSocket peer in ${timeoutMs} ms`)),
					timeoutMs);
				waiting.push((c) => { clearTimeout(t); resolve(c); });
			});
		},
		close() {
			for (const c of conns) c.sock.destroy();
			return new Promise((r) => srv.close(() => r()));
		},
	};
}

const prepare = async () => {
	const peer = await asServer();
	return { peer, close: () => peer.close() };
};

/** An AudioSocket channel to our peer, connected and in Stasis: {id, name, uuid, conn}. */
async function audioSocket(srv, ev, peer, format) {
	const uuid = crypto.randomUUID();
	const from = ev.events.length;
	const r = await externalMedia(srv, { app: APP, encapsulation: 'audiosocket', transport: 'tcp',
		external_host: `127.0.0.1:${peer.port}`, data: uuid, format });
	assert.equal(r.status, 200, r.body);
	assert.match(r.json.name, /^AudioSocket\//);
	assert.ok(r.json.name.includes(uuid), `channel name ${r.json.name} lacks the uuid`);
	const conn = await peer.next();
	// The UUID message is first, and alone in its kind.
	await conn.until(() => (conn.msgs.length ? true : undefined), 'the first message');
	const first = conn.msgs[0];
	assert.equal(first.kind, KIND.UUID, `first message of kind 0x${first.kind.toString(16)}`);
	assert.equal(first.payload.length, 16);
	assert.equal(first.payload.toString('hex'), uuid.replace(/-/g, ''));
	// It answers itself once connected: then it is in the app.
	await ev.waitFor((e) => e.type === 'StasisStart' && e.channel.id === r.json.id, EVENT_TIMEOUT_MS,
		{ from, what: 'StasisStart of the AudioSocket channel' });
	assert.equal((await srv.get(`/ari/channels/${enc(r.json.id)}`)).json.state, 'Up');
	return { id: r.json.id, name: r.json.name, uuid, conn, from };
}

/** An AudioSocket channel and a WebSocket bot A of the same format in one mixing bridge. */
async function bridgedWithBot(srv, ev, peer, format) {
	const as = await audioSocket(srv, ev, peer, format);
	const A = await serverChannel(srv, ev, { app: APP, format, name: 'A' });
	await mixBridge(srv, ev, [A.id, as.id]);
	return { as, A };
}

emTest('audiosocket_says_its_uuid_first_then_slin16_as_kind_0x12_every_20_ms_and_takes_echo_back',
	{ app: APP, prepare }, async (srv, ev, t, { peer }) => {
		const { as, A } = await bridgedWithBot(srv, ev, peer, 'slin16');
		as.conn.echo = true;
		await sleep(200);
		const fromAs = as.conn.msgs.length;
		const fromA = A.bot.frames.length;
		await A.bot.sendPaced(tone(1000, 16000, 2 * 16000), FRAME.slin16).done;
		await sleep(400);
		const audio = as.conn.msgs.slice(fromAs).filter((m) => m.kind !== KIND.DTMF);
		// Every message after the UUID is slin16 audio: kind 0x12, 640 bytes.
		const kinds = [...new Set(audio.map((m) => m.kind))];
		assert.deepEqual(kinds, [KIND.SLIN16], `kinds for slin16: ${kinds.map((k) => '0x' + k.toString(16))}`);
		assert.ok(audio.every((m) => m.payload.length === 640), 'slin16 messages other than 640 bytes: ' +
			[...new Set(audio.map((m) => m.payload.length))]);
		const toned = toneFrames(audio.map((m) => ({ t: m.t, data: m.payload })), 1000, 16000);
		assert.ok(toned.length >= 97, `the peer heard 1000 Hz in ${toned.length} of 100 frames`);
		const s = spacing(toned);
		assert.ok(Math.abs(s.mean - TICK) <= 5, `AudioSocket frames ${s.mean.toFixed(2)} ms apart`);
		assert.equal(s.bursts, 0, JSON.stringify(s));
		// The echo came back to A.
		const back = toneFrames(A.bot.since(fromA), 1000, 16000);
		assert.ok(back.length >= 95, `A heard its echo in ${back.length} frames`);

		// 00 00 00 from the peer hangs up; ariadne closes the socket.
		const from = ev.events.length;
		as.conn.sock.write(Buffer.from([0, 0, 0]));
		await channelEnds(ev, as.id, { from });
		await Promise.race([as.conn.closed, sleep(2000 * SLOW).then(() => assert.fail('socket left open after hangup'))]);
		await hangup(srv, ev, A);
	});

// Asterisk's wider rates: slin24 is kind 0x13 in 960-byte messages, slin48
// kind 0x16 in 1920 bytes, and a tone crosses the bridge at its frequency.
for (const [format, kind, bytes] of [['slin24', 0x13, 960], ['slin48', 0x16, 1920]]) {
	emTest(`audiosocket_${format}_is_kind_0x${kind.toString(16)}_in_${bytes}_bytes`,
		{ app: APP, prepare }, async (srv, ev, t, { peer }) => {
			const rate = RATE[format];
			const { as, A } = await bridgedWithBot(srv, ev, peer, format);
			await sleep(200);
			const fromAs = as.conn.msgs.length;
			await A.bot.sendPaced(tone(1000, rate, rate), FRAME[format]).done;
			await sleep(400);
			const audio = as.conn.msgs.slice(fromAs).filter((m) => m.kind !== KIND.DTMF);
			assert.deepEqual([...new Set(audio.map((m) => m.kind))], [kind]);
			assert.ok(audio.every((m) => m.payload.length === bytes), `${format} messages of ` +
				[...new Set(audio.map((m) => m.payload.length))] + ' bytes');
			const toned = toneFrames(audio.map((m) => ({ t: m.t, data: m.payload })), 1000, rate);
			assert.ok(toned.length >= 47, `the peer heard 1000 Hz in ${toned.length} of 50 frames`);
			await hangup(srv, ev, as, A);
		});
}

emTest('audiosocket_slin_is_kind_0x10_in_320_bytes_and_crosses_the_bridge_sample_exact',
	{ app: APP, prepare }, async (srv, ev, t, { peer }) => {
		const { as, A } = await bridgedWithBot(srv, ev, peer, 'slin');
		as.conn.echo = true;
		await sleep(200);
		const fromAs = as.conn.msgs.length;
		const fromA = A.bot.frames.length;
		await A.bot.sendPaced(pattern(8000), FRAME.slin).done;
		await sleep(400);
		const audio = as.conn.msgs.slice(fromAs);
		assert.deepEqual([...new Set(audio.map((m) => m.kind))], [KIND.SLIN]);
		assert.ok(audio.every((m) => m.payload.length === 320));
		const atPeer = patternStream(audio.map((m) => ({ t: m.t, data: m.payload })));
		assert.equal(assertPatternRun(atPeer.values, { what: 'A at the AudioSocket peer' }), 8000);
		const atA = patternStream(A.bot.since(fromA));
		assert.ok(assertPatternRun(atA.values, { what: 'echo at A' }) >= 8000 - 160);

		// Closing the socket hangs up too.
		const from = ev.events.length;
		as.conn.sock.end();
		await channelEnds(ev, as.id, { from });
		await hangup(srv, ev, A);
	});

emTest('audiosocket_audio_sent_in_one_lump_is_paced_out_by_ariadne', { app: APP, prepare }, async (srv, ev, t, { peer }) => {
	// Asterisk hands each AudioSocket message to the core at once (the app
	// must pace); ariadne runs it through the same 20 ms engine as WebSocket.
	const { as, A } = await bridgedWithBot(srv, ev, peer, 'slin');
	await sleep(200);
	const fromA = A.bot.frames.length;
	const buf = pattern(8000);
	as.conn.send(KIND.SLIN, buf.subarray(0, 9600));
	as.conn.send(KIND.SLIN, buf.subarray(9600));
	await sleep(1000 + 500 * SLOW);
	const frames = A.bot.since(fromA);
	const st = patternStream(frames);
	assert.equal(assertPatternRun(st.values, { what: 'A' }), 8000);
	const withAudio = frames.filter((f, i) => st.frames[i].count > 0);
	assert.equal(withAudio.length, 50);
	const span = withAudio[49].t - withAudio[0].t;
	assert.ok(Math.abs(span - 49 * TICK) <= TOL, `50 frames over ${span.toFixed(1)} ms`);
	assert.equal(spacing(withAudio).bursts, 0);
	as.conn.send(KIND.HANGUP);
	await srv.waitChannelGone(as.id);
	await hangup(srv, ev, A);
});

emTest('audiosocket_audio_of_any_linear_kind_is_converted_to_the_channels_rate',
	{ app: APP, prepare }, async (srv, ev, t, { peer }) => {
		// Asterisk reads 0x10-0x18 (slin at 8 to 192 kHz) whatever the
		// channel's format, and the core converts: a bot that always sends
		// 8 kHz, or 48 kHz, into a slin16 channel is heard, not hung up.
		const { as, A } = await bridgedWithBot(srv, ev, peer, 'slin16');
		await sleep(200);
		// An empty audio message is nothing to play, not an error.
		as.conn.send(KIND.SLIN, Buffer.alloc(0));
		for (const [kind, rate, hz] of [[0x10, 8000, 700], [0x16, 48000, 1200], [0x11, 12000, 500]]) {
			const fromA = A.bot.frames.length;
			// One second of tone in one message (48 kHz: two, a message holds at most 64 KB).
			const buf = tone(hz, rate, rate);
			for (let off = 0; off < buf.length; off += 48000) as.conn.send(kind, buf.subarray(off, off + 48000));
			await sleep(1000 + 400 * SLOW);
			const heard = toneFrames(A.bot.since(fromA), hz, 16000);
			assert.ok(heard.length >= 45 && heard.length <= 52,
				`kind 0x${kind.toString(16)}: A heard ${hz} Hz in ${heard.length} frames, want about 50`);
			assert.equal(spacing(heard).bursts, 0);
		}
		assert.equal(ev.filter((e) => e.type === 'StasisEnd' && e.channel.id === as.id).length, 0,
			'the AudioSocket channel was hung up');
		// A kind that is neither audio nor hangup still ends the call, as in Asterisk.
		const from = ev.events.length;
		as.conn.send(0x05, Buffer.from([1, 2, 3]));
		await channelEnds(ev, as.id, { from });
		await hangup(srv, ev, A);
	});

emTest('audiosocket_gets_digits_as_kind_0x03_and_a_delete_closes_the_socket', { app: APP, prepare },
	async (srv, ev, t, { peer }) => {
		const as = await audioSocket(srv, ev, peer, 'slin16');
		const r = await srv.post(`/ari/channels/${enc(as.id)}/dtmf?dtmf=5`);
		assert.equal(r.status, 204, r.body);
		const d = await as.conn.until(() => as.conn.msgs.find((m) => m.kind === KIND.DTMF), 'a DTMF message');
		assert.equal(d.payload.length, 1);
		assert.equal(d.payload.toString('latin1'), '5');
		await srv.post(`/ari/channels/${enc(as.id)}/dtmf?dtmf=${enc('*#')}`);
		await as.conn.until(() => (as.conn.msgs.filter((m) => m.kind === KIND.DTMF).length >= 3 ? true : undefined),
			'three digits', 4000 * SLOW);
		assert.deepEqual(as.conn.msgs.filter((m) => m.kind === KIND.DTMF).map((m) => m.payload.toString('latin1')),
			['5', '*', '#']);
		const from = ev.events.length;
		assert.equal((await srv.del(`/ari/channels/${enc(as.id)}`)).status, 204);
		await channelEnds(ev, as.id, { from });
		await Promise.race([as.conn.closed, sleep(2000 * SLOW).then(() => assert.fail('socket left open after DELETE'))]);
		// Asterisk just closes: no kind ariadne does not send (0x00 is the peer's).
		assert.ok(as.conn.msgs.every((m) => [KIND.UUID, KIND.DTMF, KIND.SLIN16].includes(m.kind)),
			`unexpected kinds: ${[...new Set(as.conn.msgs.map((m) => m.kind))]}`);
	});

// As chan_audiosocket, which connects while the channel is requested: a
// refused connection fails the request (500 "Allocation failed"), no channel
// is made and the app hears nothing of it.
emTest('audiosocket_with_nobody_listening_is_refused_and_leaves_no_channel', { app: APP }, async (srv, ev) => {
	const peer = await asServer();
	const port = peer.port;
	await peer.close();
	const id = `as-refused-${crypto.randomUUID()}`;
	const r = await externalMedia(srv, { app: APP, encapsulation: 'audiosocket', transport: 'tcp',
		external_host: `127.0.0.1:${port}`, data: crypto.randomUUID(), format: 'slin16', channelId: id });
	assert.equal(r.status, 500, r.body);
	assert.equal(r.json.message, 'Allocation failed');
	assert.deepEqual((await srv.get('/ari/channels')).json, []);
	assert.equal((await srv.get(`/ari/channels/${id}`)).status, 404);
	await srv.waitForLog(new RegExp(`WARNING\\[\\d+\\]: .*Connecting to '127\\.0\\.0\\.1:${port}' failed for url '127\\.0\\.0\\.1:${port}': Connection refused`));
	await sleep(300 * SLOW);
	assert.deepEqual(ev.events.filter((e) => e.channel && e.channel.id === id).map((e) => e.type), [],
		'the app hears nothing of a channel that was never made');
	// The same id is free: nothing of the refused channel is left.
	const again = await asServer();
	try {
		const ok = await externalMedia(srv, { app: APP, encapsulation: 'audiosocket', transport: 'tcp',
			external_host: `127.0.0.1:${again.port}`, data: crypto.randomUUID(), format: 'slin16', channelId: id });
		assert.equal(ok.status, 200, ok.body);
		await ev.waitFor((e) => e.type === 'StasisStart' && e.channel.id === id);
		await hangup(srv, ev, { id, name: ok.json.name });
	} finally {
		await again.close();
	}
});

emTest('audiosocket_requests_are_checked', { app: APP }, async (srv) => {
	const base = { app: APP, encapsulation: 'audiosocket', transport: 'tcp', format: 'slin16' };
	let r = await externalMedia(srv, { ...base, external_host: '127.0.0.1:9' });
	assert.equal(r.status, 400, `without data: ${r.status} ${r.body}`);
	r = await externalMedia(srv, { ...base, external_host: '127.0.0.1', data: crypto.randomUUID() });
	assert.equal(r.status, 400, `without a port: ${r.status} ${r.body}`);
	r = await externalMedia(srv, { ...base, transport: 'udp', external_host: '127.0.0.1:9', data: crypto.randomUUID() });
	assert.ok(r.status === 400 || r.status === 501, `audiosocket over udp: ${r.status} ${r.body}`);
	assert.deepEqual((await srv.get('/ari/channels')).json, []);
});

emTest('audiosocket_an_odd_length_message_loses_its_last_byte_not_the_alignment_of_what_follows',
	{ app: APP, prepare }, async (srv, ev, t, { peer }) => {
		const { as, A } = await bridgedWithBot(srv, ev, peer, 'slin');
		await sleep(200);
		const fromA = A.bot.frames.length;
		// One stray byte, then the counter pattern in whole frames: as in
		// Asterisk, each message is its own whole samples.
		as.conn.send(KIND.SLIN, Buffer.from([0x55]));
		const p = pattern(8000);
		for (let i = 0; i < p.length; i += 320) {
			as.conn.send(KIND.SLIN, p.subarray(i, i + 320));
			await sleep(20);
		}
		await sleep(300);
		const atA = patternStream(A.bot.since(fromA));
		assert.equal(assertPatternRun(atA.values, { what: 'the pattern after a stray byte' }), 8000);
		await srv.waitForLog(/NOTICE\[\d+\]: .*AudioSocket\/.*: AudioSocket audio of an odd length \(1 bytes\); its last byte dropped/);
		await hangup(srv, ev, A, as);
	});

emTest('audiosocket_a_message_whose_data_never_comes_hangs_up_after_two_seconds',
	{ app: APP, prepare }, async (srv, ev, t, { peer }) => {
		const as = await audioSocket(srv, ev, peer, 'slin');
		const from = ev.events.length;
		// A header that announces 65535 bytes, and 10 of them.
		as.conn.sock.write(Buffer.concat([Buffer.from([KIND.SLIN, 0xff, 0xff]), Buffer.alloc(10)]));
		const t0 = Date.now();
		await channelEnds(ev, as.id, { from, timeoutMs: 6000 * SLOW });
		const took = Date.now() - t0;
		assert.ok(took >= 1500 && took < 4000 * SLOW, `hung up ${took} ms after the half message`);
		await srv.waitForLog(/ERROR\[\d+\]: .*AudioSocket message not received whole within 2000 ms \(13 bytes of it\); hanging up/);
	});

emTest('audiosocket_a_server_that_never_answers_the_connection_is_given_up_after_connect_time',
	{ app: APP, timeout: 60000 * SLOW }, async (srv, ev) => {
		// A listener whose accept queue is full: Linux drops further SYNs,
		// so ariadne's connection is never answered (a firewalled host).
		const { spawn } = require('node:child_process');
		const py = spawn('python3', ['-c', [
			'import socket, sys, time',
			's = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(0)',
			'port = s.getsockname()[1]',
			'fill = socket.create_connection(("127.0.0.1", port))',
			'print(port, flush=True)',
			'time.sleep(60)'].join('\n')], { stdio: ['ignore', 'pipe', 'inherit'] });
		try {
			const port = await new Promise((resolve, reject) => {
				py.stdout.once('data', (d) => resolve(Number(String(d).trim())));
				py.once('exit', (code) => reject(new Error(`the python listener exited (${code})`)));
			});
			const t0 = Date.now();
			const r = await externalMedia(srv, { app: APP, encapsulation: 'audiosocket', transport: 'tcp',
				external_host: `127.0.0.1:${port}`, data: crypto.randomUUID(), format: 'slin' });
			assert.equal(r.status, 200, r.body);
			// Never connected, so never answered nor in the app: it just goes.
			await srv.waitChannelGone(r.json.id, 8000 * SLOW);
			const took = Date.now() - t0;
			assert.ok(took >= 1500 && took < 5000 * SLOW, `given up after ${took} ms`);
			await srv.waitForLog(new RegExp(`WARNING\\[\\d+\\]: .*could not connect to AudioSocket server 127\\.0\\.0\\.1:${port}: no answer within 2000 ms`));
		} finally {
			py.kill();
		}
	});

emTest('audiosocket_external_host_may_be_a_name_and_a_name_that_does_not_resolve_is_refused_quickly',
	{ app: APP, prepare }, async (srv, ev, t, { peer }) => {
		const r = await externalMedia(srv, { app: APP, encapsulation: 'audiosocket', transport: 'tcp',
			external_host: `localhost:${peer.port}`, data: crypto.randomUUID(), format: 'slin' });
		assert.equal(r.status, 200, r.body);
		const conn = await peer.next();
		await conn.until(() => (conn.msgs.length ? true : undefined), 'the UUID message');
		await ev.waitFor((e) => e.type === 'StasisStart' && e.channel.id === r.json.id);
		await hangup(srv, ev, { id: r.json.id, name: r.json.name });
		// Looked up off the loop, for at most a second (net/lookup.h):
		// whatever the resolver does with it, the answer is quick.
		const t0 = Date.now();
		const bad = await externalMedia(srv, { app: APP, encapsulation: 'audiosocket', transport: 'tcp',
			external_host: 'no-such-host.invalid:9092', data: crypto.randomUUID(), format: 'slin' });
		assert.ok(bad.status >= 400 && bad.status < 600 && bad.status !== 200, `${bad.status} ${bad.body}`);
		assert.ok(Date.now() - t0 < 3000, `refused after ${Date.now() - t0} ms`);
		await srv.waitForLog(/Unable to resolve host 'no-such-host\.invalid'/);
	});
