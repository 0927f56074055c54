/* session_int.h — what session.c, sdp.c, dtmf.c and jitter.c share about an
 * RTP session: its structure and the few helpers they call in one another.
 * Internal to src/media (the public face is media.h; generators and the
 * per-channel state are in media_int.h). */
#ifndef ARIADNE_MEDIA_SESSION_INT_H
#define ARIADNE_MEDIA_SESSION_INT_H

/* libre's headers have no include guards: the including file includes
 * re_types.h and re_sa.h before this one. */
#include <stdint.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stddef.h>
#include "media/media.h"
#include "media/media_int.h"

struct rtp_sock;
struct sdp_session;
struct sdp_media;
struct mbuf;
struct rtp_header;

/* Small reorder/jitter buffer (jitter.c): 20 ms frames out per tick. */
#define MEDIA_JB_SLOTS 16
#define MEDIA_JB_MAXPKT 480   /* samples per packet we accept: 60 ms */

struct media_jb {
	struct {
		bool used;
		uint16_t seq;
		uint16_t n;
		int16_t pcm[MEDIA_JB_MAXPKT];
	} slot[MEDIA_JB_SLOTS];
	unsigned stored;
	bool started;
	uint16_t next_seq;        /* next packet to play */
	int16_t out[MEDIA_JB_MAXPKT + MEDIA_FRAME];
	size_t out_n;
	uint32_t lost, late;
};

void media_jb_reset(struct media_jb *jb);
void media_jb_put(struct media_jb *jb, uint16_t seq, const int16_t *pcm,
		  size_t n);
bool media_jb_get(struct media_jb *jb, int16_t *pcm, size_t n);

/* Codecs we speak (static payload types). */
enum media_codec { MEDIA_PCMU = 0, MEDIA_PCMA = 8 };

#define MEDIA_DTMF_TXQ 32
#define MEDIA_DTMF_RXQ 8

/* RFC 4733 state (dtmf.c). */
struct media_dtmf {
	/* receive */
	bool rx_active;
	uint8_t rx_event;
	uint32_t rx_ts;           /* RTP timestamp identifying the event */
	uint64_t rx_start_ms, rx_last_ms;
	uint32_t rx_dur;          /* samples, from the packets */
	bool rx_ended_valid;
	uint32_t rx_ended_ts;     /* to ignore the retransmitted end packets */
	struct { char digit; unsigned ms; } rxq[MEDIA_DTMF_RXQ];
	unsigned rxq_n;
	/* send */
	struct { char digit; unsigned ms; } txq[MEDIA_DTMF_TXQ];
	unsigned txq_head, txq_n;
	bool tx_active;
	uint8_t tx_event;
	uint32_t tx_ts;
	uint32_t tx_elapsed;      /* samples sent so far */
	uint32_t tx_total;        /* samples requested */
};

struct media_session {
	struct channel *ch;       /* weak: the media hangup hook frees us first */
	struct media_chan *mc;    /* weak: owns us */
	struct rtp_sock *rtp;
	struct sdp_session *sdp;
	struct sdp_media *sdpm;
	struct sa laddr;          /* local RTP address */
	struct sa raddr;          /* where we send (SDP, then latched) */
	struct sa raddr_rtcp;
	struct sa sdp_raddr;      /* what the last SDP said */
	bool latched;             /* raddr learned from incoming RTP */
	bool rfc4733;             /* offer/accept telephone-event */
	bool rtcp_started;
	char allow[64];
	enum media_codec codecs[2];   /* local preference (from allow) */
	unsigned ncodecs;
	int tx_pt;                /* negotiated codec; -1 none yet */
	int te_pt;                /* peer's telephone-event PT; -1 none */
	bool can_send, can_recv;
	bool hold;                /* last offer/answer put us on hold */
	unsigned rtp_timeout_s;
	bool timed_out;
	uint32_t ts;              /* our RTP clock, advanced every tick */
	bool marker;              /* next audio packet starts a talkspurt */
	uint64_t last_rx_ms;      /* last RTP packet (or start of media) */
	/* receive side */
	bool have_rssrc;
	uint32_t rssrc;
	struct media_jb jb;
	/* counters for rtp_statistics */
	uint32_t txcount, txoctets, rxcount, rxoctets, rxdropped;
	struct media_dtmf dtmf;
};

/* session.c */
uint64_t media_now_ms(void);
int media_session_send_raw(struct media_session *ms, bool marker, uint8_t pt,
			   uint32_t ts, const uint8_t *payload, size_t len);

/* sdp.c */
int media_sdp_alloc(struct media_session *ms);
/* Apply the negotiated result of the last offer/answer to the session. */
int media_sdp_apply(struct media_session *ms);

/* dtmf.c */
void media_dtmf_recv(struct media_session *ms, const struct rtp_header *hdr,
		     struct mbuf *mb, uint64_t now);
void media_dtmf_rx_timeout(struct media_session *ms, uint64_t now);
/* true while an event is being sent (audio is held back meanwhile). */
bool media_dtmf_tick(struct media_session *ms, uint64_t now);
/* Report ended digits to the channel (from the tick, never from a socket
 * handler, so a subscriber that hangs up cannot pull the session away
 * underneath us). */
void media_dtmf_flush(struct media_session *ms);
int media_dtmf_queue(struct media_session *ms, char digit, int duration_ms);

#endif
