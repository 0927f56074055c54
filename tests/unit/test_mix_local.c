/* test_mix_local.c — Local channels carry audio and DTMF between their
 * halves (src/local/local.c over src/media): a call bridged to ;1 hears
 * what ;2 is bridged to and the other way round, a playback on one half is
 * heard through the other, and a digit sent to one half is received on the
 * other once it ends. Channels on the far ends are fakes (mix_test.h),
 * ticks are run by hand. */
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
#include <re_mem.h>
#include <re_fmt.h>
#include <re_list.h>
#include <re_tmr.h>
#include <re_main.h>
#include "core/bridge.h"
#include "core/bus.h"
#include "core/channel.h"
#include "local/local.h"
#include "media/media.h"
#include "mix_test.h"

struct pair {
	struct channel *one, *two;
};

static void local_pair(struct pair *p)
{
	char name[128];

	assert_int_equal(channel_request(&p->one, "Local/100@mixtest", NULL,
					 NULL), 0);
	/* ;2 is named as ;1 with its last character changed */
	snprintf(name, sizeof(name), "%s", channel_name(p->one));
	name[strlen(name) - 1] = '2';
	p->two = channel_find_by_name(name);
	assert_non_null(p->two);
	/* kept past the hangup, to look at them */
	mem_ref(p->one);
	mem_ref(p->two);
}

static void pair_free(struct pair *p)
{
	channel_hangup(p->one, CAUSE_NORMAL_CLEARING, "test");
	mem_deref(p->one);
	mem_deref(p->two);
}

static struct bridge *mixing(void)
{
	struct bridge *b = NULL;

	assert_int_equal(bridge_create(&b, NULL, BRIDGE_MIXING, NULL, NULL), 0);
	return b;
}

static void calls_bridged_to_each_half_hear_each_other(void **state)
{
	struct ft *a, *c;
	struct channel *ca = ft_channel("a", MEDIA_PCMU, 500, &a);
	struct channel *cc = ft_channel("c", MEDIA_PCMA, 1000, &c);
	struct bridge *b1 = mixing(), *b2 = mixing();
	struct pair p;

	(void)state;
	local_pair(&p);
	assert_int_equal(bridge_add(b1, ca, NULL), 0);
	assert_int_equal(bridge_add(b1, p.one, NULL), 0);
	assert_int_equal(bridge_add(b2, p.two, NULL), 0);
	assert_int_equal(bridge_add(b2, cc, NULL), 0);
	ft_ticks(30);
	assert_int_equal(a->frames, 30);
	assert_true(FT_HEARS(a, 1000));
	assert_true(FT_DEAF_TO(a, 500));
	assert_true(FT_HEARS(c, 500));
	assert_true(FT_DEAF_TO(c, 1000));

	/* Hanging up one half takes the other down; the calls hear silence. */
	channel_hangup(p.one, CAUSE_NORMAL_CLEARING, "test");
	assert_true(channel_is_hungup(p.two));
	ft_reset(a);
	ft_ticks(10);
	assert_int_equal(a->frames, 10);
	assert_true(ft_energy(a) < 1.0);
	bridge_destroy(b1);
	bridge_destroy(b2);
	ft_drop(ca, a);
	ft_drop(cc, c);
	pair_free(&p);
}

static void playback_on_one_half_is_heard_through_the_other(void **state)
{
	struct tgen t;
	struct ft *a;
	struct channel *ca = ft_channel("a", MEDIA_PCMU, 500, &a);
	struct bridge *b = mixing();
	struct pair p;

	(void)state;
	tgen_init(&t, 2000);
	local_pair(&p);
	assert_int_equal(bridge_add(b, ca, NULL), 0);
	assert_int_equal(bridge_add(b, p.one, NULL), 0);
	media_chan_gen_push(media_chan_get(p.two, true), &t.gen);
	ft_ticks(20);
	assert_true(FT_HEARS(a, 2000));
	media_chan_gen_remove(media_chan_get(p.two, false), &t.gen);
	/* ;2 heard a's voice through ;1 */
	assert_true(media_chan_rx_frame(media_chan_get(p.two, false)) != NULL);
	bridge_destroy(b);
	ft_drop(ca, a);
	pair_free(&p);
}

static struct {
	struct channel *ch;
	char digits[8];
	unsigned n;
} got;

static void on_bus(const struct bus_event *ev, void *arg)
{
	(void)arg;
	if (ev->type == BUS_CHANNEL_DTMF && ev->chan == got.ch && got.n < 8)
		got.digits[got.n++] = ev->digit;
}

static struct tmr stop_tmr;

static void stop_loop(void *arg)
{
	(void)arg;
	re_cancel();
}

static void digit_sent_to_one_half_is_received_on_the_other(void **state)
{
	struct pair p;

	(void)state;
	local_pair(&p);
	memset(&got, 0, sizeof(got));
	got.ch = p.two;
	assert_int_equal(channel_send_digit(p.one, '1', 50), 0);
	assert_int_equal(channel_send_digit(p.one, '2', 50), 0);
	/* Received when the digit ends, not at once. */
	assert_int_equal(got.n, 0);
	tmr_start(&stop_tmr, 200, stop_loop, NULL);
	re_main(NULL);
	assert_int_equal(got.n, 2);
	assert_memory_equal(got.digits, "12", 2);

	/* The other way, and a digit in flight when the pair goes. */
	got.ch = p.one;
	got.n = 0;
	assert_int_equal(channel_send_digit(p.two, '#', 50), 0);
	tmr_start(&stop_tmr, 150, stop_loop, NULL);
	re_main(NULL);
	assert_int_equal(got.n, 1);
	assert_int_equal(got.digits[0], '#');
	assert_int_equal(channel_send_digit(p.two, '9', 500), 0);
	channel_hangup(p.one, CAUSE_NORMAL_CLEARING, "test");
	assert_int_equal(channel_send_digit(p.two, '9', 50), ENOTCONN);
	pair_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(calls_bridged_to_each_half_hear_each_other),
		cmocka_unit_test(playback_on_one_half_is_heard_through_the_other),
		cmocka_unit_test(digit_sent_to_one_half_is_received_on_the_other),
	};
	int ret;

	libre_init();
	tmr_init(&stop_tmr);
	channel_tech_register(&ft_tech);
	bus_subscribe(on_bus, NULL);
	if (bridge_init() || local_init() || media_init(NULL))
		return 1;
	ret = cmocka_run_group_tests(tests, NULL, NULL);
	media_close();
	bridge_close();
	bus_unsubscribe(on_bus, NULL);
	channel_registry_close();
	libre_close();
	return ret;
}
