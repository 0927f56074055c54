/* fuzz_http.c — the ARI HTTP server as a client on the network meets it:
 * the input is the bytes of one TCP connection to src/ari/http.c, fed in
 * reads of the size its first byte gives (0: all at once), so that heads
 * and bodies split anywhere are framed too. Behind http.c's framing
 * (http_head_len, http_head_parse, Content-Length, Expect, keep-alive,
 * pipelining) the requests go through dispatch.c as in the server:
 * authentication (Basic, api_key), route matching, CORS, query/form/JSON
 * parameters, the handlers of GET routes, and the WebSocket upgrade of
 * /ari/events, whose frames (ws_conn.c) carry REST over WebSocket.
 *
 * Why: this is everything an unauthenticated peer of port 8088 reaches.
 * The user the seeds authenticate as is read-only, so requests that change
 * state are refused (403) before their handler runs and one input cannot
 * leave channels or bridges behind for the next (write operations'
 * parameters go through the same parse_params; fuzz_ari_params feeds them).
 *
 * What the server sends is checked as well: each reply's head must be
 * CRLF-framed with no bare CR or LF (a header injection), its
 * Content-Length must match the body (or, for an input with a HEAD
 * request, the body may be absent: RFC 9110 9.3.2), and after a 101 every
 * frame must be a whole unmasked server frame. After the peer closes, nothing may still
 * hold the connection (a descriptor leak in the server). */
#define _GNU_SOURCE /* memmem */
#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <re_types.h>
#include <re_fmt.h>
#include <re_mem.h>
#include <re_mbuf.h>
#include <re_list.h>
#include <re_sa.h>
#include <re_tcp.h>
#include <re_tmr.h>
#include <re_main.h>
#include "fuzz.h"
#include "fuzz_core.h"
#include "fake_tcp.h"
#include "ari/ari.h"
#include "net/linger.h"
#include "net/ws_frame.h"

/* ari.conf: one read-only user (fuzz:fuzz), CORS for one origin so that
 * its headers are built too; http.conf's defaults (no prefix). */
static const char ari_conf[] =
	"[general]\n"
	"enabled = yes\n"
	"allowed_origins = http://localhost:3000\n"
	"[fuzz]\n"
	"type = user\n"
	"read_only = yes\n"
	"password = fuzz\n";

static bool upgraded;   /* the connection of this input sent a 101 */
static bool show;       /* FUZZ_SHOW set: print what the server sends */
static bool heads;      /* this input has a HEAD request: a reply may have
                         * the Content-Length of its GET and no body */

/* One reply head: "HTTP/1.1 NNN ..." and header lines, CRLF each, then
 * CRLF; false when it is not. *hlen is the head's length, *clen its
 * Content-Length (-1 when absent). */
static bool reply_head_ok(const uint8_t *p, size_t n, size_t *hlen,
			  long *clen)
{
	size_t pos = 0;

	*clen = -1;
	if (n < 12 || memcmp(p, "HTTP/1.1 ", 9))
		return false;
	while (pos < n) {
		size_t j = pos;

		while (j < n && p[j] != '\r' && p[j] != '\n')
			j++;
		/* an LF without its CR, or a CR alone: the peer would see
		 * another header line or the body start (injection) */
		if (j + 1 >= n || p[j] != '\r' || p[j + 1] != '\n')
			return false;
		if (j == pos) {
			*hlen = j + 2;
			return true;
		}
		if (j - pos > 15 && !strncasecmp((const char *)p + pos,
						 "Content-Length:", 15))
			*clen = strtol((const char *)p + pos + 15, NULL, 10);
		pos = j + 2;
	}
	return false;
}

static void sent_h(struct tcp_conn *tc, const uint8_t *p, size_t n)
{
	struct ws_frame f;
	size_t hlen = 0;
	long clen;

	(void)tc;
	if (show)
		fprintf(stderr, "<<< %zu bytes\n%.*s\n", n, (int)n,
			(const char *)p);
	if (upgraded) {
		/* ws_conn sends one whole frame per tcp_send */
		if (!ws_frame_decode(&f, p, n) || f.masked || !f.fin ||
		    f.hlen + f.len != n)
			abort();
		return;
	}
	if (!reply_head_ok(p, n, &hlen, &clen))
		abort();
	if (!memcmp(p, "HTTP/1.1 101 ", 13)) {
		upgraded = true;
		return;
	}
	if (clen >= 0 && (size_t)clen != n - hlen && !(heads && n == hlen))
		abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct config *ariconf = NULL;

	(void)argc;
	(void)argv;
	fuzz_libre_init();
	fuzz_core_start();
	FUZZ_CHECK(config_parse(&ariconf, "ari.conf", ari_conf) == 0);
	/* listens on the fake TCP of fake_tcp.h */
	FUZZ_CHECK(ari_init(NULL, ariconf) == 0);
	config_free(ariconf);
	fake_tcp.senth = sent_h;
	show = getenv("FUZZ_SHOW") != NULL;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tcp_conn *tc;

	if (!size)
		return 0;
	upgraded = false;
	heads = memmem(data + 1, size - 1, "HEAD ", 5) != NULL;
	tc = fake_tcp_connect();
	FUZZ_CHECK(tc != NULL);
	fake_tcp_feed(tc, data + 1, size - 1, data[0]);
	fake_tcp_close(tc, 0);
	fuzz_run_deferred();
	linger_close_all();
	fuzz_run_deferred();
	/* the server let go of the connection: no descriptor leak */
	if (mem_nrefs(tc) != 1)
		abort();
	mem_deref(tc);
	return 0;
}
