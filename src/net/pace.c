/* pace.c — the send thread's pacing of a media tick's frames (txoff_pace,
 * net/txoff.h): a group of writes the loop stamped with one instant starts
 * at that instant, and its writes leave at an even rate from there.
 *
 * Why: writing a tick's frames takes most of a period with hundreds of
 * calls, and how long varies from tick to tick with what else the machine
 * does; a frame late in the group then arrives a few ms earlier or later
 * each tick. At an even rate each frame keeps its place in time. The rate
 * is one the thread can keep: a write's slot is what a write has recently
 * cost (the largest of late, fading), with a margin; a group never spreads
 * over more than SPREAD_MAX_US, and a few calls are not spread at all.
 *
 * The send thread's alone: no lock, nothing of libre. */
#include <errno.h>
#include <stdint.h>
#include <time.h>
#include "net/pace.h"

enum {
	PACE_MAX_US = 50 * 1000,          /* a group waits at most */
	SPREAD_MAX_US = 12 * 1000,        /* a group's writes spread over */
	SPREAD_SLACK_US = 200,            /* sleep only when this early */
};

#define SPREAD_MARGIN 1.25  /* slot over a write's recent cost */
#define SPREAD_FADE 0.98    /* per group, of the slot's old high */

uint64_t pace_now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000u + (uint64_t)t.tv_nsec / 1000u;
}

static void sleep_until(uint64_t at_us)
{
	struct timespec t = {.tv_sec = (time_t)(at_us / 1000000u),
			     .tv_nsec = (long)(at_us % 1000000u) * 1000};

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t, NULL) ==
	       EINTR)
		;
}

static struct {
	uint64_t instant;           /* the group's, from txoff_pace() */
	uint64_t start_us;          /* when its first entry was to leave */
	unsigned n;                 /* its entries so far */
	uint64_t busy_us;           /* the time they took to write */
	double slot_us;
} grp;

static void group_begin(uint64_t instant, uint64_t now)
{
	if (grp.n) {
		double cost = (double)grp.busy_us / grp.n * SPREAD_MARGIN;
		double cap = (double)SPREAD_MAX_US / grp.n;

		grp.slot_us *= SPREAD_FADE;
		if (cost > grp.slot_us)
			grp.slot_us = cost;
		if (grp.slot_us > cap)
			grp.slot_us = cap;
	}
	grp.instant = instant;
	/* Past instants (a late tick, a thread behind) start now; an
	 * instant impossibly far ahead is not waited for. */
	grp.start_us = instant > now && instant - now <= PACE_MAX_US ?
		       instant : now;
	grp.n = 0;
	grp.busy_us = 0;
}

uint64_t pace_wait(uint64_t instant)
{
	uint64_t now = pace_now_us(), due;

	if (instant != grp.instant)
		group_begin(instant, now);
	due = grp.start_us + (uint64_t)(grp.n * grp.slot_us);
	if (due > now + SPREAD_SLACK_US ||
	    (!grp.n && due > now)) {
		sleep_until(due);
		now = pace_now_us();
	}
	grp.n++;
	return now;
}

void pace_took(uint64_t began)
{
	grp.busy_us += pace_now_us() - began;
}
