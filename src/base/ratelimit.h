/* ratelimit.h — at most so many of something a second, and how many were
 * left out (ratelimit.c): for log lines a peer can cause by the thousand
 * (libre's messages about bad handshakes, malformed SIP). */
#ifndef ARIADNE_RATELIMIT_H
#define ARIADNE_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

struct ratelimit {
	uint64_t second;     /* tmr_jiffies() / 1000 of the current second */
	unsigned used;       /* let through in it */
	unsigned left_out;   /* since the last one let through */
};

/* May one more go now (at most per_s a second)? If so, *left_out is how
 * many did not since the last one that did, for a line to say so. */
bool ratelimit_allow(struct ratelimit *rl, unsigned per_s,
		     unsigned *left_out);

#endif
