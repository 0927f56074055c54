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
