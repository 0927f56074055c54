'use strict';
// The README's voice-bot example as a client writes it: ari-client 2.2.0
// builds channels.externalMedia from our api-docs, the answer's channelvars
// reach the Channel object it returns, and the bot's socket opens on
// /media/<MEDIA_WEBSOCKET_CONNECTION_ID> with MEDIA_START first.
const assert = require('node:assert/strict');
const WebSocket = require('ws');
const { serverTest } = require('./lib/server');
serverTest('readme_example_calls_work_with_ari_client', async (srv) => {
	const client = await srv.ari();
	await client.start('bot');
	const media = await client.channels.externalMedia({
		app: 'bot', transport: 'websocket', encapsulation: 'none',
		connection_type: 'server', format: 'slin16', transport_data: 'f(json)' });
	const id = media.channelvars.MEDIA_WEBSOCKET_CONNECTION_ID;
	assert.ok(id);
	const bot = new WebSocket(`ws://127.0.0.1:${srv.port}/media/${id}`, 'media');
	const first = await new Promise((r) => bot.on('message', (d, bin) => { if (!bin) r(d.toString()); }));
	assert.match(first, /MEDIA_START/);
	const bridge = await client.bridges.create({ type: 'mixing' });
	await bridge.addChannel({ channel: [media.id] });
	await media.hangup();
	bot.close();
});

// The README's example itself, run as a user runs it (its code block, with
// only the server's address changed), for a real SIP caller: the caller
// hears its own tone back through the echoing bot, the bot joins the call's
// bridge only once it is in the app (an early addChannel got 422 and, in
// the old example, an unhandled rejection ended the bot), and when the
// caller hangs up nothing is left: no channel, no bridge.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { pjsipConf, spawnSipp, assertSipp, sleep, SLOW, REPO } = require('./lib/server');
const { SILENCE, listen, hears } = require('./lib/media_calls');
const { rtpPeer } = require('./lib/rtp');

function readmeExample() {
	const readme = fs.readFileSync(path.join(REPO, 'README.md'), 'utf8');
	const section = readme.slice(readme.indexOf('### External media: connect a call to your voice bot'));
	const m = /```js\n([\s\S]*?)```/.exec(section);
	assert.ok(m, 'the README has the example');
	return m[1];
}

serverTest('the_readme_voice_bot_example_echoes_a_sip_caller_and_leaves_nothing_behind', {
	timeout: 60000 * SLOW, ariadneConf: SILENCE,
	files: { 'pjsip.conf': pjsipConf({ alice: { match: '127.0.0.1', context: 'stasis-bot' } }) },
}, async (srv) => {
	const code = readmeExample();
	assert.ok(code.includes("'http://127.0.0.1:8088'"));
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ariadne-readme-'));
	const file = path.join(dir, 'bot.js');
	fs.writeFileSync(file, code.replace("'http://127.0.0.1:8088'", `'${srv.url}'`));
	let out = '';
	const app = spawn(process.execPath, [file], { env: { ...process.env, NODE_PATH: path.join(REPO, 'node_modules') } });
	app.stdout.on('data', (d) => { out += d; });
	app.stderr.on('data', (d) => { out += d; });
	const peer = await rtpPeer();
	let sipp = null;
	try {
		await srv.waitForLog(/Creating Stasis app 'bot'|Activating Stasis app 'bot'/);
		sipp = await spawnSipp({ scenario: 'path_uac_rtp_sink_bye', remote: srv, service: 'a', duration: 6000,
			timeoutMs: 50000 * SLOW, keys: { from_user: 'alice', rtp_port: peer.port } });
		await peer.learnRemote();
		// The call and its bot in one bridge, once the bot is in the app.
		for (let i = 0; i < 50; i++) {
			const b = (await srv.get('/ari/bridges')).json;
			if (b.length === 1 && b[0].channels.length === 2) break;
			await sleep(100);
		}
		const bridges = (await srv.get('/ari/bridges')).json;
		assert.equal(bridges.length, 1, JSON.stringify(bridges));
		assert.equal(bridges[0].channels.length, 2, JSON.stringify(bridges));
		peer.say(1000);
		hears(await listen([{ exten: 'a', peer }]), 'a', 1000);
		peer.say(null);
		assertSipp(await sipp.done, 0, 'the caller');
		for (let i = 0; i < 50; i++) {
			if (!(await srv.get('/ari/bridges')).json.length && !(await srv.get('/ari/channels')).json.length) break;
			await sleep(100);
		}
		assert.deepEqual((await srv.get('/ari/bridges')).json, [], 'the bridge is left behind');
		assert.deepEqual((await srv.get('/ari/channels')).json, [], 'a channel is left behind');
		assert.equal(app.exitCode, null, `the example's process ended:\n${out}`);
		assert.doesNotMatch(out, /Error|Unhandled/, out);
	} finally {
		if (sipp) await sipp.stop();
		await peer.close();
		app.kill();
		fs.rmSync(dir, { recursive: true, force: true });
	}
});
