'use strict';
// transport_data=f(twilio): the WebSocket media channel speaks Twilio Media
// Streams (an ariadne extension, README "External media"), so that a bot
// written for Twilio runs unchanged: connected, start, media (base64
// µ-law), mark, clear, stop, dtmf. Checked against Twilio's documented
// messages (www.twilio.com/docs/voice/media-streams/websocket-messages).
//
// As in external_media.test.js, the "caller" A is a plain WebSocket media
// channel in one mixing bridge with the Twilio channel B, so what B's bot
// sends is exactly what A's bot hears.
const assert = require('node:assert/strict');
const { sleep, SLOW } = require('./lib/server');
const {
	TICK, TOL, now, botServer, externalMedia, serverChannel, mixBridge, emTest, goertzel, hangup,
} = require('./lib/media_ws');
const { toneFrame, ulawDecode } = require('./lib/rtp');

const APP = 'bot';
const b64 = (buf) => buf.toString('base64');
const tone = (hz, frames) => Buffer.concat(Array.from({ length: frames }, () => toneFrame(hz)));
/** Frames heard by a bot since index `from` that carry `hz`. */
const heard = (bot, from, hz) => bot.since(from).filter((f) => goertzel(Array.from(f.data, ulawDecode), hz, 8000) > 2000);

/** A (plain ulaw) and B (Twilio) bridged; B's bot has had connected and start. */
async function twilioPair(srv, ev, opts = {}) {
	const A = await serverChannel(srv, ev, { app: APP, format: 'ulaw', name: 'A' });
	const B = await serverChannel(srv, ev, { app: APP, format: 'ulaw', name: 'twilio', transportData: 'f(twilio)', ...opts });
	await B.bot.waitEvent('start');
	await mixBridge(srv, ev, [A.id, B.id]);
	return { A, B, sid: B.bot.events[1].streamSid };
}

const media = (sid, buf) => ({ event: 'media', streamSid: sid, media: { payload: b64(buf) } });

emTest('twilio_format_speaks_media_streams_connected_start_media_mark_clear_stop', { app: APP, timeout: 60000 * SLOW },
	async (srv, ev) => {
		const { A, B, sid } = await twilioPair(srv, ev);
		const bot = B.bot;
		// connected, then start, before anything else.
		assert.deepEqual(bot.events.slice(0, 2).map((e) => e.event), ['connected', 'start'], bot.summary());
		const [connected, start] = bot.events;
		assert.equal(connected.protocol, 'Call');
		assert.equal(connected.version, '1.0.0');
		assert.ok(sid && start.start && start.start.streamSid === sid, JSON.stringify(start));
		assert.deepEqual(start.start.mediaFormat, { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 });
		assert.equal(bot.frames.length, 0, 'BINARY frames in Twilio format');

		// A speaks 1000 Hz: the bot gets media messages, base64 µ-law, 160 bytes.
		const talk = A.bot.sendPaced(tone(1000, 100), 160);
		await talk.done;
		await sleep(200);
		const msgs = bot.filter('media');
		assert.ok(msgs.length >= 90, `${msgs.length} media messages`);
		for (const m of msgs) assert.equal(m.streamSid, sid);
		const payloads = msgs.map((m) => Buffer.from(m.media.payload, 'base64'));
		assert.ok(payloads.every((p) => p.length === 160), 'payloads of other than 160 bytes');
		const toned = payloads.filter((p) => goertzel(Array.from(p, ulawDecode), 1000, 8000) > 2000);
		assert.ok(toned.length >= 95, `the bot heard 1000 Hz in ${toned.length} of 100 frames`);
		const seqs = msgs.map((m) => Number(m.sequenceNumber)).filter((n) => !Number.isNaN(n));
		for (let i = 1; i < seqs.length; i++) assert.ok(seqs[i] > seqs[i - 1], 'sequenceNumber not increasing');

		// The bot speaks 1500 Hz, 1 s at once, then a mark: A hears it paced, then the mark comes back.
		const fromA = A.bot.frames.length;
		for (let i = 0; i < 50; i++) bot.sendTwilio(media(sid, toneFrame(1500)));
		bot.sendTwilio({ event: 'mark', streamSid: sid, mark: { name: 'sentence-1' } });
		const mark = await bot.waitEvent('mark', (e) => e.mark && e.mark.name === 'sentence-1', 3000 * SLOW);
		assert.equal(mark.streamSid, sid);
		await sleep(100);
		const aHeard = heard(A.bot, fromA, 1500);
		assert.ok(Math.abs(aHeard.length - 50) <= 1, `A heard 1500 Hz in ${aHeard.length} frames`);
		assert.ok(mark._t >= aHeard[aHeard.length - 1].t - TICK - TOL, 'mark before the audio was played');
		assert.ok(Math.abs(aHeard[aHeard.length - 1].t - aHeard[0].t - 49 * TICK) <= TOL, 'not paced');

		// clear: the queued audio is dropped, the pending mark comes back.
		for (let i = 0; i < 500; i++) bot.sendTwilio(media(sid, toneFrame(2000)));
		bot.sendTwilio({ event: 'mark', streamSid: sid, mark: { name: 'long-answer' } });
		await sleep(500);
		const tClear = now();
		bot.sendTwilio({ event: 'clear', streamSid: sid });
		const m2 = await bot.waitEvent('mark', (e) => e.mark && e.mark.name === 'long-answer', 1000 * SLOW);
		assert.ok(m2._t - tClear <= 2 * TICK + TOL, `cleared mark returned ${(m2._t - tClear).toFixed(1)} ms after clear`);
		await sleep(500);
		const lateTone = A.bot.frames.filter((f) => f.t > tClear + 2 * TICK + TOL &&
			goertzel(Array.from(f.data, ulawDecode), 2000, 8000) > 2000);
		assert.equal(lateTone.length, 0, `A heard ${lateTone.length} frames after clear`);

		// Hangup: stop is the last message, then the socket closes.
		await hangup(srv, ev, B);
		const last = bot.events[bot.events.length - 1];
		assert.equal(last.event, 'stop', bot.summary().slice(-500));
		assert.equal(last.streamSid, sid);
		await hangup(srv, ev, A);
	});

emTest('twilio_start_is_shaped_as_twilios_with_only_the_apps_parameters', { app: APP }, async (srv, ev) => {
	const B = await serverChannel(srv, ev, {
		app: APP, format: 'ulaw', name: 'twilio', transportData: 'f(twilio)',
		body: { variables: { caller_lang: 'fr', ticket: '42' } },
	});
	await B.bot.waitEvent('start');
	const start = B.bot.events[1];
	// Twilio's Stream SIDs: MZ and 32 hex digits (Streams subresource).
	assert.match(start.streamSid, /^MZ[0-9a-f]{32}$/);
	assert.equal(start.sequenceNumber, '1');
	// <Connect><Stream> carries the inbound track only (Twilio error 31941),
	// and only inbound media is ever sent.
	assert.deepEqual(start.start.tracks, ['inbound']);
	// customParameters: what the stream was given, not the server's own
	// MEDIA_WEBSOCKET_* variables.
	assert.deepEqual(start.start.customParameters, { caller_lang: 'fr', ticket: '42' });
	await hangup(srv, ev, B);
});

emTest('twilio_a_whole_spoken_answer_in_one_media_message_is_played', { app: APP, timeout: 60000 * SLOW },
	async (srv, ev) => {
		const { A, B, sid } = await twilioPair(srv, ev);
		// 2 s of µ-law (16 000 bytes) in one message: 21 KB of JSON, more
		// than a chan_websocket command may be; Twilio sets no such limit.
		const fromA = A.bot.frames.length;
		B.bot.sendTwilio(media(sid, tone(1500, 100)));
		B.bot.sendTwilio({ event: 'mark', streamSid: sid, mark: { name: 'whole' } });
		const mark = await B.bot.waitEvent('mark', (e) => e.mark && e.mark.name === 'whole', 5000 * SLOW);
		await sleep(100);
		const aHeard = heard(A.bot, fromA, 1500);
		assert.ok(Math.abs(aHeard.length - 100) <= 1, `A heard 1500 Hz in ${aHeard.length} of 100 frames`);
		assert.ok(mark._t >= aHeard[aHeard.length - 1].t - TICK - TOL, 'mark before the audio was played');
		await hangup(srv, ev, A, B);
	});

emTest('twilio_payloads_wrapped_in_lines_are_taken_and_what_is_not_base64_is_dropped_and_logged', { app: APP },
	async (srv, ev) => {
		const { A, B, sid } = await twilioPair(srv, ev);
		// MIME encoders (Python's base64.encodebytes, Java's MIME encoder)
		// break lines every 76 characters.
		const wrapped = b64(tone(1500, 25)).replace(/.{76}/g, '$&\r\n');
		let fromA = A.bot.frames.length;
		B.bot.sendTwilio({ event: 'media', streamSid: sid, media: { payload: wrapped } });
		B.bot.sendTwilio({ event: 'mark', streamSid: sid, mark: { name: 'wrapped' } });
		await B.bot.waitEvent('mark', (e) => e.mark && e.mark.name === 'wrapped', 3000 * SLOW);
		await sleep(60);
		const got = heard(A.bot, fromA, 1500).length;
		assert.ok(Math.abs(got - 25) <= 1, `A heard the wrapped payload in ${got} of 25 frames`);

		// Not base64: nothing is played (no noise), and the log says why.
		fromA = A.bot.frames.length;
		const noisy = (f) => { const s = Array.from(f.data, ulawDecode); return Math.max(...s.map(Math.abs)) > 200; };
		B.bot.sendTwilio({ event: 'media', streamSid: sid, media: { payload: '!!!!####' } });
		B.bot.sendTwilio({ event: 'media', streamSid: sid, media: { payload: b64(tone(1500, 5)).replace(/A/g, '*') } });
		B.bot.sendTwilio({ event: 'mark', streamSid: sid, mark: { name: 'after-bad' } });
		await B.bot.waitEvent('mark', (e) => e.mark && e.mark.name === 'after-bad', 3000 * SLOW);
		await sleep(100);
		const bad = A.bot.since(fromA).filter(noisy);
		assert.equal(bad.length, 0, `A heard ${bad.length} frames of an invalid payload`);
		await srv.waitForLog(/NOTICE\[\d+\].*WebSocket\/.*: Twilio media stream: media payload is not base64, ignored \(1 bad message so far\)/);
		// An event Twilio does not define is logged too; one it sends and a
		// bot may echo is not.
		B.bot.sendTwilio({ event: 'start', streamSid: sid });
		B.bot.sendTwilio({ event: 'speak', streamSid: sid });
		await srv.waitForLog(/Twilio media stream: Unknown event 'speak' \(3 bad messages so far\)/);
		await hangup(srv, ev, A, B);
	});

emTest('twilio_bots_may_queue_more_than_chan_websockets_20_s', { app: APP, timeout: 60000 * SLOW }, async (srv, ev) => {
	const { A, B, sid } = await twilioPair(srv, ev);
	// 30 s of audio as fast as a speech engine makes it: a Twilio bot has
	// no MEDIA_XOFF, so nothing of it may be dropped.
	for (let i = 0; i < 300; i++) B.bot.sendTwilio(media(sid, tone(1500, 5)));
	B.bot.sendTwilio({ event: 'mark', streamSid: sid, mark: { name: 'end' } });
	await sleep(1000);
	assert.doesNotMatch(srv.stderr, /queue full/, 'audio of a Twilio bot dropped');
	assert.equal(B.bot.filter('mark').length, 0, 'the mark came back before its audio was played');
	// clear: everything queued goes, the mark comes back at once.
	const t0 = now();
	B.bot.sendTwilio({ event: 'clear', streamSid: sid });
	const m = await B.bot.waitEvent('mark', (e) => e.mark && e.mark.name === 'end', 1000 * SLOW);
	assert.ok(m._t - t0 <= 2 * TICK + TOL, `mark ${(m._t - t0).toFixed(1)} ms after clear`);
	await hangup(srv, ev, A, B);
});

emTest('twilio_format_works_in_client_mode', {
	app: APP,
	prepare: async () => { const bots = await botServer({ name: 'twilio-bot' }); return { bots, close: () => bots.close() }; },
}, async (srv, ev, t, { bots }) => {
	// A bot written for Twilio is a WebSocket server: ariadne dials it.
	const r = await externalMedia(srv, { app: APP, transport: 'websocket', encapsulation: 'none',
		external_host: bots.url('/twilio'), format: 'ulaw', transport_data: 'f(twilio)' });
	assert.equal(r.status, 200, r.body);
	const bot = await bots.next();
	bot.mode = 'twilio';
	await bot.waitEvent('start');
	assert.deepEqual(bot.events.slice(0, 2).map((e) => e.event), ['connected', 'start']);
	await ev.waitFor((e) => e.type === 'StasisStart' && e.channel.id === r.json.id);
	await hangup(srv, ev, { id: r.json.id, name: r.json.name, bot });
	assert.equal(bot.events[bot.events.length - 1].event, 'stop');
});
