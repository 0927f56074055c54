'use strict';
// A caller's RTP endpoint owned by the test: a UDP socket on an even port that
// a SIPp call's SDP points at (tests/sipp/path_uac_rtp_sink.xml and others
// with [rtp_port]). It keeps every PCMU frame ariadne sends, decoded, and can
// say tones back (to the address ariadne sends from: symmetric RTP), paced
// at 20 ms on the wall clock. What was heard is measured per frame with
// Goertzel at given frequencies: which tones a caller hears, and which not.
//
// Not a SIP stack (SIPp does the signalling) and not a jitter buffer: frames
// are taken in arrival order.
const assert = require('node:assert/strict');
const dgram = require('node:dgram');
const { reserveUdpPorts, sleep, SLOW } = require('./server');

// ---- G.711 µ-law (ITU-T G.711) ----

function ulawEncode(sample) {
	const BIAS = 0x84;
	const CLIP = 32635;
	let s = Math.max(-32768, Math.min(32767, Math.round(sample)));
	const sign = s < 0 ? 0x80 : 0;
	if (sign) s = -s;
	if (s > CLIP) s = CLIP;
	s += BIAS;
	let exp = 7;
	for (let mask = 0x4000; (s & mask) === 0 && exp > 0; mask >>= 1) exp--;
	const mant = (s >> (exp + 3)) & 0x0f;
	return ~(sign | (exp << 4) | mant) & 0xff;
}

function ulawDecode(u) {
	u = ~u & 0xff;
	const sign = u & 0x80;
	const exp = (u >> 4) & 0x07;
	const mant = u & 0x0f;
	const mag = (((mant << 3) + 0x84) << exp) - 0x84;
	return sign ? -mag : mag;
}

/**
 * 20 ms of PCMU saying the tones `hz` (one or several, each at `amplitude`).
 * Use multiples of 50 Hz: a 160-sample frame then holds whole periods, so
 * frames follow each other without a phase jump.
 */
function toneFrame(hz, amplitude = 8000) {
	const freqs = [].concat(hz);
	const b = Buffer.alloc(160);
	for (let i = 0; i < 160; i++) {
		let s = 0;
		for (const f of freqs) s += amplitude * Math.sin(2 * Math.PI * f * i / 8000);
		b[i] = ulawEncode(s);
	}
	return b;
}

/** The amplitude of the `hz` component of a frame (Goertzel): ~A for A·sin. */
function toneAmplitude(pcm, hz) {
	const n = pcm.length;
	const k = 2 * Math.cos(2 * Math.PI * hz / 8000);
	let s1 = 0;
	let s2 = 0;
	for (const x of pcm) {
		const s0 = x + k * s1 - s2;
		s2 = s1;
		s1 = s0;
	}
	const power = Math.max(0, s1 * s1 + s2 * s2 - k * s1 * s2);
	return (2 * Math.sqrt(power)) / n;
}

const rms = (pcm) => Math.sqrt(pcm.reduce((a, x) => a + x * x, 0) / pcm.length);

// A tone said at 8000 is heard at about 8000 (G.711 noise is a few tens).
const PRESENT = 2000;
const LOUD_RMS = 500;

/**
 * An RTP endpoint on 127.0.0.1. peer.port goes into the SDP ([rtp_port]).
 */
async function rtpPeer() {
	const { port, release } = await reserveUdpPorts({ count: 2, even: true });
	await release();
	const sock = dgram.createSocket('udp4');
	await new Promise((res, rej) => { sock.once('error', rej); sock.bind(port, '127.0.0.1', res); });
	const peer = {
		port,
		remote: null,
		frames: [],            // {t, pcm} of every PCMU packet received
		seq: Math.floor(Math.random() * 30000),
		ts: 1000,
		ssrc: (0x5eed0000 + port) >>> 0,
		saying: null,          // the frame said every 20 ms, or null

		/** Wait until ariadne's first RTP packet tells where to send. */
		async learnRemote(timeoutMs = 5000 * SLOW) {
			const deadline = Date.now() + timeoutMs;
			while (!peer.remote && Date.now() < deadline) await sleep(10);
			assert.ok(peer.remote, `no RTP from ariadne at 127.0.0.1:${port} within ${timeoutMs} ms`);
			return peer.remote;
		},

		send(pt, payload, marker = false) {
			const h = Buffer.alloc(12);
			h[0] = 0x80;
			h[1] = (marker ? 0x80 : 0) | pt;
			h.writeUInt16BE(peer.seq++ & 0xffff, 2);
			h.writeUInt32BE(peer.ts >>> 0, 4);
			h.writeUInt32BE(peer.ssrc, 8);
			peer.ts += payload.length;
			sock.send(Buffer.concat([h, payload]), peer.remote.port, peer.remote.address);
		},

		/** A whole packet as given, to ariadne. */
		sendRaw(buf) { sock.send(buf, peer.remote.port, peer.remote.address); },

		/** Say the tone(s) `hz` from now on, one frame every 20 ms (null: stop). */
		async say(hz) {
			if (hz === null) {
				peer.saying = null;
				return;
			}
			await peer.learnRemote();
			const first = !peer.saying;
			peer.saying = toneFrame(hz);
			if (first) peer._loop();
		},

		async _loop() {
			const t0 = Date.now();
			for (let i = 0; peer.saying && !peer.closed; i++) {
				peer.send(0, peer.saying, i === 0);
				const wait = t0 + (i + 1) * 20 - Date.now();
				if (wait > 0) await sleep(wait);
			}
		},

		/** Index to measure from: frames received after this call. */
		mark() { return peer.frames.length; },

		/**
		 * What was heard in frames [from, to): for each frequency the share
		 * of frames in which it is present, and the share of loud frames.
		 */
		heard(from, to = peer.frames.length, freqs = []) {
			const win = peer.frames.slice(from, to);
			const share = (pred) => (win.length ? win.filter(pred).length / win.length : 0);
			const out = { frames: win.length, loud: share((f) => f.rms > LOUD_RMS), tones: {} };
			for (const hz of freqs) out.tones[hz] = share((f) => toneAmplitude(f.pcm, hz) > PRESENT);
			return out;
		},

		close() {
			peer.closed = true;
			peer.saying = null;
			return new Promise((r) => sock.close(r));
		},
	};
	sock.on('message', (b, rinfo) => {
		if (b.length < 12 || (b[0] >> 6) !== 2) return;
		const pt = b[1] & 0x7f;
		if (pt >= 72 && pt <= 76) return; // RTCP on the RTP port (RFC 5761), not ours
		if (!peer.remote) peer.remote = { address: rinfo.address, port: rinfo.port };
		if (pt !== 0) return;
		const payload = b.subarray(12 + 4 * (b[0] & 0x0f));
		const pcm = Array.from(payload, ulawDecode);
		peer.frames.push({ t: Date.now(), pcm, rms: rms(pcm), marker: (b[1] & 0x80) !== 0 });
	});
	return peer;
}

module.exports = { rtpPeer, toneFrame, toneAmplitude, ulawEncode, ulawDecode, PRESENT, LOUD_RMS };
