/* media.h — the media module's public face, for src/sip and main.c: RTP
 * sessions with SDP offer/answer, G.711, a jitter buffer, RFC 4733 DTMF, and
 * everything that makes or consumes audio on a channel (playback, tones,
 * music on hold, silence, echo, mute). All channels are served by ONE 20 ms
 * tick, which keeps their frames aligned (docs/ARCHITECTURE.md, "The loop
 * and the media tick"). How the inside is laid out: media_int.h. */
#ifndef ARIADNE_MEDIA_H
#define ARIADNE_MEDIA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct channel;
struct config;
struct mbuf;
struct sa;
struct media_session;

enum media_dtmf_mode {
	MEDIA_DTMF_RFC4733 = 0,  /* telephone-event in RTP (default) */
	MEDIA_DTMF_INFO,         /* SIP INFO: the sip module handles it */
};

struct media_opts {
	const char *allow;       /* codecs in preference order: "ulaw,alaw" */
	enum media_dtmf_mode dtmf;
	unsigned rtp_timeout_s;  /* hang up after this long without RTP; 0 off */
	unsigned rtp_keepalive_s; /* nothing heard for this long: send one
				   * frame of silence; 0 off */
	bool fixed_peer;         /* send only where the SDP says, never where
				  * RTP comes from (UnicastRTP, as chan_rtp) */
	bool no_rtcp;            /* no RTCP at all (chan_rtp sends none) */
};

/* The range RTP ports are taken from (ariadne.conf [options] rtpstart,
 * rtpend), for other RTP sockets than the sessions' (UnicastRTP). */
void media_rtp_port_range(uint16_t *min, uint16_t *max);

/* Start the tick, register the media hangup hook, the playback engine and
 * the dialplan applications (Playback, Echo, SendDTMF, Progress, Ringing).
 * `cfg` is ariadne.conf (may be NULL): [options] rtpstart/rtpend ports,
 * sounds directory ([directories] astsoundsdir, default
 * /usr/share/asterisk/sounds), music on hold directory. */
int media_init(const struct config *cfg);
void media_close(void);

/* How late the event loop has been coming to the 20 ms media tick, in ms,
 * averaged over about the last second (overload_lag_smooth): src/sip sheds
 * new INVITEs when it reaches ariadne.conf [options] maxlag. 0 while the
 * tick does not run. */
double media_tick_lag_ms(void);

/* An RTP session for a channel, bound on `laddr`'s IP with ports from the
 * configured range. The session is attached to the channel (freed when the
 * channel hangs up) and is what the tick sends the channel's audio to. */
int media_session_alloc(struct media_session **msp, struct channel *ch,
			const struct sa *laddr, const struct media_opts *opts);

/* The peer's offer (INVITE or re-INVITE body) → our answer. ENOTSUP when no
 * codec is common, EPROTO when the SDP breaks a rule pjmedia's validation
 * has (a stream without a c= line, an address that is none of its family,
 * a port above 65535, a payload type above 127) (both SIP 488), EBADMSG
 * when the SDP cannot be parsed (400). A refused offer is logged (NOTICE)
 * with what is wrong with it. */
int media_session_answer(struct media_session *ms, struct mbuf *offer,
			 struct mbuf **answerp);
/* Would media_session_answer() take this offer? The same answer, but
 * nothing in the session changes and nothing is logged: `why` (a line of
 * text) says what is wrong. For an offer inside a call, refused before
 * the SIP stack would answer it in its own words. */
int media_session_offer_check(const struct media_session *ms,
			      struct mbuf *offer, char *why, size_t size);
/* Our offer (outgoing INVITE), then the peer's answer to it. */
int media_session_offer(struct media_session *ms, struct mbuf **offerp);
int media_session_set_answer(struct media_session *ms, struct mbuf *answer);

/* The last offer/answer put us on hold (peer sendonly/inactive or
 * connection 0.0.0.0): the sip module turns a change into
 * channel_remote_hold(). */
bool media_session_remote_hold(const struct media_session *ms);

/* RFC 4733 digit towards the peer (the tech's send_digit for RFC 4733). */
int media_session_send_digit(struct media_session *ms, char digit,
			     int duration_ms);

/* RTCP/RTP figures for GET /channels/{id}/rtp_statistics (the sip tech's
 * rtp_stats op calls this). */
struct channel_rtp_stats;
int media_session_stats(const struct media_session *ms,
			struct channel_rtp_stats *st);

#endif
