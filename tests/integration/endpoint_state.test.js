'use strict';
// The state GET /endpoints/PJSIP/{name} reports, as res_pjsip's endpoint
// state compositor decides it in Asterisk 22: an endpoint is online while
// one of its AORs has an available contact (any contact of an AOR that is
// not qualified, a Reachable one of an AOR that is), and offline otherwise:
// with no AOR at all, an AOR that does not exist, an AOR without contacts,
// or a qualified contact not (yet) reachable. Its device state follows
// (UNAVAILABLE while offline).
//
// Not here: registration itself (sip_registrar.test.js), qualify timing
// (sip_paths.test.js).
const assert = require('node:assert/strict');
const { serverTest, runSipp, assertSipp, freeUdpPort, SLOW } = require('./lib/server');

const PJSIP = `
[transport-udp]
type = transport
protocol = udp
bind = 127.0.0.1:{{SIP_PORT}}

[noaor]
type = endpoint
context = default

[ghost]
type = endpoint
context = default
aors = nosuchaor

[empty]
type = endpoint
context = default
aors = empty

[empty]
type = aor
max_contacts = 1

[static]
type = endpoint
context = default
aors = static

[static]
type = aor
contact = sip:static@127.0.0.1:9

[qualified]
type = endpoint
context = default
aors = qualified

[qualified]
type = aor
contact = sip:qualified@127.0.0.1:9
qualify_frequency = 3600

[reg]
type = endpoint
context = default
aors = reg

[reg]
type = aor
max_contacts = 1
`;
const files = { 'pjsip.conf': PJSIP };

const state = async (srv, name) => {
	const r = await srv.get(`/ari/endpoints/PJSIP/${name}`);
	assert.equal(r.status, 200, r.body);
	return r.json.state;
};
const devstate = async (srv, name) => (await srv.get(`/ari/deviceStates/PJSIP%2F${name}`)).json.state;

serverTest('endpoint_without_a_reachable_contact_is_offline', { files }, async (srv) => {
	for (const name of ['noaor', 'ghost', 'empty', 'qualified'])
		assert.equal(await state(srv, name), 'offline', `PJSIP/${name}`);
	assert.equal(await devstate(srv, 'noaor'), 'UNAVAILABLE');
	const list = (await srv.get('/ari/endpoints/PJSIP')).json;
	assert.equal(list.find((e) => e.resource === 'noaor').state, 'offline', JSON.stringify(list));
});

serverTest('endpoint_with_a_static_unqualified_contact_is_online', { files }, async (srv) => {
	assert.equal(await state(srv, 'static'), 'online');
	assert.equal(await devstate(srv, 'static'), 'NOT_INUSE');
});

serverTest('endpoint_goes_online_when_a_contact_registers', { files }, async (srv) => {
	assert.equal(await state(srv, 'reg'), 'offline', 'no contact yet');
	const reg = await runSipp({ scenario: 'path_uac_register_once', remote: srv, port: await freeUdpPort(),
		timeoutMs: 8000 * SLOW, keys: { from_user: 'reg', contact_user: 'reg', expires: 60 } });
	assertSipp(reg, 0, 'REGISTER → 200');
	assert.equal(await state(srv, 'reg'), 'online');
});
