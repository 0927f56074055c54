/* em_rtp_lin.c — UnicastRTP/ channels that carry linear audio: slin
 * (8 kHz, payload type 10) and slin16 (16 kHz, payload type 118), the
 * numbers of Asterisk's static table, as L16 in network byte order
 * (RFC 3551). The RTP session of src/media speaks only G.711, so these
 * run on the external media engine instead: what the peer sends is queued
 * and paced out one frame per tick (the queue is the jitter buffer), what
 * the channel hears goes out as one packet per tick while it hears
 * anything. No RTCP and no digits, as chan_rtp. em_rtp.c parses the dial
 * string and hands the channel's making here. */
#include <errno.h>
#include <string.h>
#include <re_types.h>
#include <re_fmt.h>
#include <re_mem.h>
#include <re_mbuf.h>
#include <re_list.h>
#include <re_sa.h>
#include <re_rtp.h>
#include <re_sys.h>
#include <re_tmr.h>
#include "base/log.h"
#include "core/channel.h"
#include "extmedia/em_int.h"
#include "media/media.h"
#include "media/rtp_source.h"

struct em_rl {
	struct em e;
	struct rtp_sock *rs;
	struct sa raddr;
	uint8_t pt;
	uint32_t ts;
	bool marker;             /* the next packet starts a talkspurt */
	uint64_t sent_tick;      /* the engine's tick of the last packet */
	struct media_rtp_source rx;   /* strict RTP */
};

static void rl_destructor(void *arg)
{
	struct em_rl *r = arg;

	em_close(&r->e);
	mem_deref(r->rs);
}

static void swap16(uint8_t *p, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2) {
		uint8_t t = p[i];

		p[i] = p[i + 1];
		p[i + 1] = t;
	}
}

/* Ticks went by without a packet (the channel heard nothing): the clock
 * went on all the same (RFC 3550 5.1), and the next packet starts a
 * talkspurt, as for the G.711 sessions. Counted in the engine's ticks, not
 * in time: ticks the loop runs late, at once, are still one frame each. */
static void wire_gap(struct em_rl *r, size_t n)
{
	uint64_t now = r->e.ticks;

	if (r->sent_tick && now - r->sent_tick > 1) {
		r->ts += (uint32_t)((now - r->sent_tick - 1) * (n / 2));
		r->marker = true;
	}
	r->sent_tick = now;
}

static int wire_audio(void *arg, const uint8_t *p, size_t n)
{
	struct em_rl *r = arg;
	struct mbuf *mb = mbuf_alloc(RTP_HEADER_SIZE + n);
	int err;

	if (!mb)
		return ENOMEM;
	wire_gap(r, n);
	mb->pos = mb->end = RTP_HEADER_SIZE;
	err = mbuf_write_mem(mb, p, n);
	if (!err) {
		swap16(mb->buf + RTP_HEADER_SIZE, n);
		mb->pos = RTP_HEADER_SIZE;
		err = rtp_send(r->rs, &r->raddr, false, r->marker, r->pt, r->ts,
			       mb);
	}
	mem_deref(mb);
	r->marker = false;
	r->ts += (uint32_t)(n / 2);
	return err;
}

static const struct em_wire rl_wire = {
	.audio = wire_audio,
};

/* The peer's packets of our payload type, from the one source strict RTP
 * takes, without their padding; anything else is not audio of this
 * channel (Asterisk's chan_rtp ignores it too). */
static void recv_h(const struct sa *src, const struct rtp_header *hdr,
		   struct mbuf *mb, void *arg)
{
	struct em_rl *r = arg;
	size_t n;
	bool moved;

	if (!r->e.ch || hdr->pt != r->pt || !media_rtp_unpad(hdr, mb) ||
	    !media_rtp_source_ok(&r->rx, src, &r->raddr, hdr->seq,
				 tmr_jiffies(), &moved))
		return;
	n = mbuf_get_left(mb);
	if (!n || n % 2)
		return;
	swap16(mbuf_buf(mb), n);
	em_audio_in(&r->e, mbuf_buf(mb), n);
}

static int rl_call(struct channel *ch, const char *resource, int timeout_s)
{
	(void)resource;
	(void)timeout_s;
	return channel_answer(ch);
}

static void rl_hangup(struct channel *ch, int cause)
{
	struct em_rl *r = channel_pvt(ch);

	(void)cause;
	if (!r)
		return;
	channel_set_pvt(ch, NULL);
	r->rs = mem_deref(r->rs);
	em_close(&r->e);
	r->e.ch = NULL;
	mem_deref(r);
}

/* Not registered: UnicastRTP/ requests reach em_rtp.c, which makes linear
 * channels here; they carry the same type name. */
static const struct channel_tech rl_tech = {
	.type = "UnicastRTP",
	.description = "Unicast RTP Media Channel Driver",
	.call = rl_call,
	.hangup = rl_hangup,
};

int em_rtp_lin_request(struct channel **chp, const struct em_format *fmt,
		       const char *dest, const struct sa *laddr,
		       const struct sa *raddr, const char *id, unsigned seq,
		       uint16_t *lport)
{
	struct em_rl *r = mem_zalloc(sizeof(*r), rl_destructor);
	struct channel *ch;
	uint16_t pmin, pmax;
	int err;

	if (!r)
		return ENOMEM;
	r->raddr = *raddr;
	r->pt = fmt->rate == 16000 ? 118 : 10;
	r->ts = rand_u32();
	r->marker = true;
	media_rtp_port_range(&pmin, &pmax);
	err = rtp_listen(&r->rs, IPPROTO_UDP, laddr, pmin, pmax, false,
			 recv_h, NULL, r);
	if (err) {
		log_error("Could not create RTP instance for sending media to "
			  "'%s': %s", dest, strerror(err));
		mem_deref(r);
		return err;
	}
	err = channel_alloc(&ch, &rl_tech, id, NULL, r, "UnicastRTP/%s-0x%08x",
			    dest, seq);
	if (err) {
		mem_deref(r);
		return err;
	}
	err = em_init(&r->e, ch, fmt, &rl_wire, r);
	if (!err)
		err = em_attach(&r->e, r);
	if (err) {
		channel_hangup_quiet(ch, CAUSE_FAILURE, "UnicastRTP");
		return err;
	}
	*lport = sa_port(rtp_local(r->rs));
	*chp = ch;
	return 0;
}
