/* rtp_source.h — which packets an RTP stream takes (rtp_source.c): strict
 * RTP, one source at a time, learned as Asterisk's strictrtp learns it, and
 * RFC 3550 padding taken off the payload. Used by the SIP calls' sessions
 * (session.c) and by src/extmedia's linear UnicastRTP channels.
 *
 * Include after <re_types.h> and <re_sa.h> (libre's headers
 * have no include guards). */
#ifndef ARIADNE_MEDIA_RTP_SOURCE_H
#define ARIADNE_MEDIA_RTP_SOURCE_H

#include <stdbool.h>
#include <stdint.h>

struct rtp_header;

struct media_rtp_source {
	struct sa src;            /* the one source taken, once locked */
	bool locked;
	uint64_t last_ms;         /* its last packet */
	struct sa cand;           /* another source on probation */
	uint16_t cand_seq;
	unsigned cand_n;          /* its packets in sequence so far */
};

/* Learn again from the next packets (a new address in the SDP). */
void media_rtp_source_reset(struct media_rtp_source *s);
/* Whether a packet from src with this sequence number is taken. The
 * expected address (the SDP's, external_host; may be unset) is taken at
 * once; another one after four packets in sequence, and once a source is
 * locked, only after it has been silent for two seconds. *moved is set
 * when a locked source was replaced (worth a log line). */
bool media_rtp_source_ok(struct media_rtp_source *s, const struct sa *src,
			 const struct sa *expected, uint16_t seq, uint64_t now,
			 bool *moved);
/* Padding (RFC 3550 5.1) off the payload mb holds; false when the count
 * in its last octet cannot be right (the packet is dropped). */
bool media_rtp_unpad(const struct rtp_header *hdr, struct mbuf *mb);

#endif
