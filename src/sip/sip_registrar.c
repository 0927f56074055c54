/* sip_registrar.c — REGISTER (RFC 3261 section 10) as res_pjsip_registrar
 * does it: the endpoint is identified and authenticated, the To user names
 * one of its aors, and the aor's contacts are added, refreshed or removed
 * (Expires: 0, Contact: *), within max_contacts (remove_existing drops the
 * contact closest to expiry). Expiry is checked by the module's one
 * housekeeping tick, not a timer per contact; so is the connection of a
 * contact registered over TCP or TLS, which goes with it. */
#include <errno.h>
#include <stdint.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <re_types.h>
#include <re_fmt.h>
#include <re_mem.h>
#include <re_mbuf.h>
#include <re_list.h>
#include <re_hash.h>
#include <re_sa.h>
#include <re_tmr.h>
#include <re_uri.h>
#include <re_msg.h>
#include <re_sip.h>
#include "base/log.h"
#include "sip/sip_int.h"
#include "sip/sip_services.h"

#define MAX_BINDINGS 16

void sip_contact_remove(struct sip_regcontact *c, const char *why)
{
	log_verbose(3, "Removed contact '%s' from AOR '%s' due to %s", c->uri,
		    c->aor->name, why);
	list_unlink(&c->le);
	c->qreq = mem_deref(c->qreq);
	sip_contact_status_publish(c, "Removed");
	mem_deref(c);
}

void sip_contacts_remove_if(sip_contact_pred_h *pred, void *arg,
			    const char *why)
{
	for (struct le *le = list_head(&sipmod.conf->aors); le;
	     le = le->next) {
		struct sip_aor *aor = le->data;
		struct le *cl = list_head(&aor->contacts);

		while (cl) {
			struct sip_regcontact *c = cl->data;

			cl = cl->next;
			if (pred(c, arg))
				sip_contact_remove(c, why);
		}
	}
}

/* ---- contacts registered over TCP or TLS ---- */

/* A contact registered over TCP or TLS whose URI is its connection's own
 * source is reached through that connection alone (RFC 5626; a phone
 * behind NAT cannot be reached otherwise): once the connection is gone, so
 * is the contact, as chan_pjsip removes it when the transport shuts down,
 * instead of dialling a port nobody listens on until it expires. libre says
 * nothing when a connection closes, so every FLOW_CHECK_MS the accepted
 * connections still established are listed and compared. */
enum { FLOW_CHECK_MS = 10 * 1000 };

struct live_peer {
	struct le he;
	struct sa peer;
};

static void note_live(const struct sa *peer, void *arg)
{
	struct hash *live = arg;
	struct live_peer *p = mem_zalloc(sizeof(*p), NULL);

	if (!p)
		return;
	p->peer = *peer;
	hash_append(live, sa_hash(peer, SA_ALL), &p->he, p);
}

static bool peer_cmp(struct le *le, void *arg)
{
	const struct live_peer *p = le->data;

	return sa_cmp(&p->peer, arg, SA_ALL);
}

static bool is_stream(int tp)
{
	return tp == SIP_TRANSP_TCP || tp == SIP_TRANSP_TLS;
}

static bool any_stream_contact(void)
{
	for (struct le *le = list_head(&sipmod.conf->aors); le; le = le->next) {
		struct sip_aor *aor = le->data;

		for (struct le *cl = list_head(&aor->contacts); cl;
		     cl = cl->next) {
			struct sip_regcontact *c = cl->data;

			if (c->expires && is_stream(c->tp))
				return true;
		}
	}
	return false;
}

/* Reachable only through the connection its REGISTER came on: its URI
 * names that connection's own source address, as a phone behind NAT does
 * (what chan_pjsip prunes when the transport goes). A contact naming
 * another address (a phone listening on 5060, a proxy in front) may be
 * reached over a new connection and stays. */
static bool only_through_its_flow(const struct sip_regcontact *c)
{
	struct pl pl;
	struct uri u;
	struct sa named;

	pl_set_str(&pl, c->uri);
	if (uri_decode(&u, &pl) ||
	    sa_set(&named, &u.host, u.port ? u.port : 5060))
		return false;
	return sa_cmp(&named, &c->src, SA_ALL);
}

/* Registered over TCP or TLS, reachable only through its connection, and
 * that connection is not among those established. */
static bool flow_gone(const struct sip_regcontact *c, void *arg)
{
	return c->expires && is_stream(c->tp) &&
	       !hash_lookup(arg, sa_hash(&c->src, SA_ALL), peer_cmp,
			    (void *)&c->src) &&
	       only_through_its_flow(c);
}

static void check_flows(void)
{
	struct hash *peers = NULL;

	if (!any_stream_contact() || hash_alloc(&peers, 256))
		return;
	if (sip_tcp_guard_foreach_peer(note_live, peers))
		sip_contacts_remove_if(flow_gone, peers, "shutdown");
	hash_flush(peers);
	mem_deref(peers);
}

static bool expired(const struct sip_regcontact *c, void *arg)
{
	return c->expires && c->expires <= *(const uint64_t *)arg;
}

void sip_registrar_tick(uint64_t now)
{
	static uint64_t next_flow_check;

	if (!sipmod.conf)
		return;
	if (now >= next_flow_check) {
		next_flow_check = now + FLOW_CHECK_MS;
		check_flows();
	}
	sip_contacts_remove_if(expired, &now, "expiration");
}

static struct sip_regcontact *contact_find(struct sip_aor *aor, const char *uri)
{
	struct le *le;

	for (le = list_head(&aor->contacts); le; le = le->next) {
		struct sip_regcontact *c = le->data;

		if (c->expires && !strcmp(c->uri, uri))
			return c;
	}
	return NULL;
}

static unsigned count_dynamic(const struct sip_aor *aor)
{
	struct le *le;
	unsigned n = 0;

	for (le = list_head(&aor->contacts); le; le = le->next)
		if (((struct sip_regcontact *)le->data)->expires)
			n++;
	return n;
}

static struct sip_regcontact *soonest(struct sip_aor *aor)
{
	struct sip_regcontact *best = NULL;
	struct le *le;

	for (le = list_head(&aor->contacts); le; le = le->next) {
		struct sip_regcontact *c = le->data;

		if (c->expires && (!best || c->expires < best->expires))
			best = c;
	}
	return best;
}

struct binding {
	char uri[256];
	uint32_t expires;
	bool star;
};

/* The expiry a REGISTER asks for where a contact names none: its Expires
 * header, else the aor's default. */
static uint32_t request_expires(const struct sip_msg *msg,
				const struct sip_aor *aor)
{
	return pl_isset(&msg->expires) ? pl_u32(&msg->expires) :
	       aor->default_expiration;
}

/* Contact headers → bindings with their expiry (contact param, else the
 * Expires header, else the aor default). */
static int read_bindings(const struct sip_msg *msg, const struct sip_aor *aor,
			 struct binding *b, int *nb)
{
	struct le *le;
	int n = 0;

	for (le = list_head(&msg->hdrl); le; le = le->next) {
		const struct sip_hdr *h = le->data;
		struct sip_addr addr;
		struct pl ex;

		if (h->id != SIP_HDR_CONTACT)
			continue;
		if (n >= MAX_BINDINGS)
			return E2BIG;
		memset(&b[n], 0, sizeof(b[n]));
		if (!pl_strcmp(&h->val, "*")) {
			b[n].star = true;
			n++;
			continue;
		}
		if (sip_addr_decode(&addr, &h->val) ||
		    addr.auri.l >= sizeof(b[n].uri))
			return EBADMSG;
		/* res_pjsip_registrar binds sip: and sips: URIs only and
		 * passes over the others (a tel: contact is not stored) */
		if (pl_strcasecmp(&addr.uri.scheme, "sip") &&
		    pl_strcasecmp(&addr.uri.scheme, "sips"))
			continue;
		pl_strcpy(&addr.auri, b[n].uri, sizeof(b[n].uri));
		b[n].expires = !msg_param_decode(&addr.params, "expires", &ex) ?
			       pl_u32(&ex) : request_expires(msg, aor);
		if (b[n].expires > aor->maximum_expiration)
			b[n].expires = aor->maximum_expiration;
		n++;
	}
	*nb = n;
	return 0;
}

/* The Expires of the 200: what this REGISTER asked for in its Expires
 * header, else the aor's default, within the aor's bounds, as chan_pjsip
 * answers. A phone that reads the header rather than its Contact's
 * expires re-registers on time. */
static uint32_t granted_expires(const struct sip_msg *msg,
				const struct sip_aor *aor)
{
	uint32_t e = request_expires(msg, aor);

	if (e > aor->maximum_expiration)
		e = aor->maximum_expiration;
	if (e && e < aor->minimum_expiration)
		e = aor->minimum_expiration;
	return e;
}

static int reply_ok(const struct sip_msg *msg, struct sip_aor *aor)
{
	struct mbuf *mb = mbuf_alloc(512);
	uint64_t now = tmr_jiffies();
	struct le *le;
	int err;

	if (!mb)
		return ENOMEM;
	for (le = list_head(&aor->contacts); le; le = le->next) {
		struct sip_regcontact *c = le->data;

		if (!c->expires)
			continue;
		(void)mbuf_printf(mb, "Contact: <%s>;expires=%llu\r\n", c->uri,
				  (unsigned long long)((c->expires - now +
							999) / 1000));
	}
	mbuf_write_u8(mb, 0);
	err = sip_replyf(sipmod.sip, msg, 200, "OK",
			 "%s"
			 "Expires: %u\r\n"
			 "Content-Length: 0\r\n\r\n",
			 (char *)mb->buf, granted_expires(msg, aor));
	mem_deref(mb);
	return err;
}

static void add_binding(struct sip_aor *aor, const struct sip_msg *msg,
			const struct binding *b)
{
	struct sip_regcontact *c = contact_find(aor, b->uri);
	uint64_t now = tmr_jiffies();
	const struct sip_hdr *ua;
	bool fresh = !c;

	if (!c) {
		if (sip_contact_alloc(&c, aor, b->uri))
			return;
		log_verbose(3, "Added contact '%s' to AOR '%s' with expiration "
			    "of %u seconds", b->uri, aor->name, b->expires);
	}
	c->expires = now + (uint64_t)b->expires * 1000;
	c->src = msg->src;
	c->tp = msg->tp;
	c->callid = mem_deref(c->callid);
	(void)pl_strdup(&c->callid, &msg->callid);
	ua = sip_msg_hdr(msg, SIP_HDR_USER_AGENT);
	c->user_agent = mem_deref(c->user_agent);
	if (ua)
		(void)pl_strdup(&c->user_agent, &ua->val);
	if (fresh)
		sip_qualify_contact(c);
}

/* The To user names the aor, which must be one of the endpoint's; 404
 * otherwise. */
static struct sip_aor *aor_of(const struct sip_msg *msg,
			      const struct sip_endpoint *e)
{
	struct sip_aor *aor;
	char name[128];

	if (!pl_isset(&msg->to.uri.user) || msg->to.uri.user.l >= sizeof(name)) {
		(void)sip_reply(sipmod.sip, msg, 404, "Not Found");
		return NULL;
	}
	pl_strcpy(&msg->to.uri.user, name, sizeof(name));
	aor = e->aors && sip_list_has(e->aors, name) ? sip_aor_find(name) :
		NULL;
	if (!aor) {
		log_warning("AOR '%s' not found for endpoint '%s'", name,
			    e->name);
		(void)sip_reply(sipmod.sip, msg, 404, "Not Found");
	}
	return aor;
}

/* "Contact: *" only alone and with Expires: 0 (RFC 3261 10.3 step 6); no
 * expiry below the aor's minimum (423). */
static bool bindings_valid(const struct sip_msg *msg,
			   const struct sip_aor *aor, const struct binding *b,
			   int n)
{
	for (int i = 0; i < n; i++) {
		if (b[i].star && (n > 1 || !pl_isset(&msg->expires) ||
				  pl_u32(&msg->expires) != 0)) {
			(void)sip_reply(sipmod.sip, msg, 400, "Bad Request");
			return false;
		}
		if (!b[i].star && b[i].expires &&
		    b[i].expires < aor->minimum_expiration) {
			(void)sip_replyf(sipmod.sip, msg, 423,
					 "Interval Too Brief",
					 "Min-Expires: %u\r\n"
					 "Content-Length: 0\r\n\r\n",
					 aor->minimum_expiration);
			return false;
		}
	}
	return true;
}

/* Bindings that would make a new contact. */
static unsigned count_adds(struct sip_aor *aor, const struct binding *b,
			   int n)
{
	unsigned adds = 0;

	for (int i = 0; i < n; i++)
		if (!b[i].star && b[i].expires && !contact_find(aor, b[i].uri))
			adds++;
	return adds;
}

/* max_contacts, as res_pjsip_registrar words its refusals (403). */
static bool room_for(const struct sip_msg *msg, const struct sip_endpoint *e,
		     const struct sip_aor *aor, unsigned adds)
{
	if (adds && !aor->max_contacts) {
		log_warning("AOR '%s' has no configured max_contacts. Endpoint "
			    "'%s' unable to register", aor->name, e->name);
		(void)sip_reply(sipmod.sip, msg, 403, "Forbidden");
		return false;
	}
	if (count_dynamic(aor) + adds > aor->max_contacts &&
	    (!aor->remove_existing || adds > aor->max_contacts)) {
		log_warning("Registration attempt from endpoint '%s' to AOR "
			    "'%s' will exceed max contacts of %u", e->name,
			    aor->name, aor->max_contacts);
		(void)sip_reply(sipmod.sip, msg, 403, "Forbidden");
		return false;
	}
	return true;
}

static void remove_all_registered(struct sip_aor *aor)
{
	struct le *le = list_head(&aor->contacts);

	while (le) {
		struct sip_regcontact *c = le->data;

		le = le->next;
		if (c->expires)
			sip_contact_remove(c, "request");
	}
}

/* One binding: "*" removes every registration, expires 0 one of them;
 * otherwise the contact is added or refreshed, making room first by
 * dropping the one closest to expiry (remove_existing). */
static void apply_binding(struct sip_aor *aor, const struct sip_msg *msg,
			  const struct binding *b)
{
	struct sip_regcontact *c;

	if (b->star) {
		remove_all_registered(aor);
		return;
	}
	c = contact_find(aor, b->uri);
	if (!b->expires) {
		if (c)
			sip_contact_remove(c, "request");
		return;
	}
	if (!c && count_dynamic(aor) >= aor->max_contacts) {
		struct sip_regcontact *old = soonest(aor);

		if (old)
			sip_contact_remove(old, "remove_existing");
	}
	add_binding(aor, msg, b);
}

static void do_register(const struct sip_msg *msg, struct sip_endpoint *e)
{
	struct binding b[MAX_BINDINGS];
	struct sip_aor *aor = aor_of(msg, e);
	int n = 0;

	if (!aor)
		return;
	if (read_bindings(msg, aor, b, &n)) {
		(void)sip_reply(sipmod.sip, msg, 400, "Bad Request");
		return;
	}
	if (!bindings_valid(msg, aor, b, n) ||
	    !room_for(msg, e, aor, count_adds(aor, b, n)))
		return;
	for (int i = 0; i < n; i++)
		apply_binding(aor, msg, &b[i]);
	(void)reply_ok(msg, aor);
}

bool sip_registrar_request(const struct sip_msg *msg)
{
	struct sip_endpoint *e;

	if (!sip_authorize(msg, &e))
		do_register(msg, e);
	return true;
}
