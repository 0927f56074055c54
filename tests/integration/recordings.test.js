'use strict';
// Recordings of a channel (POST /channels/{id}/record) and the live and
// stored recordings resources, on Local channels: the ;2 half of
// Local/100@stasis-rec enters the `rec` application and is recorded; what is
// played to the ;1 half (in `rec-far`) is what ;2 sends, so a tone played
// there must be in the file. Files are read back from the test's own
// astspooldir and checked sample by sample (Goertzel for the tone).
const assert = require('node:assert/strict');
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const { serverTest, sleep } = require('./lib/server');
const { readWav, toneSeconds, loudSeconds } = require('./lib/wav');

const enc = encodeURIComponent;
const CONF = {
	ariadneConf: { directories: { astspooldir: '{{TMP}}/spool' } },
	files: { 'extensions.conf': '[far]\nexten => wait,1,Answer()\n same => n,Wait(600)\n' },
};
const recDir = (srv) => path.join(srv.tmp, 'spool', 'recording');

/** ;2 in `rec` (returned as id), ;1 in `rec-far` (far), both answered. */
async function call(srv, app = 'rec') {
	const ws = await srv.events(app);
	const far = await srv.events(`${app}-far`);
	await srv.originate({ endpoint: `Local/100@stasis-${app}`, app: `${app}-far` });
	const s = await ws.waitFor('StasisStart');
	const id = s.channel.id;
	assert.equal((await srv.post(`/ari/channels/${enc(id)}/answer`)).status, 204);
	const f = await far.waitFor('StasisStart');
	return { ws, far, id, farId: f.channel.id };
}

function record(srv, id, params) {
	return srv.post(`/ari/channels/${enc(id)}/record?` + new URLSearchParams({ format: 'wav', ...params }));
}

function play(srv, id, media) {
	return srv.post(`/ari/channels/${enc(id)}/play?` + new URLSearchParams({ media }));
}

/** GET as bytes (the harness's requests read text): {status, headers, body: Buffer}. */
function getBytes(srv, p) {
	return new Promise((resolve, reject) => {
		http.get({ host: '127.0.0.1', port: srv.port, path: p, auth: 'asterisk:asterisk', agent: false }, (res) => {
			const chunks = [];
			res.on('data', (c) => chunks.push(c));
			res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
			res.on('error', reject);
		}).on('error', reject);
	});
}

const ofRec = (type, name) => (e) => e.type === type && e.recording && e.recording.name === name;

serverTest('record_returns_queued_then_started_and_stop_finishes_done_with_the_tone_in_the_wav', CONF, async (srv) => {
	const { ws, id, farId } = await call(srv);
	await play(srv, farId, 'tone:1000');
	const r = await record(srv, id, { name: 'first' });
	assert.equal(r.status, 200, r.body);
	assert.deepEqual(r.json, { name: 'first', format: 'wav', state: 'queued', target_uri: `channel:${id}` });
	const started = await ws.waitFor(ofRec('RecordingStarted', 'first'));
	assert.equal(started.recording.state, 'recording');
	assert.equal(started.recording.target_uri, `channel:${id}`);
	assert.equal(started.recording.duration, undefined, 'no duration while it runs');
	await sleep(1500);
	const live = await srv.get('/ari/recordings/live/first');
	assert.equal(live.status, 200);
	assert.equal(live.json.state, 'recording');
	assert.equal((await srv.post('/ari/recordings/live/first/stop')).status, 204);
	const fin = await ws.waitFor(ofRec('RecordingFinished', 'first'));
	assert.equal(fin.recording.state, 'done');
	assert.ok(fin.recording.duration >= 1 && fin.recording.duration <= 2, `duration ${fin.recording.duration}`);
	assert.equal(fin.recording.talking_duration, undefined, 'no silence detection asked');
	assert.equal((await srv.get('/ari/recordings/live/first')).status, 404, 'gone once finished');

	const wav = readWav(path.join(recDir(srv), 'first.wav'));
	assert.equal(wav.rate, 8000);
	assert.equal(wav.bits, 16);
	assert.equal(wav.channels, 1);
	assert.equal(wav.dataBytes, wav.fileBytes - 44, 'data size in the header is the file');
	assert.equal(wav.riffBytes, wav.fileBytes - 8, 'RIFF size in the header is the file');
	const secs = wav.samples.length / 8000;
	assert.ok(secs >= 1.3 && secs <= 2.5, `${secs} s recorded`);
	assert.ok(toneSeconds(wav, 1000) >= secs - 0.3, `1 kHz in ${toneSeconds(wav, 1000)} of ${secs} s`);

	const stored = await srv.get('/ari/recordings/stored/first');
	assert.equal(stored.status, 200);
	assert.deepEqual(stored.json, { name: 'first', format: 'wav' });
});

serverTest('channel_record_answers_asterisks_statuses_for_bad_requests', CONF, async (srv) => {
	const { ws, id } = await call(srv);
	const st = async (chan, params) => {
		const r = await srv.post(`/ari/channels/${enc(chan)}/record?` + new URLSearchParams(params));
		return `${r.status} ${r.json && r.json.message}`;
	};
	assert.equal(await st('nope', { name: 'x', format: 'wav' }), '404 Channel not found');
	assert.equal(await st(id, { name: 'x', format: 'wav', maxDurationSeconds: -1 }),
		'400 max_duration_seconds cannot be negative');
	assert.equal(await st(id, { name: 'x', format: 'wav', maxSilenceSeconds: -2 }),
		'400 max_silence_seconds cannot be negative');
	assert.equal(await st(id, { format: 'wav' }), '400 Missing parameter name');
	assert.equal(await st(id, { name: 'x' }), '400 Missing parameter format');
	assert.equal(await st(id, { name: 'x', format: 'wav', terminateOn: '5' }), '400 terminateOn invalid');
	assert.equal(await st(id, { name: 'x', format: 'wav', ifExists: 'maybe' }), '400 ifExists invalid');
	assert.equal(await st(id, { name: 'x', format: 'mp3' }), '422 specified format is unknown on this system');
	assert.equal(await st(id, { name: '../x', format: 'wav' }), '400 Recording name invalid');
	assert.equal(await st(id, { name: 'a/../../x', format: 'wav' }), '400 Recording name invalid');
	assert.equal(await st(id, { name: '/tmp/x', format: 'wav' }), '400 Recording name invalid');
	assert.ok(!fs.existsSync(path.join(srv.tmp, 'spool', 'x.wav')), 'nothing written above the directory');
	assert.ok(!fs.existsSync('/tmp/x.wav'), 'nothing written at an absolute path');

	// A live recording's name is taken whatever ifExists says.
	assert.equal((await record(srv, id, { name: 'busy' })).status, 200);
	await ws.waitFor(ofRec('RecordingStarted', 'busy'));
	assert.equal(await st(id, { name: 'busy', format: 'wav', ifExists: 'overwrite' }),
		"409 Recording 'busy' already exists and can not be overwritten");
	assert.equal((await srv.post('/ari/recordings/live/busy/stop')).status, 204);
	await ws.waitFor(ofRec('RecordingFinished', 'busy'));
	// Its file is there now: ifExists=fail (the default) refuses the name.
	assert.equal(await st(id, { name: 'busy', format: 'wav' }),
		"409 Recording 'busy' already exists and can not be overwritten");
	// ...in any format Asterisk knows the name in.
	assert.equal(await st(id, { name: 'busy', format: 'ulaw' }),
		"409 Recording 'busy' already exists and can not be overwritten");

	// Not in Stasis: the ;2 half of a pair that runs the dialplan.
	await srv.originate({ endpoint: 'Local/wait@far', app: 'rec', channelId: 'w1', otherChannelId: 'w2' });
	await ws.waitFor((e) => e.type === 'StasisStart' && e.channel.id === 'w1');
	assert.equal(await st('w2', { name: 'y', format: 'wav' }), '409 Channel not in Stasis application');
});

/** Record `name` for about `ms` of what `farId` is played, then stop; the RecordingFinished. */
// Events of this recording only: a name used again must not find the
// RecordingFinished of an earlier recording of that name (the file would be
// read while the new one is still being written).
async function recordFor(srv, ws, id, name, ms, params = {}) {
	const from = ws.events.length;
	const r = await record(srv, id, { name, ...params });
	assert.equal(r.status, 200, r.body);
	await ws.waitFor(ofRec('RecordingStarted', name), undefined, { from });
	await sleep(ms);
	assert.equal((await srv.post(`/ari/recordings/live/${enc(name)}/stop`)).status, 204);
	return ws.waitFor(ofRec('RecordingFinished', name), undefined, { from });
}

serverTest('ifExists_overwrite_replaces_and_append_goes_on_after_the_old_audio', CONF, async (srv) => {
	const { ws, id, farId } = await call(srv);
	const file = path.join(recDir(srv), 'x.wav');
	const tone = await play(srv, farId, 'tone:1000');
	await recordFor(srv, ws, id, 'x', 1200);
	const first = readWav(file);
	assert.ok(toneSeconds(first, 1000) > 1, 'the first recording holds the tone');
	assert.equal((await srv.del(`/ari/playbacks/${enc(tone.json.id)}`)).status, 204);

	// overwrite: only the new audio, silence this time.
	await recordFor(srv, ws, id, 'x', 600, { ifExists: 'overwrite' });
	const over = readWav(file);
	assert.ok(over.samples.length < first.samples.length, 'shorter than the first');
	// (a frame or two still on its way from the other half when it stopped)
	assert.ok(toneSeconds(over, 1000) <= 0.06, `the tone is gone: ${toneSeconds(over, 1000)} s`);

	// append: the old samples first, as they were, then the new ones, under one header.
	const fin = await recordFor(srv, ws, id, 'x', 1100, { ifExists: 'append' });
	const app = readWav(file);
	const n = over.samples.length;
	assert.ok(app.samples.length >= n + 8000 * 0.9, `appended ${app.samples.length - n} samples`);
	assert.deepEqual(Array.from(app.samples.subarray(0, n)), Array.from(over.samples), 'old audio kept');
	assert.equal(app.dataBytes, app.fileBytes - 44);
	assert.equal(app.riffBytes, app.fileBytes - 8);
	assert.equal(fin.recording.duration, Math.floor(app.samples.length / 8000), 'duration counts the whole file');
	assert.deepEqual((await srv.get('/ari/recordings/stored')).json, [{ name: 'x', format: 'wav' }]);
});

serverTest('terminateOn_ends_the_recording_on_its_digit_only_after_the_app_saw_the_digit', CONF, async (srv) => {
	const { ws, id, farId } = await call(srv);
	assert.equal((await record(srv, id, { name: 'd', terminateOn: '#' })).status, 200);
	await ws.waitFor(ofRec('RecordingStarted', 'd'));
	assert.equal((await srv.post(`/ari/channels/${enc(farId)}/dtmf?dtmf=5`)).status, 204);
	await ws.waitFor((e) => e.type === 'ChannelDtmfReceived' && e.digit === '5');
	await sleep(300);
	assert.equal((await srv.get('/ari/recordings/live/d')).json.state, 'recording', "'5' does not end it");
	assert.equal((await srv.post(`/ari/channels/${enc(farId)}/dtmf?dtmf=%23`)).status, 204);
	const fin = await ws.waitFor(ofRec('RecordingFinished', 'd'));
	assert.equal(fin.recording.state, 'done');
	const digit = ws.filter((e) => e.type === 'ChannelDtmfReceived' && e.digit === '#');
	assert.equal(digit.length, 1);
	assert.ok(ws.indexOf(digit[0]) < ws.indexOf(fin), 'ChannelDtmfReceived # before RecordingFinished');

	// "any": the first digit of all ends it; "none" (default) never.
	{ const ra = await record(srv, id, { name: 'a', terminateOn: 'any' }); assert.equal(ra.status, 200, ra.body); }
	assert.equal((await record(srv, id, { name: 'n' })).status, 200, 'queued behind a');
	await ws.waitFor(ofRec('RecordingStarted', 'a'));
	await srv.post(`/ari/channels/${enc(farId)}/dtmf?dtmf=7`);
	await ws.waitFor(ofRec('RecordingFinished', 'a'));
	await ws.waitFor(ofRec('RecordingStarted', 'n'));
	await srv.post(`/ari/channels/${enc(farId)}/dtmf?dtmf=%23`);
	await ws.waitFor((e) => e.type === 'ChannelDtmfReceived' && e.digit === '#' && ws.indexOf(e) > ws.indexOf(fin));
	await sleep(300);
	assert.equal((await srv.get('/ari/recordings/live/n')).json.state, 'recording');
});

serverTest('a_recording_channel_cannot_join_a_bridge_until_its_recording_ends', CONF, async (srv) => {
	const { ws, id } = await call(srv);
	assert.equal((await srv.post('/ari/bridges/br')).status, 200);
	assert.equal((await record(srv, id, { name: 'busy' })).status, 200);
	await ws.waitFor(ofRec('RecordingStarted', 'busy'));
	const add = await srv.post(`/ari/bridges/br/addChannel?channel=${enc(id)}`);
	assert.equal(`${add.status} ${add.json.message}`, `409 Channel ${id} currently recording`);
	assert.equal((await srv.post('/ari/recordings/live/busy/stop')).status, 204);
	await ws.waitFor(ofRec('RecordingFinished', 'busy'));
	assert.equal((await srv.post(`/ari/bridges/br/addChannel?channel=${enc(id)}`)).status, 204);
	await ws.waitFor('ChannelEnteredBridge');
});

serverTest('maxDurationSeconds_ends_the_recording_with_exactly_that_much_audio', CONF, async (srv) => {
	const { ws, id, farId } = await call(srv);
	await play(srv, farId, 'tone:1000');
	assert.equal((await record(srv, id, { name: 'm', maxDurationSeconds: 1 })).status, 200);
	const fin = await ws.waitFor(ofRec('RecordingFinished', 'm'));
	assert.equal(fin.recording.state, 'done');
	assert.equal(fin.recording.duration, 1);
	const wav = readWav(path.join(recDir(srv), 'm.wav'));
	assert.equal(wav.samples.length, 8000, 'one second of samples');
	assert.ok(toneSeconds(wav, 1000) >= 0.9);
});

serverTest('maxSilenceSeconds_ends_after_that_much_silence_trims_it_and_reports_asterisks_durations', CONF,
	async (srv) => {
		const { ws, id, farId } = await call(srv);
		// 1.5 s of tone, then silence: the recording ends 2 s into the silence.
		await play(srv, farId, 'tone:!1000/1500');
		assert.equal((await record(srv, id, { name: 's', maxSilenceSeconds: 2 })).status, 200);
		const fin = await ws.waitFor(ofRec('RecordingFinished', 's'), 8000);
		assert.equal(fin.recording.state, 'done');
		const wav = readWav(path.join(recDir(srv), 's.wav'));
		const secs = wav.samples.length / 8000;
		// the tone, then the first 200 ms of the silence (Asterisk trims the rest)
		assert.ok(secs >= 1.55 && secs <= 1.85, `${secs} s kept`);
		assert.ok(toneSeconds(wav, 1000) >= 1.4, 'the tone is kept');
		assert.equal(loudSeconds(wav, secs - 0.18), 0, 'ends in silence');
		// 3.5 s written (3 whole seconds) before the trim; Asterisk takes
		// (2020 - 200) / 1000 = 1 s of silence off both figures.
		assert.equal(fin.recording.duration, 2, JSON.stringify(fin.recording));
		assert.equal(fin.recording.talking_duration, 2);
		assert.equal(fin.recording.silence_duration, 0);
	});

serverTest('pause_writes_nothing_mute_writes_silence_and_both_answer_409_when_not_recording', CONF, async (srv) => {
	const { ws, id, farId } = await call(srv);
	await play(srv, farId, 'tone:1000');
	assert.equal((await srv.post('/ari/recordings/live/none/pause')).status, 404);
	assert.equal((await record(srv, id, { name: 'p', maxSilenceSeconds: 30 })).status, 200);
	await ws.waitFor(ofRec('RecordingStarted', 'p'));
	await sleep(1000);
	assert.equal((await srv.post('/ari/recordings/live/p/pause')).status, 204);
	assert.equal((await srv.get('/ari/recordings/live/p')).json.state, 'paused');
	assert.equal((await srv.post('/ari/recordings/live/p/pause')).status, 204, 'pause twice is fine');
	await sleep(1500);
	assert.equal((await srv.del('/ari/recordings/live/p/pause')).status, 204);
	assert.equal((await srv.get('/ari/recordings/live/p')).json.state, 'recording');
	assert.equal((await srv.del('/ari/recordings/live/p/pause')).status, 204, 'unpause while recording is a no-op');
	await sleep(1000);
	assert.equal((await srv.post('/ari/recordings/live/p/mute')).status, 204);
	assert.equal((await srv.post('/ari/recordings/live/p/mute')).status, 204);
	await sleep(1000);
	assert.equal((await srv.del('/ari/recordings/live/p/mute')).status, 204);
	await sleep(1000);
	assert.equal((await srv.post('/ari/recordings/live/p/stop')).status, 204);
	const fin = await ws.waitFor(ofRec('RecordingFinished', 'p'));
	const wav = readWav(path.join(recDir(srv), 'p.wav'));
	const secs = wav.samples.length / 8000;
	// 1 s tone, (1.5 s paused: nothing), 1 s tone, 1 s muted silence, 1 s tone
	assert.ok(secs >= 3.8 && secs <= 4.4, `${secs} s written`);
	assert.ok(toneSeconds(wav, 1000) >= 2.7 && toneSeconds(wav, 1000) <= 3.2, `tone ${toneSeconds(wav, 1000)} s`);
	assert.ok(loudSeconds(wav, 2.2, 2.8) === 0, 'the muted second is silence');
	assert.equal(fin.recording.duration, Math.floor(secs));
	// Asterisk detects silence in what the channel says, not in what is
	// written: the muted tone is still talking.
	assert.equal(fin.recording.silence_duration, 0, JSON.stringify(fin.recording));
	assert.equal(fin.recording.talking_duration, fin.recording.duration);
});

serverTest('cancel_removes_the_file_and_still_finishes_as_asterisk_does', CONF, async (srv) => {
	const { ws, id } = await call(srv);
	assert.equal((await record(srv, id, { name: 'sub/c' })).status, 200);
	await ws.waitFor(ofRec('RecordingStarted', 'sub/c'));
	await sleep(1200);
	assert.ok(fs.existsSync(path.join(recDir(srv), 'sub', 'c.wav')), 'written while it runs');
	assert.equal((await srv.del(`/ari/recordings/live/${enc('sub/c')}`)).status, 204);
	const live = await srv.get(`/ari/recordings/live/${enc('sub/c')}`);
	assert.ok(live.status === 404 || live.json.state === 'canceled', live.body);
	const fin = await ws.waitFor(ofRec('RecordingFinished', 'sub/c'));
	assert.equal(fin.recording.state, 'done');
	assert.ok(!fs.existsSync(path.join(recDir(srv), 'sub', 'c.wav')), 'file removed');
	assert.equal((await srv.get(`/ari/recordings/stored/${enc('sub/c')}`)).status, 404);
	assert.equal((await srv.del(`/ari/recordings/live/${enc('sub/c')}`)).status, 404);
});

serverTest('hangup_finishes_the_recording_before_StasisEnd_and_keeps_the_file', CONF, async (srv) => {
	const { ws, id, farId } = await call(srv);
	await play(srv, farId, 'tone:1000');
	assert.equal((await record(srv, id, { name: 'h' })).status, 200);
	await ws.waitFor(ofRec('RecordingStarted', 'h'));
	await sleep(1100);
	assert.equal((await srv.del(`/ari/channels/${enc(id)}`)).status, 204);
	const fin = await ws.waitFor(ofRec('RecordingFinished', 'h'));
	const end = await ws.waitFor((e) => e.type === 'StasisEnd' && e.channel.id === id);
	assert.ok(ws.indexOf(fin) < ws.indexOf(end), ws.summary());
	assert.equal(fin.recording.state, 'done');
	assert.ok(fin.recording.duration >= 1);
	const wav = readWav(path.join(recDir(srv), 'h.wav'));
	assert.ok(toneSeconds(wav, 1000) >= 1);
});

serverTest('a_recording_waits_queued_for_the_playback_on_its_channel_and_answers_409_to_pause_meanwhile', CONF,
	async (srv) => {
		const { ws, id } = await call(srv);
		const pb = await play(srv, id, 'sound:hello-world');
		assert.equal(pb.status, 200);
		const r = await record(srv, id, { name: 'q' });
		assert.equal(r.status, 200);
		await ws.waitFor((e) => e.type === 'PlaybackStarted' && e.playback.id === pb.json.id);
		await sleep(200);
		assert.equal((await srv.get('/ari/recordings/live/q')).json.state, 'queued');
		for (const op of ['pause', 'mute']) {
			const x = await srv.post(`/ari/recordings/live/q/${op}`);
			assert.equal(`${x.status} ${x.json.message}`, '409 Recording not in session', op);
		}
		assert.equal((await srv.del('/ari/recordings/live/q/mute')).status, 409);
		const started = await ws.waitFor(ofRec('RecordingStarted', 'q'));
		const done = ws.filter((e) => e.type === 'PlaybackFinished')[0];
		assert.ok(done && ws.indexOf(done) < ws.indexOf(started), ws.summary());
		assert.equal((await srv.post('/ari/recordings/live/q/stop')).status, 204);
		await ws.waitFor(ofRec('RecordingFinished', 'q'));
	});

/** A WAV of `secs` of a `hz` tone (0: silence), 8 kHz 16-bit mono. */
function wavBytes(secs, hz = 1000) {
	const n = Math.round(secs * 8000);
	const b = Buffer.alloc(44 + 2 * n);
	b.write('RIFF', 0, 'latin1');
	b.writeUInt32LE(36 + 2 * n, 4);
	b.write('WAVEfmt ', 8, 'latin1');
	b.writeUInt32LE(16, 16);
	b.writeUInt16LE(1, 20);
	b.writeUInt16LE(1, 22);
	b.writeUInt32LE(8000, 24);
	b.writeUInt32LE(16000, 28);
	b.writeUInt16LE(2, 32);
	b.writeUInt16LE(16, 34);
	b.write('data', 36, 'latin1');
	b.writeUInt32LE(2 * n, 40);
	for (let i = 0; i < n; i++) b.writeInt16LE(hz ? Math.round(8000 * Math.sin(2 * Math.PI * hz * i / 8000)) : 0, 44 + 2 * i);
	return b;
}

/** Files under the test's recordings directory: {relative path: bytes}. */
function putFiles(srv, files) {
	for (const [rel, bytes] of Object.entries(files)) {
		const p = path.join(recDir(srv), rel);
		fs.mkdirSync(path.dirname(p), { recursive: true });
		fs.writeFileSync(p, bytes);
	}
}

serverTest('stored_recordings_list_get_file_copy_and_delete', CONF, async (srv) => {
	assert.deepEqual((await srv.get('/ari/recordings/stored')).json, [], 'no directory yet: none');
	const tone = wavBytes(0.5);
	putFiles(srv, { 'b.wav': tone, 'a/deep/c.ulaw': Buffer.alloc(800, 0xff), 'a/x.wav': tone,
		'notes.txt': 'not a recording', 'noext': 'x', 'dup.wav': tone, 'dup.alaw': Buffer.alloc(10, 0xd5) });
	const list = (await srv.get('/ari/recordings/stored')).json;
	assert.deepEqual(list, [
		{ name: 'a/deep/c', format: 'ulaw' }, { name: 'a/x', format: 'wav' },
		{ name: 'b', format: 'wav' }, { name: 'dup', format: 'wav' },
	], 'sorted by name, one per name, only known formats');

	const g = await srv.get(`/ari/recordings/stored/${enc('a/deep/c')}`);
	assert.equal(g.status, 200);
	assert.deepEqual(g.json, { name: 'a/deep/c', format: 'ulaw' });
	assert.deepEqual((await srv.get(`/ari/recordings/stored/${enc('a/./deep/../x')}`)).json,
		{ name: 'a/x', format: 'wav' }, 'a name is resolved');
	const missing = await srv.get('/ari/recordings/stored/nope');
	assert.equal(`${missing.status} ${missing.json.message}`, '404 Recording not found');

	// The bytes, with the media type Asterisk gives them.
	const file = await getBytes(srv, '/ari/recordings/stored/b/file');
	assert.equal(file.status, 200);
	assert.equal(file.headers['content-type'], 'audio/wav');
	assert.equal(Number(file.headers['content-length']), tone.length);
	assert.ok(file.body.equals(tone), 'the file as it is on disk');
	const ul = await getBytes(srv, `/ari/recordings/stored/${enc('a/deep/c')}/file`);
	assert.equal(ul.headers['content-type'], 'audio/ulaw');
	assert.equal(ul.body.length, 800);
	assert.equal((await srv.get('/ari/recordings/stored/nope/file')).status, 404);

	// copy: 200 with the copy, into new sub-directories; 409 onto a name in use; 404 from nothing.
	const c = await srv.post(`/ari/recordings/stored/b/copy?destinationRecordingName=${enc('new/dir/b2')}`);
	assert.equal(c.status, 200, c.body);
	assert.deepEqual(c.json, { name: 'new/dir/b2', format: 'wav' });
	assert.ok(fs.readFileSync(path.join(recDir(srv), 'new', 'dir', 'b2.wav')).equals(tone));
	const c2 = await srv.post('/ari/recordings/stored/b/copy?destinationRecordingName=a%2Fx');
	assert.equal(`${c2.status} ${c2.json.message}`, '409 A recording with the same name already exists on the system');
	const c3 = await srv.post('/ari/recordings/stored/b/copy?destinationRecordingName=b3.wav');
	assert.deepEqual(c3.json, { name: 'b3', format: 'wav' }, 'an extension in the destination is dropped');
	assert.equal((await srv.post('/ari/recordings/stored/nope/copy?destinationRecordingName=z')).status, 404);
	assert.equal((await srv.post('/ari/recordings/stored/b/copy')).status, 400);

	// delete: 204, then gone; one format of a name at a time.
	assert.equal((await srv.del('/ari/recordings/stored/b')).status, 204);
	assert.ok(!fs.existsSync(path.join(recDir(srv), 'b.wav')));
	assert.equal((await srv.del('/ari/recordings/stored/b')).status, 404);
	assert.equal((await srv.del('/ari/recordings/stored/dup')).status, 204);
	assert.deepEqual((await srv.get('/ari/recordings/stored/dup')).json, { name: 'dup', format: 'alaw' });
});

serverTest('stored_recording_names_never_reach_a_file_outside_the_directory', CONF, async (srv) => {
	putFiles(srv, { 'in.wav': wavBytes(0.1) });
	const spool = path.join(srv.tmp, 'spool');
	const secret = wavBytes(0.2, 600);
	fs.writeFileSync(path.join(spool, 'secret.wav'), secret);
	fs.mkdirSync(path.join(srv.tmp, 'outside'), { recursive: true });
	fs.writeFileSync(path.join(srv.tmp, 'outside', 'loot.wav'), secret);
	fs.symlinkSync(path.join(srv.tmp, 'outside'), path.join(recDir(srv), 'link'));
	fs.symlinkSync(path.join(spool, 'secret.wav'), path.join(recDir(srv), 'alias.wav'));
	const names = ['../secret', '..%2Fsecret', 'a/../../secret', `${spool}/secret`, '/etc/passwd',
		'link/loot', 'alias', '..', '.', 'link/../../secret'];
	for (const n of names) {
		const name = n.includes('%') ? n : enc(n);
		for (const suffix of ['', '/file']) {
			const r = await srv.get(`/ari/recordings/stored/${name}${suffix}`);
			assert.equal(r.status, 404, `GET ${n}${suffix} → ${r.status} ${r.body.slice(0, 80)}`);
		}
		const d = await srv.del(`/ari/recordings/stored/${name}`);
		assert.equal(d.status, 404, `DELETE ${n} → ${d.status}`);
		const c = await srv.post(`/ari/recordings/stored/${name}/copy?destinationRecordingName=got`);
		assert.equal(c.status, 404, `copy from ${n} → ${c.status}`);
	}
	for (const dst of ['../stolen', 'a/../../stolen', 'link/stolen']) {
		const c = await srv.post(`/ari/recordings/stored/in/copy?destinationRecordingName=${enc(dst)}`);
		assert.equal(`${c.status} ${c.json.message}`, '403 Destination file path is forbidden', dst);
	}
	const abs = await srv.post(`/ari/recordings/stored/in/copy?destinationRecordingName=${enc(`${spool}/stolen`)}`);
	assert.equal(abs.status, 403);
	assert.ok(fs.readFileSync(path.join(spool, 'secret.wav')).equals(secret), 'outside file untouched');
	assert.ok(fs.existsSync(path.join(srv.tmp, 'outside', 'loot.wav')), 'linked file untouched');
	assert.ok(!fs.existsSync(path.join(spool, 'stolen.wav')) && !fs.existsSync(path.join(srv.tmp, 'outside', 'stolen.wav')));
	assert.deepEqual((await srv.get('/ari/recordings/stored')).json, [{ name: 'in', format: 'wav' }],
		'links are not listed');
	assert.ok(!fs.existsSync(path.join(spool, 'got.wav')));
});

serverTest('a_recording_plays_back_with_a_recording_uri_and_is_recorded_again_intact', CONF, async (srv) => {
	const { ws, id, farId } = await call(srv);
	putFiles(srv, { 'greet/tone.wav': wavBytes(1, 1000) });
	// recording:greet/tone played to ;1 is what ;2 says: recorded, it is the same tone.
	assert.equal((await record(srv, id, { name: 'again', maxDurationSeconds: 2 })).status, 200);
	await ws.waitFor(ofRec('RecordingStarted', 'again'));
	const p = await play(srv, farId, 'recording:greet/tone');
	assert.equal(p.status, 200);
	await ws.waitFor(ofRec('RecordingFinished', 'again'));
	const wav = readWav(path.join(recDir(srv), 'again.wav'));
	assert.ok(toneSeconds(wav, 1000) >= 0.9, `the played recording: ${toneSeconds(wav, 1000)} s of 1 kHz`);
	assert.ok(toneSeconds(wav, 1000) <= 1.1);
});

for (const format of ['ulaw', 'alaw', 'sln']) {
	serverTest(`record_in_${format}_writes_raw_${format}_served_as_audio_${format}_and_playable`, CONF, async (srv) => {
		const { ws, id, farId } = await call(srv);
		await play(srv, farId, 'tone:1000');
		assert.equal((await record(srv, id, { name: `r-${format}`, format, maxDurationSeconds: 1 })).status, 200);
		const fin = await ws.waitFor(ofRec('RecordingFinished', `r-${format}`));
		assert.equal(fin.recording.format, format);
		const bytes = fs.readFileSync(path.join(recDir(srv), `r-${format}.${format}`));
		assert.equal(bytes.length, format === 'sln' ? 16000 : 8000, 'one second, no header');
		assert.ok(toneSeconds(require('./lib/wav').readRaw(bytes, format), 1000) >= 0.9);
		const f = await getBytes(srv, `/ari/recordings/stored/r-${format}/file`);
		assert.equal(f.headers['content-type'], `audio/${format}`);
		assert.ok(f.body.equals(bytes));
		const pb = await play(srv, id, `recording:r-${format}`);
		const done = await ws.waitFor((e) => e.type === 'PlaybackFinished' && e.playback.id === pb.json.id);
		assert.equal(done.playback.state, 'done');
	});
}

serverTest('a_running_recording_is_a_valid_wav_on_disk_at_least_every_second', CONF, async (srv) => {
	const { ws, id, farId } = await call(srv);
	await play(srv, farId, 'tone:1000');
	assert.equal((await record(srv, id, { name: 'live' })).status, 200);
	await ws.waitFor(ofRec('RecordingStarted', 'live'));
	const file = path.join(recDir(srv), 'live.wav');
	let checked = 0;
	for (let i = 0; i < 3; i++) {
		await sleep(1100);
		// What a crash now would leave: the header counts what is on disk.
		const wav = readWav(file);
		assert.equal(wav.dataBytes, wav.fileBytes - 44, `data size after ${i + 1} s`);
		assert.equal(wav.riffBytes, wav.fileBytes - 8);
		assert.ok(wav.samples.length >= (i + 1) * 8000 - 8000, `${wav.samples.length} samples after ${i + 1} s`);
		if (wav.samples.length) checked++;
	}
	assert.ok(checked >= 2, 'audio reached the disk while recording');
	const live = await getBytes(srv, '/ari/recordings/stored/live/file');
	assert.equal(live.status, 200, 'a running recording can be fetched');
	assert.equal((await srv.post('/ari/recordings/live/live/stop')).status, 204);
	await ws.waitFor(ofRec('RecordingFinished', 'live'));
});

serverTest('beep_is_heard_by_the_channel_after_RecordingStarted_and_is_not_in_the_file', CONF, async (srv) => {
	const { ws, far, id, farId } = await call(srv);
	// What ;2 hears, ;1 says: record ;1 (in rec-far) to hear the beep.
	assert.equal((await record(srv, farId, { name: 'heard', maxDurationSeconds: 2 })).status, 200);
	await far.waitFor(ofRec('RecordingStarted', 'heard'));
	assert.equal((await record(srv, id, { name: 'b', beep: true, maxDurationSeconds: 1 })).status, 200);
	await ws.waitFor(ofRec('RecordingStarted', 'b'));
	await ws.waitFor(ofRec('RecordingFinished', 'b'));
	await far.waitFor(ofRec('RecordingFinished', 'heard'));
	// Asterisk's prompt "beep" is 0.43 s of 700 Hz.
	const heard = readWav(path.join(recDir(srv), 'heard.wav'));
	assert.ok(toneSeconds(heard, 700) >= 0.3 && toneSeconds(heard, 700) <= 0.5, `beep heard ${toneSeconds(heard, 700)} s`);
	const b = readWav(path.join(recDir(srv), 'b.wav'));
	assert.equal(b.samples.length, 8000, 'a full second recorded after the beep');
	assert.equal(toneSeconds(b, 700), 0, 'the beep is not recorded');
});

/** Two calls (;2 halves a and b in `rec`) in a new mixing bridge. */
async function bridged(srv) {
	const ws = await srv.events('rec');
	const far = await srv.events('rec-far');
	for (const x of ['a', 'b'])
		await srv.originate({ endpoint: 'Local/100@stasis-rec', app: 'rec-far', channelId: `${x}1`, otherChannelId: x });
	for (const x of ['a', 'b']) {
		await ws.waitFor((e) => e.type === 'StasisStart' && e.channel.id === x);
		assert.equal((await srv.post(`/ari/channels/${x}/answer`)).status, 204);
		await far.waitFor((e) => e.type === 'StasisStart' && e.channel.id === `${x}1`);
	}
	assert.equal((await srv.post('/ari/bridges/br?type=mixing')).status, 200);
	assert.equal((await srv.post('/ari/bridges/br/addChannel?channel=a,b')).status, 204);
	return { ws, far };
}

serverTest('bridge_record_holds_what_everyone_in_the_bridge_says', CONF, async (srv) => {
	const { ws } = await bridged(srv);
	await play(srv, 'a1', 'tone:1000');
	await play(srv, 'b1', 'tone:600');
	const bad = await srv.post('/ari/bridges/nope/record?name=z&format=wav');
	assert.equal(`${bad.status} ${bad.json.message}`, '404 Bridge not found');
	const fmt = await srv.post('/ari/bridges/br/record?name=z&format=gsm');
	assert.equal(fmt.status, 422);
	const from = ws.events.length;
	const r = await srv.post('/ari/bridges/br/record?name=conf&format=wav&maxDurationSeconds=2');
	assert.equal(r.status, 200, r.body);
	// Asterisk's Recorder channel joins the bridge: the members' BRIDGEPEER
	// name it beside the other member, and the bridge turns softmix.
	const peer = await ws.waitFor((e) => e.type === 'ChannelVarset' && e.variable === 'BRIDGEPEER' &&
		e.channel.id === 'a', undefined, { from });
	assert.equal(peer.value.split(',').length, 2, peer.value);
	assert.equal((await srv.get('/ari/bridges/br')).json.technology, 'softmix');
	assert.deepEqual(r.json, { name: 'conf', format: 'wav', state: 'queued', target_uri: 'bridge:br' });
	const started = await ws.waitFor(ofRec('RecordingStarted', 'conf'));
	assert.equal(started.recording.target_uri, 'bridge:br');
	const fin = await ws.waitFor(ofRec('RecordingFinished', 'conf'));
	assert.equal(fin.recording.duration, 2);
	const wav = readWav(path.join(recDir(srv), 'conf.wav'));
	assert.equal(wav.samples.length, 16000);
	// Both parties at once: each tone carries about half of the energy.
	assert.ok(toneSeconds(wav, 1000, 0, 2, 0.3) >= 1.8, `1 kHz from a: ${toneSeconds(wav, 1000, 0, 2, 0.3)} s`);
	assert.ok(toneSeconds(wav, 600, 0, 2, 0.3) >= 1.8, `600 Hz from b: ${toneSeconds(wav, 600, 0, 2, 0.3)} s`);
});

serverTest('a_bridged_channel_cannot_be_recorded_on_its_own_and_a_destroyed_bridge_ends_its_recording',
	CONF, async (srv) => {
		const { ws } = await bridged(srv);
		const r = await record(srv, 'a', { name: 'alone' });
		assert.equal(r.status, 200, 'queued, as Asterisk, which fails it when its turn comes');
		const failed = await ws.waitFor(ofRec('RecordingFailed', 'alone'));
		assert.equal(failed.recording.state, 'failed');
		assert.equal(failed.recording.cause, 'Cannot record channel while in bridge');
		assert.equal((await srv.get('/ari/recordings/live/alone')).status, 404);

		// DELETE of the bridge ends its recording before the members
		// leave: an app that watches the bridge through its channels
		// hears RecordingFinished, before they leave.
		assert.equal((await srv.post('/ari/bridges/br/record?name=whole&format=wav')).status, 200);
		await ws.waitFor(ofRec('RecordingStarted', 'whole'));
		await sleep(500);
		assert.equal((await srv.del('/ari/bridges/br')).status, 204);
		const fin = await ws.waitFor(ofRec('RecordingFinished', 'whole'));
		assert.equal(fin.recording.state, 'done');
		const left = await ws.waitFor('ChannelLeftBridge');
		assert.ok(ws.indexOf(fin) < ws.indexOf(left), ws.summary());
		assert.ok(fs.existsSync(path.join(recDir(srv), 'whole.wav')));
		// An app that watches the bridge itself hears it end as well.
		assert.equal((await srv.post('/ari/bridges?bridgeId=br2&type=mixing')).status, 200);
		assert.equal((await srv.post('/ari/applications/rec/subscription?eventSource=bridge:br2')).status, 200);
		assert.equal((await srv.post('/ari/bridges/br2/record?name=empty&format=wav')).status, 200);
		await ws.waitFor(ofRec('RecordingStarted', 'empty'));
		assert.equal((await srv.del('/ari/bridges/br2')).status, 204);
		const fin2 = await ws.waitFor(ofRec('RecordingFinished', 'empty'));
		const gone = await ws.waitFor((e) => e.type === 'BridgeDestroyed' && e.bridge.id === 'br2');
		assert.ok(ws.indexOf(fin2) < ws.indexOf(gone), ws.summary());
	});

serverTest('ari_client_records_controls_and_fetches_recordings_with_its_own_objects', CONF, async (srv) => {
	const client = await srv.ari();
	const started = new Promise((resolve) => client.on('StasisStart', (ev, ch) => ev.application === 'cli' && resolve(ch)));
	await client.start(['cli', 'cli-far']);
	await client.channels.originate({ endpoint: 'Local/100@stasis-cli', app: 'cli-far', channelId: 'f', otherChannelId: 'c' });
	const ch = await started;
	assert.equal(ch.id, 'c');
	await ch.answer();
	const live = client.LiveRecording('viaclient');
	const events = [];
	const finished = new Promise((resolve) => live.once('RecordingFinished', (ev, rec) => resolve(rec)));
	live.on('RecordingStarted', (ev, rec) => events.push(['started', rec.name, rec.state]));
	const ret = await ch.record({ name: 'viaclient', format: 'wav', beep: false }, live);
	assert.equal(ret.state, 'queued');
	const deadline = Date.now() + 5000;
	while (!events.length && Date.now() < deadline) await sleep(20);
	// once per app that watches the channel: both halves are cli-far's too
	assert.deepEqual(events[0], ['started', 'viaclient', 'recording']);
	await live.pause();
	assert.equal((await client.recordings.getLive({ recordingName: 'viaclient' })).state, 'paused');
	await live.unpause();
	await live.mute();
	await live.unmute();
	await sleep(500);
	await live.stop();
	const rec = await finished;
	assert.equal(rec.state, 'done');
	await assert.rejects(live.stop(), /Recording not found/);

	const stored = await client.recordings.listStored();
	assert.deepEqual(stored.map((s) => [s.name, s.format]), [['viaclient', 'wav']]);
	const one = await client.recordings.getStored({ recordingName: 'viaclient' });
	// (the instance method of ari-client 2.2.0 parses the bytes as JSON;
	// the resource's own handles `binary`)
	const bytes = await client.recordings.getStoredFile({ recordingName: one.name });
	assert.ok(Buffer.isBuffer(bytes));
	assert.ok(bytes.equals(fs.readFileSync(path.join(recDir(srv), 'viaclient.wav'))));
	const copy = await one.copyStored({ destinationRecordingName: 'copies/one' });
	assert.equal(copy.name, 'copies/one');
	await assert.rejects(one.copyStored({ destinationRecordingName: 'copies/one' }), /already exists/);
	await copy.deleteStored();
	await assert.rejects(client.recordings.getStored({ recordingName: 'copies/one' }), /Recording not found/);
	await assert.rejects(ch.record({ name: 'x', format: 'nope' }), /format is unknown/);
});
