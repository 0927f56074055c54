'use strict';
// POST /channels/{id}/snoop and /snoop/{snoopId}: parameter checks in
// Asterisk's order and wording, the Snoop/<id>-<n> channel that enters the
// app (after the REST reply), its life tied to the snooped channel, and
// through the unchanged ari-client. What a snoop hears is checked on real
// audio in tests/unit/test_snoop.c and in the bridge media tests.
const assert = require('node:assert/strict');
const { serverTest } = require('./lib/server');

const enc = encodeURIComponent;

// A channel in app `sn` (the ;2 half of a Local pair), answered.
async function target(srv, app = 'sn') {
	const ws = await srv.events(app);
	await srv.events(`${app}-other`);
	await srv.originate({ endpoint: `Local/100@stasis-${app}`, app: `${app}-other` });
	const s = await ws.waitFor('StasisStart');
	assert.equal((await srv.post(`/ari/channels/${enc(s.channel.id)}/answer`)).status, 204);
	return { ws, id: s.channel.id };
}

function snoop(srv, id, params, snoopId) {
	const path = snoopId === undefined ? `/ari/channels/${enc(id)}/snoop`
		: `/ari/channels/${enc(id)}/snoop/${enc(snoopId)}`;
	return srv.post(`${path}?` + new URLSearchParams(params));
}

serverTest('snoop_parameters_are_checked_in_asterisks_order', async (srv) => {
	const { id } = await target(srv);
	let r = await snoop(srv, id, { spy: 'sideways', whisper: 'nowhere', app: 'sn' });
	assert.equal(r.status, 400);
	assert.equal(r.json.message, 'Invalid direction specified for spy');
	r = await snoop(srv, id, { spy: 'in', whisper: 'nowhere', app: 'sn' });
	assert.equal(r.status, 400);
	assert.equal(r.json.message, 'Invalid direction specified for whisper');
	r = await snoop(srv, id, { app: 'sn' });
	assert.equal(r.status, 400);
	assert.equal(r.json.message, 'Direction must be specified for at least spy or whisper');
	r = await snoop(srv, id, { spy: 'none', whisper: 'none', app: 'sn' });
	assert.equal(r.status, 400);
	r = await snoop(srv, id, { spy: 'in' });
	assert.equal(r.status, 400);
	assert.equal(r.json.message, 'Application name is required');
	r = await snoop(srv, 'no-such-channel', { spy: 'in', app: 'sn' });
	assert.equal(r.status, 404);
	assert.equal(r.json.message, 'Provided channel was not found');
});

serverTest('snoop_channel_enters_the_app_with_its_args_after_the_reply', async (srv) => {
	const { ws, id } = await target(srv);
	const from = ws.events.length;
	const r = await snoop(srv, id, { spy: 'in', app: 'sn', appArgs: 'sup,42', snoopId: 'spy-1' });
	assert.equal(r.status, 200);
	assert.equal(r.json.id, 'spy-1');
	assert.match(r.json.name, new RegExp(`^Snoop/${id.replace(/\./g, '\\.')}-[0-9a-f]{8}$`));
	assert.equal(r.json.state, 'Up');
	const start = await ws.waitFor((e) => e.type === 'StasisStart' && e.channel.id === 'spy-1', undefined, { from });
	assert.deepEqual(start.args, ['sup', '42']);
	assert.equal(start.channel.name, r.json.name);
	assert.equal((await srv.get('/ari/channels/spy-1')).json.name, r.json.name);
});

serverTest('snoop_with_id_in_the_path_and_an_id_in_use_fails', async (srv) => {
	const { ws, id } = await target(srv);
	let r = await snoop(srv, id, { whisper: 'out', app: 'sn' }, 'coach');
	assert.equal(r.status, 200);
	assert.equal(r.json.id, 'coach');
	await ws.waitFor((e) => e.type === 'StasisStart' && e.channel.id === 'coach');
	// The id is taken (by the snoop itself, or by any channel): no channel.
	r = await snoop(srv, id, { spy: 'both', app: 'sn' }, 'coach');
	assert.equal(r.status, 500);
	assert.equal(r.json.message, 'Snoop channel could not be created');
	r = await snoop(srv, id, { spy: 'both', app: 'sn' }, id);
	assert.equal(r.status, 500);
	const names = (await srv.get('/ari/channels')).json.map((c) => c.name);
	assert.equal(names.filter((n) => n.startsWith('Snoop/')).length, 1);
});

serverTest('snoop_channel_ends_when_the_snooped_channel_ends', async (srv) => {
	const { ws, id } = await target(srv);
	const r = await snoop(srv, id, { spy: 'both', whisper: 'both', app: 'sn' });
	assert.equal(r.status, 200);
	await ws.waitFor((e) => e.type === 'StasisStart' && e.channel.id === r.json.id);
	assert.equal((await srv.del(`/ari/channels/${enc(id)}`)).status, 204);
	const gone = await ws.waitFor((e) => e.type === 'ChannelDestroyed' && e.channel.id === r.json.id);
	const targetGone = ws.events.findIndex((e) => e.type === 'ChannelDestroyed' && e.channel.id === id);
	assert.ok(targetGone >= 0 && targetGone < ws.events.indexOf(gone),
		'the snoop channel goes after the channel it snoops on');
	await srv.waitChannelGone(r.json.id);
});

serverTest('hanging_up_the_snoop_channel_leaves_the_snooped_one_up', async (srv) => {
	const { ws, id } = await target(srv);
	const r = await snoop(srv, id, { spy: 'out', app: 'sn' });
	await ws.waitFor((e) => e.type === 'StasisStart' && e.channel.id === r.json.id);
	assert.equal((await srv.del(`/ari/channels/${enc(r.json.id)}`)).status, 204);
	await srv.waitChannelGone(r.json.id);
	const t = await srv.get(`/ari/channels/${enc(id)}`);
	assert.equal(t.status, 200);
	assert.equal(t.json.state, 'Up');
	// A second snoop on the same channel still works.
	assert.equal((await snoop(srv, id, { spy: 'in', app: 'sn' })).status, 200);
});

serverTest('snoop_channel_that_continues_out_of_the_app_is_hung_up', async (srv) => {
	const { ws, id } = await target(srv);
	const r = await snoop(srv, id, { spy: 'in', app: 'sn' });
	await ws.waitFor((e) => e.type === 'StasisStart' && e.channel.id === r.json.id);
	assert.equal((await srv.post(`/ari/channels/${enc(r.json.id)}/continue`)).status, 204);
	await ws.waitFor((e) => e.type === 'StasisEnd' && e.channel.id === r.json.id);
	await srv.waitChannelGone(r.json.id);
	assert.equal((await srv.get(`/ari/channels/${enc(id)}`)).status, 200);
});

serverTest('snoop_into_an_app_that_does_not_exist_is_hung_up', async (srv) => {
	const { id } = await target(srv);
	const r = await snoop(srv, id, { spy: 'in', app: 'nobody-listens' });
	assert.equal(r.status, 200);
	await srv.waitChannelGone(r.json.id);
	await srv.waitForLog(/could not enter Stasis app 'nobody-listens'/);
});

serverTest('ari_client_snoops_with_its_own_operations', async (srv) => {
	const { id } = await target(srv);
	const client = await srv.ari();
	const ch = await client.channels.snoopChannel({ channelId: id, app: 'sn', spy: 'in' });
	assert.match(ch.name, /^Snoop\//);
	const ch2 = await client.channels.snoopChannelWithId({ channelId: id, snoopId: 'w1', app: 'sn', whisper: 'both' });
	assert.equal(ch2.id, 'w1');
	await assert.rejects(client.channels.snoopChannel({ channelId: 'gone', app: 'sn', spy: 'in' }),
		(e) => /Provided channel was not found/.test(e.message));
});
