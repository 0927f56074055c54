/* endpoint.c — endpoint registry. Channel membership is not stored twice:
 * a channel names its endpoint ("PJSIP/alice") and the lists are computed
 * from the channel registry when asked. A channel hook tells us when a
 * channel of an endpoint comes or goes, and EndpointStateChange goes out, as
 * Asterisk does when channel_ids change. The arrow points from endpoints to
 * channels only: channel.c knows nothing of this file. */
#include <errno.h>
#include <stdint.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <re_types.h>
#include <re_fmt.h>
#include <re_mem.h>
#include <re_list.h>
#include "core/bus.h"
#include "core/channel.h"
#include "core/endpoint.h"

#define TECHS_MAX 8

struct endpoint {
	struct le le;
	char *tech;
	char *resource;
	char *id;               /* "tech/resource" */
	enum endpoint_state state;
};

static struct list endpoints;
static struct {
	char name[16];
	const struct endpoint_tech_ops *ops;
} techs[TECHS_MAX];

int endpoint_tech_register(const char *tech,
			   const struct endpoint_tech_ops *ops)
{
	for (int i = 0; i < TECHS_MAX; i++) {
		if (!techs[i].name[0] || !strcasecmp(techs[i].name, tech)) {
			snprintf(techs[i].name, sizeof(techs[i].name), "%s",
				 tech);
			techs[i].ops = ops;
			return 0;
		}
	}
	return ENOMEM;
}

static int tech_index(const char *tech)
{
	for (int i = 0; tech && i < TECHS_MAX; i++)
		if (techs[i].name[0] && !strcasecmp(techs[i].name, tech))
			return i;
	return -1;
}

bool endpoint_tech_exists(const char *tech)
{
	return tech_index(tech) >= 0;
}

const struct endpoint_tech_ops *endpoint_tech_ops(const char *tech)
{
	int i = tech_index(tech);

	return i < 0 ? NULL : techs[i].ops;
}

static void endpoint_destructor(void *arg)
{
	struct endpoint *ep = arg;

	list_unlink(&ep->le);
	mem_deref(ep->tech);
	mem_deref(ep->resource);
	mem_deref(ep->id);
}

struct endpoint *endpoint_find(const char *tech, const char *resource)
{
	if (!tech || !resource)
		return NULL;
	for (struct le *le = endpoints.head; le; le = le->next) {
		struct endpoint *ep = le->data;

		if (!strcasecmp(ep->tech, tech) && !strcmp(ep->resource, resource))
			return ep;
	}
	return NULL;
}

struct endpoint *endpoint_find_id(const char *id)
{
	const char *slash = id ? strchr(id, '/') : NULL;
	char tech[32];

	if (!slash || (size_t)(slash - id) >= sizeof(tech))
		return NULL;
	memcpy(tech, id, slash - id);
	tech[slash - id] = '\0';
	return endpoint_find(tech, slash + 1);
}

int endpoint_add(struct endpoint **epp, const char *tech,
		 const char *resource)
{
	struct endpoint *ep;

	if (!tech || !*tech || !resource || !*resource)
		return EINVAL;
	if (endpoint_find(tech, resource))
		return EEXIST;
	ep = mem_zalloc(sizeof(*ep), endpoint_destructor);
	if (!ep || str_dup(&ep->tech, tech) || str_dup(&ep->resource, resource) ||
	    re_sdprintf(&ep->id, "%s/%s", tech, resource)) {
		mem_deref(ep);
		return ENOMEM;
	}
	list_append(&endpoints, &ep->le, ep);
	if (epp)
		*epp = ep;
	return 0;
}

void endpoint_remove(struct endpoint *ep)
{
	mem_deref(ep);
}

const char *endpoint_tech(const struct endpoint *ep) { return ep->tech; }
const char *endpoint_resource(const struct endpoint *ep) { return ep->resource; }
enum endpoint_state endpoint_get_state(const struct endpoint *ep) { return ep->state; }

const char *endpoint_state_str(enum endpoint_state st)
{
	switch (st) {
	case ENDPOINT_OFFLINE: return "offline";
	case ENDPOINT_ONLINE:  return "online";
	default:               return "unknown";
	}
}

static void publish_state(struct endpoint *ep)
{
	struct bus_event ev = {.type = BUS_ENDPOINT_STATE, .endpoint = ep};

	bus_publish(&ev);
}

void endpoint_set_state(struct endpoint *ep, enum endpoint_state st)
{
	if (ep->state == st)
		return;
	ep->state = st;
	publish_state(ep);
}

void endpoint_foreach(const char *tech,
		      void (*h)(struct endpoint *ep, void *arg), void *arg)
{
	struct le *le = endpoints.head;

	while (le) {
		struct endpoint *ep = le->data;

		le = le->next;
		if (!tech || !strcasecmp(ep->tech, tech))
			h(ep, arg);
	}
}

struct chan_walk {
	const struct endpoint *ep;
	void (*h)(struct channel *ch, void *arg);
	void *arg;
	size_t count;
};

static bool walk_channel(struct channel *ch, void *arg)
{
	struct chan_walk *w = arg;
	const char *id = channel_endpoint(ch);

	if (id && !strcasecmp(id, w->ep->id)) {
		w->count++;
		if (w->h)
			w->h(ch, w->arg);
	}
	return false;
}

void endpoint_channel_foreach(const struct endpoint *ep,
			      void (*h)(struct channel *ch, void *arg),
			      void *arg)
{
	struct chan_walk w = {.ep = ep, .h = h, .arg = arg};

	channel_foreach(walk_channel, &w);
}

size_t endpoint_channel_count(const struct endpoint *ep)
{
	struct chan_walk w = {.ep = ep};

	channel_foreach(walk_channel, &w);
	return w.count;
}

/* A channel joined or left "tech/resource": its channel_ids changed. */
static void channels_changed(const char *tech_resource)
{
	struct endpoint *ep = endpoint_find_id(tech_resource);

	if (ep)
		publish_state(ep);
}

static const struct channel_hooks endpoint_hooks = {
	.endpoint_changed = channels_changed,
};

int endpoint_init(void)
{
	return channel_hooks_add(&endpoint_hooks);
}

void endpoint_close(void)
{
	list_flush(&endpoints);
	memset(techs, 0, sizeof(techs));
}
