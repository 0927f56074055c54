/* mix_test.h — what the unit tests of media_chan and the bridge engine
 * share: channels whose transport is a fake far end (no sockets), driven
 * tick by tick with media_chan_foreach_tick. The far end "says" a tone
 * (handed to the channel as G.711 or linear, as a session or a Local half
 * would) and measures what it is sent, at a few frequencies, with Goertzel.
 *
 * Header-only (static inline) because the Makefile builds each
 * tests/unit/test_*.c into its own binary; not a test itself. libre's
 * headers have no include guards: the test includes <re_types.h> and
 * <re_mem.h> before this file. */
#ifndef ARIADNE_TEST_MIX_TEST_H
#define ARIADNE_TEST_MIX_TEST_H

#include <math.h>
#include <stdbool.h>
#include <string.h>
#include "core/channel.h"
#include "media/media_int.h"
#include "media/media_chan.h"

#define FT_NFREQ 6
/* Bins of a 160-sample frame at 8 kHz are 50 Hz apart: each of these is a
 * whole number of cycles per frame, so they do not leak into each other. */
static const double ft_freqs[FT_NFREQ] = {500, 1000, 1500, 2000, 700, 2500};

/* A fake far end: says a tone, hears frames. */
struct ft {
	struct media_chan *mc;   /* weak: detach clears it */
	int codec;               /* MEDIA_CODEC_NONE: linear (as Local) */
	double say_hz;           /* 0: says nothing (no frame at all) */
	bool say_silence;        /* sends frames of silence */
	int16_t say_dc;          /* sends this constant (when no tone) */
	bool held;               /* the far end holds the call */
	unsigned n;              /* samples said so far */
	/* what it heard */
	unsigned frames, enc_frames;
	double power[FT_NFREQ];
	double energy;
	int16_t last[MEDIA_FRAME];
};

static inline double ft_goertzel(const int16_t *x, size_t n, double f)
{
	double w = 2 * M_PI * f / MEDIA_SRATE, c = 2 * cos(w);
	double s0, s1 = 0, s2 = 0;

	for (size_t i = 0; i < n; i++) {
		s0 = x[i] + c * s1 - s2;
		s2 = s1;
		s1 = s0;
	}
	return s1 * s1 + s2 * s2 - c * s1 * s2;
}

static inline void ft_rx(void *tp, uint64_t now)
{
	struct ft *f = tp;
	int16_t pcm[MEDIA_FRAME];
	uint8_t enc[MEDIA_FRAME];

	(void)now;
	if (!f->mc || (!f->say_hz && !f->say_silence && !f->say_dc))
		return;
	for (size_t i = 0; i < MEDIA_FRAME; i++, f->n++)
		pcm[i] = f->say_hz ? (int16_t)(8000.0 * sin(2 * M_PI * f->say_hz *
						     f->n / MEDIA_SRATE))
				   : f->say_dc;
	if (f->codec == MEDIA_CODEC_NONE) {
		media_chan_rx_put(f->mc, pcm, MEDIA_FRAME);
		return;
	}
	media_g711_encode(f->codec, pcm, MEDIA_FRAME, enc);
	media_chan_rx_put_enc(f->mc, f->codec, enc, MEDIA_FRAME);
}

static inline void ft_hear(struct ft *f, const int16_t *pcm)
{
	f->frames++;
	memcpy(f->last, pcm, sizeof(f->last));
	for (int i = 0; i < FT_NFREQ; i++)
		f->power[i] += ft_goertzel(pcm, MEDIA_FRAME, ft_freqs[i]);
	for (size_t i = 0; i < MEDIA_FRAME; i++)
		f->energy += (double)pcm[i] * pcm[i];
}

static inline void ft_tx(void *tp, const int16_t *pcm, size_t n)
{
	(void)n;
	ft_hear(tp, pcm);
}

static inline int ft_tx_codec(void *tp)
{
	return ((struct ft *)tp)->codec;
}

static inline void ft_tx_enc(void *tp, const uint8_t *enc, size_t n)
{
	struct ft *f = tp;
	int16_t pcm[MEDIA_FRAME];

	(void)n;
	f->enc_frames++;
	media_g711_decode(f->codec, enc, MEDIA_FRAME, pcm);
	ft_hear(f, pcm);
}

static inline bool ft_held(void *tp)
{
	return ((struct ft *)tp)->held;
}

static inline void ft_after(void *tp)
{
	(void)tp;
}

static inline void ft_detach(void *tp)
{
	((struct ft *)tp)->mc = NULL;
}

static const struct media_transport_ops ft_ops = {
	.rx = ft_rx, .tx = ft_tx, .tx_codec = ft_tx_codec, .tx_enc = ft_tx_enc,
	.held = ft_held, .after = ft_after, .detach = ft_detach,
};

static const struct channel_tech ft_tech = {
	.type = "MixTest",
	.description = "unit test channels with a fake far end",
};

/* A channel whose far end says `hz` in `codec`. The registry owns the
 * channel; the media state owns the fake (a reference is kept for *fp). */
static inline struct channel *ft_channel(const char *name, int codec,
					 double hz, struct ft **fp)
{
	struct channel *ch = NULL;
	struct ft *f;

	assert_int_equal(channel_alloc(&ch, &ft_tech, NULL, NULL, NULL,
				       "MixTest/%s", name), 0);
	f = mem_zalloc(sizeof(*f), NULL);
	assert_non_null(f);
	f->codec = codec;
	f->say_hz = hz;
	f->mc = media_chan_get(ch, true);
	assert_non_null(f->mc);
	media_chan_set_transport(f->mc, &ft_ops, mem_ref(f));
	*fp = f;
	return ch;
}

/* Hang the channel up and let go of its fake far end. */
static inline void ft_drop(struct channel *ch, struct ft *f)
{
	channel_hangup(ch, CAUSE_NORMAL_CLEARING, "test");
	mem_deref(f);
}

static inline void ft_reset(struct ft *f)
{
	f->frames = f->enc_frames = 0;
	f->energy = 0;
	memset(f->power, 0, sizeof(f->power));
}

/* Mean power per sample of what it heard (0: silence). */
static inline double ft_energy(const struct ft *f)
{
	return f->frames ? f->energy / (f->frames * MEDIA_FRAME) : 0;
}

/* Mean Goertzel power per frame at ft_freqs[i]. A full-scale 8000 tone
 * gives about 4e11; G.711's noise floor stays under 1e8. */
static inline double ft_level(const struct ft *f, double hz)
{
	for (int i = 0; i < FT_NFREQ; i++)
		if (ft_freqs[i] == hz)
			return f->frames ? f->power[i] / f->frames : 0;
	return -1;
}

#define FT_HEARS(f, hz) (ft_level((f), (hz)) > 1e10)
#define FT_DEAF_TO(f, hz) (ft_level((f), (hz)) < 1e9)

/* A generator saying a tone, as a playback on a media state. */
struct tgen {
	struct media_gen gen;
	double hz;
	unsigned n;
	bool done, hangup;
};

static inline bool tgen_read(struct media_gen *g, int16_t *pcm, size_t n)
{
	struct tgen *t = g->arg;

	for (size_t i = 0; i < n; i++, t->n++)
		pcm[i] = (int16_t)(8000.0 *
				   sin(2 * M_PI * t->hz * t->n / MEDIA_SRATE));
	return true;
}

static inline void tgen_done(struct media_gen *g, bool hangup)
{
	struct tgen *t = g->arg;

	t->done = true;
	t->hangup = hangup;
}

static inline void tgen_init(struct tgen *t, double hz)
{
	memset(t, 0, sizeof(*t));
	t->hz = hz;
	t->gen.read = tgen_read;
	t->gen.done = tgen_done;
	t->gen.arg = t;
}

static uint64_t ft_now = 1000;

/* Run `n` ticks of every channel's media. */
static inline void ft_ticks(unsigned n)
{
	while (n--) {
		ft_now += MEDIA_PTIME;
		media_chan_foreach_tick(ft_now);
	}
}

#endif
