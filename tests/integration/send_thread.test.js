'use strict';
// ariadne.conf [options] sendthread (docs/ARCHITECTURE.md, "The send
// thread"): with `yes` a thread named ariadne-send writes the media
// WebSockets' frames and says so at start; with `no` there is no such
// thread and the loop writes them. Either way a burst one bot sends comes
// out at the other, through a mixing bridge, sample for sample and one
// frame per tick, and each bot's socket ends with a close frame of 1000
// before the TCP FIN (with the thread, the FIN is the thread's and must
// follow the close frame it still holds).
const assert = require('node:assert/strict');
const fs = require('node:fs');
const {
	TICK, TOL, FRAME, pair, emTest, hangup, pattern, patternStream, assertPatternRun, frameHolding, spacing,
} = require('./lib/media_ws');
const { SLOW, sleep } = require('./lib/server');

const APP = 'bot';

function threadNames(pid) {
	return fs.readdirSync(`/proc/${pid}/task`).map((tid) => {
		try {
			return fs.readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
		} catch {
			return '';   // the thread ended meanwhile
		}
	});
}

async function burstArrivesWhole(srv, ev) {
	const { A, B } = await pair(srv, ev, { app: APP, format: 'slin' });
	await sleep(200);
	const from = B.bot.frames.length;
	const N = 2 * 8000;
	A.bot.sendAudio(pattern(N));   // 2 s at once: ariadne paces it out
	await B.bot.until(() => (patternStream(B.bot.since(from)).values.length >= N ? true : undefined),
		'the whole burst at B', 6000 * SLOW);
	const frames = B.bot.since(from);
	const st = patternStream(frames);
	assert.equal(assertPatternRun(st.values, { what: 'burst at B' }), N);
	const first = frameHolding(st, 0);
	const last = frameHolding(st, N - 1);
	assert.equal(last - first + 1, 100, 'frames holding the 100 frames of the burst');
	assert.ok(frames.slice(first, last + 1).every((f) => f.data.length === FRAME.slin),
		'B got frames other than 320 bytes');
	const span = frames[last].t - frames[first].t;
	assert.ok(Math.abs(span - 99 * TICK) <= TOL, `100 frames over ${span.toFixed(1)} ms`);
	assert.equal(spacing(frames.slice(first, last + 1)).bursts, 0, 'the frames came in bursts');
	await hangup(srv, ev, A, B);   // each bot: close frame 1000
}

emTest('with_sendthread_yes_a_thread_of_its_own_writes_the_media_frames', {
	app: APP, ariadneConf: { options: { sendthread: 'yes' } },
}, async (srv, ev) => {
	await srv.waitForLog(/Media sends on a thread of their own/);
	assert.ok(threadNames(srv.proc.pid).includes('ariadne-send'), threadNames(srv.proc.pid).join(','));
	await burstArrivesWhole(srv, ev);
});

emTest('with_sendthread_no_the_event_loop_writes_them_as_before', {
	app: APP, ariadneConf: { options: { sendthread: 'no' } },
}, async (srv, ev) => {
	await srv.waitForLog(/Media sends stay on the event loop \(sendthread = no\)/);
	assert.ok(!threadNames(srv.proc.pid).includes('ariadne-send'), threadNames(srv.proc.pid).join(','));
	await burstArrivesWhole(srv, ev);
});
