'use strict';
// ariadne as a node of an ari-proxy cluster on NATS (docs/CLUSTER.md):
// one nats-server and two ariadne nodes per suite; a client speaking
// ari-proxy's JSON over npm `nats` checks discovery, event routing, precise
// commands, broadcasts, lists, create distribution, play on the owner,
// errors, drain and a node that is gone (the digest's test list, §6.3).

const { describe, before, after, test } = require('node:test');
const assert = require('node:assert/strict');
const { spawn, execFileSync } = require('node:child_process');
const net = require('node:net');
const {
	startServer, stopServer, freePort, sleep, ini, SLOW, TIMESTAMP_RE, trackChild,
} = require('./lib/server');

let nats = null;
let natsBin = null;
try {
	nats = require('nats');
	natsBin = execFileSync('sh', ['-c', 'command -v nats-server || ls /usr/sbin/nats-server'],
		{ encoding: 'utf8' }).trim() || null;
} catch { /* reported by skip below */ }
const SKIP = !nats ? 'npm package nats is not installed (npm ci)'
	: !natsBin ? 'nats-server is not installed (apt-get install nats-server)' : false;

const NODE_A = 'aa:00:00:00:00:01';
const NODE_B = 'aa:00:00:00:00:02';
const T = 500; // ari-proxy's default request timeout

/** nats-server on a free port; resolves {port, proc, stop()}. */
async function startNats(port) {
	port = port || await freePort();
	const proc = trackChild(spawn(natsBin, ['-a', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' }));
	const deadline = Date.now() + 5000;
	while (Date.now() < deadline) {
		const ok = await new Promise((r) => {
			const s = net.connect(port, '127.0.0.1', () => { s.destroy(); r(true); });
			s.on('error', () => r(false));
		});
		if (ok) break;
		await sleep(50);
	}
	return {
		port, proc,
		// resolves at once when it has already gone (an 'exit' never comes twice)
		stop: () => new Promise((r) => {
			if (proc.exitCode !== null || proc.signalCode !== null) return r();
			proc.once('exit', r);
			proc.kill('SIGTERM');
		}),
	};
}

function natsConf(port, node, extra = {}) {
	return ini({ general: { url: `nats://127.0.0.1:${port}`, node_id: node, apps: 'test',
		announce_interval: 1, ...extra } });
}

const EXT = '[wait]\nexten => 1,1,Answer()\n same => n,Wait(60)\n' +
	'[in]\nexten => 1,1,Stasis(test)\n same => n,Hangup()\n';

function startNode(port, node, extra) {
	return startServer({ files: { 'nats.conf': natsConf(port, node, extra), 'extensions.conf': EXT } });
}

/** The client side: requests, multi-answer requests, event and announcement logs. */
async function client(port) {
	const nc = await nats.connect({ servers: `127.0.0.1:${port}` });
	const jc = nats.JSONCodec();
	const c = {
		nc, events: [], announces: [],
		async req(subject, body, timeout = T) {
			const t0 = Date.now();
			const m = await nc.request(subject, jc.encode(body), { timeout });
			const r = jc.decode(m.data);
			r._ms = Date.now() - t0;
			return r;
		},
		/** Publish with a plain reply subject; every reply within `wait` ms. */
		async multi(subject, body, wait = T) {
			const inbox = nats.createInbox();
			const sub = nc.subscribe(inbox);
			const replies = [];
			const t0 = Date.now();
			(async () => {
				for await (const m of sub) replies.push(Object.assign(jc.decode(m.data), { _ms: Date.now() - t0 }));
			})();
			nc.publish(subject, jc.encode(body), { reply: inbox });
			await sleep(wait);
			sub.unsubscribe();
			return replies;
		},
		async waitEvent(pred, timeout = 5000 * SLOW) {
			const deadline = Date.now() + timeout;
			while (Date.now() < deadline) {
				const e = c.events.find(pred);
				if (e) return e;
				await sleep(20);
			}
			throw new Error('event not seen; got ' + c.events.map((e) => e.ev.type).join(','));
		},
	};
	const evsub = nc.subscribe('ari.event.test.>');
	(async () => { for await (const m of evsub) c.events.push({ subject: m.subject, ev: jc.decode(m.data) }); })();
	const ansub = nc.subscribe('ari.announce');
	(async () => { for await (const m of ansub) c.announces.push({ at: Date.now(), a: jc.decode(m.data) }); })();
	await nc.flush();
	return c;
}

const key = (kind, id, node) => ({ kind, id, ...(node ? { node, app: 'test' } : {}) });

/** Originate a Local channel into app test on `srv` over ARI; its StasisStart seen on NATS. */
async function callOn(srv, c) {
	const ch = await srv.originate({ endpoint: 'Local/1@wait', app: 'test' });
	const ev = await c.waitEvent((e) => e.ev.type === 'StasisStart' && e.ev.channel.id === ch.id);
	return { id: ch.id, ev };
}

describe('cluster on NATS (ari-proxy protocol)', { skip: SKIP, timeout: 120000 * SLOW }, () => {
	let bus, A, B, c;

	before(async () => {
		bus = await startNats();
		A = await startNode(bus.port, NODE_A);
		B = await startNode(bus.port, NODE_B);
		await A.waitForLog(/Cluster node 'aa:00:00:00:00:01' serving 1 app/);
		await B.waitForLog(/Cluster node 'aa:00:00:00:00:02' serving 1 app/);
		c = await client(bus.port);
	});

	after(async () => {
		if (c) await c.nc.close();
		if (A) await stopServer(A);
		if (B && !B.exit) await stopServer(B);
		if (bus) await bus.stop();
	});

	test('discovery: a ping is answered by one announcement per node, and each node announces periodically', async () => {
		c.announces.length = 0;
		const t0 = Date.now();
		c.nc.publish('ari.ping', nats.JSONCodec().encode({ kind: '', key: null }));
		await sleep(150);
		const early = c.announces.filter((x) => x.at - t0 < 150).map((x) => x.a);
		// (a periodic announcement may fall in the window too)
		assert.deepEqual([...new Set(early.map((a) => a.node))].sort(), [NODE_A, NODE_B]);
		for (const a of early) assert.equal(a.application, 'test');
		await sleep(2200); // announce_interval = 1 s
		const late = c.announces.filter((x) => x.at - t0 > 300).map((x) => x.a.node);
		assert.ok(late.filter((n) => n === NODE_A).length >= 1, 'A announces periodically');
		assert.ok(late.filter((n) => n === NODE_B).length >= 1, 'B announces periodically');
	});

	test('event routing: StasisStart only on the owning node\'s subject, with asterisk_id and ARI timestamp', async () => {
		const { id, ev } = await callOn(B, c);
		assert.equal(ev.subject, `ari.event.test.${NODE_B}`);
		assert.equal(ev.ev.asterisk_id, NODE_B);
		assert.equal(ev.ev.application, 'test');
		assert.match(ev.ev.timestamp, TIMESTAMP_RE);
		assert.match(ev.ev.channel.creationtime, TIMESTAMP_RE);
		await sleep(200);
		const all = c.events.filter((e) => e.ev.type === 'StasisStart' && e.ev.channel.id === id);
		assert.equal(all.length, 1, 'one StasisStart, on one subject');
		// ids the nodes make carry the node: no collision across nodes
		assert.match(id, /^aa0000000002-\d+\.\d+$/);
		const a = await callOn(A, c);
		assert.match(a.id, /^aa0000000001-/);
		assert.equal(a.ev.subject, `ari.event.test.${NODE_A}`);
	});

	test('precise command: ChannelAnswer on the node subject succeeds, ChannelStateChange follows', async () => {
		// ChannelCreate over NATS answers the stamped key of a new channel
		const created = await c.req(`ari.create.test.${NODE_A}`, {
			kind: 'ChannelCreate', key: null,
			channel_create: { channel_create_request: { endpoint: 'Local/1@wait', app: 'test' } },
		});
		assert.equal(created.error, '');
		assert.deepEqual(created.key, { kind: 'channel', id: created.key.id, node: NODE_A, app: 'test' });
		await c.waitEvent((e) => e.ev.type === 'StasisStart' && e.ev.channel.id === created.key.id);
		assert.equal((await c.req(`ari.command.test.${NODE_A}`, { kind: 'ChannelHangup', key: created.key })).error, '');
		// a ringing channel in the app: the ;2 half of Local/1@in runs Stasis(test)
		await A.originate({ endpoint: 'Local/1@in', context: 'wait', extension: '1' });
		const ss = await c.waitEvent((e) => e.ev.type === 'StasisStart' && e.ev.channel.state === 'Ring' &&
			e.ev.asterisk_id === NODE_A);
		const ck = key('channel', ss.ev.channel.id, NODE_A);
		const r = await c.req(`ari.command.test.${NODE_A}`, { kind: 'ChannelAnswer', key: ck });
		assert.deepEqual({ error: r.error }, { error: '' });
		assert.ok(r._ms < T);
		const sc = await c.waitEvent((e) => e.ev.type === 'ChannelStateChange' && e.ev.channel.id === ck.id);
		assert.equal(sc.ev.channel.state, 'Up');
		assert.equal(sc.subject, `ari.event.test.${NODE_A}`);
		created.key = ck;
		// data and variables through the data class
		const set = await c.req(`ari.command.test.${NODE_A}`, { kind: 'ChannelVariableSet', key: created.key,
			channel_variable: { name: 'FOO', value: 'bar' } });
		assert.equal(set.error, '');
		const get = await c.req(`ari.data.test.${NODE_A}`, { kind: 'ChannelVariableGet', key: created.key,
			channel_variable: { name: 'FOO' } });
		assert.deepEqual(get, { error: '', data: { variable: 'bar' }, _ms: get._ms });
		const data = await c.req(`ari.data.test.${NODE_A}`, { kind: 'ChannelData', key: created.key });
		assert.equal(data.data.channel.id, created.key.id);
		assert.equal(data.data.channel.state, 'Up');
		assert.deepEqual(data.data.channel.key, { kind: 'channel', id: created.key.id, node: NODE_A, app: 'test' });
		const info = await c.req(`ari.data.test.${NODE_B}`, { kind: 'AsteriskInfo', key: null });
		assert.equal(info.data.asterisk.system.entity_id, NODE_B);
		const hang = await c.req(`ari.command.test.${NODE_A}`, { kind: 'ChannelHangup', key: created.key,
			channel_hangup: { reason: 'normal' } });
		assert.equal(hang.error, '');
		await c.waitEvent((e) => e.ev.type === 'ChannelDestroyed' && e.ev.channel.id === created.key.id);
	});

	test('broadcast get: one stamped success from the owner, Not found from the other, both fast', async () => {
		const { id } = await callOn(B, c);
		const replies = await c.multi('ari.get.test', { kind: 'ChannelGet', key: key('channel', id) });
		assert.equal(replies.length, 2, JSON.stringify(replies));
		const ok = replies.filter((r) => r.error === '');
		const nf = replies.filter((r) => r.error === 'Not found');
		assert.equal(ok.length, 1);
		assert.equal(nf.length, 1);
		assert.deepEqual(ok[0].key, { kind: 'channel', id, node: NODE_B, app: 'test' });
		for (const r of replies) assert.ok(r._ms < 250, `reply after ${r._ms} ms`);
		// bare level (key without app) reaches both nodes too
		const bare = await c.multi('ari.get', { kind: 'ChannelGet', key: { kind: 'channel', id } });
		assert.equal(bare.length, 2);
	});

	test('list merge: ChannelList answered by both nodes; the union holds every channel with its node', async () => {
		const a = await callOn(A, c);
		const b = await callOn(B, c);
		const replies = await c.multi('ari.get.test', { kind: 'ChannelList', key: null });
		assert.equal(replies.length, 2);
		for (const r of replies) assert.equal(r.error, '');
		const keys = replies.flatMap((r) => r.keys || []);
		assert.ok(keys.some((k) => k.id === a.id && k.node === NODE_A));
		assert.ok(keys.some((k) => k.id === b.id && k.node === NODE_B));
		const ids = keys.map((k) => k.id);
		assert.equal(new Set(ids).size, ids.length, 'no id on two nodes');
		const http = [...(await A.get('/ari/channels')).json, ...(await B.get('/ari/channels')).json];
		assert.deepEqual(ids.sort(), http.map((ch) => ch.id).sort());
	});

	test('create distribution: 40 BridgeCreate on ari.create.test, each answered once, both nodes used', async () => {
		const seen = new Map();
		const replies = await Promise.all(Array.from({ length: 40 }, (_, i) =>
			c.req('ari.create.test', { kind: 'BridgeCreate', key: { kind: 'bridge', id: `dist-${i}` },
				bridge_create: { type: 'mixing', name: `d${i}` } }, 2000)));
		for (const [i, r] of replies.entries()) {
			assert.equal(r.error, '', JSON.stringify(r));
			assert.equal(r.key.id, `dist-${i}`);
			assert.equal(r.key.kind, 'bridge');
			seen.set(r.key.node, (seen.get(r.key.node) || 0) + 1);
		}
		assert.deepEqual([...seen.keys()].sort(), [NODE_A, NODE_B]);
		const onA = (await A.get('/ari/bridges')).json.filter((b) => b.id.startsWith('dist-'));
		const onB = (await B.get('/ari/bridges')).json.filter((b) => b.id.startsWith('dist-'));
		assert.equal(onA.length, seen.get(NODE_A));
		assert.equal(onB.length, seen.get(NODE_B));
		assert.equal(onA.length + onB.length, 40, 'each created exactly once');
		// the bridge answers on its node's subject; BridgeList stamps it
		const g = await c.req(`ari.get.test.${NODE_A}`, { kind: 'BridgeGet', key: key('bridge', onA[0].id, NODE_A) });
		assert.equal(g.error, '');
		for (const b of [...onA.map((x) => [NODE_A, x.id]), ...onB.map((x) => [NODE_B, x.id])]) {
			const r = await c.req(`ari.command.test.${b[0]}`, { kind: 'BridgeDelete', key: key('bridge', b[1], b[0]) });
			assert.equal(r.error, '');
		}
	});

	test('bridge, DTMF, MOH and playback commands over NATS act on the owner and its events follow', async () => {
		const cmd = (body) => c.req(`ari.command.test.${NODE_B}`, body);
		const a = await callOn(B, c);
		const b = await callOn(B, c);
		const ka = key('channel', a.id, NODE_B);
		const kb = key('channel', b.id, NODE_B);
		const br = await c.req(`ari.create.test.${NODE_B}`, { kind: 'BridgeCreate',
			key: { kind: 'bridge', id: 'cmd-bridge' }, bridge_create: { type: 'mixing', name: 'cmd' } });
		assert.equal(br.error, '');
		const kbr = key('bridge', 'cmd-bridge', NODE_B);
		for (const k of [ka, kb]) {
			const r = await cmd({ kind: 'BridgeAddChannel', key: kbr,
				bridge_add_channel: { channel: k.id, role: 'participant' } });
			assert.equal(r.error, '', JSON.stringify(r));
			await c.waitEvent((e) => e.ev.type === 'ChannelEnteredBridge' && e.ev.channel.id === k.id &&
				e.ev.bridge.id === 'cmd-bridge' && e.subject === `ari.event.test.${NODE_B}`);
		}
		// a channel already in the bridge: ARI's 422 comes back as an error
		const again = await c.req(`ari.command.test.${NODE_B}`, { kind: 'BridgeAddChannel', key: kbr,
			bridge_add_channel: { channel: 'nosuch' } });
		assert.notEqual(again.error, '');
		// DTMF into a: 1 s of nothing before it would be 1e9 ns; keep it short
		const d = await cmd({ kind: 'ChannelSendDTMF', key: ka,
			channel_send_dtmf: { dtmf: '5', options: { Duration: 100e6, Between: 100e6 } } });
		assert.equal(d.error, '');
		const m = await cmd({ kind: 'ChannelMOH', key: kb, channel_moh: { music: 'default' } });
		assert.equal(m.error, '');
		assert.equal((await cmd({ kind: 'ChannelStopMOH', key: kb })).error, '');
		const rm = await cmd({ kind: 'BridgeRemoveChannel', key: kbr, bridge_remove_channel: { channel: kb.id } });
		assert.equal(rm.error, '');
		await c.waitEvent((e) => e.ev.type === 'ChannelLeftBridge' && e.ev.channel.id === kb.id);
		// the digit sent into a comes out where a's audio goes (the bridge)
		await c.waitEvent((e) => e.ev.type === 'ChannelDtmfReceived' && e.ev.digit === '5' &&
			e.subject === `ari.event.test.${NODE_B}`);
		// a long playback on the bridge, paused and stopped over NATS
		const pl = await c.req(`ari.create.test.${NODE_B}`, { kind: 'BridgePlay', key: kbr,
			bridge_play: { playback_id: 'cmd-pb', media_uri: 'sound:tt-monkeys' } });
		assert.equal(pl.error, '', JSON.stringify(pl));
		await c.waitEvent((e) => e.ev.type === 'PlaybackStarted' && e.ev.playback.id === 'cmd-pb');
		const kp = key('playback', 'cmd-pb', NODE_B);
		assert.equal((await cmd({ kind: 'PlaybackControl', key: kp, playback_control: { command: 'pause' } })).error, '');
		const got = await c.req(`ari.get.test.${NODE_B}`, { kind: 'PlaybackGet', key: kp });
		assert.deepEqual(got.key, kp, JSON.stringify(got));
		const st = await c.req(`ari.data.test.${NODE_B}`, { kind: 'PlaybackData', key: kp });
		assert.equal(st.error, '');
		assert.equal(st.data.playback.state, 'paused', JSON.stringify(st));
		assert.equal((await cmd({ kind: 'PlaybackStop', key: kp })).error, '');
		await c.waitEvent((e) => e.ev.type === 'PlaybackFinished' && e.ev.playback.id === 'cmd-pb');
		// the other node knows none of it
		const elsewhere = await c.req(`ari.command.test.${NODE_A}`, { kind: 'BridgeDelete', key: kbr });
		assert.match(elsewhere.error, /not found/i);
		assert.equal((await cmd({ kind: 'BridgeDelete', key: kbr })).error, '');
		await c.waitEvent((e) => e.ev.type === 'ChannelLeftBridge' && e.ev.channel.id === ka.id);
		const gone = await c.req(`ari.data.test.${NODE_B}`, { kind: 'BridgeData', key: kbr });
		assert.match(gone.error, /not found/i, JSON.stringify(gone));
		for (const k of [ka, kb]) assert.equal((await cmd({ kind: 'ChannelHangup', key: k })).error, '');
	});

	test('play on owner: ChannelPlay gives a playback key; PlaybackStarted and PlaybackFinished follow', async () => {
		const { id } = await callOn(A, c);
		const ck = key('channel', id, NODE_A);
		const stage = await c.req(`ari.get.test.${NODE_A}`, { kind: 'ChannelStagePlay', key: ck,
			channel_play: { playback_id: 'pb-staged', media_uri: 'sound:beep' } });
		assert.deepEqual(stage.key, { kind: 'playback', id: 'pb-staged', node: NODE_A, app: 'test' });
		const r = await c.req(`ari.create.test.${NODE_A}`, { kind: 'ChannelPlay', key: ck,
			channel_play: { playback_id: 'pb-staged', media_uri: 'sound:beep' } });
		assert.equal(r.error, '');
		assert.deepEqual(r.key, { kind: 'playback', id: 'pb-staged', node: NODE_A, app: 'test' });
		const st = await c.waitEvent((e) => e.ev.type === 'PlaybackStarted' && e.ev.playback.id === 'pb-staged');
		assert.equal(st.subject, `ari.event.test.${NODE_A}`);
		const pd = await c.req(`ari.data.test.${NODE_A}`, { kind: 'PlaybackData', key: r.key });
		assert.ok(pd.error === '' || pd.error === 'Not found'); // beep is short
		await c.waitEvent((e) => e.ev.type === 'PlaybackFinished' && e.ev.playback.id === 'pb-staged');
		// the node without the channel cannot play on it
		const other = await c.req(`ari.create.test.${NODE_B}`, { kind: 'ChannelPlay', key: key('channel', id, NODE_B),
			channel_play: { playback_id: '', media_uri: 'sound:beep' } });
		assert.equal(other.error, 'Not found');
	});

	test('unknown kind: Not implemented', async () => {
		const r = await c.req(`ari.command.test.${NODE_A}`, { kind: 'Bogus', key: null });
		assert.deepEqual({ error: r.error }, { error: 'Not implemented' });
		const all = await c.multi('ari.data.test', { kind: 'RecordingLiveData', key: key('liverecording', 'x') });
		assert.deepEqual(all.map((x) => x.error), ['Not implemented', 'Not implemented']);
	});

	test('malformed requests earn an error reply, never a crash', async () => {
		const enc = new TextEncoder();
		const raw = async (text) => {
			const m = await c.nc.request(`ari.command.test.${NODE_A}`, enc.encode(text), { timeout: T });
			return JSON.parse(new TextDecoder().decode(m.data));
		};
		for (const bad of ['', 'not json', '[1,2]', '{"kind":5}', '{"key":null}',
			'{"kind":"ChannelAnswer","key":"x"}', '{"kind":"ChannelAnswer","key":{"id":7}}']) {
			const r = await raw(bad);
			assert.match(r.error, /^Malformed request/, `${bad} → ${JSON.stringify(r)}`);
		}
		for (const kind of ['ChannelAnswer', 'ChannelPlay', 'BridgeDelete', 'ChannelData', 'ChannelGet']) {
			const r = await raw(JSON.stringify({ kind, key: null }));
			assert.notEqual(r.error, '', `${kind} with a null key`);
		}
		const nf = await raw(JSON.stringify({ kind: 'ChannelAnswer', key: key('channel', 'nope', NODE_A) }));
		assert.equal(nf.error, 'Not found');
		assert.equal((await A.get('/ari/asterisk/ping')).status, 200);
	});

	test('drain: no announcements, creates all land on the other node, existing calls stay controllable', async () => {
		const { id } = await callOn(B, c);
		const r = await B.cli('core drain on');
		assert.equal(r.code, 0, r.stderr);
		await B.waitForLog(/Cluster node 'aa:00:00:00:00:02' draining/);
		await sleep(300);
		c.announces.length = 0;
		c.nc.publish('ari.ping', nats.JSONCodec().encode({ kind: '', key: null }));
		await sleep(1500); // longer than announce_interval
		const nodes = new Set(c.announces.map((x) => x.a.node));
		assert.deepEqual([...nodes], [NODE_A]);
		const creates = await Promise.all(Array.from({ length: 20 }, (_, i) =>
			c.req('ari.create.test', { kind: 'BridgeCreate', key: { kind: 'bridge', id: `drain-${i}` },
				bridge_create: { type: 'mixing' } }, 2000)));
		for (const x of creates) assert.equal(x.key.node, NODE_A, JSON.stringify(x));
		// B's call: still answered, played to and hung up over NATS
		const ck = key('channel', id, NODE_B);
		assert.equal((await c.req(`ari.get.test.${NODE_B}`, { kind: 'ChannelGet', key: ck })).error, '');
		const play = await c.req(`ari.create.test.${NODE_B}`, { kind: 'ChannelPlay', key: ck,
			channel_play: { playback_id: 'pb-drain', media_uri: 'sound:beep' } });
		assert.equal(play.error, '');
		await c.waitEvent((e) => e.ev.type === 'PlaybackStarted' && e.ev.playback.id === 'pb-drain');
		// a new call asked of B by name is refused while draining
		const orig = await c.req(`ari.create.test.${NODE_B}`, { kind: 'ChannelOriginate', key: null,
			channel_originate: { originate_request: { endpoint: 'Local/1@wait' } } });
		assert.notEqual(orig.error, '');
		assert.equal((await c.req(`ari.command.test.${NODE_B}`, { kind: 'ChannelHangup', key: ck })).error, '');
		// back in service: B announces and takes creates again
		assert.equal((await B.cli('core drain off')).code, 0);
		c.announces.length = 0;
		await sleep(1500);
		assert.ok(c.announces.some((x) => x.a.node === NODE_B), 'B announces again');
		const again = await Promise.all(Array.from({ length: 30 }, () =>
			c.req('ari.create.test', { kind: 'BridgeCreate', key: null, bridge_create: { type: 'mixing' } }, 2000)));
		assert.ok(again.some((x) => x.key && x.key.node === NODE_B), 'B in the create group again');
		for (const x of again) assert.match(x.key.id, /^[0-9a-f-]{36}$/);
	});

	test('no responders: a request to a stopped node fails fast instead of hanging', async () => {
		await stopServer(B); // exit code 0 asserted (leaks under ASan fail here)
		const t0 = Date.now();
		await assert.rejects(
			c.req(`ari.command.test.${NODE_B}`, { kind: 'ChannelAnswer', key: key('channel', 'x', NODE_B) }, 2000),
			(e) => e.code === '503' || /no responders/i.test(e.message));
		assert.ok(Date.now() - t0 < 400, `failed after ${Date.now() - t0} ms`);
		// the survivor still answers the broadcast alone
		const replies = await c.multi('ari.get.test', { kind: 'ChannelList', key: null }, 300);
		assert.equal(replies.length, 1);
		assert.ok(replies[0].keys.every((k) => k.node === NODE_A));
	});
});

describe('cluster start-up', { skip: SKIP, timeout: 60000 * SLOW }, () => {
	test('a second node with a node id already announced refuses to start', async () => {
		const bus = await startNats();
		const A = await startNode(bus.port, NODE_A);
		try {
			let dup = null;
			try {
				dup = await startNode(bus.port, NODE_A);
			} catch (e) {
				assert.match(e.message, /exited during start-up/);
				assert.match(e.message, /already announced on NATS by another node/);
			}
			if (dup) {
				const log = dup.tail();
				await stopServer(dup);
				assert.fail(`the second node with id ${NODE_A} started\n${log}`);
			}
		} finally {
			await stopServer(A);
			await bus.stop();
		}
	});

	test('NATS down at start: the node starts at once, connects later and announces', async () => {
		const port = await freePort();
		const t0 = Date.now();
		const A = await startNode(port, NODE_A);
		let bus;
		try {
			assert.ok(Date.now() - t0 < 5000 * SLOW);
			await A.waitForLog(/NATS at .* is not reachable yet/);
			bus = await startNats(port);
			const c = await client(port);
			await A.waitForLog(/Connected to NATS at/, 10000 * SLOW);
			const r = await c.req(`ari.data.test.${NODE_A}`, { kind: 'AsteriskInfo', key: null }, 2000);
			assert.equal(r.data.asterisk.system.entity_id, NODE_A);
			await c.nc.close();
		} finally {
			await stopServer(A);
			if (bus) await bus.stop();
		}
	});

	test('no nats.conf: not a cluster node, nothing connects', async () => {
		const A = await startServer({ verbose: 3 });
		try {
			await A.waitForLog(/No NATS url in nats.conf: not a cluster node/);
			assert.doesNotMatch(A.stderr, /NATS at|Connected to NATS/);
		} finally {
			await stopServer(A);
		}
	});
});
