/* http.c — the ARI HTTP/1.1 server: connections, request framing, auth,
 * api-docs, routing to the handlers of the route table and the ari_req /
 * ari_resp interface they use.
 *
 * It speaks HTTP directly over libre's tcp_conn instead of libre's http
 * server because that one closes requests over 512 KB without a reply, does
 * not frame chunked bodies and cannot hand the connection to our own
 * WebSocket code (see ws.c for why libre's websock is not used either).
 * Parsing helpers are in http_params.c. */
#include <errno.h>
#include <stdint.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <sys/socket.h>
#include <re_types.h>
#include <re_fmt.h>
#include <re_mem.h>
#include <re_mbuf.h>
#include <re_list.h>
#include <re_sa.h>
#include <re_tmr.h>
#include <re_tcp.h>
#include "ari/ari.h"
#include "ari/route.h"
#include "ari/http_int.h"
#include "base/config.h"
#include "base/log.h"

#ifndef ARIADNE_VERSION
#define ARIADNE_VERSION "0.0.0"
#endif

enum {
	TXQ_MAX      = 64 * 1024 * 1024, /* one reply may be big (api-docs) */
	RXSZ         = 65536,
	IDLE_MS      = 60000,
	LINGER_MS    = 3000,
};

enum conn_state { CONN_HTTP, CONN_CLOSING };

struct conn {
	struct le le;
	struct tcp_conn *tc;
	struct tmr tmr;
	struct sa peer;
	char peer_str[64];
	enum conn_state state;
	char *rx;             /* received, not yet processed */
	size_t rxlen, rxcap;
	bool have_head;
	struct http_head head;
	size_t hlen, clen;
	bool sent_continue;
	bool close;           /* close after the reply to this request */
	bool upgraded;        /* tcp_conn handed to ws.c */
	bool busy;            /* inside conn_process: destroy later */
	bool dead;
};

struct ari_req {
	const struct http_head *head;  /* NULL for REST over WebSocket */
	struct tcp_conn *tc;           /* NULL for REST over WebSocket */
	const char *peer;              /* for logs; NULL for REST over WebSocket */
	const char *method;
	const char *path;              /* below /ari */
	struct ari_match_result match;
	struct http_params params;
	json_t *body;
	const char *user;
	bool read_only;
};

struct ari_resp;

/* Writes a finished response out (the HTTP connection). */
typedef void (ari_resp_send_h)(struct ari_resp *resp, int code,
			       const char *body, size_t blen, void *arg);
/* Hands the connection over; see ari_resp_detach(). */
typedef struct tcp_conn *(ari_resp_detach_h)(char **rest, size_t *rest_len,
					     void *arg);

struct ari_resp {
	ari_resp_send_h *sendh;      /* NULL: keep code and body */
	ari_resp_detach_h *detachh;  /* NULL: nothing to hand over */
	void *arg;                   /* of both handlers */
	const struct ari_req *req;
	bool done;
	char hdrs[1024];      /* extra header lines */
	int code;
	char *cap_body;
};

static struct {
	struct tcp_sock *ts;
	struct list conns;
} g;

#define cf ari_http_conf

static void conn_process(struct conn *c);

/* ---- connections ---- */

static void conn_destructor(void *arg)
{
	struct conn *c = arg;

	list_unlink(&c->le);
	tmr_cancel(&c->tmr);
	mem_deref(c->tc);
	http_head_free(&c->head);
	free(c->rx);
}

static void conn_destroy(struct conn *c)
{
	if (c->busy) {
		c->dead = true;
		return;
	}
	mem_deref(c);
}

static void linger_timeout(void *arg)
{
	conn_destroy(arg);
}

static void shutdown_write(struct conn *c)
{
	int fd = tcp_conn_fd(c->tc);

	if (fd >= 0)
		(void)shutdown(fd, SHUT_WR);
}

static void send_drained(void *arg)
{
	struct conn *c = arg;

	tcp_set_send(c->tc, NULL);
	shutdown_write(c);
}

/* Close after the queued reply went out: half-close, then read and drop
 * what the client still sends so that the kernel does not reset the
 * connection (and the reply with it) under unread data. */
static void conn_shutdown(struct conn *c)
{
	if (c->state == CONN_CLOSING)
		return;
	c->state = CONN_CLOSING;
	tmr_start(&c->tmr, LINGER_MS, linger_timeout, c);
	if (tcp_conn_txqsz(c->tc) == 0)
		shutdown_write(c);
	else
		tcp_set_send(c->tc, send_drained);
}

static void idle_timeout(void *arg)
{
	struct conn *c = arg;

	log_debug(2, "HTTP connection from %s idle, closing", c->peer_str);
	conn_destroy(c);
}

static int rx_append(struct conn *c, const uint8_t *p, size_t n)
{
	if (c->rxlen + n > c->rxcap) {
		size_t cap = c->rxcap ? c->rxcap : 16384;
		char *nb;

		while (cap < c->rxlen + n)
			cap *= 2;
		nb = realloc(c->rx, cap);
		if (!nb)
			return ENOMEM;
		c->rx = nb;
		c->rxcap = cap;
	}
	memcpy(c->rx + c->rxlen, p, n);
	c->rxlen += n;
	return 0;
}

static void rx_consume(struct conn *c, size_t n)
{
	if (n >= c->rxlen) {
		c->rxlen = 0;
		return;
	}
	memmove(c->rx, c->rx + n, c->rxlen - n);
	c->rxlen -= n;
}

static void recv_handler(struct mbuf *mb, void *arg)
{
	struct conn *c = arg;

	if (c->state == CONN_CLOSING)
		return;
	if (rx_append(c, mbuf_buf(mb), mbuf_get_left(mb))) {
		log_warning("Out of memory reading from %s", c->peer_str);
		conn_destroy(c);
		return;
	}
	c->busy = true;
	conn_process(c);
	c->busy = false;
	if (c->dead || c->upgraded)
		mem_deref(c);
}

static void close_handler(int err, void *arg)
{
	struct conn *c = arg;

	if (err)
		log_debug(2, "HTTP connection from %s closed: %s", c->peer_str,
			  strerror(err));
	conn_destroy(c);
}

static void connect_handler(const struct sa *peer, void *arg)
{
	struct conn *c;
	int err;

	c = mem_zalloc(sizeof(*c), conn_destructor);
	if (!c) {
		tcp_reject(g.ts);
		return;
	}
	c->peer = *peer;
	re_snprintf(c->peer_str, sizeof(c->peer_str), "%J", peer);
	tmr_init(&c->tmr);

	err = tcp_accept(&c->tc, g.ts, NULL, recv_handler, close_handler, c);
	if (err) {
		log_warning("HTTP accept from %s failed: %s", c->peer_str,
			    strerror(err));
		mem_deref(c);
		tcp_reject(g.ts);
		return;
	}
	tcp_conn_txqsz_set(c->tc, TXQ_MAX);
	tcp_conn_rxsz_set(c->tc, RXSZ);
	list_append(&g.conns, &c->le, c);
	tmr_start(&c->tmr, IDLE_MS, idle_timeout, c);
}

/* ---- responses ---- */

static void hdr_add(struct ari_resp *resp, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void hdr_add(struct ari_resp *resp, const char *fmt, ...)
{
	size_t l = strlen(resp->hdrs);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(resp->hdrs + l, sizeof(resp->hdrs) - l, fmt, ap);
	va_end(ap);
}

/* The HTTP/1.1 reply on the connection. */
static void conn_send(struct ari_resp *resp, int code, const char *body,
		      size_t blen, void *arg)
{
	struct conn *c = arg;
	struct mbuf *mb;
	char date[64];
	time_t now = time(NULL);
	struct tm tm;
	int err;

	if (code == 204 || code == 304)
		blen = 0;

	gmtime_r(&now, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", &tm);

	mb = mbuf_alloc(512 + blen);
	if (!mb) {
		conn_destroy(c);
		return;
	}
	err = mbuf_printf(mb,
			  "HTTP/1.1 %d %s\r\n"
			  "Server: Asterisk/ariadne-" ARIADNE_VERSION "\r\n"
			  "Date: %s\r\n"
			  "Cache-Control: no-cache, no-store\r\n"
			  "%s"
			  "%s",
			  code, http_reason(code), date, resp->hdrs,
			  c->close ? "Connection: close\r\n" : "");
	if (code != 204 && code != 304) {
		if (blen)
			err |= mbuf_printf(mb, "Content-Type: application/json\r\n");
		err |= mbuf_printf(mb, "Content-Length: %zu\r\n", blen);
	}
	err |= mbuf_write_str(mb, "\r\n");
	if (blen)
		err |= mbuf_write_mem(mb, (const uint8_t *)body, blen);
	if (!err) {
		mb->pos = 0;
		err = tcp_send(c->tc, mb);
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

static void resp_send(struct ari_resp *resp, int code, const char *body,
		      size_t blen)
{
	if (resp->done) {
		log_warning("Second response (%d) to one request ignored",
			    code);
		return;
	}
	resp->done = true;
	resp->code = code;

	if (resp->req)
		log_debug(1, "%s /ari%s -> %d", resp->req->method,
			  resp->req->path ? resp->req->path : "", code);

	if (!resp->sendh) {
		resp->cap_body = body && blen ? strndup(body, blen) : NULL;
		return;
	}
	resp->sendh(resp, code, body, blen, resp->arg);
}

void ari_resp_json(struct ari_resp *resp, int code, json_t *body)
{
	char *text = NULL;

	if (body) {
		text = json_dumps(body, JSON_ENCODE_ANY | (cf.pretty ?
				  JSON_INDENT(2) : JSON_COMPACT));
		json_decref(body);
		if (!text) {
			code = 500;
			text = strdup("{\"message\":\"Internal Server Error\"}");
		}
	}
	resp_send(resp, code, text, text ? strlen(text) : 0);
	free(text);
}

void ari_resp_error(struct ari_resp *resp, int code, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ari_resp_json(resp, code, json_pack("{s:s}", "message", msg));
}

void ari_resp_no_content(struct ari_resp *resp)
{
	resp_send(resp, 204, NULL, 0);
}

void ari_resp_header(struct ari_resp *resp, const char *fmt, ...)
{
	size_t l = strlen(resp->hdrs);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(resp->hdrs + l, sizeof(resp->hdrs) - l, fmt, ap);
	va_end(ap);
	hdr_add(resp, "\r\n");
}

bool ari_resp_done(const struct ari_resp *resp)
{
	return resp->done;
}

bool ari_http_pretty(void)
{
	return cf.pretty;
}

struct tcp_conn *ari_resp_detach(struct ari_resp *resp, char **rest,
				 size_t *rest_len)
{
	*rest = NULL;
	*rest_len = 0;
	if (!resp->detachh || resp->done)
		return NULL;
	resp->done = true;
	return resp->detachh(rest, rest_len, resp->arg);
}

static struct tcp_conn *conn_detach(char **rest, size_t *rest_len, void *arg)
{
	struct conn *c = arg;
	struct tcp_conn *tc;
	size_t used;

	used = c->hlen + c->clen;
	if (c->rxlen > used) {
		*rest = malloc(c->rxlen - used);
		if (*rest) {
			memcpy(*rest, c->rx + used, c->rxlen - used);
			*rest_len = c->rxlen - used;
		}
	}
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

/* ---- requests ---- */

const char *ari_req_header(const struct ari_req *req, const char *name)
{
	return req->head ? http_head_get(req->head, name) : NULL;
}

const char *ari_req_peer(const struct ari_req *req)
{
	return req->peer ? req->peer : "websocket";
}

const char *ari_req_param(const struct ari_req *req, const char *name)
{
	for (int i = 0; i < req->match.nvars; i++) {
		if (req->match.vars[i].name &&
		    !strcmp(req->match.vars[i].name, name))
			return req->match.vars[i].value;
	}
	return http_params_get(&req->params, name);
}

int ari_req_param_int(const struct ari_req *req, const char *name, int deflt)
{
	const char *v = ari_req_param(req, name);

	return v ? atoi(v) : deflt;
}

bool ari_req_param_bool(const struct ari_req *req, const char *name,
			bool deflt)
{
	const char *v = ari_req_param(req, name);

	return v ? config_true(v) : deflt;
}

json_t *ari_req_body(const struct ari_req *req)
{
	return req->body;
}

const char *ari_req_method(const struct ari_req *req)
{
	return req->method;
}

const char *ari_req_user(const struct ari_req *req)
{
	return req->user;
}

bool ari_req_read_only(const struct ari_req *req)
{
	return req->read_only;
}

/* CORS (only for configured origins), as Asterisk's res_ari does. */
static void add_cors(const struct ari_req *req, struct ari_resp *resp,
		     bool preflight, const char *allow)
{
	const char *origin = ari_req_header(req, "Origin");
	const char *acrh;

	if (!origin)
		return;
	if (!ari_http_origin_allowed(origin)) {
		log_notice("Origin header '%s' does not match an allowed "
			   "origin.", origin);
		return;
	}
	if (preflight) {
		hdr_add(resp, "Access-Control-Allow-Methods: %s\r\n", allow);
		acrh = ari_req_header(req, "Access-Control-Request-Headers");
		if (acrh && !strpbrk(acrh, "\r\n"))
			hdr_add(resp, "Access-Control-Allow-Headers: %s\r\n",
				acrh);
	}
	hdr_add(resp, "Access-Control-Allow-Origin: %s\r\n"
		"Access-Control-Allow-Credentials: true\r\n", origin);
}

/* Parameters from query and body; false when a reply was sent. */
static bool parse_params(struct ari_req *req, struct ari_resp *resp,
			 const char *query, const char *ctype,
			 const char *body, size_t blen)
{
	json_error_t jerr;

	if (query && http_params_parse_query(&req->params, query,
					     strlen(query))) {
		ari_resp_error(resp, 500, "Internal Server Error");
		return false;
	}
	if (!blen)
		return true;

	if (http_ctype_is(ctype, "application/json")) {
		req->body = json_loadb(body, blen, JSON_DECODE_ANY, &jerr);
		if (!req->body || !json_is_object(req->body)) {
			json_decref(req->body);
			req->body = NULL;
			ari_resp_error(resp, 400, "Error parsing request body");
			return false;
		}
		if (http_params_merge_json(&req->params, req->body)) {
			ari_resp_error(resp, 500, "Internal Server Error");
			return false;
		}
	}
	else if (http_ctype_is(ctype, "application/x-www-form-urlencoded")) {
		if (http_params_parse_query(&req->params, body, blen)) {
			ari_resp_error(resp, 500, "Internal Server Error");
			return false;
		}
	}
	return true;
}

/* Routing below /ari, after authentication. */
static void route_invoke(struct ari_req *req, struct ari_resp *resp,
			 const char *query, const char *ctype,
			 const char *body, size_t blen)
{
	const char *path = req->path;
	size_t plen = strlen(path);
	enum ari_match m;

	if (plen > 1 && path[plen - 1] == '/') {
		ari_resp_error(resp, 404, "ARI URLs do not end with a slash. "
			       "Try /ari%.*s", (int)(plen - 1), path);
		return;
	}
	if (plen <= 1) {
		ari_resp_error(resp, 404, "Resource not found");
		return;
	}

	m = ari_route_match(req->method, path, &req->match);
	if (m == ARI_MATCH_NO_PATH) {
		ari_resp_error(resp, 404, "Resource not found");
		return;
	}
	if (!strcmp(req->method, "OPTIONS")) {
		hdr_add(resp, "Allow: %s\r\n", req->match.allow);
		add_cors(req, resp, true, req->match.allow);
		ari_resp_no_content(resp);
		return;
	}
	add_cors(req, resp, false, NULL);
	if (m == ARI_MATCH_NO_METHOD) {
		hdr_add(resp, "Allow: %s\r\n", req->match.allow);
		ari_resp_error(resp, 405, "Invalid method");
		return;
	}

	if (!parse_params(req, resp, query, ctype, body, blen))
		return;

	if (req->match.route->websocket) {
		ari_ws_events(req, resp);
	}
	else if (!req->match.route->handler) {
		ari_resp_error(resp, 501, "Not implemented");
	}
	else {
		req->match.route->handler(req, resp);
		if (!resp->done) {
			log_error("Handler of %s %s gave no response",
				  req->method, req->match.route->path);
			ari_resp_error(resp, 500, "Internal Server Error");
		}
	}
}

static void base_path(const struct ari_req *req, const struct http_head *h,
		      char *buf, size_t size)
{
	const char *host = http_head_get(h, "Host");
	struct sa local;

	if (host && *host && !strpbrk(host, " \"\\/")) {
		snprintf(buf, size, "http://%s%s/ari", host, cf.prefix);
		return;
	}
	if (!tcp_conn_local_get(req->tc, &local))
		re_snprintf(buf, size, "http://%J%s/ari", &local, cf.prefix);
	else
		snprintf(buf, size, "http://127.0.0.1%s/ari", cf.prefix);
}

static void serve_apidocs(const struct ari_req *req,
			  const struct http_head *h, const char *name,
			  struct ari_resp *resp)
{
	char base[512], res[64];
	size_t l = strlen(name);
	json_t *doc = NULL;

	if (strcmp(h->method, "GET")) {
		hdr_add(resp, "Allow: GET\r\n");
		ari_resp_error(resp, 405, "Unsupported method");
		return;
	}
	base_path(req, h, base, sizeof(base));
	if (l > 5 && l - 5 < sizeof(res) && !strcmp(name + l - 5, ".json")) {
		memcpy(res, name, l - 5);
		res[l - 5] = '\0';
		if (!strcmp(res, "resources"))
			doc = ari_apidocs_listing(base);
		else
			doc = ari_apidocs_declaration(res, base);
	}
	if (!doc) {
		ari_resp_error(resp, 404, "Resource not found");
		return;
	}
	ari_resp_json(resp, 200, doc);
}

static bool keep_alive(const struct http_head *h)
{
	const char *conn = http_head_get(h, "Connection");

	if (http_token_list_has(conn, "close"))
		return false;
	if (h->minor == 0)
		return http_token_list_has(conn, "keep-alive");
	return true;
}

static void handle_request(struct conn *c)
{
	const struct http_head *h = &c->head;
	struct ari_req req = {.head = h, .tc = c->tc, .peer = c->peer_str,
			      .method = h->method};
	struct ari_resp resp = {.sendh = conn_send, .detachh = conn_detach,
				.arg = c, .req = &req};
	const struct ari_user *user;
	size_t alen = strlen(cf.prefix) + 4;
	const char *sub;

	c->close = !keep_alive(h);

	/* prefix + "/ari", then "/..." or nothing */
	if (!cf.ari_enabled || strncmp(h->path, cf.prefix, alen - 4) ||
	    strncmp(h->path + alen - 4, "/ari", 4) ||
	    (h->path[alen] && h->path[alen] != '/')) {
		log_debug(1, "%s %s from %s -> 404", h->method, h->path,
			  req.peer);
		ari_resp_error(&resp, 404, "Resource not found");
		return;
	}
	sub = h->path + alen;
	req.path = sub;

	user = ari_http_authenticate(h);
	if (!user) {
		hdr_add(&resp, "WWW-Authenticate: Basic realm=\"%s\"\r\n",
			cf.realm);
		ari_resp_error(&resp, 401, "Authentication required");
		return;
	}
	req.user = user->name;
	req.read_only = user->read_only;
	if (user->read_only && strcmp(h->method, "GET") &&
	    strcmp(h->method, "OPTIONS")) {
		ari_resp_error(&resp, 403, "Write access denied");
		return;
	}

	if (!strncmp(sub, "/api-docs/", 10)) {
		serve_apidocs(&req, h, sub + 10, &resp);
		return;
	}

	route_invoke(&req, &resp, h->query, http_head_get(h, "Content-Type"),
		     c->rx + c->hlen, c->clen);
	http_params_reset(&req.params);
	json_decref(req.body);
}

/* Framing checks once the head is complete; false when the connection is
 * being closed with an error reply. */
static bool check_framing(struct conn *c)
{
	const struct http_head *h = &c->head;
	const char *te = http_head_get(h, "Transfer-Encoding");
	const char *expect = http_head_get(h, "Expect");
	unsigned long long clen = 0;

	/* A body we cannot frame would be read as the next request. */
	if (te && strcasecmp(te, "identity")) {
		early_error(c, 411, "Length Required");
		return false;
	}
	for (int i = 0; i < h->nhdr; i++) {
		const char *v = h->hdr[i].value;
		unsigned long long n = 0;

		if (strcasecmp(h->hdr[i].name, "Content-Length"))
			continue;
		if (!*v || strspn(v, "0123456789") != strlen(v) ||
		    strlen(v) > 15) {
			if (*v && strspn(v, "0123456789") == strlen(v)) {
				early_error(c, 413, "Request body too large");
				return false;
			}
			early_error(c, 400, "Invalid Content-Length");
			return false;
		}
		n = strtoull(v, NULL, 10);
		if (i && clen && n != clen) {
			early_error(c, 400, "Invalid Content-Length");
			return false;
		}
		clen = n;
	}
	if (clen > HTTP_BODY_MAX) {
		early_error(c, 413, "Request body too large");
		return false;
	}
	c->clen = clen;

	if (expect && !strcasecmp(expect, "100-continue") && clen &&
	    c->rxlen - c->hlen < clen && !c->sent_continue) {
		struct mbuf *mb = mbuf_alloc(64);

		c->sent_continue = true;
		if (mb) {
			mbuf_write_str(mb, "HTTP/1.1 100 Continue\r\n\r\n");
			mb->pos = 0;
			(void)tcp_send(c->tc, mb);
			mem_deref(mb);
		}
	}
	return true;
}

static void conn_process(struct conn *c)
{
	while (c->state == CONN_HTTP && !c->dead && !c->upgraded) {
		int err;

		if (!c->have_head) {
			size_t hl;

			/* skip CRLFs between requests (RFC 7230 3.5) */
			while (c->rxlen && (c->rx[0] == '\r' ||
					    c->rx[0] == '\n'))
				rx_consume(c, 1);
			if (!c->rxlen)
				break;
			hl = http_head_len(c->rx, c->rxlen);
			if (!hl || hl > HTTP_HEAD_MAX) {
				if (c->rxlen > HTTP_HEAD_MAX || hl)
					early_error(c, 431, "Request header "
						    "too large");
				break;
			}
			err = http_head_parse(&c->head, c->rx, hl);
			if (err) {
				early_error(c, err == E2BIG ? 431 : 400,
					    err == E2BIG ? "Too many headers" :
					    "Malformed request");
				break;
			}
			c->hlen = hl;
			c->have_head = true;
			c->sent_continue = false;
			if (!check_framing(c))
				break;
		}
		if (c->rxlen < c->hlen + c->clen)
			break;

		tmr_start(&c->tmr, IDLE_MS, idle_timeout, c);
		handle_request(c);
		if (c->upgraded || c->dead)
			break;
		rx_consume(c, c->hlen + c->clen);
		http_head_free(&c->head);
		c->have_head = false;
		c->hlen = c->clen = 0;
	}
}

/* ---- REST over WebSocket ---- */

void ari_http_invoke(struct ari_invoke *inv)
{
	struct ari_req req = {.method = inv->method, .path = inv->path,
			      .user = inv->user, .read_only = inv->read_only};
	struct ari_resp resp = {.req = &req};

	if (inv->read_only && strcmp(inv->method, "GET") &&
	    strcmp(inv->method, "OPTIONS"))
		ari_resp_error(&resp, 403, "Write access denied");
	else
		route_invoke(&req, &resp, inv->query, inv->ctype, inv->body,
			     inv->body ? strlen(inv->body) : 0);
	http_params_reset(&req.params);
	json_decref(req.body);
	inv->code = resp.done ? resp.code : 500;
	inv->resp_body = resp.cap_body;
}

/* ---- start and stop ---- */

static const char *cfg(const struct config *c, const char *name)
{
	return c ? config_get(c, "general", name) : NULL;
}

int ari_init(const struct config *httpconf, const struct config *ariconf)
{
	const char *v, *bindaddr;
	char where[80];
	unsigned port = 8088;
	struct sa laddr;
	int err;

	list_init(&g.conns);
	ari_ws_init(ari_http_invoke);

	err = ari_http_conf_load(httpconf, ariconf);
	if (err)
		goto fail;

	v = cfg(httpconf, "enabled");
	if (v && config_false(v)) {
		log_notice("HTTP server disabled in http.conf");
		return 0;
	}

	bindaddr = cfg(httpconf, "bindaddr");
	if (!bindaddr || !*bindaddr)
		bindaddr = "127.0.0.1";
	v = cfg(httpconf, "bindport");
	if (v && *v) {
		char *end;
		unsigned long p = strtoul(v, &end, 10);

		if (*end || !p || p > 65535) {
			log_error("http.conf: invalid bindport '%s'", v);
			err = EINVAL;
			goto fail;
		}
		port = (unsigned)p;
	}
	err = sa_set_str(&laddr, bindaddr, (uint16_t)port);
	if (err) {
		log_error("http.conf: invalid bindaddr '%s'", bindaddr);
		goto fail;
	}
	/* tcp_listen() uses a backlog of 5: 50 clients connecting at once
	 * overflowed it and waited for SYN retries (bench/ari_http.sh). */
	err = tcp_sock_alloc(&g.ts, &laddr, connect_handler, NULL);
	if (!err)
		err = tcp_sock_bind(g.ts, &laddr);
	if (!err)
		err = tcp_sock_listen(g.ts, SOMAXCONN);
	if (err) {
		log_error("Cannot listen for HTTP on %s:%u: %s", bindaddr,
			  port, strerror(err));
		goto fail;
	}
	re_snprintf(where, sizeof(where), "%J", &laddr);
	log_notice("HTTP server listening on %s (ARI at http://%s%s/ari)",
		   where, where, cf.prefix);
	return 0;

 fail:
	ari_close();
	return err;
}

void ari_close(void)
{
	ari_ws_close_all();
	g.ts = mem_deref(g.ts);
	while (g.conns.head) {
		struct conn *c = g.conns.head->data;

		list_unlink(&c->le);
		mem_deref(c);
	}
	ari_http_conf_free();
}
