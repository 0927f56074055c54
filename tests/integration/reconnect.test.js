'use strict';
// Reconnecting without losing events (an ariadne extension,
// docs/ARI-EXTENSIONS.md): every event carries the app's `sequence`; with
// ari.conf reconnect_grace an app whose socket drops keeps its channels and
// events, and /ari/events?app=x&since=N gives what came after N, once and
// in order, then live events. Where the server cannot give everything
// after N it says so with EventsLost instead of a silent gap.
const assert = require('node:assert/strict');
const {
	serverTest, pjsipConf, spawnSipp, sleep, withSipp, SLOW,
} = require('./lib/server');

const enc = encodeURIComponent;
const ariConf = (general) => ['[general]', 'enabled = yes',
	...Object.entries(general).map(([k, v]) => `${k} = ${v}`),
	'[asterisk]', 'type = user', 'password = asterisk', ''].join('\n');
const withGrace = (general, more = {}) => ({ files: { 'ari.conf': ariConf(general), ...more } });

const userEvent = (srv, app, name) => srv.post(`/ari/events/user/${name}?application=${enc(app)}`);
const seqs = (evs) => evs.map((e) => e.sequence);
const last = (ws) => ws.events[ws.events.length - 1];

/** Kill the socket the way a crashed client or a broken network does: no close frame. */
function kill(ws) {
	return new Promise((resolve) => {
		if (ws.closed) { resolve(); return; }
		ws.ws.once('close', resolve);
		ws.ws.terminate();
	});
}

function assertConsecutive(list, what) {
	for (let i = 1; i < list.length; i++)
		assert.equal(list[i], list[i - 1] + 1, `${what}: sequence ${list[i - 1]} then ${list[i]}: ${list.join(',')}`);
}

serverTest('every_event_carries_the_apps_own_increasing_sequence', async (srv) => {
	const ws = await srv.events(['seqA', 'seqB']);
	for (let i = 0; i < 4; i++) {
		assert.equal((await userEvent(srv, 'seqA', `a${i}`)).status, 204);
		assert.equal((await userEvent(srv, 'seqB', `b${i}`)).status, 204);
	}
	await ws.waitFor((e) => e.eventname === 'b3');
	const a = ws.filter((e) => e.application === 'seqA');
	const b = ws.filter((e) => e.application === 'seqB');
	assert.deepEqual(seqs(a), [1, 2, 3, 4], 'seqA numbers its own events');
	assert.deepEqual(seqs(b), [1, 2, 3, 4], 'seqB numbers its own events');
	// The raw frame has it as a number, like the rest of the event.
	assert.match(ws.raw[0], /"sequence":\s*1\b/);
});

serverTest('since_must_be_a_number_and_needs_exactly_one_app', async (srv) => {
	// 2^63 and 2^64 - 1 parse as unsigned 64-bit numbers but are past
	// the int64 an event's sequence is: they came back negative.
	for (const [q, apps] of [['since=abc', 'x'], ['since=-1', 'x'], ['since=', 'x'], ['since=3', ['x', 'y']],
		['since=9223372036854775808', 'x'], ['since=18446744073709551615', 'x'],
		['since=18446744073709551616', 'x']]) {
		await assert.rejects(srv.events(apps, { query: q }), (e) => e.status === 400, `${q} with ${apps}`);
	}
	// Refused before the upgrade: no app was registered.
	assert.deepEqual((await srv.get('/ari/applications')).json, []);
	// The largest sequence number there can be is taken.
	const ws = await srv.events('x', { query: 'since=9223372036854775807' });
	ws.close();
});

// res_ari reads at most 127 values of a list parameter: more is a 400
// (it was a 500, as for an invalid name).
serverTest('an_events_socket_for_more_than_127_apps_is_a_400', async (srv) => {
	const names = (n) => Array.from({ length: n }, (_, i) => `a${i}`);
	const ws = await srv.events(names(127));
	ws.close();
	for (const n of [128, 200])
		await assert.rejects(srv.events(names(n)), (e) => e.status === 400,
			`${n} apps`);
});

serverTest('a_call_survives_a_dropped_socket_and_the_app_gets_every_event_once_after_reconnecting',
	{ ...withGrace({ reconnect_grace: 10 }, { 'pjsip.conf': pjsipConf({ alice: { match: '127.0.0.1' } }) }) },
	async (srv) => {
		const ws1 = await srv.events('sipapp');
		// SIPp answers, then sends RFC 4733 digits 1, 2, # 0.5, 1.2 and 1.9 s
		// after its ACK, then hangs up 6 s later.
		const sipp = await spawnSipp({ scenario: 'uac_dtmf', remote: srv, service: '100', duration: 6000,
			keys: { from_user: 'alice' } });
		await withSipp(sipp, async () => {
			const { channel } = await ws1.waitFor('StasisStart');
			const id = channel.id;
			assert.equal((await srv.post(`/ari/channels/${enc(id)}/answer`)).status, 204);
			assert.equal((await srv.post(`/ari/channels/${enc(id)}/play/pb1?media=${enc('sound:hello-world')}`)).status, 200);
			await ws1.waitFor('PlaybackStarted');
			const seen = last(ws1).sequence;
			await kill(ws1);
			// While no socket is connected: the digits, the end of the
			// playback, and a variable set by another client.
			await sleep(500);
			assert.equal((await srv.post(`/ari/channels/${enc(id)}/variable?variable=WHILE_AWAY&value=1`)).status, 204);
			await sleep(1500);
			// Still in the app: the channel can be seen and controlled.
			assert.equal((await srv.get(`/ari/channels/${enc(id)}`)).status, 200);
			await srv.waitForLog(/Stasis app 'sipapp' lost its socket: keeping its channels and events/);
			const ws2 = await srv.events('sipapp', { query: `since=${seen}` });
			await ws2.waitFor((e) => e.type === 'ChannelDtmfReceived' && e.digit === '#', 5000 * SLOW);
			assert.equal(ws2.filter('EventsLost').length, 0, 'nothing was lost: ' + ws2.summary());
			// Both sockets together: 1..N, each once, in order.
			const all = [...ws1.events, ...ws2.events];
			assertConsecutive(seqs(all), 'events across the reconnect');
			assert.equal(all[0].sequence, 1);
			assert.deepEqual(ws2.filter('ChannelDtmfReceived').map((e) => e.digit), ['1', '2', '#']);
			assert.equal(ws2.filter((e) => e.type === 'ChannelVarset' && e.variable === 'WHILE_AWAY').length, 1);
			assert.equal(all.filter((e) => e.type === 'PlaybackFinished').length, 1);
			assert.equal(ws2.filter('StasisStart').length, 0, 'the channel did not re-enter the app');
			// The app controls the call through the new socket.
			const from = ws2.events.length;
			assert.equal((await srv.post(`/ari/channels/${enc(id)}/play/pb2?media=${enc('sound:hello-world')}`)).status, 200);
			await ws2.waitFor('PlaybackStarted', undefined, { from });
			assert.equal((await srv.del(`/ari/channels/${enc(id)}`)).status, 204);
			const end = await ws2.waitFor('StasisEnd', undefined, { from });
			assert.equal(end.channel.id, id);
			assertConsecutive(seqs([...ws1.events, ...ws2.events]), 'after the reconnect');
			await sipp.done;
		});
	});

/** An app's socket gets events e0..e2 (sequences 1..3), then breaks. */
async function sawThreeThenLost(srv, app) {
	const ws = await srv.events(app);
	for (let i = 0; i < 3; i++) await userEvent(srv, app, `e${i}`);
	await ws.waitFor((e) => e.eventname === 'e2');
	await kill(ws);
}

serverTest('events_in_flight_when_the_socket_broke_come_again_with_since', withGrace({ reconnect_grace: 5 }),
	async (srv) => {
		await sawThreeThenLost(srv, 'fl');
		for (let i = 3; i < 6; i++) assert.equal((await userEvent(srv, 'fl', `e${i}`)).status, 204);
		// The client says it saw only the first event: 2..6 come again.
		const ws2 = await srv.events('fl', { query: 'since=1' });
		await ws2.waitFor((e) => e.eventname === 'e5');
		assert.deepEqual(seqs(ws2.events), [2, 3, 4, 5, 6]);
		assert.deepEqual(ws2.events.map((e) => e.eventname), ['e1', 'e2', 'e3', 'e4', 'e5']);
		// Then live ones.
		await userEvent(srv, 'fl', 'live');
		const live = await ws2.waitFor((e) => e.eventname === 'live');
		assert.equal(live.sequence, 7);
	});

serverTest('since_older_than_the_buffer_gets_EventsLost_then_what_is_kept',
	withGrace({ reconnect_grace: 5, reconnect_buffer: 5 }), async (srv) => {
		await sawThreeThenLost(srv, 'small');
		for (let i = 3; i < 13; i++) await userEvent(srv, 'small', `e${i}`);
		const ws2 = await srv.events('small', { query: 'since=3' });
		await ws2.waitFor((e) => e.eventname === 'e12');
		const lost = ws2.events[0];
		assert.equal(lost.type, 'EventsLost', ws2.summary());
		assert.equal(lost.since, 3);
		assert.equal(lost.first_available_sequence, 9);
		assert.equal(lost.application, 'small');
		assert.ok(lost.timestamp);
		assert.deepEqual(seqs(ws2.events.slice(1)), [9, 10, 11, 12, 13]);
	});

serverTest('without_grace_the_app_goes_at_once_and_since_gets_EventsLost_not_a_silent_gap', async (srv) => {
	await sawThreeThenLost(srv, 'nog');
	// Asterisk's behaviour: no socket, no app.
	for (let i = 0; i < 50 && (await srv.get('/ari/applications')).json.length; i++) await sleep(20);
	assert.deepEqual((await srv.get('/ari/applications')).json, []);
	assert.equal((await userEvent(srv, 'nog', 'away')).status, 404);
	const ws2 = await srv.events('nog', { query: 'since=3' });
	const lost = await ws2.waitFor('EventsLost');
	assert.equal(lost.since, 3);
	assert.equal(lost.first_available_sequence, 4);
	await userEvent(srv, 'nog', 'after');
	assert.equal((await ws2.waitFor((e) => e.eventname === 'after')).sequence, 4);
});

serverTest('a_grace_that_runs_out_deactivates_the_app_and_a_later_since_is_told', withGrace({ reconnect_grace: 0.3 }),
	async (srv) => {
		const ws1 = await srv.events('short');
		await userEvent(srv, 'short', 'e0');
		await ws1.waitFor('ChannelUserevent');
		await kill(ws1);
		await srv.waitForLog(/Stasis app 'short' did not reconnect within 300 ms/);
		const ws2 = await srv.events('short', { query: 'since=1' });
		const lost = await ws2.waitFor('EventsLost');
		assert.equal(lost.first_available_sequence, 2);
	});

serverTest('a_deactivated_apps_log_goes_after_reconnect_retain', withGrace({ reconnect_retain: 1 }),
	async (srv) => {
		// Apps named anew per session must not hold memory for ever: once an
		// app has been gone for reconnect_retain, its kept events go too.
		await sawThreeThenLost(srv, 'gone');
		for (let i = 0; i < 50 && (await srv.get('/ari/applications')).json.length; i++) await sleep(20);
		// Within the time the log is still there: since=1 is told only of
		// what came after the app went (nothing), and numbering goes on.
		let ws2 = await srv.events('gone', { query: 'since=1' });
		await sleep(200);
		assert.equal(ws2.filter('EventsLost').length, 1, ws2.summary());
		assert.equal(ws2.events[0].first_available_sequence, 2);
		await kill(ws2);
		// After it (1 s, swept every second): the log is gone, so a later
		// since is told everything may be lost, and numbers start again.
		await sleep(2500 * SLOW);
		ws2 = await srv.events('gone', { query: 'since=3' });
		const lost = await ws2.waitFor('EventsLost');
		assert.equal(lost.first_available_sequence, 1, JSON.stringify(lost));
		await userEvent(srv, 'gone', 'again');
		assert.equal((await ws2.waitFor((e) => e.eventname === 'again')).sequence, 1);
	});

serverTest('a_since_this_process_never_gave_gets_EventsLost', async (srv) => {
	// A client that saw 500 events from a server before it restarted.
	const ws = await srv.events('fresh', { query: 'since=500' });
	const lost = await ws.waitFor('EventsLost');
	assert.equal(lost.since, 500);
	assert.equal(lost.first_available_sequence, 1);
	await userEvent(srv, 'fresh', 'first');
	assert.equal((await ws.waitFor('ChannelUserevent')).sequence, 1);
});

serverTest('a_second_socket_without_since_still_replaces_the_first_as_in_asterisk', withGrace({ reconnect_grace: 5 }),
	async (srv) => {
		const ws1 = await srv.events('rep');
		const ws2 = await srv.events('rep');
		const replaced = await ws1.waitFor('ApplicationReplaced');
		assert.equal(replaced.sequence, undefined, 'ApplicationReplaced is about the socket, not numbered');
		await userEvent(srv, 'rep', 'x');
		assert.equal((await ws2.waitFor('ChannelUserevent')).sequence, 1);
		assert.equal(ws1.filter('ChannelUserevent').length, 0);
	});

serverTest('bad_reconnect_settings_are_logged_and_replaced_by_defaults',
	withGrace({ reconnect_grace: 'soon', reconnect_buffer: '-4', reconnect_retain: 'x' }), async (srv) => {
		await srv.waitForLog(/reconnect_grace 'soon' is not a number of seconds from 0 to 3600; using 0/);
		await srv.waitForLog(/reconnect_buffer '-4' is not a number of events from 0 to 1000000; using 1000/);
		await srv.waitForLog(/reconnect_retain 'x' is not a number of seconds from 0 to 86400; using 300/);
		const ws = await srv.events('def');
		await userEvent(srv, 'def', 'x');
		assert.equal((await ws.waitFor('ChannelUserevent')).sequence, 1);
	});
