/* sound.c — where sound prompts live and how they are read: lookup of
 * `<sounds dir>/<lang>/<name>.wav` with Asterisk's language fallback, a
 * reader for 8 kHz 16-bit mono PCM WAV files, and a cache so that many
 * channels playing the same prompt share one decoded copy. Not the player:
 * see player.c and source.c. */
#include <errno.h>
#include <stdint.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <re_types.h>
#include <re_fmt.h>
#include <re_mem.h>
#include <re_list.h>
#include "base/log.h"
#include "media/playback_int.h"

static char sounds_dir[256] = MEDIA_SOUND_DEFAULT_DIR;
static struct list cache;  /* struct cache_entry, weak: entries leave when
                            * their media_sound_pcm is freed */

struct cache_entry {
	struct le le;
	struct media_sound_pcm *pcm;
};

void media_sound_set_dir(const char *dir)
{
	snprintf(sounds_dir, sizeof(sounds_dir), "%s",
		 dir && *dir ? dir : MEDIA_SOUND_DEFAULT_DIR);
}

const char *media_sound_dir(void)
{
	return sounds_dir;
}

static bool try_path(char *path, size_t size, const char *dir,
		     const char *lang, size_t langlen, const char *name)
{
	struct stat st;

	if (langlen)
		snprintf(path, size, "%s/%.*s/%s.wav", dir, (int)langlen, lang,
			 name);
	else
		snprintf(path, size, "%s/%s.wav", dir, name);
	return !stat(path, &st) && S_ISREG(st.st_mode);
}

/* Does <dir>/<lang>/ hold at least one prompt? */
static bool lang_has_prompts(const char *lang)
{
	char path[512];
	struct dirent *de;
	bool found = false;
	DIR *d;

	snprintf(path, sizeof(path), "%s/%s", sounds_dir, lang);
	d = opendir(path);
	if (!d)
		return false;
	while (!found && (de = readdir(d))) {
		size_t n = strlen(de->d_name);

		found = n > 4 && !strcmp(de->d_name + n - 4, ".wav");
	}
	closedir(d);
	return found;
}

void media_sound_check(const char *lang)
{
	if (!lang || !*lang)
		lang = "en";
	if (lang_has_prompts(lang))
		return;
	log_warning("No sound prompts for language '%s' in %s/%s: sound: "
		    "playbacks will fail (on Debian install "
		    "asterisk-core-sounds-%.2s and asterisk-core-sounds-%.2s-wav, "
		    "or set astsoundsdir in ariadne.conf)", lang, sounds_dir,
		    lang, lang, lang);
}

int media_sound_resolve(char *path, size_t size, const char *name,
			const char *lang)
{
	size_t len;

	if (!path || !name || !*name)
		return EINVAL;
	if (strstr(name, "..")) {
		log_warning("Refusing sound name with '..': %s", name);
		return EINVAL;
	}
	if (name[0] == '/') {
		struct stat st;

		snprintf(path, size, "%s.wav", name);
		return !stat(path, &st) && S_ISREG(st.st_mode) ? 0 : ENOENT;
	}
	/* Asterisk (file.c): the full language, then dropping "_region"
	 * parts one at a time (en_US_f → en_US → en), then no language
	 * directory, then the default language en. */
	len = lang ? strlen(lang) : 0;
	while (len) {
		if (try_path(path, size, sounds_dir, lang, len, name))
			return 0;
		while (len && lang[len - 1] != '_')
			len--;
		if (len)
			len--;
	}
	if (try_path(path, size, sounds_dir, NULL, 0, name))
		return 0;
	if ((!lang || strcmp(lang, "en")) &&
	    try_path(path, size, sounds_dir, "en", 2, name))
		return 0;
	return ENOENT;
}

static uint32_t le32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

/* The fmt chunk must say PCM (1, or WAVE_FORMAT_EXTENSIBLE), 1 channel,
 * 8000 Hz, 16 bits: the tick mixes nothing else. */
static int check_fmt(const char *path, const uint8_t *f, uint32_t len)
{
	uint16_t tag, chans, bits;
	uint32_t rate;

	if (len < 16)
		return EINVAL;
	tag = le16(f);
	chans = le16(f + 2);
	rate = le32(f + 4);
	bits = le16(f + 14);
	if ((tag != 1 && tag != 0xfffe) || chans != 1 || rate != 8000 ||
	    bits != 16) {
		log_warning("%s: unsupported WAV (format %u, %u channels, "
			    "%u Hz, %u bits): only 8000 Hz 16-bit mono PCM",
			    path, tag, chans, rate, bits);
		return EINVAL;
	}
	return 0;
}

static int read_chunks(const char *path, FILE *f, int16_t **sp, size_t *np)
{
	uint8_t hdr[12], ch[8], fmt[40];
	bool have_fmt = false;
	int err;

	if (fread(hdr, 1, 12, f) != 12 || memcmp(hdr, "RIFF", 4) ||
	    memcmp(hdr + 8, "WAVE", 4)) {
		log_warning("%s: not a RIFF/WAVE file", path);
		return EINVAL;
	}
	while (fread(ch, 1, 8, f) == 8) {
		uint32_t len = le32(ch + 4);

		if (!memcmp(ch, "fmt ", 4)) {
			size_t want = len < sizeof(fmt) ? len : sizeof(fmt);

			if (fread(fmt, 1, want, f) != want)
				break;
			err = check_fmt(path, fmt, len);
			if (err)
				return err;
			have_fmt = true;
			if (len > want && fseek(f, len - want, SEEK_CUR))
				break;
		}
		else if (!memcmp(ch, "data", 4)) {
			size_t n = len / 2, got;
			int16_t *s;

			if (!have_fmt)
				break;
			s = mem_alloc((n ? n : 1) * sizeof(*s), NULL);
			if (!s)
				return ENOMEM;
			/* A truncated data chunk plays what is there. */
			got = fread(s, sizeof(*s), n, f);
			for (size_t i = 0; i < got; i++) {
				const uint8_t *b = (const uint8_t *)&s[i];

				s[i] = (int16_t)le16(b);
			}
			*sp = s;
			*np = got;
			return 0;
		}
		else if (fseek(f, len + (len & 1), SEEK_CUR)) {
			break;
		}
	}
	log_warning("%s: no fmt/data chunk", path);
	return EINVAL;
}

int media_sound_wav_read(const char *path, int16_t **sp, size_t *np)
{
	FILE *f;
	int err;

	if (!path || !sp || !np)
		return EINVAL;
	f = fopen(path, "rb");
	if (!f)
		return errno ? errno : ENOENT;
	err = read_chunks(path, f, sp, np);
	fclose(f);
	return err;
}

static void entry_destructor(void *arg)
{
	struct cache_entry *e = arg;

	list_unlink(&e->le);
}

static void pcm_destructor(void *arg)
{
	struct media_sound_pcm *pcm = arg;

	mem_deref(pcm->entry);
	mem_deref(pcm->s);
	mem_deref(pcm->path);
}

int media_sound_pcm_load(struct media_sound_pcm **pcmp, const char *path)
{
	struct media_sound_pcm *pcm;
	struct cache_entry *e;
	int err;

	for (struct le *le = cache.head; le; le = le->next) {
		e = le->data;
		if (!strcmp(e->pcm->path, path)) {
			*pcmp = mem_ref(e->pcm);
			return 0;
		}
	}
	pcm = mem_zalloc(sizeof(*pcm), pcm_destructor);
	if (!pcm)
		return ENOMEM;
	err = str_dup(&pcm->path, path);
	if (!err)
		err = media_sound_wav_read(path, &pcm->s, &pcm->n);
	e = err ? NULL : mem_zalloc(sizeof(*e), entry_destructor);
	if (err || !e) {
		mem_deref(pcm);
		return err ? err : ENOMEM;
	}
	e->pcm = pcm;
	pcm->entry = e;
	list_append(&cache, &e->le, e);
	*pcmp = pcm;
	return 0;
}
