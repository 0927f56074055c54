'use strict';
// Outbound registrations (pjsip.conf type=registration): ariadne registers
// with a provider (SIPp plays its registrar), answers its digest challenge,
// and `pjsip show registrations` prints what res_pjsip_outbound_registration
// prints; a refusal is logged in Asterisk's words.
const assert = require('node:assert/strict');
const { test } = require('node:test');
const { startServer, stopServer, spawnSipp, sippReport, assertSipp, pjsipConf } = require('./lib/server');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function registrationConf(port, extra = '') {
	return pjsipConf({}) + '\n' + [
		'[provider-auth]', 'type = auth', 'auth_type = userpass', 'username = trunkuser', 'password = s3cret', '',
		'[provider]', 'type = registration', `server_uri = sip:127.0.0.1:${port}`,
		`client_uri = sip:trunkuser@127.0.0.1:${port}`, 'contact_user = 4830001000',
		'outbound_auth = provider-auth', 'expiration = 120', extra, '',
	].join('\n');
}

async function cliUntil(srv, cmd, re, timeoutMs = 8000) {
	const deadline = Date.now() + timeoutMs;
	let r;
	for (;;) {
		r = await srv.cli(cmd);
		if (re.test(r.stdout) || Date.now() > deadline) return r;
		await sleep(100);
	}
}

test('registers_with_the_providers_digest_and_shows_registered', async () => {
	const reg = await (await spawnSipp({ scenario: 'outreg_uas_registrar', keys: { expires: 120 } })).ready();
	const srv = await startServer({ files: { 'pjsip.conf': registrationConf(reg.port) } });
	let err = null;
	try {
		const done = await reg.done;
		assertSipp(done, 0, 'REGISTER → 401 → REGISTER with Authorization → 200');
		const regs = done.messages.split(/\n(?=-{5,})/).filter((m) => /^REGISTER sip:/m.test(m));
		assert.equal(regs.length, 2, sippReport(done));
		assert.match(regs[0], new RegExp(`^REGISTER sip:127\\.0\\.0\\.1:${reg.port} SIP/2\\.0`, 'm'));
		assert.match(regs[0], /^From: .*sip:trunkuser@127\.0\.0\.1/m);
		assert.match(regs[0], /^To: .*sip:trunkuser@127\.0\.0\.1/m);
		assert.match(regs[0], /^Contact: .*sip:4830001000@127\.0\.0\.1/m);
		assert.match(regs[0], /^Expires: 120|expires=120/m);
		assert.match(regs[1], /Authorization: Digest [^\n]*username="trunkuser"[^\n]*realm="provider"/);
		const r = await cliUntil(srv, 'pjsip show registrations', /Registered/);
		assert.equal(r.code, 0, r.stderr);
		assert.match(r.stdout, /<Registration\/ServerURI\.+>\s+<Auth\.+>\s+<Status\.+>/);
		const row = r.stdout.split('\n').find((l) => l.startsWith(' provider/'));
		assert.ok(row, r.stdout);
		assert.match(row, new RegExp(`^ provider/sip:127\\.0\\.0\\.1:${reg.port} +provider-auth +Registered +\\(exp\\. (\\d+)s\\)$`));
		const left = Number(/\(exp\. (\d+)s\)/.exec(row)[1]);
		assert.ok(left > 100 && left <= 120, row);
		assert.match(r.stdout, /Objects found: 1/);
	} catch (e) { err = e; }
	await stopServer(srv, err);
});

test('a_403_stops_the_registration_with_asterisks_warning', async () => {
	const reg = await (await spawnSipp({ scenario: 'outreg_uas_forbidden' })).ready();
	const srv = await startServer({ files: { 'pjsip.conf': registrationConf(reg.port) } });
	let err = null;
	try {
		assertSipp(await reg.done, 0, 'REGISTER → 403');
		const r = await cliUntil(srv, 'pjsip show registrations', /Rejected/);
		assert.match(r.stdout, /^ provider\/sip:\S+ +provider-auth +Rejected *$/m, r.stdout);
		assert.match(srv.stderr, new RegExp(`WARNING.*Fatal response '403' received from 'sip:127\\.0\\.0\\.1:${reg.port}' ` +
			`on registration attempt to 'sip:trunkuser@127\\.0\\.0\\.1:${reg.port}', stopping outbound registration`));
	} catch (e) { err = e; }
	await stopServer(srv, err);
});

test('without_registrations_the_listing_says_no_objects_and_bad_sections_are_named', async () => {
	const conf = pjsipConf({}) + '\n[broken]\ntype = registration\nclient_uri = sip:x@127.0.0.1\nbogus = 1\n';
	const srv = await startServer({ files: { 'pjsip.conf': conf } });
	let err = null;
	try {
		const r = await srv.cli('pjsip show registrations');
		assert.equal(r.code, 0, r.stderr);
		assert.equal(r.stdout.trim(), 'No objects found.');
		assert.match(srv.stderr, /ERROR.*No server URI specified on outbound registration 'broken'/);
		assert.match(srv.stderr, /WARNING.*Unknown option 'bogus' for outbound registration 'broken'/);
	} catch (e) { err = e; }
	await stopServer(srv, err);
});
