/* http_conf.c — the ARI server's settings (http.conf prefix, ari.conf
 * [general] and users) and the check of a request's credentials. Nothing
 * here reads sockets (http.c) or decides what a request may do
 * (dispatch.c). */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <re_types.h>
#include <re_fmt.h>
#include <re_mem.h>
#include "ari/app_log.h"
#include "ari/http_conf.h"
#include "ari/http_params.h"
#include "base/config.h"
#include "base/log.h"

enum {
	USER_MAX = 128,
	PASS_MAX = 256,
};

struct http_conf ari_http_conf;
#define cf ari_http_conf

bool ari_http_origin_allowed(const char *origin)
{
	if (!origin || !cf.origins)
		return false;
	return http_token_list_has(cf.origins, "*") ||
	       http_token_list_has(cf.origins, origin);
}

bool ari_http_pretty(void)
{
	return cf.pretty;
}

static const struct ari_user *user_find(const char *name)
{
	for (size_t i = 0; i < cf.nusers; i++) {
		if (!strcmp(cf.users[i].name, name))
			return &cf.users[i];
	}
	return NULL;
}

/* Compare without leaking where the first difference is. */
static bool secret_eq(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	unsigned char d = la != lb;

	for (size_t i = 0; i < la; i++)
		d |= (unsigned char)a[i] ^ (unsigned char)b[i % (lb ? lb : 1)];
	return d == 0;
}

/* A Basic Authorization header wins over the api_key query parameter, and
 * only the first api_key counts: the order in which Asterisk checks them. */
const struct ari_user *ari_http_authenticate(const struct http_head *h)
{
	char user[USER_MAX], pass[PASS_MAX];
	const struct ari_user *u = NULL;
	bool have;

	have = http_basic_decode(http_head_get(h, "Authorization"),
				 user, sizeof(user), pass, sizeof(pass));
	if (!have)
		have = http_api_key(h->query, user, sizeof(user),
				    pass, sizeof(pass));
	if (have) {
		u = user_find(user);
		if (u && !secret_eq(pass, u->password))
			u = NULL;
		if (!u)
			log_notice("ARI authentication failed for user '%s'",
				   user);
	}
	memset(pass, 0, sizeof(pass));
	return u;
}

static void users_free(void)
{
	for (size_t i = 0; i < cf.nusers; i++) {
		mem_deref(cf.users[i].name);
		if (cf.users[i].password) {
			memset(cf.users[i].password, 0,
			       strlen(cf.users[i].password));
			mem_deref(cf.users[i].password);
		}
	}
	mem_deref(cf.users);
	cf.users = NULL;
	cf.nusers = 0;
}

static int user_add(const char *name, const char *password, bool read_only)
{
	struct ari_user *nu, *u;

	nu = mem_reallocarray(cf.users, cf.nusers + 1, sizeof(*nu), NULL);
	if (!nu)
		return ENOMEM;
	cf.users = nu;
	u = &nu[cf.nusers];
	memset(u, 0, sizeof(*u));
	u->read_only = read_only;
	if (str_dup(&u->name, name) || str_dup(&u->password, password)) {
		u->name = mem_deref(u->name);
		u->password = mem_deref(u->password);
		return ENOMEM;
	}
	cf.nusers++;
	return 0;
}

static int load_users(const struct config *ariconf)
{
	const struct config_section *sec = NULL;

	if (!ariconf)
		return user_add("asterisk", "asterisk", false);

	while ((sec = config_section_next(ariconf, sec))) {
		const char *type = config_var_get(sec, "type");
		const char *pw = config_var_get(sec, "password");
		const char *fmt = config_var_get(sec, "password_format");
		int err;

		if (!type || strcasecmp(type, "user"))
			continue;
		if (!pw || !*pw) {
			log_error("%s:%u: ARI user '%s' missing password",
				  sec->file ? sec->file : "ari.conf",
				  sec->line, sec->name);
			continue;
		}
		if (fmt && strcasecmp(fmt, "plain")) {
			log_warning("%s:%u: ARI user '%s': password_format "
				    "'%s' is not supported (use plain); user "
				    "disabled", sec->file ? sec->file :
				    "ari.conf", sec->line, sec->name, fmt);
			continue;
		}
		err = user_add(sec->name, pw,
			       config_true(config_var_get(sec, "read_only")));
		if (err)
			return err;
	}
	if (!cf.nusers)
		log_warning("ari.conf has no usable user: every ARI request "
			    "will be refused");
	return 0;
}

static const char *cfg(const struct config *c, const char *name)
{
	return c ? config_get(c, "general", name) : NULL;
}

/* reconnect_grace (seconds, decimals allowed) and reconnect_buffer
 * (events): an ariadne extension, docs/ARI-EXTENSIONS.md. */
static void load_reconnect(const struct config *ariconf)
{
	const char *g = cfg(ariconf, "reconnect_grace");
	const char *b = cfg(ariconf, "reconnect_buffer");
	double grace = 0;
	unsigned long keep = 1000;
	char *end;

	if (g && *g) {
		grace = strtod(g, &end);
		if (*end || grace < 0 || grace > 3600) {
			log_warning("ari.conf: reconnect_grace '%s' is not a "
				    "number of seconds from 0 to 3600; using 0",
				    g);
			grace = 0;
		}
	}
	if (b && *b) {
		keep = strtoul(b, &end, 10);
		if (*end || *b == '-' || keep > 1000000) {
			log_warning("ari.conf: reconnect_buffer '%s' is not a "
				    "number of events from 0 to 1000000; "
				    "using 1000", b);
			keep = 1000;
		}
	}
	ari_app_log_configure((unsigned)(grace * 1000 + 0.5), keep);
}

static int set_str(char **dst, const char *v)
{
	*dst = mem_deref(*dst);
	return v ? str_dup(dst, v) : 0;
}

int ari_http_conf_load(const struct config *httpconf,
		       const struct config *ariconf)
{
	char prefix[256] = "";
	const char *v;
	int err;

	ari_http_conf_free();

	v = cfg(ariconf, "enabled");
	cf.ari_enabled = !v || !config_false(v);
	cf.pretty = config_true(cfg(ariconf, "pretty"));
	load_reconnect(ariconf);
	v = cfg(ariconf, "auth_realm");
	err = set_str(&cf.realm, v && *v && !strpbrk(v, "\"\r\n") ? v :
		      "Asterisk REST Interface");
	err |= set_str(&cf.origins, cfg(ariconf, "allowed_origins"));

	v = cfg(httpconf, "metrics_auth");
	cf.metrics_auth = !v || !config_false(v);

	/* "prefix = asterisk" serves /asterisk/ari/... */
	v = cfg(httpconf, "prefix");
	if (v && *v) {
		while (*v == '/')
			v++;
		snprintf(prefix, sizeof(prefix), "%s%s", *v ? "/" : "", v);
		while (strlen(prefix) && prefix[strlen(prefix) - 1] == '/')
			prefix[strlen(prefix) - 1] = '\0';
	}
	err |= set_str(&cf.prefix, prefix);
	if (err)
		return ENOMEM;

	return load_users(ariconf);
}

void ari_http_conf_free(void)
{
	users_free();
	cf.realm = mem_deref(cf.realm);
	cf.prefix = mem_deref(cf.prefix);
	cf.origins = mem_deref(cf.origins);
}
