/* http_reply.h — the bytes of an HTTP/1.1 reply (http_reply.c). No
 * sockets, no ARI. */
#ifndef ARIADNE_ARI_HTTP_REPLY_H
#define ARIADNE_ARI_HTTP_REPLY_H

#include <stdbool.h>
#include <stddef.h>

struct mbuf;

/* Status line, the server's own headers (Server, Date, Cache-Control),
 * the handler's header lines `hdrs` ("Name: value\r\n" each), a
 * Connection header when `connection` is not NULL ("close", or
 * "keep-alive" for an HTTP/1.0 client that asked to keep it), the framing
 * and the body. A 204 or 304 has neither
 * body nor framing; a reply to HEAD (`head`) has the framing of its body
 * but not the body (RFC 9110 9.3.2). A body is JSON unless `hdrs` names a
 * Content-Type. 0, or an errno of mbuf's. */
int http_reply_write(struct mbuf *mb, int code, const char *hdrs,
		     const char *connection, const char *body, size_t blen,
		     bool head);

#endif
