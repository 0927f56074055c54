/* http_conf.h — the ARI server's settings and users (http_conf.c).
 * Internal to src/ari. */
#ifndef ARIADNE_ARI_HTTP_CONF_H
#define ARIADNE_ARI_HTTP_CONF_H

#include <stdbool.h>
#include <stddef.h>

struct ari_req;
struct config;
struct http_head;

struct ari_user {
	char *name;
	char *password;       /* plain, or a crypt(3) hash */
	bool read_only;
	bool crypt;           /* password_format = crypt */
	bool ok_cached;       /* ok_digest holds the SHA-256 of the last
	                       * password that matched the hash: crypt(3)
	                       * costs milliseconds, each request checks */
	unsigned char ok_digest[32];
};

struct http_conf {
	bool ari_enabled;
	bool pretty;
	bool metrics_auth;    /* http.conf metrics_auth: /metrics needs an
	                       * ARI user (default yes) */
	char *realm;          /* auth_realm */
	char *prefix;         /* "" or "/something" (http.conf prefix) */
	char *origins;        /* allowed_origins, comma list */
	size_t ws_queue_max;  /* websocket_queue_kb in bytes: an events
	                       * socket that does not read is closed beyond */
	struct ari_user *users;
	size_t nusers;
};

extern struct http_conf ari_http_conf;

/* ari.conf [general] and users (none given: asterisk/asterisk), http.conf
 * prefix. ENOMEM only: bad entries are logged and skipped. */
int ari_http_conf_load(const struct config *httpconf,
		       const struct config *ariconf);
void ari_http_conf_free(void);
/* For a reload: 0 when ari.conf may replace the configuration in force,
 * else EINVAL after logging each error (file:line) and that the old
 * configuration is kept, as Asterisk's res_ari. */
int ari_conf_check(const struct config *ariconf);
/* The user whose credentials the request carries (a Basic Authorization
 * header, else the first api_key query parameter); NULL if none matches.
 * A failure is logged as a security event (InvalidAccountID,
 * InvalidPassword; Service "ARI") and counted against the address;
 * *delay_ms is how long the refusal should be held back (0 on success). */
const struct ari_user *ari_http_authenticate(const struct ari_req *req,
					     unsigned *delay_ms);
/* crypt(3) off the loop. A request whose password must go through
 * crypt(3) before ari_http_authenticate() can answer (a crypt user, a
 * password not yet seen to match) gets a check, else NULL. The check runs
 * on any thread (ari_http_crypt_run); back on the loop,
 * ari_http_crypt_done() remembers a match, frees the check and gives the
 * request's ari_req.crypt_verdict: 1 matched, -1 did not, 0 the user
 * changed meanwhile (check again). */
struct ari_crypt_check;
struct sa;
struct ari_crypt_check *ari_http_crypt_check(const struct http_head *h,
					     const struct sa *peer);
void ari_http_crypt_run(struct ari_crypt_check *chk);
int ari_http_crypt_done(struct ari_crypt_check *chk);
/* Origin listed in allowed_origins (or "*" listed). */
bool ari_http_origin_allowed(const char *origin);
/* Is pretty printing configured? */
bool ari_http_pretty(void);
/* `ari show status|users|user <name>`, as res_ari's CLI. */
int ari_http_conf_cli_init(void);

#endif
