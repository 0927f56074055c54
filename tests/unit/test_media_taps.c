/* test_media_taps.c — taps on a channel's media (media_chan.c): an RX tap
 * sees every frame the channel sends us (silence when nothing came)
 * before anyone reads it, a TX tap what the channel hears before it goes
 * out; both may add audio, which readers and the far end then get; taps
 * run in the order added, may remove themselves from their handler, and
 * are told once when removed or when the channel hangs up. A watch-only
 * tap leaves a relayed frame undecoded for the far end. Channels have a
 * fake far end (mix_test.h); ticks are run by hand. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <inttypes.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <math.h>
#include <string.h>
#include <re_types.h>
#include <re_mem.h>
#include <re_fmt.h>
#include <re_main.h>
#include "core/bridge.h"
#include "core/channel.h"
#include "media/media.h"
#include "mix_test.h"

struct tap {
	struct media_tap t;
	struct media_chan *mc;
	unsigned frames[2];
	double p500[2], p1000[2], energy[2];
	double add_hz;           /* adds a tone at this frequency (0: none) */
	unsigned n;
	unsigned remove_after;   /* removes itself after so many frames */
	struct tap *remove_other;
	unsigned done_calls;
	bool hangup;
	int order;               /* when it ran in its tick (see `seq`) */
};

static int seq;

static void tap_frame(struct media_tap *mt, enum media_tap_dir dir,
		      int16_t *pcm, size_t n)
{
	struct tap *t = mt->arg;

	assert_int_equal(n, MEDIA_FRAME);
	t->order = seq++;
	t->frames[dir]++;
	t->p500[dir] += ft_goertzel(pcm, n, 500);
	t->p1000[dir] += ft_goertzel(pcm, n, 1000);
	for (size_t i = 0; i < n; i++)
		t->energy[dir] += (double)pcm[i] * pcm[i];
	for (size_t i = 0; t->add_hz && i < n; i++, t->n++)
		pcm[i] = (int16_t)(pcm[i] + 8000.0 * sin(2 * M_PI * t->add_hz *
						     t->n / MEDIA_SRATE));
	if (t->remove_other) {
		media_chan_tap_remove(t->mc, &t->remove_other->t);
		t->remove_other = NULL;
	}
	if (t->remove_after && t->frames[dir] == t->remove_after)
		media_chan_tap_remove(t->mc, mt);
}

static void tap_done(struct media_tap *mt, bool hangup)
{
	struct tap *t = mt->arg;

	t->done_calls++;
	t->hangup = hangup;
}

static void tap_init(struct tap *t, struct media_chan *mc, unsigned dirs)
{
	memset(t, 0, sizeof(*t));
	t->mc = mc;
	t->t.dirs = dirs;
	t->t.frame = tap_frame;
	t->t.done = tap_done;
	t->t.arg = t;
}

#define RX (1u << MEDIA_TAP_RX)
#define TX (1u << MEDIA_TAP_TX)

static void rx_tap_sees_each_received_frame_and_may_add(void **state)
{
	struct ft *f;
	struct channel *ch = ft_channel("rx", MEDIA_PCMU, 500, &f);
	struct media_chan *mc = media_chan_get(ch, false);
	struct tap watch, add;
	const int16_t *heard;

	(void)state;
	tap_init(&watch, mc, RX);
	tap_init(&add, mc, RX);
	add.add_hz = 1000;
	media_chan_tap_add(mc, &watch.t);
	media_chan_tap_add(mc, &add.t);
	ft_ticks(10);
	assert_int_equal(watch.frames[MEDIA_TAP_RX], 10);
	assert_int_equal(watch.frames[MEDIA_TAP_TX], 0);
	assert_true(watch.p500[MEDIA_TAP_RX] / 10 > 1e10);
	assert_true(watch.p1000[MEDIA_TAP_RX] / 10 < 1e9);
	/* What readers of this tick get has the tap's tone in it, and the
	 * payload as received is gone (it would not carry the addition). */
	heard = media_chan_rx_frame(mc);
	assert_non_null(heard);
	assert_true(ft_goertzel(heard, MEDIA_FRAME, 1000) > 1e10);
	assert_true(ft_goertzel(heard, MEDIA_FRAME, 500) > 1e10);
	assert_null(media_frame_enc(media_chan_rx_media_frame(mc), MEDIA_PCMU));

	/* Nothing comes: the tap still sees a frame per tick, of silence. */
	f->say_hz = 0;
	media_chan_tap_remove(mc, &add.t);
	assert_int_equal(add.done_calls, 1);
	assert_false(add.hangup);
	ft_ticks(5);
	assert_int_equal(watch.frames[MEDIA_TAP_RX], 15);
	assert_null(media_chan_rx_frame(mc));
	ft_drop(ch, f);
	assert_int_equal(watch.done_calls, 1);
	assert_true(watch.hangup);
	assert_int_equal(add.done_calls, 1);
}

static void watch_only_rx_tap_keeps_the_payload(void **state)
{
	struct ft *f;
	struct channel *ch = ft_channel("rxw", MEDIA_PCMA, 500, &f);
	struct media_chan *mc = media_chan_get(ch, false);
	struct tap watch;

	(void)state;
	tap_init(&watch, mc, RX);
	watch.t.watch_only = true;
	media_chan_tap_add(mc, &watch.t);
	ft_ticks(3);
	assert_non_null(media_frame_enc(media_chan_rx_media_frame(mc),
					MEDIA_PCMA));
	assert_true(watch.p500[MEDIA_TAP_RX] / 3 > 1e10);
	ft_drop(ch, f);
}

static void tx_tap_sees_what_the_channel_hears_and_may_add(void **state)
{
	struct ft *f;
	struct channel *ch = ft_channel("tx", MEDIA_PCMU, 0, &f);
	struct media_chan *mc = media_chan_get(ch, false);
	struct tgen g;
	struct tap first, second;

	(void)state;
	tgen_init(&g, 500);
	media_chan_gen_push(mc, &g.gen);
	tap_init(&first, mc, TX);
	tap_init(&second, mc, TX | RX);
	first.add_hz = 1000;
	media_chan_tap_add(mc, &first.t);
	media_chan_tap_add(mc, &second.t);
	ft_ticks(10);
	assert_int_equal(first.frames[MEDIA_TAP_TX], 10);
	assert_true(first.p500[MEDIA_TAP_TX] / 10 > 1e10);
	assert_true(first.p1000[MEDIA_TAP_TX] / 10 < 1e9);
	/* In the order added: the second sees the first's addition. */
	assert_true(second.order > first.order);
	assert_true(second.p1000[MEDIA_TAP_TX] / 10 > 1e10);
	assert_int_equal(second.frames[MEDIA_TAP_RX], 10);
	/* The far end hears the playback and the addition. */
	assert_true(FT_HEARS(f, 500));
	assert_true(FT_HEARS(f, 1000));

	/* Mute "out": taps and the far end get silence, plus additions. */
	channel_set_mute(ch, false, true, true);
	first.add_hz = 0;
	memset(second.energy, 0, sizeof(second.energy));
	ft_ticks(3);
	assert_true(second.energy[MEDIA_TAP_TX] < 1.0);
	channel_set_mute(ch, false, true, false);
	media_chan_gen_remove(mc, &g.gen);
	ft_drop(ch, f);
	assert_true(first.hangup);
	assert_true(second.hangup);
}

static void taps_may_remove_themselves_or_others(void **state)
{
	struct ft *f;
	struct channel *ch = ft_channel("rm", MEDIA_PCMU, 500, &f);
	struct media_chan *mc = media_chan_get(ch, false);
	struct tap a, b, c, d;

	(void)state;
	tap_init(&a, mc, RX);
	tap_init(&b, mc, RX);
	tap_init(&c, mc, RX);
	tap_init(&d, mc, RX);
	b.remove_after = 2;
	media_chan_tap_add(mc, &a.t);
	media_chan_tap_add(mc, &b.t);
	media_chan_tap_add(mc, &c.t);
	ft_ticks(4);
	assert_int_equal(a.frames[MEDIA_TAP_RX], 4);
	assert_int_equal(b.frames[MEDIA_TAP_RX], 2);
	assert_int_equal(b.done_calls, 1);
	assert_false(b.hangup);
	assert_int_equal(c.frames[MEDIA_TAP_RX], 4);  /* the walk went on */

	/* a removes c, which comes after it: c is not called, and the walk
	 * ends for this tick rather than touch what was removed. */
	a.remove_other = &c;
	ft_ticks(1);
	assert_int_equal(c.done_calls, 1);
	assert_int_equal(c.frames[MEDIA_TAP_RX], 4);
	ft_ticks(1);
	assert_int_equal(a.frames[MEDIA_TAP_RX], 6);

	/* Removing twice tells once. */
	media_chan_tap_remove(mc, &a.t);
	media_chan_tap_remove(mc, &a.t);
	assert_int_equal(a.done_calls, 1);
	mem_ref(ch);
	ft_drop(ch, f);
	/* Too late: a tap added to a hung-up channel is told at once. */
	media_chan_tap_add(media_chan_get(ch, true), &d.t);
	assert_int_equal(d.done_calls, 1);
	assert_true(d.hangup);
	mem_deref(ch);
}

static void tap_added_to_a_dead_state_is_done_at_once(void **state)
{
	struct media_chan *mc = media_chan_alloc_bare();
	struct tap t;

	(void)state;
	tap_init(&t, mc, TX);
	media_chan_tap_add(mc, &t.t);
	media_chan_bare_close(mc);
	assert_int_equal(t.done_calls, 1);
	assert_true(t.hangup);
}

/* In a two-party bridge, a watch-only tap on the listener sees the
 * relayed frame decoded while the far end still gets it as it came; a
 * tap that may write makes the frame go through linear audio. */
static void watch_only_tx_tap_keeps_the_bridge_relay(void **state)
{
	struct ft *a, *c;
	struct channel *ca = ft_channel("a", MEDIA_PCMU, 500, &a);
	struct channel *cc = ft_channel("c", MEDIA_PCMU, 1000, &c);
	struct media_chan *mc = media_chan_get(ca, false);
	struct bridge *b = NULL;
	struct tap t;

	(void)state;
	assert_int_equal(bridge_create(&b, NULL, BRIDGE_MIXING, NULL, NULL), 0);
	assert_int_equal(bridge_add(b, ca, NULL), 0);
	assert_int_equal(bridge_add(b, cc, NULL), 0);
	tap_init(&t, mc, TX);
	t.t.watch_only = true;
	media_chan_tap_add(mc, &t.t);
	ft_ticks(10);
	assert_int_equal(a->enc_frames, 10);
	assert_true(t.p1000[MEDIA_TAP_TX] / 10 > 1e10);
	media_chan_tap_remove(mc, &t.t);

	tap_init(&t, mc, TX);
	media_chan_tap_add(mc, &t.t);
	ft_reset(a);
	ft_ticks(10);
	assert_int_equal(a->enc_frames, 0);
	assert_true(FT_HEARS(a, 1000));
	bridge_destroy(b);
	ft_drop(ca, a);
	ft_drop(cc, c);
	assert_true(t.hangup);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rx_tap_sees_each_received_frame_and_may_add),
		cmocka_unit_test(watch_only_rx_tap_keeps_the_payload),
		cmocka_unit_test(tx_tap_sees_what_the_channel_hears_and_may_add),
		cmocka_unit_test(taps_may_remove_themselves_or_others),
		cmocka_unit_test(tap_added_to_a_dead_state_is_done_at_once),
		cmocka_unit_test(watch_only_tx_tap_keeps_the_bridge_relay),
	};
	int ret;

	libre_init();
	channel_tech_register(&ft_tech);
	if (bridge_init() || media_init(NULL))
		return 1;
	ret = cmocka_run_group_tests(tests, NULL, NULL);
	media_close();
	bridge_close();
	channel_registry_close();
	libre_close();
	return ret;
}
