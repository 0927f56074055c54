/* test_json_compact.c — src/base/json_compact.c must write exactly what
 * json_dumps(JSON_ENCODE_ANY | JSON_COMPACT) writes: events and REST bodies
 * reach clients through it. Compared on the shapes ARI sends (a channel
 * event), on every single byte and escape, on invalid UTF-8 (both refuse),
 * on reals, integers at their limits, empty containers, and on thousands of
 * random trees; a tree that contains itself is refused, not looped on. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "base/json_compact.h"

static void same(const json_t *j)
{
	char *want = json_dumps(j, JSON_ENCODE_ANY | JSON_COMPACT);
	char *got = json_compact(j);

	if (!want) {
		assert_null(got);
		return;
	}
	assert_non_null(got);
	assert_string_equal(got, want);
	free(want);
	free(got);
}

static void test_an_ari_event(void **state)
{
	json_t *ev = json_pack("{s:s, s:s, s:{s:s, s:s, s:s, s:{s:s, s:s}, "
			       "s:{s:s, s:s, s:i, s:s, s:s}, s:s, s:s}, s:s, "
			       "s:s, s:I, s:[]}",
		"type", "StasisStart", "timestamp", "2026-12-06T19:24:12.825+0000",
		"channel", "id", "1796585052.0", "name", "PJSIP/alice-00000001",
		"state", "Ring", "caller", "name", "Ål \"the\" /caller\\", "number",
		"alice", "dialplan", "context", "stasis-sipapp", "exten", "100",
		"priority", 1, "app_name", "Stasis", "app_data", "sipapp",
		"creationtime", "2026-12-06T19:24:12.824+0000", "language", "en",
		"application", "sipapp", "asterisk_id", "02:fc:00:00:00:01",
		"sequence", (json_int_t)1, "args");

	assert_non_null(ev);
	same(ev);
	json_decref(ev);
}

static void test_every_byte(void **state)
{
	char s[3] = { 'a', 0, 'z' };

	for (int c = 0; c < 0x80; c++) {    /* ASCII: escapes and plain */
		json_t *j;

		s[1] = (char)c;
		j = json_stringn(s, 3);
		assert_non_null(j);
		same(j);
		json_decref(j);
	}
	/* UTF-8 of every length, and the edges of what is valid */
	static const char *const valid[] = { "é", "€", "😀", "\xf4\x8f\xbf\xbf",
					     "\xed\x9f\xbf", "\xee\x80\x80", "\x7f" };
	for (size_t i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
		json_t *j = json_string(valid[i]);

		assert_non_null(j);
		same(j);
		json_decref(j);
	}
}

static void test_invalid_utf8_is_refused_by_both(void **state)
{
	static const char *const bad[] = {
		"\x80", "\xc0\x80", "\xc1\xbf", "\xe0\x80\x80", "\xed\xa0\x80",
		"\xf0\x80\x80\x80", "\xf4\x90\x80\x80", "\xf5\x80\x80\x80",
		"\xc3", "\xe2\x82", "\xc3\x28", "ok\xff",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		json_t *j = json_stringn_nocheck(bad[i], strlen(bad[i]));
		json_t *o = json_object();

		json_object_set_new_nocheck(o, bad[i], json_true());
		same(j);   /* both NULL */
		assert_null(json_compact(j));
		/* a bad key: json_dumps writes broken JSON (it does not
		 * check a key's escape); refused here */
		assert_null(json_compact(o));
		json_decref(j);
		json_decref(o);
	}
}

static void test_numbers_and_empties(void **state)
{
	static const double reals[] = { 0.0, -0.0, 1.0, 0.1, 1.5e300, -2.5e-7,
					123456789.125, 1e16, 1e17, 3.0e-5 };
	json_t *a = json_array();

	for (size_t i = 0; i < sizeof(reals) / sizeof(reals[0]); i++)
		json_array_append_new(a, json_real(reals[i]));
	json_array_append_new(a, json_integer(INT64_MAX));
	json_array_append_new(a, json_integer(INT64_MIN));
	json_array_append_new(a, json_integer(0));
	json_array_append_new(a, json_object());
	json_array_append_new(a, json_array());
	json_array_append_new(a, json_null());
	json_array_append_new(a, json_false());
	json_array_append_new(a, json_string(""));
	same(a);
	json_decref(a);
	same(json_null() );
}

static json_t *random_tree(int depth)
{
	static const char *const words[] = { "id", "name", "a\"b", "\\",
		"tab\there", "line\nbreak", "ü", "", "x/y", "\x01\x1f" };
	int kind = rand() % (depth > 5 ? 5 : 8);
	json_t *j;

	switch (kind) {
	case 0: return json_integer((json_int_t)rand() - RAND_MAX / 2);
	case 1: return json_string(words[rand() % 10]);
	case 2: return rand() % 2 ? json_true() : json_null();
	case 3: return json_real((double)rand() / 7.0);
	case 4: return json_false();
	case 5: case 6:
		j = json_object();
		for (int n = rand() % 6; n > 0; n--) {
			char key[32];

			snprintf(key, sizeof(key), "%s%d", words[rand() % 10], n);
			json_object_set_new(j, key, random_tree(depth + 1));
		}
		return j;
	default:
		j = json_array();
		for (int n = rand() % 6; n > 0; n--)
			json_array_append_new(j, random_tree(depth + 1));
		return j;
	}
}

static void test_random_trees(void **state)
{
	srand(20261206);
	for (int i = 0; i < 3000; i++) {
		json_t *j = random_tree(0);

		same(j);
		json_decref(j);
	}
}

static void test_deep_and_cyclic(void **state)
{
	json_t *root = json_array(), *cur = root;

	for (int i = 0; i < 2000; i++) {   /* as deep as a parsed tree gets */
		json_t *next = json_array();

		json_array_append_new(cur, next);
		cur = next;
	}
	same(root);
	json_decref(root);

	json_t *a = json_array(), *o = json_object();

	json_array_append(a, o);           /* a holds o, o holds a */
	json_object_set(o, "a", a);
	assert_null(json_dumps(a, JSON_ENCODE_ANY | JSON_COMPACT));
	assert_null(json_compact(a));
	json_object_clear(o);
	json_decref(o);
	json_decref(a);
	assert_null(json_compact(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_an_ari_event),
		cmocka_unit_test(test_every_byte),
		cmocka_unit_test(test_invalid_utf8_is_refused_by_both),
		cmocka_unit_test(test_numbers_and_empties),
		cmocka_unit_test(test_random_trees),
		cmocka_unit_test(test_deep_and_cyclic),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
