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
	TICK, TOL, FRAME, now, pair, emTest, hangup, pattern, patternStream, assertPatternRun, frameHolding, spacing,
} = require('./lib/media_ws');
const { test } = require('node:test');
const { SLOW, sleep, startServer, stopServer } = require('./lib/server');

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

// [options] sendpacing: a tick's frames are written sendpacing ms after the
// tick was due, so a loop that came late to the tick does not move them.
// Seen from a bot: one frame sent into A reaches B through the mixing
// bridge at least sendpacing ms later, and later by the difference in
// sendpacing than with `sendpacing = 0`. A probe frame goes out every 40–
// 59 ms so that it meets the tick at every phase; the silence around it is
// zeros and the pattern never is.
async function probeDelays(conf, expectLog) {
	const srv = await startServer({ ariadneConf: { options: conf } });
	let err = null;
	const delays = [];
	try {
		if (expectLog) await srv.waitForLog(expectLog);
		const ev = await srv.events(APP);
		const { A, B } = await pair(srv, ev, { app: APP, format: 'slin' });
		await sleep(200);
		for (let i = 0; i < 30; i++) {
			const from = B.bot.frames.length;
			const sent = now();
			A.bot.sendAudio(pattern(160, { offset: i * 160 }));
			const f = await B.bot.until(() => B.bot.since(from).find((fr) => fr.data.some((x) => x !== 0)),
				`probe ${i} at B`, 2000 * SLOW);
			delays.push(f.t - sent);
			await sleep(40 + ((i * 7) % 20));
		}
		await hangup(srv, ev, A, B);
	} catch (e) {
		err = e;
	}
	await stopServer(srv, err);
	if (err) throw err;
	return delays.sort((a, b) => a - b);
}

test('sendpacing_writes_a_ticks_frames_that_many_ms_after_the_tick_was_due', { timeout: 60000 * SLOW }, async () => {
	const paced = await probeDelays({ sendthread: 'yes', sendpacing: 40 },
		/sendpacing 40 ms is more than a media tick can wait; using 15/);
	const unpaced = await probeDelays({ sendthread: 'yes', sendpacing: 0 });
	const med = (d) => d[Math.floor(d.length / 2)];
	const diff = med(paced) - med(unpaced);
	const show = `paced ${paced.map((x) => x.toFixed(1)).join(' ')}; unpaced ${unpaced.map((x) => x.toFixed(1)).join(' ')}`;
	// 15 ms apart, give or take the loop's lateness and the bots' own.
	assert.ok(diff >= 8 && diff <= 25, `medians ${diff.toFixed(1)} ms apart: ${show}`);
	// Only a tick the loop came to late can take a probe sent after it was
	// due, and then it still waits its 15 ms from the due instant.
	assert.ok(paced[Math.floor(paced.length / 5)] >= 12, `a fifth of the paced probes under 12 ms: ${show}`);
});
