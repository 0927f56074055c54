'use strict';
// Calls with real audio for media tests: a SIPp call into a Stasis app whose
// SDP points at an RTP socket of the test (lib/rtp.js), answered by the test
// over ARI; bridges over raw HTTP; what every call hears in a window,
// measured per frame at a few frequencies; and a serverTest wrapper that
// hangs every call up and cleans up whatever happens.
const assert = require('node:assert/strict');
const {
	serverTest, pjsipConf, spawnSipp, assertSipp, sippReport, sleep, SLOW,
} = require('./server');
const { rtpPeer } = require('./rtp');

const enc = encodeURIComponent;
const FREQS = [500, 1000, 1500, 2000];
/**
 * Server options: SIP calls from 127.0.0.1 land in Stasis(app). The RTP
 * peers (lib/rtp.js) learn where to send from ariadne's first packet, so
 * an answered call must send one before anything plays: transmit_silence
 * (by default, as in Asterisk, a channel that hears nothing sends nothing).
 */
const SILENCE = { options: { transmit_silence: 'yes' } };
function mediaConf(app) {
	return {
		timeout: 60000 * SLOW,
		ariadneConf: SILENCE,
		files: { 'pjsip.conf': pjsipConf({ alice: { match: '127.0.0.1', context: `stasis-${app}` } }) },
	};
}

/** A SIPp call to extension `exten`, in Stasis and answered, its RTP at a peer of ours. */
async function call(srv, ws, exten, { scenario = 'path_uac_rtp_sink', duration } = {}) {
	const peer = await rtpPeer();
	const sipp = await spawnSipp({
		scenario, remote: srv, service: exten, timeoutMs: 50000 * SLOW, duration,
		keys: { from_user: 'alice', rtp_port: peer.port },
	});
	const c = { exten, peer, sipp };
	try {
		const { channel } = await ws.waitFor((e) => e.type === 'StasisStart' && e.channel.dialplan.exten === exten,
			8000 * SLOW, { what: `StasisStart of ${exten}` });
		c.id = channel.id;
		assert.equal((await srv.post(`/ari/channels/${enc(c.id)}/answer`)).status, 204);
		await peer.learnRemote();
	} catch (e) {
		e.message += '\n' + sippReport(await sipp.stop());
		await peer.close();
		throw e;
	}
	return c;
}

/** Hang up every call from the app and check SIPp saw a clean BYE. */
async function hangupAll(srv, calls) {
	for (const c of calls) {
		c.peer.say(null);
		await srv.del(`/ari/channels/${enc(c.id)}`);
	}
	for (const c of calls) assertSipp(await c.sipp.done, 0, `call ${c.exten}`);
}

async function cleanup(calls) {
	for (const c of calls) {
		await c.sipp.stop();
		await c.peer.close();
	}
}

async function bridge(srv, type = 'mixing') {
	const r = await srv.post(`/ari/bridges?type=${type}`);
	assert.equal(r.status, 200, `POST /bridges → ${r.status} ${r.body}`);
	return r.json.id;
}

async function add(srv, ws, bridgeId, c, query = '') {
	const from = ws.events.length;
	const r = await srv.post(`/ari/bridges/${enc(bridgeId)}/addChannel?channel=${enc(c.id)}${query}`);
	assert.equal(r.status, 204, `addChannel ${c.exten} → ${r.status} ${r.body}`);
	await ws.waitFor((e) => e.type === 'ChannelEnteredBridge' && e.channel.id === c.id, undefined, { from });
}

/**
 * What every call hears during `ms`, after `settle` ms for the change just
 * made to reach the ears: {frames, loud, tones: {hz: share of frames}}.
 */
async function listen(calls, { settle = 400, ms = 1000 } = {}) {
	await sleep(settle);
	const marks = calls.map((c) => c.peer.mark());
	await sleep(ms);
	const out = {};
	calls.forEach((c, i) => { out[c.exten] = c.peer.heard(marks[i], undefined, FREQS); });
	return out;
}

function hears(h, who, hz) {
	assert.ok(h[who].tones[hz] >= 0.8, `${who} should hear ${hz} Hz: ${JSON.stringify(h)}`);
}

function deafTo(h, who, hz) {
	assert.ok(h[who].tones[hz] <= 0.05, `${who} should not hear ${hz} Hz: ${JSON.stringify(h)}`);
}

function oneFramePerTick(h, who, ms = 1000) {
	// 50 frames a second, whatever is said: no gap, no burst
	assert.ok(h[who].frames >= (ms / 20) * 0.8 && h[who].frames <= (ms / 20) * 1.2,
		`${who} got ${h[who].frames} frames in ${ms} ms`);
}

/**
 * A test of the app `app`: fn(srv, ws, calls) where calls collects every
 * call made, so that each is hung up and cleaned up whatever happens.
 */
function mediaTest(app, name, fn) {
	serverTest(name, mediaConf(app), async (srv) => {
		const ws = await srv.events(app);
		const calls = [];
		try {
			await fn(srv, ws, calls);
			await hangupAll(srv, calls);
		} finally {
			await cleanup(calls);
		}
	});
}

module.exports = {
	FREQS, SILENCE, call, hangupAll, cleanup, bridge, add, listen, hears, deafTo,
	oneFramePerTick, mediaTest,
};
