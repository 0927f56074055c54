/* bus.c — synchronous publish/subscribe of core events. A handful of
 * subscribers (stasis, CEL, ...) so a small array is all it takes. A
 * subscriber may publish from inside its handler; the nested event is
 * delivered completely before the outer one continues, which is what keeps
 * per-channel order intact. A subscriber may also leave from inside its
 * handler. */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <sys/time.h>
#include "core/bus.h"

#define BUS_MAX_SUBS 16

struct bus_sub {
	bus_h *h;
	void *arg;
};

static struct bus_sub subs[BUS_MAX_SUBS];
static int nsubs;

/* A subscriber that left during this publication gets no more of it. */
static bool still_subscribed(const struct bus_sub *s)
{
	for (int i = 0; i < nsubs; i++) {
		if (subs[i].h == s->h && subs[i].arg == s->arg)
			return true;
	}
	return false;
}

int bus_subscribe(bus_h *h, void *arg)
{
	if (!h)
		return EINVAL;
	if (nsubs == BUS_MAX_SUBS)
		return ENOMEM;
	subs[nsubs].h = h;
	subs[nsubs].arg = arg;
	nsubs++;
	return 0;
}

void bus_unsubscribe(bus_h *h, void *arg)
{
	for (int i = 0; i < nsubs; i++) {
		if (subs[i].h == h && subs[i].arg == arg) {
			for (int j = i; j + 1 < nsubs; j++)
				subs[j] = subs[j + 1];
			nsubs--;
			return;
		}
	}
}

uint64_t bus_now_us(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (uint64_t)tv.tv_sec * 1000000u + (uint64_t)tv.tv_usec;
}

/* Delivered from a copy of the table taken when publication starts: a
 * subscriber that leaves (or adds one) inside its handler changes who gets
 * the next event, never who gets this one. */
void bus_publish(struct bus_event *ev)
{
	struct bus_sub now[BUS_MAX_SUBS];
	int n = nsubs;

	if (!ev->time_us)
		ev->time_us = bus_now_us();
	memcpy(now, subs, (size_t)n * sizeof(now[0]));
	for (int i = 0; i < n; i++) {
		if (still_subscribed(&now[i]))
			now[i].h(ev, now[i].arg);
	}
}
