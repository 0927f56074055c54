'use strict';
// The media dialplan applications on a real SIP call: Echo(), SendDTMF(),
// Playback() with PLAYBACKSTATUS, Progress() and Ringing(). SIPp places the
// call; its SDP points m=audio at a UDP socket of the test (tests/sipp/
// path_uac_rtp_sink.xml), so the test owns the caller's RTP endpoint: it
// decodes the PCMU ariadne sends, and sends its own audio and RFC 4733 events
// to the port ariadne sends from (symmetric RTP).
const assert = require('node:assert/strict');
const dgram = require('node:dgram');
const {
	serverTest, pjsipConf, spawnSipp, assertSipp, sippReport, sleep, reserveUdpPorts, SLOW, withSipp,
} = require('./lib/server');
const { toneFrame, ulawDecode } = require('./lib/rtp');

const enc = encodeURIComponent;

const EXTENSIONS = [
	'[apps]',
	'exten => 100,1,Answer()',
	' same => n,Playback(beep)',  // a first packet: where the RTP peer sends
	' same => n,Echo()',
	' same => n,Hangup()',
	'exten => 200,1,Answer()',
	' same => n,SendDTMF(12#)',
	' same => n,Hangup()',
	'exten => 201,1,Answer()',
	' same => n,SendDTMF(4,50,400)',
	' same => n,SendDTMF(5,,400)',
	' same => n,Hangup()',
	'exten => 300,1,Answer()',
	' same => n,Playback(hello-world)',
	' same => n,Set(R=${PLAYBACKSTATUS})',
	' same => n,Stasis(apps)',
	'exten => 301,1,Answer()',
	' same => n,Playback(no-such-prompt)',
	' same => n,Set(R=${PLAYBACKSTATUS})',
	' same => n,Stasis(apps)',
	'exten => 400,1,Progress()',
	' same => n,Ringing()',
	' same => n,Wait(1)',
	' same => n,Answer()',
	' same => n,Hangup()',
	'',
].join('\n');

const CONF = {
	files: {
		'pjsip.conf': pjsipConf({ alice: { match: '127.0.0.1', context: 'apps' } }),
		'extensions.conf': EXTENSIONS,
	},
};

const rms = (pcm) => Math.sqrt(pcm.reduce((a, x) => a + x * x, 0) / pcm.length);

/**
 * Share of the frame's energy at `hz` (Goertzel): about 1 for a pure tone
 * whose period divides the frame, about 0 for silence, noise or another tone.
 */
function toneRatio(pcm, hz = 1000) {
	const n = pcm.length;
	const coeff = 2 * Math.cos(2 * Math.PI * hz / 8000);
	let s1 = 0;
	let s2 = 0;
	for (const x of pcm) {
		const s0 = x + coeff * s1 - s2;
		s2 = s1;
		s1 = s0;
	}
	const power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
	const energy = pcm.reduce((a, x) => a + x * x, 0);
	return energy ? (2 * power) / (n * energy) : 0;
}

/**
 * The caller's RTP endpoint: a UDP socket on an even port, recording every
 * RTP packet ariadne sends (PCMU decoded, RFC 4733 events parsed) and able to
 * send RTP back to the address ariadne sends from.
 */
async function rtpPeer() {
	const { port, release } = await reserveUdpPorts({ count: 2, even: true });
	await release();
	const sock = dgram.createSocket('udp4');
	await new Promise((res, rej) => { sock.once('error', rej); sock.bind(port, '127.0.0.1', res); });
	const pkts = [];
	const peer = {
		port, pkts, remote: null,
		seq: Math.floor(Math.random() * 30000), ts: 1000, ssrc: 0x5eed1234,
		/** Wait until ariadne's first RTP packet tells its port; resolves that port. */
		async learnRemote(timeoutMs = 5000 * SLOW) {
			const deadline = Date.now() + timeoutMs;
			while (!peer.remote && Date.now() < deadline) await sleep(10);
			assert.ok(peer.remote, `no RTP from ariadne at 127.0.0.1:${port} within ${timeoutMs} ms`);
			return peer.remote;
		},
		send(pt, payload, { marker = false, ts = peer.ts } = {}) {
			const h = Buffer.alloc(12);
			h[0] = 0x80;
			h[1] = (marker ? 0x80 : 0) | pt;
			h.writeUInt16BE(peer.seq++ & 0xffff, 2);
			h.writeUInt32BE(ts >>> 0, 4);
			h.writeUInt32BE(peer.ssrc, 8);
			sock.send(Buffer.concat([h, payload]), peer.remote.port, peer.remote.address);
		},
		/** n frames of PCMU, one every 20 ms on the wall clock (no drift). */
		async sendAudio(frame, n) {
			const t0 = Date.now();
			for (let i = 0; i < n; i++) {
				peer.send(0, frame, { marker: i === 0 });
				peer.ts += 160;
				const wait = t0 + (i + 1) * 20 - Date.now();
				if (wait > 0) await sleep(wait);
			}
		},
		/** One RFC 4733 digit (event code) of `ms`: start with marker, updates, three ends. */
		async sendDigit(code, ms = 120) {
			const ts = peer.ts;
			const ev = (dur, end) => Buffer.from([code, (end ? 0x80 : 0) | 10, (dur >> 8) & 0xff, dur & 0xff]);
			for (let t = 20; t < ms; t += 20) {
				peer.send(101, ev(t * 8, false), { marker: t === 20, ts });
				await sleep(20);
			}
			for (let i = 0; i < 3; i++) peer.send(101, ev(ms * 8, true), { ts });
			peer.ts += ms * 8;
		},
		close: () => new Promise((r) => sock.close(r)),
	};
	sock.on('message', (b, rinfo) => {
		if (b.length < 12 || (b[0] >> 6) !== 2) return;
		const pt = b[1] & 0x7f;
		if (pt >= 72 && pt <= 76) return; // RTCP on the RTP port (RFC 5761), not ours
		if (!peer.remote) peer.remote = { address: rinfo.address, port: rinfo.port };
		const cc = b[0] & 0x0f;
		const payload = b.subarray(12 + 4 * cc);
		const p = { t: Date.now(), pt, marker: !!(b[1] & 0x80), seq: b.readUInt16BE(2), ts: b.readUInt32BE(4),
			from: rinfo.port };
		if (pt === 0) {
			p.pcm = Array.from(payload, ulawDecode);
			p.rms = rms(p.pcm);
		} else if (pt === 101 && payload.length >= 4) {
			p.event = payload[0];
			p.end = !!(payload[1] & 0x80);
			p.duration = payload.readUInt16BE(2);
		}
		pkts.push(p);
	});
	return peer;
}

/** A SIPp call as alice to extension `exten` of [apps], its audio at peer.port. */
function callIn(srv, exten, peer, scenario = 'path_uac_rtp_sink', opts = {}) {
	return spawnSipp(Object.assign({ scenario, remote: srv, service: String(exten), timeoutMs: 15000 * SLOW,
		keys: { from_user: 'alice', rtp_port: peer ? peer.port : 0 } }, opts));
}

/** The RFC 4733 event codes that got an end packet, in order of their first end. */
const endedEvents = (pkts) => [...new Set(pkts.filter((p) => p.pt === 101 && p.end).map((p) => p.event))];

const LOUD = 500; // RMS of a decoded frame above which it is not silence

// 1. Echo ----------------------------------------------------------------------

serverTest('echo_returns_the_callers_audio', CONF, async (srv) => {
	const peer = await rtpPeer();
	try {
		const sipp = await callIn(srv, 100, peer);
		await withSipp(sipp, async () => {
			await peer.learnRemote();
			// After the beep, before the caller says anything, Echo has
			// nothing to return: as Asterisk's, it sends nothing.
			await sleep(1000);
			const quiet = peer.pkts.length;
			await sleep(300);
			const before = peer.pkts.slice(quiet).filter((p) => p.pt === 0);
			assert.equal(before.length, 0, `PCMU from Echo before any input: ${before.length} frames`);

			const from = peer.pkts.length;
			await peer.sendAudio(toneFrame(1000), 50); // 1 s of 1 kHz
			await sleep(300);
			const back = peer.pkts.slice(from).filter((p) => p.pt === 0);
			const loud = back.filter((p) => p.rms >= LOUD);
			assert.ok(loud.length >= 35, `of 50 tone frames sent, ${loud.length} came back non-silent ` +
				`(${back.length} PCMU frames received; rms ${back.map((p) => p.rms | 0).join(' ')})`);
			const pure = loud.filter((p) => toneRatio(p.pcm) > 0.8);
			assert.ok(pure.length >= 0.9 * loud.length, `only ${pure.length} of ${loud.length} returned frames ` +
				`are 1 kHz: ratios ${loud.map((p) => toneRatio(p.pcm).toFixed(2)).join(' ')}`);
			const meanRms = loud.reduce((a, p) => a + p.rms, 0) / loud.length;
			// sent at amplitude 8000: rms 5657; Echo does not change the level
			assert.ok(meanRms > 4000 && meanRms < 7500, `echoed level rms ${meanRms | 0}, sent 5657`);

			// Echo plays the caller's digits back; '#' leaves it and the dialplan goes on (Hangup → BYE).
			const dtmfFrom = peer.pkts.length;
			await peer.sendDigit(5);
			await sleep(400);
			assert.deepEqual(endedEvents(peer.pkts.slice(dtmfFrom)), [5], 'digit 5 echoed as an RFC 4733 event');
			await peer.sendDigit(11);
			assertSipp(await sipp.done, 0, "'#' ends Echo, Hangup() sends the BYE");
			assert.ok(!endedEvents(peer.pkts.slice(dtmfFrom)).includes(11), "'#' is not echoed");
		});
	} finally {
		await peer.close();
	}
});

// 2. SendDTMF --------------------------------------------------------------------

serverTest('senddtmf_in_the_dialplan_sends_rfc4733_events', CONF, async (srv) => {
	const peer = await rtpPeer();
	try {
		const sipp = await callIn(srv, 200, peer);
		await withSipp(sipp, async () => {
			// SendDTMF resumes the dialplan after its last digit: Hangup() then BYEs.
			assertSipp(await sipp.done, 0, 'SendDTMF(12#) then Hangup()');
			const ev = peer.pkts.filter((p) => p.pt === 101);
			assert.deepEqual(endedEvents(ev), [1, 2, 11], `RFC 4733 packets: ${JSON.stringify(ev)}`);
			const starts = [];
			for (const code of [1, 2, 11]) {
				const mine = ev.filter((p) => p.event === code);
				assert.ok(mine[0].marker, `digit ${code}: first packet has the marker`);
				assert.equal(new Set(mine.map((p) => p.ts)).size, 1, `digit ${code}: one timestamp`);
				const end = mine.find((p) => p.end);
				// default duration 100 ms = 800 samples (Asterisk's SendDTMF default)
				assert.ok(end.duration >= 640 && end.duration <= 1200, `digit ${code}: ${end.duration} samples`);
				starts.push(mine[0].t);
			}
			// default pause 250 ms after each 100 ms digit
			for (let i = 1; i < starts.length; i++) {
				const gap = starts[i] - starts[i - 1];
				assert.ok(gap >= 280 && gap <= 900 * SLOW, `digit ${i} → ${i + 1} started ${gap} ms apart`);
			}
		});
	} finally {
		await peer.close();
	}
});

// Empty arguments keep their place: in SendDTMF(5,,400) the 400 is the
// duration, not the gap.
serverTest('senddtmf_duration_argument_sets_the_event_length_even_with_an_empty_timeout', CONF, async (srv) => {
	const peer = await rtpPeer();
	try {
		const sipp = await callIn(srv, 201, peer);
		await withSipp(sipp, async () => {
			assertSipp(await sipp.done, 0, 'SendDTMF(4,50,400), SendDTMF(5,,400), Hangup()');
			const ev = peer.pkts.filter((p) => p.pt === 101);
			assert.deepEqual(endedEvents(ev), [4, 5], JSON.stringify(ev));
			for (const code of [4, 5]) {
				const end = ev.find((p) => p.event === code && p.end);
				// 400 ms = 3200 samples; SendDTMF(digits,,duration) keeps the empty timeout
				// (Asterisk's AST_STANDARD_APP_ARGS), so 5 lasts 400 ms too
				assert.ok(end.duration >= 2800 && end.duration <= 3600,
					`SendDTMF digit ${code}: end duration ${end.duration} samples, expected ~3200`);
			}
		});
	} finally {
		await peer.close();
	}
});

// 3. Playback --------------------------------------------------------------------

async function playAndEnterStasis(srv, ws, exten) {
	const peer = await rtpPeer();
	try {
		const from = ws.events.length;
		const sipp = await callIn(srv, exten, peer);
		return await withSipp(sipp, async () => {
			const { channel } = await ws.waitFor('StasisStart', 8000 * SLOW, { from });
			const audio = peer.pkts.filter((p) => p.pt === 0);
			const loud = audio.filter((p) => p.rms >= LOUD);
			const v = await srv.get(`/ari/channels/${enc(channel.id)}/variable?variable=R`);
			assert.equal(v.status, 200, v.body);
			// the call goes on in Stasis until the app hangs it up
			assert.equal((await srv.del(`/ari/channels/${enc(channel.id)}`)).status, 204);
			assertSipp(await sipp.done, 0, 'BYE from ariadne after DELETE');
			return { value: v.json.value, loudMs: loud.length * 20, audio };
		});
	} finally {
		await peer.close();
	}
}

serverTest('playback_plays_a_prompt_and_sets_PLAYBACKSTATUS', CONF, async (srv) => {
	const ws = await srv.events('apps');
	const ok = await playAndEnterStasis(srv, ws, 300);
	assert.equal(ok.value, 'SUCCESS');
	// hello-world is about 1.3 s of speech
	assert.ok(ok.loudMs >= 700 && ok.loudMs <= 1800, `non-silent PCMU before StasisStart: ${ok.loudMs} ms ` +
		`(${ok.audio.length} frames, rms ${ok.audio.map((p) => p.rms | 0).join(' ')})`);

	const missing = await playAndEnterStasis(srv, ws, 301);
	assert.equal(missing.value, 'FAILED', 'a missing file gives FAILED and the dialplan goes on');
	assert.equal(missing.loudMs, 0, 'nothing is played for a missing file');
	assert.match(srv.stderr, /no-such-prompt/);
});

// 4. Progress and Ringing --------------------------------------------------------

/** SIPp -trace_msg log → [{time (ms), text}] per message. */
function sippMessages(log) {
	return log.split(/\n(?=-{5,} \d{4}-\d\d-\d\d )/).map((m) => {
		const d = /^-{5,} (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?)/.exec(m.trim());
		return { time: d ? Date.parse(d[1].replace(' ', 'T').slice(0, 23)) : NaN, text: m };
	});
}

serverTest('progress_and_ringing_send_183_and_180', CONF, async (srv) => {
	const r = await (await callIn(srv, 400, null, 'apps_uac_progress_ringing')).done;
	assertSipp(r, 0, 'INVITE → 183 → 180 → 200 (in that order) → ACK → BYE');
	const msgs = sippMessages(r.messages);
	const resp = (code) => msgs.find((m) => new RegExp(`^SIP/2\\.0 ${code} `, 'm').test(m.text));
	const m183 = resp(183);
	const m180 = resp(180);
	const m200 = resp(200);
	assert.ok(m183 && m180 && m200, sippReport(r));
	// Progress() is early media: Asterisk's 183 carries the SDP answer
	assert.match(m183.text, /Content-Type:\s*application\/sdp[\s\S]*m=audio \d+ RTP\/AVP 0/i, m183.text);
	// Wait(1) between the 180 and the answer
	const waited = m200.time - m180.time;
	assert.ok(waited >= 900 && waited <= 3000 * SLOW, `200 came ${waited} ms after the 180\n${sippReport(r)}`);
});
