/* timerwheel.h — introspection of the timer wheel, and a watch on the timers
 * being started. The wheel itself is used through libre's own tmr_* API,
 * which timerwheel.c defines in libre's place (see the top of that file). */
#ifndef ARIADNE_BASE_TIMERWHEEL_H
#define ARIADNE_BASE_TIMERWHEEL_H

#include <stdbool.h>
#include <stdint.h>

/* Running timers (libre's and ours): lets tests prove that libre's own timers
 * land in the wheel, i.e. that the interposition is real. */
uint32_t timerwheel_count(void);

/* A look at the timers started while a watch is set, for code that needs
 * to know or bound a timer libre starts out of its reach (libre keeps its
 * objects private; their timers still pass through tmr_start here). A
 * timer matches when its arg and handler equal the watch's (NULL: any).
 * One watch at a time; set it around a synchronous call and clear it. */
struct timerwheel_watch {
	const void *arg;        /* in: match this arg, or NULL */
	void (*th)(void *arg);  /* in: match this handler (libre's tmr_h),
				 * or NULL */
	uint64_t cap_ms;        /* in: start a match with at most this delay
				 * (0: as asked) */
	bool once;              /* in: clear the watch after its first match
				 * (armed before a call libre makes out of
				 * our sight, with no "after" to clear it) */
	void (*seen_th)(void *arg); /* out: the last match's handler */
	uint32_t seen;          /* out: how many matched */
};
void timerwheel_watch_set(struct timerwheel_watch *w);

#endif
