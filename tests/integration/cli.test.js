'use strict';
// The daemon's command line: -rx over the unix socket, --version, signals.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { execFile } = require('node:child_process');
const { test } = require('node:test');
const crypto = require('node:crypto');
const {
	serverTest, BIN, REPO, sleep, ini, pjsipConf, runSipp, spawnSipp, assertSipp, freeUdpPort, withSipp,
	EVENT_TIMEOUT_MS, SLOW,
} = require('./lib/server');

const VERSION = fs.readFileSync(path.join(REPO, 'VERSION'), 'utf8').trim();

function run(args, timeout = 5000) {
	return new Promise((resolve) => {
		execFile(BIN, args, { timeout }, (err, stdout, stderr) => {
			resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
		});
	});
}

serverTest('cli_socket_lives_in_astrundir', async (srv) => {
	const st = fs.statSync(srv.ctlSocket);
	assert.ok(st.isSocket(), `${srv.ctlSocket} is a unix socket`);
});

// ariadne.pid beside the socket, as Asterisk's asterisk.pid; a second
// server on the same configuration says the first runs, on stderr, and
// leaves the first one's log files alone.
serverTest('a_pid_file_is_kept_and_a_second_server_refuses_without_touching_the_first_ones_logs', async (srv) => {
	const pidFile = path.join(srv.runDir, 'ariadne.pid');
	assert.equal(fs.readFileSync(pidFile, 'utf8'), `${srv.proc.pid}\n`);
	const messages = path.join(srv.logDir, 'messages');
	const before = fs.existsSync(messages) ? fs.readFileSync(messages, 'utf8') : '';
	const second = await run(['-C', srv.confDir, '-f'], 10000);
	assert.equal(second.code, 1, second.stderr);
	assert.match(second.stderr, /ariadne already running on .*ariadne\.ctl\.  Use 'ariadne -rx "command"' to talk to it\./);
	const after = fs.existsSync(messages) ? fs.readFileSync(messages, 'utf8') : '';
	assert.equal(after, before, 'the second server wrote into the first one\'s log');
	assert.equal(fs.readFileSync(pidFile, 'utf8'), `${srv.proc.pid}\n`);
	assert.equal((await srv.get('/ari/asterisk/ping')).status, 200);
	await srv.stop();
	assert.ok(!fs.existsSync(pidFile), 'a clean stop removes the pid file');
});

serverTest('core_show_version_names_ariadne_and_its_version', async (srv) => {
	const out = await srv.cli('core show version');
	assert.equal(out.code, 0, out.stderr);
	assert.match(out.stdout, /ariadne/i);
	assert.ok(out.stdout.includes(VERSION), `version ${VERSION} in: ${out.stdout}`);
});

test('version_flag_prints_the_version_and_exits', async () => {
	const out = await run(['--version']);
	assert.equal(out.code, 0, out.stderr);
	assert.ok((out.stdout + out.stderr).includes(VERSION), out.stdout + out.stderr);
});

serverTest('core_show_channels_lists_a_live_channel', async (srv) => {
	let out = await srv.cli('core show channels');
	assert.equal(out.code, 0);
	assert.match(out.stdout, /\b0 active channels?\b/);
	const ws = await srv.events('cliapp');
	await srv.originate({ endpoint: 'Local/100@stasis-cliapp', app: 'cliwatch' });
	const s = await ws.waitFor('StasisStart');
	out = await srv.cli('core show channels');
	assert.equal(out.code, 0);
	// Asterisk's table cuts names to 20 characters; the full name is fine too.
	assert.ok(out.stdout.includes(s.channel.name.slice(0, 20)), `${s.channel.name} in:\n${out.stdout}`);
	assert.match(out.stdout, /\b2 active channels\b/);
	assert.match(out.stdout, /Stasis\(cliapp\)/);
});

serverTest('ari_show_apps_lists_registered_applications', async (srv) => {
	const ws = await srv.events(['cli-one', 'cli-two']);
	const out = await srv.cli('ari show apps');
	assert.equal(out.code, 0);
	assert.match(out.stdout, /^\s*cli-one\s*$/m);
	assert.match(out.stdout, /^\s*cli-two\s*$/m);
	await ws.close();
});

serverTest('dialplan_show_unknown_context_says_so', async (srv) => {
	const out = await srv.cli('dialplan show nosuchcontext');
	assert.match(out.stdout + out.stderr, /nosuchcontext/);
	assert.doesNotMatch(out.stdout, /=>/);
});

serverTest('unknown_cli_command_is_reported', async (srv) => {
	const out = await srv.cli('frobnicate the widgets');
	assert.match(out.stdout + out.stderr, /No such command|Unknown/i);
	assert.equal((await srv.get('/ari/asterisk/ping')).status, 200);
});

serverTest('core_stop_now_stops_the_server_cleanly', async (srv) => {
	const ws = await srv.events('stopapp');
	await srv.originate({ endpoint: 'Local/1@stasis-stopapp', app: 'stopwatch' });
	await ws.waitFor('StasisStart');
	const out = await srv.cli('core stop now');
	assert.equal(out.code, 0, out.stderr);
	const deadline = Date.now() + 5000;
	while (!srv.exit && Date.now() < deadline) await sleep(50);
	assert.ok(srv.exit, 'server exited after core stop now');
	assert.equal(srv.exit.code, 0, srv.tail());
	// Clients are closed by the shutdown, not left hanging.
	await sleep(100);
	assert.equal(ws.closed, true, 'event socket closed on shutdown');
});

// `core restart now` (Asterisk re-executes itself): the same process (pid)
// stops, hanging its calls up, and starts again reading its configuration
// anew; `core restart when convenient` says it waits.
serverTest('core_restart_now_starts_the_server_again_in_the_same_process', async (srv) => {
	const pid = srv.proc.pid;
	const ws = await srv.events('restartapp');
	await srv.originate({ endpoint: 'Local/1@stasis-restartapp', app: 'restartwatch' });
	await ws.waitFor('StasisStart');
	fs.writeFileSync(path.join(srv.confDir, 'ari.conf'), ini({ general: { enabled: 'yes' },
		asterisk: { type: 'user', password: 'asterisk' }, later: { type: 'user', password: 'added' } }));
	const out = await srv.cli('core restart now');
	assert.equal(out.code, 0, out.stderr);
	await srv.waitForLog(/ariadne restarting/);
	for (let i = 0; i < 100 && (srv.stderr.match(/: ariadne \S+ ready/g) || []).length < 2; i++) await sleep(100);
	assert.equal((srv.stderr.match(/: ariadne \S+ ready/g) || []).length, 2, srv.tail());
	assert.equal(srv.exit, null, 'the process goes on');
	assert.equal(srv.proc.pid, pid);
	assert.equal(fs.readFileSync(path.join(srv.runDir, 'ariadne.pid'), 'utf8'), `${pid}\n`);
	let r = null;
	for (let i = 0; i < 50 && (!r || r.status !== 200); i++) {
		r = await srv.get('/ari/asterisk/ping', { auth: 'later:added' }).catch(() => null);
		if (!r || r.status !== 200) await sleep(100);
	}
	assert.equal(r.status, 200, 'ari.conf read again');
	assert.deepEqual((await srv.get('/ari/channels')).json, [], 'the calls were hung up');
	assert.equal((await srv.cli('core restart when convenient')).stdout, 'Waiting for inactivity to perform restart\n');
	for (let i = 0; i < 100 && (srv.stderr.match(/: ariadne \S+ ready/g) || []).length < 3; i++) await sleep(100);
	assert.equal((srv.stderr.match(/: ariadne \S+ ready/g) || []).length, 3, srv.tail());
	assert.equal(srv.proc.pid, pid);
});

serverTest('sigterm_with_live_channels_and_sockets_exits_zero', async (srv) => {
	const ws = await srv.events('termapp');
	for (let i = 0; i < 3; i++) await srv.originate({ endpoint: `Local/${i}@stasis-termapp`, app: 'termwatch' });
	await ws.waitFor((e) => ws.filter('StasisStart').length >= 3);
	srv.proc.kill('SIGTERM');
	const exit = await Promise.race([srv.exited, sleep(5000).then(() => null)]);
	assert.ok(exit, 'exited within 5 s of SIGTERM');
	assert.equal(exit.code, 0, srv.tail());
	// Channels were hung up and CEL flushed on the way out.
	const ends = srv.celRows().filter((r) => r[0] === 'CHAN_END').length;
	assert.equal(ends, 6, `CHAN_END for both halves of 3 calls, got ${ends}`);
});

serverTest('sigint_also_shuts_down_cleanly', async (srv) => {
	srv.proc.kill('SIGINT');
	const exit = await Promise.race([srv.exited, sleep(5000).then(() => null)]);
	assert.ok(exit, 'exited within 5 s of SIGINT');
	assert.equal(exit.code, 0, srv.tail());
});

serverTest('rx_without_a_running_server_fails', async (srv) => {
	const empty = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'ariadne-norun-'));
	fs.writeFileSync(path.join(empty, 'ariadne.conf'), `[directories]\nastrundir = ${empty}\nastlogdir = ${empty}\n`);
	const out = await run(['-C', empty, '-rx', 'core show version']);
	fs.rmSync(empty, { recursive: true, force: true });
	assert.notEqual(out.code, 0, 'exit code must say the server is not there');
	assert.equal((await srv.get('/ari/asterisk/ping')).status, 200);
});

serverTest('verbose_flag_raises_log_output', { args: ['-vvv'], verbose: 0 }, async (srv) => {
	const ws = await srv.events('loudapp');
	await srv.waitForLog(/Creating Stasis app 'loudapp'/);
	await ws.close();
});

serverTest('verbose_zero_keeps_verbose_messages_quiet', { verbose: 0 }, async (srv) => {
	const ws = await srv.events('quietapp');
	await sleep(300);
	await ws.close();
	assert.doesNotMatch(srv.stderr, /Creating Stasis app 'quietapp'/);
});

// pjsip show ... in chan_pjsip's layout: scripts written for Asterisk grep
// "Avail", count "Contact:" lines per endpoint and cut fixed columns.
serverTest('pjsip_show_listings_have_asterisks_layout_and_labels', {
	files: {
		'pjsip.conf': pjsipConf({
			alice: { password: 'Xy9-secret' },
			trunk: { contact: 'sip:trunk@127.0.0.1:9', match: '192.0.2.0/24', extra: { callerid: '"Trunk" <5551234>' } },
		}),
	},
}, async (srv) => {
	const port = await freeUdpPort();
	assertSipp(await runSipp({ scenario: 'uac_register', remote: srv, port,
		auth: { user: 'alice', pass: 'Xy9-secret' }, keys: { from_user: 'alice', expires: 60 }, timeoutMs: 8000 }),
	0, 'REGISTER');
	const uri = `sip:alice@127.0.0.1:${port}`;
	const hash = crypto.createHash('md5').update(uri).digest('hex').slice(0, 10);

	let out = (await srv.cli('pjsip show contacts')).stdout;
	const row = out.split('\n').find((l) => l.startsWith('  Contact:  alice/'));
	assert.ok(row, out);
	// <Hash....> starts at column 55, <Status> at 66, as the header.
	assert.equal(row.indexOf(hash), 55, row);
	assert.match(row.slice(66), /^NonQual +nan$/, row);
	// "Objects found" and a blank line end a listing, as chan_pjsip's
	assert.match(out, /\nObjects found: 2\n\n$/);

	out = (await srv.cli('pjsip show endpoints')).stdout;
	const lines = out.split('\n');
	const ep = lines.find((l) => l.startsWith(' Endpoint:  alice '));
	assert.ok(ep, out);
	assert.equal(ep.indexOf('Not in use'), 65, ep);
	assert.equal(ep.indexOf('0 of inf'), 79, ep);
	assert.match(out, /\n {5}InAuth: {2}alice-auth\/alice\n {8}Aor: {2}alice +1\n {6}Contact: {2}alice\/sip:alice@127\.0\.0\.1:\d+ +[0-9a-f]{10} NonQual +nan\n/, out);
	// Each endpoint's block ends with a blank line; the trunk's shows its
	// caller id, static contact and identify.
	assert.match(out, / Endpoint: {2}trunk\/5551234 +Unavailable|Endpoint: {2}trunk\/5551234 +Not in use/, out);
	assert.match(out, /\n {3}Identify: {2}trunk-identify\/trunk\n {8}Match: {2}192\.0\.2\.0\/24\n/, out);
	assert.equal(lines.filter((l) => /^ +Contact: /.test(l)).length, 3, out); // header + 2

	out = (await srv.cli('pjsip show endpoint alice')).stdout;
	assert.match(out, /\n Endpoint: {2}alice /);
	assert.match(out, /\n ParameterName +: ParameterValue\n/);
	assert.match(out, /\n context +: stasis-sipapp\n/);
	assert.match(out, /\n aors +: alice\n/);
	// the parameters' heads and rows share one width, the longest name's
	const params = out.slice(out.indexOf(' ParameterName')).split('\n').filter((l) => / : /.test(l));
	assert.ok(params.length > 10, out);
	for (const l of params) assert.equal(l.indexOf(' : '), params[0].indexOf(' : '), l);
	assert.equal(params[0].indexOf(' : '), ' outbound_auth'.length, out);
	for (const [k, v] of [['allow', '(ulaw)'], ['disallow', '(ulaw)'], ['direct_media', 'false'],
		['dtmf_mode', 'rfc4733'], ['identify_by', 'username,ip'], ['auth', 'alice-auth']])
		assert.match(out, new RegExp(`\n ${k} +: ${v.replace(/[()]/g, '\\$&')}\n`), `${k} in\n${out}`);
	assert.match(out, /\n\n$/, 'the view ends with a blank line');
	out = (await srv.cli('pjsip show endpoint nobody')).stdout;
	assert.equal(out, 'Unable to find object nobody.\n\n');

	out = (await srv.cli('pjsip show aors')).stdout;
	assert.match(out, /\n {6}Aor: {2}alice +1\n {4}Contact: {2}alice\/sip:alice@/, out);

	// The endpoints header names the channel's Exten/CLCID line, too.
	assert.match((await srv.cli('pjsip show endpoints')).stdout,
		/\n {8}Exten: <DialedExten\.+>  CLCID: <ConnectedLineCID\.+>\n=+\n/);
	out = (await srv.cli('pjsip show transports')).stdout;
	assert.match(out, /^\nTransport: {2}<TransportId\.+> {2}<Type> {2}<cos> {2}<tos> {2}<BindAddress\.+>\n=+\n\n/, out);
	// config_transport.c's "%-21s  %6s  %5u  %5u": the type right-aligned in 6
	assert.ok(out.includes(`\nTransport:  ${'transport-udp'.padEnd(21)}  ${'udp'.padStart(6)}  ${'0'.padStart(5)}  ` +
		`${'0'.padStart(5)}  127.0.0.1:${srv.sipPort}\n`), out);
	assert.match(out, /\nObjects found: 1\n\n$/, out);
	out = (await srv.cli('pjsip show auths')).stdout;
	assert.match(out, /^\n {2}I\/OAuth: {2}<AuthId\/UserName\.+>\n=+\n\n {5}Auth: {2}alice-auth\/alice\n\nObjects found: 1\n\n$/, out);
	out = (await srv.cli('pjsip show identifies')).stdout;
	assert.match(out, /\n Identify: {2}trunk-identify\/trunk\n {6}Match: {2}192\.0\.2\.0\/24\n/, out);
	assert.match(out, /\nObjects found: 1\n\n$/, out);
});

// A channel under its endpoint: its row, then the extension it dialled
// and its connected line, as chan_pjsip's listing.
serverTest('pjsip_show_endpoints_lists_a_call_with_its_exten_and_connected_line', {
	files: { 'pjsip.conf': pjsipConf({ alice: { match: '127.0.0.1', context: 'stasis-cliapp' } }) },
}, async (srv) => {
	const ws = await srv.events('cliapp');
	const sipp = await spawnSipp({ scenario: 'uac_call', remote: srv, service: '4242', duration: 10000,
		timeoutMs: 30000, keys: { from_user: 'alice' } });
	try {
		const { channel } = await ws.waitFor((e) => e.type === 'StasisStart');
		const out = (await srv.cli('pjsip show endpoints')).stdout;
		// chan_pjsip's "<name>/<application>", its state at column 65
		const i = out.indexOf(`    Channel: ${channel.name}/Stasis `);
		assert.ok(i >= 0, out);
		const [row, next] = out.slice(i).split('\n');
		assert.equal(row.indexOf('Ring'), 65, row);
		assert.match(next, /^ {8}Exten: 4242 {20} {2}CLCID: "[^"]*" <[^>]*>$/, out);
		assert.equal((await srv.del(`/ari/channels/${encodeURIComponent(channel.id)}`)).status, 204);
	} finally {
		await sipp.stop();
	}
});

// main/cli.c handle_reload() and handle_core_reload(): a global reload
// prints nothing; `module reload <name>` answers for each module named,
// with or without ".so".
serverTest('core_reload_is_silent_and_module_reload_answers_in_asterisks_words', async (srv) => {
	for (const cmd of ['core reload', 'reload', 'module reload']) {
		const from = srv.stderr.length;
		const r = await srv.cli(cmd);
		assert.equal(r.code, 0, r.stderr);
		assert.equal(r.stdout, '', cmd);
		await srv.waitForLog(/Reloaded pbx_config\.so/);
		assert.match(srv.stderr.slice(from), /Reloaded pbx_config\.so/, cmd);
	}
	assert.match((await srv.cli('core reload now')).stdout, /^Usage: core reload/);
	const reload = async (args) => (await srv.cli(`module reload ${args}`)).stdout;
	assert.equal(await reload('pbx_config.so'), "Module 'pbx_config.so' reloaded successfully.\n");
	assert.equal(await reload('pbx_config'), "Module 'pbx_config' reloaded successfully.\n");
	assert.equal(await reload('nosuch.so'), "No such module 'nosuch.so'\n");
	assert.equal(await reload('res_stasis.so'), "The module 'res_stasis.so' does not support reloads\n");
	assert.equal(await reload('nosuch pbx_config'),
		"No such module 'nosuch'\nModule 'pbx_config' reloaded successfully.\n");
	assert.equal((await srv.cli('module unload cel_custom')).stdout, 'Unloaded cel_custom\n');
	assert.equal(await reload('cel_custom.so'), "The module 'cel_custom.so' was not properly initialized. " +
		'Before reloading the module, you must run "module load cel_custom.so" and fix whatever is ' +
		'preventing the module from being initialized.\n');
	// ariadne cannot read pjsip.conf again while it runs: Asterisk's words
	// for a module that cannot reload
	assert.equal((await srv.cli('pjsip reload')).stdout, "The module 'res_pjsip.so' does not support reloads\n");
});

serverTest('core_show_settings_has_asterisks_labels', { ariadneConf: { options: { maxcalls: 7 } } }, async (srv) => {
	const out = (await srv.cli('core show settings')).stdout;
	assert.match(out, /^\nPBX Core settings\n-----------------\n/, out);
	const line = (label) => new RegExp(`^  ${label.replace(/[()/]/g, '\\$&')} +(.*)$`, 'm').exec(out);
	assert.equal(line('Version:')[1], VERSION);
	assert.equal(line('Maximum calls:')[1], '7');
	assert.match(line('Maximum open file handles:')[1], /^\d+$/);
	assert.match(line('Startup time:')[1], /^\d\d:\d\d:\d\d$/);
	assert.equal(line('Log directory:')[1], srv.logDir);
	assert.equal(line('Data directory:')[1], srv.dataDir);
	assert.equal(line('Run/Sockets directory:')[1], srv.runDir);
	// The value column starts where Asterisk's does.
	assert.equal(out.split('\n').find((l) => l.startsWith('  Version:')).indexOf(VERSION), 31);
});

// ari.conf is read again by `module reload res_ari.so`, as Asterisk's
// res_ari reloads: a changed password counts at once, the old one no more.
serverTest('module_reload_res_ari_reads_ari_conf_again', {
	files: { 'ari.conf': ini({ general: { enabled: 'yes' }, asterisk: { type: 'user', password: 'asterisk' },
		app1: { type: 'user', password: 'old-pass' } }) },
}, async (srv) => {
	assert.equal((await srv.get('/ari/asterisk/ping', { auth: 'app1:old-pass' })).status, 200);
	fs.writeFileSync(path.join(srv.confDir, 'ari.conf'), ini({ general: { enabled: 'yes', pretty: 'yes' },
		asterisk: { type: 'user', password: 'asterisk' }, app1: { type: 'user', password: 'new-pass' } }));
	const r = await srv.cli('module reload res_ari.so');
	assert.equal(r.code, 0, r.stderr);
	assert.doesNotMatch(r.stdout, /does not support reloading|No such module/, r.stdout);
	assert.equal((await srv.get('/ari/asterisk/ping', { auth: 'app1:old-pass' })).status, 401);
	const ok = await srv.get('/ari/asterisk/ping', { auth: 'app1:new-pass' });
	assert.equal(ok.status, 200);
	assert.match(ok.body, /\n/, 'pretty = yes applies too');
	// core reload reloads it as well
	fs.writeFileSync(path.join(srv.confDir, 'ari.conf'), ini({ general: { enabled: 'yes' },
		asterisk: { type: 'user', password: 'asterisk' }, app1: { type: 'user', password: 'third' } }));
	await srv.cli('core reload');
	assert.equal((await srv.get('/ari/asterisk/ping', { auth: 'app1:third' })).status, 200);
});

// A reload that would take a broken or vanished file keeps what is in
// force, as Asterisk's res_ari (aco_process_config fails) and pbx_config
// (a file its parser refuses replaces nothing): one typo must not lock the
// application out of ARI, nor a vanished ari.conf let asterisk:asterisk in.
serverTest('a_reload_of_a_broken_or_missing_ari_conf_keeps_the_users_in_force', {
	files: { 'ari.conf': ini({ general: { enabled: 'yes' }, prod: { type: 'user', password: 'S3cret' } }) },
	readyAuth: 'prod:S3cret',
}, async (srv) => {
	const conf = path.join(srv.confDir, 'ari.conf');
	const ping = (auth) => srv.get('/ari/asterisk/ping', { auth }).then((r) => r.status);
	const reload = async () => (await srv.cli('module reload res_ari.so')).stdout;
	assert.equal(await ping('prod:S3cret'), 200);
	for (const [what, text, why] of [
		['a password_format typo', ini({ general: { enabled: 'yes' },
			prod: { type: 'user', password: 'S3cret', password_format: 'plaintext' } }),
		/ari\.conf:\d+: ARI user 'prod': password_format 'plaintext' is not supported/],
		['a type typo', ini({ general: { enabled: 'yes' }, prod: { type: 'usr', password: 'S3cret' } }),
			/ari\.conf:\d+: section 'prod' is not 'type = user' \(type 'usr'\)/],
		['a user without password', ini({ general: { enabled: 'yes' }, prod: { type: 'user' } }),
			/ari\.conf:\d+: ARI user 'prod' missing password/],
		['a header without its bracket', '[general\nenabled = yes\n[prod]\ntype = user\npassword = other\n',
			/ari\.conf:1: no closing '\]' in section header/],
	]) {
		fs.writeFileSync(conf, text);
		assert.equal(await reload(), "The module 'res_ari.so' reported a reload failure\n", what);
		await srv.waitForLog(why);
		assert.equal(await ping('prod:S3cret'), 200, `${what}: the user in force still gets in`);
	}
	await srv.waitForLog(/ERROR\[\d+\]: .*ari\.conf has 1 error \(above\): the configuration in force is kept/);
	fs.unlinkSync(conf);
	assert.equal(await reload(), "The module 'res_ari.so' reported a reload failure\n");
	await srv.waitForLog(/ari\.conf is gone: the configuration in force is kept/);
	assert.equal(await ping('prod:S3cret'), 200);
	assert.equal(await ping('asterisk:asterisk'), 401, 'a vanished ari.conf lets no default user in');
	// A good file is taken again.
	fs.writeFileSync(conf, ini({ general: { enabled: 'yes' }, prod: { type: 'user', password: 'N3w' } }));
	assert.equal(await reload(), "Module 'res_ari.so' reloaded successfully.\n");
	assert.equal(await ping('prod:N3w'), 200);
	assert.equal(await ping('prod:S3cret'), 401);
});

// Started without ari.conf (the embedded asterisk:asterisk), then given
// one: that one is what a later reload must not lose when it vanishes.
serverTest('an_ari_conf_added_after_start_is_kept_when_it_vanishes', async (srv) => {
	const conf = path.join(srv.confDir, 'ari.conf');
	assert.ok(!fs.existsSync(conf));
	fs.writeFileSync(conf, ini({ general: { enabled: 'yes' }, asterisk: { type: 'user', password: 'asterisk' },
		prod: { type: 'user', password: 'S3cret' } }));
	assert.equal((await srv.cli('module reload res_ari.so')).stdout, "Module 'res_ari.so' reloaded successfully.\n");
	assert.equal((await srv.get('/ari/asterisk/ping', { auth: 'prod:S3cret' })).status, 200);
	fs.unlinkSync(conf);
	assert.equal((await srv.cli('module reload res_ari.so')).stdout,
		"The module 'res_ari.so' reported a reload failure\n");
	assert.equal((await srv.get('/ari/asterisk/ping', { auth: 'prod:S3cret' })).status, 200);
});

serverTest('a_broken_or_missing_extensions_conf_keeps_the_dialplan_in_force', {
	files: { 'extensions.conf': '[default]\nexten => 100,1,NoOp(first)\n' },
}, async (srv) => {
	const conf = path.join(srv.confDir, 'extensions.conf');
	const show = async () => (await srv.cli('dialplan show default')).stdout;
	assert.match(await show(), /'100'/);
	fs.writeFileSync(conf, '[default\nexten => 200,1,NoOp(second)\n');
	assert.equal((await srv.cli('module reload pbx_config.so')).stdout,
		"The module 'pbx_config.so' reported a reload failure\n");
	await srv.waitForLog(/extensions\.conf has errors \(above\) for which Asterisk refuses the file: the configuration in force is kept/);
	assert.match(await show(), /'100'/, 'the dialplan in force is kept');
	assert.equal((await srv.cli('dialplan reload')).stdout,
		'Dialplan not reloaded: the file has errors (see the log); the dialplan in force is kept.\n');
	fs.unlinkSync(conf);
	await srv.cli('core reload');
	await srv.waitForLog(/extensions\.conf is gone: the dialplan in force is kept/);
	assert.match(await show(), /'100'/);
	fs.writeFileSync(conf, '[default]\nexten => 200,1,NoOp(second)\n');
	assert.equal((await srv.cli('dialplan reload')).stdout, 'Dialplan reloaded.\n');
	const now = await show();
	assert.match(now, /'200'/);
	assert.doesNotMatch(now, /'100'/);
});

// SIGHUP reloads, as Asterisk's _hup_handler; it used to end the process
// (and every call with it).
serverTest('sighup_reloads_the_configuration_instead_of_ending_the_server', {
	files: { 'ari.conf': ini({ general: { enabled: 'yes' }, prod: { type: 'user', password: 'one' } }) },
	readyAuth: 'prod:one',
}, async (srv) => {
	fs.writeFileSync(path.join(srv.confDir, 'ari.conf'),
		ini({ general: { enabled: 'yes' }, prod: { type: 'user', password: 'two' } }));
	fs.writeFileSync(path.join(srv.confDir, 'http.conf'),
		ini({ general: { enabled: 'yes', bindaddr: '127.0.0.1', bindport: String(srv.port + 1) } }));
	srv.proc.kill('SIGHUP');
	await srv.waitForLog(/NOTICE\[\d+\]: .*Received HUP signal -- Reloading configs/);
	await srv.waitForLog(/http\.conf: 'bindport' changed \('\d+' -> '\d+'\); where and how the HTTP server listens changes only at the next start/);
	assert.equal((await srv.get('/ari/asterisk/ping', { auth: 'prod:two' })).status, 200);
	assert.equal(srv.proc.exitCode, null, 'still running');
});

// ---- stopping as Asterisk does (main/asterisk.c) ----

const enc = encodeURIComponent;
const SIP_CALLS = { 'pjsip.conf': pjsipConf({ alice: { match: '127.0.0.1', context: 'stasis-cliapp' } }) };

/** A SIP call from alice into app cliapp, answered; SIPp hangs up after `duration` ms. */
async function answeredSipCall(srv, ws, { scenario = 'uac_call', duration = 0 } = {}) {
	const from = ws.events ? ws.events.length : 0;
	const sipp = await spawnSipp({ scenario, remote: srv, service: '4242', duration,
		timeoutMs: 30000 * SLOW, keys: { from_user: 'alice' } });
	const { channel } = await withSipp(sipp, () => ws.waitFor((e) => e.type === 'StasisStart' &&
		/^PJSIP\//.test(e.channel.name), EVENT_TIMEOUT_MS, { from }));
	assert.equal((await srv.post(`/ari/channels/${enc(channel.id)}/answer`)).status, 204);
	await withSipp(sipp, () => ws.waitFor((e) => e.type === 'ChannelStateChange' && e.channel.id === channel.id &&
		e.channel.state === 'Up'));
	return { sipp, channel };
}

async function waitExit(srv, ms) {
	const deadline = Date.now() + ms;
	while (!srv.exit && Date.now() < deadline) await sleep(50);
	return srv.exit;
}

const originateLocal = (srv, n) => srv.post('/ari/channels?' +
	new URLSearchParams({ endpoint: `Local/${n}@stasis-cliapp`, app: 'cliwatch' }));

serverTest('core_stop_gracefully_keeps_the_live_call_refuses_new_ones_and_exits_when_it_ends', {
	files: SIP_CALLS, timeout: 60000 * SLOW,
}, async (srv) => {
	const ws = await srv.events('cliapp');
	const { sipp } = await answeredSipCall(srv, ws, { duration: 4000 * SLOW });
	const from = srv.stderr.length;
	const r = await srv.cli('core stop gracefully');
	assert.equal(r.code, 0, r.stderr);
	assert.equal(r.stdout, '', 'Asterisk answers nothing');
	await srv.waitForLog(/Waiting for inactivity to perform halt\.\.\./);
	// no new call meanwhile: SIP 503 with Retry-After, ARI 503
	assertSipp(await runSipp({ scenario: 'uac_refused_503', remote: srv, service: '4242',
		keys: { from_user: 'alice' } }), 0, 'INVITE while stopping gracefully → 503');
	assert.equal((await originateLocal(srv, 1)).status, 503);
	assert.equal((await srv.cli('core drain')).stdout.startsWith('Draining: yes'), true);
	// a second, gentler request is ignored, as Asterisk ignores it
	assert.equal((await srv.cli('core stop when convenient')).stdout, 'Waiting for inactivity to perform halt\n');
	await srv.waitForLog(/Ignoring ariadne shutdown request, already in progress\./);
	assert.equal(srv.exit, null, 'still running while the call is up');
	// the call lives on and ends as its caller decides: SIPp's BYE is answered
	assertSipp(await sipp.done, 0, 'the call up before the stop, ended by its caller');
	const exit = await waitExit(srv, 5000 * SLOW);
	assert.ok(exit, 'exited once the last channel had gone');
	assert.equal(exit.code, 0, srv.tail());
	assert.match(srv.stderr.slice(from), /Shutdown requested from the CLI/);
});

serverTest('core_stop_gracefully_without_channels_stops_at_once', async (srv) => {
	assert.equal((await srv.cli('core stop gracefully')).stdout, '');
	const exit = await waitExit(srv, 5000 * SLOW);
	assert.ok(exit, 'no call to wait for');
	assert.equal(exit.code, 0, srv.tail());
});

serverTest('core_abort_shutdown_calls_off_a_graceful_stop_and_takes_calls_again', async (srv) => {
	const ws = await srv.events('cliapp');
	assert.equal((await originateLocal(srv, 1)).status, 200);
	await ws.waitFor('StasisStart');
	assert.equal((await srv.cli('core stop gracefully')).stdout, '');
	assert.equal((await originateLocal(srv, 2)).status, 503);
	const r = await srv.cli('core abort shutdown');
	assert.equal(r.code, 0, r.stderr);
	assert.equal(r.stdout, '');
	await srv.waitForLog(/ariadne shutdown cancelled\./);
	// the drain the stop turned on is off again: new calls are taken
	assert.equal((await originateLocal(srv, 3)).status, 200);
	assert.match((await srv.cli('core drain')).stdout, /^Draining: no/);
	// nothing is pending any more: the last channel going stops nothing
	assert.match((await srv.cli('channel request hangup all')).stdout, /Requested Hangup/);
	await sleep(2500 * SLOW);
	assert.equal(srv.exit, null, 'the server stayed up');
	assert.equal((await srv.get('/ari/asterisk/ping')).status, 200);
	// a drain that was on before the stop stays on after the abort
	assert.equal((await originateLocal(srv, 5)).status, 200);
	await ws.waitFor((e) => e.type === 'StasisStart' && e.channel.dialplan.exten === '5');
	await srv.cli('core drain on');
	assert.equal((await originateLocal(srv, 4)).status, 503);
	await srv.cli('core stop gracefully');
	await srv.cli('core abort shutdown');
	assert.match((await srv.cli('core drain')).stdout, /^Draining: yes/);
	// abort with nothing pending: silent, harmless
	assert.equal((await srv.cli('core abort shutdown')).stdout, '');
	await srv.cli('core drain off');
});

serverTest('core_stop_when_convenient_takes_calls_and_stops_once_there_are_none', async (srv) => {
	const ws = await srv.events('cliapp');
	assert.equal((await originateLocal(srv, 1)).status, 200);
	await ws.waitFor('StasisStart');
	const r = await srv.cli('core stop when convenient');
	assert.equal(r.stdout, 'Waiting for inactivity to perform halt\n');
	// still taking calls
	assert.equal((await originateLocal(srv, 2)).status, 200);
	await sleep(1500 * SLOW);
	assert.equal(srv.exit, null, 'channels are up: no stop yet');
	await srv.cli('channel request hangup all');
	const exit = await waitExit(srv, 5000 * SLOW);
	assert.ok(exit, 'stopped once no channel was left');
	assert.equal(exit.code, 0, srv.tail());
});

// SIGTERM with a live SIP call: the call is hung up while the server still
// runs (the caller gets a BYE it can answer; a lost one would be sent
// again) and the app hears StasisEnd and ChannelDestroyed before its socket
// closes; the process was gone 30 ms after the signal before.
serverTest('sigterm_hangs_the_calls_up_before_the_server_goes', { files: SIP_CALLS, timeout: 60000 * SLOW },
	async (srv) => {
		const ws = await srv.events('cliapp');
		const { sipp, channel } = await answeredSipCall(srv, ws, { scenario: 'uac_call_server_bye' });
		const t0 = Date.now();
		srv.proc.kill('SIGTERM');
		assertSipp(await sipp.done, 0, 'the caller got a BYE and answered it');
		const exit = await waitExit(srv, 5000 * SLOW);
		assert.ok(exit, 'exited within 5 s of SIGTERM');
		assert.equal(exit.code, 0, srv.tail());
		assert.ok(Date.now() - t0 < 4000 * SLOW, `took ${Date.now() - t0} ms`);
		const end = ws.events.find((e) => e.type === 'StasisEnd' && e.channel.id === channel.id);
		const gone = ws.events.find((e) => e.type === 'ChannelDestroyed' && e.channel.id === channel.id);
		assert.ok(end && gone, `the app heard the call end: ${ws.events.map((e) => e.type)}`);
		assert.match(srv.stderr, /Hanging up 1 channel before shutting down/);
	});

// ---- main/cli.c handle_softhangup ----

serverTest('channel_request_hangup_hangs_up_a_live_sip_call', { files: SIP_CALLS, timeout: 60000 * SLOW },
	async (srv) => {
		const ws = await srv.events('cliapp');
		const { sipp, channel } = await answeredSipCall(srv, ws, { scenario: 'uac_call_server_bye' });
		let r = await srv.cli('channel request hangup');
		assert.match(r.stdout, /^Usage: channel request hangup <channel>\|<all>\n/);
		r = await srv.cli('channel request hangup PJSIP/nosuch-00000000');
		assert.equal(r.stdout, 'PJSIP/nosuch-00000000 is not a known channel\n');
		r = await srv.cli(`channel request hangup ${channel.name}`);
		assert.equal(r.stdout, `Requested Hangup on channel '${channel.name}'\n`);
		// the caller gets ariadne's BYE, and the app its channel's end
		assertSipp(await sipp.done, 0, 'BYE from ariadne after channel request hangup');
		await ws.waitFor((e) => e.type === 'ChannelDestroyed' && e.channel.id === channel.id);
		r = await srv.cli('channel request hangup all');
		assert.equal(r.stdout, '', 'no channel left');
	});

serverTest('channel_request_hangup_all_names_every_channel', async (srv) => {
	const ws = await srv.events('cliapp');
	assert.equal((await originateLocal(srv, 1)).status, 200);
	await ws.waitFor('StasisStart');
	const names = (await srv.get('/ari/channels')).json.map((c) => c.name).sort();
	assert.equal(names.length, 2);
	const r = await srv.cli('channel request hangup all');
	assert.deepEqual(r.stdout.trim().split('\n').sort(), names.map((n) => `Requested Hangup on channel '${n}'`));
	await ws.waitFor('StasisEnd');
	const deadline = Date.now() + EVENT_TIMEOUT_MS;
	while ((await srv.get('/ari/channels')).json.length && Date.now() < deadline) await sleep(50);
	assert.deepEqual((await srv.get('/ari/channels')).json, []);
});

// ---- the debug level, as core set verbose ----

serverTest('core_set_debug_says_what_it_did_as_core_set_verbose', async (srv) => {
	const set = async (args) => (await srv.cli(`core set debug ${args}`)).stdout;
	assert.equal(await set('3'), 'Core debug was OFF and is now 3.\n');
	assert.equal(await set('atleast 2'), 'Core debug is still 3.\n');
	assert.equal(await set('atleast 5'), 'Core debug was 3 and is now 5.\n');
	assert.equal(await set('off'), 'Core debug was 5 and is now OFF.\n');
	assert.equal(await set('0'), 'Core debug is still OFF.\n');
	assert.match(await set('lots'), /^Usage: core set debug \[atleast\] <level>\n/);
});

// ---- pjsip show|list ... like <regex> (ast_sip_cli_traverse_objects) ----

serverTest('pjsip_listings_filter_on_the_object_id_with_like_regex', {
	files: {
		'pjsip.conf': pjsipConf({
			alice: { password: 'a-secret', contact: 'sip:alice@127.0.0.1:9', match: '192.0.2.1' },
			albert: { password: 'b-secret', contact: 'sip:albert@127.0.0.1:9' },
			bob: { contact: 'sip:bob@127.0.0.1:9', match: '192.0.2.2' },
		}),
	},
}, async (srv) => {
	const ids = (out, label) => out.split('\n').filter((l) => new RegExp(`^ *${label}: {2}[^<]`).test(l))
		.map((l) => l.replace(/^ *\w+: {2}(\S+).*$/, '$1'));
	let out = (await srv.cli('pjsip show endpoints like ^al')).stdout;
	assert.deepEqual(ids(out, 'Endpoint'), ['alice', 'albert'], out);
	assert.match(out, /\nObjects found: 2\n\n$/, out);
	out = (await srv.cli('pjsip show endpoints like b$')).stdout;
	assert.deepEqual(ids(out, 'Endpoint'), ['bob'], out);
	// extended syntax: alternation and groups
	out = (await srv.cli('pjsip list endpoints like ^(bob|alice)$')).stdout;
	assert.deepEqual(ids(out, 'Endpoint'), ['alice', 'bob'], out);
	assert.doesNotMatch(out, /Aor:/, 'list: no nested rows');
	assert.equal((await srv.cli('pjsip show endpoints like ^zz')).stdout, 'No objects found.\n\n');
	assert.equal((await srv.cli('pjsip show endpoints like (')).stdout,
		'No container returned for object type endpoint.\n');
	assert.match((await srv.cli('pjsip show endpoints like')).stdout, /^Usage: pjsip show endpoints \[ like <pattern> \]/);
	out = (await srv.cli('pjsip show aors like ^al')).stdout;
	assert.deepEqual(ids(out, 'Aor'), ['alice', 'albert'], out);
	out = (await srv.cli('pjsip list aors like ^b')).stdout;
	assert.deepEqual(ids(out, 'Aor'), ['bob'], out);
	// a contact is matched as its row names it: <aor>/<uri>
	out = (await srv.cli('pjsip show contacts like ^albert/')).stdout;
	assert.deepEqual(ids(out, 'Contact'), ['albert/sip:albert@127.0.0.1:9'], out);
	out = (await srv.cli('pjsip list contacts like @127')).stdout;
	assert.equal(ids(out, 'Contact').length, 3, out);
	out = (await srv.cli('pjsip show auths like ^albert')).stdout;
	assert.deepEqual(ids(out, 'Auth'), ['albert-auth/albert'], out);
	out = (await srv.cli('pjsip list auths like ^zz')).stdout;
	assert.equal(out, 'No objects found.\n\n');
	out = (await srv.cli('pjsip show identifies like ^bob')).stdout;
	assert.deepEqual(ids(out, 'Identify'), ['bob-identify/bob'], out);
	out = (await srv.cli('pjsip show transports like udp$')).stdout;
	assert.deepEqual(ids(out, 'Transport'), ['transport-udp'], out);
	assert.equal((await srv.cli('pjsip show transports like ^tcp')).stdout, 'No objects found.\n\n');
	assert.equal((await srv.cli('pjsip show registrations like .')).stdout, 'No objects found.\n\n');
});

// ---- one object: pjsip show aor|auth|transport|contact <id>, channels ----

function paramTable(out) {
	const i = out.indexOf('\n ParameterName');
	assert.ok(i >= 0, out);
	const lines = out.slice(i + 1).split('\n');
	const col = lines[0].indexOf(' : ');
	assert.match(lines[1], /^ =+$/, out);
	const rows = {};
	for (const l of lines.slice(2)) {
		if (!l) break;
		assert.equal(l.indexOf(' : '), col, `column of ${l}`);
		rows[l.slice(1, col).trim()] = l.slice(col + 3);
	}
	// sorted by name, as ast_variable_list_sort
	assert.deepEqual(Object.keys(rows), Object.keys(rows).slice().sort(), out);
	return rows;
}

serverTest('pjsip_show_one_object_prints_its_rows_and_its_parameters', {
	files: {
		'pjsip.conf': pjsipConf({ alice: { password: 'Xy9-secret', contact: 'sip:alice@127.0.0.1:9' } }),
	},
}, async (srv) => {
	let out = (await srv.cli('pjsip show aor alice')).stdout;
	assert.match(out, /^\n {6}Aor: {2}<Aor\.+> {2}<MaxContact>\n {4}Contact: {2}<Aor\/ContactUri\.+>.*\n=+\n\n {6}Aor: {2}alice +1\n {4}Contact: {2}alice\/sip:alice@127\.0\.0\.1:9 /, out);
	let p = paramTable(out);
	assert.equal(p.contact, 'sip:alice@127.0.0.1:9');
	assert.equal(p.max_contacts, '1');
	assert.equal(p.remove_existing, 'true');
	assert.equal(p.qualify_timeout, '3.000000');
	assert.match(out, /\n\n$/);

	out = (await srv.cli('pjsip show auth alice-auth')).stdout;
	assert.match(out, /\n {5}Auth: {2}alice-auth\/alice\n/, out);
	p = paramTable(out);
	assert.equal(p.username, 'alice');
	assert.equal(p.auth_type, 'userpass');
	assert.doesNotMatch(out, /Xy9-secret/, 'no password on the screen');

	out = (await srv.cli('pjsip show transport transport-udp')).stdout;
	assert.ok(out.includes(`\nTransport:  ${'transport-udp'.padEnd(21)}     udp      0      0  127.0.0.1:${srv.sipPort}\n`), out);
	p = paramTable(out);
	assert.equal(p.protocol, 'udp');
	assert.equal(p.bind, `127.0.0.1:${srv.sipPort}`);

	const hash = crypto.createHash('md5').update('sip:alice@127.0.0.1:9').digest('hex');
	for (const id of [`alice;@${hash}`, 'alice/sip:alice@127.0.0.1:9']) {
		out = (await srv.cli(`pjsip show contact ${id}`)).stdout;
		assert.match(out, new RegExp(`\\n {2}Contact: {2}alice/sip:alice@127\\.0\\.0\\.1:9 +${hash.slice(0, 10)} NonQual`), out);
		p = paramTable(out);
		assert.equal(p.uri, 'sip:alice@127.0.0.1:9');
		assert.equal(p.expiration_time, '0', 'a static contact');
	}
	for (const what of ['aor', 'auth', 'transport', 'contact', 'endpoint'])
		assert.equal((await srv.cli(`pjsip show ${what} nobody`)).stdout, 'Unable to find object nobody.\n\n', what);
});

serverTest('pjsip_show_channels_lists_live_sip_channels_in_chan_pjsips_layout', {
	files: SIP_CALLS, timeout: 60000 * SLOW,
}, async (srv) => {
	const ws = await srv.events('cliapp');
	assert.equal((await srv.cli('pjsip show channels')).stdout, 'No objects found.\n\n');
	const { sipp, channel } = await answeredSipCall(srv, ws, { scenario: 'uac_call_server_bye' });
	// a Local channel is no PJSIP channel: not listed
	assert.equal((await originateLocal(srv, 1)).status, 200);
	let out = (await srv.cli('pjsip show channels')).stdout;
	const lines = out.split('\n');
	assert.equal(lines[1], `  Channel:  <ChannelId${'.'.repeat(40)}>  <State.....>  <Time.....>`, out);
	assert.equal(lines[2], `      Exten: <DialedExten${'.'.repeat(13)}>  CLCID: <ConnectedLineCID.......>`, out);
	assert.match(lines[3], /^=+$/);
	const row = lines.find((l) => l.startsWith(`  Channel: ${channel.name}/Stasis `));
	assert.ok(row, out);
	assert.equal(row.indexOf('Up'), 65, row);
	assert.match(row.slice(79), /^\d\d:\d\d:\d\d {3}$/, row);
	assert.match(out, /\n {6}Exten: 4242 +CLCID: "[^"]*" <[^>]*>\n\n\nObjects found: 1\n\n$/, out);
	out = (await srv.cli('pjsip list channels')).stdout;
	assert.doesNotMatch(out, /Exten:/);
	assert.match(out, /\nObjects found: 1\n\n$/);
	assert.equal((await srv.cli('pjsip show channels like ^Local')).stdout, 'No objects found.\n\n');
	assert.equal((await srv.del(`/ari/channels/${enc(channel.id)}`)).status, 204);
	assertSipp(await sipp.done, 0);
});

// ---- core show channel (main/cli.c handle_showchan) ----

serverTest('core_show_channel_prints_asterisks_fields_in_their_order', {
	files: SIP_CALLS, timeout: 60000 * SLOW,
}, async (srv) => {
	const ws = await srv.events('cliapp');
	const { sipp, channel } = await answeredSipCall(srv, ws, { scenario: 'uac_call_server_bye' });
	const b = await srv.post('/ari/bridges?type=mixing');
	assert.equal(b.status, 200);
	assert.equal((await srv.post(`/ari/bridges/${b.json.id}/addChannel?channel=${enc(channel.id)}`)).status, 204);
	await ws.waitFor('ChannelEnteredBridge');
	const out = (await srv.cli(`core show channel ${channel.name}`)).stdout;
	const labels = out.split('\n').map((l) => l.split(':')[0].trim()).filter(Boolean);
	assert.deepEqual(labels.slice(0, labels.indexOf('Variables') + 1), [
		'-- General --', 'Name', 'Type', 'UniqueID', 'LinkedID', 'Caller ID', 'Caller ID Name',
		'Connected Line ID', 'Connected Line ID Name', 'Eff. Connected Line ID', 'Eff. Connected Line ID Name',
		'DNID Digits', 'Language', 'State', 'NativeFormats', 'WriteFormat', 'ReadFormat', 'WriteTranscode',
		'ReadTranscode', 'Time to Hangup', 'Elapsed Time', 'Bridge ID', '--   PBX   --', 'Context', 'Extension',
		'Priority', 'Call Group', 'Pickup Group', 'Application', 'Data', 'Call Identifer', 'Variables']);
	const field = (name) => new RegExp(`^ *${name}: (.*)$`, 'm').exec(out)[1];
	assert.equal(field('Name'), channel.name);
	assert.equal(field('Type'), 'PJSIP');
	assert.equal(field('State'), 'Up (6)');
	assert.equal(field('NativeFormats'), '(ulaw)');
	assert.equal(field('WriteFormat'), 'ulaw');
	assert.equal(field('ReadFormat'), 'ulaw');
	assert.equal(field('Bridge ID'), b.json.id);
	assert.match(field('Elapsed Time'), /^\d+h\d+m\d+s$/);
	assert.equal(field('Eff. Connected Line ID'), field('Connected Line ID'));
	assert.equal(field('Application'), 'Stasis');
	assert.equal((await srv.cli('core show channel nosuch')).stdout, 'nosuch is not a known channel\n');
	await srv.del(`/ari/channels/${enc(channel.id)}`);
	assertSipp(await sipp.done, 0);
});

// ---- logger (main/logger.c) ----

// Log files in the layout of Asterisk's file channels (logger.c,
// LOGTYPE_FILE: "[date] LEVEL[pid] file.c: message", verbose lines
// labelled VERBOSE), which scripts and fail2ban grep; the console keeps
// Asterisk's console layout (line and function).
serverTest('log_files_have_asterisks_file_layout_and_the_console_its_console_layout', {
	files: { 'logger.conf': ini({ logfiles: { full: 'notice,warning,error,verbose' } }) },
}, async (srv) => {
	const ws = await srv.events('layoutapp');
	await srv.waitForLog(/Creating Stasis app 'layoutapp'/);
	assert.equal((await srv.get('/ari/asterisk/ping', { auth: 'asterisk:wrong' })).status, 401);
	await srv.waitForLog(/NOTICE\[\d+\]: http_conf\.c:\d+ ari_http_authenticate: ARI authentication failed/);
	const full = path.join(srv.logDir, 'full');
	let text = '';
	for (let i = 0; i < 50 && !/authentication failed/.test(text); i++) {
		await sleep(50);
		text = fs.existsSync(full) ? fs.readFileSync(full, 'utf8') : '';
	}
	assert.match(text, /^\[[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d\] NOTICE\[\d+\] http_conf\.c: ARI authentication failed for user 'asterisk'/m, text);
	assert.match(text, /^\[[^\]]+\] VERBOSE\[\d+\] \S+\.c:     -- Creating Stasis app 'layoutapp'$/m, text);
	assert.doesNotMatch(text, /\]: \S+\.c:\d+ /, 'no console layout in the file');
	await ws.close();
});

serverTest('logger_show_channels_has_asterisks_layout_and_logger_reload_reads_logger_conf', {
	files: { 'logger.conf': ini({ logfiles: { console: 'notice,warning,error,verbose', messages: 'notice,warning' } }) },
}, async (srv) => {
	let out = (await srv.cli('logger show channels')).stdout;
	// "%-35.35s %-8.8s %-10.10s %-9.9s ": a long path is cut at 35
	const head = (...c) => `${c[0].slice(0, 35).padEnd(35)} ${c[1].padEnd(8)} ${c[2].padEnd(10)} ${c[3].padEnd(9)} ${c[4]}`;
	const lines = out.split('\n');
	assert.equal(lines[0], head('Channel', 'Type', 'Formatter', 'Status', 'Configuration'), out);
	assert.equal(lines[1], head('-------', '----', '---------', '------', '-------------'), out);
	assert.equal(lines[2], head('console', 'Console', 'default', 'Enabled', ' - NOTICE WARNING ERROR VERBOSE '), out);
	assert.equal(lines[3], head(path.join(srv.logDir, 'messages'), 'File', 'default', 'Enabled', ' - NOTICE WARNING '), out);
	assert.match(out, /\n\n$/, 'a blank line ends it');
	assert.doesNotMatch(out, /queue/i);
	fs.writeFileSync(path.join(srv.confDir, 'logger.conf'), ini({ logfiles: { full: 'notice,warning,error' } }));
	const r = await srv.cli('logger reload');
	assert.equal(r.code, 0, r.stderr);
	assert.equal(r.stdout, '', 'silent, as Asterisk');
	out = (await srv.cli('logger show channels')).stdout;
	assert.ok(out.includes(`\n${head(path.join(srv.logDir, 'full'), 'File', 'default', 'Enabled', ' - NOTICE WARNING ERROR ')}\n`), out);
	assert.doesNotMatch(out, /messages/);
	// the console is back to its default levels (no console line in the file)
	assert.match(out, /\nconsole .* - DEBUG NOTICE WARNING ERROR VERBOSE \n/, out);
});

// ---- ari show (res/ari/cli.c, res_stasis's stasis_app_to_cli) ----

serverTest('ari_show_status_users_user_and_app_print_res_aris_layout', {
	files: { 'ari.conf': ini({ general: { enabled: 'yes', pretty: 'yes', allowed_origins: 'http://x.example' },
		asterisk: { type: 'user', password: 'asterisk' }, watcher: { type: 'user', password: 'w', read_only: 'yes' } }) },
}, async (srv) => {
	assert.equal((await srv.cli('ari show status')).stdout, 'ARI Status:\nEnabled: Yes\nOutput format: pretty\n' +
		'Auth realm: Asterisk REST Interface\nAllowed Origins: http://x.example\nUser count: 2\n');
	assert.equal((await srv.cli('ari show users')).stdout, 'r/o?  Username\n----  --------\nNo    asterisk\nYes   watcher\n');
	assert.equal((await srv.cli('ari show user watcher')).stdout, 'Username: watcher\nRead only?: Yes\n');
	assert.equal((await srv.cli('ari show user nobody')).stdout, "User 'nobody' not found\n");
	assert.match((await srv.cli('ari show user')).stdout, /^Usage: ari show user <username>/);
	const ws = await srv.events('cliapp');
	assert.equal((await originateLocal(srv, 1)).status, 200);
	const { channel } = await ws.waitFor('StasisStart');
	const b = await srv.post('/ari/bridges');
	assert.equal((await srv.post(`/ari/applications/cliapp/subscription?eventSource=bridge:${b.json.id}`)).status, 200);
	const out = (await srv.cli('ari show app cliapp')).stdout;
	assert.equal(out, 'Name: cliapp\n  Debug: No\n  Subscription Model: Application/Explicit Resource Subscription\n' +
		`  Subscriptions: 2\n    Channels:\n      ${channel.id} (1)\n    Bridges:\n      ${b.json.id} (1)\n` +
		'    Endpoints:\n');
	assert.equal((await srv.cli('ari show app nosuch')).stdout, '');
	await srv.events('allapp', { subscribeAll: true });
	assert.match((await srv.cli('ari show app allapp')).stdout, /^ {2}Subscription Model: Global Resource Subscription$/m);
	assert.match((await srv.cli('ari show apps')).stdout, /^Application Name {9}\n={25}\nallapp {19}\ncliapp {19}\n$/);
});

// ---- help ----

serverTest('help_is_core_show_help_and_every_command_says_what_it_does', async (srv) => {
	const list = (await srv.cli('core show help')).stdout;
	assert.equal((await srv.cli('help')).stdout, list);
	assert.doesNotMatch(list, /<no description available>/, list);
	for (const cmd of ['channel request hangup', 'core stop when convenient', 'core abort shutdown', 'core set debug',
		'pjsip show channels', 'pjsip list endpoints', 'pjsip show aor', 'pjsip reload', 'logger reload',
		'ari show users', 'ari show status', 'ari show app', 'help'])
		assert.match(list, new RegExp(`^ *${cmd} \\S`, 'm'), `${cmd} in\n${list}`);
	assert.match(list, /^ *core stop gracefully Causes ariadne to not accept new calls, and exit when all active calls have terminated normally\.$/m);
	assert.equal((await srv.cli('help core abort shutdown')).stdout, (await srv.cli('core show help core abort shutdown')).stdout);
});
