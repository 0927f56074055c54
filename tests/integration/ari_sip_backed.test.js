'use strict';
// Issue 4's ARI operations with real SIP peers (SIPp): channel-backed device
// state of PJSIP/alice during a call, rtp_statistics of an answered call
// with RTP, redirect of an unanswered inbound call (302), dynamic res_pjsip
// objects showing up as an endpoint, EndpointStateChange on REGISTER, and
// channels create + dial to a SIPp UAS.
const assert = require('node:assert/strict');
const {
	serverTest, pjsipConf, spawnSipp, assertSipp, sippReport, sleep, freeUdpPort, EVENT_TIMEOUT_MS, withSipp,
} = require('./lib/server');

const enc = encodeURIComponent;
const OPEN = { files: { 'pjsip.conf': pjsipConf({ alice: { match: '127.0.0.1' }, bob: {} }) } };

function callIn(srv, scenario, opts = {}) {
	return spawnSipp(Object.assign({ scenario, remote: srv, service: '100', keys: { from_user: 'alice' } }, opts));
}

const stateIs = (id, state) => (e) => e.type === 'ChannelStateChange' && e.channel.id === id &&
	e.channel.state === state;
const devState = (state) => (e) => e.type === 'DeviceStateChanged' &&
	e.device_state.name === 'PJSIP/alice' && e.device_state.state === state;

// alice has a static contact, so she is online (NOT_INUSE) while idle.
const ALICE_ONLINE = { files: { 'pjsip.conf': pjsipConf({
	alice: { match: '127.0.0.1', contact: 'sip:alice@127.0.0.1:5998' } }) } };

serverTest('pjsip_device_state_is_INUSE_while_alice_has_a_call_and_NOT_INUSE_after', ALICE_ONLINE, async (srv) => {
	const ws = await srv.events('sipapp');
	const watcher = await srv.events('devwatch');
	let r = await srv.post(`/ari/applications/devwatch/subscription?eventSource=${enc('deviceState:PJSIP/alice')}`);
	assert.equal(r.status, 200, r.body);
	const before = await srv.get(`/ari/deviceStates/${enc('PJSIP/alice')}`);
	assert.equal(before.status, 200, before.body);
	const idle = before.json.state;
	assert.deepEqual(before.json, { name: 'PJSIP/alice', state: 'NOT_INUSE' });

	const sipp = await callIn(srv, 'uac_call', { duration: 800 });
	await withSipp(sipp, async () => {
		const { channel } = await ws.waitFor('StasisStart');
		assert.equal((await srv.post(`/ari/channels/${enc(channel.id)}/answer`)).status, 204);
		await ws.waitFor(stateIs(channel.id, 'Up'));
		await watcher.waitFor(devState('INUSE'), EVENT_TIMEOUT_MS, { what: 'DeviceStateChanged INUSE' });
		r = await srv.get(`/ari/deviceStates/${enc('PJSIP/alice')}`);
		assert.deepEqual(r.json, { name: 'PJSIP/alice', state: 'INUSE' });
		// SIPp hangs up after -d.
		await ws.waitFor('ChannelDestroyed', 10000);
		const back = await watcher.waitFor((e) => devState(idle)(e) &&
			watcher.indexOf(e) > watcher.events.findIndex(devState('INUSE')), EVENT_TIMEOUT_MS,
		{ what: `DeviceStateChanged back to ${idle}` });
		assert.equal(back.application, 'devwatch');
		assertSipp(await sipp.done);
	});
	r = await srv.get(`/ari/deviceStates/${enc('PJSIP/alice')}`);
	assert.equal(r.json.state, idle);
	// The app that is not subscribed to the device heard nothing of it.
	assert.equal(ws.filter('DeviceStateChanged').length, 0);
});

serverTest('rtp_statistics_of_an_answered_sip_call_with_rtp', OPEN, async (srv) => {
	const ws = await srv.events('sipapp');
	const sipp = await callIn(srv, 'ari_uac_rtp', { duration: 1500 });
	await withSipp(sipp, async () => {
		const { channel } = await ws.waitFor('StasisStart');
		assert.equal((await srv.post(`/ari/channels/${enc(channel.id)}/answer`)).status, 204);
		await ws.waitFor(stateIs(channel.id, 'Up'));
		// Something for us to send: a tone on the channel.
		let r = await srv.post(`/ari/channels/${enc(channel.id)}/play?media=${enc('tone:440')}`);
		assert.equal(r.status, 200, r.body);
		await sleep(2200);
		r = await srv.get(`/ari/channels/${enc(channel.id)}/rtp_statistics`);
		assert.equal(r.status, 200, r.body);
		const st = r.json;
		// Asterisk's RTPstat field names.
		for (const k of ['txcount', 'rxcount', 'txoctetcount', 'rxoctetcount', 'txjitter', 'rxjitter',
			'rxploss', 'txploss', 'local_ssrc', 'remote_ssrc', 'channel_uniqueid'])
			assert.ok(k in st, `RTPstat lacks ${k}: ${r.body}`);
		assert.equal(st.channel_uniqueid, channel.id);
		assert.ok(st.txcount > 0, `txcount ${st.txcount}`);
		assert.ok(st.rxcount > 0, `rxcount ${st.rxcount}`);
		assert.ok(st.rxoctetcount > 0 && st.txoctetcount > 0, r.body);
		assertSipp(await sipp.done);
	});
});

async function redirectCall(srv, ws) {
	const sipp = await callIn(srv, 'ari_uac_redirected');
	return withSipp(sipp, async () => {
		const { channel } = await ws.waitFor('StasisStart');
		const r = await srv.post(`/ari/channels/${enc(channel.id)}/redirect?endpoint=${
			enc('PJSIP/sip:carol@127.0.0.1:5999')}`);
		assert.equal(r.status, 204, r.body);
		const done = await sipp.done;
		assertSipp(done, 0, 'INVITE → 302 → ACK');
		return { channel, done };
	});
}

serverTest('redirect_of_an_unanswered_inbound_sip_call_sends_302_with_the_contact', OPEN, async (srv) => {
	const ws = await srv.events('sipapp');
	const { done } = await redirectCall(srv, ws);
	assert.match(done.messages, /SIP\/2\.0 302[^\n]*\n(?:[^\n]+\n)*?Contact:\s*<sip:carol@127\.0\.0\.1:5999>/i);
});

// As in Asterisk, the 302 ends the call: the channel leaves the app and is
// destroyed.
serverTest('redirected_sip_channel_is_destroyed_after_the_302', OPEN, async (srv) => {
	const ws = await srv.events('sipapp');
	const { channel } = await redirectCall(srv, ws);
	await ws.waitFor('StasisEnd');
	await ws.waitFor('ChannelDestroyed');
	await srv.waitChannelGone(channel.id);
});

serverTest('dynamic_res_pjsip_endpoint_is_listed_readable_and_deletable', OPEN, async (srv) => {
	const DYN = '/ari/asterisk/config/dynamic/res_pjsip';
	const put = (type, id, o) => srv.request({ method: 'PUT', path: `${DYN}/${type}/${id}`,
		body: { fields: Object.entries(o).map(([attribute, value]) => ({ attribute, value })) } });
	const asObj = (list) => Object.fromEntries(list.map((f) => [f.attribute, f.value]));

	let r = await put('auth', 'carol-auth', { auth_type: 'userpass', username: 'carol', password: 'C-pw-9' });
	assert.equal(r.status, 200, r.body);
	r = await put('aor', 'carol', { max_contacts: '1' });
	assert.equal(r.status, 200, r.body);
	r = await put('endpoint', 'carol', { context: 'stasis-sipapp', disallow: 'all', allow: 'ulaw',
		auth: 'carol-auth', aors: 'carol' });
	assert.equal(r.status, 200, r.body);
	assert.ok(Array.isArray(r.json), r.body);

	r = await srv.get(`${DYN}/endpoint/carol`);
	assert.equal(r.status, 200, r.body);
	const ep = asObj(r.json);
	assert.equal(ep.context, 'stasis-sipapp');
	assert.equal(ep.aors, 'carol');
	assert.equal(ep.auth, 'carol-auth');
	r = await srv.get(`${DYN}/aor/carol`);
	assert.equal(asObj(r.json).max_contacts, '1');

	r = await srv.get('/ari/endpoints');
	assert.ok(r.json.some((e) => e.technology === 'PJSIP' && e.resource === 'carol'),
		`carol not listed: ${r.body}`);
	r = await srv.get('/ari/endpoints/PJSIP/carol');
	assert.equal(r.status, 200, r.body);

	r = await srv.del(`${DYN}/endpoint/carol`);
	assert.equal(r.status, 204, r.body);
	r = await srv.get(`${DYN}/endpoint/carol`);
	assert.equal(r.status, 404, r.body);
	r = await srv.get('/ari/endpoints/PJSIP/carol');
	assert.equal(r.status, 404, r.body);
	assert.equal((await srv.del(`${DYN}/aor/carol`)).status, 204);
	assert.equal((await srv.del(`${DYN}/auth/carol-auth`)).status, 204);
});

serverTest('endpoint_subscription_delivers_EndpointStateChange_when_alice_registers', {
	files: { 'pjsip.conf': pjsipConf({ alice: { password: 'Alice-pw1' } }) },
}, async (srv) => {
	const ws = await srv.events('epwatch');
	const other = await srv.events('bystander');
	let r = await srv.post(`/ari/applications/epwatch/subscription?eventSource=${enc('endpoint:PJSIP/alice')}`);
	assert.equal(r.status, 200, r.body);
	r = await srv.get('/ari/endpoints/PJSIP/alice');
	assert.equal(r.json.state, 'offline');

	const sipp = await spawnSipp({ scenario: 'uac_register', remote: srv, auth: { user: 'alice', pass: 'Alice-pw1' },
		keys: { from_user: 'alice', expires: 60 } });
	await withSipp(sipp, async () => {
		const ev = await ws.waitFor((e) => e.type === 'EndpointStateChange' && e.endpoint.state === 'online');
		assert.equal(ev.endpoint.technology, 'PJSIP');
		assert.equal(ev.endpoint.resource, 'alice');
		assert.equal(ev.application, 'epwatch');
		await sipp.done;
	});
	await other.expectNone('EndpointStateChange', 100, 'unsubscribed app got EndpointStateChange');
});

serverTest('channels_create_then_dial_a_sip_uas_gives_dial_events_and_up', OPEN, async (srv) => {
	const ws = await srv.events('dialapp');
	const uasPort = await freeUdpPort();
	const uas = await spawnSipp({ scenario: 'uas_answer', port: uasPort });
	await uas.ready();
	await withSipp(uas, async () => {
		let r = await srv.post(`/ari/channels/create?endpoint=${enc(`PJSIP/bob/sip:bob@127.0.0.1:${uasPort}`)}` +
			'&app=dialapp');
		assert.equal(r.status, 200, r.body);
		const ch = r.json;
		assert.equal(ch.state, 'Down');
		r = await srv.post(`/ari/channels/${enc(ch.id)}/dial?timeout=10`);
		assert.equal(r.status, 204, r.body);
		const dialStart = await ws.waitFor((e) => e.type === 'Dial' && e.peer.id === ch.id && e.dialstatus === '');
		assert.match(dialStart.dialstring, /bob/);
		await ws.waitFor((e) => e.type === 'Dial' && e.peer.id === ch.id && e.dialstatus === 'ANSWER');
		await ws.waitFor(stateIs(ch.id, 'Up'));
		assert.equal((await srv.del(`/ari/channels/${enc(ch.id)}`)).status, 204);
		await ws.waitFor('ChannelDestroyed');
		assertSipp(await uas.done, 0, 'UAS: INVITE → 200 → ACK → BYE → 200');
	});
});
