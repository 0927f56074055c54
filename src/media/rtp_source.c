/* rtp_source.c — strict RTP and padding: which of the packets reaching an
 * RTP port are the call's audio.
 *
 * Why: an RTP port is reachable by anyone, and its number is easy to
 * guess. A stream that follows every new sender lets one forged packet take
 * the call's audio, or slip audio into it ("RTP bleed", Asterisk's
 * CVE-2017-14099). So packets are taken from one source only. It is learned
 * at the start and again after each new address in the SDP: the address
 * the peer announced at once, another one (a phone behind NAT) once it has
 * sent PROBATION packets in sequence, as Asterisk's strictrtp learns. Later
 * a new source is taken only after the current one has been silent for
 * RELEARN_MS (a phone that moved to another network) and again only after
 * probation: while the peer talks, nobody can take its place. */
#include <stdbool.h>
#include <stdint.h>
#include <re_types.h>
#include <re_sa.h>
#include <re_mbuf.h>
#include <re_rtp.h>
#include "media/rtp_source.h"

enum { PROBATION = 4, RELEARN_MS = 2000 };

void media_rtp_source_reset(struct media_rtp_source *s)
{
	s->locked = false;
	s->cand_n = 0;
}

/* One more packet of a candidate: in sequence with its last, or a new
 * candidate. True once it has passed probation. */
static bool probation_passed(struct media_rtp_source *s, const struct sa *src,
			     uint16_t seq)
{
	if (s->cand_n && sa_cmp(src, &s->cand, SA_ALL) &&
	    seq == (uint16_t)(s->cand_seq + 1))
		s->cand_n++;
	else
		s->cand_n = 1;
	s->cand = *src;
	s->cand_seq = seq;
	return s->cand_n >= PROBATION;
}

bool media_rtp_source_ok(struct media_rtp_source *s, const struct sa *src,
			 const struct sa *expected, uint16_t seq, uint64_t now,
			 bool *moved)
{
	*moved = false;
	if (s->locked && sa_cmp(src, &s->src, SA_ALL)) {
		s->last_ms = now;
		return true;
	}
	if (s->locked && now - s->last_ms < RELEARN_MS)
		return false;
	if ((s->locked || !expected || !sa_cmp(src, expected, SA_ALL)) &&
	    !probation_passed(s, src, seq))
		return false;
	*moved = s->locked;
	s->src = *src;
	s->locked = true;
	s->last_ms = now;
	s->cand_n = 0;
	return true;
}

bool media_rtp_unpad(const struct rtp_header *hdr, struct mbuf *mb)
{
	size_t len = mbuf_get_left(mb);
	uint8_t n;

	if (!hdr->pad)
		return true;
	if (!len)
		return false;
	n = mb->buf[mb->end - 1];
	if (!n || n > len)
		return false;
	mb->end -= n;
	return true;
}
