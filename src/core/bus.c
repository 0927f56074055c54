/* bus.c — synchronous publish/subscribe of core events. A handful of
 * subscribers (stasis, CEL, ...) so a small array is all it takes. A
 * subscriber may publish from inside its handler; the nested event is
 * delivered completely before the outer one continues, which is what keeps
 * per-channel order intact. */
#include <errno.h>
#include <stddef.h>
#include <sys/time.h>
#include "core/bus.h"

#define BUS_MAX_SUBS 16

static struct {
	bus_h *h;
	void *arg;
} subs[BUS_MAX_SUBS];
static int nsubs;

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

void bus_publish(struct bus_event *ev)
{
	if (!ev->time_us)
		ev->time_us = bus_now_us();
	for (int i = 0; i < nsubs; i++)
		subs[i].h(ev, subs[i].arg);
}
