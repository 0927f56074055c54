'use strict';
// Playbacks (POST /channels/{id}/play, /playbacks), sounds, music on hold,
// silence and hold, on Local channels: the ;2 half of Local/100@stasis-pb
// enters the `pb` application, is answered, and is played to.
const assert = require('node:assert/strict');
const { serverTest, sleep } = require('./lib/server');

const enc = encodeURIComponent;

async function answered(srv, app = 'pb') {
	const ws = await srv.events(app);
	await srv.events(`${app}-other`);  // the ;1 half goes there once answered
	await srv.originate({ endpoint: `Local/100@stasis-${app}`, app: `${app}-other` });
	const s = await ws.waitFor('StasisStart');
	const id = s.channel.id;
	assert.equal((await srv.post(`/ari/channels/${enc(id)}/answer`)).status, 204);
	return { ws, id };
}

function play(srv, id, media, extra = {}) {
	return srv.post(`/ari/channels/${enc(id)}/play?` + new URLSearchParams({ media, ...extra }));
}

const ofPb = (type, pbId) => (e) => e.type === type && e.playback && e.playback.id === pbId;

serverTest('play_sound_returns_queued_then_started_and_finished_done_after_the_file', async (srv) => {
	const { ws, id } = await answered(srv);
	const r = await play(srv, id, 'sound:hello-world');
	assert.equal(r.status, 200, r.body);
	assert.equal(r.json.state, 'queued');
	assert.equal(r.json.media_uri, 'sound:hello-world');
	assert.equal(r.json.target_uri, `channel:${id}`);
	assert.equal(r.json.language, 'en');
	const started = await ws.waitFor(ofPb('PlaybackStarted', r.json.id));
	assert.equal(started.playback.state, 'playing');
	const t0 = Date.now();
	const fin = await ws.waitFor(ofPb('PlaybackFinished', r.json.id));
	const took = Date.now() - t0;
	assert.equal(fin.playback.state, 'done');
	assert.ok(took > 900 && took < 3000, `hello-world (~1.3 s) took ${took} ms`);
	assert.equal((await srv.get(`/ari/playbacks/${enc(r.json.id)}`)).status, 404, 'gone once finished');
});

serverTest('several_media_play_in_order_with_PlaybackContinuing_and_next_media_uri', async (srv) => {
	const { ws, id } = await answered(srv);
	const r = await play(srv, id, 'digits:1,sound:beep');
	assert.equal(r.status, 200, r.body);
	assert.equal(r.json.next_media_uri, 'sound:beep');
	const cont = await ws.waitFor(ofPb('PlaybackContinuing', r.json.id));
	assert.equal(cont.playback.media_uri, 'digits:1');
	assert.equal(cont.playback.next_media_uri, 'sound:beep');
	assert.equal(cont.playback.state, 'continuing');
	const fin = await ws.waitFor(ofPb('PlaybackFinished', r.json.id));
	assert.equal(fin.playback.media_uri, 'sound:beep');
	assert.equal(fin.playback.state, 'done');
	const types = ws.filter((e) => e.playback && e.playback.id === r.json.id).map((e) => e.type);
	assert.deepEqual(types, ['PlaybackStarted', 'PlaybackContinuing', 'PlaybackStarted', 'PlaybackFinished']);
});

// Asterisk 22 (event-sequences.md): PlaybackStarted{playing}, then
// PlaybackFinished{done} for a sound that does not exist.
serverTest('missing_sound_starts_then_finishes_done_and_the_server_survives', async (srv) => {
	const { ws, id } = await answered(srv);
	const r = await play(srv, id, 'sound:no-such-sound-here');
	assert.equal(r.status, 200, r.body);
	const start = await ws.waitFor(ofPb('PlaybackStarted', r.json.id));
	assert.equal(start.playback.state, 'playing');
	const fin = await ws.waitFor(ofPb('PlaybackFinished', r.json.id));
	assert.equal(fin.playback.state, 'done');
	assert.ok(ws.indexOf(start) < ws.indexOf(fin));
	// A URI no engine can play fails.
	const r2 = await play(srv, id, 'nosuchscheme:x');
	const fin2 = await ws.waitFor(ofPb('PlaybackFinished', r2.json.id));
	assert.equal(fin2.playback.state, 'failed');
	assert.equal((await srv.get('/ari/asterisk/ping')).status, 200);
});

serverTest('tone_plays_until_stopped_and_stop_finishes_done', async (srv) => {
	const { ws, id } = await answered(srv);
	const r = await play(srv, id, 'tone:ring');
	await ws.waitFor(ofPb('PlaybackStarted', r.json.id));
	await sleep(300);
	const g = await srv.get(`/ari/playbacks/${enc(r.json.id)}`);
	assert.equal(g.status, 200);
	assert.equal(g.json.state, 'playing');
	assert.equal((await srv.del(`/ari/playbacks/${enc(r.json.id)}`)).status, 204);
	const fin = await ws.waitFor(ofPb('PlaybackFinished', r.json.id));
	assert.equal(fin.playback.state, 'done');
});

serverTest('control_pause_unpause_restart_and_errors', async (srv) => {
	const { ws, id } = await answered(srv);
	const r = await play(srv, id, 'tone:440/200,0/200', { playbackId: 'my-pb' });
	assert.equal(r.json.id, 'my-pb');
	assert.equal(r.json.media_uri, 'tone:440/200,0/200', 'commas of a tone stay in the URI');
	const ctl = (op, pb = 'my-pb') => srv.post(`/ari/playbacks/${enc(pb)}/control?operation=${op}`);
	// Before it starts only restart is allowed (a no-op) — the reply comes
	// before the playback begins on the next loop turn.
	await ws.waitFor(ofPb('PlaybackStarted', 'my-pb'));
	assert.equal((await ctl('pause')).status, 204);
	assert.equal((await srv.get('/ari/playbacks/my-pb')).json.state, 'paused');
	assert.equal((await ctl('restart')).status, 409, 'restart while paused');
	assert.equal((await ctl('pause')).status, 204, 'pause while paused is a no-op');
	const n = ws.filter(ofPb('PlaybackStarted', 'my-pb')).length;
	assert.equal((await ctl('unpause')).status, 204);
	await ws.waitFor((e) => ofPb('PlaybackStarted', 'my-pb')(e) && ws.indexOf(e) >= 0 &&
		ws.filter(ofPb('PlaybackStarted', 'my-pb')).length > n);
	assert.equal((await ctl('restart')).status, 204);
	assert.equal((await ctl('forward')).status, 204);
	assert.equal((await ctl('reverse')).status, 204);
	assert.equal((await ctl('jump')).status, 400);
	assert.equal((await ctl('pause', 'nope')).status, 404);
	assert.equal((await srv.get('/ari/playbacks/nope')).status, 404);
	assert.equal((await srv.del('/ari/playbacks/nope')).status, 404);
	const dup = await srv.post(`/ari/channels/${enc(id)}/play/my-pb?media=sound:beep`);
	assert.equal(dup.status, 409, 'playback id in use');
	assert.equal((await srv.del('/ari/playbacks/my-pb')).status, 204);
	await ws.waitFor(ofPb('PlaybackFinished', 'my-pb'));
	assert.equal((await ctl('unpause')).status, 404, 'finished playbacks are gone');
});

serverTest('a_second_playback_waits_queued_and_stop_while_queued_cancels_it', async (srv) => {
	const { ws, id } = await answered(srv);
	const a = await srv.post(`/ari/channels/${enc(id)}/play/first?media=tone:ring`);
	const b = await srv.post(`/ari/channels/${enc(id)}/play/second?media=sound:beep`);
	assert.equal(a.status, 200);
	assert.equal(b.status, 200);
	await ws.waitFor(ofPb('PlaybackStarted', 'first'));
	assert.equal((await srv.get('/ari/playbacks/second')).json.state, 'queued');
	assert.equal((await srv.post('/ari/playbacks/second/control?operation=pause')).status, 409);
	assert.equal((await srv.del('/ari/playbacks/second')).status, 204);
	const fin = await ws.waitFor(ofPb('PlaybackFinished', 'second'));
	assert.equal(fin.playback.state, 'done');
	const c = await srv.post(`/ari/channels/${enc(id)}/play/third?media=sound:beep`);
	assert.equal(c.status, 200);
	assert.equal((await srv.del('/ari/playbacks/first')).status, 204);
	await ws.waitFor(ofPb('PlaybackFinished', 'first'));
	await ws.waitFor(ofPb('PlaybackStarted', 'third'));
	await ws.waitFor(ofPb('PlaybackFinished', 'third'));
});

serverTest('hangup_during_playback_finishes_it', async (srv) => {
	const { ws, id } = await answered(srv);
	const r = await play(srv, id, 'tone:busy');
	await ws.waitFor(ofPb('PlaybackStarted', r.json.id));
	assert.equal((await srv.del(`/ari/channels/${enc(id)}`)).status, 204);
	const fin = await ws.waitFor(ofPb('PlaybackFinished', r.json.id));
	assert.equal(fin.playback.state, 'done');
});

serverTest('play_checks_channel_state_and_parameters', {
	files: { 'extensions.conf': '[wait]\nexten => 1,1,Answer()\n same => n,Wait(10)\n' },
}, async (srv) => {
	const ws = await srv.events('pb');
	await srv.events('pb-other');
	await srv.originate({ endpoint: 'Local/100@stasis-pb', app: 'pb-other' });
	const s = await ws.waitFor('StasisStart');
	assert.equal((await play(srv, 'nope', 'sound:beep')).status, 404);
	// A channel running dialplan, in no application: 409.
	const other = await srv.originate({ endpoint: 'Local/1@wait', extension: '1', context: 'wait' });
	await sleep(200);
	assert.equal((await play(srv, other.id, 'sound:beep')).status, 409);
	const st = (await srv.get(`/ari/channels/${enc(s.channel.id)}`)).json.state;
	if (st === 'Down' || st === 'Ringing')
		assert.equal((await play(srv, s.channel.id, 'sound:beep')).status, 412);
	await srv.post(`/ari/channels/${enc(s.channel.id)}/answer`);
	assert.equal((await play(srv, s.channel.id, 'sound:beep', { skipms: '-1' })).status, 400);
	assert.equal((await play(srv, s.channel.id, 'sound:beep', { offsetms: '-1' })).status, 400);
});

serverTest('sounds_list_and_get', async (srv) => {
	const list = await srv.get('/ari/sounds?lang=en&format=wav');
	assert.equal(list.status, 200);
	const hw = list.json.find((x) => x.id === 'hello-world');
	assert.ok(hw, 'hello-world is listed');
	assert.deepEqual(hw.formats, [{ language: 'en', format: 'wav' }]);
	const g = await srv.get('/ari/sounds/hello-world');
	assert.equal(g.status, 200);
	assert.ok(g.json.formats.some((f) => f.language === 'en' && f.format === 'wav'));
	assert.equal((await srv.get(`/ari/sounds/${enc('digits/1')}`)).status, 200);
	assert.equal((await srv.get('/ari/sounds/no-such-sound')).status, 404);
	assert.deepEqual((await srv.get('/ari/sounds?lang=xx')).json, []);
});

serverTest('moh_silence_and_hold_answer_204_and_playback_still_works_after', async (srv) => {
	const { ws, id } = await answered(srv);
	const c = `/ari/channels/${enc(id)}`;
	assert.equal((await srv.post(`${c}/moh`)).status, 204);
	assert.equal((await srv.post(`${c}/moh?mohClass=nosuch`)).status, 204);
	assert.equal((await srv.del(`${c}/moh`)).status, 204);
	assert.equal((await srv.post(`${c}/silence`)).status, 204);
	assert.equal((await srv.del(`${c}/silence`)).status, 204);
	assert.equal((await srv.post(`${c}/hold`)).status, 204);
	assert.equal((await srv.del(`${c}/hold`)).status, 204);
	assert.equal((await srv.post('/ari/channels/nope/moh')).status, 404);
	const r = await play(srv, id, 'sound:beep');
	const fin = await ws.waitFor(ofPb('PlaybackFinished', r.json.id));
	assert.equal(fin.playback.state, 'done');
});

serverTest('dialplan_Playback_sets_PLAYBACKSTATUS', {
	files: {
		'extensions.conf': '[play]\nexten => 1,1,Playback(beep&no-such-file)\n' +
			' same => n,Stasis(pb,${PLAYBACKSTATUS})\n' +
			'exten => 2,1,Progress()\n same => n,Ringing()\n same => n,Playback(beep,noanswer)\n' +
			' same => n,Stasis(pb,${PLAYBACKSTATUS})\n',
	},
}, async (srv) => {
	const ws = await srv.events('pb');
	await srv.events('pb-other');
	await srv.originate({ endpoint: 'Local/1@play', app: 'pb-other' });
	const s = await ws.waitFor('StasisStart');
	assert.deepEqual(s.args, ['FAILED']);
	await srv.originate({ endpoint: 'Local/2@play', app: 'pb-other' });
	const s2 = await ws.waitFor((e) => e.type === 'StasisStart' && e.channel.id !== s.channel.id);
	assert.deepEqual(s2.args, ['SUCCESS']);
});

// A sounds directory without prompts for the default language (what a new
// Debian machine without asterisk-core-sounds-en has) is reported once, at
// start, naming the directory; a full one is not.
const os = require('node:os');
const fs = require('node:fs');
const path = require('node:path');
const emptySounds = fs.mkdtempSync(path.join(os.tmpdir(), 'ariadne-nosounds-'));
fs.mkdirSync(path.join(emptySounds, 'en_US_f_Allison'));

serverTest('start_warns_once_when_the_sounds_directory_has_no_prompts_for_the_language', {
	ariadneConf: { directories: { astsoundsdir: emptySounds } },
}, async (srv) => {
	const lines = srv.stderr.split('\n').filter((l) => /No sound prompts/.test(l));
	assert.equal(lines.length, 1, srv.stderr);
	assert.match(lines[0], /WARNING.*language 'en' in .*ariadne-nosounds-.*\/en/);
	assert.match(lines[0], /asterisk-core-sounds-en/);
});

serverTest('start_does_not_warn_when_prompts_are_there', async (srv) => {
	assert.doesNotMatch(srv.stderr, /No sound prompts/);
});
