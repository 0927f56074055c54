'use strict';
// External media on real SIP calls: a SIPp caller (its RTP at a socket of
// the test, lib/rtp.js and lib/media_calls.js) in a mixing bridge with a
// WebSocket media channel whose bot (lib/media_ws.js) echoes: the caller
// hears its own voice back, measured with Goertzel at the caller's socket.
// The caller's RFC 4733 digits reach the bot as DTMF_END, and a caller
// that hangs up (SIP BYE) lets the app hang the bot up, whose socket then
// closes with 1000 (T11 d with a real caller leg). GET /ari/channels is []
// after every test.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSipp, assertSipp, withSipp, pjsipConf, SIPP_DIR, SLOW, sleep } = require('./lib/server');
const { SILENCE, call, hangupAll, cleanup, listen, hears, deafTo, oneFramePerTick } = require('./lib/media_calls');
const { rtpPeer } = require('./lib/rtp');
const {
	FRAME, serverChannel, mixBridge, hangup, channelEnds, emTest, toneFrames,
} = require('./lib/media_ws');

const enc = encodeURIComponent;
const APP = 'agent';
const CONF = {
	app: APP, timeout: 60000 * SLOW, ariadneConf: SILENCE,
	files: { 'pjsip.conf': pjsipConf({ alice: { match: '127.0.0.1', context: `stasis-${APP}` } }) },
};

emTest('a_sip_caller_hears_its_own_voice_back_through_an_echoing_bot', CONF, async (srv, ev) => {
	const calls = [];
	try {
		calls.push(await call(srv, ev, 'a'));
		const [a] = calls;
		const bot = await serverChannel(srv, ev, { app: APP, format: 'slin16', name: 'echo', transportData: 'f(json)' });
		bot.bot.echo = true;
		await mixBridge(srv, ev, [a.id, bot.id]);
		await a.peer.say(1000);
		const h = await listen(calls);
		hears(h, 'a', 1000);
		deafTo(h, 'a', 2000);
		oneFramePerTick(h, 'a');
		// The bot got the caller as slin16: 640-byte frames with the tone.
		const frames = bot.bot.frames.slice(-50);
		assert.ok(frames.every((f) => f.data.length === FRAME.slin16));
		assert.ok(toneFrames(frames, 1000, 16000).length >= 45, 'the bot did not hear the caller');
		// The bot stops echoing: the caller hears silence, still a frame a tick.
		bot.bot.echo = false;
		const q = await listen(calls);
		deafTo(q, 'a', 1000);
		oneFramePerTick(q, 'a');
		await hangup(srv, ev, bot);
		await hangupAll(srv, calls);
	} finally {
		await cleanup(calls);
	}
});

emTest('a_sip_callers_digits_reach_the_bot_as_dtmf_end', CONF, async (srv, ev) => {
	const bot = await serverChannel(srv, ev, { app: APP, format: 'ulaw', name: 'bot', transportData: 'f(json)' });
	const caller = await spawnSipp({ scenario: 'uac_dtmf', remote: srv, service: 'dtmf', duration: 500,
		timeoutMs: 40000 * SLOW, keys: { from_user: 'alice' } });
	await withSipp(caller, async () => {
		const { channel: a } = await ev.waitFor((e) => e.type === 'StasisStart' && e.channel.dialplan.exten === 'dtmf');
		await mixBridge(srv, ev, [bot.id, a.id]);
		// Answered only now: SIPp sends its digits 500 ms after its ACK.
		assert.equal((await srv.post(`/ari/channels/${enc(a.id)}/answer`)).status, 204);
		await bot.bot.until(() => (bot.bot.filter('DTMF_END').length >= 3 ? true : undefined), 'three DTMF_END',
			10000 * SLOW);
		assert.deepEqual(bot.bot.filter('DTMF_END').map((e) => e.digit), ['1', '2', '#']);
		assert.ok(bot.bot.filter('DTMF_END').every((e) => e.channel_id === bot.id));
		// The caller hangs up by itself (BYE): the app then hangs up the bot.
		await channelEnds(ev, a.id, { timeoutMs: 10000 * SLOW });
		assertSipp(await caller.done, 0, 'DTMF caller');
		await hangup(srv, ev, bot);
	});
});

/** path_uac_rtp_sink with the BYE sent by the caller `ms` after its ACK. */
function callerByeScenario(ms) {
	const sink = fs.readFileSync(path.join(SIPP_DIR, 'path_uac_rtp_sink.xml'), 'latin1');
	const head = sink.slice(0, sink.indexOf('<recv request="BYE"/>'));
	const bye = `  <pause milliseconds="${ms}"/>
  <send retrans="500">
    <![CDATA[

      BYE [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: "[from_user]" <sip:[from_user]@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 2 BYE
      Contact: <sip:[from_user]@[local_ip]:[local_port]>
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
  <recv response="200" crlf="true"/>
</scenario>
`;
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ariadne-em-sipp-'));
	const file = path.join(dir, 'uac_rtp_sink_bye.xml');
	fs.writeFileSync(file, head.replace('name="path_uac_rtp_sink"', 'name="uac_rtp_sink_bye"') + bye);
	return { file, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

emTest('a_caller_hanging_up_lets_the_app_hang_up_the_bot_whose_socket_closes_with_1000', CONF, async (srv, ev) => {
	const scen = callerByeScenario(3000 * SLOW);
	const peer = await rtpPeer();
	const sipp = await spawnSipp({ scenario: scen.file, remote: srv, service: 'bye', timeoutMs: 40000 * SLOW,
		keys: { from_user: 'alice', rtp_port: peer.port } });
	try {
		await withSipp(sipp, async () => {
			const { channel: a } = await ev.waitFor((e) => e.type === 'StasisStart' && e.channel.dialplan.exten === 'bye');
			assert.equal((await srv.post(`/ari/channels/${enc(a.id)}/answer`)).status, 204);
			const bot = await serverChannel(srv, ev, { app: APP, format: 'slin16', name: 'bot' });
			bot.bot.echo = true;
			await mixBridge(srv, ev, [a.id, bot.id]);
			await peer.say(1000);
			// The caller goes: BYE.
			await channelEnds(ev, a.id, { timeoutMs: 10000 * SLOW });
			assertSipp(await sipp.done, 0, 'caller');
			// The bot's channel is not taken down with it (ARI apps decide).
			await sleep(200);
			assert.ok(bot.bot.open, 'the bot lost its socket with the caller');
			// The app hangs the bot up: its socket closes with 1000.
			await hangup(srv, ev, bot);
		});
	} finally {
		await sipp.stop();
		await peer.close();
		scen.remove();
	}
});

emTest('comfort_noise_from_the_caller_does_not_upset_the_bot', CONF, async (srv, ev) => {
	// CN packets (RTP payload type 13) in the caller's stream must be
	// skipped on the way to the bot (Asterisk #1587 hung the socket up).
	const calls = [];
	try {
		calls.push(await call(srv, ev, 'a'));
		const [a] = calls;
		const bot = await serverChannel(srv, ev, { app: APP, format: 'slin16', name: 'bot', transportData: 'f(json)' });
		await mixBridge(srv, ev, [a.id, bot.id]);
		for (let i = 0; i < 25; i++) {
			a.peer.send(13, Buffer.from([0x40]));
			await sleep(20);
		}
		await a.peer.say(1000);
		await sleep(800);
		assert.ok(bot.bot.open, 'the bot lost its socket to comfort noise');
		assert.ok(bot.bot.frames.every((f) => f.data.length === FRAME.slin16),
			`frames of other sizes: ${[...new Set(bot.bot.frames.map((f) => f.data.length))]}`);
		assert.ok(toneFrames(bot.bot.frames.slice(-25), 1000, 16000).length >= 20, 'the caller is not heard after CN');
		assert.equal(bot.bot.filter('ERROR').length, 0, bot.bot.summary());
		await hangup(srv, ev, bot);
		await hangupAll(srv, calls);
	} finally {
		await cleanup(calls);
	}
});
