/* playback_int.h — what the playback side of src/media shares: sound file
 * lookup and the WAV cache (sound.c), tone programs (tones.c), say (say.c),
 * audio sources from media URIs (source.c), the player generator
 * (player.c), music on hold and silence (moh.c).
 *
 * Who includes it: sound.c, tones.c, say.c, source.c, player.c, moh.c,
 * apps_play.c, playback_engine.c (and unit tests); nothing outside
 * src/media. Names follow the scheme in media_int.h. */
#ifndef ARIADNE_PLAYBACK_INT_H
#define ARIADNE_PLAYBACK_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "media/media_int.h"

struct channel;

/* ---- sound.c ---- */

#define MEDIA_SOUND_DEFAULT_DIR "/usr/share/asterisk/sounds"

/* Decoded audio of one file (8 kHz 16-bit mono), shared by everyone
 * playing it: cached while referenced. */
struct media_sound_pcm {
	int16_t *s;
	size_t n;
	char *path;
	void *entry;  /* sound.c: its cache entry */
};

const char *media_sound_dir(void);
/* Path of sound `name` (no extension; may be absolute) in `lang`, with
 * Asterisk's fallback: lang, lang without region parts, no language, en.
 * ENOENT when missing. */
int media_sound_resolve(char *path, size_t size, const char *name,
			const char *lang);
/* Read a WAV file: 8 kHz 16-bit mono PCM only (EINVAL otherwise, with a
 * warning). *sp is a mem object. */
int media_sound_wav_read(const char *path, int16_t **sp, size_t *np);
/* Cached media_sound_wav_read: a new reference. */
int media_sound_pcm_load(struct media_sound_pcm **pcmp, const char *path);

/* ---- tones.c ---- */

struct media_tone_prog;
struct media_tone_state;

/* Asterisk indication string: "440+480/2000,0/4000", "!950/330,...",
 * "425*25/1000" (modulated), "M69/500" (MIDI note). EINVAL when bad. */
int media_tone_prog_parse(struct media_tone_prog **progp, const char *s);
size_t media_tone_prog_count(const struct media_tone_prog *prog);
/* Part i: frequencies, duration in ms (0: forever), modulate, once (!). */
void media_tone_prog_part(const struct media_tone_prog *prog, size_t i,
			  unsigned *f1, unsigned *f2, unsigned *ms, bool *mod,
			  bool *once);
/* Indication string of a named tone ("ring", "busy", ...) for a country
 * zone ("us" when NULL or unknown); NULL when not a name. */
const char *media_tone_lookup(const char *name, const char *zone);
int media_tone_state_alloc(struct media_tone_state **tsp,
			   struct media_tone_prog *prog);
/* Fill up to n samples; fewer only when a non-repeating program ended. */
size_t media_tone_read(struct media_tone_state *ts, int16_t *pcm, size_t n);
void media_tone_rewind(struct media_tone_state *ts);

/* ---- say.c: file lists joined with '&' ("digits/1&digits/2") ---- */

int media_say_digits(char *out, size_t size, const char *str);
int media_say_number(char *out, size_t size, long num);
int media_say_characters(char *out, size_t size, const char *str);

/* ---- source.c ---- */

struct media_src;

/* A media URI (sound:, digits:, number:, characters:, tone:, recording:)
 * as a source of audio. ENOENT missing sound or recording, EINVAL bad URI,
 * ENOTSUP an unknown scheme. */
int media_src_open(struct media_src **srcp, const char *uri, const char *lang);
/* A looping source over files (music on hold). */
int media_src_open_files(struct media_src **srcp, const char *const *paths,
			 size_t n, bool loop);
/* Fill up to n samples; fewer means the source ended. */
size_t media_src_read(struct media_src *src, int16_t *pcm, size_t n);
/* Jump by ms (negative: back), clamped to the source. */
void media_src_seek(struct media_src *src, long ms);
void media_src_rewind(struct media_src *src);

/* ---- player.c ---- */

/* A generator that plays media URIs one after another on a channel, asking
 * its owner for each (the ARI playback in the core, or the Playback dialplan
 * application). */
struct media_player;
struct media_player_ops {
	const char *(*uri)(void *arg);            /* current item, NULL: none */
	void (*started)(void *arg);                /* its audio begins */
	/* The item ended: err 0 when it played to its end, else why it could
	 * not be played (ENOENT: no such file). true: go on (next uri). */
	bool (*ended)(void *arg, int err);
	void (*gone)(void *arg, bool hangup);      /* removed; called once */
};
/* ENOSYS when the channel can take no audio (hung up). */
int media_player_start(struct media_player **pp, struct channel *ch,
		       const struct media_player_ops *ops, void *arg,
		       const char *lang, long offsetms);
/* The same on any media state (a bridge's announcer). */
struct media_chan;
int media_player_start_on(struct media_player **pp, struct media_chan *mc,
			  const struct media_player_ops *ops, void *arg,
			  const char *lang, long offsetms);
/* Remove it now: gone(arg, false) is called before this returns. */
void media_player_stop(struct media_player *p);
void media_player_pause(struct media_player *p, bool on);
void media_player_restart(struct media_player *p);
void media_player_seek(struct media_player *p, long ms);

/* ---- moh.c: music on hold and silence of a channel ---- */

/* The class's music as a looping source (a soft tone when the class has
 * no files); mclass NULL or "" is the default class. */
int media_moh_src_open(struct media_src **srcp, const char *mclass);

int media_moh_start(struct channel *ch, const char *mclass);
void media_moh_stop(struct channel *ch);
int media_silence_start(struct channel *ch);
void media_silence_stop(struct channel *ch);
int media_ringback_start(struct channel *ch);
void media_ringback_stop(struct channel *ch);

#endif
