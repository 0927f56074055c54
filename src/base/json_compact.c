/* json_compact.c — compact JSON text of a jansson tree, for the hot paths:
 * every ARI event and every REST response is a tree built with jansson and
 * written out once.
 *
 * Why not json_dumps: for every object and array it visits, jansson 2.14
 * formats the node's address and adds it to a hash table (to detect a tree
 * that contains itself), decodes each string one code point at a time and
 * appends the text through a callback in pieces, then copies the result.
 * At 1 000 SIP calls/s answered over ARI that was 11 % of ariadne's CPU
 * (bench/PROFILE.md, "JSON text"). Here strings are copied in runs of plain
 * bytes into one growing buffer, and nesting is bounded by depth instead
 * of tracked by address (a tree that contains itself hits the bound).
 *
 * The output is byte for byte json_dumps' with JSON_COMPACT: keys in the
 * object's order, '"', '\\' and control characters escaped as jansson
 * escapes them (\b \f \n \r \t, else \u00XX in upper case), '/' and
 * non-ASCII as is, integers in decimal. Reals are rare in ARI and jansson's
 * formatting of them is subtle, so they are written by jansson itself.
 * One difference: a key that is not UTF-8 (set with a _nocheck call) makes
 * json_dumps write broken JSON; here the whole text fails.
 * tests/unit/test_json_compact.c compares the two on many trees. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/json_compact.h"

/* Deeper than jansson's parser allows (2048): no parsed tree is refused. */
enum { MAX_DEPTH = 4096, FIRST_SIZE = 1024 };

struct out {
	char *buf;
	size_t len, size;
	bool failed;
};

static bool reserve(struct out *o, size_t more)
{
	size_t size = o->size;
	char *buf;

	if (o->len + more < o->size)
		return true;
	while (o->len + more >= size)
		size *= 2;
	buf = realloc(o->buf, size);
	if (!buf) {
		o->failed = true;
		return false;
	}
	o->buf = buf;
	o->size = size;
	return true;
}

static void put(struct out *o, const char *s, size_t n)
{
	if (o->failed || !reserve(o, n))
		return;
	memcpy(o->buf + o->len, s, n);
	o->len += n;
}

static void put_char(struct out *o, char c)
{
	if (o->failed || !reserve(o, 1))
		return;
	o->buf[o->len++] = c;
}

/* Length of the UTF-8 sequence at s (at most n bytes) that jansson's
 * decoder accepts, 0 if it would reject it: no overlong forms, no
 * surrogates, nothing above U+10FFFF. */
static size_t utf8_length(const unsigned char *s, size_t n)
{
	uint32_t cp;
	size_t len;

	if (s[0] < 0xC2 || s[0] > 0xF4)
		return 0;
	len = s[0] < 0xE0 ? 2 : s[0] < 0xF0 ? 3 : 4;
	if (n < len)
		return 0;
	cp = s[0] & (0x7F >> len);
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
		return 0;
	return len;
}

static void put_escape(struct out *o, unsigned char c)
{
	static const char hex[] = "0123456789ABCDEF";
	char seq[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };

	switch (c) {
	case '"':  put(o, "\\\"", 2); break;
	case '\\': put(o, "\\\\", 2); break;
	case '\b': put(o, "\\b", 2); break;
	case '\f': put(o, "\\f", 2); break;
	case '\n': put(o, "\\n", 2); break;
	case '\r': put(o, "\\r", 2); break;
	case '\t': put(o, "\\t", 2); break;
	default:   put(o, seq, sizeof(seq)); break;
	}
}

static void put_string(struct out *o, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t run = 0, i = 0;

	put_char(o, '"');
	while (i < n && !o->failed) {
		unsigned char c = s[i];

		if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0x80) {
			size_t len = utf8_length(s + i, n - i);

			if (!len) {
				o->failed = true;
				return;
			}
			i += len;
			continue;
		}
		put(o, str + run, i - run);
		put_escape(o, c);
		run = ++i;
	}
	put(o, str + run, i - run);
	put_char(o, '"');
}

static void put_value(struct out *o, const json_t *j, int depth);

static void put_object(struct out *o, const json_t *j, int depth)
{
	bool first = true;

	put_char(o, '{');
	for (void *it = json_object_iter((json_t *)j); it && !o->failed;
	     it = json_object_iter_next((json_t *)j, it)) {
		if (!first)
			put_char(o, ',');
		first = false;
		put_string(o, json_object_iter_key(it),
			   json_object_iter_key_len(it));
		put_char(o, ':');
		put_value(o, json_object_iter_value(it), depth + 1);
	}
	put_char(o, '}');
}

static void put_array(struct out *o, const json_t *j, int depth)
{
	size_t n = json_array_size(j);

	put_char(o, '[');
	for (size_t i = 0; i < n && !o->failed; i++) {
		if (i)
			put_char(o, ',');
		put_value(o, json_array_get(j, i), depth + 1);
	}
	put_char(o, ']');
}

static void put_real(struct out *o, const json_t *j)
{
	char *text = json_dumps(j, JSON_ENCODE_ANY | JSON_COMPACT);

	if (!text) {
		o->failed = true;
		return;
	}
	put(o, text, strlen(text));
	free(text);
}

static void put_value(struct out *o, const json_t *j, int depth)
{
	char num[32];
	int n;

	if (!j || depth > MAX_DEPTH) {
		o->failed = true;
		return;
	}
	switch (json_typeof(j)) {
	case JSON_OBJECT:
		put_object(o, j, depth);
		break;
	case JSON_ARRAY:
		put_array(o, j, depth);
		break;
	case JSON_STRING:
		put_string(o, json_string_value(j), json_string_length(j));
		break;
	case JSON_INTEGER:
		n = snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT,
			     json_integer_value(j));
		put(o, num, (size_t)n);
		break;
	case JSON_REAL:
		put_real(o, j);
		break;
	case JSON_TRUE:
		put(o, "true", 4);
		break;
	case JSON_FALSE:
		put(o, "false", 5);
		break;
	case JSON_NULL:
		put(o, "null", 4);
		break;
	default:
		o->failed = true;
		break;
	}
}

char *json_compact(const json_t *j)
{
	struct out o = { .buf = malloc(FIRST_SIZE), .size = FIRST_SIZE };

	if (!o.buf)
		return NULL;
	put_value(&o, j, 0);
	if (!o.failed && reserve(&o, 1)) {
		o.buf[o.len] = '\0';
		return o.buf;
	}
	free(o.buf);
	return NULL;
}
