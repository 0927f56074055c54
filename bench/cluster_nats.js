'use strict';
// NATS request latency and throughput of an ariadne cluster (bench/README.md,
// "cluster_nats.sh"): one nats-server, N ariadne nodes (each serving app
// `test` over NATS), BENCH_CHANNELS Local channels per node, then
// BENCH_CONCURRENCY requests in flight for BENCH_DURATION_S seconds:
// ChannelGet on each channel's own node subject (ari.get.test.<node>), as
// ari-proxy's client sends it for a key with complete coordinates. Prints
// p50/p99 latency and requests/s per cluster size. Asserts nothing about
// speed; exits non-zero when a request fails or a node exits non-zero.
const { spawn, execFileSync } = require('node:child_process');
const os = require('node:os');
const path = require('node:path');
const ROOT = path.resolve(__dirname, '..');
const { startServer, stopServer, freePort, sleep, ini } = require(path.join(ROOT, 'tests/integration/lib/server'));
const nats = require(path.join(ROOT, 'node_modules', 'nats'));

const SIZES = (process.env.BENCH_NODES || '1 2 3').split(/\s+/).filter(Boolean).map(Number);
const CHANNELS = Number(process.env.BENCH_CHANNELS || 20);
const CONC = Number(process.env.BENCH_CONCURRENCY || 32);
const DURATION_S = Number(process.env.BENCH_DURATION_S || 5);
const natsBin = execFileSync('sh', ['-c', 'command -v nats-server || echo /usr/sbin/nats-server'],
	{ encoding: 'utf8' }).trim();

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];

async function startNats() {
	const port = await freePort();
	const proc = spawn(natsBin, ['-a', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
	await sleep(300);
	return { port, stop: () => new Promise((r) => { proc.once('exit', r); proc.kill('SIGTERM'); }) };
}

async function run(n) {
	const bus = await startNats();
	const nodes = [];
	let problems = 0;
	try {
		for (let i = 0; i < n; i++) {
			const node = `bb:00:00:00:00:0${i + 1}`;
			nodes.push({ node, srv: await startServer({ verbose: 0, files: {
				'nats.conf': ini({ general: { url: `nats://127.0.0.1:${bus.port}`, node_id: node, apps: 'test' } }),
				'extensions.conf': '[wait]\nexten => 1,1,Answer()\n same => n,Wait(600)\n',
			} }) });
		}
		const keys = [];
		for (const { node, srv } of nodes) {
			for (let c = 0; c < CHANNELS; c++) {
				const ch = await srv.originate({ endpoint: 'Local/1@wait', app: 'test' });
				keys.push({ kind: 'channel', id: ch.id, node, app: 'test' });
			}
		}
		const nc = await nats.connect({ servers: `127.0.0.1:${bus.port}` });
		const jc = nats.JSONCodec();
		const lat = [];
		const deadline = Date.now() + DURATION_S * 1000;
		let next = 0;
		const worker = async () => {
			while (Date.now() < deadline) {
				const key = keys[next++ % keys.length];
				const t0 = process.hrtime.bigint();
				try {
					const r = jc.decode((await nc.request(`ari.get.test.${key.node}`,
						jc.encode({ kind: 'ChannelGet', key }), { timeout: 2000 })).data);
					if (r.error !== '') problems++;
				} catch { problems++; }
				lat.push(Number(process.hrtime.bigint() - t0) / 1e6);
			}
		};
		const t0 = Date.now();
		await Promise.all(Array.from({ length: CONC }, worker));
		const secs = (Date.now() - t0) / 1000;
		lat.sort((a, b) => a - b);
		console.log(`RESULT ${n} node${n > 1 ? 's' : ''}: ChannelGet over NATS ${(lat.length / secs).toFixed(0)} req/s ` +
			`(${lat.length} in ${secs.toFixed(1)} s, ${CONC} in flight, ${keys.length} channels), ` +
			`latency p50 ${pct(lat, 0.5).toFixed(2)} ms p99 ${pct(lat, 0.99).toFixed(2)} ms max ${lat[lat.length - 1].toFixed(2)} ms` +
			`${problems ? `, ${problems} failed` : ''}`);
		await nc.close();
	} finally {
		for (const { srv } of nodes) await stopServer(srv);
		await bus.stop();
	}
	return problems;
}

(async () => {
	console.log(`date: ${new Date().toISOString()}`);
	console.log(`machine: ${os.cpus().length} cores, ${os.cpus()[0].model.trim()}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, ${os.release()}`);
	let problems = 0;
	for (const n of SIZES) problems += await run(n);
	if (problems) {
		console.log(`PROBLEM ${problems} requests failed`);
		process.exit(1);
	}
})().catch((e) => { console.log(`PROBLEM ${e.stack || e}`); process.exit(1); });
