/* em_ws_client.c — ariadne dials a WebSocket: the connection_type=client
 * side of WebSocket media channels. TCP (TLS for wss://), the HTTP/1.1
 * upgrade request with a random key, the 101 answer checked (status,
 * Sec-WebSocket-Accept, the subprotocol), then the socket is a ws_conn
 * like any other. Everything is bounded by one time limit (Asterisk's
 * handshake had none: #1979) and nothing waits on the loop. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <re_types.h>
#include <re_fmt.h>
#include <re_mem.h>
#include <re_mbuf.h>
#include <re_list.h>
#include <re_sa.h>
#include <re_tmr.h>
#include <re_tcp.h>
#include <re_srtp.h>
#include <re_tls.h>
#include <re_sys.h>
#include <re_base64.h>
#include "base/log.h"
#include "extmedia/em_int.h"
#include "extmedia/em_ws_client.h"
#include "net/ws_conn.h"
#include "net/ws_frame.h"

enum { HEAD_MAX = 8192 };

struct em_wsc {
	struct tcp_conn *tc;
	struct tls *tls;
	struct tls_conn *tlsc;
	struct tmr tmr;
	struct mbuf *rx;
	char host[256], path[1024], accept[64];
	char offered[256];       /* the subprotocols we asked for, "a, b" */
	struct sa peer;
	bool secure;
	char *request;           /* the upgrade request, sent once connected */
	ws_recv_h *recvh;
	ws_close_h *closeh;
	em_wsc_h *doneh;
	void *arg;
};

static void wsc_destructor(void *arg)
{
	struct em_wsc *c = arg;

	tmr_cancel(&c->tmr);
	mem_deref(c->tlsc);
	mem_deref(c->tc);
	mem_deref(c->tls);
	mem_deref(c->rx);
	mem_deref(c->request);
}

/* Report once: the handlers are cleared first so nothing comes after. */
static void finish(struct em_wsc *c, int err, struct ws_conn *wc)
{
	em_wsc_h *h = c->doneh;

	c->doneh = NULL;
	tmr_cancel(&c->tmr);
	if (h)
		h(err, wc, c->arg);
}

static void timed_out(void *arg)
{
	struct em_wsc *c = arg;

	log_warning("WebSocket client: %s%s timed out", c->host, c->path);
	finish(c, ETIMEDOUT, NULL);
}

/* "ws[s]://host[:port]/path?query" */
static int parse_uri(struct em_wsc *c, const char *uri)
{
	const char *p, *slash;
	char hostport[300];
	uint16_t port;
	size_t n;

	c->secure = !strncmp(uri, "wss://", 6);
	if (!c->secure && strncmp(uri, "ws://", 5))
		return EINVAL;
	p = uri + (c->secure ? 6 : 5);
	slash = strchr(p, '/');
	n = slash ? (size_t)(slash - p) : strlen(p);
	if (!n || n >= sizeof(hostport))
		return EINVAL;
	memcpy(hostport, p, n);
	hostport[n] = '\0';
	str_ncpy(c->path, slash ? slash : "/", sizeof(c->path));
	port = c->secure ? 443 : 80;
	str_ncpy(c->host, hostport, sizeof(c->host));
	return em_conf_resolve(hostport, port, &c->peer);
}

static void ws_closed_early(void *arg)
{
	(void)arg;
}

static bool head_complete(const struct mbuf *mb, size_t *hlen)
{
	for (size_t i = 3; i < mb->end; i++)
		if (!memcmp(mb->buf + i - 3, "\r\n\r\n", 4)) {
			*hlen = i + 1;
			return true;
		}
	return false;
}

/* The header `name` of the answer head (NUL-terminated), or NULL. */
static const char *head_get(char *head, const char *name, char *out,
			    size_t size)
{
	size_t n = strlen(name);

	for (char *l = strstr(head, "\r\n"); l; l = strstr(l + 2, "\r\n")) {
		char *v = l + 2;

		if (!strncasecmp(v, name, n) && v[n] == ':') {
			char *end = strstr(v, "\r\n");

			v += n + 1;
			while (*v == ' ')
				v++;
			n = end ? (size_t)(end - v) : strlen(v);
			if (n >= size)
				n = size - 1;
			memcpy(out, v, n);
			out[n] = '\0';
			return out;
		}
	}
	return NULL;
}

/* Whether `proto` is one of the comma-separated `offered`. */
static bool was_offered(const char *offered, const char *proto)
{
	size_t plen = strlen(proto);

	while (plen && proto[plen - 1] == ' ')
		plen--;
	for (const char *p = offered; *p;) {
		size_t n;

		while (*p == ',' || *p == ' ')
			p++;
		n = strcspn(p, ",");
		while (n && p[n - 1] == ' ')
			n--;
		if (n && n == plen && !strncmp(p, proto, n))
			return true;
		p += strcspn(p, ",");
	}
	return false;
}

static int check_answer(struct em_wsc *c, char *head)
{
	char v[128];
	int code = 0;

	if (sscanf(head, "HTTP/1.1 %d", &code) != 1 || code != 101) {
		log_warning("WebSocket client: %s%s answered %d, not 101",
			    c->host, c->path, code);
		return EPROTO;
	}
	if (!head_get(head, "Sec-WebSocket-Accept", v, sizeof(v)) ||
	    strcmp(v, c->accept)) {
		log_warning("WebSocket client: %s%s sent a wrong "
			    "Sec-WebSocket-Accept", c->host, c->path);
		return EPROTO;
	}
	/* RFC 6455 4.1: a subprotocol we did not offer fails the
	 * connection (none chosen is fine). */
	if (head_get(head, "Sec-WebSocket-Protocol", v, sizeof(v)) &&
	    !was_offered(c->offered, v)) {
		log_warning("WebSocket client: %s%s chose subprotocol '%s', "
			    "which was not offered", c->host, c->path, v);
		return EPROTO;
	}
	return 0;
}

static void upgrade(struct em_wsc *c, size_t hlen)
{
	struct ws_conn *wc = NULL;
	char head[HEAD_MAX + 1];
	int err;

	memcpy(head, c->rx->buf, hlen);
	head[hlen] = '\0';
	err = check_answer(c, head);
	if (!err)
		err = ws_conn_alloc(&wc, c->tc, c->recvh, c->closeh, c->arg);
	if (err) {
		finish(c, err, NULL);
		return;
	}
	c->tc = NULL;            /* the ws_conn's now */
	ws_conn_set_client(wc);
	if (!c->secure)          /* TLS is libre's, in c->tlsc: not for it */
		(void)ws_conn_offload(wc);
	finish(c, 0, wc);
	if (c->rx->end > hlen)
		ws_conn_feed(wc, c->rx->buf + hlen, c->rx->end - hlen);
}

static void recv_h(struct mbuf *mb, void *arg)
{
	struct em_wsc *c = arg;
	size_t hlen;

	if (!c->doneh)
		return;
	if (c->rx->end + mbuf_get_left(mb) > HEAD_MAX) {
		log_warning("WebSocket client: %s%s: answer too long",
			    c->host, c->path);
		finish(c, EPROTO, NULL);
		return;
	}
	c->rx->pos = c->rx->end;
	mbuf_write_mem(c->rx, mbuf_buf(mb), mbuf_get_left(mb));
	if (head_complete(c->rx, &hlen))
		upgrade(c, hlen);
}

static void estab_h(void *arg)
{
	struct em_wsc *c = arg;
	struct mbuf *mb;
	int err;

	if (!c->doneh)
		return;
	mb = mbuf_alloc(strlen(c->request));
	if (!mb) {
		finish(c, ENOMEM, NULL);
		return;
	}
	mbuf_write_str(mb, c->request);
	mb->pos = 0;
	err = tcp_send(c->tc, mb);
	mem_deref(mb);
	if (err)
		finish(c, err, NULL);
}

static void close_h(int err, void *arg)
{
	struct em_wsc *c = arg;

	if (!c->doneh)
		return;
	log_warning("WebSocket client: %s%s: connection failed: %s", c->host,
		    c->path, err ? strerror(err) : "closed by the server");
	finish(c, err ? err : ECONNRESET, NULL);
}

static int make_request(struct em_wsc *c, const struct em_wsc_opts *o)
{
	uint8_t nonce[16];
	char key[32], auth[512] = "", cred[300];
	size_t klen = sizeof(key) - 1, alen;
	int err;

	rand_bytes(nonce, sizeof(nonce));
	err = base64_encode(nonce, sizeof(nonce), key, &klen);
	if (err)
		return err;
	key[klen] = '\0';
	err = ws_accept_key(key, c->accept, sizeof(c->accept));
	if (err)
		return err;
	if (o->username && *o->username) {
		char b64[420];

		alen = sizeof(b64) - 1;
		snprintf(cred, sizeof(cred), "%s:%s", o->username,
			 o->password ? o->password : "");
		if (!base64_encode((uint8_t *)cred, strlen(cred), b64, &alen)) {
			b64[alen] = '\0';
			snprintf(auth, sizeof(auth),
				 "Authorization: Basic %s\r\n", b64);
		}
	}
	str_ncpy(c->offered, o->protocols ? o->protocols : "",
		 sizeof(c->offered));
	return re_sdprintf(&c->request,
			   "GET %s HTTP/1.1\r\n"
			   "Host: %s\r\n"
			   "Upgrade: websocket\r\n"
			   "Connection: Upgrade\r\n"
			   "Sec-WebSocket-Key: %s\r\n"
			   "Sec-WebSocket-Version: 13\r\n"
			   "%s%s%s"
			   "%s"
			   "User-Agent: ariadne\r\n"
			   "\r\n", c->path, c->host, key,
			   o->protocols && *o->protocols ?
			   "Sec-WebSocket-Protocol: " : "",
			   o->protocols && *o->protocols ? o->protocols : "",
			   o->protocols && *o->protocols ? "\r\n" : "", auth);
}

static int start_tls(struct em_wsc *c)
{
	char name[256];
	int err;

	err = tls_alloc(&c->tls, TLS_METHOD_SSLV23, NULL, NULL);
	if (!err && access("/etc/ssl/certs/ca-certificates.crt", R_OK) == 0)
		err = tls_add_ca(c->tls, "/etc/ssl/certs/ca-certificates.crt");
	if (!err)
		err = tls_start_tcp(&c->tlsc, c->tls, c->tc, 0);
	str_ncpy(name, c->host, sizeof(name));
	if (strchr(name, ':') && name[0] != '[')
		*strchr(name, ':') = '\0';
	if (!err)
		err = tls_set_verify_server(c->tlsc, name);
	return err;
}

int em_wsc_connect(struct em_wsc **cp, const char *uri,
		   const struct em_wsc_opts *o, ws_recv_h *recvh,
		   ws_close_h *closeh, em_wsc_h *doneh, void *arg)
{
	struct em_wsc *c = mem_zalloc(sizeof(*c), wsc_destructor);
	int err;

	if (!c)
		return ENOMEM;
	tmr_init(&c->tmr);
	c->recvh = recvh;
	c->closeh = closeh ? closeh : ws_closed_early;
	c->doneh = doneh;
	c->arg = arg;
	c->rx = mbuf_alloc(1024);
	err = c->rx ? parse_uri(c, uri) : ENOMEM;
	if (err == EINVAL)
		log_warning("WebSocket client: invalid URI '%s'", uri);
	if (!err)
		err = make_request(c, o);
	if (!err)
		err = tcp_connect(&c->tc, &c->peer, estab_h, recv_h, close_h, c);
	if (!err && c->secure)
		err = start_tls(c);
	if (err) {
		mem_deref(c);
		return err;
	}
	tmr_start(&c->tmr, o->timeout_ms ? o->timeout_ms : 2000, timed_out, c);
	*cp = c;
	return 0;
}

void em_wsc_cancel(struct em_wsc *c)
{
	if (!c)
		return;
	c->doneh = NULL;
	tmr_cancel(&c->tmr);
}
