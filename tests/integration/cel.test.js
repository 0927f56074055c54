'use strict';
// CEL records written to <astlogdir>/cel/Master.csv in cel_custom's layout.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const { serverTest, sleep, ini, EVENT_TIMEOUT_MS } = require('./lib/server');

const enc = encodeURIComponent;
const COLS = ['eventtype', 'eventtime', 'cid_name', 'cid_num', 'cid_ani', 'cid_rdnis', 'cid_dnid', 'exten',
	'context', 'channame', 'appname', 'appdata', 'amaflags', 'accountcode', 'uniqueid', 'linkedid', 'peer',
	'userdeffield', 'extra'];

function records(srv) {
	return srv.celRows().map((row) => {
		assert.equal(row.length, COLS.length, `CEL row must have ${COLS.length} columns: ${JSON.stringify(row)}`);
		return Object.fromEntries(COLS.map((c, i) => [c, row[i]]));
	});
}

async function waitRecords(srv, pred, what, timeoutMs = EVENT_TIMEOUT_MS) {
	const deadline = Date.now() + timeoutMs;
	let recs = [];
	while (Date.now() < deadline) {
		recs = records(srv);
		if (pred(recs)) return recs;
		await sleep(50);
	}
	throw new Error(`CEL: ${what} not written within ${timeoutMs} ms; have:\n` +
		recs.map((r) => `${r.eventtype} ${r.channame} ${r.appname}(${r.appdata})`).join('\n'));
}

serverTest('a_call_through_stasis_and_a_move_writes_the_full_cel_trail', async (srv) => {
	const ws = await srv.events(['celapp', 'celapp2']);
	await srv.events('celwatch'); // the ;1 half enters it once answered
	const ch1 = await srv.originate({ endpoint: 'Local/100@stasis-celapp', app: 'celwatch', callerId: '"Cel Tester" <5551234>' });
	const s = await ws.waitFor((e) => e.type === 'StasisStart' && e.application === 'celapp');
	const id2 = s.channel.id;
	assert.equal((await srv.post(`/ari/channels/${enc(id2)}/answer`)).status, 204);
	await ws.waitFor((e) => e.type === 'ChannelStateChange' && e.channel.state === 'Up');
	assert.equal((await srv.post(`/ari/channels/${enc(id2)}/move?app=celapp2`)).status, 204);
	await ws.waitFor((e) => e.type === 'StasisStart' && e.application === 'celapp2');
	assert.equal((await srv.del(`/ari/channels/${enc(id2)}`)).status, 204);
	await srv.waitChannelGone(id2);
	await srv.waitChannelGone(ch1.id);

	const recs = await waitRecords(srv, (rs) => rs.some((r) => r.eventtype === 'LINKEDID_END'), 'LINKEDID_END');
	const raw = fs.readFileSync(srv.celFile, 'utf8');
	for (const line of raw.split('\n').filter(Boolean)) {
		assert.match(line, /^"[A-Z_]+","/, `every field is quoted: ${line}`);
		assert.match(line, /"$/, `every field is quoted: ${line}`);
	}
	const mine = recs.filter((r) => r.uniqueid === id2 && r.eventtype !== 'LINKEDID_END');
	const types = mine.map((r) => r.eventtype);
	assert.equal(types[0], 'CHAN_START', `;2 trail: ${types}`);
	assert.equal(types[types.length - 1], 'CHAN_END', `;2 trail: ${types}`);
	for (const t of ['ANSWER', 'APP_START', 'APP_END', 'HANGUP']) assert.ok(types.includes(t), `${t} missing in ${types}`);
	assert.ok(types.indexOf('HANGUP') < types.indexOf('CHAN_END'));

	// The move between Stasis apps: APP_END of the old app, then APP_START of the new one.
	const appStarts = mine.filter((r) => r.eventtype === 'APP_START');
	assert.ok(appStarts.length >= 2, `APP_START on entry and on move: ${types}`);
	const firstStart = types.indexOf('APP_START');
	const moveEnd = types.indexOf('APP_END', firstStart + 1);
	const moveStart = types.indexOf('APP_START', moveEnd + 1);
	assert.ok(moveEnd > firstStart && moveStart > moveEnd, `APP_END then APP_START for the move: ${types}`);
	assert.equal(mine[firstStart].appname, 'Stasis');
	assert.match(mine[firstStart].appdata, /celapp/);
	assert.match(mine[moveStart].appdata, /celapp2/, 'the new APP_START names the destination app');
	assert.equal(mine[firstStart].context, 'stasis-celapp');
	assert.equal(mine[firstStart].exten, '100');
	assert.equal(mine[0].channame, s.channel.name);

	const partner = recs.filter((r) => r.uniqueid === ch1.id).map((r) => r.eventtype);
	assert.equal(partner[0], 'CHAN_START', `;1 trail: ${partner}`);
	assert.ok(partner.includes('HANGUP') && partner.includes('CHAN_END'), `;1 trail: ${partner}`);
	// CHAN_START is written as the channel is allocated, before originate sets
	// the caller id (as in Asterisk); later records carry it.
	const one = recs.find((r) => r.uniqueid === ch1.id && r.eventtype === 'HANGUP');
	assert.equal(one.cid_name, 'Cel Tester');
	assert.equal(one.cid_num, '5551234');

	// Both halves share a linkedid; LINKEDID_END comes once, after both CHAN_ENDs.
	const linked = mine[0].linkedid;
	assert.ok(linked.length > 0);
	assert.equal(recs.find((r) => r.uniqueid === ch1.id).linkedid, linked);
	const allTypes = recs.map((r) => r.eventtype);
	const lend = recs.filter((r) => r.eventtype === 'LINKEDID_END');
	assert.equal(lend.length, 1);
	assert.equal(lend[0].linkedid, linked);
	assert.equal(allTypes.lastIndexOf('LINKEDID_END'), allTypes.length - 1, `LINKEDID_END last: ${allTypes}`);

	const hangup = mine.find((r) => r.eventtype === 'HANGUP');
	const extra = JSON.parse(hangup.extra);
	assert.equal(typeof extra.hangupcause, 'number');
	for (const r of recs) assert.match(r.eventtime, /\d/, 'eventtime filled');
});

serverTest('cel_events_setting_limits_what_is_written', {
	files: { 'cel.conf': ini({ general: { enable: 'yes', apps: 'all', events: 'CHAN_START,CHAN_END' } }) },
}, async (srv) => {
	const ws = await srv.events('celapp');
	await srv.originate({ endpoint: 'Local/1@stasis-celapp', app: 'celwatch' });
	const s = await ws.waitFor('StasisStart');
	await srv.del(`/ari/channels/${enc(s.channel.id)}`);
	await srv.waitChannelGone(s.channel.id);
	const recs = await waitRecords(srv, (rs) => rs.filter((r) => r.eventtype === 'CHAN_END').length >= 2, 'two CHAN_END');
	await sleep(200);
	const types = new Set(records(srv).map((r) => r.eventtype));
	assert.deepEqual([...types].sort(), ['CHAN_END', 'CHAN_START'], `only configured events: ${[...types]}`);
	assert.ok(recs.length >= 4);
});

serverTest('cel_disabled_writes_nothing', {
	files: { 'cel.conf': ini({ general: { enable: 'no' } }) },
}, async (srv) => {
	const ws = await srv.events('celapp');
	await srv.originate({ endpoint: 'Local/1@stasis-celapp', app: 'celwatch' });
	const s = await ws.waitFor('StasisStart');
	await srv.del(`/ari/channels/${enc(s.channel.id)}`);
	await srv.waitChannelGone(s.channel.id);
	await sleep(300);
	assert.deepEqual(srv.celRows(), []);
});

serverTest('cel_records_are_flushed_while_the_call_is_up_and_appended_to_an_existing_file', {
	setup: (srv) => {
		fs.mkdirSync(require('node:path').dirname(srv.celFile), { recursive: true });
		fs.writeFileSync(srv.celFile, '"OLD_RECORD","1","","","","","","","","","","","","","","","","",""\n');
	},
}, async (srv) => {
	const ws = await srv.events('celapp');
	await srv.originate({ endpoint: 'Local/1@stasis-celapp', app: 'celwatch' });
	const s = await ws.waitFor('StasisStart');
	// CHAN_START must be on disk already, before the call ends.
	await waitRecords(srv, (rs) => rs.some((r) => r.eventtype === 'CHAN_START' && r.uniqueid === s.channel.id), 'CHAN_START');
	await srv.del(`/ari/channels/${enc(s.channel.id)}`);
	const recs = await waitRecords(srv, (rs) => rs.some((r) => r.eventtype === 'LINKEDID_END'), 'LINKEDID_END');
	assert.equal(recs[0].eventtype, 'OLD_RECORD', 'existing records are kept (append)');
});
