/* dtmf.c — RFC 4733 telephone-events of a media session: digits received
 * (each reported once, when it ends — also when its end packets were lost)
 * and digits sent (start packet with the marker bit, one update per tick,
 * three end packets). Works on struct media_dtmf alone: the session hands
 * in the packets, the clock and a sender, and reports the digits to the
 * channel. SIP INFO DTMF is the sip module's; in-band tones are not
 * generated here. */
#include <errno.h>
#include <stdint.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stddef.h>
#include <string.h>
#include <re_types.h>
#include <re_sa.h>
#include <re_mbuf.h>
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

static void rx_end(struct media_dtmf *t)
{
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

void media_dtmf_recv(struct media_dtmf *t, uint32_t ts, struct mbuf *mb,
		     uint64_t now)
{
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
	if (t->rx_active && ts != t->rx_ts)
		rx_end(t); /* the previous digit's end was lost */
	if (!t->rx_active) {
		if (t->rx_ended_valid && ts == t->rx_ended_ts)
			return; /* a repeated end packet */
		t->rx_active = true;
		t->rx_event = ev;
		t->rx_ts = ts;
		t->rx_start_ms = now;
		t->rx_dur = 0;
	}
	t->rx_last_ms = now;
	if (dur > t->rx_dur)
		t->rx_dur = dur;
	if (end)
		rx_end(t);
}

void media_dtmf_rx_timeout(struct media_dtmf *t, uint64_t now,
			   const char *name)
{
	if (t->rx_active && now - t->rx_last_ms >= DTMF_RX_TIMEOUT_MS) {
		log_debug(1, "%s: DTMF '%c' end packet lost, ending it", name,
			  event_digit(t->rx_event));
		rx_end(t);
	}
}

unsigned media_dtmf_take(struct media_dtmf *t, struct media_dtmf_digit *out,
			 unsigned max)
{
	unsigned n = t->rxq_n < max ? t->rxq_n : max;

	memcpy(out, t->rxq, n * sizeof(*out));
	t->rxq_n = 0;
	return n;
}

int media_dtmf_queue(struct media_dtmf *t, char digit, int duration_ms,
		     bool negotiated)
{
	int ev = digit_event(digit);

	if (ev < 0)
		return EINVAL;
	if (!negotiated)
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

static void send_event(struct media_dtmf *t, bool marker, bool end,
		       media_dtmf_send_h *sendh, void *arg)
{
	uint8_t p[4];

	p[0] = t->tx_event;
	p[1] = (uint8_t)((end ? 0x80 : 0) | 10); /* volume -10 dBm0 */
	p[2] = (uint8_t)(t->tx_elapsed >> 8);
	p[3] = (uint8_t)t->tx_elapsed;
	sendh(marker, t->tx_ts, p, sizeof(p), arg);
}

bool media_dtmf_tick(struct media_dtmf *t, uint32_t ts, bool can_send,
		     media_dtmf_send_h *sendh, void *arg)
{
	bool start = false;

	if (!t->tx_active) {
		if (!t->txq_n)
			return false;
		t->tx_active = true;
		t->tx_event = (uint8_t)t->txq[t->txq_head].digit;
		t->tx_total = t->txq[t->txq_head].ms * (MEDIA_SRATE / 1000);
		t->txq_head = (t->txq_head + 1) % MEDIA_DTMF_TXQ;
		t->txq_n--;
		/* The event starts where this tick's audio would have. */
		t->tx_ts = ts;
		t->tx_elapsed = 0;
		start = true;
	}
	t->tx_elapsed += MEDIA_FRAME;
	if (!can_send) {
		/* Renegotiated away mid-digit: drop it quietly. */
		t->tx_active = false;
		return false;
	}
	if (t->tx_elapsed < t->tx_total) {
		send_event(t, start, false, sendh, arg);
		return true;
	}
	/* Last tick of the digit: its duration is final. */
	for (int i = 0; i < DTMF_END_REPEAT; i++)
		send_event(t, start && i == 0, true, sendh, arg);
	t->tx_active = false;
	return true;
}
