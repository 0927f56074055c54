/* sip_malformed.c — 400 Bad Request for UDP requests that libre's parser
 * throws away. sip_msg_decode() fails on a Request-URI it cannot parse and
 * the transport then drops the datagram without a word, so the sender
 * retransmits for 32 s; pjsip answers 400 (RFC 3261 21.4.1). A udp helper on
 * each UDP transport socket looks at every datagram before libre does and
 * answers those it can still reply to (Via, From, To, Call-ID, CSeq present).
 *
 * libre does not hand out its transport sockets, so the helper is installed
 * the first time a request arrives on the socket; to have it in place before
 * any peer talks to us, sip_malformed_probe() sends each UDP transport an
 * OPTIONS of its own that the stack recognises and swallows.
 *
 * The same first sighting enlarges the socket's receive buffer
 * (sip_udp_buf.c).
 *
 * Not a validator: everything libre parses goes on to the stack unchanged. */
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
#include <re_sys.h>
#include <re_udp.h>
#include <re_uri.h>
#include <re_msg.h>
#include <re_sip.h>
#include "base/log.h"
#include "sip/sip_int.h"

/* Above libre's own layer (0) so that we see datagrams first. */
#define HELPER_LAYER 10

struct guard {
	struct le le;
	struct udp_sock *us;        /* reference */
	struct udp_helper *uh;
};

static struct list guards;
static char probe_callid[40];

static void guard_destructor(void *arg)
{
	struct guard *g = arg;

	list_unlink(&g->le);
	mem_deref(g->uh);
	mem_deref(g->us);
}

/* One header line "Name: value" → value, for the long or compact name. */
static bool hdr_is(const struct pl *name, const char *lng, char cmp)
{
	if (name->l == 1)
		return cmp && (name->p[0] == cmp ||
			       name->p[0] == (char)(cmp - 'a' + 'A'));
	return !pl_strcasecmp(name, lng);
}

struct raw_hdrs {
	struct pl via[8];
	int nvia;
	struct pl from, to, callid, cseq;
};

/* Walk the header lines (no folding: a request this broken gets the
 * simple treatment). */
static void scan_headers(const char *p, size_t l, struct raw_hdrs *h)
{
	while (l) {
		const char *eol = memchr(p, '\n', l);
		size_t ll = eol ? (size_t)(eol - p) : l;
		struct pl line = {p, ll}, name, val;

		if (ll && line.p[ll - 1] == '\r')
			line.l--;
		if (!line.l)
			break;  /* end of headers */
		if (!re_regex(line.p, line.l, "[^: \t]+[ \t]*:[ \t]*[^]*",
			      &name, NULL, NULL, &val)) {
			if (hdr_is(&name, "Via", 'v') && h->nvia < 8)
				h->via[h->nvia++] = val;
			else if (hdr_is(&name, "From", 'f'))
				h->from = val;
			else if (hdr_is(&name, "To", 't'))
				h->to = val;
			else if (hdr_is(&name, "Call-ID", 'i'))
				h->callid = val;
			else if (hdr_is(&name, "CSeq", 0))
				h->cseq = val;
		}
		if (!eol)
			break;
		l -= ll + 1;
		p = eol + 1;
	}
}

/* A value we may copy into the 400. Lines were split at LF and lost their
 * CR, so a CR still inside is a lone one (RFC 3261 7.3.1 allows CR only in
 * CRLF): copied, it would end the line for a peer that takes a lone CR as
 * a line end and put what follows it in a header line of its own. */
static bool safe(const struct pl *pl)
{
	return pl->l && pl->l < 1024 && !memchr(pl->p, '\0', pl->l) &&
	       !memchr(pl->p, '\r', pl->l);
}

static bool vias_safe(const struct raw_hdrs *h)
{
	for (int i = 0; i < h->nvia; i++)
		if (!safe(&h->via[i]))
			return false;
	return h->nvia > 0;
}

static void reply_400(struct guard *g, const struct sa *src,
		      const struct pl *met, const struct raw_hdrs *h)
{
	struct mbuf *mb;
	int i;

	mb = mbuf_alloc(512);
	if (!mb)
		return;
	(void)mbuf_printf(mb, "SIP/2.0 400 Bad Request\r\n");
	for (i = 0; i < h->nvia; i++)
		(void)mbuf_printf(mb, "Via: %r\r\n", &h->via[i]);
	(void)mbuf_printf(mb, "From: %r\r\n", &h->from);
	/* RFC 3261 8.2.6.2: a To tag on every response outside a dialog.
	 * re_regex takes a struct pl * for each [...] of the expression
	 * (NULL: not wanted); without it, it read one that was never passed
	 * and wrote the match there. */
	if (re_regex(h->to.p, h->to.l, ";[ \t]*tag=", NULL))
		(void)mbuf_printf(mb, "To: %r;tag=%08x\r\n", &h->to,
				  rand_u32());
	else
		(void)mbuf_printf(mb, "To: %r\r\n", &h->to);
	(void)mbuf_printf(mb, "Call-ID: %r\r\nCSeq: %r\r\n"
			  "Server: ariadne " ARIADNE_VERSION "\r\n"
			  "Content-Length: 0\r\n\r\n", &h->callid, &h->cseq);
	mb->pos = 0;
	(void)udp_send(g->us, src, mb);
	mem_deref(mb);
	{
		char buf[256];

		re_snprintf(buf, sizeof(buf), "Request '%r' from '%J' failed "
			    "(callid: %r) - Unparseable Request-URI, answered "
			    "400", met, src, &h->callid);
		log_notice("%s", buf);
	}
}

static bool recv_helper(struct sa *src, struct mbuf *mb, void *arg)
{
	const char *p = (const char *)mbuf_buf(mb);
	size_t l = mbuf_get_left(mb);
	struct pl met, ruri, ver, eol;
	struct raw_hdrs h;
	struct uri uri;

	/* libre's own start-line test; only requests concern us */
	if (l < 16 || re_regex(p, l, "[^ \t\r\n]+ [^ \t\r\n]+ [^\r\n]*[\r]*[\n]1",
			       &met, &ruri, &ver, NULL, &eol) ||
	    met.p != p || pl_strcmp(&ver, "SIP/2.0"))
		return false;
	if (!uri_decode(&uri, &ruri))
		return false;  /* libre parses it: not our business */

	memset(&h, 0, sizeof(h));
	scan_headers(eol.p + eol.l, l - (size_t)(eol.p + eol.l - p), &h);
	/* ACK gets no response (RFC 3261 17.2.3); without these headers a
	 * response could not be matched by the sender: drop, as before */
	if (!pl_strcmp(&met, "ACK") || !vias_safe(&h) || !safe(&h.from) ||
	    !safe(&h.to) || !safe(&h.callid) || !safe(&h.cseq))
		return true;
	reply_400(arg, src, &met, &h);
	return true;
}

static struct guard *guard_find(const void *us)
{
	struct le *le;

	for (le = list_head(&guards); le; le = le->next) {
		struct guard *g = le->data;

		if (g->us == us)
			return g;
	}
	return NULL;
}

bool sip_malformed_is_probe(const struct sip_msg *msg)
{
	return *probe_callid && !pl_strcmp(&msg->callid, probe_callid);
}

bool sip_malformed_seen(const struct sip_msg *msg)
{
	struct guard *g;
	bool probe = sip_malformed_is_probe(msg);

	if (msg->tp != SIP_TRANSP_UDP || !msg->sock || guard_find(msg->sock))
		return probe;
	g = mem_zalloc(sizeof(*g), guard_destructor);
	if (!g)
		return probe;
	g->us = mem_ref(msg->sock);
	if (udp_register_helper(&g->uh, g->us, HELPER_LAYER, NULL,
				recv_helper, g)) {
		mem_deref(g);
		return probe;
	}
	list_append(&guards, &g->le, g);
	/* the same first sighting of the socket: its buffer too */
	sip_udp_rcvbuf_grow(g->us);
	return probe;
}

int sip_malformed_probe(const struct sa *bind)
{
	struct mbuf *mb;
	struct sa dst = *bind;
	int err;

	if (!*probe_callid)
		snprintf(probe_callid, sizeof(probe_callid),
			 "ariadne-probe-%08x%08x", rand_u32(), rand_u32());
	if (sa_is_any(&dst))
		sa_set_str(&dst, sa_af(bind) == AF_INET6 ? "::1" : "127.0.0.1",
			   sa_port(bind));
	mb = mbuf_alloc(512);
	if (!mb)
		return ENOMEM;
	(void)mbuf_printf(mb, "OPTIONS sip:%J SIP/2.0\r\n"
			  "Via: SIP/2.0/UDP %J;branch=z9hG4bK%08x\r\n"
			  "From: <sip:probe@%J>;tag=%08x\r\n"
			  "To: <sip:%J>\r\n"
			  "Call-ID: %s\r\nCSeq: 1 OPTIONS\r\n"
			  "Max-Forwards: 0\r\nContent-Length: 0\r\n\r\n",
			  &dst, &dst, rand_u32(), &dst, rand_u32(), &dst,
			  probe_callid);
	mb->pos = 0;
	err = udp_send_anon(&dst, mb);
	mem_deref(mb);
	return err;
}

void sip_malformed_close(void)
{
	list_flush(&guards);
}
