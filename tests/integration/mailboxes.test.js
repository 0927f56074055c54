'use strict';
// /mailboxes: list, get, update (creates), delete, error statuses, and the
// store in <datadir>/mailboxes.json across restarts and when corrupt. The
// file is written behind the event loop, within 200 ms of a change, and at
// once at a clean stop (base/datafile.c).
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { isDeepStrictEqual } = require('node:util');
const { serverTest, sleep } = require('./lib/server');

async function restart(srv) {
	await srv._closeClients();
	srv.proc.kill('SIGTERM');
	await srv.exited;
	assert.equal(srv.exit.code, 0, 'clean exit before restart');
	srv._spawn();
	assert.ok(await srv._waitReady(), 'server ready again');
}

serverTest('mailbox_crud_through_ari_client', async (srv) => {
	const client = await srv.ari();
	assert.deepEqual(await client.mailboxes.list(), []);
	await client.mailboxes.update({ mailboxName: '1000@default', oldMessages: 2, newMessages: 5 });
	let mb = await client.mailboxes.get({ mailboxName: '1000@default' });
	assert.deepEqual([mb.name, mb.old_messages, mb.new_messages], ['1000@default', 2, 5]);
	await client.mailboxes.update({ mailboxName: '1000@default', oldMessages: 7, newMessages: 0 });
	await client.mailboxes.update({ mailboxName: 'alice', oldMessages: 0, newMessages: 1 });
	const r = await srv.get('/ari/mailboxes');
	assert.deepEqual(r.json, [
		{ name: '1000@default', old_messages: 7, new_messages: 0 },
		{ name: 'alice', old_messages: 0, new_messages: 1 },
	]);
	await client.mailboxes.delete({ mailboxName: 'alice' });
	mb = await client.mailboxes.list();
	assert.deepEqual(mb.map((m) => m.name), ['1000@default']);
});

serverTest('mailbox_error_statuses', async (srv) => {
	let r = await srv.get('/ari/mailboxes/nobody');
	assert.equal(r.status, 404, r.body);
	assert.deepEqual(Object.keys(r.json), ['message']);
	r = await srv.del('/ari/mailboxes/nobody');
	assert.equal(r.status, 404, r.body);
	r = await srv.request({ method: 'PUT', path: '/ari/mailboxes/bob?oldMessages=1&newMessages=3' });
	assert.equal(r.status, 204, r.body);
	r = await srv.get('/ari/mailboxes/bob');
	assert.deepEqual(r.json, { name: 'bob', old_messages: 1, new_messages: 3 });
});

// Changes acknowledged just before SIGTERM (still waiting for their write)
// are written by the shutdown itself.
serverTest('mailboxes_changed_just_before_a_clean_stop_survive_it', async (srv) => {
	let r = await srv.request({ method: 'PUT', path: '/ari/mailboxes/keep?oldMessages=4&newMessages=2' });
	assert.equal(r.status, 204, r.body);
	r = await srv.request({ method: 'PUT', path: '/ari/mailboxes/gone?oldMessages=1&newMessages=1' });
	assert.equal(r.status, 204);
	assert.equal((await srv.del('/ari/mailboxes/gone')).status, 204);
	await restart(srv);
	const file = path.join(srv.dataDir, 'mailboxes.json');
	assert.deepEqual(JSON.parse(fs.readFileSync(file, 'utf8')), { keep: { old_messages: 4, new_messages: 2 } });
	assert.deepEqual(fs.readdirSync(srv.dataDir).filter((f) => /tmp/.test(f)), [], 'no temp files left');
	r = await srv.get('/ari/mailboxes');
	assert.deepEqual(r.json, [{ name: 'keep', old_messages: 4, new_messages: 2 }]);
});

// A burst of changes, from several connections at once, is written as one
// or two copies of the latest state: the file comes to hold what GET shows.
serverTest('a_burst_of_updates_reaches_the_file_as_the_last_state', async (srv) => {
	const puts = [];
	for (let i = 0; i < 50; i++)
		puts.push(srv.put(`/ari/mailboxes/box${i % 5}?oldMessages=${i}&newMessages=1`));
	for (const r of await Promise.all(puts)) assert.equal(r.status, 204, r.body);
	const listed = Object.fromEntries((await srv.get('/ari/mailboxes')).json.map((m) =>
		[m.name, { old_messages: m.old_messages, new_messages: m.new_messages }]));
	assert.deepEqual(Object.keys(listed), ['box0', 'box1', 'box2', 'box3', 'box4']);
	await srv.waitForDataFile('mailboxes.json', (o) => isDeepStrictEqual(o, listed), 2000);
});

serverTest('corrupt_mailbox_file_is_a_warning_and_an_empty_store', {
	setup: (srv) => fs.writeFileSync(path.join(srv.dataDir, 'mailboxes.json'), '{"a": {"old_messages": 1,'),
}, async (srv) => {
	await srv.waitForLog(/WARNING.*mailboxes\.json/);
	let r = await srv.get('/ari/mailboxes');
	assert.deepEqual(r.json, []);
	r = await srv.request({ method: 'PUT', path: '/ari/mailboxes/fresh?oldMessages=0&newMessages=1' });
	assert.equal(r.status, 204);
	const stored = await srv.waitForDataFile('mailboxes.json', (o) => o.fresh);
	assert.deepEqual(stored, { fresh: { old_messages: 0, new_messages: 1 } });
});

serverTest('bad_entries_in_the_mailbox_file_are_skipped_one_by_one', {
	setup: (srv) => fs.writeFileSync(path.join(srv.dataDir, 'mailboxes.json'),
		JSON.stringify({ good: { old_messages: 1, new_messages: 2 }, bad: { old_messages: 'x' } })),
}, async (srv) => {
	const r = await srv.get('/ari/mailboxes');
	assert.deepEqual(r.json, [{ name: 'good', old_messages: 1, new_messages: 2 }]);
	await srv.waitForLog(/WARNING.*ignoring mailbox 'bad'/);
});

// A write that fails is said once and retried every second; meanwhile
// changes are refused (500, nothing changed), so that nothing is
// acknowledged that a restart would not show. The change that was on its
// way when the disk failed was acknowledged: it is written once the file can be.
serverTest('while_the_store_cannot_be_written_changes_are_refused_and_it_is_retried', async (srv) => {
	assert.equal((await srv.put('/ari/mailboxes/kept?oldMessages=1&newMessages=2')).status, 204);
	await srv.waitForDataFile('mailboxes.json', (o) => o.kept);
	// The store cannot be written: its temporary file's name is taken by a directory.
	const blocker = path.join(srv.dataDir, `mailboxes.json.tmp.${srv.proc.pid}`);
	fs.mkdirSync(blocker);
	assert.equal((await srv.put('/ari/mailboxes/kept?oldMessages=9&newMessages=9')).status, 204);
	await srv.waitForLog(/ERROR\[\d+\]: .*Cannot save '.*mailboxes\.json': Is a directory \(retried every 1 s\)/);
	let r = await srv.put('/ari/mailboxes/kept?oldMessages=5&newMessages=5');
	assert.equal(r.status, 500, r.body);
	r = await srv.put('/ari/mailboxes/brandnew?oldMessages=0&newMessages=1');
	assert.equal(r.status, 500, r.body);
	r = await srv.del('/ari/mailboxes/kept');
	assert.equal(r.status, 500, r.body);
	assert.deepEqual((await srv.get('/ari/mailboxes/kept')).json, { name: 'kept', old_messages: 9, new_messages: 9 });
	assert.equal((await srv.get('/ari/mailboxes/brandnew')).status, 404);
	assert.deepEqual((await srv.get('/ari/mailboxes')).json.map((m) => m.name), ['kept']);
	await sleep(1500);   // a retry or two, which fail too: not logged again
	assert.equal((srv.stderr.match(/Cannot save '.*mailboxes\.json'/g) || []).length, 1, srv.tail());
	fs.rmdirSync(blocker);
	await srv.waitForLog(/NOTICE\[\d+\]: .*Saved '.*mailboxes\.json' again/);
	assert.equal((await srv.waitForDataFile('mailboxes.json', () => true)).kept.old_messages, 9);
	assert.equal((await srv.put('/ari/mailboxes/kept?oldMessages=3&newMessages=4')).status, 204);
	await srv.waitForDataFile('mailboxes.json', (o) => o.kept.old_messages === 3);
});

// kill -9 while a data file was being written leaves `<file>.tmp.<pid>`, a
// whole copy each: the next start removes them, and says so. Files that only
// look alike are not touched.
serverTest('stale_temporary_copies_of_data_files_are_removed_at_start_up', {
	setup: (srv) => {
		const put = (name, text) => fs.writeFileSync(path.join(srv.dataDir, name), text);
		put('mailboxes.json', JSON.stringify({ a: { old_messages: 1, new_messages: 2 } }));
		put('mailboxes.json.tmp.4242', '{"a": {"old_messages": 7');
		put('mailboxes.json.tmp.17', JSON.stringify({ a: { old_messages: 8, new_messages: 0 } }));
		put('devstates.json.tmp.999999', '{"lamp": "BUSY"}');
		for (const other of ['mailboxes.json.tmp.12x', 'mailboxes.json.tmp.', 'notes.json.tmp.5', 'mailboxes.json.bak'])
			put(other, 'keep me');
		fs.mkdirSync(path.join(srv.dataDir, 'devstates.json.tmp.31'));
	},
}, async (srv) => {
	for (const f of ['mailboxes.json.tmp.4242', 'mailboxes.json.tmp.17', 'devstates.json.tmp.999999']) {
		assert.ok(!fs.existsSync(path.join(srv.dataDir, f)), `${f} is still there`);
		const rx = new RegExp(`NOTICE\\[\\d+\\]: .*Removed stale temporary file '.*/${f.replace(/\./g, '\\.')}' \\(\\d+ bytes\\)`);
		assert.match(srv.stderr, rx);
	}
	for (const f of ['mailboxes.json.tmp.12x', 'mailboxes.json.tmp.', 'notes.json.tmp.5', 'mailboxes.json.bak'])
		assert.equal(fs.readFileSync(path.join(srv.dataDir, f), 'utf8'), 'keep me', f);
	assert.ok(fs.statSync(path.join(srv.dataDir, 'devstates.json.tmp.31')).isDirectory(), 'a directory is not ours');
	assert.equal((srv.stderr.match(/Removed stale temporary file/g) || []).length, 3, srv.tail());
	// the store is the file's, not a temporary copy's
	assert.deepEqual((await srv.get('/ari/mailboxes')).json, [{ name: 'a', old_messages: 1, new_messages: 2 }]);
});
