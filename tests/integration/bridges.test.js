'use strict';
// /bridges: create (types, ids, names), createWithId's create-or-update,
// list, get, destroy, addChannel and removeChannel with Asterisk's statuses
// and messages, and the events apps receive (event-sequences.md): entering
// and leaving in order, BRIDGEPEER, subscriptions to a bridge, user events
// with a bridge source, leaving on hangup and on continue, bridges that go
// with the app that owned them.
const assert = require('node:assert/strict');
const { serverTest, sleep } = require('./lib/server');

const enc = encodeURIComponent;
const EXT = `
[far]
exten => s,1,Answer()
 same => n,Wait(600)
`;
const files = { 'extensions.conf': EXT };

function assertError(r, status, message) {
	assert.equal(r.status, status, `expected ${status}: ${r.status} ${r.body}`);
	if (message) assert.deepEqual(r.json, { message });
	else assert.equal(typeof (r.json && r.json.message), 'string', r.body);
}

/** event-sequences.md's set-up: `id` (;1) enters `app` answered, `id`2 runs s@far. */
async function inApp(srv, ws, app, id) {
	await srv.originate({ endpoint: 'Local/s@far', app, channelId: id, otherChannelId: `${id}2` });
	return ws.waitFor((e) => e.type === 'StasisStart' && e.channel.id === id);
}

const isType = (type, id) => (e) => e.type === type && e.channel && e.channel.id === id;
const bridgeEv = (type, bid) => (e) => e.type === type && e.bridge && e.bridge.id === bid;

/** Types of the events about channel `id`, in order (of the variables, only
 * BRIDGEPEER and BRIDGEPVTCALLID). */
function typesOf(ws, id, types) {
	return ws.events.filter((e) => e.channel && e.channel.id === id && types.includes(e.type) &&
		(e.type !== 'ChannelVarset' || /^BRIDGEP/.test(e.variable)))
		.map((e) => e.type === 'ChannelVarset' ? `Varset:${e.variable}` : e.type);
}

async function bridge(srv, q = '') {
	const r = await srv.post(`/ari/bridges${q}`);
	assert.equal(r.status, 200, r.body);
	return r.json;
}

async function add(srv, bid, chans, q = '') {
	const r = await srv.post(`/ari/bridges/${enc(bid)}/addChannel?channel=${enc(chans)}${q}`);
	assert.equal(r.status, 204, r.body);
}

serverTest('created_bridge_has_asterisk_fields_and_is_listed_until_destroyed', async (srv) => {
	const b = await bridge(srv);
	assert.match(b.id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
	assert.deepEqual(Object.keys(b).sort(), ['bridge_class', 'bridge_type', 'channels', 'creationtime',
		'creator', 'id', 'name', 'technology', 'video_mode']);
	assert.equal(b.technology, 'simple_bridge');
	assert.equal(b.bridge_type, 'mixing');
	assert.equal(b.bridge_class, 'stasis');
	assert.equal(b.creator, 'Stasis');
	assert.equal(b.name, '');
	assert.deepEqual(b.channels, []);
	assert.equal(b.video_mode, 'talker');
	assert.match(b.creationtime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d{4}$/);
	let r = await srv.get('/ari/bridges');
	assert.equal(r.status, 200);
	assert.deepEqual(r.json.map((x) => x.id), [b.id]);
	r = await srv.get(`/ari/bridges/${b.id}`);
	assert.equal(r.status, 200);
	assert.deepEqual(r.json, b);
	r = await srv.del(`/ari/bridges/${b.id}`);
	assert.equal(r.status, 204, r.body);
	assertError(await srv.get(`/ari/bridges/${b.id}`), 404, 'Bridge not found');
	assertError(await srv.del(`/ari/bridges/${b.id}`), 404, 'Bridge not found');
	assert.deepEqual((await srv.get('/ari/bridges')).json, []);
});

serverTest('bridge_types_names_and_ids_follow_asterisk', async (srv) => {
	let b = await bridge(srv, '?type=holding&name=queue1&bridgeId=hold1');
	assert.equal(b.id, 'hold1');
	assert.equal(b.name, 'queue1');
	assert.equal(b.bridge_type, 'holding');
	assert.equal(b.technology, 'holding_bridge');
	b = await bridge(srv, `?type=${enc('mixing,dtmf_events,proxy_media')}`);
	assert.equal(b.bridge_type, 'mixing');
	b = await bridge(srv, `?type=${enc('mixing,video_sfu')}`);
	assert.equal(b.video_mode, 'sfu');
	// Asterisk refuses a list without mixing or holding, or with both.
	assertError(await srv.post(`/ari/bridges?type=${enc('mixing,holding')}`), 500, 'Unable to create bridge');
	assertError(await srv.post('/ari/bridges?type=dtmf_events'), 500, 'Unable to create bridge');
	assertError(await srv.post('/ari/bridges?type=conference'), 500, 'Unable to create bridge');
	assertError(await srv.post('/ari/bridges?bridgeId=hold1'), 409);
	assertError(await srv.post('/ari/bridges', { body: { variables: 'x' } }), 400);
	assert.equal((await srv.get('/ari/bridges')).json.length, 3);
});

serverTest('createWithId_creates_then_answers_the_same_bridge_and_refuses_changes', async (srv) => {
	let r = await srv.post('/ari/bridges/conf-1?name=room&type=mixing');
	assert.equal(r.status, 200, r.body);
	assert.equal(r.json.id, 'conf-1');
	const created = r.json;
	r = await srv.post('/ari/bridges/conf-1');
	assert.equal(r.status, 200, r.body);
	assert.deepEqual(r.json, created);
	r = await srv.post('/ari/bridges/conf-1?name=room');
	assert.equal(r.status, 200, r.body);
	assertError(await srv.post('/ari/bridges/conf-1?name=other'), 500, 'Changing bridge name is not implemented');
	assertError(await srv.post('/ari/bridges/conf-1?type=holding'), 500,
		'Supplying a bridge type when updating a bridge is not allowed.');
	assertError(await srv.post(`/ari/bridges/conf-2?type=${enc('holding,mixing')}`), 500);
	assert.equal((await srv.get('/ari/bridges')).json.length, 1);
});

serverTest('add_and_remove_channel_errors_have_asterisk_statuses', { files }, async (srv) => {
	const ws = await srv.events('A');
	await inApp(srv, ws, 'A', 'a');
	const b = await bridge(srv, '?bridgeId=b');
	assertError(await srv.post('/ari/bridges/nosuch/addChannel?channel=a'), 404, 'Bridge not found');
	assertError(await srv.post('/ari/bridges/b/addChannel'), 400);
	assertError(await srv.post('/ari/bridges/b/addChannel?channel=nosuch'), 400, 'Channel not found');
	// a2 runs the dialplan: it exists but is not in Stasis.
	assertError(await srv.post('/ari/bridges/b/addChannel?channel=a2'), 422, 'Channel not in Stasis application');
	// One bad id in a list: nothing is added.
	assertError(await srv.post(`/ari/bridges/b/addChannel?channel=${enc('a,nosuch')}`), 400);
	await sleep(100);
	assert.deepEqual((await srv.get('/ari/bridges/b')).json.channels, []);

	assertError(await srv.post('/ari/bridges/nosuch/removeChannel?channel=a'), 404, 'Bridge not found');
	assertError(await srv.post('/ari/bridges/b/removeChannel'), 400);
	assertError(await srv.post('/ari/bridges/b/removeChannel?channel=nosuch'), 400, 'Channel not found');
	assertError(await srv.post('/ari/bridges/b/removeChannel?channel=a2'), 422, 'Channel not in Stasis application');
	assertError(await srv.post('/ari/bridges/b/removeChannel?channel=a'), 422, 'Channel not in this bridge');
	assert.equal(b.id, 'b');
});

serverTest('channels_enter_and_leave_in_asterisk_order_with_BRIDGEPEER', { files }, async (srv) => {
	const ws = await srv.events('A');
	await inApp(srv, ws, 'A', 'a');
	await inApp(srv, ws, 'A', 'c');
	await bridge(srv, '?type=mixing&bridgeId=b');
	await add(srv, 'b', 'a');
	const ea = await ws.waitFor(isType('ChannelEnteredBridge', 'a'));
	assert.equal(ea.bridge.id, 'b');
	assert.equal(ea.bridge.bridge_type, 'mixing');
	assert.deepEqual(ea.bridge.channels, ['a']);
	assert.equal(ea.channel.state, 'Up');
	await add(srv, 'b', 'c');
	await ws.waitFor((e) => e.type === 'ChannelVarset' && e.variable === 'BRIDGEPEER' && e.channel.id === 'c');
	const pa = ws.filter((e) => e.type === 'ChannelVarset' && e.variable === 'BRIDGEPEER' && e.channel.id === 'a');
	assert.equal(pa.length, 1);
	assert.match(pa[0].value, /^Local\/s@far-[0-9a-f]+;1$/);
	assert.equal(pa[0].value, (await srv.get('/ari/channels/c')).json.name);
	assert.deepEqual(typesOf(ws, 'a', ['ChannelEnteredBridge', 'ChannelLeftBridge', 'ChannelVarset']),
		['ChannelEnteredBridge', 'Varset:BRIDGEPEER']);
	assert.deepEqual(typesOf(ws, 'c', ['ChannelEnteredBridge', 'ChannelLeftBridge', 'ChannelVarset']),
		['ChannelEnteredBridge', 'Varset:BRIDGEPEER']);
	// Local channels have no call id: no BRIDGEPVTCALLID.
	assert.equal(ws.filter((e) => e.variable === 'BRIDGEPVTCALLID').length, 0);
	let r = await srv.get('/ari/bridges/b');
	assert.deepEqual(r.json.channels, ['a', 'c']);
	assert.equal(r.json.technology, 'simple_bridge');

	r = await srv.post('/ari/bridges/b/removeChannel?channel=a');
	assert.equal(r.status, 204, r.body);
	const la = await ws.waitFor(isType('ChannelLeftBridge', 'a'));
	assert.deepEqual(la.bridge.channels, ['c']);
	assert.equal(la.channel.state, 'Up');
	assert.deepEqual(typesOf(ws, 'a', ['ChannelEnteredBridge', 'ChannelLeftBridge', 'ChannelVarset']),
		['ChannelEnteredBridge', 'Varset:BRIDGEPEER', 'ChannelLeftBridge']);
	assert.deepEqual((await srv.get('/ari/bridges/b')).json.channels, ['c']);
});

serverTest('several_channels_join_at_once_and_a_third_makes_softmix', { files }, async (srv) => {
	const ws = await srv.events('A');
	for (const id of ['a', 'c', 'd']) await inApp(srv, ws, 'A', id);
	await bridge(srv, '?bridgeId=b');
	await add(srv, 'b', 'a,c');
	await ws.waitFor(isType('ChannelEnteredBridge', 'c'));
	assert.equal((await srv.get('/ari/bridges/b')).json.technology, 'simple_bridge');
	await add(srv, 'b', 'd');
	const ed = await ws.waitFor(isType('ChannelEnteredBridge', 'd'));
	assert.deepEqual(ed.bridge.channels, ['a', 'c', 'd']);
	await ws.waitFor((e) => e.type === 'ChannelVarset' && e.variable === 'BRIDGEPEER' &&
		e.channel.id === 'd');
	const r = await srv.get('/ari/bridges/b');
	assert.equal(r.json.technology, 'softmix');
	const peers = ws.filter((e) => e.type === 'ChannelVarset' && e.variable === 'BRIDGEPEER' &&
		e.channel.id === 'a');
	assert.equal(peers.at(-1).value.split(',').length, 2, 'a hears of c and d');
	// Back to two: a two-party technology again (Asterisk's smart bridge).
	assert.equal((await srv.post('/ari/bridges/b/removeChannel?channel=d')).status, 204);
	assert.equal((await srv.get('/ari/bridges/b')).json.technology, 'simple_bridge');
});

serverTest('adding_a_channel_of_another_bridge_moves_it', { files }, async (srv) => {
	const ws = await srv.events('A');
	await inApp(srv, ws, 'A', 'a');
	await bridge(srv, '?bridgeId=b1');
	await bridge(srv, '?bridgeId=b2');
	await add(srv, 'b1', 'a');
	await ws.waitFor(isType('ChannelEnteredBridge', 'a'));
	await add(srv, 'b2', 'a');
	const e2 = await ws.waitFor((e) => isType('ChannelEnteredBridge', 'a')(e) && e.bridge.id === 'b2');
	const l1 = ws.filter((e) => isType('ChannelLeftBridge', 'a')(e) && e.bridge.id === 'b1');
	assert.equal(l1.length, 1);
	assert.ok(ws.indexOf(l1[0]) < ws.indexOf(e2), 'left b1 before entering b2');
	assert.deepEqual((await srv.get('/ari/bridges/b1')).json.channels, []);
	assert.deepEqual((await srv.get('/ari/bridges/b2')).json.channels, ['a']);
});

serverTest('bridge_subscriber_gets_BridgeDestroyed_and_member_app_only_ChannelLeftBridge', { files }, async (srv) => {
	const wsA = await srv.events('A');
	const wsW = await srv.events('W');
	await inApp(srv, wsA, 'A', 'a');
	await bridge(srv, '?bridgeId=b');
	let r = await srv.post('/ari/applications/W/subscription?eventSource=bridge:b');
	assert.equal(r.status, 200, r.body);
	assert.deepEqual(r.json.bridge_ids, ['b']);
	await add(srv, 'b', 'a');
	await wsW.waitFor(isType('ChannelEnteredBridge', 'a'));
	r = await srv.del('/ari/bridges/b');
	assert.equal(r.status, 204);
	const left = await wsA.waitFor(isType('ChannelLeftBridge', 'a'));
	assert.equal(left.bridge.bridge_type, 'mixing');
	const gone = await wsW.waitFor(bridgeEv('BridgeDestroyed', 'b'));
	assert.equal(gone.bridge.bridge_type, 'mixing');
	assert.ok(wsW.indexOf(wsW.filter(isType('ChannelLeftBridge', 'a'))[0]) < wsW.indexOf(gone));
	await wsA.expectNone('BridgeDestroyed', 300);
	// The subscription went with the bridge.
	assert.deepEqual((await srv.get('/ari/applications/W')).json.bridge_ids, []);
	// Unsubscribing from a bridge that never existed: 422.
	r = await srv.del('/ari/applications/W/subscription?eventSource=bridge:nosuch');
	assert.equal(r.status, 422, r.body);
});

serverTest('user_event_with_a_bridge_source_carries_the_bridge', { files }, async (srv) => {
	const ws = await srv.events('A');
	await bridge(srv, '?bridgeId=b');
	let r = await srv.post('/ari/events/user/ev?application=A&source=bridge:b',
		{ body: { variables: { k: 'v' } } });
	assert.equal(r.status, 204, r.body);
	const u = await ws.waitFor('ChannelUserevent');
	assert.equal(u.eventname, 'ev');
	assert.equal(u.bridge.id, 'b');
	assert.equal(u.bridge.bridge_type, 'mixing');
	assert.deepEqual(u.userevent, { eventname: 'ev', k: 'v' });
	r = await srv.post('/ari/events/user/ev?application=A&source=bridge:nosuch');
	assertError(r, 422);
});

serverTest('hung_up_member_leaves_its_bridge_before_StasisEnd', { files }, async (srv) => {
	const ws = await srv.events('A');
	await inApp(srv, ws, 'A', 'a');
	await bridge(srv, '?bridgeId=b');
	await add(srv, 'b', 'a');
	await ws.waitFor(isType('ChannelEnteredBridge', 'a'));
	assert.equal((await srv.del('/ari/channels/a')).status, 204);
	await ws.waitFor(isType('ChannelDestroyed', 'a'));
	const order = typesOf(ws, 'a', ['ChannelHangupRequest', 'ChannelLeftBridge', 'StasisEnd', 'ChannelDestroyed']);
	assert.deepEqual(order.filter((t) => t !== 'ChannelHangupRequest').slice(-3),
		['ChannelLeftBridge', 'StasisEnd', 'ChannelDestroyed']);
	assert.equal(order[0], 'ChannelHangupRequest');
	assert.deepEqual((await srv.get('/ari/bridges/b')).json.channels, []);
});

serverTest('continue_takes_the_channel_out_of_its_bridge_and_move_keeps_it', { files }, async (srv) => {
	const ws = await srv.events(['A', 'B']);
	await inApp(srv, ws, 'A', 'a');
	await inApp(srv, ws, 'A', 'c');
	await bridge(srv, '?bridgeId=b');
	await add(srv, 'b', 'a,c');
	await ws.waitFor(isType('ChannelEnteredBridge', 'c'));
	assert.equal((await srv.post('/ari/channels/c/move?app=B')).status, 204);
	await ws.waitFor((e) => isType('StasisStart', 'c')(e) && e.application === 'B');
	await sleep(100);
	assert.deepEqual((await srv.get('/ari/bridges/b')).json.channels, ['a', 'c']);
	assert.equal((await srv.post('/ari/channels/a/continue')).status, 204);
	const end = await ws.waitFor(isType('StasisEnd', 'a'));
	// a's own app sees it leave the bridge first, as Asterisk's continue
	// departs the bridge before StasisEnd.
	const leftA = ws.events.findIndex((e) => isType('ChannelLeftBridge', 'a')(e) && e.application === 'A');
	assert.ok(leftA >= 0 && leftA < ws.indexOf(end), ws.summary ? ws.summary() : 'ChannelLeftBridge before StasisEnd');
	// c's app (B) still watches the bridge: it sees a leave.
	await ws.waitFor((e) => isType('ChannelLeftBridge', 'a')(e) && e.application === 'B');
	assert.deepEqual((await srv.get('/ari/bridges/b')).json.channels, ['c']);
});

serverTest('bridge_owned_by_an_app_goes_with_the_app', { files }, async (srv) => {
	const wsO = await srv.events('owner');
	const wsW = await srv.events('W');
	await inApp(srv, wsO, 'owner', 'a');
	await bridge(srv, '?bridgeId=mine');
	await bridge(srv, '?bridgeId=free');
	// The bridge belongs to the app of the first Stasis channel added to it.
	await add(srv, 'mine', 'a');
	await wsO.waitFor(isType('ChannelEnteredBridge', 'a'));
	assert.equal((await srv.post('/ari/applications/W/subscription?eventSource=bridge:mine')).status, 200);
	await wsO.close();
	// Its channel keeps the app (and so the bridge) alive.
	await sleep(200);
	assert.equal((await srv.get('/ari/bridges/mine')).status, 200);
	assert.equal((await srv.del('/ari/channels/a')).status, 204);
	await wsW.waitFor(bridgeEv('BridgeDestroyed', 'mine'));
	assert.equal((await srv.get('/ari/bridges/mine')).status, 404);
	assert.equal((await srv.get('/ari/bridges/free')).status, 200, 'an unowned bridge stays');
	assert.equal((await srv.get('/ari/applications/owner')).status, 404);
});

serverTest('ari_client_drives_a_bridge_and_receives_its_typed_events', { files }, async (srv) => {
	const client = await srv.ari();
	const seen = [];
	client.on('ChannelEnteredBridge', (ev, objs) => seen.push(['enter', objs.bridge.id, objs.channel.id]));
	client.on('ChannelLeftBridge', (ev, objs) => seen.push(['left', objs.bridge.id, objs.channel.id]));
	const started = new Promise((resolve) => client.on('StasisStart', (ev, ch) => resolve(ch)));
	await client.start('cli');
	await client.channels.originate({ endpoint: 'Local/s@far', app: 'cli', channelId: 'a', otherChannelId: 'a2' });
	const ch = await started;
	const b = await client.bridges.create({ type: 'mixing', name: 'viaclient' });
	assert.equal(b.name, 'viaclient');
	await b.addChannel({ channel: ch.id });
	const deadline = Date.now() + 5000;
	while (!seen.length && Date.now() < deadline) await sleep(20);
	const got = await client.bridges.get({ bridgeId: b.id });
	assert.deepEqual(got.channels, ['a']);
	const list = await client.bridges.list();
	assert.deepEqual(list.map((x) => x.id), [b.id]);
	await b.removeChannel({ channel: 'a' });
	await b.destroy();
	while (seen.length < 2 && Date.now() < deadline) await sleep(20);
	assert.deepEqual(seen, [['enter', b.id, 'a'], ['left', b.id, 'a']]);
	await assert.rejects(client.bridges.get({ bridgeId: b.id }), /Bridge not found/);
});
