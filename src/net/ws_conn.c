/* ws_conn.c — a WebSocket connection (RFC 6455) over a libre tcp_conn,
 * either side (ws_conn_set_client: we dialled, our frames are masked):
 * incoming frames are read, unmasked and joined into messages
 * for the owner's handler; pings are answered; the close handshake, the
 * size limits and a peer that stops reading end the connection. It knows
 * nothing of HTTP (ws_upgrade.c hands it the connection) or of ARI (the
 * owner, e.g. ws_events.c, gets whole messages).
 *
 * Not libre's websock: it cannot answer Sec-WebSocket-Protocol, caps
 * incoming frames at 128 KB and needs libre's HTTP server
 * (docs/ARCHITECTURE.md, "libre caveats"). */
#include <errno.h>
#include <stdint.h>
#include <stdbool.h>
#include <string.h>
#include <sys/types.h>
#include <re_types.h>
#include <re_fmt.h>
#include <re_mem.h>
#include <re_mbuf.h>
#include <re_list.h>
#include <re_sa.h>
#include <re_tmr.h>
#include <re_tcp.h>
#include <re_sys.h>
#include "net/linger.h"
#include "net/tcp_own.h"
#include "net/txoff.h"
#include "net/ws_conn.h"
#include "net/ws_frame.h"
#include "base/log.h"
#include "net/tcp_tls.h"

enum {
	WS_TXQ_MAX  = 8 * 1024 * 1024,   /* peer not reading: close beyond
	                                  * (ws_conn_set_queue_max) */
	WS_MSG_MAX  = 4 * 1024 * 1024,   /* incoming message size limit */
	WS_RX_MAX   = WS_MSG_MAX + 64,
	WS_LINGER_MS = 2000,
};

struct ws_conn {
	struct tcp_conn *tc;  /* NULL once handed to linger.c */
	struct txoff_sock *txs;  /* ws_conn_offload(): the send thread writes */
	struct tmr tmr;       /* reports a failed send outside the sender */
	char peer[64];
	struct mbuf *rx;      /* received, not yet parsed: buf[0..end) */
	struct mbuf *msg;     /* fragmented message being joined */
	int msgop;            /* its opcode; 0: none in progress */
	bool closing;         /* nothing is sent or received any more */
	bool reported;        /* closeh was called */
	bool peer_closed;     /* the peer ended with a close frame */
	bool client;          /* we dialled: our frames are masked */
	bool own_read;        /* ws_conn_offload(): we read the socket */
	size_t txq_max;       /* peer not reading: close beyond */
	ws_recv_h *recvh;
	ws_close_h *closeh;
	void *arg;
};

static void conn_destructor(void *arg)
{
	struct ws_conn *wc = arg;

	tmr_cancel(&wc->tmr);
	txoff_sock_close(wc->txs, false);
	tcp_tls_release(wc->tc);
	mem_deref(wc->rx);
	mem_deref(wc->msg);
}

static void report_close(struct ws_conn *wc)
{
	wc->closing = true;
	tmr_cancel(&wc->tmr);
	if (wc->reported)
		return;
	wc->reported = true;
	wc->closeh(wc->arg);
}

static void deferred_report(void *arg)
{
	report_close(arg);
}

/* Sending failed: stop, and tell the owner once the sender (maybe deep in
 * Stasis event delivery) has unwound. */
static void drop(struct ws_conn *wc)
{
	wc->closing = true;
	tmr_start(&wc->tmr, 0, deferred_report, wc);
}

static void give_back(struct ws_conn *wc)
{
	if (!wc->own_read)
		return;
	wc->own_read = false;
	tcp_own_give_back(wc->tc);
}

/* libre's way: one mbuf of the iovecs, queued by tcp_send. */
static int tcp_sendv(struct tcp_conn *tc, const struct iovec *iov, int n)
{
	struct mbuf *mb;
	size_t len = 0;
	int i, err = 0;

	for (i = 0; i < n; i++)
		len += iov[i].iov_len;
	mb = mbuf_alloc(len);
	if (!mb)
		return ENOMEM;
	for (i = 0; i < n; i++)
		if (iov[i].iov_len)
			err |= mbuf_write_mem(mb, iov[i].iov_base,
					      iov[i].iov_len);
	mb->pos = 0;
	if (!err)
		err = tcp_send(tc, mb);
	mem_deref(mb);
	return err;
}

static int send_frame(struct ws_conn *wc, enum ws_opcode op,
		      const void *data, size_t len)
{
	uint8_t hdr[WS_FRAME_HEAD_MAX], key[4];
	struct iovec iov[2];
	struct mbuf *masked = NULL;
	int err;

	if (wc->closing || !wc->tc)
		return ENOTCONN;
	if (ws_conn_queued(wc) + len > wc->txq_max ||
	    txoff_failed(wc->txs)) {
		drop(wc);
		return EOVERFLOW;
	}
	if (wc->client)
		rand_bytes(key, sizeof(key));
	iov[0].iov_base = hdr;
	iov[0].iov_len = ws_frame_encode(hdr, op, len,
					 wc->client ? key : NULL);
	iov[1].iov_base = (void *)data;
	iov[1].iov_len = len;
	if (wc->client && len) {
		masked = mbuf_alloc(len);
		if (!masked || mbuf_write_mem(masked, data, len)) {
			mem_deref(masked);
			return ENOMEM;
		}
		ws_frame_mask(masked->buf, len, key);
		iov[1].iov_base = masked->buf;
	}
	err = wc->txs ? txoff_sendv(wc->txs, NULL, iov, 2) :
			tcp_sendv(wc->tc, iov, 2);
	mem_deref(masked);
	if (err) {
		log_warning("WebSocket send to '%s' failed: %s", wc->peer,
			    strerror(err));
		drop(wc);
	}
	return err;
}

int ws_conn_send(struct ws_conn *wc, bool binary, const void *data,
		 size_t len)
{
	if (!wc)
		return EINVAL;
	return send_frame(wc, binary ? WS_OP_BIN : WS_OP_TEXT, data, len);
}

/* Close frame, then the connection lingers until the peer closes too. */
static void close_conn(struct ws_conn *wc, uint16_t code, const char *why)
{
	uint8_t p[2] = {(uint8_t)(code >> 8), (uint8_t)code};

	if (wc->closing)
		return;
	if (why)
		log_verbose(2, "Closing WebSocket from '%s': %s", wc->peer, why);
	send_frame(wc, WS_OP_CLOSE, p, sizeof(p));
	wc->closing = true;
	/* linger.c takes the socket back from own_read() itself (its
	 * tcp_set_send() re-registers libre's reader): no give_back() */
	if (wc->txs) {
		/* the thread sends the FIN after the close frame */
		txoff_sock_close(wc->txs, true);
		wc->txs = NULL;
		linger_wait(wc->tc, WS_LINGER_MS);
	}
	else {
		linger_close(wc->tc, WS_LINGER_MS);
	}
	wc->tc = NULL;
}

void ws_conn_close(struct ws_conn *wc, uint16_t code, const char *why)
{
	if (!wc)
		return;
	close_conn(wc, code, why);
	/* the owner knows: no closeh, not even for a send that failed */
	tmr_cancel(&wc->tmr);
	wc->reported = true;
}

/* The peer ended the WebSocket (or broke it): close and tell the owner. */
static void end(struct ws_conn *wc, uint16_t code, const char *why)
{
	close_conn(wc, code, why);
	report_close(wc);
}

bool ws_conn_peer_closed(const struct ws_conn *wc)
{
	return wc && wc->peer_closed;
}

const char *ws_conn_peer(const struct ws_conn *wc)
{
	return wc ? wc->peer : "";
}

size_t ws_conn_queued(const struct ws_conn *wc)
{
	return wc && wc->tc ? tcp_conn_txqsz(wc->tc) + txoff_queued(wc->txs)
			    : 0;
}

bool ws_conn_closing(const struct ws_conn *wc)
{
	return !wc || wc->closing;
}

static void deliver_msg(struct ws_conn *wc, int op, const uint8_t *p,
			size_t len)
{
	wc->recvh(op == WS_OP_BIN, (const char *)p, len, wc->arg);
}

static void handle_data(struct ws_conn *wc, int op, bool fin,
			const uint8_t *p, size_t len)
{
	if (op != WS_OP_CONT) {
		if (wc->msgop) {
			end(wc, 1002, "new message inside fragmented one");
			return;
		}
		if (fin) {
			deliver_msg(wc, op, p, len);
			return;
		}
		wc->msgop = op;
		mbuf_reset(wc->msg);
	}
	else if (!wc->msgop) {
		end(wc, 1002, "continuation without a message");
		return;
	}
	if (wc->msg->end + len > WS_MSG_MAX) {
		end(wc, 1009, "message too big");
		return;
	}
	if (len && mbuf_write_mem(wc->msg, p, len)) {
		end(wc, 1011, "out of memory");
		return;
	}
	if (fin) {
		op = wc->msgop;
		wc->msgop = 0;
		deliver_msg(wc, op, wc->msg->buf, wc->msg->end);
		mbuf_reset(wc->msg);
	}
}

/* RFC 6455 5.5.1: echo the peer's close code; a body of one byte cannot
 * hold one, and 7.4.1: codes below 1000, 1005, 1006 and 5000 and above
 * are never sent, so receiving either is a protocol error. */
static void peer_close(struct ws_conn *wc, const uint8_t *p, size_t len)
{
	uint16_t code = 1000;

	if (len >= 2)
		code = (uint16_t)(p[0] << 8 | p[1]);
	if (len == 1 || code < 1000 || code == 1005 || code == 1006 ||
	    code >= 5000)
		code = 1002;
	wc->peer_closed = true;
	end(wc, code, NULL);
}

static void handle_control(struct ws_conn *wc, const struct ws_frame *f,
			   const uint8_t *p)
{
	/* RFC 6455 5.5: control frames are not fragmented, 125 bytes max */
	if (!f->fin || f->len > 125) {
		end(wc, 1002, "bad control frame");
		return;
	}
	switch (f->op) {
	case WS_OP_CLOSE:
		peer_close(wc, p, f->len);
		break;
	case WS_OP_PING:
		send_frame(wc, WS_OP_PONG, p, f->len);
		break;
	case WS_OP_PONG:
		break;
	default:
		end(wc, 1002, "unknown opcode");
		break;
	}
}

/* A header that must end the connection (checked before the payload is
 * there, so that a huge frame is refused at once); false then. */
static bool header_ok(struct ws_conn *wc, const struct ws_frame *f)
{
	if (f->rsv) {
		end(wc, 1002, "reserved bits set");
		return false;
	}
	/* RFC 6455 5.1: clients must mask (a server must not, but an
	 * unmasking we do not need harms nobody) */
	if (!f->masked && !wc->client) {
		end(wc, 1002, "unmasked client frame");
		return false;
	}
	if (f->len > WS_MSG_MAX) {
		end(wc, 1009, "frame too big");
		return false;
	}
	return true;
}

/* One frame at the start of rx; returns the bytes used, 0 when the frame
 * is not complete yet. */
static size_t parse_frame(struct ws_conn *wc)
{
	uint8_t *b = wc->rx->buf;
	struct ws_frame f;

	if (!ws_frame_decode(&f, b, wc->rx->end))
		return 0;
	if (!header_ok(wc, &f))
		return wc->rx->end;
	if (wc->rx->end - f.hlen < f.len)
		return 0;

	if (f.masked)
		ws_frame_mask(b + f.hlen, f.len, f.key);
	if (f.op & 0x8)
		handle_control(wc, &f, b + f.hlen);
	else if (f.op <= WS_OP_BIN)
		handle_data(wc, f.op, f.fin, b + f.hlen, f.len);
	else
		end(wc, 1002, "unknown opcode");
	return f.hlen + f.len;
}

/* Drop the first n bytes of rx (a parsed frame). */
static void rx_consume(struct mbuf *mb, size_t n)
{
	mb->pos = n < mb->end ? n : mb->end;
	(void)mbuf_shift(mb, -(ssize_t)mb->pos);
}

/* Every whole frame in rx, in order. */
static void parse_all(struct ws_conn *wc)
{
	/* a handler may let go of wc: keep it until this returns */
	mem_ref(wc);
	while (!wc->closing && wc->rx->end) {
		size_t used = parse_frame(wc);

		if (!used)
			break;
		rx_consume(wc->rx, used);
	}
	mem_deref(wc);
}

int ws_conn_feed(struct ws_conn *wc, const uint8_t *data, size_t len)
{
	if (!wc || wc->closing)
		return ENOTCONN;
	wc->rx->pos = wc->rx->end;
	if (wc->rx->end + len > WS_RX_MAX ||
	    mbuf_write_mem(wc->rx, data, len)) {
		end(wc, 1009, "receive buffer full");
		return EOVERFLOW;
	}
	parse_all(wc);
	return 0;
}

/* Room at the end of rx for a read, growing it up to WS_RX_MAX: false
 * (the connection ended) when it is full, i.e. a frame is larger than any
 * the limits let through. What does not fit stays in the kernel until the
 * frames before it are parsed. */
static bool rx_room(struct ws_conn *wc)
{
	struct mbuf *rx = wc->rx;
	size_t size = rx->size;

	while (size - rx->end < 4096 && size < WS_RX_MAX)
		size = size * 2 < WS_RX_MAX ? size * 2 : WS_RX_MAX;
	if (size != rx->size && mbuf_resize(rx, size)) {
		end(wc, 1011, "out of memory");
		return false;
	}
	if (rx->size == rx->end) {
		end(wc, 1009, "receive buffer full");
		return false;
	}
	return true;
}

/* ws_conn_offload()'s reading: straight into rx (net/tcp_own.c). The end
 * of the stream, an error, or a failed send being reported go back to
 * libre, which closes the connection its usual way. */
static void own_read(int flags, void *arg)
{
	struct ws_conn *wc = arg;
	ssize_t n;

	(void)flags;
	mem_ref(wc);   /* end() may make the owner let go of wc */
	if (wc->closing || !rx_room(wc)) {
		give_back(wc);
		goto out;
	}
	n = tcp_own_recv(wc->tc, wc->rx);
	if (n < 0)
		give_back(wc);
	else if (n > 0)
		parse_all(wc);
 out:
	mem_deref(wc);
}

static void recv_handler(struct mbuf *mb, void *arg)
{
	struct ws_conn *wc = arg;

	if (wc->closing)
		return;  /* a failed send is being reported */
	(void)ws_conn_feed(wc, mbuf_buf(mb), mbuf_get_left(mb));
}

static void close_handler(int err, void *arg)
{
	(void)err;
	report_close(arg);
}

int ws_conn_alloc(struct ws_conn **wcp, struct tcp_conn *tc,
		  ws_recv_h *recvh, ws_close_h *closeh, void *arg)
{
	struct ws_conn *wc;
	struct sa peer;

	if (!wcp || !tc || !recvh || !closeh)
		return EINVAL;
	wc = mem_zalloc(sizeof(*wc), conn_destructor);
	if (!wc)
		return ENOMEM;
	tmr_init(&wc->tmr);
	wc->rx = mbuf_alloc(8192);
	wc->msg = mbuf_alloc(512);
	if (!wc->rx || !wc->msg) {
		mem_deref(wc);
		return ENOMEM;
	}
	if (!tcp_conn_peer_get(tc, &peer))
		re_snprintf(wc->peer, sizeof(wc->peer), "%J", &peer);
	wc->recvh = recvh;
	wc->closeh = closeh;
	wc->arg = arg;
	wc->tc = tc;
	tcp_set_handlers(tc, NULL, recv_handler, close_handler, wc);
	ws_conn_set_queue_max(wc, WS_TXQ_MAX);
	*wcp = wc;
	return 0;
}

void ws_conn_set_queue_max(struct ws_conn *wc, size_t bytes)
{
	if (!wc || !wc->tc)
		return;
	wc->txq_max = bytes;
	/* libre's own limit must never refuse first: a refused tcp_send
	 * would lose a frame instead of closing cleanly */
	tcp_conn_txqsz_set(wc->tc, bytes + WS_MSG_MAX + 1024);
}

void ws_conn_set_client(struct ws_conn *wc)
{
	if (wc)
		wc->client = true;
}

int ws_conn_fd(const struct ws_conn *wc)
{
	return wc && wc->tc ? tcp_conn_fd(wc->tc) : -1;
}

int ws_conn_offload(struct ws_conn *wc)
{
	if (!wc || !wc->tc || wc->closing)
		return EINVAL;
	if (wc->txs)
		return 0;
	/* libre's TLS layer must see every byte; what libre still queues
	 * must go before ours. */
	if (tcp_tls_on(wc->tc) || tcp_conn_txqsz(wc->tc))
		return ENOTSUP;
	wc->txs = txoff_sock_open(tcp_conn_fd(wc->tc), true);
	if (!wc->txs)
		return ENOTSUP;
	/* Reading too, while libre has nothing queued: wc owns tc (its
	 * destructor releases it, which ends this registration). */
	wc->own_read = tcp_own_read(wc->tc, own_read, wc);
	return 0;
}
