/* sip_conf.c — the pjsip.conf subset: turns config sections into endpoint,
 * auth, aor, identify and transport objects. Parsing only: nothing is
 * started here, so the unit tests can load a file and look at the result.
 * Options Asterisk knows but ariadne does not act on are accepted quietly
 * (an Asterisk user's file must load unchanged); options nobody knows are
 * warned about with file:line and skipped, never fatal. */
#include <errno.h>
#include <stdint.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>
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
static const char *const endpoint_ignored[] = {
	"direct_media", "rtp_symmetric", "force_rport", "rewrite_contact",
	"ice_support", "trust_id_inbound", "trust_id_outbound", "send_pai",
	"send_rpid", "mailboxes", "moh_suggest", "allow_subscribe",
	"device_state_busy_at", "callerid_privacy", "callerid_tag",
	"media_address", "identify_by", "t38_udptl", "use_avpf",
	"media_encryption", "dtls_auto_generate_cert", "webrtc",
	"timers", "timers_min_se", "timers_sess_expires", "100rel",
	"direct_media_method", "connected_line_method", "send_diversion",
	"aggregate_mwi", "tos_audio", "cos_audio", "inband_progress",
	"allow_transfer", "sdp_owner", "sdp_session", "accountcode",
	"set_var", "message_context", "subscribe_context", "named_call_group",
	"named_pickup_group", "call_group", "pickup_group", "fax_detect",
	"rtp_keepalive", "rtp_hold_timeout", "rtcp_mux", "max_audio_streams",
	"preferred_codec_only", "media_use_received_transport",
	"disable_direct_media_on_nat", "asymmetric_rtp_codec", "rpid_immediate",
	"user_eq_phone", "moh_passthrough", "notify_early_inuse_ringing",
	"refer_blind_progress", "suppress_q850_reason_headers", NULL,
};
static const char *const aor_ignored[] = {
	"authenticate_qualify", "outbound_proxy",
	"support_path", "voicemail_extension", "mailboxes",
	"remove_unavailable", "contact_user", NULL,
};
static const char *const transport_ignored[] = {
	"external_media_address", "external_signaling_address",
	"external_signaling_port", "local_net", "tos", "cos",
	"allow_reload", "symmetric_transport", "async_operations",
	"method", "cert_file", "priv_key_file", "ca_list_file", "verify_client",
	"verify_server", "require_client_cert", NULL,
};

/* Section types of Asterisk's that ariadne reads past. */
static const char *const unused_sections[] = {
	"global", "system", "registration", "domain_alias", "acl", "contact",
	"phoneprov", NULL,
};

static bool in_list(const char *const *l, const char *name)
{
	for (; *l; l++)
		if (!strcasecmp(*l, name))
			return true;
	return false;
}

bool sip_list_has(const char *list, const char *name)
{
	size_t n = strlen(name);
	const char *p = list;

	while (p && *p) {
		const char *e;
		size_t len;

		while (*p == ' ' || *p == ',')
			p++;
		e = strchr(p, ',');
		len = e ? (size_t)(e - p) : strlen(p);
		while (len && p[len - 1] == ' ')
			len--;
		if (len == n && !strncmp(p, name, n))
			return true;
		p = e;
	}
	return false;
}

void sip_list_first(const char *list, char *buf, size_t size)
{
	size_t len;

	buf[0] = '\0';
	if (!list || !size)
		return;
	while (*list == ' ')
		list++;
	len = strcspn(list, ", ");
	if (len >= size)
		len = size - 1;
	memcpy(buf, list, len);
	buf[len] = '\0';
}

static void codec_remove(char *list, const char *codec)
{
	char out[64] = "", tmp[64], *tok, *save = NULL;

	snprintf(tmp, sizeof(tmp), "%s", list);
	for (tok = strtok_r(tmp, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (!strcmp(tok, codec))
			continue;
		if (*out)
			strcat(out, ",");
		strcat(out, tok);
	}
	strcpy(list, out);
}

void sip_codecs_apply(char *list, size_t size, const char *value, bool allow,
		      const char *file, unsigned line)
{
	char tmp[256], *tok, *save = NULL;

	snprintf(tmp, sizeof(tmp), "%s", value);
	for (tok = strtok_r(tmp, ",& ", &save); tok;
	     tok = strtok_r(NULL, ",& ", &save)) {
		const char *c = NULL;

		if (!strcasecmp(tok, "all")) {
			if (allow)
				snprintf(list, size, "ulaw,alaw");
			else
				list[0] = '\0';
			continue;
		}
		if (!strcasecmp(tok, "ulaw") || !strcasecmp(tok, "g711u") ||
		    !strcasecmp(tok, "pcmu"))
			c = "ulaw";
		else if (!strcasecmp(tok, "alaw") ||
			 !strcasecmp(tok, "g711a") || !strcasecmp(tok, "pcma"))
			c = "alaw";
		if (!c) {
			/* an Asterisk file often lists g722/opus: say we
			 * skip them, the call still works with G.711 */
			if (allow)
				log_warning("%s:%u: Codec '%s' is not "
					    "supported, ignoring it",
					    file ? file : "pjsip.conf", line,
					    tok);
			continue;
		}
		codec_remove(list, c);
		if (allow && strlen(list) + 6 < size) {
			if (*list)
				strcat(list, ",");
			strcat(list, c);
		}
	}
}

static void net_destructor(void *arg)
{
	struct sip_net *n = arg;

	list_unlink(&n->le);
}

static int net_parse(struct sip_net *n, const char *s)
{
	char buf[80], *slash;
	unsigned max;

	snprintf(buf, sizeof(buf), "%s", s);
	slash = strchr(buf, '/');
	if (slash)
		*slash++ = '\0';
	if (sa_set_str(&n->addr, buf, 0))
		return EINVAL;
	max = sa_af(&n->addr) == AF_INET ? 32 : 128;
	n->prefix = max;
	if (slash) {
		struct in_addr mask;
		char *end;
		unsigned long v;

		if (max == 32 && strchr(slash, '.')) {
			uint32_t m;

			if (inet_pton(AF_INET, slash, &mask) != 1)
				return EINVAL;
			m = ntohl(mask.s_addr);
			n->prefix = 0;
			while (m & 0x80000000u) {
				n->prefix++;
				m <<= 1;
			}
			return 0;
		}
		v = strtoul(slash, &end, 10);
		if (*end || end == slash || v > max)
			return EINVAL;
		n->prefix = (unsigned)v;
	}
	return 0;
}

int sip_nets_add(struct list *nets, const char *value)
{
	char tmp[512], *tok, *save = NULL;
	int err = 0;

	snprintf(tmp, sizeof(tmp), "%s", value);
	for (tok = strtok_r(tmp, ", ", &save); tok;
	     tok = strtok_r(NULL, ", ", &save)) {
		struct sip_net *n = mem_zalloc(sizeof(*n), net_destructor);

		if (!n)
			return ENOMEM;
		if (net_parse(n, tok)) {
			mem_deref(n);
			err = EINVAL;
			continue;
		}
		list_append(nets, &n->le, n);
	}
	return err;
}

static bool prefix_eq(const uint8_t *a, const uint8_t *b, unsigned bits)
{
	unsigned full = bits / 8, rest = bits % 8;

	if (memcmp(a, b, full))
		return false;
	if (!rest)
		return true;
	return ((a[full] ^ b[full]) & (uint8_t)(0xff << (8 - rest))) == 0;
}

bool sip_nets_match(const struct list *nets, const struct sa *addr)
{
	struct le *le;

	for (le = list_head(nets); le; le = le->next) {
		const struct sip_net *n = le->data;
		uint8_t a[16], b[16];

		if (sa_af(&n->addr) != sa_af(addr))
			continue;
		if (sa_af(addr) == AF_INET) {
			uint32_t x = htonl(sa_in(&n->addr));
			uint32_t y = htonl(sa_in(addr));

			memcpy(a, &x, 4);
			memcpy(b, &y, 4);
		} else {
			sa_in6(&n->addr, a);
			sa_in6(addr, b);
		}
		if (prefix_eq(a, b, n->prefix))
			return true;
	}
	return false;
}

static int set_str(char **dst, const char *value)
{
	mem_deref(*dst);
	*dst = NULL;
	return str_dup(dst, value);
}

static int parse_uint(unsigned *out, const char *value)
{
	char *end;
	unsigned long v = strtoul(value, &end, 10);

	if (end == value || *end || v > 0x7fffffff)
		return EINVAL;
	*out = (unsigned)v;
	return 0;
}

/* callerid = "Alice" <100>, or Alice <100>, or just 100 */
static int set_callerid(struct sip_endpoint *e, const char *value)
{
	char buf[256], *lt, *gt, *name;

	snprintf(buf, sizeof(buf), "%s", value);
	e->cid_name = mem_deref(e->cid_name);
	e->cid_num = mem_deref(e->cid_num);
	lt = strchr(buf, '<');
	gt = lt ? strchr(lt, '>') : NULL;
	if (!lt || !gt)
		return str_dup(&e->cid_num, buf);
	*gt = '\0';
	*lt = '\0';
	name = buf;
	while (*name == ' ' || *name == '"')
		name++;
	while (*name && (name[strlen(name) - 1] == ' ' ||
			 name[strlen(name) - 1] == '"'))
		name[strlen(name) - 1] = '\0';
	if (*name && str_dup(&e->cid_name, name))
		return ENOMEM;
	return str_dup(&e->cid_num, lt + 1);
}

int sip_endpoint_set(struct sip_endpoint *e, const char *name,
		     const char *value, const char *file, unsigned line)
{
	if (!strcasecmp(name, "type"))
		return 0;
	if (!strcasecmp(name, "context"))
		return set_str(&e->context, value);
	if (!strcasecmp(name, "allow") || !strcasecmp(name, "disallow")) {
		/* the G.711 default stands in for "no allow= at all" only:
		 * a first allow= starts from Asterisk's empty list, so that
		 * allow=ulaw means ulaw alone */
		if (!e->codecs_set && !strcasecmp(name, "allow"))
			e->allow[0] = '\0';
		e->codecs_set = true;
		sip_codecs_apply(e->allow, sizeof(e->allow), value,
				 !strcasecmp(name, "allow"), file, line);
		return 0;
	}
	if (!strcasecmp(name, "auth"))
		return set_str(&e->auth, value);
	if (!strcasecmp(name, "outbound_auth"))
		return set_str(&e->outbound_auth, value);
	if (!strcasecmp(name, "aors"))
		return set_str(&e->aors, value);
	if (!strcasecmp(name, "callerid"))
		return set_callerid(e, value);
	if (!strcasecmp(name, "dtmf_mode")) {
		if (!strcasecmp(value, "rfc4733") ||
		    !strcasecmp(value, "auto") ||
		    !strcasecmp(value, "auto_info"))
			e->dtmf = SIP_DTMF_RFC4733;
		else if (!strcasecmp(value, "info"))
			e->dtmf = SIP_DTMF_INFO;
		else
			return EINVAL;
		return 0;
	}
	if (!strcasecmp(name, "rtp_timeout"))
		return parse_uint(&e->rtp_timeout, value);
	if (!strcasecmp(name, "language"))
		return set_str(&e->language, value);
	if (!strcasecmp(name, "from_user"))
		return set_str(&e->from_user, value);
	if (!strcasecmp(name, "from_domain"))
		return set_str(&e->from_domain, value);
	if (!strcasecmp(name, "transport"))
		return set_str(&e->transport, value);
	if (in_list(endpoint_ignored, name))
		return 0;
	return ENOENT;
}

int sip_auth_set(struct sip_authobj *a, const char *name, const char *value)
{
	if (!strcasecmp(name, "type"))
		return 0;
	if (!strcasecmp(name, "auth_type")) {
		if (strcasecmp(value, "userpass") && strcasecmp(value, "digest"))
			return EINVAL;
		return 0;
	}
	if (!strcasecmp(name, "username"))
		return set_str(&a->username, value);
	if (!strcasecmp(name, "password"))
		return set_str(&a->password, value);
	if (!strcasecmp(name, "realm"))
		return set_str(&a->realm, value);
	if (!strcasecmp(name, "nonce_lifetime"))
		return parse_uint(&a->nonce_lifetime, value);
	if (!strcasecmp(name, "md5_cred"))
		return 0;
	return ENOENT;
}

int sip_aor_set(struct sip_aor *a, const char *name, const char *value)
{
	if (!strcasecmp(name, "type"))
		return 0;
	if (!strcasecmp(name, "max_contacts"))
		return parse_uint(&a->max_contacts, value);
	if (!strcasecmp(name, "remove_existing")) {
		a->remove_existing = config_true(value);
		return 0;
	}
	if (!strcasecmp(name, "qualify_frequency"))
		return parse_uint(&a->qualify_frequency, value);
	if (!strcasecmp(name, "qualify_timeout")) {
		/* seconds, with a fraction: "3.0" */
		char *end;
		double v = strtod(value, &end);

		if (end == value || *end || v < 0 || v > 86400)
			return EINVAL;
		a->qualify_timeout_ms = (unsigned)(v * 1000);
		return 0;
	}
	if (!strcasecmp(name, "default_expiration"))
		return parse_uint(&a->default_expiration, value);
	if (!strcasecmp(name, "minimum_expiration"))
		return parse_uint(&a->minimum_expiration, value);
	if (!strcasecmp(name, "maximum_expiration"))
		return parse_uint(&a->maximum_expiration, value);
	if (!strcasecmp(name, "contact")) {
		struct sip_regcontact *c;
		char tmp[512], *tok, *save = NULL;
		int err = 0;

		snprintf(tmp, sizeof(tmp), "%s", value);
		for (tok = strtok_r(tmp, ",", &save); tok && !err;
		     tok = strtok_r(NULL, ",", &save)) {
			while (*tok == ' ')
				tok++;
			if (strncasecmp(tok, "sip:", 4))
				return EINVAL;
			err = sip_contact_alloc(&c, a, tok);
		}
		return err;
	}
	if (in_list(aor_ignored, name))
		return 0;
	return ENOENT;
}

static void endpoint_destructor(void *arg)
{
	struct sip_endpoint *e = arg;

	list_unlink(&e->le);
	mem_deref(e->name);
	mem_deref(e->context);
	mem_deref(e->auth);
	mem_deref(e->outbound_auth);
	mem_deref(e->aors);
	mem_deref(e->cid_name);
	mem_deref(e->cid_num);
	mem_deref(e->language);
	mem_deref(e->from_user);
	mem_deref(e->from_domain);
	mem_deref(e->transport);
}

int sip_endpoint_alloc(struct sip_endpoint **ep, const char *name)
{
	struct sip_endpoint *e = mem_zalloc(sizeof(*e), endpoint_destructor);

	if (!e)
		return ENOMEM;
	if (str_dup(&e->name, name) || str_dup(&e->context, "default") ||
	    str_dup(&e->language, "en")) {
		mem_deref(e);
		return ENOMEM;
	}
	/* Asterisk starts with no codecs; a file without allow= would give
	 * calls nothing to negotiate, so start from G.711 like most
	 * sample configs do. */
	snprintf(e->allow, sizeof(e->allow), "ulaw,alaw");
	*ep = e;
	return 0;
}

static void auth_destructor(void *arg)
{
	struct sip_authobj *a = arg;

	list_unlink(&a->le);
	mem_deref(a->name);
	mem_deref(a->username);
	mem_deref(a->password);
	mem_deref(a->realm);
}

int sip_authobj_alloc(struct sip_authobj **ap, const char *name)
{
	struct sip_authobj *a = mem_zalloc(sizeof(*a), auth_destructor);

	if (!a)
		return ENOMEM;
	if (str_dup(&a->name, name)) {
		mem_deref(a);
		return ENOMEM;
	}
	a->nonce_lifetime = 32; /* Asterisk's default (res_pjsip auth) */
	*ap = a;
	return 0;
}

static void contact_destructor(void *arg)
{
	struct sip_regcontact *c = arg;

	list_unlink(&c->le);
	mem_deref(c->qreq);
	mem_deref(c->uri);
	mem_deref(c->callid);
	mem_deref(c->user_agent);
}

int sip_contact_alloc(struct sip_regcontact **cp, struct sip_aor *aor,
		      const char *uri)
{
	struct sip_regcontact *c = mem_zalloc(sizeof(*c), contact_destructor);

	if (!c)
		return ENOMEM;
	if (str_dup(&c->uri, uri)) {
		mem_deref(c);
		return ENOMEM;
	}
	c->aor = aor;
	c->status = "Unknown";
	c->rtt_usec = -1;
	list_append(&aor->contacts, &c->le, c);
	*cp = c;
	return 0;
}

static void aor_destructor(void *arg)
{
	struct sip_aor *a = arg;

	list_unlink(&a->le);
	list_flush(&a->contacts);
	mem_deref(a->name);
}

int sip_aor_alloc(struct sip_aor **ap, const char *name)
{
	struct sip_aor *a = mem_zalloc(sizeof(*a), aor_destructor);

	if (!a)
		return ENOMEM;
	if (str_dup(&a->name, name)) {
		mem_deref(a);
		return ENOMEM;
	}
	/* Asterisk's defaults (res_pjsip aor object) */
	a->default_expiration = 3600;
	a->minimum_expiration = 60;
	a->maximum_expiration = 7200;
	a->qualify_timeout_ms = 3000;
	*ap = a;
	return 0;
}

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
			else
				log_warning("%s:%u: Transport protocol '%s' is "
					    "not supported (udp, tcp)",
					    v->file, v->line, v->value);
		} else if (!strcasecmp(v->name, "bind")) {
			bind = v->value;
		} else if (!in_list(transport_ignored, v->name)) {
			warn_unknown(v, "transport", s->name);
		}
	}
	/* bind = addr[:port]; [v6]:port */
	if (sa_decode(&t->bind, bind, strlen(bind))) {
		if (sa_set_str(&t->bind, bind, 5060)) {
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
			if (set_str(&i->endpoint, v->value))
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
	if (in_list(unused_sections, type))
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
