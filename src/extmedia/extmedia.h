/* extmedia.h — external media channels, the module's public face (for
 * src/ari and main.c): channels that carry one call's audio to or from an
 * outside process — a voice bot, a transcriber — over a WebSocket
 * (WebSocket/, as Asterisk's chan_websocket), a TCP AudioSocket
 * (AudioSocket/) or plain RTP (UnicastRTP/). ARI's POST
 * /channels/externalMedia asks for them with channel_request() like any
 * other technology. How the inside is laid out: em_int.h. */
#ifndef ARIADNE_EXTMEDIA_H
#define ARIADNE_EXTMEDIA_H

#include <stdbool.h>
#include <stddef.h>

struct config;
struct ws_conn;
struct mbuf;

/* Register the three technologies and read chan_websocket.conf and
 * websocket_client.conf from `confdir` (either may be missing). */
int extmedia_init(const char *confdir);
void extmedia_close(void);

/* ---- formats ---- */

/* Bytes of one 20 ms frame of `format` ("ulaw", "alaw", "slin",
 * "slin16"); 0 when ariadne cannot carry that format. */
size_t extmedia_frame_size(const char *format);

/* ---- WebSocket client entries (websocket_client.conf) ---- */

/* An entry of that name exists. */
bool extmedia_ws_client_exists(const char *id);
/* external_host may be a ws:// or wss:// URI (an ariadne extension;
 * chan_websocket.conf [global] allow_uris). */
bool extmedia_ws_uri_allowed(const char *uri);
/* ARI's transport_data for a WebSocket channel: 0, or EINVAL with what is
 * wrong in why (an unknown option, a bad f() or d() value, v() on an
 * incoming connection). */
int extmedia_ws_options_check(const char *opts, bool incoming, char *why,
			      size_t wsize);

/* ---- a bot connecting to /media/<connection id> ---- */

struct em_ws;
/* The channel waiting for that connection: 0 and *wp, ENOENT (HTTP 404)
 * or EALREADY (a socket is already there: 409). */
int extmedia_ws_incoming(struct em_ws **wp, const char *conn_id);
/* ws_conn handlers for ari_ws_accept(): the argument is the em_ws. */
void extmedia_ws_recv(bool binary, const char *data, size_t len, void *arg);
void extmedia_ws_closed(void *arg);
/* The handshake went out: MEDIA_START, then the call goes on. `rest` is
 * what the bot sent after its request (may be NULL; not taken). */
void extmedia_ws_connected(struct em_ws *w, struct ws_conn *wc,
			   const struct mbuf *rest);

#endif
