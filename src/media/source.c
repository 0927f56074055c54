/* source.c — a media URI as a source of audio: parses sound:, digits:,
 * number:, characters:, tone:, recording: (a stored recording, found
 * through core/recording.h and read in the format it was written in) and
 * keeps the position for offsetms/skipms/restart. A source is read by a
 * generator (player.c, moh.c); it knows nothing of channels. */
#include <errno.h>
#include <stdint.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <re_types.h>
#include <re_fmt.h>
#include <re_mem.h>
#include <rem_g711.h>
#include "base/log.h"
#include "core/recording.h"
#include "media/playback_int.h"

#define SAY_MAX 2048

struct media_src {
	struct media_sound_pcm **clips;   /* referenced */
	size_t nclips;
	size_t clip, pos;           /* position: clip index, sample in it */
	bool loop;
	struct media_tone_state *tone;    /* instead of clips */
};

static void src_destructor(void *arg)
{
	struct media_src *src = arg;

	for (size_t i = 0; i < src->nclips; i++)
		mem_deref(src->clips[i]);
	mem_deref(src->clips);
	mem_deref(src->tone);
}

int media_src_open_files(struct media_src **srcp, const char *const *paths,
			 size_t n, bool loop)
{
	struct media_src *src;
	size_t total = 0;
	int err = 0;

	src = mem_zalloc(sizeof(*src), src_destructor);
	if (!src)
		return ENOMEM;
	src->clips = mem_zalloc((n ? n : 1) * sizeof(*src->clips), NULL);
	if (!src->clips)
		err = ENOMEM;
	for (size_t i = 0; !err && i < n; i++) {
		err = media_sound_pcm_load(&src->clips[i], paths[i]);
		if (!err)
			total += src->clips[src->nclips++]->n;
	}
	/* A looping source of nothing would spin the tick. */
	if (!err && loop && !total)
		err = ENOENT;
	if (err) {
		mem_deref(src);
		return err;
	}
	src->loop = loop;
	*srcp = src;
	return 0;
}

/* '&'-joined prompt names → one source, each resolved in `lang`. */
static int open_names(struct media_src **srcp, char *names, const char *lang)
{
	const char *paths[64];
	char (*buf)[512];
	size_t n = 0;
	int err = 0;

	buf = mem_alloc(sizeof(*buf) * 64, NULL);
	if (!buf)
		return ENOMEM;
	for (char *save = NULL, *name = strtok_r(names, "&", &save);
	     name && !err; name = strtok_r(NULL, "&", &save)) {
		if (n == 64) {
			err = E2BIG;
			break;
		}
		err = media_sound_resolve(buf[n], sizeof(buf[n]), name, lang);
		if (err)
			log_warning("File %s does not exist in any format",
				    name);
		else
			paths[n] = buf[n], n++;
	}
	if (!err)
		err = media_src_open_files(srcp, paths, n, false);
	mem_deref(buf);
	return err;
}

static int open_tone(struct media_src **srcp, const char *spec)
{
	char name[256], *zone;
	const char *tone;
	struct media_tone_prog *prog = NULL;
	struct media_src *src;
	int err;

	/* tone:<name or indication>[;tonezone=<zone>] */
	snprintf(name, sizeof(name), "%s", spec);
	zone = strchr(name, ';');
	if (zone) {
		*zone++ = '\0';
		zone = strncmp(zone, "tonezone=", 9) ? NULL : zone + 9;
	}
	tone = media_tone_lookup(name, zone);
	err = media_tone_prog_parse(&prog, tone ? tone : name);
	if (err) {
		log_warning("Invalid tone '%s'", spec);
		return err;
	}
	src = mem_zalloc(sizeof(*src), src_destructor);
	if (!src) {
		mem_deref(prog);
		return ENOMEM;
	}
	err = media_tone_state_alloc(&src->tone, prog);
	mem_deref(prog);
	if (err) {
		mem_deref(src);
		return err;
	}
	*srcp = src;
	return 0;
}

static void raw_destructor(void *arg)
{
	struct media_sound_pcm *pcm = arg;

	mem_deref(pcm->s);
	mem_deref(pcm->path);
}

/* Raw G.711 or linear bytes → the linear clip of one source. The clip is
 * not cached: recordings change, prompts do not. */
static int open_raw(struct media_src **srcp, const char *fmt,
		    const uint8_t *b, size_t len, const char *file)
{
	struct media_sound_pcm *pcm;
	struct media_src *src;
	size_t n = !strcmp(fmt, "sln") ? len / 2 : len;

	pcm = mem_zalloc(sizeof(*pcm), raw_destructor);
	src = mem_zalloc(sizeof(*src), src_destructor);
	if (pcm)
		pcm->s = mem_alloc((n ? n : 1) * sizeof(*pcm->s), NULL);
	if (src)
		src->clips = mem_zalloc(sizeof(*src->clips), NULL);
	if (!pcm || !pcm->s || !src || !src->clips ||
	    str_dup(&pcm->path, file)) {
		mem_deref(pcm);
		mem_deref(src);
		return ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		if (*fmt == 'u')
			pcm->s[i] = g711_ulaw2pcm(b[i]);
		else if (*fmt == 'a')
			pcm->s[i] = g711_alaw2pcm(b[i]);
		else
			pcm->s[i] = (int16_t)(b[2 * i] | b[2 * i + 1] << 8);
	}
	pcm->n = n;
	src->clips[0] = pcm;
	src->nclips = 1;
	*srcp = src;
	return 0;
}

/* recording:<name> plays what GET /recordings/stored/<name> shows. */
static int open_recording(struct media_src **srcp, const char *name)
{
	struct recording_stored *rs = NULL;
	const char *fmt, *file;
	uint8_t *buf = NULL;
	size_t len = 0;
	int err;

	err = recording_stored_find(&rs, name);
	if (err) {
		log_warning("Recording %s not found", name);
		return ENOENT;
	}
	fmt = recording_stored_format(rs);
	file = recording_stored_file(rs);
	if (!strcmp(fmt, "wav"))
		err = media_src_open_files(srcp, &file, 1, false);
	else if (!strcmp(fmt, "ulaw") || !strcmp(fmt, "alaw") ||
		 !strcmp(fmt, "sln")) {
		err = recording_stored_read(rs, &buf, &len);
		if (!err)
			err = open_raw(srcp, fmt, buf, len, file);
	}
	else
		err = ENOTSUP;
	mem_deref(buf);
	mem_deref(rs);
	return err;
}

static bool scheme(const char *uri, const char *s)
{
	return !strncmp(uri, s, strlen(s));
}

int media_src_open(struct media_src **srcp, const char *uri, const char *lang)
{
	char *names;
	int err;

	if (!srcp || !uri)
		return EINVAL;
	if (scheme(uri, "tone:"))
		return open_tone(srcp, uri + 5);
	if (scheme(uri, "recording:"))
		return open_recording(srcp, uri + 10);
	names = mem_zalloc(SAY_MAX, NULL);
	if (!names)
		return ENOMEM;
	if (scheme(uri, "sound:")) {
		snprintf(names, SAY_MAX, "%s", uri + 6);
		err = strchr(names, '&') || !*names ? EINVAL : 0;
	}
	else if (scheme(uri, "digits:"))
		err = media_say_digits(names, SAY_MAX, uri + 7);
	else if (scheme(uri, "characters:"))
		err = media_say_characters(names, SAY_MAX, uri + 11);
	else if (scheme(uri, "number:")) {
		char *end;
		long num = strtol(uri + 7, &end, 10);

		err = end == uri + 7 || *end ? EINVAL
			: media_say_number(names, SAY_MAX, num);
	}
	else
		err = ENOTSUP;
	if (err == EINVAL || err == ENOTSUP)
		log_warning("Cannot play URI '%s'", uri);
	if (!err)
		err = open_names(srcp, names, lang);
	mem_deref(names);
	return err;
}

size_t media_src_read(struct media_src *src, int16_t *pcm, size_t n)
{
	size_t got = 0;

	if (src->tone)
		return media_tone_read(src->tone, pcm, n);
	while (got < n) {
		const struct media_sound_pcm *c;
		size_t k;

		if (src->clip >= src->nclips) {
			if (!src->loop)
				break;
			src->clip = 0;
			src->pos = 0;
		}
		c = src->clips[src->clip];
		k = c->n - src->pos < n - got ? c->n - src->pos : n - got;
		memcpy(pcm + got, c->s + src->pos, k * sizeof(*pcm));
		got += k;
		src->pos += k;
		if (src->pos >= c->n) {
			src->clip++;
			src->pos = 0;
		}
	}
	return got;
}

void media_src_rewind(struct media_src *src)
{
	if (src->tone)
		media_tone_rewind(src->tone);
	src->clip = 0;
	src->pos = 0;
}

void media_src_seek(struct media_src *src, long ms)
{
	long long abs = 0, total = 0, at;

	if (src->tone)
		return;  /* tones have no position worth seeking */
	for (size_t i = 0; i < src->nclips; i++) {
		if (i < src->clip)
			abs += (long long)src->clips[i]->n;
		total += (long long)src->clips[i]->n;
	}
	abs += (long long)src->pos;
	at = abs + (long long)ms * (MEDIA_SRATE / 1000);
	if (at < 0)
		at = 0;
	if (at > total)
		at = total;
	src->clip = 0;
	src->pos = 0;
	while (src->clip < src->nclips &&
	       at >= (long long)src->clips[src->clip]->n) {
		at -= (long long)src->clips[src->clip]->n;
		src->clip++;
	}
	src->pos = (size_t)at;
}
