/* tick.c — the one 20 ms media clock for every channel (ARCHITECTURE.md:
 * never a libre timer per channel, libre's timer list is walked on every
 * tmr_start). Each tick runs every channel's media state once: receive,
 * generators, send, DTMF and RTP timers. Not a scheduler for anything else. */
#include <stdint.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stddef.h>
#include <re_types.h>
#include <re_fmt.h>
#include <re_list.h>
#include <re_tmr.h>
#include "core/log.h"
#include "media/media_int.h"
#include "media/media_priv.h"

/* When the loop was busy we run the missed ticks at once so the far end's
 * jitter buffer sees the right amount of audio, but never more than this
 * many: after a long stall, dropping time beats a burst of packets. */
#define TICK_MAX_CATCHUP 3

static struct tmr tick_tmr;
static uint64_t next_due;    /* monotonic ms of the next tick */
static bool running;

static void tick(void *arg)
{
	uint64_t now = tmr_jiffies();
	unsigned n = 0;

	(void)arg;
	while (next_due <= now && n < TICK_MAX_CATCHUP) {
		media_chan_foreach_tick(next_due);
		next_due += MEDIA_PTIME;
		n++;
	}
	if (next_due <= now) {
		log_debug(1, "Media tick %" PRIu64 " ms late, skipping ahead",
			  now - next_due);
		next_due = now + MEDIA_PTIME;
	}
	if (running) {
		uint64_t t = tmr_jiffies();
		uint64_t delay = next_due > t ? next_due - t : 0;

		tmr_start(&tick_tmr, delay, tick, NULL);
	}
}

int media_tick_start(void)
{
	if (running)
		return 0;
	tmr_init(&tick_tmr);
	running = true;
	next_due = tmr_jiffies() + MEDIA_PTIME;
	tmr_start(&tick_tmr, MEDIA_PTIME, tick, NULL);
	return 0;
}

void media_tick_stop(void)
{
	running = false;
	tmr_cancel(&tick_tmr);
}
