/* stasis_broadcast.c — offering a channel to the ARI apps and the claim
 * that ends the offer (Asterisk's app_stasis_broadcast, 20.17 / 22.7 /
 * 23.1): the channel is offered to the active apps with a CallBroadcast
 * event, the first POST /events/claim wins and the channel enters the
 * winner exactly as Stasis(winner) would put it; the offer's owner learns
 * how it ended (claimed and left, timed out, failed).
 *
 * An app_filter that is not a valid extended regex is ignored: every app is
 * offered the call, as Asterisk proceeds without filtering.
 *
 * Not here: the StasisBroadcast() dialplan application and its arguments
 * (src/pbx/pbx_stasis_apps.c), the HTTP side (src/ari/res_events_claim.c). */
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
#include "base/log.h"
#include "core/stasis.h"

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
	stasis_broadcast_done_h *done;
	void *arg;
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

/* The offer is over: forget it, then tell its owner (who may resume the
 * dialplan, and with it start a new broadcast of the same channel). */
static void bcast_end(struct bcast *b, struct channel *ch,
		      enum stasis_broadcast_end how)
{
	stasis_broadcast_done_h *done = b->done;
	void *arg = b->arg;

	mem_deref(b);
	if (done)
		done(ch, how, arg);
}

static void bcast_stasis_done(struct channel *ch, enum stasis_leave why,
			      void *arg)
{
	struct bcast *b = bcast_find(channel_id(ch));

	if (b)
		bcast_end(b, ch, why == STASIS_LEFT_CONTINUE
					 ? STASIS_BCAST_CONTINUE
					 : STASIS_BCAST_HANGUP);
}

static void on_timeout(void *arg)
{
	struct bcast *b = arg;
	struct channel *ch = channel_find(b->chan_id);

	if (!ch || channel_is_hungup(ch)) {
		mem_deref(b);
		return;
	}
	log_warning("Channel %s: not claimed within timeout",
		    channel_name(ch));
	bcast_end(b, ch, STASIS_BCAST_TIMEOUT);
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
	 * start: the owner goes on as after a failed Stasis(). */
	log_error("Channel %s: claimed by %s but entering Stasis failed: %s",
		  channel_name(ch), app, strerror(err));
	bcast_end(b, ch, STASIS_BCAST_FAILED);
	return 0;
}

/* ---- the offer ---- */

static void publish_offer(struct bcast *b, struct channel *ch)
{
	struct bus_event ev = {.type = BUS_CALL_BROADCAST, .chan = ch,
			       .from = channel_caller_num(ch),
			       .to = channel_exten(ch)};

	publish_to_offered(b, &ev);
}

int stasis_broadcast_offer(struct channel *ch,
			   const struct stasis_broadcast_opts *opts,
			   stasis_broadcast_done_h *done, void *arg)
{
	struct bcast *b;

	if (bcast_find(channel_id(ch)))
		return EALREADY;
	b = mem_zalloc(sizeof(*b), bcast_destructor);
	if (!b || str_dup(&b->chan_id, channel_id(ch)) ||
	    (opts->args && *opts->args && str_dup(&b->args, opts->args))) {
		mem_deref(b);
		return ENOMEM;
	}
	if (opts->filter && *opts->filter) {
		if (regcomp(&b->filter, opts->filter, REG_EXTENDED | REG_NOSUB))
			log_warning("Failed to compile app_filter regex: %s; "
				    "proceeding without application "
				    "filtering", opts->filter);
		else
			b->has_filter = true;
	}
	b->notify_claimed = opts->notify_claimed;
	b->done = done;
	b->arg = arg;
	list_append(&bcasts, &b->le, b);
	log_verbose(3, "Broadcasting channel %s (timeout=%ums, filter=%s)",
		    channel_name(ch), opts->timeout_ms,
		    b->has_filter ? opts->filter : "none");
	publish_offer(b, ch);
	tmr_start(&b->tmr, opts->timeout_ms, on_timeout, b);
	return 0;
}

int stasis_broadcast_init(void)
{
	return channel_hooks_add(&bcast_hooks);
}

void stasis_broadcast_close(void)
{
	list_flush(&bcasts);
}
