/* devstate.c — device states (see devstate.h): the Stasis-controlled store
 * with its file (written behind the loop, base/datafile.c), the channel-backed computation for endpoints, and the bus
 * subscriber that republishes an endpoint's device state when its channels
 * change.
 *
 * Not here: the ARI resource (src/ari/res_device_states.c) and routing of
 * DeviceStateChanged to apps (stasis.c). */
#include <errno.h>
#include <stdint.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <re_types.h>
#include <re_fmt.h>
#include <re_mem.h>
#include <re_list.h>
#include "core/bus.h"
#include "core/channel.h"
#include "base/datafile.h"
#include "core/devstate.h"
#include "core/endpoint.h"
#include "base/log.h"
#include "base/options.h"

#define DEVSTATE_FILE "devstates.json"

/* One remembered device: a Stasis device's state, or the last published
 * state of an endpoint-backed device (to publish changes only). */
struct dev {
	struct le le;
	char *name;
	enum devstate state;
};

static struct list stasis_devs;   /* struct dev: ARI-controlled */
static struct list endpoint_devs; /* struct dev: last published */
static struct list held;          /* struct dev: channel ids on hold */
static bool subscribed;
static struct datafile *store;    /* <datadir>/devstates.json */

static const char *const names[] = {
	[DEVSTATE_UNKNOWN] = "UNKNOWN",
	[DEVSTATE_NOT_INUSE] = "NOT_INUSE",
	[DEVSTATE_INUSE] = "INUSE",
	[DEVSTATE_BUSY] = "BUSY",
	[DEVSTATE_INVALID] = "INVALID",
	[DEVSTATE_UNAVAILABLE] = "UNAVAILABLE",
	[DEVSTATE_RINGING] = "RINGING",
	[DEVSTATE_RINGINUSE] = "RINGINUSE",
	[DEVSTATE_ONHOLD] = "ONHOLD",
};

const char *devstate_str(enum devstate st)
{
	if ((unsigned)st >= sizeof(names) / sizeof(names[0]))
		return "UNKNOWN";
	return names[st];
}

int devstate_parse(const char *str, enum devstate *st)
{
	if (!str)
		return EINVAL;
	for (unsigned i = DEVSTATE_NOT_INUSE;
	     i < sizeof(names) / sizeof(names[0]); i++) {
		if (!strcasecmp(str, names[i])) {
			*st = (enum devstate)i;
			return 0;
		}
	}
	return EINVAL;
}

/* ---- aggregation ---- */

/* Rank of each state when several channels disagree: higher wins. The
 * order is Asterisk's (devicestate.c), so a phone with one held and one
 * active call reads INUSE, one ringing and one idle reads RINGING. */
static const int rank[] = {
	[DEVSTATE_INVALID] = 0,
	[DEVSTATE_UNKNOWN] = 1,
	[DEVSTATE_UNAVAILABLE] = 2,
	[DEVSTATE_NOT_INUSE] = 3,
	[DEVSTATE_ONHOLD] = 4,
	[DEVSTATE_RINGING] = 5,
	[DEVSTATE_INUSE] = 6,
	[DEVSTATE_BUSY] = 7,
	[DEVSTATE_RINGINUSE] = 8,
};

void devstate_agg_init(struct devstate_agg *agg)
{
	memset(agg, 0, sizeof(*agg));
	agg->state = DEVSTATE_INVALID;
}

void devstate_agg_add(struct devstate_agg *agg, enum devstate st)
{
	agg->any = true;
	if (st == DEVSTATE_RINGING)
		agg->ringing = true;
	else if (st == DEVSTATE_INUSE || st == DEVSTATE_ONHOLD ||
		 st == DEVSTATE_BUSY)
		agg->inuse = true;
	if (agg->ringing && agg->inuse)
		agg->state = DEVSTATE_RINGINUSE;
	else if (rank[st] > rank[agg->state])
		agg->state = st;
}

enum devstate devstate_agg_result(const struct devstate_agg *agg)
{
	return agg->state;
}

/* ---- small lists ---- */

static void dev_destructor(void *arg)
{
	struct dev *d = arg;

	list_unlink(&d->le);
	mem_deref(d->name);
}

static struct dev *dev_find(const struct list *l, const char *name)
{
	for (struct le *le = l->head; le; le = le->next) {
		struct dev *d = le->data;

		if (!strcmp(d->name, name))
			return d;
	}
	return NULL;
}

static int dev_add(struct list *l, const char *name, enum devstate st,
		   struct dev **dp)
{
	struct dev *d = mem_zalloc(sizeof(*d), dev_destructor);

	if (!d || str_dup(&d->name, name)) {
		mem_deref(d);
		return ENOMEM;
	}
	d->state = st;
	list_append(l, &d->le, d);
	if (dp)
		*dp = d;
	return 0;
}

static bool name_order(struct le *le1, struct le *le2, void *arg)
{
	const struct dev *a = le1->data, *b = le2->data;

	return strcmp(a->name, b->name) <= 0;
}

static void publish(const char *device, enum devstate st)
{
	struct bus_event ev = {.type = BUS_DEVICE_STATE, .name = device,
			       .status = devstate_str(st)};

	bus_publish(&ev);
}

/* ---- Stasis devices ---- */

static bool is_stasis(const char *device)
{
	return device && !strncasecmp(device, DEVSTATE_STASIS_PREFIX,
				      strlen(DEVSTATE_STASIS_PREFIX));
}

/* Names are kept with the canonical "Stasis:" spelling whatever case the
 * client used for the prefix, as Asterisk stores the part after it. */
static void canonical(char *buf, size_t size, const char *device)
{
	snprintf(buf, size, "%s%s", DEVSTATE_STASIS_PREFIX,
		 device + strlen(DEVSTATE_STASIS_PREFIX));
}

/* On the loop, at each write: the names after the prefix and the states. */
static int dev_rows(struct datafile_rows *rows, void *arg)
{
	(void)arg;
	for (struct le *le = stasis_devs.head; le; le = le->next) {
		struct dev *d = le->data;
		int err = datafile_row(rows,
				       d->name + strlen(DEVSTATE_STASIS_PREFIX),
				       (int)d->state, 0);

		if (err)
			return err;
	}
	return 0;
}

/* On the worker thread: devstate_str() reads only constant names. */
static json_t *dev_value(int state, int unused)
{
	(void)unused;
	return json_string(devstate_str((enum devstate)state));
}

static void load(void)
{
	const char *key;
	json_t *obj, *val;

	if (datafile_load(options.datadir, DEVSTATE_FILE, &obj))
		return;
	json_object_foreach(obj, key, val) {
		char name[512];
		enum devstate st;

		if (!*key || devstate_parse(json_string_value(val), &st)) {
			log_warning("%s/%s: ignoring device '%s'",
				    options.datadir, DEVSTATE_FILE, key);
			continue;
		}
		snprintf(name, sizeof(name), "%s%s", DEVSTATE_STASIS_PREFIX, key);
		if (!dev_find(&stasis_devs, name))
			dev_add(&stasis_devs, name, st, NULL);
	}
	json_decref(obj);
	list_sort(&stasis_devs, name_order, NULL);
}

int devstate_set(const char *device, enum devstate st)
{
	char name[512];
	struct dev *d;
	int err;

	if (!is_stasis(device))
		return EPERM;
	if (!device[strlen(DEVSTATE_STASIS_PREFIX)])
		return ENOENT;
	canonical(name, sizeof(name), device);
	d = dev_find(&stasis_devs, name);
	if (d) {
		d->state = st;
	}
	else {
		err = dev_add(&stasis_devs, name, st, NULL);
		if (err)
			return err;
		/* Asterisk lists them from astdb, in key order. */
		list_sort(&stasis_devs, name_order, NULL);
	}
	datafile_changed(store);
	publish(name, st);
	return 0;
}

int devstate_delete(const char *device)
{
	char name[512];
	struct dev *d;

	if (!is_stasis(device))
		return EPERM;
	if (!device[strlen(DEVSTATE_STASIS_PREFIX)])
		return ENOENT;
	canonical(name, sizeof(name), device);
	d = dev_find(&stasis_devs, name);
	if (!d)
		return ESRCH;
	mem_deref(d);
	datafile_changed(store);
	publish(name, DEVSTATE_UNKNOWN);
	return 0;
}

void devstate_stasis_foreach(void (*h)(const char *device, enum devstate st,
				       void *arg), void *arg)
{
	struct le *le = stasis_devs.head;

	while (le) {
		struct dev *d = le->data;

		le = le->next;
		h(d->name, d->state, arg);
	}
}

/* ---- channel-backed devices ---- */

static enum devstate chan2dev(enum channel_state st)
{
	switch (st) {
	case CHANNEL_DOWN:    return DEVSTATE_NOT_INUSE;
	case CHANNEL_RINGING:
	case CHANNEL_PRERING: return DEVSTATE_RINGING;
	case CHANNEL_BUSY:    return DEVSTATE_BUSY;
	default:              return DEVSTATE_INUSE;
	}
}

struct walk {
	struct devstate_agg agg;
	const struct channel *skip; /* being destroyed */
};

static void add_channel(struct channel *ch, void *arg)
{
	struct walk *w = arg;

	if (ch == w->skip || channel_is_hungup(ch))
		return;
	if (dev_find(&held, channel_id(ch)))
		devstate_agg_add(&w->agg, DEVSTATE_ONHOLD);
	else
		devstate_agg_add(&w->agg, chan2dev(channel_state(ch)));
}

/* Asterisk's chan_pjsip rule: an offline endpoint is UNAVAILABLE, an idle
 * one NOT_INUSE, otherwise the aggregate of its channels. (Endpoints whose
 * reachability nobody tracks — state unknown — count as idle.) */
static enum devstate endpoint_devstate(const struct endpoint *ep,
				       const struct channel *skip)
{
	struct walk w = {.skip = skip};
	enum devstate base;

	base = endpoint_get_state(ep) == ENDPOINT_OFFLINE
		       ? DEVSTATE_UNAVAILABLE : DEVSTATE_NOT_INUSE;
	devstate_agg_init(&w.agg);
	endpoint_channel_foreach(ep, add_channel, &w);
	if (!w.agg.any || devstate_agg_result(&w.agg) == DEVSTATE_INVALID)
		return base;
	return devstate_agg_result(&w.agg);
}

enum devstate devstate_get(const char *device)
{
	const struct endpoint *ep;
	const char *slash;
	char tech[64];
	struct dev *d;

	if (!device || !*device)
		return DEVSTATE_INVALID;
	if (is_stasis(device)) {
		char name[512];

		canonical(name, sizeof(name), device);
		d = dev_find(&stasis_devs, name);
		return d ? d->state : DEVSTATE_UNKNOWN;
	}
	slash = strchr(device, '/');
	if (!slash)
		return DEVSTATE_INVALID; /* no provider by that name */
	ep = endpoint_find_id(device);
	if (ep)
		return endpoint_devstate(ep, NULL);
	snprintf(tech, sizeof(tech), "%.*s", (int)(slash - device), device);
	/* A channel tech that has no such endpoint (or no endpoints at
	 * all, like Local) cannot tell: UNKNOWN; no such tech: INVALID. */
	if (endpoint_tech_exists(tech))
		return DEVSTATE_INVALID;
	return channel_tech_find(tech) ? DEVSTATE_UNKNOWN : DEVSTATE_INVALID;
}

static void endpoint_changed(const struct endpoint *ep,
			     const struct channel *skip)
{
	char id[256];
	enum devstate st;
	struct dev *d;

	snprintf(id, sizeof(id), "%s/%s", endpoint_tech(ep),
		 endpoint_resource(ep));
	st = endpoint_devstate(ep, skip);
	d = dev_find(&endpoint_devs, id);
	if (d && d->state == st)
		return;
	if (d)
		d->state = st;
	else if (dev_add(&endpoint_devs, id, st, NULL))
		return;
	log_debug(1, "Device '%s' is now %s", id, devstate_str(st));
	publish(id, st);
}

static void channel_changed(const struct bus_event *ev)
{
	const char *epid = channel_endpoint(ev->chan);
	const struct endpoint *ep = epid ? endpoint_find_id(epid) : NULL;
	struct dev *h = dev_find(&held, channel_id(ev->chan));

	switch (ev->type) {
	case BUS_CHANNEL_HOLD:
		if (!h)
			dev_add(&held, channel_id(ev->chan), DEVSTATE_ONHOLD,
				NULL);
		break;
	case BUS_CHANNEL_UNHOLD:
	case BUS_CHANNEL_DESTROYED:
		mem_deref(h);
		break;
	default:
		break;
	}
	if (ep)
		endpoint_changed(ep, ev->type == BUS_CHANNEL_DESTROYED
					     ? ev->chan : NULL);
}

static void on_event(const struct bus_event *ev, void *arg)
{
	switch (ev->type) {
	case BUS_CHANNEL_CREATED:
	case BUS_CHANNEL_STATE:
	case BUS_CHANNEL_DESTROYED:
	case BUS_CHANNEL_HOLD:
	case BUS_CHANNEL_UNHOLD:
		if (ev->chan)
			channel_changed(ev);
		break;
	case BUS_ENDPOINT_STATE:
		/* Also how channels joining or leaving an endpoint show. */
		if (ev->endpoint)
			endpoint_changed(ev->endpoint, NULL);
		break;
	default:
		break;
	}
}

int devstate_init(void)
{
	int err;

	err = datafile_open(&store, options.datadir, DEVSTATE_FILE, dev_rows,
			    dev_value, NULL);
	if (err)
		return err;
	load();
	err = bus_subscribe(on_event, NULL);
	if (err)
		return err;
	subscribed = true;
	log_verbose(3, "Device states: %u ARI-controlled loaded",
		    list_count(&stasis_devs));
	return 0;
}

void devstate_close(void)
{
	if (subscribed)
		bus_unsubscribe(on_event, NULL);
	subscribed = false;
	datafile_close(store);
	store = NULL;
	list_flush(&stasis_devs);
	list_flush(&endpoint_devs);
	list_flush(&held);
}
