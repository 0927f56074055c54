'use strict';
// Strict RTP (src/media/session.c): a call takes RTP from one source only.
// It learns the source at the start (the SDP's address at once, another one
// after four packets in sequence), and never lets a second sender slip
// audio in or take the call's outgoing RTP while the peer talks ("RTP
// bleed"); a new source is taken only after two seconds of silence from the
// old one and probation (a phone that changed networks). Padding (RFC 3550
// 5.1) is not audio. UnicastRTP sends only to external_host and no RTCP, as
// chan_rtp.
//
// The caller is SIPp with its RTP at a socket of the test; what ariadne
// takes from it is heard byte for byte by a WebSocket bot (ulaw) bridged
// with it (a two-party bridge relays frames untouched).
const assert = require('node:assert/strict');
const dgram = require('node:dgram');
const { pjsipConf, spawnSipp, assertSipp, withSipp, sleep, SLOW, reserveUdpPorts } = require('./lib/server');
const { rtpPeer, toneFrame } = require('./lib/rtp');
const { externalMedia, serverChannel, mixBridge, emTest, hangup } = require('./lib/media_ws');

const enc = encodeURIComponent;
const APP = 'strict';
const OPTS = {
	app: APP, timeout: 90000 * SLOW,
	files: { 'pjsip.conf': pjsipConf({ alice: { match: '127.0.0.1', context: `stasis-${APP}` } }) },
};

/** A UDP socket of the test that sends PCMU RTP (seq in order) and counts what it receives. */
async function sender() {
	const sock = dgram.createSocket('udp4');
	await new Promise((r) => sock.bind(0, '127.0.0.1', r));
	const s = {
		port: sock.address().port, seq: 1000, ts: 0, ssrc: 0xbad0 + sock.address().port, got: 0, timer: null,
		packet(payload, { pad = 0 } = {}) {
			const h = Buffer.alloc(12);
			h[0] = 0x80 | (pad ? 0x20 : 0);
			h[1] = 0;
			h.writeUInt16BE(s.seq++ & 0xffff, 2);
			h.writeUInt32BE(s.ts >>> 0, 4);
			h.writeUInt32BE(s.ssrc, 8);
			s.ts += payload.length;
			const tail = pad ? Buffer.concat([Buffer.alloc(pad - 1), Buffer.from([pad])]) : Buffer.alloc(0);
			return Buffer.concat([h, payload, tail]);
		},
		sendTo(to, payload) { sock.send(s.packet(payload), to.port, to.address); },
		/** Every 20 ms to `to`, until stop(). */
		every(to, payload, opts) {
			s.timer = setInterval(() => sock.send(s.packet(payload, opts), to.port, to.address), 20);
		},
		stop() { clearInterval(s.timer); s.timer = null; },
		close() { s.stop(); return new Promise((r) => sock.close(r)); },
	};
	sock.on('message', () => { s.got++; });
	return s;
}

/** A SIPp call into the app, answered and bridged with a ulaw WebSocket bot A. */
async function callWithBot(srv, ev, fn) {
	const caller = await rtpPeer();
	const sipp = await spawnSipp({ scenario: 'path_uac_rtp_sink', remote: srv, service: '100',
		timeoutMs: 80000 * SLOW, keys: { from_user: 'alice', rtp_port: caller.port } });
	const from = ev.events.length;
	try {
		await withSipp(sipp, async () => {
			const { channel } = await ev.waitFor((e) => e.type === 'StasisStart' && /^PJSIP\//.test(e.channel.name),
				8000 * SLOW, { from, what: 'StasisStart of the SIP call' });
			assert.equal((await srv.post(`/ari/channels/${enc(channel.id)}/answer`)).status, 204);
			const A = await serverChannel(srv, ev, { app: APP, format: 'ulaw', name: 'A' });
			await mixBridge(srv, ev, [channel.id, A.id]);
			// The bridge sends the caller a frame every tick: its address is known.
			await caller.learnRemote();
			await fn({ id: channel.id, caller, A });
			await hangup(srv, ev, A);
			assert.equal((await srv.del(`/ari/channels/${enc(channel.id)}`)).status, 204);
			assertSipp(await sipp.done, 0, 'caller');
		});
	} finally {
		await sipp.stop();
		await caller.close();
	}
}

const same = (a, b) => Buffer.compare(a, b) === 0;

emTest('a_second_sender_neither_slips_audio_into_a_call_nor_takes_its_rtp', OPTS, async (srv, ev) => {
	await callWithBot(srv, ev, async ({ caller, A }) => {
		await caller.say(1000);
		await sleep(300);
		const intruder = await sender();
		const from = A.bot.frames.length;
		const callerFrom = caller.mark();
		intruder.every(caller.remote, toneFrame(2000));
		await sleep(1500);
		intruder.stop();
		const heard = A.bot.since(from);
		const caller1000 = toneFrame(1000);
		assert.ok(heard.length >= 60, `the bot heard ${heard.length} frames in 1.5 s`);
		const intruded = heard.filter((f) => same(f.data, toneFrame(2000)));
		assert.equal(intruded.length, 0, `${intruded.length} frames of the intruder's audio got into the call`);
		assert.ok(heard.filter((f) => same(f.data, caller1000)).length >= heard.length - 3, 'the caller was not heard');
		assert.equal(intruder.got, 0, `ariadne sent ${intruder.got} packets to the intruder`);
		assert.ok(caller.frames.length - callerFrom >= 60, 'ariadne stopped sending to the caller');
		await intruder.close();
	});
});

emTest('a_phone_that_changes_address_after_silence_is_followed_after_probation', OPTS, async (srv, ev) => {
	await callWithBot(srv, ev, async ({ caller, A }) => {
		await caller.say(1000);
		await sleep(300);
		await caller.say(null);
		await sleep(2300);   // the old source silent for more than 2 s
		const moved = await sender();
		const from = A.bot.frames.length;
		moved.every(caller.remote, toneFrame(1500));
		await sleep(1000);
		const heard = A.bot.since(from).filter((f) => same(f.data, toneFrame(1500)));
		assert.ok(heard.length >= 40, `the phone at its new address was heard in ${heard.length} frames`);
		assert.ok(moved.got >= 30, `ariadne sent ${moved.got} packets to the phone's new address`);
		await srv.waitForLog(new RegExp(`NOTICE\\[\\d+\\]: .*PJSIP/alice-\\w+: RTP source changed to 127\\.0\\.0\\.1:${moved.port} after \\d+ ms of silence`));
		await moved.close();
	});
});

emTest('padding_at_the_end_of_an_rtp_packet_is_not_played', OPTS, async (srv, ev) => {
	await callWithBot(srv, ev, async ({ caller, A }) => {
		// The caller's own socket (its SDP address), with 40 octets of
		// padding after each frame (RFC 3550 5.1).
		const from = A.bot.frames.length;
		const frame = toneFrame(1000);
		let seq = 7;
		for (let i = 0; i < 50; i++) {
			const pkt = Buffer.concat([Buffer.from([0xa0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x12, 0x34]), frame,
				Buffer.alloc(39), Buffer.from([40])]);
			pkt.writeUInt16BE(seq++, 2);
			pkt.writeUInt32BE(i * 160, 4);
			caller.sendRaw(pkt);
			await sleep(20);
		}
		await sleep(300);
		const heard = A.bot.since(from).filter((f) => f.data.some((b) => b !== 0xff && b !== 0x7f));
		assert.ok(heard.length >= 45 && heard.length <= 52, `${heard.length} frames with sound for 50 packets`);
		const exact = heard.filter((f) => same(f.data, frame)).length;
		assert.ok(exact >= heard.length - 2, `${exact} of ${heard.length} frames were the frame without its padding`);
	});
});

emTest('unicast_rtp_sends_to_external_host_only_and_no_rtcp', { app: APP, timeout: 60000 * SLOW }, async (srv, ev) => {
	const { port, release } = await reserveUdpPorts({ count: 2, even: true });
	await release();
	const host = dgram.createSocket('udp4');
	const rtcp = dgram.createSocket('udp4');
	await new Promise((r) => host.bind(port, '127.0.0.1', r));
	await new Promise((r) => rtcp.bind(port + 1, '127.0.0.1', r));
	let hostGot = 0;
	let rtcpGot = 0;
	host.on('message', () => { hostGot++; });
	rtcp.on('message', () => { rtcpGot++; });
	try {
		const r = await externalMedia(srv, { app: APP, encapsulation: 'rtp', transport: 'udp',
			external_host: `127.0.0.1:${port}`, format: 'ulaw' });
		assert.equal(r.status, 200, r.body);
		const rtp = { id: r.json.id, port: Number(r.json.channelvars.UNICASTRTP_LOCAL_PORT) };
		await ev.waitFor((e) => e.type === 'StasisStart' && e.channel.id === rtp.id);
		const A = await serverChannel(srv, ev, { app: APP, format: 'ulaw', name: 'A' });
		await mixBridge(srv, ev, [A.id, rtp.id]);
		await sleep(300);
		// One packet from elsewhere: chan_rtp has no NAT property, so its
		// RTP keeps going to external_host.
		const intruder = await sender();
		intruder.sendTo({ address: '127.0.0.1', port: rtp.port }, toneFrame(2000));
		await sleep(100);
		const before = hostGot;
		await sleep(1000);
		assert.ok(hostGot - before >= 40, `external_host got ${hostGot - before} packets in 1 s after the intruder's`);
		assert.equal(intruder.got, 0);
		await intruder.close();
		// RTCP would have gone to port + 1 within its first interval (5 s).
		await sleep(6000);
		assert.equal(rtcpGot, 0, `${rtcpGot} RTCP packets from a UnicastRTP channel`);
		await hangup(srv, ev, A);
		assert.equal((await srv.del(`/ari/channels/${enc(rtp.id)}`)).status, 204);
	} finally {
		host.close();
		rtcp.close();
	}
});
