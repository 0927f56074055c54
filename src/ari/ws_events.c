/* ws_events.c — the ARI events session, GET /ari/events?app=a,b: the apps
 * are registered with Stasis for the socket's lifetime, every event they
 * get goes out as one text frame, and text messages from the client are
 * REST requests (ws_rest.c). The WebSocket itself (handshake, frames,
 * close) is ws_upgrade.c's and ws_conn.c's; this file only knows ARI. */
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
#include "ari/models.h"
#include "ari/http_conf.h"
#include "ari/request.h"
#include "ari/ws_events.h"
#include "ari/ws_rest.h"
#include "ari/ws_upgrade.h"
#include "core/stasis.h"
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
	bool busy;            /* inside ari_ws_events: destroy later */
	bool dead;
};

static struct list sessions = LIST_INIT;
static ari_invoke_h *invokeh;  /* routing, for REST over WebSocket */

static void unregister_apps(struct ws_sess *s)
{
	if (!s->registered)
		return;
	s->registered = false;
	for (int i = 0; i < s->napps; i++)
		stasis_app_unregister(s->apps[i], s);
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

static void send_json(struct ws_sess *s, json_t *j)
{
	char *text, labels[160], esc[140];

	if (!j)
		return;
	text = json_dumps(j, ari_http_pretty() ? JSON_INDENT(2) :
			  JSON_COMPACT);
	json_decref(j);
	if (!text)
		return;
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
	free(text);  /* json_dumps() output is jansson's */
}

static void deliver(const char *app, const struct bus_event *ev, void *owner)
{
	struct ws_sess *s = owner;
	json_t *j;

	if (ws_conn_closing(s->wc))
		return;
	j = ari_event_json(app, ev);
	if (!j)
		return;
	/* PUT /applications/{app}/eventFilter applies to every event. */
	if (!stasis_app_event_allowed(stasis_app_find(app),
				      json_string_value(json_object_get(j, "type")))) {
		json_decref(j);
		return;
	}
	send_json(s, j);
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

		if (!l || l > STASIS_APP_NAME_MAX || s->napps >= WS_MAX_APPS) {
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

/* The socket's apps, for its lifetime; on failure the socket is closed. */
static int register_apps(struct ws_sess *s, bool subscribe_all)
{
	s->registered = true;
	for (int i = 0; i < s->napps; i++) {
		int err = stasis_app_register(s->apps[i], subscribe_all,
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

void ari_ws_events(struct ari_req *req, struct ari_resp *resp)
{
	const char *app = ari_req_param(req, "app");
	bool subscribe_all = ari_req_param_bool(req, "subscribeAll", false);
	struct mbuf *rest = NULL;
	struct ws_sess *s;

	if (!app || !*app) {
		ari_resp_error(resp, 400, "missing param: [app]");
		return;
	}
	s = sess_alloc(req, app, resp);
	if (!s)
		return;
	if (ari_ws_accept(&s->wc, &rest, req, resp, "ari", ws_message,
			  ws_closed, s)) {
		mem_deref(s);
		return;
	}
	list_append(&sessions, &s->le, s);
	if (register_apps(s, subscribe_all)) {
		mem_deref(rest);
		sess_destroy(s);
		return;
	}

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

void ari_ws_events_init(ari_invoke_h *h)
{
	invokeh = h;
}

void ari_ws_events_close_all(void)
{
	while (sessions.head) {
		struct ws_sess *s = sessions.head->data;

		list_unlink(&s->le);
		ws_conn_close(s->wc, 1001, NULL);
		mem_deref(s);
	}
}
