/* fuzz_rtp.c — what a call's media session does with the packets a peer
 * sends to its RTP and RTCP ports (src/media: session.c's receive handler,
 * jitter.c, dtmf.c's RFC 4733 decoding, rtcp.c), then with the media tick
 * that plays them out. Each input is one call: its first byte sets the
 * session up (our codecs, whether the peer's SDP offer has
 * telephone-event and with which payload type, whether it sends only or
 * also receives, in which case the tick encodes what we send),
 * the offer is answered as for an INVITE, then come records
 *   [kind][length, 2 bytes big-endian][bytes]
 * kind 0: an RTP packet from the address of the SDP, 1: one from
 * elsewhere (NAT: symmetric RTP latches onto it), 2: an RTCP compound
 * packet, 3: `length` ticks of 20 ms (no bytes follow).
 *
 * Why: RTP arrives from anyone who can reach the port, before and during
 * a call: PCMU/PCMA frames of any size, sequence jumps and wraps,
 * telephone-events (digits, retransmitted ends, lost ends), SSRC changes,
 * RTCP reports. libre parses the RTP and RTCP headers (rtp_decode,
 * rtcp_decode, called here as libre's socket handlers call them); the
 * rest is ariadne's.
 *
 * How it reaches session.c's static receive handler: this file defines
 * libre's rtp_listen (an executable's definition takes the place of
 * libre.so's, as base/timerwheel.c does for tmr_*). It makes the RTP
 * socket without sockets (rtp_alloc) and keeps the handlers the session
 * gives, which the harness then calls as libre's would. Nothing is sent:
 * without sockets libre's rtp_send and udp_send refuse. */
#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <re_types.h>
#include <re_fmt.h>
#include <re_mem.h>
#include <re_mbuf.h>
#include <re_list.h>
#include <re_sa.h>
#include <re_rtp.h>
#include <re_tmr.h>
#include <re_main.h>
#include "fuzz.h"
#include "fuzz_core.h"
#include "media/media_chan.h"
#include "media/media_int.h"

enum { KIND_RTP, KIND_RTP_OTHER, KIND_RTCP, KIND_TICKS, KIND_COUNT };

/* Ticks per input: a second and more of audio; beyond, the fuzzer would
 * spend its time encoding what we send, not reading what came. */
#define TICKS_MAX 64

/* What the session handed to rtp_listen. */
static struct {
	struct rtp_sock *rs;
	rtp_recv_h *recvh;
	rtcp_recv_h *rtcph;
	void *arg;
} sock;

int rtp_listen(struct rtp_sock **rsp, int proto, const struct sa *ip,
	       uint16_t min_port, uint16_t max_port, bool enable_rtcp,
	       rtp_recv_h *recvh, rtcp_recv_h *rtcph, void *arg)
{
	int err;

	(void)proto;
	(void)ip;
	(void)min_port;
	(void)max_port;
	(void)enable_rtcp;
	err = rtp_alloc(rsp);
	if (err)
		return err;
	sock.rs = *rsp;
	sock.recvh = recvh;
	sock.rtcph = rtcph;
	sock.arg = arg;
	return 0;
}

static const struct channel_tech fuzz_tech = {
	.type = "RTPFuzz",
	.description = "fuzzed RTP peer",
};

/* The peer's offer: PCMU and PCMA in an order, maybe telephone-event. */
static struct mbuf *offer(uint8_t setup)
{
	struct mbuf *mb = mbuf_alloc(512);
	unsigned pt = setup >> 4 ? 95 + (setup >> 4) : 101;
	bool te = setup & 4;

	if (!mb)
		return NULL;
	(void)mbuf_printf(mb,
			  "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\n"
			  "c=IN IP4 127.0.0.1\r\nt=0 0\r\n"
			  "m=audio 4000 RTP/AVP %s%s%u\r\n"
			  "a=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n",
			  setup & 1 ? "8 0" : "0 8", te ? " " : "",
			  te ? pt : 0);
	if (te)
		(void)mbuf_printf(mb, "a=rtpmap:%u telephone-event/8000\r\n"
				  "a=fmtp:%u 0-16\r\n", pt, pt);
	(void)mbuf_printf(mb, "a=%s\r\n", setup & 8 ? "sendrecv" :
			  "sendonly");
	mb->pos = 0;
	return mb;
}

static void rtp_in(const uint8_t *p, size_t n, bool other)
{
	struct mbuf *mb = mbuf_alloc(n ? n : 1);
	struct rtp_header hdr;
	struct sa src;

	if (!mb)
		return;
	(void)mbuf_write_mem(mb, p, n);
	mb->pos = 0;
	sa_set_str(&src, "127.0.0.1", other ? 4242 : 4000);
	/* libre's RTP socket handler: decode, then the session's handler */
	if (!rtp_decode(sock.rs, mb, &hdr) && sock.recvh)
		sock.recvh(&src, &hdr, mb, sock.arg);
	mem_deref(mb);
}

static void rtcp_in(const uint8_t *p, size_t n)
{
	struct mbuf *mb = mbuf_alloc(n ? n : 1);
	struct sa src;

	if (!mb)
		return;
	(void)mbuf_write_mem(mb, p, n);
	mb->pos = 0;
	sa_set_str(&src, "127.0.0.1", 4001);
	/* libre's RTCP socket handler: each packet of the compound */
	while (mbuf_get_left(mb) >= 4) {
		struct rtcp_msg *msg = NULL;

		if (rtcp_decode(&msg, mb))
			break;
		if (sock.rtcph)
			sock.rtcph(&src, msg, sock.arg);
		mem_deref(msg);
	}
	mem_deref(mb);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_libre_init();
	fuzz_core_start();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const allow[] = {"ulaw,alaw", "alaw", "ulaw",
					    "alaw,ulaw"};
	struct media_opts opts = {.dtmf = MEDIA_DTMF_RFC4733};
	struct media_session *ms = NULL;
	struct mbuf *sdp = NULL, *answer = NULL;
	struct channel *ch = NULL;
	uint64_t now;
	struct sa laddr;
	size_t pos = 1, ticks = 0;

	if (!size)
		return 0;
	memset(&sock, 0, sizeof(sock));
	opts.allow = allow[data[0] & 3];
	sa_set_str(&laddr, "127.0.0.1", 0);
	FUZZ_CHECK(channel_alloc(&ch, &fuzz_tech, NULL, NULL, NULL,
				 "RTPFuzz/peer") == 0);
	FUZZ_CHECK(media_session_alloc(&ms, ch, &laddr, &opts) == 0);
	sdp = offer(data[0]);
	/* no common codec (ENOTSUP) is an answer too: RTP is then refused */
	(void)media_session_answer(ms, sdp, &answer);
	now = tmr_jiffies();

	while (pos + 3 <= size) {
		unsigned kind = data[pos] % KIND_COUNT;
		size_t n = (size_t)data[pos + 1] << 8 | data[pos + 2];

		pos += 3;
		if (kind == KIND_TICKS) {
			for (size_t i = 0; i < n && ticks < TICKS_MAX;
			     i++, ticks++) {
				now += MEDIA_PTIME;
				media_chan_foreach_tick(now);
			}
			continue;
		}
		if (n > size - pos)
			n = size - pos;
		if (kind == KIND_RTCP)
			rtcp_in(data + pos, n);
		else
			rtp_in(data + pos, n, kind == KIND_RTP_OTHER);
		pos += n;
	}
	/* what is left in the jitter buffer and a digit without its end */
	for (int i = 0; i < 3; i++) {
		now += MEDIA_PTIME;
		media_chan_foreach_tick(now);
	}
	media_chan_foreach_tick(now + 2000);

	channel_hangup(ch, CAUSE_NORMAL_CLEARING, "fuzz");
	fuzz_run_deferred();
	mem_deref(answer);
	mem_deref(sdp);
	return 0;
}
