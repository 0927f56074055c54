/* test_lookup.c — host names looked up off the loop (src/net/lookup.c):
 * an answer is kept, a resolver that does not answer costs the caller at
 * most LOOKUP_WAIT_MS and not the time it takes, a failure is an error,
 * and a lookup given up on finishes on its own thread without harm.
 *
 * The resolver is this file's: an executable's getaddrinfo() takes the
 * place of libc's (as the fuzz targets do for libre's functions), so the
 * test controls how long a name takes and counts the lookups. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include "net/lookup.h"

static int calls;            /* lookups that reached the resolver */

int getaddrinfo(const char *node, const char *service,
		const struct addrinfo *hints, struct addrinfo **res)
{
	struct addrinfo *ai;
	struct sockaddr_in *sin;

	(void)service;
	(void)hints;
	__atomic_add_fetch(&calls, 1, __ATOMIC_SEQ_CST);
	if (!strcmp(node, "slow.example"))
		sleep(3);
	if (strcmp(node, "bot.example") && strcmp(node, "slow.example"))
		return EAI_NONAME;
	ai = calloc(1, sizeof(*ai) + sizeof(*sin));
	sin = (struct sockaddr_in *)(ai + 1);
	sin->sin_family = AF_INET;
	inet_pton(AF_INET, "192.0.2.7", &sin->sin_addr);
	ai->ai_family = AF_INET;
	ai->ai_addr = (struct sockaddr *)sin;
	ai->ai_addrlen = sizeof(*sin);
	*res = ai;
	return 0;
}

void freeaddrinfo(struct addrinfo *res)
{
	free(res);
}

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void an_answer_is_kept_and_given_again_without_a_lookup(void **state)
{
	struct sockaddr_storage ss;
	socklen_t len = 0;
	char text[32];

	(void)state;
	net_lookup_flush();
	calls = 0;
	assert_int_equal(net_lookup("bot.example", &ss, &len), 0);
	assert_int_equal(ss.ss_family, AF_INET);
	assert_int_equal(len, sizeof(struct sockaddr_in));
	inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, text,
		  sizeof(text));
	assert_string_equal(text, "192.0.2.7");
	assert_int_equal(net_lookup("bot.example", &ss, &len), 0);
	assert_int_equal(calls, 1);
}

static void an_unknown_name_is_an_error(void **state)
{
	struct sockaddr_storage ss;
	socklen_t len;

	(void)state;
	net_lookup_flush();
	assert_int_equal(net_lookup("nowhere.example", &ss, &len),
			 EADDRNOTAVAIL);
	assert_int_equal(net_lookup("", &ss, &len), EADDRNOTAVAIL);
}

static void a_resolver_that_does_not_answer_costs_at_most_the_wait(void **state)
{
	struct sockaddr_storage ss;
	socklen_t len;
	double t0 = now_s(), took;

	(void)state;
	net_lookup_flush();
	assert_int_equal(net_lookup("slow.example", &ss, &len), ETIMEDOUT);
	took = now_s() - t0;
	assert_true(took >= LOOKUP_WAIT_MS / 1000.0 - 0.05);
	assert_true(took < LOOKUP_WAIT_MS / 1000.0 + 1.0);
	/* The lookup given up on ends on its thread (3 s in all) and frees
	 * what it had; ASan's leak check sees to that at exit. */
	sleep(3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(an_answer_is_kept_and_given_again_without_a_lookup),
		cmocka_unit_test(an_unknown_name_is_an_error),
		cmocka_unit_test(a_resolver_that_does_not_answer_costs_at_most_the_wait),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
