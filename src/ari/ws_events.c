/* ws.c — the ARI events WebSocket (GET /ari/events): upgrade checks, the
 * RFC 6455 handshake and framing over the tcp_conn that http.c hands over,
 * Stasis app registration for the socket's lifetime, one text frame per
 * event, and REST over WebSocket requests (README §5).
 *
 * Not libre's websock: it cannot answer Sec-WebSocket-Protocol, caps
 * incoming frames at 128 KB and needs libre's http server. */
#include <errno.h>
#include <stdint.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <re_types.h>
#include <re_fmt.h>
#include <re_mem.h>
#include <re_mbuf.h>
#include <re_list.h>
#include <re_sa.h>
#include <re_tmr.h>
#include <re_tcp.h>
#include "ari/models.h"
#include "ari/http_int.h"
#include "ari/linger.h"
#include "ari/request.h"
#include "ari/ws_frame.h"
#include "ari/ws_rest.h"
#include "core/stasis.h"
#include "base/log.h"

/* ---- the WebSocket connection ---- */

struct ws_conn;

/* A whole message (fragments joined): text, or binary. */
typedef void (ws_recv_h)(bool binary, const char *data, size_t len,
			 void *arg);
/* The WebSocket is over: the peer closed it (close frame or TCP), broke
 * the protocol, or does not read what is sent. Called once, never for
 * ws_conn_close(); no handler comes after it, and it may mem_deref the
 * ws_conn. */
typedef void (ws_close_h)(void *arg);

enum {
	WS_TXQ_MAX  = 8 * 1024 * 1024,   /* peer not reading: close beyond */
	WS_MSG_MAX  = 4 * 1024 * 1024,   /* incoming message size limit */
	WS_RX_MAX   = WS_MSG_MAX + 64,
	WS_LINGER_MS = 2000,
};

struct ws_conn {
	struct tcp_conn *tc;  /* NULL once handed to linger.c */
	struct tmr tmr;       /* reports a failed send outside the sender */
	char peer[64];
	struct mbuf *rx;      /* received, not yet parsed: buf[0..end) */
	struct mbuf *msg;     /* fragmented message being joined */
	int msgop;            /* its opcode; 0: none in progress */
	bool closing;         /* nothing is sent or received any more */
	bool reported;        /* closeh was called */
	ws_recv_h *recvh;
	ws_close_h *closeh;
	void *arg;
};

static void conn_destructor(void *arg)
{
	struct ws_conn *wc = arg;

	tmr_cancel(&wc->tmr);
	mem_deref(wc->tc);
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

static int send_frame(struct ws_conn *wc, enum ws_opcode op,
		      const void *data, size_t len)
{
	uint8_t hdr[WS_FRAME_HEAD_MAX];
	struct mbuf *mb;
	size_t hl;
	int err;

	if (wc->closing || !wc->tc)
		return ENOTCONN;
	if (tcp_conn_txqsz(wc->tc) + len > WS_TXQ_MAX) {
		drop(wc);
		return EOVERFLOW;
	}
	hl = ws_frame_encode(hdr, op, len, NULL);
	mb = mbuf_alloc(hl + len);
	if (!mb)
		return ENOMEM;
	err = mbuf_write_mem(mb, hdr, hl);
	if (len)
		err |= mbuf_write_mem(mb, data, len);
	mb->pos = 0;
	if (!err)
		err = tcp_send(wc->tc, mb);
	mem_deref(mb);
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
void ws_conn_close(struct ws_conn *wc, uint16_t code, const char *why)
{
	uint8_t p[2] = {(uint8_t)(code >> 8), (uint8_t)code};

	if (!wc || wc->closing)
		return;
	if (why)
		log_verbose(2, "Closing WebSocket from '%s': %s", wc->peer, why);
	send_frame(wc, WS_OP_CLOSE, p, sizeof(p));
	wc->closing = true;
	tmr_cancel(&wc->tmr);
	linger_close(wc->tc, WS_LINGER_MS);
	wc->tc = NULL;
}

/* The peer ended the WebSocket (or broke it): close and tell the owner. */
static void end(struct ws_conn *wc, uint16_t code, const char *why)
{
	ws_conn_close(wc, code, why);
	report_close(wc);
}

const char *ws_conn_peer(const struct ws_conn *wc)
{
	return wc ? wc->peer : "";
}

size_t ws_conn_queued(const struct ws_conn *wc)
{
	return wc && wc->tc ? tcp_conn_txqsz(wc->tc) : 0;
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

/* RFC 6455 5.5.1: echo the peer's close code; 7.4.1: codes below 1000,
 * 1005, 1006 and 5000 and above are never sent, so receiving one is a
 * protocol error. */
static void peer_close(struct ws_conn *wc, const uint8_t *p, size_t len)
{
	uint16_t code = 1000;

	if (len >= 2)
		code = (uint16_t)(p[0] << 8 | p[1]);
	if (code < 1000 || code == 1005 || code == 1006 || code >= 5000)
		code = 1002;
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
	/* RFC 6455 5.1: clients must mask */
	if (!f->masked) {
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

	ws_frame_mask(b + f.hlen, f.len, f.key);
	if (f.op & 0x8)
		handle_control(wc, &f, b + f.hlen);
	else if (f.op <= WS_OP_BIN)
		handle_data(wc, f.op, f.fin, b + f.hlen, f.len);
	else
		end(wc, 1002, "unknown opcode");
	return f.hlen + f.len;
}

static void rx_consume(struct mbuf *mb, size_t n)
{
	if (n >= mb->end) {
		mb->pos = mb->end = 0;
		return;
	}
	memmove(mb->buf, mb->buf + n, mb->end - n);
	mb->end -= n;
	mb->pos = mb->end;
}

int ws_conn_feed(struct ws_conn *wc, const uint8_t *data, size_t len)
{
	int err = 0;

	if (!wc || wc->closing)
		return ENOTCONN;
	/* a handler may let go of wc: keep it until this returns */
	mem_ref(wc);
	wc->rx->pos = wc->rx->end;
	if (wc->rx->end + len > WS_RX_MAX ||
	    mbuf_write_mem(wc->rx, data, len)) {
		end(wc, 1009, "receive buffer full");
		err = EOVERFLOW;
	}
	while (!err && !wc->closing && wc->rx->end) {
		size_t used = parse_frame(wc);

		if (!used)
			break;
		rx_consume(wc->rx, used);
	}
	mem_deref(wc);
	return err;
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
	tcp_conn_txqsz_set(tc, WS_TXQ_MAX + WS_MSG_MAX + 1024);
	*wcp = wc;
	return 0;
}

/* ---- the upgrade ---- */

/* RFC 6455 4.2.1 checks of the client's handshake; false with the refusal
 * given through resp. The accept key goes to `accept`. */
static bool handshake_ok(const struct ari_req *req, struct ari_resp *resp,
			 const char *proto, char *accept, size_t size)
{
	const char *upgrade = ari_req_header(req, "Upgrade");
	const char *version = ari_req_header(req, "Sec-WebSocket-Version");
	const char *key = ari_req_header(req, "Sec-WebSocket-Key");
	const char *want = ari_req_header(req, "Sec-WebSocket-Protocol");

	if (!http_token_list_has(upgrade, "websocket")) {
		ari_resp_header(resp, "Upgrade: websocket");
		ari_resp_error(resp, 426, "Upgrade Required");
		return false;
	}
	if (!version || strcmp(version, "13")) {
		ari_resp_header(resp, "Sec-WebSocket-Version: 13");
		ari_resp_error(resp, 426, "Unsupported WebSocket version");
		return false;
	}
	if (!key || strlen(key) != 24 || ws_accept_key(key, accept, size)) {
		ari_resp_error(resp, 400, "Invalid Sec-WebSocket-Key");
		return false;
	}
	if (want && !http_token_list_has(want, proto)) {
		ari_resp_error(resp, 400, "No matching WebSocket protocol");
		return false;
	}
	return true;
}

static int send_switching(struct tcp_conn *tc, const char *accept,
			  const char *proto)
{
	struct mbuf *mb = mbuf_alloc(256);
	int err;

	if (!mb)
		return ENOMEM;
	err = mbuf_printf(mb, "HTTP/1.1 101 Switching Protocols\r\n"
			  "Upgrade: websocket\r\n"
			  "Connection: Upgrade\r\n"
			  "Sec-WebSocket-Accept: %s\r\n", accept);
	if (proto)
		err |= mbuf_printf(mb, "Sec-WebSocket-Protocol: %s\r\n",
				   proto);
	err |= mbuf_write_str(mb, "\r\n");
	mb->pos = 0;
	if (!err)
		err = tcp_send(tc, mb);
	mem_deref(mb);
	return err;
}

int ari_ws_accept(struct ws_conn **wcp, struct mbuf **restp,
		  struct ari_req *req, struct ari_resp *resp,
		  const char *proto, ws_recv_h *recvh, ws_close_h *closeh,
		  void *arg)
{
	char accept[64];
	struct tcp_conn *tc;
	int err;

	*restp = NULL;
	if (!handshake_ok(req, resp, proto, accept, sizeof(accept)))
		return EPROTO;
	tc = ari_resp_detach(resp, restp);
	if (!tc)
		return ENOTCONN;
	err = send_switching(tc, accept, ari_req_header(
				     req, "Sec-WebSocket-Protocol") ? proto : NULL);
	if (!err)
		err = ws_conn_alloc(wcp, tc, recvh, closeh, arg);
	if (err) {
		log_warning("WebSocket handshake with '%s' failed: %s",
			    ari_req_peer(req), strerror(err));
		mem_deref(tc);
		*restp = mem_deref(*restp);
		return err;
	}
	log_verbose(2, "WebSocket connection from '%s' for protocol '%s' "
		    "accepted using version '13'", ari_req_peer(req), proto);
	return 0;
}

/* ---- the events session ---- */

enum {
	WS_MAX_APPS = 127,
};

struct ws_sess {
	struct le le;
	struct ws_conn *wc;
	char peer[64];
	char *user;
	bool read_only;
	char *applist;        /* the app parameter, cut at its commas */
	const char *apps[WS_MAX_APPS];  /* into applist */
	int napps;
	bool registered;
	bool busy;            /* inside ari_ws_events: destroy later */
	bool dead;
};

static struct list sessions = LIST_INIT;
static ari_invoke_h *invokeh;  /* routing, for REST over WebSocket */

static void unregister_apps(struct ws_sess *s)
{
	if (!s->registered)
		return;
	s->registered = false;
	for (int i = 0; i < s->napps; i++)
		stasis_app_unregister(s->apps[i], s);
}

static void sess_destructor(void *arg)
{
	struct ws_sess *s = arg;

	list_unlink(&s->le);
	unregister_apps(s);
	mem_deref(s->wc);
	mem_deref(s->user);
	mem_deref(s->applist);
}

static void sess_destroy(struct ws_sess *s)
{
	if (s->busy) {
		s->dead = true;
		return;
	}
	log_verbose(2, "WebSocket connection from '%s' closed", s->peer);
	mem_deref(s);
}

static void send_json(struct ws_sess *s, json_t *j)
{
	char *text;

	if (!j)
		return;
	text = json_dumps(j, ari_http_pretty() ? JSON_INDENT(2) :
			  JSON_COMPACT);
	json_decref(j);
	if (!text)
		return;
	if (ws_conn_send(s->wc, false, text, strlen(text)) == EOVERFLOW)
		log_warning("WebSocket to '%s' (app %s) is not reading: "
			    "%zu bytes queued, closing it", s->peer,
			    s->napps ? s->apps[0] : "?",
			    ws_conn_queued(s->wc));
	free(text);  /* json_dumps() output is jansson's */
}

static void deliver(const char *app, const struct bus_event *ev, void *owner)
{
	struct ws_sess *s = owner;
	json_t *j;

	if (ws_conn_closing(s->wc))
		return;
	j = ari_event_json(app, ev);
	if (!j)
		return;
	/* PUT /applications/{app}/eventFilter applies to every event. */
	if (!stasis_app_event_allowed(stasis_app_find(app),
				      json_string_value(json_object_get(j, "type")))) {
		json_decref(j);
		return;
	}
	send_json(s, j);
}

/* Client messages are REST requests; binary ones mean nothing to ARI. */
static void ws_message(bool binary, const char *data, size_t len, void *arg)
{
	struct ws_sess *s = arg;

	if (binary)
		return;
	send_json(s, ari_ws_rest_message(data, len, s->user, s->read_only,
					 s->peer, invokeh));
}

static void ws_closed(void *arg)
{
	struct ws_sess *s = arg;

	unregister_apps(s);
	sess_destroy(s);
}

/* "a,b" → apps; false with a reply sent when invalid. */
static bool split_apps(struct ws_sess *s, const char *list,
		       struct ari_resp *resp)
{
	char *p;

	if (str_dup(&s->applist, list)) {
		ari_resp_error(resp, 500, "Internal Server Error");
		return false;
	}
	for (p = s->applist;;) {
		char *c = strchr(p, ',');
		size_t l = c ? (size_t)(c - p) : strlen(p);

		if (!l || l > STASIS_APP_NAME_MAX || s->napps >= WS_MAX_APPS) {
			ari_resp_error(resp, 500, "Invalid application "
				       "provided in param [app].");
			return false;
		}
		s->apps[s->napps++] = p;
		if (!c)
			return true;
		*c = '\0';
		p = c + 1;
	}
}

/* The session before the upgrade; NULL with a reply sent. */
static struct ws_sess *sess_alloc(struct ari_req *req, const char *app,
				  struct ari_resp *resp)
{
	struct ws_sess *s = mem_zalloc(sizeof(*s), sess_destructor);

	if (!s) {
		ari_resp_error(resp, 500, "Internal Server Error");
		return NULL;
	}
	if (!split_apps(s, app, resp))
		return mem_deref(s);
	if (str_dup(&s->user, ari_req_user(req) ? ari_req_user(req) : "")) {
		ari_resp_error(resp, 500, "Internal Server Error");
		return mem_deref(s);
	}
	s->read_only = ari_req_read_only(req);
	snprintf(s->peer, sizeof(s->peer), "%s", ari_req_peer(req));
	return s;
}

/* The socket's apps, for its lifetime; on failure the socket is closed. */
static int register_apps(struct ws_sess *s, bool subscribe_all)
{
	s->registered = true;
	for (int i = 0; i < s->napps; i++) {
		int err = stasis_app_register(s->apps[i], subscribe_all,
					      deliver, s);

		if (err) {
			log_warning("Cannot register Stasis app '%s': %s",
				    s->apps[i], strerror(err));
			s->napps = i;  /* the ones before are unregistered */
			ws_conn_close(s->wc, 1011, "app registration failed");
			unregister_apps(s);
			return err;
		}
	}
	return 0;
}

void ari_ws_events(struct ari_req *req, struct ari_resp *resp)
{
	const char *app = ari_req_param(req, "app");
	bool subscribe_all = ari_req_param_bool(req, "subscribeAll", false);
	struct mbuf *rest = NULL;
	struct ws_sess *s;

	if (!app || !*app) {
		ari_resp_error(resp, 400, "missing param: [app]");
		return;
	}
	s = sess_alloc(req, app, resp);
	if (!s)
		return;
	if (ari_ws_accept(&s->wc, &rest, req, resp, "ari", ws_message,
			  ws_closed, s)) {
		mem_deref(s);
		return;
	}
	list_append(&sessions, &s->le, s);
	if (register_apps(s, subscribe_all)) {
		mem_deref(rest);
		sess_destroy(s);
		return;
	}

	/* what the client sent right after its request: now that the apps
	 * exist */
	if (rest) {
		s->busy = true;
		(void)ws_conn_feed(s->wc, rest->buf, rest->end);
		s->busy = false;
		mem_deref(rest);
	}
	if (s->dead)
		sess_destroy(s);
}

void ari_ws_init(ari_invoke_h *h)
{
	invokeh = h;
}

void ari_ws_close_all(void)
{
	while (sessions.head) {
		struct ws_sess *s = sessions.head->data;

		list_unlink(&s->le);
		ws_conn_close(s->wc, 1001, NULL);
		mem_deref(s);
	}
}
