/* sip_tcp_frame.c — the byte stream of each SIP TCP or TLS connection we
 * accepted, cut into messages the way libre's parser will cut it, just
 * before it does: what libre would wait on for ever ends the connection.
 *
 * Why: libre frames a stream itself (src/sip/transp.c) and tells nobody
 * when it cannot. A start line it cannot read ("garbage", "INVITE", a
 * binary probe) makes it wait for more bytes, so every request after it on
 * the connection went unanswered and nothing was logged; a Content-Length
 * of 1000000 makes it wait for a body that is never sent (or take up to
 * its buffer's limit); a head without a Content-Length or with a header
 * line without a name is dropped with the connection, silently. chan_pjsip
 * answers 400 and closes the transport; so do we (400 where the request
 * can be answered, RFC 3261 21.4.1), with a NOTICE naming the peer (a few
 * a second: sip_head.c). A message may be 65535 bytes at most, the most a
 * datagram carries (sip_udp_buf.c); pjsip takes 32000 (PJSIP_MAX_PKT_LEN in
 * Asterisk's build).
 *
 * How: a tcp_helper on each accepted connection (net/tcp_accepted.h),
 * above TLS, sees every byte libre will see, in order, and lets it through
 * unchanged, but for a start line not yet whole: libre gets that once its
 * LF has come and it reads as one (libre's regex, failing, starts again at
 * every byte: a line of 8 KB of junk stopped the loop for 0.3 s, each time
 * a piece of it came). It keeps where the current message's body ends
 * and, while a head is incomplete, a copy of it. A Content-Length libre
 * reads differently from RFC 3261 ("-5" as 0, two of them) is left to
 * sip_dispatch.c, which sees the message libre makes of it; here the body
 * is counted as libre counts it, so both stay in step.
 *
 * A frame lives as long as libre's connection: it holds a reference to its
 * helper, and once that is the only one, libre has freed the connection
 * (a walk every few seconds lets such frames go). A folded head (RFC 3261
 * 7.3.1) is not cut here: the frame stops looking and libre goes on. */
#include <errno.h>
#include <stdint.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stddef.h>
#include <string.h>
#include <re_types.h>
#include <re_fmt.h>
#include <re_mem.h>
#include <re_mbuf.h>
#include <re_list.h>
#include <re_sa.h>
#include <re_tmr.h>
#include <re_tcp.h>
#include <re_uri.h>
#include <re_msg.h>
#include <re_sip.h>
#include "base/log.h"
#include "net/tcp_accepted.h"
#include "sip/sip_int.h"
#include "sip/sip_head.h"

enum {
	FRAME_LAYER = 10,     /* above TLS (0): the helper reads plaintext */
	SIP_MSG_MAX = 65535,  /* head and body */
	SWEEP_MS = 10 * 1000,
};

struct listener {
	struct le le;
	struct tcp_accepted_watch *watch;
	int tp;                     /* enum sip_transp */
};

struct frame {
	struct le le;
	struct tcp_helper *th;      /* reference: ours alone means libre has
	                             * freed the connection */
	struct tcp_conn *tc;        /* weak: used in th's handler only */
	struct sa peer;
	int tp;
	struct mbuf *carry;         /* a head not yet whole, as received */
	size_t body;                /* bytes of the current body to come */
	bool held;                  /* libre has not been given the carry: a
	                             * start line not yet whole */
	bool off;                   /* a folded head: no longer cut here */
};

static struct {
	struct list listeners;      /* struct listener */
	struct list frames;         /* struct frame */
	struct tmr sweep;
} fr;

static void listener_destructor(void *arg)
{
	struct listener *l = arg;

	list_unlink(&l->le);
	mem_deref(l->watch);
}

static void frame_destructor(void *arg)
{
	struct frame *f = arg;

	list_unlink(&f->le);
	mem_deref(f->carry);
	mem_deref(f->th);
}

static void sweep(void *arg)
{
	struct le *le = fr.frames.head;

	(void)arg;
	while (le) {
		struct frame *f = le->data;

		le = le->next;
		if (mem_nrefs(f->th) == 1)
			mem_deref(f);
	}
	if (fr.frames.head)
		tmr_start(&fr.sweep, SWEEP_MS, sweep, NULL);
}

/* A Content-Length that is digits only: its value (libre reads the same),
 * or SIZE_MAX when there are too many of them for any message. */
static bool clen_digits(const struct pl *v, size_t *n)
{
	if (!v->l)
		return false;
	for (size_t i = 0; i < v->l; i++)
		if (v->p[i] < '0' || v->p[i] > '9')
			return false;
	*n = v->l > 9 ? SIZE_MAX : pl_u32(v);
	return true;
}

/* Whole messages in p[0..l), from where the last chunk left off: the bytes
 * gone through; the rest is a head still incomplete (or a lone CR). *why
 * set: the stream cannot go on. */
static size_t walk(struct frame *f, const char *p, size_t l,
		   struct sip_head *h, char *why, size_t size)
{
	size_t used = 0;

	while (used < l) {
		const char *q = p + used;
		size_t left = l - used, n;

		if (f->body) {
			n = left < f->body ? left : f->body;
			f->body -= n;
			used += n;
			continue;
		}
		/* keep-alives between messages: libre takes CRLFs in pairs
		 * (RFC 5626 4.4.1) */
		if (q[0] == '\r' && (left < 2 || q[1] == '\n')) {
			if (left < 2)
				break;
			used += 2;
			continue;
		}
		if (sip_head_check(h, q, left) == EAGAIN) {
			if (left > SIP_MSG_MAX)
				re_snprintf(why, size, "no end of the header "
					    "fields within %u bytes",
					    SIP_MSG_MAX);
			break;
		}
		if (h->bad) {
			char text[64];

			re_snprintf(why, size, "%s%s", h->bad,
				    sip_head_badtext(h, text, sizeof(text)));
			break;
		}
		if (h->folded) {
			f->off = true;
			return l;
		}
		if (!h->nclen) {
			/* RFC 3261 18.3: required on a stream */
			re_snprintf(why, size, "no Content-Length");
			break;
		}
		if (h->len > SIP_MSG_MAX) {
			re_snprintf(why, size, "header fields longer than %u "
				    "bytes", SIP_MSG_MAX);
			break;
		}
		if (clen_digits(&h->clen, &n) && n > SIP_MSG_MAX - h->len) {
			re_snprintf(why, size, "Content-Length '%r' makes it "
				    "longer than %u bytes", &h->clen,
				    SIP_MSG_MAX);
			break;
		}
		/* what libre's pl_u32() makes of it: 0 unless digits */
		f->body = clen_digits(&h->clen, &n) ? n : 0;
		used += h->len;
	}
	return used;
}

/* The stream cannot be trusted after this: a 400 if the request can be
 * answered, a NOTICE, and the connection closed (by libre, told so). */
static void refuse(struct frame *f, const struct sip_head *h,
		   const char *why)
{
	struct mbuf *mb = sip_head_400(h);
	char met[32] = "message", line[320];

	if (mb) {
		(void)tcp_send_helper(f->tc, mb, f->th);
		mem_deref(mb);
	}
	if (!sip_head_notice_ok())
		return;
	if (h->req)
		log_peer_text(met, sizeof(met), h->met.p, h->met.l);
	re_snprintf(line, sizeof(line), "SIP %s from %J over %s: %s; %s"
		    "connection closed", met, &f->peer,
		    sip_transp_name((enum sip_transp)f->tp), why,
		    mb ? "400, " : "");
	log_notice("%s", line);
}

/* Keep what walk() left: the start of a head, until its end comes. */
static int keep(struct frame *f, const char *rest, size_t n)
{
	if (!n) {
		f->carry = mem_deref(f->carry);
		return 0;
	}
	if (f->carry) {
		memmove(f->carry->buf, rest, n);
		f->carry->end = n;
		f->carry->pos = 0;
		return 0;
	}
	f->carry = mbuf_alloc(n + 512);
	if (!f->carry)
		return ENOMEM;
	return mbuf_write_mem(f->carry, (const uint8_t *)rest, n);
}

/* A head that came in pieces is read again only when the new bytes may
 * have ended it (an empty line) or its start line (the first LF): a head
 * sent a byte at a time is not read thousands of times over. */
static bool worth_reading(const char *p, size_t l, size_t old)
{
	size_t from = old;

	if (!memchr(p, '\n', old))
		return memchr(p + old, '\n', l - old) != NULL;
	while (from && p[from - 1] == '\r')
		from--;
	if (from && p[from - 1] == '\n')
		from--;
	for (const char *q = p + from, *end = p + l;
	     (q = memchr(q, '\n', (size_t)(end - q)));) {
		do
			q++;
		while (q < end && *q == '\r');
		if (q < end && *q == '\n')
			return true;
	}
	return false;
}

/* Make mb hold p[0..n) (bytes of the carry) for libre. */
static int hand_over(struct mbuf *mb, const char *p, size_t n)
{
	if (mb->size < n && mbuf_resize(mb, n))
		return ENOMEM;
	memcpy(mb->buf, p, n);
	mb->pos = 0;
	mb->end = n;
	return 0;
}

static bool frame_recv(int *err, struct mbuf *mb, bool *estab, void *arg)
{
	struct frame *f = arg;
	struct sip_head h;
	char why[160] = "";
	const char *p, *rest;
	size_t l, used, hold = 0, fresh = mbuf_get_left(mb);
	bool was_held = f->held;

	(void)estab;
	if (f->off)
		return false;
	if (f->carry) {
		size_t old = f->carry->end;

		f->carry->pos = old;
		if (mbuf_write_mem(f->carry, mbuf_buf(mb), fresh)) {
			*err = ENOMEM;
			mem_deref(f);
			return true;
		}
		p = (const char *)f->carry->buf;
		l = f->carry->end;
		if (l <= SIP_MSG_MAX && !worth_reading(p, l, old))
			return f->held;   /* held: the whole of it still is */
	}
	else {
		p = (const char *)mbuf_buf(mb);
		l = fresh;
	}
	used = walk(f, p, l, &h, why, sizeof(why));
	if (*why) {
		refuse(f, &h, why);
		*err = EPROTO;
		mem_deref(f);    /* libre closes the connection on return */
		return true;
	}
	rest = p + used;
	/* a start line not yet whole is not libre's yet: when it fails,
	 * libre's regex tries again from every byte (8 KB of junk cost the
	 * loop a third of a second, each time a piece came) */
	if (!f->off && !memchr(rest, '\n', l - used))
		hold = l - used;
	f->held = hold > 0;
	if (f->carry && (was_held || hold)) {
		/* libre gets what it has not had and is not held */
		const char *from = was_held ? p : p + l - fresh;

		if (hand_over(mb, from, (size_t)(p + l - hold - from))) {
			*err = ENOMEM;
			mem_deref(f);
			return true;
		}
	}
	if (!f->carry && hold)
		mb->end -= hold;
	if (f->off)
		f->carry = mem_deref(f->carry);  /* libre has all there is */
	else if (keep(f, rest, l - used)) {
		*err = ENOMEM;
		mem_deref(f);
		return true;
	}
	return mbuf_get_left(mb) == 0;
}

static void accepted(struct tcp_conn *tc, void *arg)
{
	struct listener *l = arg;
	struct frame *f = mem_zalloc(sizeof(*f), frame_destructor);

	if (!f)
		return;
	f->tc = tc;
	f->tp = l->tp;
	(void)tcp_conn_peer_get(tc, &f->peer);
	if (tcp_register_helper(&f->th, tc, FRAME_LAYER, NULL, NULL,
				frame_recv, f)) {
		mem_deref(f);
		return;
	}
	mem_ref(f->th);
	list_append(&fr.frames, &f->le, f);
	if (!tmr_isrunning(&fr.sweep))
		tmr_start(&fr.sweep, SWEEP_MS, sweep, NULL);
}

int sip_tcp_frame_add(const struct sa *laddr, int tp)
{
	struct listener *l = mem_zalloc(sizeof(*l), listener_destructor);
	int err;

	if (!l)
		return ENOMEM;
	l->tp = tp;
	err = tcp_accepted_watch(&l->watch, laddr, accepted, l);
	if (err) {
		mem_deref(l);
		return err;
	}
	list_append(&fr.listeners, &l->le, l);
	return 0;
}

void sip_tcp_frame_close(void)
{
	list_flush(&fr.listeners);
	tmr_cancel(&fr.sweep);
	/* after libre's transports: a frame whose connection still lives
	 * stays, or its helper would call into freed memory */
	sweep(NULL);
	tmr_cancel(&fr.sweep);
}
