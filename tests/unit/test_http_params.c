/* test_http_params.c — the pure helpers of the ARI HTTP server: request head
 * parsing, URL decoding, query/form parameters, JSON body fields as
 * parameters, Basic credentials, api_key and header token lists. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <jansson.h>
#include "ari/http_params.h"
#include "base/reason.h"

static void head_len_needs_the_empty_line(void **state)
{
	const char *part = "GET / HTTP/1.1\r\nHost: x\r\n";
	const char *full = "GET / HTTP/1.1\r\nHost: x\r\n\r\nBODY";
	const char *lf = "GET / HTTP/1.1\nHost: x\n\nBODY";

	(void)state;
	assert_int_equal(http_head_len(part, strlen(part)), 0);
	assert_int_equal(http_head_len(full, strlen(full)), strlen(full) - 4);
	assert_int_equal(http_head_len(lf, strlen(lf)), strlen(lf) - 4);
}

static void head_parse_splits_method_path_query_and_headers(void **state)
{
	const char *r = "POST /ari/channels/a%20b?x=1&y=2 HTTP/1.1\r\n"
			"Host: 127.0.0.1:8088\r\n"
			"content-type:  application/json  \r\n\r\n";
	struct http_head h;

	(void)state;
	assert_int_equal(http_head_parse(&h, r, strlen(r)), 0);
	assert_string_equal(h.method, "POST");
	assert_string_equal(h.path, "/ari/channels/a%20b");
	assert_string_equal(h.query, "x=1&y=2");
	assert_int_equal(h.minor, 1);
	assert_string_equal(http_head_get(&h, "Content-Type"),
			    "application/json");
	assert_string_equal(http_head_get(&h, "HOST"), "127.0.0.1:8088");
	assert_null(http_head_get(&h, "Upgrade"));
	http_head_free(&h);
}

static void head_parse_accepts_absolute_form_and_http10(void **state)
{
	const char *r = "GET http://h:1/ari/asterisk/ping HTTP/1.0\r\n\r\n";
	struct http_head h;

	(void)state;
	assert_int_equal(http_head_parse(&h, r, strlen(r)), 0);
	assert_string_equal(h.path, "/ari/asterisk/ping");
	assert_null(h.query);
	assert_int_equal(h.minor, 0);
	http_head_free(&h);
}

static void head_parse_rejects_malformed_requests(void **state)
{
	static const char *bad[] = {
		"GET /\r\n\r\n",
		"GET / HTTP/2.0\r\n\r\n",
		"GET / HTTP/1.1\r\nNoColon\r\n\r\n",
		"GET / HTTP/1.1\r\n folded: x\r\n\r\n",
		"G(T / HTTP/1.1\r\n\r\n",
		"GET relative HTTP/1.1\r\n\r\n",
		"\x16\x03\x01\x00\r\n\r\n",
	};
	struct http_head h;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(http_head_parse(&h, bad[i], strlen(bad[i])),
				 EBADMSG);
	/* an embedded NUL is not a header */
	assert_int_equal(http_head_parse(&h, "GET / HTTP/1.1\r\nA: \0b\r\n\r\n",
					 26), EBADMSG);
}

static void head_parse_limits_the_number_of_headers(void **state)
{
	char buf[8192];
	size_t l = 0;
	struct http_head h;

	(void)state;
	l += snprintf(buf + l, sizeof(buf) - l, "GET / HTTP/1.1\r\n");
	for (int i = 0; i < HTTP_MAX_HDRS + 1; i++)
		l += snprintf(buf + l, sizeof(buf) - l, "X%d: y\r\n", i);
	l += snprintf(buf + l, sizeof(buf) - l, "\r\n");
	assert_int_equal(http_head_parse(&h, buf, l), E2BIG);
}

static void url_decode_handles_percent_and_plus(void **state)
{
	char out[64];
	const char *in = "a%20b+c%2Cd%zz%4";

	(void)state;
	http_url_decode(out, in, strlen(in), true);
	assert_string_equal(out, "a b c,d%zz%4");
	http_url_decode(out, in, strlen(in), false);
	assert_string_equal(out, "a b+c,d%zz%4");
}

static void query_last_repeat_wins_and_values_are_decoded(void **state)
{
	struct http_params p = {0};
	const char *q = "app=a%2Cb&x=1&flag&x=last+one&=skip&e=";

	(void)state;
	assert_int_equal(http_params_parse_query(&p, q, strlen(q)), 0);
	assert_string_equal(http_params_get(&p, "app"), "a,b");
	assert_string_equal(http_params_get(&p, "x"), "last one");
	assert_string_equal(http_params_get(&p, "flag"), "");
	assert_string_equal(http_params_get(&p, "e"), "");
	assert_null(http_params_get(&p, "missing"));
	http_params_reset(&p);
}

static void json_fields_override_query_values_as_text(void **state)
{
	struct http_params p = {0};
	const char *q = "value=fromquery&timeout=5";
	json_t *body = json_loads("{\"value\":\"frombody\",\"timeout\":30,"
				  "\"early\":true,\"ratio\":0.5,"
				  "\"list\":[\"a\",2,false],\"none\":null,"
				  "\"variables\":{\"A\":\"1\"}}", 0, NULL);

	(void)state;
	assert_non_null(body);
	assert_int_equal(http_params_parse_query(&p, q, strlen(q)), 0);
	assert_int_equal(http_params_merge_json(&p, body), 0);
	assert_string_equal(http_params_get(&p, "value"), "frombody");
	assert_string_equal(http_params_get(&p, "timeout"), "30");
	assert_string_equal(http_params_get(&p, "early"), "true");
	assert_string_equal(http_params_get(&p, "ratio"), "0.5");
	assert_string_equal(http_params_get(&p, "list"), "a,2,false");
	assert_null(http_params_get(&p, "none"));
	assert_null(http_params_get(&p, "variables"));
	json_decref(body);
	http_params_reset(&p);
}

static void json_body_that_is_not_an_object_is_refused(void **state)
{
	struct http_params p = {0};
	json_t *arr = json_array();

	(void)state;
	assert_int_equal(http_params_merge_json(&p, arr), EINVAL);
	json_decref(arr);
}

static void basic_header_decodes_user_and_password(void **state)
{
	char u[64], pw[64];

	(void)state;
	/* asterisk:pa:ss */
	assert_true(http_basic_decode("Basic YXN0ZXJpc2s6cGE6c3M=", u,
				      sizeof(u), pw, sizeof(pw)));
	assert_string_equal(u, "asterisk");
	assert_string_equal(pw, "pa:ss");
	assert_true(http_basic_decode("basic   YXN0ZXJpc2s6cGE6c3M=  ", u,
				      sizeof(u), pw, sizeof(pw)));
	/* no colon, empty password, other scheme, bad base64 */
	assert_false(http_basic_decode("Basic YXN0ZXJpc2s=", u, sizeof(u),
				       pw, sizeof(pw)));
	assert_false(http_basic_decode("Basic YXN0ZXJpc2s6", u, sizeof(u),
				       pw, sizeof(pw)));
	assert_false(http_basic_decode("Bearer abc", u, sizeof(u), pw,
				       sizeof(pw)));
	assert_false(http_basic_decode("Basic !!!!", u, sizeof(u), pw,
				       sizeof(pw)));
	assert_false(http_basic_decode(NULL, u, sizeof(u), pw, sizeof(pw)));
}

static void api_key_is_the_first_one_split_at_the_first_colon(void **state)
{
	char u[64], pw[64];

	(void)state;
	assert_true(http_api_key("a=1&api_key=us%40er:p%3Aw&api_key=x:y",
				 u, sizeof(u), pw, sizeof(pw)));
	assert_string_equal(u, "us@er");
	assert_string_equal(pw, "p:w");
	assert_true(http_api_key("api_key=asterisk%3Aasterisk", u, sizeof(u),
				 pw, sizeof(pw)));
	assert_string_equal(u, "asterisk");
	assert_string_equal(pw, "asterisk");
	assert_false(http_api_key("api_key=asterisk:", u, sizeof(u), pw,
				  sizeof(pw)));
	assert_false(http_api_key("api_key=asterisk", u, sizeof(u), pw,
				  sizeof(pw)));
	assert_false(http_api_key("x_api_key=a:b", u, sizeof(u), pw,
				  sizeof(pw)));
	assert_false(http_api_key(NULL, u, sizeof(u), pw, sizeof(pw)));
}

static void content_type_ignores_case_and_parameters(void **state)
{
	(void)state;
	assert_true(http_ctype_is("Application/JSON; charset=utf-8",
				  "application/json"));
	assert_true(http_ctype_is("application/json", "application/json"));
	assert_false(http_ctype_is("application/jsonx", "application/json"));
	assert_false(http_ctype_is(NULL, "application/json"));
}

static void token_lists_match_whole_items_without_case(void **state)
{
	(void)state;
	assert_true(http_token_list_has("keep-alive, Upgrade", "upgrade"));
	assert_true(http_token_list_has("foo,ari", "ari"));
	assert_false(http_token_list_has("arix, bari", "ari"));
	assert_false(http_token_list_has(NULL, "ari"));
}

static void reason_phrases_are_the_standard_ones(void **state)
{
	(void)state;
	assert_string_equal(reason_http(412), "Precondition Failed");
	assert_string_equal(reason_http(413), "Request Entity Too Large");
	assert_string_equal(reason_http(422), "Unprocessable Entity");
	assert_string_equal(reason_http(501), "Not Implemented");
}

/* Decode `raw` handed over n bytes more at a time (n = 0: all at once), as
 * http.c does while a body arrives; the result and the data. */
static int chunked_in_steps(const char *raw, size_t step, char *out,
			    size_t max, struct http_chunked *ck)
{
	size_t len = strlen(raw), have = step ? 0 : len;
	int err;

	memset(ck, 0, sizeof(*ck));
	for (;;) {
		err = http_chunked_decode(ck, raw, have, out, max);
		if (err != EAGAIN || have == len)
			return err;
		have = have + step < len ? have + step : len;
	}
}

static void chunked_body_decodes_the_same_however_it_arrives(void **state)
{
	const char *raw = "5;ext=\"a b\"\r\nhello\r\n1A \r\n"
			  "abcdefghijklmnopqrstuvwxyz\r\n"
			  "1\n!\n0\r\nTrailer: x\r\nMore: y\r\n\r\nNEXT";
	char out[64];
	struct http_chunked ck;

	(void)state;
	for (size_t step = 0; step <= 7; step++) {
		memset(out, 0, sizeof(out));
		assert_int_equal(chunked_in_steps(raw, step, out, sizeof(out),
						  &ck), 0);
		assert_int_equal(ck.out, 32);
		assert_memory_equal(out, "helloabcdefghijklmnopqrstuvwxyz!",
				    32);
		/* what follows the body is not part of it */
		assert_int_equal(ck.raw, strlen(raw) - 4);
	}
}

static void chunked_body_errors_are_told_apart(void **state)
{
	char out[16];
	struct http_chunked ck;
	char longline[CHUNK_LINE_MAX + 16];

	(void)state;
	/* incomplete at every stage */
	assert_int_equal(chunked_in_steps("5\r\nhel", 0, out, 16, &ck), EAGAIN);
	assert_int_equal(chunked_in_steps("5\r\nhello\r", 0, out, 16, &ck),
			 EAGAIN);
	assert_int_equal(chunked_in_steps("0\r\nX: 1\r\n", 0, out, 16, &ck),
			 EAGAIN);
	/* malformed */
	assert_int_equal(chunked_in_steps("x\r\n", 1, out, 16, &ck), EBADMSG);
	assert_int_equal(chunked_in_steps("5x\r\nhello\r\n", 0, out, 16, &ck),
			 EBADMSG);
	assert_int_equal(chunked_in_steps("2\r\nhello\r\n", 0, out, 16, &ck),
			 EBADMSG);
	assert_int_equal(chunked_in_steps("0\r\nno colon\r\n\r\n", 0, out,
					  16, &ck), EBADMSG);
	/* a size line that never ends */
	memset(longline, '0', sizeof(longline) - 1);
	longline[sizeof(longline) - 1] = '\0';
	assert_int_equal(chunked_in_steps(longline, 0, out, 16, &ck), EBADMSG);
	/* data over max, announced or sent */
	assert_int_equal(chunked_in_steps("11\r\n", 0, out, 16, &ck), EFBIG);
	assert_int_equal(chunked_in_steps("8\r\n12345678\r\n9\r\n", 0, out,
					  16, &ck), EFBIG);
}

static enum http_te coding_of(const char *headers)
{
	char buf[512];
	struct http_head h;
	enum http_te te;

	snprintf(buf, sizeof(buf), "POST / HTTP/1.1\r\n%s\r\n", headers);
	assert_int_equal(http_head_parse(&h, buf, strlen(buf)), 0);
	te = http_transfer_coding(&h);
	http_head_free(&h);
	return te;
}

static void transfer_codings_chunked_last_or_refused(void **state)
{
	(void)state;
	assert_int_equal(coding_of("Host: x\r\n"), HTTP_TE_NONE);
	assert_int_equal(coding_of("Transfer-Encoding: identity\r\n"),
			 HTTP_TE_NONE);
	assert_int_equal(coding_of("Transfer-Encoding: Chunked\r\n"),
			 HTTP_TE_CHUNKED);
	assert_int_equal(coding_of("Transfer-Encoding: gzip\r\n"),
			 HTTP_TE_UNKNOWN);
	/* a coding we cannot undo before the chunked framing */
	assert_int_equal(coding_of("Transfer-Encoding: gzip, chunked\r\n"),
			 HTTP_TE_UNKNOWN);
	assert_int_equal(coding_of("Transfer-Encoding: gzip\r\n"
				   "Transfer-Encoding: chunked\r\n"),
			 HTTP_TE_UNKNOWN);
	/* chunked not last, or twice: the body's end cannot be found */
	assert_int_equal(coding_of("Transfer-Encoding: chunked, gzip\r\n"),
			 HTTP_TE_BAD);
	assert_int_equal(coding_of("Transfer-Encoding: chunked\r\n"
				   "Transfer-Encoding: gzip\r\n"),
			 HTTP_TE_BAD);
	assert_int_equal(coding_of("Transfer-Encoding: chunked, chunked\r\n"),
			 HTTP_TE_BAD);
}

static int clen_of(const char *headers, unsigned long long *n)
{
	char buf[512];
	struct http_head h;
	int err;

	snprintf(buf, sizeof(buf), "POST / HTTP/1.1\r\n%s\r\n", headers);
	assert_int_equal(http_head_parse(&h, buf, strlen(buf)), 0);
	*n = 99;
	err = http_content_length(&h, n);
	http_head_free(&h);
	return err;
}

static void content_lengths_all_digits_and_agreeing(void **state)
{
	unsigned long long n;

	(void)state;
	assert_int_equal(clen_of("Host: x\r\n", &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(clen_of("content-length: 42\r\n", &n), 0);
	assert_int_equal(n, 42);
	assert_int_equal(clen_of("Content-Length: 5\r\n"
				 "Content-Length: 5\r\n", &n), 0);
	assert_int_equal(n, 5);
	assert_int_equal(clen_of("Content-Length: 999999999999999\r\n", &n),
			 0);
	/* both orders of a disagreement smuggle a request */
	assert_int_equal(clen_of("Content-Length: 0\r\n"
				 "Content-Length: 7\r\n", &n), EBADMSG);
	assert_int_equal(clen_of("Content-Length: 7\r\n"
				 "Content-Length: 0\r\n", &n), EBADMSG);
	assert_int_equal(clen_of("Content-Length: +5\r\n", &n), EBADMSG);
	assert_int_equal(clen_of("Content-Length: 5 5\r\n", &n), EBADMSG);
	assert_int_equal(clen_of("Content-Length: 0x10\r\n", &n), EBADMSG);
	assert_int_equal(clen_of("Content-Length:\r\n", &n), EBADMSG);
	assert_int_equal(clen_of("Content-Length: 1000000000000000\r\n",
				 &n), EFBIG);
}

static void chunk_sizes_take_leading_zeros_and_refuse_the_huge(void **state)
{
	char out[32];
	struct http_chunked ck;

	(void)state;
	assert_int_equal(chunked_in_steps("000000000005\r\nhello\r\n0\r\n\r\n",
					  0, out, sizeof(out), &ck), 0);
	assert_int_equal(ck.out, 5);
	assert_int_equal(chunked_in_steps("123456789\r\n", 0, out,
					  sizeof(out), &ck), EFBIG);
	/* after the size: an extension or the line's end, nothing else */
	assert_int_equal(chunked_in_steps("5\rjunk\r\nhello\r\n0\r\n\r\n", 0,
					  out, sizeof(out), &ck), EBADMSG);
	assert_int_equal(chunked_in_steps("5 ;x\r\nhello\r\n0\r\n\r\n", 0,
					  out, sizeof(out), &ck), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(head_len_needs_the_empty_line),
		cmocka_unit_test(head_parse_splits_method_path_query_and_headers),
		cmocka_unit_test(head_parse_accepts_absolute_form_and_http10),
		cmocka_unit_test(head_parse_rejects_malformed_requests),
		cmocka_unit_test(head_parse_limits_the_number_of_headers),
		cmocka_unit_test(url_decode_handles_percent_and_plus),
		cmocka_unit_test(query_last_repeat_wins_and_values_are_decoded),
		cmocka_unit_test(json_fields_override_query_values_as_text),
		cmocka_unit_test(json_body_that_is_not_an_object_is_refused),
		cmocka_unit_test(basic_header_decodes_user_and_password),
		cmocka_unit_test(api_key_is_the_first_one_split_at_the_first_colon),
		cmocka_unit_test(content_type_ignores_case_and_parameters),
		cmocka_unit_test(token_lists_match_whole_items_without_case),
		cmocka_unit_test(reason_phrases_are_the_standard_ones),
		cmocka_unit_test(chunked_body_decodes_the_same_however_it_arrives),
		cmocka_unit_test(chunked_body_errors_are_told_apart),
		cmocka_unit_test(transfer_codings_chunked_last_or_refused),
		cmocka_unit_test(content_lengths_all_digits_and_agreeing),
		cmocka_unit_test(chunk_sizes_take_leading_zeros_and_refuse_the_huge),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
