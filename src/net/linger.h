/* linger.h — close a TCP connection after what was queued went out
 * (linger.c). Knows nothing of HTTP or WebSocket. */
#ifndef ARIADNE_NET_LINGER_H
#define ARIADNE_NET_LINGER_H

#include <stdint.h>

struct tcp_conn;

/* Take `tc` over (its handlers are replaced, the reference is ours): send
 * what is queued, half-close, drop what arrives, let go when the peer closes
 * or after `ms` milliseconds. */
void linger_close(struct tcp_conn *tc, uint32_t ms);
/* The same without the half-close: another writer of the socket (the send
 * thread, net/txoff.h) still has bytes for it and sends the FIN after them. */
void linger_wait(struct tcp_conn *tc, uint32_t ms);
/* Drop every lingering connection now (shutdown). */
void linger_close_all(void);

#endif
