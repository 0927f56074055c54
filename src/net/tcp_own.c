/* tcp_own.c — reading a libre tcp_conn's socket without libre's reader.
 *
 * libre's reader costs, for every read, a getsockopt(SO_ERROR), a buffer of
 * the connection's receive size (64 KB for HTTP) allocated, trimmed with
 * realloc() and freed, and a copy into the caller's own buffer. For short
 * requests and for 50 media frames a second per WebSocket that is a large
 * share of the server's time (bench/README.md: ari_http.sh,
 * external_media.sh). Here the socket is read straight into the caller's
 * buffer; libre keeps owning the connection, its sends and its close. */
#include <errno.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <re_types.h>
#include <re_mbuf.h>
#include <re_main.h>
#include <re_tcp.h>
#include "net/tcp_own.h"

bool tcp_own_read(struct tcp_conn *tc, tcp_own_h *readh, void *arg)
{
	if (!tc || tcp_conn_fd(tc) < 0 || tcp_conn_txqsz(tc))
		return false;
	return fd_listen(tcp_conn_fd(tc), FD_READ, readh, arg) == 0;
}

static void no_send(void *arg)
{
	(void)arg;
}

/* libre has no call for it, but tcp_set_send() registers libre's handler
 * for reading and writing; the send handler cleared at once is never
 * called, and libre's first (writable) turn leaves it reading only. */
void tcp_own_give_back(struct tcp_conn *tc)
{
	if (!tc)
		return;
	(void)tcp_set_send(tc, no_send);
	(void)tcp_set_send(tc, NULL);
}

ssize_t tcp_own_recv(struct tcp_conn *tc, struct mbuf *mb)
{
	ssize_t n;

	if (mb->size <= mb->end)
		return 0;
	n = recv(tcp_conn_fd(tc), mb->buf + mb->end, mb->size - mb->end,
		 MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK ||
		      errno == EINTR))
		return 0;
	if (n <= 0)
		return -1;
	mb->end += (size_t)n;
	return n;
}
