/* stasis.c — channels in Stasis applications: entering an app (StasisStart),
 * moving to another (StasisEnd, then StasisStart, or ApplicationMoveFailed),
 * continuing to the dialplan, and leaving on hangup; the CEL APP_START and
 * APP_END records of each. Moves and continues are queued so that the REST
 * reply goes out before their events.
 *
 * Not here: the app registry (stasis_app.c), event routing
 * (stasis_route.c), the Stasis() dialplan application and the stasis-<app>
 * contexts (src/pbx/pbx_stasis_apps.c). */
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
#include "base/defer.h"
#include "base/log.h"
#include "core/bus.h"
#include "core/channel.h"
#include "core/stasis.h"
#include "core/stasis_int.h"

#define STASIS_ARGS_MAX 128  /* arguments of a move */

/* A queued move or continue. */
struct op {
	struct channel *ch;       /* referenced */
	char *app, *args;         /* move */
	char *context, *exten;    /* continue */
	int priority;
	bool is_move;
};

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
	/* A hung-up channel (Stasis() in the h extension) would never get its
	 * StasisEnd and would keep the app alive for ever. */
	if (channel_is_hungup(ch)) {
		log_warning("Channel %s is hung up: not entering Stasis app "
			    "'%s'", channel_name(ch), name);
		return ENOTCONN;
	}
	ctl = mem_zalloc(sizeof(*ctl), control_destructor);
	if (!ctl || str_dup(&ctl->app, name) ||
	    join_appdata(&ctl->appdata, name, args, nargs) ||
	    stasis_sub_add(app, channel_id(ch))) {
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
			stasis_sub_remove(app, channel_id(ch));
		stasis_app_maybe_destroy(app);
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

/* The channel stays where it is: its app hears ApplicationMoveFailed. */
static void publish_move_failed(struct channel *ch, const char *app,
				const char *dest, const char **argv, int argc)
{
	struct bus_event ev = {.type = BUS_APP_MOVE_FAILED, .chan = ch,
			       .app = app, .destination = dest,
			       .args = argv, .nargs = argc};

	bus_publish(&ev);
}

/* Past the allocations, nothing can fail: the channel leaves its app and
 * enters `to` under `newname`, with `appdata` for CEL (both taken over). */
static void move_commit(struct channel *ch, struct stasis_app *to,
			char *newname, char *appdata, const char **argv,
			int argc)
{
	struct stasis_control *ctl = channel_control(ch);
	struct stasis_app *from = stasis_app_find(ctl->app);

	log_verbose(3, "Moving %s from Stasis app '%s' to '%s'",
		    channel_name(ch), ctl->app, newname);
	publish_app(ch, BUS_STASIS_END, ctl->app);
	publish_cel(ch, false, ctl->appdata);
	mem_deref(ctl->app);
	ctl->app = newname;
	mem_deref(ctl->appdata);
	ctl->appdata = appdata;
	to->controlled++;
	if (from) {
		from->controlled--;
		/* Being in the app is one counted subscription: it moves. */
		stasis_sub_remove(from, channel_id(ch));
		stasis_app_maybe_destroy(from);
	}
	publish_cel(ch, true, ctl->appdata);
	publish_start(ch, ctl->app, argv, argc);
}

/* All or nothing: everything the move needs is allocated before the first
 * event goes out, so a failure leaves the channel in its app, subscribed as
 * before, with ApplicationMoveFailed and a log line saying why. */
static void do_move(struct channel *ch, const char *dest, char *appargs)
{
	struct stasis_control *ctl = channel_control(ch);
	struct stasis_app *to = stasis_app_find(dest);
	const char *argv[STASIS_ARGS_MAX];
	char *appdata = NULL, *newname = NULL;
	int argc, err;

	split_appargs(appargs, argv, &argc);
	if (!to || !to->active) {
		log_error("Could not move to Stasis app '%s' - %s", dest,
			  to ? "not active" : "not registered");
		publish_move_failed(ch, ctl->app, dest, argv, argc);
		return;
	}
	/* The subscription comes last: when it fails, nothing was added. */
	err = str_dup(&newname, dest);
	if (!err)
		err = join_appdata(&appdata, dest, argv, argc);
	if (!err)
		err = stasis_sub_add(to, channel_id(ch));
	if (err) {
		mem_deref(newname);
		mem_deref(appdata);
		log_error("Failed to switch Stasis applications for %s: %s",
			  channel_name(ch), strerror(err));
		publish_move_failed(ch, ctl->app, dest, argv, argc);
		return;
	}
	move_commit(ch, to, newname, appdata, argv, argc);
}

static void do_continue(struct channel *ch, const char *context,
			const char *exten, int priority)
{
	struct stasis_control *ctl = channel_control(ch);
	stasis_done_h *done = ctl->done;
	void *arg = ctl->arg;

	log_verbose(3, "%s leaving Stasis app '%s' for %s,%s,%d",
		    channel_name(ch), ctl->app, context, exten, priority);
	/* What the channel is in for its app (a bridge) lets it go first,
	 * while the app still sees it: Asterisk's continue departs the
	 * bridge before StasisEnd. */
	publish_app(ch, BUS_STASIS_CONTINUING, ctl->app);
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

/* ---- hangup ---- */

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
