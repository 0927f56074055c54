/* bridge_follow.c — what a bridge does when its members' events happen:
 * a digit a member sends crosses to the others (each receives it the way
 * its technology sends DTMF: RFC 4733, SIP INFO, the other Local half), and
 * a member that leaves its Stasis app for the dialplan leaves the bridge,
 * as Asterisk's continue departs it; a transfer's new call is watched
 * (bridge_transfer.c).
 *
 * Asterisk's dtmf_events type only stops native RTP bridging, which
 * ariadne never does: digits still cross and ChannelDtmfReceived is still
 * published. A member that joined with absorbDTMF keeps its digits in (they
 * are still its own ChannelDtmfReceived). In a holding bridge only an
 * announcer's digits reach the participants, as its audio does.
 *
 * Not here: the model (bridge.c), the audio (src/media). */
#include <errno.h>
#include <stdint.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stddef.h>
#include <string.h>
#include <re_types.h>
#include <re_mem.h>
#include <re_list.h>
#include "base/defer.h"
#include "base/log.h"
#include "core/bus.h"
#include "core/channel.h"
#include "core/bridge.h"

#define FOLLOW_MAX_PEERS 256 /* digits go to at most this many members */

struct digit_fan {
	struct channel *from;
	struct channel *to[FOLLOW_MAX_PEERS];
	size_t n;
	bool from_announcer;
	const struct bridge *b;
};

static bool is_announcer(const struct bridge *b, const struct channel *ch)
{
	const struct bridge_join_opts *o = bridge_member_opts(b, ch);

	return o && o->role && !strcmp(o->role, "announcer");
}

static void collect(struct channel *ch, void *arg)
{
	struct digit_fan *f = arg;

	if (ch == f->from || f->n == FOLLOW_MAX_PEERS)
		return;
	/* Holding: an announcer's digits go to the participants only. */
	if ((bridge_flags(f->b) & BRIDGE_HOLDING) && is_announcer(f->b, ch))
		return;
	f->to[f->n++] = mem_ref(ch);
}

static void on_digit(const struct bus_event *ev)
{
	struct bridge *b = bridge_of_channel(ev->chan);
	const struct bridge_join_opts *o;
	struct digit_fan f = {.from = ev->chan};

	if (!b)
		return;
	o = bridge_member_opts(b, ev->chan);
	if (o && o->absorb_dtmf)
		return;
	if ((bridge_flags(b) & BRIDGE_HOLDING) && !is_announcer(b, ev->chan))
		return;
	f.b = b;
	/* Collected first: sending may run events that change the bridge. */
	bridge_channel_foreach(b, collect, &f);
	for (size_t i = 0; i < f.n; i++) {
		int err = 0;

		if (!channel_is_hungup(f.to[i]))
			err = channel_send_digit(f.to[i], ev->digit,
						 (int)ev->duration_ms);
		if (err && err != ENOTSUP)
			log_debug(1, "DTMF '%c' from %s to %s: %s", ev->digit,
				  channel_name(ev->chan),
				  channel_name(f.to[i]), strerror(err));
		mem_deref(f.to[i]);
	}
}

/* A channel that ended its Stasis session and, a turn later, is in no app
 * and not hung up has gone to the dialplan another way than continue
 * (which is handled before its StasisEnd): it leaves its bridge. A move
 * keeps it (it is in the new app by then), as in Asterisk. */
static void check_left_app(void *arg)
{
	struct channel *ch = arg;
	struct bridge *b = bridge_of_channel(ch);

	if (b && !channel_is_hungup(ch) && !channel_control(ch))
		bridge_remove(b, ch);
}

static void on_event(const struct bus_event *ev, void *unused)
{
	(void)unused;
	switch (ev->type) {
	case BUS_CHANNEL_DTMF:
		on_digit(ev);
		break;
	case BUS_CHANNEL_STATE:
	case BUS_CHANNEL_DESTROYED:
		bridge_transfer_event(ev);
		break;
	case BUS_STASIS_CONTINUING:
		/* continue: out of the bridge before StasisEnd. */
		if (ev->chan && bridge_of_channel(ev->chan))
			bridge_remove(bridge_of_channel(ev->chan), ev->chan);
		break;
	case BUS_STASIS_END:
		/* Other ways out of the app to the dialplan: checked a turn
		 * later, once a move would have put it in the new app. */
		if (ev->chan && !channel_is_hungup(ev->chan) &&
		    bridge_of_channel(ev->chan) &&
		    defer_call(check_left_app, ev->chan))
			log_error("%s: cannot check its bridge after StasisEnd",
				  channel_name(ev->chan));
		break;
	default:
		break;
	}
}

int bridge_follow_init(void)
{
	return bus_subscribe(on_event, NULL);
}

void bridge_follow_close(void)
{
	bus_unsubscribe(on_event, NULL);
	bridge_transfer_close();
}
