'use strict';
// What an answered SIP call sends while it hears nothing (nothing plays, no
// bridge): nothing, as Asterisk sends nothing; the first packet after such a
// pause starts a new talkspurt (marker bit). pjsip.conf rtp_keepalive sends
// one silent frame per interval instead, and ariadne.conf [options]
// transmit_silence a silent frame every 20 ms. The caller is SIPp (SIP) with
// its RTP at a socket of the test (lib/rtp.js).
const assert = require('node:assert/strict');
const { serverTest, pjsipConf, spawnSipp, assertSipp, sippReport, sleep, SLOW } = require('./lib/server');
const { rtpPeer } = require('./lib/rtp');

const enc = encodeURIComponent;
const APP = 'idle';
const conf = (endpointExtra = {}, options = {}) => ({
	timeout: 60000 * SLOW,
	ariadneConf: { options },
	files: { 'pjsip.conf': pjsipConf({ alice: { match: '127.0.0.1', context: `stasis-${APP}`, extra: endpointExtra } }) },
});

/** A SIPp call into the app, answered; fn(call) then hang-up and checks. */
async function withAnsweredCall(srv, fn) {
	const ws = await srv.events(APP);
	const peer = await rtpPeer();
	const sipp = await spawnSipp({ scenario: 'path_uac_rtp_sink', remote: srv, service: '100',
		timeoutMs: 50000 * SLOW, keys: { from_user: 'alice', rtp_port: peer.port } });
	try {
		const { channel } = await ws.waitFor((e) => e.type === 'StasisStart', 8000 * SLOW, { what: 'StasisStart' });
		assert.equal((await srv.post(`/ari/channels/${enc(channel.id)}/answer`)).status, 204);
		await fn({ id: channel.id, peer, ws });
		assert.equal((await srv.del(`/ari/channels/${enc(channel.id)}`)).status, 204);
		assertSipp(await sipp.done, 0, 'caller');
	} catch (e) {
		e.message += '\n' + sippReport(await sipp.stop());
		throw e;
	} finally {
		await sipp.stop();
		await peer.close();
	}
}

/** Frames received in the next `ms`. */
async function framesDuring(peer, ms) {
	const from = peer.mark();
	await sleep(ms);
	return peer.frames.slice(from);
}

async function playTone(srv, ws, id, playbackId) {
	const r = await srv.post(`/ari/channels/${enc(id)}/play?media=${enc('tone:1000')}&playbackId=${playbackId}`);
	assert.ok(r.status === 200 || r.status === 201, `play → ${r.status} ${r.body}`);
	await ws.waitFor((e) => e.type === 'PlaybackStarted' && e.playback.id === playbackId);
}

async function stopTone(srv, ws, playbackId) {
	assert.equal((await srv.del(`/ari/playbacks/${playbackId}`)).status, 204);
	await ws.waitFor((e) => e.type === 'PlaybackFinished' && e.playback.id === playbackId);
}

serverTest('an_answered_call_that_hears_nothing_sends_no_rtp_until_something_plays', conf(), async (srv) => {
	await withAnsweredCall(srv, async ({ id, peer, ws }) => {
		let got = await framesDuring(peer, 1000);
		assert.equal(got.length, 0, `${got.length} frames from an idle channel`);
		assert.equal(peer.remote, null, 'an idle channel sent RTP of another payload type');

		await playTone(srv, ws, id, 'p1');
		got = await framesDuring(peer, 1000);
		assert.ok(got.length >= 40 && got.length <= 60, `${got.length} frames in 1 s of a tone`);
		assert.ok(peer.frames[0].marker, 'the first packet does not start a talkspurt');
		assert.ok(got.every((f) => f.rms > 500), 'the tone is not what was sent');

		await stopTone(srv, ws, 'p1');
		await sleep(100); // a packet of the last tick may still be on its way
		got = await framesDuring(peer, 1000);
		assert.equal(got.length, 0, `${got.length} frames after the tone stopped`);

		// Audio again after the pause: a new talkspurt, then no more markers.
		const from = peer.mark();
		await playTone(srv, ws, id, 'p2');
		await sleep(300);
		const again = peer.frames.slice(from);
		assert.ok(again.length >= 5, `${again.length} frames after playing again`);
		assert.ok(again[0].marker, 'the first packet after the pause has no marker bit');
		assert.ok(again.slice(1).every((f) => !f.marker), 'markers inside one talkspurt');
		await stopTone(srv, ws, 'p2');
	});
});

serverTest('rtp_keepalive_sends_one_silent_frame_per_interval_while_idle', conf({ rtp_keepalive: 1 }), async (srv) => {
	await withAnsweredCall(srv, async ({ peer }) => {
		await sleep(500);
		const got = await framesDuring(peer, 3000);
		// one a second: 3 in 3 s, give or take the edges of the window
		assert.ok(got.length >= 2 && got.length <= 4, `${got.length} keep-alive frames in 3 s`);
		assert.ok(got.every((f) => f.rms < 50), 'a keep-alive frame is not silence');
		assert.ok(got.every((f) => f.marker), 'each keep-alive starts a talkspurt');
		for (let i = 1; i < got.length; i++) {
			const gap = got[i].t - got[i - 1].t;
			assert.ok(gap >= 800 && gap <= 1300 * SLOW, `keep-alives ${gap} ms apart`);
		}
	});
});

serverTest('transmit_silence_sends_a_silent_frame_every_tick_while_idle', conf({}, { transmit_silence: 'yes' }), async (srv) => {
	await withAnsweredCall(srv, async ({ peer }) => {
		await sleep(300);
		const got = await framesDuring(peer, 1000);
		assert.ok(got.length >= 40 && got.length <= 60, `${got.length} frames of silence in 1 s`);
		assert.ok(got.every((f) => f.rms < 50), 'not silence');
		assert.ok(got.slice(1).every((f) => !f.marker), 'silence broken into talkspurts');
	});
});


/** Answered SIPp calls into the app, each peer told where to send by a short tone. */
async function answeredCalls(srv, ws, n) {
	const calls = [];
	for (let i = 0; i < n; i++) {
		const peer = await rtpPeer();
		const exten = `${200 + i}`;
		const sipp = await spawnSipp({ scenario: 'path_uac_rtp_sink', remote: srv, service: exten,
			timeoutMs: 50000 * SLOW, keys: { from_user: 'alice', rtp_port: peer.port } });
		const c = { peer, sipp };
		calls.push(c);
		const { channel } = await ws.waitFor((e) => e.type === 'StasisStart' && e.channel.dialplan.exten === exten,
			8000 * SLOW, { what: `StasisStart of ${exten}` });
		c.id = channel.id;
		assert.equal((await srv.post(`/ari/channels/${enc(c.id)}/answer`)).status, 204);
		await playTone(srv, ws, c.id, `learn-${i}`);
		await peer.learnRemote();
		await stopTone(srv, ws, `learn-${i}`);
	}
	await sleep(100);
	return calls;
}

async function endCalls(srv, calls) {
	for (const c of calls) {
		await srv.del(`/ari/channels/${enc(c.id)}`);
		await c.sipp.stop();
		await c.peer.close();
	}
}

/** A test of `n` answered calls (answeredCalls), each ended afterwards. */
function callsTest(name, n, fn) {
	serverTest(name, conf(), async (srv) => {
		const ws = await srv.events(APP);
		const calls = await answeredCalls(srv, ws, n);
		try {
			await fn(srv, ws, calls);
		} finally {
			await endCalls(srv, calls);
		}
	});
}

// Asterisk's holding bridge writes its participants only the announcer's
// audio (or the bridge's music), and its announcer nothing: quiet
// participants send nothing until there is something to hear.
callsTest('a_holding_bridge_sends_only_what_there_is_to_hear', 3, async (srv, ws, calls) => {
	const [a, b, ann] = calls;
	assert.equal((await srv.post('/ari/bridges?type=holding&bridgeId=hold1')).status, 200);
	for (const [c, role] of [[a, ''], [b, ''], [ann, '&role=announcer']]) {
		assert.equal((await srv.post(`/ari/bridges/hold1/addChannel?channel=${enc(c.id)}${role}`)).status, 204);
		await ws.waitFor((e) => e.type === 'ChannelEnteredBridge' && e.channel.id === c.id);
	}
	// Participants say things; nobody announces: nothing goes out.
	a.peer.say(700);
	b.peer.say(900);
	await sleep(200);
	let got = await Promise.all(calls.map((c) => framesDuring(c.peer, 1000)));
	assert.deepEqual(got.map((g) => g.length), [0, 0, 0], 'frames in a holding bridge with nothing to hear');
	// The announcer speaks: the participants hear it, the announcer nothing.
	ann.peer.say(1500);
	await sleep(300);
	got = await Promise.all(calls.map((c) => framesDuring(c.peer, 1000)));
	assert.ok(got[0].length >= 40 && got[1].length >= 40, `participants got ${got[0].length}, ${got[1].length}`);
	assert.equal(got[2].length, 0, 'the announcer was sent audio');
	ann.peer.say(null);
	a.peer.say(null);
	b.peer.say(null);
	await sleep(300);
	got = await Promise.all(calls.map((c) => framesDuring(c.peer, 600)));
	assert.deepEqual(got.map((g) => g.length), [0, 0, 0], 'frames after the announcer stopped');
	// The bridge's music: the participants hear it.
	assert.equal((await srv.post('/ari/bridges/hold1/moh')).status, 204);
	await sleep(300);
	got = await Promise.all(calls.map((c) => framesDuring(c.peer, 600)));
	assert.ok(got[0].length >= 20 && got[1].length >= 20, `music: ${got[0].length}, ${got[1].length}`);
	assert.equal((await srv.del('/ari/bridges/hold1/moh')).status, 204);
	assert.equal((await srv.del('/ari/bridges/hold1')).status, 204);
});

// A snoop that only listens adds nothing to what its target sends: an
// idle target stays silent on the wire.
callsTest('a_spy_only_snoop_leaves_an_idle_call_silent', 1, async (srv, ws, calls) => {
	const [a] = calls;
	const r = await srv.post(`/ari/channels/${enc(a.id)}/snoop?spy=both&app=${APP}&snoopId=spy1`);
	assert.equal(r.status, 200, r.body);
	await ws.waitFor((e) => e.type === 'StasisStart' && e.channel.id === 'spy1');
	await sleep(200);
	const got = await framesDuring(a.peer, 1000);
	assert.equal(got.length, 0, `${got.length} frames to a call under a spy-only snoop`);
	assert.equal((await srv.del('/ari/channels/spy1')).status, 204);
});

// ARI mute "out" drops what the channel would hear, as Asterisk's
// suppression of written voice: nothing goes out while a tone plays, and
// the audio after unmuting starts a new talkspurt.
callsTest('mute_out_sends_nothing_and_unmuting_starts_a_talkspurt', 1, async (srv, ws, calls) => {
	const [a] = calls;
	await playTone(srv, ws, a.id, 'm1');
	assert.equal((await srv.post(`/ari/channels/${enc(a.id)}/mute?direction=out`)).status, 204);
	await sleep(100);
	let got = await framesDuring(a.peer, 800);
	assert.equal(got.length, 0, `${got.length} frames while muted`);
	assert.equal((await srv.del(`/ari/channels/${enc(a.id)}/mute?direction=out`)).status, 204);
	const from = a.peer.mark();
	await sleep(800);
	got = a.peer.frames.slice(from);
	assert.ok(got.length >= 30, `${got.length} frames after unmuting`);
	assert.ok(got[0].marker, 'the first packet after unmuting starts no talkspurt');
	assert.ok(got.slice(1).every((f) => !f.marker), 'markers inside the talkspurt');
	await stopTone(srv, ws, 'm1');
});

// POST /ring on an answered call: SIP cannot say "ringing" any more, so,
// as Asterisk's core does when chan_pjsip refuses, the caller hears the
// ringback tone (440 + 480 Hz) in band until DELETE /ring.
callsTest('ring_on_an_answered_call_plays_ringback_in_band_until_stopped', 1, async (srv, ws, calls) => {
	const [a] = calls;
	assert.equal((await srv.post(`/ari/channels/${enc(a.id)}/ring`)).status, 204);
	await sleep(200);
	const from = a.peer.mark();
	await sleep(1000);
	const heard = a.peer.heard(from, undefined, [440, 480, 1000]);
	assert.ok(heard.frames >= 40, `${heard.frames} frames of ringback`);
	assert.ok(heard.tones[440] > 0.8 && heard.tones[480] > 0.8, JSON.stringify(heard));
	assert.ok(heard.tones[1000] < 0.1, JSON.stringify(heard));
	assert.equal((await srv.del(`/ari/channels/${enc(a.id)}/ring`)).status, 204);
	await sleep(100);
	const got = await framesDuring(a.peer, 800);
	assert.equal(got.length, 0, `${got.length} frames after DELETE /ring`);
});
