/* rtcp.c — RTCP for a media session (RFC 3550): the compound reports we
 * send (SR or RR, with SDES CNAME) and BYE, and what we keep from the
 * peer's reports. Sent from the media tick, like the RTP they describe. */
#include <errno.h>
#include <stdint.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stddef.h>
#include <string.h>
#include <time.h>
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
#include "media/session_int.h"

/* libre has already taken the report blocks in (loss, jitter and RTT as the
 * peer saw our stream: rtcp_stats); what it does not expose is the peer's
 * last SR, which our reports must echo (LSR/DLSR) for the peer's RTT. */
void media_rtcp_recv(const struct sa *src, struct rtcp_msg *msg, void *arg)
{
	struct media_session *ms = arg;

	if (msg->hdr.pt != RTCP_SR && msg->hdr.pt != RTCP_RR)
		return;
	ms->rtcp.received++;
	/* Symmetric RTCP (RFC 4961), as for RTP. */
	if (ms->rtcp.on && !sa_cmp(src, &ms->rtcp.raddr, SA_ALL)) {
		ms->rtcp.raddr = *src;
		ms->rtcp.latched = true;
	}
	if (msg->hdr.pt == RTCP_SR) {
		ms->rtcp.lsr = msg->r.sr.ntp_sec << 16 |
			       msg->r.sr.ntp_frac >> 16;
		ms->rtcp.lsr_rx_ms = tmr_jiffies();
	}
}

void media_rtcp_rtp_seq(struct media_rtcp *r, uint16_t seq, bool fresh)
{
	uint16_t delta = seq - r->max_seq;

	if (fresh) {
		/* A new source: libre starts its figures afresh, so do we. */
		r->max_seq = seq;
		r->cycles = 0;
		r->expected_prior = r->received_prior = 0;
		return;
	}
	/* RFC 3550 A.1, without probation: a step forward of less than 3000
	 * advances the highest sequence number, wrapping counts a cycle;
	 * anything else is late or a jump. */
	if (delta < 3000) {
		if (seq < r->max_seq)
			r->cycles += 1u << 16;
		r->max_seq = seq;
	}
}

/* NTP time now (RFC 3550 4): the clock libre's RTT computation reads. */
static void ntp_now(uint32_t *hi, uint32_t *lo)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	*hi = (uint32_t)(ts.tv_sec + 2208988800u);
	*lo = (uint32_t)(((uint64_t)ts.tv_nsec << 32) / 1000000000u);
}

/* Same shape as libre's internal rtcp_encode_h, handed through
 * rtcp_encode's variable arguments. */
typedef int (rtcp_part_h)(struct mbuf *mb, void *arg);

static int rr_block_encode(struct mbuf *mb, void *arg)
{
	const struct rtcp_rr *rr = arg;
	int err;

	err = mbuf_write_u32(mb, htonl(rr->ssrc));
	err |= mbuf_write_u32(mb, htonl((uint32_t)rr->fraction << 24 |
					((uint32_t)rr->lost & 0xffffff)));
	err |= mbuf_write_u32(mb, htonl(rr->last_seq));
	err |= mbuf_write_u32(mb, htonl(rr->jitter));
	err |= mbuf_write_u32(mb, htonl(rr->lsr));
	err |= mbuf_write_u32(mb, htonl(rr->dlsr));
	return err;
}

static int sdes_encode(struct mbuf *mb, void *arg)
{
	const struct media_session *ms = arg;

	return rtcp_sdes_encode(mb, rtp_sess_ssrc(ms->rtp), 1,
				RTCP_SDES_CNAME, ms->rtcp.cname);
}

/* The report block about the peer's stream (RFC 3550 6.4.1), from libre's
 * receive figures and our sequence tracking. False before any RTP. */
static bool rr_block(struct media_session *ms, struct rtcp_rr *rr)
{
	struct media_rtcp *r = &ms->rtcp;
	struct rtcp_stats st;
	uint32_t expected, exp_int, rec_int;
	int64_t lost_int;

	if (!ms->have_rssrc || rtcp_stats(ms->rtp, ms->rssrc, &st))
		return false;
	memset(rr, 0, sizeof(*rr));
	rr->ssrc = ms->rssrc;
	rr->lost = st.rx.lost < -0x800000 ? -0x800000
		 : st.rx.lost > 0x7fffff ? 0x7fffff : st.rx.lost;
	rr->last_seq = r->cycles | r->max_seq;
	expected = st.rx.sent + (uint32_t)st.rx.lost;
	exp_int = expected - r->expected_prior;
	rec_int = st.rx.sent - r->received_prior;
	lost_int = (int64_t)exp_int - rec_int;
	r->expected_prior = expected;
	r->received_prior = st.rx.sent;
	rr->fraction = exp_int && lost_int > 0
		     ? (unsigned)((lost_int << 8) / exp_int) & 0xff : 0;
	/* libre gives microseconds; the report wants timestamp units. */
	rr->jitter = (uint32_t)((uint64_t)st.rx.jit * MEDIA_SRATE / 1000000);
	if (r->lsr_rx_ms) {
		/* The real time, not the tick's (which may run behind). */
		uint64_t now = tmr_jiffies();

		rr->lsr = r->lsr;
		rr->dlsr = now > r->lsr_rx_ms
			 ? (uint32_t)((now - r->lsr_rx_ms) * 65536 / 1000) : 0;
	}
	return true;
}

/* One compound report: SR if we sent RTP since the report before the last
 * (RFC 3550 6.4), RR otherwise, with a block about the peer's stream when
 * we receive one, and the SDES CNAME. */
static int rtcp_report(struct media_session *ms)
{
	uint32_t ssrc = rtp_sess_ssrc(ms->rtp);
	struct rtcp_rr rr;
	bool have_rr = rr_block(ms, &rr);
	rtcp_part_h *blockh = have_rr ? rr_block_encode : NULL;
	struct mbuf *mb;
	int err;

	mb = mbuf_alloc(128);
	if (!mb)
		return ENOMEM;
	if (ms->txcount != ms->rtcp.tx_at_prev) {
		uint32_t hi, lo;

		ntp_now(&hi, &lo);
		/* ms->ts is the timestamp of the frame this tick sends. */
		err = rtcp_encode(mb, RTCP_SR, have_rr ? 1u : 0u, ssrc, hi, lo,
				  ms->ts, ms->txcount, ms->txoctets, blockh,
				  (void *)&rr);
	}
	else {
		err = rtcp_encode(mb, RTCP_RR, have_rr ? 1u : 0u, ssrc, blockh,
				  (void *)&rr);
	}
	err |= rtcp_encode(mb, RTCP_SDES, 1u, sdes_encode,
			   (void *)ms);
	if (!err) {
		mb->pos = 0;
		err = udp_send(rtcp_sock(ms->rtp), &ms->rtcp.raddr, mb);
	}
	if (!err)
		ms->rtcp.sent++;
	ms->rtcp.tx_at_prev = ms->rtcp.tx_at_last;
	ms->rtcp.tx_at_last = ms->txcount;
	mem_deref(mb);
	return err;
}

/* RFC 3550 6.3.1: a random interval in [0.5, 1.5] of the nominal one keeps
 * calls that started together from reporting together. */
static uint64_t rtcp_interval(const struct media_session *ms)
{
	unsigned t = ms->rtcp.interval_ms;

	return t / 2 + rand_u32() % (t ? t : 1);
}

void media_rtcp_start(struct media_session *ms, const struct sa *raddr)
{
	if (!ms || !raddr || !sa_isset(raddr, SA_ALL))
		return;
	ms->rtcp.raddr = *raddr;
	ms->rtcp.on = true;
	str_ncpy(ms->rtcp.cname, ms->ch ? channel_id(ms->ch) : "ariadne",
		 sizeof(ms->rtcp.cname));
	/* The first report after half an interval, on average. */
	ms->rtcp.next_ms = tmr_jiffies() + rtcp_interval(ms) / 2;
}

/* Tell the peer we are gone (RFC 3550 6.6), as libre did for us when its
 * RTCP session went away. */
void media_rtcp_bye(struct media_session *ms)
{
	uint32_t ssrc;
	struct mbuf *mb;
	int err;

	if (!ms->rtp || !ms->rtcp.on)
		return;
	ssrc = rtp_sess_ssrc(ms->rtp);
	mb = mbuf_alloc(64);
	if (!mb)
		return;
	err = rtcp_encode(mb, RTCP_BYE, 1u, &ssrc, (char *)NULL);
	err |= rtcp_encode(mb, RTCP_SDES, 1u, sdes_encode,
			   (void *)ms);
	if (!err) {
		mb->pos = 0;
		(void)udp_send(rtcp_sock(ms->rtp), &ms->rtcp.raddr, mb);
	}
	mem_deref(mb);
}

void media_rtcp_tick(struct media_session *ms, uint64_t now)
{
	int err;

	if (!ms->rtcp.on || now < ms->rtcp.next_ms)
		return;
	err = rtcp_report(ms);
	if (err)
		log_debug(3, "%s: RTCP report not sent: %s",
			  ms->ch ? channel_name(ms->ch) : "?", strerror(err));
	ms->rtcp.next_ms = now + rtcp_interval(ms);
}
