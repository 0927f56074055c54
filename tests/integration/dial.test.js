'use strict';
// POST /channels/create then /dial; redirect and rtp_statistics checks — via
// ari-client 2.2.0 and raw HTTP.
const assert = require('node:assert/strict');
const { serverTest } = require('./lib/server');

const EXT = '[ctx]\n' +
	'exten => 100,1,Answer()\n same => n,Wait(10)\n' +
	'exten => 300,1,Wait(10)\n' +
	'exten => 400,1,Stasis(a)\n' +
	'exten => 500,1,Set(REDIRECTED=yes)\n same => n,Stasis(b,redirected)\n';

serverTest('create_then_dial_local_channel_emits_dial_events_and_goes_up_in_its_app',
	{ files: { 'extensions.conf': EXT } }, async (srv) => {
		const ws = await srv.events('a');
		const r = await srv.post('/ari/channels/create?endpoint=Local/100@ctx&app=a');
		assert.equal(r.status, 200, r.body);
		const id = r.json.id;
		assert.equal(r.json.state, 'Down');
		await ws.waitFor((e) => e.type === 'StasisStart' && e.channel.id === id);
		const d = await srv.post(`/ari/channels/${id}/dial?timeout=5`);
		assert.equal(d.status, 204, d.body);
		const up = await ws.waitFor((e) => e.type === 'ChannelStateChange' && e.channel.id === id &&
			e.channel.state === 'Up');
		const answer = await ws.waitFor((e) => e.type === 'Dial' && e.peer.id === id && e.dialstatus === 'ANSWER');
		const start = ws.events.find((e) => e.type === 'Dial' && e.peer.id === id && e.dialstatus === '');
		assert.ok(start, ws.summary());
		assert.equal(start.dialstring, '100@ctx');
		const ss = ws.events.find((e) => e.type === 'StasisStart' && e.channel.id === id);
		assert.ok(ws.indexOf(ss) < ws.indexOf(start));
		assert.ok(ws.indexOf(start) < ws.indexOf(up));
		assert.ok(ws.indexOf(start) < ws.indexOf(answer));
		// Still in its app, no second StasisStart.
		assert.equal(ws.filter((e) => e.type === 'StasisStart' && e.channel.id === id).length, 1);
		const g = await srv.get(`/ari/channels/${id}`);
		assert.equal(g.json.state, 'Up');
		// Dialing again: not Down any more.
		const again = await srv.post(`/ari/channels/${id}/dial`);
		assert.equal(again.status, 409);
		assert.equal(again.json.message, "Channel is not in the 'Down' state");
	});

serverTest('dial_through_ari_client_with_caller_names_the_caller', { files: { 'extensions.conf': EXT } },
	async (srv) => {
		const client = await srv.ari();
		const events = [];
		client.on('Dial', (e) => events.push(e));
		await client.start('a');
		const caller = await client.channels.create({ endpoint: 'Local/100@ctx', app: 'a' });
		const callee = await client.channels.create({ endpoint: 'Local/100@ctx', app: 'a' });
		await client.channels.dial({ channelId: callee.id, caller: caller.id, timeout: 5 });
		const deadline = Date.now() + 5000;
		while (!events.some((e) => e.dialstatus === 'ANSWER') && Date.now() < deadline)
			await new Promise((r) => setTimeout(r, 50));
		const ans = events.find((e) => e.dialstatus === 'ANSWER');
		assert.ok(ans, JSON.stringify(events));
		assert.equal(ans.peer.id, callee.id);
		assert.equal(ans.caller.id, caller.id);
		await assert.rejects(client.channels.dial({ channelId: callee.id }), /Down/);
	});

serverTest('dial_timeout_gives_noanswer_and_hangs_up', { files: { 'extensions.conf': EXT } }, async (srv) => {
	const ws = await srv.events('a');
	const ch = (await srv.post('/ari/channels/create?endpoint=Local/300@ctx&app=a')).json;
	assert.equal((await srv.post(`/ari/channels/${ch.id}/dial?timeout=1`)).status, 204);
	await ws.waitFor((e) => e.type === 'Dial' && e.dialstatus === 'NOANSWER' && e.peer.id === ch.id);
	await ws.waitFor((e) => e.type === 'ChannelDestroyed' && e.channel.id === ch.id);
});

serverTest('dial_errors_404_409', { files: { 'extensions.conf': EXT } }, async (srv) => {
	const ws = await srv.events('a');
	let r = await srv.post('/ari/channels/nosuch/dial');
	assert.equal(r.status, 404);
	// A channel that entered Stasis from the dialplan was not created by ARI.
	const orig = await srv.originate({ endpoint: 'Local/400@ctx', extension: 's', context: 'ctx' });
	const inbound = await ws.waitFor((e) => e.type === 'StasisStart' && e.channel.id !== orig.id);
	r = await srv.post(`/ari/channels/${inbound.channel.id}/dial`);
	assert.equal(r.status, 409);
	// A created channel dialed twice while still Down.
	const ch = (await srv.post('/ari/channels/create?endpoint=Local/300@ctx&app=a')).json;
	assert.equal((await srv.post(`/ari/channels/${ch.id}/dial`)).status, 204);
	r = await srv.post(`/ari/channels/${ch.id}/dial`);
	assert.equal(r.status, 409);
	assert.equal(r.json.message, 'Channel has already been dialed');
});

serverTest('redirect_and_rtp_statistics_checks_on_local_channels', { files: { 'extensions.conf': EXT } },
	async (srv) => {
		const ws = await srv.events('a');
		const ch = (await srv.post('/ari/channels/create?endpoint=Local/100@ctx&app=a')).json;
		let r = await srv.post(`/ari/channels/${ch.id}/redirect`);
		assert.equal(r.status, 400);
		r = await srv.post('/ari/channels/nosuch/redirect?endpoint=Local/1@ctx');
		assert.equal(r.status, 404);
		r = await srv.post(`/ari/channels/${ch.id}/redirect?endpoint=Local/1@ctx`);
		assert.equal(r.status, 412, 'Down channel');
		await srv.post(`/ari/channels/${ch.id}/dial`);
		await ws.waitFor((e) => e.type === 'ChannelStateChange' && e.channel.id === ch.id &&
			e.channel.state === 'Up');
		r = await srv.post(`/ari/channels/${ch.id}/redirect?endpoint=PJSIP/bob`);
		assert.equal(r.status, 422);
		r = await srv.post(`/ari/channels/${ch.id}/redirect?endpoint=Local/1@ctx`);
		assert.equal(r.status, 404, 'no such extension');
		r = await srv.get('/ari/channels/nosuch/rtp_statistics');
		assert.equal(r.status, 404);
		r = await srv.get(`/ari/channels/${ch.id}/rtp_statistics`);
		assert.equal(r.status, 403);
		assert.equal(r.json.message, 'Unsupported channel type');
	});

serverTest('redirect_of_a_local_channel_runs_the_dialplan_at_the_target', { files: { 'extensions.conf': EXT } },
	async (srv) => {
		const ws = await srv.events(['a', 'b']);
		const ch = (await srv.post('/ari/channels/create?endpoint=Local/100@ctx&app=a')).json;
		await srv.post(`/ari/channels/${ch.id}/dial`);
		await ws.waitFor((e) => e.type === 'ChannelStateChange' && e.channel.id === ch.id &&
			e.channel.state === 'Up');
		const r = await srv.post(`/ari/channels/${ch.id}/redirect?endpoint=Local/500@ctx`);
		assert.equal(r.status, 204, r.body);
		const end = await ws.waitFor((e) => e.type === 'StasisEnd' && e.channel.id === ch.id);
		assert.equal(end.application, 'a');
		const start = await ws.waitFor((e) => e.type === 'StasisStart' && e.channel.id === ch.id &&
			e.application === 'b');
		assert.deepEqual(start.args, ['redirected']);
		assert.equal(start.channel.dialplan.context, 'ctx');
		assert.equal(start.channel.dialplan.exten, '500');
		const v = await srv.get(`/ari/channels/${ch.id}/variable?variable=REDIRECTED`);
		assert.equal(v.json.value, 'yes');
	});
