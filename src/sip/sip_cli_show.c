/* sip_cli_show.c — one object in chan_pjsip's layout: `pjsip show
 * endpoint|aor|auth|transport|contact <id>` print the object's rows under
 * their heads (sip_cli.c), then its parameters as Asterisk's
 * ast_sip_cli_print_sorcery_objectset() does: sorted by name, in columns
 * as wide as the longest name and value. Only the parameters ariadne has
 * are shown, under Asterisk's names and in its spelling of the values.
 * Also `pjsip reload`. */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <re_types.h>
#include <re_fmt.h>
#include <re_list.h>
#include <re_sa.h>
#include <re_mbuf.h>
#include <re_tmr.h>
#include <re_uri.h>
#include <re_msg.h>
#include <re_sip.h>
#include "base/cli.h"
#include "sip/sip_int.h"
#include "sip/sip_services.h"

enum { PARAMS_MAX = 24, VALUE_MAX = 300 };

/* One object's parameters, before they are printed. */
struct params {
	struct {
		const char *name;
		char value[VALUE_MAX];
	} p[PARAMS_MAX];
	int n;
};

static void param(struct params *ps, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void param(struct params *ps, const char *name, const char *fmt, ...)
{
	va_list ap;

	if (ps->n == PARAMS_MAX)
		return;
	ps->p[ps->n].name = name;
	va_start(ap, fmt);
	vsnprintf(ps->p[ps->n].value, VALUE_MAX, fmt, ap);
	va_end(ap);
	ps->n++;
}

static void param_str(struct params *ps, const char *name, const char *v)
{
	param(ps, name, "%s", v ? v : "");
}

/* Asterisk's sorcery prints booleans so */
static void param_bool(struct params *ps, const char *name, bool v)
{
	param_str(ps, name, v ? "true" : "false");
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* "\n", then the parameter table; a last "\n" ends the view. */
static void print_params(struct cli_out *out, struct params *ps)
{
	int nw = 13, vw = 14;   /* "ParameterName", "ParameterValue" */
	char rule[2 * VALUE_MAX + 8];

	/* the name is the first member: sort the entries by it */
	qsort(ps->p, (size_t)ps->n, sizeof(ps->p[0]), by_name);
	for (int i = 0; i < ps->n; i++) {
		int n = (int)strlen(ps->p[i].name);
		int v = (int)strlen(ps->p[i].value);

		nw = n > nw ? n : nw;
		vw = v > vw ? v : vw;
	}
	memset(rule, '=', (size_t)(nw + vw + 3));
	rule[nw + vw + 3] = '\0';
	cli_printf(out, "\n %-*s : %s\n %s\n", nw, "ParameterName",
		   "ParameterValue", rule);
	for (int i = 0; i < ps->n; i++)
		cli_printf(out, " %-*s : %s\n", nw, ps->p[i].name,
			   ps->p[i].value);
	cli_printf(out, "\n");
}

/* An endpoint's codecs as Asterisk's format capabilities print:
 * "(ulaw|alaw)", "(nothing)". */
static void codecs(char *buf, size_t size, const char *allow)
{
	size_t n;

	if (!*allow) {
		snprintf(buf, size, "(nothing)");
		return;
	}
	snprintf(buf, size, "(%s", allow);
	for (char *p = buf; *p; p++)
		if (*p == ',')
			*p = '|';
	n = strlen(buf);
	if (n + 1 < size) {
		buf[n] = ')';
		buf[n + 1] = '\0';
	}
}

static void endpoint_params(struct params *ps, const struct sip_endpoint *e)
{
	char caps[80];

	codecs(caps, sizeof(caps), e->allow);
	param_str(ps, "allow", caps);
	param_str(ps, "aors", e->aors);
	param_str(ps, "auth", e->auth);
	/* ast_callerid_merge(): "name" <num>, or whichever is set */
	if (e->cid_name && e->cid_num)
		param(ps, "callerid", "\"%s\" <%s>", e->cid_name, e->cid_num);
	else
		param_str(ps, "callerid", e->cid_name ? e->cid_name :
			  e->cid_num ? e->cid_num : "<unknown>");
	param_str(ps, "context", e->context);
	/* ariadne keeps the media of every call: never direct media */
	param_bool(ps, "direct_media", false);
	/* Asterisk shows the same list for both */
	param_str(ps, "disallow", caps);
	param_str(ps, "dtmf_mode", e->dtmf == SIP_DTMF_INFO ? "info" :
		  "rfc4733");
	param_str(ps, "from_domain", e->from_domain);
	param_str(ps, "from_user", e->from_user);
	/* a request's endpoint: by source address (identify), else by the
	 * From user: both of Asterisk's methods */
	param_str(ps, "identify_by", "username,ip");
	param_str(ps, "language", e->language);
	param_str(ps, "outbound_auth", e->outbound_auth);
	param(ps, "rtp_keepalive", "%u", e->rtp_keepalive);
	param(ps, "rtp_timeout", "%u", e->rtp_timeout);
	param_str(ps, "transport", e->transport);
}

static void aor_params(struct params *ps, const struct sip_aor *a)
{
	char statics[VALUE_MAX] = "";
	size_t len = 0;

	for (struct le *le = list_head(&a->contacts); le; le = le->next) {
		const struct sip_regcontact *c = le->data;

		if (!c->expires && len < sizeof(statics))
			len += (size_t)snprintf(statics + len,
						sizeof(statics) - len, "%s%s",
						len ? "," : "", c->uri);
	}
	param_str(ps, "contact", statics);
	param(ps, "default_expiration", "%u", a->default_expiration);
	param(ps, "max_contacts", "%u", a->max_contacts);
	param(ps, "maximum_expiration", "%u", a->maximum_expiration);
	param(ps, "minimum_expiration", "%u", a->minimum_expiration);
	param(ps, "qualify_frequency", "%u", a->qualify_frequency);
	param(ps, "qualify_timeout", "%f", a->qualify_timeout_ms / 1000.0);
	param_bool(ps, "remove_existing", a->remove_existing);
}

/* The password is left out: ariadne never prints one (STYLE.md). */
static void auth_params(struct params *ps, const struct sip_authobj *a)
{
	param_str(ps, "auth_type", "userpass");
	param(ps, "nonce_lifetime", "%u", a->nonce_lifetime);
	param_str(ps, "realm", a->realm);
	param_str(ps, "username", a->username);
}

static void transport_params(struct params *ps, const struct sip_tp_conf *t)
{
	char bind[64], proto[8];

	re_snprintf(bind, sizeof(bind), "%J", &t->bind);
	param_str(ps, "bind", bind);
	param_str(ps, "ca_list_file", t->ca_list_file);
	param_str(ps, "ca_list_path", t->ca_list_path);
	param_str(ps, "cert_file", t->cert_file);
	param_str(ps, "cipher", t->cipher);
	param_str(ps, "method", t->method);
	param_str(ps, "priv_key_file", t->priv_key_file);
	param_str(ps, "protocol",
		  sip_cli_transport_type(t, proto, sizeof(proto)));
	/* config_transport.c prints its TLS flags as Yes/No */
	param_str(ps, "require_client_cert", t->require_client_cert ? "Yes" :
		  "No");
	param_str(ps, "verify_client", t->verify_client ? "Yes" : "No");
	param_str(ps, "verify_server", t->verify_server ? "Yes" : "No");
}

static void contact_params(struct params *ps, const struct sip_regcontact *c)
{
	uint64_t now = tmr_jiffies();
	long long expires = 0;

	/* Asterisk keeps the time of expiry (epoch seconds); 0: static */
	if (c->expires)
		expires = (long long)time(NULL) +
			  (c->expires > now ? (long long)(c->expires - now) /
					      1000 : 0);
	param_str(ps, "call_id", c->callid);
	param(ps, "expiration_time", "%lld", expires);
	param(ps, "qualify_frequency", "%u", c->aor->qualify_frequency);
	param(ps, "qualify_timeout", "%f",
	      c->aor->qualify_timeout_ms / 1000.0);
	param_str(ps, "uri", c->uri);
	param_str(ps, "user_agent", c->user_agent);
}

/* A contact by Asterisk's id "<aor>;@<md5 of its URI>", or as its row
 * shows it, "<aor>/<uri>". */
static const void *contact_find(const struct sip_cli_kind *k, const char *id)
{
	const char *at = strstr(id, ";@");
	const struct sip_aor *aor;

	if (!at)
		return sip_cli_find(k, id);
	for (struct le *le = list_head(&sipmod.conf->aors); le; le = le->next) {
		aor = le->data;
		if (strlen(aor->name) != (size_t)(at - id) ||
		    strncmp(aor->name, id, (size_t)(at - id)))
			continue;
		for (struct le *cl = list_head(&aor->contacts); cl;
		     cl = cl->next) {
			const struct sip_regcontact *c = cl->data;
			char hex[33];

			sip_cli_contact_md5(c->uri, hex);
			if (!strcasecmp(hex, at + 2))
				return c;
		}
	}
	return NULL;
}

/* ast_sip_cli_traverse_objects() for one object: its heads and rows as
 * `pjsip show <kinds>` prints them, then its parameters. */
static int show_one(struct cli_out *out, const char *type, int argc,
		    char *argv[])
{
	const struct sip_cli_kind *k = sip_cli_kind_find(type);
	struct params ps = {.n = 0};
	const void *obj;

	if (!k)
		return ENOENT;
	if (argc < 1) {
		cli_printf(out, "No object specified.\n");
		return 0;
	}
	obj = strcmp(type, "contact") ? sip_cli_find(k, argv[0]) :
					contact_find(k, argv[0]);
	if (!obj) {
		cli_printf(out, "Unable to find object %s.\n\n", argv[0]);
		return 0;
	}
	sip_cli_frame(out, k, true);
	k->rows(out, obj, true);
	if (!strcmp(type, "endpoint"))
		endpoint_params(&ps, obj);
	else if (!strcmp(type, "aor"))
		aor_params(&ps, obj);
	else if (!strcmp(type, "auth"))
		auth_params(&ps, obj);
	else if (!strcmp(type, "transport"))
		transport_params(&ps, obj);
	else
		contact_params(&ps, obj);
	print_params(out, &ps);
	return 0;
}

#define SHOW_ONE(fn, type)                                                  \
	static int fn(struct cli_out *out, int argc, char *argv[])          \
	{                                                                   \
		return show_one(out, type, argc, argv);                     \
	}

SHOW_ONE(show_endpoint, "endpoint")
SHOW_ONE(show_aor, "aor")
SHOW_ONE(show_auth, "auth")
SHOW_ONE(show_transport, "transport")
SHOW_ONE(show_contact, "contact")

/* What `module reload res_pjsip.so` says: ariadne cannot read pjsip.conf
 * again while it runs, and says so in Asterisk's words. */
static int reload(struct cli_out *out, int argc, char *argv[])
{
	char reply[256];

	(void)argv;
	if (argc)
		return EINVAL;
	(void)cli_exec("module reload res_pjsip.so", reply, sizeof(reply));
	cli_printf(out, "%s", reply);
	return 0;
}

int sip_cli_show_init(void)
{
	static const struct cli_entry cmds[] = {
		{"pjsip show endpoint", show_endpoint,
		 "Usage: pjsip show endpoint <id>\n"
		 "       Show the configured PJSIP endpoint.\n"},
		{"pjsip show aor", show_aor,
		 "Usage: pjsip show aor <id>\n"
		 "       Show the configured PJSIP aor.\n"},
		{"pjsip show auth", show_auth,
		 "Usage: pjsip show auth <id>\n"
		 "       Show the configured PJSIP auth.\n"},
		{"pjsip show transport", show_transport,
		 "Usage: pjsip show transport <id>\n"
		 "       Show the configured PJSIP Transport.\n"},
		{"pjsip show contact", show_contact,
		 "Usage: pjsip show contact <id>\n"
		 "       Show the configured PJSIP contact (<aor>;@<hash> or\n"
		 "       <aor>/<uri>).\n"},
		{"pjsip reload", reload,
		 "Usage: pjsip reload\n"
		 "       Reloads the PJSIP configuration, as module reload res_pjsip.so.\n"},
	};

	return cli_register_all(cmds, sizeof(cmds) / sizeof(cmds[0]));
}
