/* sip_malformed.c — UDP datagrams that libre's parser throws away. When
 * sip_msg_decode() fails, libre's transport prints "sip: msg decode err" to
 * stderr (past the log's format and levels, one line per datagram, with no
 * sender) and drops the datagram without a word, so the sender retransmits
 * for 32 s; pjsip answers 400 (RFC 3261 21.4.1). A udp helper on each UDP
 * transport socket reads the head of every datagram before libre does, the
 * way libre will (sip_head.c), and takes those libre would refuse: a 400
 * to a request it can still reply to (Via, From, To, Call-ID, CSeq
 * present), a NOTICE naming the sender (at most a few a second), and
 * nothing for libre to print.
 *
 * libre does not hand out its transport sockets, so the helper is installed
 * the first time a request arrives on the socket; to have it in place before
 * any peer talks to us, sip_malformed_probe() sends each UDP transport an
 * OPTIONS of its own that the stack recognises and swallows.
 *
 * The same first sighting sets the socket's buffers (sip_udp_buf.c).
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
#include <re_stun.h>
#include <re_uri.h>
#include <re_msg.h>
#include <re_sip.h>
#include "base/log.h"
#include "sip/sip_int.h"
#include "sip/sip_head.h"

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

/* libre's UDP transport takes these itself: datagrams of up to 4 bytes
 * (keep-alives) and STUN (RFC 5389: the two top bits of the first byte
 * are zero, which no SIP message starts with). */
static bool libre_own(struct mbuf *mb)
{
	struct stun_msg *stun = NULL;
	size_t pos = mb->pos;
	bool is_stun;

	if (mb->end <= 4)
		return true;
	if (mbuf_buf(mb)[0] >= 0x40)
		return false;
	is_stun = !stun_msg_decode(&stun, mb, NULL);
	mb->pos = pos;
	mem_deref(stun);
	return is_stun;
}

/* CRLFs and blanks (RFC 5626 4.4.1 keep-alives, and the ones phones send
 * anyway): nothing to say about them. */
static bool blank(const uint8_t *p, size_t l)
{
	for (size_t i = 0; i < l; i++)
		if (p[i] != '\r' && p[i] != '\n' && p[i] != ' ' &&
		    p[i] != '\t' && p[i] != '\0')
			return false;
	return true;
}

static void refuse(struct guard *g, const struct sa *src,
		   const struct sip_head *h)
{
	struct mbuf *mb = sip_head_400(h);
	char what[64];

	if (mb) {
		(void)udp_send(g->us, src, mb);
		mem_deref(mb);
	}
	if (!sip_head_notice_ok())
		return;
	if (mb) {
		char met[32], callid[80], line[320];

		re_snprintf(line, sizeof(line), "Request '%s' from '%J' failed "
			    "(callid: %s) - %s%s, answered 400",
			    log_peer_text(met, sizeof(met), h->met.p, h->met.l),
			    src, log_peer_text(callid, sizeof(callid),
					       h->callid.p, h->callid.l),
			    h->bad, sip_head_badtext(h, what, sizeof(what)));
		log_notice("%s", line);
		return;
	}
	{
		char line[240];

		re_snprintf(line, sizeof(line), "SIP datagram from '%J': %s%s;"
			    " dropped", src, h->bad,
			    sip_head_badtext(h, what, sizeof(what)));
		log_notice("%s", line);
	}
}

/* Every datagram libre's parser would refuse is taken here: answered 400
 * where it can be, logged (a few a second), never passed on to libre,
 * which would print it raw to stderr. */
static bool recv_helper(struct sa *src, struct mbuf *mb, void *arg)
{
	const char *p = (const char *)mbuf_buf(mb);
	size_t l = mbuf_get_left(mb);
	struct sip_head h;

	if (libre_own(mb))
		return false;
	if (sip_head_check(&h, p, l) == EAGAIN) {
		if (blank((const uint8_t *)p, l))
			return true;
		if (!h.bad)
			h.bad = "no end of the header fields";
	}
	if (!h.bad)
		return false;  /* libre parses it */
	refuse(arg, src, &h);
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
	/* the same first sighting of the socket: its buffers too */
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
