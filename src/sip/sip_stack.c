/* sip_stack.c — the SIP stack itself: libre's sip instance, the transports of
 * pjsip.conf, the dispatcher for requests outside dialogs (REGISTER,
 * OPTIONS, MESSAGE, unknown methods), endpoint lookup and state, and the one
 * housekeeping timer that drives contact expiry and qualify (one timer for
 * all contacts: libre's timer list is a sorted linked list, see
 * ARCHITECTURE.md). Calls live in sip_call*.c, the registrar in
 * sip_registrar.c. */
#include <errno.h>
#include <stdint.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <re_types.h>
#include <re_fmt.h>
#include <re_mem.h>
#include <re_mbuf.h>
#include <re_list.h>
#include <re_sa.h>
#include <re_tmr.h>
#include <re_sys.h>
#include <re_dns.h>
#include <re_uri.h>
#include <re_msg.h>
#include <re_sip.h>
#include <re_sipsess.h>
#include <re_net.h>
#include <unistd.h>
#include <sys/socket.h>
#include "core/bus.h"
#include "core/channel.h"
#include "base/config.h"
#include "core/endpoint.h"
#include "base/log.h"
#include "sip/sip_int.h"

struct sip_mod sipmod;

static struct dnsc *dnsc;
static struct sip_lsnr *lsnr;
static struct tmr tick_tmr;

static const struct endpoint_tech_ops ep_ops = {
	.send_message = sip_message_send,
	.refer = sip_refer_send,
};

void sip_hexid(char *buf, size_t size)
{
	snprintf(buf, size, "%08x", rand_u32());
}

struct sip_endpoint *sip_endpoint_find(const char *name)
{
	struct le *le;

	if (!sipmod.conf || !name)
		return NULL;
	for (le = list_head(&sipmod.conf->endpoints); le; le = le->next) {
		struct sip_endpoint *e = le->data;

		if (!strcmp(e->name, name))
			return e;
	}
	return NULL;
}

struct sip_authobj *sip_authobj_find(const char *name)
{
	struct le *le;

	if (!sipmod.conf || !name)
		return NULL;
	for (le = list_head(&sipmod.conf->auths); le; le = le->next) {
		struct sip_authobj *a = le->data;

		if (!strcmp(a->name, name))
			return a;
	}
	return NULL;
}

struct sip_aor *sip_aor_find(const char *name)
{
	struct le *le;

	if (!sipmod.conf || !name)
		return NULL;
	for (le = list_head(&sipmod.conf->aors); le; le = le->next) {
		struct sip_aor *a = le->data;

		if (!strcmp(a->name, name))
			return a;
	}
	return NULL;
}

/* Asterisk's default identify_by order: ip (identify sections), then the
 * From user as the endpoint name. */
struct sip_endpoint *sip_endpoint_identify(const struct sip_msg *msg)
{
	struct le *le;
	char user[128];

	for (le = list_head(&sipmod.conf->identifies); le; le = le->next) {
		struct sip_identify *i = le->data;

		if (sip_nets_match(&i->nets, &msg->src)) {
			struct sip_endpoint *e = sip_endpoint_find(i->endpoint);

			if (e)
				return e;
		}
	}
	if (!pl_isset(&msg->from.uri.user) ||
	    msg->from.uri.user.l >= sizeof(user))
		return NULL;
	pl_strcpy(&msg->from.uri.user, user, sizeof(user));
	return sip_endpoint_find(user);
}

/* A transport bound to 0.0.0.0 has no address to write into SDP or a
 * Contact (c=IN IP4 0.0.0.0 even means "hold"): ask the kernel which source
 * address it would use towards the peer, as a connected UDP socket reveals
 * without sending anything. Without a peer, the default route's address. */
static void concrete_ip(struct sa *laddr, const struct sa *peer)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	uint16_t port = sa_port(laddr);
	struct sa ip;
	int fd;

	if (!sa_is_any(laddr))
		return;
	if (peer && sa_isset(peer, SA_ADDR) && !sa_is_any(peer)) {
		fd = socket(sa_af(peer), SOCK_DGRAM, 0);
		if (fd >= 0 && !connect(fd, &peer->u.sa, peer->len) &&
		    !getsockname(fd, (struct sockaddr *)&ss, &len) &&
		    !sa_set_sa(&ip, (struct sockaddr *)&ss)) {
			close(fd);
			*laddr = ip;
			sa_set_port(laddr, port);
			return;
		}
		if (fd >= 0)
			close(fd);
	}
	if (!net_default_source_addr_get(sa_af(laddr), &ip)) {
		*laddr = ip;
		sa_set_port(laddr, port);
	}
}

int sip_laddr(struct sa *laddr, int tp, const struct sa *dst)
{
	int err = sip_transp_laddr(sipmod.sip, laddr, (enum sip_transp)tp, dst);

	if (!err)
		concrete_ip(laddr, dst);
	return err;
}

void sip_concrete_laddr(struct sa *laddr, const struct sa *peer)
{
	concrete_ip(laddr, peer);
}

static bool contact_available(const struct sip_aor *aor,
			      const struct sip_regcontact *c)
{
	if (!aor->qualify_frequency)
		return true;
	return !strcmp(c->status, "Reachable");
}

/* res_pjsip's rule: an endpoint with aors is online while one of its aors
 * has an available contact (reachable, or any contact when the aor is not
 * qualified); one without aors is simply online. */
void sip_endpoint_update_state(struct sip_endpoint *e)
{
	char tmp[256], *tok, *save = NULL;
	bool online = false;

	if (!e->ep)
		return;
	if (!e->aors || !*e->aors) {
		endpoint_set_state(e->ep, ENDPOINT_ONLINE);
		return;
	}
	snprintf(tmp, sizeof(tmp), "%s", e->aors);
	for (tok = strtok_r(tmp, ", ", &save); tok && !online;
	     tok = strtok_r(NULL, ", ", &save)) {
		struct sip_aor *aor = sip_aor_find(tok);
		struct le *le;

		if (!aor)
			continue;
		for (le = list_head(&aor->contacts); le; le = le->next)
			if (contact_available(aor, le->data))
				online = true;
	}
	endpoint_set_state(e->ep, online ? ENDPOINT_ONLINE : ENDPOINT_OFFLINE);
}

int sip_endpoint_publish(struct sip_endpoint *e)
{
	int err = 0;

	if (!e->ep)
		err = endpoint_add(&e->ep, "PJSIP", e->name);
	if (err)
		return err;
	sip_endpoint_update_state(e);
	return 0;
}

/* PeerStatusChange as res_pjsip words it: a registration adds
 * (Registered) or removes (Unregistered) a contact, qualify finds it
 * Reachable or Unreachable. Unknown/NonQualified are not peer states. */
static void peer_status_publish(struct sip_endpoint *e,
				const struct sip_regcontact *c,
				const char *status)
{
	struct bus_event ev = {0};
	char addr[64] = "", port[8] = "";
	const char *peer;

	if (!strcmp(status, "Reachable") || !strcmp(status, "Unreachable"))
		peer = status;
	else if (!strcmp(status, "Removed"))
		peer = "Unregistered";
	else if (c->expires && !strcmp(status, "Unknown") && c->rtt_usec < 0)
		peer = "Registered";
	else if (c->expires && !strcmp(status, "NonQualified"))
		peer = "Registered";
	else
		return;
	if (sa_isset(&c->src, SA_ADDR)) {
		re_snprintf(addr, sizeof(addr), "%j", &c->src);
		snprintf(port, sizeof(port), "%u", sa_port(&c->src));
	} else {
		struct pl host, p;

		if (!re_regex(c->uri, strlen(c->uri), "@[^:;>]+[:]*[0-9]*",
			      &host, NULL, &p)) {
			pl_strcpy(&host, addr, sizeof(addr));
			if (pl_isset(&p))
				pl_strcpy(&p, port, sizeof(port));
		}
	}
	ev.type = BUS_PEER_STATUS;
	ev.endpoint = e->ep;
	ev.status = peer;
	ev.address = *addr ? addr : NULL;
	ev.port = *port ? port : NULL;
	bus_publish(&ev);
}

/* ContactStatusChange for every endpoint using the contact's aor, then
 * their states. */
void sip_contact_status_publish(struct sip_regcontact *c, const char *status)
{
	struct le *le;

	c->status = status;
	if (!sipmod.conf)
		return;
	for (le = list_head(&sipmod.conf->endpoints); le; le = le->next) {
		struct sip_endpoint *e = le->data;
		struct bus_event ev = {0};

		if (!e->ep || !e->aors || !sip_list_has(e->aors, c->aor->name))
			continue;
		ev.type = BUS_CONTACT_STATUS;
		ev.endpoint = e->ep;
		ev.uri = c->uri;
		ev.status = status;
		ev.aor = c->aor->name;
		ev.rtt_usec = c->rtt_usec;
		bus_publish(&ev);
		peer_status_publish(e, c, status);
		sip_endpoint_update_state(e);
	}
}

int sip_endpoint_contact_uri(const struct sip_endpoint *e, char *buf,
			     size_t size)
{
	char tmp[256], *tok, *save = NULL;

	if (!e->aors)
		return ENOENT;
	snprintf(tmp, sizeof(tmp), "%s", e->aors);
	for (tok = strtok_r(tmp, ", ", &save); tok;
	     tok = strtok_r(NULL, ", ", &save)) {
		struct sip_aor *aor = sip_aor_find(tok);
		struct le *le;

		if (!aor)
			continue;
		/* the newest registration is the phone most likely alive */
		for (le = aor->contacts.tail; le; le = le->prev) {
			struct sip_regcontact *c = le->data;

			if (!strcmp(c->status, "Unreachable"))
				continue;
			snprintf(buf, size, "%s", c->uri);
			return 0;
		}
	}
	return ENOENT;
}

void sip_log_refused(const struct sip_msg *msg, const char *why)
{
	char buf[512];

	re_snprintf(buf, sizeof(buf), "Request '%r' from '<%r>' failed for "
		    "'%J' (callid: %r) - %s", &msg->met, &msg->from.auri,
		    &msg->src, &msg->callid, why);
	log_notice("%s", buf);
}

static void reply_not_allowed(const struct sip_msg *msg)
{
	(void)sip_replyf(sipmod.sip, msg, 405, "Method Not Allowed",
			 "Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, "
			 "MESSAGE, REGISTER, REFER, NOTIFY\r\n"
			 "Content-Length: 0\r\n\r\n");
}

static void options_reply(const struct sip_msg *msg)
{
	(void)sip_replyf(sipmod.sip, msg, 200, "OK",
			 "Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, "
			 "MESSAGE, REGISTER, REFER, NOTIFY\r\n"
			 "Accept: application/sdp\r\n"
			 "Content-Length: 0\r\n\r\n");
}

/* Requests sipsess did not take: out-of-dialog ones, or leftovers. */
static bool request_handler(const struct sip_msg *msg, void *arg)
{
	(void)arg;

	if (sip_malformed_seen(msg))
		return true;  /* our own probe: nobody to answer */
	if (!pl_isset(&msg->callid) || !pl_isset(&msg->from.auri) ||
	    !pl_isset(&msg->to.auri) || !pl_isset(&msg->cseq.met)) {
		(void)sip_reply(sipmod.sip, msg, 400, "Bad Request");
		return true;
	}
	if (!pl_strcmp(&msg->met, "REGISTER"))
		return sip_registrar_request(msg);
	if (!pl_strcmp(&msg->met, "OPTIONS")) {
		options_reply(msg);
		return true;
	}
	if (!pl_strcmp(&msg->met, "MESSAGE"))
		return sip_message_request(msg);
	if (!pl_strcmp(&msg->met, "ACK"))
		return true;
	if (!pl_strcmp(&msg->met, "CANCEL") || !pl_strcmp(&msg->met, "BYE") ||
	    !pl_strcmp(&msg->met, "INFO") || !pl_strcmp(&msg->met, "UPDATE") ||
	    !pl_strcmp(&msg->met, "PRACK")) {
		(void)sip_reply(sipmod.sip, msg, 481,
				"Call/Transaction Does Not Exist");
		return true;
	}
	if (!pl_strcmp(&msg->met, "NOTIFY") && sip_refer_notify_request(msg))
		return true;
	if (!pl_strcmp(&msg->met, "SUBSCRIBE") ||
	    !pl_strcmp(&msg->met, "NOTIFY") ||
	    !pl_strcmp(&msg->met, "PUBLISH") ||
	    !pl_strcmp(&msg->met, "REFER")) {
		reply_not_allowed(msg);
		return true;
	}
	(void)sip_reply(sipmod.sip, msg, 501, "Not Implemented");
	return true;
}

static void tick(void *arg)
{
	uint64_t now = tmr_jiffies();

	(void)arg;
	tmr_start(&tick_tmr, 1000, tick, NULL);
	sip_registrar_tick(now);
	sip_qualify_tick(now);
}

static int add_one_transport(int proto, const struct sa *bind,
			     const char *name)
{
	int err = sip_transp_add(sipmod.sip, (enum sip_transp)proto, bind);

	if (err) {
		char addr[64];

		re_snprintf(addr, sizeof(addr), "%J", bind);
		log_error("Transport '%s' could not bind %s (%s): %s", name,
			  addr, sip_transp_name((enum sip_transp)proto),
			  strerror(err));
		return err;
	}
	sipmod.ntransports++;
	if (proto == SIP_TRANSP_UDP)
		(void)sip_malformed_probe(bind);
	{
		char addr[64];

		re_snprintf(addr, sizeof(addr), "%J", bind);
		log_verbose(2, "SIP transport '%s' listening on %s %s", name,
			    sip_transp_name((enum sip_transp)proto), addr);
	}
	return 0;
}

struct any_bind {
	int proto;
	uint16_t port;
	int af;
	const char *name;
	int added;
};

static bool add_if_transport(const char *ifname, const struct sa *sa,
			     void *arg)
{
	struct any_bind *ab = arg;
	struct sa laddr = *sa;

	(void)ifname;
	if (sa_af(sa) != ab->af || sa_is_linklocal(sa))
		return false;
	sa_set_port(&laddr, ab->port);
	if (!add_one_transport(ab->proto, &laddr, ab->name))
		ab->added++;
	return false;
}

/* libre's transports need a concrete address (sip_transp_add refuses
 * 0.0.0.0), and a wildcard could not go into Contact or SDP anyway: a
 * wildcard bind, the common `bind=0.0.0.0:5060`, becomes one transport per
 * local address, as baresip does. */
static int add_transport(int proto, const struct sa *bind, const char *name)
{
	struct any_bind ab = {.proto = proto, .port = sa_port(bind),
			      .af = sa_af(bind), .name = name};

	if (!sa_is_any(bind))
		return add_one_transport(proto, bind, name);
	(void)net_if_apply(add_if_transport, &ab);
	if (!ab.added) {
		log_error("Transport '%s': no local address to bind", name);
		return EADDRNOTAVAIL;
	}
	return 0;
}

static int start_transports(void)
{
	struct le *le;

	if (!list_head(&sipmod.conf->transports)) {
		struct sa sa;

		sa_set_str(&sa, "127.0.0.1", 5060);
		(void)add_transport(SIP_TRANSP_UDP, &sa, "default");
		return 0;
	}
	for (le = list_head(&sipmod.conf->transports); le; le = le->next) {
		struct sip_tp_conf *t = le->data;

		(void)add_transport(t->proto, &t->bind, t->name);
	}
	return 0;
}

static int make_dnsc(void)
{
	struct sa srv[4];
	uint32_t n = 4;
	char domain[64];

	if (dns_srv_get(domain, sizeof(domain), srv, &n) || !n) {
		sa_set_str(&srv[0], "127.0.0.1", 53);
		n = 1;
	}
	return dnsc_alloc(&dnsc, NULL, srv, n);
}

static void check_references(void)
{
	struct le *le;

	for (le = list_head(&sipmod.conf->endpoints); le; le = le->next) {
		struct sip_endpoint *e = le->data;
		char name[64];

		sip_list_first(e->auth, name, sizeof(name));
		if (*name && !sip_authobj_find(name))
			log_warning("Endpoint '%s': auth '%s' does not exist",
				    e->name, name);
		sip_list_first(e->outbound_auth, name, sizeof(name));
		if (*name && !sip_authobj_find(name))
			log_warning("Endpoint '%s': outbound_auth '%s' does "
				    "not exist", e->name, name);
	}
}

int sip_stack_start(const struct config *pjsip)
{
	struct le *le;
	int err;

	memset(&sipmod, 0, sizeof(sipmod));
	tmr_init(&tick_tmr);
	if (pjsip)
		err = sip_conf_parse(&sipmod.conf, pjsip);
	else if (!(sipmod.conf = mem_zalloc(sizeof(*sipmod.conf), NULL)))
		err = ENOMEM;
	else
		err = 0;
	if (err)
		return err;
	check_references();

	err = make_dnsc();
	if (err)
		goto fail;
	/* hash sizes: enough buckets for thousands of concurrent calls */
	err = sip_alloc(&sipmod.sip, dnsc, 1024, 1024, 256,
			"ariadne " ARIADNE_VERSION, NULL, NULL);
	if (err)
		goto fail;
	(void)start_transports();
	err = sipsess_listen(&sipmod.sock, sipmod.sip, 1024,
			     sip_call_incoming, NULL);
	if (err)
		goto fail;
	err = sip_listen(&lsnr, sipmod.sip, true, request_handler, NULL);
	if (err)
		goto fail;
	err = sip_auth_init();
	if (!err)
		err = channel_tech_register(&sip_tech);
	if (!err)
		err = endpoint_tech_register("PJSIP", &ep_ops);
	if (!err)
		err = sip_call_init();
	if (err)
		goto fail;
	for (le = list_head(&sipmod.conf->endpoints); le; le = le->next)
		(void)sip_endpoint_publish(le->data);
	/* static contacts: qualify them (or mark NonQualified) */
	for (le = list_head(&sipmod.conf->aors); le; le = le->next) {
		struct sip_aor *aor = le->data;
		struct le *cl;

		for (cl = list_head(&aor->contacts); cl; cl = cl->next)
			sip_qualify_contact(cl->data);
	}
	(void)sip_cli_init();
	(void)sip_dynconf_init();
	tmr_start(&tick_tmr, 1000, tick, NULL);
	log_verbose(2, "SIP: %u endpoints, %d transports",
		    list_count(&sipmod.conf->endpoints), sipmod.ntransports);
	return 0;
fail:
	log_error("SIP stack could not start: %s", strerror(err));
	sip_stack_stop();
	return err;
}

/* libre's sip_close() is shadowed by our public sip_close() (sip.h), so the
 * stack is closed by its destructor alone: it flushes transactions and
 * transports itself. */
void sip_stack_stop(void)
{
	struct le *le;

	tmr_cancel(&tick_tmr);
	sip_malformed_close();
	sip_call_close();
	if (sipmod.sock)
		sipsess_close_all(sipmod.sock);
	if (sipmod.conf) {
		for (le = list_head(&sipmod.conf->endpoints); le;
		     le = le->next) {
			struct sip_endpoint *e = le->data;

			if (e->ep)
				endpoint_remove(e->ep);
			e->ep = NULL;
		}
	}
	sipmod.conf = mem_deref(sipmod.conf);
	lsnr = mem_deref(lsnr);
	sipmod.sock = mem_deref(sipmod.sock);
	sipmod.sip = mem_deref(sipmod.sip);
	dnsc = mem_deref(dnsc);
}
