/* ws_events.h — the ARI events WebSocket, GET /ari/events (ws_events.c).
 * jansson only (no re.h). */
#ifndef ARIADNE_ARI_WS_EVENTS_H
#define ARIADNE_ARI_WS_EVENTS_H

#include "ari/ws_rest.h"

struct ari_req;
struct ari_resp;

/* GET /events with upgrade; all checks before the upgrade answer via resp. */
void ari_ws_events(struct ari_req *req, struct ari_resp *resp);
/* Close every event socket (apps unregistered). */
void ari_ws_events_close_all(void);
/* REST requests that arrive on event sockets go to `invokeh`. */
void ari_ws_events_init(ari_invoke_h *invokeh);

#endif
