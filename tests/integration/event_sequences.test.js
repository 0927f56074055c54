'use strict';
// Event sequences per object, compared with what Asterisk 22.10.1 sends
// (the ARI contract's event-sequences.md): originate with app, create + dial,
// continue, DELETE. Raw WebSocket events, split per object (`a` is the ;1
// half, in Stasis; `a2` the ;2 half, running the dialplan), compared event
// by event with the recorded contract values.
//
// Every comparison is bounded by two "fences": a user event the test sends
// itself. The server is one loop and a socket is one queue, so everything
// published before a fence's REST call reaches the socket before the fence.
// No timing is involved; the end of a scenario is awaited through REST
// (channel gone, dialplan application reached) or an event.
//
// Not here: DTMF across a Local pair (media), bridges and recordings.
const assert = require('node:assert/strict');
const { serverTest, sleep, EVENT_TIMEOUT_MS } = require('./lib/server');

const files = {
	'extensions.conf': '[far]\nexten => s,1,Answer()\n same => n,Wait(600)\n' +
		'exten => quick,1,Answer()\n same => n,Hangup()\n',
};

/** 'Type{k=v,...}' → {type, want: [[k, v], ...]} (v as written in the record). */
function parseItem(s) {
	const m = /^(\w+)(?:\{(.*)\})?$/.exec(s);
	assert.ok(m, `bad expected item ${s}`);
	const want = [];
	const re = /([\w.]+)=(\[[^\]]*\]|[^,]*)/g;
	let kv;
	while ((kv = re.exec(m[2] || ''))) want.push([kv[1], kv[2]]);
	return { type: m[1], want };
}

/** An event's value for a key of the record, written the way the record writes it. */
function valueOf(e, key) {
	switch (key) {
	case 'state': return e.channel ? e.channel.state : undefined;
	case 'peer.state': return e.peer ? e.peer.state : undefined;
	case 'args': return JSON.stringify(e.args);
	case 'soft': return e.soft === true ? 'true' : String(e.soft);
	default: return e[key] === undefined ? undefined : String(e[key]);
	}
}

/** The actual events as strings with the keys the expected item at the same place asks for. */
function render(events, expected) {
	return events.map((e, i) => {
		const x = expected[i] && parseItem(expected[i]);
		if (!x || x.type !== e.type) return e.type;
		if (!x.want.length) return e.type;
		return `${e.type}{${x.want.map(([k]) => `${k}=${valueOf(e, k)}`).join(',')}}`;
	});
}

const about = (id) => (e) => (e.channel && e.channel.id === id) ||
	(e.type === 'Dial' && e.peer && e.peer.id === id);

let fenceSeq = 0;
/** Send a user event to app A and resolve with its index in the socket's log. */
async function fence(srv, ws) {
	const name = `fence${++fenceSeq}`;
	const r = await srv.post(`/ari/events/user/${name}?application=A`);
	assert.equal(r.status, 204, r.body);
	const ev = await ws.waitFor((e) => e.type === 'ChannelUserevent' && e.eventname === name);
	return ws.indexOf(ev);
}

/** Events about `id` between two fences. */
const between = (ws, from, to, id) => ws.events.slice(from + 1, to).filter(about(id));

function assertEvents(events, expected, what) {
	assert.deepEqual(render(events, expected), expected,
		`events of ${what} differ from Asterisk 22's sequence\n  got:  ${events.map((e) => e.type).join(' → ')}`);
}

function assertSequence(ws, from, to, id, expected) {
	assertEvents(between(ws, from, to, id), expected, id);
}

/** Poll GET /channels/{id} until pred(channel JSON or null when gone) holds. */
async function waitChannel(srv, id, pred, what) {
	const deadline = Date.now() + EVENT_TIMEOUT_MS;
	let last;
	while (Date.now() < deadline) {
		const r = await srv.get(`/ari/channels/${id}`);
		last = r.status === 200 ? r.json : null;
		if (pred(last)) return last;
		await sleep(20);
	}
	throw new Error(`channel ${id} never ${what}: ${JSON.stringify(last)}`);
}
const inApp = (app) => (c) => c && c.dialplan && c.dialplan.app_name === app;
const gone = (c) => c === null;

const ORIGINATE = { endpoint: 'Local/s@far', app: 'A', channelId: 'a', otherChannelId: 'a2' };

/** Originate a/a2 into A and wait until a is in Stasis and a2 in Wait(600). */
async function originate(srv, ws, params = {}, body) {
	await srv.originate({ ...ORIGINATE, ...params }, body);
	await ws.waitFor((e) => e.type === 'StasisStart' && e.channel.id === 'a');
	await waitChannel(srv, 'a2', inApp('Wait'), 'reached Wait()');
}

/** Run `op` between two fences, then `settled`; resolve {from, to}. */
async function fenced(srv, ws, op, settled = async () => {}) {
	const from = await fence(srv, ws);
	await op();
	await settled();
	const to = await fence(srv, ws);
	return { from, to };
}

/** A socket for app A with a/a2 originated into it; then `op(ws)` between fences. */
async function afterOriginate(srv, op, settled) {
	const ws = await srv.events('A');
	await originate(srv, ws);
	return { ws, ...await fenced(srv, ws, () => op(ws), settled) };
}

const bothGone = (srv) => async () => {
	await waitChannel(srv, 'a', gone, 'went away');
	await waitChannel(srv, 'a2', gone, 'went away');
};

// What event-sequences.md records, by scenario.
const A_ORIGINATED = (args) => [
	'Dial{dialstatus=,peer.state=Down}',
	'ChannelStateChange{state=Up}',
	'Dial{dialstatus=ANSWER,peer.state=Up}',
	'ChannelVarset{state=Up,variable=STASISSTATUS}',
	`StasisStart{args=${args},state=Up}`,
];
const A2_DIALPLAN = ['ChannelDialplan{state=Ring}', 'ChannelStateChange{state=Up}', 'ChannelDialplan{state=Up}'];
const A2_PEER_HUNG_UP = (cause) => [
	`ChannelHangupRequest{cause=${cause},state=Up}`,
	'ChannelHangupRequest{cause=16,state=Up,soft=true}',
	`ChannelDestroyed{cause=${cause},state=Up}`,
];
const A_CONTINUED_TO_QUICK = [
	'StasisEnd{state=Up}',
	'ChannelDialplan{state=Up}',
	'ChannelDialplan{state=Up}',
	'ChannelVarset{state=Up,variable=STASISSTATUS}',
	'ChannelDestroyed{cause=16,state=Up}',
];

/** Originate a/a2 into A between fences (body: the JSON body, or none). */
async function originateFenced(srv, params, body) {
	const ws = await srv.events('A');
	return { ws, ...await fenced(srv, ws, () => originate(srv, ws, params, body)) };
}

// The ;1 half of an originate is dialed and answered, then runs Stasis() as
// its application: Dial, the answer, Dial ANSWER, STASISSTATUS, StasisStart.
serverTest('originate_with_app_sends_dial_answer_and_STASISSTATUS_before_StasisStart', { files }, async (srv) => {
	const { ws, from, to } = await originateFenced(srv, { appArgs: 'one,two' });
	assertSequence(ws, from, to, 'a', A_ORIGINATED('["one","two"]'));
});

// Asterisk subscribes the app to the Local peer of an originated channel:
// the dialplan of ;2 is visible to the app.
serverTest('originate_with_app_subscribes_the_app_to_the_other_local_half', { files }, async (srv) => {
	const { ws, from, to } = await originateFenced(srv);
	const got = between(ws, from, to, 'a2').map((e) => `${e.type}{state=${e.channel.state}}`);
	// In this order; exact equality is the next test.
	let i = 0;
	for (const t of got) if (t === A2_DIALPLAN[i]) i++;
	assert.equal(i, A2_DIALPLAN.length, `a2's events ${got.join(' → ')} lack ${A2_DIALPLAN.slice(i).join(', ')}`);
});

serverTest('originate_with_app_sends_the_other_half_exactly_its_dialplan_and_answer', {
	files,
}, async (srv) => {
	const { ws, from, to } = await originateFenced(srv);
	assertSequence(ws, from, to, 'a2', A2_DIALPLAN);
});

// The variables of the JSON body reach ;2 before its dialplan starts.
serverTest('originate_variables_are_set_on_the_other_half_before_its_dialplan', { files }, async (srv) => {
	const { ws, from, to } = await originateFenced(srv, {}, { variables: { CONF_V1: 'x' } });
	assertSequence(ws, from, to, 'a', A_ORIGINATED('[]'));
	const a2 = between(ws, from, to, 'a2');
	const iVar = a2.findIndex((e) => e.type === 'ChannelVarset' && e.variable === 'CONF_V1');
	const iPlan = a2.findIndex((e) => e.type === 'ChannelDialplan');
	assert.ok(iVar >= 0, `no ChannelVarset CONF_V1 on a2: ${a2.map((e) => e.type)}`);
	assert.equal(a2[iVar].value, 'x');
	assert.ok(iPlan > iVar, `ChannelVarset before the first ChannelDialplan: ${a2.map((e) => e.type)}`);
});

serverTest('originate_variables_reach_the_other_half_exactly_as_asterisk_orders_them', {
	files,
}, async (srv) => {
	const { ws, from, to } = await originateFenced(srv, {}, { variables: { CONF_V1: 'x' } });
	assertSequence(ws, from, to, 'a2', ['ChannelVarset{state=Ring,value=x,variable=CONF_V1}', ...A2_DIALPLAN]);
});

// A created channel runs Stasis() as its application at once: the app,
// subscribed by create, sees its ChannelDialplan and STASISSTATUS first.
serverTest('create_then_dial_sends_dialplan_and_STASISSTATUS_before_StasisStart_then_dial', { files }, async (srv) => {
	const ws = await srv.events('A');
	const { from, to } = await fenced(srv, ws, async () => {
		const r = await srv.post('/ari/channels/create?endpoint=Local/s@far&app=A&channelId=a&otherChannelId=a2');
		assert.equal(r.status, 200, r.body);
		await ws.waitFor((e) => e.type === 'StasisStart' && e.channel.id === 'a');
		const d = await srv.post('/ari/channels/a/dial?timeout=10');
		assert.equal(d.status, 204, d.body);
		await ws.waitFor((e) => e.type === 'Dial' && e.peer.id === 'a' && e.dialstatus === 'ANSWER');
	});
	assertSequence(ws, from, to, 'a', [
		'ChannelDialplan{state=Down}',
		'ChannelVarset{state=Down,variable=STASISSTATUS}',
		'StasisStart{args=[],state=Down}',
		'Dial{dialstatus=,peer.state=Down}',
		'ChannelStateChange{state=Up}',
		'Dial{dialstatus=ANSWER,peer.state=Up}',
	]);
	const created = between(ws, from, to, 'a').find((e) => e.type === 'ChannelDialplan');
	assert.equal(created.dialplan_app, 'Stasis');
	assert.equal(created.dialplan_app_data, 'A');
});

// DELETE is a soft hangup (Asterisk's AST_SOFTHANGUP_EXPLICIT, 32) announced
// first; the requested cause is the one the channel is destroyed with. The
// other half is hung up with that cause, then its dialplan ends (soft 16).
for (const [query, cause] of [['', 16], ['?reason=busy', 17]]) {
	serverTest(`delete${query ? '_busy' : ''}_sends_soft_request_32_then_StasisEnd_STASISSTATUS_destroyed_${cause}`, { files }, async (srv) => {
		const { ws, from, to } = await afterOriginate(srv, async () => {
			const r = await srv.del(`/ari/channels/a${query}`);
			assert.equal(r.status, 204, r.body);
		}, bothGone(srv));
		assertSequence(ws, from, to, 'a', [
			'ChannelHangupRequest{cause=32,state=Up,soft=true}',
			'StasisEnd{state=Up}',
			'ChannelVarset{state=Up,variable=STASISSTATUS}',
			`ChannelDestroyed{cause=${cause},state=Up}`,
		]);
		assertSequence(ws, from, to, 'a2', A2_PEER_HUNG_UP(cause));
	});
}

/** continue a to far,quick,1 (Answer, Hangup) after an originate. */
const continueToQuick = (srv) => afterOriginate(srv, async () => {
	const r = await srv.post('/ari/channels/a/continue?context=far&extension=quick&priority=1');
	assert.equal(r.status, 204, r.body);
}, bothGone(srv));

// continue of an originated channel: StasisEnd, then its dialplan runs
// (Asterisk runs it inside Stasis(): no soft hangup request, no h, and
// STASISSTATUS when it ends).
serverTest('continue_elsewhere_runs_the_dialplan_after_StasisEnd_then_STASISSTATUS_and_destroyed', {
	files,
}, async (srv) => {
	const { ws, from, to } = await continueToQuick(srv);
	assertSequence(ws, from, to, 'a', A_CONTINUED_TO_QUICK);
	assertSequence(ws, from, to, 'a2', A2_PEER_HUNG_UP(16));
});

// The same operation, with what does not depend on Hangup(): the app still
// sees the channel after StasisEnd (originate's subscription), the dialplan
// steps follow StasisEnd, STASISSTATUS comes before ChannelDestroyed, and
// the other half ends as after DELETE.
serverTest('continue_elsewhere_keeps_the_app_subscribed_and_ends_with_STASISSTATUS', { files }, async (srv) => {
	const { ws, from, to } = await continueToQuick(srv);
	const a = between(ws, from, to, 'a').filter((e) => e.type !== 'ChannelHangupRequest');
	assertEvents(a, A_CONTINUED_TO_QUICK, 'a (but its ChannelHangupRequest)');
	assert.deepEqual(a.filter((e) => e.type === 'ChannelDialplan').map((e) => e.dialplan_app), ['Answer', 'Hangup']);
	assert.equal(a.find((e) => e.type === 'ChannelVarset').value, 'SUCCESS');
	assertSequence(ws, from, to, 'a2', A2_PEER_HUNG_UP(16));
});

// continue without a target: the next priority of where the channel is
// (for a Local ;1 half, the Local's own extension: far,s,2 = Wait).
serverTest('continue_sends_ChannelDialplan_after_StasisEnd', {
	files,
}, async (srv) => {
	const { ws, from, to } = await afterOriginate(srv, async () => {
		const r = await srv.post('/ari/channels/a/continue');
		assert.equal(r.status, 204, r.body);
	}, () => waitChannel(srv, 'a', (c) => c === null || inApp('Wait')(c), 'reached Wait()'));
	assertSequence(ws, from, to, 'a', ['StasisEnd{state=Up}', 'ChannelDialplan{state=Up}']);
});

serverTest('variable_sends_one_ChannelVarset', { files }, async (srv) => {
	const { ws, from, to } = await afterOriginate(srv, async () => {
		const r = await srv.post('/ari/channels/a/variable?variable=CONF_VAR&value=abc');
		assert.equal(r.status, 204, r.body);
	});
	assertSequence(ws, from, to, 'a', ['ChannelVarset{state=Up,value=abc,variable=CONF_VAR}']);
});

// A move is StasisEnd to the app left, StasisStart to the other; a move to
// an app that is not there is ApplicationMoveFailed, and the channel stays.
serverTest('move_sends_StasisEnd_then_StasisStart_to_the_new_app', { files }, async (srv) => {
	const b = await srv.events('B');
	const { ws, from, to } = await afterOriginate(srv, async () => {
		const r = await srv.post('/ari/channels/a/move?app=B&appArgs=x,y');
		assert.equal(r.status, 204, r.body);
		await b.waitFor((e) => e.type === 'StasisStart' && e.channel.id === 'a');
	});
	assertSequence(ws, from, to, 'a', ['StasisEnd{state=Up}']);
	assertEvents(b.events.filter(about('a')), ['StasisStart{args=["x","y"],state=Up}'], 'a in B');
	const end = between(ws, from, to, 'a')[0];
	assert.ok(end._seq < b.events.find(about('a'))._seq, 'StasisEnd before StasisStart');
});

serverTest('move_to_a_missing_app_sends_ApplicationMoveFailed', { files }, async (srv) => {
	const { ws, from, to } = await afterOriginate(srv, async (sock) => {
		const r = await srv.post('/ari/channels/a/move?app=missing&appArgs=p,q');
		assert.equal(r.status, 204, r.body);
		await sock.waitFor((e) => e.type === 'ApplicationMoveFailed');
	});
	assertSequence(ws, from, to, 'a', ['ApplicationMoveFailed{args=["p","q"],state=Up,destination=missing}']);
});
