/* bridge_transfer.c — a blind transfer of a bridge member, as Asterisk's
 * ast_bridge_transfer_blind does it for a Stasis bridge (whose transfers
 * are "bridge only"): a Local channel to exten@context is called, the apps
 * hear BridgeBlindTransfer, the Local channel enters the transferer's
 * Stasis app and takes the transferer's place in the bridge; the transferer
 * stays in its app, out of the bridge (its phone hangs up after the final
 * NOTIFY). The caller learns whether the new call was answered, for that
 * NOTIFY.
 *
 * An attended transfer between two Stasis bridges (which Asterisk marks
 * as neither mergeable nor swappable) links them: a Local pair, one half
 * in each bridge in the place of the transferer's legs.
 *
 * Not here: the SIP side (src/sip/sip_refer.c). */
#include <errno.h>
#include <stdint.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <re_types.h>
#include <re_mem.h>
#include <re_list.h>
#include "base/log.h"
#include "core/bus.h"
#include "core/channel.h"
#include "core/stasis.h"
#include "core/bridge.h"

/* A transfer's new call, watched until it is answered or gone. */
struct watch {
	struct le le;
	struct channel *ch;          /* referenced */
	bridge_transfer_h *h;
	void *arg;                   /* referenced */
};

static struct list watches;

static void watch_destructor(void *arg)
{
	struct watch *w = arg;

	list_unlink(&w->le);
	mem_deref(w->ch);
	mem_deref(w->arg);
}

struct other {
	const struct channel *self;
	struct channel *found;
};

static void find_other(struct channel *ch, void *arg)
{
	struct other *o = arg;

	if (ch != o->self)
		o->found = ch;
}

/* Asterisk names a transferee only in a two-party bridge. */
static struct channel *transferee_of(const struct bridge *b,
				     const struct channel *transferer)
{
	struct other o = {.self = transferer};

	if (bridge_channel_count(b) != 2)
		return NULL;
	bridge_channel_foreach(b, find_other, &o);
	return o.found;
}

static void publish(struct channel *transferer, struct bridge *b,
		    struct channel *transferee, struct channel *local,
		    const char *exten, const char *context, bool external,
		    const char *result)
{
	struct bus_event ev = {
		.type = BUS_BRIDGE_BLIND_TRANSFER, .chan = transferer,
		.bridge = b, .transferee = transferee, .replace_channel = local,
		.exten = exten, .context = context, .is_external = external,
		.result = result,
	};

	bus_publish(&ev);
}

static int watch_add(struct channel *ch, bridge_transfer_h *h, void *arg)
{
	struct watch *w;

	if (!h)
		return 0;
	w = mem_zalloc(sizeof(*w), watch_destructor);
	if (!w)
		return ENOMEM;
	w->ch = mem_ref(ch);
	w->h = h;
	w->arg = mem_ref(arg);
	list_append(&watches, &w->le, w);
	return 0;
}

/* The new call, requested and called: ;2 runs exten@context. */
static int local_call(struct channel **localp, struct channel *transferer,
		      const char *exten, const char *context)
{
	char dial[300];
	int err;

	snprintf(dial, sizeof(dial), "Local/%s@%s", exten, context);
	err = channel_request(localp, dial, NULL, NULL);
	if (err)
		return err;
	channel_set_caller(*localp, channel_caller_name(transferer),
			   channel_caller_num(transferer));
	err = channel_call(*localp, 0);
	if (err)
		channel_hangup(*localp, CAUSE_FAILURE, "transfer");
	return err;
}

int bridge_transfer_blind(struct channel *transferer, const char *exten,
			  const char *context, bool is_external,
			  bridge_transfer_h *h, void *arg)
{
	struct bridge *b = bridge_of_channel(transferer);
	const char *app = stasis_channel_app(transferer);
	struct channel *transferee, *local = NULL;
	int err;

	if (!b || !app)
		return ENOENT;
	if (!exten || !*exten || !context || !*context)
		return EINVAL;
	transferee = transferee_of(b, transferer);
	err = local_call(&local, transferer, exten, context);
	if (err) {
		log_warning("%s: blind transfer to %s@%s failed: %s",
			    channel_name(transferer), exten, context,
			    strerror(err));
		publish(transferer, b, transferee, NULL, exten, context,
			is_external, "Fail");
		return err;
	}
	mem_ref(local);
	log_verbose(3, "%s: blind transfer of bridge %s to %s@%s by %s",
		    channel_name(transferer), bridge_id(b), exten, context,
		    channel_name(local));
	publish(transferer, b, transferee, local, exten, context, is_external,
		"Success");
	/* As Asterisk's Stasis bridge: a channel not in Stasis is put in the
	 * app of the one it replaces, then swapped into the bridge. */
	err = stasis_enter(local, app, NULL, 0, NULL, NULL);
	if (!err && bridge_of_channel(transferer) == b) {
		bridge_remove(b, transferer);
		err = bridge_add(b, local, NULL);
	}
	if (!err)
		err = watch_add(local, h, arg);
	if (err)
		channel_hangup(local, CAUSE_FAILURE, "transfer");
	mem_deref(local);
	return err;
}

/* ---- attended ---- */

/* Who meets whom, taken before the bridges change: the transferee (the
 * other party of `first`'s bridge) and the target (of `second`'s). */
struct attended {
	struct channel *first, *second, *transferee, *target;
	struct bridge *a, *b;
};

static void publish_attended(const struct attended *t, struct channel *one,
			     struct channel *two, const char *result)
{
	struct bus_event ev = {
		.type = BUS_BRIDGE_ATTENDED_TRANSFER, .chan = t->first,
		.second_leg = t->second, .bridge = t->a, .bridge_from = t->b,
		.transferee = t->transferee, .target = t->target,
		.is_external = true, .result = result,
		.dest_type = one ? "link" : "fail",
		.link_first = one, .link_second = two,
	};

	bus_publish(&ev);
}

/* The Local pair that links the bridges: requested, never called (no
 * dialplan runs on it), answered. */
static int link_pair(struct channel **onep, struct channel **twop)
{
	struct channel *one = NULL, *two;
	int err = channel_request(&one, "Local/link@transfer/n", NULL, NULL);

	if (err)
		return err;
	two = channel_peer(one);
	if (!two) {
		channel_hangup(one, CAUSE_FAILURE, "transfer");
		return ENOENT;
	}
	channel_set_state(one, CHANNEL_UP);
	channel_set_state(two, CHANNEL_UP);
	*onep = one;
	*twop = two;
	return 0;
}

int bridge_transfer_attended(struct channel *first, struct channel *second)
{
	struct attended t = {.first = first, .second = second,
			     .a = bridge_of_channel(first),
			     .b = bridge_of_channel(second)};
	struct channel *one = NULL, *two = NULL;
	int err;

	if (!t.a || !t.b)
		return ENOENT;
	if (t.a == t.b)
		return EINVAL;
	t.transferee = transferee_of(t.a, first);
	t.target = transferee_of(t.b, second);
	err = link_pair(&one, &two);
	if (err) {
		log_warning("%s: attended transfer with %s failed: %s",
			    channel_name(first), channel_name(second),
			    strerror(err));
		publish_attended(&t, NULL, NULL, "Fail");
		return err;
	}
	mem_ref(one);
	mem_ref(two);
	log_verbose(3, "%s: attended transfer links bridges %s and %s with %s",
		    channel_name(first), bridge_id(t.a), bridge_id(t.b),
		    channel_name(one));
	bridge_remove(t.a, first);
	bridge_remove(t.b, second);
	err = bridge_add(t.a, one, NULL);
	if (!err)
		err = bridge_add(t.b, two, NULL);
	if (err)
		channel_hangup(one, CAUSE_FAILURE, "transfer");
	publish_attended(&t, err ? NULL : one, err ? NULL : two,
			 err ? "Fail" : "Success");
	mem_deref(two);
	mem_deref(one);
	return err;
}

/* Answered, or gone before: the caller hears once. */
void bridge_transfer_event(const struct bus_event *ev)
{
	struct le *le = watches.head;

	if (!ev->chan || (ev->type != BUS_CHANNEL_STATE &&
			  ev->type != BUS_CHANNEL_DESTROYED))
		return;
	while (le) {
		struct watch *w = le->data;

		le = le->next;
		if (w->ch != ev->chan)
			continue;
		if (ev->type == BUS_CHANNEL_STATE &&
		    channel_state(ev->chan) != CHANNEL_UP)
			continue;
		list_unlink(&w->le);
		w->h(ev->type == BUS_CHANNEL_STATE, w->arg);
		mem_deref(w);
		le = watches.head;  /* the handler may have changed the list */
	}
}

void bridge_transfer_close(void)
{
	list_flush(&watches);
}
