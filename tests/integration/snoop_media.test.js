'use strict';
// A supervisor on a real call, through a snoop: the caller (SIPp, RTP at a
// socket of the test) says 1000 Hz and hears a 500 Hz playback; a snoop on
// it is bridged with a second SIP call, the supervisor. With spy=in the
// supervisor hears only what the caller says, with spy=out only what the
// caller hears, with both each; with whisper=out the caller hears what the
// supervisor says (1500 Hz), and the supervisor's voice never reaches the
// caller without whisper.
const assert = require('node:assert/strict');
const {
	call, bridge, add, listen, hears, deafTo, mediaTest,
} = require('./lib/media_calls');

const enc = encodeURIComponent;
const APP = 'sup';

/** Caller a (says 1000, hears a 500 Hz tone playback) and supervisor s. */
async function callerAndSupervisor(srv, ws, calls) {
	calls.push(await call(srv, ws, 'a'), await call(srv, ws, 's'));
	const [a, s] = calls;
	await a.peer.say(1000);
	await s.peer.say(1500);
	const r = await srv.post(`/ari/channels/${enc(a.id)}/play?media=${enc('tone:500')}`);
	assert.equal(r.status, 200, r.body);
	return { a, s };
}

/** A snoop on a, in the app, bridged with the supervisor. */
async function snoopTo(srv, ws, a, s, params) {
	const r = await srv.post(`/ari/channels/${enc(a.id)}/snoop?` +
		new URLSearchParams({ app: APP, ...params }));
	assert.equal(r.status, 200, r.body);
	await ws.waitFor((e) => e.type === 'StasisStart' && e.channel.id === r.json.id);
	const id = await bridge(srv);
	await add(srv, ws, id, { id: r.json.id, exten: 'snoop' });
	await add(srv, ws, id, s);
	return r.json.id;
}

mediaTest(APP, 'spy_in_lets_the_supervisor_hear_only_what_the_caller_says', async (srv, ws, calls) => {
	const { a, s } = await callerAndSupervisor(srv, ws, calls);
	await snoopTo(srv, ws, a, s, { spy: 'in' });
	const h = await listen(calls);
	hears(h, 's', 1000);
	deafTo(h, 's', 500);
	// The caller hears its playback and not the supervisor.
	hears(h, 'a', 500);
	deafTo(h, 'a', 1500);
});

mediaTest(APP, 'spy_out_lets_the_supervisor_hear_only_what_the_caller_hears', async (srv, ws, calls) => {
	const { a, s } = await callerAndSupervisor(srv, ws, calls);
	await snoopTo(srv, ws, a, s, { spy: 'out' });
	const h = await listen(calls);
	hears(h, 's', 500);
	deafTo(h, 's', 1000);
	deafTo(h, 'a', 1500);
});

mediaTest(APP, 'spy_both_and_whisper_out_coach_the_caller', async (srv, ws, calls) => {
	const { a, s } = await callerAndSupervisor(srv, ws, calls);
	const snoopId = await snoopTo(srv, ws, a, s, { spy: 'both', whisper: 'out' });
	const h = await listen(calls);
	hears(h, 's', 1000);
	hears(h, 's', 500);
	// The coach is heard by the caller, on top of its playback.
	hears(h, 'a', 1500);
	hears(h, 'a', 500);
	// The snoop channel goes with the caller.
	assert.equal((await srv.del(`/ari/channels/${enc(a.id)}`)).status, 204);
	await srv.waitChannelGone(snoopId);
});
