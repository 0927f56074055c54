/* test_stasis.c — unit tests for channels in Stasis applications
 * (src/core/stasis.c): entering an app (StasisStart with args), moving to
 * another (StasisEnd to the old app strictly before StasisStart to the new
 * one, or ApplicationMoveFailed and the channel stays), continuing to the
 * dialplan, hanging up inside an app, and an app that lost its socket living
 * on while a channel is in it. Moves and continues are queued: the tests
 * turn libre's loop to run them. The last tests go through the dialplan's
 * Stasis() of a stasis-<app> context. */
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
#include "core/bus.h"
#include "core/channel.h"
#include "core/stasis.h"
#include "pbx/dialplan.h"
#include "pbx/pbx.h"
#include "core_test.h"
#include "stasis_test.h"

static bool subscribed(const char *app, const struct channel *ch)
{
	return stasis_app_is_subscribed(stasis_app_find(app),
					STASIS_SRC_CHANNEL, channel_id(ch));
}

/* ---- entering ---- */

static void enter_sends_StasisStart_with_args_to_that_app_only(void **state)
{
	static const char *const args[] = {"x", "", "y z"};
	struct channel *ch = test_channel("in");
	int i;

	(void)state;
	app_up("A", "ws1");
	app_up("B", "ws2");
	assert_int_equal(stasis_enter(ch, "A", args, 3, done_h, NULL), 0);
	assert_int_equal(rec_count(BUS_STASIS_START, "ws1"), 1);
	i = rec_find(BUS_STASIS_START, "ws1");
	assert_string_equal(evlog.r[i].app, "A");
	assert_string_equal(evlog.r[i].chan, channel_id(ch));
	/* Args as given: enter does not drop empty ones. */
	assert_string_equal(evlog.r[i].args, "x||y z");
	assert_int_equal(rec_count_who("ws2"), 0);
	assert_string_equal(stasis_channel_app(ch), "A");
	assert_true(subscribed("A", ch));
	assert_false(subscribed("B", ch));
	assert_int_equal(done_rec.calls, 0);
}

static void channel_in_an_app_sends_its_events_to_that_app(void **state)
{
	struct channel *ch;

	(void)state;
	app_up("A", "ws1");
	app_up("B", "ws2");
	ch = chan_in("A", "events");
	channel_var_set(ch, "V", "1");
	channel_set_state(ch, CHANNEL_UP);
	assert_int_equal(rec_count(BUS_CHANNEL_VARSET, "ws1"), 1);
	assert_int_equal(rec_count(BUS_CHANNEL_STATE, "ws1"), 1);
	assert_int_equal(rec_count_who("ws2"), 0);
}

static void enter_refuses_unknown_inactive_and_busy(void **state)
{
	struct channel *ch = test_channel("refused");
	struct channel *keeper;

	(void)state;
	assert_int_equal(stasis_enter(ch, "nosuch", NULL, 0, NULL, NULL),
			 ENOENT);
	/* An app without socket, kept alive by a channel in it. */
	app_up("gone", "ws1");
	keeper = chan_in("gone", "keeper");
	stasis_app_unregister("gone", "ws1");
	assert_int_equal(stasis_enter(ch, "gone", NULL, 0, NULL, NULL), EAGAIN);
	app_up("A", "ws2");
	assert_int_equal(stasis_enter(ch, "A", NULL, 0, NULL, NULL), 0);
	assert_int_equal(stasis_enter(ch, "A", NULL, 0, NULL, NULL), EBUSY);
	assert_int_equal(stasis_enter(keeper, "A", NULL, 0, NULL, NULL), EBUSY);
	assert_int_equal(rec_count(BUS_STASIS_START, "ws2"), 1);
	assert_string_equal(stasis_channel_app(ch), "A");
	assert_null(stasis_channel_app(test_channel("outside")));
}

/* ---- moving ---- */

static void move_sends_StasisEnd_to_old_app_strictly_before_StasisStart_to_new(void **state)
{
	struct channel *ch;
	int end, start;

	(void)state;
	app_up("A", "ws1");
	app_up("B", "ws2");
	ch = chan_in("A", "mover");
	rec_reset();
	assert_int_equal(stasis_move(ch, "B", "one,two"), 0);
	/* Queued: nothing happens before the call stack unwinds. */
	assert_int_equal(evlog.n, 0);
	assert_string_equal(stasis_channel_app(ch), "A");
	run_deferred();

	end = rec_find(BUS_STASIS_END, "ws1");
	start = rec_find(BUS_STASIS_START, "ws2");
	assert_true(end >= 0);
	assert_true(start > end);
	assert_int_equal(rec_count(BUS_STASIS_END, "ws1"), 1);
	assert_int_equal(rec_count(BUS_STASIS_END, "ws2"), 0);
	assert_int_equal(rec_count(BUS_STASIS_START, "ws2"), 1);
	assert_int_equal(rec_count(BUS_STASIS_START, "ws1"), 0);
	assert_string_equal(evlog.r[end].app, "A");
	assert_string_equal(evlog.r[start].app, "B");
	assert_string_equal(evlog.r[start].args, "one|two");
	assert_string_equal(stasis_channel_app(ch), "B");
	assert_false(subscribed("A", ch));
	assert_true(subscribed("B", ch));
	/* The channel's events now go to the new app only. */
	channel_var_set(ch, "AFTER", "1");
	assert_int_equal(rec_count(BUS_CHANNEL_VARSET, "ws2"), 1);
	assert_int_equal(rec_count(BUS_CHANNEL_VARSET, "ws1"), 0);
	/* Moving is not leaving. */
	assert_int_equal(done_rec.calls, 0);
}

/* Being in an app is one counted subscription; an app that also watched
 * the channel (originate or create with app=) keeps seeing it after the
 * channel moves on, as in Asterisk. */
static void move_keeps_a_watching_apps_own_subscription(void **state)
{
	struct channel *ch;

	(void)state;
	app_up("A", "ws1");
	app_up("B", "ws2");
	ch = chan_in("A", "watched");
	assert_int_equal(stasis_app_watch_channel("A", ch), 0);
	assert_int_equal(stasis_move(ch, "B", ""), 0);
	run_deferred();
	assert_string_equal(stasis_channel_app(ch), "B");
	assert_true(subscribed("A", ch));
	rec_reset();
	channel_var_set(ch, "AFTER", "1");
	assert_int_equal(rec_count(BUS_CHANNEL_VARSET, "ws1"), 1);
	assert_int_equal(rec_count(BUS_CHANNEL_VARSET, "ws2"), 1);
	/* Moving back and forth does not pile subscriptions up. */
	assert_int_equal(stasis_move(ch, "A", ""), 0);
	run_deferred();
	assert_int_equal(stasis_move(ch, "B", ""), 0);
	run_deferred();
	assert_int_equal(stasis_app_unsubscribe("A", STASIS_SRC_CHANNEL,
						channel_id(ch)), 0);
	assert_false(subscribed("A", ch));
}

static void move_splits_args_on_commas_and_drops_empty_items(void **state)
{
	struct channel *ch;
	int i;

	(void)state;
	app_up("A", "ws1");
	app_up("B", "ws2");
	ch = chan_in("A", "args");
	assert_int_equal(stasis_move(ch, "B", ",a,,b c,,,"), 0);
	run_deferred();
	i = rec_find(BUS_STASIS_START, "ws2");
	assert_true(i >= 0);
	assert_string_equal(evlog.r[i].args, "a|b c");

	assert_int_equal(stasis_move(ch, "A", ",,,"), 0);
	run_deferred();
	i = rec_find(BUS_STASIS_START, "ws1");
	assert_true(i > 0);
	assert_string_equal(evlog.r[rec_find_from(i + 1, BUS_STASIS_START,
						  "ws1")]
				    .args,
			    "");
}

static void move_writes_CEL_APP_END_of_old_then_APP_START_of_new(void **state)
{
	static const char *const args[] = {"a1"};
	struct channel *ch = test_channel("cel");
	int end, cend, cstart, start;

	(void)state;
	app_up("A", "ws1");
	app_up("B", "ws2");
	assert_int_equal(stasis_enter(ch, "A", args, 1, NULL, NULL), 0);
	rec_reset();
	assert_int_equal(stasis_move(ch, "B", "b1,b2"), 0);
	run_deferred();
	end = rec_find(BUS_STASIS_END, "bus");
	cend = rec_find(BUS_CEL_APP, "bus");
	cstart = rec_find_from(cend + 1, BUS_CEL_APP, "bus");
	start = rec_find(BUS_STASIS_START, "bus");
	assert_true(end >= 0 && cend > end && cstart > cend && start > cstart);
	assert_false(evlog.r[cend].cel_start);
	assert_string_equal(evlog.r[cend].data, "A,a1");
	assert_true(evlog.r[cstart].cel_start);
	assert_string_equal(evlog.r[cstart].data, "B,b1,b2");
	assert_int_equal(rec_count(BUS_CEL_APP, "bus"), 2);
}

static void move_to_unregistered_app_sends_ApplicationMoveFailed(void **state)
{
	struct channel *ch;
	int i;

	(void)state;
	app_up("A", "ws1");
	ch = chan_in("A", "nowhere");
	rec_reset();
	assert_int_equal(stasis_move(ch, "nosuch", "p,,q"), 0);
	run_deferred();
	assert_int_equal(rec_count(BUS_APP_MOVE_FAILED, "ws1"), 1);
	i = rec_find(BUS_APP_MOVE_FAILED, "ws1");
	assert_string_equal(evlog.r[i].app, "A");
	assert_string_equal(evlog.r[i].dest, "nosuch");
	assert_string_equal(evlog.r[i].args, "p|q");
	assert_string_equal(evlog.r[i].chan, channel_id(ch));
	/* Nothing else happened: no StasisEnd, no CEL record. */
	assert_int_equal(rec_count(BUS_STASIS_END, NULL), 0);
	assert_int_equal(rec_count(BUS_STASIS_START, NULL), 0);
	assert_int_equal(rec_count(BUS_CEL_APP, NULL), 0);
	assert_string_equal(stasis_channel_app(ch), "A");
	assert_true(subscribed("A", ch));
}

static void move_to_inactive_app_sends_ApplicationMoveFailed(void **state)
{
	struct channel *ch;

	(void)state;
	app_up("A", "ws1");
	app_up("B", "ws2");
	chan_in("B", "keeps-B");
	stasis_app_unregister("B", "ws2");
	assert_non_null(stasis_app_find("B"));
	ch = chan_in("A", "to-inactive");
	rec_reset();
	assert_int_equal(stasis_move(ch, "B", NULL), 0);
	run_deferred();
	assert_int_equal(rec_count(BUS_APP_MOVE_FAILED, "ws1"), 1);
	assert_string_equal(evlog.r[rec_find(BUS_APP_MOVE_FAILED, "ws1")].dest,
			    "B");
	assert_int_equal(rec_count(BUS_STASIS_END, NULL), 0);
	assert_string_equal(stasis_channel_app(ch), "A");
	assert_false(subscribed("B", ch));
}

static void move_or_continue_of_a_channel_not_in_an_app_is_EINVAL(void **state)
{
	struct channel *ch = test_channel("free");

	(void)state;
	app_up("A", "ws1");
	assert_int_equal(stasis_move(ch, "A", ""), EINVAL);
	assert_int_equal(stasis_continue(ch, "default", "s", 1), EINVAL);
	ch = chan_in("A", "inside");
	assert_int_equal(stasis_move(ch, NULL, ""), EINVAL);
	run_deferred();
	assert_int_equal(rec_count(BUS_STASIS_END, NULL), 0);
	assert_int_equal(rec_count(BUS_APP_MOVE_FAILED, NULL), 0);
}

static void move_queued_before_hangup_does_not_run(void **state)
{
	struct channel *ch;

	(void)state;
	app_up("A", "ws1");
	app_up("B", "ws2");
	ch = chan_in("A", "late");
	assert_int_equal(stasis_move(ch, "B", ""), 0);
	channel_hangup(ch, CAUSE_NORMAL_CLEARING, "test");
	run_deferred();
	assert_int_equal(rec_count(BUS_STASIS_END, "ws1"), 1);
	assert_int_equal(rec_count_who("ws2"), 0);
	assert_int_equal(rec_count(BUS_APP_MOVE_FAILED, NULL), 0);
}

static void move_leaves_an_app_without_socket_to_be_destroyed(void **state)
{
	struct channel *ch;

	(void)state;
	app_up("A", "ws1");
	app_up("B", "ws2");
	ch = chan_in("A", "last");
	stasis_app_unregister("A", "ws1");
	assert_non_null(stasis_app_find("A"));
	assert_int_equal(stasis_move(ch, "B", ""), 0);
	run_deferred();
	assert_null(stasis_app_find("A"));
	assert_false(dialplan_context_exists("stasis-A"));
	assert_string_equal(stasis_channel_app(ch), "B");
	assert_int_equal(rec_count(BUS_STASIS_START, "ws2"), 1);
}

/* ---- continuing ---- */

static void continue_sends_StasisEnd_sets_location_and_calls_done(void **state)
{
	struct channel *ch;
	int i;

	(void)state;
	app_up("A", "ws1");
	ch = chan_in("A", "cont");
	assert_int_equal(stasis_continue(ch, "after", "100", 3), 0);
	assert_int_equal(done_rec.calls, 0);
	run_deferred();
	assert_int_equal(rec_count(BUS_STASIS_END, "ws1"), 1);
	i = rec_find(BUS_STASIS_END, "ws1");
	assert_string_equal(evlog.r[i].app, "A");
	assert_int_equal(done_rec.calls, 1);
	assert_int_equal(done_rec.why, STASIS_LEFT_CONTINUE);
	/* done runs with the channel out of the app, at its new place. */
	assert_string_equal(done_rec.app_then, "");
	assert_string_equal(done_rec.context, "after");
	assert_string_equal(done_rec.exten, "100");
	assert_int_equal(done_rec.priority, 3);
	assert_null(stasis_channel_app(ch));
}

static void continued_channel_is_no_longer_the_apps(void **state)
{
	struct channel *ch;

	(void)state;
	app_up("A", "ws1");
	ch = chan_in("A", "gone-on");
	assert_int_equal(stasis_continue(ch, "default", "s", 1), 0);
	run_deferred();
	assert_false(subscribed("A", ch));
	rec_reset();
	channel_var_set(ch, "LATER", "1");
	channel_hangup(ch, CAUSE_NORMAL_CLEARING, "test");
	assert_int_equal(rec_count_who("ws1"), 0);
	/* It left: hanging up does not call done again. */
	assert_int_equal(done_rec.calls, 1);
	/* And it may enter again. */
	ch = test_channel("again");
	assert_int_equal(stasis_enter(ch, "A", NULL, 0, NULL, NULL), 0);
}

/* ---- hanging up inside an app ---- */

static void hangup_in_app_sends_StasisEnd_and_calls_done_with_HANGUP(void **state)
{
	struct channel *ch;
	char id[160];
	int req, end, des;

	(void)state;
	app_up("A", "ws1");
	ch = chan_in("A", "hangs");
	snprintf(id, sizeof(id), "%s", channel_id(ch));
	channel_hangup(ch, CAUSE_NORMAL_CLEARING, "test");
	req = rec_find(BUS_CHANNEL_HANGUP_REQUEST, "ws1");
	end = rec_find(BUS_STASIS_END, "ws1");
	des = rec_find(BUS_CHANNEL_DESTROYED, "ws1");
	/* The app still hears ChannelDestroyed after StasisEnd. */
	assert_true(req >= 0 && end > req && des > end);
	assert_int_equal(rec_count(BUS_STASIS_END, "ws1"), 1);
	assert_int_equal(done_rec.calls, 1);
	assert_int_equal(done_rec.why, STASIS_LEFT_HANGUP);
	/* Then the subscription goes with the channel. */
	assert_false(stasis_app_is_subscribed(stasis_app_find("A"),
					      STASIS_SRC_CHANNEL, id));
	assert_true(stasis_app_is_active(stasis_app_find("A")));
}

/* ---- an app without socket, with channels ---- */

static void app_whose_socket_went_away_lives_until_its_channel_hangs_up(void **state)
{
	struct channel *ch;

	(void)state;
	app_up("A", "ws1");
	ch = chan_in("A", "orphan");
	stasis_app_unregister("A", "ws1");
	assert_non_null(stasis_app_find("A"));
	assert_false(stasis_app_is_active(stasis_app_find("A")));
	assert_true(dialplan_context_exists("stasis-A"));
	assert_string_equal(stasis_channel_app(ch), "A");
	/* Nobody listens: the app's events are dropped. */
	rec_reset();
	channel_var_set(ch, "X", "1");
	assert_int_equal(rec_count_who("ws1"), 0);

	channel_hangup(ch, CAUSE_NORMAL_CLEARING, "test");
	assert_null(stasis_app_find("A"));
	assert_false(dialplan_context_exists("stasis-A"));
	assert_int_equal(done_rec.calls, 1);
	assert_int_equal(done_rec.why, STASIS_LEFT_HANGUP);
}

static void app_whose_socket_went_away_lives_until_its_channel_continues(void **state)
{
	struct channel *one, *two;

	(void)state;
	app_up("A", "ws1");
	one = chan_in("A", "one");
	two = chan_in("A", "two");
	stasis_app_unregister("A", "ws1");
	assert_int_equal(stasis_continue(one, "default", "s", 1), 0);
	run_deferred();
	/* One channel left in it: still there. */
	assert_non_null(stasis_app_find("A"));
	assert_int_equal(stasis_continue(two, "default", "s", 1), 0);
	run_deferred();
	assert_null(stasis_app_find("A"));
	assert_int_equal(done_rec.calls, 2);
}

static void reregistered_app_gets_events_of_channels_that_stayed(void **state)
{
	struct channel *ch;

	(void)state;
	app_up("A", "ws1");
	ch = chan_in("A", "stayed");
	stasis_app_unregister("A", "ws1");
	app_up("A", "ws2");
	assert_true(stasis_app_is_active(stasis_app_find("A")));
	/* Re-activating is not a replace: the old socket is gone. */
	assert_int_equal(rec_count(BUS_APP_REPLACED, NULL), 0);
	channel_var_set(ch, "X", "1");
	channel_hangup(ch, CAUSE_NORMAL_CLEARING, "test");
	assert_int_equal(rec_count(BUS_CHANNEL_VARSET, "ws2"), 1);
	assert_int_equal(rec_count(BUS_STASIS_END, "ws2"), 1);
	assert_int_equal(rec_count(BUS_CHANNEL_VARSET, "ws1"), 0);
}

/* ---- through the dialplan ---- */

static bool started(void)
{
	return rec_find(BUS_STASIS_START, "ws1") >= 0;
}

static bool hung_up(void)
{
	return rec_find(BUS_CHANNEL_DESTROYED, "bus") >= 0;
}

static void channel_dialled_into_stasis_context_enters_the_app(void **state)
{
	struct channel *ch = mem_ref(test_channel("dialled"));
	int i;

	(void)state;
	app_up("dp", "ws1");
	assert_int_equal(pbx_start(ch, "stasis-dp", "5551234", 1), 0);
	assert_true(run_until(started, 2000));
	i = rec_find(BUS_STASIS_START, "ws1");
	assert_string_equal(evlog.r[i].chan, channel_id(ch));
	assert_string_equal(evlog.r[i].args, "");
	assert_string_equal(stasis_channel_app(ch), "dp");
	assert_string_equal(channel_appl(ch), "Stasis");
	assert_string_equal(channel_exten(ch), "5551234");

	/* Continue to a context of the dialplan: it runs, then ends. */
	assert_int_equal(dialplan_context_add("after", "test"), 0);
	assert_int_equal(dialplan_add("after", "s", 1, NULL, "Set", "DONE=yes",
				      "test", NULL, 0),
			 0);
	assert_int_equal(stasis_continue(ch, "after", "s", 1), 0);
	assert_true(run_until(hung_up, 2000));
	assert_string_equal(channel_var_get(ch, "STASISSTATUS"), "SUCCESS");
	assert_string_equal(channel_var_get(ch, "DONE"), "yes");
	mem_deref(ch);
}

static void channel_hung_up_in_app_entered_by_dialplan_is_KILLED(void **state)
{
	struct channel *ch = mem_ref(test_channel("killed"));

	(void)state;
	app_up("dp", "ws1");
	assert_int_equal(pbx_start(ch, "stasis-dp", "1", 1), 0);
	assert_true(run_until(started, 2000));
	channel_hangup(ch, CAUSE_NORMAL_CLEARING, "test");
	assert_string_equal(channel_var_get(ch, "STASISSTATUS"), "KILLED");
	assert_int_equal(rec_count(BUS_STASIS_END, "ws1"), 1);
	mem_deref(ch);
}

/* Known bug: stasis_enter() accepts a channel that is already hung up
 * (Stasis() in an h extension runs on one). The Stasis hangup hook has
 * run by then, so no StasisEnd ever follows the StasisStart, the control
 * object leaks and the app counts the channel forever: it can no longer be
 * destroyed once its socket goes. Either refusing the enter or ending it
 * satisfies this test. */
static void hung_up_channel_entering_an_app_does_not_stay_in_it(void **state)
{
	struct channel *ch = mem_ref(test_channel("dead"));
	int err;

	(void)state;
	app_up("A", "ws1");
	channel_hangup(ch, CAUSE_NORMAL_CLEARING, "test");
	err = stasis_enter(ch, "A", NULL, 0, done_h, NULL);
	assert_int_equal(rec_count(BUS_STASIS_START, "ws1"),
			 rec_count(BUS_STASIS_END, "ws1"));
	assert_true(err != 0 || done_rec.calls == 1);
	assert_null(stasis_channel_app(ch));
	mem_deref(ch);
	stasis_app_unregister("A", "ws1");
	assert_null(stasis_app_find("A"));
}

static void stasis_in_the_h_extension_leaves_no_channel_in_the_app(void **state)
{
	struct channel *ch = mem_ref(test_channel("h-ext"));

	(void)state;
	app_up("A", "ws1");
	assert_int_equal(dialplan_context_add("hctx", "test"), 0);
	assert_int_equal(dialplan_add("hctx", "s", 1, NULL, "Wait", "10",
				      "test", NULL, 0),
			 0);
	assert_int_equal(dialplan_add("hctx", "h", 1, NULL, "Stasis", "A",
				      "test", NULL, 0),
			 0);
	assert_int_equal(pbx_start(ch, "hctx", "s", 1), 0);
	run_deferred();
	channel_hangup(ch, CAUSE_NORMAL_CLEARING, "test");
	assert_int_equal(rec_count(BUS_STASIS_START, "ws1"),
			 rec_count(BUS_STASIS_END, "ws1"));
	assert_null(stasis_channel_app(ch));
	mem_deref(ch);
	stasis_app_unregister("A", "ws1");
	assert_null(stasis_app_find("A"));
}

#define T(f) cmocka_unit_test_setup_teardown(f, stasis_setup, stasis_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(enter_sends_StasisStart_with_args_to_that_app_only),
		T(channel_in_an_app_sends_its_events_to_that_app),
		T(enter_refuses_unknown_inactive_and_busy),
		T(move_sends_StasisEnd_to_old_app_strictly_before_StasisStart_to_new),
		T(move_keeps_a_watching_apps_own_subscription),
		T(move_splits_args_on_commas_and_drops_empty_items),
		T(move_writes_CEL_APP_END_of_old_then_APP_START_of_new),
		T(move_to_unregistered_app_sends_ApplicationMoveFailed),
		T(move_to_inactive_app_sends_ApplicationMoveFailed),
		T(move_or_continue_of_a_channel_not_in_an_app_is_EINVAL),
		T(move_queued_before_hangup_does_not_run),
		T(move_leaves_an_app_without_socket_to_be_destroyed),
		T(continue_sends_StasisEnd_sets_location_and_calls_done),
		T(continued_channel_is_no_longer_the_apps),
		T(hangup_in_app_sends_StasisEnd_and_calls_done_with_HANGUP),
		T(app_whose_socket_went_away_lives_until_its_channel_hangs_up),
		T(app_whose_socket_went_away_lives_until_its_channel_continues),
		T(reregistered_app_gets_events_of_channels_that_stayed),
		T(channel_dialled_into_stasis_context_enters_the_app),
		T(channel_hung_up_in_app_entered_by_dialplan_is_KILLED),
		T(hung_up_channel_entering_an_app_does_not_stay_in_it),
		T(stasis_in_the_h_extension_leaves_no_channel_in_the_app),
	};

	return cmocka_run_group_tests(tests, stasis_group_setup,
				      stasis_group_teardown);
}
