/* test_ari_time.c — ARI's date strings (ari_time_str, models.h): the
 * per-second cache gives exactly what localtime_r and strftime give, also
 * for seconds that share a cache slot and across a daylight-saving change. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <jansson.h>
#include "ari/models.h"

/* What the cache must reproduce, computed the slow way. */
static void reference(uint64_t us, char *buf, size_t size)
{
	time_t secs = (time_t)(us / 1000000u);
	char date[32], zone[8];
	struct tm tm;

	localtime_r(&secs, &tm);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
	strftime(zone, sizeof(zone), "%z", &tm);
	snprintf(buf, size, "%s.%03u%s", date, (unsigned)(us / 1000u % 1000u),
		 zone);
}

static void check_range(uint64_t first_s, unsigned count, unsigned step_s)
{
	char got[64], want[64];

	for (unsigned i = 0; i < count; i++) {
		/* the same second twice (a hit), with other milliseconds */
		for (unsigned ms = 0; ms < 1000; ms += 999) {
			uint64_t us = (first_s + (uint64_t)i * step_s) *
				      1000000u + ms * 1000u + 417u;

			reference(us, want, sizeof(want));
			assert_string_equal(ari_time_str(us, got, sizeof(got)),
					    want);
		}
	}
}

static void utc_times_match_strftime(void **state)
{
	(void)state;
	setenv("TZ", "UTC", 1);
	tzset();
	check_range(1764950400u, 50, 1);   /* consecutive seconds */
	check_range(1764950400u, 50, 16);  /* all in one cache slot */
	check_range(0, 3, 86400);
}

static void zone_offset_follows_daylight_saving(void **state)
{
	char got[40];

	(void)state;
	setenv("TZ", "CET-1CEST,M3.5.0,M10.5.0/3", 1);
	tzset();
	/* 2026-03-29 01:00:00 UTC: clocks go from 02:00 +0100 to 03:00 +0200 */
	check_range(1774745400u, 3600, 1);
	assert_string_equal(ari_time_str(1774745999000000u, got, sizeof(got)),
			    "2026-03-29T01:59:59.000+0100");
	assert_string_equal(ari_time_str(1774746000000000u, got, sizeof(got)),
			    "2026-03-29T03:00:00.000+0200");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(utc_times_match_strftime),
		cmocka_unit_test(zone_offset_follows_daylight_saving),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
