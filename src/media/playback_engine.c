/* playback_engine.c — turns media URIs into audio on a channel: parses
 * sound:, digits:, number:, characters:, tone: (recording: waits for the
 * recordings work), keeps the position for offsetms/skipms/restart, and runs
 * a "player" generator on the channel's media tick that plays a sequence of
 * URIs. It is the engine the core's playback state machine is registered
 * with (core/playback.h); events and states stay in the core. */
#include <errno.h>
#include <stdint.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <re_types.h>
#include <re_mem.h>
#include "core/channel.h"
#include "base/config.h"
#include "base/log.h"
#include "base/options.h"
#include "core/playback.h"
#include "media/playback_int.h"

#define SAY_MAX 2048

struct msrc {
	struct sound_pcm **clips;   /* referenced */
	size_t nclips;
	size_t clip, pos;           /* position: clip index, sample in it */
	bool loop;
	struct tone_state *tone;    /* instead of clips */
};

struct player {
	struct media_gen gen;
	struct media_chan *mc;
	const struct player_ops *ops;
	void *arg;
	struct msrc *src;           /* current item, NULL between items */
	char lang[32];
	long offsetms;              /* for the first item only */
	bool over;                  /* last item ended: remove next tick */
};

/* ---- sources ---- */

static void msrc_destructor(void *arg)
{
	struct msrc *src = arg;

	for (size_t i = 0; i < src->nclips; i++)
		mem_deref(src->clips[i]);
	mem_deref(src->clips);
	mem_deref(src->tone);
}

int msrc_open_files(struct msrc **srcp, const char *const *paths, size_t n,
		    bool loop)
{
	struct msrc *src;
	size_t total = 0;
	int err = 0;

	src = mem_zalloc(sizeof(*src), msrc_destructor);
	if (!src)
		return ENOMEM;
	src->clips = mem_zalloc((n ? n : 1) * sizeof(*src->clips), NULL);
	if (!src->clips)
		err = ENOMEM;
	for (size_t i = 0; !err && i < n; i++) {
		err = sound_pcm_load(&src->clips[i], paths[i]);
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
static int open_names(struct msrc **srcp, char *names, const char *lang)
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
		err = sound_resolve(buf[n], sizeof(buf[n]), name, lang);
		if (err)
			log_warning("File %s does not exist in any format",
				    name);
		else
			paths[n] = buf[n], n++;
	}
	if (!err)
		err = msrc_open_files(srcp, paths, n, false);
	mem_deref(buf);
	return err;
}

static int open_tone(struct msrc **srcp, const char *spec)
{
	char name[256], *zone;
	const char *tone;
	struct tone_prog *prog = NULL;
	struct msrc *src;
	int err;

	/* tone:<name or indication>[;tonezone=<zone>] */
	snprintf(name, sizeof(name), "%s", spec);
	zone = strchr(name, ';');
	if (zone) {
		*zone++ = '\0';
		zone = strncmp(zone, "tonezone=", 9) ? NULL : zone + 9;
	}
	tone = tone_lookup(name, zone);
	err = tone_prog_parse(&prog, tone ? tone : name);
	if (err) {
		log_warning("Invalid tone '%s'", spec);
		return err;
	}
	src = mem_zalloc(sizeof(*src), msrc_destructor);
	if (!src) {
		mem_deref(prog);
		return ENOMEM;
	}
	err = tone_state_alloc(&src->tone, prog);
	mem_deref(prog);
	if (err) {
		mem_deref(src);
		return err;
	}
	*srcp = src;
	return 0;
}

static bool scheme(const char *uri, const char *s)
{
	return !strncmp(uri, s, strlen(s));
}

int msrc_open(struct msrc **srcp, const char *uri, const char *lang)
{
	char *names;
	int err;

	if (!srcp || !uri)
		return EINVAL;
	if (scheme(uri, "tone:"))
		return open_tone(srcp, uri + 5);
	if (scheme(uri, "recording:")) {
		log_notice("Playing recordings is not supported yet: %s",
			   uri);
		return ENOTSUP;
	}
	names = mem_zalloc(SAY_MAX, NULL);
	if (!names)
		return ENOMEM;
	if (scheme(uri, "sound:")) {
		snprintf(names, SAY_MAX, "%s", uri + 6);
		err = strchr(names, '&') || !*names ? EINVAL : 0;
	}
	else if (scheme(uri, "digits:"))
		err = say_digits(names, SAY_MAX, uri + 7);
	else if (scheme(uri, "characters:"))
		err = say_characters(names, SAY_MAX, uri + 11);
	else if (scheme(uri, "number:")) {
		char *end;
		long num = strtol(uri + 7, &end, 10);

		err = end == uri + 7 || *end ? EINVAL
			: say_number(names, SAY_MAX, num);
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

size_t msrc_read(struct msrc *src, int16_t *pcm, size_t n)
{
	size_t got = 0;

	if (src->tone)
		return tone_read(src->tone, pcm, n);
	while (got < n) {
		const struct sound_pcm *c;
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

void msrc_rewind(struct msrc *src)
{
	if (src->tone)
		tone_rewind(src->tone);
	src->clip = 0;
	src->pos = 0;
}

void msrc_seek(struct msrc *src, long ms)
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

/* ---- the player generator ---- */

static void player_destructor(void *arg)
{
	struct player *p = arg;

	mem_deref(p->src);
}

/* The next item's source; false when nothing is left to play. */
static bool open_next(struct player *p)
{
	for (;;) {
		const char *uri = p->ops->uri(p->arg);
		int err;

		if (!uri)
			return false;
		err = msrc_open(&p->src, uri, p->lang);
		if (!err && p->offsetms)
			msrc_seek(p->src, p->offsetms);
		p->offsetms = 0;
		/* Asterisk announces even an item that fails to open. */
		p->ops->started(p->arg);
		if (!err)
			return true;
		if (!p->ops->ended(p->arg, true))
			return false;
	}
}

static bool player_read(struct media_gen *g, int16_t *pcm, size_t n)
{
	struct player *p = g->arg;
	size_t got = 0;

	if (p->over)
		return false;
	if (g->paused) {
		memset(pcm, 0, n * sizeof(*pcm));
		return true;
	}
	while (got < n) {
		if (!p->src && !open_next(p)) {
			p->over = true;
			break;
		}
		got += msrc_read(p->src, pcm + got, n - got);
		if (got < n) {
			p->src = mem_deref(p->src);
			if (!p->ops->ended(p->arg, false)) {
				p->over = true;
				break;
			}
		}
	}
	/* The partial last frame is sent padded; the player leaves on the
	 * next tick. */
	if (got < n)
		memset(pcm + got, 0, (n - got) * sizeof(*pcm));
	return got > 0 || !p->over;
}

static void player_done(struct media_gen *g, bool hangup)
{
	struct player *p = g->arg;

	p->ops->gone(p->arg, hangup);
	mem_deref(p);
}

int player_start(struct player **pp, struct channel *ch,
		 const struct player_ops *ops, void *arg, const char *lang,
		 long offsetms)
{
	struct media_chan *mc;
	struct player *p;

	/* A dead media_chan would call done() inside push, before our
	 * caller has recorded the player. */
	mc = media_chan_get(ch, true);
	if (!mc || !media_chan_channel(mc))
		return ENOSYS;
	p = mem_zalloc(sizeof(*p), player_destructor);
	if (!p)
		return ENOMEM;
	p->mc = mc;
	p->ops = ops;
	p->arg = arg;
	p->offsetms = offsetms;
	snprintf(p->lang, sizeof(p->lang), "%s", lang ? lang : "");
	p->gen.read = player_read;
	p->gen.done = player_done;
	p->gen.arg = p;
	media_chan_gen_push(mc, &p->gen);
	if (pp)
		*pp = p;
	return 0;
}

void player_stop(struct player *p)
{
	if (p)
		media_chan_gen_remove(p->mc, &p->gen);
}

void player_pause(struct player *p, bool on)
{
	p->gen.paused = on;
}

void player_restart(struct player *p)
{
	/* The owner has gone back to its first item; open it anew. */
	p->src = mem_deref(p->src);
	p->over = false;
}

void player_seek(struct player *p, long ms)
{
	if (p->src)
		msrc_seek(p->src, ms);
}

/* ---- the core's playback engine ---- */

static const char *pb_uri(void *arg)
{
	return playback_media_uri(arg);
}

static void pb_started(void *arg)
{
	playback_item_started(arg);
}

static bool pb_ended(void *arg, bool failed)
{
	return playback_item_ended(arg, failed);
}

static void pb_gone(void *arg, bool hangup)
{
	playback_released(arg, hangup);
	mem_deref(arg);
}

static const struct player_ops pb_ops = {
	.uri = pb_uri, .started = pb_started, .ended = pb_ended,
	.gone = pb_gone,
};

static int eng_start(struct playback *pb)
{
	struct player *p;
	int err;

	err = player_start(&p, playback_channel(pb), &pb_ops, pb,
			   playback_language(pb), playback_offsetms(pb));
	if (err)
		return err;
	mem_ref(pb);  /* released in pb_gone */
	playback_set_engine_data(pb, p);
	return 0;
}

static void eng_stop(struct playback *pb)
{
	player_stop(playback_engine_data(pb));
}

static int eng_control(struct playback *pb, enum playback_op op)
{
	struct player *p = playback_engine_data(pb);

	if (!p)
		return ENOSYS;
	switch (op) {
	case PLAYBACK_OP_PAUSE:   player_pause(p, true); break;
	case PLAYBACK_OP_UNPAUSE: player_pause(p, false); break;
	case PLAYBACK_OP_RESTART: player_restart(p); break;
	case PLAYBACK_OP_REVERSE: player_seek(p, -playback_skipms(pb)); break;
	case PLAYBACK_OP_FORWARD: player_seek(p, playback_skipms(pb)); break;
	}
	return 0;
}

static const struct playback_engine engine = {
	.start = eng_start,
	.stop = eng_stop,
	.control = eng_control,
	.moh_start = moh_start,
	.moh_stop = moh_stop,
	.silence_start = silence_start,
	.silence_stop = silence_stop,
	.sounds_dir = sound_dir,
};

int media_playback_init(void)
{
	struct config *cfg = NULL;
	int err;

	/* media_init() does not pass its config down: read the one option
	 * we need ourselves. A missing file means the default. */
	if (!config_load(&cfg, options.confdir, "ariadne.conf"))
		sound_set_dir(config_get(cfg, "directories", "astsoundsdir"));
	config_free(cfg);
	err = moh_init();
	if (!err)
		err = apps_play_init();
	if (err)
		return err;
	playback_engine_register(&engine);
	log_verbose(2, "Playback engine: sounds in %s", sound_dir());
	return 0;
}

void media_playback_close(void)
{
	playback_engine_register(NULL);
	moh_close();
}
