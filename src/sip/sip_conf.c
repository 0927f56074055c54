/* sip_conf.c — the pjsip.conf subset: turns config sections into endpoint,
 * auth, aor, identify and transport objects (the first three through
 * sip_objects.c). Parsing only: nothing is started here, so the unit tests
 * can load a file and look at the result. Options Asterisk knows but
 * ariadne does not act on are accepted quietly (an Asterisk user's file
 * must load unchanged); options nobody knows are warned about with
 * file:line and skipped, never fatal. */
#include <errno.h>
#include <stdint.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>
#include <re_types.h>
#include <re_fmt.h>
#include <re_mem.h>
#include <re_list.h>
#include <re_sa.h>
#include <re_uri.h>
#include <re_msg.h>
#include <re_sip.h>
#include "base/config.h"
#include "base/log.h"
#include "sip/sip_int.h"

/* Asterisk options we accept without acting on them. */
static const char *const transport_ignored[] = {
	"external_media_address", "external_signaling_address",
	"external_signaling_port", "local_net", "tos", "cos",
	"allow_reload", "symmetric_transport", "async_operations", NULL,
};

/* Section types of Asterisk's that ariadne reads past. */
static const char *const unused_sections[] = {
	"global", "system", "domain_alias", "acl", "contact",
	"phoneprov", NULL,
};

static void identify_destructor(void *arg)
{
	struct sip_identify *i = arg;

	list_unlink(&i->le);
	list_flush(&i->nets);
	mem_deref(i->name);
	mem_deref(i->endpoint);
}

static void tp_destructor(void *arg)
{
	struct sip_tp_conf *t = arg;

	list_unlink(&t->le);
	mem_deref(t->name);
	mem_deref(t->cert_file);
	mem_deref(t->priv_key_file);
	mem_deref(t->method);
	mem_deref(t->cipher);
	mem_deref(t->ca_list_file);
	mem_deref(t->ca_list_path);
}

/* A transport's option that is a string (file names, TLS words): the
 * place it goes, or NULL. */
static char **tp_string(struct sip_tp_conf *t, const char *name)
{
	static const struct {
		const char *name;
		size_t off;
	} strs[] = {
		{"cert_file", offsetof(struct sip_tp_conf, cert_file)},
		{"priv_key_file", offsetof(struct sip_tp_conf, priv_key_file)},
		{"method", offsetof(struct sip_tp_conf, method)},
		{"cipher", offsetof(struct sip_tp_conf, cipher)},
		{"ca_list_file", offsetof(struct sip_tp_conf, ca_list_file)},
		{"ca_list_path", offsetof(struct sip_tp_conf, ca_list_path)},
	};

	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		if (!strcasecmp(name, strs[i].name))
			return (char **)((char *)t + strs[i].off);
	return NULL;
}

/* ... or a yes/no one. */
static bool *tp_flag(struct sip_tp_conf *t, const char *name)
{
	if (!strcasecmp(name, "verify_client"))
		return &t->verify_client;
	if (!strcasecmp(name, "require_client_cert"))
		return &t->require_client_cert;
	if (!strcasecmp(name, "verify_server"))
		return &t->verify_server;
	return NULL;
}

static void conf_destructor(void *arg)
{
	struct sip_conf *c = arg;

	list_flush(&c->transports);
	list_flush(&c->endpoints);
	list_flush(&c->auths);
	list_flush(&c->aors);
	list_flush(&c->identifies);
}

static void warn_unknown(const struct config_var *v, const char *type,
			 const char *section)
{
	log_warning("%s:%u: Unknown option '%s' for %s '%s', ignoring it",
		    v->file, v->line, v->name, type, section);
}

static void warn_bad(const struct config_var *v, const char *section)
{
	log_warning("%s:%u: Invalid value '%s' for option '%s' of '%s', "
		    "ignoring it", v->file, v->line, v->value, v->name,
		    section);
}

static int parse_transport(struct sip_conf *c,
			   const struct config_section *s)
{
	struct sip_tp_conf *t = mem_zalloc(sizeof(*t), tp_destructor);
	const struct config_var *v;
	const char *bind = "0.0.0.0";
	char **str;
	bool *flag;

	if (!t || str_dup(&t->name, s->name))
		return mem_deref(t), ENOMEM;
	t->proto = SIP_TRANSP_UDP;
	for (v = s->vars; v; v = v->next) {
		if (!strcasecmp(v->name, "type"))
			continue;
		if (!strcasecmp(v->name, "protocol")) {
			if (!strcasecmp(v->value, "udp"))
				t->proto = SIP_TRANSP_UDP;
			else if (!strcasecmp(v->value, "tcp"))
				t->proto = SIP_TRANSP_TCP;
			else if (!strcasecmp(v->value, "tls"))
				t->proto = SIP_TRANSP_TLS;
			else {
				/* as res_pjsip: a transport that cannot be
				 * what it says is not made at all (it was
				 * started as UDP) */
				log_error("%s:%u: Transport '%s': protocol '%s'"
					  " is not supported (udp, tcp, tls); "
					  "not started", v->file, v->line,
					  s->name, v->value);
				mem_deref(t);
				return 0;
			}
		} else if (!strcasecmp(v->name, "bind")) {
			bind = v->value;
		} else if ((str = tp_string(t, v->name))) {
			if (sip_str_set(str, v->value))
				return mem_deref(t), ENOMEM;
		} else if ((flag = tp_flag(t, v->name))) {
			*flag = config_true(v->value);
		} else if (!config_word_in(v->name, transport_ignored)) {
			warn_unknown(v, "transport", s->name);
		}
	}
	/* bind = addr[:port]; [v6]:port */
	if (sa_decode(&t->bind, bind, strlen(bind))) {
		if (sa_set_str(&t->bind, bind,
			       t->proto == SIP_TRANSP_TLS ? 5061 : 5060)) {
			log_error("%s:%u: Transport '%s' has an invalid bind "
				  "address '%s'", s->file, s->line, s->name,
				  bind);
			mem_deref(t);
			return 0;
		}
	}
	list_append(&c->transports, &t->le, t);
	return 0;
}

static int parse_identify(struct sip_conf *c, const struct config_section *s)
{
	struct sip_identify *i = mem_zalloc(sizeof(*i), identify_destructor);
	const struct config_var *v;

	if (!i || str_dup(&i->name, s->name))
		return mem_deref(i), ENOMEM;
	for (v = s->vars; v; v = v->next) {
		if (!strcasecmp(v->name, "type"))
			continue;
		if (!strcasecmp(v->name, "endpoint")) {
			if (sip_str_set(&i->endpoint, v->value))
				return mem_deref(i), ENOMEM;
		} else if (!strcasecmp(v->name, "match")) {
			if (sip_nets_add(&i->nets, v->value))
				log_warning("%s:%u: identify '%s': cannot use "
					    "match '%s' (IP, IP/prefix or "
					    "IP/mask; host names are not "
					    "resolved)", v->file, v->line,
					    s->name, v->value);
		} else if (!strcasecmp(v->name, "srv_lookups") ||
			   !strcasecmp(v->name, "match_header")) {
			continue;
		} else {
			warn_unknown(v, "identify", s->name);
		}
	}
	if (!i->endpoint) {
		log_warning("%s:%u: identify '%s' names no endpoint, ignoring "
			    "it", s->file, s->line, s->name);
		mem_deref(i);
		return 0;
	}
	list_append(&c->identifies, &i->le, i);
	return 0;
}

/* One option of an endpoint, auth or aor section. */
typedef int (var_set_h)(void *obj, const struct config_var *v);

static int set_endpoint_var(void *obj, const struct config_var *v)
{
	return sip_endpoint_set(obj, v->name, v->value, v->file, v->line);
}

static int set_auth_var(void *obj, const struct config_var *v)
{
	return sip_auth_set(obj, v->name, v->value);
}

static int set_aor_var(void *obj, const struct config_var *v)
{
	return sip_aor_set(obj, v->name, v->value);
}

/* An unknown option or a bad value is warned about and skipped; only an
 * allocation failure stops the parse. */
static int apply_vars(void *obj, var_set_h *set,
		      const struct config_section *s, const char *type)
{
	const struct config_var *v;

	for (v = s->vars; v; v = v->next) {
		int err = set(obj, v);

		if (err == ENOENT)
			warn_unknown(v, type, s->name);
		else if (err == EINVAL)
			warn_bad(v, s->name);
		else if (err)
			return err;
	}
	return 0;
}

static int parse_endpoint(struct sip_conf *c, const struct config_section *s)
{
	struct sip_endpoint *e;
	int err = sip_endpoint_alloc(&e, s->name);

	if (err)
		return err;
	err = apply_vars(e, set_endpoint_var, s, "endpoint");
	if (err)
		return mem_deref(e), err;
	list_append(&c->endpoints, &e->le, e);
	return 0;
}

static int parse_auth(struct sip_conf *c, const struct config_section *s)
{
	struct sip_authobj *a;
	int err = sip_authobj_alloc(&a, s->name);

	if (err)
		return err;
	err = apply_vars(a, set_auth_var, s, "auth");
	if (err)
		return mem_deref(a), err;
	list_append(&c->auths, &a->le, a);
	return 0;
}

static int parse_aor(struct sip_conf *c, const struct config_section *s)
{
	struct sip_aor *a;
	int err = sip_aor_alloc(&a, s->name);

	if (err)
		return err;
	err = apply_vars(a, set_aor_var, s, "aor");
	if (err)
		return mem_deref(a), err;
	list_append(&c->aors, &a->le, a);
	return 0;
}

static int parse_section(struct sip_conf *c, const struct config_section *s,
			 const char *type)
{
	if (!strcasecmp(type, "transport"))
		return parse_transport(c, s);
	if (!strcasecmp(type, "identify"))
		return parse_identify(c, s);
	if (!strcasecmp(type, "endpoint"))
		return parse_endpoint(c, s);
	if (!strcasecmp(type, "auth"))
		return parse_auth(c, s);
	if (!strcasecmp(type, "aor"))
		return parse_aor(c, s);
	if (!strcasecmp(type, "registration"))
		return 0;   /* sip_outreg.c reads those */
	if (config_word_in(type, unused_sections))
		log_verbose(3, "%s:%u: Section '%s' of type '%s' is not used "
			    "by ariadne", s->file, s->line, s->name, type);
	else
		log_warning("%s:%u: Section '%s' has unknown type '%s', "
			    "ignoring it", s->file, s->line, s->name, type);
	return 0;
}

int sip_conf_parse(struct sip_conf **confp, const struct config *cfg)
{
	struct sip_conf *c = mem_zalloc(sizeof(*c), conf_destructor);
	const struct config_section *s;
	int err = 0;

	if (!c)
		return ENOMEM;
	c->from_file = cfg != NULL;
	for (s = config_section_next(cfg, NULL); s && !err;
	     s = config_section_next(cfg, s)) {
		const char *type = config_var_get(s, "type");

		if (!type) {
			log_warning("%s:%u: Section '%s' has no type, ignoring "
				    "it", s->file, s->line, s->name);
			continue;
		}
		err = parse_section(c, s, type);
	}
	if (err) {
		mem_deref(c);
		return err;
	}
	*confp = c;
	return 0;
}
