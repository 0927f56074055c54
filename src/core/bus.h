/* bus.h — the event bus: the core publishes typed events, subscribers (ARI
 * apps through stasis.c, CEL, the CLI) receive them synchronously, in
 * publication order, on the one event loop. Because delivery is synchronous a
 * subscriber sees the channel exactly as it was when the event happened, and
 * events for one channel can never overtake each other (so StasisEnd to the
 * old app always precedes StasisStart to the new one on a move). */
#ifndef ARIADNE_BUS_H
#define ARIADNE_BUS_H

#include <stdbool.h>
#include <stdint.h>

struct channel;

enum bus_type {
	BUS_CHANNEL_CREATED,
	BUS_CHANNEL_DESTROYED,
	BUS_CHANNEL_STATE,
	BUS_CHANNEL_DIALPLAN,
	BUS_CHANNEL_VARSET,
	BUS_CHANNEL_HANGUP_REQUEST,
	BUS_DIAL,
	BUS_STASIS_START,
	BUS_STASIS_END,
	BUS_APP_MOVE_FAILED,
	BUS_APP_REPLACED,
	BUS_CEL_APP,           /* internal: app change for CEL (no ARI event) */
};

struct bus_event {
	enum bus_type type;
	uint64_t time_us;             /* wall clock, microseconds since epoch */
	struct channel *chan;         /* the channel (NULL for app events) */
	const char *app;              /* target app of StasisStart/End, move failed, replaced */

	/* per type */
	int cause;                    /* DESTROYED, HANGUP_REQUEST */
	bool soft;                    /* HANGUP_REQUEST */
	const char *var, *value;      /* VARSET (chan NULL → global) */
	const char *dialplan_app, *dialplan_data;  /* DIALPLAN, CEL_APP */
	const char *const *args;      /* STASIS_START, APP_MOVE_FAILED */
	int nargs;
	const char *destination;      /* APP_MOVE_FAILED */
	struct channel *peer;         /* DIAL: the called channel */
	struct channel *caller;       /* DIAL: the calling one, may be NULL */
	const char *dialstring;       /* DIAL */
	const char *dialstatus;       /* DIAL: "" at start, ANSWER, ... */
	/* CEL_APP: leaving (end) or entering (start) an app */
	bool cel_start;
};

typedef void (bus_h)(const struct bus_event *ev, void *arg);

/* Subscribe to every event. */
int bus_subscribe(bus_h *h, void *arg);
void bus_unsubscribe(bus_h *h, void *arg);

/* Fill time_us when zero, then hand ev to every subscriber in order. */
void bus_publish(struct bus_event *ev);

uint64_t bus_now_us(void);

#endif
