'use strict';
// REFER: out of dialog from ARI (endpoints refer / referToEndpoint) reaching
// a SIPp UAS, with digest auth when challenged; in a call whose channel is
// in Stasis, a REFER from the peer is accepted (202 + NOTIFY 100 Trying),
// reported as ChannelTransfer, and transfer_progress becomes the final
// NOTIFY the peer checks.
const assert = require('node:assert/strict');
const {
	serverTest, pjsipConf, spawnSipp, runSipp, assertSipp, sippReport, sleep, EVENT_TIMEOUT_MS, withSipp,
} = require('./lib/server');

const enc = encodeURIComponent;
const OPEN = { files: { 'pjsip.conf': pjsipConf({ alice: { match: '127.0.0.1' } }) } };

/** Header values of the requests of `method` SIPp received (message log). */
function received(r, method, header) {
	const out = [];
	for (const block of r.messages.split(/-{20,}[^\n]*\n/)) {
		if (!/message received/.test(block)) continue;
		const m = new RegExp(`^${method} `, 'm').exec(block);
		if (!m) continue;
		const text = block.slice(m.index);
		if (header === 'body') { out.push(text.split(/\r?\n\r?\n/)[1] || ''); continue; }
		const h = new RegExp(`^${header}:[ \t]*(.*)$`, 'mi').exec(text);
		out.push(h ? h[1].trim() : null);
	}
	return out;
}

async function uas(scenario, keys = {}, extra = {}) {
	const sipp = await spawnSipp(Object.assign({ scenario, keys, timeoutMs: 10000 }, extra));
	await sipp.ready();
	return sipp;
}

serverTest('endpoints_refer_sends_a_REFER_with_refer_to_and_variables_as_headers', OPEN, async (srv) => {
	const sipp = await uas('refer_uas');
	await withSipp(sipp, async () => {
		const to = `pjsip:sip:bob@127.0.0.1:${sipp.port}`;
		const r = await srv.post(`/ari/endpoints/refer?to=${enc(to)}&from=alice` +
			`&refer_to=${enc('sip:carol@example.com')}`, { body: { variables: { 'X-Refer-Test': 'yes-42' } } });
		assert.equal(r.status, 204, r.body);
		const res = await sipp.done;
		assertSipp(res, 0, 'REFER with Refer-To, Referred-By, X-Refer-Test → 202');
		assert.deepEqual(received(res, 'REFER', 'Refer-To'), ['<sip:carol@example.com>']);
		assert.deepEqual(received(res, 'REFER', 'X-Refer-Test'), ['yes-42']);
		assert.match(received(res, 'REFER', 'Referred-By')[0], /^<sip:alice@127\.0\.0\.1:\d+>$/);
	});
});

serverTest('refer_with_to_self_names_this_server_as_the_target', OPEN, async (srv) => {
	const sipp = await uas('refer_uas');
	await withSipp(sipp, async () => {
		const r = await srv.post(`/ari/endpoints/refer?to=${enc(`pjsip:alice/sip:alice@127.0.0.1:${sipp.port}`)}` +
			`&from=alice&refer_to=${enc('PJSIP/bob')}&to_self=true`,
		{ body: { variables: { 'X-Refer-Test': 't' } } });
		assert.equal(r.status, 204, r.body);
		const res = await sipp.done;
		assertSipp(res, 0, 'REFER whose Refer-To names bob at this server');
		assert.deepEqual(received(res, 'REFER', 'Refer-To'), [`<sip:bob@127.0.0.1:${srv.sipPort}>`]);
	});
});

serverTest('refer_errors_are_400_for_missing_parameters_and_404_for_unknown_endpoints', OPEN, async (srv) => {
	const cases = [
		['/ari/endpoints/refer?from=alice&refer_to=sip:x@y', 400],
		['/ari/endpoints/refer?to=pjsip:alice&refer_to=sip:x@y', 400],
		['/ari/endpoints/refer?to=pjsip:alice&from=alice', 400],
		['/ari/endpoints/refer?to=pjsip:nobody&from=alice&refer_to=sip:x@y', 404],
		['/ari/endpoints/refer?to=nosuchtech:alice&from=alice&refer_to=sip:x@y', 404],
		['/ari/endpoints/PJSIP/nobody/refer?from=alice&refer_to=sip:x@y', 404],
		['/ari/endpoints/PJSIP/alice/refer?refer_to=sip:x@y', 400],
		['/ari/endpoints/PJSIP/alice/refer?from=alice', 400],
		// alice has no contact to send to
		['/ari/endpoints/PJSIP/alice/refer?from=alice&refer_to=sip:x@y', 404],
		// refer_to naming neither a URI nor an endpoint
		[`/ari/endpoints/refer?to=${enc('pjsip:sip:b@127.0.0.1:9')}&from=alice&refer_to=nobody`, 400],
	];
	for (const [p, code] of cases) {
		const r = await srv.post(p);
		assert.equal(r.status, code, `${p}: ${r.status} ${r.body}`);
	}
});

serverTest('refer_challenged_by_the_peer_is_retried_with_outbound_auth', {
	files: { 'pjsip.conf': pjsipConf({ alice: { extra: { outbound_auth: 'alice-out' } } }) +
		'\n[alice-out]\ntype = auth\nauth_type = userpass\nusername = alice\npassword = Refer-pass1\n' },
}, async (srv) => {
	const sipp = await uas('refer_uas_auth');
	await withSipp(sipp, async () => {
		const to = `alice/sip:bob@127.0.0.1:${sipp.port}`;
		const r = await srv.post(`/ari/endpoints/refer?to=${enc('pjsip:' + to)}&from=alice` +
			`&refer_to=${enc('sip:carol@example.com')}`);
		assert.equal(r.status, 204, r.body);
		assertSipp(await sipp.done, 0, 'REFER → 401 → REFER with valid digest → 202');
	});
});

for (const [state, frag] of [
	['channel_answered', 'SIP/2\\.0 200 OK'],
	['channel_declined', 'SIP/2\\.0 603 Declined'],
	['channel_unavailable', 'SIP/2\\.0 503 Service Unavailable'],
]) {
	serverTest(`in_dialog_refer_raises_ChannelTransfer_and_transfer_progress_${state}_sends_the_final_NOTIFY`,
		OPEN, async (srv) => {
			const ws = await srv.events('sipapp');
			const sipp = await spawnSipp({ scenario: 'refer_uac', remote: srv, service: '100',
				keys: { from_user: 'alice', refer_user: '200' }, timeoutMs: 20000 });
			await withSipp(sipp, async () => {
				const { channel } = await ws.waitFor('StasisStart');
				assert.equal((await srv.post(`/ari/channels/${enc(channel.id)}/answer`)).status, 204);
				const tr = await ws.waitFor('ChannelTransfer', EVENT_TIMEOUT_MS * 2);
				assert.equal(tr.referred_by.source_channel.id, channel.id);
				assert.equal(tr.refer_to.requested_destination.destination, '200');
				assert.deepEqual(tr.refer_to.requested_destination.additional_protocol_params,
					[{ parameter_name: 'X-Foo', parameter_value: 'bar' }]);
				// a bad state is refused before anything is sent
				const bad = await srv.post(`/ari/channels/${enc(channel.id)}/transfer_progress?states=bogus`);
				assert.equal(bad.status, 412, bad.body);
				if (state === 'channel_answered') {
					const p = await srv.post(`/ari/channels/${enc(channel.id)}/transfer_progress?states=channel_progress`);
					assert.equal(p.status, 204, p.body);
					// SIPp drops a NOTIFY that arrives while it is still
					// answering the previous one (it is between steps);
					// a real peer queues it. Give SIPp time to get back to
					// its <recv>.
					await sleep(300);
				}
				const r = await srv.post(`/ari/channels/${enc(channel.id)}/transfer_progress?states=${state}`);
				assert.equal(r.status, 204, r.body);
				const res = await sipp.done;
				assertSipp(res, 0, `REFER → 202, NOTIFY 100, final NOTIFY ${frag}, BYE`);
				const frags = received(res, 'NOTIFY', 'body').map((b) => b.trim());
				const want = ['SIP/2.0 100 Trying'];
				if (state === 'channel_answered') want.push('SIP/2.0 180 Ringing');
				assert.equal(frags.length, want.length + 1, `NOTIFY bodies: ${JSON.stringify(frags)}`);
				assert.deepEqual(frags.slice(0, -1), want);
				assert.match(frags.at(-1), new RegExp(`^${frag}$`));
				assert.deepEqual(received(res, 'NOTIFY', 'Subscription-State').at(-1),
					'terminated;reason=noresource');
				await ws.waitFor('ChannelDestroyed');
			});
		});
}

serverTest('transfer_progress_is_400_without_states_404_for_unknown_channels_and_204_with_no_transfer_pending', OPEN, async (srv) => {
	assert.equal((await srv.post('/ari/channels/nope/transfer_progress')).status, 400);
	assert.equal((await srv.post('/ari/channels/nope/transfer_progress?states=channel_answered')).status, 404);
	// a channel outside Stasis: originate into a dialplan-less context
	const ws = await srv.events('sipapp');
	const sipp = await spawnSipp({ scenario: 'uac_call', remote: srv, service: '100',
		keys: { from_user: 'alice' }, duration: 500 });
	await withSipp(sipp, async () => {
		const { channel } = await ws.waitFor('StasisStart');
		const ok = await srv.post(`/ari/channels/${enc(channel.id)}/transfer_progress?states=channel_progress`);
		assert.equal(ok.status, 204, 'no transfer pending is not an error');
		assert.equal((await srv.post(`/ari/channels/${enc(channel.id)}/answer`)).status, 204);
		assertSipp(await sipp.done, 0);
	});
});
