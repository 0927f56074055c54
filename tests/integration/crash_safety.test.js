'use strict';
// kill -9 in the middle of traffic loses no persisted state (issue 10 §3):
// device states and mailboxes whose update was acknowledged before the
// last moment (data files are written behind the loop within 200 ms of a
// change, as Asterisk's astdb commits in batches), a stored recording that
// was finished, and the CEL rows already written are intact after a restart
// on the same directories, and nothing half-written (a torn data file, a
// partial CEL line) stops the server or shows through.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { serverTest, sleep, parseCsv } = require('./lib/server');
const { readWav, toneSeconds } = require('./lib/wav');

const enc = encodeURIComponent;
const CONF = {
	ariadneConf: { directories: { astspooldir: '{{TMP}}/spool' } },
	files: { 'extensions.conf': '[crashctx]\nexten => s,1,Answer()\n same => n,Wait(10)\n' },
	timeout: 60000,
};

/** Returns when (Date.now()) the process was killed. */
async function restartAfterKill9(srv) {
	const at = Date.now();
	srv.proc.kill('SIGKILL');
	await srv.exited;
	assert.equal(srv.exit.signal, 'SIGKILL');
	srv._spawn();
	assert.ok(await srv._waitReady(), 'server ready again after kill -9\n' + srv.tail());
	return at;
}

// How long before the kill an acknowledged update must be on disk: the
// coalescing delay (200 ms) and the write, with room for a loaded machine.
const ON_DISK_WITHIN_MS = 1000;

/** Updates of one key: what was sent, when it was acknowledged (null: not yet). */
function track(history, key, value) {
	const h = { value, ackedAt: null };
	if (!history.has(key)) history.set(key, []);
	history.get(key).push(h);
	return h;
}

/** What a key may hold after a kill at `killedAt`: the value of its last
 *  update acknowledged ON_DISK_WITHIN_MS before, or of one sent after it.
 *  null: nothing was acknowledged early enough to be owed. */
function allowed(updates, killedAt) {
	let base = -1;
	updates.forEach((u, i) => { if (u.ackedAt !== null && u.ackedAt <= killedAt - ON_DISK_WITHIN_MS) base = i; });
	return base < 0 ? null : updates.slice(base).map((u) => u.value);
}

/** ;2 of Local/100@stasis-crash in `crash`, ;1 in `crash-far`, answered. */
async function localCall(srv) {
	const ws = await srv.events('crash');
	const far = await srv.events('crash-far');
	await srv.originate({ endpoint: 'Local/100@stasis-crash', app: 'crash-far' });
	const { channel } = await ws.waitFor('StasisStart');
	assert.equal((await srv.post(`/ari/channels/${enc(channel.id)}/answer`)).status, 204);
	const f = await far.waitFor('StasisStart');
	return { ws, far, id: channel.id, farId: f.channel.id };
}

serverTest('kill_9_during_traffic_keeps_acknowledged_state_finished_recordings_and_written_cel_rows', CONF,
	async (srv) => {
		// A finished recording of a tone.
		const { ws, id, farId } = await localCall(srv);
		assert.equal((await srv.post(`/ari/channels/${enc(farId)}/play?media=${enc('tone:1000')}`)).status, 200);
		assert.equal((await srv.post(`/ari/channels/${enc(id)}/record?name=kept&format=wav`)).status, 200);
		await ws.waitFor((e) => e.type === 'RecordingStarted' && e.recording.name === 'kept');
		await sleep(600);
		assert.equal((await srv.post('/ari/recordings/live/kept/stop')).status, 204);
		await ws.waitFor((e) => e.type === 'RecordingFinished' && e.recording.name === 'kept');
		const file = path.join(srv.tmp, 'spool', 'recording', 'kept.wav');
		const keptBytes = fs.readFileSync(file);
		assert.ok(toneSeconds(readWav(file), 1000) > 0.4, 'the recording holds the tone');
		// One still being written when the process dies.
		assert.equal((await srv.post(`/ari/channels/${enc(id)}/record?name=partial&format=wav`)).status, 200);

		// Traffic: device states, mailboxes and channels (CEL rows) changing
		// as fast as the server answers; when each update was acknowledged is
		// remembered.
		const sent = { dev: new Map(), mbox: new Map() };
		let stop = false;
		const states = ['INUSE', 'BUSY', 'NOT_INUSE', 'RINGING', 'ONHOLD'];
		const devLoop = (async () => {
			for (let i = 0; !stop; i++) {
				const dev = `Stasis:d${i % 7}`;
				const st = states[i % states.length];
				const u = track(sent.dev, dev, st);
				const r = await srv.put(`/ari/deviceStates/${enc(dev)}?deviceState=${st}`).catch(() => null);
				if (r && r.status === 204) u.ackedAt = Date.now();
			}
		})();
		const mboxLoop = (async () => {
			for (let i = 0; !stop; i++) {
				const box = `m${i % 5}@default`;
				const u = track(sent.mbox, box, i);
				const r = await srv.put(`/ari/mailboxes/${enc(box)}?oldMessages=${i}&newMessages=${i + 1}`).catch(() => null);
				if (r && r.status === 204) u.ackedAt = Date.now();
			}
		})();
		const chanLoop = (async () => {
			while (!stop) {
				const r = await srv.post('/ari/channels?endpoint=Local/s@crashctx&app=crash-far').catch(() => null);
				if (r && r.status === 200) await srv.del(`/ari/channels/${enc(r.json.id)}`).catch(() => null);
			}
		})();
		await sleep(ON_DISK_WITHIN_MS + 1000);
		const celBefore = srv.celRows().length;
		assert.ok(celBefore > 10, `CEL rows written before the kill: ${celBefore}`);
		const killedAt = await restartAfterKill9(srv);
		stop = true;
		await Promise.all([devLoop, mboxLoop, chanLoop]);

		// Every update acknowledged before the last moment is there: its value,
		// or that of a later update of the same key.
		let owed = 0;
		for (const [dev, updates] of sent.dev) {
			const ok = allowed(updates, killedAt);
			if (!ok) continue;
			owed++;
			const r = await srv.get(`/ari/deviceStates/${enc(dev)}`);
			assert.equal(r.status, 200, `${dev} lost`);
			assert.ok(ok.includes(r.json.state), `${dev}: ${r.json.state}, acknowledged or sent since: ${ok}`);
		}
		for (const [box, updates] of sent.mbox) {
			const ok = allowed(updates, killedAt);
			if (!ok) continue;
			owed++;
			const r = await srv.get(`/ari/mailboxes/${enc(box)}`);
			assert.equal(r.status, 200, `${box} lost`);
			assert.ok(ok.includes(r.json.old_messages), `${box}: ${r.json.old_messages}, acknowledged or sent since: ${ok[0]}..`);
		}
		assert.equal(owed, 12, 'every device and mailbox had updates acknowledged early enough');
		// a write the kill cut short left its temporary copy: removed at start-up
		assert.deepEqual(fs.readdirSync(srv.dataDir).filter((f) => /\.tmp\./.test(f)), []);
		// The finished recording is byte for byte what it was; the stored list
		// still answers with the torn one beside it.
		assert.deepEqual(fs.readFileSync(file), keptBytes);
		const stored = await srv.get('/ari/recordings/stored');
		assert.equal(stored.status, 200);
		assert.ok(stored.json.some((r) => r.name === 'kept'), JSON.stringify(stored.json));
		const got = await srv.get('/ari/recordings/stored/kept');
		assert.equal(got.status, 200);
		// CEL: at least the rows seen before the kill, every line complete.
		const text = fs.readFileSync(srv.celFile, 'utf8');
		assert.ok(text.endsWith('\n'), 'the CEL file ends with a whole line');
		const rows = parseCsv(text).filter((r) => r.length > 1);
		assert.ok(rows.length >= celBefore, `${rows.length} CEL rows after, ${celBefore} before`);
		const width = rows[0].length;
		for (const r of rows) assert.equal(r.length, width, `a torn CEL row: ${JSON.stringify(r)}`);
		// The server after the restart works as before.
		assert.equal((await srv.put('/ari/deviceStates/Stasis:after?deviceState=BUSY')).status, 204);
		assert.equal((await srv.get('/ari/deviceStates/Stasis:after')).json.state, 'BUSY');
	});

serverTest('a_corrupt_data_file_is_kept_aside_not_written_over', {
	setup: (srv) => {
		// Half of a file that held three mailboxes (a torn copy, a disk
		// that filled): unreadable as JSON.
		const whole = JSON.stringify({ a: { old_messages: 1, new_messages: 2 }, b: { old_messages: 0, new_messages: 1 },
			c: { old_messages: 5, new_messages: 0 } }, null, 1);
		fs.writeFileSync(path.join(srv.dataDir, 'mailboxes.json'), whole.slice(0, whole.length / 2));
	},
}, async (srv) => {
	await srv.waitForLog(/WARNING\[\d+\]: .*Ignoring corrupt data file '.*mailboxes\.json' \(.*\); the file as it was: .*mailboxes\.json\.corrupt-\d+/);
	const aside = fs.readdirSync(srv.dataDir).filter((f) => /^mailboxes\.json\.corrupt-\d+$/.test(f));
	assert.equal(aside.length, 1, fs.readdirSync(srv.dataDir).join(','));
	const torn = fs.readFileSync(path.join(srv.dataDir, aside[0]), 'utf8');
	// The next save writes a new file; the torn one is still there to recover from.
	assert.equal((await srv.put('/ari/mailboxes/new?oldMessages=0&newMessages=1')).status, 204);
	assert.deepEqual(Object.keys(await srv.waitForDataFile('mailboxes.json', (o) => o.new)), ['new']);
	assert.equal(fs.readFileSync(path.join(srv.dataDir, aside[0]), 'utf8'), torn);
	assert.match(torn, /"old_messages": 1/);
});
