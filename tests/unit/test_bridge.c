/* test_bridge.c — unit tests for the bridge model (src/core/bridge.c and
 * bridge_follow.c): the type list, the registry, members joining and
 * leaving with their events in Asterisk's order, the technology switch, the
 * BRIDGEPEER variables, the audio engine's calls, which apps see a bridge's
 * events, app ownership, DTMF crossing a bridge, and leaving a bridge on
 * hangup and on continue. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <re_types.h>
#include <re_fmt.h>
#include <re_list.h>
#include <re_mem.h>
#include <re_tmr.h>
#include <re_main.h>
#include "core/bridge.h"
#include "core/bus.h"
#include "core/channel.h"
#include "core/stasis.h"
#include "pbx/dialplan.h"
#include "pbx/pbx.h"
#include "core_test.h"
#include "stasis_test.h"

/* ---- a technology that records the digits it is asked to send ---- */

static struct {
	char log[512];
} sent;

static int br_send_digit(struct channel *ch, char digit, int duration_ms)
{
	size_t len = strlen(sent.log);

	(void)duration_ms;
	snprintf(sent.log + len, sizeof(sent.log) - len, "%s%s:%c",
		 len ? " " : "", channel_name(ch), digit);
	return 0;
}

static const struct channel_tech br_tech = {
	.type = "BrTest",
	.description = "bridge unit test channels",
	.hangup = test_tech_hangup,
	.send_digit = br_send_digit,
};

static struct channel *br_channel(const char *name)
{
	struct channel *ch = NULL;

	assert_int_equal(channel_alloc(&ch, &br_tech, NULL, NULL, NULL,
				       "BrTest/%s", name),
			 0);
	return ch;
}

/* ---- a fake audio engine ---- */

static struct {
	int creates, destroys, joins, leaves, moh_starts, moh_stops;
	int refuse_join;      /* join returns this when set */
	char moh_class[32];
} eng;

static int eng_create(struct bridge *b)
{
	(void)b;
	eng.creates++;
	return 0;
}

static void eng_destroy(struct bridge *b)
{
	(void)b;
	eng.destroys++;
}

static int eng_join(struct bridge *b, struct channel *ch)
{
	(void)b;
	(void)ch;
	if (eng.refuse_join)
		return eng.refuse_join;
	eng.joins++;
	return 0;
}

static void eng_leave(struct bridge *b, struct channel *ch)
{
	(void)b;
	(void)ch;
	eng.leaves++;
}

static int eng_moh_start(struct bridge *b, const char *mclass)
{
	(void)b;
	eng.moh_starts++;
	snprintf(eng.moh_class, sizeof(eng.moh_class), "%s",
		 mclass ? mclass : "(default)");
	return 0;
}

static void eng_moh_stop(struct bridge *b)
{
	(void)b;
	eng.moh_stops++;
}

static const struct bridge_engine test_engine = {
	.create = eng_create, .destroy = eng_destroy,
	.join = eng_join, .leave = eng_leave,
	.moh_start = eng_moh_start, .moh_stop = eng_moh_stop,
};

/* ---- fixture ---- */

static int group_setup(void **state)
{
	int err = libre_init();

	(void)state;
	log_set_quiet(1);
	if (!err)
		err = channel_tech_register(&test_tech);
	if (!err)
		err = channel_tech_register(&br_tech);
	/* As main.c: the bridge's hook before Stasis's. */
	if (!err)
		err = bridge_init();
	if (!err)
		err = channel_hooks_add(&stasis_hooks);
	if (!err)
		err = channel_hooks_add(&pbx_hooks);
	return err ? -1 : 0;
}

static int setup(void **state)
{
	memset(&sent, 0, sizeof(sent));
	memset(&eng, 0, sizeof(eng));
	bridge_engine_register(&test_engine);
	if (stasis_setup(state) || bridge_follow_init())
		return -1;
	return 0;
}

static int teardown(void **state)
{
	stasis_teardown(state);
	bridge_follow_close();
	bridge_close();
	bridge_engine_register(NULL);
	return 0;
}

static struct bridge *mixing(const char *id)
{
	struct bridge *b = NULL;

	assert_int_equal(bridge_create(&b, id, BRIDGE_MIXING, NULL, NULL), 0);
	return b;
}

static void add(struct bridge *b, struct channel *ch)
{
	assert_int_equal(bridge_add(b, ch, NULL), 0);
}

/* Index of the next record at or after `from` of `type` on channel `ch`
 * (NULL: none) for `who`; fails when missing. */
static int expect(int from, enum bus_type type, const char *who,
		  const struct channel *ch)
{
	for (int i = from; i < evlog.n; i++) {
		const struct rec *r = &evlog.r[i];

		if (r->type == type && !strcmp(r->who, who) &&
		    !strcmp(r->chan, ch ? channel_id(ch) : ""))
			return i;
	}
	fail_msg("event %d on %s for %s not found after %d", type,
		 ch ? channel_name(ch) : "-", who, from);
	return -1;
}

/* The value of the last ChannelVarset of `var` on `ch` seen by the bus. */
static const char *last_set(const struct channel *ch, const char *var)
{
	for (int i = evlog.n - 1; i >= 0; i--) {
		const struct rec *r = &evlog.r[i];

		if (r->type == BUS_CHANNEL_VARSET && !strcmp(r->var, var) &&
		    !strcmp(r->who, "bus") && !strcmp(r->chan, channel_id(ch)))
			return r->value;
	}
	return NULL;
}

static int count_var(const char *var)
{
	int n = 0;

	for (int i = 0; i < evlog.n; i++)
		if (evlog.r[i].type == BUS_CHANNEL_VARSET &&
		    !strcmp(evlog.r[i].who, "bus") &&
		    !strcmp(evlog.r[i].var, var))
			n++;
	return n;
}

/* ---- the type list ---- */

static void type_list_empty_is_mixing_and_words_combine(void **state)
{
	unsigned f = 0;

	(void)state;
	assert_int_equal(bridge_type_parse(NULL, &f, NULL, NULL), 0);
	assert_int_equal(f, BRIDGE_MIXING);
	assert_int_equal(bridge_type_parse("", &f, NULL, NULL), 0);
	assert_int_equal(f, BRIDGE_MIXING);
	assert_int_equal(bridge_type_parse("holding", &f, NULL, NULL), 0);
	assert_int_equal(f, BRIDGE_HOLDING);
	assert_int_equal(bridge_type_parse(" mixing , dtmf_events,proxy_media",
					   &f, NULL, NULL),
			 0);
	assert_int_equal(f, BRIDGE_MIXING | BRIDGE_DTMF_EVENTS |
				    BRIDGE_PROXY_MEDIA);
	assert_int_equal(bridge_type_parse("video_sfu,mixing", &f, NULL,
					   NULL),
			 0);
	assert_int_equal(f, BRIDGE_MIXING | BRIDGE_VIDEO_SFU);
}

static void type_list_refuses_unknown_words_both_kinds_and_neither(void **state)
{
	unsigned f = 0;
	const char *bad = NULL;
	size_t badlen = 0;

	(void)state;
	assert_int_equal(bridge_type_parse("mixing,conference", &f, &bad,
					   &badlen),
			 EINVAL);
	assert_non_null(bad);
	assert_int_equal(badlen, 10);
	assert_memory_equal(bad, "conference", 10);
	assert_int_equal(bridge_type_parse("mixing,holding", &f, &bad, NULL),
			 EINVAL);
	assert_null(bad);
	assert_int_equal(bridge_type_parse("dtmf_events", &f, NULL, NULL),
			 EINVAL);
}

/* ---- registry ---- */

static void create_publishes_BridgeCreated_and_registers_the_bridge(void **state)
{
	struct bridge *b = NULL, *b2 = NULL;

	(void)state;
	assert_int_equal(bridge_create(&b, "b1", BRIDGE_MIXING, "conf", NULL),
			 0);
	assert_int_equal(rec_count(BUS_BRIDGE_CREATED, "bus"), 1);
	assert_ptr_equal(bridge_find("b1"), b);
	assert_string_equal(bridge_name(b), "conf");
	assert_string_equal(bridge_technology(b), "simple_bridge");
	assert_string_equal(bridge_type_str(b), "mixing");
	assert_string_equal(bridge_class(b), "stasis");
	assert_string_equal(bridge_creator(b), "Stasis");
	assert_string_equal(bridge_video_mode(b), "talker");
	assert_null(bridge_video_source_id(b));
	assert_null(bridge_app(b));
	assert_int_equal(eng.creates, 1);
	assert_int_equal(bridge_create(&b2, "b1", BRIDGE_MIXING, NULL, NULL),
			 EEXIST);
	assert_int_equal(bridge_create(&b2, NULL, BRIDGE_MIXING |
					      BRIDGE_HOLDING, NULL, NULL),
			 EINVAL);
	assert_int_equal(bridge_create(&b2, NULL, BRIDGE_HOLDING, NULL, NULL),
			 0);
	assert_int_equal(strlen(bridge_id(b2)), 36);  /* a uuid */
	assert_string_equal(bridge_technology(b2), "holding_bridge");
	assert_string_equal(bridge_type_str(b2), "holding");
	assert_int_equal(bridge_count(), 2);
}

static void destroy_removes_members_then_publishes_BridgeDestroyed(void **state)
{
	struct bridge *b = mixing("b1");
	struct channel *a = br_channel("a"), *c = br_channel("c");
	int dissolving, left_a, left_c, gone;
	int peers;

	(void)state;
	add(b, a);
	add(b, c);
	peers = count_var("BRIDGEPEER");
	bridge_destroy(b);
	/* What plays to it hears first, while the members are still in. */
	dissolving = expect(0, BUS_BRIDGE_DISSOLVING, "bus", NULL);
	left_a = expect(0, BUS_CHANNEL_LEFT_BRIDGE, "bus", a);
	left_c = expect(0, BUS_CHANNEL_LEFT_BRIDGE, "bus", c);
	gone = expect(0, BUS_BRIDGE_DESTROYED, "bus", NULL);
	assert_true(dissolving < left_a && left_a < left_c && left_c < gone);
	/* A dissolving bridge sets no BRIDGEPEER (Asterisk's). */
	assert_int_equal(count_var("BRIDGEPEER"), peers);
	assert_null(bridge_find("b1"));
	assert_null(bridge_of_channel(a));
	assert_int_equal(eng.leaves, 2);
	assert_int_equal(eng.destroys, 1);
	assert_int_equal(bridge_count(), 0);
}

/* ---- members ---- */

static void two_members_get_each_others_name_as_BRIDGEPEER_after_entering(void **state)
{
	struct bridge *b = mixing("b1");
	struct channel *a = br_channel("a"), *c = br_channel("c");
	int enter_a, enter_c, peer_a, peer_c;

	(void)state;
	add(b, a);
	/* Alone: no BRIDGEPEER (Asterisk sets none below two). */
	assert_int_equal(count_var("BRIDGEPEER"), 0);
	add(b, c);
	enter_a = expect(0, BUS_CHANNEL_ENTERED_BRIDGE, "bus", a);
	enter_c = expect(0, BUS_CHANNEL_ENTERED_BRIDGE, "bus", c);
	peer_a = expect(enter_c, BUS_CHANNEL_VARSET, "bus", a);
	peer_c = expect(enter_c, BUS_CHANNEL_VARSET, "bus", c);
	assert_true(enter_a < enter_c && peer_a < peer_c);
	assert_string_equal(last_set(a, "BRIDGEPEER"), "BrTest/c");
	assert_string_equal(last_set(c, "BRIDGEPEER"), "BrTest/a");
	/* Channels without a call id get no BRIDGEPVTCALLID. */
	assert_int_equal(count_var("BRIDGEPVTCALLID"), 0);
	assert_ptr_equal(bridge_of_channel(a), b);
	assert_int_equal(bridge_channel_count(b), 2);
	assert_int_equal(eng.joins, 2);
}

static void sip_like_members_get_the_peers_call_id_as_BRIDGEPVTCALLID(void **state)
{
	struct bridge *b = mixing("b1");
	struct channel *a = br_channel("a"), *c = br_channel("c");

	(void)state;
	channel_set_protocol_id(a, "call-a@host");
	channel_set_protocol_id(c, "call-c@host");
	add(b, a);
	add(b, c);
	assert_string_equal(last_set(a, "BRIDGEPVTCALLID"), "call-c@host");
	assert_string_equal(last_set(c, "BRIDGEPVTCALLID"), "call-a@host");
}

static void third_member_makes_softmix_and_lists_the_others(void **state)
{
	struct bridge *b = mixing("b1");
	struct channel *a = br_channel("a"), *c = br_channel("c"),
		       *d = br_channel("d");

	(void)state;
	add(b, a);
	add(b, c);
	assert_string_equal(bridge_technology(b), "simple_bridge");
	add(b, d);
	assert_string_equal(bridge_technology(b), "softmix");
	assert_string_equal(last_set(a, "BRIDGEPEER"), "BrTest/c,BrTest/d");
	assert_string_equal(last_set(c, "BRIDGEPEER"), "BrTest/a,BrTest/d");
	assert_string_equal(last_set(d, "BRIDGEPEER"), "BrTest/a,BrTest/c");
	assert_int_equal(bridge_remove(b, c), 0);
	/* Back to two: a two-party technology and peers again. */
	assert_string_equal(bridge_technology(b), "simple_bridge");
	assert_string_equal(last_set(a, "BRIDGEPEER"), "BrTest/d");
	assert_string_equal(last_set(d, "BRIDGEPEER"), "BrTest/a");
}

static void holding_bridge_sets_no_BRIDGEPEER(void **state)
{
	struct bridge *b = NULL;
	struct channel *a = br_channel("a"), *c = br_channel("c");

	(void)state;
	assert_int_equal(bridge_create(&b, "h", BRIDGE_HOLDING, NULL, NULL),
			 0);
	add(b, a);
	add(b, c);
	assert_string_equal(bridge_technology(b), "holding_bridge");
	assert_int_equal(count_var("BRIDGEPEER"), 0);
}

static void add_refuses_busy_present_and_hung_up_channels(void **state)
{
	struct bridge *b1 = mixing("b1"), *b2 = mixing("b2");
	struct channel *a = br_channel("a"), *gone = br_channel("gone");

	(void)state;
	add(b1, a);
	assert_int_equal(bridge_add(b1, a, NULL), EALREADY);
	assert_int_equal(bridge_add(b2, a, NULL), EBUSY);
	mem_ref(gone);
	channel_hangup(gone, CAUSE_NORMAL_CLEARING, NULL);
	assert_int_equal(bridge_add(b2, gone, NULL), ENOTCONN);
	mem_deref(gone);
	assert_int_equal(bridge_remove(b2, a), ENOENT);
	assert_int_equal(rec_count(BUS_CHANNEL_ENTERED_BRIDGE, "bus"), 1);
}

static void engine_refusing_a_join_leaves_no_member_and_no_event(void **state)
{
	struct bridge *b = mixing("b1");
	struct channel *a = br_channel("a");

	(void)state;
	eng.refuse_join = EPROTO;
	assert_int_equal(bridge_add(b, a, NULL), EPROTO);
	assert_null(bridge_of_channel(a));
	assert_int_equal(bridge_channel_count(b), 0);
	assert_int_equal(rec_count(BUS_CHANNEL_ENTERED_BRIDGE, "bus"), 0);
}

static void member_options_are_kept_with_a_copy_of_the_role(void **state)
{
	struct bridge *b = mixing("b1");
	struct channel *a = br_channel("a");
	char role[] = "announcer";
	struct bridge_join_opts o = {.role = role, .absorb_dtmf = true,
				     .mute = true};
	const struct bridge_join_opts *got;

	(void)state;
	assert_int_equal(bridge_add(b, a, &o), 0);
	role[0] = 'X';
	got = bridge_member_opts(b, a);
	assert_non_null(got);
	assert_string_equal(got->role, "announcer");
	assert_true(got->absorb_dtmf);
	assert_true(got->mute);
	assert_false(got->inhibit_connected_line_updates);
	assert_null(bridge_member_opts(mixing("b2"), a));
}

/* ---- leaving with the channel's app ---- */

static void hangup_sends_ChannelLeftBridge_before_StasisEnd(void **state)
{
	struct bridge *b = mixing("b1");
	struct channel *a;
	int left, end;

	(void)state;
	app_up("A", "ws1");
	a = chan_in("A", "a");
	add(b, a);
	mem_ref(a);
	channel_hangup(a, CAUSE_NORMAL_CLEARING, NULL);
	left = expect(0, BUS_CHANNEL_LEFT_BRIDGE, "ws1", a);
	end = expect(0, BUS_STASIS_END, "ws1", a);
	assert_true(left < end);
	assert_null(bridge_of_channel(a));
	assert_int_equal(bridge_channel_count(b), 0);
	mem_deref(a);
}

static void continue_takes_the_channel_out_of_its_bridge(void **state)
{
	struct bridge *b = mixing("b1");
	struct channel *a;

	(void)state;
	app_up("A", "ws1");
	a = chan_in("A", "a");
	add(b, a);
	assert_int_equal(stasis_continue(a, "default", "s", 1), 0);
	run_deferred();
	run_deferred();
	assert_null(bridge_of_channel(a));
	assert_int_equal(rec_count(BUS_CHANNEL_LEFT_BRIDGE, "bus"), 1);
}

static void move_keeps_the_channel_in_its_bridge(void **state)
{
	struct bridge *b = mixing("b1");
	struct channel *a;

	(void)state;
	app_up("A", "ws1");
	app_up("B", "ws2");
	a = chan_in("A", "a");
	add(b, a);
	assert_int_equal(stasis_move(a, "B", NULL), 0);
	run_deferred();
	run_deferred();
	assert_string_equal(stasis_channel_app(a), "B");
	assert_ptr_equal(bridge_of_channel(a), b);
	assert_int_equal(rec_count(BUS_CHANNEL_LEFT_BRIDGE, "bus"), 0);
}

/* ---- which apps see a bridge ---- */

static void app_of_a_member_sees_the_other_members_enter_and_leave(void **state)
{
	struct bridge *b = mixing("b1");
	struct channel *a, *c;

	(void)state;
	app_up("A", "ws1");
	app_up("C", "ws2");
	a = chan_in("A", "a");
	c = chan_in("C", "c");
	add(b, a);
	add(b, c);
	expect(0, BUS_CHANNEL_ENTERED_BRIDGE, "ws1", a);
	expect(0, BUS_CHANNEL_ENTERED_BRIDGE, "ws1", c);
	expect(0, BUS_CHANNEL_ENTERED_BRIDGE, "ws2", c);
	/* ws2's channel was not there yet when a entered. */
	assert_int_equal(rec_count(BUS_CHANNEL_ENTERED_BRIDGE, "ws2"), 1);
	assert_int_equal(bridge_remove(b, c), 0);
	expect(0, BUS_CHANNEL_LEFT_BRIDGE, "ws1", c);
	expect(0, BUS_CHANNEL_LEFT_BRIDGE, "ws2", c);
}

static void destroyed_bridge_reaches_subscribers_not_apps_of_former_members(void **state)
{
	struct bridge *b = mixing("b1");
	struct channel *a;

	(void)state;
	app_up("A", "ws1");
	app_up("W", "ws2");
	a = chan_in("A", "a");
	add(b, a);
	assert_int_equal(stasis_app_subscribe("W", STASIS_SRC_BRIDGE, "b1"),
			 0);
	bridge_destroy(b);
	expect(0, BUS_CHANNEL_LEFT_BRIDGE, "ws1", a);
	expect(0, BUS_CHANNEL_LEFT_BRIDGE, "ws2", a);
	expect(0, BUS_BRIDGE_DESTROYED, "ws2", NULL);
	assert_int_equal(rec_count(BUS_BRIDGE_DESTROYED, "ws1"), 0);
	/* The subscription went with the bridge. */
	assert_false(stasis_app_is_subscribed(stasis_app_find("W"),
					      STASIS_SRC_BRIDGE, "b1"));
}

static void bridges_of_an_app_go_when_the_app_is_destroyed(void **state)
{
	struct bridge *mine = NULL, *other = mixing("other");
	struct channel *x = br_channel("x");

	(void)state;
	app_up("A", "ws1");
	assert_int_equal(bridge_create(&mine, "mine", BRIDGE_MIXING, NULL,
				       "A"),
			 0);
	add(mine, x);
	assert_string_equal(bridge_app(mine), "A");
	assert_int_equal(bridge_claim(other, "A"), 0);
	assert_int_equal(bridge_claim(other, "B"), 0);
	assert_string_equal(bridge_app(other), "A");
	stasis_app_unregister("A", "ws1");
	assert_null(stasis_app_find("A"));
	assert_null(bridge_find("mine"));
	assert_null(bridge_find("other"));
	expect(0, BUS_CHANNEL_LEFT_BRIDGE, "bus", x);
	assert_int_equal(rec_count(BUS_BRIDGE_DESTROYED, "bus"), 2);
}

static void app_with_a_channel_in_it_keeps_its_bridges(void **state)
{
	struct bridge *mine = NULL;
	struct channel *a;

	(void)state;
	app_up("A", "ws1");
	a = chan_in("A", "a");
	assert_int_equal(bridge_create(&mine, "mine", BRIDGE_MIXING, NULL,
				       "A"),
			 0);
	stasis_app_unregister("A", "ws1");
	assert_non_null(bridge_find("mine"));
	channel_hangup(a, CAUSE_NORMAL_CLEARING, NULL);
	assert_null(stasis_app_find("A"));
	assert_null(bridge_find("mine"));
}

/* ---- DTMF ---- */

static void digit_of_a_member_is_sent_to_every_other_member(void **state)
{
	struct bridge *b = mixing("b1");
	struct channel *a = br_channel("a"), *c = br_channel("c"),
		       *d = br_channel("d"), *out = br_channel("out");

	(void)state;
	add(b, a);
	add(b, c);
	add(b, d);
	channel_dtmf_received(a, '5', 100);
	assert_string_equal(sent.log, "BrTest/c:5 BrTest/d:5");
	/* The digit is still the sender's own event. */
	expect(0, BUS_CHANNEL_DTMF, "bus", a);
	sent.log[0] = '\0';
	channel_dtmf_received(out, '1', 100);
	assert_string_equal(sent.log, "");
}

static void absorbDTMF_keeps_a_members_digits_in(void **state)
{
	struct bridge *b = mixing("b1");
	struct channel *a = br_channel("a"), *c = br_channel("c");
	struct bridge_join_opts absorb = {.absorb_dtmf = true};

	(void)state;
	assert_int_equal(bridge_add(b, a, &absorb), 0);
	add(b, c);
	channel_dtmf_received(a, '#', 100);
	assert_string_equal(sent.log, "");
	channel_dtmf_received(c, '*', 100);
	assert_string_equal(sent.log, "BrTest/a:*");
}

static void dtmf_events_bridge_still_passes_digits(void **state)
{
	struct bridge *b = NULL;
	struct channel *a = br_channel("a"), *c = br_channel("c");

	(void)state;
	assert_int_equal(bridge_create(&b, "b", BRIDGE_MIXING |
					   BRIDGE_DTMF_EVENTS, NULL, NULL),
			 0);
	add(b, a);
	add(b, c);
	channel_dtmf_received(a, '7', 100);
	assert_string_equal(sent.log, "BrTest/c:7");
}

static void holding_bridge_passes_only_an_announcers_digits(void **state)
{
	struct bridge *b = NULL;
	struct channel *ann = br_channel("ann"), *p1 = br_channel("p1"),
		       *p2 = br_channel("p2");
	struct bridge_join_opts announcer = {.role = "announcer"};

	(void)state;
	assert_int_equal(bridge_create(&b, "h", BRIDGE_HOLDING, NULL, NULL),
			 0);
	assert_int_equal(bridge_add(b, ann, &announcer), 0);
	add(b, p1);
	add(b, p2);
	channel_dtmf_received(p1, '1', 100);
	assert_string_equal(sent.log, "");
	channel_dtmf_received(ann, '2', 100);
	assert_string_equal(sent.log, "BrTest/p1:2 BrTest/p2:2");
}

/* ---- transfers ---- */

static char xfer_result[32];

static void xfer_h(const struct bus_event *ev, void *arg)
{
	(void)arg;
	if (ev->type == BUS_BRIDGE_BLIND_TRANSFER)
		snprintf(xfer_result, sizeof(xfer_result), "%s:%s",
			 ev->result ? ev->result : "",
			 ev->transferee ? channel_name(ev->transferee) : "");
}

static void blind_transfer_that_cannot_call_reports_Fail_and_keeps_the_bridge(void **state)
{
	struct bridge *b = mixing("b1");
	struct channel *a, *c = br_channel("c");

	(void)state;
	xfer_result[0] = '\0';
	assert_int_equal(bus_subscribe(xfer_h, NULL), 0);
	app_up("A", "ws1");
	a = chan_in("A", "a");
	add(b, a);
	add(b, c);
	/* Not in a bridge (or not in Stasis): nothing to transfer. */
	assert_int_equal(bridge_transfer_blind(br_channel("x"), "200", "ctx",
					       true, NULL, NULL),
			 ENOENT);
	/* No Local technology in this binary: the new call cannot be made. */
	assert_int_equal(bridge_transfer_blind(a, "200", "ctx", true, NULL,
					       NULL),
			 ENOENT);
	expect(0, BUS_BRIDGE_BLIND_TRANSFER, "ws1", a);
	assert_int_equal(rec_count(BUS_BRIDGE_BLIND_TRANSFER, "bus"), 1);
	assert_string_equal(xfer_result, "Fail:BrTest/c");
	bus_unsubscribe(xfer_h, NULL);
	assert_ptr_equal(bridge_of_channel(a), b);
	assert_int_equal(bridge_channel_count(b), 2);
}

/* ---- helpers, MOH, video, variables ---- */

static void helper_counts_for_technology_and_BRIDGEPEER(void **state)
{
	struct bridge *b = mixing("b1");
	struct channel *a = br_channel("a"), *c = br_channel("c");
	unsigned id = 0;
	const char *peer;

	(void)state;
	add(b, a);
	assert_int_equal(bridge_helper_join(b, BRIDGE_ANNOUNCER, &id), 0);
	peer = last_set(a, "BRIDGEPEER");
	assert_non_null(peer);
	assert_int_equal(strncmp(peer, "Announcer/ARI-", 14), 0);
	assert_string_equal(peer + strlen(peer) - 2, ";2");
	assert_string_equal(bridge_technology(b), "simple_bridge");
	add(b, c);
	assert_string_equal(bridge_technology(b), "softmix");
	assert_int_equal(bridge_channel_count(b), 2);
	bridge_helper_leave(b, id);
	assert_string_equal(bridge_technology(b), "simple_bridge");
	assert_string_equal(last_set(a, "BRIDGEPEER"), "BrTest/c");
	/* A recording's helper is Asterisk's Recorder channel. */
	assert_int_equal(bridge_remove(b, c), 0);
	assert_int_equal(bridge_helper_join(b, BRIDGE_RECORDER, &id), 0);
	peer = last_set(a, "BRIDGEPEER");
	assert_non_null(peer);
	assert_int_equal(strncmp(peer, "Recorder/ARI-", 13), 0);
	bridge_helper_leave(b, id);
}

static void moh_goes_through_the_engine_and_remembers_its_class(void **state)
{
	struct bridge *b = mixing("b1");

	(void)state;
	assert_int_equal(bridge_moh_start(b, "jazz"), 0);
	assert_string_equal(eng.moh_class, "jazz");
	assert_string_equal(bridge_moh_class(b), "jazz");
	assert_int_equal(bridge_moh_stop(b), 0);
	assert_null(bridge_moh_class(b));
	assert_int_equal(eng.moh_stops, 1);
	bridge_engine_register(NULL);
	assert_int_equal(bridge_moh_start(b, NULL), ENOSYS);
	bridge_engine_register(&test_engine);
}

static void video_source_is_a_member_and_changes_are_announced(void **state)
{
	struct bridge *b = mixing("b1");
	struct channel *a = br_channel("a"), *out = br_channel("out");

	(void)state;
	add(b, a);
	assert_int_equal(bridge_set_video_source(b, out), ENOENT);
	assert_int_equal(bridge_set_video_source(b, a), 0);
	assert_string_equal(bridge_video_mode(b), "single");
	assert_string_equal(bridge_video_source_id(b), channel_id(a));
	assert_int_equal(rec_count(BUS_BRIDGE_VIDEO_SOURCE_CHANGED, "bus"), 1);
	assert_int_equal(bridge_set_video_source(b, a), 0);
	assert_int_equal(rec_count(BUS_BRIDGE_VIDEO_SOURCE_CHANGED, "bus"), 1);
	bridge_clear_video_source(b);
	assert_string_equal(bridge_video_mode(b), "talker");
	assert_null(bridge_video_source_id(b));
	assert_int_equal(rec_count(BUS_BRIDGE_VIDEO_SOURCE_CHANGED, "bus"), 2);
}

static void bridge_variables_are_set_read_and_unset(void **state)
{
	struct bridge *b = mixing("b1");

	(void)state;
	assert_null(bridge_var_get(b, "X"));
	assert_int_equal(bridge_var_set(b, "X", "1", false), 0);
	assert_int_equal(bridge_var_set(b, "X", "2", true), 0);
	assert_string_equal(bridge_var_get(b, "X"), "2");
	assert_int_equal(bridge_var_set(b, "X", NULL, false), 0);
	assert_null(bridge_var_get(b, "X"));
	assert_int_equal(bridge_var_set(b, "", "v", false), EINVAL);
}

static void close_frees_bridges_with_members_without_events(void **state)
{
	struct bridge *b = mixing("b1");
	struct channel *a = br_channel("a");
	int n;

	(void)state;
	add(b, a);
	assert_int_equal(bridge_var_set(b, "X", "1", false), 0);
	n = evlog.n;
	bridge_close();
	assert_int_equal(evlog.n, n);
	assert_null(bridge_find("b1"));
	assert_null(bridge_of_channel(a));
	assert_int_equal(eng.destroys, 1);
	assert_int_equal(bridge_init(), 0);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(type_list_empty_is_mixing_and_words_combine),
		T(type_list_refuses_unknown_words_both_kinds_and_neither),
		T(create_publishes_BridgeCreated_and_registers_the_bridge),
		T(destroy_removes_members_then_publishes_BridgeDestroyed),
		T(two_members_get_each_others_name_as_BRIDGEPEER_after_entering),
		T(sip_like_members_get_the_peers_call_id_as_BRIDGEPVTCALLID),
		T(third_member_makes_softmix_and_lists_the_others),
		T(holding_bridge_sets_no_BRIDGEPEER),
		T(add_refuses_busy_present_and_hung_up_channels),
		T(engine_refusing_a_join_leaves_no_member_and_no_event),
		T(member_options_are_kept_with_a_copy_of_the_role),
		T(hangup_sends_ChannelLeftBridge_before_StasisEnd),
		T(continue_takes_the_channel_out_of_its_bridge),
		T(move_keeps_the_channel_in_its_bridge),
		T(app_of_a_member_sees_the_other_members_enter_and_leave),
		T(destroyed_bridge_reaches_subscribers_not_apps_of_former_members),
		T(bridges_of_an_app_go_when_the_app_is_destroyed),
		T(app_with_a_channel_in_it_keeps_its_bridges),
		T(digit_of_a_member_is_sent_to_every_other_member),
		T(absorbDTMF_keeps_a_members_digits_in),
		T(dtmf_events_bridge_still_passes_digits),
		T(holding_bridge_passes_only_an_announcers_digits),
		T(blind_transfer_that_cannot_call_reports_Fail_and_keeps_the_bridge),
		T(helper_counts_for_technology_and_BRIDGEPEER),
		T(moh_goes_through_the_engine_and_remembers_its_class),
		T(video_source_is_a_member_and_changes_are_announced),
		T(bridge_variables_are_set_read_and_unset),
		T(close_frees_bridges_with_members_without_events),
	};

	return cmocka_run_group_tests(tests, group_setup,
				      stasis_group_teardown);
}
