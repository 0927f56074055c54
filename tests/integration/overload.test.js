'use strict';
// Shedding new calls (ariadne.conf [options] maxcalls, maxload, maxsetup,
// overload_retry_after; src/core/overload.c): a new INVITE over a limit gets
// 503 Service Unavailable with Retry-After and makes no channel, ARI
// requests for a new channel get 503 too, the refusals are counted in
// ariadne_calls_refused_total{reason} and logged as Asterisk words them,
// at most once a second per reason with a count. Calls already up are not
// touched, and a call is accepted again once one has ended. maxlag (the
// loop's own lag) cannot be forced deterministically here: its decision and
// smoothing are unit-tested (tests/unit/test_overload.c). maxbacklog (how
// full the SIP socket's receive queue is) is forced by stopping the server
// while a storm of INVITEs queues.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const os = require('node:os');
const {
	serverTest, startServer, freePort, pjsipConf, spawnSipp, assertSipp, sippReport, sleep, withSipp,
	EVENT_TIMEOUT_MS, SLOW,
} = require('./lib/server');
const { udpPeer } = require('./lib/udp_peer');

const enc = encodeURIComponent;
const PJSIP = { 'pjsip.conf': pjsipConf({ alice: { match: '127.0.0.1' } }) };

function callIn(srv, scenario, opts = {}) {
	return spawnSipp(Object.assign({ scenario, remote: srv, service: '100', keys: { from_user: 'alice' } }, opts));
}

/** One INVITE (or `calls` of them) that must be refused 503 with a Retry-After. */
async function refusedCall(srv, opts = {}) {
	const r = await (await callIn(srv, 'uac_refused_503', opts)).done;
	assertSipp(r, 0, 'INVITE → 503 with Retry-After → ACK');
	return r;
}

async function refusedCount(srv, reason) {
	const r = await srv.get('/metrics');
	assert.equal(r.status, 200, r.body);
	const m = new RegExp(`^ariadne_calls_refused_total\\{reason="${reason}"\\} (\\d+)$`, 'm').exec(r.body);
	return m ? Number(m[1]) : 0;
}

const isPjsipStart = (e) => e.type === 'StasisStart' && /^PJSIP\//.test(e.channel.name);
const stateIs = (id, state) => (e) => e.type === 'ChannelStateChange' && e.channel.id === id &&
	e.channel.state === state;

/** The app answers the next PJSIP channel to enter it; returns its id. */
async function answerNext(srv, ws, from) {
	const { channel } = await ws.waitFor(isPjsipStart, EVENT_TIMEOUT_MS, { from, what: 'StasisStart PJSIP' });
	assert.equal((await srv.post(`/ari/channels/${enc(channel.id)}/answer`)).status, 204);
	await ws.waitFor(stateIs(channel.id, 'Up'), EVENT_TIMEOUT_MS, { what: `${channel.name} Up` });
	return channel.id;
}

serverTest('a_call_refused_for_want_of_rtp_ports_gets_503_with_retry_after_not_488', {
	// One RTP port pair in all (above the ephemeral range, where nothing
	// else on the machine binds): the second call finds none.
	files: PJSIP, ariadneConf: { options: { rtpstart: 61000, rtpend: 61002 } }, timeout: 60000,
}, async (srv) => {
	const ws = await srv.events('sipapp');
	const held = await callIn(srv, 'uac_call_server_bye', { calls: 1 });
	await withSipp(held, async () => {
		await answerNext(srv, ws, 0);
		// Our own shortage, not the offer's fault: a caller or a proxy
		// should try again (elsewhere), which 488 would tell it not to.
		const r = await refusedCall(srv);
		assert.match(r.messages, /SIP\/2\.0 503 Service Unavailable\r?\n[\s\S]*?Retry-After: 5\r?\n/, sippReport(r));
		await srv.waitForLog(/no RTP port free in 61000-61002/);
		await srv.waitForLog(/cannot answer the offer: Address already in use \(503\)/);
	});
});

serverTest('maxcalls_refuses_the_third_call_with_503_and_retry_after_and_makes_no_channel', {
	files: PJSIP, ariadneConf: { options: { maxcalls: 2 } }, timeout: 60000,
}, async (srv) => {
	const ws = await srv.events('sipapp');
	const held = await callIn(srv, 'uac_call_server_bye', { calls: 2, rate: 20 });
	await withSipp(held, async () => {
		const a = await answerNext(srv, ws, 0);
		const b = await answerNext(srv, ws, ws.indexOf(ws.filter(isPjsipStart)[0]) + 1);
		assert.notEqual(a, b);

		const r = await refusedCall(srv);
		assert.match(r.messages, /SIP\/2\.0 503 Service Unavailable\r?\n[\s\S]*?Retry-After: 5\r?\n/,
			'503 with the default Retry-After of 5 s\n' + sippReport(r));
		assert.doesNotMatch(r.messages, /SIP\/2\.0 100 /, 'refused before any work: no 100 Trying');
		await srv.waitForLog(/WARNING\[\d+\]: overload\.c:\d+ \w+: Maximum call limit of 2 calls exceeded by 'sip:alice@127\.0\.0\.1:\d+'!/);
		await ws.expectNone((e) => e.type === 'StasisStart' && ![a, b].includes(e.channel.id), 300,
			'the refused INVITE made a channel');
		assert.deepEqual((await srv.get('/ari/channels')).json.map((c) => c.id).sort(), [a, b].sort());
		assert.equal(await refusedCount(srv, 'maxcalls'), 1);
		// The CLI counts what the limit counts: full when a call was refused.
		const shown = (await srv.cli('core show calls')).stdout;
		assert.match(shown, /^2 of 2 max active calls \(100\.00% of capacity\)\n/, shown);

		// ARI: a new channel is refused the same way, nothing is made.
		let res = await srv.post('/ari/channels?' + new URLSearchParams({
			endpoint: 'Local/100@stasis-sipapp', app: 'sipapp' }));
		assert.equal(res.status, 503, res.body);
		assert.equal(res.headers['retry-after'], '5');
		assert.deepEqual(res.json, { message: 'Maximum call limit of 2 calls reached' });
		res = await srv.post('/ari/channels/create?' + new URLSearchParams({
			endpoint: 'Local/100@stasis-sipapp', app: 'sipapp' }));
		assert.equal(res.status, 503, res.body);
		res = await srv.post('/ari/channels/externalMedia?' + new URLSearchParams({
			app: 'sipapp', external_host: '127.0.0.1:40000', format: 'ulaw' }));
		assert.equal(res.status, 503, res.body);
		assert.equal((await srv.get('/ari/channels')).json.length, 2);
		assert.equal(await refusedCount(srv, 'maxcalls'), 4);
		const info = await srv.get('/ari/asterisk/info?only=config');
		assert.equal(info.json.config.max_channels, 2, info.body);

		// A storm is counted call by call but logged at most once a
		// second, each line with the number refused since the last.
		await refusedCall(srv, { calls: 4, rate: 100 });
		await sleep(1100);
		await refusedCall(srv);
		assert.equal(await refusedCount(srv, 'maxcalls'), 9);
		const lines = [...srv.stderr.matchAll(
			/Maximum call limit of 2 calls exceeded by '[^']*'!(?: \((\d+) calls refused since the last report\))?/g)];
		const logged = lines.reduce((n, m) => n + (m[1] ? Number(m[1]) : 1), 0);
		assert.equal(logged, 9, lines.map((m) => m[0]).join('\n'));
		assert.ok(lines.length >= 2 && lines.length <= 4, `${lines.length} lines for 9 refusals in about 2 s`);
		assert.ok(lines[lines.length - 1][1] > 1, 'the last line carries the count: ' + lines[lines.length - 1][0]);

		// The calls that were up are untouched; once one ends, a new call
		// is accepted again.
		assert.equal((await srv.del(`/ari/channels/${enc(a)}`)).status, 204);
		await ws.waitFor((e) => e.type === 'ChannelDestroyed' && e.channel.id === a);
		const from = ws.events.length;
		const next = await callIn(srv, 'uac_call_server_bye');
		await withSipp(next, async () => {
			const c = await answerNext(srv, ws, from);
			assert.equal((await srv.get('/ari/channels')).json.length, 2);
			for (const id of [b, c]) assert.equal((await srv.del(`/ari/channels/${enc(id)}`)).status, 204);
			assertSipp(await next.done, 0, 'the call after one ended is accepted');
		});
		assertSipp(await held.done, 0, 'the two calls held up through the refusals');
		assert.equal(await refusedCount(srv, 'maxcalls'), 9);
	});
});

// The 503 is stateless (src/sip/sip_answered.c): no transaction holds it;
// the refused INVITE is remembered instead, so a retransmission gets the
// same 503 (same To tag) without a second refusal, the ACK is absorbed
// without an answer, and even once the limit is no longer reached the
// same INVITE is refused again rather than becoming a call.
serverTest('a_retransmitted_invite_gets_the_same_503_again_and_is_refused_once', {
	files: PJSIP, ariadneConf: { options: { maxcalls: 2, overload_retry_after: 0 } },
}, async (srv) => {
	// A created Local pair fills both places.
	const ws = await srv.events('sipapp');
	const made = await srv.post('/ari/channels/create?' + new URLSearchParams({
		endpoint: 'Local/100@stasis-sipapp', app: 'sipapp' }));
	assert.equal(made.status, 200, made.body);
	const remembered = async () => Number(/^ariadne_sip_invites_remembered (\d+)$/m
		.exec((await srv.get('/metrics')).body)[1]);
	const before = await remembered();
	const peer = await udpPeer();
	try {
		const invite = peer.invite(srv, 'overload-retrans-1');
		await peer.send(invite, srv.sipPort);
		const until = async (n) => {
			const deadline = Date.now() + EVENT_TIMEOUT_MS;
			while (peer.got.length < n && Date.now() < deadline) await sleep(10);
			assert.ok(peer.got.length >= n, `expected ${n} responses, got: ${peer.got.join('\n---\n')}`);
		};
		await until(1);
		assert.equal(await remembered(), before + 1, 'the refused INVITE is remembered');
		await peer.send(invite, srv.sipPort);     // as if the 503 were lost
		await until(2);
		const [first, second] = peer.got;
		assert.match(first, /^SIP\/2\.0 503 Service Unavailable\r\n/);
		assert.doesNotMatch(first, /Retry-After/i, 'overload_retry_after = 0 sends none');
		const tag = (m) => /^To:.*;tag=([^;\r\n]+)/mi.exec(m)[1];
		assert.equal(second.split('\r\n')[0], 'SIP/2.0 503 Service Unavailable');
		assert.equal(tag(second), tag(first), 'the retransmission gets the same To tag');
		await peer.send(invite.replace('INVITE sip:', 'ACK sip:').replace('CSeq: 1 INVITE', 'CSeq: 1 ACK')
			.replace(/^To: (.*)$/m, `To: $1;tag=${tag(first)}`), srv.sipPort);
		await sleep(200);
		assert.equal(peer.got.length, 2, `the ACK gets no answer: ${peer.got.slice(2).join('\n---\n')}`);
		assert.equal(await refusedCount(srv, 'maxcalls'), 1, 'the retransmission is not a second refusal');
		await ws.expectNone((e) => e.type === 'StasisStart' && /^PJSIP\//.test(e.channel.name), 200);
		assert.equal((await srv.get('/ari/channels')).json.length, 2);

		// Room again: the same INVITE once more is still the refused one.
		assert.equal((await srv.del(`/ari/channels/${enc(made.json.id)}`)).status, 204);
		await ws.waitFor('StasisEnd');
		await peer.send(invite, srv.sipPort);
		await until(3);
		assert.equal(peer.got[2].split('\r\n')[0], 'SIP/2.0 503 Service Unavailable');
		assert.equal(tag(peer.got[2]), tag(first));
		assert.equal(await refusedCount(srv, 'maxcalls'), 1);
		// while a new INVITE is a call
		await peer.send(peer.invite(srv, 'overload-retrans-2'), srv.sipPort);
		const { channel } = await ws.waitFor((e) => e.type === 'StasisStart' && /^PJSIP\//.test(e.channel.name));
		assert.equal((await srv.del(`/ari/channels/${enc(channel.id)}`)).status, 204);
	} finally {
		await peer.close();
	}
});

serverTest('maxsetup_refuses_while_that_many_calls_wait_for_an_answer_but_not_ari', {
	files: PJSIP, ariadneConf: { options: { maxsetup: 1 } }, timeout: 45000,
}, async (srv) => {
	const ws = await srv.events('sipapp');
	const first = await callIn(srv, 'uac_call_server_bye');
	await withSipp(first, async () => {
		const { channel } = await ws.waitFor(isPjsipStart);
		assert.equal(channel.state, 'Ring');
		await refusedCall(srv);
		await srv.waitForLog(/WARNING\[\d+\]: .*Overloaded: 1 calls in setup \(maxsetup 1\), new call from 'sip:alice@127\.0\.0\.1:\d+' refused/);
		assert.equal(await refusedCount(srv, 'overload'), 1);
		// An application's request for a channel is not shed for this.
		const made = await srv.post('/ari/channels/create?' + new URLSearchParams({
			endpoint: 'Local/200@stasis-sipapp', app: 'sipapp' }));
		assert.equal(made.status, 200, made.body);
		assert.equal((await srv.del(`/ari/channels/${enc(made.json.id)}`)).status, 204);
		// Answered, the first call no longer waits: the next is accepted.
		assert.equal((await srv.post(`/ari/channels/${enc(channel.id)}/answer`)).status, 204);
		await ws.waitFor(stateIs(channel.id, 'Up'));
		const from = ws.events.length;
		const second = await callIn(srv, 'uac_call_server_bye');
		await withSipp(second, async () => {
			const id = await answerNext(srv, ws, from);
			for (const c of [channel.id, id]) assert.equal((await srv.del(`/ari/channels/${enc(c)}`)).status, 204);
			assertSipp(await second.done, 0, 'accepted once the first call was answered');
		});
		assertSipp(await first.done, 0);
		assert.equal(await refusedCount(srv, 'overload'), 1);
		assert.equal(await refusedCount(srv, 'maxcalls'), 0);
	});
});

serverTest('maxload_refuses_new_calls_above_the_load_average_with_the_configured_retry_after', {
	files: PJSIP, ariadneConf: { options: { maxload: 0.0001, overload_retry_after: 30 } },
}, async (srv, t) => {
	// The server reads the same /proc/loadavg; an idle machine can show 0.
	if (os.loadavg()[0] < 0.0001) {
		t.skip('1-minute load average is 0 on this machine');
		return;
	}
	const r = await refusedCall(srv);
	assert.match(r.messages, /SIP\/2\.0 503 Service Unavailable\r?\n[\s\S]*?Retry-After: 30\r?\n/, sippReport(r));
	await srv.waitForLog(/WARNING\[\d+\]: .*Maximum loadavg limit of 0\.000100 load exceeded by 'sip:alice@127\.0\.0\.1:\d+' \(currently \d+\.\d+\)!/);
	const res = await srv.post('/ari/channels?' + new URLSearchParams({
		endpoint: 'Local/100@stasis-sipapp', app: 'sipapp' }));
	assert.equal(res.status, 503, res.body);
	assert.equal(res.headers['retry-after'], '30');
	assert.match(res.json.message, /^Maximum loadavg limit of 0\.000100 load reached \(currently \d+\.\d+\)$/);
	assert.equal(await refusedCount(srv, 'maxload'), 2);
	assert.deepEqual((await srv.get('/ari/channels')).json, []);
	const info = await srv.get('/ari/asterisk/info?only=config');
	assert.equal(info.json.config.max_load, 0.0001, info.body);
});

// A Local originate makes two channels: at 2 of 3 it would make 4 of 3, so
// it is refused as any call over the limit; a one-channel request still fits.
serverTest('a_local_originate_whose_two_halves_do_not_fit_under_maxcalls_is_refused', {
	ariadneConf: { options: { maxcalls: 3 } },
	files: { 'extensions.conf': '[default]\nexten => 100,1,Answer()\n same => n,Wait(30)\n' },
}, async (srv) => {
	await srv.events('x');
	const local = { endpoint: 'Local/100@default', app: 'x' };
	let res = await srv.post('/ari/channels?' + new URLSearchParams(local));
	assert.equal(res.status, 200, res.body);
	assert.equal((await srv.get('/ari/channels')).json.length, 2);
	for (const route of ['/ari/channels', '/ari/channels/create']) {
		res = await srv.post(`${route}?` + new URLSearchParams(local));
		assert.equal(res.status, 503, `${route}: ${res.status} ${res.body}`);
		assert.equal(res.headers['retry-after'], '5');
		assert.deepEqual(res.json, { message: 'Maximum call limit of 3 calls reached' });
	}
	await srv.waitForLog(/WARNING\[\d+\]: overload\.c:\d+ \w+: Maximum call limit of 3 calls exceeded by 'Local\/100@default'!/);
	assert.equal(await refusedCount(srv, 'maxcalls'), 2);
	assert.match((await srv.cli('core show calls')).stdout, /^2 of 3 max active calls/);
	// one channel fits in the one place left
	res = await srv.post('/ari/channels/externalMedia?' + new URLSearchParams({
		app: 'x', external_host: '127.0.0.1:40000', format: 'ulaw' }));
	assert.equal(res.status, 200, res.body);
	assert.match((await srv.cli('core show calls')).stdout, /^3 of 3 max active calls/);
});

serverTest('invalid_limits_are_warned_and_left_at_their_defaults', {
	files: PJSIP, ariadneConf: { options: { maxcalls: 'many', maxload: '-1', maxlag: '5ms' } },
}, async (srv) => {
	for (const [name, v] of [['maxcalls', 'many'], ['maxload', '-1'], ['maxlag', '5ms']])
		await srv.waitForLog(new RegExp(`WARNING\\[\\d+\\]: .*ariadne\\.conf:\\d+: Invalid ${name} '${v}'`));
	const ws = await srv.events('sipapp');
	const sipp = await callIn(srv, 'uac_call', { duration: 100 });
	await withSipp(sipp, async () => {
		await answerNext(srv, ws, 0);
		assertSipp(await sipp.done, 0, 'no limit: the call is accepted');
	});
	const info = await srv.get('/ari/asterisk/info?only=config');
	assert.equal(info.json.config.max_channels, undefined);
	assert.equal(info.json.config.max_load, undefined);
	assert.equal(await refusedCount(srv, 'maxcalls'), 0);
});

serverTest('core_drain_refuses_new_calls_keeps_the_call_up_and_sigusr1_drains_too', {
	files: PJSIP, timeout: 60000,
}, async (srv) => {
	const ws = await srv.events('sipapp');
	let r = await srv.cli('core drain');
	assert.match(r.stdout, /^Draining: no \(0 active channels\)$/m, r.stdout);
	const held = await callIn(srv, 'uac_call_server_bye', { calls: 1 });
	await withSipp(held, async () => {
		const up = await answerNext(srv, ws, 0);
		r = await srv.cli('core drain on');
		assert.equal(r.code, 0, r.stderr);
		assert.match(r.stdout, /^Draining: yes, no new calls \(1 active channels\)$/m, r.stdout);
		await srv.waitForLog(/NOTICE\[\d+\]: overload\.c:\d+ \w+: Draining \(core drain on\): no new calls; the 1 existing channels go on/);
		// a new INVITE: 503 with Retry-After, no channel
		const refused = await refusedCall(srv);
		assert.match(refused.messages, /SIP\/2\.0 503 Service Unavailable\r?\n[\s\S]*?Retry-After: 5\r?\n/, sippReport(refused));
		// a new ARI channel: 503 with the reason
		const res = await srv.post('/ari/channels?' + new URLSearchParams({
			endpoint: 'Local/100@stasis-sipapp', app: 'sipapp' }));
		assert.equal(res.status, 503, res.body);
		assert.deepEqual(res.json, { message: 'Draining: this node takes no new calls' });
		assert.equal(await refusedCount(srv, 'draining'), 2);
		// the call that was up is still controllable
		assert.deepEqual((await srv.get('/ari/channels')).json.map((c) => c.id), [up]);
		const v = await srv.post(`/ari/channels/${enc(up)}/variable?variable=STILL&value=here`);
		assert.equal(v.status, 204, v.body);
		assert.equal((await srv.del(`/ari/channels/${enc(up)}`)).status, 204);
		assertSipp(await held.done, 0, 'the held call ends normally with our BYE');
	});
	// back in service: calls are taken again
	r = await srv.cli('core drain off');
	assert.match(r.stdout, /^Draining: no/m, r.stdout);
	await srv.waitForLog(/No longer draining \(core drain off\)/);
	const again = await callIn(srv, 'uac_call_server_bye', { calls: 1 });
	await withSipp(again, async () => {
		const id = await answerNext(srv, ws, ws.events.length);
		assert.equal((await srv.del(`/ari/channels/${enc(id)}`)).status, 204);
		assertSipp(await again.done, 0, 'a call after the drain ended');
	});
	// SIGUSR1 drains as well, without stopping the server
	process.kill(srv.proc.pid, 'SIGUSR1');
	await srv.waitForLog(/Draining \(SIGUSR1\): no new calls/);
	r = await srv.cli('core drain');
	assert.match(r.stdout, /^Draining: yes/m, r.stdout);
	assert.equal((await srv.get('/ari/asterisk/ping')).status, 200);
});

serverTest('a_filling_sip_receive_queue_sheds_new_invites_with_503_then_calls_are_taken_again', {
	// maxbacklog 1 %: a few dozen queued datagrams trip it, whatever the
	// socket's buffer (4 MB as root, net.core.rmem_max otherwise).
	files: PJSIP, ariadneConf: { options: { maxbacklog: 1, overload_retry_after: 0 } }, timeout: 90000,
}, async (srv) => {
	const ws = await srv.events('sipapp');
	const peer = await udpPeer();
	const N = 400;
	const invite = (i) => peer.invite(srv, `backlog-${i}`);
	const callId = (m) => (/^Call-ID: *(\S+)/mi.exec(m) || [])[1];
	try {
		// The loop stopped, a storm queues in the kernel as in a machine
		// with no CPU left for ariadne; then ariadne reads it all.
		srv.proc.kill('SIGSTOP');
		try {
			for (let i = 0; i < N; i++) await peer.send(invite(i), srv.sipPort);
		} finally {
			srv.proc.kill('SIGCONT');
		}
		const refused = () => new Set(peer.got.filter((m) => m.startsWith('SIP/2.0 503 ')).map(callId));
		// The 503s are stateless: one lost (our socket's buffer overflows
		// as a storm of them comes back) is sent again only when the
		// INVITE is, so do what a caller does (Timer A) for the INVITEs
		// that got no response at all.
		const answered = () => new Set(peer.got.map(callId));
		const deadline = Date.now() + 30000 * SLOW;
		let resent = Date.now();
		while (refused().size + ws.filter(isPjsipStart).length < N && Date.now() < deadline) {
			await sleep(50);
			if (Date.now() - resent < 1000) continue;
			const got = answered();
			for (let i = 0; i < N; i++)
				if (!got.has(`backlog-${i}@127.0.0.1`)) await peer.send(invite(i), srv.sipPort);
			resent = Date.now();
		}
		const r = refused().size, taken = ws.filter(isPjsipStart).length;
		assert.equal(r + taken, N, `every INVITE answered: ${r} refused, ${taken} taken`);
		assert.ok(r > 0, 'some were refused while the queue was full');
		assert.ok(taken > 0, 'the rest, read once the queue had drained, were taken');
		// The first read are the ones refused: the queue was fullest then.
		const refusedIds = refused();
		assert.ok(refusedIds.has('backlog-0@127.0.0.1'), 'the first INVITE of the storm was refused');
		for (const m of peer.got.filter((x) => x.startsWith('SIP/2.0 503 ')))
			assert.doesNotMatch(m, /^Retry-After:/mi, 'overload_retry_after 0 sends none');
		assert.equal(await refusedCount(srv, 'overload'), r);
		await srv.waitForLog(/WARNING\[\d+\]: .*Overloaded: the SIP receive queue is \d+% full \(maxbacklog 1%\), new call from 'sip:alice@127\.0\.0\.1:\d+' refused/);

		// The queue empty, a new INVITE is a call.
		const from = ws.events.length;
		await peer.send(invite(N), srv.sipPort);
		await ws.waitFor((e) => isPjsipStart(e) && e.channel.protocol_id === `backlog-${N}@127.0.0.1`,
			EVENT_TIMEOUT_MS, { from, what: 'StasisStart of the INVITE after the storm' });
		assert.equal(await refusedCount(srv, 'overload'), r);
	} finally {
		srv.proc.kill('SIGCONT');
		await peer.close();
	}
});

// Over TCP the stateless 503 goes back on the INVITE's own connection and
// nothing is remembered (no one retransmits over TCP): SIPp's whole
// INVITE → 503 → ACK exchange over one connection, while draining.
test('a_tcp_invite_while_draining_gets_its_503_on_the_same_connection', { timeout: 30000 * SLOW }, async () => {
	const tcp = await freePort();
	const srv = await startServer({ vars: { TCP_PORT: tcp }, files: { 'pjsip.conf': pjsipConf({ alice: { match: '127.0.0.1' } }) +
		'\n[transport-tcp]\ntype = transport\nprotocol = tcp\nbind = 127.0.0.1:{{TCP_PORT}}\n' } });
	try {
		const remembered = async () => Number(/^ariadne_sip_invites_remembered (\d+)$/m
			.exec((await srv.get('/metrics')).body)[1]);
		const before = await remembered();
		assert.match((await srv.cli('core drain on')).stdout, /^Draining: yes/m);
		const r = await refusedCall(srv, { remote: `127.0.0.1:${tcp}`, args: ['-t', 't1'] });
		assert.match(r.messages, /Via: SIP\/2\.0\/TCP/, sippReport(r));
		assert.match(r.messages, /SIP\/2\.0 503 Service Unavailable\r?\n[\s\S]*?Retry-After: 5\r?\n/, sippReport(r));
		assert.equal(await refusedCount(srv, 'draining'), 1);
		assert.equal(await remembered(), before, 'nothing remembered for TCP');
	} catch (e) {
		e.message += '\n' + srv.tail();
		throw e;
	} finally {
		await srv.stop();
	}
});
