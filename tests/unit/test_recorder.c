/* test_recorder.c — the pure parts of recording in src/media: the files
 * (recorder_file.c: a WAV whose header counts what reached the disk at
 * least every second, appending, trimming, raw G.711 and linear) and
 * Asterisk's silence arithmetic (recorder_silence.c: runs, time paused,
 * the durations a LiveRecording reports, the trim). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <inttypes.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <re_types.h>
#include <re_mem.h>
#include <rem_g711.h>
#include "base/log.h"
#include "media/media_int.h"
#include "media/recorder_int.h"

static char tmpdir[256];
static char file[300];

static int setup(void **state)
{
	(void)state;
	log_set_quiet(1);
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_recorder_XXXXXX");
	if (!mkdtemp(tmpdir))
		return -1;
	snprintf(file, sizeof(file), "%s/r.wav", tmpdir);
	return 0;
}

static int teardown(void **state)
{
	char cmd[300];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static size_t slurp(const char *path, uint8_t *b, size_t size)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	assert_non_null(f);
	n = fread(b, 1, size, f);
	fclose(f);
	return n;
}

static uint32_t le32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static void ramp(int16_t *s, size_t n, int start)
{
	for (size_t i = 0; i < n; i++)
		s[i] = (int16_t)(start + (int)i);
}

/* ---- files ---- */

static void wav_header_counts_what_reached_the_disk_every_second(
	void **state)
{
	static uint8_t b[64000];
	int16_t s[MEDIA_FRAME];
	struct media_recfile *f = NULL;
	size_t n;

	(void)state;
	assert_int_equal(media_recfile_open(&f, file, "wav",
					    MEDIA_RECFILE_NEW), 0);
	n = slurp(file, b, sizeof(b));
	assert_int_equal(n, 44);
	assert_memory_equal(b, "RIFF", 4);
	assert_memory_equal(b + 8, "WAVEfmt ", 8);
	assert_int_equal(le32(b + 24), 8000);
	assert_int_equal(b[20] | b[21] << 8, 1);   /* PCM */
	assert_int_equal(b[22] | b[23] << 8, 1);   /* mono */
	assert_int_equal(b[34] | b[35] << 8, 16);
	/* 1.5 s in 20 ms frames: the first second is on disk, counted. */
	for (int i = 0; i < 75; i++) {
		ramp(s, MEDIA_FRAME, i);
		assert_int_equal(media_recfile_write(f, s, MEDIA_FRAME), 0);
	}
	n = slurp(file, b, sizeof(b));
	assert_int_equal(n, 44 + 16000);
	assert_int_equal(le32(b + 4), 36 + 16000);
	assert_int_equal(le32(b + 40), 16000);
	assert_int_equal(media_recfile_samples(f), 12000);
	assert_int_equal(media_recfile_close(f, true), 0);
	n = slurp(file, b, sizeof(b));
	assert_int_equal(n, 44 + 24000);
	assert_int_equal(le32(b + 40), 24000);
	assert_int_equal(le32(b + 4), 36 + 24000);
	/* little-endian samples as written: frame 74 starts at 74 */
	assert_int_equal((int16_t)(b[44 + 2 * 74 * 160] |
				   b[45 + 2 * 74 * 160] << 8), 74);
}

static void new_refuses_an_existing_file_and_unknown_formats(void **state)
{
	struct media_recfile *f = NULL;

	(void)state;
	assert_int_equal(media_recfile_open(&f, file, "wav",
					    MEDIA_RECFILE_NEW), 0);
	media_recfile_close(f, true);
	assert_int_equal(media_recfile_open(&f, file, "wav",
					    MEDIA_RECFILE_NEW), EEXIST);
	assert_int_equal(media_recfile_open(&f, file, "mp3",
					    MEDIA_RECFILE_TRUNCATE), EINVAL);
	assert_int_equal(media_recfile_open(&f, file, "wav",
					    MEDIA_RECFILE_TRUNCATE), 0);
	assert_int_equal(media_recfile_samples(f), 0);
	media_recfile_close(f, true);
}

/* A crash left 100 samples after a header that counts 40: appending
 * goes on after all of them. */
static void append_goes_on_after_what_the_file_holds(void **state)
{
	static uint8_t b[4096];
	int16_t s[100];
	struct media_recfile *f = NULL;
	FILE *fp;
	size_t n;

	(void)state;
	assert_int_equal(media_recfile_open(&f, file, "wav",
					    MEDIA_RECFILE_NEW), 0);
	ramp(s, 100, 0);
	media_recfile_write(f, s, 100);
	media_recfile_close(f, true);
	fp = fopen(file, "r+b");
	fseek(fp, 40, SEEK_SET);
	fputc(80, fp);  /* 40 samples */
	fputc(0, fp);
	fclose(fp);
	assert_int_equal(media_recfile_open(&f, file, "wav",
					    MEDIA_RECFILE_APPEND), 0);
	assert_int_equal(media_recfile_samples(f), 100);
	ramp(s, 10, 1000);
	media_recfile_write(f, s, 10);
	assert_int_equal(media_recfile_close(f, true), 0);
	n = slurp(file, b, sizeof(b));
	assert_int_equal(n, 44 + 220);
	assert_int_equal(le32(b + 40), 220);
	assert_int_equal((int16_t)(b[44 + 198] | b[45 + 198] << 8), 99);
	assert_int_equal((int16_t)(b[44 + 200] | b[45 + 200] << 8), 1000);
}

static void append_refuses_a_wav_it_cannot_continue(void **state)
{
	static const uint8_t stereo[44] = {
		'R', 'I', 'F', 'F', 36, 0, 0, 0, 'W', 'A', 'V', 'E',
		'f', 'm', 't', ' ', 16, 0, 0, 0, 1, 0, 2, 0,
		0x40, 0x1f, 0, 0, 0, 0x7d, 0, 0, 4, 0, 16, 0,
		'd', 'a', 't', 'a', 0, 0, 0, 0 };
	struct media_recfile *f = NULL;
	FILE *fp = fopen(file, "wb");

	(void)state;
	fwrite(stereo, 1, sizeof(stereo), fp);
	fclose(fp);
	assert_int_equal(media_recfile_open(&f, file, "wav",
					    MEDIA_RECFILE_APPEND), EINVAL);
	fp = fopen(file, "wb");
	fputs("not a wav at all", fp);
	fclose(fp);
	assert_int_equal(media_recfile_open(&f, file, "wav",
					    MEDIA_RECFILE_APPEND), EINVAL);
}

static void trim_cuts_the_end_and_fixes_the_header(void **state)
{
	static uint8_t b[64000];
	int16_t s[MEDIA_FRAME] = {0};
	struct media_recfile *f = NULL;

	(void)state;
	assert_int_equal(media_recfile_open(&f, file, "wav",
					    MEDIA_RECFILE_NEW), 0);
	for (int i = 0; i < 60; i++)
		media_recfile_write(f, s, MEDIA_FRAME);
	assert_int_equal(media_recfile_trim(f, 1600), 0);
	assert_int_equal(media_recfile_samples(f), 9600 - 1600);
	assert_int_equal(media_recfile_close(f, true), 0);
	assert_int_equal(slurp(file, b, sizeof(b)), 44 + 16000);
	assert_int_equal(le32(b + 40), 16000);
}

/* n samples of s into a new raw file of `fmt`; its bytes into b. */
static size_t write_raw(const char *fmt, const int16_t *s, size_t n,
			uint8_t *b, size_t size)
{
	struct media_recfile *f = NULL;

	snprintf(file, sizeof(file), "%s/r.%s", tmpdir, fmt);
	assert_int_equal(media_recfile_open(&f, file, fmt,
					    MEDIA_RECFILE_NEW), 0);
	media_recfile_write(f, s, n);
	assert_int_equal(media_recfile_close(f, true), 0);
	return slurp(file, b, size);
}

static void raw_formats_are_one_byte_g711_or_two_byte_linear(void **state)
{
	static const int16_t s[4] = {0, 1000, -1000, 32000};
	uint8_t b[16];
	struct media_recfile *f = NULL;

	(void)state;
	assert_int_equal(write_raw("alaw", s, 4, b, sizeof(b)), 4);
	assert_int_equal(b[3], g711_pcm2alaw(32000));
	assert_int_equal(write_raw("sln", s, 4, b, sizeof(b)), 8);
	assert_int_equal((int16_t)(b[2] | b[3] << 8), 1000);
	assert_int_equal(write_raw("ulaw", s, 4, b, sizeof(b)), 4);
	for (int i = 0; i < 4; i++)
		assert_int_equal(b[i], g711_pcm2ulaw(s[i]));
	/* append: after the bytes there */
	assert_int_equal(media_recfile_open(&f, file, "ulaw",
					    MEDIA_RECFILE_APPEND), 0);
	assert_int_equal(media_recfile_samples(f), 4);
	media_recfile_write(f, s, 2);
	media_recfile_close(f, true);
	assert_int_equal(slurp(file, b, sizeof(b)), 6);
}

/* ---- silence ---- */

static void frames(struct media_rec_silence *s, int n, int16_t level,
		   bool paused, int *run)
{
	int16_t pcm[MEDIA_FRAME];

	for (int i = 0; i < MEDIA_FRAME; i++)
		pcm[i] = (int16_t)(i % 2 ? level : -level);
	for (int i = 0; i < n; i++)
		*run = media_rec_silence_frame(s, pcm, MEDIA_FRAME, paused);
}

static void silence_runs_count_frames_below_128_and_reset_on_sound(
	void **state)
{
	struct media_rec_silence s;
	int run = 0;

	(void)state;
	media_rec_silence_init(&s);
	frames(&s, 10, 127, false, &run);
	assert_int_equal(run, 200);
	frames(&s, 1, 128, false, &run);
	assert_int_equal(run, 0);
	assert_int_equal(s.total_ms, 200);
	frames(&s, 5, 0, false, &run);
	assert_int_equal(run, 100);
}

static void silence_while_paused_does_not_count_towards_max_silence(
	void **state)
{
	struct media_rec_silence s;
	int run = 0;

	(void)state;
	media_rec_silence_init(&s);
	frames(&s, 50, 0, true, &run);   /* 1 s paused */
	assert_int_equal(run, 1000);
	frames(&s, 10, 0, false, &run);  /* then 200 ms recorded */
	assert_int_equal(run, 200);
	frames(&s, 1, 5000, false, &run);
	frames(&s, 10, 0, false, &run);
	assert_int_equal(run, 200);
}

/* Asterisk: duration from the samples written, less the trailing silence
 * beyond 200 ms (whole seconds, truncated); talking less all silence. */
static void durations_follow_asterisks_arithmetic(void **state)
{
	struct media_rec_silence s;
	int run = 0, duration, talking;

	(void)state;
	media_rec_silence_init(&s);
	frames(&s, 75, 5000, false, &run);   /* 1.5 s talk */
	frames(&s, 101, 0, false, &run);     /* 2.02 s silence */
	media_rec_silence_durations(&s, 176 * MEDIA_FRAME, true, &duration,
				    &talking);
	assert_int_equal(duration, 3 - 1);
	assert_int_equal(talking, 3 - 1);
	assert_int_equal(media_rec_silence_trim(&s), (2020 - 200) * 8);
	media_rec_silence_durations(&s, 176 * MEDIA_FRAME, false, &duration,
				    &talking);
	assert_int_equal(duration, 3);
	assert_int_equal(talking, -1);

	/* 1.2 s of silence inside, talk at the end: talking loses 1 s */
	media_rec_silence_init(&s);
	frames(&s, 50, 5000, false, &run);
	frames(&s, 60, 0, false, &run);
	frames(&s, 100, 5000, false, &run);
	media_rec_silence_durations(&s, 210 * MEDIA_FRAME, true, &duration,
				    &talking);
	assert_int_equal(duration, 4);
	assert_int_equal(talking, 3);
	assert_int_equal(media_rec_silence_trim(&s), 0);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(wav_header_counts_what_reached_the_disk_every_second),
		T(new_refuses_an_existing_file_and_unknown_formats),
		T(append_goes_on_after_what_the_file_holds),
		T(append_refuses_a_wav_it_cannot_continue),
		T(trim_cuts_the_end_and_fixes_the_header),
		T(raw_formats_are_one_byte_g711_or_two_byte_linear),
		T(silence_runs_count_frames_below_128_and_reset_on_sound),
		T(silence_while_paused_does_not_count_towards_max_silence),
		T(durations_follow_asterisks_arithmetic),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
