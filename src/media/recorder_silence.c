/* recorder_silence.c — silence in a recording, counted the way Asterisk's
 * __ast_play_and_record counts it with ast_dsp_silence (main/app.c,
 * main/dsp.c): what stops a recording after maxSilenceSeconds, how much is
 * trimmed off its end, and the duration, talking_duration and
 * silence_duration a LiveRecording reports. Pure arithmetic on frames:
 * no files, no channels. */
#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include "media/media_int.h"
#include "media/recorder_int.h"

#define KEEP_MS 200   /* of trailing silence, Asterisk keeps this much */

void media_rec_silence_init(struct media_rec_silence *s)
{
	memset(s, 0, sizeof(*s));
	s->threshold = MEDIA_REC_SILENCE_THRESHOLD;
}

/* ast_dsp_silence: the current run of silent frames in ms, 0 after a
 * frame above the threshold. */
static int dsp_run(struct media_rec_silence *s, const int16_t *pcm, size_t n)
{
	long accum = 0;

	for (size_t i = 0; i < n; i++)
		accum += labs((long)pcm[i]);
	if (n && accum / (long)n < s->threshold)
		s->run_ms += (int)(n / (MEDIA_SRATE / 1000));
	else
		s->run_ms = 0;
	return s->run_ms;
}

int media_rec_silence_frame(struct media_rec_silence *s, const int16_t *pcm,
			    size_t n, bool paused)
{
	int run = dsp_run(s, pcm, n);

	/* A run that ended (or restarted) adds to the total. */
	if (s->old_run_ms > run)
		s->total_ms += s->old_run_ms;
	s->old_run_ms = run;
	/* Silence while paused does not count towards maxSilence. */
	if (paused)
		s->paused_ms = run;
	else if (run > s->paused_ms)
		run -= s->paused_ms;
	else
		s->paused_ms = 0;
	s->last_ms = run;
	return run;
}

void media_rec_silence_durations(const struct media_rec_silence *s,
				 uint64_t samples, bool detect, int *duration,
				 int *talking)
{
	int secs = (int)(samples / MEDIA_SRATE);
	int total = s->total_ms;

	*duration = secs;
	*talking = -1;
	if (!detect)
		return;
	/* The run still going at the end counts too. */
	if (s->old_run_ms <= s->last_ms)
		total += s->last_ms;
	*talking = secs;
	if (total > 0)
		*talking -= (total - KEEP_MS) / 1000;
	if (*talking < 0)
		*talking = 0;
	if (s->last_ms > 0)
		*duration -= (s->last_ms - KEEP_MS) / 1000;
	if (*duration < 0)
		*duration = 0;
}

uint64_t media_rec_silence_trim(const struct media_rec_silence *s)
{
	if (s->last_ms <= KEEP_MS)
		return 0;
	return (uint64_t)(s->last_ms - KEEP_MS) * (MEDIA_SRATE / 1000);
}
