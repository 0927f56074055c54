'use strict';
// The audio of bridges on real SIP calls: SIPp places each call into the
// Stasis app `mix` with its SDP pointing at an RTP socket of the test
// (lib/rtp.js), which says a tone of its own and measures, frame by frame,
// which tones ariadne sends it back. The app (this test, over raw HTTP and
// the events WebSocket) answers the calls and bridges them.
//
// What is checked: in a mixing bridge each caller hears the others and never
// itself (two and three parties, and through a Local channel between two
// bridges); a muted caller is not heard; a held caller (ARI hold, or a SIP
// re-INVITE to sendonly) is not heard and, on ARI hold, hears music instead;
// a caller with its own playback hears that instead of the bridge; a bridge
// playback and bridge music are heard by everyone with the conversation; in a
// holding bridge participants hear the announcer and the music, never each
// other.
const assert = require('node:assert/strict');
const {
	call, bridge, add, listen, hears, deafTo, oneFramePerTick, mediaTest,
} = require('./lib/media_calls');
const { SLOW } = require('./lib/server');

const enc = encodeURIComponent;
const APP = 'mix';
const mixTest = (name, fn) => mediaTest(APP, name, fn);

/** Calls a (saying 500 Hz) and b (1000 Hz) in a new mixing bridge. */
async function twoBridged(srv, ws, calls, { scenario, duration, aQuery = '' } = {}) {
	calls.push(await call(srv, ws, 'a', { scenario, duration }), await call(srv, ws, 'b'));
	const [a, b] = calls;
	await a.peer.say(500);
	await b.peer.say(1000);
	const id = await bridge(srv);
	await add(srv, ws, id, a, aQuery);
	await add(srv, ws, id, b);
	return { a, b, id };
}

mixTest('two_calls_in_a_mixing_bridge_hear_each_other_never_themselves', async (srv, ws, calls) => {
	const { a, id } = await twoBridged(srv, ws, calls);
	const h = await listen(calls);
	hears(h, 'a', 1000);
	deafTo(h, 'a', 500);
	hears(h, 'b', 500);
	deafTo(h, 'b', 1000);
	oneFramePerTick(h, 'a');
	oneFramePerTick(h, 'b');

	// One goes quiet: the other still gets a frame every 20 ms, silent.
	a.peer.say(null);
	const q = await listen(calls);
	oneFramePerTick(q, 'b');
	assert.ok(q.b.loud <= 0.05, `b hears noise from a quiet a: ${JSON.stringify(q)}`);

	// Out of the bridge: b no longer hears a.
	await a.peer.say(500);
	assert.equal((await srv.post(`/ari/bridges/${enc(id)}/removeChannel?channel=${enc(a.id)}`)).status, 204);
	const r = await listen(calls);
	deafTo(r, 'b', 500);
	deafTo(r, 'a', 1000);
});

mixTest('three_calls_in_a_mixing_bridge_each_hear_the_other_two', async (srv, ws, calls) => {
	const tone = { a: 500, b: 1000, c: 1500 };
	for (const x of ['a', 'b', 'c']) calls.push(await call(srv, ws, x));
	const id = await bridge(srv);
	for (const c of calls) {
		await c.peer.say(tone[c.exten]);
		await add(srv, ws, id, c);
	}
	const h = await listen(calls);
	for (const me of ['a', 'b', 'c']) {
		for (const other of ['a', 'b', 'c']) {
			if (me === other) deafTo(h, me, tone[me]);
			else hears(h, me, tone[other]);
		}
		oneFramePerTick(h, me);
	}
	assert.equal((await srv.get(`/ari/bridges/${enc(id)}`)).json.technology, 'softmix');
});

mixTest('a_local_channel_between_two_bridges_carries_the_audio_both_ways', async (srv, ws, calls) => {
	calls.push(await call(srv, ws, 'a'), await call(srv, ws, 'b'));
	const [a, b] = calls;
	await a.peer.say(500);
	await b.peer.say(1000);
	// ;2 runs Stasis(mix) unanswered; answering it answers ;1, which then
	// enters the app too.
	const o = await srv.post(`/ari/channels?endpoint=${enc(`Local/l@stasis-${APP}`)}&app=${APP}` +
		'&channelId=loc-1&otherChannelId=loc-2');
	assert.equal(o.status, 200, `originate → ${o.status} ${o.body}`);
	await ws.waitFor((e) => e.type === 'StasisStart' && e.channel.id === 'loc-2');
	assert.equal((await srv.post('/ari/channels/loc-2/answer')).status, 204);
	await ws.waitFor((e) => e.type === 'StasisStart' && e.channel.id === 'loc-1');
	const b1 = await bridge(srv);
	const b2 = await bridge(srv);
	await add(srv, ws, b1, a);
	await add(srv, ws, b1, { id: 'loc-1', exten: 'loc-1' });
	await add(srv, ws, b2, { id: 'loc-2', exten: 'loc-2' });
	await add(srv, ws, b2, b);
	const h = await listen(calls);
	hears(h, 'a', 1000);
	deafTo(h, 'a', 500);
	hears(h, 'b', 500);
	deafTo(h, 'b', 1000);
	oneFramePerTick(h, 'a');
});

mixTest('muted_members_of_a_bridge_are_not_heard_but_still_hear', async (srv, ws, calls) => {
	const { b } = await twoBridged(srv, ws, calls, { aQuery: '&mute=true' });
	let h = await listen(calls);
	deafTo(h, 'b', 500);
	hears(h, 'a', 1000);

	// ARI mute "in" on b: a no longer hears b; unmute brings it back.
	assert.equal((await srv.post(`/ari/channels/${enc(b.id)}/mute?direction=in`)).status, 204);
	h = await listen(calls);
	deafTo(h, 'a', 1000);
	assert.equal((await srv.del(`/ari/channels/${enc(b.id)}/mute?direction=in`)).status, 204);
	h = await listen(calls);
	hears(h, 'a', 1000);
});

mixTest('a_held_member_hears_music_and_is_not_heard', async (srv, ws, calls) => {
	const { a } = await twoBridged(srv, ws, calls);
	assert.equal((await srv.post(`/ari/channels/${enc(a.id)}/hold`)).status, 204);
	let h = await listen(calls);
	deafTo(h, 'a', 1000);
	assert.ok(h.a.loud >= 0.3, `a on hold hears no music: ${JSON.stringify(h.a)}`);
	deafTo(h, 'b', 500);
	assert.equal((await srv.del(`/ari/channels/${enc(a.id)}/hold`)).status, 204);
	h = await listen(calls);
	hears(h, 'a', 1000);
	hears(h, 'b', 500);
});

mixTest('a_member_that_holds_with_a_reinvite_is_not_heard_until_it_resumes', async (srv, ws, calls) => {
	// a re-INVITEs to sendonly -d ms after its call is up, and back to
	// sendrecv -d ms later; it keeps sending meanwhile (a phone's own music).
	const { a } = await twoBridged(srv, ws, calls, { scenario: 'bridges_uac_hold_rtp', duration: 3000 * SLOW });
	let h = await listen(calls, { settle: 200, ms: 600 });
	hears(h, 'b', 500);
	await ws.waitFor((e) => e.type === 'ChannelHold' && e.channel.id === a.id, 8000 * SLOW);
	h = await listen(calls, { settle: 300, ms: 1000 });
	deafTo(h, 'b', 500);
	await ws.waitFor((e) => e.type === 'ChannelUnhold' && e.channel.id === a.id, 8000 * SLOW);
	h = await listen(calls, { settle: 300, ms: 1000 });
	hears(h, 'b', 500);
	hears(h, 'a', 1000);
});

mixTest('a_member_with_its_own_playback_hears_it_instead_of_the_bridge', async (srv, ws, calls) => {
	const { a } = await twoBridged(srv, ws, calls);
	const p = await srv.post(`/ari/channels/${enc(a.id)}/play?media=${enc('tone:2000')}&playbackId=pa`);
	assert.ok([200, 201].includes(p.status), `play → ${p.status} ${p.body}`);
	await ws.waitFor((e) => e.type === 'PlaybackStarted' && e.playback.id === 'pa');
	let h = await listen(calls);
	hears(h, 'a', 2000);
	deafTo(h, 'a', 1000);
	deafTo(h, 'b', 500);
	deafTo(h, 'b', 2000);
	assert.equal((await srv.del('/ari/playbacks/pa')).status, 204);
	await ws.waitFor((e) => e.type === 'PlaybackFinished' && e.playback.id === 'pa');
	h = await listen(calls);
	hears(h, 'a', 1000);
	hears(h, 'b', 500);
});

mixTest('a_bridge_playback_and_bridge_music_are_heard_by_everyone_with_the_talk', async (srv, ws, calls) => {
	const { a, id } = await twoBridged(srv, ws, calls);
	const p = await srv.post(`/ari/bridges/${enc(id)}/play?media=${enc('tone:2000')}&playbackId=pb`);
	assert.ok([200, 201].includes(p.status), `bridge play → ${p.status} ${p.body}`);
	const started = await ws.waitFor((e) => e.type === 'PlaybackStarted' && e.playback.id === 'pb');
	assert.equal(started.playback.target_uri, `bridge:${id}`);
	let h = await listen(calls);
	hears(h, 'a', 2000);
	hears(h, 'a', 1000);
	deafTo(h, 'a', 500);
	hears(h, 'b', 2000);
	hears(h, 'b', 500);
	deafTo(h, 'b', 1000);
	assert.equal((await srv.del('/ari/playbacks/pb')).status, 204);
	await ws.waitFor((e) => e.type === 'PlaybackFinished' && e.playback.id === 'pb');

	// Music on hold of the bridge: both hear it, and still each other.
	a.peer.say(null);
	assert.equal((await srv.post(`/ari/bridges/${enc(id)}/moh`)).status, 204);
	h = await listen(calls);
	assert.ok(h.a.loud >= 0.3, `a hears no music: ${JSON.stringify(h.a)}`);
	hears(h, 'a', 1000);
	assert.ok(h.b.loud >= 0.3, `b hears no music: ${JSON.stringify(h.b)}`);
	assert.equal((await srv.del(`/ari/bridges/${enc(id)}/moh`)).status, 204);
});

mixTest('holding_bridge_participants_hear_the_announcer_and_music_never_each_other', async (srv, ws, calls) => {
	for (const x of ['a', 'b', 'n']) calls.push(await call(srv, ws, x));
	const [a, b, n] = calls;
	await a.peer.say(500);
	await b.peer.say(1000);
	await n.peer.say(1500);
	const id = await bridge(srv, 'holding');
	await add(srv, ws, id, a, '&role=participant');
	await add(srv, ws, id, b);
	await add(srv, ws, id, n, '&role=announcer');
	let h = await listen(calls);
	hears(h, 'a', 1500);
	hears(h, 'b', 1500);
	deafTo(h, 'a', 1000);
	deafTo(h, 'b', 500);
	assert.ok(h.n.loud <= 0.05, `the announcer hears something: ${JSON.stringify(h.n)}`);
	oneFramePerTick(h, 'n');

	n.peer.say(null);
	assert.equal((await srv.post(`/ari/bridges/${enc(id)}/moh`)).status, 204);
	h = await listen(calls);
	assert.ok(h.a.loud >= 0.3, `a hears no music: ${JSON.stringify(h.a)}`);
	deafTo(h, 'a', 1000);
	deafTo(h, 'b', 500);
});
