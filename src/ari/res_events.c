/* res_events.c — POST /events/user/{eventName}: an application sends itself
 * (or another app) a ChannelUserevent carrying its own variables and the
 * channel / bridge / endpoint named as sources. Checks, status codes and messages
 * follow Asterisk's resource_events.c and stasis_app_user_event(). The
 * WebSocket side of /events is ws_events.c. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ari/handlers.h"
#include "core/bridge.h"
#include "core/bus.h"
#include "core/channel.h"
#include "core/endpoint.h"
#include "base/log.h"
#include "core/stasis.h"

#define SOURCES_MAX 127
#define VARS_MAX 128

struct user_event {
	struct bus_event ev;
	const char *keys[VARS_MAX + 1];
	const char *values[VARS_MAX + 1];
	char *owned[VARS_MAX];   /* non-string values as JSON text:
				  * json_dumps() output, freed with free() */
	int nowned;
};

static void user_event_free(struct user_event *ue)
{
	for (int i = 0; i < ue->nowned; i++)
		free(ue->owned[i]);
}

/* The userevent object is the variables plus "eventname", as Asterisk
 * builds it. The bus carries text, so a non-string value travels as its
 * JSON text (a number 5 arrives as "5"). */
static int vars_add(struct user_event *ue, const char *name, json_t *vars)
{
	const char *key;
	json_t *val;

	ue->keys[0] = "eventname";
	ue->values[0] = name;
	ue->ev.nkv = 1;
	if (!vars)
		return 0;
	if (!json_is_object(vars))
		return EINVAL;
	json_object_foreach(vars, key, val) {
		const char *text = json_string_value(val);

		if (!strcmp(key, "eventname"))
			continue;
		if (ue->ev.nkv > VARS_MAX)
			return E2BIG;
		if (!text) {
			char *s = json_dumps(val, JSON_ENCODE_ANY |
						  JSON_COMPACT);

			if (!s)
				return ENOMEM;
			ue->owned[ue->nowned++] = s;
			text = s;
		}
		ue->keys[ue->ev.nkv] = key;
		ue->values[ue->ev.nkv] = text;
		ue->ev.nkv++;
	}
	return 0;
}

/* One "scheme:id" source. 400 for an unknown scheme, 422 for an object
 * that is not there. */
static int source_add(struct user_event *ue, const char *uri,
		      struct ari_resp *resp)
{
	if (!strncmp(uri, "channel:", 8)) {
		struct channel *ch = channel_find(uri + 8);

		if (ch) {
			ue->ev.chan = ch;
			return 0;
		}
	}
	else if (!strncmp(uri, "bridge:", 7)) {
		struct bridge *b = bridge_find(uri + 7);

		if (b) {
			ue->ev.bridge = b;
			ue->ev.bridge_id = bridge_id(b);
			return 0;
		}
	}
	else if (!strncmp(uri, "endpoint:", 9)) {
		const struct endpoint *ep = endpoint_find_id(uri + 9);

		if (ep) {
			ue->ev.endpoint = ep;
			return 0;
		}
	}
	else if (!strncmp(uri, "deviceState:", 12)) {
		if (uri[12]) {
			ue->ev.device = uri + 12;
			return 0;
		}
	}
	else {
		log_warning("Invalid scheme: %s", uri);
		ari_resp_error(resp, 400, "Invalid event source URI scheme");
		return EINVAL;
	}
	log_error("Unable to get snapshot for %s", uri);
	ari_resp_error(resp, 422, "Event source was not found");
	return ENOENT;
}

void ari_events_user_event(struct ari_req *req, struct ari_resp *resp)
{
	static struct user_event ue;
	const char *app = ari_req_param(req, "application");
	const char *name = ari_req_param(req, "eventName");
	const char *sources = ari_req_param(req, "source");
	json_t *body = ari_req_body(req);
	char buf[8192];
	char *save = NULL, *tok;
	int n = 0, err;

	if (!app || !*app) {
		ari_resp_error(resp, 400, "Missing parameter application");
		return;
	}
	if (!stasis_app_find(app)) {
		log_warning("App %s not found", app);
		ari_resp_error(resp, 404, "Application not found");
		return;
	}
	memset(&ue, 0, sizeof(ue));
	ue.ev.type = BUS_CHANNEL_USEREVENT;
	ue.ev.app = app;
	ue.ev.name = name ? name : "";
	ue.ev.keys = ue.keys;
	ue.ev.values = ue.values;
	err = vars_add(&ue, ue.ev.name,
		       json_is_object(body) ? json_object_get(body, "variables")
					    : NULL);
	if (err) {
		user_event_free(&ue);
		if (err == EINVAL || err == E2BIG)
			/* sic: Asterisk's spelling */
			ari_resp_error(resp, 400, "Invalid userevnet data");
		else
			ari_resp_error(resp, 500, "Error processing request");
		return;
	}
	snprintf(buf, sizeof(buf), "%s", sources ? sources : "");
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (++n > SOURCES_MAX) {
			ari_resp_error(resp, 400, "Too many values for source");
			user_event_free(&ue);
			return;
		}
		if (source_add(&ue, tok, resp)) {
			user_event_free(&ue);
			return;
		}
	}
	bus_publish(&ue.ev);
	user_event_free(&ue);
	ari_resp_no_content(resp);
}
