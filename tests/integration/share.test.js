'use strict';
// Several sockets sharing one app (an ariadne extension,
// docs/ARI-EXTENSIONS.md): /ari/events?app=x&share=true. Each channel is
// handled by exactly one socket (all its events go there), the load is
// spread, app-wide events reach every socket, a socket that drops leaves
// its channels to the others, and a socket without share=true still
// replaces the app as in Asterisk.
const assert = require('node:assert/strict');
const {
	serverTest, pjsipConf, spawnSipp, assertSipp, sleep, SLOW,
} = require('./lib/server');

const enc = encodeURIComponent;
const OPEN = { files: { 'pjsip.conf': pjsipConf({ alice: { match: '127.0.0.1', context: 'stasis-pool' } }) },
	timeout: 90000 * SLOW };
const chanOf = (e) => (e.channel ? e.channel.id : e.playback && /^channel:/.test(e.playback.target_uri)
	? e.playback.target_uri.slice(8) : null);

/** Answer every channel whose StasisStart a socket gets, from that socket's app instance. */
function answerMine(srv, ws) {
	ws.ws.on('message', (data) => {
		const e = JSON.parse(data);
		if (e.type === 'StasisStart')
			srv.post(`/ari/channels/${enc(e.channel.id)}/answer`).catch(() => {});
	});
}

serverTest('three_sockets_share_300_calls_each_call_on_exactly_one_socket_and_spread_within_20_percent', OPEN,
	async (srv) => {
		const socks = [];
		for (let i = 0; i < 3; i++) socks.push(await srv.events('pool', { query: 'share=true' }));
		for (const ws of socks) answerMine(srv, ws);
		const N = 300;
		const sipp = await spawnSipp({ scenario: 'uac_call', remote: srv, service: '100', calls: N, rate: 100,
			limit: 150, duration: 1000, traceMsg: false, timeoutMs: 60000 * SLOW, keys: { from_user: 'alice' } });
		const r = await sipp.done;
		assertSipp(r, 0, `${N} calls answered by the sharing sockets`);
		// Every channel is destroyed once its BYE is answered.
		const destroyed = () => socks.reduce((n, ws) => n + ws.filter('ChannelDestroyed').length, 0);
		for (let i = 0; i < 100 && destroyed() < N; i++) await sleep(100);
		const owner = new Map(); // channel id → socket index
		socks.forEach((ws, i) => {
			for (const e of ws.filter('StasisStart')) {
				assert.ok(!owner.has(e.channel.id), `StasisStart of ${e.channel.id} on two sockets`);
				owner.set(e.channel.id, i);
			}
		});
		assert.equal(owner.size, N, 'every call reached exactly one socket');
		const counts = socks.map((ws) => ws.filter('StasisStart').length);
		for (const c of counts) assert.ok(c >= 0.8 * N / 3 && c <= 1.2 * N / 3, `spread ${counts}`);
		// All later events of a channel went to the socket that had its StasisStart.
		socks.forEach((ws, i) => {
			for (const e of ws.events) {
				const id = chanOf(e);
				if (id && owner.has(id)) assert.equal(owner.get(id), i, `${e.type} of ${id} on socket ${i}`);
			}
			assert.equal(ws.filter('StasisEnd').length, counts[i]);
			assert.equal(ws.filter('ChannelDestroyed').length, counts[i]);
		});
		// The app's sequence numbers: each socket sees its share, in order, and
		// together they are every number once.
		const all = [];
		for (const ws of socks) {
			const s = ws.events.map((e) => e.sequence);
			for (let k = 1; k < s.length; k++) assert.ok(s[k] > s[k - 1], 'in order on each socket');
			all.push(...s);
		}
		all.sort((a, b) => a - b);
		assert.deepEqual(all, Array.from({ length: all.length }, (_, k) => k + 1));
	});

serverTest('app_wide_events_reach_every_sharing_socket', async (srv) => {
	const socks = [];
	for (let i = 0; i < 3; i++) socks.push(await srv.events('pool', { query: 'share=true' }));
	assert.equal((await srv.post('/ari/events/user/hello?application=pool')).status, 204);
	assert.equal((await srv.post('/ari/bridges?bridgeId=b1')).status, 200);
	assert.equal((await srv.post('/ari/applications/pool/subscription?eventSource=bridge:b1')).status, 200);
	assert.equal((await srv.del('/ari/bridges/b1')).status, 204);
	for (const ws of socks) {
		await ws.waitFor('ChannelUserevent');
		await ws.waitFor('BridgeDestroyed');
	}
	// Sharing sockets are not replaced by each other.
	for (const ws of socks) assert.equal(ws.filter('ApplicationReplaced').length, 0);
	const apps = (await srv.get('/ari/applications')).json;
	assert.deepEqual(apps.map((a) => a.name), ['pool']);
});

serverTest('a_socket_that_drops_leaves_its_channels_to_the_others', async (srv) => {
	const a = await srv.events('pool', { query: 'share=true' });
	const b = await srv.events('pool', { query: 'share=true' });
	// Two channels, one each (least loaded first).
	for (const id of ['c1', 'c2'])
		assert.equal((await srv.post(`/ari/channels/create?endpoint=Local/s@default&app=pool&channelId=${id}`)).status, 200);
	const onA = () => a.events.filter((e) => chanOf(e) === 'c1' || chanOf(e) === 'c2').map(chanOf);
	const onB = () => b.events.filter((e) => chanOf(e) === 'c1' || chanOf(e) === 'c2').map(chanOf);
	for (let i = 0; i < 50 && !(onA().length && onB().length); i++) await sleep(20);
	const mineA = new Set(onA());
	const mineB = new Set(onB());
	assert.equal(mineA.size, 1, `a: ${[...mineA]}`);
	assert.equal(mineB.size, 1, `b: ${[...mineB]}`);
	const [idA] = mineA;
	await a.close();
	await sleep(100);
	// a's channel now reports to b.
	const from = b.events.length;
	assert.equal((await srv.post(`/ari/channels/${enc(idA)}/variable?variable=X&value=1`)).status, 204);
	const v = await b.waitFor((e) => e.type === 'ChannelVarset' && e.variable === 'X', undefined, { from });
	assert.equal(v.channel.id, idA);
	for (const id of ['c1', 'c2']) assert.equal((await srv.del(`/ari/channels/${id}`)).status, 204);
	await b.waitFor((e) => e.type === 'ChannelDestroyed' && e.channel.id === idA);
});

serverTest('a_socket_without_share_replaces_the_sharing_ones_as_in_asterisk', async (srv) => {
	const a = await srv.events('pool', { query: 'share=true' });
	const b = await srv.events('pool', { query: 'share=true' });
	const c = await srv.events('pool');
	await a.waitFor('ApplicationReplaced');
	await b.waitFor('ApplicationReplaced');
	assert.equal((await srv.post('/ari/events/user/after?application=pool')).status, 204);
	await c.waitFor('ChannelUserevent');
	await sleep(100);
	assert.equal(a.filter('ChannelUserevent').length + b.filter('ChannelUserevent').length, 0);
	// The replaced sockets close without disturbing c's app.
	await a.close();
	await b.close();
	assert.equal((await srv.post('/ari/events/user/still?application=pool')).status, 204);
	await c.waitFor((e) => e.eventname === 'still');
});

serverTest('share_and_since_do_not_combine', async (srv) => {
	await assert.rejects(srv.events('pool', { query: 'share=true&since=3' }), (e) => e.status === 400);
});
