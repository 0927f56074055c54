/* test_sip_head.c — sip_head.c reads the head of a SIP message the way
 * libre's parser does: for every message here, and thousands of mutations
 * of them, sip_head_check() finds fault with it (or no end to it) exactly
 * when sip_msg_decode() refuses it. A head it cannot judge (a folded line)
 * is left out of the comparison. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <inttypes.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <re_types.h>
#include <re_fmt.h>
#include <re_mem.h>
#include <re_mbuf.h>
#include <re_list.h>
#include <re_sa.h>
#include <re_main.h>
#include <re_uri.h>
#include <re_msg.h>
#include <re_sip.h>
#include "sip/sip_int.h"
#include "sip/sip_head.h"

#define HEAD "OPTIONS sip:100@127.0.0.1 SIP/2.0\r\n" \
	"Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK1\r\n" \
	"From: <sip:a@127.0.0.1>;tag=1\r\nTo: <sip:b@127.0.0.1>\r\n" \
	"Call-ID: x@y\r\nCSeq: 1 OPTIONS\r\n"

static const char *const messages[] = {
	HEAD "Content-Length: 0\r\n\r\n",
	HEAD "Content-Type: application/sdp\r\nContent-Length: 4\r\n\r\nv=0\n",
	"SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 1.2.3.4;branch=z9hG4bK2\r\n"
	"Content-Length: 0\r\n\r\n",
	"garbage\r\n\r\n",
	"INVITE\r\n\r\n",
	"\xff\xfe\r\n\r\n",
	"SIP/2.0 200 OK\r\n\r\n",
	"SIP/2.0 abc OK\r\nX: y\r\n\r\n",
	"OPTIONS sip:x SIP/2.0\r\nBadheader\r\n\r\n",
	"OPTIONS sip:x SIP/2.0\r\n: value\r\n\r\n",
	"OPTIONS garbage SIP/2.0\r\nVia: SIP/2.0/UDP 1.2.3.4\r\n\r\n",
	"OPTIONS sip:x SIP/2.0 \r\nX: y\r\n\r\n",
	"OPTIONS sip:x SIP/2.0\r\nVia: garbage\r\n\r\n",
	"OPTIONS sip:x SIP/2.0\r\nVia: garbage, SIP/2.0/UDP 1.2.3.4\r\n\r\n",
	"OPTIONS sip:x SIP/2.0\r\nVia: SIP/2.0/UDP 1.2.3.4, garbage\r\n\r\n",
	"OPTIONS sip:x SIP/2.0\r\nv: SIP/2.0/UDP 1.2.3.4\r\nVia: junk\r\n\r\n",
	HEAD "To: garbage\r\n\r\n",
	HEAD "t: <sip:a@b\r\n\r\n",
	HEAD "To:\r\n\r\n",
	HEAD "f: \"a <sip:x@y>\r\n\r\n",
	HEAD "CSeq: abc\r\n\r\n",
	HEAD "Content-Type: garbage\r\n\r\n",
	HEAD "c: application\r\n\r\n",
	HEAD "X-Via: garbage\r\nx-to: junk\r\n\r\n",
	HEAD "Contact: garbage\r\nExpires: abc\r\n\r\n",
	HEAD "\r\r\n",
	HEAD "\n",
	HEAD "Content-Length: 0\r\n",
	"OPTIONS sip:x SIP/2.0\r\n\r\n",
	"OPTIONS sip:x SIP/2.0\r\n\r\n\r\n",
	"OPTIONS sip:x SIP/2.0\r\n\r\nX: y\r\n\r\n",
	"OPTIONS sip:x SIP/2.0\nX: y\n\n",
	"\r\nOPTIONS sip:x SIP/2.0\r\nX: y\r\n\r\n",
	"OPTIONS sip:x SIP/2.0\r\nX : y\r\nTo : <sip:a@b>\r\n\r\n",
	"OPTIONS sip:x SIP/2.0\r\nX: y\r\r\nZ: w\r\n\r\n",
	"OPTIONS sip:x SIP/2.0\r\n\rX: y\r\n\r\n",
};

/* libre's verdict: does it take the message? */
static bool libre_takes(const char *p, size_t l)
{
	struct mbuf *mb = mbuf_alloc(l + 1);
	struct sip_msg *msg = NULL;
	int err;

	assert_non_null(mb);
	assert_int_equal(mbuf_write_mem(mb, (const uint8_t *)p, l), 0);
	mb->pos = 0;
	err = sip_msg_decode(&msg, mb);
	mem_deref(msg);
	mem_deref(mb);
	return !err;
}

/* ours; -1: not judged (a fold) */
static int we_take(const char *p, size_t l)
{
	struct sip_head h;
	int err = sip_head_check(&h, p, l);

	if (!err && !h.bad && h.folded)
		return -1;
	return !err && !h.bad;
}

static void compare(const char *p, size_t l)
{
	int ours = we_take(p, l);

	if (ours < 0)
		return;
	if (ours != (int)libre_takes(p, l))
		fail_msg("libre %s, sip_head %s: \"%.*s\"",
			 libre_takes(p, l) ? "takes" : "refuses",
			 ours ? "takes" : "refuses", (int)l, p);
}

static void the_same_verdict_as_libre(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(messages) / sizeof(messages[0]); i++)
		compare(messages[i], strlen(messages[i]));
}

/* Bytes changed, dropped and repeated where a head goes wrong. */
static void the_same_verdict_on_mutations(void **state)
{
	static const char alphabet[] = "\r\n :;,<>\"@ \tSIP/2.0xv";
	char buf[512];
	unsigned seed = 12345;

	(void)state;
	for (size_t m = 0; m < sizeof(messages) / sizeof(messages[0]); m++) {
		size_t len = strlen(messages[m]);

		for (int i = 0; i < 3000; i++) {
			size_t l = len, at;
			int k = 1 + (int)((seed = seed * 1103515245 + 12345) >>
					  16) % 3;

			memcpy(buf, messages[m], len);
			while (k--) {
				seed = seed * 1103515245 + 12345;
				at = (seed >> 8) % l;
				switch ((seed >> 4) % 3) {
				case 0:
					buf[at] = alphabet[(seed >> 16) %
							   (sizeof(alphabet) - 1)];
					break;
				case 1:
					if (l > 1) {
						memmove(buf + at, buf + at + 1,
							l - at - 1);
						l--;
					}
					break;
				default:
					if (l + 1 < sizeof(buf)) {
						memmove(buf + at + 1, buf + at,
							l - at);
						buf[at] = alphabet[(seed >> 16) %
							(sizeof(alphabet) - 1)];
						l++;
					}
					break;
				}
			}
			compare(buf, l);
		}
	}
}

/* Lines of thousands of bytes: libre waits up to 8192 bytes for the end
 * of a start line; ours is read without re_regex(), which takes seconds
 * to fail on such a line. */
static void long_lines_get_the_same_verdict(void **state)
{
	static const char *const tails[] = {
		"", "\n", " SIP/2.0\r\nX: y\r\n\r\n", " x SIP/2.0\r\nX: y\r\n\r\n",
	};
	size_t n = 9000;
	char *buf = malloc(n + 64);
	struct sip_head h;

	(void)state;
	assert_non_null(buf);
	for (size_t i = 0; i < sizeof(tails) / sizeof(tails[0]); i++) {
		memset(buf, 'a', n);
		strcpy(buf + n, tails[i]);
		compare(buf, strlen(buf));
	}
	/* 8192 bytes without an LF may still become a start line */
	memset(buf, 'a', 8192);
	assert_int_equal(sip_head_check(&h, buf, 8192), EAGAIN);
	assert_int_equal(sip_head_check(&h, buf, 8193), 0);
	assert_string_equal(h.bad, "no end of the start line");
	free(buf);
}

static void a_head_in_pieces_is_incomplete_until_its_end(void **state)
{
	const char *msg = HEAD "Content-Length: 3\r\n\r\nabc";
	size_t end = strlen(msg) - 3;
	struct sip_head h;

	(void)state;
	for (size_t l = 1; l < end; l++)
		assert_int_equal(sip_head_check(&h, msg, l), EAGAIN);
	assert_int_equal(sip_head_check(&h, msg, end), 0);
	assert_null(h.bad);
	assert_int_equal(h.len, end);
	assert_int_equal(h.nclen, 1);
	assert_int_equal(pl_u32(&h.clen), 3);
	assert_true(h.req);
	assert_int_equal(h.nvia, 1);
	/* a start line that cannot be one is known as soon as it ends */
	assert_int_equal(sip_head_check(&h, "garbage\r\nmore", 13), 0);
	assert_string_equal(h.bad, "no SIP start line");
}

static void a_400_copies_what_matches_it_and_nothing_else(void **state)
{
	const char *msg = HEAD "Content-Length: 0\r\n\r\n";
	struct sip_head h;
	struct mbuf *mb;
	char *text;

	(void)state;
	assert_int_equal(sip_head_check(&h, msg, strlen(msg)), 0);
	mb = sip_head_400(&h);
	assert_non_null(mb);
	assert_int_equal(mbuf_strdup(mb, &text, mbuf_get_left(mb)), 0);
	assert_non_null(strstr(text, "SIP/2.0 400 Bad Request\r\nVia: SIP/2.0/"
			       "UDP 127.0.0.1:5070;branch=z9hG4bK1\r\n"));
	assert_non_null(strstr(text, "\r\nTo: <sip:b@127.0.0.1>;tag="));
	assert_non_null(strstr(text, "\r\nCall-ID: x@y\r\nCSeq: 1 OPTIONS\r\n"));
	mem_deref(text);
	mem_deref(mb);
	/* an ACK gets no response; a response neither */
	msg = "ACK sip:x SIP/2.0\r\nVia: SIP/2.0/UDP 1.2.3.4;branch=z9hG4bK3\r\n"
	      "From: <sip:a@b>;tag=1\r\nTo: <sip:b@c>\r\nCall-ID: z\r\n"
	      "CSeq: 1 ACK\r\n\r\n";
	assert_int_equal(sip_head_check(&h, msg, strlen(msg)), 0);
	assert_null(sip_head_400(&h));
	msg = "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 1.2.3.4;branch=z9hG4bK3\r\n"
	      "From: <sip:a@b>;tag=1\r\nTo: <sip:b@c>\r\nCall-ID: z\r\n"
	      "CSeq: 1 OPTIONS\r\n\r\n";
	assert_int_equal(sip_head_check(&h, msg, strlen(msg)), 0);
	assert_null(sip_head_400(&h));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_same_verdict_as_libre),
		cmocka_unit_test(the_same_verdict_on_mutations),
		cmocka_unit_test(long_lines_get_the_same_verdict),
		cmocka_unit_test(a_head_in_pieces_is_incomplete_until_its_end),
		cmocka_unit_test(a_400_copies_what_matches_it_and_nothing_else),
	};
	int r;

	libre_init();
	r = cmocka_run_group_tests(tests, NULL, NULL);
	libre_close();
	return r;
}
