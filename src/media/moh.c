/* moh.c — music on hold, silence and in-band ringback generators for
 * ARI's /channels/{id}/moh, /silence and /ring (on an answered call), and
 * the music of a class as a source (a bridge's music on hold plays from
 * one). A class is a directory of 8 kHz WAV
 * files played in a loop (alphabetical order); class "default" is the Debian
 * asterisk-moh-opsound-wav directory unless musiconhold.conf says otherwise
 * ([class] directory=...). An empty or missing directory plays a soft
 * generated tone instead, so callers on hold never hear dead air. */
#include <errno.h>
#include <stdint.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <re_types.h>
#include <re_mem.h>
#include <re_list.h>
#include <re_fmt.h>
#include "core/channel.h"
#include "base/config.h"
#include "base/log.h"
#include "base/options.h"
#include "media/media_chan.h"
#include "media/playback_int.h"

#define MOH_DEFAULT_DIR "/usr/share/asterisk/moh"
#define MOH_FALLBACK_TONE "440/300,0/200,660/300,0/2200"
#define MOH_MAX_FILES 256

enum hold_kind { HOLD_MOH, HOLD_SILENCE, HOLD_RINGBACK };

struct hold {
	struct le le;
	struct media_gen gen;
	struct media_chan *mc;
	struct channel *ch;       /* referenced */
	enum hold_kind kind;
	struct media_src *src;         /* NULL for silence */
};

static struct list holds;
static struct config *moh_conf;

static void hold_destructor(void *arg)
{
	struct hold *h = arg;

	list_unlink(&h->le);
	mem_deref(h->src);
	mem_deref(h->ch);
}

static bool hold_read(struct media_gen *g, int16_t *pcm, size_t n)
{
	struct hold *h = g->arg;
	size_t got = h->src ? media_src_read(h->src, pcm, n) : 0;

	if (got < n)
		memset(pcm + got, 0, (n - got) * sizeof(*pcm));
	return true;  /* until stopped */
}

static void hold_done(struct media_gen *g, bool hangup)
{
	mem_deref(g->arg);
}

static struct hold *hold_find(const struct channel *ch, enum hold_kind k)
{
	for (struct le *le = holds.head; le; le = le->next) {
		struct hold *h = le->data;

		if (h->ch == ch && h->kind == k)
			return h;
	}
	return NULL;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static const char *class_dir(const char *mclass, char *buf, size_t size)
{
	const char *dir = NULL;

	if (moh_conf && mclass && *mclass)
		dir = config_get(moh_conf, mclass, "directory");
	if (!dir && mclass && *mclass && strcmp(mclass, "default"))
		log_warning("No class '%s' found, using default", mclass);
	if (!dir && moh_conf)
		dir = config_get(moh_conf, "default", "directory");
	if (!dir)
		return MOH_DEFAULT_DIR;
	if (dir[0] == '/')
		return dir;
	snprintf(buf, size, "/usr/share/asterisk/%s", dir);
	return buf;
}

/* The class's WAV files as one looping source; ENOENT when none play. */
static int open_class(struct media_src **srcp, const char *dir)
{
	char *names[MOH_MAX_FILES];
	const char *paths[MOH_MAX_FILES];
	struct media_sound_pcm *pcms[MOH_MAX_FILES];
	size_t n = 0, ok = 0;
	struct dirent *de;
	DIR *d = opendir(dir);
	int err = ENOENT;

	if (!d)
		return ENOENT;
	while ((de = readdir(d)) && n < MOH_MAX_FILES) {
		size_t len = strlen(de->d_name);

		if (len > 4 && !strcmp(de->d_name + len - 4, ".wav") &&
		    re_sdprintf(&names[n], "%s/%s", dir, de->d_name) >= 0)
			n++;
	}
	closedir(d);
	qsort(names, n, sizeof(*names), cmp_str);
	/* Keep the files that decode (a bad one is warned about); holding
	 * them makes the final open hit the cache instead of reading again. */
	for (size_t i = 0; i < n; i++) {
		if (!media_sound_pcm_load(&pcms[ok], names[i]))
			paths[ok++] = names[i];
	}
	if (ok)
		err = media_src_open_files(srcp, paths, ok, true);
	for (size_t i = 0; i < ok; i++)
		mem_deref(pcms[i]);
	for (size_t i = 0; i < n; i++)
		mem_deref(names[i]);
	return err;
}

static int fallback_tone(struct media_src **srcp)
{
	return media_src_open(srcp, "tone:" MOH_FALLBACK_TONE, NULL);
}

static int hold_start(struct channel *ch, enum hold_kind kind,
		      struct media_src *src)
{
	struct hold *h;

	h = mem_zalloc(sizeof(*h), hold_destructor);
	if (!h)
		return ENOMEM;
	h->mc = media_chan_get(ch, true);
	if (!h->mc || !media_chan_alive(h->mc)) {  /* dead: see player */
		mem_deref(h);
		return ENOSYS;
	}
	h->ch = mem_ref(ch);
	h->kind = kind;
	h->src = mem_ref(src);
	h->gen.read = hold_read;
	h->gen.done = hold_done;
	h->gen.arg = h;
	list_append(&holds, &h->le, h);
	media_chan_gen_push(h->mc, &h->gen);
	return 0;
}

static void hold_stop(struct channel *ch, enum hold_kind kind)
{
	struct hold *h = hold_find(ch, kind);

	if (h)
		media_chan_gen_remove(h->mc, &h->gen);  /* frees h */
}

int media_moh_src_open(struct media_src **srcp, const char *mclass)
{
	char buf[512];
	const char *dir = class_dir(mclass, buf, sizeof(buf));

	if (!open_class(srcp, dir))
		return 0;
	log_notice("No music on hold files in %s, playing a tone", dir);
	return fallback_tone(srcp);
}

int media_moh_start(struct channel *ch, const char *mclass)
{
	struct media_src *src = NULL;
	int err;

	/* A new start replaces the music already playing, as Asterisk's. */
	hold_stop(ch, HOLD_MOH);
	err = media_moh_src_open(&src, mclass);
	if (err)
		return err;
	err = hold_start(ch, HOLD_MOH, src);
	mem_deref(src);
	if (!err)
		log_verbose(3, "Started music on hold, class '%s', on %s",
			    mclass && *mclass ? mclass : "default",
			    channel_name(ch));
	return err;
}

void media_moh_stop(struct channel *ch)
{
	hold_stop(ch, HOLD_MOH);
}

int media_silence_start(struct channel *ch)
{
	if (hold_find(ch, HOLD_SILENCE))
		return 0;
	return hold_start(ch, HOLD_SILENCE, NULL);
}

void media_silence_stop(struct channel *ch)
{
	hold_stop(ch, HOLD_SILENCE);
}

/* Ringing on a call that is already answered cannot be signalled: as
 * Asterisk, the caller hears the ringback tone of indications.conf's
 * "ring" in band instead, until it is stopped. */
int media_ringback_start(struct channel *ch)
{
	struct media_src *src = NULL;
	int err;

	if (hold_find(ch, HOLD_RINGBACK))
		return 0;
	err = media_src_open(&src, "tone:ring", NULL);
	if (err)
		return err;
	err = hold_start(ch, HOLD_RINGBACK, src);
	mem_deref(src);
	return err;
}

void media_ringback_stop(struct channel *ch)
{
	hold_stop(ch, HOLD_RINGBACK);
}

int media_moh_init(void)
{
	/* Optional file: without it the default class is the Debian one. */
	moh_conf = NULL;
	(void)config_load(&moh_conf, options.confdir, "musiconhold.conf");
	return 0;
}

void media_moh_close(void)
{
	config_free(moh_conf);
	moh_conf = NULL;
}
