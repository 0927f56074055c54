/* test_ws_frame.c — src/net/ws_frame.c's masking (RFC 6455 5.3) works a
 * word at a time; these tests hold it to the byte-by-byte definition for
 * every length up to 3 words and every alignment of the payload, and check
 * that masking twice gives the payload back. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>
#include "net/ws_frame.h"

static void test_mask_matches_the_definition(void **state)
{
	static const uint8_t key[4] = {0x37, 0xfa, 0x21, 0x3d};
	uint8_t buf[64], want[64];

	(void)state;
	for (size_t off = 0; off < 8; off++) {
		for (size_t len = 0; len + off <= 40; len++) {
			for (size_t i = 0; i < sizeof(buf); i++)
				buf[i] = want[i] = (uint8_t)(i * 7 + 1);
			for (size_t i = 0; i < len; i++)
				want[off + i] ^= key[i % 4];
			ws_frame_mask(buf + off, len, key);
			assert_memory_equal(buf, want, sizeof(buf));
		}
	}
}

static void test_mask_twice_is_the_payload(void **state)
{
	static const uint8_t key[4] = {0x01, 0x80, 0xff, 0x5a};
	uint8_t text[645], copy[645];

	(void)state;
	for (size_t i = 0; i < sizeof(text); i++)
		text[i] = copy[i] = (uint8_t)(i ^ (i >> 3));
	ws_frame_mask(text + 1, 644, key);
	assert_memory_not_equal(text, copy, sizeof(text));
	ws_frame_mask(text + 1, 644, key);
	assert_memory_equal(text, copy, sizeof(text));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mask_matches_the_definition),
		cmocka_unit_test(test_mask_twice_is_the_payload),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
