/* ws_events.c — the ARI events session, GET /ari/events?app=a,b: the apps
 * are registered with Stasis for the socket's lifetime, every event they
 * get goes out as one text frame, and text messages from the client are
 * REST requests (ws_rest.c). The WebSocket itself (handshake, frames,
 * close) is ws_upgrade.c's and ws_conn.c's; this file only knows ARI.
 *
 * Two ariadne extensions live here (docs/ARI-EXTENSIONS.md): each event
 * carries the app's `sequence` and is kept (app_log.c); when a socket goes
 * and ari.conf reconnect_grace is set, a keeper holds its apps for that
 * long (channels stay, events are kept), and a socket that comes back with
 * since=N takes the apps over and first gets what it missed.
 *
 * For the cluster layer (ari.h): a tap sees the text of every event any
 * app gets, and a holder keeps an app registered without a socket (a NATS
 * node serves it); a socket of that app takes it over and hands it back. */
#include <errno.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <re_types.h>
#include <re_fmt.h>
#include <re_mem.h>
#include <re_mbuf.h>
#include <re_list.h>
#include <re_tmr.h>
#include "ari/ari.h"
#include "ari/app_log.h"
#include "ari/models.h"
#include "ari/http_conf.h"
#include "ari/request.h"
#include "ari/ws_events.h"
#include "ari/ws_rest.h"
#include "ari/ws_share.h"
#include "ari/ws_upgrade.h"
#include "core/bus.h"
#include "core/stasis.h"
#include "base/options.h"
#include "base/log.h"
#include "base/metrics.h"

enum {
	WS_MAX_APPS = 127,
};

struct ws_sess {
	struct le le;
	struct ws_conn *wc;
	char peer[64];
	char *user;
	bool read_only;
	char *applist;        /* the app parameter, cut at its commas */
	const char *apps[WS_MAX_APPS];  /* into applist */
	int napps;
	bool registered;
	bool share;           /* share=true: the apps' calls are spread over
	                       * every such socket (ws_share.c) */
	bool busy;            /* inside ari_ws_events: destroy later */
	bool dead;
};

/* Holds an app whose socket went away, for reconnect_grace. */
struct keeper {
	struct le le;
	char *app;
	struct tmr tmr;
	uint64_t since_ms;
};

/* Holds an app for the cluster layer (ari_app_hold). */
struct holder {
	struct le le;
	char *app;
};

static struct list sessions = LIST_INIT;
static struct list keepers = LIST_INIT;
static struct list holders = LIST_INIT;
static ari_invoke_h *invokeh;  /* routing, for REST over WebSocket */
static ari_event_tap_h *taph;  /* ari_event_tap_set() */
static void *tap_arg;

static void keeper_destructor(void *arg)
{
	struct keeper *k = arg;

	tmr_cancel(&k->tmr);
	list_unlink(&k->le);
	mem_deref(k->app);
}

static struct keeper *keeper_find(const char *app)
{
	for (struct le *le = keepers.head; le; le = le->next) {
		struct keeper *k = le->data;

		if (!strcmp(k->app, app))
			return k;
	}
	return NULL;
}

/* The event as the app's socket gets it: its sequence added, kept for a
 * reconnect. NULL when the app's event filter drops it. */
static char *event_text(const char *app, const struct bus_event *ev)
{
	json_t *j = ari_event_json(app, ev);
	uint64_t seq;
	char *text;

	if (!j)
		return NULL;
	/* PUT /applications/{app}/eventFilter applies to every event. */
	if (!stasis_app_event_allowed(stasis_app_find(app),
				      json_string_value(json_object_get(j, "type")))) {
		json_decref(j);
		return NULL;
	}
	seq = ari_app_log_next(app);
	if (seq)
		json_object_set_new(j, "sequence", json_integer((json_int_t)seq));
	text = ari_json_text(j);
	json_decref(j);
	if (text && seq && ari_app_log_keep(app, seq, text))
		log_warning("Stasis app '%s': event %llu not kept for a "
			    "reconnect (out of memory)", app,
			    (unsigned long long)seq);
	if (text && taph)
		taph(app, text, tap_arg);
	return text;
}

void ari_event_tap_set(ari_event_tap_h *h, void *arg)
{
	taph = h;
	tap_arg = arg;
}

static void holder_destructor(void *arg)
{
	struct holder *h = arg;

	list_unlink(&h->le);
	mem_deref(h->app);
}

static struct holder *holder_find(const char *app)
{
	for (struct le *le = holders.head; le; le = le->next) {
		struct holder *h = le->data;

		if (!strcmp(h->app, app))
			return h;
	}
	return NULL;
}

/* Numbered, kept and tapped; no socket to send to. */
static void holder_deliver(const char *app, const struct bus_event *ev,
			   void *owner)
{
	(void)owner;
	if (ev->type != BUS_APP_REPLACED)
		free(event_text(app, ev));  /* ari_json_text() output: free() */
}

/* The app's owner `from` lets it go: its holder, if any, takes it back. */
static bool holder_take(const char *app, void *from)
{
	struct holder *h = holder_find(app);

	if (!h || !stasis_app_hand_over(app, from, holder_deliver, h))
		return false;
	log_verbose(2, "Stasis app '%s' is held for the cluster again", app);
	return true;
}

int ari_app_hold(const char *name)
{
	const struct stasis_app *a = stasis_app_find(name);
	struct holder *h;
	int err = 0;

	if (holder_find(name))
		return EALREADY;
	h = mem_zalloc(sizeof(*h), holder_destructor);
	if (!h || str_dup(&h->app, name)) {
		mem_deref(h);
		return ENOMEM;
	}
	/* a socket that holds the app now keeps it until it goes */
	if (!a || !stasis_app_is_active(a))
		err = stasis_app_register(name, false, holder_deliver, h);
	if (err) {
		mem_deref(h);
		return err;
	}
	list_append(&holders, &h->le, h);
	return 0;
}

void ari_app_unhold(const char *name)
{
	struct holder *h = holder_find(name);

	if (!h)
		return;
	if (stasis_app_owned_by(name, h))
		stasis_app_unregister(name, h);
	mem_deref(h);
}

/* While the app has no socket: events are numbered and kept, not sent. A
 * socket of the app taking over ends the keeper (keeper_take). */
static void keeper_deliver(const char *app, const struct bus_event *ev,
			   void *owner)
{
	(void)owner;
	if (ev->type != BUS_APP_REPLACED)
		free(event_text(app, ev));  /* ari_json_text() output: free() */
}

static void keeper_expired(void *arg)
{
	struct keeper *k = arg;

	log_notice("Stasis app '%s' did not reconnect within %u ms "
		   "(reconnect_grace): its events are dropped from now on",
		   k->app, ari_app_log_grace_ms());
	ari_app_log_gap(k->app);
	stasis_app_unregister(k->app, k);
	mem_deref(k);
}

/* The owner of app (a socket, or a group of sharing ones) is going: a
 * keeper takes the app for the grace period. false when there is no grace
 * or owner did not hold it. */
static bool keeper_start(void *owner, const char *app)
{
	struct keeper *k;

	if (!ari_app_log_grace_ms() || !stasis_app_owned_by(app, owner))
		return false;
	k = mem_zalloc(sizeof(*k), keeper_destructor);
	if (!k || str_dup(&k->app, app)) {
		mem_deref(k);
		return false;
	}
	if (!stasis_app_hand_over(app, owner, keeper_deliver, k)) {
		mem_deref(k);
		return false;
	}
	k->since_ms = tmr_jiffies();
	list_append(&keepers, &k->le, k);
	tmr_start(&k->tmr, ari_app_log_grace_ms(), keeper_expired, k);
	log_verbose(2, "Stasis app '%s' lost its socket: keeping its channels "
		    "and events for %u ms (reconnect_grace)", app,
		    ari_app_log_grace_ms());
	return true;
}

/* A new owner of the app takes it from its keeper, if one holds it. */
static bool keeper_take(const char *app, void *owner,
			stasis_deliver_h *deliver)
{
	struct keeper *k = keeper_find(app);

	if (!k || !stasis_app_hand_over(app, k, deliver, owner))
		return false;
	log_verbose(2, "Stasis app '%s' reconnected after %llu ms", app,
		    (unsigned long long)(tmr_jiffies() - k->since_ms));
	mem_deref(k);
	return true;
}

/* The owner lets the app go: kept for the grace period, or deactivated
 * (what it misses from now on is a gap in its log). */
static void release_app(void *owner, const char *app)
{
	if (holder_take(app, owner) || keeper_start(owner, app))
		return;
	if (stasis_app_owned_by(app, owner))
		ari_app_log_gap(app);
	stasis_app_unregister(app, owner);
}

static void unregister_apps(struct ws_sess *s)
{
	if (!s->registered)
		return;
	s->registered = false;
	for (int i = 0; i < s->napps; i++) {
		struct ws_share *g;

		if (!s->share) {
			release_app(s, s->apps[i]);
			continue;
		}
		/* The others keep the app; the last one lets it go. */
		g = ws_share_find(s->apps[i]);
		if (!g || ws_share_remove(g, s))
			continue;
		release_app(g, s->apps[i]);
		ws_share_free(g);
	}
}

static void sess_destructor(void *arg)
{
	struct ws_sess *s = arg;

	list_unlink(&s->le);
	unregister_apps(s);
	mem_deref(s->wc);
	mem_deref(s->user);
	mem_deref(s->applist);
}

static void sess_destroy(struct ws_sess *s)
{
	if (s->busy) {
		s->dead = true;
		return;
	}
	log_verbose(2, "WebSocket connection from '%s' closed", s->peer);
	mem_deref(s);
}

static void send_text(struct ws_sess *s, const char *text)
{
	char labels[160], esc[140];

	snprintf(labels, sizeof(labels), "app=\"%s\"",
		 metrics_esc(esc, sizeof(esc), s->napps ? s->apps[0] : ""));
	if (ws_conn_send(s->wc, false, text, strlen(text)) == EOVERFLOW) {
		log_warning("WebSocket to '%s' (app %s) is not reading: "
			    "%zu bytes queued, closing it", s->peer,
			    s->napps ? s->apps[0] : "?",
			    ws_conn_queued(s->wc));
		metrics_count("ariadne_events_dropped_total", "ARI events "
			      "an app's socket could not take", labels, 1);
	}
	else {
		metrics_count("ariadne_events_sent_total", "ARI events sent "
			      "to apps", labels, 1);
	}
}

static void send_json(struct ws_sess *s, json_t *j)
{
	char *text;

	if (!j)
		return;
	text = ari_json_text(j);
	json_decref(j);
	if (!text)
		return;
	send_text(s, text);
	free(text);  /* ari_json_text() output: free() */
}

static void deliver(const char *app, const struct bus_event *ev, void *owner)
{
	struct ws_sess *s = owner;
	char *text;

	/* ApplicationReplaced is about this socket, not the app's history. */
	if (ev->type == BUS_APP_REPLACED) {
		if (!ws_conn_closing(s->wc))
			send_json(s, ari_event_json(app, ev));
		return;
	}
	/* Numbered and kept even when this socket can no longer take it: a
	 * reconnect with `since` gets it. */
	text = event_text(app, ev);
	if (text && !ws_conn_closing(s->wc))
		send_text(s, text);
	free(text);
}

/* Client messages are REST requests; binary ones mean nothing to ARI. */
static void ws_message(bool binary, const char *data, size_t len, void *arg)
{
	struct ws_sess *s = arg;

	if (binary)
		return;
	send_json(s, ari_ws_rest_message(data, len, s->user, s->read_only,
					 s->peer, invokeh));
}

static void ws_closed(void *arg)
{
	struct ws_sess *s = arg;

	unregister_apps(s);
	sess_destroy(s);
}

/* "a,b" → apps; false with a reply sent when invalid. */
static bool split_apps(struct ws_sess *s, const char *list,
		       struct ari_resp *resp)
{
	char *p;

	if (str_dup(&s->applist, list)) {
		ari_resp_error(resp, 500, "Internal Server Error");
		return false;
	}
	for (p = s->applist;;) {
		char *c = strchr(p, ',');
		size_t l = c ? (size_t)(c - p) : strlen(p);

		if (s->napps >= WS_MAX_APPS) {
			/* res_ari's list parser: 127 values at most */
			ari_resp_error(resp, 400, "Too many values for app");
			return false;
		}
		if (!l || l > STASIS_APP_NAME_MAX) {
			ari_resp_error(resp, 500, "Invalid application "
				       "provided in param [app].");
			return false;
		}
		s->apps[s->napps++] = p;
		if (!c)
			return true;
		*c = '\0';
		p = c + 1;
	}
}

/* The session before the upgrade; NULL with a reply sent. */
static struct ws_sess *sess_alloc(struct ari_req *req, const char *app,
				  struct ari_resp *resp)
{
	struct ws_sess *s = mem_zalloc(sizeof(*s), sess_destructor);

	if (!s) {
		ari_resp_error(resp, 500, "Internal Server Error");
		return NULL;
	}
	if (!split_apps(s, app, resp))
		return mem_deref(s);
	if (str_dup(&s->user, ari_req_user(req) ? ari_req_user(req) : "")) {
		ari_resp_error(resp, 500, "Internal Server Error");
		return mem_deref(s);
	}
	s->read_only = ari_req_read_only(req);
	snprintf(s->peer, sizeof(s->peer), "%s", ari_req_peer(req));
	return s;
}

/* share=true: join the group holding app, or start one (taking the app
 * from its keeper, or from a socket without share=true). */
static int register_shared(struct ws_sess *s, const char *app,
			   bool subscribe_all)
{
	struct ws_share *g = ws_share_find(app);
	int err;

	if (!g) {
		g = ws_share_new(app);
		if (!g)
			return ENOMEM;
		if (!keeper_take(app, g, ws_share_deliver)) {
			err = stasis_app_register(app, subscribe_all,
						  ws_share_deliver, g);
			if (err) {
				ws_share_free(g);
				return err;
			}
		}
	}
	return ws_share_add(g, s);
}

/* The socket's apps, for its lifetime; on failure the socket is closed. */
static int register_apps(struct ws_sess *s, bool subscribe_all)
{
	s->registered = true;
	for (int i = 0; i < s->napps; i++) {
		int err = s->share ? register_shared(s, s->apps[i],
						     subscribe_all) :
			  keeper_take(s->apps[i], s, deliver) ? 0 :
			  stasis_app_register(s->apps[i], subscribe_all,
					      deliver, s);

		if (err) {
			log_warning("Cannot register Stasis app '%s': %s",
				    s->apps[i], strerror(err));
			s->napps = i;  /* the ones before are unregistered */
			ws_conn_close(s->wc, 1011, "app registration failed");
			unregister_apps(s);
			return err;
		}
	}
	return 0;
}

static void replay_one(const char *text, void *arg)
{
	send_text(arg, text);
}

/* since=N: first an EventsLost if the log cannot give everything after N,
 * then what it has after N, in order. Live events come after (one loop:
 * nothing else runs in between). */
static void replay(struct ws_sess *s, uint64_t since)
{
	const char *app = s->apps[0];
	uint64_t first;
	char stamp[40];

	if (!ari_app_log_complete(app, since, &first)) {
		json_t *j = json_object();

		log_notice("Stasis app '%s' reconnected with since=%llu: "
			   "events after it were lost; the first kept is %llu",
			   app, (unsigned long long)since,
			   (unsigned long long)first);
		json_object_set_new(j, "type", json_string("EventsLost"));
		json_object_set_new(j, "timestamp", json_string(ari_time_str(
			bus_now_us(), stamp, sizeof(stamp))));
		json_object_set_new(j, "since", json_integer((json_int_t)since));
		json_object_set_new(j, "first_available_sequence",
				    json_integer((json_int_t)first));
		json_object_set_new(j, "application", json_string(app));
		json_object_set_new(j, "asterisk_id",
				    json_string(options.entity_id));
		send_json(s, j);
	}
	ari_app_log_replay(app, since, replay_one, s);
}

/* The since parameter: absent, or a sequence number for one app. */
static bool since_param(struct ari_req *req, struct ws_sess *s,
			uint64_t *since, bool *has, struct ari_resp *resp)
{
	const char *v = ari_req_param(req, "since");
	char *end;

	*has = v != NULL;
	if (!v)
		return true;
	errno = 0;
	*since = strtoull(v, &end, 10);
	/* sequence numbers are JSON integers (int64): one above that range
	 * would come back negative in EventsLost */
	if (!*v || *end || errno || *v == '-' || *v == '+' ||
	    *since > (uint64_t)INT64_MAX) {
		ari_resp_error(resp, 400, "Invalid since: expected the "
			       "sequence number of the last event received");
		return false;
	}
	if (s->napps != 1) {
		ari_resp_error(resp, 400, "since needs exactly one app: "
			       "sequence numbers are per app");
		return false;
	}
	if (s->share) {
		ari_resp_error(resp, 400, "since cannot be combined with "
			       "share=true: a shared app's events are spread "
			       "over its sockets");
		return false;
	}
	return true;
}

void ari_ws_events(struct ari_req *req, struct ari_resp *resp)
{
	const char *app = ari_req_param(req, "app");
	bool subscribe_all = ari_req_param_bool(req, "subscribeAll", false);
	struct mbuf *rest = NULL;
	struct ws_sess *s;
	uint64_t since = 0;
	bool has_since;

	if (!app || !*app) {
		ari_resp_error(resp, 400, "missing param: [app]");
		return;
	}
	s = sess_alloc(req, app, resp);
	if (!s)
		return;
	s->share = ari_req_param_bool(req, "share", false);
	if (!since_param(req, s, &since, &has_since, resp)) {
		mem_deref(s);
		return;
	}
	if (ari_ws_accept(&s->wc, &rest, req, resp, "ari", ws_message,
			  ws_closed, s)) {
		mem_deref(s);
		return;
	}
	ws_conn_set_queue_max(s->wc, ari_http_conf.ws_queue_max);
	list_append(&sessions, &s->le, s);
	if (register_apps(s, subscribe_all)) {
		mem_deref(rest);
		sess_destroy(s);
		return;
	}
	if (has_since)
		replay(s, since);

	/* what the client sent right after its request: now that the apps
	 * exist */
	if (rest) {
		s->busy = true;
		(void)ws_conn_feed(s->wc, rest->buf, rest->end);
		s->busy = false;
		mem_deref(rest);
	}
	if (s->dead)
		sess_destroy(s);
}

static void share_send(void *sock, const char *text)
{
	struct ws_sess *s = sock;

	if (!ws_conn_closing(s->wc))
		send_text(s, text);
}

static void share_replaced(void *sock, const char *app,
			   const struct bus_event *ev)
{
	struct ws_sess *s = sock;

	if (!ws_conn_closing(s->wc))
		send_json(s, ari_event_json(app, ev));
}

static const struct ws_share_ops share_ops = {
	.text = event_text,
	.send = share_send,
	.replaced = share_replaced,
};

static const char *first_app(const struct ws_sess *s)
{
	return s->napps ? s->apps[0] : "";
}

/* ariadne_events_queued_bytes{app}: what the event sockets of each app
 * (named by its first app) have not taken yet; a slow consumer shows here
 * before its socket is closed. */
static void collect_queued(void)
{
	for (struct le *le = sessions.head; le; le = le->next) {
		const struct ws_sess *s = le->data;
		char labels[160], esc[140];
		size_t sum = 0;
		bool seen = false;

		for (struct le *o = sessions.head; o != le; o = o->next)
			seen |= !strcmp(first_app(o->data), first_app(s));
		if (seen)
			continue;
		for (struct le *o = le; o; o = o->next)
			if (!strcmp(first_app(o->data), first_app(s)))
				sum += ws_conn_queued(((struct ws_sess *)o->data)->wc);
		snprintf(labels, sizeof(labels), "app=\"%s\"",
			 metrics_esc(esc, sizeof(esc), first_app(s)));
		metrics_gauge("ariadne_events_queued_bytes", "Bytes queued "
			      "towards an app's event sockets, not yet taken",
			      labels, (double)sum);
	}
}

void ari_ws_events_init(ari_invoke_h *h)
{
	invokeh = h;
	ws_share_init(&share_ops);
	(void)metrics_collector_add(collect_queued);
}

void ari_ws_events_close_all(void)
{
	while (sessions.head) {
		struct ws_sess *s = sessions.head->data;

		list_unlink(&s->le);
		ws_conn_close(s->wc, 1001, NULL);
		mem_deref(s);
	}
	ws_share_close_all();
	while (keepers.head) {
		struct keeper *k = keepers.head->data;

		stasis_app_unregister(k->app, k);
		mem_deref(k);
	}
}
