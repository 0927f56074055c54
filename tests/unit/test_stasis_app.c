/* test_stasis_app.c — unit tests for the registry of Stasis applications
 * (src/core/stasis_app.c) and the routing of events to them
 * (stasis_route.c): registering, the stasis-<app> context the dialplan makes
 * for each app, replacing an app's socket (ApplicationReplaced),
 * deactivating, subscriptions to channels, endpoints and devices, and event
 * type filters. Channels entering and leaving apps are test_stasis.c's. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <re_types.h>
#include <re_fmt.h>
#include <re_list.h>
#include <re_mem.h>
#include <re_tmr.h>
#include <re_main.h>
#include "core/bus.h"
#include "core/channel.h"
#include "core/endpoint.h"
#include "core/stasis.h"
#include "pbx/dialplan.h"
#include "core_test.h"
#include "stasis_test.h"

/* ---- registering ---- */

static void register_creates_an_active_app_found_by_name(void **state)
{
	struct stasis_app *app;

	(void)state;
	assert_null(stasis_app_find("alpha"));
	app_up("alpha", "ws1");
	app = stasis_app_find("alpha");
	assert_non_null(app);
	assert_true(stasis_app_is_active(app));
	assert_string_equal(stasis_app_name(app), "alpha");
	assert_int_equal(stasis_app_count(), 1);
	/* Registering is not an event for the app. */
	assert_int_equal(rec_count_who("ws1"), 0);
}

static void register_rejects_empty_and_too_long_names(void **state)
{
	char name[STASIS_APP_NAME_MAX + 2];

	(void)state;
	assert_int_equal(stasis_app_register("", false, rec_deliver, "ws"),
			 EINVAL);
	assert_int_equal(stasis_app_register(NULL, false, rec_deliver, "ws"),
			 EINVAL);
	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	assert_int_equal(stasis_app_register(name, false, rec_deliver, "ws"),
			 EINVAL);
	assert_int_equal(stasis_app_count(), 0);
	/* 73 characters: "stasis-" + name still fits an 80-char context. */
	name[STASIS_APP_NAME_MAX] = '\0';
	app_up(name, "ws");
	assert_non_null(stasis_app_find(name));
}

static void register_makes_a_stasis_context_sending_any_exten_to_the_app(void **state)
{
	const struct dialplan_step *s;

	(void)state;
	assert_false(dialplan_context_exists("stasis-ctxapp"));
	app_up("ctxapp", "ws1");
	assert_true(dialplan_context_exists("stasis-ctxapp"));
	s = dialplan_find("stasis-ctxapp", "5551234", 1);
	assert_non_null(s);
	assert_string_equal(s->app, "Stasis");
	assert_string_equal(s->data, "ctxapp");
	s = dialplan_find("stasis-ctxapp", "h", 1);
	assert_non_null(s);
	assert_string_equal(s->app, "NoOp");
}

static void destroyed_app_takes_its_stasis_context_with_it(void **state)
{
	(void)state;
	app_up("brief", "ws1");
	assert_true(dialplan_context_exists("stasis-brief"));
	stasis_app_unregister("brief", "ws1");
	assert_null(stasis_app_find("brief"));
	assert_int_equal(stasis_app_count(), 0);
	assert_false(dialplan_context_exists("stasis-brief"));
}

static void context_of_the_same_name_from_the_dialplan_is_left_alone(void **state)
{
	const struct dialplan_step *s;

	(void)state;
	assert_int_equal(dialplan_context_add("stasis-mine", "pbx_config"), 0);
	assert_int_equal(dialplan_add("stasis-mine", "100", 1, NULL, "NoOp",
				      "user", "pbx_config", NULL, 0),
			 0);
	app_up("mine", "ws1");
	/* Not taken over: no `_.` added to the user's context. */
	assert_null(dialplan_find("stasis-mine", "555", 1));
	stasis_app_unregister("mine", "ws1");
	assert_null(stasis_app_find("mine"));
	/* Nor removed with the app. */
	s = dialplan_find("stasis-mine", "100", 1);
	assert_non_null(s);
	assert_string_equal(s->data, "user");
}

static void second_owner_takes_over_and_first_gets_ApplicationReplaced(void **state)
{
	struct channel *ch;
	int i;

	(void)state;
	app_up("rep", "ws1");
	app_up("rep", "ws2");
	assert_int_equal(rec_count(BUS_APP_REPLACED, "ws1"), 1);
	i = rec_find(BUS_APP_REPLACED, "ws1");
	assert_string_equal(evlog.r[i].app, "rep");
	assert_int_equal(rec_count_who("ws2"), 0);
	assert_int_equal(stasis_app_count(), 1);

	/* From now on the new socket hears the app's events. */
	ch = test_channel("rep");
	assert_int_equal(stasis_enter(ch, "rep", NULL, 0, NULL, NULL), 0);
	assert_int_equal(rec_count(BUS_STASIS_START, "ws2"), 1);
	assert_int_equal(rec_count(BUS_STASIS_START, "ws1"), 0);

	/* The replaced socket closing does not take the app down... */
	stasis_app_unregister("rep", "ws1");
	assert_true(stasis_app_is_active(stasis_app_find("rep")));
	/* ...its owner's does (the channel in it keeps the object). */
	stasis_app_unregister("rep", "ws2");
	assert_false(stasis_app_is_active(stasis_app_find("rep")));
}

static void same_owner_registering_again_is_not_a_replace(void **state)
{
	(void)state;
	app_up("again", "ws1");
	app_up("again", "ws1");
	assert_int_equal(rec_count(BUS_APP_REPLACED, NULL), 0);
	assert_int_equal(stasis_app_count(), 1);
}

static void unregister_of_an_unknown_app_changes_nothing(void **state)
{
	(void)state;
	app_up("stay", "ws1");
	stasis_app_unregister("nosuch", "ws1");
	stasis_app_unregister("stay", "ws2");
	assert_true(stasis_app_is_active(stasis_app_find("stay")));
	assert_false(stasis_app_is_active(stasis_app_find("nosuch")));
}

struct names {
	char text[256];
};

static void name_h(struct stasis_app *app, void *arg)
{
	struct names *n = arg;

	rec_join(n->text, sizeof(n->text), stasis_app_name(app));
}

static void foreach_visits_every_app(void **state)
{
	struct names n = {{0}};

	(void)state;
	app_up("one", "ws1");
	app_up("two", "ws1");
	app_up("three", "ws2");
	assert_int_equal(stasis_app_count(), 3);
	stasis_app_foreach(name_h, &n);
	assert_int_equal(strlen(n.text), strlen("one|two|three"));
	assert_non_null(strstr(n.text, "one"));
	assert_non_null(strstr(n.text, "two"));
	assert_non_null(strstr(n.text, "three"));
}

/* ---- subscriptions ---- */

static void sub(const char *app, enum stasis_source kind, const char *id)
{
	assert_int_equal(stasis_app_subscribe(app, kind, id), 0);
}

struct ids {
	char text[512];
	int n;
};

static void id_h(const char *id, void *arg)
{
	struct ids *ids = arg;

	ids->n++;
	rec_join(ids->text, sizeof(ids->text), id);
}

static void subscribed_app_receives_the_channels_events(void **state)
{
	struct channel *watched = test_channel("watched");
	struct channel *other = test_channel("other");
	int i;

	(void)state;
	app_up("watcher", "ws1");
	sub("watcher", STASIS_SRC_CHANNEL, channel_id(watched));
	assert_true(stasis_app_is_subscribed(stasis_app_find("watcher"),
					     STASIS_SRC_CHANNEL,
					     channel_id(watched)));
	channel_var_set(watched, "X", "1");
	channel_set_state(watched, CHANNEL_RINGING);
	channel_var_set(other, "Y", "2");
	channel_set_state(other, CHANNEL_RINGING);

	assert_int_equal(rec_count_who("ws1"), 2);
	i = rec_find(BUS_CHANNEL_VARSET, "ws1");
	assert_true(i >= 0);
	assert_string_equal(evlog.r[i].chan, channel_id(watched));
	assert_string_equal(evlog.r[i].app, "watcher");
	i = rec_find(BUS_CHANNEL_STATE, "ws1");
	assert_true(i >= 0);
	assert_string_equal(evlog.r[i].chan, channel_id(watched));
}

static void unsubscribed_app_stops_receiving_the_channels_events(void **state)
{
	struct channel *ch = test_channel("unsub");
	struct ids ids = {{0}};

	(void)state;
	app_up("w", "ws1");
	sub("w", STASIS_SRC_CHANNEL, channel_id(ch));
	/* Twice is fine: one source, counted twice (as Asterisk does). */
	sub("w", STASIS_SRC_CHANNEL, channel_id(ch));
	stasis_app_channel_foreach(stasis_app_find("w"), id_h, &ids);
	assert_int_equal(ids.n, 1);
	assert_string_equal(ids.text, channel_id(ch));

	channel_var_set(ch, "A", "1");
	assert_int_equal(stasis_app_unsubscribe("w", STASIS_SRC_CHANNEL,
						channel_id(ch)),
			 0);
	/* One subscription left: still seen. */
	channel_var_set(ch, "B", "2");
	assert_int_equal(rec_count(BUS_CHANNEL_VARSET, "ws1"), 2);
	assert_int_equal(stasis_app_unsubscribe("w", STASIS_SRC_CHANNEL,
						channel_id(ch)),
			 0);
	channel_var_set(ch, "C", "3");
	assert_int_equal(rec_count(BUS_CHANNEL_VARSET, "ws1"), 2);
	assert_string_equal(evlog.r[rec_find(BUS_CHANNEL_VARSET, "ws1")].var,
			    "A");
	assert_int_equal(stasis_app_unsubscribe("w", STASIS_SRC_CHANNEL,
						channel_id(ch)),
			 ESRCH);
}

static void subscription_errors_name_what_is_wrong(void **state)
{
	(void)state;
	assert_int_equal(stasis_app_subscribe("nosuch", STASIS_SRC_CHANNEL,
					      "1.1"),
			 ENOENT);
	assert_int_equal(stasis_app_unsubscribe("nosuch", STASIS_SRC_CHANNEL,
						"1.1"),
			 ENOENT);
	app_up("e", "ws1");
	assert_int_equal(stasis_app_subscribe("e", STASIS_SRC_CHANNEL, ""),
			 EINVAL);
	assert_int_equal(stasis_app_subscribe("e", STASIS_SRC_CHANNEL, NULL),
			 EINVAL);
	assert_int_equal(stasis_app_unsubscribe("e", STASIS_SRC_CHANNEL,
						"1.1"),
			 ESRCH);
	/* Kinds are kept apart: a device named like a channel id. */
	sub("e", STASIS_SRC_DEVICE, "1.1");
	assert_int_equal(stasis_app_unsubscribe("e", STASIS_SRC_CHANNEL,
						"1.1"),
			 ESRCH);
	assert_int_equal(stasis_app_watch_channel("nosuch",
						  test_channel("w")),
			 ENOENT);
}

static void app_not_subscribed_receives_no_channel_events(void **state)
{
	struct channel *ch = test_channel("quiet");

	(void)state;
	app_up("deaf", "ws1");
	channel_var_set(ch, "X", "1");
	channel_set_state(ch, CHANNEL_UP);
	channel_global_set("GLOBAL_QUIET", "1");
	channel_hangup(ch, CAUSE_NORMAL_CLEARING, "test");
	assert_int_equal(rec_count_who("ws1"), 0);
	channel_global_set("GLOBAL_QUIET", NULL);
}

static void subscribe_all_app_receives_every_channel_and_global_variables(void **state)
{
	struct channel *ch = test_channel("any");

	(void)state;
	assert_int_equal(stasis_app_register("all", true, rec_deliver,
					     "wsall"),
			 0);
	app_up("some", "ws1");
	channel_var_set(ch, "X", "1");
	channel_global_set("GLOBAL_ALL", "1");
	assert_int_equal(rec_count(BUS_CHANNEL_VARSET, "wsall"), 2);
	assert_int_equal(rec_count(BUS_CHANNEL_VARSET, "ws1"), 0);
	/* StasisStart still goes to the app entered only. */
	assert_int_equal(stasis_enter(ch, "some", NULL, 0, NULL, NULL), 0);
	assert_int_equal(rec_count(BUS_STASIS_START, "ws1"), 1);
	assert_int_equal(rec_count(BUS_STASIS_START, "wsall"), 0);
	channel_global_set("GLOBAL_ALL", NULL);
}

static void watched_channel_is_dropped_from_subscriptions_once_destroyed(void **state)
{
	struct channel *ch = test_channel("watch");
	char id[160];

	(void)state;
	snprintf(id, sizeof(id), "%s", channel_id(ch));
	app_up("orig", "ws1");
	assert_int_equal(stasis_app_watch_channel("orig", ch), 0);
	channel_hangup(ch, CAUSE_NORMAL_CLEARING, "test");
	/* It heard the end of the channel, then forgot it. */
	assert_int_equal(rec_count(BUS_CHANNEL_HANGUP_REQUEST, "ws1"), 1);
	assert_int_equal(rec_count(BUS_CHANNEL_DESTROYED, "ws1"), 1);
	assert_false(stasis_app_is_subscribed(stasis_app_find("orig"),
					      STASIS_SRC_CHANNEL, id));
}

static void unregister_drops_watched_channels_but_keeps_channels_in_the_app(void **state)
{
	struct channel *watched = test_channel("watched");
	struct channel *inside;
	struct stasis_app *app;

	(void)state;
	app_up("keep", "ws1");
	inside = chan_in("keep", "inside");
	sub("keep", STASIS_SRC_CHANNEL, channel_id(watched));
	sub("keep", STASIS_SRC_ENDPOINT, "PJSIP/alice");
	stasis_app_unregister("keep", "ws1");
	app = stasis_app_find("keep");
	assert_non_null(app);
	assert_false(stasis_app_is_subscribed(app, STASIS_SRC_CHANNEL,
					      channel_id(watched)));
	assert_false(stasis_app_is_subscribed(app, STASIS_SRC_ENDPOINT,
					      "PJSIP/alice"));
	assert_true(stasis_app_is_subscribed(app, STASIS_SRC_CHANNEL,
					     channel_id(inside)));
}

static void endpoint_events_reach_apps_watching_the_endpoint_or_its_tech(void **state)
{
	struct endpoint *alice = NULL, *bob = NULL;
	struct ids ids = {{0}};

	(void)state;
	assert_int_equal(endpoint_add(&alice, "PJSIP", "alice"), 0);
	assert_int_equal(endpoint_add(&bob, "PJSIP", "bob"), 0);
	app_up("one", "ws1");
	app_up("tech", "ws2");
	app_up("none", "ws3");
	sub("one", STASIS_SRC_ENDPOINT, "PJSIP/alice");
	sub("tech", STASIS_SRC_ENDPOINT, "PJSIP");
	stasis_app_source_foreach(stasis_app_find("one"), STASIS_SRC_ENDPOINT,
				  id_h, &ids);
	assert_string_equal(ids.text, "PJSIP/alice");

	endpoint_set_state(alice, ENDPOINT_ONLINE);
	endpoint_set_state(bob, ENDPOINT_ONLINE);
	assert_int_equal(rec_count(BUS_ENDPOINT_STATE, "ws1"), 1);
	assert_string_equal(evlog.r[rec_find(BUS_ENDPOINT_STATE, "ws1")].ep,
			    "PJSIP/alice");
	assert_int_equal(rec_count(BUS_ENDPOINT_STATE, "ws2"), 2);
	assert_int_equal(rec_count_who("ws3"), 0);
}

static void device_state_reaches_apps_subscribed_to_that_device(void **state)
{
	struct bus_event ev = {.type = BUS_DEVICE_STATE, .name = "Custom:lamp",
			       .status = "INUSE"};

	(void)state;
	app_up("lamp", "ws1");
	app_up("other", "ws2");
	sub("lamp", STASIS_SRC_DEVICE, "Custom:lamp");
	sub("other", STASIS_SRC_DEVICE, "Custom:desk");
	bus_publish(&ev);
	assert_int_equal(rec_count(BUS_DEVICE_STATE, "ws1"), 1);
	assert_int_equal(rec_count(BUS_DEVICE_STATE, "ws2"), 0);
}

/* ---- event filters ---- */

static void empty_filter_allows_every_event_type(void **state)
{
	struct stasis_app *app;

	(void)state;
	app_up("open", "ws1");
	app = stasis_app_find("open");
	assert_true(stasis_app_event_allowed(app, "StasisStart"));
	assert_true(stasis_app_event_allowed(app, "ChannelVarset"));
	assert_int_equal(stasis_app_set_filter(app, NULL, 0, NULL, 0), 0);
	assert_true(stasis_app_event_allowed(app, "Dial"));
}

static void allowed_list_lets_only_its_types_through(void **state)
{
	static const char *const allowed[] = {"StasisStart", "StasisEnd"};
	struct stasis_app *app;

	(void)state;
	app_up("picky", "ws1");
	app = stasis_app_find("picky");
	assert_int_equal(stasis_app_set_filter(app, allowed, 2, NULL, 0), 0);
	assert_true(stasis_app_event_allowed(app, "StasisStart"));
	assert_true(stasis_app_event_allowed(app, "StasisEnd"));
	assert_false(stasis_app_event_allowed(app, "ChannelVarset"));
	/* Event names are compared exactly, as ARI sends them. */
	assert_false(stasis_app_event_allowed(app, "stasisstart"));
}

static void disallowed_type_is_blocked_even_when_allowed(void **state)
{
	static const char *const allowed[] = {"StasisStart", "ChannelVarset"};
	static const char *const disallowed[] = {"ChannelVarset"};
	struct stasis_app *app;

	(void)state;
	app_up("strict", "ws1");
	app = stasis_app_find("strict");
	assert_int_equal(stasis_app_set_filter(app, allowed, 2, disallowed, 1),
			 0);
	assert_true(stasis_app_event_allowed(app, "StasisStart"));
	assert_false(stasis_app_event_allowed(app, "ChannelVarset"));
	assert_false(stasis_app_event_allowed(app, "Dial"));

	/* Only a disallowed list: everything else passes. */
	assert_int_equal(stasis_app_set_filter(app, NULL, 0, disallowed, 1), 0);
	assert_true(stasis_app_event_allowed(app, "Dial"));
	assert_false(stasis_app_event_allowed(app, "ChannelVarset"));
}

static void type_h(const char *type, void *arg)
{
	struct ids *ids = arg;

	ids->n++;
	rec_join(ids->text, sizeof(ids->text), type);
}

static void set_filter_replaces_both_lists(void **state)
{
	static const char *const a1[] = {"StasisStart", "Dial"};
	static const char *const d1[] = {"ChannelVarset"};
	static const char *const a2[] = {"StasisEnd"};
	struct stasis_app *app;
	struct ids ids = {{0}};

	(void)state;
	app_up("swap", "ws1");
	app = stasis_app_find("swap");
	assert_int_equal(stasis_app_set_filter(app, a1, 2, d1, 1), 0);
	stasis_app_filter_foreach(app, true, type_h, &ids);
	assert_string_equal(ids.text, "StasisStart|Dial");

	assert_int_equal(stasis_app_set_filter(app, a2, 1, NULL, 0), 0);
	ids = (struct ids){{0}};
	stasis_app_filter_foreach(app, true, type_h, &ids);
	assert_string_equal(ids.text, "StasisEnd");
	ids = (struct ids){{0}};
	stasis_app_filter_foreach(app, false, type_h, &ids);
	assert_int_equal(ids.n, 0);
	assert_false(stasis_app_event_allowed(app, "StasisStart"));
	assert_true(stasis_app_event_allowed(app, "StasisEnd"));
}

/* Known bug: stasis.h promises "Apps in name order" (GET /applications,
 * "ari show apps"), stasis_app_foreach walks them in creation order. */
static void foreach_visits_apps_in_name_order(void **state)
{
	struct names n = {{0}};

	(void)state;
	app_up("zeta", "ws1");
	app_up("alpha", "ws1");
	app_up("mid", "ws2");
	stasis_app_foreach(name_h, &n);
	assert_string_equal(n.text, "alpha|mid|zeta");
}

#define T(f) cmocka_unit_test_setup_teardown(f, stasis_setup, stasis_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(register_creates_an_active_app_found_by_name),
		T(register_rejects_empty_and_too_long_names),
		T(register_makes_a_stasis_context_sending_any_exten_to_the_app),
		T(destroyed_app_takes_its_stasis_context_with_it),
		T(context_of_the_same_name_from_the_dialplan_is_left_alone),
		T(second_owner_takes_over_and_first_gets_ApplicationReplaced),
		T(same_owner_registering_again_is_not_a_replace),
		T(unregister_of_an_unknown_app_changes_nothing),
		T(foreach_visits_every_app),
		T(subscribed_app_receives_the_channels_events),
		T(unsubscribed_app_stops_receiving_the_channels_events),
		T(subscription_errors_name_what_is_wrong),
		T(app_not_subscribed_receives_no_channel_events),
		T(subscribe_all_app_receives_every_channel_and_global_variables),
		T(watched_channel_is_dropped_from_subscriptions_once_destroyed),
		T(unregister_drops_watched_channels_but_keeps_channels_in_the_app),
		T(endpoint_events_reach_apps_watching_the_endpoint_or_its_tech),
		T(device_state_reaches_apps_subscribed_to_that_device),
		T(empty_filter_allows_every_event_type),
		T(allowed_list_lets_only_its_types_through),
		T(disallowed_type_is_blocked_even_when_allowed),
		T(set_filter_replaces_both_lists),
		T(foreach_visits_apps_in_name_order),
	};

	return cmocka_run_group_tests(tests, stasis_group_setup,
				      stasis_group_teardown);
}
