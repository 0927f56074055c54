'use strict';
// StasisBroadcast() and POST /events/claim: the channel is offered to the
// active apps (CallBroadcast), the first claim wins (204, StasisStart in the
// winner), later claims get 409, nobody claiming gives STASISSTATUS=TIMEOUT.
const assert = require('node:assert/strict');
const { serverTest, SLOW } = require('./lib/server');

const enc = encodeURIComponent;
const claim = (srv, id, app) =>
	srv.post(`/ari/events/claim?channelId=${enc(id)}&application=${enc(app)}`);

// After the broadcast the dialplan reports STASISSTATUS (and the winner) to
// app `report` as StasisStart args.
const dialplan = (bcastArgs) => ({
	'extensions.conf': '[bc]\n' +
		`exten => 100,1,StasisBroadcast(${bcastArgs})\n` +
		' same => n,Stasis(report,${STASISSTATUS},${BROADCAST_WINNER})\n',
});

serverTest('first_claim_wins_the_channel_and_a_later_claim_gets_409', {
	files: dialplan('10000,,,yes'),
}, async (srv) => {
	const a = await srv.events('bc-a');
	const b = await srv.events('bc-b');
	const report = await srv.events('report');
	const orig = await srv.events('orig');
	await srv.originate({ endpoint: 'Local/100@bc', app: 'orig', callerId: 'Alice <2001>' });
	const offerA = await a.waitFor('CallBroadcast');
	const offerB = await b.waitFor('CallBroadcast');
	await orig.waitFor('CallBroadcast');
	const id = offerA.channel.id;
	assert.equal(offerB.channel.id, id);
	assert.equal(offerA.called, '100');
	assert.equal(typeof offerA.caller, 'string');
	assert.equal(offerA.application, 'bc-a');

	let r = await claim(srv, id, 'bc-a');
	assert.equal(r.status, 204, r.body);
	r = await claim(srv, id, 'bc-b');
	assert.equal(r.status, 409, r.body);
	assert.deepEqual(r.json, { message: 'Channel has already been claimed by another application' });

	const start = await a.waitFor('StasisStart');
	assert.equal(start.channel.id, id);
	assert.deepEqual(start.args, []);
	// notify_claimed=yes: every offered app hears who won.
	for (const ws of [a, b]) {
		const c = await ws.waitFor('CallClaimed');
		assert.equal(c.winner_app, 'bc-a');
		assert.equal(c.channel.id, id);
	}
	await b.expectNone('StasisStart', 200, 'loser got the channel');

	// Still 409 while the winner holds the channel.
	r = await claim(srv, id, 'bc-b');
	assert.equal(r.status, 409, r.body);

	// Leaving the app: STASISSTATUS=SUCCESS and the dialplan goes on.
	r = await srv.post(`/ari/channels/${enc(id)}/continue`);
	assert.equal(r.status, 204, r.body);
	await a.waitFor('StasisEnd');
	const rep = await report.waitFor('StasisStart');
	assert.equal(rep.channel.id, id);
	assert.deepEqual(rep.args, ['SUCCESS', 'bc-a']);
	// The broadcast is over: no longer claimable.
	r = await claim(srv, id, 'bc-b');
	assert.equal(r.status, 404, r.body);
});

serverTest('unclaimed_broadcast_times_out_and_the_dialplan_continues', {
	files: dialplan('300'),
}, async (srv) => {
	const a = await srv.events('bc-t');
	const report = await srv.events('report');
	await srv.events('orig');
	await srv.originate({ endpoint: 'Local/100@bc', app: 'orig' });
	const offer = await a.waitFor('CallBroadcast');
	const rep = await report.waitFor('StasisStart', 5000 * SLOW);
	assert.equal(rep.channel.id, offer.channel.id);
	assert.equal(rep.args[0], 'TIMEOUT');
	const r = await claim(srv, offer.channel.id, 'bc-t');
	assert.equal(r.status, 404, r.body);
	await a.expectNone('StasisStart', 100, 'StasisStart after timeout');
});

serverTest('claim_error_statuses', { files: dialplan('10000') }, async (srv) => {
	const a = await srv.events('bc-e');
	await srv.events('orig');
	const caller = await srv.originate({ endpoint: 'Local/100@bc', app: 'orig' });
	const offer = await a.waitFor('CallBroadcast');
	const id = offer.channel.id;

	let r = await srv.post(`/ari/events/claim?application=bc-e`);
	assert.equal(r.status, 400, r.body);
	r = await srv.post(`/ari/events/claim?channelId=${enc(id)}`);
	assert.equal(r.status, 400, r.body);
	r = await claim(srv, 'no-such-channel', 'bc-e');
	assert.equal(r.status, 404, r.body);
	// A channel that exists but is not being broadcast.
	r = await claim(srv, caller.id, 'bc-e');
	assert.equal(r.status, 404, r.body);
	// An app that is not registered cannot take the call; the offer stays.
	r = await claim(srv, id, 'nobody-home');
	assert.equal(r.status, 404, r.body);
	assert.deepEqual(r.json, { message: 'Application not found' });
	// ari-client knows the operation by its nickname.
	const client = await srv.ari();
	await client.events.claimChannel({ channelId: id, application: 'bc-e' });
	const start = await a.waitFor('StasisStart');
	assert.equal(start.channel.id, id);
	// notify_claimed defaults to no, as in Asterisk.
	await a.expectNone('CallClaimed', 200, 'CallClaimed without notify_claimed');
});

serverTest('app_filter_limits_the_offer_and_args_reach_the_winner', {
	files: dialplan('10000,^sales-,vip:gold,yes'),
}, async (srv) => {
	const sales = await srv.events('sales-1');
	const support = await srv.events('support-1');
	await srv.events('orig');
	await srv.originate({ endpoint: 'Local/100@bc', app: 'orig' });
	const offer = await sales.waitFor('CallBroadcast');
	await support.expectNone('CallBroadcast', 200, 'offer to an app outside app_filter');
	const r = await claim(srv, offer.channel.id, 'sales-1');
	assert.equal(r.status, 204, r.body);
	const start = await sales.waitFor('StasisStart');
	assert.deepEqual(start.args, ['vip', 'gold']);
	await sales.waitFor('CallClaimed');
	await support.expectNone('CallClaimed', 100, 'CallClaimed to an app outside app_filter');
});

serverTest('hangup_while_offered_ends_the_broadcast', { files: dialplan('10000') }, async (srv) => {
	const a = await srv.events('bc-h');
	await srv.events('orig');
	await srv.originate({ endpoint: 'Local/100@bc', app: 'orig' });
	const offer = await a.waitFor('CallBroadcast');
	let r = await srv.del(`/ari/channels/${enc(offer.channel.id)}`);
	assert.equal(r.status, 204, r.body);
	await srv.waitChannelGone(offer.channel.id);
	r = await claim(srv, offer.channel.id, 'bc-h');
	assert.equal(r.status, 404, r.body);
});
