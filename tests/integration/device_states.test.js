'use strict';
// /deviceStates: ARI-controlled Stasis: devices (update, get, list, delete,
// kept across restarts), error statuses, DeviceStateChanged to subscribed
// apps.
const assert = require('node:assert/strict');
const { serverTest } = require('./lib/server');

const enc = encodeURIComponent;

/** Stop the server process and start it again on the same dirs and port. */
async function restart(srv) {
	await srv._closeClients();
	srv.proc.kill('SIGTERM');
	await srv.exited;
	assert.equal(srv.exit.code, 0, 'clean exit before restart');
	srv._spawn();
	assert.ok(await srv._waitReady(), 'server ready again');
}

serverTest('stasis_device_update_get_list_delete_through_ari_client', async (srv) => {
	const client = await srv.ari();
	await client.deviceStates.update({ deviceName: 'Stasis:lamp', deviceState: 'BUSY' });
	let d = await client.deviceStates.get({ deviceName: 'Stasis:lamp' });
	assert.equal(d.name, 'Stasis:lamp');
	assert.equal(d.state, 'BUSY');
	await client.deviceStates.update({ deviceName: 'Stasis:desk', deviceState: 'onhold' });
	const list = await client.deviceStates.list();
	assert.deepEqual(list.map((x) => [x.name, x.state]),
		[['Stasis:desk', 'ONHOLD'], ['Stasis:lamp', 'BUSY']]);
	await client.deviceStates.delete({ deviceName: 'Stasis:lamp' });
	d = await client.deviceStates.get({ deviceName: 'Stasis:lamp' });
	assert.equal(d.state, 'UNKNOWN', 'a deleted Stasis device reads UNKNOWN');
	const r = await srv.get('/ari/deviceStates');
	assert.deepEqual(r.json, [{ name: 'Stasis:desk', state: 'ONHOLD' }]);
});

serverTest('device_state_error_statuses', async (srv) => {
	const put = (name, state) => srv.request({ method: 'PUT',
		path: `/ari/deviceStates/${enc(name)}` + (state ? `?deviceState=${state}` : '') });
	let r = await put('PJSIP/alice', 'BUSY');
	assert.equal(r.status, 409, r.body);
	assert.deepEqual(r.json, { message: 'Uncontrolled device specified' });
	r = await put('Stasis:', 'BUSY');
	assert.equal(r.status, 404, r.body);
	r = await put('Stasis:x', 'SLEEPY');
	assert.equal(r.status, 500, r.body); // Asterisk: "Unknown device"
	r = await put('Stasis:x', 'UNKNOWN');
	assert.equal(r.status, 500, r.body);
	r = await put('Stasis:x');
	assert.equal(r.status, 500, r.body);
	r = await srv.del('/ari/deviceStates/Stasis%3A');
	assert.equal(r.status, 404, r.body);
	assert.deepEqual(r.json, { message: 'Device name is missing' });
	r = await srv.del('/ari/deviceStates/Custom%3Ax');
	assert.equal(r.status, 409, r.body);
	// get answers every name.
	r = await srv.get('/ari/deviceStates/Stasis%3Anever');
	assert.deepEqual([r.status, r.json], [200, { name: 'Stasis:never', state: 'UNKNOWN' }]);
	r = await srv.get('/ari/deviceStates/nothing');
	assert.deepEqual([r.status, r.json.state], [200, 'INVALID']);
	r = await srv.get('/ari/deviceStates/PJSIP%2Fnobody');
	assert.equal(r.json.state, 'INVALID');
	r = await srv.get('/ari/deviceStates');
	assert.deepEqual(r.json, [], 'failed updates created nothing');
});

serverTest('subscribed_app_gets_DeviceStateChanged_and_others_do_not', async (srv) => {
	const ws = await srv.events('dwatch');
	const other = await srv.events('dother');
	const client = await srv.ari();
	const app = await client.applications.subscribe({ applicationName: 'dwatch',
		eventSource: 'deviceState:Stasis:lamp' });
	assert.deepEqual(app.device_names, ['Stasis:lamp']);

	await client.deviceStates.update({ deviceName: 'Stasis:lamp', deviceState: 'INUSE' });
	await client.deviceStates.update({ deviceName: 'Stasis:other', deviceState: 'INUSE' });
	let ev = await ws.waitFor('DeviceStateChanged');
	assert.equal(ev.application, 'dwatch');
	assert.deepEqual(ev.device_state, { name: 'Stasis:lamp', state: 'INUSE' });
	await client.deviceStates.update({ deviceName: 'Stasis:lamp', deviceState: 'RINGING' });
	ev = await ws.waitFor((e) => e.type === 'DeviceStateChanged' && e.device_state.state === 'RINGING');
	await client.deviceStates.delete({ deviceName: 'Stasis:lamp' });
	ev = await ws.waitFor((e) => e.type === 'DeviceStateChanged' && e.device_state.state === 'UNKNOWN');
	await ws.expectNone((e) => e.type === 'DeviceStateChanged' && e.device_state.name !== 'Stasis:lamp',
		200, 'unsubscribed device');
	await other.expectNone('DeviceStateChanged', 100, 'app not subscribed');
});

// Asterisk answers 204 for a Stasis device it never had, and announces
// nothing (there was no state to clear).
serverTest('delete_of_an_unknown_stasis_device_answers_204_and_announces_nothing', async (srv) => {
	const ws = await srv.events('dnever', { subscribeAll: true });
	let r = await srv.del('/ari/deviceStates/Stasis%3Anever');
	assert.equal(r.status, 204, r.body);
	r = await srv.request({ method: 'PUT', path: '/ari/deviceStates/Stasis%3Afence?deviceState=INUSE' });
	assert.equal(r.status, 204, r.body);
	const fence = await ws.waitFor('DeviceStateChanged');
	assert.equal(fence.device_state.name, 'Stasis:fence', 'no DeviceStateChanged for Stasis:never before it');
	r = await srv.get('/ari/deviceStates/Stasis%3Anever');
	assert.deepEqual([r.status, r.json.state], [200, 'UNKNOWN']);
	r = await srv.get('/ari/deviceStates');
	assert.deepEqual(r.json, [{ name: 'Stasis:fence', state: 'INUSE' }], 'the delete created nothing');
});

serverTest('subscribeAll_app_gets_every_device_state_change', async (srv) => {
	const ws = await srv.events('dall', { subscribeAll: true });
	const r = await srv.request({ method: 'PUT', path: '/ari/deviceStates/Stasis%3Aany?deviceState=NOT_INUSE' });
	assert.equal(r.status, 204, r.body);
	const ev = await ws.waitFor('DeviceStateChanged');
	assert.deepEqual(ev.device_state, { name: 'Stasis:any', state: 'NOT_INUSE' });
});

serverTest('stasis_device_states_survive_a_restart', async (srv) => {
	let r = await srv.request({ method: 'PUT', path: '/ari/deviceStates/Stasis%3Akeep?deviceState=UNAVAILABLE' });
	assert.equal(r.status, 204, r.body);
	r = await srv.request({ method: 'PUT', path: '/ari/deviceStates/stasis%3Acase?deviceState=inuse' });
	assert.equal(r.status, 204, r.body);
	await restart(srv);
	r = await srv.get('/ari/deviceStates');
	assert.deepEqual(r.json, [
		{ name: 'Stasis:case', state: 'INUSE' },
		{ name: 'Stasis:keep', state: 'UNAVAILABLE' },
	]);
});
