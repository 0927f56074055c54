/* recorder_int.h — the recording side of src/media: audio files written
 * while a recording runs (recorder_file.c), Asterisk's silence detection
 * and duration arithmetic (recorder_silence.c), and the engine the core's
 * recordings run on (recorder.c: taps on a channel or a bridge, the beep).
 *
 * Who includes it: the recorder files, media.c (start and stop) and unit
 * tests; nothing outside src/media. Names follow the scheme in
 * media_int.h: media_recfile_, media_rec_silence_, media_recorder_. */
#ifndef ARIADNE_RECORDER_INT_H
#define ARIADNE_RECORDER_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- recorder_file.c: files being written ---- */

/* The formats, each its own extension: "wav" (RIFF, 8 kHz 16-bit mono
 * PCM), "ulaw" and "alaw" (raw G.711), "sln" (raw 16-bit little-endian).
 * NULL-terminated. */
extern const char *const media_recfile_formats[];

enum media_recfile_mode {
	MEDIA_RECFILE_NEW = 0,   /* fail (EEXIST) if the file exists */
	MEDIA_RECFILE_TRUNCATE,  /* overwrite */
	MEDIA_RECFILE_APPEND,    /* go on after what is there */
};

/* Bytes reach the file at least once a second, and a WAV header always
 * counts what reached it: a crash loses at most the last second. */
#define MEDIA_RECFILE_FLUSH_SAMPLES 8000

struct media_recfile;

/* Open `file` (with its extension) in `format`. EEXIST (NEW), EINVAL an
 * unknown format or a WAV to append to that is not 8 kHz 16-bit mono PCM,
 * an errno of open(). *fp is a mem object. */
int media_recfile_open(struct media_recfile **fp, const char *file,
		       const char *format, enum media_recfile_mode mode);
/* Linear audio in; buffered, written every MEDIA_RECFILE_FLUSH_SAMPLES. */
int media_recfile_write(struct media_recfile *f, const int16_t *pcm,
			size_t n);
/* What is buffered to the file, and the header's sizes right. */
int media_recfile_flush(struct media_recfile *f);
/* Samples in the file (those it had when appended to, too). */
uint64_t media_recfile_samples(const struct media_recfile *f);
/* Drop the last n samples (trailing silence). */
int media_recfile_trim(struct media_recfile *f, uint64_t n);
/* Remove the file from its directory (it stays open). */
void media_recfile_unlink(struct media_recfile *f);
/* Flush and close when `keep`, else just close; then free. Returns the
 * first error the file met. */
int media_recfile_close(struct media_recfile *f, bool keep);

/* ---- recorder_silence.c: Asterisk's silence detection ---- */

/* ast_dsp_silence as __ast_play_and_record uses it: a frame is silent when
 * its mean absolute sample is below the threshold (128); runs of silence
 * add up in milliseconds, and time paused does not count towards
 * maxSilence. */
struct media_rec_silence {
	int threshold;
	int run_ms;      /* the current run (dspsilence as the DSP gives it) */
	int old_run_ms;  /* the previous frame's run (olddspsilence) */
	int last_ms;     /* the last run counted for maxSilence */
	int total_ms;    /* the runs so far (totalsilence) */
	int paused_ms;   /* the part of the run spent paused */
};

#define MEDIA_REC_SILENCE_THRESHOLD 128

void media_rec_silence_init(struct media_rec_silence *s);
/* One frame of n samples; returns the run that counts for maxSilence. */
int media_rec_silence_frame(struct media_rec_silence *s, const int16_t *pcm,
			    size_t n, bool paused);
/* The durations Asterisk reports for a file of `samples` (before any
 * trim): *duration the seconds less the trailing silence beyond 200 ms;
 * *talking (when `detect`, else -1) the seconds less all silence. */
void media_rec_silence_durations(const struct media_rec_silence *s,
				 uint64_t samples, bool detect, int *duration,
				 int *talking);
/* Samples of trailing silence to cut when a recording ends on silence,
 * its maximum duration or a digit: all but the first 200 ms. */
uint64_t media_rec_silence_trim(const struct media_rec_silence *s);

/* ---- recorder.c: start and stop (media.c) ---- */

int media_recorder_init(void);
/* Ends what still records (the files are finalised), unregisters. */
void media_recorder_close(void);

#endif
