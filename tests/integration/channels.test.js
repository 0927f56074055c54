'use strict';
// /channels operations: originate (all parameters), create, answer, ring,
// variables, hangup causes, and their error codes.
const assert = require('node:assert/strict');
const { serverTest, eventLog, sleep } = require('./lib/server');

const enc = encodeURIComponent;
const EXT = `
; _X. needs at least two digits: tests dial 11, 12, 13
[answer]
exten => _X.,1,Answer()
 same => n,Wait(20)

[noanswer]
exten => _X.,1,Wait(20)

[target]
exten => 200,1,Stasis(chapp,prio1)
 same => n,Stasis(chapp,prio2)
 same => n(lbl),Stasis(chapp,label)
`;
const files = { 'extensions.conf': EXT };

function assertError(r, status) {
	assert.equal(r.status, status, `expected ${status}: ${r.status} ${r.body}`);
	assert.equal(typeof (r.json && r.json.message), 'string', `{"message":...} body: ${r.body}`);
}

/** Originate Local/1@stasis-chapp; resolve {ch1, s2} with s2 = StasisStart of ;2. */
async function localIntoApp(srv, ws, params = {}) {
	const ch1 = await srv.originate(Object.assign({ endpoint: 'Local/1@stasis-chapp', app: 'chwatch' }, params));
	const s2 = await ws.waitFor((e) => e.type === 'StasisStart' && e.application === 'chapp' &&
		e.channel.name.startsWith(ch1.name.slice(0, -2)));
	return { ch1, s2 };
}

serverTest('answer_puts_a_ringing_stasis_channel_up', { files }, async (srv) => {
	const ws = await srv.events(['chapp', 'chwatch']);
	const { ch1, s2 } = await localIntoApp(srv, ws);
	assert.equal(s2.channel.state, 'Ring');
	let r = await srv.post(`/ari/channels/${enc(ch1.id)}/answer`);
	assertError(r, 409); // the ;1 half is not in Stasis yet
	// The app that originated the pair watches ;2 too: what the answer
	// caused comes after the events of ;2 seen so far.
	const from = ws.events.length;
	r = await srv.post(`/ari/channels/${enc(s2.channel.id)}/answer`);
	assert.equal(r.status, 204, r.body);
	const sc = await ws.waitFor((e) => e.type === 'ChannelStateChange' && e.channel.id === s2.channel.id,
		undefined, { from });
	assert.equal(sc.channel.state, 'Up');
	assert.equal((await srv.get(`/ari/channels/${enc(s2.channel.id)}`)).json.state, 'Up');
	// Answer propagates to the Local partner, which then runs Stasis(chwatch).
	const s1 = await ws.waitFor((e) => e.type === 'StasisStart' && e.channel.id === ch1.id);
	assert.equal(s1.application, 'chwatch');
	assert.equal(s1.channel.state, 'Up');
	assert.equal(s1.channel.dialplan.app_name, 'Stasis');
	assert.match(s1.channel.dialplan.app_data, /^chwatch/);
	r = await srv.post(`/ari/channels/${enc(s2.channel.id)}/answer`);
	assert.equal(r.status, 204, 'answering an Up channel is harmless');
	assertError(await srv.post('/ari/channels/nosuch/answer'), 404);
});

serverTest('ring_and_ring_stop_on_a_stasis_channel', { files }, async (srv) => {
	const ws = await srv.events(['chapp']);
	const { ch1, s2 } = await localIntoApp(srv, ws);
	assert.equal((await srv.post(`/ari/channels/${enc(s2.channel.id)}/ring`)).status, 204);
	assert.equal((await srv.del(`/ari/channels/${enc(s2.channel.id)}/ring`)).status, 204);
	assertError(await srv.post('/ari/channels/nosuch/ring'), 404);
	assertError(await srv.del('/ari/channels/nosuch/ring'), 404);
	assertError(await srv.post(`/ari/channels/${enc(ch1.id)}/ring`), 409);
});

serverTest('channel_variables_set_and_get', { files }, async (srv) => {
	const ws = await srv.events(['chapp']);
	const { ch1, s2 } = await localIntoApp(srv, ws);
	const id = enc(s2.channel.id);
	let r = await srv.post(`/ari/channels/${id}/variable?variable=FOO&value=${enc('bar baz')}`);
	assert.equal(r.status, 204, r.body);
	const vs = await ws.waitFor((e) => e.type === 'ChannelVarset' && e.variable === 'FOO');
	assert.equal(vs.value, 'bar baz');
	assert.equal(vs.channel.id, s2.channel.id);
	r = await srv.get(`/ari/channels/${id}/variable?variable=FOO`);
	assert.equal(r.status, 200);
	assert.deepEqual(r.json, { value: 'bar baz' });
	r = await srv.post(`/ari/channels/${id}/variable`, { body: { variable: 'JSONVAR', value: 'j' } });
	assert.equal(r.status, 204, r.body);
	assert.equal((await srv.get(`/ari/channels/${id}/variable?variable=JSONVAR`)).json.value, 'j');
	r = await srv.post(`/ari/channels/${id}/variable?variable=EMPTY`);
	assert.equal(r.status, 204, 'value may be absent');
	assertError(await srv.get(`/ari/channels/${id}/variable?variable=NEVERSET`), 404);
	assertError(await srv.get(`/ari/channels/${id}/variable`), 400);
	assertError(await srv.post(`/ari/channels/${id}/variable?value=x`), 400);
	assertError(await srv.get('/ari/channels/nosuch/variable?variable=FOO'), 404);
	assertError(await srv.post('/ari/channels/nosuch/variable?variable=FOO&value=1'), 404);
	// Outside the app a channel's variables may be read, as Asterisk's
	// getChannelVar (a lookup by name, no Stasis check), not set.
	assertError(await srv.get(`/ari/channels/${enc(ch1.id)}/variable?variable=FOO`), 404);
	r = await srv.get(`/ari/channels/${enc(ch1.id)}/variable?variable=${enc('CHANNEL(name)')}`);
	assert.equal(r.status, 200, r.body);
	assert.deepEqual(r.json, { value: ch1.name });
	assertError(await srv.post(`/ari/channels/${enc(ch1.id)}/variable?variable=FOO&value=1`), 409);
	assertError(await srv.get(`/ari/channels/${enc(ch1.id)}/variables?variables=FOO`), 404);
});

serverTest('channelvars_of_ari_conf_and_report_events_variables_show_in_every_event', {
	files: { ...files, 'ari.conf': '[general]\nenabled = yes\nchannelvars = FOO, CALLERID(num)\n' +
		'[asterisk]\ntype = user\npassword = asterisk\n' },
}, async (srv) => {
	const ws = await srv.events(['chapp']);
	// A new channel shows ari.conf's names at once, unset ones as "".
	const { s2 } = await localIntoApp(srv, ws, {});
	assert.deepEqual(s2.channel.channelvars, { FOO: '', 'CALLERID(num)': '' }, JSON.stringify(s2.channel));
	const id = enc(s2.channel.id);
	// ari.conf's names: in every later event, set or not.
	let r = await srv.post(`/ari/channels/${id}/variable?variable=FOO&value=1`);
	assert.equal(r.status, 204, r.body);
	let ev = await ws.waitFor((e) => e.type === 'ChannelVarset' && e.variable === 'FOO');
	assert.equal(ev.channel.channelvars.FOO, '1');
	// report_events=true adds a name for this channel only.
	r = await srv.post(`/ari/channels/${id}/variable?variable=MINE&value=x&report_events=true`);
	assert.equal(r.status, 204, r.body);
	ev = await ws.waitFor((e) => e.type === 'ChannelVarset' && e.variable === 'MINE');
	assert.deepEqual(ev.channel.channelvars, { FOO: '1', 'CALLERID(num)': '', MINE: 'x' });
	// ... and so does {"value", "report_events": true} in a body.
	r = await srv.post(`/ari/channels/${id}/variables`,
		{ body: { variables: { OTHER: { value: 'o', report_events: true }, QUIET: 'q' } } });
	assert.equal(r.status, 204, r.body);
	ev = await ws.waitFor((e) => e.type === 'ChannelVarset' && e.variable === 'QUIET');
	assert.deepEqual(ev.channel.channelvars, { FOO: '1', 'CALLERID(num)': '', MINE: 'x', OTHER: 'o' });
	// GET of the channel shows them too.
	assert.equal((await srv.get(`/ari/channels/${id}`)).json.channelvars.OTHER, 'o');
	await srv.del(`/ari/channels/${id}`);
});

serverTest('without_channelvars_a_channel_has_no_channelvars_key', { files }, async (srv) => {
	const ws = await srv.events(['chapp']);
	const { s2 } = await localIntoApp(srv, ws);
	assert.equal('channelvars' in s2.channel, false);
	await srv.del(`/ari/channels/${enc(s2.channel.id)}`);
});

serverTest('originate_to_extension_context_and_priority_or_label', { files }, async (srv) => {
	const ws = await srv.events(['chapp']);
	const ch1 = await srv.originate({ endpoint: 'Local/11@answer', context: 'target', extension: '200', priority: '2' });
	assert.match(ch1.name, /^Local\/11@answer-[0-9a-f]{8};1$/);
	const s = await ws.waitFor((e) => e.type === 'StasisStart' && e.channel.id === ch1.id);
	assert.deepEqual(s.args, ['prio2']);
	assert.deepEqual(s.channel.dialplan, { context: 'target', exten: '200', priority: 2, app_name: 'Stasis', app_data: 'chapp,prio2' });
	const ch2 = await srv.originate({ endpoint: 'Local/12@answer', context: 'target', extension: '200', label: 'lbl' });
	const s2 = await ws.waitFor((e) => e.type === 'StasisStart' && e.channel.id === ch2.id);
	assert.deepEqual(s2.args, ['label']);
	const ch3 = await srv.originate({ endpoint: 'Local/13@answer', context: 'target', extension: '200' });
	const s3 = await ws.waitFor((e) => e.type === 'StasisStart' && e.channel.id === ch3.id);
	assert.deepEqual(s3.args, ['prio1'], 'priority defaults to 1');
});

serverTest('originate_with_app_args_caller_id_and_variables_through_ari_client', { files }, async (srv) => {
	const client = await srv.ari();
	const log = eventLog(client);
	await client.start(['chapp']);
	const ch = await client.channels.originate({
		endpoint: 'Local/11@answer', app: 'chapp', appArgs: 'first,second',
		callerId: '"Alice Example" <5551000>', variables: { FOO: 'from body', BAR: '2' },
	});
	assert.equal(ch.caller.name, 'Alice Example');
	assert.equal(ch.caller.number, '5551000');
	const s = await log.waitFor((e) => e.type === 'StasisStart' && e.channel.id === ch.id);
	assert.deepEqual(s.args, ['first', 'second']);
	assert.equal(s.channel.state, 'Up', 'originate with app enters Stasis on answer');
	assert.equal(s.channel.dialplan.app_name, 'Stasis');
	assert.equal(s.channel.dialplan.app_data, 'chapp,first,second');
	const v = await client.channels.getChannelVar({ channelId: ch.id, variable: 'FOO' });
	assert.equal(v.value, 'from body');
	const b = await client.channels.getChannelVar({ channelId: ch.id, variable: 'BAR' });
	assert.equal(b.value, '2');
});

serverTest('originate_with_channel_ids_and_duplicate_ids_are_409', { files }, async (srv) => {
	const ws = await srv.events(['chapp']);
	const { ch1, s2 } = await localIntoApp(srv, ws, { channelId: 'my-one', otherChannelId: 'my-two' });
	assert.equal(ch1.id, 'my-one');
	assert.equal(s2.channel.id, 'my-two');
	assert.equal((await srv.get('/ari/channels/my-two')).json.id, 'my-two');
	const dup = (q) => srv.post('/ari/channels?' + new URLSearchParams(Object.assign({ endpoint: 'Local/1@stasis-chapp', app: 'chwatch' }, q)));
	assertError(await dup({ channelId: 'my-one' }), 409);
	assertError(await dup({ channelId: 'fresh-1', otherChannelId: 'my-two' }), 409);
	assertError(await dup({ channelId: 'my-two' }), 409);
	assertError(await srv.post('/ari/channels/my-one?endpoint=' + enc('Local/1@stasis-chapp') + '&app=chwatch'), 409);
	const withId = await srv.post('/ari/channels/with-id-1?endpoint=' + enc('Local/1@stasis-chapp') + '&app=chwatch');
	assert.equal(withId.status, 200, withId.body);
	assert.equal(withId.json.id, 'with-id-1');
	await ws.waitFor((e) => e.type === 'StasisStart' && e.channel.name.startsWith(withId.json.name.slice(0, -2)));
});

serverTest('originate_timeout_gives_up_on_an_unanswered_call', { files }, async (srv) => {
	const spy = await srv.events(['spy'], { subscribeAll: true });
	const t0 = Date.now();
	const ch = await srv.originate({ endpoint: 'Local/11@noanswer', app: 'chapp', timeout: '1' });
	const d = await spy.waitFor((e) => e.type === 'ChannelDestroyed' && e.channel.id === ch.id);
	const took = Date.now() - t0;
	assert.ok(took >= 900 && took < 4000, `timeout=1 hung up after ${took} ms`);
	assert.equal(typeof d.cause, 'number');
	await srv.waitChannelGone(ch.id);
	const list = (await srv.get('/ari/channels')).json;
	assert.deepEqual(list, [], 'the Local partner went too');
});

serverTest('originate_parameter_errors_are_400', { files }, async (srv) => {
	assertError(await srv.post('/ari/channels?app=chapp'), 400);
	assertError(await srv.post('/ari/channels?endpoint=nonsense&app=chapp'), 400);
	assertError(await srv.post('/ari/channels?endpoint=' + enc('Local/11@answer')), 400);
	assertError(await srv.post('/ari/channels/create?endpoint=' + enc('Local/11@answer')), 400);
	assertError(await srv.post('/ari/channels/create?app=chapp'), 400);
	assertError(await srv.post('/ari/channels?endpoint=' + enc('Local/11@answer') + '&app=chapp',
		{ body: '{"variables": {', headers: { 'Content-Type': 'application/json' } }), 400);
	assert.deepEqual((await srv.get('/ari/channels')).json, []);
});

serverTest('create_puts_a_down_channel_in_stasis_at_once', { files }, async (srv) => {
	const ws = await srv.events(['chapp', 'chapp2']);
	const r = await srv.post('/ari/channels/create?endpoint=' + enc('Local/11@answer') + '&app=chapp&appArgs=x,y&channelId=created-1');
	assert.equal(r.status, 200, r.body);
	assert.equal(r.json.id, 'created-1');
	assert.equal(r.json.state, 'Down');
	const s = await ws.waitFor((e) => e.type === 'StasisStart' && e.channel.id === 'created-1');
	assert.deepEqual(s.args, ['x', 'y']);
	assert.equal(s.application, 'chapp');
	assertError(await srv.post('/ari/channels/created-1/answer'), 412);
	assertError(await srv.post('/ari/channels/created-1/ring'), 412);
	assertError(await srv.post('/ari/channels/created-1/continue'), 412);
	const again = await srv.post('/ari/channels/create?endpoint=' + enc('Local/11@answer') + '&app=chapp&channelId=created-1');
	assertError(again, 409);
	// move has no state check.
	assert.equal((await srv.post('/ari/channels/created-1/move?app=chapp2')).status, 204);
	const moved = await ws.waitFor((e) => e.type === 'StasisStart' && e.application === 'chapp2');
	assert.equal(moved.channel.id, 'created-1');
	assert.equal((await srv.del('/ari/channels/created-1')).status, 204);
	await srv.waitChannelGone('created-1');
});

serverTest('hangup_reasons_map_to_q850_causes', { files }, async (srv) => {
	const ws = await srv.events(['chapp']);
	const cases = [
		['', 16, 'Normal Clearing'],
		['reason=congestion', 34, null],
		['reason=no_answer', 19, null],
		['reason_code=21', 21, null],
	];
	for (const [q, cause, txt] of cases) {
		const { s2 } = await localIntoApp(srv, ws);
		const r = await srv.del(`/ari/channels/${enc(s2.channel.id)}${q ? '?' + q : ''}`);
		assert.equal(r.status, 204, `${q}: ${r.body}`);
		const d = await ws.waitFor((e) => e.type === 'ChannelDestroyed' && e.channel.id === s2.channel.id);
		assert.equal(d.cause, cause, q);
		if (txt) assert.equal(d.cause_txt, txt);
		assert.equal(typeof d.cause_txt, 'string');
	}
	const { s2 } = await localIntoApp(srv, ws);
	assertError(await srv.del(`/ari/channels/${enc(s2.channel.id)}?reason=bogus`), 400);
	assert.equal((await srv.get(`/ari/channels/${enc(s2.channel.id)}`)).status, 200, 'a refused hangup leaves the channel');
	assertError(await srv.del('/ari/channels/nosuch'), 404);
});

serverTest('hangup_of_a_channel_outside_stasis_is_allowed', { files }, async (srv) => {
	const ws = await srv.events(['chapp']);
	const { ch1, s2 } = await localIntoApp(srv, ws);
	assert.equal((await srv.del(`/ari/channels/${enc(ch1.id)}`)).status, 204);
	const end = await ws.waitFor((e) => e.type === 'StasisEnd' && e.channel.id === s2.channel.id);
	assert.equal(end.application, 'chapp');
	await srv.waitChannelGone(s2.channel.id);
});

serverTest('continue_errors_404_409_and_bad_label', { files }, async (srv) => {
	const ws = await srv.events(['chapp', 'chwatch']);
	const { ch1, s2 } = await localIntoApp(srv, ws);
	assertError(await srv.post('/ari/channels/nosuch/continue'), 404);
	assertError(await srv.post(`/ari/channels/${enc(ch1.id)}/continue`), 409);
	await srv.post(`/ari/channels/${enc(s2.channel.id)}/answer`);
	assertError(await srv.post(`/ari/channels/${enc(s2.channel.id)}/continue?context=target&extension=200&label=nolabel`), 404);
	assert.equal((await srv.get(`/ari/channels/${enc(s2.channel.id)}`)).status, 200);
	await ws.expectNone((e) => e.type === 'StasisEnd' && e.channel.id === s2.channel.id, 200,
		'a refused continue keeps the channel in Stasis');
});

serverTest('channel_list_and_get_return_channel_models', { files }, async (srv) => {
	const ws = await srv.events(['chapp']);
	const { ch1, s2 } = await localIntoApp(srv, ws);
	const list = (await srv.get('/ari/channels')).json;
	assert.equal(list.length, 2);
	const byId = Object.fromEntries(list.map((c) => [c.id, c]));
	assert.ok(byId[ch1.id] && byId[s2.channel.id]);
	const got = (await srv.get(`/ari/channels/${enc(s2.channel.id)}`)).json;
	assert.equal(got.name, s2.channel.name);
	assert.equal(got.dialplan.context, 'stasis-chapp');
	assert.equal(got.dialplan.exten, '1');
	assert.match(got.id, /^[\w.-]+$/);
	assertError(await srv.get('/ari/channels/nosuch'), 404);
	await sleep(10);
});

serverTest('originate_with_app_reports_dial_progress_before_StasisStart', { files }, async (srv) => {
	const ws = await srv.events(['chapp']);
	const ch = await srv.originate({ endpoint: 'Local/11@answer', app: 'chapp' });
	const s = await ws.waitFor((e) => e.type === 'StasisStart' && e.channel.id === ch.id);
	const dials = ws.filter((e) => e.type === 'Dial' && e.peer && e.peer.id === ch.id);
	assert.ok(dials.length >= 2, `Dial events: ${ws.summary()}`);
	assert.equal(dials[0].dialstatus, '', 'first Dial has an empty dialstatus');
	assert.equal(dials[0].dialstring, '11@answer');
	assert.equal(dials[dials.length - 1].dialstatus, 'ANSWER');
	assert.ok(ws.indexOf(dials[dials.length - 1]) < ws.indexOf(s), 'Dial ANSWER before StasisStart');
});

serverTest('progress_moves_the_local_partner_on_and_412s_on_a_ringing_channel', { files }, async (srv) => {
	const ws = await srv.events(['chapp', 'chwatch']);
	const { ch1, s2 } = await localIntoApp(srv, ws);
	let r = await srv.post(`/ari/channels/${enc(s2.channel.id)}/progress`);
	assert.equal(r.status, 204, r.body);
	assertError(await srv.post(`/ari/channels/${enc(ch1.id)}/progress`), 409);
	assertError(await srv.post('/ari/channels/nosuch/progress'), 404);
	// ring makes the ;1 half Ringing; a Ringing channel in Stasis gets 412.
	r = await srv.post(`/ari/channels/${enc(s2.channel.id)}/ring`);
	assert.equal(r.status, 204, r.body);
	await ws.waitFor((e) => e.type === 'ChannelStateChange' && e.channel.id === ch1.id &&
		e.channel.state === 'Ringing');
});

serverTest('variables_get_and_set_several_at_once', { files }, async (srv) => {
	const ws = await srv.events(['chapp', 'chwatch']);
	const { s2 } = await localIntoApp(srv, ws);
	const id = enc(s2.channel.id);
	let r = await srv.post(`/ari/channels/${id}/variables`,
		{ body: { variables: { ALPHA: 'a', BETA: { value: 'b' } } } });
	assert.equal(r.status, 204, r.body);
	r = await srv.get(`/ari/channels/${id}/variables?variables=ALPHA,BETA`);
	assert.equal(r.status, 200, r.body);
	assert.deepEqual(r.json, { variables: { ALPHA: 'a', BETA: 'b' } });
	assertError(await srv.get(`/ari/channels/${id}/variables?variables=ALPHA,NOPE`), 404);
	assertError(await srv.get(`/ari/channels/${id}/variables`), 400);
	assertError(await srv.post(`/ari/channels/${id}/variables`, { body: {} }), 400);
	assertError(await srv.post(`/ari/channels/${id}/variables`, { body: { variables: { X: 5 } } }), 400);
	assertError(await srv.get('/ari/channels/nosuch/variables?variables=A'), 404);
});

serverTest('mute_and_unmute_check_direction_and_channel', { files }, async (srv) => {
	const ws = await srv.events(['chapp', 'chwatch']);
	const { s2 } = await localIntoApp(srv, ws);
	const id = enc(s2.channel.id);
	assert.equal((await srv.post(`/ari/channels/${id}/answer`)).status, 204);
	for (const dir of ['', '?direction=in', '?direction=out', '?direction=both']) {
		let r = await srv.post(`/ari/channels/${id}/mute${dir}`);
		assert.equal(r.status, 204, `mute${dir}: ${r.body}`);
		r = await srv.request({ method: 'DELETE', path: `/ari/channels/${id}/mute${dir}` });
		assert.equal(r.status, 204, `unmute${dir}: ${r.body}`);
	}
	assertError(await srv.post(`/ari/channels/${id}/mute?direction=sideways`), 400);
	assertError(await srv.post('/ari/channels/nosuch/mute'), 404);
});
