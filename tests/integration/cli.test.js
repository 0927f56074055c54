'use strict';
// The daemon's command line: -rx over the unix socket, --version, signals.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { execFile } = require('node:child_process');
const { test } = require('node:test');
const crypto = require('node:crypto');
const {
	serverTest, BIN, REPO, sleep, ini, pjsipConf, runSipp, spawnSipp, assertSipp, freeUdpPort,
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
	assert.match(out, /\nObjects found: 2\n$/);

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
	out = (await srv.cli('pjsip show endpoint nobody')).stdout;
	assert.equal(out, 'Unable to find object nobody.\n\n');

	out = (await srv.cli('pjsip show aors')).stdout;
	assert.match(out, /\n {6}Aor: {2}alice +1\n {4}Contact: {2}alice\/sip:alice@/, out);

	// The endpoints header names the channel's Exten/CLCID line, too.
	assert.match((await srv.cli('pjsip show endpoints')).stdout,
		/\n {8}Exten: <DialedExten\.+>  CLCID: <ConnectedLineCID\.+>\n=+\n/);
	out = (await srv.cli('pjsip show transports')).stdout;
	assert.match(out, /^\nTransport: {2}<TransportId\.+> {2}<Type> {2}<cos> {2}<tos> {2}<BindAddress\.+>\n=+\n\n/, out);
	assert.match(out, new RegExp(`\nTransport: {2}transport-udp +udp +0 +0 {2}127\\.0\\.0\\.1:${srv.sipPort}\n`), out);
	assert.match(out, /\nObjects found: 1\n$/, out);
	out = (await srv.cli('pjsip show auths')).stdout;
	assert.match(out, /^\n {2}I\/OAuth: {2}<AuthId\/UserName\.+>\n=+\n\n {5}Auth: {2}alice-auth\/alice\n\nObjects found: 1\n$/, out);
	out = (await srv.cli('pjsip show identifies')).stdout;
	assert.match(out, /\n Identify: {2}trunk-identify\/trunk\n {6}Match: {2}192\.0\.2\.0\/24\n/, out);
	assert.match(out, /\nObjects found: 1\n$/, out);
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
		const i = out.indexOf(`    Channel:  ${channel.name} `);
		assert.ok(i >= 0, out);
		const next = out.slice(i).split('\n')[1];
		assert.match(next, /^ {8}Exten: 4242 {20} {2}CLCID: "[^"]*" <[^>]*>$/, out);
		assert.equal((await srv.del(`/ari/channels/${encodeURIComponent(channel.id)}`)).status, 204);
	} finally {
		await sipp.stop();
	}
});

serverTest('core_reload_and_reload_reload_every_module_that_can', async (srv) => {
	for (const cmd of ['core reload', 'reload', 'module reload']) {
		const from = srv.stderr.length;
		const r = await srv.cli(cmd);
		assert.equal(r.code, 0, r.stderr);
		assert.match(r.stdout, /^Reloaded [1-9]\d* modules?\n$/, `${cmd}: ${r.stdout}`);
		await srv.waitForLog(/Reloaded pbx_config\.so/);
		assert.match(srv.stderr.slice(from), /Reloaded pbx_config\.so/, cmd);
	}
	assert.match((await srv.cli('core reload now')).stdout, /^Usage: core reload/);
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
