'use strict';
// Kamailio (contrib/kamailio/kamailio.cfg, dispatcher round-robin with
// OPTIONS probing) in front of two ariadne nodes, SIPp calling through it:
// the calls are spread over both nodes, each node answers with its own
// Contact and SDP address and the in-dialog requests reach it through the
// proxy's Record-Route; a node answers OPTIONS 503 while it drains (also
// without a proxy); a node put in drain mid-run takes no new call while its
// calls end normally and the other node takes the rest; a node stopped
// mid-run loses only the calls it had, the proxy sends the rest to the
// other node. Counts come from each node's /metrics.
//
// Kamailio is Debian's (5.6.3) and runs in the foreground with its own
// runtime directory and a free port, never the system service. Skipped,
// with the reason, only when it is not installed and cannot be.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { spawn, spawnSync } = require('node:child_process');
const dgram = require('node:dgram');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const {
	REPO, SLOW, startServer, stopServer, spawnSipp, runSipp, assertSipp, sippReport, sleep,
	freeUdpPort, udpPortBound, withSipp,
	trackChild,
} = require('./lib/server');

const KAMAILIO = process.env.KAMAILIO_BIN || 'kamailio';
const CFG = path.join(REPO, 'contrib', 'kamailio', 'kamailio.cfg');

/** Why the Kamailio tests cannot run, or null. Installs the package when root. */
function kamailioMissing() {
	const have = () => spawnSync(KAMAILIO, ['-v'], { encoding: 'utf8' }).status === 0;
	if (have()) return null;
	if (process.getuid && process.getuid() === 0) {
		// policy-rc.d or not, the tests never use the system service.
		spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'kamailio'],
			{ env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }, stdio: 'ignore', timeout: 300000 });
		if (have()) return null;
	}
	return 'kamailio is not installed and could not be (apt-get install kamailio; Debian 12 has 5.6.3)';
}
const SKIP = kamailioMissing();

// Each node: endpoint "kamailio" identified by the proxy's address
// (127.0.0.1), context cluster: 1xx answer and stay until the caller's BYE,
// 2xx answer and hang up after half a second, 3xx never answer (CANCEL).
const NODE_FILES = {
	'pjsip.conf': [
		'[transport-udp]', 'type = transport', 'protocol = udp', 'bind = 127.0.0.1:{{SIP_PORT}}', '',
		'[kamailio]', 'type = endpoint', 'context = cluster', 'disallow = all', 'allow = ulaw',
		'aors = kamailio', '', '[kamailio]', 'type = aor', 'max_contacts = 1', '',
		'[kamailio-identify]', 'type = identify', 'endpoint = kamailio', 'match = 127.0.0.1', '',
	].join('\n'),
	'extensions.conf': [
		'[cluster]',
		'exten => _1XX,1,Answer()', ' same => n,Wait(120)', ' same => n,Hangup()',
		'exten => _2XX,1,Answer()', ' same => n,Wait(0.5)', ' same => n,Hangup()',
		'exten => _3XX,1,Wait(120)', ' same => n,Hangup()', '',
	].join('\n'),
};

/**
 * Kamailio in the foreground on a free UDP port of 127.0.0.1 with the
 * nodes (Servers) as dispatcher set 1, probing every second.
 */
async function startKamailio(nodes, { pingInterval = 1, frTimer = 1000, defines = [] } = {}) {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ariadne-kam-'));
	const list = path.join(dir, 'dispatcher.list');
	fs.writeFileSync(list, nodes.map((n, i) => `1 sip:${n.sipAddr} 0 0 duid=n${i + 1}\n`).join(''));
	let lastErr = '';
	for (let attempt = 0; attempt < 3; attempt++) {
		const port = await freeUdpPort();
		const args = ['-DD', '-E', '-f', CFG, '-Y', dir, '-P', path.join(dir, 'kamailio.pid'),
			'-m', '32', '-M', '8', '-w', dir,
			'-A', `LISTEN=udp:127.0.0.1:${port}`, '-A', `DISPATCHER_LIST="${list}"`,
			'-A', `DS_PING_INTERVAL=${pingInterval}`, '-A', `FR_TIMER=${frTimer * SLOW}`,
			'-A', 'CHILDREN=2', ...defines.flatMap((d) => ['-A', d])];
		const proc = trackChild(spawn(KAMAILIO, args, { stdio: ['ignore', 'pipe', 'pipe'] }));
		const kam = {
			proc, port, dir, log: '', exit: null,
			addr: `127.0.0.1:${port}`,
			async waitLog(re, timeoutMs = 10000 * SLOW) {
				const deadline = Date.now() + timeoutMs;
				while (Date.now() < deadline) {
					if (re.test(this.log)) return;
					await sleep(25);
				}
				throw new Error(`kamailio log ${re} not seen within ${timeoutMs} ms\n${this.tail()}`);
			},
			tail(n = 40) { return `--- kamailio (${args.join(' ')}):\n` + this.log.split('\n').slice(-n).join('\n'); },
			async stop() {
				if (!this.exit) {
					proc.kill('SIGTERM');
					const t = setTimeout(() => proc.kill('SIGKILL'), 5000);
					await this.exited;
					clearTimeout(t);
				}
				fs.rmSync(dir, { recursive: true, force: true });
			},
		};
		const keep = (d) => { kam.log = (kam.log + d.toString()).slice(-256 * 1024); };
		proc.stdout.on('data', keep);
		proc.stderr.on('data', keep);
		kam.exited = new Promise((r) => proc.on('exit', (code, signal) => { kam.exit = { code, signal }; r(); }));
		const deadline = Date.now() + 10000 * SLOW;
		while (Date.now() < deadline && !kam.exit && !(await udpPortBound(port))) await sleep(50);
		if (!kam.exit) {
			// Bound by its main process; give the workers a moment to start.
			await sleep(300);
			return kam;
		}
		lastErr = kam.tail();
		if (!/bind|in use/i.test(kam.log)) break;
	}
	throw new Error(`kamailio did not start\n${lastErr}`);
}

/** Two (or n) nodes and Kamailio; fn(nodes, kam); everything stopped after. */
async function withCluster(n, fn, kamOpts) {
	const nodes = [];
	let kam = null;
	let err = null;
	try {
		for (let i = 0; i < n; i++) nodes.push(await startServer({ files: NODE_FILES }));
		kam = await startKamailio(nodes, kamOpts);
		await fn(nodes, kam);
	} catch (e) {
		err = e;
		if (kam) e.message += '\n' + kam.tail();
	}
	if (kam) await kam.stop();
	for (const srv of nodes) {
		if (srv.stopped) continue;
		try {
			await stopServer(srv, err);
		} catch (e) {
			err = e;
		}
	}
	if (err) throw err;
}

async function metric(srv, name, labels = '') {
	const r = await srv.get('/metrics');
	assert.equal(r.status, 200, r.body);
	let sum = 0;
	for (const line of r.body.split('\n')) {
		const m = /^(\w+)(\{[^}]*\})? (\S+)$/.exec(line);
		if (m && m[1] === name && (m[2] || '').includes(labels)) sum += Number(m[3]);
	}
	return sum;
}
const callsIn = (srv) => metric(srv, 'ariadne_sip_calls_total', 'direction="in"');
const channelCount = async (srv) => (await srv.get('/ari/channels')).json.length;

async function waitFor(what, fn, timeoutMs = 10000 * SLOW) {
	const deadline = Date.now() + timeoutMs;
	let last;
	while (Date.now() < deadline) {
		last = await fn();
		if (last) return last;
		await sleep(50);
	}
	throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(last)})`);
}

/** Calls through the proxy: scenario cluster_uac_call, extension 100 (answer, stay -d ms). */
function callsVia(kam, opts = {}) {
	return spawnSipp(Object.assign({
		scenario: 'cluster_uac_call', remote: kam.addr, service: '100', duration: 200,
		keys: { from_user: 'caller' },
	}, opts));
}

/** One SIP OPTIONS over UDP to 127.0.0.1:port; resolves the response text. */
function sipOptions(port, timeoutMs = 3000) {
	return new Promise((resolve, reject) => {
		const sock = dgram.createSocket('udp4');
		const t = setTimeout(() => { sock.close(); reject(new Error(`no answer to OPTIONS from :${port}`)); }, timeoutMs);
		sock.on('message', (m) => { clearTimeout(t); sock.close(); resolve(m.toString('latin1')); });
		sock.bind(0, '127.0.0.1', () => {
			const lp = sock.address().port;
			const tag = Math.random().toString(16).slice(2);
			const msg = [`OPTIONS sip:127.0.0.1:${port} SIP/2.0`,
				`Via: SIP/2.0/UDP 127.0.0.1:${lp};branch=z9hG4bK${tag};rport`,
				`From: <sip:dispatcher@localhost>;tag=${tag}`, `To: <sip:127.0.0.1:${port}>`,
				`Call-ID: ${tag}@127.0.0.1`, 'CSeq: 10 OPTIONS', 'Max-Forwards: 70',
				'Content-Length: 0', '', ''].join('\r\n');
			sock.send(msg, port, '127.0.0.1');
		});
	});
}

test('options_answered_503_with_retry_after_while_draining_and_200_again_after', { timeout: 30000 * SLOW }, async () => {
	const srv = await startServer({ files: NODE_FILES });
	let err = null;
	try {
		let r = await sipOptions(srv.sipPort);
		assert.match(r, /^SIP\/2\.0 200 OK\r\n/, r);
		assert.match(r, /\r\nAllow: INVITE, /, r);

		assert.equal((await srv.cli('core drain on')).code, 0);
		r = await sipOptions(srv.sipPort);
		// RFC 3261 11.2: what an INVITE would get, with the same Retry-After
		assert.match(r, /^SIP\/2\.0 503 Service Unavailable\r\n/, r);
		assert.match(r, /\r\nRetry-After: 5\r\n/, r);
		// a new INVITE is refused the same way
		const inv = await runSipp({ scenario: 'uac_refused_503', remote: srv, service: '100' });
		assertSipp(inv, 0, 'INVITE to a draining node → 503 with Retry-After');
		assert.equal(await metric(srv, 'ariadne_calls_refused_total', 'reason="draining"'), 1);

		assert.equal((await srv.cli('core drain off')).code, 0);
		r = await sipOptions(srv.sipPort);
		assert.match(r, /^SIP\/2\.0 200 OK\r\n/, r);
		// SIGUSR1 drains too
		srv.proc.kill('SIGUSR1');
		await srv.waitForLog(/Draining.*SIGUSR1|SIGUSR1.*[Dd]rain/);
		r = await sipOptions(srv.sipPort);
		assert.match(r, /^SIP\/2\.0 503 /, r);
	} catch (e) {
		err = e;
	}
	await stopServer(srv, err);
});

test('calls_through_kamailio_are_spread_over_both_nodes_each_with_its_own_contact_and_sdp',
	{ skip: SKIP || false, timeout: 60000 * SLOW }, async () => {
		await withCluster(2, async ([a, b], kam) => {
			const r = await runSipp({ scenario: 'cluster_uac_call', remote: kam.addr, service: '100',
				duration: 200, calls: 20, rate: 20, keys: { from_user: 'caller' } });
			assertSipp(r, 0, '20 calls through Kamailio');
			const na = await callsIn(a);
			const nb = await callsIn(b);
			assert.equal(na + nb, 20, `calls per node: ${na} + ${nb}`);
			// round-robin: an even split (allow a little for a probe's timing)
			assert.ok(na >= 8 && nb >= 8, `calls per node: ${na} / ${nb}`);

			// The 200s: Record-Route of the proxy, Contact and SDP of the node
			// that answered (the ACK and BYE went there through loose_route).
			const oks = r.messages.split(/\n(?=SIP\/2\.0 |[A-Z]+ sip:)/).filter((m) => /^SIP\/2\.0 200 OK[\s\S]*CSeq: 1 INVITE/.test(m));
			assert.equal(oks.length, 20, sippReport(r));
			const ports = new Set();
			for (const m of oks) {
				assert.match(m, new RegExp(`Record-Route: <sip:127\\.0\\.0\\.1:${kam.port};lr>`), m);
				const c = /Contact: <sip:[^@>]*@127\.0\.0\.1:(\d+)>/.exec(m);
				assert.ok(c, m);
				ports.add(Number(c[1]));
				assert.match(m, /\nc=IN IP4 127\.0\.0\.1\r?\n/, m);
			}
			assert.deepEqual([...ports].sort(), [a.sipPort, b.sipPort].sort());
			await waitFor('every call ended on both nodes',
				async () => (await channelCount(a)) === 0 && (await channelCount(b)) === 0);

			// A node's own BYE goes back through the proxy to the caller.
			const sb = await runSipp({ scenario: 'cluster_uac_call_server_bye', remote: kam.addr,
				service: '200', calls: 4, rate: 10, keys: { from_user: 'caller' } });
			assertSipp(sb, 0, 'calls the node hangs up, through Kamailio');
			assert.equal((await callsIn(a)) + (await callsIn(b)), 24);

			// CANCEL follows its INVITE to the node, which ends the call 487.
			const cr = await runSipp({ scenario: 'cluster_uac_cancel', remote: kam.addr, service: '300',
				duration: 500, keys: { from_user: 'caller' } });
			assertSipp(cr, 0, 'INVITE → CANCEL → 487 through Kamailio');
			assert.equal((await callsIn(a)) + (await callsIn(b)), 25);
			await waitFor('the cancelled call gone',
				async () => (await channelCount(a)) === 0 && (await channelCount(b)) === 0);
		});
	});

test('a_node_put_in_drain_mid_run_takes_no_new_calls_while_its_calls_complete',
	{ skip: SKIP || false, timeout: 90000 * SLOW }, async () => {
		await withCluster(2, async ([a, b], kam) => {
			// Six long calls: three on each node.
			const held = await callsVia(kam, { calls: 6, rate: 20, duration: 6000 * SLOW, timeoutMs: 60000 * SLOW });
			await withSipp(held, async () => {
				await waitFor('three calls up on each node',
					async () => (await channelCount(a)) === 3 && (await channelCount(b)) === 3);
				const a0 = await callsIn(a);
				const b0 = await callsIn(b);
				assert.equal((await a.cli('core drain on')).code, 0);

				// At once, before the probe noticed: a call sent to A is
				// refused 503 and Kamailio moves it to B; none is lost.
				const r = await runSipp({ scenario: 'cluster_uac_call', remote: kam.addr, service: '100',
					duration: 200, calls: 10, rate: 10, keys: { from_user: 'caller' } });
				assertSipp(r, 0, 'new calls while A drains');
				assert.equal(await callsIn(a), a0, 'the draining node took a new call');
				assert.equal((await callsIn(b)) - b0, 10);
				await kam.waitLog(new RegExp(`destination down: .*127\\.0\\.0\\.1:${a.sipPort}\\b`));
				// A's own calls are still up: draining ends nothing
				assert.equal(await channelCount(a), 3);

				// After the probes took A out, no 503 detour at all.
				const refused = await metric(a, 'ariadne_calls_refused_total', 'reason="draining"');
				const r2 = await runSipp({ scenario: 'cluster_uac_call', remote: kam.addr, service: '100',
					duration: 100, calls: 6, rate: 20, keys: { from_user: 'caller' } });
				assertSipp(r2, 0, 'new calls once A is out of the set');
				assert.equal(await metric(a, 'ariadne_calls_refused_total', 'reason="draining"'), refused,
					'Kamailio still sent INVITEs to the drained node');
				assert.equal((await callsIn(b)) - b0, 16);
			});
			// The held calls (three of them on the draining node) end normally.
			const hr = await held.done;
			assertSipp(hr, 0, 'calls up before the drain, BYE through Kamailio');
			await waitFor('A empty', async () => (await channelCount(a)) === 0);

			// Drain off: probes bring A back and it takes calls again.
			assert.equal((await a.cli('core drain off')).code, 0);
			await kam.waitLog(new RegExp(`destination up: .*127\\.0\\.0\\.1:${a.sipPort}\\b`));
			const a1 = await callsIn(a);
			const r3 = await runSipp({ scenario: 'cluster_uac_call', remote: kam.addr, service: '100',
				duration: 100, calls: 4, rate: 20, keys: { from_user: 'caller' } });
			assertSipp(r3, 0, 'calls after drain off');
			assert.ok((await callsIn(a)) - a1 >= 1, 'A back in the set takes calls');
		});
	});

test('a_node_stopped_mid_run_loses_only_its_own_calls_and_the_other_takes_the_rest',
	{ skip: SKIP || false, timeout: 90000 * SLOW }, async (t) => {
		await withCluster(2, async ([a, b], kam) => {
			const total = 40;
			const run = await callsVia(kam, { calls: total, rate: 10, duration: 300, timeoutMs: 60000 * SLOW });
			await withSipp(run, async () => {
				await waitFor('B has taken calls', async () => (await callsIn(b)) >= 5);
				const inflight = await channelCount(b);
				const a0 = await callsIn(a);
				const b0 = await callsIn(b);
				await b.stop();
				b.stopped = true;
				const r = await run.done;
				const ok = Number((/Successful call\s*\|\s*\d+\s*\|\s*(\d+)/.exec(r.stdout + r.stderr) || [])[1]);
				const failed = Number((/Failed call\s*\|\s*\d+\s*\|\s*(\d+)/.exec(r.stdout + r.stderr) || [])[1]);
				const rest = total - a0 - b0;
				// Every call placed after B stopped went to A (those the proxy
				// tried on B first, before its probes failed, after FR_TIMER).
				assert.ok((await callsIn(a)) - a0 >= rest,
					`A took ${(await callsIn(a)) - a0} of the ${rest} calls after B stopped\n${sippReport(r)}`);
				await kam.waitLog(new RegExp(`destination down: .*127\\.0\\.0\\.1:${b.sipPort}\\b`));
				// Only calls B had up when it stopped can fail (its BYE
				// ended them, or their BYE found no one).
				t.diagnostic(`before the stop: A ${a0} B ${b0} calls (B had ${inflight} up); ` +
					`after: A took ${(await callsIn(a)) - a0}; SIPp ${ok} ok, ${failed} failed`);
				assert.ok(!Number.isNaN(ok) && !Number.isNaN(failed), 'SIPp statistics\n' + sippReport(r));
				assert.equal(ok + failed, total, sippReport(r));
				assert.ok(failed <= inflight + 1, `${failed} failed calls, B had ${inflight} up\n${sippReport(r)}`);
			});
		});
	});

test('with_call_load_kamailio_sends_a_new_call_to_the_node_with_fewer_calls',
	{ skip: SKIP || false, timeout: 60000 * SLOW }, async () => {
		await withCluster(2, async ([a, b], kam) => {
			// Algorithm 10 (WITH_CALL_LOAD): three calls held, so one node
			// has two and the other one; then every new call goes to the
			// node with fewer, which round-robin would not do.
			const held = [];
			for (let i = 0; i < 3; i++) {
				held.push(await callsVia(kam, { calls: 1, duration: 8000 * SLOW, timeoutMs: 60000 * SLOW }));
				await waitFor(`${i + 1} calls up`, async () => (await channelCount(a)) + (await channelCount(b)) === i + 1);
			}
			await withSipp(held[2], async () => {
				const ca = await channelCount(a);
				const cb = await channelCount(b);
				assert.deepEqual([ca, cb].sort(), [1, 2]);
				const idle = ca < cb ? a : b;
				const n0 = await callsIn(idle);
				for (let i = 0; i < 2; i++) {
					const r = await runSipp({ scenario: 'cluster_uac_call', remote: kam.addr, service: '100',
						duration: 100, calls: 1, keys: { from_user: 'caller' } });
					assertSipp(r, 0, 'a call while one node is busier');
				}
				assert.equal((await callsIn(idle)) - n0, 2, `loads ${ca}/${cb}: a call went to the busier node`);
			});
			for (const h of held) assertSipp(await h.done, 0, 'held calls');
		}, { defines: ['WITH_CALL_LOAD'] });
	});
