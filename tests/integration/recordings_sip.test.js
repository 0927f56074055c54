'use strict';
// Recordings of real SIP calls: SIPp places each call into the Stasis app
// `rs` with its SDP pointing at an RTP socket of the test (lib/rtp.js), which
// says a tone; the recording on disk must hold that tone. A channel
// recording of an unanswered call answers it first, as Asterisk's record
// command does; a recording of a two-party bridge, whose RTP is relayed
// without decoding, still holds both callers.
const assert = require('node:assert/strict');
const path = require('node:path');
const {
	serverTest, pjsipConf, spawnSipp, assertSipp, sippReport, sleep, SLOW,
} = require('./lib/server');
const { rtpPeer } = require('./lib/rtp');
const { readWav, toneSeconds } = require('./lib/wav');

const enc = encodeURIComponent;
const CONF = {
	timeout: 60000 * SLOW,
	// transmit_silence: the RTP peers learn where to send from ariadne's
	// first packet (lib/media_calls.js).
	ariadneConf: { directories: { astspooldir: '{{TMP}}/spool' }, options: { transmit_silence: 'yes' } },
	files: { 'pjsip.conf': pjsipConf({ alice: { match: '127.0.0.1', context: 'stasis-rs' } }) },
};
const ofRec = (type, name) => (e) => e.type === type && e.recording && e.recording.name === name;

/** A SIPp call to `exten`, in Stasis (not answered), its RTP at a peer of ours. */
async function call(srv, ws, exten) {
	const peer = await rtpPeer();
	const sipp = await spawnSipp({
		scenario: 'path_uac_rtp_sink', remote: srv, service: exten, timeoutMs: 50000 * SLOW,
		keys: { from_user: 'alice', rtp_port: peer.port },
	});
	try {
		const { channel } = await ws.waitFor((e) => e.type === 'StasisStart' && e.channel.dialplan.exten === exten,
			8000 * SLOW, { what: `StasisStart of ${exten}` });
		return { id: channel.id, state: channel.state, peer, sipp };
	} catch (e) {
		e.message += '\n' + sippReport(await sipp.stop());
		await peer.close();
		throw e;
	}
}

async function hangup(srv, c) {
	c.peer.say(null);
	assert.equal((await srv.del(`/ari/channels/${enc(c.id)}`)).status, 204);
	assertSipp(await c.sipp.done, 0, 'BYE from ariadne');
}

serverTest('recording_an_unanswered_sip_call_answers_it_and_holds_the_callers_tone', CONF, async (srv) => {
	const ws = await srv.events('rs');
	const c = await call(srv, ws, '100');
	try {
		assert.notEqual(c.state, 'Up');
		const r = await srv.post(`/ari/channels/${enc(c.id)}/record?name=sip&format=wav`);
		assert.equal(r.status, 200, r.body);
		await ws.waitFor(ofRec('RecordingStarted', 'sip'));
		const up = ws.filter((e) => e.type === 'ChannelStateChange' && e.channel.id === c.id);
		assert.equal(up.length && up[up.length - 1].channel.state, 'Up', 'answered by the record command');
		await c.peer.say(1000);
		await sleep(1500);
		c.peer.say(null);
		await sleep(300);
		assert.equal((await srv.post('/ari/recordings/live/sip/stop')).status, 204);
		const fin = await ws.waitFor(ofRec('RecordingFinished', 'sip'));
		assert.equal(fin.recording.state, 'done');
		const wav = readWav(path.join(srv.tmp, 'spool', 'recording', 'sip.wav'));
		const tone = toneSeconds(wav, 1000);
		assert.ok(tone >= 1.3 && tone <= 1.7, `the caller's 1 kHz: ${tone} s of ${wav.samples.length / 8000} s`);
		await hangup(srv, c);
	} finally {
		await c.sipp.stop();
		await c.peer.close();
	}
});

serverTest('recording_a_relayed_two_party_sip_bridge_holds_both_callers', CONF, async (srv) => {
	const ws = await srv.events('rs');
	const a = await call(srv, ws, '101');
	const b = await call(srv, ws, '102');
	try {
		for (const c of [a, b]) {
			assert.equal((await srv.post(`/ari/channels/${enc(c.id)}/answer`)).status, 204);
			await c.peer.learnRemote();
		}
		assert.equal((await srv.post('/ari/bridges/two?type=mixing')).status, 200);
		assert.equal((await srv.post(`/ari/bridges/two/addChannel?channel=${enc(a.id)},${enc(b.id)}`)).status, 204);
		await a.peer.say(1000);
		await b.peer.say(500);
		await sleep(300);
		const r = await srv.post('/ari/bridges/two/record?name=both&format=wav&maxDurationSeconds=2');
		assert.equal(r.status, 200, r.body);
		const fin = await ws.waitFor(ofRec('RecordingFinished', 'both'), 8000 * SLOW);
		assert.equal(fin.recording.duration, 2);
		const wav = readWav(path.join(srv.tmp, 'spool', 'recording', 'both.wav'));
		assert.ok(toneSeconds(wav, 1000, 0, 2, 0.3) >= 1.8, `a's 1 kHz: ${toneSeconds(wav, 1000, 0, 2, 0.3)} s`);
		assert.ok(toneSeconds(wav, 500, 0, 2, 0.3) >= 1.8, `b's 500 Hz: ${toneSeconds(wav, 500, 0, 2, 0.3)} s`);
		// The callers still hear each other: recording takes nothing away.
		const from = a.peer.mark();
		await sleep(500);
		assert.ok(a.peer.heard(from, undefined, [500]).tones[500] > 0.8, 'a hears b');
		await hangup(srv, a);
		await hangup(srv, b);
	} finally {
		for (const c of [a, b]) {
			await c.sipp.stop();
			await c.peer.close();
		}
	}
});
