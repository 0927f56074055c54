/* ws_conn.h — a WebSocket connection over a TCP connection (ws_conn.c).
 * Knows nothing of HTTP or ARI; the media WebSocket and an outbound client
 * are meant to use it too. */
#ifndef ARIADNE_NET_WS_CONN_H
#define ARIADNE_NET_WS_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tcp_conn;
struct ws_conn;

/* A whole message (fragments joined): text, or binary. */
typedef void (ws_recv_h)(bool binary, const char *data, size_t len,
			 void *arg);
/* The WebSocket is over: the peer closed it (close frame or TCP), broke
 * the protocol, or does not read what is sent. Called once, never for
 * ws_conn_close(); no handler comes after it, and it may mem_deref the
 * ws_conn. */
typedef void (ws_close_h)(void *arg);

/* A WebSocket on `tc`, whose handshake is done. On success the connection
 * is the ws_conn's (its handlers are replaced); on error it is still the
 * caller's. */
int ws_conn_alloc(struct ws_conn **wcp, struct tcp_conn *tc,
		  ws_recv_h *recvh, ws_close_h *closeh, void *arg);
/* We dialled the peer (an outbound client, src/extmedia): our frames are
 * masked and the peer's need not be (RFC 6455 5.1). Call before sending. */
void ws_conn_set_client(struct ws_conn *wc);
/* Bytes that arrived before the ws_conn existed (they came with the
 * handshake). ENOTCONN once closing. */
int ws_conn_feed(struct ws_conn *wc, const uint8_t *data, size_t len);
/* One whole frame. ENOTCONN once closing; EOVERFLOW when the peer does not
 * read (the connection is then dropped and closeh follows). */
int ws_conn_send(struct ws_conn *wc, bool binary, const void *data,
		 size_t len);
/* Send a close frame with `code` (logged with `why` when given) and let
 * the TCP connection linger until the peer closes; closeh is not called. */
void ws_conn_close(struct ws_conn *wc, uint16_t code, const char *why);
/* In closeh: the peer ended the WebSocket with a close frame (rather than
 * dropping the connection, breaking the protocol or not reading). */
bool ws_conn_peer_closed(const struct ws_conn *wc);
/* "127.0.0.1:50000", for logs. */
const char *ws_conn_peer(const struct ws_conn *wc);
/* The socket, for options (-1 once closed). */
int ws_conn_fd(const struct ws_conn *wc);
/* From now on frames are written by the send thread (net/txoff.h), off
 * the event loop: for media WebSockets, whose sends are most of a busy
 * loop's work. Only on plain TCP with nothing queued in libre (a caller
 * that put TLS on the connection itself must not ask); ENOTSUP, and
 * nothing changes, otherwise or without the thread. */
int ws_conn_offload(struct ws_conn *wc);
/* A peer that does not read may have this many bytes queued towards it
 * (default 8 MB); one frame more closes the connection (EOVERFLOW). */
void ws_conn_set_queue_max(struct ws_conn *wc, size_t bytes);
/* Bytes queued towards the peer. */
size_t ws_conn_queued(const struct ws_conn *wc);
/* Closing or closed: nothing is sent any more. */
bool ws_conn_closing(const struct ws_conn *wc);

#endif
