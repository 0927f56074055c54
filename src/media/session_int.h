/* session_int.h — what the files of an RTP session share: its structure,
 * the state of its parts (jitter buffer, RFC 4733, RTCP) and the calls
 * between them. session.c sits on top of sdp.c, rtcp.c, dtmf.c and
 * jitter.c; none of those calls session.c.
 *
 * Who includes it: session.c, sdp.c, rtcp.c, dtmf.c, jitter.c (and unit
 * tests); nothing outside src/media, whose public face is media.h. Names
 * follow the scheme in media_int.h. */
#ifndef ARIADNE_MEDIA_SESSION_INT_H
#define ARIADNE_MEDIA_SESSION_INT_H

/* libre's headers have no include guards: the including file includes
 * re_types.h and re_sa.h before this one. */
#include <stdint.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stddef.h>
#include "media/media.h"
#include "media/media_chan.h"
#include "media/rtp_source.h"

struct rtp_sock;
struct txoff_sock;
struct sdp_session;
struct sdp_media;
struct mbuf;
struct rtp_header;

/* Small reorder/jitter buffer (jitter.c): 20 ms frames out per tick, kept
 * as the G.711 payload that came (one byte per sample). */
#define MEDIA_JB_SLOTS 16
#define MEDIA_JB_MAXPKT 480   /* samples per packet we accept: 60 ms */

struct media_jb {
	struct {
		bool used;
		int8_t codec;     /* enum media_codec */
		uint16_t seq;
		uint16_t n;
		uint8_t enc[MEDIA_JB_MAXPKT];
	} slot[MEDIA_JB_SLOTS];
	unsigned stored;
	bool started;
	uint16_t next_seq;        /* next packet to play */
	uint8_t out[MEDIA_JB_MAXPKT + MEDIA_FRAME];
	int out_codec;            /* of what waits in out */
	size_t out_n;
	uint32_t lost, late;
};

void media_jb_reset(struct media_jb *jb);
void media_jb_put(struct media_jb *jb, uint16_t seq, int codec,
		  const uint8_t *enc, size_t n);
/* n bytes of the codec *codec (MEDIA_FRAME for a tick). */
bool media_jb_get(struct media_jb *jb, uint8_t *enc, int *codec, size_t n);

#define MEDIA_DTMF_TXQ 32
#define MEDIA_DTMF_RXQ 8

/* A digit received, for the channel. */
struct media_dtmf_digit {
	char digit;
	unsigned ms;
};

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
	struct media_dtmf_digit rxq[MEDIA_DTMF_RXQ];
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

/* RTCP (RFC 3550), sent from the media tick (rtcp.c) rather than from
 * libre's own report timer: the tick visits every session every 20 ms
 * anyway, and a sender report built there carries the RTP timestamp of the
 * very frame that tick sends (docs/ARCHITECTURE.md, "The loop and the media
 * tick"). libre still parses what comes in and keeps the receive figures
 * (loss, jitter, RTT) in its rtcp_sess; we keep what it does not expose to
 * build our reports. */
#define MEDIA_RTCP_INTERVAL_MS 5000

struct media_rtcp {
	bool on;                  /* peer's RTCP address known: reports go out */
	bool latched;             /* raddr learned from incoming RTCP */
	struct sa raddr;          /* where reports go */
	unsigned interval_ms;     /* MEDIA_RTCP_INTERVAL_MS; tests shorten it */
	uint64_t next_ms;         /* when the next report is due */
	char cname[48];           /* SDES CNAME: the channel id */
	/* receive side: extended highest sequence number (RFC 3550 A.1) and
	 * what the previous report said, for the fraction lost (A.3) */
	uint16_t max_seq;
	uint32_t cycles;
	uint32_t expected_prior, received_prior;
	/* the peer's last SR: its NTP middle 32 bits and when it came */
	uint32_t lsr;
	uint64_t lsr_rx_ms;
	/* compound reports sent and received (SR or RR) */
	uint32_t sent, received;
	/* RTP packets we had sent at the last report and the one before:
	 * an SR only while we send (a call that hears nothing sends none) */
	uint32_t tx_at_last, tx_at_prev;
};

struct media_session {
	struct channel *ch;       /* weak: cleared by session_detach, which the
	                           * media hangup hook calls */
	struct media_chan *mc;    /* weak: owns us (we are its transport) */
	struct rtp_sock *rtp;
	struct txoff_sock *txs;  /* RTP sends by the send thread, if it runs */
	struct sdp_session *sdp;
	struct sdp_media *sdpm;
	struct sa laddr;          /* local RTP address */
	struct sa raddr;          /* where we send (SDP, then latched) */
	struct sa sdp_raddr;      /* what the last SDP said */
	bool latched;             /* raddr learned from incoming RTP */
	bool fixed_peer, no_rtcp; /* media_opts */
	struct media_rtp_source rx;   /* strict RTP (rtp_source.h) */
	bool rfc4733;             /* offer/accept telephone-event */
	char allow[64];
	enum media_codec codecs[2];   /* local preference (from allow) */
	unsigned ncodecs;
	int tx_pt;                /* negotiated codec; -1 none yet */
	int te_pt;                /* peer's telephone-event PT; -1 none */
	bool can_send, can_recv;
	bool hold;                /* last offer/answer put us on hold */
	unsigned rtp_timeout_s;
	unsigned rtp_keepalive_s;
	unsigned idle_ticks;      /* ticks since our last audio packet */
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
	/* audio frames sent as relayed (never decoded here) and encoded */
	uint64_t txrelayed, txencoded;
	struct media_dtmf dtmf;
	struct media_rtcp rtcp;
};

/* session.c */

/* rtcp.c */
/* Start sending RTCP reports to `raddr` (from the SDP); the first one goes
 * out at a random point of the first interval so that calls set up
 * together do not all report in the same tick. */
void media_rtcp_start(struct media_session *ms, const struct sa *raddr);
struct rtcp_msg;
void media_rtcp_recv(const struct sa *src, struct rtcp_msg *msg, void *arg);
/* Each RTP packet's sequence number, for the report's extended highest
 * one; `fresh` when it starts a new source. */
void media_rtcp_rtp_seq(struct media_rtcp *r, uint16_t seq, bool fresh);
/* Per tick: send a report when one is due. */
void media_rtcp_tick(struct media_session *ms, uint64_t now);
void media_rtcp_bye(struct media_session *ms);

/* sdp.c */
int media_sdp_alloc(struct media_session *ms);
/* Apply the negotiated result of the last offer/answer to the session. */
int media_sdp_apply(struct media_session *ms);

/* dtmf.c: works on struct media_dtmf alone; the session passes in what it
 * needs. */
void media_dtmf_recv(struct media_dtmf *t, uint32_t ts, struct mbuf *mb,
		     uint64_t now);
/* End a digit whose end packets were lost; `name` is the channel's, for
 * the log. */
void media_dtmf_rx_timeout(struct media_dtmf *t, uint64_t now,
			   const char *name);
/* Move the ended digits (at most `max`) to `out` and forget them. */
unsigned media_dtmf_take(struct media_dtmf *t, struct media_dtmf_digit *out,
			 unsigned max);
/* `negotiated`: the peer takes telephone-event (ENOTSUP otherwise). */
int media_dtmf_queue(struct media_dtmf *t, char digit, int duration_ms,
		     bool negotiated);
/* How a telephone-event packet goes out: the session puts it in RTP with
 * the peer's payload type. */
typedef void (media_dtmf_send_h)(bool marker, uint32_t ts,
				 const uint8_t *payload, size_t len,
				 void *arg);
/* Once per tick, for the frame with RTP timestamp `ts`: true while an
 * event is being sent (the audio is held back meanwhile). `can_send`
 * false drops a digit in progress (renegotiated away). */
bool media_dtmf_tick(struct media_dtmf *t, uint32_t ts, bool can_send,
		     media_dtmf_send_h *sendh, void *arg);

#endif
