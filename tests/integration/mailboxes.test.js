'use strict';
// /mailboxes: list, get, update (creates), delete, error statuses, and the
// store in <datadir>/mailboxes.json across restarts and when corrupt.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { serverTest } = require('./lib/server');

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

serverTest('mailboxes_survive_a_restart', async (srv) => {
	let r = await srv.request({ method: 'PUT', path: '/ari/mailboxes/keep?oldMessages=4&newMessages=2' });
	assert.equal(r.status, 204, r.body);
	r = await srv.request({ method: 'PUT', path: '/ari/mailboxes/gone?oldMessages=1&newMessages=1' });
	assert.equal(r.status, 204);
	assert.equal((await srv.del('/ari/mailboxes/gone')).status, 204);
	const file = path.join(srv.dataDir, 'mailboxes.json');
	assert.ok(fs.existsSync(file), 'store written to the data directory');
	assert.deepEqual(fs.readdirSync(srv.dataDir).filter((f) => /tmp/.test(f)), [], 'no temp files left');
	await restart(srv);
	r = await srv.get('/ari/mailboxes');
	assert.deepEqual(r.json, [{ name: 'keep', old_messages: 4, new_messages: 2 }]);
});

serverTest('corrupt_mailbox_file_is_a_warning_and_an_empty_store', {
	setup: (srv) => fs.writeFileSync(path.join(srv.dataDir, 'mailboxes.json'), '{"a": {"old_messages": 1,'),
}, async (srv) => {
	await srv.waitForLog(/WARNING.*mailboxes\.json/);
	let r = await srv.get('/ari/mailboxes');
	assert.deepEqual(r.json, []);
	r = await srv.request({ method: 'PUT', path: '/ari/mailboxes/fresh?oldMessages=0&newMessages=1' });
	assert.equal(r.status, 204);
	assert.deepEqual(JSON.parse(fs.readFileSync(path.join(srv.dataDir, 'mailboxes.json'), 'utf8')),
		{ fresh: { old_messages: 0, new_messages: 1 } });
});

serverTest('bad_entries_in_the_mailbox_file_are_skipped_one_by_one', {
	setup: (srv) => fs.writeFileSync(path.join(srv.dataDir, 'mailboxes.json'),
		JSON.stringify({ good: { old_messages: 1, new_messages: 2 }, bad: { old_messages: 'x' } })),
}, async (srv) => {
	const r = await srv.get('/ari/mailboxes');
	assert.deepEqual(r.json, [{ name: 'good', old_messages: 1, new_messages: 2 }]);
	await srv.waitForLog(/WARNING.*ignoring mailbox 'bad'/);
});

serverTest('a_change_that_cannot_be_saved_is_refused_and_undone', async (srv) => {
	assert.equal((await srv.put('/ari/mailboxes/kept?oldMessages=1&newMessages=2')).status, 204);
	// The store cannot be written: its temporary file's name is taken by a directory.
	const blocker = path.join(srv.dataDir, `mailboxes.json.tmp.${srv.proc.pid}`);
	fs.mkdirSync(blocker);
	let r = await srv.put('/ari/mailboxes/kept?oldMessages=9&newMessages=9');
	assert.equal(r.status, 500, r.body);
	r = await srv.put('/ari/mailboxes/brandnew?oldMessages=0&newMessages=1');
	assert.equal(r.status, 500, r.body);
	r = await srv.del('/ari/mailboxes/kept');
	assert.equal(r.status, 500, r.body);
	// What GET shows is what is on disk, and what a restart would show.
	assert.deepEqual((await srv.get('/ari/mailboxes/kept')).json, { name: 'kept', old_messages: 1, new_messages: 2 });
	assert.equal((await srv.get('/ari/mailboxes/brandnew')).status, 404);
	assert.deepEqual((await srv.get('/ari/mailboxes')).json.map((m) => m.name), ['kept']);
	fs.rmdirSync(blocker);
	assert.equal((await srv.put('/ari/mailboxes/kept?oldMessages=3&newMessages=4')).status, 204);
	assert.equal(JSON.parse(fs.readFileSync(path.join(srv.dataDir, 'mailboxes.json'), 'utf8')).kept.old_messages, 3);
});
