/* session.c — one RTP session per SIP call: the RTP/RTCP sockets, G.711 in
 * and out, symmetric RTP, the receive path into the channel's media state,
 * the RTP timeout and the figures for rtp_statistics. Received audio goes
 * to the channel still encoded, and a frame already in our codec (relayed
 * by a two-party bridge) is sent as it is: a bridged call with one codec
 * is never transcoded. SDP offer/answer is in
 * sdp.c, RTCP reports in rtcp.c and RFC 4733 in dtmf.c; timing comes from
 * the tick (tick.c), RTCP's included. */
#include <errno.h>
#include <stdint.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stddef.h>
#include <string.h>
#include <netinet/in.h>
#include <re_types.h>
#include <re_fmt.h>
#include <re_mem.h>
#include <re_mbuf.h>
#include <re_list.h>
#include <re_sa.h>
#include <re_rtp.h>
#include <re_sys.h>
#include <re_tmr.h>
#include <re_udp.h>
#include "core/channel.h"
#include "base/log.h"
#include "base/options.h"
#include "net/txoff.h"
#include "media/session_int.h"

/* Q.850 44, "Requested channel not available": what Asterisk's channel
 * drivers set on an RTP timeout (as Cisco gear does). */
#define CAUSE_RTP_TIMEOUT 44

static uint16_t rtp_min = 10000, rtp_max = 20000;

/* The tick's calls, below: the session is its channel's transport. */
static const struct media_transport_ops session_ops;

void media_session_port_range(uint16_t min, uint16_t max)
{
	rtp_min = min;
	rtp_max = max;
}

void media_rtp_port_range(uint16_t *min, uint16_t *max)
{
	*min = rtp_min;
	*max = rtp_max;
}

static void session_destructor(void *arg)
{
	struct media_session *ms = arg;

	media_rtcp_bye(ms);
	txoff_sock_close(ms->txs, false);
	ms->rtp = mem_deref(ms->rtp);
	ms->sdpm = mem_deref(ms->sdpm);
	ms->sdp = mem_deref(ms->sdp);
}

static bool pt_is_audio(const struct media_session *ms, uint8_t pt)
{
	for (unsigned i = 0; i < ms->ncodecs; i++)
		if (pt == (uint8_t)ms->codecs[i])
			return true;
	return false;
}

/* libre drops what does not parse as RTP; the rest we vet here. */
static bool rtp_acceptable(const struct media_session *ms,
			   const struct rtp_header *hdr)
{
	if (hdr->ver != RTP_VERSION)
		return false;
	return (int)hdr->pt == ms->te_pt || pt_is_audio(ms, hdr->pt);
}

/* Symmetric RTP: answer to where the peer really sends from (NAT). */
static void rtp_latch(struct media_session *ms, const struct sa *src)
{
	char a[64], b[64];

	if (ms->fixed_peer || sa_cmp(src, &ms->raddr, SA_ALL))
		return;
	re_snprintf(a, sizeof(a), "%J", src);
	re_snprintf(b, sizeof(b), "%J", &ms->raddr);
	log_debug(2, "%s: RTP now from %s (was %s)",
		  ms->ch ? channel_name(ms->ch) : "?", a, b);
	ms->raddr = *src;
	ms->latched = true;
	/* RTCP follows RTP on the next port until the peer's own RTCP tells
	 * us where it really comes from. */
	if (ms->rtcp.on && !ms->rtcp.latched) {
		ms->rtcp.raddr = *src;
		sa_set_port(&ms->rtcp.raddr, sa_port(src) + 1);
	}
}

/* Strict RTP (rtp_source.c); a source replaced after silence is logged. */
static bool rtp_source_ok(struct media_session *ms, const struct sa *src,
			  const struct rtp_header *hdr, uint64_t now)
{
	uint64_t silent = now - ms->rx.last_ms;
	bool moved;
	char a[64];

	if (!media_rtp_source_ok(&ms->rx, src, &ms->sdp_raddr, hdr->seq, now,
				 &moved))
		return false;
	if (moved) {
		re_snprintf(a, sizeof(a), "%J", src);
		log_notice("%s: RTP source changed to %s after %llu ms of "
			   "silence", ms->ch ? channel_name(ms->ch) : "?", a,
			   (unsigned long long)silent);
	}
	return true;
}

/* The peer's stream: a new source restarts the jitter buffer and the
 * RTCP figures about it. */
static void rtp_track_source(struct media_session *ms,
			     const struct rtp_header *hdr)
{
	bool fresh = !ms->have_rssrc || hdr->ssrc != ms->rssrc;

	if (fresh && ms->have_rssrc)
		media_jb_reset(&ms->jb);
	media_rtcp_rtp_seq(&ms->rtcp, hdr->seq, fresh);
	ms->have_rssrc = true;
	ms->rssrc = hdr->ssrc;
}

static void rtp_audio(struct media_session *ms, const struct rtp_header *hdr,
		      struct mbuf *mb)
{
	size_t len = mbuf_get_left(mb);

	if (len == 0 || len > MEDIA_JB_MAXPKT) {
		ms->rxdropped++;
		return;
	}
	media_jb_put(&ms->jb, hdr->seq, hdr->pt, mbuf_buf(mb), len);
}

static void rtp_recv(const struct sa *src, const struct rtp_header *hdr,
		     struct mbuf *mb, void *arg)
{
	struct media_session *ms = arg;
	uint64_t now = tmr_jiffies();

	if (!rtp_acceptable(ms, hdr) || !media_rtp_unpad(hdr, mb) ||
	    !rtp_source_ok(ms, src, hdr, now)) {
		ms->rxdropped++;
		return;
	}
	rtp_latch(ms, src);
	ms->last_rx_ms = now;
	ms->rxcount++;
	ms->rxoctets += (uint32_t)mbuf_get_left(mb);
	rtp_track_source(ms, hdr);

	if ((int)hdr->pt == ms->te_pt)
		media_dtmf_recv(&ms->dtmf, hdr->ts, mb, now);
	else
		rtp_audio(ms, hdr, mb);
}

int media_session_alloc(struct media_session **msp, struct channel *ch,
			const struct sa *laddr, const struct media_opts *opts)
{
	struct media_session *ms;
	struct media_chan *mc;
	uint16_t pmin, pmax;
	int err;

	if (!msp || !ch || !laddr)
		return EINVAL;
	mc = media_chan_get(ch, true);
	if (!mc)
		return channel_is_hungup(ch) ? EINVAL : ENOMEM;

	ms = mem_zalloc(sizeof(*ms), session_destructor);
	if (!ms)
		return ENOMEM;
	ms->ch = ch;
	ms->mc = mc;
	ms->tx_pt = -1;
	ms->te_pt = -1;
	ms->marker = true;
	ms->rtp_timeout_s = opts ? opts->rtp_timeout_s : 0;
	ms->rtp_keepalive_s = opts ? opts->rtp_keepalive_s : 0;
	ms->fixed_peer = opts && opts->fixed_peer;
	ms->no_rtcp = opts && opts->no_rtcp;
	ms->rfc4733 = !opts || opts->dtmf == MEDIA_DTMF_RFC4733;
	str_ncpy(ms->allow, opts && opts->allow && *opts->allow
				    ? opts->allow : "ulaw,alaw",
		 sizeof(ms->allow));
	ms->ts = rand_u32();
	ms->rtcp.interval_ms = MEDIA_RTCP_INTERVAL_MS;

	pmin = rtp_min;
	pmax = rtp_max;
	/* libre picks an even port in the range and RTCP on port + 1. */
	err = rtp_listen(&ms->rtp, IPPROTO_UDP, laddr, pmin, pmax, true,
			 rtp_recv, media_rtcp_recv, ms);
	if (err) {
		char a[64];

		re_snprintf(a, sizeof(a), "%j", laddr);
		log_warning("%s: no RTP port free in %u-%u on %s: %s",
			    channel_name(ch), pmin, pmax, a, strerror(err));
		goto out;
	}
	ms->laddr = *rtp_local(ms->rtp);
	/* Without the thread (or a descriptor for it), rtp_send as ever. */
	ms->txs = txoff_sock_open(udp_sock_fd(rtp_sock(ms->rtp),
					      sa_af(&ms->laddr)), false);
	rtcp_set_srate(ms->rtp, MEDIA_SRATE, MEDIA_SRATE);

	err = media_sdp_alloc(ms);
	if (err)
		goto out;

	media_chan_set_transport(mc, &session_ops, ms);
	*msp = ms;
 out:
	if (err)
		mem_deref(ms);
	return err;
}

/* The channel's media state is going: forget the channel. */
static void session_detach(void *arg)
{
	struct media_session *ms = arg;

	ms->ch = NULL;
	ms->mc = NULL;
}

/* Through the send thread: the header from libre (sequence number and
 * SSRC are the rtp_sock's), the packet written by the thread. */
static int send_offloaded(struct media_session *ms, bool marker, uint8_t pt,
			  uint32_t ts, const uint8_t *payload, size_t len)
{
	struct iovec iov[2];
	struct mbuf *hdr;
	int err;

	hdr = mbuf_alloc(RTP_HEADER_SIZE);
	if (!hdr)
		return ENOMEM;
	err = rtp_encode(ms->rtp, false, marker, pt, ts, hdr);
	if (!err) {
		iov[0].iov_base = hdr->buf;
		iov[0].iov_len = hdr->end;
		iov[1].iov_base = (void *)payload;
		iov[1].iov_len = len;
		err = txoff_sendv(ms->txs, &ms->raddr, iov, 2);
	}
	mem_deref(hdr);
	return err;
}

static int send_raw(struct media_session *ms, bool marker, uint8_t pt,
		    uint32_t ts, const uint8_t *payload, size_t len)
{
	struct mbuf *mb;
	int err;

	if (!sa_isset(&ms->raddr, SA_ALL))
		return ENOTCONN;
	if (ms->txs) {
		err = send_offloaded(ms, marker, pt, ts, payload, len);
		goto out;
	}
	mb = mbuf_alloc(RTP_HEADER_SIZE + len);
	if (!mb)
		return ENOMEM;
	mb->pos = RTP_HEADER_SIZE;
	err = mbuf_write_mem(mb, payload, len);
	mb->pos = RTP_HEADER_SIZE;
	if (!err)
		err = rtp_send(ms->rtp, &ms->raddr, false, marker, pt, ts, mb);
	mem_deref(mb);
 out:
	if (!err) {
		ms->txcount++;
		ms->txoctets += (uint32_t)len;
	}
	return err;
}

/* dtmf.c's sender: its packets go out with the peer's telephone-event
 * payload type. */
static void dtmf_send(bool marker, uint32_t ts, const uint8_t *payload,
		      size_t len, void *arg)
{
	struct media_session *ms = arg;

	(void)send_raw(ms, marker, (uint8_t)ms->te_pt, ts, payload, len);
}

/* A tick on which the channel hears nothing (nothing plays, no bridge)
 * sends nothing, as Asterisk sends nothing from such a channel: with
 * thousands of calls waiting in an app, silence every 20 ms on each was
 * most of the server's work. Asterisk's two ways out are kept:
 * [options] transmit_silence sends silence on every such tick, and an
 * endpoint's rtp_keepalive (pjsip.conf) one frame of silence once that
 * many seconds passed without audio, for NAT bindings and peers that hang
 * up on a silent line. */
static const int16_t *idle_frame(struct media_session *ms)
{
	static const int16_t silence[MEDIA_FRAME];

	if (options.transmit_silence)
		return silence;
	if (!ms->rtp_keepalive_s ||
	    ++ms->idle_ticks < ms->rtp_keepalive_s * (MEDIA_SRATE / MEDIA_FRAME))
		return NULL;
	return silence;
}

/* One tick of our stream: the clock, a DTMF event in progress, then the
 * audio frame (`enc`, already in tx_pt's codec, or `pcm` to encode; both
 * NULL on a tick on which the channel hears nothing). */
static void session_send(struct media_session *ms, const int16_t *pcm,
			 const uint8_t *enc, size_t n)
{
	uint8_t buf[MEDIA_FRAME];
	uint32_t ts;

	if (n > MEDIA_FRAME)
		n = MEDIA_FRAME;
	/* Our clock runs whether or not we send, so that timestamps after a
	 * pause (hold, a DTMF event) still match real time. */
	ts = ms->ts;
	ms->ts += (uint32_t)n;

	if (media_dtmf_tick(&ms->dtmf, ts, ms->te_pt >= 0 && ms->can_send,
			    dtmf_send, ms)) {
		/* RFC 4733 2.5.1: the event replaces the audio, and the audio
		 * after it starts a new talkspurt. It is traffic, too: no
		 * keep-alive is due while it goes. */
		ms->marker = true;
		ms->idle_ticks = 0;
		return;
	}
	if (!ms->can_send || ms->tx_pt < 0 || !sa_isset(&ms->raddr, SA_ALL)) {
		ms->marker = true;
		return;
	}
	if (!pcm && !enc) {
		pcm = idle_frame(ms);
		if (!pcm) {
			/* Audio after a pause starts a new talkspurt (RFC 3551). */
			ms->marker = true;
			return;
		}
	}
	ms->idle_ticks = 0;
	if (enc) {
		ms->txrelayed++;
	}
	else {
		media_g711_encode(ms->tx_pt, pcm, n, buf);
		enc = buf;
		ms->txencoded++;
	}
	if (!send_raw(ms, ms->marker, (uint8_t)ms->tx_pt, ts, enc, n))
		ms->marker = false;
}

static void session_tx(void *arg, const int16_t *pcm, size_t n)
{
	session_send(arg, pcm, NULL, n);
}

static void session_tx_enc(void *arg, const uint8_t *enc, size_t n)
{
	session_send(arg, NULL, enc, n);
}

static void session_tx_idle(void *arg)
{
	session_send(arg, NULL, NULL, MEDIA_FRAME);
}

/* The codec a relayed frame must be in to go out untouched. */
static int session_tx_codec(void *arg)
{
	const struct media_session *ms = arg;

	return ms->tx_pt == MEDIA_PCMU || ms->tx_pt == MEDIA_PCMA
		       ? ms->tx_pt : MEDIA_CODEC_NONE;
}

static bool session_held(void *arg)
{
	const struct media_session *ms = arg;

	return ms->hold;
}

/* Per tick, the receive side (jitter buffer → channel), DTMF timers and
 * the RTP timeout (noted; session_after acts on it). */
static void session_rx(void *arg, uint64_t now)
{
	struct media_session *ms = arg;
	uint8_t enc[MEDIA_FRAME];
	int codec;

	if (media_jb_get(&ms->jb, enc, &codec, MEDIA_FRAME) && ms->mc)
		media_chan_rx_put_enc(ms->mc, codec, enc, MEDIA_FRAME);

	/* RFC 4733 end timeout lives in dtmf.c's receive state. */
	media_dtmf_rx_timeout(&ms->dtmf, now,
			      ms->ch ? channel_name(ms->ch) : "?");

	media_rtcp_tick(ms, now);

	/* On hold the peer may legitimately send nothing (Asterisk applies
	 * rtp_timeout_hold instead, which we do not have). */
	if (ms->rtp_timeout_s && !ms->timed_out && !ms->hold &&
	    ms->last_rx_ms &&
	    now - ms->last_rx_ms >= (uint64_t)ms->rtp_timeout_s * 1000)
		ms->timed_out = true;
}

/* Report ended digits to the channel (from the tick, never from a socket
 * handler, so a subscriber that hangs up cannot pull the session away
 * underneath us). A subscriber may hang up: then ms->ch is gone and the
 * remaining digits with it. */
static void report_digits(struct media_session *ms)
{
	struct media_dtmf_digit d[MEDIA_DTMF_RXQ];
	unsigned n = media_dtmf_take(&ms->dtmf, d, MEDIA_DTMF_RXQ);

	for (unsigned i = 0; i < n && ms->ch; i++)
		channel_dtmf_received(ms->ch, d[i].digit, d[i].ms);
}

/* After the channel's frame went out: report ended DTMF digits and hang
 * up on RTP timeout. May hang the channel up. */
static void session_after(void *arg)
{
	struct media_session *ms = arg;
	struct channel *ch = ms->ch;

	if (!ch)
		return;
	mem_ref(ms);
	report_digits(ms);
	if (ms->timed_out && ms->ch && !channel_is_hungup(ch)) {
		ms->rtp_timeout_s = 0; /* once */
		/* res_pjsip_sdp_rtp's wording (chan_sip said "call") */
		log_notice("Disconnecting channel '%s' for lack of audio RTP "
			   "activity in %u seconds",
			   channel_name(ch),
			   (unsigned)((tmr_jiffies() - ms->last_rx_ms) / 1000));
		channel_hangup(ch, CAUSE_RTP_TIMEOUT, "rtptimeout");
	}
	mem_deref(ms);
}

static const struct media_transport_ops session_ops = {
	.rx = session_rx,
	.tx = session_tx,
	.tx_codec = session_tx_codec,
	.tx_enc = session_tx_enc,
	.tx_idle = session_tx_idle,
	.held = session_held,
	.after = session_after,
	.detach = session_detach,
	.audio_only = true,
};

bool media_session_remote_hold(const struct media_session *ms)
{
	return ms && ms->hold;
}

int media_session_send_digit(struct media_session *ms, char digit,
			     int duration_ms)
{
	if (!ms)
		return EINVAL;
	return media_dtmf_queue(&ms->dtmf, digit, duration_ms,
				ms->rfc4733 && ms->te_pt >= 0);
}

int media_session_stats(const struct media_session *ms,
			struct channel_rtp_stats *st)
{
	struct rtcp_stats rs;

	if (!ms || !st)
		return EINVAL;
	memset(st, 0, sizeof(*st));
	st->txcount = ms->txcount;
	st->rxcount = ms->rxcount;
	st->txoctets = ms->txoctets;
	st->rxoctets = ms->rxoctets;
	st->local_ssrc = rtp_sess_ssrc(ms->rtp);
	st->remote_ssrc = ms->rssrc;
	st->rxploss = (int32_t)ms->jb.lost;
	if (ms->have_rssrc &&
	    !rtcp_stats((struct rtp_sock *)ms->rtp, ms->rssrc, &rs)) {
		/* Asterisk gives jitter and rtt in seconds. */
		st->rxploss = rs.rx.lost;
		st->txploss = rs.tx.lost;
		st->rxjitter = rs.rx.jit / 1e6;
		st->txjitter = rs.tx.jit / 1e6;
		st->rtt = rs.rtt / 1e6;
	}
	return 0;
}
