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

enum {
	WS_TXQ_MAX  = 8 * 1024 * 1024,   /* slow consumer: close beyond */
	WS_MSG_MAX  = 4 * 1024 * 1024,   /* incoming message size limit */
	WS_RX_MAX   = WS_MSG_MAX + 64,
	WS_LINGER_MS = 2000,
	WS_MAX_APPS = 127,
};

enum ws_op {
	OP_CONT = 0x0, OP_TEXT = 0x1, OP_BIN = 0x2,
	OP_CLOSE = 0x8, OP_PING = 0x9, OP_PONG = 0xa,
};

struct ws_sess {
	struct le le;
	struct tcp_conn *tc;
	struct tmr tmr;
	char peer[64];
	char *user;
	bool read_only;
	char **apps;
	int napps;
	bool registered;
	char *rx;
	size_t rxlen, rxcap;
	char *msg;            /* fragmented message being assembled */
	size_t msglen;
	int msgop;            /* 0: none in progress */
	bool closing;         /* close frame sent or failed: no more sends */
	bool busy;
	bool dead;
};

static struct list sessions = LIST_INIT;
static ari_invoke_h *invokeh;  /* routing, for REST over WebSocket */

/* ---- session life ---- */

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
	tmr_cancel(&s->tmr);
	unregister_apps(s);
	mem_deref(s->tc);
	for (int i = 0; i < s->napps; i++)
		free(s->apps[i]);
	free(s->apps);
	free(s->user);
	free(s->rx);
	free(s->msg);
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

static void deferred_destroy(void *arg)
{
	sess_destroy(arg);
}

/* Raw frame; false when the socket is being dropped. */
static bool send_frame(struct ws_sess *s, enum ws_op op, const void *data,
		       size_t len)
{
	uint8_t hdr[10];
	size_t hl = 2;
	struct mbuf *mb;
	int err;

	if (s->closing || !s->tc)
		return false;

	if (tcp_conn_txqsz(s->tc) + len > WS_TXQ_MAX) {
		log_warning("WebSocket to '%s' (app %s) is not reading: "
			    "%zu bytes queued, closing it", s->peer,
			    s->napps ? s->apps[0] : "?",
			    tcp_conn_txqsz(s->tc));
		s->closing = true;
		/* we may be inside Stasis event delivery: unwind first */
		tmr_start(&s->tmr, 0, deferred_destroy, s);
		return false;
	}

	hdr[0] = 0x80 | op;
	if (len < 126) {
		hdr[1] = (uint8_t)len;
	}
	else if (len <= 0xffff) {
		hdr[1] = 126;
		hdr[2] = (uint8_t)(len >> 8);
		hdr[3] = (uint8_t)len;
		hl = 4;
	}
	else {
		hdr[1] = 127;
		for (int i = 0; i < 8; i++)
			hdr[2 + i] = (uint8_t)((uint64_t)len >> (56 - 8 * i));
		hl = 10;
	}
	mb = mbuf_alloc(hl + len);
	if (!mb)
		return false;
	err = mbuf_write_mem(mb, hdr, hl);
	if (len)
		err |= mbuf_write_mem(mb, data, len);
	mb->pos = 0;
	if (!err)
		err = tcp_send(s->tc, mb);
	mem_deref(mb);
	if (err) {
		log_warning("WebSocket send to '%s' failed: %s", s->peer,
			    strerror(err));
		s->closing = true;
		tmr_start(&s->tmr, 0, deferred_destroy, s);
		return false;
	}
	return true;
}

/* Send a close frame, drop the apps, let the connection linger. */
static void sess_close(struct ws_sess *s, uint16_t code, const char *why)
{
	uint8_t p[2] = {(uint8_t)(code >> 8), (uint8_t)code};

	if (s->closing)
		return;
	if (why)
		log_verbose(2, "Closing WebSocket from '%s': %s", s->peer, why);
	send_frame(s, OP_CLOSE, p, sizeof(p));
	s->closing = true;
	unregister_apps(s);
	linger_close(s->tc, WS_LINGER_MS);
	s->tc = NULL;
	/* we may be inside the socket's own code: unwind first */
	tmr_start(&s->tmr, 0, deferred_destroy, s);
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
	send_frame(s, OP_TEXT, text, strlen(text));
	free(text);
}

static void deliver(const char *app, const struct bus_event *ev, void *owner)
{
	struct ws_sess *s = owner;
	json_t *j;

	if (s->closing)
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

static void handle_text(struct ws_sess *s, const char *p, size_t len)
{
	send_json(s, ari_ws_rest_message(p, len, s->user, s->read_only,
					 s->peer, invokeh));
}

/* ---- frames from the client ---- */

static void handle_data(struct ws_sess *s, int op, bool fin, const char *p,
			size_t len)
{
	if (op != OP_CONT) {
		if (s->msgop) {
			sess_close(s, 1002, "new message inside fragmented one");
			return;
		}
		if (fin) {
			if (op == OP_TEXT)
				handle_text(s, p, len);
			return;  /* binary frames are ignored */
		}
		s->msgop = op;
		s->msglen = 0;
	}
	else if (!s->msgop) {
		sess_close(s, 1002, "continuation without a message");
		return;
	}
	if (s->msglen + len > WS_MSG_MAX) {
		sess_close(s, 1009, "message too big");
		return;
	}
	{
		char *n = realloc(s->msg, s->msglen + len + 1);
		if (!n) {
			sess_close(s, 1011, "out of memory");
			return;
		}
		s->msg = n;
	}
	memcpy(s->msg + s->msglen, p, len);
	s->msglen += len;
	if (fin) {
		int mop = s->msgop;

		s->msgop = 0;
		if (mop == OP_TEXT)
			handle_text(s, s->msg, s->msglen);
		free(s->msg);
		s->msg = NULL;
		s->msglen = 0;
	}
}

/* One frame at the start of rx; returns bytes used, 0 when incomplete. */
static size_t parse_frame(struct ws_sess *s)
{
	uint8_t *b = (uint8_t *)s->rx;
	size_t hl = 2, n = s->rxlen;
	uint64_t len;
	bool fin, masked;
	int op;
	uint8_t key[4];

	if (n < 2)
		return 0;
	fin = b[0] & 0x80;
	op = b[0] & 0x0f;
	masked = b[1] & 0x80;
	len = b[1] & 0x7f;
	if (len == 126)
		hl += 2;
	else if (len == 127)
		hl += 8;
	if (masked)
		hl += 4;
	if (n < hl)
		return 0;
	if (len == 126) {
		len = (uint64_t)b[2] << 8 | b[3];
	}
	else if (len == 127) {
		len = 0;
		for (int i = 0; i < 8; i++)
			len = len << 8 | b[2 + i];
	}
	if (b[0] & 0x70) {
		sess_close(s, 1002, "reserved bits set");
		return n;
	}
	/* RFC 6455 5.1: clients must mask */
	if (!masked) {
		sess_close(s, 1002, "unmasked client frame");
		return n;
	}
	if (len > WS_MSG_MAX) {
		sess_close(s, 1009, "frame too big");
		return n;
	}
	if (n - hl < len)
		return 0;

	memcpy(key, b + hl - 4, 4);
	for (uint64_t i = 0; i < len; i++)
		b[hl + i] ^= key[i & 3];

	if (op & 0x8) {
		if (!fin || len > 125) {
			sess_close(s, 1002, "bad control frame");
			return n;
		}
		switch (op) {
		case OP_CLOSE: {
			uint16_t code = 1000;

			if (len >= 2)
				code = (uint16_t)(b[hl] << 8 | b[hl + 1]);
			if (code < 1000 || code == 1005 || code == 1006 ||
			    code >= 5000)
				code = 1002;
			sess_close(s, code, NULL);
			return n;
		}
		case OP_PING:
			send_frame(s, OP_PONG, b + hl, len);
			break;
		case OP_PONG:
			break;
		default:
			sess_close(s, 1002, "unknown opcode");
			return n;
		}
	}
	else if (op <= OP_BIN) {
		handle_data(s, op, fin, (const char *)b + hl, len);
	}
	else {
		sess_close(s, 1002, "unknown opcode");
		return n;
	}
	return hl + len;
}

static void process_rx(struct ws_sess *s)
{
	while (!s->closing && !s->dead && s->rxlen) {
		size_t used = parse_frame(s);

		if (!used)
			break;
		if (used >= s->rxlen) {
			s->rxlen = 0;
			break;
		}
		memmove(s->rx, s->rx + used, s->rxlen - used);
		s->rxlen -= used;
	}
}

static int rx_append(struct ws_sess *s, const void *p, size_t n)
{
	if (s->rxlen + n > WS_RX_MAX)
		return EOVERFLOW;
	if (s->rxlen + n > s->rxcap) {
		size_t cap = s->rxcap ? s->rxcap : 8192;
		char *nb;

		while (cap < s->rxlen + n)
			cap *= 2;
		nb = realloc(s->rx, cap);
		if (!nb)
			return ENOMEM;
		s->rx = nb;
		s->rxcap = cap;
	}
	memcpy(s->rx + s->rxlen, p, n);
	s->rxlen += n;
	return 0;
}

static void recv_handler(struct mbuf *mb, void *arg)
{
	struct ws_sess *s = arg;

	if (s->closing)
		return;  /* draining until the peer closes */
	s->busy = true;
	if (rx_append(s, mbuf_buf(mb), mbuf_get_left(mb)))
		sess_close(s, 1009, "receive buffer full");
	else
		process_rx(s);
	s->busy = false;
	if (s->dead)
		sess_destroy(s);
}

static void close_handler(int err, void *arg)
{
	struct ws_sess *s = arg;

	(void)err;
	sess_destroy(s);
}

/* ---- the upgrade ---- */

/* "a,b" → apps; false with a reply sent when invalid. */
static bool split_apps(struct ws_sess *s, const char *list,
		       struct ari_resp *resp)
{
	const char *p = list;

	for (;;) {
		const char *c = strchr(p, ',');
		size_t l = c ? (size_t)(c - p) : strlen(p);
		char **na;

		if (!l || l > STASIS_APP_NAME_MAX || s->napps >= WS_MAX_APPS) {
			ari_resp_error(resp, 500, "Invalid application "
				       "provided in param [app].");
			return false;
		}
		na = realloc(s->apps, (s->napps + 1) * sizeof(*na));
		if (!na) {
			ari_resp_error(resp, 500, "Internal Server Error");
			return false;
		}
		s->apps = na;
		s->apps[s->napps] = strndup(p, l);
		if (!s->apps[s->napps]) {
			ari_resp_error(resp, 500, "Internal Server Error");
			return false;
		}
		s->napps++;
		if (!c)
			return true;
		p = c + 1;
	}
}

void ari_ws_events(struct ari_req *req, struct ari_resp *resp)
{
	const char *app = ari_req_param(req, "app");
	const char *upgrade = ari_req_header(req, "Upgrade");
	const char *version = ari_req_header(req, "Sec-WebSocket-Version");
	const char *key = ari_req_header(req, "Sec-WebSocket-Key");
	const char *proto = ari_req_header(req, "Sec-WebSocket-Protocol");
	bool subscribe_all = ari_req_param_bool(req, "subscribeAll", false);
	char accept[64], *rest = NULL;
	size_t rest_len = 0;
	struct ws_sess *s;
	struct mbuf *mb;
	int err;

	if (!app || !*app) {
		ari_resp_error(resp, 400, "missing param: [app]");
		return;
	}
	s = mem_zalloc(sizeof(*s), sess_destructor);
	if (!s) {
		ari_resp_error(resp, 500, "Internal Server Error");
		return;
	}
	tmr_init(&s->tmr);
	if (!split_apps(s, app, resp))
		goto fail;

	if (!http_token_list_has(upgrade, "websocket")) {
		ari_resp_header(resp, "Upgrade: websocket");
		ari_resp_error(resp, 426, "Upgrade Required");
		goto fail;
	}
	if (!version || strcmp(version, "13")) {
		ari_resp_header(resp, "Sec-WebSocket-Version: 13");
		ari_resp_error(resp, 426, "Unsupported WebSocket version");
		goto fail;
	}
	if (!key || strlen(key) != 24 || ws_accept_key(key, accept,
						       sizeof(accept))) {
		ari_resp_error(resp, 400, "Invalid Sec-WebSocket-Key");
		goto fail;
	}
	if (proto && !http_token_list_has(proto, "ari")) {
		ari_resp_error(resp, 400, "No matching WebSocket protocol");
		goto fail;
	}
	s->user = strdup(ari_req_user(req) ? ari_req_user(req) : "");
	s->read_only = ari_req_read_only(req);
	snprintf(s->peer, sizeof(s->peer), "%s", ari_req_peer(req));
	if (!s->user) {
		ari_resp_error(resp, 500, "Internal Server Error");
		goto fail;
	}

	s->tc = ari_resp_detach(resp, &rest, &rest_len);
	if (!s->tc)
		goto fail;
	tcp_set_handlers(s->tc, NULL, recv_handler, close_handler, s);
	tcp_conn_txqsz_set(s->tc, WS_TXQ_MAX + WS_MSG_MAX + 1024);
	list_append(&sessions, &s->le, s);

	mb = mbuf_alloc(256);
	err = mb ? 0 : ENOMEM;
	if (!err) {
		err = mbuf_printf(mb, "HTTP/1.1 101 Switching Protocols\r\n"
				  "Upgrade: websocket\r\n"
				  "Connection: Upgrade\r\n"
				  "Sec-WebSocket-Accept: %s\r\n"
				  "%s\r\n", accept,
				  proto ? "Sec-WebSocket-Protocol: ari\r\n" :
				  "");
		mb->pos = 0;
		if (!err)
			err = tcp_send(s->tc, mb);
	}
	mem_deref(mb);
	if (err) {
		log_warning("WebSocket handshake with '%s' failed: %s",
			    s->peer, strerror(err));
		free(rest);
		mem_deref(s);
		return;
	}
	log_verbose(2, "WebSocket connection from '%s' for protocol 'ari' "
		    "accepted using version '13'", s->peer);

	s->registered = true;
	for (int i = 0; i < s->napps; i++) {
		err = stasis_app_register(s->apps[i], subscribe_all, deliver,
					  s);
		if (err) {
			log_warning("Cannot register Stasis app '%s': %s",
				    s->apps[i], strerror(err));
			/* the ones before are unregistered with the socket */
			s->napps = i + 1;
			stasis_app_unregister(s->apps[i], s);
			sess_close(s, 1011, "app registration failed");
			break;
		}
	}

	if (rest_len && !s->closing) {
		s->busy = true;
		if (!rx_append(s, rest, rest_len))
			process_rx(s);
		s->busy = false;
	}
	free(rest);
	if (s->dead)
		sess_destroy(s);
	return;

 fail:
	mem_deref(s);
}

void ari_ws_init(ari_invoke_h *h)
{
	invokeh = h;
}

void ari_ws_close_all(void)
{
	while (sessions.head) {
		struct ws_sess *s = sessions.head->data;
		uint8_t p[2] = {1001 >> 8, 1001 & 0xff};

		list_unlink(&s->le);
		send_frame(s, OP_CLOSE, p, sizeof(p));
		mem_deref(s);
	}
}
