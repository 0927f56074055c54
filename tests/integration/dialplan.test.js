'use strict';
// extensions.conf features, driven by originating Local channels into contexts
// that end in Stasis(dpapp, <what happened>).
const assert = require('node:assert/strict');
const { serverTest, sleep } = require('./lib/server');

const enc = encodeURIComponent;

const EXT = `
[general]
static = yes

[globals]
GREETING = hello

[dp]
exten => 100,1,Set(A=one)
 same => n(second),Set(B=\${EXTEN})
 same => n,Goto(jump)
 same => n,Set(SKIPPED=yes)
 same => n(jump),Set(C=\${CHANNEL})
 same => n,Set(U=\${UNIQUEID})
 same => n,NoOp(just passing)
 same => n,Stasis(dpapp,labels)
exten => 101,1,Goto(dp-other,start,1)
exten => 102,1,Goto(100,second)

[dp-other]
exten => start,1,Set(WHERE=\${CONTEXT}/\${EXTEN}/\${PRIORITY})
 same => n,Stasis(dpapp,other)

[pat]
exten => _X.,1,Stasis(dpapp,X.)
exten => _NXXNXXXXXX,1,Stasis(dpapp,NXXNXXXXXX)
exten => _[1-5]XX,1,Stasis(dpapp,[1-5]XX)
exten => _2XX,1,Stasis(dpapp,2XX)
exten => _X!,1,Stasis(dpapp,X!)
exten => 555,1,Stasis(dpapp,555,\${EXTEN})

[main]
include => inc
exten => _1XX,1,Stasis(dpapp,main-1XX)

[inc]
exten => _X.,1,Stasis(dpapp,inc-X.)
exten => 555,1,Stasis(dpapp,inc-555)

[own]
include => inc
exten => _XXX,1,Stasis(dpapp,own-XXX)

[cond]
exten => _X,1,Set(X=\${EXTEN})
 same => n,GotoIf($[\${X} = 1]?yes:no)
 same => n(no),Stasis(dpapp,no)
 same => n(yes),Stasis(dpapp,yes)

[waiter]
exten => 1,1,Wait(1)
 same => n,Stasis(dpapp,waited)

[hang]
exten => 1,1,Hangup()
 same => n,Stasis(dpapp,after-hangup)

[ans]
exten => 1,1,Answer()
 same => n,Stasis(dpapp,answered)
exten => 2,1,Stasis(dpapp,not-answered)

[verb]
exten => 1,1,Verbose(1,marker-verbose-4711)
 same => n,Stasis(dpapp,\${GREETING})
`;

async function dial(srv, ws, exten, ctx) {
	const t0 = Date.now();
	await srv.originate({ endpoint: `Local/${exten}@${ctx}`, app: 'dpw' });
	const prefix = `Local/${exten}@${ctx}-`;
	const s = await ws.waitFor((e) => e.type === 'StasisStart' && e.application === 'dpapp' &&
		e.channel.name.startsWith(prefix) &&
		e.channel.name.endsWith(';2'), undefined, { what: `StasisStart of ${prefix}…;2` });
	s.elapsed = Date.now() - t0;
	return s;
}

async function getVar(srv, id, name) {
	const r = await srv.get(`/ari/channels/${enc(id)}/variable?variable=${enc(name)}`);
	return r;
}

serverTest('same_priority_n_labels_and_goto_run_in_order', { files: { 'extensions.conf': EXT } }, async (srv) => {
	const ws = await srv.events(['dpapp', 'dpw']);
	const s = await dial(srv, ws, '100', 'dp');
	assert.deepEqual(s.args, ['labels']);
	assert.equal(s.channel.dialplan.priority, 8);
	assert.equal((await getVar(srv, s.channel.id, 'A')).json.value, 'one');
	assert.equal((await getVar(srv, s.channel.id, 'B')).json.value, '100', '${EXTEN}');
	assert.equal((await getVar(srv, s.channel.id, 'C')).json.value, s.channel.name, '${CHANNEL}');
	assert.equal((await getVar(srv, s.channel.id, 'U')).json.value, s.channel.id, '${UNIQUEID}');
	const skipped = await getVar(srv, s.channel.id, 'SKIPPED');
	assert.equal(skipped.status, 404, `Goto must skip Set(SKIPPED=yes): ${skipped.status} ${skipped.body}`);
});

serverTest('goto_to_another_context_and_to_a_label_of_another_extension', { files: { 'extensions.conf': EXT } }, async (srv) => {
	const ws = await srv.events(['dpapp', 'dpw']);
	const a = await dial(srv, ws, '101', 'dp');
	assert.deepEqual(a.args, ['other']);
	assert.equal(a.channel.dialplan.context, 'dp-other');
	assert.equal(a.channel.dialplan.exten, 'start');
	assert.equal((await getVar(srv, a.channel.id, 'WHERE')).json.value, 'dp-other/start/1');
	const b = await dial(srv, ws, '102', 'dp');
	assert.deepEqual(b.args, ['labels']);
	assert.equal((await getVar(srv, b.channel.id, 'B')).json.value, '100', 'after Goto(100,second) EXTEN is 100');
	assert.equal((await getVar(srv, b.channel.id, 'A')).status, 404, 'priority 1 of 100 was skipped');
});

serverTest('patterns_are_matched_in_asterisk_order', { files: { 'extensions.conf': EXT } }, async (srv) => {
	const ws = await srv.events(['dpapp', 'dpw']);
	const cases = {
		'2125551234': 'NXXNXXXXXX', // N beats X in the first position
		'1125551234': 'X.', // N does not match 1
		'234': '2XX', // a single digit beats a [1-5] set
		'123': '[1-5]XX', // a 5-set beats X
		'623': 'X.', // '.' is more specific than '!'
		'9': 'X!', // '.' needs at least one more character, '!' does not
		'555': '555', // an exact name beats every pattern
	};
	const numbers = Object.keys(cases);
	const results = await Promise.all(numbers.map((n) => dial(srv, ws, n, 'pat')));
	const got = {};
	numbers.forEach((n, i) => {
		got[n] = results[i];
		assert.equal(results[i].args[0], cases[n], `extension ${n} matched ${results[i].args[0]}`);
		assert.equal(results[i].channel.dialplan.exten, n);
		assert.equal(results[i].channel.dialplan.context, 'pat');
	});
	assert.deepEqual(got['555'].args, ['555', '555']);
});

serverTest('include_is_searched_after_the_contexts_own_extensions', { files: { 'extensions.conf': EXT } }, async (srv) => {
	const ws = await srv.events(['dpapp', 'dpw']);
	const a = await dial(srv, ws, '123', 'main');
	assert.deepEqual(a.args, ['main-1XX']);
	const b = await dial(srv, ws, '555', 'main');
	assert.deepEqual(b.args, ['inc-555']);
	assert.equal(b.channel.dialplan.context, 'main', 'the channel stays in its own context');
	const c = await dial(srv, ws, '7777', 'main');
	assert.deepEqual(c.args, ['inc-X.']);
	const d = await dial(srv, ws, '555', 'own');
	assert.deepEqual(d.args, ['own-XXX'], 'a pattern of the context itself wins over an exact match in an include');
});

serverTest('gotoif_with_an_expression_takes_the_right_branch', { files: { 'extensions.conf': EXT } }, async (srv) => {
	const ws = await srv.events(['dpapp', 'dpw']);
	const yes = await dial(srv, ws, '1', 'cond');
	assert.deepEqual(yes.args, ['yes']);
	assert.equal(yes.channel.dialplan.priority, 4);
	const no = await dial(srv, ws, '2', 'cond');
	assert.deepEqual(no.args, ['no']);
	assert.equal(no.channel.dialplan.priority, 3);
});

serverTest('wait_delays_the_dialplan', { files: { 'extensions.conf': EXT } }, async (srv) => {
	const ws = await srv.events(['dpapp', 'dpw']);
	const s = await dial(srv, ws, '1', 'waiter');
	assert.deepEqual(s.args, ['waited']);
	assert.ok(s.elapsed >= 900, `Wait(1) took only ${s.elapsed} ms`);
	assert.ok(s.elapsed < 4000, `Wait(1) took ${s.elapsed} ms`);
});

serverTest('hangup_ends_the_call_and_stops_the_dialplan', { files: { 'extensions.conf': EXT } }, async (srv) => {
	const ws = await srv.events(['dpapp', 'dpw']);
	const spy = await srv.events('dpspy', { subscribeAll: true });
	const ch1 = await srv.originate({ endpoint: 'Local/1@hang', app: 'dpw' });
	const d2 = await spy.waitFor((e) => e.type === 'ChannelDestroyed' && /^Local\/1@hang-[0-9a-f]{8};2$/.test(e.channel.name));
	assert.equal(typeof d2.cause, 'number');
	await srv.waitChannelGone(ch1.id);
	await ws.expectNone((e) => e.type === 'StasisStart' && e.application === 'dpapp', 200, 'no priority runs after Hangup()');
});

serverTest('answer_puts_the_channel_up_and_without_it_the_channel_rings', { files: { 'extensions.conf': EXT } }, async (srv) => {
	const ws = await srv.events(['dpapp', 'dpw']);
	const a = await dial(srv, ws, '1', 'ans');
	assert.deepEqual(a.args, ['answered']);
	assert.equal(a.channel.state, 'Up');
	const b = await dial(srv, ws, '2', 'ans');
	assert.equal(b.channel.state, 'Ring');
});

serverTest('verbose_logs_and_globals_are_substituted', { files: { 'extensions.conf': EXT } }, async (srv) => {
	const ws = await srv.events(['dpapp', 'dpw']);
	const s = await dial(srv, ws, '1', 'verb');
	assert.deepEqual(s.args, ['hello'], '[globals] GREETING');
	await srv.waitForLog('marker-verbose-4711');
});

serverTest('originate_into_a_missing_extension_hangs_the_channel_up', { files: { 'extensions.conf': EXT } }, async (srv) => {
	const r = await srv.post('/ari/channels?endpoint=' + enc('Local/999@dp') + '&app=dpw');
	if (r.status === 200) {
		await srv.waitChannelGone(r.json.id);
	} else {
		assert.ok(r.status >= 400 && r.status < 500, `${r.status} ${r.body}`);
	}
	assert.equal((await srv.get('/ari/asterisk/ping')).status, 200);
});

const BAD = [
	'[bad]',
	'exten => 1,1,NoOp()',
	'this line is not valid',
	'exten => 2,1,Stasis(dpapp,still-loaded)',
	'exten => 3',
	'exten => 4,1,Stasis(dpapp,after-bad)',
	'',
].join('\n');

serverTest('bad_extensions_conf_lines_are_reported_with_file_and_line_and_skipped', {
	files: { 'extensions.conf': BAD },
}, async (srv) => {
	await srv.waitForLog(/extensions\.conf:3\b/);
	await srv.waitForLog(/extensions\.conf:5\b/);
	assert.match(srv.stderr, /WARNING/);
	const ws = await srv.events(['dpapp', 'dpw']);
	const a = await dial(srv, ws, '2', 'bad');
	assert.deepEqual(a.args, ['still-loaded']);
	const b = await dial(srv, ws, '4', 'bad');
	assert.deepEqual(b.args, ['after-bad']);
	const out = await srv.cli('dialplan show bad');
	assert.doesNotMatch(out.stdout, /'3'/);
});

serverTest('dialplan_show_lists_user_contexts_in_asterisk_format', { files: { 'extensions.conf': EXT } }, async (srv) => {
	const out = await srv.cli('dialplan show dp');
	assert.equal(out.code, 0);
	assert.match(out.stdout, /\[ Context 'dp' created by 'pbx_config' \]/);
	assert.match(out.stdout, /'100'\s+=>\s+1\.\s+Set\(A=one\)/);
	assert.match(out.stdout, /\[second\]\s+2\.\s+Set\(B=\$\{EXTEN\}\)/);
	const all = await srv.cli('dialplan show');
	for (const c of ['dp', 'pat', 'main', 'inc', 'cond']) assert.match(all.stdout, new RegExp(`Context '${c}'`));
	assert.match(all.stdout, /Include =>\s+'inc'/);
});

// Keep the event loop honest: many short calls at once all finish.
serverTest('twenty_parallel_calls_through_the_dialplan_all_arrive', { files: { 'extensions.conf': EXT } }, async (srv) => {
	const ws = await srv.events(['dpapp', 'dpw']);
	const n = 20;
	const calls = [];
	for (let i = 0; i < n; i++) calls.push(dial(srv, ws, String(3000 + i), 'pat'));
	const res = await Promise.all(calls);
	assert.equal(new Set(res.map((s) => s.channel.id)).size, n);
	await Promise.all(res.map((s) => srv.del(`/ari/channels/${enc(s.channel.id)}`)));
	await Promise.all(res.map((s) => srv.waitChannelGone(s.channel.id)));
	await sleep(100);
	assert.deepEqual((await srv.get('/ari/channels')).json, []);
});
