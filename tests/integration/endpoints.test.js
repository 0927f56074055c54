'use strict';
// /endpoints: list, listByTech, get and sendMessage checks, through
// ari-client 2.2.0 and raw HTTP. PJSIP endpoints from pjsip.conf are checked
// once the SIP module is in the build (chan_pjsip.so listed).
const assert = require('node:assert/strict');
const { serverTest, ini } = require('./lib/server');

serverTest('list_and_lookups_of_missing_endpoints', async (srv) => {
	const client = await srv.ari();
	const list = await client.endpoints.list();
	assert.ok(Array.isArray(list));
	let r = await srv.get('/ari/endpoints/NoSuchTech');
	assert.equal(r.status, 404);
	assert.match(r.json.message, /invalid tech NoSuchTech/);
	r = await srv.get('/ari/endpoints/NoSuchTech/alice');
	assert.equal(r.status, 404);
	assert.equal(r.json.message, 'Endpoint not found');
	await assert.rejects(client.endpoints.get({ tech: 'NoSuchTech', resource: 'alice' }), /Endpoint not found/);
});

serverTest('send_message_checks_to_from_and_destination', async (srv) => {
	let r = await srv.request({ method: 'PUT', path: '/ari/endpoints/sendMessage?from=me&body=hi' });
	assert.equal(r.status, 400);
	assert.equal(r.json.message, 'To must be specified');
	r = await srv.request({ method: 'PUT', path: '/ari/endpoints/sendMessage?to=pjsip:alice&body=hi' });
	assert.equal(r.status, 400);
	assert.equal(r.json.message, 'From must be specified');
	r = await srv.request({ method: 'PUT', path: '/ari/endpoints/sendMessage?to=nosuch:alice&from=me' });
	assert.equal(r.status, 404);
	r = await srv.request({ method: 'PUT', path: '/ari/endpoints/sendMessage?to=pjsip:alice&from=me',
		body: { variables: 'not an object' } });
	assert.equal(r.status, 400);
	r = await srv.request({ method: 'PUT', path: '/ari/endpoints/PJSIP/nobody/sendMessage?from=me' });
	assert.equal(r.status, 404);
	r = await srv.request({ method: 'PUT', path: '/ari/endpoints/PJSIP/nobody/sendMessage' });
	assert.equal(r.status, 400);
	// swagger-client sends a parameter named `body` as the HTTP body (not
	// JSON), which Asterisk's parser rejects too; call without it here.
	const client = await srv.ari();
	await assert.rejects(client.endpoints.sendMessage({ to: 'nosuch:alice', from: 'me' }),
		/Endpoint not found/);
	await assert.rejects(client.endpoints.sendMessageToEndpoint({ tech: 'PJSIP', resource: 'nobody', from: 'me' }),
		/Endpoint not found/);
});

const PJSIP = `
[transport-udp]
type = transport
protocol = udp
bind = 127.0.0.1:{{SIP_PORT}}

[alice]
type = endpoint
context = default
aors = alice

[alice]
type = aor
max_contacts = 1
`;

serverTest('pjsip_endpoints_from_pjsip_conf_are_listed_and_found', { files: { 'pjsip.conf': PJSIP } }, async (srv) => {
	const mods = (await srv.get('/ari/asterisk/modules')).json.map((m) => m.name);
	assert.ok(mods.includes('chan_pjsip.so'), mods.join(','));
	const client = await srv.ari();
	const eps = await client.endpoints.listByTech({ tech: 'PJSIP' });
	assert.ok(eps.some((e) => e.resource === 'alice'), eps.map((e) => e.resource).join(','));
	const ep = await client.endpoints.get({ tech: 'PJSIP', resource: 'alice' });
	assert.equal(ep.technology, 'PJSIP');
	assert.deepEqual(ep.channel_ids, []);
	const r = await srv.get('/ari/endpoints/PJSIP/bob');
	assert.equal(r.status, 404);
});
