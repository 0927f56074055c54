'use strict';
// SIP paths that the other sip_*.test.js files do not reach, each with real
// SIP traffic (SIPp, tests/sipp/path_*.xml) and the ARI events it must give:
// INFO DTMF in and out, RFC 4733 DTMF out (read off the wire by a UDP socket
// of the test), hold by a=inactive and c=0.0.0.0, qualify of registered and
// static contacts, registrar edges (Contact: *, stale nonce, max_contacts,
// expiry), outbound digest auth on INVITE and MESSAGE, redirect to an
// endpoint, TCP transport, RTP timeout and (opt-in, 32 s) ACK timeout.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const dgram = require('node:dgram');
const {
	serverTest, startServer, pjsipConf, spawnSipp, runSipp, assertSipp, sippReport, sleep,
	freePort, reserveUdpPorts, EVENT_TIMEOUT_MS, SLOW, withSipp,
} = require('./lib/server');

const enc = encodeURIComponent;
const OPEN = { files: { 'pjsip.conf': pjsipConf({ alice: { match: '127.0.0.1' } }) } };

/** A SIPp UAC call into stasis-sipapp (exten 100) as alice. */
function callIn(srv, scenario, opts = {}) {
	return spawnSipp(Object.assign({ scenario, remote: srv, service: '100' }, opts,
		{ keys: Object.assign({ from_user: 'alice' }, opts.keys || {}) }));
}

/** test() with a server whose options are made at run time (ports first). */
function lateServerTest(name, makeOpts, fn, { timeout = 30000 * SLOW, skip } = {}) {
	test(name, { timeout, skip }, async (t) => {
		const ctx = {};
		const srv = await startServer(await makeOpts(ctx));
		let err = null;
		try {
			await fn(srv, ctx, t);
		} catch (e) { err = e; }
		let stopErr = null;
		try { await srv.stop(); } catch (e) { stopErr = e; }
		if (err) {
			if (err instanceof Error && !String(err.message).includes('--- ariadne stderr'))
				err.message += '\n' + srv.tail();
			throw err;
		}
		if (stopErr) throw stopErr;
	});
}

async function answerNext(srv, ws) {
	const { channel } = await ws.waitFor('StasisStart');
	const r = await srv.post(`/ari/channels/${enc(channel.id)}/answer`);
	assert.equal(r.status, 204, r.body);
	await ws.waitFor((e) => e.type === 'ChannelStateChange' && e.channel.id === channel.id &&
		e.channel.state === 'Up', EVENT_TIMEOUT_MS, { what: 'Up' });
	return channel;
}

async function subscribeEndpoint(srv, app, resource) {
	const r = await srv.post(`/ari/applications/${app}/subscription?eventSource=${enc('endpoint:PJSIP/' + resource)}`);
	assert.equal(r.status, 200, r.body);
}

const contactIs = (status, uriRe) => (e) => e.type === 'ContactStatusChange' &&
	e.contact_info.contact_status === status && (!uriRe || uriRe.test(e.contact_info.uri));
const endpointIs = (state) => (e) => e.type === 'EndpointStateChange' && e.endpoint.state === state;

/** A pjsip.conf aor/endpoint pair without auth, with aor options as given. */
function regConf(name, aor = {}, endpoint = {}, transports = '') {
	const lines = ['[transport-udp]', 'type = transport', 'protocol = udp', 'bind = 127.0.0.1:{{SIP_PORT}}', '',
		transports,
		`[${name}]`, 'type = endpoint', 'context = stasis-sipapp', 'disallow = all', 'allow = ulaw',
		`aors = ${name}`];
	for (const [k, v] of Object.entries(endpoint)) lines.push(`${k} = ${v}`);
	lines.push('', `[${name}]`, 'type = aor');
	for (const [k, v] of Object.entries(aor)) lines.push(`${k} = ${v}`);
	return lines.join('\n') + '\n';
}

/** One REGISTER of Contact <sip:user@127.0.0.1:port> as `from`; resolves the SIPp run. */
function registerOnce(srv, { from = 'alice', user = from, expires = 60, port, args, remote } = {}) {
	return runSipp({ scenario: 'path_uac_register_once', remote: remote || srv, port, args, timeoutMs: 8000 * SLOW,
		keys: { from_user: from, contact_user: user, expires } });
}
const statusOf = (r) => { const m = /SIP\/2\.0 (\d{3})/.exec(r.messages); return m ? Number(m[1]) : 0; };

// 1. SIP INFO DTMF in ---------------------------------------------------------

serverTest('info_dtmf_relay_and_application_dtmf_arrive_as_ChannelDtmfReceived_and_get_200', OPEN, async (srv) => {
	const ws = await srv.events('sipapp');
	const sipp = await callIn(srv, 'path_uac_info_dtmf', { duration: 300 });
	await withSipp(sipp, async () => {
		const channel = await answerNext(srv, ws);
		const isDtmf = (e) => e.type === 'ChannelDtmfReceived';
		await ws.waitFor((e) => isDtmf(e) && e.digit === '7', 8000 * SLOW, { what: 'digit 7' });
		const d = ws.filter(isDtmf);
		assert.deepEqual(d.map((e) => e.digit), ['5', '7']);
		assert.equal(d[0].channel.id, channel.id);
		assert.equal(d[0].duration_ms, 160, 'dtmf-relay Duration=160');
		// application/dtmf carries no duration: Asterisk's res_pjsip_dtmf_info uses 100 ms
		assert.equal(d[1].duration_ms, 100);
		const r = await sipp.done;
		assertSipp(r, 0, 'INFO dtmf-relay → 200, INFO dtmf → 200');
	});
});

// 2. DTMF out -----------------------------------------------------------------

/** A UDP socket standing in for the caller's RTP port; collects RTP headers. */
async function rtpSink() {
	const { port, release } = await reserveUdpPorts({ count: 2, even: true });
	await release();
	const sock = dgram.createSocket('udp4');
	await new Promise((res, rej) => { sock.once('error', rej); sock.bind(port, '127.0.0.1', res); });
	const pkts = [];
	sock.on('message', (b) => {
		if (b.length < 12) return;
		const pt = b[1] & 0x7f;
		const p = { pt, marker: !!(b[1] & 0x80), seq: b.readUInt16BE(2), ts: b.readUInt32BE(4) };
		if (pt === 101 && b.length >= 16) {
			p.event = b[12];
			p.end = !!(b[13] & 0x80);
			p.duration = b.readUInt16BE(14);
		}
		pkts.push(p);
	});
	return { port, pkts, close: () => new Promise((r) => sock.close(r)) };
}

serverTest('ari_dtmf_on_an_rfc4733_call_sends_telephone_events_1_2_11_with_marker_and_end', OPEN, async (srv) => {
	const sink = await rtpSink();
	try {
		const ws = await srv.events('sipapp');
		const sipp = await callIn(srv, 'path_uac_rtp_sink', { keys: { rtp_port: sink.port } });
		await withSipp(sipp, async () => {
			const ch = await answerNext(srv, ws);
			const r = await srv.post(`/ari/channels/${enc(ch.id)}/dtmf?dtmf=${enc('12#')}&duration=100&between=100`);
			assert.equal(r.status, 204, r.body);
			const deadline = Date.now() + 5000 * SLOW;
			const ends = () => [...new Set(sink.pkts.filter((p) => p.pt === 101 && p.end).map((p) => p.event))];
			while (ends().length < 3 && Date.now() < deadline) await sleep(50);
			const ev = sink.pkts.filter((p) => p.pt === 101);
			assert.deepEqual(ends(), [1, 2, 11], `end packets: ${JSON.stringify(ev)}`);
			// each digit starts with the marker bit, its packets share one timestamp
			for (const code of [1, 2, 11]) {
				const mine = ev.filter((p) => p.event === code);
				assert.ok(mine[0].marker, `digit ${code}: first packet has the marker ${JSON.stringify(mine)}`);
				assert.equal(new Set(mine.map((p) => p.ts)).size, 1, `digit ${code}: one timestamp`);
				const end = mine.find((p) => p.end);
				assert.ok(end.duration >= 400 && end.duration <= 2400, `digit ${code}: duration ${end.duration} samples`);
			}
			assert.equal((await srv.del(`/ari/channels/${enc(ch.id)}`)).status, 204);
			assertSipp(await sipp.done, 0, 'call with the RTP sink, BYE from ariadne');
		});
	} finally {
		await sink.close();
	}
});

serverTest('ari_dtmf_on_a_dtmf_mode_info_endpoint_sends_info_dtmf_relay', {
	files: { 'pjsip.conf': pjsipConf({ alice: { match: '127.0.0.1', dtmf_mode: 'info' } }) },
}, async (srv) => {
	const ws = await srv.events('sipapp');
	const sipp = await callIn(srv, 'path_uac_info_receiver');
	await withSipp(sipp, async () => {
		const ch = await answerNext(srv, ws);
		const r = await srv.post(`/ari/channels/${enc(ch.id)}/dtmf?dtmf=${enc('12#')}&duration=120&between=50`);
		assert.equal(r.status, 204, r.body);
		await sleep(1200 * SLOW);
		assert.equal((await srv.del(`/ari/channels/${enc(ch.id)}`)).status, 204);
		const done = await sipp.done;
		assertSipp(done, 0, 'three INFOs then BYE');
		const infos = done.messages.split(/\n(?=-{5,})/).filter((m) => /^INFO sip:/m.test(m));
		assert.equal(infos.length, 3, sippReport(done));
		const sigs = infos.map((m) => {
			assert.match(m, /Content-Type: application\/dtmf-relay/i);
			return /Signal=(.)/.exec(m)[1] + '/' + /Duration=(\d+)/.exec(m)[1];
		});
		assert.deepEqual(sigs, ['1/120', '2/120', '#/120']);
	});
});

// 3. Hold -----------------------------------------------------------------------

for (const [what, keys] of [['a_inactive', { hold_ip: '127.0.0.1', hold_dir: 'inactive' }],
	['c_0.0.0.0', { hold_ip: '0.0.0.0', hold_dir: 'sendrecv' }]]) {
	serverTest(`reinvite_with_${what}_raises_ChannelHold_and_sendrecv_ChannelUnhold`, OPEN, async (srv) => {
		const ws = await srv.events('sipapp');
		const sipp = await callIn(srv, 'path_uac_hold_keys', { duration: 600, keys });
		await withSipp(sipp, async () => {
			const ch = await answerNext(srv, ws);
			const hold = await ws.waitFor('ChannelHold', 8000 * SLOW);
			const unhold = await ws.waitFor('ChannelUnhold', 8000 * SLOW);
			assert.equal(hold.channel.id, ch.id);
			assert.ok(ws.indexOf(hold) < ws.indexOf(unhold));
			await ws.waitFor('ChannelDestroyed', 8000 * SLOW);
			const r = await sipp.done;
			assertSipp(r, 0, 'hold and unhold re-INVITEs answered 200');
			if (keys.hold_dir === 'inactive')
				assert.match(r.messages, /SIP\/2\.0 200[\s\S]*a=inactive/, 'answer to inactive is inactive\n' + sippReport(r));
		});
	});
}

// 4. Qualify --------------------------------------------------------------------

serverTest('qualify_of_a_registered_contact_reports_Reachable_with_rtt_then_Unreachable_and_offline', {
	files: { 'pjsip.conf': regConf('alice', { max_contacts: 1, qualify_frequency: 1, qualify_timeout: '1.0' }) },
}, async (srv) => {
	const ws = await srv.events('qapp');
	await subscribeEndpoint(srv, 'qapp', 'alice');
	// SIPp's UAC cannot answer requests outside its call: register from a
	// port, then answer the qualify OPTIONS with a UAS on that same port
	// (libre retransmits an OPTIONS sent before it is up).
	const reg = await registerOnce(srv);
	assert.equal(statusOf(reg), 200, sippReport(reg));
	const uas = await spawnSipp({ scenario: 'path_uas_options', port: reg.port, timeoutMs: 8000 * SLOW });
	await withSipp(uas, async () => {
		const uriRe = new RegExp(`^sip:alice@127\\.0\\.0\\.1:${reg.port}`);
		const reach = await ws.waitFor(contactIs('Reachable', uriRe), 6000 * SLOW);
		assert.equal(reach.contact_info.aor, 'alice');
		assert.ok(Number(reach.contact_info.roundtrip_usec) > 0, JSON.stringify(reach));
		await ws.waitFor(endpointIs('online'));
		assertSipp(await uas.done, 0, 'OPTIONS answered');
		// SIPp is gone: the next OPTIONS is unanswered for qualify_timeout.
		// Look after the Reachable event, not after SIPp's exit: a loaded
		// machine can take longer to reap SIPp than qualify takes to notice.
		const from = ws.indexOf(reach) + 1;
		await ws.waitFor(contactIs('Unreachable', uriRe), 6000 * SLOW, { from });
		await ws.waitFor(endpointIs('offline'), 3000 * SLOW, { from });
		assert.equal((await srv.get('/ari/endpoints/PJSIP/alice')).json.state, 'offline');
	});
});

lateServerTest('qualify_of_a_static_contact_reports_Reachable_then_Unreachable', async (ctx) => {
	const r = await reserveUdpPorts();
	ctx.release = r.release;
	ctx.port = r.port;
	return { vars: { UAS_PORT: r.port }, files: { 'pjsip.conf': regConf('bob', {
		contact: 'sip:bob@127.0.0.1:{{UAS_PORT}}', qualify_frequency: 1, qualify_timeout: '1.0' }) } };
}, async (srv, ctx) => {
	const ws = await srv.events('qapp');
	await subscribeEndpoint(srv, 'qapp', 'bob');
	await ctx.release();
	const uas = await (await spawnSipp({ scenario: 'path_uas_options', port: ctx.port, timeoutMs: 10000 * SLOW })).ready();
	await withSipp(uas, async () => {
		const reach = await ws.waitFor(contactIs('Reachable'), 6000 * SLOW);
		assert.equal(reach.contact_info.uri, `sip:bob@127.0.0.1:${ctx.port}`);
		assert.ok(Number(reach.contact_info.roundtrip_usec) > 0);
		await ws.waitFor(endpointIs('online'));
		assertSipp(await uas.done, 0, 'OPTIONS answered');
		const from = ws.indexOf(reach) + 1;
		await ws.waitFor(contactIs('Unreachable'), 6000 * SLOW, { from });
		await ws.waitFor(endpointIs('offline'), 3000 * SLOW, { from });
	});
});

// 5. Registrar edges --------------------------------------------------------------

serverTest('register_contact_star_with_expires_0_removes_every_contact', {
	files: { 'pjsip.conf': regConf('alice', { max_contacts: 3 }) },
}, async (srv) => {
	const ws = await srv.events('regapp');
	await subscribeEndpoint(srv, 'regapp', 'alice');
	for (const user of ['a1', 'a2']) {
		const r = await registerOnce(srv, { user });
		assert.equal(statusOf(r), 200, sippReport(r));
	}
	await ws.waitFor(endpointIs('online'));
	const from = ws.events.length;
	const star = await runSipp({ scenario: 'path_uac_register_star', remote: srv, timeoutMs: 8000 * SLOW,
		keys: { from_user: 'alice' } });
	assertSipp(star, 0, 'REGISTER Contact: * Expires: 0 → 200');
	assert.doesNotMatch(star.messages.split('SIP/2.0 200')[1] || '', /^Contact:/mi, 'no binding left in the 200');
	await ws.waitFor(endpointIs('offline'), undefined, { from });
	const removed = ws.events.slice(from).filter(contactIs('Removed')).map((e) => e.contact_info.uri).sort();
	assert.equal(removed.length, 2, JSON.stringify(removed));
	assert.match(removed[0], /^sip:a1@/);
	assert.match(removed[1], /^sip:a2@/);
});

serverTest('register_with_an_expired_nonce_gets_401_stale_true_then_succeeds_with_the_fresh_one', {
	files: { 'pjsip.conf': pjsipConf({ alice: { password: 'Xy9-secret' } })
		.replace('password = Xy9-secret', 'password = Xy9-secret\nnonce_lifetime = 1') },
}, async (srv) => {
	const r = await runSipp({ scenario: 'path_uac_register_stale', remote: srv, timeoutMs: 10000 * SLOW,
		auth: { user: 'alice', pass: 'Xy9-secret' },
		keys: { from_user: 'alice', contact_user: 'alice', stale_ms: 2500 } });
	assertSipp(r, 0, 'REGISTER → 401, old nonce → 401 stale=true, fresh nonce → 200');
	assert.equal((await srv.get('/ari/endpoints/PJSIP/alice')).json.state, 'online');
});

serverTest('max_contacts_1_with_remove_existing_replaces_the_first_contact', {
	files: { 'pjsip.conf': regConf('alice', { max_contacts: 1, remove_existing: 'yes' }) },
}, async (srv) => {
	const ws = await srv.events('regapp');
	await subscribeEndpoint(srv, 'regapp', 'alice');
	assert.equal(statusOf(await registerOnce(srv, { user: 'first' })), 200);
	const second = await registerOnce(srv, { user: 'second' });
	assert.equal(statusOf(second), 200, sippReport(second));
	const ok = second.messages.split('SIP/2.0 200')[1];
	assert.match(ok, /Contact: <sip:second@/);
	assert.doesNotMatch(ok, /sip:first@/, 'the first binding is gone from the 200');
	const removed = await ws.waitFor(contactIs('Removed'));
	assert.match(removed.contact_info.uri, /^sip:first@/);
	assert.match(srv.stderr, /Removed contact 'sip:first@[^']*' from AOR 'alice' due to remove_existing/);
	assert.equal((await srv.get('/ari/endpoints/PJSIP/alice')).json.state, 'online');
});

serverTest('max_contacts_1_without_remove_existing_refuses_a_second_contact_with_403', {
	files: { 'pjsip.conf': regConf('alice', { max_contacts: 1, remove_existing: 'no' }) },
}, async (srv) => {
	assert.equal(statusOf(await registerOnce(srv, { user: 'first' })), 200);
	const second = await registerOnce(srv, { user: 'second' });
	// res_pjsip_registrar: "... will exceed max contacts of 1" → 403
	assert.equal(statusOf(second), 403, sippReport(second));
	assert.match(srv.stderr, /will exceed max contacts of 1/);
});

serverTest('a_contact_not_refreshed_expires_with_ContactStatusChange_Removed', {
	files: { 'pjsip.conf': regConf('alice', { max_contacts: 1, minimum_expiration: 1 }) },
}, async (srv) => {
	const ws = await srv.events('regapp');
	await subscribeEndpoint(srv, 'regapp', 'alice');
	const r = await registerOnce(srv, { expires: 2 });
	assert.equal(statusOf(r), 200, sippReport(r));
	assert.match(r.messages, /;expires=2\b/);
	await ws.waitFor(endpointIs('online'));
	const removed = await ws.waitFor(contactIs('Removed'), 5000 * SLOW);
	assert.match(removed.contact_info.uri, /^sip:alice@/);
	await ws.waitFor(endpointIs('offline'));
	assert.match(srv.stderr, /Removed contact 'sip:alice@[^']*' from AOR 'alice' due to expiration/);
});

// 6. Outbound digest auth ------------------------------------------------------

const OUT_AUTH = {
	files: { 'pjsip.conf': pjsipConf({ bob: { extra: { outbound_auth: 'bob-out' } } }) +
		'\n[bob-out]\ntype = auth\nauth_type = userpass\nusername = bob-user\npassword = Out-pass1\n' },
};

serverTest('originate_challenged_with_401_is_retried_with_outbound_auth_and_goes_Up', OUT_AUTH, async (srv) => {
	const ws = await srv.events('sipapp');
	const uas = await (await spawnSipp({ scenario: 'path_uas_auth_answer' })).ready();
	await withSipp(uas, async () => {
		const ch = await srv.originate({ endpoint: `PJSIP/bob/sip:bob@127.0.0.1:${uas.port}`, app: 'sipapp' });
		const start = await ws.waitFor('StasisStart', 8000 * SLOW);
		assert.equal(start.channel.id, ch.id);
		assert.equal(start.channel.state, 'Up');
		assert.equal((await srv.del(`/ari/channels/${enc(ch.id)}`)).status, 204);
		const r = await uas.done;
		assertSipp(r, 0, 'INVITE → 401 → ACK → INVITE with Authorization → 200 → ACK → BYE');
		assert.match(r.messages, /INVITE sip:[^\n]*\n(?:[^\n]+\n)*?Authorization: Digest username="bob-user", realm="sipp"/);
	});
});

lateServerTest('send_message_challenged_with_401_is_retried_with_outbound_auth', async () => ({
	files: { 'pjsip.conf': regConf('alice', { max_contacts: 1 }, { outbound_auth: 'alice-out' }) +
		'\n[alice-out]\ntype = auth\nauth_type = userpass\nusername = alice-out\npassword = Msg-pass1\n' },
}), async (srv) => {
	const ws = await srv.events('msgapp');
	await subscribeEndpoint(srv, 'msgapp', 'alice');
	const reg = await registerOnce(srv);
	assert.equal(statusOf(reg), 200, sippReport(reg));
	await ws.waitFor(endpointIs('online'));
	// the registered contact's port now answers as a UAS (see the qualify test)
	const ua = await (await spawnSipp({ scenario: 'path_uas_message_auth', port: reg.port,
		timeoutMs: 8000 * SLOW })).ready();
	await withSipp(ua, async () => {
		const r = await srv.put(`/ari/endpoints/PJSIP/alice/sendMessage?from=${enc('ari')}&body=${enc('hi bob, path test')}`);
		// Asterisk answers 202 Accepted (resource_endpoints.c send_message)
		assert.ok([202, 204].includes(r.status), `${r.status} ${r.body}`);
		const done = await ua.done;
		assertSipp(done, 0, 'MESSAGE → 401 → MESSAGE with Authorization → 200');
		const msgs = done.messages.split(/\n(?=-{5,})/).filter((m) => /^MESSAGE sip:/m.test(m));
		assert.equal(msgs.length, 2, sippReport(done));
		assert.match(msgs[1], /Authorization: Digest [^\n]*username="alice-out"/);
		assert.match(msgs[1], /hi bob, path test/);
	});
});

// 7. Redirect ------------------------------------------------------------------

serverTest('redirect_to_PJSIP_endpoint_sends_302_with_its_contact_and_destroys_the_channel', {
	files: { 'pjsip.conf': pjsipConf({ alice: { match: '127.0.0.1' }, bob: { contact: 'sip:bob@127.0.0.1:5999' } }) },
}, async (srv) => {
	const ws = await srv.events('sipapp');
	const sipp = await callIn(srv, 'ari_uac_redirected');
	await withSipp(sipp, async () => {
		const { channel } = await ws.waitFor('StasisStart');
		const r = await srv.post(`/ari/channels/${enc(channel.id)}/redirect?endpoint=${enc('PJSIP/bob')}`);
		assert.equal(r.status, 204, r.body);
		const gone = await ws.waitFor('ChannelDestroyed');
		assert.equal(gone.channel.id, channel.id);
		// chan_pjsip: the 302 ends the session; hangup_sip2cause(302) is Normal Clearing
		assert.equal(gone.cause, 16, JSON.stringify(gone));
		const done = await sipp.done;
		assertSipp(done, 0, 'INVITE → 302 → ACK');
		assert.match(done.messages, /SIP\/2\.0 302[^\n]*\n(?:[^\n]+\n)*?Contact:\s*<sip:bob@127\.0\.0\.1:5999>/i);
		await srv.waitChannelGone(channel.id);
	});
});

// 8. TCP -----------------------------------------------------------------------

lateServerTest('tcp_transport_takes_a_register_and_a_call', async (ctx) => {
	ctx.tcp = await freePort();
	return { vars: { TCP_PORT: ctx.tcp }, files: { 'pjsip.conf': regConf('alice', { max_contacts: 1 }, {},
		'[transport-tcp]\ntype = transport\nprotocol = tcp\nbind = 127.0.0.1:{{TCP_PORT}}\n') } };
}, async (srv, ctx) => {
	const remote = `127.0.0.1:${ctx.tcp}`;
	const reg = await registerOnce(srv, { remote, args: ['-t', 't1'] });
	assert.equal(statusOf(reg), 200, sippReport(reg));
	assert.match(reg.messages, /Via: SIP\/2\.0\/TCP/);
	const ep = await srv.get('/ari/endpoints/PJSIP/alice');
	assert.equal(ep.json.state, 'online');

	const ws = await srv.events('sipapp');
	const sipp = await spawnSipp({ scenario: 'uac_call', remote, service: '100', duration: 300, args: ['-t', 't1'],
		keys: { from_user: 'alice' } });
	await withSipp(sipp, async () => {
		await answerNext(srv, ws);
		const gone = await ws.waitFor('ChannelDestroyed', 8000 * SLOW);
		assert.equal(gone.cause, 16);
		assertSipp(await sipp.done, 0, 'call over TCP');
	});
});

// 9. Timeouts ---------------------------------------------------------------------

serverTest('call_without_rtp_is_hung_up_after_rtp_timeout_with_the_log_line', {
	files: { 'pjsip.conf': pjsipConf({ alice: { match: '127.0.0.1', rtp_timeout: 2 } }) },
}, async (srv) => {
	const ws = await srv.events('sipapp');
	const sipp = await callIn(srv, 'uac_call_server_bye', { timeoutMs: 10000 * SLOW });
	await withSipp(sipp, async () => {
		const ch = await answerNext(srv, ws);
		const t0 = Date.now();
		const gone = await ws.waitFor('ChannelDestroyed', 6000 * SLOW);
		const took = Date.now() - t0;
		assert.equal(gone.channel.id, ch.id);
		assert.ok(took >= 1500 && took <= 4500 * SLOW, `hung up after ${took} ms`);
		// res_pjsip_sdp_rtp: "Disconnecting channel '%s' for lack of audio RTP activity in %d seconds"
		assert.match(srv.stderr, /Disconnecting channel 'PJSIP\/alice-[0-9a-f]{8}' for lack of audio RTP activity in 2 seconds/);
		assertSipp(await sipp.done, 0, 'BYE from ariadne');
	});
});

// libre's 2xx retransmission gives up after 64*T1 = 32 s, a library constant:
// opt-in with ARIADNE_SLOW_TESTS=1.
serverTest('answered_call_never_acked_is_hung_up_after_32_s_with_a_bye', {
	...OPEN, timeout: 60000 * SLOW,
	skip: process.env.ARIADNE_SLOW_TESTS ? false : 'takes 32 s: set ARIADNE_SLOW_TESTS=1',
}, async (srv) => {
	const ws = await srv.events('sipapp');
	const sipp = await callIn(srv, 'path_uac_no_ack', { timeoutMs: 50000 * SLOW });
	await withSipp(sipp, async () => {
		const { channel } = await ws.waitFor('StasisStart');
		assert.equal((await srv.post(`/ari/channels/${enc(channel.id)}/answer`)).status, 204);
		const t0 = Date.now();
		const gone = await ws.waitFor('ChannelDestroyed', 40000 * SLOW);
		const took = Date.now() - t0;
		assert.ok(took >= 30000 && took <= 36000 * SLOW, `hung up after ${took} ms`);
		assert.equal(gone.channel.id, channel.id);
		assertSipp(await sipp.done, 0, '200 retransmitted, never ACKed, then BYE');
	});
});

// 10. Causes ----------------------------------------------------------------------
// CANCEL before answer: chan_pjsip's session end takes hangup_sip2cause() of
// the INVITE session's cause, 487 for a CANCEL, which falls in the 4xx
// default: AST_CAUSE_INTERWORKING (127); ChannelDestroyed cause_txt
// "Interworking, unspecified". BYE from the caller: 16 (Normal Clearing).
serverTest('cancel_gives_cause_127_Interworking_and_caller_bye_cause_16_Normal_Clearing', OPEN, async (srv) => {
	const ws = await srv.events('sipapp');
	const c = await callIn(srv, 'uac_cancel', { duration: 300 });
	await withSipp(c, async () => {
		const gone = await ws.waitFor('ChannelDestroyed');
		assert.equal(gone.cause, 127);
		assert.equal(gone.cause_txt, 'Interworking, unspecified');
		assertSipp(await c.done, 0, 'CANCEL');
	});
	const from = ws.events.length;
	const b = await callIn(srv, 'uac_call', { duration: 200 });
	await withSipp(b, async () => {
		const { channel } = await ws.waitFor('StasisStart', undefined, { from });
		assert.equal((await srv.post(`/ari/channels/${enc(channel.id)}/answer`)).status, 204);
		const gone = await ws.waitFor('ChannelDestroyed', 8000 * SLOW, { from });
		assert.equal(gone.cause, 16);
		assert.equal(gone.cause_txt, 'Normal Clearing');
		assertSipp(await b.done, 0, 'BYE');
	});
});
