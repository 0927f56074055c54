/* test_mix.c — the bridge engine (src/media/bridge_mix.c) driven through
 * the core's bridge API, with channels whose far ends are fakes
 * (mix_test.h) and ticks run by hand: what each member hears, frame by
 * frame. Two parties with one codec are relayed undecoded; three or more
 * are mixed, each hearing the others and never itself; mute, hold, a
 * channel's own playback, bridge music on hold and playbacks, holding
 * bridges, taps on a bridge. Real RTP through a bridge is in
 * test_media.c. */
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
#include "media/media_bridge.h"
#include "media/playback_int.h"
#include "mix_test.h"

static struct bridge *mixing(void)
{
	struct bridge *b = NULL;

	assert_int_equal(bridge_create(&b, NULL, BRIDGE_MIXING, NULL, NULL), 0);
	return b;
}

static void join(struct bridge *b, struct channel *ch)
{
	assert_int_equal(bridge_add(b, ch, NULL), 0);
}

static void two_party_same_codec_is_relayed_without_decoding(void **state)
{
	struct ft *a, *c;
	struct channel *ca = ft_channel("a", MEDIA_PCMU, 500, &a);
	struct channel *cc = ft_channel("c", MEDIA_PCMU, 1000, &c);
	struct bridge *b = mixing();
	struct media_bridge_stats st;

	(void)state;
	join(b, ca);
	join(b, cc);
	ft_ticks(50);
	assert_int_equal(a->frames, 50);
	assert_int_equal(c->frames, 50);
	assert_true(FT_HEARS(a, 1000));
	assert_true(FT_DEAF_TO(a, 500));   /* never its own voice back */
	assert_true(FT_HEARS(c, 500));
	assert_true(FT_DEAF_TO(c, 1000));
	/* Every frame went out as it came in: nothing decoded or encoded. */
	assert_int_equal(a->enc_frames, 50);
	assert_int_equal(c->enc_frames, 50);
	assert_int_equal(media_chan_rx_decodes(media_chan_get(ca, false)), 0);
	assert_int_equal(media_chan_rx_decodes(media_chan_get(cc, false)), 0);
	media_bridge_stats(b, &st);
	assert_int_equal(st.relayed, 100);
	assert_int_equal(st.mixed, 0);
	bridge_destroy(b);
	ft_drop(ca, a);
	ft_drop(cc, c);
}

static void two_party_different_codecs_are_transcoded(void **state)
{
	struct ft *a, *c;
	struct channel *ca = ft_channel("a", MEDIA_PCMU, 500, &a);
	struct channel *cc = ft_channel("c", MEDIA_PCMA, 1000, &c);
	struct bridge *b = mixing();

	(void)state;
	join(b, ca);
	join(b, cc);
	ft_ticks(30);
	assert_true(FT_HEARS(a, 1000));
	assert_true(FT_HEARS(c, 500));
	/* Nothing could go out as it came. */
	assert_int_equal(a->enc_frames, 0);
	assert_int_equal(c->enc_frames, 0);
	bridge_destroy(b);
	ft_drop(ca, a);
	ft_drop(cc, c);
}

static void three_parties_each_hear_the_other_two_never_itself(void **state)
{
	static const double hz[3] = {500, 1000, 1500};
	struct ft *f[3];
	struct channel *ch[3];
	struct bridge *b = mixing();
	struct media_bridge_stats st;

	(void)state;
	for (int i = 0; i < 3; i++) {
		ch[i] = ft_channel(i == 0 ? "a" : i == 1 ? "b" : "c",
				   i == 2 ? MEDIA_PCMA : MEDIA_PCMU, hz[i], &f[i]);
		join(b, ch[i]);
	}
	ft_ticks(40);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(f[i]->frames, 40);
		for (int j = 0; j < 3; j++) {
			if (i == j)
				assert_true(FT_DEAF_TO(f[i], hz[j]));
			else
				assert_true(FT_HEARS(f[i], hz[j]));
		}
	}
	assert_string_equal(bridge_technology(b), "softmix");
	media_bridge_stats(b, &st);
	assert_int_equal(st.mixed, 40);
	assert_int_equal(st.relayed, 0);
	bridge_destroy(b);
	for (int i = 0; i < 3; i++)
		ft_drop(ch[i], f[i]);
}

/* Listeners who say nothing all hear the same full mix: it is encoded once
 * per codec per tick, the other listeners of that codec reuse it. */
static void silent_members_share_one_encode_per_codec(void **state)
{
	struct ft *f[6];
	struct channel *ch[6];
	struct bridge *b = mixing();
	struct media_bridge_stats st;
	const char *names[6] = {"t1", "t2", "t3", "l1", "l2", "l3"};

	(void)state;
	for (int i = 0; i < 6; i++) {
		ch[i] = ft_channel(names[i], i == 5 ? MEDIA_PCMA : MEDIA_PCMU,
				   i < 3 ? 500.0 * (i + 1) : 0, &f[i]);
		join(b, ch[i]);
	}
	ft_ticks(20);
	for (int i = 3; i < 6; i++) {
		assert_int_equal(f[i]->frames, 20);
		assert_int_equal(f[i]->enc_frames, 20);
		assert_true(FT_HEARS(f[i], 500));
		assert_true(FT_HEARS(f[i], 1000));
		assert_true(FT_HEARS(f[i], 1500));
	}
	media_bridge_stats(b, &st);
	/* l2 reuses l1's PCMU mix every tick; l3 (PCMA) encodes its own. */
	assert_int_equal(st.shared_encodes, 20);
	bridge_destroy(b);
	for (int i = 0; i < 6; i++)
		ft_drop(ch[i], f[i]);
}

/* Five loud members: the sum is clipped at full scale, never wrapped. */
static void sums_saturate_instead_of_wrapping(void **state)
{
	struct ft *f[5];
	struct channel *ch[5];
	struct bridge *b = mixing();
	const char *names[5] = {"s1", "s2", "s3", "s4", "s5"};

	(void)state;
	for (int i = 0; i < 5; i++) {
		ch[i] = ft_channel(names[i], MEDIA_CODEC_NONE, 0, &f[i]);
		f[i]->say_dc = i < 4 ? 10000 : -30000;
		join(b, ch[i]);
	}
	ft_ticks(3);
	/* s5 hears 4 x 10000; s1 hears 3 x 10000 - 30000 = 0. */
	for (int i = 0; i < MEDIA_FRAME; i++) {
		assert_int_equal(f[4]->last[i], 32767);
		assert_int_equal(f[0]->last[i], 0);
	}
	f[4]->say_dc = -32768;
	ft_ticks(1);
	/* s1 hears 3 x 10000 - 32768 */
	assert_int_equal(f[0]->last[0], -2768);
	for (int i = 0; i < 4; i++)
		f[i]->say_dc = -20000;
	ft_ticks(1);
	for (int i = 0; i < MEDIA_FRAME; i++)
		assert_int_equal(f[0]->last[i], -32768);
	bridge_destroy(b);
	for (int i = 0; i < 5; i++)
		ft_drop(ch[i], f[i]);
}

/* A member who sends nothing still hears one frame per tick, and the one
 * who hears it gets one frame (of silence) per tick: no gaps, no bursts. */
static void every_member_hears_one_frame_per_tick(void **state)
{
	struct ft *a, *c;
	struct channel *ca = ft_channel("a", MEDIA_PCMU, 0, &a);
	struct channel *cc = ft_channel("c", MEDIA_PCMU, 1000, &c);
	struct bridge *b = mixing();

	(void)state;
	join(b, ca);
	join(b, cc);
	for (unsigned t = 1; t <= 25; t++) {
		ft_ticks(1);
		assert_int_equal(a->frames, t);
		assert_int_equal(c->frames, t);
	}
	assert_true(FT_HEARS(a, 1000));
	assert_true(ft_energy(c) < 1.0);
	/* The talker goes quiet mid-call: still one frame per tick. */
	c->say_hz = 0;
	ft_ticks(5);
	assert_int_equal(a->frames, 30);
	bridge_destroy(b);
	ft_drop(ca, a);
	ft_drop(cc, c);
}

static void muted_members_are_not_heard_but_hear(void **state)
{
	struct bridge_join_opts mute = {.mute = true};
	struct ft *a, *c, *d;
	struct channel *ca = ft_channel("a", MEDIA_PCMU, 500, &a);
	struct channel *cc = ft_channel("c", MEDIA_PCMU, 1000, &c);
	struct channel *cd = ft_channel("d", MEDIA_PCMU, 1500, &d);
	struct bridge *b = mixing();

	(void)state;
	assert_int_equal(bridge_add(b, ca, &mute), 0);
	join(b, cc);
	join(b, cd);
	ft_ticks(20);
	assert_true(FT_DEAF_TO(c, 500));
	assert_true(FT_DEAF_TO(d, 500));
	assert_true(FT_HEARS(c, 1500));
	assert_true(FT_HEARS(a, 1000));
	assert_true(FT_HEARS(a, 1500));

	/* ARI mute "in" on a member does the same. */
	ft_reset(a);
	ft_reset(c);
	channel_set_mute(cd, true, false, true);
	ft_ticks(20);
	assert_true(FT_DEAF_TO(c, 1500));
	assert_true(FT_HEARS(a, 1000));
	channel_set_mute(cd, true, false, false);
	ft_reset(c);
	ft_ticks(20);
	assert_true(FT_HEARS(c, 1500));
	bridge_destroy(b);
	ft_drop(ca, a);
	ft_drop(cc, c);
	ft_drop(cd, d);
}

/* As POST /channels/{id}/play on a bridged channel: it hears the playback
 * instead of the bridge, and the bridge does not hear it meanwhile. */
static void own_playback_replaces_the_bridge_for_that_member(void **state)
{
	struct ft *a, *c;
	struct channel *ca = ft_channel("a", MEDIA_PCMU, 500, &a);
	struct channel *cc = ft_channel("c", MEDIA_PCMU, 1000, &c);
	struct bridge *b = mixing();
	struct tgen t;

	(void)state;
	join(b, ca);
	join(b, cc);
	tgen_init(&t, 2000);
	media_chan_gen_push(media_chan_get(ca, false), &t.gen);
	ft_ticks(20);
	assert_true(FT_HEARS(a, 2000));
	assert_true(FT_DEAF_TO(a, 1000));
	assert_true(FT_DEAF_TO(c, 500));
	assert_true(FT_DEAF_TO(c, 2000));

	media_chan_gen_remove(media_chan_get(ca, false), &t.gen);
	assert_true(t.done);
	ft_reset(a);
	ft_reset(c);
	ft_ticks(20);
	assert_true(FT_HEARS(a, 1000));
	assert_true(FT_HEARS(c, 500));
	bridge_destroy(b);
	ft_drop(ca, a);
	ft_drop(cc, c);
}

/* A channel that was playing when it joined plays its playback out first,
 * then hears the bridge. */
static void joining_during_a_playback_hears_it_out_first(void **state)
{
	struct ft *a, *c;
	struct channel *ca = ft_channel("a", MEDIA_PCMU, 500, &a);
	struct channel *cc = ft_channel("c", MEDIA_PCMU, 1000, &c);
	struct bridge *b = mixing();
	struct tgen t;

	(void)state;
	tgen_init(&t, 2000);
	media_chan_gen_push(media_chan_get(ca, false), &t.gen);
	join(b, ca);
	join(b, cc);
	ft_ticks(10);
	assert_true(FT_HEARS(a, 2000));
	assert_true(FT_DEAF_TO(c, 500));
	media_chan_gen_remove(media_chan_get(ca, false), &t.gen);
	ft_reset(a);
	ft_ticks(10);
	assert_true(FT_HEARS(a, 1000));
	bridge_destroy(b);
	ft_drop(ca, a);
	ft_drop(cc, c);
}

/* ARI hold of a channel without a technology hold plays music on hold on
 * it: the held member hears the music, the bridge hears nothing of it. A
 * far end that holds (re-INVITE sendonly) is not heard either. */
static void held_members_contribute_nothing(void **state)
{
	struct ft *a, *c;
	struct channel *ca = ft_channel("a", MEDIA_PCMU, 500, &a);
	struct channel *cc = ft_channel("c", MEDIA_PCMU, 1000, &c);
	struct bridge *b = mixing();

	(void)state;
	join(b, ca);
	join(b, cc);
	assert_int_equal(media_moh_start(ca, NULL), 0);
	ft_ticks(20);
	assert_true(FT_DEAF_TO(a, 1000));
	assert_true(ft_energy(a) > 1e4);    /* the music */
	assert_true(FT_DEAF_TO(c, 500));
	media_moh_stop(ca);
	ft_reset(a);
	ft_reset(c);
	a->held = true;
	ft_ticks(20);
	assert_true(FT_DEAF_TO(c, 500));
	assert_true(FT_HEARS(a, 1000));
	a->held = false;
	ft_reset(c);
	ft_ticks(20);
	assert_true(FT_HEARS(c, 500));
	bridge_destroy(b);
	ft_drop(ca, a);
	ft_drop(cc, c);
}

/* Bridge music on hold and the bridge's announcer (its playbacks) are
 * heard by every member, mixed with the conversation. */
static void bridge_music_and_playbacks_are_heard_with_the_talk(void **state)
{
	struct ft *a, *c;
	struct channel *ca = ft_channel("a", MEDIA_PCMU, 0, &a);
	struct channel *cc = ft_channel("c", MEDIA_PCMU, 1000, &c);
	struct bridge *b = mixing();
	struct media_chan *ann;
	struct tgen t;

	(void)state;
	join(b, ca);
	join(b, cc);
	assert_int_equal(bridge_moh_start(b, NULL), 0);
	ft_ticks(20);
	assert_true(FT_HEARS(a, 1000));
	assert_true(ft_energy(c) > 1e4);
	assert_int_equal(bridge_moh_stop(b), 0);
	ft_reset(a);
	ft_reset(c);
	ft_ticks(5);
	assert_true(ft_energy(c) < 1.0);

	ann = media_bridge_announcer(b);
	assert_non_null(ann);
	tgen_init(&t, 2000);
	media_chan_gen_push(ann, &t.gen);
	ft_reset(a);
	ft_reset(c);
	ft_ticks(20);
	assert_true(FT_HEARS(a, 1000));
	assert_true(FT_HEARS(a, 2000));
	assert_true(FT_HEARS(c, 2000));
	assert_true(FT_DEAF_TO(c, 1000));
	/* The bridge going ends the playback as a hangup would. */
	bridge_destroy(b);
	assert_true(t.done);
	assert_true(t.hangup);
	ft_drop(ca, a);
	ft_drop(cc, c);
}

/* Participants never hear each other; an announcer's audio goes to every
 * participant; announcers hear nothing; the bridge's music and playbacks
 * go to the participants. */
static void holding_bridge_participants_hear_announcers_and_music(void **state)
{
	struct bridge_join_opts ann = {.role = "announcer"};
	struct bridge_join_opts part = {.role = "participant"};
	struct ft *p1, *p2, *n;
	struct channel *c1 = ft_channel("p1", MEDIA_PCMU, 500, &p1);
	struct channel *c2 = ft_channel("p2", MEDIA_PCMU, 1000, &p2);
	struct channel *cn = ft_channel("n", MEDIA_PCMU, 1500, &n);
	struct bridge *b = NULL;
	struct media_bridge_stats st;

	(void)state;
	assert_int_equal(bridge_create(&b, NULL, BRIDGE_HOLDING, NULL, NULL),
			 0);
	assert_int_equal(bridge_add(b, c1, &part), 0);
	assert_int_equal(bridge_add(b, c2, NULL), 0);
	ft_ticks(10);
	assert_int_equal(p1->frames, 10);
	assert_true(ft_energy(p1) < 1.0);
	assert_true(ft_energy(p2) < 1.0);

	assert_int_equal(bridge_add(b, cn, &ann), 0);
	ft_reset(p1);
	ft_reset(p2);
	ft_ticks(20);
	assert_true(FT_HEARS(p1, 1500));
	assert_true(FT_HEARS(p2, 1500));
	assert_true(FT_DEAF_TO(p1, 1000));
	assert_true(FT_DEAF_TO(p2, 500));
	assert_true(ft_energy(n) < 1.0);
	/* One announcer and nothing else: relayed as it came. */
	media_bridge_stats(b, &st);
	assert_int_equal(st.relayed, 40);

	n->say_hz = 0;
	assert_int_equal(bridge_moh_start(b, NULL), 0);
	ft_reset(p1);
	ft_reset(n);
	ft_ticks(20);
	assert_true(ft_energy(p1) > 1e4);
	assert_true(FT_DEAF_TO(p1, 1000));
	assert_true(ft_energy(n) < 1.0);
	bridge_destroy(b);
	ft_drop(c1, p1);
	ft_drop(c2, p2);
	ft_drop(cn, n);
}

struct rtap {
	struct media_tap tap;
	struct bridge *b;
	unsigned frames;
	double p500, p1000;
	bool done, hangup, remove_self_after;
	unsigned limit;
};

static void rtap_frame(struct media_tap *t, enum media_tap_dir dir,
		       int16_t *pcm, size_t n)
{
	struct rtap *r = t->arg;

	assert_int_equal(dir, MEDIA_TAP_TX);
	assert_int_equal(n, MEDIA_FRAME);
	r->frames++;
	r->p500 += ft_goertzel(pcm, n, 500);
	r->p1000 += ft_goertzel(pcm, n, 1000);
	memset(pcm, 0x7f, n * sizeof(*pcm));  /* heard by nobody */
	if (r->limit && r->frames == r->limit)
		media_bridge_tap_remove(r->b, t);
}

static void rtap_done(struct media_tap *t, bool hangup)
{
	struct rtap *r = t->arg;

	r->done = true;
	r->hangup = hangup;
}

static void rtap_init(struct rtap *r, struct bridge *b, unsigned limit)
{
	memset(r, 0, sizeof(*r));
	r->b = b;
	r->limit = limit;
	r->tap.dirs = 1u << MEDIA_TAP_TX;
	r->tap.frame = rtap_frame;
	r->tap.done = rtap_done;
	r->tap.arg = r;
	r->tap.watch_only = true;
}

/* A tap on the bridge hears everyone (what a recording of the bridge
 * hears), does not change what members hear, may leave from its handler,
 * and is told when the bridge goes. */
static void bridge_taps_hear_the_whole_bridge(void **state)
{
	struct ft *a, *c;
	struct channel *ca = ft_channel("a", MEDIA_PCMU, 500, &a);
	struct channel *cc = ft_channel("c", MEDIA_PCMU, 1000, &c);
	struct bridge *b = mixing();
	struct rtap r1, r2;

	(void)state;
	join(b, ca);
	join(b, cc);
	rtap_init(&r1, b, 0);
	rtap_init(&r2, b, 5);
	media_bridge_tap_add(b, &r1.tap);
	media_bridge_tap_add(b, &r2.tap);
	ft_ticks(20);
	assert_int_equal(r1.frames, 20);
	assert_true(r1.p500 / 20 > 1e10);
	assert_true(r1.p1000 / 20 > 1e10);
	assert_true(FT_HEARS(a, 1000));
	assert_true(FT_DEAF_TO(a, 500));
	/* r2 removed itself after 5 frames */
	assert_int_equal(r2.frames, 5);
	assert_true(r2.done);
	assert_false(r2.hangup);
	assert_false(r1.done);
	bridge_destroy(b);
	assert_true(r1.done);
	assert_true(r1.hangup);
	ft_drop(ca, a);
	ft_drop(cc, c);
}

static void tap_on_a_bridge_without_audio_is_done_at_once(void **state)
{
	struct rtap r;

	(void)state;
	rtap_init(&r, NULL, 0);
	media_bridge_tap_add(NULL, &r.tap);
	assert_true(r.done);
	assert_true(r.hangup);
}

/* Leaving hands the channel back to what it played before; a member that
 * hangs up leaves the other hearing silence, one frame per tick. */
static void leaving_and_hanging_up_members(void **state)
{
	struct ft *a, *c, *d;
	struct channel *ca = ft_channel("a", MEDIA_PCMU, 500, &a);
	struct channel *cc = ft_channel("c", MEDIA_PCMU, 1000, &c);
	struct channel *cd = ft_channel("d", MEDIA_PCMU, 1500, &d);
	struct bridge *b = mixing();
	struct tgen t;

	(void)state;
	tgen_init(&t, 2000);
	join(b, ca);
	join(b, cc);
	join(b, cd);
	ft_ticks(5);
	assert_int_equal(bridge_remove(b, ca), 0);
	assert_null(media_chan_gen_top(media_chan_get(ca, false)));
	ft_reset(a);
	ft_reset(c);
	ft_ticks(10);
	assert_true(ft_energy(a) < 1.0);
	assert_true(FT_DEAF_TO(c, 500));
	assert_true(FT_HEARS(c, 1500));
	channel_hangup(cd, CAUSE_NORMAL_CLEARING, "test");
	ft_reset(c);
	ft_ticks(10);
	assert_int_equal(c->frames, 10);
	assert_true(ft_energy(c) < 1.0);
	assert_int_equal(bridge_channel_count(b), 1);
	bridge_destroy(b);
	ft_drop(ca, a);
	ft_drop(cc, c);
	mem_deref(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(two_party_same_codec_is_relayed_without_decoding),
		cmocka_unit_test(two_party_different_codecs_are_transcoded),
		cmocka_unit_test(three_parties_each_hear_the_other_two_never_itself),
		cmocka_unit_test(silent_members_share_one_encode_per_codec),
		cmocka_unit_test(sums_saturate_instead_of_wrapping),
		cmocka_unit_test(every_member_hears_one_frame_per_tick),
		cmocka_unit_test(muted_members_are_not_heard_but_hear),
		cmocka_unit_test(own_playback_replaces_the_bridge_for_that_member),
		cmocka_unit_test(joining_during_a_playback_hears_it_out_first),
		cmocka_unit_test(held_members_contribute_nothing),
		cmocka_unit_test(bridge_music_and_playbacks_are_heard_with_the_talk),
		cmocka_unit_test(holding_bridge_participants_hear_announcers_and_music),
		cmocka_unit_test(bridge_taps_hear_the_whole_bridge),
		cmocka_unit_test(tap_on_a_bridge_without_audio_is_done_at_once),
		cmocka_unit_test(leaving_and_hanging_up_members),
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
