/* test_channel.c — unit tests for a channel's life (src/core/channel.c) and
 * the endpoint registry that follows it (src/core/endpoint.c): allocation
 * with ids and names, the registry's lookups and walk, state changes and
 * variables announced on the bus, hangup's order of events, hooks and tech
 * call, and endpoints publishing EndpointStateChange with their channel list
 * as channels join and leave. Driven through the public headers with a test
 * channel technology; no loop is needed, everything here is synchronous. */
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
#include "base/log.h"
#include "core_test.h"

/* Once per binary: techs and hooks cannot be removed. */
static int group_setup(void **state)
{
	(void)state;
	log_set_quiet(1);
	if (libre_init() || channel_tech_register(&test_tech) ||
	    endpoint_init())
		return -1;
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	libre_close();
	return 0;
}

static int setup(void **state)
{
	(void)state;
	rec_reset();
	memset(&tech_calls, 0, sizeof(tech_calls));
	return bus_subscribe(rec_bus_h, NULL);
}

static bool probing;
static void bus_probe(const struct bus_event *ev, void *arg);

static int teardown(void **state)
{
	(void)state;
	probing = false;
	bus_unsubscribe(bus_probe, NULL);
	channel_registry_close();
	endpoint_close();
	bus_unsubscribe(rec_bus_h, NULL);
	return 0;
}

/* ---- allocation and the registry ---- */

static void alloc_registers_channel_with_its_id_name_and_defaults(void **state)
{
	struct channel *ch = NULL;

	(void)state;
	assert_int_equal(channel_alloc(&ch, &test_tech, "my-id", NULL, NULL,
				       "CoreTest/%s-%d", "alice", 7),
			 0);
	assert_string_equal(channel_id(ch), "my-id");
	assert_string_equal(channel_name(ch), "CoreTest/alice-7");
	assert_string_equal(channel_linkedid(ch), "my-id");
	assert_string_equal(channel_tech_type(ch), "CoreTest");
	assert_int_equal(channel_state(ch), CHANNEL_DOWN);
	assert_string_equal(channel_context(ch), "default");
	assert_string_equal(channel_exten(ch), "s");
	assert_int_equal(channel_priority(ch), 1);
	assert_string_equal(channel_language(ch), "en");
	assert_string_equal(channel_appl(ch), "");
	assert_false(channel_is_hungup(ch));

	assert_ptr_equal(channel_find("my-id"), ch);
	assert_ptr_equal(channel_find_by_name("coretest/ALICE-7"), ch);
	assert_true(channel_id_in_use("my-id"));
	assert_int_equal(channel_count(), 1);

	assert_int_equal(rec_count(BUS_CHANNEL_CREATED, "bus"), 1);
	assert_string_equal(evlog.r[rec_find(BUS_CHANNEL_CREATED, "bus")].chan,
			    "my-id");
}

static bool all_digits(const char *s, size_t n)
{
	if (!n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* Asterisk's uniqueid shape: <epoch seconds>.<sequence>. */
static void assert_uniqueid_shape(const char *id)
{
	const char *dot = strchr(id, '.');

	assert_non_null(dot);
	assert_true(all_digits(id, (size_t)(dot - id)));
	assert_true(all_digits(dot + 1, strlen(dot + 1)));
}

static void alloc_without_id_gives_each_channel_a_fresh_uniqueid(void **state)
{
	struct channel *a = test_channel("a"), *b = test_channel("b");
	struct channel *c = NULL;

	(void)state;
	assert_uniqueid_shape(channel_id(a));
	assert_uniqueid_shape(channel_id(b));
	assert_string_not_equal(channel_id(a), channel_id(b));
	assert_ptr_equal(channel_find(channel_id(b)), b);

	/* A linkedid given at allocation ties the channel to another. */
	assert_int_equal(channel_alloc(&c, &test_tech, NULL, channel_id(a),
				       NULL, "CoreTest/c"),
			 0);
	assert_string_equal(channel_linkedid(c), channel_id(a));
	assert_string_not_equal(channel_id(c), channel_id(a));
}

static void id_in_use_is_EEXIST_and_bad_arguments_EINVAL(void **state)
{
	struct channel *ch = NULL, *dup = NULL;
	char longid[200];

	(void)state;
	assert_int_equal(channel_alloc(&ch, &test_tech, "taken", NULL, NULL,
				       "CoreTest/one"),
			 0);
	assert_int_equal(channel_alloc(&dup, &test_tech, "taken", NULL, NULL,
				       "CoreTest/two"),
			 EEXIST);
	memset(longid, 'x', sizeof(longid) - 1);
	longid[sizeof(longid) - 1] = '\0';
	assert_int_equal(channel_alloc(&dup, &test_tech, longid, NULL, NULL,
				       "CoreTest/three"),
			 EINVAL);
	assert_int_equal(channel_alloc(&dup, NULL, NULL, NULL, NULL,
				       "CoreTest/four"),
			 EINVAL);
	assert_null(dup);
	/* Nothing half-made: one channel, one ChannelCreated. */
	assert_int_equal(channel_count(), 1);
	assert_int_equal(rec_count(BUS_CHANNEL_CREATED, NULL), 1);
	assert_null(channel_find_by_name("CoreTest/two"));
}

static void request_finds_the_tech_by_dialstring(void **state)
{
	struct channel *ch = NULL;

	(void)state;
	assert_ptr_equal(channel_tech_find("coretest"), &test_tech);
	/* test_tech has no request(): known tech, but ENOENT like unknown. */
	assert_int_equal(channel_request(&ch, "CoreTest/x", NULL, NULL), ENOENT);
	assert_int_equal(channel_request(&ch, "Nosuch/x", NULL, NULL), ENOENT);
	assert_int_equal(channel_request(&ch, "no-slash", NULL, NULL), EINVAL);
	assert_int_equal(channel_request(&ch, "/x", NULL, NULL), EINVAL);
	assert_int_equal(channel_request(&ch, "CoreTest/", NULL, NULL), EINVAL);
	assert_int_equal(channel_count(), 0);
}

static int never_request(struct channel **chp, const char *resource,
			 const char *id, const char *other_id)
{
	(void)chp;
	(void)resource;
	(void)id;
	(void)other_id;
	return ENOSYS;
}

static struct channel *no_peer(const struct channel *ch)
{
	(void)ch;
	return NULL;
}

/* What maxcalls counts for an ARI originate before anything is made: a
 * technology that makes pairs (Local) makes two channels. */
static void request_size_is_two_for_a_technology_that_makes_pairs(void **state)
{
	static const struct channel_tech pair = {.type = "PairTest",
		.request = never_request, .peer = no_peer};
	static const struct channel_tech one = {.type = "OneTest",
		.request = never_request};

	(void)state;
	assert_int_equal(channel_tech_register(&pair), 0);
	assert_int_equal(channel_tech_register(&one), 0);
	assert_int_equal(channel_request_size("PairTest/100@default"), 2);
	assert_int_equal(channel_request_size("OneTest/x"), 1);
	/* what channel_request() would refuse counts as one */
	assert_int_equal(channel_request_size("Nosuch/x"), 1);
	assert_int_equal(channel_request_size("PairTest/"), 1);
	assert_int_equal(channel_request_size(NULL), 1);
}

struct walk {
	const char *names[8];
	int n;
	int stop_after;
};

static bool walk_h(struct channel *ch, void *arg)
{
	struct walk *w = arg;

	w->names[w->n++] = channel_name(ch);
	return w->n == w->stop_after;
}

static void foreach_visits_channels_in_creation_order_and_stops_when_asked(void **state)
{
	struct walk w = {0};

	(void)state;
	test_channel("z");
	test_channel("a");
	test_channel("m");
	channel_foreach(walk_h, &w);
	assert_int_equal(w.n, 3);
	assert_string_equal(w.names[0], "CoreTest/z");
	assert_string_equal(w.names[1], "CoreTest/a");
	assert_string_equal(w.names[2], "CoreTest/m");

	w = (struct walk){.stop_after = 2};
	channel_foreach(walk_h, &w);
	assert_int_equal(w.n, 2);
}

static bool hangup_visited(struct channel *ch, void *arg)
{
	(void)arg;
	channel_hangup(ch, CAUSE_NORMAL_CLEARING, "walk");
	return false;
}

static void foreach_may_hang_up_the_channel_it_visits(void **state)
{
	(void)state;
	test_channel("one");
	test_channel("two");
	test_channel("three");
	channel_foreach(hangup_visited, NULL);
	assert_int_equal(channel_count(), 0);
	assert_int_equal(rec_count(BUS_CHANNEL_DESTROYED, "bus"), 3);
}

/* ---- state, answer ---- */

static void state_change_publishes_ChannelStateChange_once_per_change(void **state)
{
	struct channel *ch = test_channel("st");

	(void)state;
	channel_set_state(ch, CHANNEL_RINGING);
	channel_set_state(ch, CHANNEL_RINGING);
	assert_int_equal(rec_count(BUS_CHANNEL_STATE, "bus"), 1);
	assert_int_equal(channel_state(ch), CHANNEL_RINGING);
	assert_string_equal(channel_state_str(channel_state(ch)), "Ringing");
	channel_set_state(ch, CHANNEL_UP);
	assert_int_equal(rec_count(BUS_CHANNEL_STATE, "bus"), 2);
	assert_string_equal(channel_state_str(CHANNEL_UP), "Up");
	assert_string_equal(channel_state_str((enum channel_state)99),
			    "Unknown");
}

static void answer_asks_the_tech_once_then_goes_Up(void **state)
{
	struct channel *ch = test_channel("ans");

	(void)state;
	assert_int_equal(channel_answer(ch), 0);
	assert_int_equal(tech_calls.answers, 1);
	assert_int_equal(channel_state(ch), CHANNEL_UP);
	assert_int_equal(rec_count(BUS_CHANNEL_STATE, "bus"), 1);
	/* Already Up: the tech is not asked again. */
	assert_int_equal(channel_answer(ch), 0);
	assert_int_equal(tech_calls.answers, 1);
	assert_int_equal(rec_count(BUS_CHANNEL_STATE, "bus"), 1);
}

static void answer_refused_by_the_tech_leaves_the_state(void **state)
{
	struct channel *ch = test_channel("refused");

	(void)state;
	tech_calls.answer_err = EPROTO;
	assert_int_equal(channel_answer(ch), EPROTO);
	assert_int_equal(channel_state(ch), CHANNEL_DOWN);
	assert_int_equal(rec_count(BUS_CHANNEL_STATE, NULL), 0);
}

/* ---- variables ---- */

struct vars {
	char text[256];
};

static void var_h(const char *name, const char *value, void *arg)
{
	struct vars *v = arg;
	size_t len = strlen(v->text);

	snprintf(v->text + len, sizeof(v->text) - len, "%s=%s;", name, value);
}

static void var_set_publishes_ChannelVarset_and_empty_value_unsets(void **state)
{
	struct channel *ch = test_channel("vars");
	struct vars v = {{0}};
	int i;

	(void)state;
	assert_int_equal(channel_var_set(ch, "FOO", "bar"), 0);
	assert_int_equal(channel_var_set(ch, "ZED", "1"), 0);
	assert_int_equal(channel_var_set(ch, "FOO", "baz"), 0);
	assert_string_equal(channel_var_get(ch, "FOO"), "baz");
	/* Names are case-sensitive, as in Asterisk. */
	assert_null(channel_var_get(ch, "foo"));
	/* In the order first set; an update keeps the place. */
	channel_var_foreach(ch, var_h, &v);
	assert_string_equal(v.text, "FOO=baz;ZED=1;");

	i = rec_find(BUS_CHANNEL_VARSET, "bus");
	assert_true(i >= 0);
	assert_string_equal(evlog.r[i].chan, channel_id(ch));
	assert_string_equal(evlog.r[i].var, "FOO");
	assert_string_equal(evlog.r[i].value, "bar");

	assert_int_equal(channel_var_set(ch, "FOO", ""), 0);
	assert_null(channel_var_get(ch, "FOO"));
	assert_int_equal(rec_count(BUS_CHANNEL_VARSET, "bus"), 4);
	assert_string_equal(evlog.r[evlog.n - 1].var, "FOO");
	assert_string_equal(evlog.r[evlog.n - 1].value, "");

	assert_int_equal(channel_var_set(ch, "", "x"), EINVAL);
	assert_int_equal(channel_var_set(ch, NULL, "x"), EINVAL);
	assert_int_equal(rec_count(BUS_CHANNEL_VARSET, "bus"), 4);
}

static void builtin_variables_read_and_write_the_channel(void **state)
{
	struct channel *ch = test_channel("builtin");
	struct vars v = {{0}};
	char cid[100];

	(void)state;
	assert_string_equal(channel_var_get(ch, "CHANNEL"), "CoreTest/builtin");
	assert_string_equal(channel_var_get(ch, "UNIQUEID"), channel_id(ch));
	assert_string_equal(channel_var_get(ch, "CONTEXT"), "default");
	assert_string_equal(channel_var_get(ch, "PRIORITY"), "1");
	assert_int_equal(channel_var_set(ch, "CALLERID(num)", "5551234"), 0);
	assert_int_equal(channel_var_set(ch, "CALLERID(name)", "Ann"), 0);
	assert_string_equal(channel_caller_num(ch), "5551234");
	assert_string_equal(channel_caller_name(ch), "Ann");
	snprintf(cid, sizeof(cid), "%s", channel_var_get(ch, "CALLERID(all)"));
	assert_string_equal(cid, "\"Ann\" <5551234>");
	/* Functions are not stored as variables, but still announced. */
	channel_var_foreach(ch, var_h, &v);
	assert_string_equal(v.text, "");
	assert_int_equal(rec_count(BUS_CHANNEL_VARSET, "bus"), 2);
	channel_set_state(ch, CHANNEL_UP);
	assert_string_equal(channel_var_get(ch, "CHANNEL(state)"), "Up");
}

static void global_variables_are_published_without_channel_and_seen_by_all(void **state)
{
	struct channel *ch = test_channel("glob");
	int i;

	(void)state;
	channel_global_set("GREETING", "hello");
	i = rec_find(BUS_CHANNEL_VARSET, "bus");
	assert_true(i >= 0);
	assert_string_equal(evlog.r[i].chan, "");
	assert_string_equal(evlog.r[i].var, "GREETING");
	assert_string_equal(channel_global_get("GREETING"), "hello");
	/* A channel reads globals through; its own variable wins. */
	assert_string_equal(channel_var_get(ch, "GREETING"), "hello");
	assert_int_equal(channel_var_set(ch, "GREETING", "hi"), 0);
	assert_string_equal(channel_var_get(ch, "GREETING"), "hi");
	assert_string_equal(channel_global_get("GREETING"), "hello");
	channel_global_set("GREETING", NULL);
	assert_null(channel_global_get("GREETING"));
}

/* ---- hangup ---- */

static void hangup_publishes_HangupRequest_then_Destroyed_with_cause(void **state)
{
	struct channel *ch = test_channel("bye");
	char id[160];
	int req, des;

	(void)state;
	snprintf(id, sizeof(id), "%s", channel_id(ch));
	channel_set_tech_cause(ch, 486);
	channel_hangup(ch, CAUSE_USER_BUSY, "tester");

	req = rec_find(BUS_CHANNEL_HANGUP_REQUEST, "bus");
	des = rec_find(BUS_CHANNEL_DESTROYED, "bus");
	assert_true(req >= 0 && des > req);
	assert_int_equal(rec_count(BUS_CHANNEL_HANGUP_REQUEST, "bus"), 1);
	assert_int_equal(rec_count(BUS_CHANNEL_DESTROYED, "bus"), 1);
	assert_string_equal(evlog.r[req].chan, id);
	assert_int_equal(evlog.r[req].cause, CAUSE_USER_BUSY);
	assert_false(evlog.r[req].soft);
	assert_string_equal(evlog.r[des].chan, id);
	assert_int_equal(evlog.r[des].cause, CAUSE_USER_BUSY);
	assert_int_equal(evlog.r[des].tech_cause, 486);
	assert_int_equal(tech_calls.hangups, 1);
	assert_int_equal(tech_calls.last_hangup_cause, CAUSE_USER_BUSY);
	assert_string_equal(channel_cause_text(CAUSE_USER_BUSY), "User busy");
}

static void destroyed_channel_is_forgotten_by_the_registry(void **state)
{
	struct channel *keep = test_channel("keep");
	struct channel *ch = test_channel("gone");
	char id[160];

	(void)state;
	snprintf(id, sizeof(id), "%s", channel_id(ch));
	assert_int_equal(channel_count(), 2);
	channel_hangup(ch, 0, NULL);
	assert_null(channel_find(id));
	assert_false(channel_id_in_use(id));
	assert_null(channel_find_by_name("CoreTest/gone"));
	assert_int_equal(channel_count(), 1);
	assert_ptr_equal(channel_find(channel_id(keep)), keep);
	/* The id is free again. */
	assert_int_equal(channel_alloc(&ch, &test_tech, id, NULL, NULL,
				       "CoreTest/again"),
			 0);
}

static void hangup_cause_zero_is_normal_clearing(void **state)
{
	struct channel *ch = test_channel("zero");
	int des;

	(void)state;
	channel_hangup(ch, 0, NULL);
	des = rec_find(BUS_CHANNEL_DESTROYED, "bus");
	assert_true(des >= 0);
	assert_int_equal(evlog.r[des].cause, CAUSE_NORMAL_CLEARING);
	assert_int_equal(tech_calls.last_hangup_cause, CAUSE_NORMAL_CLEARING);
}

static void soft_hangup_is_announced_as_soft(void **state)
{
	struct channel *ch = test_channel("soft");
	int req;

	(void)state;
	channel_hangup_soft(ch, CAUSE_NORMAL_CLEARING, "ari");
	req = rec_find(BUS_CHANNEL_HANGUP_REQUEST, "bus");
	assert_true(req >= 0);
	assert_true(evlog.r[req].soft);
	assert_int_equal(rec_count(BUS_CHANNEL_DESTROYED, "bus"), 1);
}

static void second_hangup_and_later_changes_are_no_ops(void **state)
{
	struct channel *ch = mem_ref(test_channel("twice"));

	(void)state;
	channel_hangup(ch, CAUSE_CALL_REJECTED, "first");
	/* Still readable: we hold a reference. */
	assert_true(channel_is_hungup(ch));
	assert_int_equal(channel_hangup_cause(ch), CAUSE_CALL_REJECTED);
	assert_string_equal(channel_hangup_source(ch), "first");
	channel_hangup(ch, CAUSE_USER_BUSY, "second");
	channel_hangup_soft(ch, CAUSE_USER_BUSY, "third");
	assert_int_equal(rec_count(BUS_CHANNEL_HANGUP_REQUEST, "bus"), 1);
	assert_int_equal(rec_count(BUS_CHANNEL_DESTROYED, "bus"), 1);
	assert_int_equal(tech_calls.hangups, 1);
	assert_int_equal(channel_hangup_cause(ch), CAUSE_CALL_REJECTED);
	assert_string_equal(channel_hangup_source(ch), "first");

	channel_set_state(ch, CHANNEL_UP);
	assert_int_equal(rec_count(BUS_CHANNEL_STATE, "bus"), 0);
	assert_int_equal(channel_answer(ch), EINVAL);
	assert_int_equal(tech_calls.answers, 0);
	mem_deref(ch);
}

/* Hooks and probes write one letter each into `order` while `probing`. */
static char order[64];

static void mark(char c)
{
	size_t len = strlen(order);

	if (probing && len + 1 < sizeof(order)) {
		order[len] = c;
		order[len + 1] = '\0';
	}
}

static void hook1_hangup(struct channel *ch) { (void)ch; mark('1'); }
static void hook2_hangup(struct channel *ch) { (void)ch; mark('2'); }
static void hook1_ep(struct channel *ch, const char *left, const char *joined)
{
	(void)ch; (void)left; (void)joined;
	mark('a');
}
static void hook2_ep(struct channel *ch, const char *left, const char *joined)
{
	(void)ch; (void)left; (void)joined;
	mark('b');
}
static void tech_probe(struct channel *ch) { (void)ch; mark('T'); }

static const struct channel_hooks hooks1 = {.hangup = hook1_hangup,
					    .endpoint_changed = hook1_ep};
static const struct channel_hooks hooks2 = {.hangup = hook2_hangup,
					    .endpoint_changed = hook2_ep};

static void bus_probe(const struct bus_event *ev, void *arg)
{
	(void)arg;
	if (ev->type == BUS_CHANNEL_HANGUP_REQUEST)
		mark('R');
	else if (ev->type == BUS_CHANNEL_DESTROYED)
		mark('D');
	else if (ev->type == BUS_ENDPOINT_STATE)
		mark('E');
}

static void hooks_run_in_order_added_between_request_and_tech_hangup(void **state)
{
	struct channel *ch = test_channel("hooked");

	(void)state;
	/* Added once for the binary (hooks cannot be removed); adding the
	 * same table again keeps its place. */
	assert_int_equal(channel_hooks_add(&hooks1), 0);
	assert_int_equal(channel_hooks_add(&hooks2), 0);
	assert_int_equal(channel_hooks_add(&hooks1), 0);
	assert_int_equal(bus_subscribe(bus_probe, NULL), 0);
	assert_int_equal(endpoint_add(NULL, "CoreTest", "hooked"), 0);
	tech_calls.on_hangup = tech_probe;
	order[0] = '\0';
	probing = true;

	/* Joining: every endpoint_changed hook, in order; the endpoint
	 * registry's own hook (added by endpoint_init, before ours) has
	 * published EndpointStateChange first. */
	channel_set_endpoint(ch, "CoreTest/hooked");
	assert_string_equal(order, "Eab");
	order[0] = '\0';
	channel_hangup(ch, CAUSE_NORMAL_CLEARING, "test");
	/* Request, hangup hooks, tech, Destroyed, then leaving the endpoint
	 * once out of the registry. */
	assert_string_equal(order, "R12TDEab");
}

static void referenced_channel_outlives_its_hangup(void **state)
{
	struct channel *ch = test_channel("held");

	(void)state;
	mem_ref(ch);
	channel_hangup(ch, CAUSE_NORMAL_CLEARING, "test");
	assert_int_equal(channel_count(), 0);
	/* The registry dropped its reference; ours keeps the object. */
	assert_string_equal(channel_name(ch), "CoreTest/held");
	assert_null(mem_deref(ch));
}

/* ---- endpoints ---- */

static void endpoint_registry_finds_by_tech_and_resource(void **state)
{
	struct endpoint *ep = NULL, *dup = NULL;

	(void)state;
	assert_int_equal(endpoint_add(&ep, "PJSIP", "alice"), 0);
	assert_int_equal(endpoint_add(&dup, "pjsip", "alice"), EEXIST);
	assert_int_equal(endpoint_add(&dup, "PJSIP", ""), EINVAL);
	assert_null(dup);
	/* tech without case, resource with case */
	assert_ptr_equal(endpoint_find("pjsip", "alice"), ep);
	assert_null(endpoint_find("PJSIP", "Alice"));
	assert_ptr_equal(endpoint_find_id("PJSIP/alice"), ep);
	assert_null(endpoint_find_id("alice"));
	assert_string_equal(endpoint_tech(ep), "PJSIP");
	assert_string_equal(endpoint_resource(ep), "alice");
	assert_int_equal(endpoint_get_state(ep), ENDPOINT_UNKNOWN);
	endpoint_remove(ep);
	assert_null(endpoint_find("PJSIP", "alice"));
}

static void endpoint_state_change_publishes_once_per_change(void **state)
{
	struct endpoint *ep = NULL;
	int i;

	(void)state;
	assert_int_equal(endpoint_add(&ep, "PJSIP", "bob"), 0);
	endpoint_set_state(ep, ENDPOINT_ONLINE);
	endpoint_set_state(ep, ENDPOINT_ONLINE);
	assert_int_equal(rec_count(BUS_ENDPOINT_STATE, "bus"), 1);
	i = rec_find(BUS_ENDPOINT_STATE, "bus");
	assert_string_equal(evlog.r[i].ep, "PJSIP/bob");
	assert_string_equal(endpoint_state_str(endpoint_get_state(ep)),
			    "online");
	endpoint_set_state(ep, ENDPOINT_OFFLINE);
	assert_int_equal(rec_count(BUS_ENDPOINT_STATE, "bus"), 2);
	assert_string_equal(endpoint_state_str(ENDPOINT_OFFLINE), "offline");
}

static void channels_joining_and_leaving_publish_the_channel_list(void **state)
{
	struct endpoint *ep = NULL;
	struct channel *a, *b;
	char ida[160], idb[160], both[330];

	(void)state;
	assert_int_equal(endpoint_add(&ep, "PJSIP", "carol"), 0);
	a = test_channel("ca");
	b = test_channel("cb");
	snprintf(ida, sizeof(ida), "%s", channel_id(a));
	snprintf(idb, sizeof(idb), "%s", channel_id(b));
	snprintf(both, sizeof(both), "%s|%s", ida, idb);

	channel_set_endpoint(a, "PJSIP/carol");
	assert_int_equal(rec_count(BUS_ENDPOINT_STATE, "bus"), 1);
	assert_string_equal(evlog.r[evlog.n - 1].ep, "PJSIP/carol");
	assert_string_equal(evlog.r[evlog.n - 1].ep_chans, ida);
	assert_string_equal(channel_endpoint(a), "PJSIP/carol");

	channel_set_endpoint(b, "PJSIP/carol");
	assert_int_equal(rec_count(BUS_ENDPOINT_STATE, "bus"), 2);
	assert_string_equal(evlog.r[evlog.n - 1].ep_chans, both);
	assert_int_equal(endpoint_channel_count(ep), 2);

	/* Leaving: published after ChannelDestroyed, without the channel. */
	channel_hangup(a, CAUSE_NORMAL_CLEARING, "test");
	assert_int_equal(rec_count(BUS_ENDPOINT_STATE, "bus"), 3);
	assert_int_equal(evlog.r[evlog.n - 2].type, BUS_CHANNEL_DESTROYED);
	assert_int_equal(evlog.r[evlog.n - 1].type, BUS_ENDPOINT_STATE);
	assert_string_equal(evlog.r[evlog.n - 1].ep_chans, idb);
	assert_int_equal(endpoint_channel_count(ep), 1);

	channel_hangup(b, CAUSE_NORMAL_CLEARING, "test");
	assert_int_equal(rec_count(BUS_ENDPOINT_STATE, "bus"), 4);
	assert_string_equal(evlog.r[evlog.n - 1].ep_chans, "");
	assert_int_equal(endpoint_channel_count(ep), 0);
	/* The state itself did not change. */
	assert_int_equal(endpoint_get_state(ep), ENDPOINT_UNKNOWN);
}

static void channel_of_an_unknown_endpoint_publishes_nothing(void **state)
{
	struct channel *ch = test_channel("stray");

	(void)state;
	channel_set_endpoint(ch, "PJSIP/nobody");
	assert_string_equal(channel_endpoint(ch), "PJSIP/nobody");
	channel_hangup(ch, CAUSE_NORMAL_CLEARING, "test");
	assert_int_equal(rec_count(BUS_ENDPOINT_STATE, NULL), 0);
}

static void endpoint_lists_only_its_own_channels(void **state)
{
	struct endpoint *d = NULL, *e = NULL;
	struct channel *cd = test_channel("d"), *ce = test_channel("e");

	(void)state;
	assert_int_equal(endpoint_add(&d, "PJSIP", "dave"), 0);
	assert_int_equal(endpoint_add(&e, "PJSIP", "eve"), 0);
	channel_set_endpoint(cd, "PJSIP/dave");
	channel_set_endpoint(ce, "PJSIP/eve");
	assert_string_equal(evlog.r[evlog.n - 1].ep, "PJSIP/eve");
	assert_string_equal(evlog.r[evlog.n - 1].ep_chans, channel_id(ce));
	assert_int_equal(endpoint_channel_count(d), 1);
	assert_int_equal(endpoint_channel_count(e), 1);
}

static void channel_changing_endpoint_is_announced_by_both(void **state)
{
	struct endpoint *f = NULL, *g = NULL;
	struct channel *ch = test_channel("mover");

	(void)state;
	assert_int_equal(endpoint_add(&f, "PJSIP", "frank"), 0);
	assert_int_equal(endpoint_add(&g, "PJSIP", "grace"), 0);
	channel_set_endpoint(ch, "PJSIP/frank");
	assert_int_equal(rec_count(BUS_ENDPOINT_STATE, "bus"), 1);

	/* The endpoint left first (without the channel), then the new one. */
	channel_set_endpoint(ch, "PJSIP/grace");
	assert_int_equal(rec_count(BUS_ENDPOINT_STATE, "bus"), 3);
	assert_string_equal(evlog.r[evlog.n - 2].ep, "PJSIP/frank");
	assert_string_equal(evlog.r[evlog.n - 2].ep_chans, "");
	assert_string_equal(evlog.r[evlog.n - 1].ep, "PJSIP/grace");
	assert_string_equal(evlog.r[evlog.n - 1].ep_chans, channel_id(ch));
	assert_int_equal(endpoint_channel_count(f), 0);
	assert_int_equal(endpoint_channel_count(g), 1);

	/* The same endpoint again changes nothing; none leaves it. */
	channel_set_endpoint(ch, "PJSIP/grace");
	assert_int_equal(rec_count(BUS_ENDPOINT_STATE, "bus"), 3);
	channel_set_endpoint(ch, NULL);
	assert_int_equal(rec_count(BUS_ENDPOINT_STATE, "bus"), 4);
	assert_string_equal(evlog.r[evlog.n - 1].ep, "PJSIP/grace");
	assert_string_equal(evlog.r[evlog.n - 1].ep_chans, "");
	assert_null(channel_endpoint(ch));
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(alloc_registers_channel_with_its_id_name_and_defaults),
		T(alloc_without_id_gives_each_channel_a_fresh_uniqueid),
		T(id_in_use_is_EEXIST_and_bad_arguments_EINVAL),
		T(request_finds_the_tech_by_dialstring),
		T(request_size_is_two_for_a_technology_that_makes_pairs),
		T(foreach_visits_channels_in_creation_order_and_stops_when_asked),
		T(foreach_may_hang_up_the_channel_it_visits),
		T(state_change_publishes_ChannelStateChange_once_per_change),
		T(answer_asks_the_tech_once_then_goes_Up),
		T(answer_refused_by_the_tech_leaves_the_state),
		T(var_set_publishes_ChannelVarset_and_empty_value_unsets),
		T(builtin_variables_read_and_write_the_channel),
		T(global_variables_are_published_without_channel_and_seen_by_all),
		T(hangup_publishes_HangupRequest_then_Destroyed_with_cause),
		T(destroyed_channel_is_forgotten_by_the_registry),
		T(hangup_cause_zero_is_normal_clearing),
		T(soft_hangup_is_announced_as_soft),
		T(second_hangup_and_later_changes_are_no_ops),
		T(hooks_run_in_order_added_between_request_and_tech_hangup),
		T(referenced_channel_outlives_its_hangup),
		T(endpoint_registry_finds_by_tech_and_resource),
		T(endpoint_state_change_publishes_once_per_change),
		T(channels_joining_and_leaving_publish_the_channel_list),
		T(channel_of_an_unknown_endpoint_publishes_nothing),
		T(endpoint_lists_only_its_own_channels),
		T(channel_changing_endpoint_is_announced_by_both),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
