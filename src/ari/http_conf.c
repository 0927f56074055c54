/* http_conf.c — the ARI server's settings (http.conf prefix, ari.conf
 * [general] and users), the check of a request's credentials, and the
 * CLI commands that show them (`ari show status|users|user`). Nothing
 * here reads sockets (http.c) or decides what a request may do
 * (dispatch.c). */
#include <crypt.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>
#include <re_types.h>
#include <re_fmt.h>
#include <re_mem.h>
#include <re_mbuf.h>
#include <re_sa.h>
#include <re_tcp.h>
#include <openssl/crypto.h>
#include <openssl/sha.h>
#include "ari/app_log.h"
#include "ari/http_conf.h"
#include "ari/http_params.h"
#include "ari/models.h"
#include "ari/request.h"
#include "base/backoff.h"
#include "base/cli.h"
#include "base/config.h"
#include "base/log.h"
#include "base/security.h"

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

/* User names are matched without regard to case, as Asterisk's ari.conf
 * does (res/ari/config.c); passwords are not. */
static struct ari_user *user_find(const char *name)
{
	for (size_t i = 0; i < cf.nusers; i++) {
		if (!strcasecmp(cf.users[i].name, name))
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

/* crypt(3) of the password against the stored hash, as Asterisk's
 * ast_crypt_validate(). Tens of ms by design: a password seen to match is
 * then recognised by its SHA-256 alone (remember()), and http.c runs the
 * first check of each password off the loop (ari_http_crypt_check). */
static bool crypt_matches(const char *pass, const char *hash,
			  struct crypt_data *cd)
{
	const char *h = crypt_r(pass, hash, cd);

	return h && *h != '*' && secret_eq(h, hash);
}

static bool remembered(const struct ari_user *u, const char *pass,
		       unsigned char d[SHA256_DIGEST_LENGTH])
{
	SHA256((const unsigned char *)pass, strlen(pass), d);
	return u->ok_cached && !CRYPTO_memcmp(d, u->ok_digest,
					      SHA256_DIGEST_LENGTH);
}

static void remember(struct ari_user *u,
		     const unsigned char d[SHA256_DIGEST_LENGTH])
{
	memcpy(u->ok_digest, d, SHA256_DIGEST_LENGTH);
	u->ok_cached = true;
}

/* verdict: what http.c found off the loop for this very request (1, -1),
 * or 0 when it did not check (then the check runs here). */
static bool crypt_ok(struct ari_user *u, const char *pass, int verdict)
{
	static struct crypt_data cd; /* 32 KB: not on the stack */
	unsigned char d[SHA256_DIGEST_LENGTH];

	if (remembered(u, pass, d))
		return true;
	if (verdict < 0 || !crypt_matches(pass, u->password, &cd))
		return false;
	remember(u, d);
	return true;
}

/* A Basic Authorization header wins over the api_key query parameter, and
 * only the first api_key counts: the order in which Asterisk checks them. */
static bool credentials(const struct http_head *h, char *user, char *pass)
{
	return http_basic_decode(http_head_get(h, "Authorization"), user,
				 USER_MAX, pass, PASS_MAX) ||
	       http_api_key(h->query, user, USER_MAX, pass, PASS_MAX);
}

static bool any_crypt_user(void)
{
	for (size_t i = 0; i < cf.nusers; i++)
		if (cf.users[i].crypt)
			return true;
	return false;
}

struct ari_crypt_check {
	char user[USER_MAX];
	char pass[PASS_MAX];
	char *hash;           /* the user's, when the check began */
	bool ok;
};

static void check_destructor(void *arg)
{
	struct ari_crypt_check *chk = arg;

	memset(chk->pass, 0, sizeof(chk->pass));
	mem_deref(chk->hash);
}

struct ari_crypt_check *ari_http_crypt_check(const struct http_head *h,
					     const struct sa *peer)
{
	char user[USER_MAX], pass[PASS_MAX];
	unsigned char d[SHA256_DIGEST_LENGTH];
	struct ari_crypt_check *chk = NULL;
	struct ari_user *u;

	/* Plain passwords only (the usual case): nothing to check off the
	 * loop, and no need to decode the credentials twice per request. */
	if (!any_crypt_user())
		return NULL;
	/* A refusal still held for the address: ari_http_authenticate()
	 * refuses unchecked, so there is nothing to check. */
	if (!credentials(h, user, pass) || backoff_global_busy(peer))
		goto out;
	u = user_find(user);
	if (!u || !u->crypt || remembered(u, pass, d))
		goto out;
	chk = mem_zalloc(sizeof(*chk), check_destructor);
	if (!chk || str_dup(&chk->hash, u->password)) {
		chk = mem_deref(chk);
		goto out;
	}
	memcpy(chk->user, user, sizeof(user));
	memcpy(chk->pass, pass, sizeof(pass));
 out:
	memset(pass, 0, sizeof(pass));
	return chk;
}

void ari_http_crypt_run(struct ari_crypt_check *chk)
{
	struct crypt_data *cd = calloc(1, sizeof(*cd));

	chk->ok = cd && crypt_matches(chk->pass, chk->hash, cd);
	free(cd);
}

int ari_http_crypt_done(struct ari_crypt_check *chk)
{
	unsigned char d[SHA256_DIGEST_LENGTH];
	struct ari_user *u = user_find(chk->user);
	int verdict = chk->ok ? 1 : -1;

	/* The user's password may have changed meanwhile (a reload): a
	 * match with the old one proves nothing. */
	if (!u || !u->crypt || strcmp(u->password, chk->hash))
		verdict = 0;
	else if (chk->ok && !remembered(u, chk->pass, d))
		remember(u, d);
	mem_deref(chk);
	return verdict;
}

/* Asterisk's ARI logs nothing when authentication fails (res_ari.c answers
 * 401 in silence); ariadne reports it as Asterisk's AMI does (manager.c:
 * InvalidAccountID, InvalidPassword) with Service "ARI", so that the same
 * filters can ban an address that guesses ARI passwords. */
static void report(const struct ari_req *req, enum security_event_type type,
		   const char *user)
{
	struct sa local;
	struct security_event ev = {
		.type = type, .service = "ARI", .account_id = user,
		.session_id = req->peer, .remote = req->peer_addr,
		.transport = req->tls ? "TLS" : "TCP",
	};

	sa_init(&local, AF_INET);
	if (req->tc)
		(void)tcp_conn_local_get(req->tc, &local);
	ev.local = &local;
	security_event_report(&ev);
}

const struct ari_user *ari_http_authenticate(const struct ari_req *req,
					     unsigned *delay_ms)
{
	char user[USER_MAX], pass[PASS_MAX];
	struct ari_user *u = NULL;
	bool have, ok = false;

	*delay_ms = 0;
	have = credentials(req->head, user, pass);
	if (have && backoff_global_busy(req->peer_addr)) {
		/* One guess at a time from a slowed address (backoff.h): this
		 * one is refused unchecked and uncounted, after the wait. */
		log_debug(1, "ARI authentication from %s refused unchecked: an "
			  "earlier failure's answer is still held",
			  ari_req_peer(req));
		*delay_ms = backoff_global_delay(req->peer_addr);
	}
	else if (have) {
		u = user_find(user);
		if (u)
			ok = u->crypt ? crypt_ok(u, pass, req->crypt_verdict) :
			     secret_eq(pass, u->password);
		if (!ok) {
			char who[USER_MAX];

			log_notice("ARI authentication failed for user '%s' "
				   "from '%s'", log_peer_text(who, sizeof(who),
				   user, SIZE_MAX), ari_req_peer(req));
			report(req, u ? SECURITY_INVAL_PASSWORD :
			       SECURITY_INVAL_ACCT_ID, user);
			*delay_ms = backoff_global_fail(req->peer_addr);
			u = NULL;
		}
		else {
			backoff_global_success(req->peer_addr);
		}
	}
	else {
		/* no credentials: not a failure, but no faster an answer */
		*delay_ms = backoff_global_delay(req->peer_addr);
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

static int user_add(const char *name, const char *password, bool read_only,
		    bool is_crypt)
{
	struct ari_user *nu, *u;

	nu = mem_reallocarray(cf.users, cf.nusers + 1, sizeof(*nu), NULL);
	if (!nu)
		return ENOMEM;
	cf.users = nu;
	u = &nu[cf.nusers];
	memset(u, 0, sizeof(*u));
	u->read_only = read_only;
	u->crypt = is_crypt;
	if (str_dup(&u->name, name) || str_dup(&u->password, password)) {
		u->name = mem_deref(u->name);
		u->password = mem_deref(u->password);
		return ENOMEM;
	}
	cf.nusers++;
	return 0;
}

/* crypt(3) takes the hash as its setting: one it cannot read gives a
 * failure token ("*0") or NULL, whatever the password. */
static bool crypt_hash_usable(const char *hash)
{
	struct crypt_data *cd = mem_zalloc(sizeof(*cd), NULL);
	const char *h;
	bool ok;

	if (!cd)
		return false;
	h = crypt_r("", hash, cd);
	ok = h && *h != '*' && *hash == '$';
	mem_deref(cd);
	return ok;
}

/* What is wrong with a section of ari.conf, written into why; false when
 * it is a usable user or the [general] section. Asterisk's res_ari refuses
 * the whole file for any of these (aco_process_config: no such type, a
 * bad password_format, a user without password). */
static bool section_problem(const struct config_section *sec, char *why,
			    size_t size)
{
	const char *type = config_var_get(sec, "type");
	const char *pw = config_var_get(sec, "password");
	const char *fmt = config_var_get(sec, "password_format");

	if (!strcasecmp(sec->name, "general"))
		return false;
	if (!type || strcasecmp(type, "user"))
		snprintf(why, size, "section '%s' is not 'type = user' (type "
			 "'%s'); ignored", sec->name, type ? type : "");
	else if (!pw || !*pw)
		snprintf(why, size, "ARI user '%s' missing password",
			 sec->name);
	else if (fmt && strcasecmp(fmt, "plain") && strcasecmp(fmt, "crypt"))
		snprintf(why, size, "ARI user '%s': password_format '%s' is "
			 "not supported (plain or crypt); user disabled",
			 sec->name, fmt);
	else if (fmt && !strcasecmp(fmt, "crypt") && !crypt_hash_usable(pw))
		snprintf(why, size, "ARI user '%s': password is not a crypt(3) "
			 "hash this system knows (e.g. mkpasswd -m sha-512); "
			 "user disabled", sec->name);
	else
		return false;
	return true;
}

static unsigned problems(const struct config *ariconf)
{
	const struct config_section *sec = NULL;
	unsigned n = 0;
	char why[300];

	while ((sec = config_section_next(ariconf, sec))) {
		if (!section_problem(sec, why, sizeof(why)))
			continue;
		log_error("%s:%u: %s", sec->file ? sec->file : "ari.conf",
			  sec->line, why);
		n++;
	}
	return n;
}

int ari_conf_check(const struct config *ariconf)
{
	unsigned n = ariconf ? problems(ariconf) : 0;

	if (!n)
		return 0;
	log_error("ari.conf has %u error%s (above): the configuration in "
		  "force is kept", n, n == 1 ? "" : "s");
	return EINVAL;
}

/* At start-up there is nothing to keep: what is wrong is said, and the
 * usable users serve. */
static int load_users(const struct config *ariconf)
{
	const struct config_section *sec = NULL;

	if (!ariconf)
		return user_add("asterisk", "asterisk", false, false);
	(void)problems(ariconf);
	while ((sec = config_section_next(ariconf, sec))) {
		const char *fmt = config_var_get(sec, "password_format");
		char why[300];
		int err;

		if (!strcasecmp(sec->name, "general") ||
		    section_problem(sec, why, sizeof(why)))
			continue;
		err = user_add(sec->name, config_var_get(sec, "password"),
			       config_true(config_var_get(sec, "read_only")),
			       fmt && !strcasecmp(fmt, "crypt"));
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

/* reconnect_grace (seconds, decimals allowed), reconnect_buffer (events)
 * and reconnect_retain (seconds): an ariadne extension,
 * docs/ARI-EXTENSIONS.md. */
static void load_reconnect(const struct config *ariconf)
{
	const char *g = cfg(ariconf, "reconnect_grace");
	double grace = 0;
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
	ari_app_log_configure((unsigned)(grace * 1000 + 0.5),
			      config_get_count(ariconf, "ari.conf", "general",
					       "reconnect_buffer", "events", 0,
					       1000000, 1000),
			      (unsigned)config_get_count(ariconf, "ari.conf",
					"general", "reconnect_retain", "seconds",
					0, 86400, 300) * 1000);
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
	/* an ariadne extension; Asterisk's websocket_write_timeout instead
	 * closes a socket whose write waited 100 ms */
	cf.ws_queue_max = 1024 * config_get_count(ariconf, "ari.conf",
						  "general",
						  "websocket_queue_kb", "KB",
						  64, 1048576, 8192);
	v = cfg(ariconf, "auth_realm");
	err = set_str(&cf.realm, v && *v && !strpbrk(v, "\"\r\n") ? v :
		      "Asterisk REST Interface");
	err |= set_str(&cf.origins, cfg(ariconf, "allowed_origins"));
	ari_channelvars_configure(cfg(ariconf, "channelvars"));

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

/* ---- CLI: res_ari's `ari show` commands ---- */

static const char *yes_no(bool b)
{
	return b ? "Yes" : "No";
}

static int cli_show_status(struct cli_out *out, int argc, char *argv[])
{
	(void)argv;
	if (argc)
		return EINVAL;
	cli_printf(out, "ARI Status:\n"
		   "Enabled: %s\n"
		   "Output format: %s\n"
		   "Auth realm: %s\n"
		   "Allowed Origins: %s\n"
		   "User count: %zu\n", yes_no(cf.ari_enabled),
		   cf.pretty ? "pretty" : "compact", cf.realm ? cf.realm : "",
		   cf.origins ? cf.origins : "", cf.nusers);
	return 0;
}

static int cli_show_users(struct cli_out *out, int argc, char *argv[])
{
	(void)argv;
	if (argc)
		return EINVAL;
	cli_printf(out, "r/o?  Username\n"
		   "----  --------\n");
	for (size_t i = 0; i < cf.nusers; i++)
		cli_printf(out, "%-4s  %s\n", yes_no(cf.users[i].read_only),
			   cf.users[i].name);
	return 0;
}

static int cli_show_user(struct cli_out *out, int argc, char *argv[])
{
	if (argc != 1)
		return EINVAL;
	for (size_t i = 0; i < cf.nusers; i++) {
		if (strcmp(cf.users[i].name, argv[0]))
			continue;
		cli_printf(out, "Username: %s\n"
			   "Read only?: %s\n", cf.users[i].name,
			   yes_no(cf.users[i].read_only));
		return 0;
	}
	cli_printf(out, "User '%s' not found\n", argv[0]);
	return 0;
}

int ari_http_conf_cli_init(void)
{
	static const struct cli_entry cmds[] = {
		{"ari show status", cli_show_status,
		 "Usage: ari show status\n"
		 "       Shows all ARI settings\n"},
		{"ari show users", cli_show_users,
		 "Usage: ari show users\n"
		 "       Shows all ARI users\n"},
		{"ari show user", cli_show_user,
		 "Usage: ari show user <username>\n"
		 "       Shows a specific ARI user\n"},
	};

	return cli_register_all(cmds, sizeof(cmds) / sizeof(cmds[0]));
}
