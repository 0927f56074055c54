/* test_metrics.c — the registry behind GET /metrics (src/base/metrics.c):
 * counters add up per label set, gauges are what the collectors said at
 * this scrape (a label set nobody sets again is gone), histograms count
 * cumulatively, label values are escaped, and the text is Prometheus'
 * format (HELP and TYPE once per family, integral values without
 * fractions). */
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

static int gauge_calls;
static bool gauge_has_b;

static void collect(void)
{
	gauge_calls++;
	metrics_gauge("t_gauge", "A gauge", "k=\"a\"", 3);
	if (gauge_has_b)
		metrics_gauge("t_gauge", "A gauge", "k=\"b\"", 0.25);
}

/* The rendered text (a mem string). */
static char *render(void)
{
	struct mbuf *mb = mbuf_alloc(1024);
	char *s = NULL;

	assert_non_null(mb);
	assert_int_equal(metrics_render(mb), 0);
	mb->pos = 0;
	assert_int_equal(mbuf_strdup(mb, &s, mb->end), 0);
	mem_deref(mb);
	return s;
}

static void counters_add_up_per_label_set(void **state)
{
	char *s;

	(void)state;
	metrics_count("t_requests_total", "Requests", "m=\"GET\"", 1);
	metrics_count("t_requests_total", "Requests", "m=\"GET\"", 2);
	metrics_count("t_requests_total", "Requests", "m=\"POST\"", 1);
	metrics_count("t_plain_total", "No labels", NULL, 0.5);
	s = render();
	assert_non_null(strstr(s, "# HELP t_requests_total Requests\n"
			       "# TYPE t_requests_total counter\n"
			       "t_requests_total{m=\"GET\"} 3\n"
			       "t_requests_total{m=\"POST\"} 1\n"));
	assert_non_null(strstr(s, "t_plain_total 0.5\n"));
	/* Once per family. */
	{
		const char *first = strstr(s, "# TYPE t_requests_total");

		assert_non_null(first);
		assert_null(strstr(first + 1, "# TYPE t_requests_total"));
	}
	mem_deref(s);
}

static void gauges_are_what_collectors_say_now(void **state)
{
	char *s;

	(void)state;
	assert_int_equal(metrics_collector_add(collect), 0);
	gauge_has_b = true;
	s = render();
	assert_non_null(strstr(s, "# TYPE t_gauge gauge\n"
			       "t_gauge{k=\"a\"} 3\nt_gauge{k=\"b\"} 0.25\n"));
	mem_deref(s);
	gauge_has_b = false;
	s = render();
	assert_non_null(strstr(s, "t_gauge{k=\"a\"} 3\n"));
	assert_null(strstr(s, "k=\"b\""));
	assert_int_equal(gauge_calls, 2);
	mem_deref(s);
}

static void histograms_count_cumulatively(void **state)
{
	char *s;

	(void)state;
	metrics_observe("t_lag_seconds", "Lag", 0.0005);
	metrics_observe("t_lag_seconds", "Lag", 0.015);
	metrics_observe("t_lag_seconds", "Lag", 3);
	s = render();
	assert_non_null(strstr(s, "# TYPE t_lag_seconds histogram\n"));
	assert_non_null(strstr(s, "t_lag_seconds_bucket{le=\"0.001\"} 1\n"));
	assert_non_null(strstr(s, "t_lag_seconds_bucket{le=\"0.01\"} 1\n"));
	assert_non_null(strstr(s, "t_lag_seconds_bucket{le=\"0.02\"} 2\n"));
	assert_non_null(strstr(s, "t_lag_seconds_bucket{le=\"1\"} 2\n"));
	assert_non_null(strstr(s, "t_lag_seconds_bucket{le=\"+Inf\"} 3\n"));
	assert_non_null(strstr(s, "t_lag_seconds_sum 3.0155\n"));
	assert_non_null(strstr(s, "t_lag_seconds_count 3\n"));
	mem_deref(s);
}

static void label_values_are_escaped(void **state)
{
	char buf[32];

	(void)state;
	assert_string_equal(metrics_esc(buf, sizeof(buf), "a\"b\\c\nd"),
			    "a\\\"b\\\\c\\nd");
	/* Cut short rather than overflow. */
	assert_true(strlen(metrics_esc(buf, 8, "abcdefghijkl")) < 8);
	assert_string_equal(metrics_esc(buf, sizeof(buf), NULL), "");
}

static void a_name_keeps_its_first_kind(void **state)
{
	char *s;

	(void)state;
	metrics_count("t_kind", "Kind", NULL, 1);
	metrics_gauge("t_kind", "Kind", NULL, 7);   /* refused: a counter */
	s = render();
	assert_non_null(strstr(s, "# TYPE t_kind counter\nt_kind 1\n"));
	mem_deref(s);
	metrics_close();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(counters_add_up_per_label_set),
		cmocka_unit_test(gauges_are_what_collectors_say_now),
		cmocka_unit_test(histograms_count_cumulatively),
		cmocka_unit_test(label_values_are_escaped),
		cmocka_unit_test(a_name_keeps_its_first_kind),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
