/* em_ws_chan.c — the WebSocket/ channel technology (what the socket
 * carries is em_ws.c's).
 *
 * Dial string: WebSocket/<connection>[/<options>], where <connection> is
 * INCOMING (the peer connects to /media/<uuid> on the HTTP server), the id
 * of a websocket_client.conf entry, or — an ariadne extension — a ws:// or
 * wss:// URI, which is then always followed by "/" and the options (maybe
 * none) so they are told from the URI's path. Options, as chan_websocket's:
 * c(<format>), n (no auto-answer), f(plain-text|json|twilio; twilio is
 * ariadne's), p (passthrough), v(k=v,..) (query parameters of a client's
 * URI), d(both|in|out) (media direction seen from the peer), u (accepted).
 *
 * Life: the channel exists from the request; the socket arrives (INCOMING)
 * or is dialled (call()); MEDIA_START goes first, then the channel answers
 * unless n. Whoever ends first — the peer's HANGUP or close, a hangup of
 * the channel (ARI DELETE, the app after the caller left, shutdown) — the
 * channel is hung up once and the socket closed with 1000 once (no phantom
 * channels: Asterisk #1645). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include <re_types.h>
#include <re_fmt.h>
#include <re_mem.h>
#include <re_mbuf.h>
#include <re_list.h>
#include <re_tmr.h>
#include <re_sys.h>
#include "base/defer.h"
#include "base/log.h"
#include "core/channel.h"
#include "core/uuid.h"
#include "extmedia/em_ctl.h"
#include "extmedia/em_int.h"
#include "extmedia/em_ws.h"
#include "extmedia/em_ws_client.h"
#include "extmedia/extmedia.h"
#include "net/ws_conn.h"

static struct list chans;        /* struct em_ws: every WebSocket channel */
static const struct channel_tech ws_tech;

/* ---- the dial string ---- */

struct ws_opts {
	char format[16];
	char query[512];             /* v(): "a=b&c=d" */
	enum em_ctl ctl;
	enum em_dir dir;
	bool no_answer, passthrough;
};

/* The text inside "x(...)" starting at p (p at '('); returns the end. */
static const char *paren(const char *p, char *out, size_t size)
{
	const char *close = strchr(p, ')');
	size_t n;

	if (*p != '(' || !close)
		return NULL;
	n = (size_t)(close - p - 1);
	if (n >= size)
		return NULL;
	memcpy(out, p + 1, n);
	out[n] = '\0';
	return close + 1;
}

static int ctl_of(const char *s, enum em_ctl *ctl)
{
	if (!strcasecmp(s, "json"))
		*ctl = EM_CTL_JSON;
	else if (!strcasecmp(s, "plain-text"))
		*ctl = EM_CTL_PLAIN;
	else if (!strcasecmp(s, "twilio"))
		*ctl = EM_CTL_TWILIO;
	else
		return EINVAL;
	return 0;
}

/* v()'s "name=value,..." goes into the request line of the upgrade as it
 * is, so, as Asterisk (chan_websocket's validate_uri_parameters), every
 * name and value must be URI-encoded already: unreserved characters and
 * %XX escapes only. Anything else (a space, CR/LF, '&', '#') would change
 * the request or add headers to it. */
static bool uri_params_encoded(const char *v)
{
	for (const char *p = v; *p; p++) {
		if (*p == '%') {
			if (!isxdigit((unsigned char)p[1]) ||
			    !isxdigit((unsigned char)p[2]))
				return false;
			p += 2;
		}
		else if (!isalnum((unsigned char)*p) &&
			 !strchr("-._~=,", *p))
			return false;
	}
	return true;
}

/* The options of a dial string. What is wrong goes into why (when given:
 * ARI's transport_data, where an unknown f() value is refused too; a
 * dialplan Dial() only logs that one and uses plain text, as Asterisk). */
static int parse_opts(const char *p, struct ws_opts *o, char *why,
		      size_t wsize)
{
	char v[512];

	while (p && *p) {
		char c = *p++;

		switch (c) {
		case 'n':
			o->no_answer = true;
			break;
		case 'p':
			o->passthrough = true;
			break;
		case 'u':
			break;
		case 'c':
		case 'f':
		case 'd':
		case 'v':
			p = paren(p, v, sizeof(v));
			if (!p) {
				if (why)
					snprintf(why, wsize, "option '%c' "
						 "needs a value in parentheses",
						 c);
				return EINVAL;
			}
			if (c == 'c')
				str_ncpy(o->format, v, sizeof(o->format));
			else if (c == 'f' && ctl_of(v, &o->ctl)) {
				if (why) {
					snprintf(why, wsize, "invalid control "
						 "message format '%s'", v);
					return EINVAL;
				}
				log_warning("WebSocket: invalid control message "
					    "format '%s', using plain-text", v);
			}
			else if (c == 'd' && em_dir_parse(v, &o->dir)) {
				if (why)
					snprintf(why, wsize, "invalid "
						 "direction '%s'", v);
				return EINVAL;
			}
			else if (c == 'v' && !uri_params_encoded(v)) {
				if (why)
					snprintf(why, wsize, "v() names and "
						 "values must be URI-encoded");
				else
					log_warning("WebSocket: v() names and "
						    "values must be "
						    "URI-encoded");
				return EINVAL;
			}
			else if (c == 'v') {
				for (char *q = v; *q; q++)
					if (*q == ',')
						*q = '&';
				str_ncpy(o->query, v, sizeof(o->query));
			}
			break;
		default:
			if (why)
				snprintf(why, wsize, "unknown option '%c'", c);
			else
				log_warning("WebSocket: unknown dial option "
					    "'%c'", c);
			return EINVAL;
		}
	}
	return 0;
}

int extmedia_ws_options_check(const char *opts, bool incoming, char *why,
			      size_t wsize)
{
	struct ws_opts o = {.ctl = EM_CTL_PLAIN};

	if (parse_opts(opts, &o, why, wsize))
		return EINVAL;
	if (incoming && *o.query) {
		snprintf(why, wsize, "v() cannot be used with an incoming "
			 "(server) connection");
		return EINVAL;
	}
	return 0;
}

/* Split "<connection>[/<options>]": a URI's options follow its last '/'. */
static int split(const char *res, char *conn, size_t csize, const char **opts)
{
	bool uri = !strncmp(res, "ws://", 5) || !strncmp(res, "wss://", 6);
	const char *slash = uri ? strrchr(res, '/') : strchr(res, '/');
	size_t n;

	if (uri && slash && slash < strstr(res, "//") + 2)
		slash = NULL;    /* no options: "ws://host" */
	n = slash ? (size_t)(slash - res) : strlen(res);
	if (!n || n >= csize)
		return EINVAL;
	memcpy(conn, res, n);
	conn[n] = '\0';
	*opts = slash ? slash + 1 : "";
	return 0;
}

static int client_uri(struct em_ws *w, const char *conn, const char *query)
{
	const struct em_client *c = em_conf_client(conn);
	const char *base = c ? c->uri : conn;

	if (!c && !extmedia_ws_uri_allowed(conn)) {
		log_warning("WebSocket client connection '%s' not found", conn);
		return ENOENT;
	}
	if (!*query)
		return str_dup(&w->uri, base);
	return re_sdprintf(&w->uri, "%s%c%s", base,
			   strchr(base, '?') ? '&' : '?', query);
}

/* ---- the channel ---- */

static void set_vars(struct em_ws *w)
{
	char n[16];

	snprintf(n, sizeof(n), "%zu", w->e.conv.fmt->frame);
	channel_var_set(w->e.ch, "MEDIA_WEBSOCKET_OPTIMAL_FRAME_SIZE", n);
	channel_var_set(w->e.ch, "MEDIA_WEBSOCKET_CONNECTION_ID", w->conn_id);
}

/* A Stream SID shaped as Twilio's: "MZ" and 32 hexadecimal digits. */
static void twilio_sid(char sid[40])
{
	uint8_t b[16];

	rand_bytes(b, sizeof(b));
	sid[0] = 'M';
	sid[1] = 'Z';
	for (size_t i = 0; i < sizeof(b); i++)
		snprintf(sid + 2 + 2 * i, 3, "%02x", b[i]);
}

static int ws_new(struct em_ws **wp, const char *conn, const struct ws_opts *o)
{
	struct em_ws *w = mem_zalloc(sizeof(*w), em_ws_destructor);
	char uuid[40];
	int err;

	if (!w)
		return ENOMEM;
	w->server = !strcmp(conn, "INCOMING");
	if (w->server) {
		if (*o->query) {
			log_warning("WebSocket: v() is not allowed for "
				    "INCOMING connections");
			err = EINVAL;
		}
		else {
			err = uuid_v4(uuid, sizeof(uuid));
			if (!err)
				err = str_dup(&w->conn_id, uuid);
		}
	}
	else {
		err = client_uri(w, conn, o->query);
		if (!err)
			err = str_dup(&w->conn_id, conn);
	}
	w->ctl = o->ctl;
	w->no_answer = o->no_answer;
	twilio_sid(w->stream_sid);
	if (err) {
		mem_deref(w);
		return err;
	}
	*wp = w;
	return 0;
}

static int ws_request(struct channel **chp, const char *resource,
		      const char *id, const char *other_id)
{
	struct ws_opts o = {.ctl = em_conf.json ? EM_CTL_JSON : EM_CTL_PLAIN};
	const struct em_format *fmt;
	char conn[1024];
	const char *opts;
	struct em_ws *w;
	struct channel *ch;
	int err;

	(void)other_id;
	if (!resource || split(resource, conn, sizeof(conn), &opts) ||
	    parse_opts(opts, &o, NULL, 0))
		return EINVAL;
	fmt = em_format_find(*o.format ? o.format : "ulaw");
	if (!fmt) {
		log_warning("WebSocket: format '%s' is not supported", o.format);
		return ENOTSUP;
	}
	err = ws_new(&w, conn, &o);
	if (err)
		return err;
	err = channel_alloc(&ch, &ws_tech, id, NULL, w, "WebSocket/%s/%p",
			    conn, (void *)w);
	if (err) {
		mem_deref(w);
		return err;
	}
	err = em_init(&w->e, ch, fmt, &em_ws_wire, w);
	/* A Twilio bot has no MEDIA_XOFF to tell it to wait, and sends
	 * whole answers as fast as its speech engine makes them. */
	if (o.ctl == EM_CTL_TWILIO && w->e.max_frames < TWILIO_QUEUE_FRAMES)
		w->e.max_frames = TWILIO_QUEUE_FRAMES;
	w->e.dir = o.dir;
	w->e.passthrough = o.passthrough;
	if (!err)
		err = em_attach(&w->e, w);
	if (err) {
		channel_hangup_quiet(ch, CAUSE_FAILURE, "WebSocket");
		return err;
	}
	list_append(&chans, &w->le, w);
	set_vars(w);
	*chp = ch;
	return 0;
}

/* The socket is up (either way): MEDIA_START, then answer unless n. */
static void socket_up(struct em_ws *w, struct ws_conn *wc)
{
	w->wc = wc;
	em_socket_tune(&w->e, ws_conn_fd(wc));
	w->started = true;
	w->started_ms = tmr_jiffies();
	em_ws_media_start(w);
	if (!w->no_answer && w->e.ch && channel_state(w->e.ch) != CHANNEL_UP)
		channel_set_state(w->e.ch, CHANNEL_UP);
}

static void dialled(int err, struct ws_conn *wc, void *arg)
{
	struct em_ws *w = arg;

	if (!w->e.ch || channel_is_hungup(w->e.ch)) {
		mem_deref(wc);
		return;
	}
	if (err) {
		log_warning("%s: could not connect to '%s': %s",
			    channel_name(w->e.ch), w->uri, strerror(err));
		/* Asterisk: AST_CAUSE_NO_ROUTE_DESTINATION */
		channel_hangup(w->e.ch, 3, "WebSocket");
		return;
	}
	log_verbose(3, "%s: connected to '%s'", channel_name(w->e.ch), w->uri);
	socket_up(w, wc);
}

static int ws_call(struct channel *ch, const char *resource, int timeout_s)
{
	struct em_ws *w = channel_pvt(ch);
	const struct em_client *c;
	struct em_wsc_opts o = {.protocols = "media"};

	(void)resource;
	(void)timeout_s;
	if (!w)
		return EINVAL;
	if (w->server)
		return 0;        /* the peer connects to /media/<id> */
	c = em_conf_client(w->conn_id);
	if (c) {
		o.protocols = c->protocols;
		o.username = c->username;
		o.password = c->password;
		o.timeout_ms = c->timeout_ms;
	}
	if (!o.timeout_ms)
		o.timeout_ms = em_conf.connect_ms;
	return em_wsc_connect(&w->dial, w->uri, &o, extmedia_ws_recv,
			      extmedia_ws_closed, dialled, w);
}

static void ws_hangup(struct channel *ch, int cause)
{
	struct em_ws *w = channel_pvt(ch);

	(void)cause;
	if (!w)
		return;
	channel_set_pvt(ch, NULL);
	list_unlink(&w->le);
	if (w->wc && w->ctl == EM_CTL_TWILIO && w->started)
		em_ws_twilio_stop(w);
	if (w->wc) {
		ws_conn_close(w->wc, 1000, NULL);
		w->wc = mem_deref(w->wc);
	}
	/* A dial in progress may be what is calling us: let it go later. */
	if (w->dial) {
		em_wsc_cancel(w->dial);
		defer_release(w->dial);
		w->dial = NULL;
	}
	em_close(&w->e);
	w->e.ch = NULL;
	mem_deref(w);
}

static int ws_send_digit(struct channel *ch, char digit, int duration_ms)
{
	struct em_ws *w = channel_pvt(ch);

	(void)duration_ms;
	return w ? em_send_digit(&w->e, digit) : ENOTCONN;
}

static const struct channel_tech ws_tech = {
	.type = "WebSocket",
	.description = "WebSocket Channel Driver",
	.request = ws_request,
	.call = ws_call,
	.hangup = ws_hangup,
	.send_digit = ws_send_digit,
};

/* ---- a peer connecting to /media/<id> ---- */

int extmedia_ws_incoming(struct em_ws **wp, const char *conn_id)
{
	for (struct le *le = list_head(&chans); le; le = le->next) {
		struct em_ws *w = le->data;

		if (!w->server || strcmp(w->conn_id, conn_id))
			continue;
		if (w->wc || !w->e.ch || channel_is_hungup(w->e.ch))
			return EALREADY;
		*wp = w;
		return 0;
	}
	return ENOENT;
}

void extmedia_ws_connected(struct em_ws *w, struct ws_conn *wc,
			   const struct mbuf *rest)
{
	log_verbose(3, "%s: media WebSocket from '%s'", channel_name(w->e.ch),
		    ws_conn_peer(wc));
	(void)ws_conn_offload(wc);   /* refused for TLS (wss) */
	socket_up(w, wc);
	if (rest && rest->end)
		ws_conn_feed(wc, rest->buf, rest->end);
}

int em_ws_init(void)
{
	list_init(&chans);
	return channel_tech_register(&ws_tech);
}

void em_ws_close(void)
{
	struct le *le;

	/* Channels are hung up by the core at shutdown before this; what is
	 * left has no channel any more. */
	while ((le = list_head(&chans)))
		list_unlink(le);
}
