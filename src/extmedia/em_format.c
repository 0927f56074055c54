/* em_format.c — the audio formats an external media peer may speak, and
 * the conversion of one channel's audio between that format and the 8 kHz
 * signed linear frames the rest of ariadne mixes (docs/ARCHITECTURE.md,
 * "The loop and the media tick"). G.711 goes through the media module's
 * tables; 16 kHz linear through speexdsp's resampler, the one Asterisk's
 * codec_resample uses (librem's has a fixed filter made for 48 kHz that
 * cuts a 16 kHz signal above about 1.3 kHz), never a hand-written one. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <re_types.h>
#include <re_list.h>
#include <re_mbuf.h>
#include <speex/speex_resampler.h>
#include "extmedia/em_int.h"
#include "extmedia/extmedia.h"
#include "media/media_chan.h"

/* Asterisk's names; the linear ones up to 48 kHz (a voice bot's TTS or
 * speech-to-text often works at 24 kHz), each with its AudioSocket kind
 * (0x10 + Asterisk's slin rate index). */
static const struct em_format formats[] = {
	{"ulaw",   8000,  160,  MEDIA_PCMU,       0x10, "audio/x-mulaw"},
	{"alaw",   8000,  160,  MEDIA_PCMA,       0x10, "audio/x-alaw"},
	{"slin",   8000,  320,  MEDIA_CODEC_NONE, 0x10, NULL},
	{"slin12", 12000, 480,  MEDIA_CODEC_NONE, 0x11, NULL},
	{"slin16", 16000, 640,  MEDIA_CODEC_NONE, 0x12, NULL},
	{"slin24", 24000, 960,  MEDIA_CODEC_NONE, 0x13, NULL},
	{"slin32", 32000, 1280, MEDIA_CODEC_NONE, 0x14, NULL},
	{"slin44", 44100, 1764, MEDIA_CODEC_NONE, 0x15, NULL},
	{"slin48", 48000, 1920, MEDIA_CODEC_NONE, 0x16, NULL},
};

const struct em_format *em_format_find(const char *name)
{
	if (!name)
		return NULL;
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (!strcmp(formats[i].name, name))
			return &formats[i];
	return NULL;
}

/* Quality 3 of 10, speexdsp's VoIP setting: the band a call carries (up to
 * 3.4 kHz) stays flat, at about half the cost of 5 (the resampler was a
 * fifth of the CPU with 500 slin16 bots, bench/external_media.sh). */
enum { RESAMPLE_QUALITY = 3 };

int em_conv_init(struct em_conv *c, const struct em_format *fmt)
{
	int err = 0;

	memset(c, 0, sizeof(*c));
	c->fmt = fmt;
	if (fmt->rate == MEDIA_SRATE)
		return 0;
	c->down = speex_resampler_init(1, fmt->rate, MEDIA_SRATE,
				       RESAMPLE_QUALITY, &err);
	if (c->down)
		c->up = speex_resampler_init(1, MEDIA_SRATE, fmt->rate,
					     RESAMPLE_QUALITY, &err);
	if (!c->down || !c->up) {
		em_conv_close(c);
		return ENOMEM;
	}
	/* No latency-sized silence at the start: output follows input. */
	speex_resampler_skip_zeros(c->down);
	speex_resampler_skip_zeros(c->up);
	return 0;
}

void em_conv_close(struct em_conv *c)
{
	if (c->down)
		speex_resampler_destroy(c->down);
	if (c->up)
		speex_resampler_destroy(c->up);
	c->down = c->up = NULL;
}

/* Linear little-endian bytes to samples (the wire is LE; so is every host
 * ariadne runs on, but say so rather than assume). */
static void le_to_pcm(const uint8_t *b, size_t samples, int16_t *pcm)
{
	for (size_t i = 0; i < samples; i++)
		pcm[i] = (int16_t)(b[2 * i] | b[2 * i + 1] << 8);
}

static void pcm_to_le(const int16_t *pcm, size_t samples, uint8_t *b)
{
	for (size_t i = 0; i < samples; i++) {
		b[2 * i] = (uint8_t)((uint16_t)pcm[i] & 0xff);
		b[2 * i + 1] = (uint8_t)((uint16_t)pcm[i] >> 8);
	}
}

/* Exactly `outn` samples out for `inn` in: the resampler may hand out a
 * sample less or keep one back at a frame's edge; what it does not give
 * is the last sample repeated, what it keeps comes with the next frame. */
static void resample(SpeexResamplerState *st, const int16_t *in,
		     spx_uint32_t inn, int16_t *out, spx_uint32_t outn)
{
	spx_uint32_t ilen = inn, olen = outn;

	if (speex_resampler_process_int(st, 0, in, &ilen, out, &olen) ||
	    !olen) {
		memset(out, 0, outn * sizeof(*out));
		return;
	}
	for (spx_uint32_t i = olen; i < outn; i++)
		out[i] = out[olen - 1];
}

void em_conv_in(struct em_conv *c, const uint8_t *b, size_t n,
		int16_t pcm[EM_PCM8])
{
	const struct em_format *f = c->fmt;
	uint8_t whole[EM_FRAME_MAX];
	int16_t wide[EM_FRAME_MAX / 2];

	if (n > f->frame)
		n = f->frame;
	if (n < f->frame) {
		/* A last partial frame: pad with the format's silence. */
		memcpy(whole, b, n);
		memset(whole + n, f->codec == MEDIA_PCMU ? 0xff :
		       f->codec == MEDIA_PCMA ? 0xd5 : 0, f->frame - n);
		b = whole;
	}
	if (f->codec != MEDIA_CODEC_NONE) {
		media_g711_decode(f->codec, b, EM_PCM8, pcm);
		return;
	}
	if (f->rate == MEDIA_SRATE) {
		le_to_pcm(b, EM_PCM8, pcm);
		return;
	}
	le_to_pcm(b, f->frame / 2, wide);
	resample(c->down, wide, f->frame / 2, pcm, EM_PCM8);
}

void em_conv_out(struct em_conv *c, const int16_t pcm[EM_PCM8], uint8_t *out)
{
	const struct em_format *f = c->fmt;
	int16_t wide[EM_FRAME_MAX / 2];

	if (f->codec != MEDIA_CODEC_NONE) {
		media_g711_encode(f->codec, pcm, EM_PCM8, out);
		return;
	}
	if (f->rate == MEDIA_SRATE) {
		pcm_to_le(pcm, EM_PCM8, out);
		return;
	}
	resample(c->up, pcm, EM_PCM8, wide, f->frame / 2);
	pcm_to_le(wide, f->frame / 2, out);
}

/* ---- a peer's audio at another rate than its format's ---- */

int em_rerate(struct em_rerate *r, uint32_t from, uint32_t to,
	      const uint8_t *in, size_t n, uint8_t **outp, size_t *outn)
{
	spx_uint32_t ilen = (spx_uint32_t)(n / 2), olen;
	int16_t *pcm, *res;
	int err = 0;

	*outp = NULL;
	*outn = 0;
	em_rerate_done(r);
	if (!r->st || r->from != from || r->to != to) {
		em_rerate_close(r);
		r->st = speex_resampler_init(1, from, to, RESAMPLE_QUALITY,
					     &err);
		if (!r->st)
			return ENOMEM;
		speex_resampler_skip_zeros(r->st);
		r->from = from;
		r->to = to;
	}
	olen = (spx_uint32_t)((uint64_t)ilen * to / from + 16);
	/* One block: the samples in, the samples out, the bytes out. */
	pcm = malloc((ilen + 2 * (size_t)olen) * sizeof(*pcm));
	if (!pcm)
		return ENOMEM;
	res = pcm + ilen;
	le_to_pcm(in, ilen, pcm);
	if (speex_resampler_process_int(r->st, 0, pcm, &ilen, res, &olen)) {
		free(pcm);
		return EPROTO;
	}
	*outp = (uint8_t *)(res + olen);
	pcm_to_le(res, olen, *outp);
	*outn = olen * 2;
	r->buf = pcm;
	return 0;
}

void em_rerate_done(struct em_rerate *r)
{
	free(r->buf);
	r->buf = NULL;
}

void em_rerate_close(struct em_rerate *r)
{
	em_rerate_done(r);
	if (r->st)
		speex_resampler_destroy(r->st);
	r->st = NULL;
}

size_t extmedia_frame_size(const char *format)
{
	const struct em_format *f = em_format_find(format);

	return f ? f->frame : 0;
}
