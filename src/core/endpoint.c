/* endpoint.c — endpoint registry, and which channels each endpoint has.
 * A channel names its endpoint ("PJSIP/alice"); a channel hook tells us
 * when it joins or leaves one, and the membership is kept here by that
 * name (a channel may name an endpoint that does not exist, or not yet),
 * so an endpoint's channels are walked without passing every other
 * channel: channel_ids and device states are computed at each join, leave
 * and state change, with thousands of channels up. EndpointStateChange
 * goes out when channel_ids change, as Asterisk does. The arrow points from
 * endpoints to channels only: channel.c knows nothing of this file. */
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
#include <re_hash.h>
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

/* ---- channels of an endpoint ---- */

/* The channels naming one "tech/resource" (case-insensitive), in the order
 * they joined. */
struct members {
	struct le he;           /* in groups */
	char *name;
	struct list chans;      /* struct member */
	size_t n;
};

struct member {
	struct le le;           /* in its members' chans */
	struct le he;           /* in by_channel */
	struct channel *ch;     /* weak: it leaves before it goes */
	struct members *of;
};

enum { GROUP_BUCKETS = 1024, MEMBER_BUCKETS = 4096 };
static struct hash *groups, *by_channel;

static void members_destructor(void *arg)
{
	struct members *g = arg;

	hash_unlink(&g->he);
	mem_deref(g->name);
}

static void member_destructor(void *arg)
{
	struct member *m = arg;

	list_unlink(&m->le);
	hash_unlink(&m->he);
	if (m->of && --m->of->n == 0)
		mem_deref(m->of);
}

static uint32_t ch_key(const struct channel *ch)
{
	return (uint32_t)((uintptr_t)ch >> 4);
}

static struct members *group_find(const char *name)
{
	struct le *le = list_head(hash_list(groups, hash_joaat_str_ci(name)));

	for (; le; le = le->next) {
		struct members *g = le->data;

		if (!strcasecmp(g->name, name))
			return g;
	}
	return NULL;
}

static struct member *member_find(const struct channel *ch)
{
	struct le *le = list_head(hash_list(by_channel, ch_key(ch)));

	for (; le; le = le->next) {
		struct member *m = le->data;

		if (m->ch == ch)
			return m;
	}
	return NULL;
}

static void member_join(struct channel *ch, const char *name)
{
	struct members *g;
	struct member *m;

	if ((!groups && hash_alloc(&groups, GROUP_BUCKETS)) ||
	    (!by_channel && hash_alloc(&by_channel, MEMBER_BUCKETS)))
		return;
	g = group_find(name);

	if (!g) {
		g = mem_zalloc(sizeof(*g), members_destructor);
		if (!g || str_dup(&g->name, name)) {
			mem_deref(g);
			return;
		}
		hash_append(groups, hash_joaat_str_ci(name), &g->he, g);
	}
	m = mem_zalloc(sizeof(*m), member_destructor);
	if (!m) {
		if (!g->n)
			mem_deref(g);
		return;
	}
	m->ch = ch;
	m->of = g;
	g->n++;
	list_append(&g->chans, &m->le, m);
	hash_append(by_channel, ch_key(ch), &m->he, m);
}

void endpoint_channel_foreach(const struct endpoint *ep,
			      void (*h)(struct channel *ch, void *arg),
			      void *arg)
{
	struct members *g = group_find(ep->id);
	struct le *le = g ? g->chans.head : NULL;

	while (le) {
		struct member *m = le->data;

		le = le->next;
		h(m->ch, arg);
	}
}

size_t endpoint_channel_count(const struct endpoint *ep)
{
	const struct members *g = group_find(ep->id);

	return g ? g->n : 0;
}

/* A channel left and/or joined an endpoint: its channel_ids changed. */
static void channels_changed(struct channel *ch, const char *left,
			     const char *joined)
{
	struct endpoint *ep;

	mem_deref(member_find(ch));
	if (joined)
		member_join(ch, joined);
	if (left && (ep = endpoint_find_id(left)))
		publish_state(ep);
	if (joined && (ep = endpoint_find_id(joined)))
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
	hash_flush(by_channel);    /* each member lets its group go */
	by_channel = mem_deref(by_channel);
	groups = mem_deref(groups);
	list_flush(&endpoints);
	memset(techs, 0, sizeof(techs));
}
