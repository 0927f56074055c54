/* tcp_accepted.h — every TCP connection a libre listener accepts, shown to
 * whoever watches that listener's address (tcp_accepted.c), so that it can
 * put a tcp_helper on a connection libre keeps to itself. Knows nothing of
 * SIP. */
#ifndef ARIADNE_NET_TCP_ACCEPTED_H
#define ARIADNE_NET_TCP_ACCEPTED_H

struct sa;
struct tcp_conn;
struct tcp_accepted_watch;

/* Called with each connection accepted on the listener bound to the
 * watched address, as soon as tcp_accept() has made it: before its owner
 * puts TLS on it or reads a byte. The connection stays its owner's. */
typedef void (tcp_accepted_h)(struct tcp_conn *tc, void *arg);

/* Watch the listener bound to laddr until *wp is freed. */
int tcp_accepted_watch(struct tcp_accepted_watch **wp, const struct sa *laddr,
		       tcp_accepted_h *h, void *arg);

#endif
