/* dispatch.h — an ARI request from its arrival to its handler (dispatch.c).
 * Internal to src/ari; jansson only (no re.h). */
#ifndef ARIADNE_ARI_DISPATCH_H
#define ARIADNE_ARI_DISPATCH_H

#include <stddef.h>
#include "ari/ws_rest.h"

struct ari_req;
struct ari_resp;

/* A request that arrived over HTTP: req holds the head, connection and
 * peer, resp the connection's handlers; body is the request body. */
void ari_dispatch_http(struct ari_req *req, struct ari_resp *resp,
		       const char *body, size_t blen);
/* A REST over WebSocket request (an ari_invoke_h): its user authenticated
 * when the socket opened, so only the read-only check is left. */
void ari_dispatch_invoke(struct ari_invoke *inv);

#endif
