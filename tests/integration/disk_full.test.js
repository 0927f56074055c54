'use strict';
// Files when the disk will not take more (base/linefile.c,
// media/recorder_file.c). A full disk is made here with a file size limit
// (prlimit --fsize): a write past it takes what fits and the next fails
// with EFBIG, as one past a full disk fails with ENOSPC; raising the limit
// of the running server (prlimit --pid) is the disk freed. The server
// ignores SIGXFSZ, which would otherwise kill it.
//
// What must hold: CEL's Master.csv and the log files end with a whole line
// (no row cut mid-field and glued to the next one later), the failure is
// said once rather than per line, writing resumes by itself with a NOTICE
// that counts what was lost, calls go on; a recording the disk stops is
// cut to what its WAV header says, and one whose header cannot be written
// leaves no empty file behind to block its name.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { serverTest, parseCsv, sleep, EVENT_TIMEOUT_MS } = require('./lib/server');

const enc = encodeURIComponent;

function raiseFsize(srv) {
	// the soft limit, up to the hard one (unlimited): no privilege needed
	execFileSync('prlimit', ['--pid', String(srv.proc.pid), '--fsize=unlimited:']);
}

/** A Local pair, its ;2 half (id-2) in Stasis app `disk`: answered. */
async function localPair(srv, ws, id) {
	await srv.originate({ endpoint: 'Local/100@stasis-disk', app: 'disk-far', channelId: id, otherChannelId: `${id}-2` });
	await ws.waitFor((e) => e.type === 'StasisStart' && e.channel.id === `${id}-2`, EVENT_TIMEOUT_MS);
	assert.equal((await srv.post(`/ari/channels/${enc(id)}-2/answer`)).status, 204);
}

/** Such a pair, hung up: a dozen CEL rows. */
async function localCall(srv, ws, id) {
	await localPair(srv, ws, id);
	assert.equal((await srv.del(`/ari/channels/${enc(id)}-2`)).status, 204);
	await ws.waitFor((e) => e.type === 'ChannelDestroyed' && e.channel.id === `${id}-2`, EVENT_TIMEOUT_MS);
}

/** Every line whole: ends with a newline, 19 quoted CEL fields. */
function assertWholeRows(text, what) {
	assert.ok(text.endsWith('\n'), `${what} ends mid-line: ${JSON.stringify(text.slice(-80))}`);
	for (const row of parseCsv(text).filter((r) => r.length > 1))
		assert.equal(row.length, 19, `${what}: a row of ${row.length} fields: ${JSON.stringify(row)}`);
}

const count = (text, rx) => (text.match(rx) || []).length;

serverTest('cel_and_log_files_at_a_full_disk_keep_whole_lines_warn_once_and_resume_by_themselves', {
	limits: { fsize: '6000:unlimited' },
	files: { 'logger.conf': '[logfiles]\nmessages => notice,warning,error,verbose\n' },
	timeout: 60000,
}, async (srv) => {
	const ws = await srv.events('disk');
	await srv.events('disk-far');
	// until both files are full, and a few calls more
	let extra = 3;
	for (let i = 0; i < 40 && extra; i++) {
		await localCall(srv, ws, `full-${i}`);
		if (/Unable to write log file/.test(srv.stderr) && /CEL: cannot write/.test(srv.stderr)) extra--;
	}
	const messages = path.join(srv.logDir, 'messages');

	const cel = fs.readFileSync(srv.celFile, 'utf8');
	assert.ok(cel.length > 4000 && cel.length <= 6000, `Master.csv is ${cel.length} bytes`);
	assertWholeRows(cel, 'Master.csv at the limit');
	const log = fs.readFileSync(messages, 'utf8');
	assert.ok(log.length <= 6000 && log.endsWith('\n'), `messages ends mid-line: ${JSON.stringify(log.slice(-80))}`);
	assert.equal(count(srv.stderr, /WARNING\[\d+\]: .*CEL: cannot write .*Master\.csv: File too large; records are lost until it can be written again/g), 1,
		srv.tail());
	assert.equal(count(srv.stderr, /WARNING\[\d+\]: .*Unable to write log file '.*messages': File too large; its lines are lost/g), 1,
		srv.tail());
	const listed = await srv.cli('logger show channels');
	// main/logger.c's columns: the path (cut at 35), type, formatter, status
	const row = (status) => new RegExp(`${messages.slice(0, 35).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s+` +
		`File\\s+default\\s+${status}`);
	assert.match(listed.stdout, row('Disabled'), listed.stdout);

	// The disk has room again: the next records and lines go in.
	raiseFsize(srv);
	await localCall(srv, ws, 'after');
	await srv.waitForLog(/NOTICE\[\d+\]: .*CEL: writing .*Master\.csv again \([1-9]\d* records? lost\)/);
	await srv.waitForLog(/NOTICE\[\d+\]: .*Log file '.*messages' written again \([1-9]\d* lines? lost\)/);
	const celAfter = fs.readFileSync(srv.celFile, 'utf8');
	assertWholeRows(celAfter, 'Master.csv after');
	assert.ok(celAfter.startsWith(cel), 'the rows written before are untouched');
	assert.ok(parseCsv(celAfter).some((r) => r[0] === 'CHAN_START' && r[14] === 'after'), 'the new call is in Master.csv');
	const logAfter = fs.readFileSync(messages, 'utf8');
	assert.ok(logAfter.startsWith(log) && logAfter.endsWith('\n'));
	assert.match(logAfter.slice(log.length), /written again/);
	assert.match((await srv.cli('logger show channels')).stdout, row('Enabled'));
});

const REC = {
	ariadneConf: { directories: { astspooldir: '{{TMP}}/spool' } },
};
const recDir = (srv) => path.join(srv.tmp, 'spool', 'recording');

serverTest('a_recording_the_disk_stops_is_cut_to_what_its_wav_header_says', {
	...REC, limits: { fsize: 20000 }, timeout: 60000,
}, async (srv) => {
	const ws = await srv.events('disk');
	await srv.events('disk-far');
	await localPair(srv, ws, 'rec-1');
	const r = await srv.post(`/ari/channels/rec-1-2/record?name=cut&format=wav`);
	assert.equal(r.status, 200, r.body);
	// 16 000 bytes a second: the limit comes after about 1.2 s
	const failed = await ws.waitFor((e) => e.type === 'RecordingFailed' && e.recording.name === 'cut', 10000);
	assert.match(failed.recording.cause, /./);
	const wav = fs.readFileSync(path.join(recDir(srv), 'cut.wav'));
	assert.ok(wav.length > 44 && wav.length <= 20000, `${wav.length} bytes`);
	assert.equal(wav.readUInt32LE(4), wav.length - 8, 'RIFF size is the file\'s');
	assert.equal(wav.readUInt32LE(40), wav.length - 44, 'data size is the samples in the file');
	// duration: the seconds in the file, not the ones the disk refused
	assert.equal(failed.recording.duration, Math.floor((wav.length - 44) / 16000));
	assert.equal((await srv.get('/ari/channels/rec-1-2')).status, 200, 'the channel is still up');
});

serverTest('a_recording_whose_header_the_disk_refuses_leaves_no_file_and_its_name_stays_free', {
	...REC, limits: { fsize: 40 }, timeout: 60000,
}, async (srv) => {
	const ws = await srv.events('disk');
	await srv.events('disk-far');
	await localPair(srv, ws, 'rec-2');
	for (const attempt of [1, 2]) {
		const r = await srv.post(`/ari/channels/rec-2-2/record?name=never&format=wav`);
		assert.equal(r.status, 200, `attempt ${attempt}: ${r.status} ${r.body}`);
		const failed = await ws.waitFor((e) => e.type === 'RecordingFailed' && e.recording.name === 'never' &&
			!e.seen && (e.seen = true), 10000);
		assert.match(failed.recording.cause, /Cannot write the recording file/);
		assert.ok(!fs.existsSync(path.join(recDir(srv), 'never.wav')), 'an empty never.wav was left');
		const stored = await srv.get('/ari/recordings/stored');
		assert.deepEqual(stored.json.filter((s) => s.name === 'never'), []);
		await sleep(50);
	}
});
