/* test_backoff.c — the per-address back-off of failed authentication
 * (src/base/backoff.c): answers at once up to the limit, then delays that
 * double up to the cap, one failure forgotten per window/limit of quiet,
 * a success forgets the address, other addresses are never touched, and
 * the table keeps at most max_entries addresses (the least recently
 * failed goes). Also the security event line (src/base/security.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <re_types.h>
#include <re_mem.h>
#include <re_sa.h>
#include "base/backoff.h"
#include "base/security.h"

static struct backoff *make(unsigned limit, unsigned window_ms,
			    unsigned max_delay_ms, unsigned max_entries)
{
	struct backoff_conf c;
	struct backoff *b = NULL;

	backoff_conf_default(&c);
	c.limit = limit;
	c.window_ms = window_ms;
	c.max_delay_ms = max_delay_ms;
	c.max_entries = max_entries;
	assert_int_equal(backoff_alloc(&b, &c), 0);
	return b;
}

static struct sa addr(const char *ip, uint16_t port)
{
	struct sa s;

	assert_int_equal(sa_set_str(&s, ip, port), 0);
	return s;
}

static void delay_doubles_after_the_limit_up_to_the_cap(void **state)
{
	struct backoff *b = make(5, 60000, 4000, 100);
	struct sa a = addr("192.0.2.1", 5060);
	const unsigned want[] = {0, 0, 0, 0, 0, 250, 500, 1000, 2000, 4000,
				 4000, 4000};

	(void)state;
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		assert_int_equal(backoff_fail(b, &a, 1000 + i), want[i]);
	assert_int_equal(backoff_delay(b, &a, 1100), 4000);
	mem_deref(b);
}

static void the_port_does_not_matter_and_other_addresses_are_untouched(void **state)
{
	struct backoff *b = make(2, 60000, 4000, 100);
	struct sa a1 = addr("192.0.2.1", 5060), a2 = addr("192.0.2.1", 40000);
	struct sa other = addr("192.0.2.2", 5060), v6 = addr("2001:db8::1", 5060);

	(void)state;
	backoff_fail(b, &a1, 0);
	backoff_fail(b, &a2, 0);
	assert_int_equal(backoff_fail(b, &a1, 0), 250);
	assert_int_equal(backoff_delay(b, &other, 0), 0);
	assert_int_equal(backoff_delay(b, &v6, 0), 0);
	assert_int_equal(backoff_fail(b, &other, 0), 0);
	assert_int_equal(backoff_count(b), 2);
	mem_deref(b);
}

static void quiet_time_decays_the_delay_and_forgets_the_address(void **state)
{
	/* limit 5 in 60 s: one failure forgotten every 12 s */
	struct backoff *b = make(5, 60000, 4000, 100);
	struct sa a = addr("198.51.100.7", 5060);
	uint64_t t = 0;

	(void)state;
	for (int i = 0; i < 10; i++)
		backoff_fail(b, &a, t);
	assert_int_equal(backoff_delay(b, &a, t), 4000);
	assert_int_equal(backoff_delay(b, &a, t + 11999), 4000);
	assert_int_equal(backoff_delay(b, &a, t + 12000), 2000);
	assert_int_equal(backoff_delay(b, &a, t + 24000), 1000);
	assert_int_equal(backoff_delay(b, &a, t + 48000), 250);
	assert_int_equal(backoff_delay(b, &a, t + 60000), 0);
	/* failures beyond the cap do not lengthen the decay */
	for (int i = 0; i < 50; i++)
		backoff_fail(b, &a, t + 100000);
	assert_int_equal(backoff_delay(b, &a, t + 100000 + 12000), 2000);
	/* all leaked: the address is gone */
	assert_int_equal(backoff_delay(b, &a, t + 1000000), 0);
	assert_int_equal(backoff_count(b), 0);
	mem_deref(b);
}

static void success_forgets_the_address(void **state)
{
	struct backoff *b = make(1, 60000, 4000, 100);
	struct sa a = addr("203.0.113.5", 5060);

	(void)state;
	backoff_fail(b, &a, 0);
	assert_int_equal(backoff_fail(b, &a, 0), 250);
	backoff_success(b, &a);
	assert_int_equal(backoff_count(b), 0);
	assert_int_equal(backoff_delay(b, &a, 0), 0);
	assert_int_equal(backoff_fail(b, &a, 0), 0);
	mem_deref(b);
}

static void an_address_is_busy_while_its_delayed_refusal_is_held(void **state)
{
	struct backoff *b = make(1, 60000, 4000, 100);
	struct sa a = addr("203.0.113.5", 5060);
	struct sa other = addr("203.0.113.6", 5060);

	(void)state;
	/* within the limit: answered at once, never busy */
	assert_int_equal(backoff_fail(b, &a, 1000), 0);
	assert_false(backoff_busy(b, &a, 1000));
	/* a held refusal: busy until it leaves, then not */
	assert_int_equal(backoff_fail(b, &a, 1000), 250);
	assert_true(backoff_busy(b, &a, 1000));
	assert_true(backoff_busy(b, &a, 1249));
	assert_false(backoff_busy(b, &a, 1250));
	assert_false(backoff_busy(b, &other, 1100));
	/* a longer hold later extends it; success ends it */
	assert_int_equal(backoff_fail(b, &a, 1300), 500);
	assert_true(backoff_busy(b, &a, 1799));
	backoff_success(b, &a);
	assert_false(backoff_busy(b, &a, 1400));
	assert_false(backoff_busy(NULL, &a, 0));
	mem_deref(b);
}

static void the_table_is_bounded_least_recently_failed_first(void **state)
{
	struct backoff *b = make(1, 60000, 4000, 3);
	struct sa a[5];
	char ip[32];

	(void)state;
	for (int i = 0; i < 5; i++) {
		snprintf(ip, sizeof(ip), "10.0.0.%d", i + 1);
		a[i] = addr(ip, 5060);
	}
	backoff_fail(b, &a[0], 0);
	backoff_fail(b, &a[0], 0);  /* a0: level 2, delayed */
	backoff_fail(b, &a[1], 1);
	backoff_fail(b, &a[2], 2);
	backoff_fail(b, &a[0], 3);  /* a0 failed last: a1 is the oldest */
	backoff_fail(b, &a[3], 4);
	assert_int_equal(backoff_count(b), 3);
	assert_int_not_equal(backoff_delay(b, &a[0], 5), 0);
	assert_int_equal(backoff_fail(b, &a[1], 5), 0); /* forgotten */
	for (int i = 0; i < 20000; i++) {
		struct sa s;

		sa_init(&s, AF_INET);
		sa_set_in(&s, 0x0a010000u + (uint32_t)i, 5060);
		backoff_fail(b, &s, 10);
	}
	assert_int_equal(backoff_count(b), 3);
	mem_deref(b);
}

static void limit_zero_turns_it_off(void **state)
{
	struct backoff *b = make(0, 60000, 4000, 100);
	struct sa a = addr("192.0.2.9", 5060);

	(void)state;
	for (int i = 0; i < 20; i++)
		assert_int_equal(backoff_fail(b, &a, 0), 0);
	assert_int_equal(backoff_count(b), 0);
	mem_deref(b);
}

static void security_line_has_asterisks_fields_and_no_forged_ones(void **state)
{
	struct sa l = addr("127.0.0.1", 5060), r = addr("192.0.2.1", 5070);
	struct security_event ev = {
		.type = SECURITY_CHAL_RESP_FAILED, .service = "PJSIP",
		.account_id = "x\",RemoteAddress=\"IPV4/UDP/6.6.6.6/1",
		.session_id = "abc\r\nSECURITY", .local = &l, .remote = &r,
		.transport = "UDP", .challenge = "n1", .response = "r1",
	};
	char buf[1024];
	const char *s;

	(void)state;
	s = security_event_format(&ev, buf, sizeof(buf));
	assert_non_null(strstr(s, "SecurityEvent=\"ChallengeResponseFailed\","
			       "EventTV=\""));
	assert_non_null(strstr(s, "\",Severity=\"Error\",Service=\"PJSIP\","
			       "EventVersion=\"1\",AccountID=\"x?,"
			       "RemoteAddress=?IPV4/UDP/6.6.6.6/1\","
			       "SessionID=\"abc??SECURITY\","
			       "LocalAddress=\"IPV4/UDP/127.0.0.1/5060\","
			       "RemoteAddress=\"IPV4/UDP/192.0.2.1/5070\","
			       "Challenge=\"n1\",Response=\"r1\","
			       "ExpectedResponse=\"\""));
	ev.type = SECURITY_INVAL_PASSWORD;
	ev.service = "ARI";
	ev.transport = "TCP";
	ev.account_id = "asterisk";
	ev.challenge = ev.response = NULL;
	s = security_event_format(&ev, buf, sizeof(buf));
	assert_non_null(strstr(s, "EventVersion=\"2\",AccountID=\"asterisk\""));
	assert_non_null(strstr(s, "RemoteAddress=\"IPV4/TCP/192.0.2.1/5070\""));
	assert_null(strstr(s, "Challenge"));
	/* a small buffer is cut, never overrun */
	s = security_event_format(&ev, buf, 40);
	assert_true(strlen(s) < 40);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(delay_doubles_after_the_limit_up_to_the_cap),
		cmocka_unit_test(the_port_does_not_matter_and_other_addresses_are_untouched),
		cmocka_unit_test(quiet_time_decays_the_delay_and_forgets_the_address),
		cmocka_unit_test(success_forgets_the_address),
		cmocka_unit_test(an_address_is_busy_while_its_delayed_refusal_is_held),
		cmocka_unit_test(the_table_is_bounded_least_recently_failed_first),
		cmocka_unit_test(limit_zero_turns_it_off),
		cmocka_unit_test(security_line_has_asterisks_fields_and_no_forged_ones),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
