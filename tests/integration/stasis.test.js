'use strict';
// Stasis applications: automatic contexts, replacement, Stasis() failures,
// the event envelope and subscribeAll.
const assert = require('node:assert/strict');
const { serverTest, sleep, TIMESTAMP_RE, ASTERISK_ID_RE } = require('./lib/server');

async function waitCli(srv, cmd, pred, timeoutMs = 3000) {
	const deadline = Date.now() + timeoutMs;
	let out;
	do {
		out = await srv.cli(cmd);
		if (pred(out.stdout)) return out;
		await sleep(100);
	} while (Date.now() < deadline);
	throw new Error(`'${cmd}' never satisfied ${pred}; last output:\n${out.stdout}${out.stderr}`);
}

const enc = encodeURIComponent;

serverTest('auto_context_is_created_on_registration_and_removed_when_the_app_goes', async (srv) => {
	let out = await srv.cli('dialplan show stasis-autoapp');
	assert.doesNotMatch(out.stdout, /Stasis\(autoapp\)/, 'no context before registration');
	const ws = await srv.events('autoapp');
	out = await waitCli(srv, 'dialplan show stasis-autoapp', (s) => /Stasis\(autoapp\)/.test(s));
	assert.match(out.stdout, /stasis-autoapp/);
	assert.match(out.stdout, /'_\.'\s+=>\s+1\.\s+Stasis\(autoapp\)/);
	assert.match(out.stdout, /'h'\s+=>\s+1\.\s+NoOp\(\)/);
	await srv.waitForLog(/Creating Stasis app 'autoapp'/);
	await ws.close();
	await waitCli(srv, 'dialplan show stasis-autoapp', (s) => !/Stasis\(autoapp\)/.test(s));
	const apps = await srv.get('/ari/applications');
	assert.deepEqual(apps.json, [], 'app destroyed with its last socket when no channel holds it');
});

serverTest('app_with_a_channel_inside_survives_its_socket_and_is_destroyed_after', async (srv) => {
	const ws = await srv.events('keeper');
	await srv.originate({ endpoint: 'Local/5@stasis-keeper', app: 'keeper-watch' });
	const s = await ws.waitFor('StasisStart');
	await ws.close();
	await sleep(300);
	// Channel stays in Stasis; the context stays while the app object lives.
	const ch = await srv.get(`/ari/channels/${enc(s.channel.id)}`);
	assert.equal(ch.status, 200, 'closing the socket does not hang up channels in the app');
	let out = await srv.cli('dialplan show stasis-keeper');
	assert.match(out.stdout, /Stasis\(keeper\)/);
	// Once the last channel leaves, the inactive app is destroyed with its context.
	assert.equal((await srv.del(`/ari/channels/${enc(s.channel.id)}`)).status, 204);
	await srv.waitChannelGone(s.channel.id);
	await waitCli(srv, 'dialplan show stasis-keeper', (x) => !/Stasis\(keeper\)/.test(x));
});

serverTest('existing_stasis_context_is_left_alone_with_a_warning', {
	files: {
		'extensions.conf': '[stasis-foo]\nexten => _X.,1,Set(MINE=1)\n same => n,Stasis(foo,mine)\n',
	},
}, async (srv) => {
	const ws = await srv.events('foo');
	await srv.waitForLog(/WARNING.*Not creating context 'stasis-foo' for Stasis application 'foo' because it already exists/);
	const out = await srv.cli('dialplan show stasis-foo');
	assert.match(out.stdout, /Set\(MINE=1\)/);
	assert.doesNotMatch(out.stdout, /'_\.'/, 'nothing added to the user context');
	assert.doesNotMatch(out.stdout, /'h'/);
	await srv.originate({ endpoint: 'Local/42@stasis-foo', app: 'foo-watch' });
	const s = await ws.waitFor('StasisStart');
	assert.deepEqual(s.args, ['mine'], 'the user dialplan ran, not an automatic one');
	assert.equal(s.channel.dialplan.priority, 2);
	await srv.del(`/ari/channels/${enc(s.channel.id)}`);
	await srv.waitChannelGone(s.channel.id);
	await ws.close();
	await sleep(300);
	const after = await srv.cli('dialplan show stasis-foo');
	assert.match(after.stdout, /Set\(MINE=1\)/, 'the user context survives the app');
});

serverTest('second_socket_for_an_app_replaces_the_first', async (srv) => {
	const old = await srv.events(['rep', 'other']);
	const neu = await srv.events('rep');
	const replaced = await old.waitFor('ApplicationReplaced');
	assert.equal(replaced.application, 'rep');
	assert.match(replaced.timestamp, TIMESTAMP_RE);
	await srv.waitForLog(/Replacing Stasis app 'rep'/);
	await srv.originate({ endpoint: 'Local/9@stasis-rep', app: 'rep-watch' });
	const s = await neu.waitFor('StasisStart');
	assert.equal(s.application, 'rep');
	await old.expectNone((e) => e.type === 'StasisStart', 300, 'the replaced socket gets no more events');
	assert.equal(old.closed, false, 'the old socket is not closed');
	// The old socket's other apps still work.
	await srv.originate({ endpoint: 'Local/9@stasis-other', app: 'rep-watch' });
	const o = await old.waitFor((e) => e.type === 'StasisStart' && e.application === 'other');
	await srv.del(`/ari/channels/${enc(s.channel.id)}`);
	await srv.del(`/ari/channels/${enc(o.channel.id)}`);
	await srv.waitChannelGone(s.channel.id);
	await srv.waitChannelGone(o.channel.id);
	// Closing the replaced socket does not unregister the app.
	await old.close();
	await sleep(200);
	const apps = (await srv.get('/ari/applications')).json.map((a) => a.name);
	assert.ok(apps.includes('rep'), `rep must stay registered: ${apps}`);
});

serverTest('stasis_of_an_unregistered_app_sets_STASISSTATUS_FAILED_and_continues', {
	files: {
		'extensions.conf': `[test]
exten => s,1,Stasis(nosuchapp)
 same => n,Set(AFTER=\${STASISSTATUS})
 same => n,Stasis(collector,\${AFTER})
`,
	},
}, async (srv) => {
	const ws = await srv.events('collector');
	await srv.originate({ endpoint: 'Local/s@test', app: 'collector-watch' });
	const s = await ws.waitFor('StasisStart');
	assert.deepEqual(s.args, ['FAILED']);
	const v = await srv.get(`/ari/channels/${enc(s.channel.id)}/variable?variable=AFTER`);
	assert.equal(v.status, 200);
	assert.equal(v.json.value, 'FAILED');
	await srv.waitForLog(/nosuchapp/);
	await srv.del(`/ari/channels/${enc(s.channel.id)}`);
	await srv.waitChannelGone(s.channel.id);
});

serverTest('hangup_inside_stasis_sets_STASISSTATUS_KILLED_for_the_h_extension', {
	files: {
		'extensions.conf': `[test]
exten => s,1,Stasis(killer)
exten => h,1,Set(GLOBAL(LAST_STASISSTATUS)=\${STASISSTATUS})
`,
	},
}, async (srv) => {
	const ws = await srv.events('killer');
	await srv.originate({ endpoint: 'Local/s@test', app: 'killer-watch' });
	const s = await ws.waitFor('StasisStart');
	await srv.del(`/ari/channels/${enc(s.channel.id)}`);
	await ws.waitFor((e) => e.type === 'ChannelDestroyed' && e.channel.id === s.channel.id);
	const v = await srv.get('/ari/asterisk/variable?variable=LAST_STASISSTATUS');
	assert.equal(v.status, 200, v.body);
	assert.equal(v.json.value, 'KILLED');
});

serverTest('events_carry_type_timestamp_application_and_asterisk_id', async (srv) => {
	const ws = await srv.events('envapp');
	await srv.events('env-watch'); // the ;1 half enters it once answered
	const ping = (await srv.get('/ari/asterisk/ping')).json;
	await srv.originate({ endpoint: 'Local/1@stasis-envapp', app: 'env-watch' });
	const s = await ws.waitFor('StasisStart');
	await srv.post(`/ari/channels/${enc(s.channel.id)}/answer`);
	await ws.waitFor('ChannelStateChange');
	await srv.del(`/ari/channels/${enc(s.channel.id)}`);
	await ws.waitFor('ChannelDestroyed');
	assert.ok(ws.events.length >= 4);
	for (const e of ws.events) {
		assert.equal(typeof e.type, 'string');
		assert.match(e.timestamp, TIMESTAMP_RE, `${e.type} timestamp ${e.timestamp}`);
		assert.equal(e.application, 'envapp');
		assert.match(e.asterisk_id, ASTERISK_ID_RE);
		assert.equal(e.asterisk_id, ping.asterisk_id);
	}
	const ch = s.channel;
	for (const f of ['id', 'name', 'state', 'protocol_id', 'accountcode', 'language'])
		assert.equal(typeof ch[f], 'string', `channel.${f}`);
	assert.deepEqual(Object.keys(ch.caller).sort(), ['name', 'number']);
	assert.deepEqual(Object.keys(ch.connected).sort(), ['name', 'number']);
	assert.match(ch.creationtime, TIMESTAMP_RE);
	assert.equal(ch.state, 'Ring', 'an inbound Local ;2 half enters Stasis ringing');
	const types = ws.events.map((e) => e.type);
	const iEnd = types.indexOf('StasisEnd');
	const iDestroyed = types.indexOf('ChannelDestroyed');
	assert.ok(iEnd >= 0 && iDestroyed > iEnd, `StasisEnd before ChannelDestroyed: ${types}`);
	assert.ok(types.indexOf('ChannelHangupRequest') >= 0 && types.indexOf('ChannelHangupRequest') < iEnd,
		`ChannelHangupRequest before StasisEnd: ${types}`);
	const sc = ws.events.find((e) => e.type === 'ChannelStateChange');
	assert.equal(sc.channel.state, 'Up');
});

serverTest('subscribeAll_socket_sees_events_of_channels_outside_its_app', {
	files: {
		'extensions.conf': `[plain]
exten => 100,1,Answer()
 same => n,Set(FOO=bar)
 same => n,Wait(0.2)
 same => n,Hangup()
exten => 200,1,Wait(5)
`,
	},
}, async (srv) => {
	const spy = await srv.events('spy', { subscribeAll: true });
	const mine = await srv.events('notspy');
	const ch1 = await srv.originate({ endpoint: 'Local/100@plain', context: 'plain', extension: '200' });
	const created = await spy.waitFor((e) => e.type === 'ChannelCreated');
	assert.equal(created.application, 'spy');
	await spy.waitFor((e) => e.type === 'ChannelDialplan' && e.dialplan_app === 'Set' && e.dialplan_app_data === 'FOO=bar');
	const vs = await spy.waitFor((e) => e.type === 'ChannelVarset' && e.variable === 'FOO');
	assert.equal(vs.value, 'bar');
	assert.match(vs.channel.name, /^Local\/100@plain-[0-9a-f]{8};2$/);
	const st = await spy.waitFor((e) => e.type === 'ChannelStateChange' && e.channel.id === ch1.id && e.channel.state === 'Up');
	assert.ok(st);
	await spy.waitFor((e) => e.type === 'ChannelDestroyed' && e.channel.id === ch1.id);
	assert.deepEqual(mine.events, [], 'a normal app sees nothing of channels it does not own');
	// ari-client throws on an event type without a model in events.json.
	const models = (await srv.get('/ari/api-docs/events.json')).json.models;
	for (const t of new Set(spy.events.map((e) => e.type))) assert.ok(models[t], `event ${t} has no model in events.json`);
	for (const t of ['ChannelCreated', 'ChannelDialplan', 'ChannelVarset', 'ChannelStateChange', 'ChannelHangupRequest', 'ChannelDestroyed'])
		assert.ok(spy.filter(t).length > 0, `subscribeAll saw no ${t}: ${spy.summary()}`);
});

serverTest('application_get_lists_the_channels_in_the_app', async (srv) => {
	const ws = await srv.events('lister');
	await srv.originate({ endpoint: 'Local/3@stasis-lister', app: 'lw' });
	const s = await ws.waitFor('StasisStart');
	const a = await srv.get('/ari/applications/lister');
	assert.equal(a.status, 200);
	assert.deepEqual(a.json.channel_ids, [s.channel.id]);
	await srv.del(`/ari/channels/${enc(s.channel.id)}`);
	await srv.waitChannelGone(s.channel.id);
	const b = await srv.get('/ari/applications/lister');
	assert.deepEqual(b.json.channel_ids, []);
});

serverTest('app_names_too_long_for_a_context_are_refused', async (srv) => {
	await assert.rejects(srv.events('a'.repeat(74)), (e) => e.status >= 400);
	const ok = await srv.events('b'.repeat(73));
	await ok.close();
	assert.equal((await srv.get('/ari/asterisk/ping')).status, 200);
});
