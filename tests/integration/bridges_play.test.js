'use strict';
// What a bridge has besides its members, through ARI: play and playWithId
// (a Playback with target bridge:ID, controlled through /playbacks, its
// events to the apps of the members), music on hold (start, change, stop,
// 409 when none), setVideoSource/clearVideoSource on an audio-only server
// (statuses and the bridge's video fields), and the bridge variables.
const assert = require('node:assert/strict');
const { serverTest } = require('./lib/server');

const enc = encodeURIComponent;
const files = { 'extensions.conf': '[far]\nexten => s,1,Answer()\n same => n,Wait(600)\n' };

function assertError(r, status, message) {
	assert.equal(r.status, status, `expected ${status}: ${r.status} ${r.body}`);
	if (message) assert.deepEqual(r.json, { message });
	else assert.equal(typeof (r.json && r.json.message), 'string', r.body);
}

async function inApp(srv, ws, app, id) {
	await srv.originate({ endpoint: 'Local/s@far', app, channelId: id, otherChannelId: `${id}2` });
	return ws.waitFor((e) => e.type === 'StasisStart' && e.channel.id === id);
}

/** Bridge `b` with channel `a` of app A in it. */
async function bridgeWithA(srv, ws) {
	await inApp(srv, ws, 'A', 'a');
	assert.equal((await srv.post('/ari/bridges?bridgeId=b')).status, 200);
	assert.equal((await srv.post('/ari/bridges/b/addChannel?channel=a')).status, 204);
	await ws.waitFor((e) => e.type === 'ChannelEnteredBridge' && e.channel.id === 'a');
}

const peerOfA = (e) => e.type === 'ChannelVarset' && e.variable === 'BRIDGEPEER' && e.channel.id === 'a';

serverTest('bridge_playback_of_a_missing_sound_starts_then_finishes_and_brings_a_helper', { files }, async (srv) => {
	const ws = await srv.events('A');
	await bridgeWithA(srv, ws);
	const r = await srv.post(`/ari/bridges/b/play?media=${enc('sound:no-such-prompt')}&playbackId=p`);
	assert.equal(r.status, 200, r.body);
	assert.equal(r.json.id, 'p');
	assert.equal(r.json.target_uri, 'bridge:b');
	assert.equal(r.json.state, 'queued');
	assert.equal(r.json.language, 'en');
	const st = await ws.waitFor((e) => e.type === 'PlaybackStarted' && e.playback.id === 'p');
	assert.equal(st.playback.state, 'playing');
	assert.equal(st.playback.target_uri, 'bridge:b');
	const fin = await ws.waitFor((e) => e.type === 'PlaybackFinished' && e.playback.id === 'p');
	// event-sequences.md records "done"; ariadne's engine reports a missing
	// file as "failed" on channels and bridges alike (playback.test.js).
	assert.ok(ws.indexOf(st) < ws.indexOf(fin));
	// Asterisk's Announcer channel joined the bridge to play: a's peer.
	const peer = await ws.waitFor(peerOfA);
	assert.match(peer.value, /^Announcer\/ARI-[0-9a-f]{8};2$/);
	// ARI never lists that helper.
	assert.deepEqual((await srv.get('/ari/bridges/b')).json.channels, ['a']);
	assertError(await srv.get('/ari/playbacks/p'), 404);
});

// An announcer and a recorder count as the bridge's peers, with no member
// to tell: the server used to dereference the empty member list (a
// recorded conference whose last caller left while an announcement
// played took every call down with it).
serverTest('a_bridge_with_an_announcer_and_a_recorder_but_no_member_is_no_crash', { files }, async (srv) => {
	const ws = await srv.events('A');
	assert.equal((await srv.post('/ari/bridges?type=mixing&bridgeId=e')).status, 200);
	assert.equal((await srv.post(`/ari/bridges/e/play?media=${enc('tone:ring')}&playbackId=pe`)).status, 200);
	const r = await srv.post('/ari/bridges/e/record?name=empty-bridge&format=wav');
	assert.equal(r.status, 200, r.body);
	assert.equal((await srv.get('/ari/asterisk/ping')).status, 200);
	// The same with a member that leaves while both helpers are there.
	await bridgeWithA(srv, ws);
	assert.equal((await srv.post(`/ari/bridges/b/play?media=${enc('tone:ring')}&playbackId=pb`)).status, 200);
	assert.equal((await srv.post('/ari/bridges/b/record?name=leaving&format=wav')).status, 200);
	assert.equal((await srv.del('/ari/channels/a')).status, 204);
	await ws.waitFor((e) => e.type === 'ChannelDestroyed' && e.channel.id === 'a');
	assert.equal((await srv.get('/ari/asterisk/ping')).status, 200);
	assert.equal((await srv.del('/ari/bridges/e')).status, 204);
	assert.equal((await srv.del('/ari/bridges/b')).status, 204);
});

serverTest('bridge_play_errors_and_playWithId', { files }, async (srv) => {
	const ws = await srv.events('A');
	await bridgeWithA(srv, ws);
	assertError(await srv.post(`/ari/bridges/nosuch/play?media=${enc('tone:440')}`), 404, 'Bridge not found');
	assertError(await srv.post('/ari/bridges/b/play'), 400);
	assertError(await srv.post(`/ari/bridges/b/play?media=${enc('tone:440')}&skipms=-1`), 400);
	assertError(await srv.post(`/ari/bridges/b/play?media=${enc('tone:440')}&offsetms=-5`), 400);
	let r = await srv.post(`/ari/bridges/b/play/tone1?media=${enc('tone:440')}&lang=fr`);
	assert.equal(r.status, 200, r.body);
	assert.equal(r.json.id, 'tone1');
	assert.equal(r.json.language, 'fr');
	await ws.waitFor((e) => e.type === 'PlaybackStarted' && e.playback.id === 'tone1');
	assertError(await srv.post(`/ari/bridges/b/play/tone1?media=${enc('tone:440')}`), 409);
	// A second one queues behind the first, as on a channel.
	r = await srv.post(`/ari/bridges/b/play?media=${enc('tone:880')}&playbackId=second`);
	assert.equal(r.status, 200, r.body);
	assert.equal((await srv.get('/ari/playbacks/second')).json.state, 'queued');
	// Controlled through /playbacks.
	assert.equal((await srv.get('/ari/playbacks/tone1')).json.target_uri, 'bridge:b');
	assert.equal((await srv.post('/ari/playbacks/tone1/control?operation=pause')).status, 204);
	assert.equal((await srv.get('/ari/playbacks/tone1')).json.state, 'paused');
	assert.equal((await srv.post('/ari/playbacks/tone1/control?operation=unpause')).status, 204);
	assert.equal((await srv.del('/ari/playbacks/tone1')).status, 204);
	const f1 = await ws.waitFor((e) => e.type === 'PlaybackFinished' && e.playback.id === 'tone1');
	assert.equal(f1.playback.state, 'done');
	await ws.waitFor((e) => e.type === 'PlaybackStarted' && e.playback.id === 'second');
	// Destroying the bridge ends its playback.
	assert.equal((await srv.del('/ari/bridges/b')).status, 204);
	const f2 = await ws.waitFor((e) => e.type === 'PlaybackFinished' && e.playback.id === 'second');
	assert.equal(f2.playback.state, 'done');
});

serverTest('bridge_music_on_hold_starts_changes_and_stops', { files }, async (srv) => {
	const ws = await srv.events('A');
	await bridgeWithA(srv, ws);
	assertError(await srv.post('/ari/bridges/nosuch/moh'), 404, 'Bridge not found');
	assertError(await srv.del('/ari/bridges/nosuch/moh'), 404, 'Bridge not found');
	assertError(await srv.del('/ari/bridges/b/moh'), 409, "Bridge isn't playing music");
	assert.equal((await srv.post('/ari/bridges/b/moh')).status, 204);
	// The music's Announcer channel is a's peer.
	const peer = await ws.waitFor(peerOfA);
	assert.match(peer.value, /^Announcer\/ARI-/);
	assert.equal((await srv.post('/ari/bridges/b/moh?mohClass=default')).status, 204);
	assert.equal((await srv.del('/ari/bridges/b/moh')).status, 204);
	assertError(await srv.del('/ari/bridges/b/moh'), 409, "Bridge isn't playing music");
});

serverTest('video_source_operations_answer_on_an_audio_only_server', { files }, async (srv) => {
	const ws = await srv.events(['A', 'W']);
	await bridgeWithA(srv, ws);
	await inApp(srv, ws, 'A', 'c');
	assert.equal((await srv.post('/ari/applications/W/subscription?eventSource=bridge:b')).status, 200);
	assertError(await srv.post('/ari/bridges/nosuch/videoSource/a'), 404, 'Bridge not found');
	assertError(await srv.post('/ari/bridges/b/videoSource/nosuch'), 400, 'Channel not found');
	assertError(await srv.post('/ari/bridges/b/videoSource/a2'), 422, 'Channel not in Stasis application');
	assertError(await srv.post('/ari/bridges/b/videoSource/c'), 422, 'Channel not in this bridge');
	assert.equal((await srv.post('/ari/bridges/b/videoSource/a')).status, 204);
	let r = await srv.get('/ari/bridges/b');
	assert.equal(r.json.video_mode, 'single');
	assert.equal(r.json.video_source_id, 'a');
	const ch = await ws.waitFor((e) => e.type === 'BridgeVideoSourceChanged' && e.application === 'W');
	assert.equal(ch.bridge.video_source_id, 'a');
	assert.equal('old_video_source_id' in ch, false);
	assertError(await srv.del('/ari/bridges/nosuch/videoSource'), 404, 'Bridge not found');
	assert.equal((await srv.del('/ari/bridges/b/videoSource')).status, 204);
	r = await srv.get('/ari/bridges/b');
	assert.equal(r.json.video_mode, 'talker');
	assert.equal('video_source_id' in r.json, false);
	const back = await ws.waitFor((e) => e.type === 'BridgeVideoSourceChanged' && e.application === 'W' &&
		e.old_video_source_id === 'a');
	assert.equal(back.bridge.video_mode, 'talker');
});

serverTest('bridge_variables_are_set_read_and_reported', async (srv) => {
	assert.equal((await srv.post('/ari/bridges?bridgeId=b', { body: { variables: { ROOM: '12' } } })).status, 200);
	let r = await srv.get('/ari/bridges/b/variable?variable=ROOM');
	assert.equal(r.status, 200, r.body);
	assert.deepEqual(r.json, { value: '12' });
	assertError(await srv.get('/ari/bridges/b/variable'), 400);
	assertError(await srv.get('/ari/bridges/nosuch/variable?variable=ROOM'), 404, 'Bridge not found');
	assertError(await srv.get('/ari/bridges/b/variable?variable=NOPE'), 404, 'Provided variable was not found');
	r = await srv.post('/ari/bridges/b/variable?variable=TOPIC&value=sales&report_events=true');
	assert.equal(r.status, 204, r.body);
	assert.deepEqual((await srv.get('/ari/bridges/b')).json.bridgevars, { TOPIC: 'sales' });
	assertError(await srv.post('/ari/bridges/nosuch/variable?variable=X&value=1'), 404);
	assertError(await srv.post('/ari/bridges/b/variable?value=1'), 400);
	r = await srv.post('/ari/bridges/b/variables', { body: { variables: { A: '1', B: { value: '2' } } } });
	assert.equal(r.status, 204, r.body);
	r = await srv.get(`/ari/bridges/b/variables?variables=${enc('A,B,ROOM')}`);
	assert.equal(r.status, 200, r.body);
	assert.deepEqual(r.json, { variables: { A: '1', B: '2', ROOM: '12' } });
	assertError(await srv.get(`/ari/bridges/b/variables?variables=${enc('A,NOPE')}`), 404);
	assertError(await srv.get('/ari/bridges/b/variables'), 400);
	assertError(await srv.post('/ari/bridges/b/variables', { body: { variables: { A: 5 } } }), 400);
	assertError(await srv.post('/ari/bridges/b/variables', { body: {} }), 400);
	// Setting without a value unsets.
	assert.equal((await srv.post('/ari/bridges/b/variable?variable=A')).status, 204);
	assertError(await srv.get('/ari/bridges/b/variable?variable=A'), 404);
});
