/* test_media.c — media sessions in one process on 127.0.0.1: SDP offer/answer
 * between two sessions and with hand-written offers (codec choice,
 * telephone-event payload type, directions, hold, errors), then real RTP
 * over libre's loop: a 1 kHz tone generated on one channel is heard as
 * 1 kHz on the other, an RFC 4733 digit arrives once with its duration, and
 * a digit whose end packets are lost still ends. RTCP goes out from the media
 * tick, not from libre timers: reports flow both ways, their report blocks
 * carry loss, the extended sequence number and the peer's LSR, and the
 * figures come back in media_session_stats. Two calls bridged: the tone
 * crosses, relayed as G.711 without being decoded or encoded. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <inttypes.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <netinet/in.h>
#include <re_types.h>
#include <re_fmt.h>
#include <re_mem.h>
#include <re_mbuf.h>
#include <re_list.h>
#include <re_sa.h>
#include <re_udp.h>
#include <re_rtp.h>
#include <re_tmr.h>
#include <re_main.h>
#include "base/options.h"
#include "core/bus.h"
#include "core/channel.h"
#include "media/media.h"
#include "media/media_int.h"
#include "media/session_int.h"
#include "core/bridge.h"
#include "mix_test.h"

static const struct channel_tech test_tech = {
	.type = "MediaTest",
	.description = "unit test channels",
};

struct side {
	struct channel *ch;
	struct media_session *ms;
};

static int side_alloc(struct side *s, const char *name, const char *allow)
{
	struct media_opts opts = {.allow = allow, .dtmf = MEDIA_DTMF_RFC4733};
	struct sa laddr;
	int err;

	sa_set_str(&laddr, "127.0.0.1", 0);
	err = channel_alloc(&s->ch, &test_tech, NULL, NULL, NULL, "MediaTest/%s",
			    name);
	if (err)
		return err;
	return media_session_alloc(&s->ms, s->ch, &laddr, &opts);
}

static void side_free(struct side *s)
{
	if (s->ch)
		channel_hangup(s->ch, CAUSE_NORMAL_CLEARING, "test");
	s->ch = NULL;
	s->ms = NULL;
}

static struct mbuf *mb_str(const char *s)
{
	struct mbuf *mb = mbuf_alloc(strlen(s) + 1);

	mbuf_write_str(mb, s);
	mb->pos = 0;
	return mb;
}

/* The answer as a C string (owned by the caller, mem_deref). Not inlined:
 * inlined, GCC 12 mistakes the returned string for the local pointer to it
 * (-Wdangling-pointer false positive). */
static __attribute__((noinline)) char *mb_text(struct mbuf *mb)
{
	char *s = NULL;

	mb->pos = 0;
	mbuf_strdup(mb, &s, mbuf_get_left(mb));
	mb->pos = 0;
	return s;
}

#define OFFER_HEAD "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\n" \
		   "c=IN IP4 127.0.0.1\r\nt=0 0\r\n"

static int setup(void **state)
{
	(void)state;
	return 0;
}

/* ---- offer/answer ---- */

static void answer_uses_peer_order_and_echoes_telephone_event_pt(void **state)
{
	struct side b = {0};
	struct mbuf *offer, *ans = NULL;
	char *txt;

	(void)state;
	assert_int_equal(side_alloc(&b, "b1", "ulaw,alaw"), 0);
	offer = mb_str(OFFER_HEAD "m=audio 40000 RTP/AVP 8 0 96\r\n"
		       "a=rtpmap:96 telephone-event/8000\r\n"
		       "a=fmtp:96 0-15\r\na=sendrecv\r\n");
	assert_int_equal(media_session_answer(b.ms, offer, &ans), 0);
	txt = mb_text(ans);
	assert_non_null(strstr(txt, "m=audio "));
	assert_non_null(strstr(txt, " RTP/AVP 8 0 96\r\n"));
	assert_non_null(strstr(txt, "a=rtpmap:96 telephone-event/8000"));
	assert_non_null(strstr(txt, "a=ptime:20"));
	assert_non_null(strstr(txt, "a=sendrecv"));
	/* not our own default 101; " 101" alone also matched a random RTP
	 * port such as 10134 in the m= line (failed CI once) */
	assert_null(strstr(txt, "rtpmap:101 "));
	assert_null(strstr(txt, "fmtp:101 "));
	assert_false(media_session_remote_hold(b.ms));
	mem_deref(txt);
	mem_deref(ans);
	mem_deref(offer);
	side_free(&b);
}

static void offer_lists_allow_order_and_answer_picks_common(void **state)
{
	struct side a = {0}, b = {0};
	struct mbuf *offer = NULL, *ans = NULL;
	char *txt;

	(void)state;
	assert_int_equal(side_alloc(&a, "a2", "alaw,ulaw"), 0);
	assert_int_equal(side_alloc(&b, "b2", "ulaw"), 0);
	assert_int_equal(media_session_offer(a.ms, &offer), 0);
	txt = mb_text(offer);
	assert_non_null(strstr(txt, " RTP/AVP 8 0 101\r\n"));
	assert_non_null(strstr(txt, "a=fmtp:101 0-16"));
	mem_deref(txt);
	assert_int_equal(media_session_answer(b.ms, offer, &ans), 0);
	txt = mb_text(ans);
	assert_non_null(strstr(txt, " RTP/AVP 0 101\r\n"));
	mem_deref(txt);
	assert_int_equal(media_session_set_answer(a.ms, ans), 0);
	mem_deref(offer);
	mem_deref(ans);
	side_free(&a);
	side_free(&b);
}

static void sendonly_offer_is_answered_recvonly_and_is_hold(void **state)
{
	struct side b = {0};
	struct mbuf *offer, *ans = NULL;
	char *txt;

	(void)state;
	assert_int_equal(side_alloc(&b, "b3", "ulaw,alaw"), 0);
	offer = mb_str(OFFER_HEAD "m=audio 40002 RTP/AVP 0\r\na=sendonly\r\n");
	assert_int_equal(media_session_answer(b.ms, offer, &ans), 0);
	txt = mb_text(ans);
	assert_non_null(strstr(txt, "a=recvonly"));
	assert_true(media_session_remote_hold(b.ms));
	mem_deref(txt);
	mem_deref(ans);
	mem_deref(offer);

	/* Off hold again with a=sendrecv. */
	offer = mb_str(OFFER_HEAD "m=audio 40002 RTP/AVP 0\r\na=sendrecv\r\n");
	assert_int_equal(media_session_answer(b.ms, offer, &ans), 0);
	assert_false(media_session_remote_hold(b.ms));
	mem_deref(ans);
	mem_deref(offer);

	/* RFC 2543 hold: c=0.0.0.0 */
	offer = mb_str("v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\n"
		       "c=IN IP4 0.0.0.0\r\nt=0 0\r\n"
		       "m=audio 40002 RTP/AVP 0\r\n");
	assert_int_equal(media_session_answer(b.ms, offer, &ans), 0);
	assert_true(media_session_remote_hold(b.ms));
	mem_deref(ans);
	mem_deref(offer);

	offer = mb_str(OFFER_HEAD "m=audio 40002 RTP/AVP 0\r\na=inactive\r\n");
	assert_int_equal(media_session_answer(b.ms, offer, &ans), 0);
	txt = mb_text(ans);
	assert_non_null(strstr(txt, "a=inactive"));
	assert_true(media_session_remote_hold(b.ms));
	mem_deref(txt);
	mem_deref(ans);
	mem_deref(offer);
	side_free(&b);
}

static void no_common_codec_is_enotsup(void **state)
{
	struct side b = {0};
	struct mbuf *offer, *ans = NULL;

	(void)state;
	assert_int_equal(side_alloc(&b, "b4", "ulaw"), 0);
	offer = mb_str(OFFER_HEAD "m=audio 40004 RTP/AVP 18 8 101\r\n"
		       "a=rtpmap:18 G729/8000\r\n"
		       "a=rtpmap:101 telephone-event/8000\r\n");
	assert_int_equal(media_session_answer(b.ms, offer, &ans), ENOTSUP);
	assert_null(ans);
	mem_deref(offer);
	side_free(&b);
}

/* pjmedia_sdp_validate's rules, which libre's parser does not apply: such
 * an offer is EPROTO (SIP 488), and trying one changes nothing. */
static void an_offer_pjmedia_would_refuse_is_eproto_and_a_check_changes_nothing(
	void **state)
{
	static const struct {
		const char *sdp, *why;
	} bad[] = {
		{"v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
		 "m=audio 40010 RTP/AVP 0\r\n",
		 "no c= line for a stream, in it or for the session"},
		{"v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\n"
		 "c=IN IP4 999.999.1.1\r\nt=0 0\r\nm=audio 40010 RTP/AVP 0\r\n",
		 "c= address '999.999.1.1' is not an IP4 address"},
		{OFFER_HEAD "m=audio 99999 RTP/AVP 0\r\n",
		 "m=audio: port 99999 is out of range"},
		{OFFER_HEAD "m=audio 40010 RTP/AVP 0 300\r\n",
		 "m=audio: payload type 300 is not 0 to 127"},
	};
	struct side b = {0};
	struct mbuf *offer, *ans = NULL;
	char why[160];

	(void)state;
	assert_int_equal(side_alloc(&b, "b6", "ulaw"), 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		offer = mb_str(bad[i].sdp);
		assert_int_equal(media_session_offer_check(b.ms, offer, why,
							   sizeof(why)), EPROTO);
		assert_string_equal(why, bad[i].why);
		assert_int_equal(media_session_answer(b.ms, offer, &ans),
				 EPROTO);
		assert_null(ans);
		mem_deref(offer);
	}
	/* a disabled stream needs no address; a session-wide one will do */
	offer = mb_str("v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\n"
		       "c=IN IP4 127.0.0.1\r\nt=0 0\r\nm=video 0 RTP/AVP 96\r\n"
		       "m=audio 40010 RTP/AVP 0\r\n");
	assert_int_equal(media_session_offer_check(b.ms, offer, why,
						   sizeof(why)), 0);
	mem_deref(offer);

	/* a hold offer, only checked: the session is not on hold */
	offer = mb_str(OFFER_HEAD "m=audio 40010 RTP/AVP 0\r\na=sendonly\r\n");
	assert_int_equal(media_session_offer_check(b.ms, offer, why,
						   sizeof(why)), 0);
	assert_false(media_session_remote_hold(b.ms));
	assert_int_equal(media_session_answer(b.ms, offer, &ans), 0);
	assert_true(media_session_remote_hold(b.ms));
	mem_deref(ans);
	mem_deref(offer);
	side_free(&b);
}

static void garbage_sdp_is_ebadmsg(void **state)
{
	struct side b = {0};
	struct mbuf *offer, *ans = NULL;

	(void)state;
	assert_int_equal(side_alloc(&b, "b5", "ulaw"), 0);
	offer = mb_str("hello, this is not SDP\r\n");
	assert_int_equal(media_session_answer(b.ms, offer, &ans), EBADMSG);
	mem_deref(offer);
	offer = mb_str("v=0\r\nthis line has no equals sign\r\n");
	assert_int_equal(media_session_answer(b.ms, offer, &ans), EBADMSG);
	mem_deref(offer);
	offer = mb_str("");
	assert_int_equal(media_session_answer(b.ms, offer, &ans), EBADMSG);
	mem_deref(offer);
	assert_null(ans);
	side_free(&b);
}

/* ---- over the loop ---- */

/* Two sessions that have done offer/answer with each other. */
static void connect_pair(struct side *a, struct side *b, const char *na,
			 const char *nb)
{
	struct mbuf *offer = NULL, *ans = NULL;

	assert_int_equal(side_alloc(a, na, "ulaw,alaw"), 0);
	assert_int_equal(side_alloc(b, nb, "ulaw,alaw"), 0);
	assert_int_equal(media_session_offer(a->ms, &offer), 0);
	assert_int_equal(media_session_answer(b->ms, offer, &ans), 0);
	assert_int_equal(media_session_set_answer(a->ms, ans), 0);
	mem_deref(offer);
	mem_deref(ans);
}

static struct tmr stop_tmr;

static void stop_loop(void *arg)
{
	(void)arg;
	re_cancel();
}

static void run_loop_ms(unsigned ms)
{
	tmr_start(&stop_tmr, ms, stop_loop, NULL);
	re_main(NULL);
	tmr_cancel(&stop_tmr);
}

/* Sink on the receiving side: Goertzel power at two frequencies. */
struct sink {
	struct media_gen gen;
	struct media_chan *mc;
	unsigned frames;
	double p1000, p500, energy;
	bool done_called;
};

static bool sink_read(struct media_gen *g, int16_t *pcm, size_t n)
{
	struct sink *s = g->arg;
	int16_t rx[MEDIA_FRAME];

	if (media_chan_rx(s->mc, rx, MEDIA_FRAME)) {
		s->frames++;
		s->p1000 += ft_goertzel(rx, MEDIA_FRAME, 1000);
		s->p500 += ft_goertzel(rx, MEDIA_FRAME, 500);
		for (size_t i = 0; i < MEDIA_FRAME; i++)
			s->energy += (double)rx[i] * rx[i];
	}
	memset(pcm, 0, n * sizeof(*pcm));
	return true;
}

static void sink_done(struct media_gen *g, bool hangup)
{
	struct sink *s = g->arg;

	(void)hangup;
	s->done_called = true;
}

static void tone_on_one_side_is_heard_as_1khz_on_the_other(void **state)
{
	struct side a = {0}, b = {0};
	struct tgen t;
	struct sink s = {.gen = {.read = sink_read, .done = sink_done}};
	struct channel_rtp_stats st;

	(void)state;
	connect_pair(&a, &b, "ta", "tb");
	tgen_init(&t, 1000);
	s.gen.arg = &s;
	s.mc = media_chan_get(b.ch, false);
	assert_non_null(s.mc);
	media_chan_gen_push(media_chan_get(a.ch, false), &t.gen);
	media_chan_gen_push(s.mc, &s.gen);
	run_loop_ms(600);

	/* 600 ms at 20 ms minus the 40 ms cushion and start-up. */
	assert_true(s.frames >= 20);
	assert_true(s.energy / (s.frames * MEDIA_FRAME) > 1e6);
	assert_true(s.p1000 > 100 * s.p500);

	assert_int_equal(media_session_stats(b.ms, &st), 0);
	assert_true(st.rxcount >= 20);
	assert_int_equal(st.rxoctets, st.rxcount * MEDIA_FRAME);
	assert_int_not_equal(st.remote_ssrc, 0);
	assert_int_equal(media_session_stats(a.ms, &st), 0);
	assert_true(st.txcount >= 20);

	side_free(&a);
	side_free(&b);
	/* Generators hear about the hangup before the state goes. */
	assert_true(t.done);
	assert_true(s.done_called);
}

/* a1 <-> b1 and a2 <-> b2 over RTP, b1 and b2 in a bridge: what a1 says
 * reaches a2 as it was sent, and b1's frames are never decoded. */
static void bridged_sessions_relay_rtp_payloads_undecoded(void **state)
{
	struct side a1 = {0}, b1 = {0}, a2 = {0}, b2 = {0};
	struct tgen t;
	struct sink s = {.gen = {.read = sink_read, .done = sink_done}};
	struct bridge *br = NULL;

	(void)state;
	connect_pair(&a1, &b1, "ba1", "bb1");
	connect_pair(&a2, &b2, "ba2", "bb2");
	tgen_init(&t, 1000);
	s.gen.arg = &s;
	s.mc = media_chan_get(a2.ch, false);
	media_chan_gen_push(media_chan_get(a1.ch, false), &t.gen);
	media_chan_gen_push(s.mc, &s.gen);
	assert_int_equal(bridge_create(&br, NULL, BRIDGE_MIXING, NULL, NULL),
			 0);
	assert_int_equal(bridge_add(br, b1.ch, NULL), 0);
	assert_int_equal(bridge_add(br, b2.ch, NULL), 0);
	run_loop_ms(600);

	assert_true(s.frames >= 20);
	assert_true(s.p1000 > 100 * s.p500);
	assert_true(s.energy / (s.frames * MEDIA_FRAME) > 1e6);
	assert_int_equal(media_chan_rx_decodes(media_chan_get(b1.ch, false)),
			 0);
	assert_true(b2.ms->txrelayed >= 20);
	/* before the tone came through: silence of the first ticks */
	assert_true(b2.ms->txencoded < 10);
	bridge_destroy(br);
	side_free(&a1);
	side_free(&b1);
	side_free(&a2);
	side_free(&b2);
}

/* DTMF events seen on the bus. */
static struct {
	struct channel *ch;
	char digits[16];
	unsigned dur[16];
	unsigned n;
} seen;

static void on_bus(const struct bus_event *ev, void *arg)
{
	(void)arg;
	if (ev->type != BUS_CHANNEL_DTMF || ev->chan != seen.ch ||
	    seen.n >= 16)
		return;
	seen.digits[seen.n] = ev->digit;
	seen.dur[seen.n++] = ev->duration_ms;
}

static void rfc4733_digit_arrives_once_with_its_duration(void **state)
{
	struct side a = {0}, b = {0};

	(void)state;
	connect_pair(&a, &b, "da", "db");
	memset(&seen, 0, sizeof(seen));
	seen.ch = b.ch;
	assert_int_equal(media_session_send_digit(a.ms, '5', 200), 0);
	assert_int_equal(media_session_send_digit(a.ms, '#', 100), 0);
	assert_int_equal(media_session_send_digit(a.ms, 'x', 100), EINVAL);
	run_loop_ms(700);
	assert_int_equal(seen.n, 2);
	assert_int_equal(seen.digits[0], '5');
	assert_in_range(seen.dur[0], 180, 260);
	assert_int_equal(seen.digits[1], '#');
	assert_in_range(seen.dur[1], 80, 160);
	side_free(&a);
	side_free(&b);
}

/* A raw sender that sends a digit's start and updates, never its end. */
struct raw {
	struct udp_sock *us;
	struct sa dst;
	struct tmr tmr;
	unsigned sent;
	uint16_t seq;
};

static void raw_send(void *arg)
{
	struct raw *r = arg;
	struct rtp_header h = {.ver = RTP_VERSION, .pt = 101, .ssrc = 0x1234,
			       .ts = 8000};
	struct mbuf *mb = mbuf_alloc(64);
	uint16_t dur = (uint16_t)(400 * (r->sent + 1));

	h.m = r->sent == 0;
	h.seq = r->seq++;
	rtp_hdr_encode(mb, &h);
	mbuf_write_u8(mb, 7);      /* event '7' */
	mbuf_write_u8(mb, 10);     /* no E bit, volume 10 */
	mbuf_write_u16(mb, htons(dur));
	mb->pos = 0;
	udp_send(r->us, &r->dst, mb);
	mem_deref(mb);

	/* Also a short packet and an unknown payload type: dropped. */
	mb = mbuf_alloc(64);
	mbuf_write_mem(mb, (const uint8_t *)"\x80\x00", 2);
	mb->pos = 0;
	udp_send(r->us, &r->dst, mb);
	mem_deref(mb);

	/* This socket is not the address b's SDP names: strict RTP takes
	 * its packets from the fourth in sequence on (probation). */
	if (++r->sent < 6)
		tmr_start(&r->tmr, 50, raw_send, r);
}

static void digit_without_end_packets_ends_by_timeout(void **state)
{
	struct side a = {0}, b = {0};
	struct raw r = {0};
	struct sa local;

	(void)state;
	connect_pair(&a, &b, "ra", "rb");
	memset(&seen, 0, sizeof(seen));
	seen.ch = b.ch;

	/* Find b's RTP port from its answer: re-offer from a and read the
	 * port b answers with. */
	{
		struct mbuf *offer = NULL, *ans = NULL;
		char *txt;
		unsigned port = 0;

		assert_int_equal(media_session_offer(a.ms, &offer), 0);
		assert_int_equal(media_session_answer(b.ms, offer, &ans), 0);
		txt = mb_text(ans);
		assert_int_equal(sscanf(strstr(txt, "m=audio "),
					"m=audio %u", &port), 1);
		/* Even RTP port from the default range (RTCP on port + 1). */
		assert_int_equal(port % 2, 0);
		assert_in_range(port, 10000, 20000);
		sa_set_str(&r.dst, "127.0.0.1", (uint16_t)port);
		mem_deref(txt);
		mem_deref(offer);
		mem_deref(ans);
	}
	sa_set_str(&local, "127.0.0.1", 0);
	assert_int_equal(udp_listen(&r.us, &local, NULL, NULL), 0);
	tmr_init(&r.tmr);
	tmr_start(&r.tmr, 20, raw_send, &r);

	run_loop_ms(600);
	assert_int_equal(seen.n, 0); /* not ended yet: no end packet */
	run_loop_ms(1000);
	assert_int_equal(seen.n, 1);
	assert_int_equal(seen.digits[0], '7');
	/* 2400 samples of duration in the last packet: 300 ms. */
	assert_in_range(seen.dur[0], 250, 350);

	tmr_cancel(&r.tmr);
	mem_deref(r.us);
	side_free(&a);
	side_free(&b);
}

static void no_rtp_for_rtp_timeout_hangs_up_with_cause_44(void **state)
{
	struct media_opts opts = {.allow = "ulaw", .rtp_timeout_s = 1};
	struct side b = {0};
	struct mbuf *offer, *ans = NULL;
	struct sa laddr;

	(void)state;
	sa_set_str(&laddr, "127.0.0.1", 0);
	assert_int_equal(channel_alloc(&b.ch, &test_tech, NULL, NULL, NULL,
				       "MediaTest/to"), 0);
	mem_ref(b.ch);
	assert_int_equal(media_session_alloc(&b.ms, b.ch, &laddr, &opts), 0);
	/* The peer's port is closed: nothing will ever come back. */
	offer = mb_str(OFFER_HEAD "m=audio 9 RTP/AVP 0\r\n");
	assert_int_equal(media_session_answer(b.ms, offer, &ans), 0);
	run_loop_ms(600);
	assert_false(channel_is_hungup(b.ch));
	run_loop_ms(700);
	assert_true(channel_is_hungup(b.ch));
	assert_int_equal(channel_hangup_cause(b.ch), 44);
	mem_deref(offer);
	mem_deref(ans);
	mem_deref(b.ch);
}

/* ---- RTCP from the tick ---- */

/* How many timers libre has armed ("Timers (N):" from tmr_status). */
static unsigned libre_timers(void)
{
	char buf[64] = "";
	unsigned n = 0;

	re_snprintf(buf, sizeof(buf), "%H", tmr_status, NULL);
	(void)sscanf(buf, "Timers (%u)", &n);
	return n;
}

static void rtcp_fast(struct media_session *ms)
{
	ms->rtcp.interval_ms = 100;
	ms->rtcp.next_ms = 0;
}

static void rtcp_flows_both_ways_without_libre_timers(void **state)
{
	struct side a = {0}, b = {0};
	struct channel_rtp_stats st;
	unsigned before;

	(void)state;
	/* Both must send RTP, so that both send SRs: an idle channel sends
	 * nothing unless asked to send silence. */
	options.transmit_silence = true;
	before = libre_timers();
	connect_pair(&a, &b, "rca", "rcb");
	/* libre's rtcp_start would have armed one 5 s timer per session. */
	assert_int_equal(libre_timers(), before);
	assert_true(a.ms->rtcp.on);
	assert_true(b.ms->rtcp.on);
	assert_string_equal(a.ms->rtcp.cname, channel_id(a.ch));
	rtcp_fast(a.ms);
	rtcp_fast(b.ms);
	run_loop_ms(700);

	assert_true(a.ms->rtcp.sent >= 3);
	assert_true(b.ms->rtcp.sent >= 3);
	assert_true(a.ms->rtcp.received >= 3);
	assert_true(b.ms->rtcp.received >= 3);
	/* Both send RTP, so both sent SRs, and each echoes the other's. */
	assert_int_not_equal(a.ms->rtcp.lsr, 0);
	assert_int_not_equal(b.ms->rtcp.lsr, 0);

	/* What b reported about a's stream, as a sees it. */
	assert_int_equal(media_session_stats(a.ms, &st), 0);
	assert_int_equal(st.txploss, 0);
	assert_true(st.txjitter >= 0 && st.txjitter < 0.05);
	assert_true(st.rtt >= 0 && st.rtt < 0.05);
	assert_int_equal(st.rxploss, 0);
	assert_int_equal(libre_timers(), before);
	options.transmit_silence = false;

	side_free(&a);
	side_free(&b);
}

/* A raw peer: RTP on an even port, RTCP on the next one. */
struct rawpeer {
	struct udp_sock *rtp, *rtcp;
	uint16_t port;
	struct sa from;           /* where b's reports come from */
	unsigned reports, srs, rrs;
	struct rtcp_rr last;      /* the last report block about our SSRC */
	bool have_block;
	unsigned max_fraction;
	uint32_t sender_ssrc;
	char cname[64];
};

#define RAW_SSRC 0xabc0001u

static void rawpeer_rtcp(const struct sa *src, struct mbuf *mb, void *arg)
{
	struct rawpeer *p = arg;
	struct rtcp_msg *msg;

	p->from = *src;
	while (!rtcp_decode(&msg, mb)) {
		const struct rtcp_rr *rrv = NULL;

		if (msg->hdr.pt == RTCP_SR) {
			p->reports++;
			p->srs++;
			p->sender_ssrc = msg->r.sr.ssrc;
			rrv = msg->r.sr.rrv;
		}
		else if (msg->hdr.pt == RTCP_RR) {
			p->reports++;
			p->rrs++;
			p->sender_ssrc = msg->r.rr.ssrc;
			rrv = msg->r.rr.rrv;
		}
		else if (msg->hdr.pt == RTCP_SDES && msg->hdr.count &&
			 msg->r.sdesv[0].n) {
			const struct rtcp_sdes_item *it =
				&msg->r.sdesv[0].itemv[0];

			if (it->type == RTCP_SDES_CNAME)
				snprintf(p->cname, sizeof(p->cname), "%.*s",
					 (int)it->length, it->data);
		}
		for (unsigned i = 0; rrv && i < msg->hdr.count; i++) {
			if (rrv[i].ssrc != RAW_SSRC)
				continue;
			p->last = rrv[i];
			p->have_block = true;
			if (rrv[i].fraction > p->max_fraction)
				p->max_fraction = rrv[i].fraction;
		}
		mem_deref(msg);
	}
}

static void rawpeer_open(struct rawpeer *p)
{
	for (uint16_t port = 30000; port < 31000; port += 2) {
		struct sa a;

		sa_set_str(&a, "127.0.0.1", port);
		if (udp_listen(&p->rtp, &a, NULL, NULL))
			continue;
		sa_set_port(&a, port + 1);
		if (!udp_listen(&p->rtcp, &a, rawpeer_rtcp, p)) {
			p->port = port;
			return;
		}
		p->rtp = mem_deref(p->rtp);
	}
	fail_msg("no free port pair for the raw peer");
}

static void rawpeer_send_rtp(struct rawpeer *p, const struct sa *dst,
			     uint16_t seq, uint32_t ts)
{
	struct rtp_header h = {.ver = RTP_VERSION, .pt = 0, .ssrc = RAW_SSRC,
			       .seq = seq, .ts = ts};
	struct mbuf *mb = mbuf_alloc(RTP_HEADER_SIZE + MEDIA_FRAME);

	rtp_hdr_encode(mb, &h);
	mbuf_fill(mb, 0xff, MEDIA_FRAME);
	mb->pos = 0;
	udp_send(p->rtp, dst, mb);
	mem_deref(mb);
}

/* A raw peer, and side b answering its offer of PCMU at the peer's
 * port; returns b's answer (the caller frees it). */
static struct mbuf *raw_call(struct side *b, struct rawpeer *p,
			     const char *name)
{
	struct mbuf *offer, *ans = NULL;
	char hdr[256];

	rawpeer_open(p);
	assert_int_equal(side_alloc(b, name, "ulaw"), 0);
	snprintf(hdr, sizeof(hdr), OFFER_HEAD "m=audio %u RTP/AVP 0\r\n",
		 p->port);
	offer = mb_str(hdr);
	assert_int_equal(media_session_answer(b->ms, offer, &ans), 0);
	mem_deref(offer);
	return ans;
}

static void rtcp_report_blocks_carry_loss_seq_and_lsr(void **state)
{
	struct side b = {0};
	struct rawpeer p = {0};
	struct mbuf *ans, *sr;
	struct channel_rtp_stats st;
	struct sa bdst, brtcp;
	char *txt;
	unsigned port = 0;

	(void)state;
	ans = raw_call(&b, &p, "rr");
	txt = mb_text(ans);
	assert_int_equal(sscanf(strstr(txt, "m=audio "), "m=audio %u",
				&port), 1);
	mem_deref(txt);
	sa_set_str(&bdst, "127.0.0.1", (uint16_t)port);
	sa_set_str(&brtcp, "127.0.0.1", (uint16_t)(port + 1));

	/* 20 packets across the sequence wrap, two of them lost. They are
	 * all read before reports speed up: a report that fired in the middle
	 * of the burst would count a fraction of fewer packets. */
	for (unsigned i = 0; i < 20; i++)
		if (i != 4 && i != 5)
			rawpeer_send_rtp(&p, &bdst, (uint16_t)(65530 + i),
					 1000 + i * MEDIA_FRAME);
	run_loop_ms(60);
	rtcp_fast(b.ms);
	run_loop_ms(300);

	assert_true(p.reports >= 2);
	assert_true(sa_cmp(&p.from, &brtcp, SA_ALL));
	assert_int_equal(media_session_stats(b.ms, &st), 0);
	assert_int_equal(p.sender_ssrc, st.local_ssrc);
	assert_string_equal(p.cname, channel_id(b.ch));
	assert_true(p.have_block);
	assert_int_equal(p.last.lost, 2);
	assert_int_equal(p.last.last_seq, 65536u + 13);  /* 65530 + 19 */
	/* 2 of 20 in the report that first saw them: 2 * 256 / 20. */
	assert_int_equal(p.max_fraction, 25);
	/* Later reports: nothing new lost in their interval. */
	assert_int_equal(p.last.fraction, 0);
	assert_int_equal(p.last.lsr, 0);   /* no SR from us yet */
	assert_int_equal(st.rxploss, 2);

	/* Our SR: b's next block echoes its NTP middle bits as LSR. */
	sr = mbuf_alloc(64);
	assert_int_equal(rtcp_encode(sr, RTCP_SR, 0, RAW_SSRC, 0x12345678u,
				     0x9abcdef0u, 1000u, 18u, 18u * 160,
				     (void *)NULL, (void *)NULL), 0);
	sr->pos = 0;
	assert_int_equal(udp_send(p.rtcp, &brtcp, sr), 0);
	mem_deref(sr);
	run_loop_ms(300);
	assert_true(b.ms->rtcp.received >= 1);
	assert_int_equal(p.last.lsr, 0x56789abcu);

	mem_deref(ans);
	side_free(&b);
	mem_deref(p.rtp);
	mem_deref(p.rtcp);
}

/* RFC 3550 6.4: a session sends SRs while it sends RTP and RRs once it
 * has sent none since the report before the last; a call that hears
 * nothing sends no RTP (transmit_silence off, the default). */
static void reports_are_srs_while_sending_and_rrs_once_idle(void **state)
{
	struct side b = {0};
	struct rawpeer p = {0};
	struct mbuf *ans;
	unsigned srs, rrs;

	(void)state;
	ans = raw_call(&b, &p, "sr");

	options.transmit_silence = true;
	rtcp_fast(b.ms);
	run_loop_ms(400);
	assert_true(b.ms->txcount > 0);
	assert_true(p.srs >= 2);
	assert_true(p.rrs <= 1);  /* one may go before the first RTP packet */

	options.transmit_silence = false;
	run_loop_ms(400);        /* two reports at most may still be SRs */
	srs = p.srs;
	rrs = p.rrs;
	run_loop_ms(400);
	assert_int_equal(p.srs, srs);
	assert_true(p.rrs >= rrs + 2);

	mem_deref(ans);
	side_free(&b);
	mem_deref(p.rtp);
	mem_deref(p.rtcp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(answer_uses_peer_order_and_echoes_telephone_event_pt),
		cmocka_unit_test(offer_lists_allow_order_and_answer_picks_common),
		cmocka_unit_test(sendonly_offer_is_answered_recvonly_and_is_hold),
		cmocka_unit_test(no_common_codec_is_enotsup),
		cmocka_unit_test(garbage_sdp_is_ebadmsg),
		cmocka_unit_test(an_offer_pjmedia_would_refuse_is_eproto_and_a_check_changes_nothing),
		cmocka_unit_test(tone_on_one_side_is_heard_as_1khz_on_the_other),
		cmocka_unit_test(bridged_sessions_relay_rtp_payloads_undecoded),
		cmocka_unit_test(rfc4733_digit_arrives_once_with_its_duration),
		cmocka_unit_test(digit_without_end_packets_ends_by_timeout),
		cmocka_unit_test(no_rtp_for_rtp_timeout_hangs_up_with_cause_44),
		cmocka_unit_test(rtcp_flows_both_ways_without_libre_timers),
		cmocka_unit_test(rtcp_report_blocks_carry_loss_seq_and_lsr),
		cmocka_unit_test(reports_are_srs_while_sending_and_rrs_once_idle),
	};
	int ret;

	libre_init();
	tmr_init(&stop_tmr);
	channel_tech_register(&test_tech);
	bus_subscribe(on_bus, NULL);
	if (bridge_init() || media_init(NULL))
		return 1;
	ret = cmocka_run_group_tests(tests, setup, NULL);
	media_close();
	bridge_close();
	bus_unsubscribe(on_bus, NULL);
	channel_registry_close();
	libre_close();
	return ret;
}
