'use strict';
// The seed scenario of issue 2, steps 2–8, driven by the unchanged npm
// ari-client 2.2.0 exactly as an application would use it.
const assert = require('node:assert/strict');
const { serverTest, eventLog, sleep, TIMESTAMP_RE, ASTERISK_ID_RE } = require('./lib/server');

const LOCAL2_RE = /^Local\/100@stasis-ari-example1-[0-9a-f]{8};2$/;
const LOCAL1_RE = /^Local\/100@stasis-ari-example1-[0-9a-f]{8};1$/;

const EXTENSIONS = `
[after-continue]
exten => s,1,Set(CONTINUED=yes)
 same => n,Stasis(ari-example1,back)

[cont]
exten => 200,1,Stasis(ari-example1)
 same => n,Set(X=1)
 same => n,Stasis(ari-example2,again,\${STASISSTATUS})
`;

async function dialplanShow(srv, context, re, timeoutMs = 2000) {
	const deadline = Date.now() + timeoutMs;
	let out;
	do {
		out = await srv.cli(`dialplan show ${context}`);
		if (re.test(out.stdout)) return out;
		await sleep(100);
	} while (Date.now() < deadline);
	return out;
}

function errorBody(err) {
	try { return JSON.parse(err.message); } catch { return null; }
}

serverTest('seed_scenario_steps_2_to_8_with_ari_client', { files: { 'extensions.conf': EXTENSIONS } }, async (srv) => {
	// Step 2: connect (api-docs) and register both apps on one socket.
	const client = await srv.ari('asterisk', 'asterisk');
	const log = eventLog(client);
	await client.start(['ari-example1', 'ari-example2']);

	// Step 3: automatic context, in Asterisk's format.
	const show = await dialplanShow(srv, 'stasis-ari-example1', /Stasis\(ari-example1\)/);
	assert.equal(show.code, 0, show.stderr);
	assert.match(show.stdout, /'_\.'\s+=>\s+1\.\s+Stasis\(ari-example1\)/);
	assert.match(show.stdout, /'h'\s+=>\s+1\.\s+NoOp\(\)/);
	const show2 = await dialplanShow(srv, 'stasis-ari-example2', /Stasis\(ari-example2\)/);
	assert.match(show2.stdout, /'_\.'\s+=>\s+1\.\s+Stasis\(ari-example2\)/);

	// Step 4: originate returns the ;1 half; the ;2 half enters ari-example1.
	const ch1 = await client.channels.originate({ endpoint: 'Local/100@stasis-ari-example1', app: 'ari-watch' });
	assert.match(ch1.name, LOCAL1_RE);
	assert.equal(typeof ch1.id, 'string');
	const start1 = await log.waitFor((e) => e.type === 'StasisStart' && e.application === 'ari-example1');
	assert.deepEqual(start1.args, []);
	assert.match(start1.channel.name, LOCAL2_RE);
	assert.equal(start1.channel.name.slice(0, -2), ch1.name.slice(0, -2), 'both halves share one name stem');
	assert.deepEqual(start1.channel.dialplan, {
		context: 'stasis-ari-example1', exten: '100', priority: 1, app_name: 'Stasis', app_data: 'ari-example1',
	});
	assert.match(start1.timestamp, TIMESTAMP_RE);
	assert.match(start1.asterisk_id, ASTERISK_ID_RE);
	const id2 = start1.channel.id;
	assert.notEqual(id2, ch1.id);

	// Step 5: list and get.
	const list = await client.channels.list();
	assert.deepEqual(list.map((c) => c.id).sort(), [ch1.id, id2].sort());
	const got = await client.channels.get({ channelId: id2 });
	assert.equal(got.id, id2);
	assert.match(got.name, LOCAL2_RE);

	// Step 5: move with args; StasisEnd strictly before StasisStart (one socket).
	const mark = log.events.length;
	await client.channels.move({ channelId: id2, app: 'ari-example2', appArgs: 'some,example,args' });
	const end1 = await log.waitFor((e) => e.type === 'StasisEnd' && e.channel.id === id2, undefined, { from: mark });
	const start2 = await log.waitFor((e) => e.type === 'StasisStart' && e.channel.id === id2, undefined, { from: mark });
	assert.equal(end1.application, 'ari-example1');
	assert.equal(start2.application, 'ari-example2');
	assert.ok(log.indexOf(end1) < log.indexOf(start2), `StasisEnd must precede StasisStart: ${log.summary()}`);
	assert.deepEqual(start2.args, ['some', 'example', 'args']);
	const app2 = (await srv.get('/ari/applications/ari-example2')).json;
	assert.ok(app2.channel_ids.includes(id2), `ari-example2 owns the channel: ${JSON.stringify(app2)}`);

	// Step 6: move to an app nobody registered.
	const mark2 = log.events.length;
	await client.channels.move({ channelId: id2, app: 'nobody-home', appArgs: 'x,y' });
	const failed = await log.waitFor('ApplicationMoveFailed', undefined, { from: mark2 });
	assert.equal(failed.application, 'ari-example2');
	assert.equal(failed.channel.id, id2);
	assert.equal(failed.destination, 'nobody-home');
	assert.deepEqual(failed.args, ['x', 'y']);
	await log.expectNone((e, i) => log.indexOf(e) >= mark2 && ['StasisEnd', 'StasisStart'].includes(e.type), 300,
		'a failed move must leave the channel where it is');
	assert.equal((await srv.get(`/ari/channels/${id2}`)).status, 200);

	// Step 6: error codes, through ari-client and raw HTTP.
	await assert.rejects(client.channels.move({ channelId: 'no-such-channel', app: 'ari-example1' }),
		(e) => typeof errorBody(e)?.message === 'string');
	let r = await srv.post('/ari/channels/no-such-channel/move?app=ari-example1');
	assert.equal(r.status, 404);
	assert.equal(typeof r.json.message, 'string');
	r = await srv.post(`/ari/channels/${encodeURIComponent(ch1.id)}/move?app=ari-example1`);
	assert.equal(r.status, 409, `the ;1 half is not in Stasis: ${r.body}`);
	assert.equal(typeof r.json.message, 'string');
	r = await srv.post(`/ari/channels/${encodeURIComponent(id2)}/move`);
	assert.equal(r.status, 400, r.body);
	assert.equal(typeof r.json.message, 'string');

	// Step 7: continue to a dialplan location; the dialplan runs on.
	const mark3 = log.events.length;
	await client.channels.continueInDialplan({ channelId: id2, context: 'after-continue', extension: 's', priority: 1 });
	const end2 = await log.waitFor((e) => e.type === 'StasisEnd' && e.channel.id === id2, undefined, { from: mark3 });
	assert.equal(end2.application, 'ari-example2');
	const back = await log.waitFor((e) => e.type === 'StasisStart' && e.channel.id === id2, undefined, { from: mark3 });
	assert.ok(log.indexOf(end2) < log.indexOf(back));
	assert.equal(back.application, 'ari-example1');
	assert.deepEqual(back.args, ['back']);
	assert.equal(back.channel.dialplan.context, 'after-continue');
	assert.equal(back.channel.dialplan.priority, 2);
	const v = await client.channels.getChannelVar({ channelId: id2, variable: 'CONTINUED' });
	assert.equal(v.value, 'yes');

	// Step 8: hang up with a reason; the Local partner goes too.
	const mark4 = log.events.length;
	await client.channels.hangup({ channelId: id2, reason: 'busy' });
	const end3 = await log.waitFor((e) => e.type === 'StasisEnd' && e.channel.id === id2, undefined, { from: mark4 });
	assert.equal(end3.application, 'ari-example1');
	const destroyed = await log.waitFor((e) => e.type === 'ChannelDestroyed' && e.channel.id === id2, undefined, { from: mark4 });
	assert.equal(destroyed.cause, 17);
	assert.equal(destroyed.cause_txt, 'User busy');
	await srv.waitChannelGone(ch1.id);
	await srv.waitChannelGone(id2);
	assert.deepEqual(await client.channels.list(), []);
});

serverTest('continue_without_parameters_resumes_at_the_next_priority', { files: { 'extensions.conf': EXTENSIONS } }, async (srv) => {
	const client = await srv.ari();
	const log = eventLog(client);
	await client.start(['ari-example1', 'ari-example2']);
	await client.channels.originate({ endpoint: 'Local/200@cont', app: 'ari-watch' });
	const s1 = await log.waitFor((e) => e.type === 'StasisStart' && e.application === 'ari-example1');
	assert.deepEqual(s1.channel.dialplan, { context: 'cont', exten: '200', priority: 1, app_name: 'Stasis', app_data: 'ari-example1' });
	await client.channels.continueInDialplan({ channelId: s1.channel.id });
	const e1 = await log.waitFor((e) => e.type === 'StasisEnd' && e.channel.id === s1.channel.id);
	const s2 = await log.waitFor((e) => e.type === 'StasisStart' && e.application === 'ari-example2');
	assert.ok(log.indexOf(e1) < log.indexOf(s2));
	assert.equal(s2.channel.id, s1.channel.id);
	assert.deepEqual(s2.args, ['again', 'SUCCESS'], 'STASISSTATUS=SUCCESS after a continue');
	assert.equal(s2.channel.dialplan.priority, 3);
	const x = await client.channels.getChannelVar({ channelId: s1.channel.id, variable: 'X' });
	assert.equal(x.value, '1');
	await client.channels.hangup({ channelId: s1.channel.id });
	await srv.waitChannelGone(s1.channel.id);
});

serverTest('move_on_one_raw_socket_delivers_StasisEnd_before_StasisStart', async (srv) => {
	const ws = await srv.events(['mv-a', 'mv-b']);
	const ch1 = await srv.originate({ endpoint: 'Local/7@stasis-mv-a', app: 'mv-watch' });
	const s = await ws.waitFor((e) => e.type === 'StasisStart' && e.application === 'mv-a');
	assert.match(s.channel.name, /^Local\/7@stasis-mv-a-[0-9a-f]{8};2$/);
	const r = await srv.post(`/ari/channels/${encodeURIComponent(s.channel.id)}/move?app=mv-b&appArgs=a,,b`);
	assert.equal(r.status, 204, r.body);
	assert.equal(r.body, '');
	const end = await ws.waitFor((e) => e.type === 'StasisEnd' && e.application === 'mv-a');
	const start = await ws.waitFor((e) => e.type === 'StasisStart' && e.application === 'mv-b');
	assert.ok(ws.indexOf(end) < ws.indexOf(start), ws.summary());
	assert.deepEqual(start.args, ['a', 'b'], 'move args: empty items dropped');
	// Moving back and forth keeps working.
	const mark = ws.events.length;
	assert.equal((await srv.post(`/ari/channels/${encodeURIComponent(s.channel.id)}/move?app=mv-a`)).status, 204);
	const back = await ws.waitFor((e) => e.type === 'StasisStart' && e.application === 'mv-a', undefined, { from: mark });
	assert.deepEqual(back.args, []);
	assert.equal((await srv.del(`/ari/channels/${encodeURIComponent(ch1.id)}`)).status, 204);
	await srv.waitChannelGone(s.channel.id);
});

serverTest('move_to_an_app_whose_socket_closed_fails_with_ApplicationMoveFailed', async (srv) => {
	const ws = await srv.events(['stay-here']);
	const other = await srv.events(['gone-away']);
	await srv.originate({ endpoint: 'Local/1@stasis-stay-here', app: 'w' });
	const s = await ws.waitFor('StasisStart');
	await other.close();
	await sleep(200);
	const r = await srv.post(`/ari/channels/${encodeURIComponent(s.channel.id)}/move?app=gone-away`);
	assert.equal(r.status, 204);
	const f = await ws.waitFor('ApplicationMoveFailed');
	assert.equal(f.destination, 'gone-away');
	assert.deepEqual(f.args, []);
	assert.equal(f.application, 'stay-here');
	await srv.del(`/ari/channels/${encodeURIComponent(s.channel.id)}`);
	await srv.waitChannelGone(s.channel.id);
});
