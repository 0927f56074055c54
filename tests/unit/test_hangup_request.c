/* test_hangup_request.c — unit tests for how a hangup is announced
 * (src/core/channel.c, src/pbx/pbx.c), as Asterisk 22 announces it: a
 * hangup from the far side is a ChannelHangupRequest with its cause; ARI's
 * DELETE a soft one with cause 32 while the channel is destroyed with the
 * requested cause; the end of a dialplan a soft one with cause 16 and no
 * other; a dialplan run inside an application (an originated channel after
 * continue) none at all, its owner told once, no h extension.
 *
 * Not here: the event sequences an ARI app sees (integration tests,
 * event_sequences.test.js). */
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

/* The hangup requests of `ch` seen on the bus, as "cause[s]" joined by
 * spaces ("s" for soft). */
static const char *requests(const struct channel *ch)
{
	static char buf[128];

	buf[0] = '\0';
	for (int i = 0; i < evlog.n; i++) {
		const struct rec *r = &evlog.r[i];
		size_t len = strlen(buf);

		if (r->type != BUS_CHANNEL_HANGUP_REQUEST ||
		    strcmp(r->who, "bus") || strcmp(r->chan, channel_id(ch)))
			continue;
		snprintf(buf + len, sizeof(buf) - len, "%s%d%s",
			 len ? " " : "", r->cause, r->soft ? "s" : "");
	}
	return buf;
}

static int destroyed_cause(const struct channel *ch)
{
	for (int i = 0; i < evlog.n; i++)
		if (evlog.r[i].type == BUS_CHANNEL_DESTROYED &&
		    !strcmp(evlog.r[i].who, "bus") &&
		    !strcmp(evlog.r[i].chan, channel_id(ch)))
			return evlog.r[i].cause;
	return -1;
}

static bool destroyed_any(void)
{
	return rec_find(BUS_CHANNEL_DESTROYED, "bus") >= 0;
}

static void add_step(const char *ctx, const char *exten, int prio,
		     const char *app, const char *data)
{
	assert_int_equal(dialplan_add(ctx, exten, prio, NULL, app, data,
				      "test", NULL, 0),
			 0);
}

/* ---- channel.c ---- */

static void far_hangup_requests_with_its_cause(void **state)
{
	struct channel *ch = mem_ref(test_channel("far"));

	(void)state;
	channel_hangup(ch, CAUSE_USER_BUSY, "test");
	assert_string_equal(requests(ch), "17");
	assert_int_equal(destroyed_cause(ch), CAUSE_USER_BUSY);
	mem_deref(ch);
}

static void soft_hangup_announces_32_and_is_destroyed_with_the_cause(void **state)
{
	struct channel *ch = mem_ref(test_channel("soft"));

	(void)state;
	channel_hangup_soft(ch, CAUSE_USER_BUSY, "ARI");
	assert_string_equal(requests(ch), "32s");
	assert_int_equal(destroyed_cause(ch), CAUSE_USER_BUSY);
	assert_int_equal(tech_calls.last_hangup_cause, CAUSE_USER_BUSY);
	mem_deref(ch);
}

static void quiet_hangup_announces_no_request(void **state)
{
	struct channel *ch = mem_ref(test_channel("quiet"));

	(void)state;
	channel_hangup_quiet(ch, CAUSE_NORMAL_CLEARING, "dialplan");
	assert_string_equal(requests(ch), "");
	assert_int_equal(destroyed_cause(ch), CAUSE_NORMAL_CLEARING);
	mem_deref(ch);
}

static void set_app_changes_the_application_without_ChannelDialplan(void **state)
{
	struct channel *ch = test_channel("app");

	(void)state;
	channel_set_app(ch, "Stasis", "A,x");
	assert_string_equal(channel_appl(ch), "Stasis");
	assert_string_equal(channel_data(ch), "A,x");
	assert_int_equal(rec_count(BUS_CHANNEL_DIALPLAN, "bus"), 0);
	assert_int_equal(rec_count(BUS_CEL_APP, "bus"), 1);
	assert_true(evlog.r[rec_find(BUS_CEL_APP, "bus")].cel_start);
}

/* ---- pbx.c ---- */

static void dialplan_end_announces_only_the_soft_16_then_runs_h(void **state)
{
	struct channel *ch = mem_ref(test_channel("end"));

	(void)state;
	assert_int_equal(dialplan_context_add("ends", "test"), 0);
	add_step("ends", "s", 1, "NoOp", "");
	add_step("ends", "h", 1, "Set", "H=ran");
	assert_int_equal(pbx_start(ch, "ends", "s", 1), 0);
	assert_true(run_until(destroyed_any, 2000));
	assert_string_equal(requests(ch), "16s");
	assert_string_equal(channel_var_get(ch, "H"), "ran");
	mem_deref(ch);
}

static void far_hangup_during_the_dialplan_requests_then_soft_16(void **state)
{
	struct channel *ch = mem_ref(test_channel("waiting"));

	(void)state;
	assert_int_equal(dialplan_context_add("waits", "test"), 0);
	add_step("waits", "s", 1, "Wait", "10");
	assert_int_equal(pbx_start(ch, "waits", "s", 1), 0);
	run_deferred();
	channel_hangup(ch, CAUSE_USER_BUSY, "test");
	assert_string_equal(requests(ch), "17 16s");
	assert_int_equal(destroyed_cause(ch), CAUSE_USER_BUSY);
	mem_deref(ch);
}

static struct {
	int calls;
	bool hungup_then;
} end_rec;

static void end_h(struct channel *ch)
{
	end_rec.calls++;
	end_rec.hungup_then = channel_is_hungup(ch);
	channel_var_set(ch, "ENDED", "yes");
}

static void dialplan_inside_an_app_ends_quietly_without_h(void **state)
{
	struct channel *ch = mem_ref(test_channel("inside"));
	int iend, idestroyed;

	(void)state;
	memset(&end_rec, 0, sizeof(end_rec));
	assert_int_equal(dialplan_context_add("inner", "test"), 0);
	add_step("inner", "s", 1, "NoOp", "");
	add_step("inner", "h", 1, "Set", "H=ran");
	assert_int_equal(pbx_start_inside(ch, "inner", "s", 1, end_h), 0);
	assert_true(run_until(destroyed_any, 2000));
	assert_string_equal(requests(ch), "");
	assert_int_equal(end_rec.calls, 1);
	assert_false(end_rec.hungup_then);
	assert_null(channel_var_get(ch, "H"));
	/* The owner went on before the channel was destroyed. */
	iend = rec_find(BUS_CHANNEL_VARSET, "bus");
	idestroyed = rec_find(BUS_CHANNEL_DESTROYED, "bus");
	assert_true(iend >= 0 && iend < idestroyed);
	mem_deref(ch);
}

static void hangup_during_a_dialplan_inside_an_app_tells_the_owner_once(void **state)
{
	struct channel *ch = mem_ref(test_channel("inside-hungup"));

	(void)state;
	memset(&end_rec, 0, sizeof(end_rec));
	assert_int_equal(dialplan_context_add("inner2", "test"), 0);
	add_step("inner2", "s", 1, "Wait", "10");
	add_step("inner2", "h", 1, "Set", "H=ran");
	assert_int_equal(pbx_start_inside(ch, "inner2", "s", 1, end_h), 0);
	run_deferred();
	channel_hangup(ch, CAUSE_NORMAL_CLEARING, "test");
	assert_string_equal(requests(ch), "16");
	assert_int_equal(end_rec.calls, 1);
	assert_true(end_rec.hungup_then);
	assert_null(channel_var_get(ch, "H"));
	mem_deref(ch);
}

#define T(f) cmocka_unit_test_setup_teardown(f, stasis_setup, stasis_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(far_hangup_requests_with_its_cause),
		T(soft_hangup_announces_32_and_is_destroyed_with_the_cause),
		T(quiet_hangup_announces_no_request),
		T(set_app_changes_the_application_without_ChannelDialplan),
		T(dialplan_end_announces_only_the_soft_16_then_runs_h),
		T(far_hangup_during_the_dialplan_requests_then_soft_16),
		T(dialplan_inside_an_app_ends_quietly_without_h),
		T(hangup_during_a_dialplan_inside_an_app_tells_the_owner_once),
	};

	return cmocka_run_group_tests(tests, stasis_group_setup,
				      stasis_group_teardown);
}
