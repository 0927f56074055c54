/* test_em_rtp.c — the UnicastRTP channel technology (src/extmedia/em_rtp.c)
 * against a raw UDP peer on 127.0.0.1, over libre's loop and the real media
 * tick: the dial string's destination and options are checked, the channel
 * is named as Asterisk names it and tells where to send RTP
 * (UNICASTRTP_LOCAL_ADDRESS/PORT), it answers when called, sends one packet
 * of the dial string's payload type every 20 ms, hears what the peer sends,
 * sends RFC 4733 digits, has no RTP timeout, and stops when hung up. */
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
#include <stdlib.h>
#include <string.h>
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
#include "core/bridge.h"
#include "core/channel.h"
#include "base/options.h"
#include "media/media.h"
#include "media/media_int.h"
#include "media/session_int.h"
#include "extmedia/em_int.h"
#include "mix_test.h"

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

/* The far end: one UDP socket, what came on it. */
struct peer {
	struct udp_sock *us;
	struct sa addr;
	unsigned audio, events, other;
	int audio_pt;
	uint32_t ssrc;
	uint64_t first_ms, last_ms;
	int event;                 /* last RFC 4733 event code, -1 none */
};

static void peer_recv(const struct sa *src, struct mbuf *mb, void *arg)
{
	struct peer *p = arg;
	struct rtp_header h;

	(void)src;
	if (rtp_hdr_decode(&h, mb)) {
		p->other++;
		return;
	}
	if (h.pt == 101) {
		p->events++;
		if (mbuf_get_left(mb) >= 4)
			p->event = mbuf_buf(mb)[0];
		return;
	}
	if (!p->audio++)
		p->first_ms = tmr_jiffies();
	p->last_ms = tmr_jiffies();
	p->audio_pt = h.pt;
	p->ssrc = h.ssrc;
}

static void peer_open(struct peer *p)
{
	struct sa a;

	memset(p, 0, sizeof(*p));
	p->event = -1;
	sa_set_str(&a, "127.0.0.1", 0);
	assert_int_equal(udp_listen(&p->us, &a, peer_recv, p), 0);
	assert_int_equal(udp_local_get(p->us, &p->addr), 0);
}

static struct channel *dial(const struct peer *p, const char *opts)
{
	struct channel *ch = NULL;
	char d[128];

	re_snprintf(d, sizeof(d), "UnicastRTP/127.0.0.1:%u%s",
		    sa_port(&p->addr), opts);
	assert_int_equal(channel_request(&ch, d, NULL, NULL), 0);
	assert_non_null(ch);
	return ch;
}

static void peer_send(struct peer *p, struct channel *ch, unsigned n)
{
	struct sa dst;

	assert_int_equal(sa_set_str(&dst,
				    channel_var_get(ch,
						    "UNICASTRTP_LOCAL_ADDRESS"),
				    (uint16_t)atoi(channel_var_get(
					    ch, "UNICASTRTP_LOCAL_PORT"))),
			 0);
	for (unsigned i = 0; i < n; i++) {
		struct rtp_header h = {.ver = RTP_VERSION, .pt = 0,
				       .ssrc = 0x1234, .seq = (uint16_t)i,
				       .ts = i * MEDIA_FRAME};
		struct mbuf *mb = mbuf_alloc(RTP_HEADER_SIZE + MEDIA_FRAME);

		assert_int_equal(rtp_hdr_encode(mb, &h), 0);
		mbuf_fill(mb, 0xff, MEDIA_FRAME);
		mb->pos = 0;
		assert_int_equal(udp_send(p->us, &dst, mb), 0);
		mem_deref(mb);
	}
}

static void bad_dial_strings_are_refused(void **state)
{
	static const char *const einval[] = {
		"UnicastRTP/127.0.0.1", "UnicastRTP/127.0.0.1:0",
		"UnicastRTP/127.0.0.1:99999", "UnicastRTP/:5000",
		"UnicastRTP/127.0.0.1:5000/x", "UnicastRTP/127.0.0.1:5000/c(ulaw",
		"UnicastRTP/127.0.0.1:5000/c()", "UnicastRTP/localhost:5x",
	};
	struct channel *ch = NULL;
	size_t before = channel_count();

	(void)state;
	for (size_t i = 0; i < sizeof(einval) / sizeof(einval[0]); i++)
		assert_int_equal(channel_request(&ch, einval[i], NULL, NULL),
				 EINVAL);
	assert_int_equal(channel_request(&ch, "UnicastRTP/127.0.0.1:5000/"
					 "c(opus)", NULL, NULL), ENOTSUP);
	assert_int_equal(channel_request(&ch, "UnicastRTP/127.0.0.1:5000/"
					 "e(multicast)", NULL, NULL), ENOTSUP);
	assert_null(ch);
	assert_int_equal(channel_count(), before);
}

static void channel_is_named_tells_its_address_and_answers(void **state)
{
	struct peer p;
	struct channel *ch;
	char prefix[64];
	const char *port;

	(void)state;
	peer_open(&p);
	ch = dial(&p, "/c(ulaw)");
	/* chan_rtp's "UnicastRTP/%s-%p": a 0x-prefixed hex suffix */
	re_snprintf(prefix, sizeof(prefix), "UnicastRTP/127.0.0.1:%u-0x",
		    sa_port(&p.addr));
	assert_memory_equal(channel_name(ch), prefix, strlen(prefix));
	assert_int_equal(strlen(channel_name(ch)), strlen(prefix) + 8);
	assert_string_equal(channel_tech_type(ch), "UnicastRTP");
	assert_string_equal(channel_var_get(ch, "UNICASTRTP_LOCAL_ADDRESS"),
			    "127.0.0.1");
	port = channel_var_get(ch, "UNICASTRTP_LOCAL_PORT");
	assert_non_null(port);
	assert_true(atoi(port) > 0);
	/* An external media peer may be silent: no RTP timeout. */
	assert_int_equal(((struct media_session *)channel_pvt(ch))
				 ->rtp_timeout_s, 0);
	assert_int_equal(channel_state(ch), CHANNEL_DOWN);
	assert_int_equal(channel_call(ch, 30), 0);
	assert_int_equal(channel_state(ch), CHANNEL_UP);
	channel_hangup(ch, CAUSE_NORMAL_CLEARING, "test");
	mem_deref(p.us);
}

static void hostname_destination_resolves(void **state)
{
	struct channel *ch = NULL;

	(void)state;
	assert_int_equal(channel_request(&ch, "UnicastRTP/localhost:5004",
					 NULL, NULL), 0);
	assert_non_null(channel_var_get(ch, "UNICASTRTP_LOCAL_PORT"));
	channel_hangup(ch, CAUSE_NORMAL_CLEARING, "test");
}

/* [::1]:port: bound on ::1, said without brackets as Asterisk does. */
static void ipv6_destination_binds_ipv6(void **state)
{
	struct udp_sock *us = NULL;
	struct channel *ch = NULL;
	struct sa a;
	char d[128];

	(void)state;
	sa_set_str(&a, "::1", 0);
	if (udp_listen(&us, &a, NULL, NULL)) {
		skip();
		return;
	}
	assert_int_equal(udp_local_get(us, &a), 0);
	re_snprintf(d, sizeof(d), "UnicastRTP/[::1]:%u/c(ulaw)", sa_port(&a));
	assert_int_equal(channel_request(&ch, d, NULL, NULL), 0);
	assert_string_equal(channel_var_get(ch, "UNICASTRTP_LOCAL_ADDRESS"),
			    "::1");
	channel_hangup(ch, CAUSE_NORMAL_CLEARING, "test");
	mem_deref(us);
}

static void rtp_flows_both_ways_every_20ms(void **state)
{
	struct peer p;
	struct channel *ch;
	struct tgen t;
	struct channel_rtp_stats st;

	(void)state;
	peer_open(&p);
	ch = dial(&p, "/c(ulaw)");
	assert_int_equal(channel_call(ch, 0), 0);
	tgen_init(&t, 1000);
	media_chan_gen_push(media_chan_get(ch, false), &t.gen);
	peer_send(&p, ch, 10);
	run_loop_ms(500);

	assert_int_equal(p.audio_pt, 0);
	assert_true(p.audio >= 20);
	/* paced by the tick: n packets span (n - 1) * 20 ms, give or take */
	assert_true(p.last_ms - p.first_ms >= (p.audio - 1) * 20 - 40);
	assert_int_equal(channel_get_tech(ch)->rtp_stats(ch, &st), 0);
	assert_int_equal(st.rxcount, 10);
	assert_int_equal(st.remote_ssrc, 0x1234);
	assert_int_equal(st.local_ssrc, p.ssrc);

	channel_hangup(ch, CAUSE_NORMAL_CLEARING, "test");
	/* a packet the last tick sent may still wait in the peer's socket
	 * (a loaded machine reads it late): take it before counting */
	run_loop_ms(50);
	p.audio = 0;
	run_loop_ms(100);
	mem_deref(p.us);
	assert_int_equal(p.audio, 0);
}

static void alaw_goes_out_as_payload_type_8(void **state)
{
	struct peer p;
	struct channel *ch;
	struct tgen t;

	(void)state;
	peer_open(&p);
	ch = dial(&p, "/c(alaw)");
	assert_int_equal(channel_call(ch, 0), 0);
	tgen_init(&t, 1000);
	media_chan_gen_push(media_chan_get(ch, false), &t.gen);
	run_loop_ms(200);
	assert_true(p.audio > 0);
	assert_int_equal(p.audio_pt, 8);
	channel_hangup(ch, CAUSE_NORMAL_CLEARING, "test");
	mem_deref(p.us);
}

/* As Asterisk's: a channel that hears nothing sends nothing, unless
 * [options] transmit_silence asks for silence. */
static void an_idle_channel_sends_nothing_unless_transmit_silence(void **state)
{
	struct peer p;
	struct channel *ch;

	(void)state;
	peer_open(&p);
	ch = dial(&p, "/c(ulaw)");
	assert_int_equal(channel_call(ch, 0), 0);
	run_loop_ms(200);
	assert_int_equal(p.audio, 0);

	options.transmit_silence = true;
	run_loop_ms(200);
	options.transmit_silence = false;
	assert_true(p.audio >= 5);
	assert_int_equal(p.audio_pt, 0);
	channel_hangup(ch, CAUSE_NORMAL_CLEARING, "test");
	mem_deref(p.us);
}

/* As chan_rtp's UnicastRTP, which has no digit functions: no RFC 4733
 * packets on a leg whose peer agreed on no telephone-event payload type. */
static void no_digits_go_out(void **state)
{
	struct peer p;
	struct channel *ch;

	(void)state;
	peer_open(&p);
	ch = dial(&p, "");
	assert_int_equal(channel_call(ch, 0), 0);
	assert_int_equal(channel_send_digit(ch, '5', 100), ENOTSUP);
	run_loop_ms(400);
	assert_int_equal(p.events, 0);
	channel_hangup(ch, CAUSE_NORMAL_CLEARING, "test");
	mem_deref(p.us);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bad_dial_strings_are_refused),
		cmocka_unit_test(channel_is_named_tells_its_address_and_answers),
		cmocka_unit_test(hostname_destination_resolves),
		cmocka_unit_test(ipv6_destination_binds_ipv6),
		cmocka_unit_test(rtp_flows_both_ways_every_20ms),
		cmocka_unit_test(alaw_goes_out_as_payload_type_8),
		cmocka_unit_test(an_idle_channel_sends_nothing_unless_transmit_silence),
		cmocka_unit_test(no_digits_go_out),
	};
	int ret;

	libre_init();
	tmr_init(&stop_tmr);
	if (em_rtp_init() || bridge_init() || media_init(NULL))
		return 1;
	ret = cmocka_run_group_tests(tests, NULL, NULL);
	media_close();
	bridge_close();
	channel_registry_close();
	libre_close();
	return ret;
}
