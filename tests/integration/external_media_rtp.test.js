'use strict';
// POST /ari/channels/externalMedia with encapsulation=rtp over UDP (the
// oldest mode, Asterisk's UnicastRTP/; /work/shared/ari/external-media.md
// sections 1.2, 1.3): ariadne sends plain RTP (12-byte header + payload) to
// external_host every 20 ms while it has audio, from the address it reports
// in UNICASTRTP_LOCAL_ADDRESS / UNICASTRTP_LOCAL_PORT, and takes the app's
// RTP back there. PT 0 for ulaw, 8 for alaw, a dynamic one for slin16.
//
// The other side of the call is a WebSocket media channel (lib/media_ws.js)
// in the same mixing bridge; with ulaw at both ends a two-party bridge
// carries the bytes unchanged, so the checks compare frames byte for byte.
const assert = require('node:assert/strict');
const dgram = require('node:dgram');
const { sleep } = require('./lib/server');
const {
	TICK, FRAME, now, externalMedia, serverChannel, mixBridge, hangup, emTest, tone, toneFrames, spacing, goertzel,
} = require('./lib/media_ws');
const { toneFrame, PRESENT } = require('./lib/rtp');

const enc = encodeURIComponent;
const APP = 'bot';

/** A UDP socket of the test playing the external RTP host. */
async function rtpHost() {
	const sock = dgram.createSocket('udp4');
	await new Promise((resolve) => sock.bind(0, '127.0.0.1', resolve));
	const host = {
		port: sock.address().port,
		packets: [], // {t, from, pt, marker, seq, ts, ssrc, payload}
		seq: 1000, ts: 5000, ssrc: 0x12345678,
		send(to, pt, payload, step) {
			const h = Buffer.alloc(12);
			h[0] = 0x80;
			h[1] = pt;
			h.writeUInt16BE(host.seq++ & 0xffff, 2);
			h.writeUInt32BE(host.ts >>> 0, 4);
			h.writeUInt32BE(host.ssrc, 8);
			host.ts += step || payload.length;
			sock.send(Buffer.concat([h, payload]), to.port, to.address);
		},
		close() { return new Promise((r) => sock.close(r)); },
	};
	sock.on('message', (b, rinfo) => {
		if (b.length < 12) return;
		const cc = b[0] & 0x0f;
		host.packets.push({
			t: now(), from: `${rinfo.address}:${rinfo.port}`, version: b[0] >> 6, pt: b[1] & 0x7f, marker: !!(b[1] & 0x80),
			seq: b.readUInt16BE(2), ts: b.readUInt32BE(4), ssrc: b.readUInt32BE(8), payload: b.subarray(12 + 4 * cc),
		});
	});
	return host;
}

const prepare = async () => {
	const host = await rtpHost();
	return { host, close: () => host.close() };
};

/** A UnicastRTP channel towards our host: {id, name, local: {address, port}}. */
async function unicastRtp(srv, ev, host, format) {
	const from = ev.events.length;
	const r = await externalMedia(srv, { app: APP, encapsulation: 'rtp', transport: 'udp',
		external_host: `127.0.0.1:${host.port}`, format });
	assert.equal(r.status, 200, r.body);
	assert.match(r.json.name, /^UnicastRTP\//);
	const v = r.json.channelvars || {};
	assert.ok(v.UNICASTRTP_LOCAL_ADDRESS, `no UNICASTRTP_LOCAL_ADDRESS in ${r.body}`);
	assert.match(String(v.UNICASTRTP_LOCAL_PORT), /^\d+$/, `UNICASTRTP_LOCAL_PORT in ${r.body}`);
	await ev.waitFor((e) => e.type === 'StasisStart' && e.channel.id === r.json.id, undefined, { from });
	return { id: r.json.id, name: r.json.name,
		local: { address: v.UNICASTRTP_LOCAL_ADDRESS, port: Number(v.UNICASTRTP_LOCAL_PORT) } };
}

/** Consecutive packets: seq +1, ts +step, one ssrc. */
function assertStream(pkts, step, what) {
	assert.ok(pkts.length > 1, `${what}: ${pkts.length} packets`);
	for (let i = 1; i < pkts.length; i++) {
		assert.equal(pkts[i].ssrc, pkts[0].ssrc, `${what}: ssrc changed at ${i}`);
		assert.equal(pkts[i].seq, (pkts[i - 1].seq + 1) & 0xffff, `${what}: seq ${pkts[i - 1].seq} -> ${pkts[i].seq}`);
		assert.equal((pkts[i].ts - pkts[i - 1].ts) >>> 0, step, `${what}: ts step at ${i}`);
	}
}

emTest('unicast_rtp_sends_ulaw_rtp_every_20_ms_from_its_reported_address_and_takes_rtp_back',
	{ app: APP, prepare }, async (srv, ev, t, { host }) => {
		const rtp = await unicastRtp(srv, ev, host, 'ulaw');
		assert.equal(rtp.local.address, '127.0.0.1');
		const A = await serverChannel(srv, ev, { app: APP, format: 'ulaw', name: 'A' });
		await mixBridge(srv, ev, [A.id, rtp.id]);
		await sleep(200);
		const from = host.packets.length;
		const said = toneFrame(1000);
		await A.bot.sendPaced(Buffer.concat(Array.from({ length: 100 }, () => said)), FRAME.ulaw).done;
		await sleep(300);
		const pkts = host.packets.slice(from);
		assert.ok(pkts.every((p) => p.version === 2 && p.pt === 0 && p.payload.length === 160),
			`packets other than RTP v2 PT 0 160 bytes: ${JSON.stringify(pkts.slice(0, 3).map((p) => [p.version, p.pt, p.payload.length]))}`);
		// From the address the app was told to send to.
		assert.deepEqual([...new Set(pkts.map((p) => p.from))], [`${rtp.local.address}:${rtp.local.port}`]);
		assertStream(pkts, 160, 'ariadne RTP');
		// A's frames, byte for byte.
		const same = pkts.filter((p) => p.payload.equals(said));
		assert.ok(same.length >= 97, `${same.length} of 100 frames arrived unchanged`);
		const s = spacing(same);
		assert.ok(Math.abs(s.mean - TICK) <= 5, `RTP ${s.mean.toFixed(2)} ms apart`);
		assert.equal(s.bursts, 0);

		// RTP back to the reported address reaches A unchanged.
		const back = toneFrame(1500);
		const fromA = A.bot.frames.length;
		const t0 = now();
		for (let i = 0; i < 50; i++) {
			host.send(rtp.local, 0, back, 160);
			const wait = t0 + (i + 1) * TICK - now();
			if (wait > 1) await sleep(wait);
		}
		await sleep(300);
		const atA = A.bot.since(fromA).filter((f) => f.data.equals(back));
		assert.ok(atA.length >= 47, `A got ${atA.length} of 50 RTP frames unchanged`);

		// Hung up: the RTP stops.
		await hangup(srv, ev, { id: rtp.id, name: rtp.name });
		await srv.waitChannelGone(rtp.id);
		await sleep(100);
		const n = host.packets.length;
		await sleep(300);
		assert.equal(host.packets.length, n, 'RTP after hangup');
		await hangup(srv, ev, A);
	});

emTest('unicast_rtp_alaw_is_payload_type_8', { app: APP, prepare }, async (srv, ev, t, { host }) => {
	const rtp = await unicastRtp(srv, ev, host, 'alaw');
	const A = await serverChannel(srv, ev, { app: APP, format: 'slin', name: 'A' });
	await mixBridge(srv, ev, [A.id, rtp.id]);
	const from = host.packets.length;
	await A.bot.sendPaced(tone(1000, 8000, 8000), FRAME.slin).done;
	await sleep(300);
	const pkts = host.packets.slice(from);
	assert.ok(pkts.length >= 45, `${pkts.length} packets`);
	assert.deepEqual([...new Set(pkts.map((p) => p.pt))], [8]);
	assert.ok(pkts.every((p) => p.payload.length === 160));
	assertStream(pkts, 160, 'alaw RTP');
	await hangup(srv, ev, { id: rtp.id, name: rtp.name }, A);
});

emTest('unicast_rtp_slin16_is_a_dynamic_payload_type_of_640_bytes_on_a_16_khz_clock', { app: APP, prepare },
	async (srv, ev, t, { host }) => {
		const rtp = await unicastRtp(srv, ev, host, 'slin16');
		const A = await serverChannel(srv, ev, { app: APP, format: 'slin16', name: 'A' });
		await mixBridge(srv, ev, [A.id, rtp.id]);
		const from = host.packets.length;
		await A.bot.sendPaced(tone(500, 16000, 16000), FRAME.slin16).done;
		await sleep(300);
		const pkts = host.packets.slice(from);
		assert.ok(pkts.length >= 45, `${pkts.length} packets`);
		const pts = [...new Set(pkts.map((p) => p.pt))];
		assert.equal(pts.length, 1);
		assert.ok(pts[0] >= 96 && pts[0] <= 127, `slin16 on PT ${pts[0]}`);
		assert.ok(pkts.every((p) => p.payload.length === 640));
		assertStream(pkts, 320, 'slin16 RTP');
		// L16 on the wire is big-endian (RFC 3551): the tone is there read that way.
		const be = (b) => Array.from({ length: b.length / 2 }, (_, i) => b.readInt16BE(i * 2));
		const heard = pkts.filter((p) => goertzel(be(p.payload), 500, 16000) > PRESENT);
		assert.ok(heard.length >= 45, `500 Hz in ${heard.length} big-endian frames`);
		// And back: a big-endian 1000 Hz slin16 RTP stream reaches A.
		const fromA = A.bot.frames.length;
		const le = tone(1000, 16000, 320);
		const payload = Buffer.alloc(640);
		for (let i = 0; i < 320; i++) payload.writeInt16BE(le.readInt16LE(i * 2), i * 2);
		const t0 = now();
		for (let i = 0; i < 50; i++) {
			host.send(rtp.local, pts[0], payload, 320);
			const wait = t0 + (i + 1) * TICK - now();
			if (wait > 1) await sleep(wait);
		}
		await sleep(300);
		const atA = toneFrames(A.bot.since(fromA), 1000, 16000);
		assert.ok(atA.length >= 45, `A heard the RTP in ${atA.length} frames`);

		// Out of the bridge for a second it hears nothing and sends
		// nothing; the clock runs on (RFC 3550 5.1) and the first packet
		// after the gap starts a talkspurt, as for G.711.
		const bridgeId = (await srv.get('/ari/bridges')).json[0].id;
		assert.equal((await srv.post(`/ari/bridges/${bridgeId}/removeChannel?channel=${enc(rtp.id)}`)).status, 204);
		await sleep(300);
		const before = host.packets[host.packets.length - 1];
		await sleep(1000);
		assert.equal(host.packets[host.packets.length - 1], before, 'packets while out of the bridge');
		const fromGap = host.packets.length;
		assert.equal((await srv.post(`/ari/bridges/${bridgeId}/addChannel?channel=${enc(rtp.id)}`)).status, 204);
		await sleep(300);
		const [first, second] = host.packets.slice(fromGap);
		assert.ok(first && second, 'no packets after the channel came back');
		assert.ok(first.marker, 'the first packet after the gap has no marker');
		assert.ok(!second.marker);
		const gapTicks = ((first.ts - before.ts) >>> 0) / 320;
		const gapMs = first.t - before.t;
		assert.ok(Math.abs(gapTicks * TICK - gapMs) <= 3 * TICK,
			`timestamp moved ${gapTicks} frames over ${gapMs.toFixed(0)} ms`);
		await hangup(srv, ev, { id: rtp.id, name: rtp.name }, A);
	});

emTest('unicast_rtp_requests_are_checked', { app: APP }, async (srv) => {
	const base = { app: APP, encapsulation: 'rtp', format: 'ulaw' };
	let r = await externalMedia(srv, { ...base, transport: 'tcp', external_host: '127.0.0.1:4000' });
	assert.equal(r.status, 400, `rtp over tcp: ${r.status} ${r.body}`);
	r = await externalMedia(srv, { ...base, transport: 'udp', external_host: '127.0.0.1' });
	assert.equal(r.status, 400, `no port: ${r.status} ${r.body}`);
	r = await externalMedia(srv, { ...base, transport: 'udp' });
	assert.equal(r.status, 400, `no external_host: ${r.status} ${r.body}`);
	// Defaults are rtp over udp.
	r = await externalMedia(srv, { app: APP, format: 'ulaw', external_host: '127.0.0.1:4000' });
	assert.equal(r.status, 200, `defaults: ${r.status} ${r.body}`);
	// chan_rtp's "UnicastRTP/%s-%p": the destination, then a hex suffix.
	assert.match(r.json.name, /^UnicastRTP\/127\.0\.0\.1:4000-0x[0-9a-f]+$/);
	assert.equal((await srv.del(`/ari/channels/${enc(r.json.id)}`)).status, 204);
	await srv.waitChannelGone(r.json.id);
	// L16 has a payload type in Asterisk's table at 8 and 16 kHz only: at
	// 24 kHz chan_rtp's request fails, and so does ours, making nothing.
	r = await externalMedia(srv, { ...base, format: 'slin24', transport: 'udp', external_host: '127.0.0.1:4000' });
	assert.equal(r.status, 500, `slin24 over RTP: ${r.status} ${r.body}`);
	assert.equal(r.json.message, 'Allocation failed');
	await srv.waitForLog(/ERROR\[\d+\]: .*Codec 'slin24' not supported for sending RTP to '127\.0\.0\.1:4000'/);
	assert.deepEqual((await srv.get('/ari/channels')).json, []);
});
