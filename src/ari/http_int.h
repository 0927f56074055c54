/* http_int.h — what the HTTP server (http.c), its pure parsing helpers
 * (http_params.c) and the events WebSocket (ws.c) share. Internal to
 * src/ari; jansson only (no re.h). */
#ifndef ARIADNE_ARI_HTTP_INT_H
#define ARIADNE_ARI_HTTP_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

struct ari_req;
struct ari_resp;
struct tcp_conn;

enum {
	HTTP_HEAD_MAX = 65536,     /* request line + headers */
	HTTP_BODY_MAX = 524288,    /* larger bodies get 413 */
	HTTP_MAX_HDRS = 100,
};

/* ---- request head (http_params.c) ---- */

struct http_hdr_kv {
	const char *name;
	const char *value;  /* leading/trailing blanks trimmed */
};

struct http_head {
	char *buf;            /* owned copy; every pointer below is into it */
	const char *method;
	const char *path;     /* raw (still percent-encoded), no query */
	const char *query;    /* raw, NULL when there was no '?' */
	int minor;            /* HTTP/1.<minor> */
	struct http_hdr_kv hdr[HTTP_MAX_HDRS];
	int nhdr;
};

/* Length of the head (through the empty line) if `buf` holds a complete one,
 * else 0. Accepts bare LF line ends. */
size_t http_head_len(const char *buf, size_t len);
/* Parse a complete head of `len` bytes. EBADMSG when malformed, E2BIG when
 * there are too many headers, ENOMEM. */
int http_head_parse(struct http_head *h, const char *buf, size_t len);
void http_head_free(struct http_head *h);
/* First header with this name (case-insensitive) or NULL. */
const char *http_head_get(const struct http_head *h, const char *name);
/* Number of headers with this name. */
int http_head_count(const struct http_head *h, const char *name);

/* ---- parameters (http_params.c) ---- */

struct http_kv {
	char *name;
	char *value;
};

/* Name/value list where setting an existing name replaces its value. */
struct http_params {
	struct http_kv *v;
	size_t n, cap;
};

void http_params_reset(struct http_params *p);
int http_params_set(struct http_params *p, const char *name, size_t nlen,
		    const char *value, size_t vlen);
const char *http_params_get(const struct http_params *p, const char *name);
/* Decode `len` bytes of src into dst (room for len + 1); '+' becomes a
 * space when plus_space. Bad %-escapes are kept as they are. */
size_t http_url_decode(char *dst, const char *src, size_t len,
		       bool plus_space);
/* a=1&b=2 (query string or x-www-form-urlencoded body): last repeat wins. */
int http_params_parse_query(struct http_params *p, const char *s, size_t len);
/* Top-level fields of a JSON object: strings as is, numbers and booleans as
 * text, arrays joined with ','; null and objects are skipped. */
int http_params_merge_json(struct http_params *p, const json_t *obj);
/* The first api_key=user:pass of a raw query string, URL-decoded; false
 * when absent, without ':' or with an empty password. */
bool http_api_key(const char *query, char *user, size_t usz, char *pass,
		  size_t psz);
/* "Basic base64(user:pass)" → user, pass; false when not Basic or bad. */
bool http_basic_decode(const char *hval, char *user, size_t usz, char *pass,
		       size_t psz);
/* Content type `ctype` is `want`, case-insensitive, ";params" ignored. */
bool http_ctype_is(const char *ctype, const char *want);
/* Comma separated header value contains token (case-insensitive). */
bool http_token_list_has(const char *list, const char *token);
const char *http_reason(int code);

/* ---- settings and users (http_conf.c) ---- */

struct config;

struct ari_user {
	char *name;
	char *password;
	bool read_only;
};

struct http_conf {
	bool ari_enabled;
	bool pretty;
	char *realm;          /* auth_realm */
	char *prefix;         /* "" or "/something" (http.conf prefix) */
	char *origins;        /* allowed_origins, comma list */
	struct ari_user *users;
	size_t nusers;
};

extern struct http_conf ari_http_conf;

/* ari.conf [general] and users (none given: asterisk/asterisk), http.conf
 * prefix. ENOMEM only: bad entries are logged and skipped. */
int ari_http_conf_load(const struct config *httpconf,
		       const struct config *ariconf);
void ari_http_conf_free(void);
/* README §2: Basic header first, then the first api_key; NULL if none
 * matches a user. */
const struct ari_user *ari_http_authenticate(const struct http_head *h);
/* Origin listed in allowed_origins (or "*" listed). */
bool ari_http_origin_allowed(const char *origin);
/* Is pretty printing configured? */
bool ari_http_pretty(void);

/* ---- REST over WebSocket ---- */


/* One request of REST over WebSocket: the socket's user, method, path below
 * /ari, raw query, content type and body text (may be NULL); the status and
 * the JSON text of the answer (malloc'd, may be NULL) come back in it. */
struct ari_invoke {
	const char *user;
	bool read_only;
	const char *method;
	const char *path;
	const char *query;
	const char *ctype;
	const char *body;
	int code;             /* out */
	char *resp_body;      /* out */
};

/* Runs an ari_invoke through routing; the events WebSocket is handed one at
 * start-up so that it needs nothing from the layers that call it. */
typedef void (ari_invoke_h)(struct ari_invoke *inv);


/* ---- ws.c ---- */

/* GET /events with upgrade; all checks before the upgrade answer via resp. */
void ari_ws_events(struct ari_req *req, struct ari_resp *resp);
/* Close every event socket (apps unregistered). */
void ari_ws_close_all(void);
/* REST requests that arrive on event sockets go to `invokeh`. */
void ari_ws_init(ari_invoke_h *invokeh);

#endif
