/* test_playback.c — the pure parts of playback: tone indication strings,
 * the WAV reader, sound lookup with language fallback, say: decompositions,
 * media sources (offset/skip) and the split of ARI's media list. */
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
#include "core/playback.h"
#include "media/playback_int.h"

static char tmpdir[256];

static int make_tmp(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_playback_XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int rm_tmp(void **state)
{
	char cmd[300];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = v & 0xff; p[1] = (v >> 8) & 0xff;
	p[2] = (v >> 16) & 0xff; p[3] = v >> 24;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v & 0xff; p[1] = v >> 8;
}

/* A WAV file with n samples s[i] = i, with an extra LIST chunk before
 * data to show chunks are walked. */
static void write_wav(const char *path, uint32_t rate, uint16_t chans,
		      uint16_t bits, size_t n)
{
	uint8_t h[12 + 24 + 12 + 8];
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	memcpy(h, "RIFF", 4);
	put32(h + 4, (uint32_t)(sizeof(h) - 8 + n * 2));
	memcpy(h + 8, "WAVE", 4);
	memcpy(h + 12, "fmt ", 4);
	put32(h + 16, 16);
	put16(h + 20, 1);
	put16(h + 22, chans);
	put32(h + 24, rate);
	put32(h + 28, rate * chans * bits / 8);
	put16(h + 32, (uint16_t)(chans * bits / 8));
	put16(h + 34, bits);
	memcpy(h + 36, "LIST", 4);
	put32(h + 40, 4);
	memcpy(h + 44, "INFO", 4);
	memcpy(h + 48, "data", 4);
	put32(h + 52, (uint32_t)(n * 2));
	fwrite(h, 1, sizeof(h), f);
	for (size_t i = 0; i < n; i++) {
		uint8_t b[2];

		put16(b, (uint16_t)i);
		fwrite(b, 1, 2, f);
	}
	fclose(f);
}

static void tone_strings_parse_like_asterisk(void **state)
{
	struct media_tone_prog *p = NULL;
	unsigned f1, f2, ms;
	bool mod, once;

	(void)state;
	assert_int_equal(media_tone_prog_parse(&p, "440+480/2000,0/4000"), 0);
	assert_int_equal(media_tone_prog_count(p), 2);
	media_tone_prog_part(p, 0, &f1, &f2, &ms, &mod, &once);
	assert_int_equal(f1, 440);
	assert_int_equal(f2, 480);
	assert_int_equal(ms, 2000);
	assert_false(once);
	media_tone_prog_part(p, 1, &f1, &f2, &ms, &mod, &once);
	assert_int_equal(f1, 0);
	assert_int_equal(ms, 4000);
	p = mem_deref(p);

	assert_int_equal(media_tone_prog_parse(&p, "!950/330, !1400/330,425*25/100,M69"), 0);
	media_tone_prog_part(p, 0, &f1, &f2, &ms, &mod, &once);
	assert_true(once);
	media_tone_prog_part(p, 2, &f1, &f2, &ms, &mod, &once);
	assert_true(mod);
	assert_int_equal(f2, 25);
	media_tone_prog_part(p, 3, &f1, &f2, &ms, &mod, &once);
	assert_int_equal(f1, 440);  /* MIDI 69 is A4 */
	assert_int_equal(ms, 0);
	p = mem_deref(p);

	assert_int_equal(media_tone_prog_parse(&p, "ring"), EINVAL);
	assert_int_equal(media_tone_prog_parse(&p, "440/"), EINVAL);
	assert_int_equal(media_tone_prog_parse(&p, "440+/10"), EINVAL);
	assert_int_equal(media_tone_prog_parse(&p, ""), EINVAL);
	assert_int_equal(media_tone_prog_parse(&p, "5000"), EINVAL);
	assert_null(p);
}

static void named_tones_are_the_us_zone(void **state)
{
	(void)state;
	assert_string_equal(media_tone_lookup("ring", NULL), "440+480/2000,0/4000");
	assert_string_equal(media_tone_lookup("busy", "us"), "480+620/500,0/500");
	assert_string_equal(media_tone_lookup("congestion", NULL), "480+620/250,0/250");
	assert_string_equal(media_tone_lookup("dial", NULL), "350+440");
	assert_non_null(media_tone_lookup("info", NULL));
	assert_null(media_tone_lookup("440/100", NULL));
}

static void tone_once_ends_and_repeating_tone_cycles(void **state)
{
	struct media_tone_prog *p = NULL;
	struct media_tone_state *ts = NULL;
	int16_t pcm[MEDIA_FRAME];
	size_t total = 0, got;
	bool loud = false;

	(void)state;
	/* 100 ms of tone then 20 ms of silence, once: 960 samples. */
	assert_int_equal(media_tone_prog_parse(&p, "!1000/100,!0/20"), 0);
	assert_int_equal(media_tone_state_alloc(&ts, p), 0);
	while ((got = media_tone_read(ts, pcm, MEDIA_FRAME)) > 0) {
		for (size_t i = 0; i < got; i++)
			loud |= pcm[i] > 5000;
		total += got;
		if (got < MEDIA_FRAME)
			break;
	}
	assert_int_equal(total, 960);
	assert_true(loud);
	mem_deref(ts);
	mem_deref(p);

	p = NULL;
	ts = NULL;
	assert_int_equal(media_tone_prog_parse(&p, "440/20,0/20"), 0);
	assert_int_equal(media_tone_state_alloc(&ts, p), 0);
	for (int i = 0; i < 10; i++)
		assert_int_equal(media_tone_read(ts, pcm, MEDIA_FRAME), MEDIA_FRAME);
	mem_deref(ts);
	mem_deref(p);
}

static void wav_reader_takes_8k_16bit_mono_only(void **state)
{
	char path[300];
	int16_t *s = NULL;
	size_t n = 0;

	(void)state;
	snprintf(path, sizeof(path), "%s/ok.wav", tmpdir);
	write_wav(path, 8000, 1, 16, 400);
	assert_int_equal(media_sound_wav_read(path, &s, &n), 0);
	assert_int_equal(n, 400);
	assert_int_equal(s[0], 0);
	assert_int_equal(s[399], 399);
	s = mem_deref(s);

	snprintf(path, sizeof(path), "%s/wide.wav", tmpdir);
	write_wav(path, 16000, 1, 16, 10);
	assert_int_equal(media_sound_wav_read(path, &s, &n), EINVAL);
	snprintf(path, sizeof(path), "%s/stereo.wav", tmpdir);
	write_wav(path, 8000, 2, 16, 10);
	assert_int_equal(media_sound_wav_read(path, &s, &n), EINVAL);
	snprintf(path, sizeof(path), "%s/8bit.wav", tmpdir);
	write_wav(path, 8000, 1, 8, 10);
	assert_int_equal(media_sound_wav_read(path, &s, &n), EINVAL);
	snprintf(path, sizeof(path), "%s/none.wav", tmpdir);
	assert_int_equal(media_sound_wav_read(path, &s, &n), ENOENT);
	assert_null(s);
}

static void sound_lookup_falls_back_like_asterisk(void **state)
{
	char path[512], d[300];

	(void)state;
	snprintf(d, sizeof(d), "%s/snd", tmpdir);
	mkdir(d, 0755);
	snprintf(d, sizeof(d), "%s/snd/en", tmpdir);
	mkdir(d, 0755);
	snprintf(d, sizeof(d), "%s/snd/fr", tmpdir);
	mkdir(d, 0755);
	snprintf(d, sizeof(d), "%s/snd/en/hello.wav", tmpdir);
	write_wav(d, 8000, 1, 16, 10);
	snprintf(d, sizeof(d), "%s/snd/fr/bonjour.wav", tmpdir);
	write_wav(d, 8000, 1, 16, 10);
	snprintf(d, sizeof(d), "%s/snd/plain.wav", tmpdir);
	write_wav(d, 8000, 1, 16, 10);
	snprintf(d, sizeof(d), "%s/snd", tmpdir);
	media_sound_set_dir(d);

	assert_int_equal(media_sound_resolve(path, sizeof(path), "bonjour", "fr_CA"), 0);
	assert_non_null(strstr(path, "/fr/bonjour.wav"));
	assert_int_equal(media_sound_resolve(path, sizeof(path), "hello", "fr"), 0);
	assert_non_null(strstr(path, "/en/hello.wav"));  /* default language */
	assert_int_equal(media_sound_resolve(path, sizeof(path), "plain", "en"), 0);
	assert_non_null(strstr(path, "/snd/plain.wav"));  /* no language */
	assert_int_equal(media_sound_resolve(path, sizeof(path), "missing", "en"), ENOENT);
	assert_int_equal(media_sound_resolve(path, sizeof(path), "../x", "en"), EINVAL);
	media_sound_set_dir(NULL);
	assert_string_equal(media_sound_dir(), MEDIA_SOUND_DEFAULT_DIR);
}

static void say_number_decomposes_english_cardinals(void **state)
{
	char out[512];

	(void)state;
	assert_int_equal(media_say_number(out, sizeof(out), 0), 0);
	assert_string_equal(out, "digits/0");
	assert_int_equal(media_say_number(out, sizeof(out), 19), 0);
	assert_string_equal(out, "digits/19");
	assert_int_equal(media_say_number(out, sizeof(out), 42), 0);
	assert_string_equal(out, "digits/40&digits/2");
	assert_int_equal(media_say_number(out, sizeof(out), 300), 0);
	assert_string_equal(out, "digits/3&digits/hundred");
	assert_int_equal(media_say_number(out, sizeof(out), -1215), 0);
	assert_string_equal(out, "digits/minus&digits/1&digits/thousand&"
			    "digits/2&digits/hundred&digits/15");
	assert_int_equal(media_say_number(out, sizeof(out), 2000001), 0);
	assert_string_equal(out, "digits/2&digits/million&digits/1");
	assert_int_equal(media_say_number(out, sizeof(out), 3000000000L), 0);
	assert_string_equal(out, "digits/3&digits/billion");
	assert_int_equal(media_say_number(out, 8, 42), ENOSPC);
}

static void say_digits_and_characters_pick_the_files(void **state)
{
	char out[512];

	(void)state;
	assert_int_equal(media_say_digits(out, sizeof(out), "1*#x0"), 0);
	assert_string_equal(out, "digits/1&digits/star&digits/pound&digits/0");
	assert_int_equal(media_say_characters(out, sizeof(out), "aB1 !."), 0);
	assert_string_equal(out, "letters/a&letters/b&digits/1&letters/space&"
			    "letters/exclaimation-point&letters/dot");
}

static void media_list_split_keeps_tone_commas(void **state)
{
	char buf[200];
	const char *u[8];

	(void)state;
	snprintf(buf, sizeof(buf), "sound:a,tone:440/200,0/200,digits:12");
	assert_int_equal(playback_media_split(buf, u, 8), 3);
	assert_string_equal(u[0], "sound:a");
	assert_string_equal(u[1], "tone:440/200,0/200");
	assert_string_equal(u[2], "digits:12");
	snprintf(buf, sizeof(buf), "sound:a");
	assert_int_equal(playback_media_split(buf, u, 8), 1);
	snprintf(buf, sizeof(buf), "sound:a,sound:b,sound:c");
	assert_int_equal(playback_media_split(buf, u, 2), 2);
}

static void sources_seek_and_open_uris(void **state)
{
	char path[300];
	const char *paths[2];
	struct media_src *src = NULL;
	int16_t pcm[MEDIA_FRAME];

	(void)state;
	snprintf(path, sizeof(path), "%s/seek.wav", tmpdir);
	write_wav(path, 8000, 1, 16, 800);  /* 100 ms */
	paths[0] = path;
	paths[1] = path;
	assert_int_equal(media_src_open_files(&src, paths, 2, false), 0);
	media_src_seek(src, 50);  /* 400 samples in */
	assert_int_equal(media_src_read(src, pcm, MEDIA_FRAME), MEDIA_FRAME);
	assert_int_equal(pcm[0], 400);
	media_src_seek(src, 60);  /* into the second file: 560 + 480 = 1040 */
	assert_int_equal(media_src_read(src, pcm, 1), 1);
	assert_int_equal(pcm[0], 240);
	media_src_seek(src, -1000);
	assert_int_equal(media_src_read(src, pcm, 1), 1);
	assert_int_equal(pcm[0], 0);
	media_src_seek(src, 1000);  /* past the end: over */
	assert_int_equal(media_src_read(src, pcm, MEDIA_FRAME), 0);
	src = mem_deref(src);

	assert_int_equal(media_src_open(&src, "tone:ring", NULL), 0);
	assert_int_equal(media_src_read(src, pcm, MEDIA_FRAME), MEDIA_FRAME);
	src = mem_deref(src);
	assert_int_equal(media_src_open(&src, "tone:nonsense", NULL), EINVAL);
	assert_int_equal(media_src_open(&src, "recording:x", NULL), ENOENT);
	assert_int_equal(media_src_open(&src, "http://x", NULL), ENOTSUP);
	assert_int_equal(media_src_open(&src, "number:12x", NULL), EINVAL);
	assert_int_equal(media_src_open(&src, "sound:", NULL), EINVAL);
	assert_null(src);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(tone_strings_parse_like_asterisk),
		cmocka_unit_test(named_tones_are_the_us_zone),
		cmocka_unit_test(tone_once_ends_and_repeating_tone_cycles),
		cmocka_unit_test(wav_reader_takes_8k_16bit_mono_only),
		cmocka_unit_test(sound_lookup_falls_back_like_asterisk),
		cmocka_unit_test(say_number_decomposes_english_cardinals),
		cmocka_unit_test(say_digits_and_characters_pick_the_files),
		cmocka_unit_test(media_list_split_keeps_tone_commas),
		cmocka_unit_test(sources_seek_and_open_uris),
	};

	return cmocka_run_group_tests(tests, make_tmp, rm_tmp);
}
