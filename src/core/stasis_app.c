/* stasis_app.c — the registry of Stasis applications: apps registered by
 * event sockets, activated, replaced and deactivated; what each one is
 * subscribed to (channels, bridges, endpoints, devices) and its event type
 * filter; when an app is created and destroyed (the hooks of other layers
 * run then).
 *
 * Not here: channels entering and leaving apps (stasis.c), which events an
 * app sees (stasis_route.c). */
#include <errno.h>
#include <stdint.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <re_types.h>
#include <re_fmt.h>
#include <re_mem.h>
#include <re_list.h>
#include <re_hash.h>
#include "base/log.h"
#include "core/bridge.h"
#include "core/bus.h"
#include "core/channel.h"
#include "core/stasis.h"
#include "core/stasis_int.h"

struct list stasis_apps;
static const struct stasis_app_hooks *app_hooks;

/* ---- subscriptions ---- */

/* Every app's subscriptions are also in one index, by app, kind and id:
 * each event a channel, bridge or endpoint publishes looks its source up
 * in every app, and one app may hold thousands of channels (a list per
 * app made that a walk past all of them). */
enum { SUBS_BUCKETS = 4096 };
static struct hash *subs_index;

static void sub_destructor(void *arg)
{
	struct sub *s = arg;

	list_unlink(&s->le);
	hash_unlink(&s->he);
	mem_deref(s->id);
}

static uint32_t sub_key(const struct stasis_app *app,
			enum stasis_source kind, const char *id)
{
	return hash_joaat_str(id) ^ (uint32_t)kind ^
	       (uint32_t)((uintptr_t)app >> 4);
}

/* A filter's list (allowed or disallowed event types): a few entries. */
static struct sub *list_find(const struct list *l, const char *id)
{
	for (struct le *le = l->head; le; le = le->next) {
		struct sub *s = le->data;

		if (!strcmp(s->id, id))
			return s;
	}
	return NULL;
}

struct sub *stasis_source_find(const struct stasis_app *app,
			       enum stasis_source kind, const char *id)
{
	uint32_t key = sub_key(app, kind, id);
	struct le *le;

	if (!subs_index)
		return NULL;
	le = list_head(hash_list(subs_index, key));

	for (; le; le = le->next) {
		struct sub *s = le->data;

		if (s->key == key && s->app == app && s->kind == kind &&
		    !strcmp(s->id, id))
			return s;
	}
	return NULL;
}

static struct sub *sub_alloc(enum stasis_source kind, const char *id)
{
	struct sub *s = mem_zalloc(sizeof(*s), sub_destructor);

	if (!s || str_dup(&s->id, id))
		return mem_deref(s);
	s->kind = kind;
	s->refs = 1;
	return s;
}

static int filter_add(struct list *l, const char *type)
{
	struct sub *s;

	if (list_find(l, type))
		return 0;
	s = sub_alloc(STASIS_SRC_CHANNEL, type);
	if (!s)
		return ENOMEM;
	list_append(l, &s->le, s);
	return 0;
}

static int source_add(struct stasis_app *app, enum stasis_source kind,
		      const char *id)
{
	struct sub *s = stasis_source_find(app, kind, id);

	/* Device states are watched or not (res_stasis_device_state keeps no
	 * count); channels, bridges and endpoints are counted. */
	if (s) {
		if (kind != STASIS_SRC_DEVICE)
			s->refs++;
		return 0;
	}
	if (!subs_index && hash_alloc(&subs_index, SUBS_BUCKETS))
		return ENOMEM;
	s = sub_alloc(kind, id);
	if (!s)
		return ENOMEM;
	s->app = app;
	s->key = sub_key(app, kind, id);
	list_append(&app->subs, &s->le, s);
	hash_append(subs_index, s->key, &s->he, s);
	return 0;
}

/* One subscription less; the source is forgotten at the last. */
static void sub_release(struct sub *s)
{
	if (s && --s->refs == 0)
		mem_deref(s);
}

struct sub *stasis_sub_find(const struct stasis_app *app, const char *chan_id)
{
	return stasis_source_find(app, STASIS_SRC_CHANNEL, chan_id);
}

int stasis_sub_add(struct stasis_app *app, const char *chan_id)
{
	return source_add(app, STASIS_SRC_CHANNEL, chan_id);
}

void stasis_sub_remove(struct stasis_app *app, const char *chan_id)
{
	sub_release(stasis_sub_find(app, chan_id));
}

void stasis_sub_drop(struct stasis_app *app, const char *chan_id)
{
	mem_deref(stasis_sub_find(app, chan_id));
}

/* ---- apps ---- */

struct stasis_app *stasis_app_find(const char *name)
{
	if (!name)
		return NULL;
	for (struct le *le = stasis_apps.head; le; le = le->next) {
		struct stasis_app *app = le->data;

		if (!strcmp(app->name, name))
			return app;
	}
	return NULL;
}

bool stasis_app_is_active(const struct stasis_app *app)
{
	return app && app->active;
}

const char *stasis_app_name(const struct stasis_app *app)
{
	return app->name;
}

bool stasis_app_subscribes_all(const struct stasis_app *app)
{
	return app && app->subscribe_all;
}

unsigned stasis_app_source_interest(const struct stasis_app *app,
				    enum stasis_source kind, const char *id)
{
	const struct sub *s = stasis_source_find(app, kind, id);

	return s ? s->refs : 0;
}

size_t stasis_app_count(void)
{
	return list_count(&stasis_apps);
}

void stasis_app_foreach(void (*h)(struct stasis_app *app, void *arg),
			void *arg)
{
	struct le *le = stasis_apps.head;

	while (le) {
		struct stasis_app *app = le->data;

		le = le->next;
		h(app, arg);
	}
}

void stasis_app_source_foreach(const struct stasis_app *app,
			       enum stasis_source kind,
			       void (*h)(const char *id, void *arg), void *arg)
{
	for (struct le *le = app->subs.head; le; le = le->next) {
		struct sub *s = le->data;

		if (s->kind == kind)
			h(s->id, arg);
	}
}

void stasis_app_channel_foreach(const struct stasis_app *app,
				void (*h)(const char *chan_id, void *arg),
				void *arg)
{
	stasis_app_source_foreach(app, STASIS_SRC_CHANNEL, h, arg);
}

int stasis_app_subscribe(const char *name, enum stasis_source kind,
			 const char *id)
{
	struct stasis_app *app = stasis_app_find(name);

	if (!app)
		return ENOENT;
	if (!id || !*id)
		return EINVAL;
	return source_add(app, kind, id);
}

int stasis_app_unsubscribe(const char *name, enum stasis_source kind,
			   const char *id)
{
	struct stasis_app *app = stasis_app_find(name);
	struct sub *s;

	if (!app)
		return ENOENT;
	s = id ? stasis_source_find(app, kind, id) : NULL;
	if (!s)
		return ESRCH;
	sub_release(s);
	return 0;
}

bool stasis_app_is_subscribed(const struct stasis_app *app,
			      enum stasis_source kind, const char *id)
{
	return app && id && stasis_source_find(app, kind, id) != NULL;
}

int stasis_app_set_filter(struct stasis_app *app,
			  const char *const *allowed, int nallowed,
			  const char *const *disallowed, int ndisallowed)
{
	struct list a = LIST_INIT, d = LIST_INIT;
	int err = 0;

	for (int i = 0; !err && i < nallowed; i++)
		err = filter_add(&a, allowed[i]);
	for (int i = 0; !err && i < ndisallowed; i++)
		err = filter_add(&d, disallowed[i]);
	if (err) {
		list_flush(&a);
		list_flush(&d);
		return err;
	}
	list_flush(&app->allowed);
	list_flush(&app->disallowed);
	/* list_flush left them empty: move the new entries over. */
	while (a.head) {
		struct le *le = a.head;

		list_unlink(le);
		list_append(&app->allowed, le, le->data);
	}
	while (d.head) {
		struct le *le = d.head;

		list_unlink(le);
		list_append(&app->disallowed, le, le->data);
	}
	return 0;
}

bool stasis_app_event_allowed(const struct stasis_app *app, const char *type)
{
	if (!app || !type)
		return true;
	if (list_find(&app->disallowed, type))
		return false;
	return !app->allowed.head || list_find(&app->allowed, type) != NULL;
}

void stasis_app_filter_foreach(const struct stasis_app *app, bool allowed,
			       void (*h)(const char *type, void *arg),
			       void *arg)
{
	const struct list *l = allowed ? &app->allowed : &app->disallowed;

	for (struct le *le = l->head; le; le = le->next) {
		struct sub *s = le->data;

		h(s->id, arg);
	}
}

void stasis_app_hooks_set(const struct stasis_app_hooks *hooks)
{
	app_hooks = hooks;
}

static void app_destructor(void *arg)
{
	struct stasis_app *app = arg;

	list_unlink(&app->le);
	list_flush(&app->subs);   /* unlinks them from the index too */
	list_flush(&app->allowed);
	list_flush(&app->disallowed);
	if (app->hooked && app_hooks && app_hooks->destroyed)
		app_hooks->destroyed(app->name);
	mem_deref(app->name);
}

/* The registry is kept in name order: listings (GET /applications, `ari
 * show apps`) need no sort. */
static void insert_by_name(struct stasis_app *app)
{
	for (struct le *le = stasis_apps.head; le; le = le->next) {
		const struct stasis_app *other = le->data;

		if (strcmp(app->name, other->name) < 0) {
			list_insert_before(&stasis_apps, le, &app->le, app);
			return;
		}
	}
	list_append(&stasis_apps, &app->le, app);
}

static int app_create(struct stasis_app **appp, const char *name)
{
	struct stasis_app *app = mem_zalloc(sizeof(*app), app_destructor);

	if (!app || str_dup(&app->name, name)) {
		mem_deref(app);
		return ENOMEM;
	}
	log_verbose(2, "Creating Stasis app '%s'", name);
	insert_by_name(app);
	if (app_hooks && app_hooks->created)
		app->hooked = app_hooks->created(app->name);
	*appp = app;
	return 0;
}

/* An app with no socket and no channel in it has nothing left to do; the
 * bridges it made go with it (their events are published on the way). */
void stasis_app_maybe_destroy(struct stasis_app *app)
{
	if (app->active || app->controlled || app->dying)
		return;
	app->dying = true;
	bridge_destroy_owned_by(app->name);
	log_verbose(3, "Shutting down application '%s'", app->name);
	log_verbose(3, "Destroying Stasis app %s", app->name);
	mem_deref(app);
}

void stasis_app_deliver(struct stasis_app *app, struct bus_event *ev)
{
	if (!app->active || !app->deliver) {
		log_debug(1, "Inactive Stasis app '%s' missed message",
			  app->name);
		return;
	}
	app->deliver(app->name, ev, app->owner);
}

int stasis_app_register(const char *name, bool subscribe_all,
			stasis_deliver_h *deliver_h, void *owner)
{
	struct stasis_app *app;
	int err;

	if (!name || !*name || strlen(name) > STASIS_APP_NAME_MAX)
		return EINVAL;
	app = stasis_app_find(name);
	if (!app) {
		err = app_create(&app, name);
		if (err)
			return err;
		app->subscribe_all = subscribe_all;
	}
	else if (app->active && app->owner != owner) {
		struct bus_event ev = {.type = BUS_APP_REPLACED, .app = name};

		log_verbose(2, "Replacing Stasis app '%s'", name);
		stasis_app_deliver(app, &ev);
	}
	else if (!app->active) {
		log_verbose(2, "Activating Stasis app '%s'", name);
	}
	app->active = true;
	app->deliver = deliver_h;
	app->owner = owner;
	return 0;
}

bool stasis_app_owned_by(const char *name, const void *owner)
{
	const struct stasis_app *app = stasis_app_find(name);

	return app && app->active && owner && app->owner == owner;
}

bool stasis_app_hand_over(const char *name, const void *from,
			  stasis_deliver_h *deliver_h, void *to)
{
	struct stasis_app *app = stasis_app_find(name);

	if (!app || !app->active || !from || app->owner != from)
		return false;
	app->deliver = deliver_h;
	app->owner = to;
	return true;
}

void stasis_app_unregister(const char *name, void *owner)
{
	struct stasis_app *app = stasis_app_find(name);
	struct le *le;

	if (!app || app->owner != owner || !app->active)
		return;
	log_verbose(2, "Deactivating Stasis app '%s'", name);
	app->active = false;
	app->deliver = NULL;
	app->owner = NULL;
	/* Watched channels are dropped; channels inside the app keep it. */
	le = app->subs.head;
	while (le) {
		struct sub *s = le->data;
		struct channel *ch = s->kind == STASIS_SRC_CHANNEL
					     ? channel_find(s->id) : NULL;
		struct stasis_control *ctl = ch ? channel_control(ch) : NULL;

		le = le->next;
		if (!ctl || strcmp(ctl->app, app->name))
			mem_deref(s);
	}
	stasis_app_maybe_destroy(app);
}

int stasis_app_watch_channel(const char *name, struct channel *ch)
{
	struct stasis_app *app = stasis_app_find(name);

	if (!app)
		return ENOENT;
	return stasis_sub_add(app, channel_id(ch));
}

void stasis_apps_close(void)
{
	list_flush(&stasis_apps);
	subs_index = mem_deref(subs_index);
}
