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
#include <re_base64.h>
#include "ari/models.h"
#include "ari/http_int.h"
#include "ari/linger.h"
#include "ari/request.h"
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

/* ---- SHA-1 (RFC 3174), only for Sec-WebSocket-Accept ---- */

#define ROL(v, n) (((v) << (n)) | ((v) >> (32 - (n))))

static void sha1_block(uint32_t h[5], const uint8_t *p)
{
	uint32_t w[80], a, b, c, d, e, t;

	for (int i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		       (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (int i = 16; i < 80; i++)
		w[i] = ROL(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
	a = h[0]; b = h[1]; c = h[2]; d = h[3]; e = h[4];
	for (int i = 0; i < 80; i++) {
		uint32_t f, k;

		if (i < 20) { f = (b & c) | (~b & d); k = 0x5a827999; }
		else if (i < 40) { f = b ^ c ^ d; k = 0x6ed9eba1; }
		else if (i < 60) { f = (b & c) | (b & d) | (c & d); k = 0x8f1bbcdc; }
		else { f = b ^ c ^ d; k = 0xca62c1d6; }
		t = ROL(a, 5) + f + e + k + w[i];
		e = d; d = c; c = ROL(b, 30); b = a; a = t;
	}
	h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e;
}

static void sha1(const uint8_t *data, size_t len, uint8_t out[20])
{
	uint32_t h[5] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476,
			 0xc3d2e1f0};
	uint8_t blk[64];
	size_t i, rem;
	uint64_t bits = (uint64_t)len * 8;

	for (i = 0; i + 64 <= len; i += 64)
		sha1_block(h, data + i);
	rem = len - i;
	memset(blk, 0, sizeof(blk));
	memcpy(blk, data + i, rem);
	blk[rem] = 0x80;
	if (rem >= 56) {
		sha1_block(h, blk);
		memset(blk, 0, sizeof(blk));
	}
	for (int j = 0; j < 8; j++)
		blk[63 - j] = (uint8_t)(bits >> (8 * j));
	sha1_block(h, blk);
	for (int j = 0; j < 5; j++) {
		out[4 * j] = (uint8_t)(h[j] >> 24);
		out[4 * j + 1] = (uint8_t)(h[j] >> 16);
		out[4 * j + 2] = (uint8_t)(h[j] >> 8);
		out[4 * j + 3] = (uint8_t)h[j];
	}
}

/* RFC 6455 4.2.2: base64(SHA-1(key + GUID)) */
static int ws_accept_key(const char *key, char *out, size_t size)
{
	char buf[128];
	uint8_t dig[20];
	size_t olen = size - 1;
	int n;

	n = snprintf(buf, sizeof(buf), "%s258EAFA5-E914-47DA-95CA-C5AB0DC85B11",
		     key);
	if (n < 0 || (size_t)n >= sizeof(buf))
		return EINVAL;
	sha1((const uint8_t *)buf, (size_t)n, dig);
	if (base64_encode(dig, sizeof(dig), out, &olen))
		return EINVAL;
	out[olen] = '\0';
	return 0;
}

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

/* ---- REST over WebSocket (README §5.3) ---- */

static json_t *rest_response(const json_t *rq, int code, const char *uri,
			     const char *body)
{
	json_t *j = json_object();
	const char *tid = json_string_value(json_object_get(rq, "transaction_id"));
	const char *rid = json_string_value(json_object_get(rq, "request_id"));

	json_object_set_new(j, "type", json_string("RESTResponse"));
	json_object_set_new(j, "transaction_id", json_string(tid ? tid : ""));
	json_object_set_new(j, "request_id", json_string(rid ? rid : ""));
	json_object_set_new(j, "status_code", json_integer(code));
	json_object_set_new(j, "reason_phrase", json_string(http_reason(code)));
	json_object_set_new(j, "uri", json_string(uri ? uri : ""));
	if (body && *body) {
		json_object_set_new(j, "content_type",
				    json_string("application/json"));
		json_object_set_new(j, "message_body", json_string(body));
	}
	return j;
}

struct qbuf {
	char *p;
	size_t len, cap;
	bool err;
};

static void qbuf_put(struct qbuf *q, const char *s, bool encode)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s && !q->err; s++) {
		unsigned char ch = (unsigned char)*s;

		if (q->len + 4 > q->cap) {
			size_t nc = q->cap ? q->cap * 2 : 256;
			char *n = realloc(q->p, nc);

			if (!n) {
				q->err = true;
				return;
			}
			q->p = n;
			q->cap = nc;
		}
		if (!encode || (ch >= 'a' && ch <= 'z') ||
		    (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
		    strchr("-_.~,:", ch)) {
			q->p[q->len++] = (char)ch;
		}
		else {
			q->p[q->len++] = '%';
			q->p[q->len++] = hex[ch >> 4];
			q->p[q->len++] = hex[ch & 15];
		}
		q->p[q->len] = '\0';
	}
}

static json_t *handle_rest(const json_t *rq, const char *user,
			   bool read_only, ari_invoke_h *invokeh)
{
	const char *type = json_string_value(json_object_get(rq, "type"));
	const char *method = json_string_value(json_object_get(rq, "method"));
	const char *uri = json_string_value(json_object_get(rq, "uri"));
	const char *ctype = json_string_value(json_object_get(rq,
							    "content_type"));
	const char *body = json_string_value(json_object_get(rq,
							   "message_body"));
	json_t *qs = json_object_get(rq, "query_strings");
	struct qbuf q = {0};
	struct ari_invoke inv = {.user = user, .read_only = read_only,
				 .method = method, .body = body};
	char *path = NULL, *qm;
	json_t *reply;
	size_t i;
	json_t *e;

	if (!type || strcmp(type, "RESTRequest") || !method || !uri)
		return rest_response(rq, 400, uri, NULL);
	while (*uri == '/')
		uri++;
	if (re_sdprintf(&path, "/%s", uri))
		return rest_response(rq, 500, uri, NULL);
	qm = strchr(path, '?');
	if (qm) {
		*qm = '\0';
		qbuf_put(&q, qm + 1, false);  /* already encoded */
	}
	json_array_foreach(qs, i, e) {
		const char *n = json_string_value(json_object_get(e, "name"));
		const char *v = json_string_value(json_object_get(e, "value"));

		if (!n)
			continue;
		if (q.len)
			qbuf_put(&q, "&", false);
		qbuf_put(&q, n, true);
		qbuf_put(&q, "=", false);
		qbuf_put(&q, v ? v : "", true);
	}
	if (q.err) {
		reply = rest_response(rq, 500, uri, NULL);
	}
	else {
		inv.path = path;
		inv.query = q.p;
		inv.ctype = ctype ? ctype : (body ? "application/json" : NULL);
		invokeh(&inv);
		reply = rest_response(rq, inv.code, uri, inv.resp_body);
	}
	free(inv.resp_body);
	mem_deref(path);
	free(q.p);
	return reply;
}

/* The RESTResponse to one text message. New reference. */
static json_t *rest_message(const char *p, size_t len, const char *user,
			    bool read_only, const char *peer,
			    ari_invoke_h *invokeh)
{
	json_error_t jerr;
	json_t *rq = json_loadb(p, len, 0, &jerr);
	json_t *reply;

	if (!rq) {
		log_debug(1, "WebSocket from '%s': invalid JSON: %s", peer,
			  jerr.text);
		return json_pack("{s:s,s:s,s:s,s:i,s:s,s:s}",
				 "type", "RESTResponse",
				 "transaction_id", "", "request_id", "",
				 "status_code", 400,
				 "reason_phrase", "Bad Request",
				 "uri", "");
	}
	reply = handle_rest(rq, user, read_only, invokeh);
	json_decref(rq);
	return reply;
}

static void handle_text(struct ws_sess *s, const char *p, size_t len)
{
	send_json(s, rest_message(p, len, s->user, s->read_only, s->peer,
				  invokeh));
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
