/* stasis_int.h — what the files of Stasis share: the app object, its
 * subscriptions, and the control attached to a channel in an app. Internal
 * to src/core/stasis*.c; everyone else uses stasis.h.
 *
 * Order of the files (each uses only those before it): stasis_app.c (the
 * registry of apps, their subscriptions and filters), stasis.c (channels
 * entering, moving between and leaving apps), stasis_route.c (which app
 * sees which bus event), stasis_broadcast.c (offering a channel to apps). */
#ifndef ARIADNE_STASIS_INT_H
#define ARIADNE_STASIS_INT_H

#include <stdbool.h>
#include <stdint.h>
#include "core/stasis.h"

/* libre's headers have no include guards: the including file has included
 * <re_types.h> and <re_list.h> (struct le, struct list) already. */

struct bus_event;

struct stasis_app {
	struct le le;
	char *name;
	bool active;
	bool subscribe_all;
	bool hooked;              /* app_hooks->created returned true */
	bool dying;               /* being destroyed (its bridges first) */
	stasis_deliver_h *deliver;
	void *owner;              /* weak: the socket unregisters itself */
	struct list subs;         /* struct sub: event sources subscribed */
	struct list allowed;      /* struct sub (kind unused): type filter */
	struct list disallowed;
	unsigned controlled;      /* channels currently in this app */
};

/* One source an app is subscribed to. Subscriptions to channels, bridges
 * and endpoints are counted, as Asterisk's app forwards count them: being
 * in the app is one, originate/create with `app` one, each POST
 * .../subscription one; each end or DELETE takes one away, and the app
 * stops seeing the source at zero (or when the source or the app goes).
 * Device states are not counted. */
struct sub {
	struct le le;
	struct le he;             /* in the index of every app's sources */
	const struct stasis_app *app;  /* NULL: an event type filter's */
	uint32_t key;             /* sub_key() */
	enum stasis_source kind;
	char *id;
	unsigned refs;
};

struct stasis_control {
	struct channel *ch;       /* weak: the control dies on hangup */
	char *app;                /* app the channel is in */
	char *appdata;            /* "app,args" for CEL records */
	stasis_done_h *done;
	void *arg;
};

/* Every app, in name order. */
extern struct list stasis_apps;

/* Subscriptions (stasis_app.c). */
struct sub *stasis_source_find(const struct stasis_app *app,
			       enum stasis_source kind, const char *id);
struct sub *stasis_sub_find(const struct stasis_app *app, const char *chan_id);
/* One more / one less subscription to a channel. */
int stasis_sub_add(struct stasis_app *app, const char *chan_id);
void stasis_sub_remove(struct stasis_app *app, const char *chan_id);
/* All of them: the channel is gone. */
void stasis_sub_drop(struct stasis_app *app, const char *chan_id);

/* Hand an event to the app's socket (dropped, with a debug line, when the
 * app is inactive). */
void stasis_app_deliver(struct stasis_app *app, struct bus_event *ev);
/* An app with no socket and no channel in it has nothing left to do. */
void stasis_app_maybe_destroy(struct stasis_app *app);
void stasis_apps_close(void);

#endif
