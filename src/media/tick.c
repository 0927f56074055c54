/* tick.c — the one 20 ms media clock for every channel. Each tick runs
 * every channel's media state once (media_chan_foreach_tick): receive,
 * generators, send, DTMF, RTCP and RTP timers. Not a scheduler for anything
 * else. Being due every 20 ms, it is also where the loop's lag is seen:
 * media_tick_lag_ms() for overload shedding (core/overload.h).
 *
 * One clock rather than a timer per channel (docs/ARCHITECTURE.md, "The
 * loop and the media tick"): every channel's 20 ms frames stay aligned on
 * the same instants, which bridges that mix or relay audio between
 * channels need; one walk over all channels per tick is cheap; and frames
 * are not bunched: each channel gets one frame per period, and after a
 * stall at most TICK_MAX_CATCHUP are made up at once.
 *
 * The clock is a periodic timerfd on the loop (fd_listen): the kernel keeps
 * the period without the drift of re-arming a timer after each tick, and
 * tells how many periods a busy loop missed. Should timerfd be missing, a
 * libre timer re-armed every tick stands in.
 *
 * The frames a tick makes are handed to the send thread in batches
 * (txoff_hold/txoff_release, net/txoff.h) when it runs, each tick's with
 * the instant they are to leave (pace()). */
#include <errno.h>
#include <stdint.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <re_types.h>
#include <re_fmt.h>
#include <re_list.h>
#include <re_main.h>
#include <re_tmr.h>
#include "base/log.h"
#include "base/options.h"
#include "base/metrics.h"
#include "core/overload.h"
#include "media/media.h"
#include "media/media_chan.h"
#include "net/pace.h"
#include "net/txoff.h"

/* When the loop was busy we run the missed ticks at once so the far end's
 * jitter buffer sees the right amount of audio, but never more than this
 * many: after a long stall, dropping time beats a burst of packets. */
#define TICK_MAX_CATCHUP 3

static int tick_fd = -1;
static struct tmr tick_tmr;  /* fallback only */
static uint64_t next_due;    /* fallback: monotonic ms of the next tick */
static bool running;

/* How late the loop comes to its ticks, smoothed (overload_lag_smooth):
 * src/sip refuses new calls when it reaches [options] maxlag. */
static struct {
	double avg_ms;
	uint64_t last_us;            /* when the last sample was taken */
} lag;

/* Samples of the histogram kept for one wake-up of the loop at most: a
 * stall of more than 10 s is counted as its first 10 s of periods. */
#define LAG_OBSERVE_MAX 500

/* How late the loop came to each of the n periods that passed since the
 * last tick, for GET /metrics: the first was due first_late_us ago, each
 * next one a period later. A loop stuck for 300 ms shows as one tick 300
 * ms late, one 280 ms late, and so on, as the calls waiting for them saw. */
static void observe_lag(uint64_t first_late_us, uint64_t n)
{
	const uint64_t period_us = MEDIA_PTIME * 1000u;

	for (uint64_t i = 0; i < n && i < LAG_OBSERVE_MAX; i++) {
		uint64_t late_us = first_late_us > i * period_us ?
				   first_late_us - i * period_us : 0;

		metrics_observe("ariadne_media_tick_lag_seconds", "How late "
				"the event loop came to each 20 ms media tick",
				(double)late_us / 1e6);
	}
}

/* One sample of the loop's lateness: how long ago the earliest tick we are
 * only now running was due; a loop stuck for 300 ms is 300 ms late for
 * the calls it has kept waiting. Also what the histogram starts from. */
static void lag_sample(uint64_t late_us, uint64_t n)
{
	uint64_t t = pace_now_us();

	observe_lag(late_us, n);

	lag.avg_ms = overload_lag_smooth(lag.avg_ms, (double)late_us / 1000.0,
					 lag.last_us ? (double)(t - lag.last_us) /
					 1000.0 : 0);
	lag.last_us = t;
}

/* The timerfd knows when its next expiry is due; the first of the n
 * periods just counted was due n periods before that. Returns when the
 * last of them was due (monotonic µs), 0 if the timerfd cannot say. */
static uint64_t lag_sample_fd(uint64_t n)
{
	struct itimerspec its;
	uint64_t rem_us, late_us, t = pace_now_us();

	if (timerfd_gettime(tick_fd, &its))
		return 0;
	rem_us = (uint64_t)its.it_value.tv_sec * 1000000u +
		 (uint64_t)its.it_value.tv_nsec / 1000u;
	late_us = n * MEDIA_PTIME * 1000u;
	lag_sample(late_us > rem_us ? late_us - rem_us : 0, n);
	return t + rem_us - MEDIA_PTIME * 1000u;
}

/* Pacing ([options] sendpacing): the frames of a tick are written by the
 * send thread sendpacing ms after the tick was due, not when the loop
 * got round to making them. A loop that comes up to that much late —
 * busy with what arrived just before — then costs the far end nothing:
 * every tick's frames still leave the same time after its due instant.
 * The price is that much more latency on the way out. */
static void pace(uint64_t due_us)
{
	if (due_us && options.sendpacing > 0)
		txoff_pace(due_us + (uint64_t)options.sendpacing * 1000u);
}

double media_tick_lag_ms(void)
{
	return lag.avg_ms;
}

/* What [options] maxlag is compared with, for whoever tunes it. */
static void collect_lag(void)
{
	metrics_gauge("ariadne_loop_lag_seconds", "How late the event loop "
		      "has been coming to the media tick, averaged over about "
		      "the last second (ariadne.conf maxlag)", NULL,
		      lag.avg_ms / 1000.0);
}

/* The timerfd counts the periods that passed since we last read it. */
static void tick_fd_h(int flags, void *arg)
{
	uint64_t n = 0, now, due;

	(void)flags;
	(void)arg;
	if (read(tick_fd, &n, sizeof(n)) != (ssize_t)sizeof(n) || !n)
		return;
	now = tmr_jiffies();
	due = lag_sample_fd(n);
	if (n > TICK_MAX_CATCHUP) {
		log_debug(1, "Media tick %" PRIu64 " ms late, skipping ahead",
			  (n - 1) * MEDIA_PTIME);
		n = TICK_MAX_CATCHUP;
	}
	txoff_hold();
	while (n-- > 0) {
		pace(due ? due - n * MEDIA_PTIME * 1000u : 0);
		media_chan_foreach_tick(now - n * MEDIA_PTIME);
	}
	txoff_release();
}

static void tick_tmr_h(void *arg)
{
	uint64_t now = tmr_jiffies();
	unsigned n = 0;

	(void)arg;
	lag_sample(now > next_due ? (now - next_due) * 1000u : 0,
		   now >= next_due ? (now - next_due) / MEDIA_PTIME + 1 : 1);
	txoff_hold();
	while (next_due <= now && n < TICK_MAX_CATCHUP) {
		media_chan_foreach_tick(next_due);
		next_due += MEDIA_PTIME;
		n++;
	}
	txoff_release();
	if (next_due <= now) {
		log_debug(1, "Media tick %" PRIu64 " ms late, skipping ahead",
			  now - next_due);
		next_due = now + MEDIA_PTIME;
	}
	if (running) {
		uint64_t t = tmr_jiffies();
		uint64_t delay = next_due > t ? next_due - t : 0;

		tmr_start(&tick_tmr, delay, tick_tmr_h, NULL);
	}
}

static int start_timerfd(void)
{
	struct itimerspec its = {
		.it_interval = {.tv_nsec = MEDIA_PTIME * 1000000L},
		.it_value = {.tv_nsec = MEDIA_PTIME * 1000000L},
	};
	int fd, err;

	fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (fd < 0)
		return errno;
	if (timerfd_settime(fd, 0, &its, NULL)) {
		err = errno;
		close(fd);
		return err;
	}
	err = fd_listen(fd, FD_READ, tick_fd_h, NULL);
	if (err) {
		close(fd);
		return err;
	}
	tick_fd = fd;
	return 0;
}

int media_tick_start(void)
{
	int err;

	if (running)
		return 0;
	running = true;
	(void)metrics_collector_add(collect_lag);
	err = start_timerfd();
	if (!err)
		return 0;
	log_warning("Media tick: no timerfd (%s), using a libre timer",
		    strerror(err));
	tmr_init(&tick_tmr);
	next_due = tmr_jiffies() + MEDIA_PTIME;
	tmr_start(&tick_tmr, MEDIA_PTIME, tick_tmr_h, NULL);
	return 0;
}

void media_tick_stop(void)
{
	running = false;
	lag.avg_ms = 0;
	lag.last_us = 0;
	if (tick_fd >= 0) {
		fd_close(tick_fd);
		close(tick_fd);
		tick_fd = -1;
	}
	tmr_cancel(&tick_tmr);
}
