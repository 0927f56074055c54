'use strict';
// ChannelUserevent: POST /events/user/{eventName} (variables, sources,
// error statuses) and the UserEvent() dialplan application.
const assert = require('node:assert/strict');
const { serverTest } = require('./lib/server');

const enc = encodeURIComponent;

serverTest('rest_user_event_with_channel_source_reaches_the_named_app', async (srv) => {
	const ws = await srv.events('ue');
	const bystander = await srv.events('ue-other');
	const client = await srv.ari();
	await srv.originate({ endpoint: 'Local/100@stasis-ue', app: 'ue-orig' });
	const s = await ws.waitFor('StasisStart');

	await client.events.userEvent({ eventName: 'Ping', application: 'ue',
		source: `channel:${s.channel.id}`, variables: { a: '1', b: 'two' } });
	const ev = await ws.waitFor('ChannelUserevent');
	assert.equal(ev.application, 'ue');
	assert.equal(ev.eventname, 'Ping');
	// Asterisk repeats the event name inside userevent.
	assert.deepEqual(ev.userevent, { eventname: 'Ping', a: '1', b: 'two' });
	assert.equal(ev.channel.id, s.channel.id);
	await bystander.expectNone('ChannelUserevent', 200, 'user event for another app');

	// Without sources or variables: just the name.
	const r = await srv.post('/ari/events/user/Bare?application=ue');
	assert.equal(r.status, 204, r.body);
	const bare = await ws.waitFor((e) => e.type === 'ChannelUserevent' && e.eventname === 'Bare');
	assert.deepEqual(bare.userevent, { eventname: 'Bare' });
	assert.equal(bare.channel, undefined);
});

serverTest('rest_user_event_error_statuses', async (srv) => {
	const ws = await srv.events('uerr');
	await srv.originate({ endpoint: 'Local/100@stasis-uerr', app: 'uerr-orig' });
	const s = await ws.waitFor('StasisStart');
	const post = (q, body) => srv.post(`/ari/events/user/Ev${q}`, body === undefined ? {} : { body });

	let r = await post('');
	assert.equal(r.status, 400, r.body);
	assert.deepEqual(r.json, { message: 'Missing parameter application' });
	r = await post('?application=nosuchapp');
	assert.equal(r.status, 404, r.body);
	assert.deepEqual(r.json, { message: 'Application not found' });
	r = await post('?application=uerr&source=foo:bar');
	assert.equal(r.status, 400, r.body);
	assert.deepEqual(r.json, { message: 'Invalid event source URI scheme' });
	r = await post('?application=uerr&source=channel:nosuch');
	assert.equal(r.status, 422, r.body);
	r = await post('?application=uerr&source=bridge:nosuch');
	assert.equal(r.status, 422, r.body);
	r = await post('?application=uerr&source=endpoint:PJSIP%2Fnobody');
	assert.equal(r.status, 422, r.body);
	r = await post(`?application=uerr&source=${enc(`channel:${s.channel.id},channel:nosuch`)}`);
	assert.equal(r.status, 422, r.body);
	r = await post('?application=uerr', { variables: 'not an object' });
	assert.equal(r.status, 400, r.body);
	await ws.expectNone('ChannelUserevent', 200, 'no event from a failed request');
	// application may also come in the JSON body (any query parameter may).
	r = await post('', { application: 'uerr', variables: { n: 5 } });
	assert.equal(r.status, 204, r.body);
	const ev = await ws.waitFor('ChannelUserevent');
	assert.deepEqual(ev.userevent, { eventname: 'Ev', n: '5' });
});

serverTest('filtered_app_does_not_get_user_events', async (srv) => {
	const ws = await srv.events('uefilt');
	let r = await srv.request({ method: 'PUT', path: '/ari/applications/uefilt/eventFilter',
		body: { disallowed: [{ type: 'ChannelUserevent' }] } });
	assert.equal(r.status, 200, r.body);
	r = await srv.post('/ari/events/user/X?application=uefilt');
	assert.equal(r.status, 204);
	await ws.expectNone('ChannelUserevent', 300, 'disallowed ChannelUserevent delivered');
});

serverTest('dialplan_UserEvent_goes_to_apps_watching_the_channel', {
	files: {
		'extensions.conf': '[ctx]\nexten => 100,1,UserEvent(Foo,a: 1, b : two,nocolon)\n' +
			' same => n,Stasis(dpapp)\n',
	},
}, async (srv) => {
	const all = await srv.events('dpapp', { subscribeAll: true });
	const other = await srv.events('dpother');
	const stranger = await srv.events('stranger');
	await srv.originate({ endpoint: 'Local/100@ctx', app: 'dpother' });
	const ev = await all.waitFor('ChannelUserevent');
	assert.equal(ev.eventname, 'Foo');
	assert.deepEqual(ev.userevent, { eventname: 'Foo', a: '1', b: 'two' });
	assert.match(ev.channel.name, /^Local\/100@ctx-[0-9a-f]+;2$/);
	// Stasis() ran after UserEvent: the dialplan went on.
	await all.waitFor((e) => e.type === 'StasisStart' && e.channel.id === ev.channel.id);
	// dpother originated the pair: Asterisk subscribes it to both halves
	// (event-sequences.md), so it hears the ;2 half's user event too.
	const seen = await other.waitFor('ChannelUserevent');
	assert.equal(seen.channel.id, ev.channel.id);
	await stranger.expectNone('ChannelUserevent', 200, 'user event of a channel stranger does not watch');
});

serverTest('dialplan_UserEvent_without_argument_warns_and_hangs_up', {
	files: { 'extensions.conf': '[ctx]\nexten => 100,1,UserEvent()\n same => n,Stasis(never)\n' },
}, async (srv) => {
	const ws = await srv.events('never', { subscribeAll: true });
	await srv.originate({ endpoint: 'Local/100@ctx', app: 'never' });
	await srv.waitForLog(/WARNING.*UserEvent requires an argument/);
	await ws.expectNone('ChannelUserevent', 200);
	await ws.expectNone((e) => e.type === 'StasisStart' && /;2$/.test(e.channel.name), 100);
});
