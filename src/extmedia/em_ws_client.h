/* em_ws_client.h — dial a WebSocket (em_ws_client.c). */
#ifndef ARIADNE_EM_WS_CLIENT_H
#define ARIADNE_EM_WS_CLIENT_H

#include "net/ws_conn.h"

struct em_wsc;

struct em_wsc_opts {
	const char *protocols;   /* Sec-WebSocket-Protocol, or NULL */
	const char *username, *password;   /* Basic auth, or NULL */
	unsigned timeout_ms;     /* connect + handshake; 0: 2000 */
};

/* Called once: err 0 and the WebSocket (whose handlers are recvh/closeh
 * with arg; the caller owns it), or an error (timeout, refused, a bad
 * answer). Dropping the em_wsc before it cancels the attempt. */
typedef void (em_wsc_h)(int err, struct ws_conn *wc, void *arg);

int em_wsc_connect(struct em_wsc **cp, const char *uri,
		   const struct em_wsc_opts *o, ws_recv_h *recvh,
		   ws_close_h *closeh, em_wsc_h *doneh, void *arg);

/* Nothing more is reported (its owner is going); the object itself may
 * still be referenced for a moment. */
void em_wsc_cancel(struct em_wsc *c);

#endif
