/* http_reply.c — writing an HTTP/1.1 reply into a buffer: the status line
 * with Asterisk's reason phrases, the headers every reply carries, the
 * handler's own, the framing and the body. http.c sends it. */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <re_types.h>
#include <re_fmt.h>
#include <re_mbuf.h>
#include "ari/http_reply.h"
#include "base/reason.h"

#ifndef ARIADNE_VERSION
#define ARIADNE_VERSION "0.0.0"
#endif

/* The Date header's value, formatted once a second (a few per cent of a
 * short reply's time when done for each). */
static const char *http_date(void)
{
	static char date[40];
	static time_t at = -1;
	time_t now = time(NULL);
	struct tm tm;

	if (now != at) {
		gmtime_r(&now, &tm);
		strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", &tm);
		at = now;
	}
	return date;
}

/* The handler's header lines name a Content-Type. */
static bool has_ctype(const char *hdrs)
{
	const char *l = hdrs;

	while (l && *l) {
		if (!strncasecmp(l, "Content-Type:", 13))
			return true;
		l = strchr(l, '\n');
		if (l)
			l++;
	}
	return false;
}

int http_reply_write(struct mbuf *mb, int code, const char *hdrs,
		     const char *connection, const char *body, size_t blen,
		     bool head)
{
	bool framed = code != 204 && code != 304;
	int err;

	if (!framed)
		blen = 0;
	err = mbuf_printf(mb,
			  "HTTP/1.1 %d %s\r\n"
			  "Server: Asterisk/ariadne-" ARIADNE_VERSION "\r\n"
			  "Date: %s\r\n"
			  "Cache-Control: no-cache, no-store\r\n"
			  "%s",
			  code, reason_http(code), http_date(), hdrs ? hdrs : "");
	if (connection)
		err |= mbuf_printf(mb, "Connection: %s\r\n", connection);
	if (framed) {
		/* JSON unless the handler said otherwise (a file). */
		if (blen && !has_ctype(hdrs))
			err |= mbuf_printf(mb, "Content-Type: application/json\r\n");
		err |= mbuf_printf(mb, "Content-Length: %zu\r\n", blen);
	}
	err |= mbuf_write_str(mb, "\r\n");
	if (blen && !head)
		err |= mbuf_write_mem(mb, (const uint8_t *)body, blen);
	return err;
}
