/* em_format.c — the audio formats an external media peer may speak, and
 * the conversion of one channel's audio between that format and the 8 kHz
 * signed linear frames the rest of ariadne mixes (docs/ARCHITECTURE.md,
 * "The loop and the media tick"). G.711 goes through the media module's
 * tables; 16 kHz linear through librem's resampler (a FIR filter and a
 * factor of two each way), never through a hand-written one. */
#include <errno.h>
#include <string.h>
#include <re_types.h>
#include <re_list.h>
#include <re_mbuf.h>
#include <rem_fir.h>
#include <rem_auresamp.h>
#include "extmedia/em_int.h"
#include "extmedia/extmedia.h"
#include "media/media_chan.h"

static const struct em_format formats[] = {
	{"ulaw",   8000,  160, MEDIA_PCMU,       0x10, "audio/x-mulaw"},
	{"alaw",   8000,  160, MEDIA_PCMA,       0x10, "audio/x-alaw"},
	{"slin",   8000,  320, MEDIA_CODEC_NONE, 0x10, NULL},
	{"slin16", 16000, 640, MEDIA_CODEC_NONE, 0x12, NULL},
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

int em_conv_init(struct em_conv *c, const struct em_format *fmt)
{
	int err = 0;

	memset(c, 0, sizeof(*c));
	c->fmt = fmt;
	auresamp_init(&c->down);
	auresamp_init(&c->up);
	if (fmt->rate != MEDIA_SRATE) {
		err = auresamp_setup(&c->down, fmt->rate, 1, MEDIA_SRATE, 1);
		if (!err)
			err = auresamp_setup(&c->up, MEDIA_SRATE, 1, fmt->rate, 1);
	}
	return err;
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

void em_conv_in(struct em_conv *c, const uint8_t *b, size_t n,
		int16_t pcm[EM_PCM8])
{
	const struct em_format *f = c->fmt;
	uint8_t whole[640];
	int16_t wide[320], narrow[320];
	size_t outc;

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
	/* librem filters the whole input into the output buffer before it
	 * decimates: the buffer must hold the input's length. */
	le_to_pcm(b, f->frame / 2, wide);
	outc = sizeof(narrow) / sizeof(narrow[0]);
	if (auresamp(&c->down, narrow, &outc, wide, f->frame / 2) ||
	    outc != EM_PCM8) {
		memset(pcm, 0, EM_PCM8 * sizeof(*pcm));
		return;
	}
	memcpy(pcm, narrow, EM_PCM8 * sizeof(*pcm));
}

void em_conv_out(struct em_conv *c, const int16_t pcm[EM_PCM8], uint8_t *out)
{
	const struct em_format *f = c->fmt;
	int16_t wide[320];
	size_t outc = f->frame / 2;

	if (f->codec != MEDIA_CODEC_NONE) {
		media_g711_encode(f->codec, pcm, EM_PCM8, out);
		return;
	}
	if (f->rate == MEDIA_SRATE) {
		pcm_to_le(pcm, EM_PCM8, out);
		return;
	}
	if (auresamp(&c->up, wide, &outc, pcm, EM_PCM8) ||
	    outc != f->frame / 2)
		memset(wide, 0, sizeof(wide));
	pcm_to_le(wide, f->frame / 2, out);
}


size_t extmedia_frame_size(const char *format)
{
	const struct em_format *f = em_format_find(format);

	return f ? f->frame : 0;
}
