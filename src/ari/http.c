/* http.c — the ARI server's HTTP/1.1 connections: accepting them, reading
 * and framing requests (head, Content-Length or chunked body, 100-continue,
 * keep-alive), checking a crypt(3) password off the loop first, writing
 * replies, closing, and handing a connection over to a WebSocket. What a
 * request means is dispatch.c's; parsing is http_params.c's.
 *
 * It speaks HTTP directly over libre's tcp_conn instead of libre's http
 * server because that one closes requests over 512 KB without a reply, does
 * not frame chunked bodies and cannot hand the connection to our own
 * WebSocket code (docs/ARCHITECTURE.md, "libre caveats"). */
#include <errno.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <re_types.h>
#include <re_fmt.h>
#include <re_mem.h>
#include <re_mbuf.h>
#include <re_list.h>
#include <re_sa.h>
#include <re_tmr.h>
#include <re_tcp.h>
#include "ari/dispatch.h"
#include "ari/http.h"
#include "ari/http_params.h"
#include "ari/http_reply.h"
#include "ari/http_verify.h"
#include "ari/http_guard.h"
#include "net/linger.h"
#include "net/tcp_own.h"
#include "ari/request.h"
#include "base/log.h"
#include "net/tcp_tls.h"

enum {
	TXQ_MAX      = 64 * 1024 * 1024, /* one reply may be big (api-docs) */
	/* A client that sends requests but does not read the replies (or
	 * reads slower than it asks) must not grow the server's memory:
	 * above TXQ_PAUSE queued bytes its next requests wait in rx, unread,
	 * until the queue drains; rx may then hold RX_BACKLOG_MAX before the
	 * connection is closed; and a queue that moves not at all for
	 * STALL_MS closes it too. Per connection that bounds memory to about
	 * one reply plus RX_BACKLOG_MAX. */
	TXQ_PAUSE    = 256 * 1024,
	RX_BACKLOG_MAX = 2 * (HTTP_HEAD_MAX + HTTP_BODY_MAX),
	CHUNKED_RAW_MAX = 2 * HTTP_BODY_MAX,  /* a chunked body in rx */
	BUSY_RETRY_S = 2,       /* Retry-After of an unchecked password */
	STALL_MS     = 30000,
	RXSZ         = 65536,
	RX_MIN_ROOM  = 4096,    /* own_read(): free space in rx to read into */
	IDLE_MS      = 30000,   /* session_inactivity, as Asterisk */
	KEEP_MS      = 15000,   /* session_keep_alive, as Asterisk */
	SESSIONS     = 1000,    /* session_limit (Asterisk: 100) */
	LINGER_MS    = 3000,
};

struct conn {
	struct le le;
	struct tcp_conn *tc;
	struct tmr tmr;
	struct sa peer;
	char peer_str[64];
	struct mbuf *rx;      /* received, not yet processed: buf[0..end) */
	bool have_head;
	struct http_head head;
	size_t hlen, clen;    /* clen: the body's bytes in rx, chunked or not */
	bool chunked;         /* Transfer-Encoding: chunked */
	struct http_chunked ck; /* how far its decoding got */
	char *body;           /* a chunked body's data (mem_alloc'd) */
	bool sent_continue;
	bool close;           /* close after the reply to this request */
	bool upgraded;        /* tcp_conn handed to a WebSocket */
	bool own_read;        /* we read the socket, not libre (read_claim) */
	bool busy;            /* inside conn_process: destroy later */
	bool dead;
	bool tls;             /* accepted on the https listener */
	struct mbuf *held;    /* a reply held back (resp->delay_ms); requests
	                       * behind it wait, their replies keep order */
	bool paused;          /* the client is behind on reading its replies:
	                       * requests wait in rx until the queue drains */
	struct http_verify *verifying; /* the request's crypt(3) password
	                       * is being checked off the loop: it waits */
	int crypt_verdict;    /* what that check found (ari_req) */
};

/* http.conf bindaddr (plain) and, with tlsenable, tlsbindaddr. */
struct listener {
	struct tcp_sock *ts;
	struct tls *tls;      /* NULL: plain HTTP */
};

static struct {
	struct listener plain, secure;
	struct list conns;
	size_t nconns;              /* in conns */
	unsigned session_limit, idle_ms;
	unsigned keep_ms;           /* session_keep_alive; 0: no keep-alive */
	bool limits_set;
	uint64_t refused, told_at;  /* over the limit; last logged */
} g;

static void conn_process(struct conn *c);
static void read_claim(struct conn *c);

/* ---- connections ---- */

static void conn_destructor(void *arg)
{
	struct conn *c = arg;

	if (c->le.list)
		g.nconns--;
	list_unlink(&c->le);
	http_verify_forget(c->verifying);
	tmr_cancel(&c->tmr);
	tcp_tls_release(c->tc);
	http_head_free(&c->head);
	mem_deref(c->body);
	mem_deref(c->rx);
	mem_deref(c->held);
}

static void conn_destroy(struct conn *c)
{
	if (c->busy) {
		c->dead = true;
		return;
	}
	mem_deref(c);
}

/* Close after the queued reply went out (see linger.c). */
static void conn_shutdown(struct conn *c)
{
	/* linger.c's tcp_set_send() puts libre's reader back on the socket */
	c->own_read = false;
	linger_close(c->tc, LINGER_MS);
	c->tc = NULL;
	conn_destroy(c);
}

static void idle_timeout(void *arg)
{
	struct conn *c = arg;

	log_debug(2, "HTTP connection from %s idle, closing", c->peer_str);
	conn_destroy(c);
}

static int rx_append(struct conn *c, const uint8_t *p, size_t n)
{
	c->rx->pos = c->rx->end;
	return mbuf_write_mem(c->rx, p, n);
}

/* Drop the first n bytes of rx (a request, or a CRLF between two). */
static void rx_consume(struct conn *c, size_t n)
{
	c->rx->pos = n < c->rx->end ? n : c->rx->end;
	(void)mbuf_shift(c->rx, -(ssize_t)c->rx->pos);
}

/* New bytes are at the end of rx: act on the requests they complete. */
static void received(struct conn *c)
{
	if ((c->paused || c->held || c->verifying) &&
	    c->rx->end > RX_BACKLOG_MAX) {
		log_warning("HTTP client %s sends requests without reading the "
			    "replies (%zu bytes of replies queued, %zu bytes of "
			    "requests waiting): closing the connection",
			    c->peer_str, c->tc ? tcp_conn_txqsz(c->tc) : 0,
			    c->rx->end);
		conn_destroy(c);
		return;
	}
	c->busy = true;
	conn_process(c);
	c->busy = false;
	if (c->dead || c->upgraded)
		mem_deref(c);
	else
		read_claim(c);
}

/* libre's reader gives us what it read. */
static void recv_handler(struct mbuf *mb, void *arg)
{
	struct conn *c = arg;

	if (rx_append(c, mbuf_buf(mb), mbuf_get_left(mb))) {
		log_warning("Out of memory reading from %s", c->peer_str);
		conn_destroy(c);
		return;
	}
	received(c);
}

/* ---- reading the socket ourselves ----
 * A plain connection with nothing queued for it is read straight into rx,
 * without libre's reader and its costs per request (net/tcp_own.c). TLS
 * connections stay with libre: its TLS layer must see every byte. */

static void read_give_back(struct conn *c)
{
	if (!c->own_read)
		return;
	c->own_read = false;
	tcp_own_give_back(c->tc);
}

/* Every write to the client: a reply libre has to queue makes it take the
 * socket back (its enqueue() listens for writing, with its reader). */
static int conn_write(struct conn *c, struct mbuf *mb)
{
	int err = tcp_send(c->tc, mb);

	if (c->own_read && (!c->tc || tcp_conn_txqsz(c->tc)))
		c->own_read = false;
	return err;
}

static bool rx_room(struct conn *c)
{
	struct mbuf *rx = c->rx;

	if (rx->size - rx->end >= RX_MIN_ROOM)
		return true;
	return !mbuf_resize(rx, rx->end + RXSZ);
}

static void own_read(int flags, void *arg)
{
	struct conn *c = arg;
	ssize_t n;

	(void)flags;
	if (!rx_room(c)) {
		log_warning("Out of memory reading from %s", c->peer_str);
		conn_destroy(c);
		return;
	}
	n = tcp_own_recv(c->tc, c->rx);
	if (!n)
		return;
	if (n < 0) {
		/* libre reads the end (or the error) again and closes the
		 * connection its usual way: close_handler() */
		read_give_back(c);
		return;
	}
	received(c);
}

static void read_claim(struct conn *c)
{
	if (c->own_read || c->tls || !c->tc || c->paused)
		return;
	c->own_read = tcp_own_read(c->tc, own_read, c);
}

static void close_handler(int err, void *arg)
{
	struct conn *c = arg;

	if (err)
		log_debug(2, "HTTP connection from %s closed: %s", c->peer_str,
			  strerror(err));
	conn_destroy(c);
}

/* Over session_limit a connection is closed at once, as Asterisk's
 * "HTTP session count exceeded" (once a second in the log, with how many):
 * connections that never finish a request cannot take every descriptor,
 * and ARI stays reachable for the others as they come and go. */
static bool session_refused(const struct sa *peer)
{
	uint64_t now = tmr_jiffies();

	if (g.nconns < g.session_limit)
		return false;
	g.refused++;
	if (now - g.told_at >= 1000 || !g.told_at) {
		char who[64];

		re_snprintf(who, sizeof(who), "%J", peer);
		log_warning("HTTP session count exceeded %u sessions "
			    "(http.conf sessionlimit); closing the one from "
			    "%s (%llu closed in all)", g.session_limit, who,
			    (unsigned long long)g.refused);
		g.told_at = now ? now : 1;
	}
	return true;
}

static void connect_handler(const struct sa *peer, void *arg)
{
	struct listener *ln = arg;
	struct conn *c;
	int err;

	if (session_refused(peer)) {
		tcp_reject(ln->ts);
		return;
	}
	c = mem_zalloc(sizeof(*c), conn_destructor);
	if (!c) {
		tcp_reject(ln->ts);
		return;
	}
	c->peer = *peer;
	c->tls = ln->tls != NULL;
	re_snprintf(c->peer_str, sizeof(c->peer_str), "%J", peer);
	tmr_init(&c->tmr);
	c->rx = mbuf_alloc(16384);
	if (!c->rx) {
		mem_deref(c);
		tcp_reject(ln->ts);
		return;
	}

	err = tcp_accept(&c->tc, ln->ts, NULL, recv_handler, close_handler, c);
	if (!err && ln->tls)
		err = tcp_tls_attach(c->tc, ln->tls);
	if (err) {
		log_warning("HTTP accept from %s failed: %s", c->peer_str,
			    strerror(err));
		mem_deref(c);
		tcp_reject(ln->ts);
		return;
	}
	tcp_conn_txqsz_set(c->tc, TXQ_MAX);
	tcp_conn_rxsz_set(c->tc, RXSZ);
	list_append(&g.conns, &c->le, c);
	g.nconns++;
	tmr_start(&c->tmr, g.idle_ms, idle_timeout, c);
}

/* Requests left waiting in rx (behind a held reply, or while the client
 * was behind on reading) are taken up again. */
static void read_on(struct conn *c)
{
	tmr_start(&c->tmr, g.idle_ms, idle_timeout, c);
	c->busy = true;
	conn_process(c);
	c->busy = false;
	if (c->dead || c->upgraded)
		mem_deref(c);
}

/* A held reply's time has come: send it, then read on (requests that
 * arrived meanwhile were left in rx). */
static void held_send(void *arg)
{
	struct conn *c = arg;
	struct mbuf *mb = c->held;
	int err;

	c->held = NULL;
	err = conn_write(c, mb);
	mem_deref(mb);
	if (err) {
		log_warning("Cannot send HTTP reply to %s: %s", c->peer_str,
			    strerror(err));
		mem_deref(c);
		return;
	}
	if (c->close) {
		conn_shutdown(c);
		return;
	}
	read_on(c);
}

/* The HTTP/1.1 reply on the connection. */
static void conn_send(struct ari_resp *resp, int code, const char *body,
		      size_t blen, void *arg)
{
	struct conn *c = arg;
	struct mbuf *mb;
	bool head;
	int err;

	/* A reply to HEAD has the headers of the reply but never a body
	 * (RFC 9110 9.3.2): a client reading one would take the body for
	 * the next reply. */
	head = c->have_head && !strcmp(c->head.method, "HEAD");

	mb = mbuf_alloc(512 + blen);
	if (!mb) {
		conn_destroy(c);
		return;
	}
	/* HTTP/1.0 closes unless told otherwise (RFC 9112 9.3) */
	err = http_reply_write(mb, code, resp->hdrs, c->close ? "close" :
			       c->have_head && c->head.minor == 0 ?
			       "keep-alive" : NULL, body, blen, head);
	if (!err && resp->delay_ms) {
		mb->pos = 0;
		c->held = mb;
		tmr_start(&c->tmr, resp->delay_ms, held_send, c);
		return;
	}
	if (!err) {
		mb->pos = 0;
		err = conn_write(c, mb);
	}
	mem_deref(mb);
	if (err) {
		log_warning("Cannot send HTTP reply to %s: %s", c->peer_str,
			    strerror(err));
		conn_destroy(c);
		return;
	}
	if (c->close)
		conn_shutdown(c);
}

static struct tcp_conn *conn_detach(struct mbuf **rest, void *arg)
{
	struct conn *c = arg;
	struct tcp_conn *tc;
	size_t used;

	used = c->hlen + c->clen;
	if (c->rx->end > used) {
		*rest = mbuf_alloc(c->rx->end - used);
		if (*rest && mbuf_write_mem(*rest, c->rx->buf + used,
					    c->rx->end - used))
			*rest = mem_deref(*rest);
	}
	read_give_back(c);  /* the WebSocket reads through libre first */
	tc = c->tc;
	c->tc = NULL;
	c->upgraded = true;
	tmr_cancel(&c->tmr);
	tcp_set_handlers(tc, NULL, NULL, NULL, NULL);
	return tc;
}

/* Early errors (framing): reply and close, the stream cannot be trusted. */
static void early_error(struct conn *c, int code, const char *msg)
{
	struct ari_resp resp = {.sendh = conn_send, .arg = c};

	c->close = true;
	log_debug(1, "HTTP request from %s rejected: %d %s", c->peer_str,
		  code, msg);
	ari_resp_error(&resp, code, "%s", msg);
}

static bool keep_alive(const struct http_head *h)
{
	const char *conn = http_head_get(h, "Connection");

	if (!g.keep_ms || http_token_list_has(conn, "close"))
		return false;
	if (h->minor == 0)
		return http_token_list_has(conn, "keep-alive");
	return true;
}

static void handle_request(struct conn *c)
{
	const struct http_head *h = &c->head;
	struct ari_req req = {.head = h, .tc = c->tc, .peer = c->peer_str,
			      .peer_addr = &c->peer, .tls = c->tls,
			      .method = h->method,
			      .crypt_verdict = c->crypt_verdict};
	struct ari_resp resp = {.sendh = conn_send, .detachh = conn_detach,
				.arg = c, .req = &req};

	c->close = !keep_alive(h);
	if (c->crypt_verdict == HTTP_VERIFY_BUSY) {
		/* Its password was not checked: a 401 would be a lie that
		 * counts against the address and reads as a failed login in
		 * the security log (a real app's, during someone's flood). */
		ari_resp_header(&resp, "Retry-After: %u", BUSY_RETRY_S);
		ari_resp_error(&resp, 503, "Too many password checks waiting");
		return;
	}
	if (c->chunked)
		ari_dispatch_http(&req, &resp, c->body, c->ck.out);
	else
		ari_dispatch_http(&req, &resp, (const char *)c->rx->buf +
				  c->hlen, c->clen);
}

/* RFC 7231 5.1.1: the client waits for this before sending the body. */
static void send_continue(struct conn *c)
{
	struct mbuf *mb = mbuf_alloc(64);

	c->sent_continue = true;
	if (!mb)
		return;
	mbuf_write_str(mb, "HTTP/1.1 100 Continue\r\n\r\n");
	mb->pos = 0;
	(void)conn_write(c, mb);
	mem_deref(mb);
}

/* Framing checks once the head is complete; false when the connection is
 * being closed with an error reply. */
static bool check_framing(struct conn *c)
{
	/* An HTTP/1.0 client's expectation is ignored (RFC 9110 10.1.1). */
	const char *expect = c->head.minor ?
		http_head_get(&c->head, "Expect") : NULL;
	unsigned long long clen;

	enum http_te coding = http_transfer_coding(&c->head);

	/* A body we cannot frame would be read as the next request. */
	if (coding == HTTP_TE_BAD) {
		early_error(c, 400, "Invalid Transfer-Encoding");
		return false;
	}
	if (coding == HTTP_TE_UNKNOWN) {  /* RFC 9112 6.1 */
		early_error(c, 501, "Unsupported Transfer-Encoding");
		return false;
	}
	c->chunked = coding == HTTP_TE_CHUNKED;
	/* Both framings: a request smuggled past some proxy (RFC 9112 6.3). */
	if (c->chunked && http_head_get(&c->head, "Content-Length")) {
		early_error(c, 400, "Both Transfer-Encoding and Content-Length");
		return false;
	}
	if (c->chunked) {
		if (expect && !strcasecmp(expect, "100-continue") &&
		    c->rx->end == c->hlen && !c->sent_continue)
			send_continue(c);
		return true;
	}
	switch (http_content_length(&c->head, &clen)) {
	case 0:
		break;
	case EFBIG:
		early_error(c, 413, "Request body too large");
		return false;
	default:
		early_error(c, 400, "Invalid Content-Length");
		return false;
	}
	if (clen > HTTP_BODY_MAX) {
		early_error(c, 413, "Request body too large");
		return false;
	}
	c->clen = clen;

	if (expect && !strcasecmp(expect, "100-continue") && clen &&
	    c->rx->end - c->hlen < clen && !c->sent_continue)
		send_continue(c);
	return true;
}

/* The head at the start of rx, once it is all there; false when there is
 * nothing more to do now (incomplete, or closing after an error reply). */
static bool read_head(struct conn *c)
{
	size_t hl;
	int err;

	/* skip CRLFs between requests (RFC 7230 3.5) */
	while (c->rx->end && (c->rx->buf[0] == '\r' || c->rx->buf[0] == '\n'))
		rx_consume(c, 1);
	if (!c->rx->end)
		return false;
	/* A method starts with a letter: anything else (a TLS ClientHello
	 * sent to the plain port, binary junk) is refused at once, not after
	 * session_inactivity waiting for a line end that may never come. */
	if (!((c->rx->buf[0] | 0x20) >= 'a' && (c->rx->buf[0] | 0x20) <= 'z')) {
		early_error(c, 400, "Malformed request");
		return false;
	}
	hl = http_head_len((const char *)c->rx->buf, c->rx->end);
	if (!hl || hl > HTTP_HEAD_MAX) {
		if (c->rx->end > HTTP_HEAD_MAX || hl)
			early_error(c, 431, "Request header too large");
		return false;
	}
	err = http_head_parse(&c->head, (const char *)c->rx->buf, hl);
	if (err) {
		early_error(c, err == E2BIG ? 431 : 400,
			    err == E2BIG ? "Too many headers" :
			    "Malformed request");
		return false;
	}
	c->hlen = hl;
	c->have_head = true;
	c->sent_continue = false;
	return check_framing(c);
}

/* The client has read its replies down to nothing queued: read on. */
static void send_drained(void *arg)
{
	struct conn *c = arg;

	tcp_set_send(c->tc, NULL);
	c->paused = false;
	read_on(c);
}

static void send_stalled(void *arg)
{
	struct conn *c = arg;

	log_warning("HTTP client %s has not read its replies for %d s (%zu "
		    "bytes queued): closing the connection", c->peer_str,
		    STALL_MS / 1000, c->tc ? tcp_conn_txqsz(c->tc) : 0);
	conn_destroy(c);
}

/* Too much is queued for the client: stop answering it until it reads. */
static bool conn_behind(struct conn *c)
{
	if (!c->tc || tcp_conn_txqsz(c->tc) <= TXQ_PAUSE)
		return false;
	if (!c->paused) {
		c->paused = true;
		read_give_back(c);  /* libre's reader must see the writes */
		tcp_set_send(c->tc, send_drained);
		tmr_start(&c->tmr, STALL_MS, send_stalled, c);
		log_debug(1, "HTTP client %s is behind (%zu bytes queued): "
			  "its next requests wait", c->peer_str,
			  tcp_conn_txqsz(c->tc));
	}
	return true;
}

/* A chunked body, once it is all in rx: decoded into c->body (as it
 * arrives: http_chunked_decode goes on where it stopped), and c->clen set
 * to the bytes it took in rx. False while more must arrive, or when
 * closing after an error reply. */
static bool read_chunked(struct conn *c)
{
	size_t have = c->rx->end - c->hlen;
	size_t room = have < HTTP_BODY_MAX ? have + 1 : HTTP_BODY_MAX;
	/* libre's mem_realloc() takes no NULL */
	char *b = c->body ? mem_realloc(c->body, room) : mem_alloc(room, NULL);
	int err;

	if (!b) {
		early_error(c, 500, "Out of memory");
		return false;
	}
	c->body = b;
	err = http_chunked_decode(&c->ck, (const char *)c->rx->buf + c->hlen,
				  have, c->body, HTTP_BODY_MAX);
	/* Chunk headers and extensions could make the raw body endless
	 * while its data stay small. */
	if (err == EFBIG || (err == EAGAIN && have > CHUNKED_RAW_MAX)) {
		early_error(c, 413, "Request body too large");
		return false;
	}
	if (err == EBADMSG) {
		early_error(c, 400, "Malformed chunked body");
		return false;
	}
	if (err)
		return false;
	c->clen = c->ck.raw;
	return true;
}

/* The verdict on the request's crypt(3) password (http_verify.h). */
static void verified(int verdict, void *arg)
{
	struct conn *c = arg;

	c->verifying = NULL;
	c->crypt_verdict = verdict;
	read_on(c);
}

/* True when the request now waits for its password's check. */
static bool verify_first(struct conn *c)
{
	if (c->crypt_verdict)
		return false;
	if (!http_verify_start(&c->verifying, &c->head, &c->peer,
			       c->peer_str, verified, c, &c->crypt_verdict))
		return false;
	/* the wait is ours, not the client's silence: the idle timer
	 * starts again with the answer (read_on) */
	tmr_cancel(&c->tmr);
	return true;
}

static void conn_process(struct conn *c)
{
	while (!c->dead && !c->upgraded && !c->held && !c->verifying) {
		if (conn_behind(c))
			break;
		if (!c->have_head && !read_head(c))
			break;
		if (c->chunked ? !read_chunked(c) :
		    c->rx->end < c->hlen + c->clen)
			break;

		if (verify_first(c))
			break;
		tmr_start(&c->tmr, g.idle_ms, idle_timeout, c);
		handle_request(c);
		if (c->upgraded || c->dead)
			break;
		rx_consume(c, c->hlen + c->clen);
		/* Between requests the connection may wait session_keep_alive
		 * for the next one (Asterisk's two timers). */
		if (!c->rx->end && !c->close && !c->held)
			tmr_start(&c->tmr, g.keep_ms, idle_timeout, c);
		http_head_free(&c->head);
		c->body = mem_deref(c->body);
		c->have_head = false;
		c->chunked = false;
		c->crypt_verdict = 0;
		c->hlen = c->clen = 0;
		memset(&c->ck, 0, sizeof(c->ck));
	}
}

/* ---- listening ---- */

static int listen_on(struct listener *ln, const struct sa *laddr)
{
	int err;

	/* tcp_listen() uses a backlog of 5: 50 clients connecting at once
	 * overflowed it and waited for SYN retries (bench/ari_http.sh). */
	err = tcp_sock_alloc(&ln->ts, laddr, connect_handler, ln);
	if (!err)
		err = tcp_sock_bind(ln->ts, laddr);
	if (!err)
		err = tcp_sock_listen(ln->ts, SOMAXCONN);
	if (err) {
		ln->ts = mem_deref(ln->ts);
		return err;
	}
	err = http_guard_add(laddr);
	if (err)
		log_warning("HTTP listener: no guard against running out of "
			    "file descriptors: %s", strerror(err));
	return 0;
}

void ari_http_set_limits(unsigned session_limit, unsigned inactivity_ms,
			 unsigned keep_alive_ms)
{
	g.session_limit = session_limit;
	g.idle_ms = inactivity_ms;
	g.keep_ms = keep_alive_ms;
	g.limits_set = true;
}

int ari_http_listen(const struct sa *laddr)
{
	list_init(&g.conns);
	if (!g.limits_set)
		ari_http_set_limits(SESSIONS, IDLE_MS, KEEP_MS);
	return listen_on(&g.plain, laddr);
}

int ari_http_listen_tls(const struct sa *laddr, struct tls *tls)
{
	int err;

	g.secure.tls = mem_ref(tls);
	err = listen_on(&g.secure, laddr);
	if (err)
		g.secure.tls = mem_deref(g.secure.tls);
	return err;
}

void ari_http_close(void)
{
	http_guard_close();
	g.plain.ts = mem_deref(g.plain.ts);
	g.secure.ts = mem_deref(g.secure.ts);
	while (g.conns.head) {
		struct conn *c = g.conns.head->data;

		list_unlink(&c->le);
		g.nconns--;
		mem_deref(c);
	}
	g.secure.tls = mem_deref(g.secure.tls);
}
