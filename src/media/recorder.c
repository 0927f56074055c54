/* recorder.c — the engine the core's recordings run on (core/recording.h):
 * a tap that takes the audio a channel sends us (what Asterisk's record
 * command reads from the channel) or, for a bridge, the sum of everything
 * said and played in it; the beep first, when asked (heard by the channel,
 * or by everyone in the bridge); pause, mute, maxDurationSeconds and
 * maxSilenceSeconds on the 20 ms tick; and the file, finalised when the
 * recording ends. States, events, names and directories stay in the core;
 * the file format is recorder_file.c's, the silence arithmetic
 * recorder_silence.c's. */
#include <errno.h>
#include <stdint.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stddef.h>
#include <string.h>
#include <re_types.h>
#include <re_fmt.h>
#include <re_mem.h>
#include <re_list.h>
#include "base/log.h"
#include "core/bridge.h"
#include "core/channel.h"
#include "core/recording.h"
#include "media/media_bridge.h"
#include "media/media_chan.h"
#include "media/playback_int.h"
#include "media/recorder_int.h"

/* Asterisk plays the prompt "beep"; without it, a tone of the same kind. */
#define BEEP_URI "sound:beep"
#define BEEP_TONE "tone:!1000/250"

struct media_recorder {
	struct le le;                /* in `recorders` while it runs */
	struct recording *rec;       /* referenced */
	struct media_tap tap;
	struct media_chan *tap_mc;   /* the channel's media state (weak:
	                              * our tap's done() says when it goes) */
	struct bridge *bridge;       /* weak: the recording holds it */
	bool tapped;                 /* tap attached */
	struct media_gen beep;
	struct media_src *beep_src;
	struct media_chan *beep_mc;  /* where the beep plays (weak) */
	bool beeping;
	struct media_recfile *file;
	struct media_rec_silence sil;
	uint64_t written;            /* samples written this time */
	uint64_t max_samples;        /* 0: no limit */
	int max_silence_ms;          /* 0: no detection */
	bool starting;
	bool ending;
	bool unlink_on_fail;         /* the failed start made the file */
};

static struct list recorders;

static void destructor(void *arg)
{
	struct media_recorder *r = arg;

	list_unlink(&r->le);
	mem_deref(r->beep_src);
	if (r->file)
		media_recfile_close(r->file, false);
	mem_deref(r->rec);
}

static bool trims(enum recording_end why)
{
	/* Asterisk cuts the trailing silence when its loop ended with a
	 * reason code: silence, the time limit, an accepted digit. */
	return why == RECORDING_END_SILENCE ||
	       why == RECORDING_END_MAX_DURATION || why == RECORDING_END_DTMF;
}

/* Stop the beep and the tap without hearing from them again. */
static void detach(struct media_recorder *r)
{
	if (r->beeping) {
		r->beeping = false;
		media_chan_gen_remove(r->beep_mc, &r->beep);
	}
	if (r->tapped) {
		r->tapped = false;
		if (r->bridge)
			media_bridge_tap_remove(r->bridge, &r->tap);
		else
			media_chan_tap_remove(r->tap_mc, &r->tap);
	}
}

/* The end, for whatever reason: the file is finalised (or, for a cancel,
 * left for the core to remove) and the core hears of it once. */
static void finish(struct media_recorder *r, enum recording_end why,
		   const char *cause)
{
	int duration = 0, talking = -1, err;

	if (r->ending)
		return;
	r->ending = true;
	mem_ref(r);
	detach(r);
	if (why == RECORDING_END_CANCEL || !r->file) {
		if (r->file && r->unlink_on_fail)
			media_recfile_unlink(r->file);
		media_recfile_close(r->file, false);
	}
	else {
		media_rec_silence_durations(&r->sil,
					    media_recfile_samples(r->file),
					    r->max_silence_ms > 0, &duration,
					    &talking);
		err = trims(why) && r->max_silence_ms > 0
			? media_recfile_trim(r->file,
					     media_rec_silence_trim(&r->sil))
			: 0;
		if (!err)
			err = media_recfile_close(r->file, true);
		else
			media_recfile_close(r->file, false);
		if (err && why != RECORDING_END_ERROR) {
			why = RECORDING_END_ERROR;
			cause = "Error writing the recording file";
		}
	}
	r->file = NULL;
	list_unlink(&r->le);
	if (!r->starting) {
		recording_set_engine_data(r->rec, NULL);
		recording_engine_ended(r->rec, why, duration, talking, cause);
	}
	mem_deref(r);  /* the one taken above */
	if (!r->starting)
		mem_deref(r);  /* ours: the engine data */
}

/* ---- the audio ---- */

static void tap_frame(struct media_tap *t, enum media_tap_dir dir,
		      int16_t *pcm, size_t n)
{
	static const int16_t silence[MEDIA_FRAME];
	struct media_recorder *r = t->arg;
	bool paused = recording_paused(r->rec);
	int run = 0;

	(void)dir;
	if (r->beeping || r->ending || n > MEDIA_FRAME)
		return;
	if (r->max_silence_ms)
		run = media_rec_silence_frame(&r->sil, pcm, n, paused);
	if (!paused) {
		/* Mute writes silence and keeps the time going. */
		if (media_recfile_write(r->file, recording_muted(r->rec)
					? silence : pcm, n)) {
			finish(r, RECORDING_END_ERROR, "Error writing frame");
			return;
		}
		r->written += n;
	}
	if (r->max_silence_ms && run > r->max_silence_ms) {
		log_verbose(3, "Recording automatically stopped after a "
			    "silence of %d seconds", run / 1000);
		finish(r, RECORDING_END_SILENCE, NULL);
	}
	else if (r->max_samples && r->written >= r->max_samples) {
		log_verbose(3, "Took too long, cutting it short...");
		finish(r, RECORDING_END_MAX_DURATION, NULL);
	}
}

/* The channel hung up or the bridge went (hangup), or we removed it. */
static void tap_done(struct media_tap *t, bool hangup)
{
	struct media_recorder *r = t->arg;

	if (!r->tapped)
		return;
	r->tapped = false;
	/* While starting, eng_start sees the tap gone and fails. */
	if (hangup && !r->starting)
		finish(r, RECORDING_END_HANGUP, NULL);
}

static bool beep_read(struct media_gen *g, int16_t *pcm, size_t n)
{
	struct media_recorder *r = g->arg;
	size_t got = media_src_read(r->beep_src, pcm, n);

	if (got < n)
		memset(pcm + got, 0, (n - got) * sizeof(*pcm));
	return got == n;
}

/* The beep is over (or cut short): the audio from now on is written. */
static void beep_done(struct media_gen *g, bool hangup)
{
	struct media_recorder *r = g->arg;

	(void)hangup;
	r->beeping = false;
	r->beep_src = mem_deref(r->beep_src);
}

static int beep_start(struct media_recorder *r, struct channel *ch)
{
	const char *lang = ch ? channel_language(ch) : "en";
	int err;

	r->beep_mc = ch ? media_chan_get(ch, true)
			: media_bridge_announcer(r->bridge);
	if (!r->beep_mc)
		return ENOTCONN;
	err = media_src_open(&r->beep_src, BEEP_URI, lang);
	if (err)
		err = media_src_open(&r->beep_src, BEEP_TONE, lang);
	if (err)
		return err;
	r->beep.read = beep_read;
	r->beep.done = beep_done;
	r->beep.arg = r;
	r->beeping = true;
	media_chan_gen_push(r->beep_mc, &r->beep);
	return 0;
}

/* ---- the engine ---- */

static enum media_recfile_mode file_mode(enum recording_if_exists ie)
{
	switch (ie) {
	case RECORDING_IF_EXISTS_OVERWRITE: return MEDIA_RECFILE_TRUNCATE;
	case RECORDING_IF_EXISTS_APPEND:    return MEDIA_RECFILE_APPEND;
	default:                            return MEDIA_RECFILE_NEW;
	}
}

static int open_file(struct media_recorder *r, struct recording *rec)
{
	char *file = NULL;
	int err;

	if (re_sdprintf(&file, "%s.%s", recording_path(rec),
			recording_format(rec)))
		return ENOMEM;
	err = media_recfile_open(&r->file, file, recording_format(rec),
				 file_mode(recording_if_exists(rec)));
	if (err)
		log_warning("Error creating writestream '%s': %s", file,
			    strerror(err));
	mem_deref(file);
	return err;
}

static void attach(struct media_recorder *r, struct channel *ch)
{
	r->tap.arg = r;
	r->tap.frame = tap_frame;
	r->tap.done = tap_done;
	r->tap.watch_only = true;
	r->tapped = true;
	if (ch) {
		r->tap.dirs = 1u << MEDIA_TAP_RX;  /* what the channel says */
		r->tap_mc = media_chan_get(ch, true);
		if (r->tap_mc)
			media_chan_tap_add(r->tap_mc, &r->tap);
		else
			r->tapped = false;  /* hung up */
	}
	else {
		r->tap.dirs = 1u << MEDIA_TAP_TX;
		media_bridge_tap_add(r->bridge, &r->tap);
	}
}

static int eng_start(struct recording *rec)
{
	struct channel *ch = recording_channel(rec);
	struct media_recorder *r;
	int err;

	r = mem_zalloc(sizeof(*r), destructor);
	if (!r)
		return ENOMEM;
	r->rec = mem_ref(rec);
	r->bridge = recording_bridge(rec);
	r->starting = true;
	r->max_samples = (uint64_t)recording_max_duration(rec) * MEDIA_SRATE;
	r->max_silence_ms = recording_max_silence(rec) * 1000;
	media_rec_silence_init(&r->sil);
	list_append(&recorders, &r->le, r);
	err = open_file(r, rec);
	if (!err)
		attach(r, ch);
	/* A target already gone ends the tap at once. */
	if (!err && !r->tapped)
		err = ENOTCONN;
	if (!err && recording_beep(rec))
		err = beep_start(r, ch);
	if (err) {
		/* A file this start made is not a recording: remove it. */
		if (r->file && recording_if_exists(rec) ==
			    RECORDING_IF_EXISTS_FAIL)
			r->unlink_on_fail = true;
		finish(r, RECORDING_END_CANCEL, NULL);
		mem_deref(r);
		return err;
	}
	r->starting = false;
	recording_set_engine_data(rec, r);  /* our reference */
	return 0;
}

static void eng_stop(struct recording *rec, enum recording_end why)
{
	struct media_recorder *r = recording_engine_data(rec);

	if (r)
		finish(r, why, NULL);
}

static const struct recording_engine engine = {
	.formats = media_recfile_formats,
	.start = eng_start,
	.stop = eng_stop,
};

int media_recorder_init(void)
{
	recording_engine_register(&engine);
	return 0;
}

void media_recorder_close(void)
{
	while (recorders.head)
		finish(recorders.head->data, RECORDING_END_HANGUP, NULL);
	recording_engine_register(NULL);
}
