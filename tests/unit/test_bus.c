/* test_bus.c — unit tests for the event bus (src/core/bus.c): delivery is
 * synchronous, in publication order and, per event, in subscription order;
 * unsubscribing stops delivery to that subscriber only; time_us is stamped
 * when the publisher left it zero. A subscriber that publishes from inside
 * its handler gets depth-first delivery: the nested event reaches every
 * subscriber before the outer event reaches the later ones — documented
 * here as it is, not as it might be. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include "core/bus.h"

/* What the subscribers saw, in order: "<subscriber><event>" pairs such as
 * "aC", as a string so that one assertion shows the whole order. */
static char seen[256];

static char letter(enum bus_type type)
{
	switch (type) {
	case BUS_CHANNEL_CREATED:   return 'C';
	case BUS_CHANNEL_STATE:     return 'S';
	case BUS_CHANNEL_VARSET:    return 'V';
	case BUS_CHANNEL_DESTROYED: return 'D';
	case BUS_DIAL:              return 'L';
	default:                    return '?';
	}
}

static void note(char who, const struct bus_event *ev)
{
	size_t len = strlen(seen);

	if (len + 3 < sizeof(seen))
		snprintf(seen + len, sizeof(seen) - len, "%c%c", who,
			 letter(ev->type));
}

static void sub_a(const struct bus_event *ev, void *arg)
{
	(void)arg;
	note('a', ev);
}

static void sub_b(const struct bus_event *ev, void *arg)
{
	(void)arg;
	note('b', ev);
}

/* One handler, told apart by its argument. */
static void sub_arg(const struct bus_event *ev, void *arg)
{
	note(*(const char *)arg, ev);
}

static void publish(enum bus_type type)
{
	struct bus_event ev = {.type = type};

	bus_publish(&ev);
}

/* What a test subscribed, for the teardown to remove even when the test
 * failed half-way (the bus is the binary's, not the test's). */
static struct {
	bus_h *h;
	void *arg;
} made[32];
static int nmade;

static void subscribe(bus_h *h, void *arg)
{
	assert_int_equal(bus_subscribe(h, arg), 0);
	if (nmade < 32) {
		made[nmade].h = h;
		made[nmade++].arg = arg;
	}
}

static int reset(void **state)
{
	(void)state;
	seen[0] = '\0';
	return 0;
}

static int unsubscribe_all(void **state)
{
	(void)state;
	while (nmade) {
		nmade--;
		bus_unsubscribe(made[nmade].h, made[nmade].arg);
	}
	return 0;
}

static void subscribers_receive_each_event_in_subscription_order(void **state)
{
	(void)state;
	subscribe(sub_b, NULL);
	subscribe(sub_a, NULL);
	publish(BUS_CHANNEL_CREATED);
	assert_string_equal(seen, "bCaC");
}

static void events_arrive_synchronously_in_publication_order(void **state)
{
	(void)state;
	subscribe(sub_a, NULL);
	publish(BUS_CHANNEL_STATE);
	/* Synchronous: delivered before bus_publish returned. */
	assert_string_equal(seen, "aS");
	publish(BUS_CHANNEL_VARSET);
	publish(BUS_CHANNEL_DESTROYED);
	assert_string_equal(seen, "aSaVaD");
}

static void unsubscribe_stops_delivery_to_that_subscriber_only(void **state)
{
	(void)state;
	subscribe(sub_a, NULL);
	subscribe(sub_b, NULL);
	publish(BUS_DIAL);
	bus_unsubscribe(sub_a, NULL);
	publish(BUS_DIAL);
	assert_string_equal(seen, "aLbLbL");
	bus_unsubscribe(sub_b, NULL);
	publish(BUS_DIAL);
	assert_string_equal(seen, "aLbLbL");
}

static void same_handler_with_two_arguments_is_two_subscriptions(void **state)
{
	static const char x = 'x', y = 'y';

	(void)state;
	subscribe(sub_arg, (void *)&x);
	subscribe(sub_arg, (void *)&y);
	publish(BUS_CHANNEL_CREATED);
	assert_string_equal(seen, "xCyC");
	/* Only the pair (handler, argument) is removed. */
	bus_unsubscribe(sub_arg, (void *)&x);
	publish(BUS_CHANNEL_CREATED);
	assert_string_equal(seen, "xCyCyC");
}

static void unsubscribing_what_was_never_subscribed_changes_nothing(void **state)
{
	(void)state;
	subscribe(sub_a, NULL);
	bus_unsubscribe(sub_b, NULL);
	bus_unsubscribe(sub_a, (void *)&seen);
	publish(BUS_CHANNEL_CREATED);
	assert_string_equal(seen, "aC");
}

static uint64_t stamped;

static void sub_time(const struct bus_event *ev, void *arg)
{
	(void)arg;
	stamped = ev->time_us;
}

static void time_us_is_stamped_when_zero_and_kept_when_set(void **state)
{
	struct bus_event ev = {.type = BUS_CHANNEL_STATE};
	uint64_t before, after;

	(void)state;
	subscribe(sub_time, NULL);
	before = bus_now_us();
	bus_publish(&ev);
	after = bus_now_us();
	/* Subscribers see the stamp, and so does the publisher's struct. */
	assert_in_range(stamped, before, after);
	assert_int_equal(ev.time_us, stamped);

	ev = (struct bus_event){.type = BUS_CHANNEL_STATE, .time_us = 12345};
	bus_publish(&ev);
	assert_int_equal(stamped, 12345);
	assert_int_equal(ev.time_us, 12345);
}

static void null_handler_is_EINVAL(void **state)
{
	(void)state;
	assert_int_equal(bus_subscribe(NULL, NULL), EINVAL);
	publish(BUS_CHANNEL_CREATED);
	assert_string_equal(seen, "");
}

static void seventeenth_subscriber_is_ENOMEM(void **state)
{
	static char args[17];
	int n;

	(void)state;
	/* The bus holds 16; this binary has no other subscriber. */
	for (n = 0; n < 16; n++) {
		args[n] = (char)('A' + n);
		subscribe(sub_arg, &args[n]);
	}
	args[16] = 'Z';
	assert_int_equal(bus_subscribe(sub_arg, &args[16]), ENOMEM);
	publish(BUS_CHANNEL_CREATED);
	assert_string_equal(seen, "ACBCCCDCECFCGCHCICJCKCLCMCNCOCPC");
	for (n = 0; n < 16; n++)
		bus_unsubscribe(sub_arg, &args[n]);
	/* Room again once unsubscribed. */
	subscribe(sub_arg, &args[16]);
}

/* The first subscriber answers a ChannelCreated with a ChannelVarset. */
static void sub_nesting(const struct bus_event *ev, void *arg)
{
	(void)arg;
	note('n', ev);
	if (ev->type == BUS_CHANNEL_CREATED)
		publish(BUS_CHANNEL_VARSET);
}

static void nested_publication_is_delivered_depth_first(void **state)
{
	(void)state;
	subscribe(sub_nesting, NULL);
	subscribe(sub_b, NULL);
	publish(BUS_CHANNEL_CREATED);
	/* The nested Varset reaches every subscriber, b included, before
	 * the outer Created reaches b: a later subscriber sees the two
	 * events in the opposite order of their publication. */
	assert_string_equal(seen, "nCnVbVbC");
}

/* Known bug: unsubscribing shifts the array under the running delivery
 * loop of bus_publish, so the subscriber after one that leaves in its
 * handler misses the event being delivered. */
static void sub_leaving(const struct bus_event *ev, void *arg)
{
	(void)arg;
	note('l', ev);
	bus_unsubscribe(sub_leaving, NULL);
}

static void subscriber_leaving_in_its_handler_does_not_skip_the_next(void **state)
{
	(void)state;
	subscribe(sub_leaving, NULL);
	subscribe(sub_b, NULL);
	publish(BUS_CHANNEL_CREATED);
	assert_string_equal(seen, "lCbC");
	publish(BUS_CHANNEL_CREATED);
	assert_string_equal(seen, "lCbCbC");
}

#define T(f) cmocka_unit_test_setup_teardown(f, reset, unsubscribe_all)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(subscribers_receive_each_event_in_subscription_order),
		T(events_arrive_synchronously_in_publication_order),
		T(unsubscribe_stops_delivery_to_that_subscriber_only),
		T(same_handler_with_two_arguments_is_two_subscriptions),
		T(unsubscribing_what_was_never_subscribed_changes_nothing),
		T(time_us_is_stamped_when_zero_and_kept_when_set),
		T(null_handler_is_EINVAL),
		T(seventeenth_subscriber_is_ENOMEM),
		T(nested_publication_is_delivered_depth_first),
		T(subscriber_leaving_in_its_handler_does_not_skip_the_next),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
