/* sip_objects.c — the configuration objects of the SIP module: endpoint,
 * auth and aor (with its contacts), made with Asterisk's defaults and set
 * one option at a time, the same way for pjsip.conf (sip_conf.c) and for
 * ARI's dynamic configuration (sip_dynconf.c); and the small value parsers
 * they share: comma lists, codec lists, networks of identify's match=.
 * Options Asterisk knows but ariadne does not act on are accepted quietly
 * (an Asterisk user's file must load unchanged). Nothing here runs or
 * sends anything. */
#include <errno.h>
#include <stdint.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <stdio.h>
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
	"rtp_hold_timeout", "rtcp_mux", "max_audio_streams",
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

int sip_str_set(char **dst, const char *value)
{
	mem_deref(*dst);
	*dst = NULL;
	return str_dup(dst, value);
}

int sip_uint_parse(unsigned *out, const char *value)
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
		return sip_str_set(&e->context, value);
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
		return sip_str_set(&e->auth, value);
	if (!strcasecmp(name, "outbound_auth"))
		return sip_str_set(&e->outbound_auth, value);
	if (!strcasecmp(name, "aors"))
		return sip_str_set(&e->aors, value);
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
		return sip_uint_parse(&e->rtp_timeout, value);
	if (!strcasecmp(name, "rtp_keepalive"))
		return sip_uint_parse(&e->rtp_keepalive, value);
	if (!strcasecmp(name, "language"))
		return sip_str_set(&e->language, value);
	if (!strcasecmp(name, "from_user"))
		return sip_str_set(&e->from_user, value);
	if (!strcasecmp(name, "from_domain"))
		return sip_str_set(&e->from_domain, value);
	if (!strcasecmp(name, "transport"))
		return sip_str_set(&e->transport, value);
	if (config_word_in(name, endpoint_ignored))
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
		return sip_str_set(&a->username, value);
	if (!strcasecmp(name, "password"))
		return sip_str_set(&a->password, value);
	if (!strcasecmp(name, "realm"))
		return sip_str_set(&a->realm, value);
	if (!strcasecmp(name, "nonce_lifetime"))
		return sip_uint_parse(&a->nonce_lifetime, value);
	if (!strcasecmp(name, "md5_cred"))
		return 0;
	return ENOENT;
}

int sip_aor_set(struct sip_aor *a, const char *name, const char *value)
{
	if (!strcasecmp(name, "type"))
		return 0;
	if (!strcasecmp(name, "max_contacts"))
		return sip_uint_parse(&a->max_contacts, value);
	if (!strcasecmp(name, "remove_existing")) {
		a->remove_existing = config_true(value);
		return 0;
	}
	if (!strcasecmp(name, "qualify_frequency"))
		return sip_uint_parse(&a->qualify_frequency, value);
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
		return sip_uint_parse(&a->default_expiration, value);
	if (!strcasecmp(name, "minimum_expiration"))
		return sip_uint_parse(&a->minimum_expiration, value);
	if (!strcasecmp(name, "maximum_expiration"))
		return sip_uint_parse(&a->maximum_expiration, value);
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
	if (config_word_in(name, aor_ignored))
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
