/* stasis_broadcast.c — the StasisBroadcast() dialplan application and the
 * claim it waits for: the channel is offered to the active ARI apps with a
 * CallBroadcast event, the first POST /events/claim wins and the channel
 * enters the winner exactly as Stasis(winner) would put it; nobody claiming
 * within the timeout sets STASISSTATUS=TIMEOUT and the dialplan goes on.
 *
 * Syntax as Asterisk's app_stasis_broadcast (20.17 / 22.7 / 23.1):
 *   StasisBroadcast([timeout_ms[,app_filter[,args[,notify_claimed]]]])
 * timeout 0..60000 (default 500, out of range → default with a warning);
 * app_filter an extended regex on app names (an invalid one is ignored:
 * every app is offered the call, as Asterisk proceeds without filtering);
 * args colon-separated StasisStart args for the winner; notify_claimed
 * (default no) sends CallClaimed to the offered apps.
 *
 * Not here: the HTTP side (src/ari/res_events_claim.c). */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <regex.h>
#include <re_types.h>
#include <re_fmt.h>
#include <re_mem.h>
#include <re_list.h>
#include <re_tmr.h>
#include "core/bus.h"
#include "core/channel.h"
#include "pbx/dialplan.h"
#include "base/log.h"
#include "pbx/pbx.h"
#include "core/stasis.h"

#define BCAST_TIMEOUT_DEFAULT_MS 500
#define BCAST_TIMEOUT_MAX_MS 60000
#define BCAST_ARGS_MAX 128

/* One channel being offered (or claimed and now in the winner's app). The
 * record outlives the claim until the Stasis session ends so that a late
 * claimant hears 409 (taken) rather than 404, as in Asterisk. */
struct bcast {
	struct le le;
	char *chan_id;
	char *winner;           /* NULL until claimed */
	char *args;             /* colon list for the winner's StasisStart */
	regex_t filter;
	bool has_filter;
	bool notify_claimed;
	struct tmr tmr;         /* claim timeout */
};

static struct list bcasts;

static void bcast_destructor(void *arg)
{
	struct bcast *b = arg;

	tmr_cancel(&b->tmr);
	list_unlink(&b->le);
	if (b->has_filter)
		regfree(&b->filter);
	mem_deref(b->chan_id);
	mem_deref(b->winner);
	mem_deref(b->args);
}

static struct bcast *bcast_find(const char *chan_id)
{
	for (struct le *le = bcasts.head; le; le = le->next) {
		struct bcast *b = le->data;

		if (!strcmp(b->chan_id, chan_id))
			return b;
	}
	return NULL;
}

static bool app_offered(const struct bcast *b, const char *app)
{
	return !b->has_filter || !regexec(&b->filter, app, 0, NULL, 0);
}

/* Events go to every active app when there is no filter (one publication),
 * else once per matching app with `destination` naming it (stasis.c routes a
 * broadcast event with a destination to that app only). */
struct offer {
	struct bcast *b;
	struct bus_event *ev;
};

static void offer_one(struct stasis_app *app, void *arg)
{
	struct offer *o = arg;
	const char *name = stasis_app_name(app);

	if (!stasis_app_is_active(app) || !app_offered(o->b, name))
		return;
	o->ev->destination = name;
	bus_publish(o->ev);
}

static void publish_to_offered(struct bcast *b, struct bus_event *ev)
{
	struct offer o = {.b = b, .ev = ev};

	if (!b->has_filter) {
		bus_publish(ev);
		return;
	}
	stasis_app_foreach(offer_one, &o);
}

/* ---- leaving ---- */

static void bcast_stasis_done(struct channel *ch, enum stasis_leave why,
			      void *arg)
{
	mem_deref(bcast_find(channel_id(ch)));
	if (why != STASIS_LEFT_CONTINUE)
		return;
	channel_var_set(ch, "STASISSTATUS", "SUCCESS");
	pbx_resume(ch, PBX_GOTO);
}

static void on_timeout(void *arg)
{
	struct bcast *b = arg;
	struct channel *ch = channel_find(b->chan_id);

	if (ch && !channel_is_hungup(ch)) {
		log_warning("Channel %s: not claimed within timeout",
			    channel_name(ch));
		channel_var_set(ch, "STASISSTATUS", "TIMEOUT");
		pbx_resume(ch, PBX_NEXT);
	}
	mem_deref(b);
}

/* A channel hanging up while it is offered: nobody can claim it any more.
 * (Once claimed, the Stasis done callback cleans up instead.) */
static void on_hangup(struct channel *ch)
{
	struct bcast *b = bcast_find(channel_id(ch));

	if (b && !b->winner)
		mem_deref(b);
}

static const struct channel_hooks bcast_hooks = {.hangup = on_hangup};

/* ---- claim ---- */

int stasis_broadcast_claim(const char *chan_id, const char *app)
{
	struct bcast *b = chan_id ? bcast_find(chan_id) : NULL;
	struct stasis_app *sa;
	struct channel *ch;
	const char *argv[BCAST_ARGS_MAX];
	char *argbuf = NULL;
	int argc = 0, err;

	if (!b || !app)
		return ENOENT;
	if (b->winner)
		return EALREADY;
	ch = channel_find(chan_id);
	if (!ch || channel_is_hungup(ch))
		return ENOENT;
	/* Asterisk accepts any name and then fails Stasis() for an app that
	 * is not there; refusing keeps the offer open for real claimants. */
	sa = stasis_app_find(app);
	if (!sa || !stasis_app_is_active(sa))
		return ESRCH;
	if (str_dup(&b->winner, app))
		return ENOMEM;
	tmr_cancel(&b->tmr);
	log_verbose(3, "Channel %s claimed by application %s", chan_id, app);
	channel_var_set(ch, "BROADCAST_WINNER", app);
	if (b->notify_claimed) {
		struct bus_event ev = {.type = BUS_CALL_CLAIMED, .chan = ch,
				       .app = app};

		publish_to_offered(b, &ev);
	}
	if (b->args && *b->args) {
		char *p;

		if (str_dup(&argbuf, b->args)) {
			err = ENOMEM;
			goto failed;
		}
		/* strsep semantics: empty items kept, like Asterisk. */
		for (p = argbuf; p && argc < BCAST_ARGS_MAX;)
			argv[argc++] = strsep(&p, ":");
	}
	err = stasis_enter(ch, app, argv, argc, bcast_stasis_done, NULL);
	mem_deref(argbuf);
	if (!err)
		return 0;
 failed:
	/* The claim stands (204 to the winner) but the session could not
	 * start: the dialplan goes on with FAILED, as Stasis() does. */
	log_error("Channel %s: claimed by %s but entering Stasis failed: %s",
		  channel_name(ch), app, strerror(err));
	channel_var_set(ch, "STASISSTATUS", "FAILED");
	mem_deref(b);
	pbx_resume(ch, PBX_NEXT);
	return 0;
}

/* ---- the dialplan application ---- */

static int parse_timeout(const struct channel *ch, const char *s)
{
	char *end;
	long v;

	if (!s || !*s)
		return BCAST_TIMEOUT_DEFAULT_MS;
	v = strtol(s, &end, 10);
	if (end == s || v < 0 || v > BCAST_TIMEOUT_MAX_MS) {
		log_warning("Channel %s: invalid timeout value '%s' (must be "
			    "0-%dms), using default %dms", channel_name(ch), s,
			    BCAST_TIMEOUT_MAX_MS, BCAST_TIMEOUT_DEFAULT_MS);
		return BCAST_TIMEOUT_DEFAULT_MS;
	}
	return (int)v;
}

static bool is_true(const char *s)
{
	return s && (!strcasecmp(s, "yes") || !strcasecmp(s, "true") ||
		     !strcasecmp(s, "y") || !strcasecmp(s, "t") ||
		     !strcasecmp(s, "1") || !strcasecmp(s, "on"));
}

static enum pbx_result app_broadcast(struct channel *ch, const char *data)
{
	char buf[4096];
	char *argv[5] = {NULL};
	struct bcast *b;
	int timeout_ms;

	channel_var_set(ch, "STASISSTATUS", "");
	snprintf(buf, sizeof(buf), "%s", data ? data : "");
	dialplan_args_split(buf, argv, 4);
	timeout_ms = parse_timeout(ch, argv[0]);
	if (bcast_find(channel_id(ch))) {
		log_error("Failed to broadcast channel %s: already being "
			  "broadcast", channel_name(ch));
		channel_var_set(ch, "STASISSTATUS", "FAILED");
		return PBX_NEXT;
	}
	b = mem_zalloc(sizeof(*b), bcast_destructor);
	if (!b || str_dup(&b->chan_id, channel_id(ch)) ||
	    (argv[2] && *argv[2] && str_dup(&b->args, argv[2]))) {
		mem_deref(b);
		log_error("Failed to broadcast channel %s: internal error",
			  channel_name(ch));
		channel_var_set(ch, "STASISSTATUS", "FAILED");
		return PBX_NEXT;
	}
	if (argv[1] && *argv[1]) {
		if (regcomp(&b->filter, argv[1], REG_EXTENDED | REG_NOSUB))
			log_warning("Failed to compile app_filter regex: %s; "
				    "proceeding without application "
				    "filtering", argv[1]);
		else
			b->has_filter = true;
	}
	b->notify_claimed = is_true(argv[3]);
	list_append(&bcasts, &b->le, b);
	log_verbose(3, "Broadcasting channel %s (timeout=%dms, filter=%s)",
		    channel_name(ch), timeout_ms,
		    b->has_filter ? argv[1] : "none");
	{
		const char *exten = channel_exten(ch);
		struct bus_event ev = {.type = BUS_CALL_BROADCAST, .chan = ch,
				       .from = channel_caller_num(ch),
				       .to = exten};

		publish_to_offered(b, &ev);
	}
	tmr_start(&b->tmr, (uint64_t)timeout_ms, on_timeout, b);
	return PBX_SUSPEND;
}

int stasis_broadcast_init(void)
{
	int err = channel_hooks_add(&bcast_hooks);

	if (err)
		return err;
	return pbx_app_register("StasisBroadcast", app_broadcast);
}

void stasis_broadcast_close(void)
{
	list_flush(&bcasts);
}
