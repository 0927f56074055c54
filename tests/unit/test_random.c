/* test_random.c — src/base/random.c serves libre's rand_* from a buffer
 * filled by OpenSSL. These tests pin that the interposition is real (libre's
 * own rand_str and its SIP parser draw from our buffer, so a libre that
 * stopped calling through its PLT would fail here), that values spanning a
 * refill and asks bigger than the buffer come out whole, that the output
 * looks random (every bit about half the time, no repeats), and that each
 * thread has its own buffer. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <inttypes.h>
#include <setjmp.h>
#include <cmocka.h>
#include <pthread.h>
#include <string.h>
#include <re_types.h>
#include <re_fmt.h>
#include <re_mem.h>
#include <re_mbuf.h>
#include <re_list.h>
#include <re_sa.h>
#include <re_msg.h>
#include <re_uri.h>
#include <re_sip.h>
#include <re_sys.h>
#include <re_main.h>
#include "base/random.h"

static void test_libre_draws_from_our_buffer(void **state)
{
	static const char inv[] =
		"INVITE sip:a@127.0.0.1 SIP/2.0\r\n"
		"Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-1\r\n"
		"From: <sip:b@127.0.0.1>;tag=1\r\nTo: <sip:a@127.0.0.1>\r\n"
		"Call-ID: 1\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n";
	struct mbuf *mb = mbuf_alloc(sizeof(inv));
	struct sip_msg *msg = NULL;
	char s[17];
	uint64_t before;

	(void)state;
	before = random_bytes_served();
	rand_str(s, sizeof(s));           /* libre's own, not ours */
	assert_int_equal(strlen(s), 16);
	assert_true(random_bytes_served() > before);

	assert_int_equal(mbuf_write_str(mb, inv), 0);
	mb->pos = 0;
	before = random_bytes_served();
	assert_int_equal(sip_msg_decode(&msg, mb), 0); /* draws a tag */
	assert_true(random_bytes_served() > before);
	mem_deref(msg);
	mem_deref(mb);

	before = random_bytes_served();
	(void)rand_char();
	assert_true(random_bytes_served() > before);
}

static void test_values_span_refills_and_big_asks(void **state)
{
	uint8_t big[4096], small[7];
	uint64_t before = random_bytes_served();
	size_t zeros = 0;

	(void)state;
	for (int i = 0; i < 1000; i++)    /* 7 000 bytes: many refills */
		rand_bytes(small, sizeof(small));
	assert_int_equal(random_bytes_served() - before, 7000);

	memset(big, 0, sizeof(big));
	rand_bytes(big, sizeof(big));     /* bigger than the buffer */
	for (size_t i = 0; i < sizeof(big); i++)
		zeros += !big[i];
	/* 4096 random bytes hold about 16 zeros; a short or skipped fill
	 * would leave hundreds */
	assert_in_range(zeros, 0, 64);
	rand_bytes(NULL, 8);              /* no crash */
	rand_bytes(small, 0);
}

static void test_bits_look_random(void **state)
{
	enum { N = 20000 };
	unsigned ones[64] = { 0 }, hi16 = 0;
	static uint64_t seen[N];

	(void)state;
	for (int i = 0; i < N; i++) {
		uint64_t v = rand_u64();

		seen[i] = v;
		for (int b = 0; b < 64; b++)
			ones[b] += (v >> b) & 1;
	}
	for (int b = 0; b < 64; b++)      /* 50 % +- 3 %: > 8 sigma */
		assert_in_range(ones[b], N * 47 / 100, N * 53 / 100);
	for (int i = 1; i < N; i++)
		assert_true(seen[i] != seen[i - 1]);

	for (int i = 0; i < N; i++)
		hi16 += rand_u16() >> 15;
	assert_in_range(hi16, N * 47 / 100, N * 53 / 100);
	assert_true(rand_u32() != rand_u32() || rand_u32() != rand_u32());
}

static void *draw_in_thread(void *arg)
{
	uint64_t *served = arg;

	(void)rand_u32();
	*served = random_bytes_served();
	return NULL;
}

static void test_each_thread_has_its_own_buffer(void **state)
{
	pthread_t t;
	uint64_t theirs = 0, mine = random_bytes_served();

	(void)state;
	assert_int_equal(pthread_create(&t, NULL, draw_in_thread, &theirs), 0);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(theirs, 4);      /* a fresh count: its own pool */
	assert_int_equal(random_bytes_served(), mine);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_libre_draws_from_our_buffer),
		cmocka_unit_test(test_values_span_refills_and_big_asks),
		cmocka_unit_test(test_bits_look_random),
		cmocka_unit_test(test_each_thread_has_its_own_buffer),
	};
	int ret;

	libre_init();
	ret = cmocka_run_group_tests(tests, NULL, NULL);
	libre_close();
	return ret;
}
