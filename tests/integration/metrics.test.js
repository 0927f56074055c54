'use strict';
// GET /metrics: Prometheus' text format on the HTTP server (not under /ari),
// behind ARI credentials unless http.conf says metrics_auth = no. A scrape
// during a real SIP call shows it (channels by technology and state, SIP
// INVITEs, ARI requests by route and status, events sent to the app), and
// the figures move back when the call ends.
const assert = require('node:assert/strict');
const { serverTest } = require('./lib/server');
const { call, hangupAll, cleanup, mediaTest } = require('./lib/media_calls');

/** {name{labels}: value} of a scrape; also checks every family is typed. */
function parse(text) {
	const out = {};
	const typed = new Set();
	for (const line of text.split('\n')) {
		if (!line) continue;
		const t = /^# TYPE (\S+) (counter|gauge|histogram)$/.exec(line);
		if (t) { typed.add(t[1]); continue; }
		if (line.startsWith('#')) continue;
		const m = /^([a-z_]+)(\{.*\})? (\S+)$/.exec(line);
		assert.ok(m, `not a sample line: ${line}`);
		const family = m[1].replace(/_(bucket|sum|count)$/, '');
		assert.ok(typed.has(m[1]) || typed.has(family), `${m[1]} has no # TYPE`);
		out[m[1] + (m[2] || '')] = Number(m[3]);
	}
	return out;
}

async function scrape(srv, auth) {
	const r = await srv.request({ path: '/metrics', auth });
	assert.equal(r.status, 200, r.body);
	assert.match(r.headers['content-type'], /^text\/plain; version=0\.0\.4/);
	return parse(r.body);
}

mediaTest('metrics', 'a_scrape_during_a_call_shows_it_and_the_numbers_move', async (srv, ws, calls) => {
	const before = await scrape(srv);
	assert.ok(before.ariadne_resident_memory_bytes > 1e6, JSON.stringify(before));
	assert.ok(before.ariadne_open_fds > 3);
	assert.ok(before.ariadne_start_time_seconds > 1.7e9);
	// An idle server shows 0, not no series: sum() on a dashboard is 0.
	assert.equal(before['ariadne_channels{technology="PJSIP",state="Up"}'], 0, JSON.stringify(before));
	const invites0 = before['ariadne_sip_requests_total{method="INVITE"}'] || 0;

	calls.push(await call(srv, ws, 'm1'));
	const duringSent = Date.now();
	const during = await scrape(srv);
	const duringGot = Date.now();
	assert.equal(during['ariadne_channels{technology="PJSIP",state="Up"}'], 1, JSON.stringify(during));
	assert.equal(during['ariadne_sip_requests_total{method="INVITE"}'], invites0 + 1);
	assert.ok(during['ariadne_channels_created_total{technology="PJSIP"}'] >= 1);
	// Our own answer of the call was counted by route and status.
	assert.ok(during['ariadne_ari_requests_total{method="POST",route="/channels/{channelId}/answer",status="204"}'] >= 1,
		JSON.stringify(during));
	assert.ok(during['ariadne_events_sent_total{app="metrics"}'] >= 1);
	// The call came in: counted by direction; we answered it 200 (and 100/180 first).
	assert.equal(during['ariadne_sip_calls_total{direction="in"}'], (before['ariadne_sip_calls_total{direction="in"}'] || 0) + 1);
	assert.ok(during['ariadne_sip_responses_total{direction="sent",class="2xx"}'] >=
		(before['ariadne_sip_responses_total{direction="sent",class="2xx"}'] || 0) + 1, JSON.stringify(during));
	assert.ok(during['ariadne_sip_responses_total{direction="sent",class="1xx"}'] >= 1);
	// The app's events socket is reading: nothing waits for it.
	assert.equal(during['ariadne_events_queued_bytes{app="metrics"}'], 0);
	// The CLI says the same: one call up, at least one processed.
	const shown = (await srv.cli('core show calls')).stdout;
	assert.match(shown, /^1 active call\n\d+ calls? processed\n$/, shown);
	// The tick runs for the call: 20 ms periods, each one counted.
	// The bounds follow the time between the two scrapes as seen from here
	// (at least 500 ms; more on a loaded machine or under ASan, where one
	// scrape took long enough that 42 ticks were right and failed CI once):
	// 0.6 to 1.6 times the 20 ms periods in that window, as before.
	await new Promise((r) => setTimeout(r, 500));
	const laterSent = Date.now();
	const later = await scrape(srv);
	const laterGot = Date.now();
	const ticks = later.ariadne_media_tick_lag_seconds_count - (during.ariadne_media_tick_lag_seconds_count || 0);
	const minMs = laterSent - duringGot, maxMs = laterGot - duringSent;
	assert.ok(ticks >= 0.6 * minMs / 20 && ticks <= 1.6 * maxMs / 20,
		`${ticks} ticks in ${minMs}..${maxMs} ms`);
	assert.equal(later['ariadne_media_tick_lag_seconds_bucket{le="+Inf"}'], later.ariadne_media_tick_lag_seconds_count);
	assert.ok(later['ariadne_media_tick_lag_seconds_bucket{le="0.001"}'] <= later['ariadne_media_tick_lag_seconds_bucket{le="0.1"}']);

	await hangupAll(srv, calls);
	const after = await scrape(srv);
	// Every series the call made is back at 0, none gone.
	for (const [k, v] of Object.entries(after))
		if (k.startsWith('ariadne_channels{')) assert.equal(v, 0, k);
	assert.equal(after['ariadne_channels{technology="PJSIP",state="Up"}'], 0, JSON.stringify(after));
	// We hung up (BYE went out); what came in was the INVITE and its ACK.
	assert.ok(after['ariadne_sip_requests_total{method="ACK"}'] >= 1, JSON.stringify(after));
	// The BYE's 200 came back.
	assert.ok(after['ariadne_sip_responses_total{direction="received",class="2xx"}'] >= 1, JSON.stringify(after));
	const calls2 = (await srv.cli('core show calls uptime seconds')).stdout;
	assert.match(calls2, /^0 active calls\n[1-9]\d* calls? processed\nSystem uptime: \d+\n$/, calls2);
});

// Counters whose label sets are known in advance are there from the first
// scrape at 0, so that rate() and increase() (an alert on refused calls)
// see the first event rather than a series born at 1.
serverTest('known_counters_are_at_zero_before_anything_happens', async (srv) => {
	const m = await scrape(srv);
	for (const reason of ['maxcalls', 'maxload', 'overload', 'draining'])
		assert.equal(m[`ariadne_calls_refused_total{reason="${reason}"}`], 0, reason);
	for (const dir of ['in', 'out'])
		assert.equal(m[`ariadne_sip_calls_total{direction="${dir}"}`], 0, dir);
	for (const dir of ['sent', 'received'])
		for (const cls of '123456')
			assert.equal(m[`ariadne_sip_responses_total{direction="${dir}",class="${cls}xx"}`], 0, `${dir} ${cls}xx`);
	// Channels by technology: each technology's "Up" series is there at
	// 0, and so is its created_total.
	for (const tech of ['PJSIP', 'Local', 'WebSocket', 'AudioSocket', 'UnicastRTP']) {
		assert.equal(m[`ariadne_channels{technology="${tech}",state="Up"}`], 0, tech);
		assert.equal(m[`ariadne_channels_created_total{technology="${tech}"}`], 0, tech);
	}
	// The OPTIONS ariadne sends itself at start-up is no request received.
	assert.equal(m['ariadne_sip_requests_total{method="OPTIONS"}'] || 0, 0, JSON.stringify(m));
});

serverTest('metrics_need_ari_credentials_by_default', async (srv) => {
	const r = await srv.request({ path: '/metrics', auth: null });
	assert.equal(r.status, 401);
	assert.match(r.headers['www-authenticate'], /^Basic/);
	assert.equal((await srv.request({ path: '/metrics', auth: 'asterisk:wrong' })).status, 401);
	assert.equal((await srv.request({ method: 'POST', path: '/metrics' })).status, 405);
});

serverTest('refused_logins_and_odd_methods_are_counted_without_new_label_sets', async (srv) => {
	// A brute force shows in ariadne_ari_requests_total as 401s (route
	// "none": refused before any route was looked up).
	for (let i = 0; i < 3; i++)
		assert.equal((await srv.get('/ari/asterisk/ping', { auth: 'asterisk:wrong' })).status, 401);
	// Methods HTTP does not have all count as one "other".
	for (const method of ['XYZ1', 'XYZ2'])
		assert.notEqual((await srv.request({ method, path: '/ari/asterisk/ping' })).status, 200);
	const m = await scrape(srv);
	assert.equal(m['ariadne_ari_requests_total{method="GET",route="none",status="401"}'], 3, JSON.stringify(m));
	const odd = Object.keys(m).filter((k) => k.startsWith('ariadne_ari_requests_total{') && /XYZ/.test(k));
	assert.deepEqual(odd, []);
	assert.ok(Object.keys(m).some((k) => k.startsWith('ariadne_ari_requests_total{method="other"')),
		JSON.stringify(m));
});

serverTest('metrics_auth_no_opens_the_scrape_to_anyone', {
	files: { 'http.conf': '[general]\nenabled = yes\nbindaddr = 127.0.0.1\n' +
		'bindport = {{HTTP_PORT}}\nmetrics_auth = no\n' },
}, async (srv) => {
	const m = await scrape(srv, null);
	assert.ok('ariadne_stasis_apps' in m);
	// Every digit of the start time, not 1.79e+09 (which lost 10 s).
	let raw = (await srv.request({ path: '/metrics', auth: null })).body;
	assert.match(raw, /^ariadne_start_time_seconds \d{10}(\.\d+)?$/m);
	// Bucket bounds in their shortest form: le="0.1", not 0.10000000000000001.
	// The tick's histogram has its first sample after the first tick (under
	// ASan a scrape right after start can come before it): scrape again.
	for (let i = 0; i < 50 && !/_bucket\{/.test(raw); i++) {
		await new Promise((r) => setTimeout(r, 100));
		raw = (await srv.request({ path: '/metrics', auth: null })).body;
	}
	assert.match(raw, /_bucket\{le="0\.1"\}/);
	// ARI itself still asks.
	assert.equal((await srv.request({ path: '/ari/asterisk/ping', auth: null })).status, 401);
});

// The loop-lag histogram records how late each tick really was: a server
// stopped for 300 ms (SIGSTOP) comes to the first tick it missed about
// 300 ms late, to the next 280 ms late, and so on, and every missed period
// is counted.
serverTest('a_stalled_loop_shows_in_the_tick_lag_histogram', async (srv) => {
	const before = await scrape(srv);
	const sent = Date.now();
	process.kill(srv.proc.pid, 'SIGSTOP');
	await new Promise((r) => setTimeout(r, 300));
	process.kill(srv.proc.pid, 'SIGCONT');
	const after = await scrape(srv);
	const ms = Date.now() - sent;
	const d = (k) => after[k] - (before[k] || 0);
	const name = 'ariadne_media_tick_lag_seconds';
	// 300 ms stopped: at least 14 periods, each with its own sample.
	assert.ok(d(`${name}_count`) >= 14 && d(`${name}_count`) <= 1.6 * ms / 20,
		`${d(`${name}_count`)} ticks in ${ms} ms`);
	// The first missed tick was ~300 ms late: above 0.1 s, up to 0.5 s.
	const over100 = d(`${name}_bucket{le="+Inf"}`) - d(`${name}_bucket{le="0.1"}`);
	assert.ok(over100 >= 5, `${over100} ticks later than 100 ms`);
	// Sum of 300 + 280 + ... + 20 ms ≈ 2.3 s; at least the first ten.
	assert.ok(d(`${name}_sum`) >= 1.5, `sum of lateness ${d(`${name}_sum`)} s`);
	assert.ok(after.ariadne_loop_lag_seconds > 0, 'the smoothed lag did not move');
});
