/* ari.c — start-up and shutdown of the ARI module (ari.h, for main.c):
 * settings, the HTTP listener, and the link from the events WebSocket to
 * routing. It is the top of src/ari: nothing in the folder calls it. */
#include <errno.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <re_types.h>
#include <re_fmt.h>
#include <re_sa.h>
#include <re_mem.h>
#include "ari/ari.h"
#include "ari/app_log.h"
#include "ari/dispatch.h"
#include "ari/http.h"
#include "ari/http_conf.h"
#include "ari/metrics_http.h"
#include "net/linger.h"
#include "net/tcp_tls.h"
#include "ari/ws_events.h"
#include "base/config.h"
#include "base/options.h"
#include "core/module.h"
#include "base/log.h"

#define cf ari_http_conf

static const char *cfg(const struct config *c, const char *name)
{
	return c ? config_get(c, "general", name) : NULL;
}

/* http.conf [general] bindaddr and bindport (127.0.0.1:8088 when not
 * given); the address text is returned for the logs. */
static int listen_addr(const struct config *httpconf, struct sa *laddr,
		       const char **addrp, unsigned *portp)
{
	const char *bindaddr = cfg(httpconf, "bindaddr");
	const char *v = cfg(httpconf, "bindport");
	unsigned port = 8088;

	if (!bindaddr || !*bindaddr)
		bindaddr = "127.0.0.1";
	if (v && *v) {
		char *end;
		unsigned long p = strtoul(v, &end, 10);

		if (*end || !p || p > 65535) {
			log_error("http.conf: invalid bindport '%s'", v);
			return EINVAL;
		}
		port = (unsigned)p;
	}
	*addrp = bindaddr;
	*portp = port;
	if (sa_set_str(laddr, bindaddr, (uint16_t)port)) {
		log_error("http.conf: invalid bindaddr '%s'", bindaddr);
		return EINVAL;
	}
	return 0;
}

/* A yes/no of http.conf with its default. */
static bool flag(const struct config *c, const char *name, bool def)
{
	const char *v = cfg(c, name);

	return v && *v ? config_true(v) : def;
}

/* Asterisk's TLS settings (ast_tls_read_conf's names and defaults: TLS 1.0
 * off, the server's cipher order). */
static int tls_settings(const struct config *httpconf, struct tls *tls)
{
	const struct tcp_tls_opts o = {
		.cipher = cfg(httpconf, "tlscipher"),
		.server_cipher_order = flag(httpconf, "tlsservercipherorder",
					    true),
		.no_v1 = flag(httpconf, "tlsdisablev1", true),
		.no_v11 = flag(httpconf, "tlsdisablev11", false),
		.no_v12 = flag(httpconf, "tlsdisablev12", false),
		.ca_file = cfg(httpconf, "tlscafile"),
		.ca_path = cfg(httpconf, "tlscapath"),
		/* Asterisk's tlsverifyclient asks for a certificate and
		 * refuses a client without one that verifies. */
		.verify_client = flag(httpconf, "tlsverifyclient", false),
		.require_client_cert = flag(httpconf, "tlsverifyclient", false),
	};

	return tcp_tls_options(tls, &o, "http.conf");
}

/* http.conf's [general] options: ours, Asterisk's that do nothing here
 * (said once at start-up), and anything else (a typo: warned, in
 * Asterisk's words). */
static void check_options(const struct config *httpconf)
{
	static const char *const known[] = {
		"enabled", "bindaddr", "bindport", "prefix", "sessionlimit",
		"session_limit", "session_inactivity", "session_keep_alive",
		"metrics_auth", "tlsenable", "tlsbindaddr", "tlscertfile",
		"tlsprivatekey", "tlscipher", "tlscafile", "tlscapath",
		"tlsverifyclient", "tlsservercipherorder", "tlsdisablev1",
		"tlsdisablev11", "tlsdisablev12", NULL,
	};
	static const char *const inert[] = {
		"servername", "enablestatic", "enable_status", "redirect",
		"tlsdontverifyserver", "tlsclientmethod", "sslenable",
		"sslbindaddr", "sslcert", NULL,
	};
	const struct config_section *sec =
		httpconf ? config_section_find(httpconf, "general") : NULL;

	for (const struct config_var *v = sec ? sec->vars : NULL; v;
	     v = v->next) {
		if (config_word_in(v->name, known))
			continue;
		if (config_word_in(v->name, inert))
			log_notice("%s:%u: http.conf option '%s' has no effect "
				   "in ariadne", v->file, v->line, v->name);
		else
			log_warning("Ignoring unknown option '%s' in "
				    "http.conf", v->name);
	}
}

/* http.conf tlsenable: the same server over TLS on tlsbindaddr (default
 * bindaddr, port 8089, as Asterisk), with tlscertfile and tlsprivatekey.
 * A TLS setting that does not work is logged and plain HTTP goes on, as
 * Asterisk does. */
static void listen_tls(const struct config *httpconf, const char *bindaddr)
{
	const char *v = cfg(httpconf, "tlsbindaddr");
	struct tls *tls = NULL;
	char where[80];
	struct sa laddr;
	int err;

	if (v && *v) {
		if (sa_decode(&laddr, v, strlen(v)) &&
		    sa_set_str(&laddr, v, 8089)) {
			log_error("http.conf: invalid tlsbindaddr '%s'; no "
				  "HTTPS", v);
			return;
		}
	}
	else if (sa_set_str(&laddr, bindaddr, 8089)) {
		return;
	}
	if (tcp_tls_server(&tls, cfg(httpconf, "tlscertfile"),
			   cfg(httpconf, "tlsprivatekey"), "http.conf") ||
	    tls_settings(httpconf, tls)) {
		log_error("HTTPS server not started");
		mem_deref(tls);
		return;
	}
	err = ari_http_listen_tls(&laddr, tls);
	mem_deref(tls);
	re_snprintf(where, sizeof(where), "%J", &laddr);
	if (err) {
		log_error("Cannot listen for HTTPS on %s: %s", where,
			  strerror(err));
		return;
	}
	log_notice("HTTPS server listening on %s (ARI at https://%s%s/ari)",
		   where, where, cf.prefix);
}

/* sessionlimit (Asterisk's name; session_limit too; 1000: a connection
 * that has not become a WebSocket costs little, where Asterisk's default
 * is 100), session_inactivity (ms, 30000 as Asterisk) and
 * session_keep_alive (ms, 15000 as Asterisk; 0: no persistent
 * connections). */
static void session_limits(const struct config *httpconf)
{
	const char *limit = cfg(httpconf, "sessionlimit") ?
			    "sessionlimit" : "session_limit";

	ari_http_set_limits(config_get_count(httpconf, "http.conf", "general",
					     limit, NULL, 1, 100000, 1000),
			    config_get_count(httpconf, "http.conf", "general",
					     "session_inactivity", NULL, 100,
					     3600000, 30000),
			    config_get_count(httpconf, "http.conf", "general",
					     "session_keep_alive", NULL, 0,
					     3600000, 15000));
}

/* Where the server listens is read once, at start-up; these are its
 * settings then, so that a reload that changes one can say so instead of
 * seeming to have taken it. */
static const char *const listen_keys[] = {
	"enabled", "bindaddr", "bindport", "tlsenable", "tlsbindaddr",
	"tlscertfile", "tlsprivatekey", "tlscipher", "tlscafile", "tlscapath",
	"tlsverifyclient", "tlsservercipherorder", "tlsdisablev1",
	"tlsdisablev11", "tlsdisablev12",
};
#define NLISTEN (sizeof(listen_keys) / sizeof(listen_keys[0]))
static char *listen_vals[NLISTEN];

static void listen_remember(const struct config *httpconf)
{
	for (size_t i = 0; i < NLISTEN; i++) {
		listen_vals[i] = mem_deref(listen_vals[i]);
		if (cfg(httpconf, listen_keys[i]))
			(void)str_dup(&listen_vals[i],
				      cfg(httpconf, listen_keys[i]));
	}
}

static void listen_unchanged(const struct config *httpconf)
{
	for (size_t i = 0; i < NLISTEN; i++) {
		const char *now = cfg(httpconf, listen_keys[i]);
		const char *was = listen_vals[i];

		if (!now == !was && (!now || !strcmp(now, was)))
			continue;
		log_warning("http.conf: '%s' changed ('%s' -> '%s'); where and "
			    "how the HTTP server listens changes only at the "
			    "next start", listen_keys[i], was ? was : "",
			    now ? now : "");
	}
}

/* Whether http.conf and ari.conf were there when last (re)loaded: a file
 * that has gone since is a reload refused, not the embedded defaults (for
 * ari.conf, the well-known asterisk/asterisk user). */
static bool had_http, had_ari;

static int reread(const char *name, struct config **cfgp, bool *had)
{
	int err = config_reload(cfgp, options.confdir, name);

	if (err == ENOENT && *had) {
		log_error("%s/%s is gone: the configuration in force is kept",
			  options.confdir, name);
		return err;
	}
	if (err == ENOENT) {
		*cfgp = NULL;
		return 0;
	}
	return err;
}

/* `module reload res_ari.so` (and `core reload`), as Asterisk's res_ari:
 * ari.conf and http.conf read again, so that users, passwords, pretty,
 * allowed_origins, channelvars, reconnect_* and the session limits change
 * without a restart. Where the server listens (bindaddr, TLS) stays as
 * it was until the next start. A file that has gone or has errors changes
 * nothing (Asterisk's res_ari keeps its configuration then too): one typo
 * must not take ARI away from the application in production. */
static int ari_reload(void)
{
	struct config *httpconf = NULL, *ariconf = NULL;
	int err = reread("http.conf", &httpconf, &had_http);

	if (!err)
		err = reread("ari.conf", &ariconf, &had_ari);
	if (!err)
		err = ari_conf_check(ariconf);
	if (!err) {
		listen_unchanged(httpconf);
		err = ari_http_conf_load(httpconf, ariconf);
	}
	if (!err) {
		/* what is in force now came from these files (or none) */
		had_http = httpconf != NULL;
		had_ari = ariconf != NULL;
	}
	if (!err)
		session_limits(httpconf);
	config_free(httpconf);
	config_free(ariconf);
	return err;
}

static const struct module_ops res_ari_ops = {
	.reload = ari_reload,
};

int ari_init(const struct config *httpconf, const struct config *ariconf)
{
	const char *v, *bindaddr;
	char where[80];
	unsigned port;
	struct sa laddr;
	int err;

	/* REST over WebSocket reaches routing through this, not a call
	 * upward from the events socket */
	ari_ws_events_init(ari_dispatch_invoke);

	had_http = httpconf != NULL;
	had_ari = ariconf != NULL;
	listen_remember(httpconf);
	err = ari_http_conf_load(httpconf, ariconf);
	if (!err)
		err = ari_metrics_init();
	if (!err)
		(void)module_ops_set("res_ari.so", &res_ari_ops);
	if (err)
		goto fail;

	v = cfg(httpconf, "enabled");
	if (v && config_false(v)) {
		log_notice("HTTP server disabled in http.conf");
		return 0;
	}

	check_options(httpconf);
	err = listen_addr(httpconf, &laddr, &bindaddr, &port);
	if (err)
		goto fail;
	session_limits(httpconf);
	err = ari_http_listen(&laddr);
	if (err) {
		log_error("Cannot listen for HTTP on %s:%u: %s", bindaddr,
			  port, strerror(err));
		goto fail;
	}
	re_snprintf(where, sizeof(where), "%J", &laddr);
	log_notice("HTTP server listening on %s (ARI at http://%s%s/ari)",
		   where, where, cf.prefix);
	v = cfg(httpconf, "tlsenable");
	if (v && config_true(v))
		listen_tls(httpconf, bindaddr);
	return 0;

 fail:
	ari_close();
	return err;
}

void ari_invoke(struct ari_invoke *inv)
{
	ari_dispatch_invoke(inv);
}

void ari_close(void)
{
	ari_ws_events_close_all();
	ari_app_log_close();
	ari_http_close();
	linger_close_all();
	ari_http_conf_free();
	for (size_t i = 0; i < NLISTEN; i++)
		listen_vals[i] = mem_deref(listen_vals[i]);
}
