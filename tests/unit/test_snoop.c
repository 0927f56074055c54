/* test_snoop.c — the Snoop channel technology (src/media/snoop.c) on a
 * target channel whose transport is faked in-process: the target "sends"
 * a 1 kHz tone and hears a 500 Hz one from its generator, and the test
 * runs the media tick by hand. Spy "in" must hear only the 1 kHz side,
 * "out" only the 500 Hz side, "both" both; whisper adds the snoop
 * channel's own audio (2 kHz) to the chosen direction of the target; the
 * snoop channel ends after its target, and a snoop channel that goes
 * first leaves the target untouched. The fake far end and the tone
 * generators are mix_test.h's; tones are told apart by Goertzel. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <inttypes.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <re_types.h>
#include <re_fmt.h>
#include <re_mem.h>
#include <re_list.h>
#include <re_tmr.h>
#include <re_main.h>
#include "base/log.h"
#include "core/channel.h"
#include "media/media.h"
#include "media/media_chan.h"
#include "mix_test.h"

/* Power of f relative to the frame's energy (1 = all of it). */
static double share(const int16_t *x, double f)
{
	double e = 0;

	for (size_t i = 0; i < MEDIA_FRAME; i++)
		e += (double)x[i] * x[i];
	return e > 0 ? ft_goertzel(x, MEDIA_FRAME, f) * 2 / (MEDIA_FRAME * e)
		     : 0;
}

/* The target: its far end says 1 kHz (what it sends us) and hears what
 * the target is sent, which its own generator makes: 500 Hz. */
static struct channel *target;
static struct ft *tgt;
static struct tgen target_hears;

static int setup(void **state)
{
	(void)state;
	target = ft_channel("target", MEDIA_CODEC_NONE, 1000, &tgt);
	tgen_init(&target_hears, 500);
	media_chan_gen_push(media_chan_get(target, false), &target_hears.gen);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	if (target && !channel_is_hungup(target))
		channel_hangup(target, CAUSE_NORMAL_CLEARING, "test");
	mem_deref(tgt);
	target = NULL;
	tgt = NULL;
	return 0;
}

static struct channel *snoop(const char *spy, const char *whisper)
{
	char dial[200];
	struct channel *ch = NULL;

	snprintf(dial, sizeof(dial), "Snoop/%s,%s,%s", spy, whisper,
		 channel_id(target));
	assert_int_equal(channel_request(&ch, dial, NULL, NULL), 0);
	return ch;
}

/* What the snoop channel sends (its frame of the last tick). */
static const int16_t *heard_by(struct channel *snoop_ch)
{
	const int16_t *f = media_chan_rx_frame(media_chan_get(snoop_ch,
							      false));

	assert_non_null(f);
	return f;
}

static void request_checks_directions_and_target(void **state)
{
	struct channel *ch = NULL;
	char dial[200];

	(void)state;
	snprintf(dial, sizeof(dial), "Snoop/none,none,%s",
		 channel_id(target));
	assert_int_equal(channel_request(&ch, dial, NULL, NULL), EINVAL);
	snprintf(dial, sizeof(dial), "Snoop/up,none,%s", channel_id(target));
	assert_int_equal(channel_request(&ch, dial, NULL, NULL), EINVAL);
	assert_int_equal(channel_request(&ch, "Snoop/in,none,nosuch", NULL,
					 NULL), ENOENT);
	assert_int_equal(channel_request(&ch, "Snoop/in", NULL, NULL),
			 EINVAL);
	assert_null(ch);
}

static void snoop_channel_is_named_after_its_target_and_up(void **state)
{
	struct channel *ch;
	char prefix[160];

	(void)state;
	ch = snoop("in", "none");
	snprintf(prefix, sizeof(prefix), "Snoop/%s-", channel_id(target));
	assert_memory_equal(channel_name(ch), prefix, strlen(prefix));
	assert_int_equal(strlen(channel_name(ch)), strlen(prefix) + 8);
	assert_int_equal(channel_state(ch), CHANNEL_UP);
	channel_hangup(ch, CAUSE_NORMAL_CLEARING, "test");
}

static void spy_in_hears_only_what_the_target_sends(void **state)
{
	struct channel *ch;

	(void)state;
	ch = snoop("in", "none");
	ft_ticks(3);
	assert_true(share(heard_by(ch), 1000) > 0.8);
	assert_true(share(heard_by(ch), 500) < 0.05);
	channel_hangup(ch, CAUSE_NORMAL_CLEARING, "test");
}

static void spy_out_hears_only_what_the_target_hears(void **state)
{
	struct channel *ch;

	(void)state;
	ch = snoop("out", "none");
	ft_ticks(3);
	assert_true(share(heard_by(ch), 500) > 0.8);
	assert_true(share(heard_by(ch), 1000) < 0.05);
	channel_hangup(ch, CAUSE_NORMAL_CLEARING, "test");
}

static void spy_both_hears_both_directions(void **state)
{
	struct channel *ch;

	(void)state;
	ch = snoop("both", "none");
	ft_ticks(3);
	assert_true(share(heard_by(ch), 500) > 0.3);
	assert_true(share(heard_by(ch), 1000) > 0.3);
	channel_hangup(ch, CAUSE_NORMAL_CLEARING, "test");
}

static void whisper_out_is_heard_by_the_target_only(void **state)
{
	struct tgen coach;
	struct channel *ch;

	(void)state;
	tgen_init(&coach, 2000);
	ch = snoop("none", "out");
	media_chan_gen_push(media_chan_get(ch, false), &coach.gen);
	ft_ticks(3);
	ft_reset(tgt);
	ft_ticks(3);
	/* The target hears its own 500 Hz and the whisper... */
	assert_true(FT_HEARS(tgt, 2000));
	assert_true(FT_HEARS(tgt, 500));
	/* ...but what it sends is untouched. */
	assert_true(share(media_chan_rx_frame(media_chan_get(target, false)),
			  2000) < 0.05);
	channel_hangup(ch, CAUSE_NORMAL_CLEARING, "test");
}

static void whisper_in_reaches_what_the_target_sends(void **state)
{
	struct tgen coach;
	const int16_t *rx;
	struct channel *ch;

	(void)state;
	tgen_init(&coach, 2000);
	ch = snoop("none", "in");
	media_chan_gen_push(media_chan_get(ch, false), &coach.gen);
	ft_ticks(3);
	ft_reset(tgt);
	ft_ticks(3);
	rx = media_chan_rx_frame(media_chan_get(target, false));
	assert_non_null(rx);
	assert_true(share(rx, 2000) > 0.3);
	assert_true(share(rx, 1000) > 0.3);
	assert_true(FT_DEAF_TO(tgt, 2000));
	channel_hangup(ch, CAUSE_NORMAL_CLEARING, "test");
}

static struct tmr stop_tmr;

static void stop_loop(void *arg)
{
	(void)arg;
	re_cancel();
}

static void run_loop_ms(unsigned ms)
{
	tmr_start(&stop_tmr, ms, stop_loop, NULL);
	re_main(NULL);
	tmr_cancel(&stop_tmr);
}

static void snoop_channel_ends_after_its_target(void **state)
{
	struct channel *ch;
	char id[64];

	(void)state;
	ch = snoop("both", "both");
	snprintf(id, sizeof(id), "%s", channel_id(ch));
	ft_ticks(2);
	channel_hangup(target, CAUSE_NORMAL_CLEARING, "test");
	target = NULL;
	/* Not inside the target's own hangup: on the next loop turn. */
	assert_non_null(channel_find(id));
	run_loop_ms(20);
	assert_null(channel_find(id));
}

static void snoop_going_first_leaves_the_target_working(void **state)
{
	struct channel *ch;

	(void)state;
	ch = snoop("both", "both");
	ft_ticks(2);
	channel_hangup(ch, CAUSE_NORMAL_CLEARING, "test");
	ft_reset(tgt);
	ft_ticks(3);
	assert_false(channel_is_hungup(target));
	assert_true(FT_HEARS(tgt, 500));
	assert_true(FT_DEAF_TO(tgt, 1000));
	/* Two snoops at once, each with its own tap. */
	ch = snoop("in", "none");
	snoop("out", "none");
	ft_ticks(2);
	assert_true(share(heard_by(ch), 1000) > 0.8);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(request_checks_directions_and_target),
		T(snoop_channel_is_named_after_its_target_and_up),
		T(spy_in_hears_only_what_the_target_sends),
		T(spy_out_hears_only_what_the_target_hears),
		T(spy_both_hears_both_directions),
		T(whisper_out_is_heard_by_the_target_only),
		T(whisper_in_reaches_what_the_target_sends),
		T(snoop_channel_ends_after_its_target),
		T(snoop_going_first_leaves_the_target_working),
	};
	int ret;

	log_set_quiet(1);
	libre_init();
	tmr_init(&stop_tmr);
	channel_tech_register(&ft_tech);
	if (media_init(NULL))
		return 1;
	ret = cmocka_run_group_tests(tests, NULL, NULL);
	media_close();
	channel_registry_close();
	libre_close();
	return ret;
}
