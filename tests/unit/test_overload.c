/* test_overload.c — the decision behind shedding new calls
 * (src/core/overload.c): which limit of [options] a sample of the server
 * reaches, in which order, that 0 switches a limit off, how the loop's lag
 * is smoothed (one late tick after a stall moves it little, a loop late on
 * every tick gets there), and what a refusal counts. The refusals
 * themselves (SIP 503, ARI 503, the rate-limited WARNING) are tested end to
 * end in tests/integration/overload.test.js; the lag cannot be forced there
 * deterministically, so its part of the decision is tested here. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>
#include <re_types.h>
#include <re_fmt.h>
#include <re_mem.h>
#include <re_mbuf.h>
#include "base/metrics.h"
#include "base/options.h"
#include "core/overload.h"

static const struct overload_limits off = {0};

static void nothing_is_refused_when_every_limit_is_off(void **state)
{
	struct overload_sample s = {.channels = 100000, .load = 500,
				    .lag_ms = 10000, .setup = 100000};

	(void)state;
	assert_int_equal(overload_decide(&off, &s), OVERLOAD_NONE);
}

static void maxcalls_refuses_from_the_limit_on(void **state)
{
	struct overload_limits lim = {.maxcalls = 2};
	struct overload_sample s = {.channels = 1};

	(void)state;
	assert_int_equal(overload_decide(&lim, &s), OVERLOAD_NONE);
	s.channels = 2;   /* two calls up: the third is refused */
	assert_int_equal(overload_decide(&lim, &s), OVERLOAD_MAXCALLS);
	s.channels = 3;
	assert_int_equal(overload_decide(&lim, &s), OVERLOAD_MAXCALLS);
}

/* A Local originate makes both halves at once: at 2 of 3 they do not fit. */
static void maxcalls_counts_every_channel_the_new_call_makes(void **state)
{
	struct overload_limits lim = {.maxcalls = 3};
	struct overload_sample s = {.channels = 1, .adding = 2};

	(void)state;
	assert_int_equal(overload_decide(&lim, &s), OVERLOAD_NONE);
	s.channels = 2;
	assert_int_equal(overload_decide(&lim, &s), OVERLOAD_MAXCALLS);
	s.adding = 1;     /* one channel still fits in the place left */
	assert_int_equal(overload_decide(&lim, &s), OVERLOAD_NONE);
	s.adding = 0;     /* as one */
	assert_int_equal(overload_decide(&lim, &s), OVERLOAD_NONE);
	s.channels = 3;
	assert_int_equal(overload_decide(&lim, &s), OVERLOAD_MAXCALLS);
}

static void maxload_refuses_at_the_load_and_never_when_unknown(void **state)
{
	struct overload_limits lim = {.maxload = 1.5};
	struct overload_sample s = {.load = 1.49};

	(void)state;
	assert_int_equal(overload_decide(&lim, &s), OVERLOAD_NONE);
	s.load = 1.5;     /* Asterisk's increase_call_count: >= */
	assert_int_equal(overload_decide(&lim, &s), OVERLOAD_MAXLOAD);
	s.load = -1;      /* getloadavg() failed */
	assert_int_equal(overload_decide(&lim, &s), OVERLOAD_NONE);
}

static void maxlag_refuses_when_the_loop_is_that_late(void **state)
{
	struct overload_limits lim = {.maxlag_ms = 100};
	struct overload_sample s = {.lag_ms = 99.9};

	(void)state;
	assert_int_equal(overload_decide(&lim, &s), OVERLOAD_NONE);
	s.lag_ms = 100;
	assert_int_equal(overload_decide(&lim, &s), OVERLOAD_LAG);
}

static void maxbacklog_refuses_when_the_receive_queue_is_that_full(void **state)
{
	struct overload_limits lim = {.maxbacklog_pct = 50};
	struct overload_sample s = {.backlog_pct = 49};

	(void)state;
	assert_int_equal(overload_decide(&lim, &s), OVERLOAD_NONE);
	s.backlog_pct = 50;
	assert_int_equal(overload_decide(&lim, &s), OVERLOAD_BACKLOG);
	lim.maxbacklog_pct = 0;              /* off */
	s.backlog_pct = 100;
	assert_int_equal(overload_decide(&lim, &s), OVERLOAD_NONE);
}

static void maxsetup_refuses_when_that_many_calls_wait(void **state)
{
	struct overload_limits lim = {.maxsetup = 3};
	struct overload_sample s = {.setup = 2};

	(void)state;
	assert_int_equal(overload_decide(&lim, &s), OVERLOAD_NONE);
	s.setup = 3;
	assert_int_equal(overload_decide(&lim, &s), OVERLOAD_SETUP);
}

static void the_first_limit_reached_is_the_reason(void **state)
{
	struct overload_limits lim = {.maxcalls = 1, .maxload = 1,
				      .maxlag_ms = 1, .maxbacklog_pct = 1,
				      .maxsetup = 1};
	struct overload_sample s = {.channels = 1, .load = 2, .lag_ms = 2,
				    .backlog_pct = 1, .setup = 1};

	(void)state;
	assert_int_equal(overload_decide(&lim, &s), OVERLOAD_MAXCALLS);
	s.channels = 0;
	assert_int_equal(overload_decide(&lim, &s), OVERLOAD_MAXLOAD);
	s.load = 0;
	assert_int_equal(overload_decide(&lim, &s), OVERLOAD_LAG);
	s.lag_ms = 0;
	assert_int_equal(overload_decide(&lim, &s), OVERLOAD_BACKLOG);
	s.backlog_pct = 0;
	assert_int_equal(overload_decide(&lim, &s), OVERLOAD_SETUP);
	s.setup = 0;
	assert_int_equal(overload_decide(&lim, &s), OVERLOAD_NONE);
}

/* Samples of `late` ms every `dt` ms for `ms` ms, from avg. */
static double feed(double avg, double late, double dt, double ms)
{
	for (double t = 0; t < ms; t += dt)
		avg = overload_lag_smooth(avg, late, dt);
	return avg;
}

static void one_late_tick_after_a_stall_moves_the_lag_little(void **state)
{
	double avg;

	(void)state;
	/* a healthy loop: half a millisecond late on each tick */
	avg = feed(0, 0.5, 20, 5000);
	assert_true(avg > 0.45 && avg <= 0.5);
	/* one stall of 150 ms (a slow disk, a descheduled process): the
	 * next tick is 150 ms late, then all is well again */
	avg = overload_lag_smooth(avg, 150, 170);
	assert_true(avg < 100);
	avg = feed(avg, 0.5, 20, 1000);
	assert_true(avg < 10);
	/* no time passed: the sample does not count */
	assert_true(overload_lag_smooth(7, 500, 0) == 7);
}

static void a_loop_late_on_every_tick_reaches_its_lateness_in_a_second(void **state)
{
	double avg;

	(void)state;
	/* 150 ms late on every tick, which then comes every 150 ms */
	avg = feed(0, 150, 150, 1500);
	assert_true(avg >= 100);
	/* and goes back under once the loop keeps up again */
	avg = feed(avg, 1, 20, 3000);
	assert_true(avg < 100);
	/* a loop stuck for two seconds at once */
	assert_true(overload_lag_smooth(0, 2000, 2000) >= 100);
}

static void check_reads_the_limits_of_options(void **state)
{
	(void)state;
	memset(&options, 0, sizeof(options));
	/* no channel exists in this process */
	assert_int_equal(overload_check(500, 0, 50), OVERLOAD_NONE);
	options.maxlag = 100;
	assert_int_equal(overload_check(99, 0, 50), OVERLOAD_NONE);
	assert_int_equal(overload_check(100, 0, 50), OVERLOAD_LAG);
	options.maxbacklog = 50;
	assert_int_equal(overload_check(0, 49, 0), OVERLOAD_NONE);
	assert_int_equal(overload_check(0, 50, 0), OVERLOAD_BACKLOG);
	options.maxsetup = 50;
	assert_int_equal(overload_check(0, 0, 50), OVERLOAD_SETUP);
	/* an ARI request passes no lag and no setup */
	assert_int_equal(overload_check(0, 0, 0), OVERLOAD_NONE);
	options.maxcalls = 1;
	assert_int_equal(overload_check(0, 0, 0), OVERLOAD_NONE);
	/* a pair does not fit where one channel does */
	assert_int_equal(overload_check_for(1, 0, 0, 0), OVERLOAD_NONE);
	assert_int_equal(overload_check_for(2, 0, 0, 0), OVERLOAD_MAXCALLS);
	memset(&options, 0, sizeof(options));
}

static void a_refusal_is_counted_by_reason(void **state)
{
	struct mbuf *mb = mbuf_alloc(1024);
	char *s = NULL;

	(void)state;
	assert_non_null(mb);
	memset(&options, 0, sizeof(options));
	options.maxcalls = 2;
	overload_refused(OVERLOAD_MAXCALLS, "sip:alice@127.0.0.1");
	overload_refused(OVERLOAD_MAXCALLS, "sip:alice@127.0.0.1");
	overload_refused(OVERLOAD_LAG, "sip:bob@127.0.0.1");
	overload_refused(OVERLOAD_SETUP, "sip:bob@127.0.0.1");
	overload_refused(OVERLOAD_NONE, "nobody");
	assert_int_equal(metrics_render(mb), 0);
	mb->pos = 0;
	assert_int_equal(mbuf_strdup(mb, &s, mb->end), 0);
	assert_non_null(strstr(s, "# TYPE ariadne_calls_refused_total "
			       "counter\n"));
	assert_non_null(strstr(s, "ariadne_calls_refused_total"
			       "{reason=\"maxcalls\"} 2\n"));
	/* ariadne's own detection, lag and calls in setup, as one reason */
	assert_non_null(strstr(s, "ariadne_calls_refused_total"
			       "{reason=\"overload\"} 2\n"));
	assert_null(strstr(s, "reason=\"maxload\""));
	mem_deref(s);
	mem_deref(mb);
	metrics_close();
	memset(&options, 0, sizeof(options));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(nothing_is_refused_when_every_limit_is_off),
		cmocka_unit_test(maxcalls_refuses_from_the_limit_on),
		cmocka_unit_test(maxcalls_counts_every_channel_the_new_call_makes),
		cmocka_unit_test(maxload_refuses_at_the_load_and_never_when_unknown),
		cmocka_unit_test(maxlag_refuses_when_the_loop_is_that_late),
		cmocka_unit_test(maxbacklog_refuses_when_the_receive_queue_is_that_full),
		cmocka_unit_test(maxsetup_refuses_when_that_many_calls_wait),
		cmocka_unit_test(the_first_limit_reached_is_the_reason),
		cmocka_unit_test(one_late_tick_after_a_stall_moves_the_lag_little),
		cmocka_unit_test(a_loop_late_on_every_tick_reaches_its_lateness_in_a_second),
		cmocka_unit_test(check_reads_the_limits_of_options),
		cmocka_unit_test(a_refusal_is_counted_by_reason),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
