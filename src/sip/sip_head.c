/* sip_head.c — the head of a SIP message (start line and header fields)
 * read the way libre's parser (sip_msg_decode) will read it, before it
 * does, for the checks in front of it: sip_malformed.c for datagrams,
 * sip_tcp_frame.c for streams. Not a parser of our own: nothing here is
 * handed on; a head it finds whole and sound goes to libre unchanged.
 *
 * Why: what libre's parser refuses it drops without a word to the peer.
 * Over UDP it prints "sip: msg decode err" to stderr for each datagram,
 * past the log, and the sender retransmits for 32 s; over TCP a start line
 * it cannot read makes it wait for more bytes for ever, so the connection
 * hangs with everything after it. Refused here, the peer gets a 400 where
 * it can be answered, and the log a NOTICE naming it, at most a few a
 * second (a scanner sends thousands).
 *
 * libre refuses a head (1.1.0, src/sip/msg.c): a start line that is not
 * "<a> <b> <c>" at the very start (nor ends within 8192 bytes); a request
 * whose Request-URI it cannot decode; a response whose status is not a
 * number; a header line without a name, or none at all; a first Via (its
 * first comma-separated value), a To, a From, a CSeq or a Content-Type
 * that its decoders refuse; no empty line ending the head (one right after
 * the start line does not). The same decoders are used here, on the
 * values as libre cuts
 * them (trimmed of blanks and CRs), and a header field's name is mapped to
 * libre's id as libre does (hash_joaat_ci, compact forms, X- ignored). A
 * folded line (RFC 3261 7.3.1) is left to libre: flagged, not judged. */
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
#include <re_hash.h>
#include <re_sa.h>
#include <re_sys.h>
#include <re_uri.h>
#include <re_msg.h>
#include <re_sip.h>
#include "base/log.h"
#include "base/ratelimit.h"
#include "sip/sip_int.h"
#include "sip/sip_head.h"

enum {
	/* malformed messages logged a second; the next line says how many
	 * more there were */
	NOTICES_PER_S = 10,
	/* libre's: no LF within this many bytes is no start line */
	STARTLINE_MAX = 8192,
};

/* libre's hdr_hash(): the id it files a header field under. */
static enum sip_hdrid hdr_id(const struct pl *name)
{
	static const char compact[] = "abcdefijklmnorstuvxy";
	static const enum sip_hdrid ids[] = {
		SIP_HDR_ACCEPT_CONTACT, SIP_HDR_REFERRED_BY,
		SIP_HDR_CONTENT_TYPE, SIP_HDR_REQUEST_DISPOSITION,
		SIP_HDR_CONTENT_ENCODING, SIP_HDR_FROM, SIP_HDR_CALL_ID,
		SIP_HDR_REJECT_CONTACT, SIP_HDR_SUPPORTED,
		SIP_HDR_CONTENT_LENGTH, SIP_HDR_CONTACT,
		SIP_HDR_IDENTITY_INFO, SIP_HDR_EVENT, SIP_HDR_REFER_TO,
		SIP_HDR_SUBJECT, SIP_HDR_TO, SIP_HDR_ALLOW_EVENTS, SIP_HDR_VIA,
		SIP_HDR_SESSION_EXPIRES, SIP_HDR_IDENTITY,
	};
	const char *c;

	if (name->l > 1) {
		if ((name->p[0] == 'x' || name->p[0] == 'X') &&
		    name->p[1] == '-')
			return SIP_HDR_NONE;
		return (enum sip_hdrid)(hash_joaat_ci(name->p, name->l) &
					0xfff);
	}
	c = memchr(compact, name->p[0] | 0x20, sizeof(compact) - 1);
	return c ? ids[c - compact] : SIP_HDR_NONE;
}

/* The value libre sees: without the blanks and CRs around it. */
static void trim(struct pl *v)
{
	while (v->l && (v->p[0] == ' ' || v->p[0] == '\t' || v->p[0] == '\r'))
		pl_advance(v, 1);
	while (v->l && (v->p[v->l - 1] == ' ' || v->p[v->l - 1] == '\t' ||
			v->p[v->l - 1] == '\r'))
		v->l--;
}

/* A Via's first value: up to a comma outside quotes. */
static struct pl first_value(const struct pl *v)
{
	struct pl f = *v;
	bool quote = false;

	for (size_t i = 0; i < v->l; i++) {
		if (v->p[i] == '"')
			quote = !quote;
		else if (v->p[i] == ',' && !quote) {
			f.l = i;
			break;
		}
	}
	trim(&f);
	return f;
}

static void set_bad(struct sip_head *h, const char *why, const struct pl *pl)
{
	if (h->bad)
		return;
	h->bad = why;
	h->badtext = *pl;
}

static void set_bad_header(struct sip_head *h, const char *why,
			   const struct pl *pl)
{
	if (h->bad)
		return;
	set_bad(h, why, pl);
	h->bad_in_header = true;
}

/* One header line (no fold): filed, and decoded where libre decodes. */
static void header_line(struct sip_head *h, const struct pl *line)
{
	const char *colon = memchr(line->p, ':', line->l);
	struct pl name, val;
	union {
		struct sip_addr addr;
		struct sip_via via;
		struct sip_cseq cseq;
		struct msg_ctype ctype;
	} u;

	name.p = line->p;
	name.l = colon ? (size_t)(colon - line->p) : 0;
	while (name.l && (name.p[name.l - 1] == ' ' ||
			  name.p[name.l - 1] == '\t' ||
			  name.p[name.l - 1] == '\r'))
		name.l--;
	if (!name.l) {
		set_bad_header(h, "a header line without a name", line);
		return;
	}
	val.p = colon + 1;
	val.l = (size_t)(line->p + line->l - val.p);
	trim(&val);
	switch (hdr_id(&name)) {

	case SIP_HDR_VIA:
		if (!h->nvia) {
			struct pl f = first_value(&val);

			if (sip_via_decode(&u.via, &f))
				set_bad_header(h, "a Via it cannot parse", &val);
		}
		if (h->nvia < SIP_HEAD_VIAS)
			h->via[h->nvia] = val;
		h->nvia++;
		break;

	case SIP_HDR_TO:
	case SIP_HDR_FROM:
		if (sip_addr_decode(&u.addr, &val))
			set_bad_header(h, hdr_id(&name) == SIP_HDR_TO ?
				"a To it cannot parse" :
				"a From it cannot parse", &val);
		*(hdr_id(&name) == SIP_HDR_TO ? &h->to : &h->from) = val;
		break;

	case SIP_HDR_CSEQ:
		if (sip_cseq_decode(&u.cseq, &val))
			set_bad_header(h, "a CSeq it cannot parse", &val);
		h->cseq = val;
		break;

	case SIP_HDR_CONTENT_TYPE:
		if (msg_ctype_decode(&u.ctype, &val))
			set_bad_header(h, "a Content-Type it cannot parse", &val);
		break;

	case SIP_HDR_CALL_ID:
		h->callid = val;
		break;

	case SIP_HDR_CONTENT_LENGTH:
		h->clen = val;
		h->nclen++;
		break;

	default:
		break;
	}
}

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* libre's start line, "[^ \t\r\n]+ [^ \t\r\n]+ [^\r\n]*[\r]*[\n]1" at the
 * very start of the message (l: up to its first LF), read without
 * re_regex(), which, failing, starts again at every byte: 64 KB of junk
 * took it 20 s. */
static bool start_line(const char *p, size_t l, struct pl *x, struct pl *y,
		       struct pl *z)
{
	size_t i = 0, j;

	while (i < l && !blank(p[i]))
		i++;
	if (!i || i == l || p[i] != ' ')
		return false;
	x->p = p;
	x->l = i;
	j = ++i;
	while (i < l && !blank(p[i]))
		i++;
	if (i == j || i == l || p[i] != ' ')
		return false;
	y->p = p + j;
	y->l = i - j;
	j = ++i;
	while (i < l && p[i] != '\r' && p[i] != '\n')
		i++;
	z->p = p + j;
	z->l = i - j;
	while (i < l && p[i] == '\r')
		i++;
	return i < l && p[i] == '\n';
}

int sip_head_check(struct sip_head *h, const char *p, size_t l)
{
	const char *lf = memchr(p, '\n', l);
	struct pl x, y, z, rest;
	struct uri uri;

	memset(h, 0, sizeof(*h));
	if (!lf && l <= STARTLINE_MAX)
		return EAGAIN;
	if (!lf || !start_line(p, (size_t)(lf + 1 - p), &x, &y, &z)) {
		struct pl first = {p, lf ? (size_t)(lf - p) : l};

		trim(&first);
		set_bad(h, lf ? "no SIP start line" : "no end of the start "
			"line", &first);
		return 0;
	}
	h->req = !pl_strcmp(&z, "SIP/2.0");
	if (h->req) {
		h->met = x;
		if (uri_decode(&uri, &y))
			set_bad(h, "an unparseable Request-URI", &y);
	}
	else if (!pl_u32(&y)) {
		set_bad(h, "a status line without a status code", &y);
	}
	rest.p = lf + 1;
	rest.l = l - (size_t)(rest.p - p);
	for (unsigned lines = 0;;) {
		const char *eol = memchr(rest.p, '\n', rest.l);
		struct pl line = rest;

		if (!rest.l || !eol)
			return EAGAIN;
		pl_advance(&rest, eol + 1 - rest.p);
		/* CRs count as blanks where libre reads a head */
		while (line.p < eol && line.p[0] == '\r')
			pl_advance(&line, 1);
		if (line.p == eol) {
			/* the empty line: the head is whole, unless no header
			 * came before it: then libre waits for more, and
			 * refuses whatever comes but a fold */
			const char *next = rest.p;

			if (lines)
				break;
			while (next < rest.p + rest.l && *next == '\r')
				next++;
			if (next == rest.p + rest.l)
				return EAGAIN;
			if (*next == ' ' || *next == '\t')
				continue;   /* a fold: the line below says so */
			set_bad(h, "no header fields", &line);
			break;
		}
		lines++;
		if (line.p[0] == ' ' || line.p[0] == '\t') {
			h->folded = true;
			continue;
		}
		line.l = (size_t)(eol - line.p);
		trim(&line);
		header_line(h, &line);
	}
	h->len = (size_t)(rest.p - p);
	/* a fold joins lines into one value: what was judged line by line
	 * may not be what libre judges */
	if (h->folded && h->bad_in_header)
		h->bad = NULL;
	return 0;
}

/* A value we may copy into a reply. Lines were split at LF and lost their
 * CR, so a CR still inside is a lone one (RFC 3261 7.3.1 allows CR only in
 * CRLF): copied, it would end the line for a peer that takes a lone CR as
 * a line end and put what follows it in a header line of its own. */
static bool safe(const struct pl *pl)
{
	return pl->l && pl->l < 1024 && !memchr(pl->p, '\0', pl->l) &&
	       !memchr(pl->p, '\r', pl->l) && !memchr(pl->p, '\n', pl->l);
}

struct mbuf *sip_head_400(const struct sip_head *h)
{
	struct mbuf *mb;
	unsigned i, n = h->nvia < SIP_HEAD_VIAS ? h->nvia : SIP_HEAD_VIAS;
	int err = 0;

	if (!h->req || !pl_strcmp(&h->met, "ACK") || !n || !safe(&h->from) ||
	    !safe(&h->to) || !safe(&h->callid) || !safe(&h->cseq))
		return NULL;
	for (i = 0; i < n; i++)
		if (!safe(&h->via[i]))
			return NULL;
	mb = mbuf_alloc(512);
	if (!mb)
		return NULL;
	err |= mbuf_printf(mb, "SIP/2.0 400 Bad Request\r\n");
	for (i = 0; i < n; i++)
		err |= mbuf_printf(mb, "Via: %r\r\n", &h->via[i]);
	err |= mbuf_printf(mb, "From: %r\r\n", &h->from);
	/* RFC 3261 8.2.6.2: a To tag on every response outside a dialog.
	 * re_regex takes a struct pl * for each [...] of the expression
	 * (NULL: not wanted); without it, it read one that was never passed
	 * and wrote the match there. */
	if (re_regex(h->to.p, h->to.l, ";[ \t]*tag=", NULL))
		err |= mbuf_printf(mb, "To: %r;tag=%08x\r\n", &h->to,
				   rand_u32());
	else
		err |= mbuf_printf(mb, "To: %r\r\n", &h->to);
	err |= mbuf_printf(mb, "Call-ID: %r\r\nCSeq: %r\r\n"
			   "Server: ariadne " ARIADNE_VERSION "\r\n"
			   "Content-Length: 0\r\n\r\n", &h->callid, &h->cseq);
	if (err)
		return mem_deref(mb);
	mb->pos = 0;
	return mb;
}

bool sip_head_notice_ok(void)
{
	static struct ratelimit rl;
	unsigned left_out;

	if (!ratelimit_allow(&rl, NOTICES_PER_S, &left_out))
		return false;
	if (left_out)
		log_notice("%u more malformed SIP messages were not logged "
			   "(at most %d a second)", left_out, NOTICES_PER_S);
	return log_level_wanted(LOG_LVL_NOTICE);
}

const char *sip_head_badtext(const struct sip_head *h, char *buf,
			     size_t size)
{
	char text[48];

	if (!h->badtext.p || !h->badtext.l || size < 4) {
		if (size)
			*buf = '\0';
		return buf;
	}
	log_peer_text(text, sizeof(text), h->badtext.p,
		      h->badtext.l < 40 ? h->badtext.l : 40);
	/* junk is often binary: no byte of it in the log that is not text */
	for (char *c = text; *c; c++)
		if ((unsigned char)*c >= 0x7f)
			*c = '?';
	re_snprintf(buf, size, " '%s%s'", text, h->badtext.l > 40 ? "..." :
		    "");
	return buf;
}
