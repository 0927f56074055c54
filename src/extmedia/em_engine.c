/* em_engine.c — one external media channel's audio on the 20 ms tick, the
 * same for every encapsulation (WebSocket, AudioSocket).
 *
 * From the peer: whatever it sends goes into a byte queue (em_queue.c) and
 * comes out one frame per tick into the channel's receive side, so a bot
 * may send a whole sentence at once and the call still hears it in real
 * time. The shared tick runs late periods when the loop was late, so a late
 * wake-up costs no frame and builds no lasting delay (Asterisk's per-channel
 * timer lost them: #2115). A partial frame waits for the rest; when no data
 * came for a whole tick it is played padded, so a sentence's tail is never
 * stuck (#2006). Marks fall due on the tick after the audio before them was
 * played and are announced before the next frame is taken.
 *
 * To the peer: the frame the channel hears, converted to the peer's format,
 * on ticks that carry audio. Sending never waits: what the socket cannot
 * take beyond em_conf.tx_queue_ms of audio is dropped and counted, and a
 * peer that reads nothing for em_conf.stuck_hangup seconds is hung up
 * (Asterisk blocked the channel and its bridge: #2140). */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <string.h>
#include <re_types.h>
#include <re_fmt.h>
#include <re_mem.h>
#include <re_list.h>
#include <re_mbuf.h>
#include <re_tmr.h>
#include "base/log.h"
#include "core/channel.h"
#include "extmedia/em_int.h"
#include "media/media_chan.h"

/* The media state's handle on the engine: it holds the owner (the mem
 * object that embeds the engine) until the channel's media state goes. */
struct em_tp {
	struct em *e;       /* NULL once either side is gone */
	void *owner;        /* referenced */
};

static void tp_destructor(void *arg)
{
	struct em_tp *tp = arg;

	if (tp->e)
		tp->e->tp = NULL;
	mem_deref(tp->owner);
}

int em_init(struct em *e, struct channel *ch, const struct em_format *fmt,
	    const struct em_wire *wire, void *warg)
{
	int err;

	memset(e, 0, sizeof(*e));
	e->ch = ch;
	e->wire = wire;
	e->warg = warg;
	e->max_frames = em_conf.max_frames;
	err = em_conv_init(&e->conv, fmt);
	if (!err)
		err = em_queue_init(&e->q, fmt->frame);
	return err;
}

void em_close(struct em *e)
{
	if (e->tp) {
		e->tp->e = NULL;
		e->tp = NULL;
	}
	em_queue_close(&e->q);
	em_conv_close(&e->conv);
}

static void event(struct em *e, enum em_event ev, const char *arg, bool flag)
{
	if (e->wire->event)
		e->wire->event(e->warg, ev, arg, flag);
}

static void mark_done(struct em *e, struct em_mark *m, bool flushed)
{
	event(e, m->kind == EM_MARK ? EM_EV_MARK : EM_EV_BUFFERING_DONE,
	      m->id, flushed);
	mem_deref(m);
}

static void xon_check(struct em *e)
{
	if (e->xoff_sent && em_queue_frames(&e->q) < em_conf.xon) {
		e->xoff_sent = false;
		event(e, EM_EV_XON, NULL, false);
	}
}

/* Start of a tick: due marks, then this period's frame. */
static void tp_rx(void *arg, uint64_t now)
{
	struct em_tp *tp = arg;
	struct em *e = tp->e;
	struct media_chan *mc;
	struct em_mark *m;
	uint8_t b[EM_FRAME_MAX];
	size_t n;

	(void)now;
	if (!e)
		return;
	e->ticks++;
	while ((m = em_queue_due(&e->q)))
		mark_done(e, m, false);
	if (!e->paused && (n = em_queue_take(&e->q, b, !e->fresh))) {
		mc = media_chan_get(e->ch, false);
		if (mc && e->conv.fmt->codec != MEDIA_CODEC_NONE) {
			if (n < e->conv.fmt->frame)
				memset(b + n, e->conv.fmt->codec == MEDIA_PCMU ?
				       0xff : 0xd5, e->conv.fmt->frame - n);
			media_chan_rx_put_enc(mc, e->conv.fmt->codec, b,
					      EM_PCM8);
		}
		else if (mc) {
			int16_t pcm[EM_PCM8];

			em_conv_in(&e->conv, b, n, pcm);
			media_chan_rx_put(mc, pcm, EM_PCM8);
		}
		xon_check(e);
	}
	e->fresh = false;
	if (e->drained_req && em_queue_empty(&e->q)) {
		e->drained_req = false;
		event(e, EM_EV_DRAINED, NULL, false);
	}
}

/* One frame in the peer's format towards it, unless the peer lets audio
 * pile up: then it is dropped, and the peer hung up if it stays so. */
static void send_frame(struct em *e, const uint8_t *p, size_t n)
{
	size_t limit = (em_conf.tx_queue_ms / 20) * (n + 16);
	uint64_t now = tmr_jiffies();

	if (e->wire->queued && e->wire->queued(e->warg) > limit) {
		if (!e->tx_drops++ || !(e->tx_drops % 500))
			log_warning("%s: external media peer is not reading; "
				    "%llu frames dropped", channel_name(e->ch),
				    (unsigned long long)e->tx_drops);
		if (!e->stuck_since)
			e->stuck_since = now ? now : 1;
		return;
	}
	if (e->stuck_since && e->tx_drops > e->tx_drops_told) {
		/* The peer reads again: say what it missed in all. */
		log_notice("%s: external media peer is reading again; %llu "
			   "frames dropped in all", channel_name(e->ch),
			   (unsigned long long)e->tx_drops);
		e->tx_drops_told = e->tx_drops;
	}
	e->stuck_since = 0;
	if (e->wire->audio(e->warg, p, n) == ENOBUFS)
		e->tx_drops++;
	else
		e->tx_frames++;
}

static bool sends(const struct em *e)
{
	return e->dir != EM_DIR_OUT;
}

static void tp_tx(void *arg, const int16_t *pcm, size_t n)
{
	struct em_tp *tp = arg;
	struct em *e = tp->e;
	uint8_t b[EM_FRAME_MAX];

	if (!e || n != EM_PCM8 || !sends(e))
		return;
	em_conv_out(&e->conv, pcm, b);
	send_frame(e, b, e->conv.fmt->frame);
}

/* G.711 peers get a bridge peer's frame as it came, undecoded. */
static int tp_tx_codec(void *arg)
{
	struct em_tp *tp = arg;

	return tp->e && sends(tp->e) ? tp->e->conv.fmt->codec :
				       MEDIA_CODEC_NONE;
}

static void tp_tx_enc(void *arg, const uint8_t *enc, size_t n)
{
	struct em_tp *tp = arg;

	if (tp->e && sends(tp->e))
		send_frame(tp->e, enc, n);
}

static void tp_after(void *arg)
{
	struct em_tp *tp = arg;
	struct em *e = tp->e;

	if (!e || !e->stuck_since || !em_conf.stuck_hangup_s ||
	    tmr_jiffies() - e->stuck_since < em_conf.stuck_hangup_s * 1000ull)
		return;
	log_warning("%s: external media peer read nothing for %u s; hanging "
		    "up (%llu frames dropped)", channel_name(e->ch),
		    em_conf.stuck_hangup_s, (unsigned long long)e->tx_drops);
	e->stuck_since = 0;
	channel_hangup(e->ch, CAUSE_FAILURE, "extmedia");
}

static void tp_detach(void *arg)
{
	struct em_tp *tp = arg;

	if (tp->e) {
		tp->e->tp = NULL;
		tp->e = NULL;
	}
}

static const struct media_transport_ops em_ops = {
	.rx = tp_rx,
	.tx = tp_tx,
	.tx_codec = tp_tx_codec,
	.tx_enc = tp_tx_enc,
	.after = tp_after,
	.detach = tp_detach,
	.audio_only = true,
};

int em_attach(struct em *e, void *owner)
{
	struct media_chan *mc = media_chan_get(e->ch, true);
	struct em_tp *tp;

	if (!mc)
		return ENOMEM;
	tp = mem_zalloc(sizeof(*tp), tp_destructor);
	if (!tp)
		return ENOMEM;
	tp->e = e;
	tp->owner = mem_ref(owner);
	e->tp = tp;
	media_chan_set_transport(mc, &em_ops, tp);
	return 0;
}

void em_audio_in(struct em *e, const uint8_t *p, size_t n)
{
	if (!n || e->dir == EM_DIR_IN)
		return;
	/* A message is taken whole or not at all: nothing is half played.
	 * As Asterisk, it is refused when it comes to a queue already at the
	 * limit, however big it is (a whole spoken answer in one message is
	 * fine into a queue with room; what it may add is bounded by the
	 * largest WebSocket message, 4 MB). */
	if (em_queue_frames(&e->q) >= e->max_frames) {
		if (!e->rx_drops++ || !(e->rx_drops % 100))
			log_notice("%s: external media queue full (%u frames); "
				   "message dropped", channel_name(e->ch),
				   e->max_frames);
		event(e, EM_EV_ERROR, "Media queue full, message dropped",
		      false);
		return;
	}
	if (em_queue_put(&e->q, p, n)) {
		event(e, EM_EV_ERROR, "Out of memory, message dropped", false);
		return;
	}
	e->fresh = true;
	if (!e->xoff_sent && em_queue_frames(&e->q) >= em_conf.xoff) {
		e->xoff_sent = true;
		event(e, EM_EV_XOFF, NULL, false);
	}
}

void em_mark(struct em *e, enum em_mark_kind kind, const char *id)
{
	if (em_queue_mark(&e->q, kind, id))
		event(e, EM_EV_ERROR, "Out of memory, mark dropped", false);
}

void em_flush(struct em *e)
{
	struct list flushed = LIST_INIT;
	struct le *le;

	em_queue_flush(&e->q, &flushed);
	e->bulk = false;
	e->paused = false;
	while ((le = list_head(&flushed))) {
		list_unlink(le);
		mark_done(e, le->data, true);
	}
	xon_check(e);
}

size_t em_queue_length(const struct em *e)
{
	return em_queue_frames(&e->q);
}

int em_send_digit(struct em *e, char digit)
{
	char s[2] = {digit, '\0'};

	event(e, EM_EV_DTMF, s, false);
	return 0;
}

void em_socket_tune(struct em *e, int fd)
{
	int one = 1;
	int buf = (int)((em_conf.tx_queue_ms / 20) * e->conv.fmt->frame);

	if (fd < 0)
		return;
	/* Frames go out as they are made (Asterisk sets it too), and the
	 * kernel holds about as much audio as our own queue may: beyond
	 * that a peer that does not read is seen at once, and a stalled
	 * one gets no seconds of stale audio when it wakes. */
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (buf < 8192)
		buf = 8192;
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buf, sizeof(buf));
}

int em_dir_parse(const char *s, enum em_dir *d)
{
	if (!strcmp(s, "both"))
		*d = EM_DIR_BOTH;
	else if (!strcmp(s, "in"))
		*d = EM_DIR_IN;
	else if (!strcmp(s, "out"))
		*d = EM_DIR_OUT;
	else
		return EINVAL;
	return 0;
}
