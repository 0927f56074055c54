/* sip_stack.c — the SIP stack itself and what every other file of src/sip
 * needs from it: the module's state (sipmod), libre's sip instance with the
 * transports of pjsip.conf, the local address to put in From, Contact and
 * SDP, and the log line for a refused request. It starts nothing above
 * itself: sip.c does, in order. Endpoint lookup and state are in
 * sip_endpoint.c. */
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
#include <re_sa.h>
#include <re_dns.h>
#include <re_uri.h>
#include <re_msg.h>
#include <re_sip.h>
#include <re_net.h>
#include <unistd.h>
#include <sys/socket.h>
#include "base/log.h"
#include "core/overload.h"
#include "sip/sip_int.h"
#include "net/tcp_tls.h"

struct sip_mod sipmod;

static struct dnsc *dnsc;

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

int sip_laddr_default(struct sa *laddr)
{
	if (sip_laddr(laddr, SIP_TRANSP_UDP, NULL) &&
	    sip_laddr(laddr, SIP_TRANSP_TCP, NULL) &&
	    sip_laddr(laddr, SIP_TRANSP_TLS, NULL))
		return ENOTCONN;
	return 0;
}

void sip_concrete_laddr(struct sa *laddr, const struct sa *peer)
{
	concrete_ip(laddr, peer);
}

/* The peer's own fields are cleaned (log_peer_text): fail2ban reads the
 * address from "failed for '<HOST>' (callid: ...)", and a Call-ID or From
 * that carried "' failed for '192.0.2.1' (callid: x" would otherwise get
 * that address banned (Asterisk writes them raw). */
static const char *peer_field(char *out, size_t size, const struct pl *pl)
{
	return log_peer_text(out, size, pl ? pl->p : NULL, pl ? pl->l : 0);
}

void sip_log_refused(const struct sip_msg *msg, const char *why)
{
	char met[32], from[160], callid[160], src[64];

	re_snprintf(src, sizeof(src), "%J", &msg->src);
	log_notice("Request '%s' from '<%s>' failed for '%s' (callid: %s) - %s",
		   peer_field(met, sizeof(met), &msg->met),
		   peer_field(from, sizeof(from), &msg->from.auri), src,
		   peer_field(callid, sizeof(callid), &msg->callid), why);
}

/* The transport's method; a word we do not know, or a version OpenSSL
 * will not do, is logged and the default range kept. */
static void tls_method(struct tls *tls, const char *method, const char *what)
{
	int err = tcp_tls_method(tls, method);

	if (err == EINVAL)
		log_warning("%s: method '%s' is not one of tlsv1, tlsv1_1, "
			    "tlsv1_2, tlsv1_3, sslv23, unspecified; any TLS "
			    "version OpenSSL allows is accepted", what, method);
	else if (err)
		log_warning("%s: method '%s' cannot be set: %s", what, method,
			    strerror(err));
}

const char *sip_retry_after_hdr(char *buf, size_t size)
{
	unsigned ra = overload_retry_after();

	/* RFC 3261 21.5.4: when the caller may try again */
	if (ra)
		(void)re_snprintf(buf, size, "Retry-After: %u\r\n", ra);
	else if (size)
		buf[0] = '\0';
	return buf;
}

/* method, cipher and the checks of certificates: a transport whose
 * cipher or CA list cannot be used is not started (an admin who asked for
 * client certificates must not get a transport that takes anyone). */
static int tls_settings(struct tls *tls, const struct sip_tp_conf *t,
			const char *what)
{
	const struct tcp_tls_opts o = {
		.cipher = t->cipher,
		.ca_file = t->ca_list_file, .ca_path = t->ca_list_path,
		.verify_client = t->verify_client,
		.require_client_cert = t->require_client_cert,
		.verify_server = t->verify_server,
	};

	tls_method(tls, t->method, what);
	return tcp_tls_options(tls, &o, what);
}

static int add_one_transport(int proto, const struct sa *bind,
			     const char *name, struct tls *tls)
{
	int err = proto == SIP_TRANSP_TLS ?
		  sip_transp_add(sipmod.sip, SIP_TRANSP_TLS, bind, tls) :
		  sip_transp_add(sipmod.sip, (enum sip_transp)proto, bind);

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
	else if (proto == SIP_TRANSP_TCP || proto == SIP_TRANSP_TLS) {
		(void)sip_tcp_guard_add(bind, name);
		if (sip_tcp_frame_add(bind, proto))
			log_warning("Transport '%s': a stream libre cannot "
				    "frame will not be closed", name);
	}
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
	struct tls *tls;
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
	if (!add_one_transport(ab->proto, &laddr, ab->name, ab->tls))
		ab->added++;
	return false;
}

/* libre's transports need a concrete address (sip_transp_add refuses
 * 0.0.0.0), and a wildcard could not go into Contact or SDP anyway: a
 * wildcard bind, the common `bind=0.0.0.0:5060`, becomes one transport per
 * local address, as baresip does. */
static int add_transport(int proto, const struct sa *bind, const char *name,
			 struct tls *tls)
{
	struct any_bind ab = {.proto = proto, .port = sa_port(bind),
			      .af = sa_af(bind), .name = name, .tls = tls};

	if (!sa_is_any(bind))
		return add_one_transport(proto, bind, name, tls);
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

	if (!list_head(&sipmod.conf->transports) && sipmod.conf->from_file) {
		/* a pjsip.conf whose transport is broken must not listen
		 * where nobody configured it */
		log_warning("pjsip.conf has no usable transport: SIP is not "
			    "listening (with no pjsip.conf at all, ariadne "
			    "listens on UDP 127.0.0.1:5060)");
		return 0;
	}
	if (!list_head(&sipmod.conf->transports)) {
		struct sa sa;

		sa_set_str(&sa, "127.0.0.1", 5060);
		(void)add_transport(SIP_TRANSP_UDP, &sa, "default", NULL);
		return 0;
	}
	for (le = list_head(&sipmod.conf->transports); le; le = le->next) {
		struct sip_tp_conf *t = le->data;
		struct tls *tls = NULL;
		char what[128];

		if (t->proto == SIP_TRANSP_TLS) {
			re_snprintf(what, sizeof(what), "pjsip.conf transport "
				    "'%s'", t->name);
			/* Not started without its certificate: logged. */
			if (tcp_tls_server(&tls, t->cert_file,
					   t->priv_key_file, what) ||
			    tls_settings(tls, t, what)) {
				log_error("%s not started", what);
				mem_deref(tls);
				continue;
			}
		}
		(void)add_transport(t->proto, &t->bind, t->name, tls);
		mem_deref(tls);  /* libre's transport holds it */
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

/* libre's sip instance with the transports of pjsip.conf (the default: UDP
 * on 127.0.0.1:5060). A transport that cannot bind is logged and skipped. */
int sip_stack_open(void)
{
	int err = make_dnsc();

	/* hash sizes: enough buckets for thousands of concurrent calls */
	if (!err)
		err = sip_alloc(&sipmod.sip, dnsc, 1024, 1024, 256,
				"ariadne " ARIADNE_VERSION, NULL, NULL);
	if (err)
		return err;
	(void)start_transports();
	return 0;
}

/* The destructor of libre's sip instance flushes its transactions and
 * transports: at shutdown nothing is left to wait for. */
void sip_stack_close(void)
{
	sip_tcp_guard_close();  /* before libre closes the listeners */
	sipmod.sip = mem_deref(sipmod.sip);
	sip_tcp_frame_close();  /* after libre's connections */
	dnsc = mem_deref(dnsc);
}
