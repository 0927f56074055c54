'use strict';
// A raw UDP SIP peer for tests that write SIP by hand (what SIPp's scenarios
// cannot: a retransmission sent at a chosen moment, a request with a chosen
// branch): send() text, every datagram received kept in `got`.
const dgram = require('node:dgram');
const { sleep, EVENT_TIMEOUT_MS } = require('./server');

async function udpPeer() {
	const sock = dgram.createSocket('udp4');
	const got = [];
	sock.on('message', (m) => got.push(m.toString('latin1')));
	await new Promise((r) => sock.bind(0, '127.0.0.1', r));
	return {
		port: sock.address().port, got,
		send: (text, port) => new Promise((r) => sock.send(Buffer.from(text, 'latin1'), port, '127.0.0.1', r)),
		close: () => new Promise((r) => sock.close(r)),
		/** An INVITE from alice at this peer to 100 at srv, outside any
		 *  dialog: branch z9hG4bK-<id>, From tag <id>, Call-ID <id>@127.0.0.1;
		 *  `sdp` (text) as its body, or none. */
		invite(srv, id, sdp) {
			const port = sock.address().port;
			const body = sdp ? ['Content-Type: application/sdp',
				`Content-Length: ${Buffer.byteLength(sdp)}`, '', sdp] : ['Content-Length: 0', '', ''];
			return [
				`INVITE sip:100@${srv.sipAddr} SIP/2.0`,
				`Via: SIP/2.0/UDP 127.0.0.1:${port};branch=z9hG4bK-${id}`,
				`From: <sip:alice@127.0.0.1:${port}>;tag=${id}`,
				`To: <sip:100@${srv.sipAddr}>`,
				`Call-ID: ${id}@127.0.0.1`,
				'CSeq: 1 INVITE',
				`Contact: <sip:alice@127.0.0.1:${port}>`,
				'Max-Forwards: 70',
				...body].join('\r\n');
		},
		/** The first message received for which pred is true; throws
		 *  naming what did arrive after EVENT_TIMEOUT_MS. */
		async until(pred, what) {
			const deadline = Date.now() + EVENT_TIMEOUT_MS;
			for (;;) {
				const m = got.find(pred);
				if (m) return m;
				if (Date.now() > deadline) throw new Error(`no ${what}; got:\n${got.join('\n---\n')}`);
				await sleep(10);
			}
		},
	};
}

module.exports = { udpPeer };
