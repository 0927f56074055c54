/* fake_tcp.h — libre's TCP API without sockets, for the fuzz targets whose
 * input arrives on a TCP connection: the ARI HTTP server (src/ari/http.c),
 * WebSockets (src/net/ws_conn.c). The harness plays the peer: it makes the
 * listener accept a connection and hands the input to the receive handler
 * the project installed, in pieces, exactly as libre would from a socket;
 * what the project sends comes back to the harness for checking.
 *
 * It defines libre's own function names. The executable's definitions take
 * the place of libre.so's for every caller, the way base/timerwheel.c
 * replaces libre's tmr_* (docs/ARCHITECTURE.md, "The loop and the media
 * tick"), so the project's objects run unchanged; only the socket is gone,
 * and with it the nondeterminism and the cost of the kernel.
 *
 * Include it from exactly one file of a binary (a fuzz target is one file),
 * after <re_types.h>, <re_mem.h>, <re_mbuf.h>, <re_sa.h> and <re_tcp.h>. */
#ifndef ARIADNE_FUZZ_FAKE_TCP_H
#define ARIADNE_FUZZ_FAKE_TCP_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tcp_sock {
	tcp_conn_h *connh;
	void *arg;
};

struct tcp_conn {
	tcp_recv_h *recvh;
	tcp_close_h *closeh;
	void *arg;
	bool client;            /* made by tcp_connect, not accepted */
};

/* What the project writes to a connection, for the harness to check. */
typedef void (fake_tcp_sent_h)(struct tcp_conn *tc, const uint8_t *p,
			       size_t n);

static struct {
	struct tcp_sock *listener;   /* weak: the last tcp_sock_alloc */
	struct tcp_conn *accepted;   /* weak: the last tcp_accept */
	fake_tcp_sent_h *senth;
} fake_tcp;

int tcp_sock_alloc(struct tcp_sock **tsp, const struct sa *local,
		   tcp_conn_h *ch, void *arg)
{
	struct tcp_sock *ts;

	(void)local;
	if (!tsp || !ch)
		return EINVAL;
	ts = mem_zalloc(sizeof(*ts), NULL);
	if (!ts)
		return ENOMEM;
	ts->connh = ch;
	ts->arg = arg;
	fake_tcp.listener = ts;
	*tsp = ts;
	return 0;
}

int tcp_sock_bind(struct tcp_sock *ts, const struct sa *local)
{
	(void)ts;
	(void)local;
	return 0;
}

int tcp_sock_listen(struct tcp_sock *ts, int backlog)
{
	(void)ts;
	(void)backlog;
	return 0;
}

void tcp_reject(struct tcp_sock *ts)
{
	(void)ts;
}

int tcp_accept(struct tcp_conn **tcp, struct tcp_sock *ts, tcp_estab_h *eh,
	       tcp_recv_h *rh, tcp_close_h *ch, void *arg)
{
	struct tcp_conn *tc;

	(void)ts;
	(void)eh;
	if (!tcp)
		return EINVAL;
	tc = mem_zalloc(sizeof(*tc), NULL);
	if (!tc)
		return ENOMEM;
	tc->recvh = rh;
	tc->closeh = ch;
	tc->arg = arg;
	fake_tcp.accepted = tc;
	*tcp = tc;
	return 0;
}

int tcp_send(struct tcp_conn *tc, struct mbuf *mb)
{
	if (!tc || !mb)
		return EINVAL;
	if (fake_tcp.senth)
		fake_tcp.senth(tc, mbuf_buf(mb), mbuf_get_left(mb));
	return 0;
}

/* Everything is written at once: nothing is ever queued, so a send
 * handler (waiting for the queue to drain) is never needed. */
int tcp_set_send(struct tcp_conn *tc, tcp_send_h *sendh)
{
	(void)tc;
	(void)sendh;
	return 0;
}

size_t tcp_conn_txqsz(const struct tcp_conn *tc)
{
	(void)tc;
	return 0;
}

void tcp_set_handlers(struct tcp_conn *tc, tcp_estab_h *eh, tcp_recv_h *rh,
		      tcp_close_h *ch, void *arg)
{
	(void)eh;
	if (!tc)
		return;
	tc->recvh = rh;
	tc->closeh = ch;
	tc->arg = arg;
}

void tcp_conn_rxsz_set(struct tcp_conn *tc, size_t rxsz)
{
	(void)tc;
	(void)rxsz;
}

void tcp_conn_txqsz_set(struct tcp_conn *tc, size_t txqsz)
{
	(void)tc;
	(void)txqsz;
}

int tcp_conn_peer_get(const struct tcp_conn *tc, struct sa *peer)
{
	(void)tc;
	return sa_set_str(peer, "127.0.0.1", 40000);
}

int tcp_conn_local_get(const struct tcp_conn *tc, struct sa *local)
{
	(void)tc;
	return sa_set_str(local, "127.0.0.1", 8088);
}

int tcp_conn_fd(const struct tcp_conn *tc)
{
	(void)tc;
	return -1;
}

/* ---- the harness's side: the peer ---- */

/* A connection from 127.0.0.1:40000 to the last listener; the harness
 * holds a reference of its own (mem_deref it when done), NULL when the
 * listener refused. */
static inline struct tcp_conn *fake_tcp_connect(void)
{
	struct sa peer;

	fake_tcp.accepted = NULL;
	if (!fake_tcp.listener)
		return NULL;
	sa_set_str(&peer, "127.0.0.1", 40000);
	fake_tcp.listener->connh(&peer, fake_tcp.listener->arg);
	return fake_tcp.accepted ? mem_ref(fake_tcp.accepted) : NULL;
}

/* A connection made for the project's own use (an outbound WebSocket), as
 * tcp_connect would have, minus the socket. */
static inline int fake_tcp_conn_alloc(struct tcp_conn **tcp)
{
	struct tcp_conn *tc = mem_zalloc(sizeof(*tc), NULL);

	if (!tc)
		return ENOMEM;
	tc->client = true;
	*tcp = tc;
	return 0;
}

/* Still someone's besides the harness's reference, with a handler. */
static inline bool fake_tcp_open(const struct tcp_conn *tc)
{
	return tc && mem_nrefs(tc) > 1;
}

/* Bytes from the peer, as one read of the socket. */
static inline void fake_tcp_recv(struct tcp_conn *tc, const uint8_t *p,
				 size_t n)
{
	struct mbuf *mb;

	if (!fake_tcp_open(tc) || !tc->recvh)
		return;
	mb = mbuf_alloc(n ? n : 1);
	if (!mb)
		return;
	(void)mbuf_write_mem(mb, p, n);
	mb->pos = 0;
	tc->recvh(mb, tc->arg);
	mem_deref(mb);
}

/* The peer closes (err 0) or the connection breaks. */
static inline void fake_tcp_close(struct tcp_conn *tc, int err)
{
	tcp_close_h *ch;

	if (!fake_tcp_open(tc) || !tc->closeh)
		return;
	ch = tc->closeh;
	tc->recvh = NULL;
	tc->closeh = NULL;
	ch(err, tc->arg);
}

/* Feed `data` in reads of `chunk` bytes (0: all at once) while the
 * connection is open. */
static inline void fake_tcp_feed(struct tcp_conn *tc, const uint8_t *data,
				 size_t len, size_t chunk)
{
	if (!chunk)
		chunk = len;
	while (len && fake_tcp_open(tc) && tc->recvh) {
		size_t n = len < chunk ? len : chunk;

		fake_tcp_recv(tc, data, n);
		data += n;
		len -= n;
	}
}

#endif
