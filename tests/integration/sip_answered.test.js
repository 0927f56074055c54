'use strict';
// Answered INVITEs (src/sip/sip_answered.c): libre's server transaction is
// cut short after the 2xx and ariadne itself remembers the INVITE for
// 64*T1 = 32 s, so that a retransmission of it (a caller that never heard
// our responses) is absorbed as RFC 6026 wants, instead of becoming a
// second call. Observable: the retransmission gets no answer and makes no
// channel long after libre's transaction is gone; a new INVITE still does;
// the loop's timers come back to where they were once a call has ended
// (libre kept one for 32 s per answered INVITE); and the remembered count
// is in /metrics.
const assert = require('node:assert/strict');
const { serverTest, pjsipConf, sleep, SLOW } = require('./lib/server');
const { udpPeer } = require('./lib/udp_peer');

const enc = encodeURIComponent;
const OPEN = { files: { 'pjsip.conf': pjsipConf({ alice: { match: '127.0.0.1' } }) }, timeout: 60000 };

/** An INVITE from `peer` with an SDP offer. */
function invite(peer, srv, id) {
	const sdp = ['v=0', `o=- ${id.length} 1 IN IP4 127.0.0.1`, 's=-', 'c=IN IP4 127.0.0.1', 't=0 0',
		'm=audio 40000 RTP/AVP 0', 'a=rtpmap:0 PCMU/8000', ''].join('\r\n');
	return peer.invite(srv, id, sdp);
}

const toTag = (m) => /^To:.*;tag=([^;\r\n]+)/mi.exec(m)[1];
const status = (code) => (m) => m.startsWith(`SIP/2.0 ${code} `);

function ackFor(inv, ok) {
	return inv.split('\r\n\r\n')[0]
		.replace('INVITE sip:', 'ACK sip:')
		.replace(/branch=z9hG4bK-([^\r\n;]+)/, 'branch=z9hG4bK-ack-$1')
		.replace('CSeq: 1 INVITE', 'CSeq: 1 ACK')
		.replace(/^To: (.*)$/m, `To: $1;tag=${toTag(ok)}`)
		.replace(/^Content-Type:.*\r\n/m, '')
		.replace(/^Content-Length:.*$/m, 'Content-Length: 0') + '\r\n\r\n';
}

/** Call in from the peer, answer over ARI, ACK the 200: the call is up. */
async function answeredCall(srv, ws, peer, id) {
	const inv = invite(peer, srv, id);
	await peer.send(inv, srv.sipPort);
	const { channel } = await ws.waitFor('StasisStart');
	assert.equal((await srv.post(`/ari/channels/${enc(channel.id)}/answer`)).status, 204);
	const ok = await peer.until(status(200), '200 OK');
	await peer.send(ackFor(inv, ok), srv.sipPort);
	return { inv, channel };
}

serverTest('a_retransmitted_invite_long_after_the_200_is_absorbed_not_a_second_call', OPEN, async (srv) => {
	const ws = await srv.events('sipapp');
	const peer = await udpPeer();
	try {
		const { inv, channel } = await answeredCall(srv, ws, peer, 'accepted-1');
		assert.equal(await srv.metric('ariadne_sip_invites_remembered'), 1);

		// libre's transaction lives 500 ms now; well past it, the INVITE
		// comes again, as from a caller that never heard 100 nor 200.
		await sleep(1500);
		const before = peer.got.length;
		await peer.send(inv, srv.sipPort);
		await ws.expectNone((e) => e.type === 'StasisStart' && e.channel.id !== channel.id, 1000, 'a second call from the retransmission');
		assert.deepEqual(peer.got.slice(before), [], 'the retransmission is absorbed without an answer');
		assert.equal((await srv.get('/ari/channels')).json.length, 1);

		// A new INVITE (its own branch and Call-ID) is still a new call.
		await peer.send(invite(peer, srv, 'accepted-2'), srv.sipPort);
		const second = await ws.waitFor((e) => e.type === 'StasisStart' && e.channel.id !== channel.id);
		assert.equal((await srv.del(`/ari/channels/${enc(second.channel.id)}`)).status, 204);
		assert.equal((await srv.del(`/ari/channels/${enc(channel.id)}`)).status, 204);
	} finally {
		await peer.close();
	}
});

serverTest('an_answered_call_leaves_no_timer_behind_once_it_has_ended', OPEN, async (srv) => {
	const ws = await srv.events('sipapp');
	const peer = await udpPeer();
	try {
		await sleep(300);
		const idle = await srv.metric('ariadne_timers');
		const { channel } = await answeredCall(srv, ws, peer, 'accepted-timers');
		// The peer hangs up: its BYE is answered by a server transaction
		// that libre keeps 32 s over UDP (Timer J, untouched), so the call
		// ends with our BYE instead, answered 200 by the peer.
		assert.equal((await srv.del(`/ari/channels/${enc(channel.id)}`)).status, 204);
		const bye = await peer.until((m) => m.startsWith('BYE '), 'BYE');
		const head = bye.split('\r\n\r\n')[0].split('\r\n');
		const keep = head.filter((l) => /^(Via|From|To|Call-ID|CSeq):/i.test(l));
		await peer.send(['SIP/2.0 200 OK', ...keep, 'Content-Length: 0', '', ''].join('\r\n'), srv.sipPort);
		await ws.waitFor('ChannelDestroyed');
		// Timer K of our BYE's transaction is 5 s over UDP; then nothing of
		// the call is left, where libre's answered INVITE used to stay 32 s.
		const deadline = Date.now() + 8000 * SLOW;
		let now;
		do {
			await sleep(250);
			now = await srv.metric('ariadne_timers');
		} while (now > idle && Date.now() < deadline);
		assert.ok(now <= idle, `timers: ${now} after the call, ${idle} before`);
		assert.equal(await srv.metric('ariadne_sip_invites_remembered'), 1, 'the INVITE is still remembered');
	} finally {
		await peer.close();
	}
});

/** The caller's BYE of the call `inv` (answered with `ok`), CSeq 2. */
function byeFor(inv, ok, id) {
	return inv.split('\r\n\r\n')[0]
		.replace(/^INVITE sip:/, 'BYE sip:')
		.replace(/branch=z9hG4bK-([^\r\n;]+)/, `branch=z9hG4bK-bye-${id}`)
		.replace('CSeq: 1 INVITE', 'CSeq: 2 BYE')
		.replace(/^To: (.*)$/m, `To: $1;tag=${toTag(ok)}`)
		.replace(/^Content-Type:.*\r\n/m, '')
		.replace(/^Content-Length:.*$/m, 'Content-Length: 0') + '\r\n\r\n';
}

/** The first message the peer got from index `from` on for which pred is
 *  true (a resent answer is the same text as the first one). */
async function after(peer, from, pred, what) {
	const deadline = Date.now() + 5000 * SLOW;
	for (;;) {
		const m = peer.got.slice(from).find(pred);
		if (m) return m;
		if (Date.now() > deadline) throw new Error(`no ${what}; got:\n${peer.got.slice(from).join('\n---\n')}`);
		await sleep(10);
	}
}

// The caller hangs up, the usual case. libre kept the transaction of our
// 200 to its BYE 32 s (Timer J over UDP): 4.8 KB a call, 176 MB at 1 000
// calls/s. Now it is cut and the BYE remembered: the timers are back at
// once, a retransmission of the BYE long after still gets its 200, and a
// BYE for no dialog still gets 481, also when it comes again.
serverTest('a_callers_bye_leaves_no_transaction_behind_and_its_retransmission_gets_200_again', OPEN, async (srv) => {
	const ws = await srv.events('sipapp');
	const peer = await udpPeer();
	try {
		await sleep(300);
		const idle = await srv.metric('ariadne_timers');
		const { inv } = await answeredCall(srv, ws, peer, 'bye-1');
		const ok = peer.got.find(status(200));
		const bye = byeFor(inv, ok, 'b1');
		const before = peer.got.length;
		await peer.send(bye, srv.sipPort);
		await ws.waitFor('ChannelDestroyed');
		await after(peer, before, (m) => status(200)(m) && /CSeq: 2 BYE/.test(m), '200 to the BYE');
		const deadline = Date.now() + 3000 * SLOW;
		let now;
		do {
			await sleep(250);
			now = await srv.metric('ariadne_timers');
		} while (now > idle && Date.now() < deadline);
		assert.ok(now <= idle, `timers: ${now} 3 s after the caller's BYE, ${idle} before`);
		assert.equal(await srv.metric('ariadne_sip_invites_remembered'), 2, 'the INVITE and the BYE are remembered');

		// Long after libre's transaction would have been gone with the
		// cut, the BYE comes again: 200 again, not 481.
		const n = peer.got.length;
		await peer.send(bye, srv.sipPort);
		const again = await after(peer, n, (m) => /CSeq: 2 BYE/.test(m), 'an answer to the BYE again');
		assert.match(again, /^SIP\/2\.0 200 OK\r\n/, again);

		// A BYE for no dialog: 481, and 481 again when it is resent.
		const stray = bye.replace(/Call-ID: .*/, 'Call-ID: nobody@127.0.0.1').replace('bye-b1', 'bye-stray');
		for (let i = 0; i < 2; i++) {
			const m0 = peer.got.length;
			await peer.send(stray, srv.sipPort);
			if (i) await sleep(800);
			const r = await after(peer, m0, (m) => /Call-ID: nobody@/.test(m), 'an answer to the stray BYE');
			assert.match(r, /^SIP\/2\.0 481 /, r);
		}
	} finally {
		await peer.close();
	}
});
