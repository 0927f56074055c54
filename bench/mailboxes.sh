#!/usr/bin/env bash
# Mailbox updates and the event loop: what PUT /ari/mailboxes/{name} costs
# the loop when the store is large (core/mailbox.c, base/datafile.c).
#
# Starts build/ariadne (bench/lib/server.sh), creates BENCH_MAILBOXES
# mailboxes, then runs BENCH_UPDATERS clients that update random ones as
# fast as they are answered for BENCH_DURATION seconds, while a sampler
# reads GET /metrics every 100 ms (ariadne_loop_lag_seconds: the smoothed
# lateness maxlag is compared with; ariadne_media_tick_lag_seconds: every
# tick's) and a prober times GET /ari/asterisk/info every 200 ms.
# Prints the figures; then stops the updaters, waits 1 s and checks that
# <datadir>/mailboxes.json is whole and holds the last acknowledged counts.
#
# Environment: BENCH_MAILBOXES (5000), BENCH_UPDATERS (8), BENCH_DURATION
# (10, seconds), ARIADNE_BIN (build/ariadne).
set -u
. "$(dirname "$0")/lib/server.sh"

bench_need curl curl
bench_start_server

echo "== bench/mailboxes.sh =="
bench_machine
echo "server: pid $BENCH_PID on $BENCH_URL"

BENCH_URL=$BENCH_URL BENCH_AUTH=$BENCH_AUTH BENCH_DATA=$BENCH_TMP/data \
	BENCH_PID=$BENCH_PID node - <<'JS'
'use strict';
const http = require('node:http');
const fs = require('node:fs');
const path = require('node:path');

const URL_ = new URL(process.env.BENCH_URL);
const AUTH = 'Basic ' + Buffer.from(process.env.BENCH_AUTH).toString('base64');
const N = Number(process.env.BENCH_MAILBOXES || 5000);
const UPDATERS = Number(process.env.BENCH_UPDATERS || 8);
const DURATION_MS = Number(process.env.BENCH_DURATION || 10) * 1000;
const agent = new http.Agent({ keepAlive: true, maxSockets: UPDATERS + 4 });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const now = () => Number(process.hrtime.bigint()) / 1e6;

function req(method, p) {
	return new Promise((resolve, reject) => {
		const r = http.request({ host: URL_.hostname, port: URL_.port, method, path: p, agent,
			headers: { Authorization: AUTH } }, (res) => {
			let body = '';
			res.setEncoding('utf8');
			res.on('data', (c) => { body += c; });
			res.on('end', () => resolve({ status: res.statusCode, body }));
		});
		r.on('error', reject);
		r.end();
	});
}

const pct = (a, p) => {
	if (!a.length) return NaN;
	const s = [...a].sort((x, y) => x - y);
	return s[Math.min(s.length - 1, Math.floor(p / 100 * s.length))];
};
const ms = (v) => `${v.toFixed(1)} ms`;
const name = (i) => `${1000 + i}@default`;

function parseMetrics(text) {
	const lag = Number((text.match(/^ariadne_loop_lag_seconds (\S+)/m) || [])[1]);
	const buckets = {};
	for (const m of text.matchAll(/^ariadne_media_tick_lag_seconds_bucket\{le="([^"]+)"\} (\S+)/mg))
		buckets[m[1]] = Number(m[2]);
	return { lag, buckets };
}

async function main() {
	let t0 = now();
	// Create: UPDATERS at a time.
	let next = 0;
	await Promise.all(Array.from({ length: UPDATERS }, async () => {
		while (next < N) {
			const i = next++;
			const r = await req('PUT', `/ari/mailboxes/${encodeURIComponent(name(i))}?oldMessages=0&newMessages=0`);
			if (r.status !== 204) throw new Error(`create ${name(i)}: ${r.status} ${r.body}`);
		}
	}));
	console.log(`RESULT create: ${N} mailboxes in ${((now() - t0) / 1000).toFixed(2)} s`);
	await sleep(3000);   // the smoothed lag settles; the last write is done
	const file = path.join(process.env.BENCH_DATA, 'mailboxes.json');
	console.log(`mailboxes.json: ${fs.statSync(file).size} bytes`);

	const before = parseMetrics((await req('GET', '/metrics')).body);
	console.log(`loop lag at rest: ${ms(before.lag * 1000)}`);

	let stop = false;
	const lags = [], infos = [], puts = [];
	const acked = new Map();
	let refused = 0, seq = 0;
	const sampler = (async () => {
		while (!stop) {
			const r = await req('GET', '/metrics');
			lags.push(parseMetrics(r.body).lag * 1000);
			await sleep(100);
		}
	})();
	const prober = (async () => {
		while (!stop) {
			const t = now();
			const r = await req('GET', '/ari/asterisk/info');
			if (r.status === 200) infos.push(now() - t);
			await sleep(200);
		}
	})();
	t0 = now();
	const updaters = Array.from({ length: UPDATERS }, async () => {
		while (!stop) {
			const i = Math.floor(Math.random() * N);
			const n = ++seq;
			const t = now();
			const r = await req('PUT', `/ari/mailboxes/${encodeURIComponent(name(i))}?oldMessages=${n}&newMessages=1`);
			puts.push(now() - t);
			if (r.status === 204) {
				const prev = acked.get(i);
				if (!prev || prev < n) acked.set(i, n);
			} else refused++;
		}
	});
	await sleep(DURATION_MS);
	stop = true;
	await Promise.all([...updaters, sampler, prober]);
	const secs = (now() - t0) / 1000;
	const after = parseMetrics((await req('GET', '/metrics')).body);

	const ticks = (after.buckets['+Inf'] || 0) - (before.buckets['+Inf'] || 0);
	const within = (le) => (after.buckets[le] || 0) - (before.buckets[le] || 0);
	const share = (le) => ticks ? `${(100 * (1 - within(le) / ticks)).toFixed(1)}%` : '?';
	console.log(`RESULT updates: ${puts.length} in ${secs.toFixed(1)} s by ${UPDATERS} clients = ` +
		`${(puts.length / secs).toFixed(0)}/s; not 204: ${refused}; ` +
		`latency p50 ${ms(pct(puts, 50))}, p99 ${ms(pct(puts, 99))}, max ${ms(Math.max(...puts))}`);
	console.log(`RESULT ariadne_loop_lag_seconds during the updates (${lags.length} samples): ` +
		`mean ${ms(lags.reduce((a, b) => a + b, 0) / lags.length)}, p50 ${ms(pct(lags, 50))}, ` +
		`max ${ms(Math.max(...lags))}; samples >= maxlag (100 ms): ` +
		`${(100 * lags.filter((l) => l >= 100).length / lags.length).toFixed(0)}%`);
	console.log(`RESULT media ticks: ${ticks}; late by more than 20 ms: ${share('0.02')}, ` +
		`more than 100 ms: ${share('0.1')}`);
	console.log(`RESULT GET /ari/asterisk/info during the updates (${infos.length}): ` +
		`p50 ${ms(pct(infos, 50))}, max ${ms(Math.max(...infos))}`);

	// What was acknowledged is on disk once the coalescing delay is over.
	await sleep(1000);
	const stored = JSON.parse(fs.readFileSync(file, 'utf8'));
	let wrong = 0;
	for (const [i, n] of acked)
		if (!stored[name(i)] || stored[name(i)].old_messages < n) wrong++;
	const tmps = fs.readdirSync(process.env.BENCH_DATA).filter((f) => /\.tmp\./.test(f));
	console.log(`mailboxes.json 1 s later: ${Object.keys(stored).length} mailboxes, ` +
		`${acked.size - wrong} of ${acked.size} updated ones at their last acknowledged counts; ` +
		`temp files left: ${tmps.length}`);
	if (wrong || Object.keys(stored).length !== N || tmps.length) {
		console.log('PROBLEM: mailboxes.json does not hold what was acknowledged');
		process.exitCode = 1;
	}
}

main().catch((e) => { console.log(`PROBLEM: ${e.stack || e}`); process.exitCode = 1; })
	.finally(() => agent.destroy());
JS
