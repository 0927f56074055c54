/* tcp_own.h — reading a libre tcp_conn's socket ourselves, and giving it
 * back (tcp_own.c). Knows nothing of HTTP or WebSocket. */
#ifndef ARIADNE_NET_TCP_OWN_H
#define ARIADNE_NET_TCP_OWN_H

#include <stdbool.h>
#include <sys/types.h>

struct tcp_conn;
struct mbuf;

/* Called when the socket can be read; flags as libre's fd_h. */
typedef void (tcp_own_h)(int flags, void *arg);

/* Read `tc` with `readh` instead of libre's reader. Only for a plain
 * (not TLS) connection libre has nothing queued for; false when it cannot
 * be taken. libre takes the socket back by itself when a tcp_send() has to
 * queue (tcp_conn_txqsz() > 0 after it) and when the connection is
 * destroyed; linger.c takes it back too. */
bool tcp_own_read(struct tcp_conn *tc, tcp_own_h *readh, void *arg);

/* libre's reader reads `tc` again (the end of the stream or an error is
 * then found, and reported, its usual way). */
void tcp_own_give_back(struct tcp_conn *tc);

/* One recv() into the free space at the end of mb (mb->end grows by what
 * came; make room first: with none, nothing is read): > 0 bytes read, 0
 * nothing yet, < 0 the end of the stream or an error: give the socket
 * back. */
ssize_t tcp_own_recv(struct tcp_conn *tc, struct mbuf *mb);

#endif
