/* stasis.c — Stasis applications: registry and life cycle of apps, the
 * channels entering and leaving apps (enter, move, continue), and routing of
 * bus events to the apps that should see them.
 *
 * Not here: JSON and sockets (src/ari turns delivered events into frames);
 * the Stasis() dialplan application and the stasis-<app> contexts
 * (src/pbx/pbx_stasis_apps.c, which this file reaches only through the
 * hooks it is given). */
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
#include "core/bus.h"
#include "core/channel.h"
#include "base/defer.h"
#include "core/endpoint.h"
#include "base/log.h"
#include "core/stasis.h"

#define STASIS_ARGS_MAX 128  /* arguments of a move */

struct stasis_app {
	struct le le;
	char *name;
	bool active;
	bool subscribe_all;
	bool hooked;              /* app_hooks->created returned true */
	stasis_deliver_h *deliver;
	void *owner;              /* weak: the socket unregisters itself */
	struct list subs;         /* struct sub: event sources subscribed */
	struct list allowed;      /* struct sub (kind unused): type filter */
	struct list disallowed;
	unsigned controlled;      /* channels currently in this app */
};

struct sub {
	struct le le;
	enum stasis_source kind;
	char *id;
};

struct stasis_control {
	struct channel *ch;       /* weak: the control dies on hangup */
	char *app;                /* app the channel is in */
	char *appdata;            /* "app,args" for CEL records */
	stasis_done_h *done;
	void *arg;
};

/* A queued move or continue. */
struct op {
	struct channel *ch;       /* referenced */
	char *app, *args;         /* move */
	char *context, *exten;    /* continue */
	int priority;
	bool is_move;
};

static struct list apps;
static const struct stasis_app_hooks *app_hooks;

static void app_maybe_destroy(struct stasis_app *app);

/* ---- subscriptions ---- */

static void sub_destructor(void *arg)
{
	struct sub *s = arg;

	list_unlink(&s->le);
	mem_deref(s->id);
}

static struct sub *list_find(const struct list *l, enum stasis_source kind,
			     const char *id)
{
	for (struct le *le = l->head; le; le = le->next) {
		struct sub *s = le->data;

		if (s->kind == kind && !strcmp(s->id, id))
			return s;
	}
	return NULL;
}

static int list_add(struct list *l, enum stasis_source kind, const char *id)
{
	struct sub *s;

	if (list_find(l, kind, id))
		return 0;
	s = mem_zalloc(sizeof(*s), sub_destructor);
	if (!s || str_dup(&s->id, id)) {
		mem_deref(s);
		return ENOMEM;
	}
	s->kind = kind;
	list_append(l, &s->le, s);
	return 0;
}

static struct sub *sub_find(const struct stasis_app *app, const char *chan_id)
{
	return list_find(&app->subs, STASIS_SRC_CHANNEL, chan_id);
}

static int sub_add(struct stasis_app *app, const char *chan_id)
{
	return list_add(&app->subs, STASIS_SRC_CHANNEL, chan_id);
}

static void sub_remove(struct stasis_app *app, const char *chan_id)
{
	mem_deref(sub_find(app, chan_id));
}

/* ---- apps ---- */

struct stasis_app *stasis_app_find(const char *name)
{
	if (!name)
		return NULL;
	for (struct le *le = apps.head; le; le = le->next) {
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

size_t stasis_app_count(void)
{
	return list_count(&apps);
}

void stasis_app_foreach(void (*h)(struct stasis_app *app, void *arg),
			void *arg)
{
	struct le *le = apps.head;

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
	return list_add(&app->subs, kind, id);
}

int stasis_app_unsubscribe(const char *name, enum stasis_source kind,
			   const char *id)
{
	struct stasis_app *app = stasis_app_find(name);
	struct sub *s;

	if (!app)
		return ENOENT;
	s = id ? list_find(&app->subs, kind, id) : NULL;
	if (!s)
		return ESRCH;
	mem_deref(s);
	return 0;
}

bool stasis_app_is_subscribed(const struct stasis_app *app,
			      enum stasis_source kind, const char *id)
{
	return app && id && list_find(&app->subs, kind, id) != NULL;
}

int stasis_app_set_filter(struct stasis_app *app,
			  const char *const *allowed, int nallowed,
			  const char *const *disallowed, int ndisallowed)
{
	struct list a = LIST_INIT, d = LIST_INIT;
	int err = 0;

	for (int i = 0; !err && i < nallowed; i++)
		err = list_add(&a, STASIS_SRC_CHANNEL, allowed[i]);
	for (int i = 0; !err && i < ndisallowed; i++)
		err = list_add(&d, STASIS_SRC_CHANNEL, disallowed[i]);
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
	if (list_find(&app->disallowed, STASIS_SRC_CHANNEL, type))
		return false;
	return !app->allowed.head ||
	       list_find(&app->allowed, STASIS_SRC_CHANNEL, type) != NULL;
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
	list_flush(&app->subs);
	list_flush(&app->allowed);
	list_flush(&app->disallowed);
	if (app->hooked && app_hooks && app_hooks->destroyed)
		app_hooks->destroyed(app->name);
	mem_deref(app->name);
}

static int app_create(struct stasis_app **appp, const char *name)
{
	struct stasis_app *app = mem_zalloc(sizeof(*app), app_destructor);

	if (!app || str_dup(&app->name, name)) {
		mem_deref(app);
		return ENOMEM;
	}
	log_verbose(2, "Creating Stasis app '%s'", name);
	list_append(&apps, &app->le, app);
	if (app_hooks && app_hooks->created)
		app->hooked = app_hooks->created(app->name);
	*appp = app;
	return 0;
}

/* An app with no socket and no channel in it has nothing left to do. */
static void app_maybe_destroy(struct stasis_app *app)
{
	if (app->active || app->controlled)
		return;
	log_verbose(3, "Shutting down application '%s'", app->name);
	log_verbose(3, "Destroying Stasis app %s", app->name);
	mem_deref(app);
}

static void deliver(struct stasis_app *app, struct bus_event *ev)
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
		deliver(app, &ev);
	}
	else if (!app->active) {
		log_verbose(2, "Activating Stasis app '%s'", name);
	}
	app->active = true;
	app->deliver = deliver_h;
	app->owner = owner;
	return 0;
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
	app_maybe_destroy(app);
}

int stasis_app_watch_channel(const char *name, struct channel *ch)
{
	struct stasis_app *app = stasis_app_find(name);

	if (!app)
		return ENOENT;
	return sub_add(app, channel_id(ch));
}

/* ---- channels in apps ---- */

const char *stasis_channel_app(const struct channel *ch)
{
	struct stasis_control *ctl = channel_control(ch);

	return ctl ? ctl->app : NULL;
}

static void control_destructor(void *arg)
{
	struct stasis_control *ctl = arg;

	mem_deref(ctl->app);
	mem_deref(ctl->appdata);
}

static void publish_start(struct channel *ch, const char *app,
			  const char *const *args, int nargs)
{
	struct bus_event ev = {.type = BUS_STASIS_START, .chan = ch,
			       .app = app, .args = args, .nargs = nargs};

	bus_publish(&ev);
}

static void publish_app(struct channel *ch, enum bus_type type,
			const char *app)
{
	struct bus_event ev = {.type = type, .chan = ch, .app = app};

	bus_publish(&ev);
}

static void publish_cel(struct channel *ch, bool start, const char *appdata)
{
	struct bus_event ev = {.type = BUS_CEL_APP, .chan = ch,
			       .cel_start = start, .dialplan_app = "Stasis",
			       .dialplan_data = appdata};

	bus_publish(&ev);
}

/* "app,a,b" for CEL appdata. */
static int join_appdata(char **out, const char *app, const char *const *args,
			int nargs)
{
	size_t len = strlen(app) + 1;
	char *s;

	for (int i = 0; i < nargs; i++)
		len += strlen(args[i]) + 1;
	s = mem_alloc(len, NULL);
	if (!s)
		return ENOMEM;
	strcpy(s, app);
	for (int i = 0; i < nargs; i++) {
		strcat(s, ",");
		strcat(s, args[i]);
	}
	*out = s;
	return 0;
}

int stasis_enter(struct channel *ch, const char *name,
		 const char *const *args, int nargs, stasis_done_h *done,
		 void *arg)
{
	struct stasis_app *app = stasis_app_find(name);
	struct stasis_control *ctl;

	if (!app) {
		log_warning("Stasis app '%s' doesn't exist", name ? name : "");
		return ENOENT;
	}
	if (!app->active) {
		log_error("Stasis app '%s' not active", name);
		return EAGAIN;
	}
	if (channel_control(ch))
		return EBUSY;
	ctl = mem_zalloc(sizeof(*ctl), control_destructor);
	if (!ctl || str_dup(&ctl->app, name) ||
	    join_appdata(&ctl->appdata, name, args, nargs) ||
	    sub_add(app, channel_id(ch))) {
		mem_deref(ctl);
		return ENOMEM;
	}
	ctl->ch = ch;
	ctl->done = done;
	ctl->arg = arg;
	channel_set_control(ch, ctl);
	app->controlled++;
	publish_start(ch, name, args, nargs);
	return 0;
}

/* Take the channel out of its app; the app stops seeing the channel unless
 * it subscribed to everything. */
static void control_leave(struct channel *ch, bool unsubscribe)
{
	struct stasis_control *ctl = channel_control(ch);
	struct stasis_app *app = stasis_app_find(ctl->app);

	channel_set_control(ch, NULL);
	if (app) {
		app->controlled--;
		if (unsubscribe)
			sub_remove(app, channel_id(ch));
		app_maybe_destroy(app);
	}
	mem_deref(ctl);
}

static void split_appargs(char *buf, const char **argv, int *argc)
{
	/* strtok semantics, like Asterisk's move: empty items dropped. */
	char *save = NULL, *tok;

	*argc = 0;
	for (tok = strtok_r(buf, ",", &save);
	     tok && *argc < STASIS_ARGS_MAX; tok = strtok_r(NULL, ",", &save))
		argv[(*argc)++] = tok;
}

static void do_move(struct channel *ch, const char *dest, char *appargs)
{
	struct stasis_control *ctl = channel_control(ch);
	struct stasis_app *to = stasis_app_find(dest);
	const char *argv[STASIS_ARGS_MAX];
	char *appdata = NULL;
	int argc;

	split_appargs(appargs, argv, &argc);
	if (!to || !to->active) {
		struct bus_event ev = {.type = BUS_APP_MOVE_FAILED, .chan = ch,
				       .app = ctl->app, .destination = dest,
				       .args = argv, .nargs = argc};

		log_error("Could not move to Stasis app '%s' - %s", dest,
			  to ? "not active" : "not registered");
		bus_publish(&ev);
		return;
	}
	if (join_appdata(&appdata, dest, argv, argc) || sub_add(to, channel_id(ch))) {
		mem_deref(appdata);
		log_error("Failed to switch Stasis applications for %s",
			  channel_name(ch));
		return;
	}
	log_verbose(3, "Moving %s from Stasis app '%s' to '%s'",
		    channel_name(ch), ctl->app, dest);
	publish_app(ch, BUS_STASIS_END, ctl->app);
	publish_cel(ch, false, ctl->appdata);
	{
		struct stasis_app *from = stasis_app_find(ctl->app);
		char *newname = NULL;

		if (str_dup(&newname, dest)) {
			mem_deref(appdata);
			return;
		}
		mem_deref(ctl->app);
		ctl->app = newname;
		mem_deref(ctl->appdata);
		ctl->appdata = appdata;
		to->controlled++;
		if (from) {
			from->controlled--;
			if (from != to)
				sub_remove(from, channel_id(ch));
			app_maybe_destroy(from);
		}
	}
	publish_cel(ch, true, ctl->appdata);
	publish_start(ch, dest, argv, argc);
}

static void do_continue(struct channel *ch, const char *context,
			const char *exten, int priority)
{
	struct stasis_control *ctl = channel_control(ch);
	stasis_done_h *done = ctl->done;
	void *arg = ctl->arg;

	log_verbose(3, "%s leaving Stasis app '%s' for %s,%s,%d",
		    channel_name(ch), ctl->app, context, exten, priority);
	publish_app(ch, BUS_STASIS_END, ctl->app);
	control_leave(ch, true);
	channel_set_location(ch, context, exten, priority);
	if (done)
		done(ch, STASIS_LEFT_CONTINUE, arg);
}

static void op_destructor(void *arg)
{
	struct op *op = arg;

	mem_deref(op->ch);
	mem_deref(op->app);
	mem_deref(op->args);
	mem_deref(op->context);
	mem_deref(op->exten);
}

static void op_run(void *arg)
{
	struct op *op = arg;

	/* The channel may have hung up or left the app meanwhile. */
	if (channel_is_hungup(op->ch) || !channel_control(op->ch))
		return;
	if (op->is_move)
		do_move(op->ch, op->app, op->args);
	else
		do_continue(op->ch, op->context, op->exten, op->priority);
}

static int queue_op(struct op *op)
{
	int err = defer_call(op_run, op);

	mem_deref(op);
	return err;
}

int stasis_move(struct channel *ch, const char *app, const char *appargs)
{
	struct op *op;

	if (!channel_control(ch))
		return EINVAL;
	if (!app)
		return EINVAL;
	op = mem_zalloc(sizeof(*op), op_destructor);
	if (!op || str_dup(&op->app, app) ||
	    str_dup(&op->args, appargs ? appargs : "")) {
		mem_deref(op);
		return ENOMEM;
	}
	op->ch = mem_ref(ch);
	op->is_move = true;
	return queue_op(op);
}

int stasis_continue(struct channel *ch, const char *context,
		    const char *exten, int priority)
{
	struct op *op;

	if (!channel_control(ch))
		return EINVAL;
	op = mem_zalloc(sizeof(*op), op_destructor);
	if (!op || str_dup(&op->context, context) ||
	    str_dup(&op->exten, exten)) {
		mem_deref(op);
		return ENOMEM;
	}
	op->ch = mem_ref(ch);
	op->priority = priority;
	return queue_op(op);
}

/* ---- hooks and event routing ---- */

/* A channel hanging up inside an app: StasisEnd, but the app stays
 * subscribed so that it also sees ChannelDestroyed. */
static void on_hangup(struct channel *ch)
{
	struct stasis_control *ctl = channel_control(ch);
	stasis_done_h *done;
	void *arg;

	if (!ctl)
		return;
	done = ctl->done;
	arg = ctl->arg;
	publish_app(ch, BUS_STASIS_END, ctl->app);
	control_leave(ch, false);
	if (done)
		done(ch, STASIS_LEFT_HANGUP, arg);
}

const struct channel_hooks stasis_hooks = {.hangup = on_hangup};

static void route_channel_event(struct bus_event *ev)
{
	struct le *le = apps.head;
	const char *id = channel_id(ev->chan);

	while (le) {
		struct stasis_app *app = le->data;

		le = le->next;
		if (app->subscribe_all || sub_find(app, id))
			deliver(app, ev);
	}
	if (ev->type != BUS_CHANNEL_DESTROYED)
		return;
	le = apps.head;
	while (le) {
		struct stasis_app *app = le->data;

		le = le->next;
		sub_remove(app, id);
		app_maybe_destroy(app);
	}
}

/* Endpoint events go to apps subscribed to the endpoint or its whole
 * technology ("endpoint:PJSIP"). */
static bool app_watches_endpoint(const struct stasis_app *app,
				 const struct endpoint *ep)
{
	char id[256];

	if (app->subscribe_all)
		return true;
	if (!ep)
		return false;
	snprintf(id, sizeof(id), "%s/%s", endpoint_tech(ep),
		 endpoint_resource(ep));
	return list_find(&app->subs, STASIS_SRC_ENDPOINT, id) ||
	       list_find(&app->subs, STASIS_SRC_ENDPOINT, endpoint_tech(ep));
}

static void route_to_watchers(struct bus_event *ev)
{
	struct le *le = apps.head;

	while (le) {
		struct stasis_app *app = le->data;
		bool want;

		le = le->next;
		if (ev->type == BUS_DEVICE_STATE)
			want = app->subscribe_all ||
			       list_find(&app->subs, STASIS_SRC_DEVICE, ev->name);
		else
			want = app_watches_endpoint(app, ev->endpoint);
		if (want)
			deliver(app, ev);
	}
}

static void on_event(const struct bus_event *cev, void *unused)
{
	struct bus_event *ev = (struct bus_event *)cev;
	struct stasis_app *app;

	switch (ev->type) {
	case BUS_ENDPOINT_STATE:
	case BUS_CONTACT_STATUS:
	case BUS_PEER_STATUS:
	case BUS_TEXT_MESSAGE:
	case BUS_DEVICE_STATE:
		route_to_watchers(ev);
		break;
	case BUS_CALL_BROADCAST:
	case BUS_CALL_CLAIMED:
		/* Offered to every app (or to `destination` only when
		 * StasisBroadcast filters apps); the claim race is decided
		 * by ARI. */
		for (struct le *le = apps.head; le; le = le->next) {
			app = le->data;
			if (app->active && (!ev->destination ||
					    !strcmp(ev->destination, app->name)))
				deliver(app, ev);
		}
		break;
	case BUS_CHANNEL_USEREVENT:
		/* POST /events/user names its application; UserEvent() in the
		 * dialplan goes to whoever watches the channel. */
		if (ev->app) {
			app = stasis_app_find(ev->app);
			if (app)
				deliver(app, ev);
		}
		else if (ev->chan) {
			route_channel_event(ev);
		}
		break;
	case BUS_STASIS_START:
	case BUS_STASIS_END:
	case BUS_APP_MOVE_FAILED:
		app = stasis_app_find(ev->app);
		if (app)
			deliver(app, ev);
		break;
	case BUS_APP_REPLACED:
	case BUS_CEL_APP:
		break;
	case BUS_CHANNEL_VARSET:
		if (!ev->chan) {
			/* Global variables: only apps that see everything. */
			for (struct le *le = apps.head; le; le = le->next) {
				app = le->data;
				if (app->subscribe_all)
					deliver(app, ev);
			}
			break;
		}
		route_channel_event(ev);
		break;
	default:
		if (ev->chan)
			route_channel_event(ev);
		break;
	}
}

int stasis_init(void)
{
	return bus_subscribe(on_event, NULL);
}

void stasis_close(void)
{
	bus_unsubscribe(on_event, NULL);
	list_flush(&apps);
}
