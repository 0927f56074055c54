/* http_conf.h — the ARI server's settings and users (http_conf.c).
 * Internal to src/ari. */
#ifndef ARIADNE_ARI_HTTP_CONF_H
#define ARIADNE_ARI_HTTP_CONF_H

#include <stdbool.h>
#include <stddef.h>

struct ari_req;
struct config;

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
	struct ari_user *users;
	size_t nusers;
};

extern struct http_conf ari_http_conf;

/* ari.conf [general] and users (none given: asterisk/asterisk), http.conf
 * prefix. ENOMEM only: bad entries are logged and skipped. */
int ari_http_conf_load(const struct config *httpconf,
		       const struct config *ariconf);
void ari_http_conf_free(void);
/* The user whose credentials the request carries (a Basic Authorization
 * header, else the first api_key query parameter); NULL if none matches.
 * A failure is logged as a security event (InvalidAccountID,
 * InvalidPassword; Service "ARI") and counted against the address;
 * *delay_ms is how long the refusal should be held back (0 on success). */
const struct ari_user *ari_http_authenticate(const struct ari_req *req,
					     unsigned *delay_ms);
/* Origin listed in allowed_origins (or "*" listed). */
bool ari_http_origin_allowed(const char *origin);
/* Is pretty printing configured? */
bool ari_http_pretty(void);

#endif
