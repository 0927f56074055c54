/* media_chan.c — the per-channel media state (struct media_chan), kept on
 * the channel with channel_set_media() and freed by a hangup hook: the
 * generator stack that makes the outgoing audio, the last frames received,
 * the taps that watch (or add to) both directions, and the transport (an
 * RTP session) that carries them. Each tick runs every channel's state in
 * two passes (media_chan_foreach_tick, called by tick.c): first every
 * channel receives, then every channel sends, so that whatever mixes
 * channels (bridges) sees this tick's audio of all of them.
 * Between the passes the mixer (bridges) runs.
 *
 * Received frames stay G.711 until someone asks for the linear audio
 * (media_frame_pcm): a frame relayed by a two-party bridge to a channel
 * with the same codec is never decoded nor encoded.
 * Depends on nothing else in src/media: the RTP side (session.c) and what
 * makes audio (player.c, moh.c, apps_rtp.c, bridge.c) sit above it and call
 * it. */
#include <errno.h>
#include <stdint.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stddef.h>
#include <string.h>
#include <re_types.h>
#include <re_mem.h>
#include <re_list.h>
#include <rem_g711.h>
#include "core/channel.h"
#include "media/media_chan.h"

#define RXQ_FRAMES 3  /* 60 ms: a consumer that skips a tick loses nothing */

struct media_chan {
	struct le le;              /* in `chans`, walked by the tick */
	struct channel *ch;        /* weak: our hangup hook detaches us first */
	struct media_gen *top;     /* generator stack; owners own the gens */
	const struct media_transport_ops *tops;
	void *tp;                  /* owned: the transport (an RTP session) */
	bool dead;
	bool bare;                 /* no channel: media_chan_alloc_bare */
	struct media_frame rxq[RXQ_FRAMES];
	unsigned rx_head, rx_n;
	struct media_frame rx_now;   /* this tick's frame from the channel */
	bool rx_have;                /* false: nothing came (rx_now silent) */
	uint64_t rx_decodes;
	struct media_tap *taps;      /* in the order added */
};

static struct list chans;
static void (*mixer)(void);
/* The tick's snapshot of `chans` (media_chan_foreach_tick). */
static struct media_snap snap;

static void on_hangup(struct channel *ch);
static const struct channel_hooks media_hooks = {.hangup = on_hangup};

/* ---- frames ---- */

void media_g711_decode(int codec, const uint8_t *in, size_t n, int16_t *out)
{
	if (codec == MEDIA_PCMA) {
		for (size_t i = 0; i < n; i++)
			out[i] = g711_alaw2pcm(in[i]);
	}
	else {
		for (size_t i = 0; i < n; i++)
			out[i] = g711_ulaw2pcm(in[i]);
	}
}

/* libre's encoders negate the sample: -32768 has no positive twin in an
 * int16_t, so mu-law turned it into its code for 0 and A-law read before
 * its table. A saturated mix or a loud bot is full of such samples: they
 * are sent as -32767, the same code as Asterisk's table gives them. */
static inline int16_t g711_in(int16_t s)
{
	return s == INT16_MIN ? -INT16_MAX : s;
}

void media_g711_encode(int codec, const int16_t *in, size_t n, uint8_t *out)
{
	if (codec == MEDIA_PCMA) {
		for (size_t i = 0; i < n; i++)
			out[i] = g711_pcm2alaw(g711_in(in[i]));
	}
	else {
		for (size_t i = 0; i < n; i++)
			out[i] = g711_pcm2ulaw(g711_in(in[i]));
	}
}

void media_frame_silence(struct media_frame *f)
{
	memset(f->pcm, 0, sizeof(f->pcm));
	f->pcm_ok = true;
	f->codec = MEDIA_CODEC_NONE;
}

void media_frame_set_pcm(struct media_frame *f, const int16_t *pcm, size_t n)
{
	if (n > MEDIA_FRAME)
		n = MEDIA_FRAME;
	memcpy(f->pcm, pcm, n * sizeof(*pcm));
	if (n < MEDIA_FRAME)
		memset(f->pcm + n, 0, (MEDIA_FRAME - n) * sizeof(*pcm));
	f->pcm_ok = true;
	f->codec = MEDIA_CODEC_NONE;
}

void media_frame_set_enc(struct media_frame *f, int codec,
			 const uint8_t *enc, size_t n)
{
	if (codec != MEDIA_PCMU && codec != MEDIA_PCMA) {
		media_frame_silence(f);
		return;
	}
	if (n > MEDIA_FRAME)
		n = MEDIA_FRAME;
	memcpy(f->enc, enc, n);
	/* G.711 silence: the encoding of linear 0 */
	if (n < MEDIA_FRAME)
		memset(f->enc + n, codec == MEDIA_PCMA ? 0xd5 : 0xff,
		       MEDIA_FRAME - n);
	f->codec = codec;
	f->pcm_ok = false;
}

const int16_t *media_frame_pcm(struct media_frame *f)
{
	if (!f->pcm_ok) {
		media_g711_decode(f->codec, f->enc, MEDIA_FRAME, f->pcm);
		f->pcm_ok = true;
	}
	return f->pcm;
}

const uint8_t *media_frame_enc(const struct media_frame *f, int codec)
{
	return codec != MEDIA_CODEC_NONE && f->codec == codec ? f->enc : NULL;
}

void media_frame_drop_enc(struct media_frame *f)
{
	(void)media_frame_pcm(f);
	f->codec = MEDIA_CODEC_NONE;
}

/* ---- the state of one channel ---- */

static void chan_destructor(void *arg)
{
	struct media_chan *mc = arg;

	list_unlink(&mc->le);
	mc->tp = mem_deref(mc->tp);
}

struct media_chan *media_chan_get(struct channel *ch, bool create)
{
	struct media_chan *mc;

	if (!ch)
		return NULL;
	mc = channel_media(ch);
	if (mc || !create || channel_is_hungup(ch))
		return mc;
	mc = mem_zalloc(sizeof(*mc), chan_destructor);
	if (!mc)
		return NULL;
	mc->ch = ch;
	list_append(&chans, &mc->le, mc);
	channel_set_media(ch, mc);
	return mc;
}

struct channel *media_chan_channel(const struct media_chan *mc)
{
	return mc && !mc->dead ? mc->ch : NULL;
}

bool media_chan_alive(const struct media_chan *mc)
{
	return mc && !mc->dead;
}

struct media_chan *media_chan_alloc_bare(void)
{
	struct media_chan *mc = mem_zalloc(sizeof(*mc), chan_destructor);

	if (mc)
		mc->bare = true;
	return mc;
}

void media_chan_gen_push(struct media_chan *mc, struct media_gen *g)
{
	if (!mc || !g)
		return;
	if (mc->dead) {
		/* Too late to play: the owner still gets its one done(). */
		if (g->done)
			g->done(g, true);
		return;
	}
	g->below = mc->top;
	mc->top = g;
}

void media_chan_gen_push_bottom(struct media_chan *mc, struct media_gen *g)
{
	struct media_gen **pp;

	if (!mc || !g)
		return;
	if (mc->dead) {
		if (g->done)
			g->done(g, true);
		return;
	}
	for (pp = &mc->top; *pp; pp = &(*pp)->below)
		;
	g->below = NULL;
	*pp = g;
}

struct media_gen *media_chan_gen_top(const struct media_chan *mc)
{
	return mc && !mc->dead ? mc->top : NULL;
}

static bool unlink_gen(struct media_chan *mc, struct media_gen *g)
{
	struct media_gen **pp;

	for (pp = &mc->top; *pp; pp = &(*pp)->below) {
		if (*pp == g) {
			*pp = g->below;
			g->below = NULL;
			return true;
		}
	}
	return false;
}

void media_chan_gen_remove(struct media_chan *mc, struct media_gen *g)
{
	if (!mc || !g || !unlink_gen(mc, g))
		return;
	if (g->done)
		g->done(g, false);
}

void media_chan_set_transport(struct media_chan *mc,
			      const struct media_transport_ops *ops, void *tp)
{
	if (!mc || mc->tp == tp)
		return;
	if (mc->tp)
		mc->tops->detach(mc->tp);
	mem_deref(mc->tp);
	mc->tops = ops;
	mc->tp = tp;
}

struct media_frame *media_chan_rx_media_frame(struct media_chan *mc)
{
	return mc && mc->rx_have && !mc->dead ? &mc->rx_now : NULL;
}

const int16_t *media_chan_rx_frame(struct media_chan *mc)
{
	struct media_frame *f = media_chan_rx_media_frame(mc);

	if (!f)
		return NULL;
	if (!f->pcm_ok)
		mc->rx_decodes++;
	return media_frame_pcm(f);
}

bool media_chan_rx(struct media_chan *mc, int16_t *pcm, size_t n)
{
	const int16_t *f = media_chan_rx_frame(mc);

	if (!f)
		return false;
	if (n > MEDIA_FRAME)
		n = MEDIA_FRAME;
	memcpy(pcm, f, n * sizeof(*pcm));
	return true;
}

uint64_t media_chan_rx_decodes(const struct media_chan *mc)
{
	return mc ? mc->rx_decodes : 0;
}

bool media_chan_held(const struct media_chan *mc)
{
	return mc && mc->tp && mc->tops->held && mc->tops->held(mc->tp);
}

int media_chan_codec(const struct media_chan *mc)
{
	return mc && mc->tp && mc->tops->tx_codec ? mc->tops->tx_codec(mc->tp)
						  : MEDIA_CODEC_NONE;
}

/* ---- taps ---- */

void media_chan_tap_add(struct media_chan *mc, struct media_tap *t)
{
	struct media_tap **pp;

	if (!t)
		return;
	/* No state (media_chan_get of a hung-up channel) or a dead one. */
	if (!mc || mc->dead) {
		if (t->done)
			t->done(t, true);
		return;
	}
	for (pp = &mc->taps; *pp; pp = &(*pp)->next)
		;
	t->next = NULL;
	*pp = t;
}

static bool unlink_tap(struct media_chan *mc, struct media_tap *t)
{
	for (struct media_tap **pp = &mc->taps; *pp; pp = &(*pp)->next) {
		if (*pp == t) {
			*pp = t->next;
			t->next = NULL;
			return true;
		}
	}
	return false;
}

void media_chan_tap_remove(struct media_chan *mc, struct media_tap *t)
{
	if (!mc || !t || !unlink_tap(mc, t))
		return;
	if (t->done)
		t->done(t, false);
}

bool media_chan_has_taps(const struct media_chan *mc)
{
	return mc && mc->taps;
}

static bool tap_present(const struct media_chan *mc, const struct media_tap *t)
{
	for (const struct media_tap *x = mc->taps; x; x = x->next) {
		if (x == t)
			return true;
	}
	return false;
}

/* A tap may remove itself from its frame handler (the walk then goes on
 * from the tap after it, read before the call); removing another tap from
 * a handler ends this tick's walk early rather than touch a freed tap. */
static void run_taps(struct media_chan *mc, enum media_tap_dir dir,
		     int16_t *pcm)
{
	struct media_tap *t = mc->taps;

	while (t && !mc->dead) {
		struct media_tap *next = t->next;

		if (t->dirs & (1u << dir))
			t->frame(t, dir, pcm, MEDIA_FRAME);
		if (next && !tap_present(mc, next))
			return;
		t = next;
	}
}

void media_chan_tap_run(struct media_chan *mc, enum media_tap_dir dir,
			int16_t *pcm)
{
	if (mc && mc->taps)
		run_taps(mc, dir, pcm);
}

/* Which taps look at `dir`: any (*any), and whether one may write. */
static void taps_of(const struct media_chan *mc, enum media_tap_dir dir,
		    bool *any, bool *writes)
{
	*any = *writes = false;
	for (const struct media_tap *t = mc->taps; t; t = t->next) {
		if (!(t->dirs & (1u << dir)))
			continue;
		*any = true;
		if (!t->watch_only)
			*writes = true;
	}
}

/* The next slot of the receive queue (the oldest is dropped when nobody
 * reads: keep the newest audio); NULL when nothing should be queued. */
static struct media_frame *rxq_slot(struct media_chan *mc)
{
	struct media_frame *f;

	if (!mc || mc->dead)
		return NULL;
	if (mc->rx_n == RXQ_FRAMES) {
		mc->rx_head = (mc->rx_head + 1) % RXQ_FRAMES;
		mc->rx_n--;
	}
	f = &mc->rxq[(mc->rx_head + mc->rx_n) % RXQ_FRAMES];
	mc->rx_n++;
	/* ARI mute "in": what the channel says is replaced by silence. */
	if (!mc->bare && channel_mute_in(mc->ch)) {
		media_frame_silence(f);
		return NULL;
	}
	return f;
}

void media_chan_rx_put(struct media_chan *mc, const int16_t *pcm, size_t n)
{
	struct media_frame *f = rxq_slot(mc);

	if (f)
		media_frame_set_pcm(f, pcm, n);
}

void media_chan_rx_put_enc(struct media_chan *mc, int codec,
			   const uint8_t *enc, size_t n)
{
	struct media_frame *f = rxq_slot(mc);

	if (f)
		media_frame_set_enc(f, codec, enc, n);
}

/* First pass of a tick: the transport hands over what it received; the
 * oldest waiting frame becomes this tick's frame, which the RX taps see
 * (and may add to: whisper; then the received payload is stale). */
static void chan_receive(struct media_chan *mc, uint64_t now)
{
	bool any, writes;

	if (mc->dead)
		return;
	if (mc->tp)
		mc->tops->rx(mc->tp, now);
	if (mc->dead)
		return;
	mc->rx_have = mc->rx_n > 0;
	if (mc->rx_have) {
		mc->rx_now = mc->rxq[mc->rx_head];
		mc->rx_head = (mc->rx_head + 1) % RXQ_FRAMES;
		mc->rx_n--;
	}
	else {
		media_frame_silence(&mc->rx_now);
	}
	if (!mc->taps)
		return;
	taps_of(mc, MEDIA_TAP_RX, &any, &writes);
	if (!any)
		return;
	if (!mc->rx_now.pcm_ok)
		mc->rx_decodes++;
	if (writes)
		media_frame_drop_enc(&mc->rx_now);
	else
		(void)media_frame_pcm(&mc->rx_now);
	run_taps(mc, MEDIA_TAP_RX, mc->rx_now.pcm);
}

/* The top generator plays unless it is paused (then silence, and those
 * below wait); a finished one is removed and the next one fills the same
 * tick so there is no gap between them. */
static bool chan_generate(struct media_chan *mc, int16_t *pcm)
{
	for (int guard = 0; guard < 8 && mc->top && !mc->dead; guard++) {
		struct media_gen *g = mc->top;

		if (g->paused)
			return false;
		if (g->read(g, pcm, MEDIA_FRAME))
			return !g->quiet;
		unlink_gen(mc, g);
		if (g->done)
			g->done(g, false);
	}
	return false;
}

bool media_chan_generate(struct media_chan *mc, int16_t *pcm)
{
	if (mc && chan_generate(mc, pcm))
		return true;
	memset(pcm, 0, MEDIA_FRAME * sizeof(*pcm));
	return false;
}

/* The fast path: the top generator hands over a frame already in the
 * transport's codec (a bridge relaying its peer), and nothing needs to
 * change it. Watching taps see it decoded. True when it went out. */
static bool chan_send_enc(struct media_chan *mc)
{
	struct media_gen *g = mc->top;
	uint8_t enc[MEDIA_FRAME];
	bool any, writes;
	int codec;

	if (!g || g->paused || !g->read_enc || !mc->tp || !mc->tops->tx_enc)
		return false;
	taps_of(mc, MEDIA_TAP_TX, &any, &writes);
	if (writes || channel_mute_out(mc->ch))
		return false;
	codec = mc->tops->tx_codec(mc->tp);
	if (codec == MEDIA_CODEC_NONE ||
	    !g->read_enc(g, codec, enc, MEDIA_FRAME))
		return false;
	if (any) {
		int16_t pcm[MEDIA_FRAME];

		media_g711_decode(codec, enc, MEDIA_FRAME, pcm);
		run_taps(mc, MEDIA_TAP_TX, pcm);
		if (mc->dead)
			return true;
	}
	mc->tops->tx_enc(mc->tp, enc, MEDIA_FRAME);
	return true;
}

/* Second pass: the frame the channel hears this tick, which the TX taps see
 * (and may add to), goes to the transport. */
static void chan_send(struct media_chan *mc)
{
	int16_t pcm[MEDIA_FRAME];
	bool have;

	if (mc->dead)
		return;
	if (chan_send_enc(mc)) {
		if (!mc->dead && mc->tp)
			mc->tops->after(mc->tp);
		return;
	}
	have = chan_generate(mc, pcm);
	if (mc->dead)
		return;
	/* ARI mute "out" drops what the channel would hear, as Asterisk's
	 * suppression of written voice frames: nothing is sent for it. */
	if (have && channel_mute_out(mc->ch))
		have = false;
	if (!have)
		memset(pcm, 0, sizeof(pcm));
	if (mc->taps) {
		bool any, writes;

		/* A tap that may add audio makes even silence worth sending. */
		taps_of(mc, MEDIA_TAP_TX, &any, &writes);
		have = have || writes;
		run_taps(mc, MEDIA_TAP_TX, pcm);
		if (mc->dead)
			return;
	}

	/* Without a transport (a Local half) only real audio goes to the
	 * technology: nothing playing is nothing written. */
	if (mc->tp) {
		if (have || !mc->tops->audio_only)
			mc->tops->tx(mc->tp, pcm, MEDIA_FRAME);
		else if (mc->tops->tx_idle)
			mc->tops->tx_idle(mc->tp);
	}
	else if (have)
		channel_write_audio(mc->ch, pcm, MEDIA_FRAME);

	/* Last: this may hang the channel up (RTP timeout, a DTMF subscriber). */
	if (mc->tp)
		mc->tops->after(mc->tp);
}

int media_snap_take(struct media_snap *s, const struct list *l, size_t *np)
{
	size_t n = 0;

	for (struct le *le = l->head; le; le = le->next) {
		if (n == s->cap) {
			size_t cap = s->cap * 2 + 16;
			void **v = mem_reallocarray(s->v, cap, sizeof(*v), NULL);

			if (!v) {
				while (n > 0)
					mem_deref(s->v[--n]);
				return ENOMEM;
			}
			s->v = v;
			s->cap = cap;
		}
		s->v[n++] = mem_ref(le->data);
	}
	*np = n;
	return 0;
}

void media_snap_free(struct media_snap *s)
{
	s->v = mem_deref(s->v);
	s->cap = 0;
}

/* Walk every channel's state for the tick: all receive, then all send. The
 * list can change under us (a generator's done() or a DTMF subscriber may
 * hang a channel up), so work on a referenced snapshot. */
void media_chan_foreach_tick(uint64_t now)
{
	size_t n, i;

	if (media_snap_take(&snap, &chans, &n))
		return;
	for (i = 0; i < n; i++)
		chan_receive(snap.v[i], now);
	if (mixer)
		mixer();
	for (i = 0; i < n; i++) {
		chan_send(snap.v[i]);
		mem_deref(snap.v[i]);
	}
}

void media_chan_set_mixer(void (*mix)(void))
{
	mixer = mix;
}

/* Generators and taps hear that the state is going (their owners publish
 * PlaybackFinished, finish recordings and free them). */
static void release_users(struct media_chan *mc)
{
	mc->dead = true;
	while (mc->top) {
		struct media_gen *g = mc->top;

		mc->top = g->below;
		g->below = NULL;
		if (g->done)
			g->done(g, true);
	}
	while (mc->taps) {
		struct media_tap *t = mc->taps;

		mc->taps = t->next;
		t->next = NULL;
		if (t->done)
			t->done(t, true);
	}
}

void media_chan_bare_close(struct media_chan *mc)
{
	if (!mc || !mc->bare)
		return;
	release_users(mc);
	mem_deref(mc);
}

/* Hangup hook: generators and taps hear about it first, then the transport
 * and state go. */
static void on_hangup(struct channel *ch)
{
	struct media_chan *mc = channel_media(ch);

	if (!mc)
		return;
	release_users(mc);
	channel_set_media(ch, NULL);
	list_unlink(&mc->le);
	if (mc->tp)
		mc->tops->detach(mc->tp);
	mc->tp = mem_deref(mc->tp);
	mem_deref(mc);
}

int media_chan_init(void)
{
	return channel_hooks_add(&media_hooks);
}

/* Channels are hung up before we close (main.c); anything left here
 * belongs to a channel that never hung up: detach it. */
void media_chan_close(void)
{
	while (chans.head) {
		struct media_chan *mc = chans.head->data;

		if (mc->ch)
			on_hangup(mc->ch);
		else
			mem_deref(mc);
	}
	media_snap_free(&snap);
}
