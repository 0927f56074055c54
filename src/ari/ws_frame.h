/* ws_frame.h — the pure parts of the WebSocket protocol (ws_frame.c). */
#ifndef ARIADNE_ARI_WS_FRAME_H
#define ARIADNE_ARI_WS_FRAME_H

#include <stddef.h>

/* RFC 6455 4.2.2: Sec-WebSocket-Accept for the client's key. */
int ws_accept_key(const char *key, char *out, size_t size);

#endif
