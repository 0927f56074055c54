/* ws_upgrade.h — an ARI HTTP request upgraded to a WebSocket
 * (ws_upgrade.c). jansson only (no re.h). */
#ifndef ARIADNE_ARI_WS_UPGRADE_H
#define ARIADNE_ARI_WS_UPGRADE_H

#include "net/ws_conn.h"

struct ari_req;
struct ari_resp;
struct mbuf;

/* Upgrade `req` to a WebSocket speaking subprotocol `proto` (a client may
 * also ask for none). A refusal is answered through resp (426, 400) and
 * returns an error; so does a handshake that cannot be sent (logged). On
 * success *wcp is the WebSocket, and *restp what the client sent after its
 * request (mem, NULL when nothing): hand it to ws_conn_feed() once ready
 * for messages, then mem_deref it. */
int ari_ws_accept(struct ws_conn **wcp, struct mbuf **restp,
		  struct ari_req *req, struct ari_resp *resp,
		  const char *proto, ws_recv_h *recvh, ws_close_h *closeh,
		  void *arg);

#endif
