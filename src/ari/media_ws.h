/* media_ws.h — the /media/<connection id> WebSocket (media_ws.c). */
#ifndef ARIADNE_ARI_MEDIA_WS_H
#define ARIADNE_ARI_MEDIA_WS_H

struct ari_req;
struct ari_resp;

/* A request for <prefix>/media/<id>: upgrade it for that channel, or
 * answer 404 (no such id), 409 (already connected), 426/400 (not a
 * WebSocket handshake). */
void ari_media_ws(struct ari_req *req, struct ari_resp *resp, const char *id);

#endif
