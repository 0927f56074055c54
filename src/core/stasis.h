/* stasis.h — Stasis applications: the registry of apps that event sockets
 * register, which channels each app controls or watches, and the operations
 * on a channel in an app (enter, move, continue, leave). Event routing to apps also lives here: stasis.c
 * subscribes to the bus and hands each event to the apps that should see it
 * through their deliver callback.
 *
 * An app object lives while a socket holds it (active) or channels are still
 * in / subscribed to it; then it is destroyed and its context removed. */
#ifndef ARIADNE_STASIS_H
#define ARIADNE_STASIS_H

#include <stdbool.h>
#include <stddef.h>

struct channel;
struct bus_event;
struct stasis_app;

#define STASIS_APP_NAME_MAX 73 /* 80-char context limit minus "stasis-" */

/* Called for every event the app should receive. `owner` is the value given
 * at registration (the socket). */
typedef void (stasis_deliver_h)(const char *app, const struct bus_event *ev,
				void *owner);

int stasis_init(void);
void stasis_close(void);

/* What other layers attach to an app's life: the dialplan makes the
 * automatic stasis-<app> context. created() returns true when it made
 * something that destroyed() must undo; destroyed() is called only then. */
struct stasis_app_hooks {
	bool (*created)(const char *app);
	void (*destroyed)(const char *app);
};
void stasis_app_hooks_set(const struct stasis_app_hooks *hooks);

/* Register (or re-activate, or take over) app `name` for `owner`. A previous
 * different owner gets ApplicationReplaced first. EINVAL for an empty or
 * too long name. */
int stasis_app_register(const char *name, bool subscribe_all,
			stasis_deliver_h *deliver, void *owner);
/* The owner's socket is gone: deactivate the app if `owner` still holds it
 * (a replaced owner is ignored). The app is destroyed when nothing keeps it. */
void stasis_app_unregister(const char *name, void *owner);

/* Does `owner` hold app `name` (registered it and is still its socket)? */
bool stasis_app_owned_by(const char *name, const void *owner);
/* Give app `name` from owner `from` to `to` at once: the app stays active,
 * its channels and subscriptions stay, nobody is told (ARI's reconnect
 * grace keeps an app this way while its socket is away). false if `from`
 * does not hold it. */
bool stasis_app_hand_over(const char *name, const void *from,
			  stasis_deliver_h *deliver, void *to);

struct stasis_app *stasis_app_find(const char *name);
bool stasis_app_is_active(const struct stasis_app *app);
const char *stasis_app_name(const struct stasis_app *app);
/* Apps in name order. */
void stasis_app_foreach(void (*h)(struct stasis_app *app, void *arg),
			void *arg);
/* Ids of channels the app is subscribed to (in the app or watched). */
void stasis_app_channel_foreach(const struct stasis_app *app,
				void (*h)(const char *chan_id, void *arg),
				void *arg);
size_t stasis_app_count(void);

/* Event sources an app can subscribe to (POST /applications/{app}/
 * subscription). ids: channel id, bridge id, "PJSIP/alice" or "PJSIP" for a
 * whole technology, device name. */
enum stasis_source {
	STASIS_SRC_CHANNEL,
	STASIS_SRC_BRIDGE,
	STASIS_SRC_ENDPOINT,
	STASIS_SRC_DEVICE,
};

/* ENOENT: no such app. Subscribing twice is fine. Whether the object exists
 * is the caller's check (422 in ARI). */
int stasis_app_subscribe(const char *app, enum stasis_source kind,
			 const char *id);
/* ENOENT: no such app; ESRCH: not subscribed. */
int stasis_app_unsubscribe(const char *app, enum stasis_source kind,
			   const char *id);
bool stasis_app_is_subscribed(const struct stasis_app *app,
			      enum stasis_source kind, const char *id);
void stasis_app_source_foreach(const struct stasis_app *app,
			       enum stasis_source kind,
			       void (*h)(const char *id, void *arg), void *arg);
/* Subscribed with subscribeAll (every channel, bridge, endpoint). */
bool stasis_app_subscribes_all(const struct stasis_app *app);
/* How many subscriptions hold the source (Asterisk's "interested", which
 * `ari show app` prints); 0: not subscribed. */
unsigned stasis_app_source_interest(const struct stasis_app *app,
				    enum stasis_source kind, const char *id);

/* Event type filter (PUT /applications/{app}/eventFilter): an event passes
 * if its type is not disallowed and, when the allowed list is not empty, is
 * in it. Replaces both lists. */
int stasis_app_set_filter(struct stasis_app *app,
			  const char *const *allowed, int nallowed,
			  const char *const *disallowed, int ndisallowed);
bool stasis_app_event_allowed(const struct stasis_app *app, const char *type);
void stasis_app_filter_foreach(const struct stasis_app *app, bool allowed,
			       void (*h)(const char *type, void *arg),
			       void *arg);

/* Subscribe app to a channel's events without putting it in the app
 * (originate with app=). ENOENT if the app does not exist. */
int stasis_app_watch_channel(const char *app, struct channel *ch);

/* Put a channel into app `name` with args: subscribes, StasisStart.
 * ENOENT app not registered, EAGAIN app not active, EBUSY channel already in
 * an app, ENOTCONN channel already hung up. `done` is called once when the channel leaves the app (continue,
 * hangup) with leave reason; NULL allowed. */
enum stasis_leave {
	STASIS_LEFT_CONTINUE,  /* dialplan goes on */
	STASIS_LEFT_HANGUP,
};
typedef void (stasis_done_h)(struct channel *ch, enum stasis_leave why,
			     void *arg);
int stasis_enter(struct channel *ch, const char *app, const char *const *args,
		 int nargs, stasis_done_h *done, void *arg);

/* The app a channel is in, or NULL. */
const char *stasis_channel_app(const struct channel *ch);

/* Move to another app: StasisEnd (old), StasisStart (new); or when the
 * destination is missing/inactive, ApplicationMoveFailed to the current app
 * and the channel stays. appargs: comma list, empty items dropped. Returns
 * EINVAL when the channel is not in an app. The move runs after the current
 * call stack unwinds (queued on the channel's control). */
int stasis_move(struct channel *ch, const char *app, const char *appargs);

/* Leave the app for the given dialplan location (already resolved by the
 * caller): StasisEnd, the channel's location is set, then `done`(CONTINUE),
 * whose owner runs the dialplan from there. Queued like move. */
int stasis_continue(struct channel *ch, const char *context,
		    const char *exten, int priority);

/* StasisBroadcast's offer (stasis_broadcast.c): the channel is offered to
 * the active apps (CallBroadcast) until one claims it, which it then enters
 * as with stasis_enter(). */
struct stasis_broadcast_opts {
	unsigned timeout_ms;    /* no claim within this: TIMEOUT */
	const char *filter;     /* extended regex on app names; NULL/"": all */
	const char *args;       /* colon list of the winner's StasisStart args */
	bool notify_claimed;    /* CallClaimed to the offered apps */
};
enum stasis_broadcast_end {
	STASIS_BCAST_CONTINUE,  /* claimed, then left the app by continue */
	STASIS_BCAST_HANGUP,    /* claimed, then hung up in the app */
	STASIS_BCAST_TIMEOUT,   /* nobody claimed it in time */
	STASIS_BCAST_FAILED,    /* claimed, but entering the app failed */
};
typedef void (stasis_broadcast_done_h)(struct channel *ch,
				       enum stasis_broadcast_end how,
				       void *arg);
int stasis_broadcast_init(void);
void stasis_broadcast_close(void);
/* Offer `ch`. `done` is called once, with how the offer ended (not when the
 * channel hangs up before a claim). EALREADY: already being broadcast. */
int stasis_broadcast_offer(struct channel *ch,
			   const struct stasis_broadcast_opts *opts,
			   stasis_broadcast_done_h *done, void *arg);
/* POST /events/claim: `app` takes the offered channel, which enters it
 * (StasisStart). ENOENT channel unknown or not being broadcast, EALREADY
 * another app won (also while the winner's session lasts), ESRCH `app` is
 * not a registered, active app. */
int stasis_broadcast_claim(const char *chan_id, const char *app);

/* Given to channel_hooks_set(): StasisEnd when a channel in an app hangs up. */
extern const struct channel_hooks stasis_hooks;

#endif
