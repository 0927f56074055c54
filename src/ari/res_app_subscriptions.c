/* res_app_subscriptions.c — the parts of /applications that change what an
 * application receives: subscribe / unsubscribe to event sources
 * (channel:, bridge:, endpoint:, deviceState:) and the event type filter.
 * Status codes and messages follow Asterisk's resource_applications.c and
 * res_stasis.c; the subscriptions themselves live in core/stasis.c.
 *
 * Unlike Asterisk, a request naming several sources is checked completely
 * before anything changes, so a 4xx never leaves half of it applied. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include "ari/handlers.h"
#include "ari/models.h"
#include "core/bridge.h"
#include "core/channel.h"
#include "core/endpoint.h"
#include "base/log.h"
#include "core/stasis.h"

#define SOURCES_MAX 127 /* ARI's limit on a multi-valued parameter */

struct source {
	enum stasis_source kind;
	char id[256];
	bool exists;
};

static const struct {
	const char *scheme;
	enum stasis_source kind;
} schemes[] = {
	{"channel:", STASIS_SRC_CHANNEL},
	{"bridge:", STASIS_SRC_BRIDGE},
	{"endpoint:", STASIS_SRC_ENDPOINT},
	{"deviceState:", STASIS_SRC_DEVICE},
};

/* Resolve one "scheme:id" to the id the core keys subscriptions by.
 * EINVAL: unknown scheme. `exists` tells whether the object is there. */
static int source_parse(const char *uri, struct source *src)
{
	const char *id = NULL;
	struct channel *ch;
	struct endpoint *ep;

	for (size_t i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++) {
		size_t n = strlen(schemes[i].scheme);

		if (!strncmp(uri, schemes[i].scheme, n)) {
			src->kind = schemes[i].kind;
			id = uri + n;
			break;
		}
	}
	if (!id)
		return EINVAL;
	snprintf(src->id, sizeof(src->id), "%s", id);
	src->exists = false;
	if (!*id)
		return 0;
	switch (src->kind) {
	case STASIS_SRC_CHANNEL:
		/* Asterisk looks channels up by uniqueid or by name. */
		ch = channel_find(id);
		if (!ch)
			ch = channel_find_by_name(id);
		if (ch) {
			snprintf(src->id, sizeof(src->id), "%s",
				 channel_id(ch));
			src->exists = true;
		}
		break;
	case STASIS_SRC_BRIDGE:
		src->exists = bridge_find(id) != NULL;
		break;
	case STASIS_SRC_ENDPOINT:
		if (strchr(id, '/')) {
			ep = endpoint_find_id(id);
			if (ep) {
				snprintf(src->id, sizeof(src->id), "%s/%s",
					 endpoint_tech(ep),
					 endpoint_resource(ep));
				src->exists = true;
			}
		}
		else {
			src->exists = endpoint_tech_exists(id);
		}
		break;
	case STASIS_SRC_DEVICE:
		/* Every device name has a state (maybe UNKNOWN or INVALID);
		 * Asterisk subscribes to any. */
		src->exists = true;
		break;
	}
	return 0;
}

/* The eventSource list, split and parsed; replies and returns -1 on a bad
 * request. */
static int sources_get(struct ari_req *req, struct ari_resp *resp,
		       struct source *srcs, int *n)
{
	const char *param = ari_req_param(req, "eventSource");
	char buf[8192];
	char *save = NULL, *tok;

	*n = 0;
	if (!param || !*param) {
		ari_resp_error(resp, 400, "Missing parameter eventSource");
		return -1;
	}
	snprintf(buf, sizeof(buf), "%s", param);
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (*n == SOURCES_MAX) {
			ari_resp_error(resp, 400, "Too many values for "
				       "eventSource");
			return -1;
		}
		if (source_parse(tok, &srcs[*n])) {
			log_warning("Invalid scheme: %s", tok);
			ari_resp_error(resp, 400,
				       "Invalid event source URI scheme");
			return -1;
		}
		(*n)++;
	}
	if (!*n) {
		ari_resp_error(resp, 400, "Missing parameter eventSource");
		return -1;
	}
	return 0;
}

static struct stasis_app *app_get(struct ari_req *req, struct ari_resp *resp)
{
	struct stasis_app *app;

	app = stasis_app_find(ari_req_param(req, "applicationName"));
	if (!app)
		ari_resp_error(resp, 404, "Application not found");
	return app;
}

/* The app and event sources of a (un)subscribe request; NULL after a
 * reply. The sources are checked first, as Asterisk does. */
static struct stasis_app *subscription_get(struct ari_req *req,
					   struct ari_resp *resp,
					   struct source *srcs, int *n)
{
	if (sources_get(req, resp, srcs, n))
		return NULL;
	return app_get(req, resp);
}

void ari_applications_subscribe(struct ari_req *req, struct ari_resp *resp)
{
	static struct source srcs[SOURCES_MAX];
	struct stasis_app *app;
	int n, err = 0;

	app = subscription_get(req, resp, srcs, &n);
	if (!app)
		return;
	for (int i = 0; i < n; i++) {
		if (!srcs[i].exists) {
			log_warning("Event source not found: %s", srcs[i].id);
			ari_resp_error(resp, 422,
				       "Event source does not exist");
			return;
		}
	}
	for (int i = 0; !err && i < n; i++)
		err = stasis_app_subscribe(stasis_app_name(app), srcs[i].kind,
					   srcs[i].id);
	if (err) {
		ari_resp_error(resp, 500, "Error processing request");
		return;
	}
	ari_resp_json(resp, 200, ari_application_json(app));
}

void ari_applications_unsubscribe(struct ari_req *req, struct ari_resp *resp)
{
	static struct source srcs[SOURCES_MAX];
	struct stasis_app *app;
	int n;

	app = subscription_get(req, resp, srcs, &n);
	if (!app)
		return;
	/* A source that is gone cannot be subscribed to any more (its
	 * subscription went with it): 422 as for subscribe; one that exists
	 * but was never subscribed: 409. */
	for (int i = 0; i < n; i++) {
		if (stasis_app_is_subscribed(app, srcs[i].kind, srcs[i].id))
			continue;
		if (!srcs[i].exists || !*srcs[i].id)
			ari_resp_error(resp, 422,
				       "Event source does not exist");
		else
			ari_resp_error(resp, 409, "Application not "
				       "subscribed to event source");
		return;
	}
	for (int i = 0; i < n; i++)
		stasis_app_unsubscribe(stasis_app_name(app), srcs[i].kind,
				       srcs[i].id);
	ari_resp_json(resp, 200, ari_application_json(app));
}

/* ---- event filter ---- */

#define FILTER_MAX 256

struct types {
	const char *v[FILTER_MAX];
	int n;
};

static void collect(const char *type, void *arg)
{
	struct types *t = arg;

	if (t->n < FILTER_MAX)
		t->v[t->n++] = type;
}

/* A filter list is an array of {"type": "EventName"} objects. */
static int types_parse(json_t *arr, struct types *t)
{
	size_t i;
	json_t *el;

	if (!json_is_array(arr) || json_array_size(arr) > FILTER_MAX)
		return EINVAL;
	t->n = 0;
	json_array_foreach(arr, i, el) {
		const char *type = json_string_value(json_object_get(el,
								     "type"));

		if (!type)
			return EINVAL;
		t->v[t->n++] = type;
	}
	return 0;
}

/* Asterisk's rules: no body is an error; {} clears both lists; a key that
 * is absent leaves that list as it was; an empty array clears it. */
void ari_applications_filter(struct ari_req *req, struct ari_resp *resp)
{
	static struct types allowed, disallowed;
	struct stasis_app *app = app_get(req, resp);
	json_t *body, *a, *d;

	if (!app)
		return;
	body = ari_req_body(req);
	if (!json_is_object(body))
		goto bad;
	a = json_object_get(body, "allowed");
	d = json_object_get(body, "disallowed");
	allowed.n = disallowed.n = 0;
	if (json_object_size(body)) {
		if (a ? types_parse(a, &allowed)
		      : (stasis_app_filter_foreach(app, true, collect,
						   &allowed), 0))
			goto bad;
		if (d ? types_parse(d, &disallowed)
		      : (stasis_app_filter_foreach(app, false, collect,
						   &disallowed), 0))
			goto bad;
	}
	if (stasis_app_set_filter(app, allowed.v, allowed.n, disallowed.v,
				  disallowed.n)) {
		ari_resp_error(resp, 500, "Error processing request");
		return;
	}
	ari_resp_json(resp, 200, ari_application_json(app));
	return;
bad:
	ari_resp_error(resp, 400, "Invalid format definition");
}
