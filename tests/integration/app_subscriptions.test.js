'use strict';
// POST/DELETE /applications/{app}/subscription and PUT .../eventFilter:
// error statuses, a second app watching a channel owned by the first, and
// type filters that really stop or pass events on the socket.
const assert = require('node:assert/strict');
const { serverTest } = require('./lib/server');

const enc = encodeURIComponent;

/** A Local pair whose ;2 half enters `app`; resolves its StasisStart. */
async function channelIn(srv, ws, app) {
	await srv.originate({ endpoint: `Local/100@stasis-${app}`, app: `${app}-orig` });
	return ws.waitFor('StasisStart');
}

function setVar(srv, id, name, value) {
	return srv.post(`/ari/channels/${enc(id)}/variable?variable=${enc(name)}&value=${enc(value)}`);
}

const varset = (id, name) => (e) => e.type === 'ChannelVarset' && e.variable === name &&
	e.channel && e.channel.id === id;

serverTest('subscription_errors_have_asterisk_statuses', async (srv) => {
	const ws = await srv.events('subs');
	const s = await channelIn(srv, ws, 'subs');
	const id = s.channel.id;
	const sub = (q) => srv.post(`/ari/applications/subs/subscription${q}`);
	const unsub = (q) => srv.del(`/ari/applications/subs/subscription${q}`);

	let r = await sub('');
	assert.equal(r.status, 400, r.body);
	assert.deepEqual(r.json, { message: 'Missing parameter eventSource' });
	r = await srv.post(`/ari/applications/nosuchapp/subscription?eventSource=channel:${enc(id)}`);
	assert.equal(r.status, 404, r.body);
	assert.deepEqual(r.json, { message: 'Application not found' });
	r = await sub('?eventSource=foo:bar');
	assert.equal(r.status, 400, r.body);
	assert.deepEqual(r.json, { message: 'Invalid event source URI scheme' });
	r = await sub('?eventSource=channel:nosuchchannel');
	assert.equal(r.status, 422, r.body);
	assert.deepEqual(r.json, { message: 'Event source does not exist' });
	r = await sub('?eventSource=bridge:nosuchbridge');
	assert.equal(r.status, 422, r.body);
	r = await sub('?eventSource=endpoint:PJSIP%2Fnobody');
	assert.equal(r.status, 422, r.body);
	// One bad source in a list: nothing is applied.
	r = await sub(`?eventSource=${enc(`deviceState:Stasis:x,channel:nosuch`)}`);
	assert.equal(r.status, 422, r.body);
	r = await srv.get('/ari/applications/subs');
	assert.deepEqual(r.json.device_names, []);

	r = await unsub('');
	assert.equal(r.status, 400, r.body);
	r = await unsub('?eventSource=foo:bar');
	assert.equal(r.status, 400, r.body);
	r = await srv.del('/ari/applications/nosuchapp/subscription?eventSource=deviceState:Stasis:x');
	assert.equal(r.status, 404, r.body);
	r = await unsub('?eventSource=deviceState:Stasis:never');
	assert.equal(r.status, 409, r.body);
	r = await unsub('?eventSource=channel:nosuchchannel');
	assert.equal(r.status, 422, r.body);

	// Device states: any name can be watched; subscribe twice is fine.
	r = await sub(`?eventSource=${enc('deviceState:Stasis:lamp,deviceState:Stasis:lamp')}`);
	assert.equal(r.status, 200, r.body);
	assert.deepEqual(r.json.device_names, ['Stasis:lamp']);
	r = await unsub('?eventSource=deviceState:Stasis:lamp');
	assert.equal(r.status, 200, r.body);
	assert.deepEqual(r.json.device_names, []);
	r = await unsub('?eventSource=deviceState:Stasis:lamp');
	assert.equal(r.status, 409, r.body);
});

serverTest('second_app_subscribed_to_a_channel_of_the_first_gets_its_events_but_not_StasisStart_or_End', async (srv) => {
	const ws1 = await srv.events('owner');
	const ws2 = await srv.events('watcher');
	const client = await srv.ari();
	const s = await channelIn(srv, ws1, 'owner');
	const id = s.channel.id;

	const app = await client.applications.subscribe({ applicationName: 'watcher', eventSource: `channel:${id}` });
	assert.equal(app.name, 'watcher');
	assert.ok(app.channel_ids.includes(id), String(app.channel_ids));

	assert.equal((await setVar(srv, id, 'SEEN', 'yes')).status, 204);
	const ev = await ws2.waitFor(varset(id, 'SEEN'), undefined, { what: 'ChannelVarset on watcher' });
	assert.equal(ev.application, 'watcher');
	assert.equal(ev.value, 'yes');
	await ws1.waitFor(varset(id, 'SEEN'));

	const after = await client.applications.unsubscribe({ applicationName: 'watcher', eventSource: `channel:${id}` });
	assert.ok(!after.channel_ids.includes(id), String(after.channel_ids));
	assert.equal((await setVar(srv, id, 'HIDDEN', 'yes')).status, 204);
	await ws1.waitFor(varset(id, 'HIDDEN'));

	// Subscribe again and hang up: the watcher sees the hangup, only the
	// owner gets StasisEnd.
	await client.applications.subscribe({ applicationName: 'watcher', eventSource: `channel:${id}` });
	assert.equal((await srv.del(`/ari/channels/${enc(id)}`)).status, 204);
	await ws1.waitFor((e) => e.type === 'StasisEnd' && e.channel.id === id);
	await ws2.waitFor((e) => e.type === 'ChannelDestroyed' && e.channel.id === id);
	await ws2.expectNone(varset(id, 'HIDDEN'), 100, 'event after unsubscribe');
	await ws2.expectNone((e) => e.type === 'StasisEnd' || e.type === 'StasisStart', 300,
		'StasisStart/End goes to the owning app only');
	// The destroyed channel is no longer listed.
	const r = await srv.get('/ari/applications/watcher');
	assert.ok(!r.json.channel_ids.includes(id));
});

serverTest('event_filter_allowed_passes_only_listed_types', async (srv) => {
	const ws = await srv.events('filt');
	const client = await srv.ari();
	const s = await channelIn(srv, ws, 'filt');
	const id = s.channel.id;

	const app = await client.applications.filter({
		applicationName: 'filt', filter: { allowed: [{ type: 'ChannelVarset' }] },
	});
	assert.deepEqual(app.events_allowed, [{ type: 'ChannelVarset' }]);
	assert.deepEqual(app.events_disallowed, []);

	const from = ws.events.length;
	assert.equal((await setVar(srv, id, 'PASS', '1')).status, 204);
	await ws.waitFor(varset(id, 'PASS'), undefined, { from });
	assert.equal((await srv.del(`/ari/channels/${enc(id)}`)).status, 204);
	await srv.waitChannelGone(id);
	await ws.expectNone((e, i) => ws.indexOf(e) >= from && e.type !== 'ChannelVarset', 300,
		'only ChannelVarset passes the allowed filter');
});

serverTest('event_filter_disallowed_stops_listed_types_and_empty_body_resets', async (srv) => {
	const ws = await srv.events('filt2');
	const client = await srv.ari();
	const s = await channelIn(srv, ws, 'filt2');
	const id = s.channel.id;

	let r = await srv.request({ method: 'PUT', path: '/ari/applications/filt2/eventFilter',
		body: { disallowed: [{ type: 'ChannelVarset' }] } });
	assert.equal(r.status, 200, r.body);
	assert.deepEqual(r.json.events_disallowed, [{ type: 'ChannelVarset' }]);
	// A body without "disallowed" leaves that list alone.
	r = await srv.request({ method: 'PUT', path: '/ari/applications/filt2/eventFilter',
		body: { allowed: [] } });
	assert.equal(r.status, 200, r.body);
	assert.deepEqual(r.json.events_disallowed, [{ type: 'ChannelVarset' }]);

	assert.equal((await setVar(srv, id, 'BLOCKED', '1')).status, 204);
	await ws.expectNone(varset(id, 'BLOCKED'), 300, 'disallowed type delivered');

	const app = await client.applications.filter({ applicationName: 'filt2', filter: {} });
	assert.deepEqual(app.events_allowed, []);
	assert.deepEqual(app.events_disallowed, []);
	assert.equal((await setVar(srv, id, 'OPEN', '1')).status, 204);
	await ws.waitFor(varset(id, 'OPEN'));
});

serverTest('event_filter_errors', async (srv) => {
	await srv.events('ferr');
	const put = (app, body, headers) => srv.request({ method: 'PUT',
		path: `/ari/applications/${app}/eventFilter`, body, headers });
	let r = await put('nosuch', {});
	assert.equal(r.status, 404, r.body);
	assert.deepEqual(r.json, { message: 'Application not found' });
	r = await put('ferr');
	assert.equal(r.status, 400, r.body);
	assert.deepEqual(r.json, { message: 'Invalid format definition' });
	r = await put('ferr', { allowed: 'StasisStart' });
	assert.equal(r.status, 400, r.body);
	r = await put('ferr', { allowed: [{ type: 'StasisStart' }], disallowed: {} });
	assert.equal(r.status, 400, r.body);
	r = await put('ferr', { disallowed: [{ notype: 1 }] });
	assert.equal(r.status, 400, r.body);
	// Nothing was applied by the bad requests.
	r = await srv.get('/ari/applications/ferr');
	assert.deepEqual(r.json.events_allowed, []);
	assert.deepEqual(r.json.events_disallowed, []);
});
