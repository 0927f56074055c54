/* originate.c — outgoing calls started by ARI: dial, wait for answer (with
 * a timeout), then enter the Stasis app or run the dialplan. As in
 * Asterisk, the answered channel runs Stasis() as its application (no
 * dialplan around it): STASISSTATUS before StasisStart, and a channel that
 * leaves the app with `continue` runs the dialplan from inside it. The app
 * of an originate is subscribed to the channel (and to the other half of a
 * Local pair) for the channel's life, not only while it is in the app.
 * Channels made by POST /channels/create are remembered until they are
 * dialed (once).
 *
 * Not here: Stasis() in the dialplan (pbx_stasis_apps.c), Stasis itself
 * (src/core/stasis*.c). */
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
#include <re_tmr.h>
#include "core/bus.h"
#include "core/channel.h"
#include "pbx/dialplan.h"
#include "base/log.h"
#include "pbx/originate.h"
#include "pbx/pbx.h"
#include "core/stasis.h"

#define ARGS_MAX 128

struct pending {
	struct le le;
	struct channel *ch;   /* referenced */
	struct channel *caller; /* referenced, may be NULL (Dial.caller) */
	char *app, *appargs, *context, *exten;
	int priority;
	struct tmr tmr;
	int timeout_s;
	bool in_app;          /* already in Stasis (create + dial): on answer
	                       * nothing more to start */
};

/* A channel made by create (waiting for its dial), or originated into an
 * app: what it needs until it is destroyed. */
struct created {
	struct le le;
	struct channel *ch;   /* weak: dropped on ChannelDestroyed */
	char *app;            /* the app subscribed by originate/create */
	bool by_create;
	bool dialed;
};

static struct list pendings;
static struct list createds;
static bool subscribed;

static void created_destructor(void *arg)
{
	struct created *c = arg;

	list_unlink(&c->le);
	mem_deref(c->app);
}

static struct created *created_find(const struct channel *ch)
{
	for (struct le *le = createds.head; le; le = le->next) {
		struct created *c = le->data;

		if (c->ch == ch)
			return c;
	}
	return NULL;
}

static void pending_destructor(void *arg)
{
	struct pending *p = arg;

	list_unlink(&p->le);
	tmr_cancel(&p->tmr);
	mem_deref(p->ch);
	mem_deref(p->caller);
	mem_deref(p->app);
	mem_deref(p->appargs);
	mem_deref(p->context);
	mem_deref(p->exten);
}

static void publish_dial(struct channel *ch, struct channel *caller,
			 const char *status)
{
	char dialstring[256];
	const char *name = channel_name(ch);
	const char *slash = strchr(name, '/');
	struct bus_event ev = {.type = BUS_DIAL, .chan = ch, .peer = ch,
			       .caller = caller, .dialstatus = status};

	/* "Local/100@ctx-0000001;1" dials "100@ctx" */
	snprintf(dialstring, sizeof(dialstring), "%s", slash ? slash + 1 : name);
	{
		char *dash = strrchr(dialstring, '-');

		if (dash)
			*dash = '\0';
	}
	ev.dialstring = dialstring;
	bus_publish(&ev);
}

/* Stasis() returned after a continue, once the dialplan it ran ended. */
static void dialplan_ended(struct channel *ch)
{
	channel_var_set(ch, "STASISSTATUS", "SUCCESS");
}

/* Hung up in the app: KILLED, as Stasis() in the dialplan reports it
 * (pbx_stasis_apps.c). Continue: Asterisk's Stasis() runs the dialplan
 * itself when the channel has none. */
static void left_app(struct channel *ch, enum stasis_leave why, void *arg)
{
	if (why != STASIS_LEFT_CONTINUE) {
		channel_var_set(ch, "STASISSTATUS", "KILLED");
		return;
	}
	if (pbx_is_running(ch))
		pbx_resume(ch, PBX_GOTO);
	else if (pbx_start_inside(ch, channel_context(ch), channel_exten(ch),
				  channel_priority(ch), dialplan_ended))
		channel_hangup_quiet(ch, CAUSE_FAILURE, "originate");
}

/* Stasis(app,args) as the channel's application, where the channel is. */
static int enter_app(struct channel *ch, const char *app, const char *appargs)
{
	char buf[1024];
	char *argv[ARGS_MAX];
	int argc = 0;

	channel_var_set(ch, "STASISSTATUS", "");
	if (appargs && *appargs) {
		snprintf(buf, sizeof(buf), "%s", appargs);
		argc = dialplan_args_split(buf, argv, ARGS_MAX);
	}
	return stasis_enter(ch, app, (const char *const *)argv, argc,
			    left_app, NULL);
}

/* "app[,args]", the data of Stasis() */
static void app_data(char *buf, size_t size, const char *app,
		     const char *appargs)
{
	if (appargs && *appargs)
		snprintf(buf, size, "%s,%s", app, appargs);
	else
		snprintf(buf, size, "%s", app);
}

/* Asterisk announces no ChannelDialplan here: the location does not
 * change, only the application. */
static void run_target(struct pending *p)
{
	struct channel *ch = p->ch;
	char data[1024];

	if (p->in_app)
		return;
	if (p->app) {
		app_data(data, sizeof(data), p->app, p->appargs);
		channel_set_app(ch, "Stasis", data);
		if (enter_app(ch, p->app, p->appargs))
			channel_hangup(ch, CAUSE_FAILURE, "originate");
		return;
	}
	if (pbx_start(ch, p->context, p->exten, p->priority))
		channel_hangup(ch, CAUSE_FAILURE, "originate");
}

static void on_timeout(void *arg)
{
	struct pending *p = arg;
	struct channel *ch = mem_ref(p->ch);

	log_verbose(3, "Originate to %s timed out", channel_name(ch));
	publish_dial(ch, p->caller, "NOANSWER");
	mem_deref(p);
	channel_hangup(ch, CAUSE_NO_ANSWER, "originate");
	mem_deref(ch);
}

static struct pending *pending_find(const struct channel *ch)
{
	for (struct le *le = pendings.head; le; le = le->next) {
		struct pending *p = le->data;

		if (p->ch == ch)
			return p;
	}
	return NULL;
}

/* The dial is over: no longer pending (not found, its timer off) even
 * while start_call() still holds a reference to it. */
static void pending_end(struct pending *p)
{
	list_unlink(&p->le);
	tmr_cancel(&p->tmr);
	mem_deref(p);
}

/* How a dial ended by the callee's hangup is told, from its cause, as
 * Asterisk's ast_hangup_cause_to_dial_status(). */
static const char *dial_status_of(int cause)
{
	switch (cause) {
	case CAUSE_USER_BUSY:
		return "BUSY";
	case CAUSE_CONGESTION:
		return "CONGESTION";
	case CAUSE_NO_ROUTE_DESTINATION:
	case CAUSE_UNREGISTERED:
		return "CHANUNAVAIL";
	default:
		return "NOANSWER";
	}
}

static void on_event(const struct bus_event *ev, void *unused)
{
	struct pending *p;

	if (!ev->chan || (ev->type != BUS_CHANNEL_STATE &&
			  ev->type != BUS_CHANNEL_DESTROYED &&
			  ev->type != BUS_CHANNEL_HANGUP_REQUEST))
		return;
	if (ev->type == BUS_CHANNEL_DESTROYED)
		mem_deref(created_find(ev->chan));
	p = pending_find(ev->chan);
	if (!p)
		return;
	/* The dialled channel hangs up before it answered (busy, refused,
	 * unreachable): the dial ends with a status from the cause, before
	 * the channel goes. A soft request (ARI's DELETE) is only asked for:
	 * the channel's end below says CANCEL. */
	if (ev->type == BUS_CHANNEL_HANGUP_REQUEST) {
		if (!ev->soft) {
			publish_dial(p->ch, p->caller, dial_status_of(ev->cause));
			pending_end(p);
		}
		return;
	}
	if (ev->type == BUS_CHANNEL_DESTROYED) {
		publish_dial(p->ch, p->caller, "CANCEL");
		pending_end(p);
		return;
	}
	if (channel_state(ev->chan) == CHANNEL_RINGING) {
		publish_dial(p->ch, p->caller, "RINGING");
		return;
	}
	if (channel_state(ev->chan) != CHANNEL_UP)
		return;
	publish_dial(p->ch, p->caller, "ANSWER");
	list_unlink(&p->le);
	tmr_cancel(&p->tmr);
	run_target(p);
	mem_deref(p);
}

static void start_call(void *arg)
{
	struct pending *p = arg;
	int err;

	if (channel_is_hungup(p->ch)) {
		mem_deref(p);
		return;
	}
	publish_dial(p->ch, p->caller, "");
	if (p->timeout_s > 0)
		tmr_start(&p->tmr, (uint64_t)p->timeout_s * 1000, on_timeout, p);
	/* The technology may hang up at once, inside the call: on_event()
	 * then ends the dial (and unlinks it), so keep p alive meanwhile. */
	mem_ref(p);
	err = channel_call(p->ch, p->timeout_s);
	if (err && p->le.list) {
		struct channel *ch = mem_ref(p->ch);

		log_warning("Unable to call %s: %s", channel_name(ch), strerror(err));
		publish_dial(ch, p->caller, "CHANUNAVAIL");
		pending_end(p);
		channel_hangup(ch, CAUSE_FAILURE, "originate");
		mem_deref(ch);
	}
	mem_deref(p);
}

static int subscribe(void)
{
	int err;

	if (subscribed)
		return 0;
	err = bus_subscribe(on_event, NULL);
	if (err)
		return err;
	subscribed = true;
	return 0;
}

/* The ;2 half of a Local ;1 half (Asterisk's ast_local_get_peer), found
 * by the name the Local technology gives the pair; NULL for anything
 * else. */
/* Remember the app that originate or create subscribed to `ch` (for the
 * channel's life) and subscribe it. */
static int remember(struct channel *ch, const char *app, bool by_create)
{
	struct created *c = mem_zalloc(sizeof(*c), created_destructor);
	int err;

	if (!c)
		return ENOMEM;
	c->ch = ch;
	c->by_create = by_create;
	err = app ? str_dup(&c->app, app) : 0;
	if (!err && app)
		err = stasis_app_watch_channel(app, ch);
	if (err) {
		mem_deref(c);
		return err;
	}
	list_append(&createds, &c->le, c);
	return 0;
}

static int pending_alloc(struct pending **pp, struct channel *ch,
			 const struct originate_target *t)
{
	struct pending *p = mem_zalloc(sizeof(*p), pending_destructor);

	if (!p)
		return ENOMEM;
	p->ch = mem_ref(ch);
	p->priority = t->priority > 0 ? t->priority : 1;
	p->timeout_s = t->timeout_s;
	if ((t->app && str_dup(&p->app, t->app)) ||
	    (t->appargs && str_dup(&p->appargs, t->appargs)) ||
	    str_dup(&p->context, t->context ? t->context : "default") ||
	    str_dup(&p->exten, t->exten ? t->exten : "s")) {
		mem_deref(p);
		return ENOMEM;
	}
	*pp = p;
	return 0;
}

int originate_dial(struct channel *ch, const struct originate_target *t)
{
	struct channel *peer;
	struct pending *p;
	int err;

	err = subscribe();
	if (!err)
		err = pending_alloc(&p, ch, t);
	if (err)
		return err;
	/* The other half's events (its dialplan, its answer, its hangup)
	 * reach the app too, as in Asterisk. */
	if (t->app) {
		remember(ch, t->app, false);
		peer = channel_peer(ch);
		if (peer)
			stasis_app_watch_channel(t->app, peer);
	}
	/* The list owns the record; the call starts on the next loop turn,
	 * after the REST reply has gone out. */
	list_append(&pendings, &p->le, p);
	tmr_start(&p->tmr, 0, start_call, p);
	return 0;
}

/* Asterisk's create runs Stasis() on the channel at once, which the app,
 * subscribed by create, sees as the channel's first dialplan step. */
int originate_create_in_app(struct channel *ch, const char *app,
			    const char *appargs)
{
	char data[1024];
	int err;

	err = subscribe();
	if (!err)
		err = remember(ch, app, true);
	if (err)
		return err;
	app_data(data, sizeof(data), app, appargs);
	channel_set_dialplan(ch, channel_context(ch), channel_exten(ch),
			     channel_priority(ch), "Stasis", data);
	err = enter_app(ch, app, appargs);
	if (err)
		mem_deref(created_find(ch));
	return err;
}

int originate_dial_created(struct channel *ch, struct channel *caller,
			   int timeout_s)
{
	struct created *c = created_find(ch);
	struct pending *p;

	if (!c || !c->by_create)
		return ENOENT;
	if (c->dialed || pending_find(ch))
		return EALREADY;
	p = mem_zalloc(sizeof(*p), pending_destructor);
	if (!p)
		return ENOMEM;
	p->ch = mem_ref(ch);
	p->caller = caller ? mem_ref(caller) : NULL;
	p->timeout_s = timeout_s;
	p->in_app = true;
	c->dialed = true;
	/* What Asterisk's dial takes over from the caller: who is calling
	 * (as this leg's connected line) and the language. */
	if (caller) {
		channel_set_connected(ch, channel_caller_name(caller),
				      channel_caller_num(caller));
		channel_set_language(ch, channel_language(caller));
	}
	/* Like originate: the call starts after the 204 has gone out. */
	list_append(&pendings, &p->le, p);
	tmr_start(&p->tmr, 0, start_call, p);
	return 0;
}

void originate_close(void)
{
	list_flush(&pendings);
	list_flush(&createds);
	if (subscribed)
		bus_unsubscribe(on_event, NULL);
	subscribed = false;
}
