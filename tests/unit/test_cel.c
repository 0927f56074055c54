/* test_cel.c — unit tests for Channel Event Logging (src/core/cel.c): the
 * rows a channel's life writes to <logdir>/cel/Master.csv (CHAN_START,
 * ANSWER, APP_START/APP_END for dialplan applications and for Stasis apps,
 * including the APP_END + APP_START pair ariadne writes on a move,
 * BRIDGE_ENTER/BRIDGE_EXIT, HANGUP, CHAN_END, LINKEDID_END), checked column by column in cel_custom's order,
 * and what cel.conf's enable, events, apps and dateformat change. Each test
 * logs into its own temporary directory. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <re_types.h>
#include <re_fmt.h>
#include <re_list.h>
#include <re_mem.h>
#include <re_tmr.h>
#include <re_main.h>
#include "base/config.h"
#include "core/bridge.h"
#include "core/bus.h"
#include "core/cel.h"
#include "core/channel.h"
#include "core/stasis.h"
#include "core_test.h"
#include "stasis_test.h"

static char dir[64];
static char celpath[128];
static struct config *conf;

static int setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/test_cel_XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(celpath, sizeof(celpath), "%s/cel/Master.csv", dir);
	conf = NULL;
	return stasis_setup(state);
}

static int teardown(void **state)
{
	char path[160];

	stasis_teardown(state);
	cel_close();
	config_free(conf);
	unlink(celpath);
	snprintf(path, sizeof(path), "%s/cel", dir);
	rmdir(path);
	rmdir(dir);
	return 0;
}

/* Start CEL with this cel.conf text (NULL: no cel.conf). */
static void cel_start(const char *celconf)
{
	if (celconf)
		assert_int_equal(config_parse(&conf, "cel.conf", celconf), 0);
	assert_int_equal(cel_init(conf, dir), 0);
}

/* Event types of `id`'s rows, '|' joined. */
static const char *types_of(const char *id)
{
	static char buf[512];

	buf[0] = '\0';
	for (int i = 0; i < cel_rows.n; i++)
		if (!id || !strcmp(cel_rows.row[i].col[COL_UNIQUEID], id))
			rec_join(buf, sizeof(buf),
				 cel_rows.row[i].col[COL_EVENTTYPE]);
	return buf;
}

/* The first row of `id` with this event type. */
static const struct cel_row *row_of(const char *id, const char *type)
{
	for (int i = 0; i < cel_rows.n; i++) {
		const struct cel_row *r = &cel_rows.row[i];

		if (!strcmp(r->col[COL_UNIQUEID], id) &&
		    !strcmp(r->col[COL_EVENTTYPE], type))
			return r;
	}
	fail_msg("no %s row for %s: %s", type, id, types_of(NULL));
	return NULL;
}

/* ---- a channel's life ---- */

static void answered_call_writes_start_answer_hangup_end_in_order(void **state)
{
	struct channel *ch;
	char id[160];

	(void)state;
	cel_start(NULL);
	ch = test_channel("life");
	snprintf(id, sizeof(id), "%s", channel_id(ch));
	/* On disk at once, not when the call ends. */
	assert_int_equal(cel_read(celpath), 1);
	channel_answer(ch);
	channel_hangup(ch, CAUSE_USER_BUSY, "tester");
	cel_read(celpath);
	assert_string_equal(types_of(id),
			    "CHAN_START|ANSWER|HANGUP|CHAN_END|LINKEDID_END");
}

static void every_column_is_in_cel_custom_order(void **state)
{
	const struct cel_row *r;
	struct channel *ch;
	char id[160];
	long sec;
	int usec = -1;

	(void)state;
	cel_start(NULL);
	ch = test_channel("cols");
	snprintf(id, sizeof(id), "%s", channel_id(ch));
	channel_set_caller(ch, "Ann", "5551234");
	channel_set_accountcode(ch, "acct7");
	channel_set_location(ch, "sales", "200", 1);
	channel_answer(ch);
	cel_read(celpath);
	r = row_of(id, "ANSWER");
	assert_string_equal(r->col[COL_EVENTTYPE], "ANSWER");
	/* Asterisk's default eventtime: seconds.microseconds. */
	assert_int_equal(sscanf(r->col[COL_EVENTTIME], "%ld.%6d", &sec, &usec),
			 2);
	assert_int_equal(strlen(strchr(r->col[COL_EVENTTIME], '.') + 1), 6);
	assert_in_range(sec, time(NULL) - 5, time(NULL) + 1);
	assert_string_equal(r->col[COL_CID_NAME], "Ann");
	assert_string_equal(r->col[COL_CID_NUM], "5551234");
	assert_string_equal(r->col[COL_CID_ANI], "5551234");
	assert_string_equal(r->col[COL_CID_RDNIS], "");
	assert_string_equal(r->col[COL_CID_DNID], "");
	assert_string_equal(r->col[COL_EXTEN], "200");
	assert_string_equal(r->col[COL_CONTEXT], "sales");
	assert_string_equal(r->col[COL_CHANNAME], "CoreTest/cols");
	assert_string_equal(r->col[COL_APPNAME], "");
	assert_string_equal(r->col[COL_APPDATA], "");
	assert_string_equal(r->col[COL_AMAFLAGS], "DOCUMENTATION");
	assert_string_equal(r->col[COL_ACCOUNTCODE], "acct7");
	assert_string_equal(r->col[COL_UNIQUEID], id);
	assert_string_equal(r->col[COL_LINKEDID], id);
	assert_string_equal(r->col[COL_PEER], "");
	assert_string_equal(r->col[COL_USERDEFFIELD], "");
	assert_string_equal(r->col[COL_EXTRA], "");
	/* CHAN_START was written before the caller id was set. */
	assert_string_equal(row_of(id, "CHAN_START")->col[COL_CID_NAME], "");
}

static void hangup_row_carries_cause_source_and_dialstatus_as_json(void **state)
{
	struct channel *ch;
	char id[160];

	(void)state;
	cel_start(NULL);
	ch = test_channel("extra");
	snprintf(id, sizeof(id), "%s", channel_id(ch));
	channel_var_set(ch, "DIALSTATUS", "BUSY");
	channel_hangup(ch, CAUSE_USER_BUSY, "PJSIP/bob-\"1\"");
	cel_read(celpath);
	assert_string_equal(row_of(id, "HANGUP")->col[COL_EXTRA],
			    "{\"hangupcause\":17,\"hangupsource\":"
			    "\"PJSIP/bob-\\\"1\\\"\",\"dialstatus\":\"BUSY\"}");
	assert_string_equal(row_of(id, "CHAN_END")->col[COL_EXTRA], "");
}

/* Asterisk's cel_bridge_enter_cb/leave_cb: extra names the bridge and its
 * technology at that moment, peer the other channels then in it. */
static void bridge_rows_carry_bridge_id_technology_and_the_others(void **state)
{
	struct channel *a, *c, *d;
	struct bridge *b = NULL;
	char ida[160], idc[160];
	const struct cel_row *r;

	(void)state;
	cel_start(NULL);
	a = test_channel("a");
	c = test_channel("c");
	d = test_channel("d");
	snprintf(ida, sizeof(ida), "%s", channel_id(a));
	snprintf(idc, sizeof(idc), "%s", channel_id(c));
	assert_int_equal(bridge_create(&b, "br-1", BRIDGE_MIXING, NULL, NULL),
			 0);
	assert_int_equal(bridge_add(b, a, NULL), 0);
	assert_int_equal(bridge_add(b, c, NULL), 0);
	assert_int_equal(bridge_add(b, d, NULL), 0);
	assert_int_equal(bridge_remove(b, c), 0);
	cel_read(celpath);
	r = row_of(ida, "BRIDGE_ENTER");
	assert_string_equal(r->col[COL_EXTRA],
			    "{\"bridge_id\":\"br-1\","
			    "\"bridge_technology\":\"simple_bridge\"}");
	assert_string_equal(r->col[COL_PEER], "");
	r = row_of(idc, "BRIDGE_ENTER");
	assert_string_equal(r->col[COL_PEER], "CoreTest/a");
	/* Three in: the event shows the technology before the switch. */
	assert_string_equal(row_of(idc, "BRIDGE_EXIT")->col[COL_EXTRA],
			    "{\"bridge_id\":\"br-1\","
			    "\"bridge_technology\":\"softmix\"}");
	assert_string_equal(row_of(idc, "BRIDGE_EXIT")->col[COL_PEER],
			    "CoreTest/a,CoreTest/d");
	assert_string_equal(types_of(idc), "CHAN_START|BRIDGE_ENTER|"
			    "BRIDGE_EXIT");
	bridge_destroy(b);
	bridge_close();
}

static void unanswered_call_has_no_ANSWER_and_answer_is_written_once(void **state)
{
	struct channel *a, *b;
	char ida[160], idb[160];

	(void)state;
	cel_start(NULL);
	a = test_channel("unanswered");
	b = test_channel("twice-up");
	snprintf(ida, sizeof(ida), "%s", channel_id(a));
	snprintf(idb, sizeof(idb), "%s", channel_id(b));
	channel_set_state(a, CHANNEL_RINGING);
	channel_set_state(b, CHANNEL_UP);
	channel_set_state(b, CHANNEL_RING);
	channel_set_state(b, CHANNEL_UP);
	channel_hangup(a, CAUSE_NO_ANSWER, "test");
	channel_hangup(b, CAUSE_NORMAL_CLEARING, "test");
	cel_read(celpath);
	assert_int_equal(cel_count(ida, "ANSWER"), 0);
	assert_int_equal(cel_count(idb, "ANSWER"), 1);
}

static void linked_channels_write_one_LINKEDID_END_after_the_last_CHAN_END(void **state)
{
	struct channel *a, *b = NULL;
	char ida[160];

	(void)state;
	cel_start(NULL);
	a = test_channel("a");
	snprintf(ida, sizeof(ida), "%s", channel_id(a));
	assert_int_equal(channel_alloc(&b, &test_tech, NULL, ida, NULL,
				       "CoreTest/b"),
			 0);
	channel_hangup(a, CAUSE_NORMAL_CLEARING, "test");
	cel_read(celpath);
	assert_int_equal(cel_count(NULL, "LINKEDID_END"), 0);
	channel_hangup(b, CAUSE_NORMAL_CLEARING, "test");
	cel_read(celpath);
	assert_int_equal(cel_count(NULL, "LINKEDID_END"), 1);
	assert_string_equal(cel_rows.row[cel_rows.n - 1].col[COL_EVENTTYPE],
			    "LINKEDID_END");
	assert_string_equal(cel_rows.row[cel_rows.n - 1].col[COL_LINKEDID],
			    ida);
	assert_string_equal(cel_rows.row[cel_rows.n - 2].col[COL_EVENTTYPE],
			    "CHAN_END");
}

/* ---- applications ---- */

static void dialplan_application_change_writes_APP_END_then_APP_START(void **state)
{
	struct channel *ch;
	const struct cel_row *r;
	char id[160];

	(void)state;
	cel_start(NULL);
	ch = test_channel("apps");
	snprintf(id, sizeof(id), "%s", channel_id(ch));
	channel_set_dialplan(ch, "in", "100", 1, "Answer", "");
	channel_set_dialplan(ch, "in", "100", 2, "Wait", "5");
	/* The same application again is not a change. */
	channel_set_dialplan(ch, "in", "100", 3, "Wait", "1");
	cel_read(celpath);
	assert_string_equal(types_of(id),
			    "CHAN_START|APP_START|APP_END|APP_START");
	r = &cel_rows.row[1];
	assert_string_equal(r->col[COL_APPNAME], "Answer");
	assert_string_equal(r->col[COL_EXTEN], "100");
	assert_string_equal(r->col[COL_CONTEXT], "in");
	r = &cel_rows.row[2];
	assert_string_equal(r->col[COL_APPNAME], "Answer");
	r = &cel_rows.row[3];
	assert_string_equal(r->col[COL_APPNAME], "Wait");
	assert_string_equal(r->col[COL_APPDATA], "5");
}

static void stasis_move_writes_APP_END_and_APP_START_unlike_asterisk(void **state)
{
	static const char *const args[] = {"a1"};
	struct channel *ch;
	const struct cel_row *r;
	char id[160];

	(void)state;
	cel_start(NULL);
	app_up("celapp", "ws1");
	app_up("celapp2", "ws2");
	ch = test_channel("stasis");
	snprintf(id, sizeof(id), "%s", channel_id(ch));
	/* As the dialplan's Stasis(celapp,a1) in stasis-celapp does. */
	channel_set_dialplan(ch, "stasis-celapp", "100", 1, "Stasis",
			     "celapp,a1");
	assert_int_equal(stasis_enter(ch, "celapp", args, 1, NULL, NULL), 0);
	assert_int_equal(stasis_move(ch, "celapp2", "b1,,b2"), 0);
	run_deferred();
	channel_hangup(ch, CAUSE_NORMAL_CLEARING, "test");
	cel_read(celpath);
	assert_string_equal(types_of(id),
			    "CHAN_START|APP_START|APP_END|APP_START|HANGUP|"
			    "CHAN_END|LINKEDID_END");
	r = &cel_rows.row[1];
	assert_string_equal(r->col[COL_APPNAME], "Stasis");
	assert_string_equal(r->col[COL_APPDATA], "celapp,a1");
	assert_string_equal(r->col[COL_CONTEXT], "stasis-celapp");
	assert_string_equal(r->col[COL_EXTEN], "100");
	r = &cel_rows.row[2];
	assert_string_equal(r->col[COL_APPNAME], "Stasis");
	assert_string_equal(r->col[COL_APPDATA], "celapp,a1");
	r = &cel_rows.row[3];
	assert_string_equal(r->col[COL_APPNAME], "Stasis");
	assert_string_equal(r->col[COL_APPDATA], "celapp2,b1,b2");
	assert_string_equal(r->col[COL_CHANNAME], "CoreTest/stasis");
}

/* ---- cel.conf ---- */

static void events_setting_limits_what_is_written(void **state)
{
	struct channel *ch;

	(void)state;
	cel_start("[general]\nenable=yes\nevents=CHAN_START, chan_end\n");
	ch = test_channel("limited");
	channel_set_dialplan(ch, "in", "1", 1, "Answer", "");
	channel_answer(ch);
	channel_hangup(ch, CAUSE_NORMAL_CLEARING, "test");
	cel_read(celpath);
	assert_string_equal(types_of(NULL), "CHAN_START|CHAN_END");
}

static void events_setting_without_a_known_name_tracks_all(void **state)
{
	(void)state;
	cel_start("[general]\nevents=NOSUCH,ALSONOT\n");
	channel_hangup(test_channel("all"), CAUSE_NORMAL_CLEARING, "test");
	cel_read(celpath);
	assert_string_equal(types_of(NULL),
			    "CHAN_START|HANGUP|CHAN_END|LINKEDID_END");
}

static void apps_setting_limits_app_records_to_the_named_apps(void **state)
{
	struct channel *ch;

	(void)state;
	cel_start("[general]\nevents=APP_START,APP_END\napps=stasis, wait\n");
	ch = test_channel("filtered");
	channel_set_dialplan(ch, "in", "1", 1, "Answer", "");
	channel_set_dialplan(ch, "in", "1", 2, "Wait", "1");
	channel_set_dialplan(ch, "in", "1", 3, "Stasis", "x");
	channel_hangup(ch, CAUSE_NORMAL_CLEARING, "test");
	cel_read(celpath);
	/* Answer is not listed: neither its start nor its end. Names are
	 * matched without case. */
	assert_string_equal(types_of(NULL), "APP_START|APP_END|APP_START");
	assert_string_equal(cel_rows.row[0].col[COL_APPNAME], "Wait");
	assert_string_equal(cel_rows.row[1].col[COL_APPNAME], "Wait");
	assert_string_equal(cel_rows.row[2].col[COL_APPNAME], "Stasis");
}

static void disabled_cel_writes_no_file(void **state)
{
	(void)state;
	cel_start("[general]\nenable=no\n");
	channel_hangup(test_channel("silent"), CAUSE_NORMAL_CLEARING, "test");
	assert_int_equal(access(celpath, F_OK), -1);
}

static void dateformat_formats_eventtime(void **state)
{
	time_t now = time(NULL);
	struct tm tm;
	char year[8];

	(void)state;
	localtime_r(&now, &tm);
	strftime(year, sizeof(year), "%Y", &tm);
	cel_start("[general]\ndateformat=%Y\n");
	test_channel("dated");
	cel_read(celpath);
	assert_string_equal(cel_rows.row[0].col[COL_EVENTTIME], year);
}

/* ---- the file ---- */

static void quotes_and_line_breaks_stay_inside_one_field(void **state)
{
	char line[1024];
	struct channel *ch;
	FILE *f;
	int lines = 0;

	(void)state;
	cel_start(NULL);
	ch = test_channel("quoted");
	channel_set_caller(ch, "Ann \"the\"\nBoss", "1");
	channel_answer(ch);
	cel_read(celpath);
	assert_int_equal(cel_rows.n, 2);
	assert_string_equal(cel_rows.row[1].col[COL_CID_NAME],
			    "Ann \"the\" Boss");
	f = fopen(celpath, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		lines++;
	fclose(f);
	assert_int_equal(lines, 2);
}

static void records_are_appended_to_an_existing_file(void **state)
{
	char path[160];
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/cel", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	f = fopen(celpath, "w");
	assert_non_null(f);
	fputs("\"OLD\",\"1\",\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"\","
	      "\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"\"\n",
	      f);
	fclose(f);
	cel_start(NULL);
	test_channel("appended");
	cel_read(celpath);
	assert_int_equal(cel_rows.n, 2);
	assert_string_equal(cel_rows.row[0].col[COL_EVENTTYPE], "OLD");
	assert_string_equal(cel_rows.row[1].col[COL_EVENTTYPE], "CHAN_START");
}

static void channel_older_than_cel_gets_its_end_rows_without_a_second_answer(void **state)
{
	struct channel *ch = test_channel("older");
	char id[160];

	(void)state;
	snprintf(id, sizeof(id), "%s", channel_id(ch));
	channel_answer(ch);
	/* As after "module reload cel_custom.so": the call was up before. */
	cel_start(NULL);
	channel_var_set(ch, "X", "1");
	channel_hangup(ch, CAUSE_NORMAL_CLEARING, "test");
	cel_read(celpath);
	assert_string_equal(types_of(id), "HANGUP|CHAN_END|LINKEDID_END");
}

/* Known bugs: cel_init() (also "module reload cel_custom.so") forgets every
 * live channel and learns them again on first sight. A channel whose first
 * event after the reload is its answer is taken for one answered before,
 * so its ANSWER row is lost; and a linkedid whose channels are learned one
 * at a time gets LINKEDID_END when the first of them ends. */
static void call_answered_after_a_cel_reload_writes_ANSWER(void **state)
{
	struct channel *ch = test_channel("ringing");
	char id[160];

	(void)state;
	snprintf(id, sizeof(id), "%s", channel_id(ch));
	cel_start(NULL);
	channel_set_state(ch, CHANNEL_RINGING);
	cel_start(NULL);
	channel_answer(ch);
	channel_hangup(ch, CAUSE_NORMAL_CLEARING, "test");
	cel_read(celpath);
	assert_string_equal(types_of(id),
			    "ANSWER|HANGUP|CHAN_END|LINKEDID_END");
}

static void linkedid_ends_after_its_last_channel_across_a_cel_reload(void **state)
{
	struct channel *a, *b = NULL;

	(void)state;
	cel_start(NULL);
	a = test_channel("a");
	assert_int_equal(channel_alloc(&b, &test_tech, NULL, channel_id(a),
				       NULL, "CoreTest/b"),
			 0);
	cel_start(NULL);
	channel_hangup(a, CAUSE_NORMAL_CLEARING, "test");
	cel_read(celpath);
	assert_int_equal(cel_count(NULL, "LINKEDID_END"), 0);
	channel_hangup(b, CAUSE_NORMAL_CLEARING, "test");
	cel_read(celpath);
	assert_int_equal(cel_count(NULL, "LINKEDID_END"), 1);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(answered_call_writes_start_answer_hangup_end_in_order),
		T(every_column_is_in_cel_custom_order),
		T(hangup_row_carries_cause_source_and_dialstatus_as_json),
		T(bridge_rows_carry_bridge_id_technology_and_the_others),
		T(unanswered_call_has_no_ANSWER_and_answer_is_written_once),
		T(linked_channels_write_one_LINKEDID_END_after_the_last_CHAN_END),
		T(dialplan_application_change_writes_APP_END_then_APP_START),
		T(stasis_move_writes_APP_END_and_APP_START_unlike_asterisk),
		T(events_setting_limits_what_is_written),
		T(events_setting_without_a_known_name_tracks_all),
		T(apps_setting_limits_app_records_to_the_named_apps),
		T(disabled_cel_writes_no_file),
		T(dateformat_formats_eventtime),
		T(quotes_and_line_breaks_stay_inside_one_field),
		T(records_are_appended_to_an_existing_file),
		T(channel_older_than_cel_gets_its_end_rows_without_a_second_answer),
		T(call_answered_after_a_cel_reload_writes_ANSWER),
		T(linkedid_ends_after_its_last_channel_across_a_cel_reload),
	};

	return cmocka_run_group_tests(tests, stasis_group_setup,
				      stasis_group_teardown);
}
