/* sip_head.h — the head of a SIP message read as libre's parser will read
 * it (sip_head.c), for the checks in front of that parser: sip_malformed.c
 * (datagrams) and sip_tcp_frame.c (streams). Needs <re_fmt.h> and
 * <re_mbuf.h> before it. Not for use outside src/sip. */
#ifndef ARIADNE_SIP_HEAD_H
#define ARIADNE_SIP_HEAD_H

enum { SIP_HEAD_VIAS = 8 };

struct sip_head {
	size_t len;                  /* start line, header lines, empty line */
	bool req;
	struct pl met;               /* a request's method */
	struct pl via[SIP_HEAD_VIAS]; /* the first Via lines, as written */
	unsigned nvia;               /* Via lines (more than kept, maybe) */
	struct pl from, to, callid, cseq;
	struct pl clen;              /* the last Content-Length: libre's */
	unsigned nclen;
	bool folded;                 /* a folded line: its header fields are
	                              * not judged here */
	const char *bad;             /* why libre's parser refuses it (a
	                              * phrase); NULL: libre takes it */
	struct pl badtext;           /* what `bad` is about, as received */
	bool bad_in_header;          /* `bad` is about a header field */
};

/* Read the head at p. 0: read, and h->bad says whether libre takes it
 * (the start line alone may have been enough to tell); EAGAIN: no end of
 * the head within l bytes (a stream's next bytes may bring it). */
int sip_head_check(struct sip_head *h, const char *p, size_t l);

/* A 400 Bad Request to the request whose head this is, with its Via,
 * From, To (given a tag), Call-ID and CSeq; NULL when it cannot be
 * answered: an ACK (RFC 3261 17.2.3), a response, or one of those missing
 * or unsafe to copy. */
struct mbuf *sip_head_400(const struct sip_head *h);

/* May a NOTICE about a malformed message be written now? At most 10 a
 * second; the first after a burst says how many were left out. */
bool sip_head_notice_ok(void);

/* " 'what it is about'" or "" for a log line: at most 40 characters,
 * cleaned of what a peer could forge a line with (log_peer_text) and of
 * bytes that are not ASCII. */
const char *sip_head_badtext(const struct sip_head *h, char *buf,
			     size_t size);

#endif
