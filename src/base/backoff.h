/* backoff.h — per-address back-off of failed authentication (SIP digest,
 * ARI Basic): after `limit` failures from one address, the answers to that
 * address's refused requests are delayed, the delay doubling with every
 * further failure up to `max_delay_ms`. Failures leak away, one every
 * window_ms / limit, so the delay halves for each such quiet interval and
 * an address that stops failing is forgotten. A success forgets the address
 * at once. Other addresses are never affected. The table is bounded: past
 * `max_entries` addresses the least recently seen one is dropped.
 *
 * Only the address counts, not the port (a scanner changes ports). Time is
 * passed in (ms, monotonic) so that the table can be tested without
 * waiting. No telephony and no HTTP here. */
#ifndef ARIADNE_BACKOFF_H
#define ARIADNE_BACKOFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sa;
struct backoff;

struct backoff_conf {
	unsigned limit;        /* failures answered at once (5); 0: off */
	unsigned window_ms;    /* ... within this window (60 000) */
	unsigned delay_ms;     /* the first delay (250) */
	unsigned max_delay_ms; /* the cap (4 000) */
	unsigned max_entries;  /* addresses kept (10 000) */
};

/* The defaults above. */
void backoff_conf_default(struct backoff_conf *conf);
int backoff_alloc(struct backoff **bp, const struct backoff_conf *conf);
/* Count a failure from addr at `now`; returns the delay (ms) its answer
 * gets, 0 for none. */
unsigned backoff_fail(struct backoff *b, const struct sa *addr, uint64_t now);
/* The delay an answer to addr gets now without a new failure (a challenge
 * to an address that failed too often waits like a refusal, so that the
 * answer's timing does not tell which user names exist). */
unsigned backoff_delay(struct backoff *b, const struct sa *addr,
		       uint64_t now);
/* A delayed refusal to addr is still on its way: until it has left, the
 * owner refuses addr's other attempts without checking their credentials
 * (and without counting them). Why: the delay alone slows one guess after
 * another, not a thousand sent at once; checked at once, the right one
 * among them would be answered at once. So an address gets one guess per
 * delay, however many it sends. */
bool backoff_busy(struct backoff *b, const struct sa *addr, uint64_t now);
/* A successful authentication from addr: forget it. */
void backoff_success(struct backoff *b, const struct sa *addr);
/* Addresses in the table. */
size_t backoff_count(const struct backoff *b);

/* The process's table, shared by SIP and ARI (ariadne.conf [options]
 * authfail_limit, authfail_window, authfail_maxdelay). Configure before
 * first use; NULL-safe helpers below use it with the loop's clock. */
void backoff_global_configure(const struct backoff_conf *conf);
unsigned backoff_global_fail(const struct sa *addr);
unsigned backoff_global_delay(const struct sa *addr);
bool backoff_global_busy(const struct sa *addr);
void backoff_global_success(const struct sa *addr);
void backoff_global_close(void);

#endif
