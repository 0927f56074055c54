'use strict';
// res_pjsip dynamic configuration over ARI: an app provisions endpoint, auth
// and aor "carol" with PUT /asterisk/config/dynamic/res_pjsip/..., carol
// then registers with digest auth and calls into the app over real SIP
// (SIPp); GET reads the fields back, DELETE removes them (and carol can no
// longer register); objects from pjsip.conf are read-only (403); a bad
// field is 400 and changes nothing.
const assert = require('node:assert/strict');
const {
	serverTest, pjsipConf, runSipp, spawnSipp, assertSipp, sippReport, freeUdpPort, EVENT_TIMEOUT_MS,
} = require('./lib/server');

const enc = encodeURIComponent;
const DYN = '/ari/asterisk/config/dynamic/res_pjsip';
const CONF = { files: { 'pjsip.conf': pjsipConf({ alice: { password: 'Alice-pw1' } }) } };
const fields = (o) => ({ fields: Object.entries(o).map(([attribute, value]) => ({ attribute, value })) });
const asObj = (list) => Object.fromEntries(list.map((f) => [f.attribute, f.value]));

async function put(srv, type, id, o) {
	return srv.request({ method: 'PUT', path: `${DYN}/${type}/${id}`, body: fields(o) });
}

async function provisionCarol(srv) {
	let r = await put(srv, 'auth', 'carol-auth', { auth_type: 'userpass', username: 'carol', password: 'Carol-pw9' });
	assert.equal(r.status, 200, r.body);
	r = await put(srv, 'aor', 'carol', { max_contacts: '1', remove_existing: 'yes' });
	assert.equal(r.status, 200, r.body);
	r = await put(srv, 'endpoint', 'carol', { context: 'stasis-sipapp', allow: 'ulaw', auth: 'carol-auth', aors: 'carol' });
	assert.equal(r.status, 200, r.body);
	return r;
}

function register(srv, port, { expires = 60, pass = 'Carol-pw9', scenario = 'uac_register' } = {}) {
	return runSipp({ scenario, remote: srv, port, auth: { user: 'carol', pass },
		keys: { from_user: 'carol', expires }, timeoutMs: 8000 });
}

serverTest('provisioned_endpoint_registers_and_calls_into_the_app', CONF, async (srv) => {
	const ws = await srv.events('sipapp');
	const put1 = await provisionCarol(srv);
	assert.equal(asObj(put1.json).context, 'stasis-sipapp');

	const ep = await srv.get('/ari/endpoints/PJSIP/carol');
	assert.equal(ep.status, 200, ep.body);

	const port = await freeUdpPort();
	assertSipp(await register(srv, port), 0, 'carol REGISTER with digest auth → 200');
	const online = await srv.get('/ari/endpoints/PJSIP/carol');
	assert.equal(online.json.state, 'online', online.body);

	const sipp = await spawnSipp({ scenario: 'uac_auth_call', remote: srv, service: '100',
		auth: { user: 'carol', pass: 'Carol-pw9' }, keys: { from_user: 'carol' }, duration: 500 });
	try {
		const { channel } = await ws.waitFor('StasisStart', EVENT_TIMEOUT_MS);
		assert.match(channel.name, /^PJSIP\/carol-[0-9a-f]{8}$/);
		assert.equal((await srv.post(`/ari/channels/${enc(channel.id)}/answer`)).status, 204);
		assertSipp(await sipp.done, 0, 'authenticated INVITE from carol answered, BYE');
	} catch (e) {
		e.message += '\n' + sippReport(await sipp.stop());
		throw e;
	}
	assertSipp(await register(srv, port, { expires: 0 }), 0, 'unregister');
});

serverTest('get_returns_the_fields_and_delete_removes_the_objects', CONF, async (srv) => {
	await provisionCarol(srv);
	const g = await srv.get(`${DYN}/endpoint/carol`);
	assert.equal(g.status, 200, g.body);
	const f = asObj(g.json);
	assert.equal(f.context, 'stasis-sipapp');
	assert.equal(f.auth, 'carol-auth');
	assert.equal(f.aors, 'carol');
	assert.equal(f.allow, 'ulaw');
	const a = await srv.get(`${DYN}/auth/carol-auth`);
	assert.equal(asObj(a.json).username, 'carol');
	const aor = await srv.get(`${DYN}/aor/carol`);
	assert.equal(asObj(aor.json).max_contacts, '1');

	assert.equal((await srv.del(`${DYN}/endpoint/carol`)).status, 204);
	assert.equal((await srv.get(`${DYN}/endpoint/carol`)).status, 404);
	assert.equal((await srv.get('/ari/endpoints/PJSIP/carol')).status, 404);
	assert.equal((await srv.del(`${DYN}/endpoint/carol`)).status, 404);
	// carol is gone: her REGISTER finds no endpoint, and is challenged and
	// refused like any unknown user (chan_pjsip's artificial endpoint)
	const r = await register(srv, await freeUdpPort(), { scenario: 'uac_register_wrong_password' });
	assertSipp(r, 0, 'REGISTER → 401 → REGISTER with credentials → 401');
	assert.doesNotMatch(r.messages, /SIP\/2\.0 200 OK/, sippReport(r));
	assert.equal((await srv.del(`${DYN}/auth/carol-auth`)).status, 204);
	assert.equal((await srv.del(`${DYN}/aor/carol`)).status, 204);
});

serverTest('file_objects_are_403_and_bad_fields_400', CONF, async (srv) => {
	const d = await srv.del(`${DYN}/endpoint/alice`);
	assert.equal(d.status, 403, d.body);
	const u = await put(srv, 'endpoint', 'alice', { context: 'elsewhere' });
	assert.equal(u.status, 403, u.body);
	assert.equal(asObj((await srv.get(`${DYN}/endpoint/alice`)).json).context, 'stasis-sipapp');

	const bad = await put(srv, 'endpoint', 'dave', { context: 'x', no_such_option: '1' });
	assert.equal(bad.status, 400, bad.body);
	assert.equal((await srv.get(`${DYN}/endpoint/dave`)).status, 404, 'a refused PUT creates nothing');
	const badval = await put(srv, 'aor', 'dave', { max_contacts: 'many' });
	assert.equal(badval.status, 400, badval.body);
	const unknownType = await put(srv, 'contact', 'dave', { uri: 'sip:x@y' });
	assert.equal(unknownType.status, 404, unknownType.body);
});

// A pjsip.conf whose only transport is broken (a header without its ']',
// a protocol ariadne does not have) listens nowhere, and says so: before,
// the first started SIP on 127.0.0.1:5060, which nobody had configured,
// and the second started the transport as UDP.
for (const [what, conf, why] of [
	['a header without its bracket', '[transport-udp\ntype = transport\nprotocol = udp\nbind = 127.0.0.1:{{SIP_PORT}}\n',
		/pjsip\.conf:1: no closing '\]' in section header/],
	['an unsupported protocol', '[transport-sctp]\ntype = transport\nprotocol = sctp\nbind = 127.0.0.1:{{SIP_PORT}}\n',
		/ERROR\[\d+\]: .*pjsip\.conf:3: Transport 'transport-sctp': protocol 'sctp' is not supported \(udp, tcp, tls\); not started/],
]) {
	serverTest(`a_pjsip_conf_whose_transport_is_broken_listens_nowhere_${what.replace(/ /g, '_')}`,
		{ files: { 'pjsip.conf': conf } }, async (srv) => {
			await srv.waitForLog(why);
			await srv.waitForLog(/WARNING\[\d+\]: .*pjsip\.conf has no usable transport: SIP is not listening/);
			assert.doesNotMatch(srv.stderr, /listening on UDP 127\.0\.0\.1:5060/);
			const out = (await srv.cli('pjsip show transports')).stdout;
			assert.doesNotMatch(out, /127\.0\.0\.1/, out);
			assert.equal((await srv.get('/ari/asterisk/ping')).status, 200);
		});
}
