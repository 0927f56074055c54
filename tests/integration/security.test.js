'use strict';
// Security (issue 10 §4): Asterisk's security events on failed SIP and ARI
// authentication, written so that fail2ban's asterisk filter reads them;
// per-address back-off of repeated failures; ari.conf password_format =
// crypt; no user enumeration through SIP answers.
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const dgram = require('node:dgram');
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { serverTest, pjsipConf, basicAuth, ini, sleep, SLOW } = require('./lib/server');
const { udpPeer } = require('./lib/udp_peer');

const PASS = 'Xy9-secret';
// The security channel as Asterisk's logger.conf.sample suggests, plus the
// console so that waitForLog sees the lines.
const LOGGER = '[logfiles]\nsecurity => security\nconsole => notice,warning,error,verbose,security\n';
// A SHA-512 crypt(3) hash of 1 000 000 rounds that no password matches:
// about 0.2 s a check, slow enough to see where checks run.
const SLOW_HASH = '$6$rounds=1000000$saltsaltsaltsalt$' + 'A'.repeat(86);
const SIP = { files: { 'pjsip.conf': pjsipConf({ alice: { password: PASS } }), 'logger.conf': LOGGER } };

// fail2ban 1.0.2 (Debian 12), /etc/fail2ban/filter.d/asterisk.conf: the
// prefix every line must carry (log_prefix, after the date) and the
// failregex for security events, <HOST> as a named group.
const F2B_PREFIX = /^(?:NOTICE|SECURITY|WARNING)(?:\s*\[\d+\]):?(?:\[C-[\da-f]*\])?:? [^:]+:\d*(?:(?: in)? [^:]+:)? (?<content>.+)$/;
const F2B_SECURITY = /^SecurityEvent="(?:FailedACL|InvalidAccountID|ChallengeResponseFailed|InvalidPassword)"(?:(?:,(?!RemoteAddress=)\w+="[^"]*")*|.*?),RemoteAddress="IPV[46]\/[^/"]+\/(?<host>[^/"]+)\/\d+"(?:,(?!RemoteAddress=)\w+="[^"]*")*$/;

// ... and the one for chan_pjsip's NOTICE of a refused request.
const F2B_REQUEST = /^Request (?:'[^']*' )?from '(?:[^']*|.*?)' failed for '(?<host>[\w.:[\]-]+?)(?::\d+)?'\s\(callid: [^)]*\) - (?:No matching endpoint found|Not match Endpoint(?: Contact)? ACL|(?:Failed|Error) to authenticate)\s*$/;

// ... and the one for a call to an extension the context does not have.
const F2B_EXTEN = /^Call from '[^']*' \((?:(?:TCP|UDP):)?(?<host>[\w.:[\]-]+?):\d+\) to extension '[^']*' rejected because extension not found in context '[^']*'\.$/;

/** The host fail2ban would ban for this log line, or null. */
function fail2banHost(line) {
	const noDate = line.replace(/^\[[^\]]+\]\s*/, '');
	const p = F2B_PREFIX.exec(noDate);
	if (!p) return null;
	const m = F2B_SECURITY.exec(p.groups.content) || F2B_REQUEST.exec(p.groups.content) ||
		F2B_EXTEN.exec(p.groups.content);
	return m ? m.groups.host : null;
}

function securityLines(srv, event) {
	const file = path.join(srv.logDir, 'security');
	const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
	return text.split('\n').filter((l) => l.includes(`SecurityEvent="${event}"`));
}

async function waitSecurity(srv, event, n = 1) {
	const deadline = Date.now() + 5000 * SLOW;
	for (;;) {
		const lines = securityLines(srv, event);
		if (lines.length >= n) return lines;
		if (Date.now() > deadline)
			throw new Error(`${n} ${event} line(s) not in the security log:\n` +
				fs.readFileSync(path.join(srv.logDir, 'security'), 'utf8'));
		await sleep(25);
	}
}

/** name="value" fields of a security line, in order. */
function fields(line) {
	return [...line.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]);
}

// ---- a small SIP client over UDP --------------------------------------------

const md5 = (s) => crypto.createHash('md5').update(s).digest('hex');

class SipClient {
	constructor(srv, address = '127.0.0.1') {
		this.srv = srv;
		this.address = address;
		this.sock = dgram.createSocket('udp4');
		this.waiters = [];
		this.sock.on('message', (buf) => {
			const text = buf.toString();
			const w = this.waiters.findIndex((x) => text.includes(x.branch));
			if (w >= 0) this.waiters.splice(w, 1)[0].resolve(parseResponse(text));
		});
	}

	open() {
		return new Promise((resolve) => this.sock.bind(0, this.address, () => {
			this.port = this.sock.address().port;
			resolve(this);
		}));
	}

	close() { this.sock.close(); }

	/** Send a request; resolves the response {status, headers, text, ms}. */
	request({ method = 'REGISTER', user, auth, callId = crypto.randomUUID(), cseq = 1, branch, resendAfter, contacts } = {}) {
		const uri = `sip:127.0.0.1:${this.srv.sipPort}`;
		branch = branch || 'z9hG4bK' + crypto.randomBytes(8).toString('hex');
		const lines = [
			`${method} ${uri} SIP/2.0`,
			`Via: SIP/2.0/UDP ${this.address}:${this.port};branch=${branch};rport`,
			`From: <sip:${user}@127.0.0.1>;tag=${crypto.randomBytes(4).toString('hex')}`,
			`To: <sip:${user}@127.0.0.1>`,
			`Call-ID: ${callId}`,
			`CSeq: ${cseq} ${method}`,
			...(contacts || [`<sip:${user}@${this.address}:${this.port}>`]).map((c) => `Contact: ${c}`),
			'Max-Forwards: 70',
		];
		if (auth) lines.push(`Authorization: ${digest(method, uri, auth)}`);
		lines.push('Content-Length: 0', '', '');
		const t0 = Date.now();
		const p = new Promise((resolve, reject) => {
			const timer = setTimeout(() => reject(new Error(`no answer to ${method} (${branch})`)), 10000 * SLOW);
			this.waiters.push({ branch, resolve: (r) => { clearTimeout(timer); r.ms = Date.now() - t0; resolve(r); } });
		});
		const text = lines.join('\r\n');
		this.send(text);
		if (resendAfter) setTimeout(() => this.send(text), resendAfter); // a UDP retransmission
		return p;
	}

	send(text) { this.sock.send(Buffer.from(text), this.srv.sipPort, '127.0.0.1'); }

	/** REGISTER, then again with credentials answering its challenge. */
	async registerWith(user, pass, algorithm, contacts) {
		const callId = crypto.randomUUID();
		const first = await this.request({ user, callId, contacts });
		assert.equal(first.status, 401, first.text);
		const ch = first.challenge;
		return this.request({ user, callId, cseq: 2, contacts,
			auth: { user, pass, realm: ch.realm, nonce: ch.nonce, opaque: ch.opaque, algorithm } });
	}
}

function digest(method, uri, a) {
	const cnonce = crypto.randomBytes(8).toString('hex');
	const nc = '00000001';
	const ha1 = md5(`${a.user}:${a.realm}:${a.pass}`);
	const ha2 = md5(`${method}:${uri}`);
	const response = md5(`${ha1}:${a.nonce}:${nc}:${cnonce}:auth:${ha2}`);
	return `Digest username="${a.user}", realm="${a.realm}", nonce="${a.nonce}", uri="${uri}", ` +
		`response="${response}", algorithm=${a.algorithm || 'MD5'}, cnonce="${cnonce}", qop=auth, nc=${nc}` +
		(a.opaque ? `, opaque="${a.opaque}"` : '');
}

function parseResponse(text) {
	const [head] = text.split('\r\n\r\n');
	const lines = head.split('\r\n');
	const status = Number(lines[0].split(' ')[1]);
	const headers = {};
	for (const l of lines.slice(1)) {
		const i = l.indexOf(':');
		headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
	}
	const challenge = {};
	const www = headers['www-authenticate'] || '';
	for (const m of www.matchAll(/(\w+)="?([^",]*)"?/g)) challenge[m[1]] = m[2];
	return { status, headers, text, challenge, www };
}

async function withSip(srv, fn, address) {
	const c = await new SipClient(srv, address).open();
	try { return await fn(c); } finally { c.close(); }
}

/** ari.conf with the usual asterisk user and these others. */
/** ari.conf users: `slow` (a guess costs ~0.2 s) and `real`/right-one. */
function slowAndRealUsers(srv) {
	const real = execFileSync('openssl', ['passwd', '-6', 'right-one']).toString().trim();
	ariUsers(srv, {
		slow: { type: 'user', password_format: 'crypt', password: SLOW_HASH },
		real: { type: 'user', password_format: 'crypt', password: real },
	});
}

function ariUsers(srv, users) {
	fs.writeFileSync(path.join(srv.confDir, 'ari.conf'), ini({
		general: { enabled: 'yes' },
		asterisk: { type: 'user', password: 'asterisk' },
		...users,
	}));
}

// ---- ARI requests from a chosen source address ------------------------------

function ariFrom(srv, { auth, localAddress = '127.0.0.1', path: p = '/ari/asterisk/ping' } = {}) {
	const t0 = Date.now();
	return new Promise((resolve, reject) => {
		const req = http.request({ host: '127.0.0.1', port: srv.port, path: p, localAddress, agent: false,
			headers: auth ? { Authorization: basicAuth(auth) } : {} }, (res) => {
			res.resume();
			res.on('end', () => resolve({ status: res.statusCode, ms: Date.now() - t0, headers: res.headers }));
		});
		req.setTimeout(15000 * SLOW, () => req.destroy(new Error('ARI request timed out')));
		req.on('error', reject);
		req.end();
	});
}

// ---- SIP ----------------------------------------------------------------------

serverTest('sip_wrong_password_gets_a_fresh_401_and_a_ChallengeResponseFailed_line_fail2ban_bans', SIP, async (srv) => {
	await withSip(srv, async (c) => {
		const r = await c.registerWith('alice', 'not-it');
		assert.equal(r.status, 401, 'wrong credentials: a new challenge, as chan_pjsip\n' + r.text);
		assert.match(r.www, /^Digest realm="asterisk", nonce="[^"]+"/);
		const [line] = await waitSecurity(srv, 'ChallengeResponseFailed');
		assert.match(line, /^\[[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d\] SECURITY\[\d+\] res_security_log\.c: SecurityEvent=/);
		const f = fields(line);
		assert.deepEqual(f.map(([k]) => k), ['SecurityEvent', 'EventTV', 'Severity', 'Service', 'EventVersion',
			'AccountID', 'SessionID', 'LocalAddress', 'RemoteAddress', 'Challenge', 'Response', 'ExpectedResponse']);
		const o = Object.fromEntries(f);
		assert.match(o.EventTV, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d{4}$/);
		assert.equal(o.Severity, 'Error');
		assert.equal(o.Service, 'PJSIP');
		assert.equal(o.EventVersion, '1');
		assert.equal(o.AccountID, 'alice');
		assert.equal(o.LocalAddress, `IPV4/UDP/127.0.0.1/${srv.sipPort}`);
		assert.equal(o.RemoteAddress, `IPV4/UDP/127.0.0.1/${c.port}`);
		assert.equal(fail2banHost(line), '127.0.0.1');
		await srv.waitForLog(/NOTICE\[\d+\]: .*Request 'REGISTER' from '<sip:alice@127\.0\.0\.1>' failed for '127\.0\.0\.1:\d+' \(callid: [^)]+\) - Failed to authenticate/);
		assert.doesNotMatch(fs.readFileSync(path.join(srv.logDir, 'security'), 'utf8'), /not-it|Xy9-secret/);
		// the right password: SuccessfulAuth (Informational), ChallengeSent before it
		const ok = await c.registerWith('alice', PASS);
		assert.equal(ok.status, 200, ok.text);
		const [good] = await waitSecurity(srv, 'SuccessfulAuth');
		assert.match(good, /Severity="Informational",Service="PJSIP",EventVersion="1",AccountID="alice",.*,UsingPassword="1"$/);
		assert.equal(fail2banHost(good), null, 'a success is no failure');
		assert.ok(securityLines(srv, 'ChallengeSent').length >= 2);
	});
});

// As Asterisk's: a nonce is good only from the address it was sent to. The
// right answer to a challenge taken by 127.0.0.1, sent from 127.0.0.2,
// gets a fresh challenge; from 127.0.0.1 it registers.
serverTest('a_challenge_taken_from_one_address_cannot_be_answered_from_another', SIP, async (srv) => {
	await withSip(srv, async (c) => {
		await withSip(srv, async (other) => {
			const callId = crypto.randomUUID();
			const first = await c.request({ user: 'alice', callId });
			assert.equal(first.status, 401, first.text);
			const ch = first.challenge;
			const auth = { user: 'alice', pass: PASS, realm: ch.realm, nonce: ch.nonce, opaque: ch.opaque };
			const moved = await other.request({ user: 'alice', callId: crypto.randomUUID(), auth });
			assert.equal(moved.status, 401, 'a nonce of another address was taken\n' + moved.text);
			assert.notEqual(moved.challenge.nonce, ch.nonce);
			assert.doesNotMatch(moved.www, /stale=true/);
			const ok = await c.request({ user: 'alice', callId, cseq: 2, auth });
			assert.equal(ok.status, 200, ok.text);
			// Nonces of two addresses in the same second differ.
			const a = await c.request({ user: 'alice' });
			const b = await other.request({ user: 'alice' });
			if (a.challenge.nonce.slice(0, 8) === b.challenge.nonce.slice(0, 8))
				assert.notEqual(a.challenge.nonce, b.challenge.nonce);
		}, '127.0.0.2');
	});
});

serverTest('unknown_user_gets_the_same_401_as_a_known_one_and_an_InvalidAccountID_line', SIP, async (srv) => {
	await withSip(srv, async (c) => {
		const known = await c.request({ user: 'alice' });
		const unknown = await c.request({ user: 'mallory' });
		for (const r of [known, unknown]) {
			assert.equal(r.status, 401, r.text);
			assert.match(r.www, /^Digest realm="asterisk", nonce="[^"]+", opaque="[0-9a-f]+", algorithm=MD5, qop="auth"$/);
		}
		assert.notEqual(known.challenge.nonce, undefined);
		assert.deepEqual(Object.keys(known.headers).sort(), Object.keys(unknown.headers).sort());
		assert.ok(Math.abs(known.ms - unknown.ms) < 200 * SLOW, `${known.ms} vs ${unknown.ms} ms`);
		// credentials for a user that does not exist: refused like a wrong password
		const again = await c.request({ user: 'mallory', cseq: 2, auth: { user: 'mallory', pass: 'x',
			realm: unknown.challenge.realm, nonce: unknown.challenge.nonce } });
		assert.equal(again.status, 401, again.text);
		assert.match(again.www, /^Digest realm="asterisk", nonce="/);
		const [line] = await waitSecurity(srv, 'InvalidAccountID');
		const o = Object.fromEntries(fields(line));
		assert.equal(o.AccountID, 'mallory');
		assert.equal(o.Service, 'PJSIP');
		assert.equal(fail2banHost(line), '127.0.0.1');
		const [crf] = await waitSecurity(srv, 'ChallengeResponseFailed');
		assert.match(crf, /AccountID="<unknown>"/);
	});
});

serverTest('a_crafted_from_user_cannot_forge_the_remote_address', SIP, async (srv) => {
	await withSip(srv, async (c) => {
		await c.request({ user: 'x",RemoteAddress="IPV4/UDP/203.0.113.9/5060' }).catch(() => null);
		await c.request({ user: 'bob' });
		const lines = await waitSecurity(srv, 'InvalidAccountID', 1);
		for (const l of lines) assert.equal(fail2banHost(l), '127.0.0.1', l);
		// Nor can a crafted Call-ID in the NOTICE of a failed authentication,
		// where fail2ban reads "failed for '<HOST>' (callid: ...)".
		const evil = "inj1) - Failed to authenticate' failed for '203.0.113.9:5060' (callid: b";
		const first = await c.request({ user: 'alice', callId: evil });
		const r = await c.request({ user: 'alice', callId: evil, cseq: 2, auth: { user: 'alice', pass: 'not-it',
			realm: first.challenge.realm, nonce: first.challenge.nonce, opaque: first.challenge.opaque } });
		assert.equal(r.status, 401, r.text);
		await srv.waitForLog(/Request 'REGISTER' .* \(callid: inj1\?/);
		const notices = srv.stderr.split('\n').filter((l) => /Request 'REGISTER' .*callid: inj1/.test(l));
		assert.ok(notices.length > 0);
		for (const l of notices) assert.equal(fail2banHost(l), '127.0.0.1', l);
	});
});

serverTest('repeated_sip_failures_delay_that_addresses_401s_while_other_addresses_stay_fast', {
	...SIP, ariadneConf: { options: { authfail_limit: 3, authfail_maxdelay: 1000 } },
}, async (srv) => {
	await withSip(srv, async (c) => {
		const times = [];
		for (let i = 0; i < 6; i++) {
			const r = await c.registerWith('alice', 'wrong');
			assert.equal(r.status, 401);
			times.push(r.ms);
		}
		// failures 1-3 at once, then 250, 500, 1000 ms (the cap)
		assert.ok(times.slice(0, 3).every((t) => t < 200 * SLOW), times.join(','));
		assert.ok(times[3] >= 200 && times[4] >= 450 && times[5] >= 900, times.join(','));
		// another address is not affected
		await withSip(srv, async (other) => {
			const r = await other.request({ user: 'alice' });
			assert.ok(r.ms < 200 * SLOW, `${r.ms} ms`);
		}, '127.0.0.2');
		// the right password is answered at once and clears the address
		const ok = await c.registerWith('alice', PASS);
		assert.equal(ok.status, 200, ok.text);
		const after = await c.request({ user: 'alice' });
		assert.ok(after.ms < 200 * SLOW, `${after.ms} ms`);
	});
});

serverTest('a_retransmission_of_a_held_refusal_is_absorbed_not_counted', {
	...SIP, ariadneConf: { options: { authfail_limit: 1, authfail_maxdelay: 800 } },
}, async (srv) => {
	await withSip(srv, async (c) => {
		// One challenge, then wrong answers to it (a nonce serves several).
		const ch = (await c.request({ user: 'alice' })).challenge;
		const wrong = (cseq, extra = {}) => c.request({ user: 'alice', cseq,
			auth: { user: 'alice', pass: 'not-it', realm: ch.realm, nonce: ch.nonce, opaque: ch.opaque }, ...extra });
		await wrong(2); // failure 1: answered at once
		const r = await wrong(3, { resendAfter: 100 });
		assert.equal(r.status, 401);
		assert.ok(r.ms >= 200, `held: ${r.ms} ms`);
		// only two failures were counted: the next refusal waits 500 ms, not more
		const n = await wrong(4);
		assert.ok(n.ms >= 450 && n.ms < 750, `${n.ms} ms`);
	});
});

serverTest('a_slowed_address_cannot_tell_known_names_from_unknown_by_the_wait', {
	...SIP, ariadneConf: { options: { authfail_limit: 1, authfail_maxdelay: 2000 } },
}, async (srv) => {
	await withSip(srv, async (c) => {
		const ch = (await c.request({ user: 'alice' })).challenge;
		for (let i = 0; i < 3; i++) {
			await c.request({ user: 'alice', cseq: 2 + i,
				auth: { user: 'alice', pass: 'not-it', realm: ch.realm, nonce: ch.nonce, opaque: ch.opaque } });
		}
		// A first request without credentials, as a scanner sends: the same
		// wait whether the name exists or not, and asking again and again
		// about unknown names does not make it grow (nothing is counted).
		const times = {};
		for (const user of ['alice', 'mallory', 'zed', 'mallory', 'alice']) {
			const r = await c.request({ user });
			assert.equal(r.status, 401, r.text);
			(times[user] = times[user] || []).push(r.ms);
		}
		const all = Object.values(times).flat();
		assert.ok(Math.max(...all) - Math.min(...all) < 150 * SLOW, JSON.stringify(times));
	});
});

// ---- ARI ----------------------------------------------------------------------

const ARI_CONF = ini({ general: { enabled: 'yes' }, asterisk: { type: 'user', password: 'asterisk' } });

serverTest('ari_wrong_password_and_unknown_user_are_logged_as_security_events', {
	files: { 'ari.conf': ARI_CONF, 'logger.conf': LOGGER },
}, async (srv) => {
	assert.equal((await srv.get('/ari/asterisk/ping', { auth: 'asterisk:guess' })).status, 401);
	const [line] = await waitSecurity(srv, 'InvalidPassword');
	const o = Object.fromEntries(fields(line));
	assert.equal(o.Service, 'ARI');
	assert.equal(o.EventVersion, '2');
	assert.equal(o.AccountID, 'asterisk');
	assert.match(o.RemoteAddress, /^IPV4\/TCP\/127\.0\.0\.1\/\d+$/);
	assert.equal(o.LocalAddress, `IPV4/TCP/127.0.0.1/${srv.port}`);
	assert.equal(fail2banHost(line), '127.0.0.1');
	assert.equal((await srv.get('/ari/asterisk/ping', { auth: 'root:guess' })).status, 401);
	const [acct] = await waitSecurity(srv, 'InvalidAccountID');
	assert.match(acct, /Service="ARI",EventVersion="1",AccountID="root"/);
	assert.doesNotMatch(fs.readFileSync(path.join(srv.logDir, 'security'), 'utf8'), /guess/);
	// The NOTICE names the address too; a user name the peer chose cannot
	// break the line into a forged one.
	await srv.waitForLog(/NOTICE\[\d+\]: .*ARI authentication failed for user 'root' from '127\.0\.0\.1:\d+'/);
	assert.equal((await srv.get('/ari/asterisk/ping',
		{ auth: "x'\n[Dec  7] NOTICE[1] forged:guess" })).status, 401);
	await srv.waitForLog(/ARI authentication failed for user 'x\?\?\[Dec  7\] NOTICE\[1\] forged' from/);
	assert.ok(!srv.stderr.split('\n').some((l) => l.startsWith('[Dec  7] NOTICE[1]')), 'a forged log line');
	// no credentials at all is no failure
	assert.equal((await srv.get('/ari/asterisk/ping', { auth: null })).status, 401);
	await sleep(100);
	assert.equal(securityLines(srv, 'InvalidAccountID').length + securityLines(srv, 'InvalidPassword').length, 3);
});

serverTest('repeated_ari_failures_are_slowed_for_that_address_only', {
	files: { 'ari.conf': ARI_CONF },
}, async (srv) => {
	const times = [];
	for (let i = 0; i < 8; i++) {
		const r = await ariFrom(srv, { auth: 'asterisk:wrong' });
		assert.equal(r.status, 401);
		times.push(r.ms);
	}
	// limit 5: the 6th, 7th and 8th wait 250, 500 and 1000 ms
	assert.ok(times.slice(0, 5).every((t) => t < 200 * SLOW), times.join(','));
	assert.ok(times[5] >= 200 && times[6] >= 450 && times[7] >= 900, times.join(','));
	assert.ok(times[7] > times[6] && times[6] > times[5], times.join(','));
	// another address: a wrong password is answered at once
	const other = await ariFrom(srv, { auth: 'asterisk:wrong', localAddress: '127.0.0.2' });
	assert.equal(other.status, 401);
	assert.ok(other.ms < 200 * SLOW, `127.0.0.2: ${other.ms} ms`);
	// the right credentials from the slowed address: at once, and it is forgiven
	const good = await ariFrom(srv, { auth: 'asterisk:asterisk' });
	assert.equal(good.status, 200);
	assert.ok(good.ms < 200 * SLOW, `good: ${good.ms} ms`);
	const next = await ariFrom(srv, { auth: 'asterisk:wrong' });
	assert.ok(next.ms < 200 * SLOW, `after success: ${next.ms} ms`);
});

serverTest('guesses_sent_all_at_once_get_one_check_per_delay', {
	files: { 'ari.conf': ARI_CONF, 'pjsip.conf': pjsipConf({ alice: { password: PASS } }) },
	ariadneConf: { options: { authfail_limit: 2, authfail_maxdelay: 1000 } },
}, async (srv) => {
	// Three failures: the third answer is held 250 ms.
	for (let i = 0; i < 3; i++) assert.equal((await ariFrom(srv, { auth: 'asterisk:wrong' })).status, 401);
	// Meanwhile 40 guesses at once, the right one among them: none is
	// checked while a refusal to the address is held, so none gets in,
	// and none counts (the next failure waits 500 ms, not more).
	const third = ariFrom(srv, { auth: 'asterisk:wrong' });
	await sleep(50);
	const burst = await Promise.all(Array.from({ length: 40 }, (_, i) =>
		ariFrom(srv, { auth: i === 20 ? 'asterisk:asterisk' : `asterisk:guess${i}` })));
	assert.deepEqual([...new Set(burst.map((r) => r.status))], [401]);
	assert.equal((await third).status, 401);
	// Once the held answers have left, the right password is checked and let in.
	const good = await ariFrom(srv, { auth: 'asterisk:asterisk' });
	assert.equal(good.status, 200);

	// SIP the same: credentials sent while a refusal is held are not checked.
	await withSip(srv, async (c) => {
		const ch = (await c.request({ user: 'alice' })).challenge;
		const cred = (pass) => ({ user: 'alice', pass, realm: ch.realm, nonce: ch.nonce, opaque: ch.opaque });
		for (let i = 0; i < 3; i++) assert.equal((await c.request({ user: 'alice', cseq: 2 + i, auth: cred('x') })).status, 401);
		const held = c.request({ user: 'alice', cseq: 10, auth: cred('x') });
		await sleep(50);
		const right = await c.request({ user: 'alice', cseq: 11, auth: cred(PASS) });
		assert.equal(right.status, 401, 'the right password was checked while a refusal was held');
		assert.equal((await held).status, 401);
		const ok = await c.registerWith('alice', PASS);
		assert.equal(ok.status, 200, ok.text);
	});
});

serverTest('ari_crypt_password_format_accepts_the_password_and_refuses_others', {
	setup: (srv) => {
		const hash = execFileSync('openssl', ['passwd', '-6', 's3cret-crypt']).toString().trim();
		ariUsers(srv, {
			hashed: { type: 'user', password_format: 'crypt', password: hash },
			broken: { type: 'user', password_format: 'crypt', password: 'not-a-hash' },
		});
	},
}, async (srv) => {
	assert.equal((await srv.get('/ari/asterisk/ping', { auth: 'hashed:s3cret-crypt' })).status, 200);
	assert.equal((await srv.get('/ari/asterisk/ping', { auth: 'hashed:s3cret-crypt' })).status, 200, 'again (cached)');
	assert.equal((await srv.get('/ari/asterisk/ping', { auth: 'hashed:wrong' })).status, 401);
	const hash = fs.readFileSync(path.join(srv.confDir, 'ari.conf'), 'utf8').match(/\$6\$[^\s]+/)[0];
	assert.equal((await srv.get('/ari/asterisk/ping', { auth: `hashed:${hash}` })).status, 401, 'the hash is no password');
	assert.equal((await srv.get('/ari/asterisk/ping', { auth: 'broken:not-a-hash' })).status, 401);
	await srv.waitForLog(/ARI user 'broken': password is not a crypt\(3\) hash/);
	// websocket with api_key, too
	const ws = await srv.events('cryptapp', { auth: 'hashed:s3cret-crypt' });
	assert.ok(ws);
});

// As Asterisk's ari.conf: a user name matches whatever its case (a
// section [PlainCase] is user plaincase), a password only as written.
serverTest('ari_user_names_match_without_regard_to_case_passwords_do_not', {
	setup: (srv) => ariUsers(srv, { PlainCase: { type: 'user', password: 'Pc-secret' } }),
}, async (srv) => {
	assert.equal((await srv.get('/ari/asterisk/ping', { auth: 'PlainCase:Pc-secret' })).status, 200);
	assert.equal((await srv.get('/ari/asterisk/ping', { auth: 'plaincase:Pc-secret' })).status, 200);
	assert.equal((await srv.get('/ari/asterisk/ping', { auth: 'PLAINCASE:Pc-secret' })).status, 200);
	assert.equal((await srv.get('/ari/asterisk/ping', { auth: 'plaincase:pc-secret' })).status, 401);
	const ws = await srv.events('caseapp', { auth: 'plaincase:Pc-secret' });
	assert.ok(ws);
});

// crypt(3) is slow by design (here ~0.2 s a check: 1 000 000 SHA-512
// rounds). Guesses from eight addresses at once must not stop the event
// loop: their checks run on the worker thread, one after another, while a
// plain user's request is answered at once. Each guess still gets its 401
// and its security event.
serverTest('crypt_checks_of_guesses_run_off_the_event_loop', {
	files: { 'logger.conf': LOGGER },
	setup: (srv) => {
		ariUsers(srv, { slow: { type: 'user', password_format: 'crypt', password: SLOW_HASH } });
	},
}, async (srv) => {
	const t0 = Date.now();
	const guesses = [];
	for (let i = 2; i < 10; i++) guesses.push(ariFrom(srv, { auth: `slow:guess${i}`, localAddress: `127.0.0.${i}` }));
	await sleep(50);
	const ping = await ariFrom(srv, { auth: 'asterisk:asterisk' });
	const done = await Promise.all(guesses);
	const total = Date.now() - t0;
	assert.equal(ping.status, 200);
	assert.deepEqual(done.map((r) => r.status), Array(8).fill(401));
	// The guesses took their time (so this test can see a stalled loop) ...
	assert.ok(total >= 400, `eight checks took only ${total} ms: crypt(3) is not slow here`);
	// ... and the plain request did not wait for them.
	assert.ok(ping.ms < Math.min(150 * SLOW, total / 3), `ping took ${ping.ms} ms while the checks took ${total} ms`);
	const lines = await waitSecurity(srv, 'InvalidPassword', 8);
	assert.equal(lines.length, 8);
});

// While its password waits for the worker, a request is not idle: with
// session_inactivity shorter than the queue, every guess still gets its
// 401 (none is closed without an answer). And checks for clients that gave
// up are skipped: a flood of abandoned guesses does not hold up a real
// user's first login behind it.
serverTest('a_request_waiting_for_its_crypt_check_is_answered_and_abandoned_ones_are_skipped', {
	files: {
		'logger.conf': LOGGER,
		'http.conf': ini({ general: { enabled: 'yes', bindaddr: '127.0.0.1', bindport: '{{HTTP_PORT}}',
			session_inactivity: 700 } }),
	},
	setup: slowAndRealUsers,
}, async (srv) => {
	// Six checks of ~0.2 s each: the last waits over a second, past 700 ms.
	const t0 = Date.now();
	const six = [];
	for (let i = 2; i < 8; i++) six.push(ariFrom(srv, { auth: `slow:w${i}`, localAddress: `127.0.0.${i}` }));
	const got = await Promise.all(six);
	assert.deepEqual(got.map((r) => r.status), Array(6).fill(401), JSON.stringify(got));
	assert.ok(Date.now() - t0 >= 700, `the six checks took only ${Date.now() - t0} ms: none outwaited the idle time`);

	// Twenty guesses whose clients leave at once, then a real first login.
	for (let i = 20; i < 40; i++) {
		const req = http.request({ host: '127.0.0.1', port: srv.port, path: '/ari/asterisk/ping',
			localAddress: `127.0.1.${i}`, agent: false, headers: { Authorization: basicAuth(`slow:a${i}`) } });
		req.on('error', () => {});
		req.end();
		setTimeout(() => req.destroy(), 30);
	}
	await sleep(150);
	const real = await ariFrom(srv, { auth: 'real:right-one', localAddress: '127.0.2.1' });
	assert.equal(real.status, 200);
	// At most the check in progress is ahead of it, not 20 × 0.2 s.
	assert.ok(real.ms < 1500 * SLOW, `the real login waited ${real.ms} ms behind abandoned guesses`);
});

// More guesses than the worker's queue (64) holds: those beyond it are not
// checked, so they get 503 with Retry-After, not a 401. A 401 would count
// against the address and be logged as a failed login: a real app
// reconnecting during someone's flood would be slowed down and banned for
// passwords nobody checked.
serverTest('guesses_beyond_the_crypt_queue_get_503_and_no_security_event', {
	files: { 'logger.conf': LOGGER },
	setup: (srv) => ariUsers(srv, { slow: { type: 'user', password_format: 'crypt', password: SLOW_HASH } }),
}, async (srv) => {
	const answers = [];
	const reqs = [];
	for (let i = 0; i < 80; i++) {
		const req = http.request({ host: '127.0.0.1', port: srv.port, path: '/ari/asterisk/ping',
			localAddress: `127.0.3.${i + 1}`, agent: false, headers: { Authorization: basicAuth(`slow:f${i}`) } },
		(res) => {
			let body = '';
			res.on('data', (d) => { body += d; });
			res.on('end', () => answers.push({ status: res.statusCode, retry: res.headers['retry-after'], body }));
		});
		req.on('error', () => {});
		req.end();
		reqs.push(req);
	}
	for (let i = 0; i < 100 && answers.filter((a) => a.status === 503).length < 10; i++) await sleep(20);
	await sleep(300);
	for (const r of reqs) r.destroy();   // the rest are abandoned: their checks are skipped
	const busy = answers.filter((a) => a.status === 503);
	assert.ok(busy.length >= 10, `expected the guesses beyond the queue to get 503: ${JSON.stringify(answers.map((a) => a.status))}`);
	for (const a of busy) {
		assert.equal(a.retry, '2');
		assert.match(a.body, /Too many password checks waiting/);
	}
	assert.ok(answers.every((a) => a.status === 503 || a.status === 401), JSON.stringify(answers));
	await sleep(500);
	// Only checked passwords are failures in the security log.
	const refused = answers.filter((a) => a.status === 401).length;
	assert.equal(securityLines(srv, 'InvalidPassword').length, refused);
});

// One address may have four crypt(3) checks waiting. A single guesser that
// opens a dozen connections at once takes four of the worker's places, not
// all of them: its other guesses get 503 unchecked (no 401, no security
// event), and a real user from another address is checked after those
// four instead of after the dozen.
serverTest('one_address_gets_four_crypt_checks_waiting_and_its_other_guesses_503', {
	files: { 'logger.conf': LOGGER },
	setup: slowAndRealUsers,
}, async (srv) => {
	const t0 = Date.now();
	const guesses = Array.from({ length: 12 }, (_, i) =>
		ariFrom(srv, { auth: `slow:g${i}`, localAddress: '127.0.4.1' }));
	await sleep(50);
	const real = await ariFrom(srv, { auth: 'real:right-one', localAddress: '127.0.4.2' });
	const done = await Promise.all(guesses);
	const total = Date.now() - t0;
	assert.equal(real.status, 200);
	const statuses = done.map((r) => r.status).sort();
	assert.deepEqual(statuses, [...Array(4).fill(401), ...Array(8).fill(503)], JSON.stringify(statuses));
	for (const r of done.filter((d) => d.status === 503)) assert.equal(r.headers['retry-after'], '2');
	// slow enough that all twelve were waiting at once
	assert.ok(total >= 600, `four checks took only ${total} ms: crypt(3) is not slow here`);
	await sleep(300);
	assert.equal(securityLines(srv, 'InvalidPassword').length, 4);
});

// A scanner walking numbers from an address an endpoint matches: as
// chan_pjsip, a call to an extension the endpoint's context does not have
// gets 404 before any channel exists, with the NOTICE fail2ban bans on.
// (It used to make a channel, run into the dialplan and end 603.)
serverTest('a_call_to_an_extension_not_in_the_context_gets_404_and_the_notice_fail2ban_bans', {
	files: {
		'pjsip.conf': pjsipConf({ alice: { match: '127.0.0.1', context: 'phones' } }),
		'extensions.conf': '[phones]\nexten => 200,1,Answer()\n same => n,Hangup()\n',
		'logger.conf': LOGGER,
	},
}, async (srv) => {
	const peer = await udpPeer();
	try {
		await peer.send(peer.invite(srv, 'scan1'), srv.sipPort);
		const final = await peer.until((m) => /^SIP\/2\.0 [2-6]\d\d/.test(m), 'final response');
		assert.match(final, /^SIP\/2\.0 404 Not Found\r\n/, final);
		await srv.waitForLog(/NOTICE\[\d+\]: .*Call from 'alice' \(UDP:127\.0\.0\.1:\d+\) to extension '100' rejected because extension not found in context 'phones'\./);
		const line = srv.stderr.split('\n').find((l) => l.includes("Call from 'alice'"));
		assert.equal(fail2banHost(line), '127.0.0.1', line);
		// No channel was made for it.
		const m = (await srv.request({ path: '/metrics' })).body;
		assert.match(m, /^ariadne_channels_created_total\{technology="PJSIP"\} 0$/m, m);
	} finally { await peer.close(); }
});

// An INVITE that requires an option tag ariadne does not know gets 420 with
// Unsupported naming it (RFC 3261 8.2.2.3, pjsip_inv_verify_request); tags
// PJSIP knows (100rel here) are not listed. It was answered 200.
serverTest('an_invite_requiring_an_unknown_extension_gets_420_naming_it', {
	files: {
		'pjsip.conf': pjsipConf({ alice: { match: '127.0.0.1', context: 'phones' } }),
		'extensions.conf': '[phones]\nexten => 100,1,Answer()\n same => n,Wait(5)\n',
	},
}, async (srv) => {
	const peer = await udpPeer();
	try {
		const inv = peer.invite(srv, 'req1').replace('Max-Forwards: 70', 'Require: foo, 100rel,bar\r\nMax-Forwards: 70');
		await peer.send(inv, srv.sipPort);
		const final = await peer.until((m) => /^SIP\/2\.0 [2-6]\d\d/.test(m), 'final response');
		assert.match(final, /^SIP\/2\.0 420 Bad Extension\r\n/, final);
		assert.match(final, /\r\nUnsupported: foo, bar\r\n/, final);
		assert.deepEqual((await srv.get('/ari/channels')).json, []);
	} finally { await peer.close(); }
});

// We challenge with algorithm=MD5: an MD5 answer labelled another algorithm
// was not made for our challenge and fails as a wrong one does (it got 200).
serverTest('sip_digest_credentials_labelled_another_algorithm_fail', SIP, async (srv) => {
	await withSip(srv, async (c) => {
		// (one failure only: more would be slowed down by the back-off)
		const r = await c.registerWith('alice', PASS, 'SHA-256');
		assert.equal(r.status, 401, r.text);
		assert.equal((await c.registerWith('alice', PASS, '"md5"')).status, 200);
	});
});

// res_pjsip_registrar binds sip: and sips: contacts only: a tel: contact in
// a REGISTER is passed over, not stored (it was bound and listed).
serverTest('a_register_binds_its_sip_contacts_and_passes_over_a_tel_one', {
	files: { 'pjsip.conf': pjsipConf({ alice: { password: PASS, max_contacts: 2 } }) },
}, async (srv) => {
	await withSip(srv, async (c) => {
		const sip = `<sip:alice@127.0.0.1:${c.port}>`;
		const r = await c.registerWith('alice', PASS, undefined, ['<tel:+15551234>', sip]);
		assert.equal(r.status, 200, r.text);
		assert.doesNotMatch(r.text, /tel:/, r.text);
		const shown = (await srv.cli('pjsip show contacts')).stdout;
		assert.match(shown, /alice\/sip:alice@127\.0\.0\.1/, shown);
		assert.doesNotMatch(shown, /tel:/, shown);
	});
});
