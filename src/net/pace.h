/* pace.h — how the send thread spaces a media tick's writes (pace.c).
 * Knows nothing of sockets or of what is written. */
#ifndef ARIADNE_NET_PACE_H
#define ARIADNE_NET_PACE_H

#include <stdint.h>

/* The clock of the instants: CLOCK_MONOTONIC in µs. */
uint64_t pace_now_us(void);
/* Before each write of a group (the writes the loop stamped with one
 * instant, CLOCK_MONOTONIC µs): wait for its turn. Returns when the write
 * began, for pace_took(). */
uint64_t pace_wait(uint64_t instant);
/* After it: how long it took sets the group's rate. */
void pace_took(uint64_t began);

#endif
