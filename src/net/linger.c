/* linger.c — closing a TCP connection without losing what was sent to it.
 * Once the queued bytes are out the connection is half-closed (FIN); what the
 * peer still sends is read and dropped until it closes too or a timeout
 * passes. Closing at once with unread data in the kernel's buffer would make
 * the kernel reset the connection, and the last reply would be lost with it.
 *
 * Used by the HTTP server after a reply with "Connection: close" and by
 * WebSockets after their close frame. It takes the connection over: the
 * caller forgets it and may go away at once. */
#include <stdint.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <re_types.h>
#include <re_mem.h>
#include <re_mbuf.h>
#include <re_list.h>
#include <re_sa.h>
#include <re_tmr.h>
#include <re_tcp.h>
#include "net/linger.h"
#include "net/tcp_tls.h"

struct lingering {
	struct le le;
	struct tcp_conn *tc;
	struct tmr tmr;
};

static struct list lingering = LIST_INIT;

static void destructor(void *arg)
{
	struct lingering *l = arg;

	list_unlink(&l->le);
	tmr_cancel(&l->tmr);
	tcp_tls_release(l->tc);
}

static void shutdown_write(struct tcp_conn *tc)
{
	int fd = tcp_conn_fd(tc);

	if (fd >= 0)
		(void)shutdown(fd, SHUT_WR);
}

static void send_drained(void *arg)
{
	struct lingering *l = arg;

	tcp_set_send(l->tc, NULL);
	shutdown_write(l->tc);
}

/* Whoever had the connection may have been reading its socket itself
 * (ws_conn.c): tcp_set_send() puts libre's handler back on it, and this,
 * its first call, leaves it reading only. */
static void reading(void *arg)
{
	struct lingering *l = arg;

	tcp_set_send(l->tc, NULL);
}

static void recv_drop(struct mbuf *mb, void *arg)
{
	(void)mb;
	(void)arg;
}

static void peer_closed(int err, void *arg)
{
	(void)err;
	mem_deref(arg);
}

static void timeout(void *arg)
{
	mem_deref(arg);
}

static void linger(struct tcp_conn *tc, uint32_t ms, bool fin)
{
	struct lingering *l;

	if (!tc)
		return;
	l = mem_zalloc(sizeof(*l), destructor);
	if (!l) {
		tcp_tls_release(tc);  /* out of memory: close at once */
		return;
	}
	l->tc = tc;
	/* TLS ends before TCP does: close_notify goes out ahead of the FIN
	 * (what the peer sends after it is dropped unread anyway). */
	if (fin)
		tcp_tls_close_notify(tc);
	tcp_set_handlers(tc, NULL, recv_drop, peer_closed, l);
	list_append(&lingering, &l->le, l);
	tmr_init(&l->tmr);
	tmr_start(&l->tmr, ms, timeout, l);
	if (fin && tcp_conn_txqsz(tc))
		tcp_set_send(tc, send_drained);
	else {
		if (fin)
			shutdown_write(tc);
		tcp_set_send(tc, reading);
	}
}

void linger_close(struct tcp_conn *tc, uint32_t ms)
{
	linger(tc, ms, true);
}

void linger_wait(struct tcp_conn *tc, uint32_t ms)
{
	linger(tc, ms, false);
}

void linger_close_all(void)
{
	list_flush(&lingering);
}
