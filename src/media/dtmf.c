/* dtmf.c — RFC 4733 telephone-events on a media session: digits received
 * (each reported once, when it ends — also when its end packets were lost)
 * and digits sent (start packet with the marker bit, one update per tick,
 * three end packets). SIP INFO DTMF is the sip module's; in-band tones are
 * not generated here. */
#include <errno.h>
#include <stdint.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stddef.h>
#include <string.h>
#include <re_types.h>
#include <re_sa.h>
#include <re_mem.h>
#include <re_mbuf.h>
#include <re_rtp.h>
#include "core/channel.h"
#include "base/log.h"
#include "media/session_int.h"

/* A digit whose end never arrives ends this long after its last packet.
 * Senders refresh a held digit every 50 ms or so (RFC 4733 2.5.1.2). */
#define DTMF_RX_TIMEOUT_MS 1000
/* RFC 4733 2.5.1.4: the end packet is sent three times. */
#define DTMF_END_REPEAT 3
#define DTMF_MIN_MS 40
/* Asterisk's core never reports a digit shorter than AST_MIN_DTMF_DURATION
 * (80 ms); a digit seen as one packet before the next began would
 * otherwise come out as 0 ms. */
#define DTMF_MIN_REPORT_MS 80
#define DTMF_MAX_MS 8000     /* the duration field is 16 bits of 1/8 ms */

static const char events[] = "0123456789*#ABCD";

static char event_digit(uint8_t ev)
{
	return ev < 16 ? events[ev] : 0;
}

static int digit_event(char d)
{
	if (d >= 'a' && d <= 'd')
		d = (char)(d - 'a' + 'A');
	for (int i = 0; i < 16; i++)
		if (events[i] == d)
			return i;
	return -1;
}

static void rx_end(struct media_session *ms)
{
	struct media_dtmf *t = &ms->dtmf;
	unsigned ms_field = t->rx_dur / (MEDIA_SRATE / 1000);
	unsigned ms_wall = (unsigned)(t->rx_last_ms - t->rx_start_ms);
	unsigned dur = ms_field > ms_wall ? ms_field : ms_wall;

	if (dur < DTMF_MIN_REPORT_MS)
		dur = DTMF_MIN_REPORT_MS;

	t->rx_active = false;
	t->rx_ended_valid = true;
	t->rx_ended_ts = t->rx_ts;
	if (t->rxq_n < MEDIA_DTMF_RXQ) {
		t->rxq[t->rxq_n].digit = event_digit(t->rx_event);
		t->rxq[t->rxq_n].ms = dur;
		t->rxq_n++;
	}
}

void media_dtmf_recv(struct media_session *ms, const struct rtp_header *hdr,
		     struct mbuf *mb, uint64_t now)
{
	struct media_dtmf *t = &ms->dtmf;
	const uint8_t *p = mbuf_buf(mb);
	uint8_t ev;
	bool end;
	uint16_t dur;

	if (mbuf_get_left(mb) < 4)
		return;
	ev = p[0];
	end = (p[1] & 0x80) != 0;
	dur = (uint16_t)(p[2] << 8 | p[3]);
	if (!event_digit(ev))
		return; /* flash and tones: not digits */

	/* An event is identified by its timestamp (RFC 4733 2.5.2.1). */
	if (t->rx_active && hdr->ts != t->rx_ts)
		rx_end(ms); /* the previous digit's end was lost */
	if (!t->rx_active) {
		if (t->rx_ended_valid && hdr->ts == t->rx_ended_ts)
			return; /* a repeated end packet */
		t->rx_active = true;
		t->rx_event = ev;
		t->rx_ts = hdr->ts;
		t->rx_start_ms = now;
		t->rx_dur = 0;
	}
	t->rx_last_ms = now;
	if (dur > t->rx_dur)
		t->rx_dur = dur;
	if (end)
		rx_end(ms);
}

void media_dtmf_rx_timeout(struct media_session *ms, uint64_t now)
{
	struct media_dtmf *t = &ms->dtmf;

	if (t->rx_active && now - t->rx_last_ms >= DTMF_RX_TIMEOUT_MS) {
		log_debug(1, "%s: DTMF '%c' end packet lost, ending it",
			  ms->ch ? channel_name(ms->ch) : "?",
			  event_digit(t->rx_event));
		rx_end(ms);
	}
}

void media_dtmf_flush(struct media_session *ms)
{
	struct media_dtmf *t = &ms->dtmf;
	unsigned i, n = t->rxq_n;

	t->rxq_n = 0;
	for (i = 0; i < n && ms->ch; i++)
		channel_dtmf_received(ms->ch, t->rxq[i].digit, t->rxq[i].ms);
}

int media_dtmf_queue(struct media_session *ms, char digit, int duration_ms)
{
	struct media_dtmf *t = &ms->dtmf;
	int ev = digit_event(digit);

	if (ev < 0)
		return EINVAL;
	if (!ms->rfc4733 || ms->te_pt < 0)
		return ENOTSUP; /* the peer did not offer telephone-event */
	if (t->txq_n == MEDIA_DTMF_TXQ)
		return EBUSY;
	if (duration_ms < DTMF_MIN_MS)
		duration_ms = DTMF_MIN_MS;
	if (duration_ms > DTMF_MAX_MS)
		duration_ms = DTMF_MAX_MS;
	t->txq[(t->txq_head + t->txq_n) % MEDIA_DTMF_TXQ].digit =
		(char)ev; /* stored as the event code */
	t->txq[(t->txq_head + t->txq_n) % MEDIA_DTMF_TXQ].ms =
		(unsigned)duration_ms;
	t->txq_n++;
	return 0;
}

static void send_event(struct media_session *ms, bool marker, bool end)
{
	struct media_dtmf *t = &ms->dtmf;
	uint8_t p[4];

	p[0] = t->tx_event;
	p[1] = (uint8_t)((end ? 0x80 : 0) | 10); /* volume -10 dBm0 */
	p[2] = (uint8_t)(t->tx_elapsed >> 8);
	p[3] = (uint8_t)t->tx_elapsed;
	(void)media_session_send_raw(ms, marker, (uint8_t)ms->te_pt, t->tx_ts,
				     p, sizeof(p));
}

/* Called once per tick by the session's frame sender, after ms->ts advanced
 * past this tick's frame. */
bool media_dtmf_tick(struct media_session *ms, uint64_t now)
{
	struct media_dtmf *t = &ms->dtmf;
	bool start = false;

	(void)now;
	if (!t->tx_active) {
		if (!t->txq_n)
			return false;
		t->tx_active = true;
		t->tx_event = (uint8_t)t->txq[t->txq_head].digit;
		t->tx_total = t->txq[t->txq_head].ms * (MEDIA_SRATE / 1000);
		t->txq_head = (t->txq_head + 1) % MEDIA_DTMF_TXQ;
		t->txq_n--;
		/* The event starts where this tick's audio would have. */
		t->tx_ts = ms->ts - MEDIA_FRAME;
		t->tx_elapsed = 0;
		start = true;
	}
	t->tx_elapsed += MEDIA_FRAME;
	if (ms->te_pt < 0 || !ms->can_send) {
		/* Renegotiated away mid-digit: drop it quietly. */
		t->tx_active = false;
		return false;
	}
	if (t->tx_elapsed < t->tx_total) {
		send_event(ms, start, false);
		return true;
	}
	/* Last tick of the digit: its duration is final. */
	for (int i = 0; i < DTMF_END_REPEAT; i++)
		send_event(ms, start && i == 0, true);
	t->tx_active = false;
	/* The audio after an event starts a new talkspurt. */
	ms->marker = true;
	return true;
}
