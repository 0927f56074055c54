/* test_recording.c — unit tests for recordings in the core
 * (src/core/recording.c, recording_stored.c) with an engine of the test's
 * own: the parsers of ifExists and terminateOn, names kept inside the
 * recordings directory, the live state machine in Asterisk's order (queued,
 * started after a turn of the loop, the operations table, stop and cancel
 * after the reply), what ends a recording from outside (a digit, a hangup),
 * and the stored recordings (list, find, copy, delete, read). */
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
#include <unistd.h>
#include <sys/stat.h>
#include <re_types.h>
#include <re_fmt.h>
#include <re_list.h>
#include <re_mem.h>
#include <re_tmr.h>
#include <re_main.h>
#include "base/log.h"
#include "base/options.h"
#include "core/bus.h"
#include "core/channel.h"
#include "core/recording.h"
#include "core/recording_int.h"
#include "core_test.h"

/* ---- an engine that writes an empty file and counts ---- */

static struct {
	int starts, stops, changes;
	int start_err;
	enum recording_end why;
} fe;

static const char *const fe_formats[] = {"wav", "ulaw", NULL};

static int fe_start(struct recording *rec)
{
	char file[512];
	FILE *f;

	fe.starts++;
	if (fe.start_err)
		return fe.start_err;
	snprintf(file, sizeof(file), "%s.%s", recording_path(rec),
		 recording_format(rec));
	f = fopen(file, "w");
	assert_non_null(f);
	fclose(f);
	recording_set_engine_data(rec, &fe);
	return 0;
}

static void fe_stop(struct recording *rec, enum recording_end why)
{
	fe.stops++;
	fe.why = why;
	recording_set_engine_data(rec, NULL);
	recording_engine_ended(rec, why, 7, 3, NULL);
}

static void fe_changed(struct recording *rec)
{
	(void)rec;
	fe.changes++;
}

static const struct recording_engine fake = {
	.formats = fe_formats,
	.start = fe_start,
	.stop = fe_stop,
	.changed = fe_changed,
};

static char spool[256];
static char dir[300];

static int group_setup(void **state)
{
	(void)state;
	log_set_quiet(1);
	if (libre_init() || channel_tech_register(&test_tech))
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
	memset(&fe, 0, sizeof(fe));
	memset(&tech_calls, 0, sizeof(tech_calls));
	snprintf(spool, sizeof(spool), "/tmp/test_recording_XXXXXX");
	if (!mkdtemp(spool))
		return -1;
	snprintf(options.spooldir, sizeof(options.spooldir), "%s", spool);
	snprintf(dir, sizeof(dir), "%s/recording", spool);
	recording_engine_register(&fake);
	return bus_subscribe(rec_bus_h, NULL) || recording_init() ? -1 : 0;
}

static int teardown(void **state)
{
	char cmd[300];

	(void)state;
	recording_close();
	recording_engine_register(NULL);
	bus_unsubscribe(rec_bus_h, NULL);
	channel_hangup_all(16);
	run_deferred();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", spool);
	return system(cmd) == 0 ? 0 : -1;
}

static bool exists(const char *rel)
{
	char p[600];
	struct stat st;

	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	return !stat(p, &st);
}

static void put(const char *rel)
{
	char p[600], cmd[700];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname '%s')\"", p);
	assert_int_equal(system(cmd), 0);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs("x", f);
	fclose(f);
}

static struct recording *start(struct channel *ch, const char *name,
			       const char *term)
{
	struct recording_opts o = {.name = name, .format = "wav",
				   .terminate_on = term};
	struct recording *rec = NULL;

	assert_int_equal(recording_start(&rec, ch, &o), 0);
	return rec;
}

/* ---- parsers and names ---- */

static void ifExists_and_terminateOn_parse_as_asterisk(void **state)
{
	enum recording_if_exists ie;
	const char *d;

	(void)state;
	assert_int_equal(recording_if_exists_parse(NULL, &ie), 0);
	assert_int_equal(ie, RECORDING_IF_EXISTS_FAIL);
	assert_int_equal(recording_if_exists_parse("Overwrite", &ie), 0);
	assert_int_equal(ie, RECORDING_IF_EXISTS_OVERWRITE);
	assert_int_equal(recording_if_exists_parse("append", &ie), 0);
	assert_int_equal(ie, RECORDING_IF_EXISTS_APPEND);
	assert_int_equal(recording_if_exists_parse("keep", &ie), EINVAL);
	assert_int_equal(recording_terminate_parse("", &d), 0);
	assert_string_equal(d, "");
	assert_int_equal(recording_terminate_parse("none", &d), 0);
	assert_string_equal(d, "");
	assert_int_equal(recording_terminate_parse("ANY", &d), 0);
	assert_string_equal(d, RECORDING_DTMF_ANY);
	assert_int_equal(recording_terminate_parse("#", &d), 0);
	assert_string_equal(d, "#");
	assert_int_equal(recording_terminate_parse("5", &d), EINVAL);
}

static void names_stay_inside_the_directory_and_get_their_sub_directories(
	void **state)
{
	char *p = NULL, link[600];

	(void)state;
	assert_int_equal(recording_path_make(&p, "a/b/c", true), 0);
	assert_true(exists("a/b"));
	assert_non_null(strstr(p, "/recording/a/b/c"));
	p = mem_deref(p);
	assert_int_equal(recording_path_make(&p, "a/./b/../x", true), 0);
	assert_non_null(strstr(p, "/recording/a/x"));
	p = mem_deref(p);
	assert_int_equal(recording_path_make(&p, "../x", true), EACCES);
	assert_int_equal(recording_path_make(&p, "a/../../x", true), EACCES);
	assert_int_equal(recording_path_make(&p, "/tmp/x", true), EACCES);
	assert_int_equal(recording_path_make(&p, "", true), EINVAL);
	assert_int_equal(recording_path_make(&p, "a/", true), EINVAL);
	assert_int_equal(recording_path_make(&p, "a/..", true), EINVAL);
	/* A link out of the directory: no directory is made behind it. */
	snprintf(link, sizeof(link), "%s/out", dir);
	assert_int_equal(symlink("/tmp", link), 0);
	assert_int_equal(recording_path_make(&p, "out/new/x", true), EACCES);
	assert_int_equal(recording_path_make(&p, "out/x", false), EACCES);
	assert_null(p);
}

/* ---- live recordings ---- */

static void start_is_queued_then_answers_the_channel_and_starts_after_a_turn(
	void **state)
{
	struct channel *ch = test_channel("r1");
	struct recording *rec = start(ch, "r1", NULL);
	char uri[200];

	(void)state;
	snprintf(uri, sizeof(uri), "channel:%s", channel_id(ch));
	assert_int_equal(recording_get_state(rec), RECORDING_QUEUED);
	assert_string_equal(recording_target_uri(rec), uri);
	assert_ptr_equal(recording_find("r1"), rec);
	assert_ptr_equal(recording_of_channel(ch), rec);
	assert_int_equal(fe.starts, 0);
	assert_int_equal(rec_count(BUS_RECORDING_STARTED, "bus"), 0);
	run_deferred();
	assert_int_equal(fe.starts, 1);
	assert_int_equal(tech_calls.answers, 1);
	assert_int_equal(channel_state(ch), CHANNEL_UP);
	assert_int_equal(recording_get_state(rec), RECORDING_RECORDING);
	assert_int_equal(rec_count(BUS_RECORDING_STARTED, "bus"), 1);
	assert_string_equal(evlog.r[rec_find(BUS_RECORDING_STARTED, "bus")].chan,
			    channel_id(ch));
	assert_int_equal(recording_duration(rec), -1);
	assert_true(exists("r1.wav"));
}

static void start_refuses_bad_options_taken_names_and_existing_files(
	void **state)
{
	struct channel *ch = test_channel("r2");
	struct recording_opts o = {.name = "dup", .format = "wav"};
	struct recording *rec = NULL;

	(void)state;
	o.format = "mp3";
	assert_int_equal(recording_start(&rec, ch, &o), ENOTSUP);
	o.format = "wav";
	o.max_silence_s = -1;
	assert_int_equal(recording_start(&rec, ch, &o), EINVAL);
	o.max_silence_s = 0;
	o.terminate_on = "5x";
	assert_int_equal(recording_start(&rec, ch, &o), EINVAL);
	o.terminate_on = NULL;
	o.name = "../up";
	assert_int_equal(recording_start(&rec, ch, &o), EACCES);
	o.name = "dup";
	assert_int_equal(recording_start(&rec, ch, &o), 0);
	o.if_exists = RECORDING_IF_EXISTS_OVERWRITE;
	assert_int_equal(recording_start(&rec, ch, &o), EEXIST);
	/* A file of the name in another format blocks ifExists=fail. */
	put("old.ulaw");
	o.name = "old";
	o.if_exists = RECORDING_IF_EXISTS_FAIL;
	assert_int_equal(recording_start(&rec, ch, &o), EEXIST);
	o.if_exists = RECORDING_IF_EXISTS_APPEND;
	assert_int_equal(recording_start(&rec, ch, &o), 0);
	recording_engine_register(NULL);
	o.name = "none";
	assert_int_equal(recording_start(&rec, ch, &o), ENOTSUP);
	assert_false(recording_format_known("wav"));
}

static void operations_follow_asterisks_table(void **state)
{
	struct channel *ch = test_channel("r3");
	struct recording *rec = start(ch, "ops", NULL);

	(void)state;
	/* queued: only stop and cancel, and they drop it without events */
	assert_int_equal(recording_operation(rec, RECORDING_OP_PAUSE), EBUSY);
	assert_int_equal(recording_operation(rec, RECORDING_OP_MUTE), EBUSY);
	assert_int_equal(recording_operation(rec, RECORDING_OP_STOP), 0);
	assert_null(recording_find("ops"));
	run_deferred();
	assert_int_equal(fe.starts, 0);
	assert_int_equal(rec_count(BUS_RECORDING_STARTED, "bus") +
			 rec_count(BUS_RECORDING_FINISHED, "bus") +
			 rec_count(BUS_RECORDING_FAILED, "bus"), 0);

	rec = start(ch, "ops", NULL);
	run_deferred();
	assert_int_equal(recording_operation(rec, RECORDING_OP_UNPAUSE), 0);
	assert_int_equal(fe.changes, 0);
	assert_int_equal(recording_operation(rec, RECORDING_OP_PAUSE), 0);
	assert_int_equal(recording_get_state(rec), RECORDING_PAUSED);
	assert_true(recording_paused(rec));
	assert_int_equal(recording_operation(rec, RECORDING_OP_PAUSE), 0);
	assert_int_equal(fe.changes, 1);
	assert_int_equal(recording_operation(rec, RECORDING_OP_MUTE), 0);
	assert_int_equal(recording_operation(rec, RECORDING_OP_MUTE), 0);
	assert_true(recording_muted(rec));
	assert_int_equal(fe.changes, 2);
	assert_int_equal(recording_operation(rec, RECORDING_OP_UNPAUSE), 0);
	assert_int_equal(recording_get_state(rec), RECORDING_RECORDING);
	/* stop: "done" at once, the audio ends on the next turn */
	assert_int_equal(recording_operation(rec, RECORDING_OP_STOP), 0);
	assert_int_equal(recording_get_state(rec), RECORDING_DONE);
	assert_int_equal(recording_operation(rec, RECORDING_OP_STOP), EBUSY);
	assert_int_equal(recording_operation(rec, RECORDING_OP_UNMUTE), EBUSY);
	assert_int_equal(fe.stops, 0);
	assert_int_equal(rec_count(BUS_RECORDING_FINISHED, "bus"), 0);
	run_deferred();
	assert_int_equal(fe.stops, 1);
	assert_int_equal(fe.why, RECORDING_END_STOP);
	assert_int_equal(rec_count(BUS_RECORDING_FINISHED, "bus"), 1);
	assert_null(recording_find("ops"));
	assert_true(exists("ops.wav"));
}

static void cancel_removes_the_file_and_finishes_done(void **state)
{
	struct channel *ch = test_channel("r4");
	struct recording *rec = start(ch, "sub/c", NULL);

	(void)state;
	run_deferred();
	assert_true(exists("sub/c.wav"));
	assert_int_equal(recording_operation(rec, RECORDING_OP_CANCEL), 0);
	assert_int_equal(recording_get_state(rec), RECORDING_CANCELED);
	run_deferred();
	assert_int_equal(fe.why, RECORDING_END_CANCEL);
	assert_false(exists("sub/c.wav"));
	assert_int_equal(rec_count(BUS_RECORDING_FINISHED, "bus"), 1);
}

static void a_terminating_digit_stops_after_the_digit_was_published(
	void **state)
{
	struct channel *ch = test_channel("r5");
	struct recording *rec = start(ch, "t", "#");

	(void)state;
	run_deferred();
	channel_dtmf_received(ch, '5', 100);
	run_deferred();
	assert_int_equal(recording_get_state(rec), RECORDING_RECORDING);
	channel_dtmf_received(ch, '#', 100);
	assert_int_equal(fe.stops, 0);
	run_deferred();
	assert_int_equal(fe.why, RECORDING_END_DTMF);
	assert_true(rec_find(BUS_CHANNEL_DTMF, "bus") <
		    rec_find(BUS_RECORDING_FINISHED, "bus"));
	assert_int_equal(rec_count(BUS_CHANNEL_DTMF, "bus"), 2);
}

static void hangup_finishes_an_active_recording_and_drops_a_queued_one(
	void **state)
{
	struct channel *ch = test_channel("r6");
	struct recording *first = start(ch, "h1", NULL);
	struct recording *second;

	(void)state;
	run_deferred();
	second = start(ch, "h2", NULL);
	run_deferred();
	/* One at a time per channel: the second waits for the first. */
	assert_int_equal(recording_get_state(first), RECORDING_RECORDING);
	assert_int_equal(recording_get_state(second), RECORDING_QUEUED);
	channel_hangup(ch, 16, "test");
	assert_int_equal(fe.why, RECORDING_END_HANGUP);
	assert_int_equal(rec_count(BUS_RECORDING_FINISHED, "bus"), 1);
	assert_int_equal(rec_count(BUS_RECORDING_STARTED, "bus"), 1);
	assert_null(recording_find("h1"));
	assert_null(recording_find("h2"));
	run_deferred();
	assert_int_equal(fe.starts, 1);
}

static void the_next_recording_of_a_channel_starts_when_the_first_ends(
	void **state)
{
	struct channel *ch = test_channel("r7");
	struct recording *first = start(ch, "n1", NULL);
	struct recording *second = start(ch, "n2", NULL);

	(void)state;
	run_deferred();
	assert_int_equal(fe.starts, 1);
	assert_int_equal(recording_operation(first, RECORDING_OP_STOP), 0);
	run_deferred();
	run_deferred();
	assert_int_equal(fe.starts, 2);
	assert_int_equal(recording_get_state(second), RECORDING_RECORDING);
}

static void an_engine_that_cannot_start_fails_the_recording_with_a_cause(
	void **state)
{
	struct channel *ch = test_channel("r8");
	struct recording *rec = start(ch, "f", NULL);
	int i;

	(void)state;
	(void)rec;
	fe.start_err = EIO;
	run_deferred();
	i = rec_find(BUS_RECORDING_FAILED, "bus");
	assert_true(i >= 0);
	assert_int_equal(rec_count(BUS_RECORDING_STARTED, "bus"), 0);
	assert_null(recording_find("f"));
}

static void the_finished_recording_reports_the_engines_durations(
	void **state)
{
	struct channel *ch = test_channel("r9");
	struct recording *rec = start(ch, "d", NULL);
	struct recording *seen = NULL;

	(void)state;
	run_deferred();
	seen = mem_ref(rec);
	assert_int_equal(recording_operation(rec, RECORDING_OP_STOP), 0);
	run_deferred();
	assert_int_equal(recording_duration(seen), 7);
	assert_int_equal(recording_talking_duration(seen), 3);
	assert_int_equal(recording_get_state(seen), RECORDING_DONE);
	mem_deref(seen);
}

/* ---- stored recordings ---- */

static void stored_list_is_sorted_one_per_name_known_formats_only(
	void **state)
{
	struct recording_stored **list;
	size_t n;

	(void)state;
	put("b.wav");
	put("a/deep/c.ulaw");
	put("dup.ulaw");
	put("dup.wav");
	put("notes.txt");
	put(".wav");
	assert_int_equal(recording_stored_list(&list, &n), 0);
	assert_int_equal(n, 3);
	assert_string_equal(recording_stored_name(list[0]), "a/deep/c");
	assert_string_equal(recording_stored_format(list[0]), "ulaw");
	assert_string_equal(recording_stored_name(list[1]), "b");
	assert_string_equal(recording_stored_name(list[2]), "dup");
	/* the engine's first format wins, as find picks it */
	assert_string_equal(recording_stored_format(list[2]), "wav");
	recording_stored_list_free(list, n);
}

static void stored_find_copy_delete_and_read(void **state)
{
	struct recording_stored *s = NULL, *c = NULL, *d = NULL;
	uint8_t *buf = NULL;
	size_t n = 0;

	(void)state;
	assert_int_equal(recording_stored_find(&s, "x"), ENOENT);
	put("in/x.ulaw");
	assert_int_equal(recording_stored_find(&s, "in/x"), 0);
	assert_string_equal(recording_stored_name(s), "in/x");
	assert_string_equal(recording_stored_format(s), "ulaw");
	assert_int_equal(recording_stored_find(&d, "../recording/in/x"),
			 EACCES);
	assert_int_equal(recording_stored_copy(s, "out/y.ulaw", &c), 0);
	assert_string_equal(recording_stored_name(c), "out/y");
	assert_true(exists("out/y.ulaw"));
	assert_int_equal(recording_stored_copy(s, "out/y", &d), EEXIST);
	assert_int_equal(recording_stored_copy(s, "../y", &d), EACCES);
	assert_int_equal(recording_stored_copy(s, "", &d), EINVAL);
	assert_int_equal(recording_stored_read(c, &buf, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(buf[0], 'x');
	assert_int_equal(recording_stored_delete(c), 0);
	assert_false(exists("out/y.ulaw"));
	assert_int_equal(recording_stored_delete(c), ENOENT);
	mem_deref(buf);
	mem_deref(c);
	mem_deref(s);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(ifExists_and_terminateOn_parse_as_asterisk),
		T(names_stay_inside_the_directory_and_get_their_sub_directories),
		T(start_is_queued_then_answers_the_channel_and_starts_after_a_turn),
		T(start_refuses_bad_options_taken_names_and_existing_files),
		T(operations_follow_asterisks_table),
		T(cancel_removes_the_file_and_finishes_done),
		T(a_terminating_digit_stops_after_the_digit_was_published),
		T(hangup_finishes_an_active_recording_and_drops_a_queued_one),
		T(the_next_recording_of_a_channel_starts_when_the_first_ends),
		T(an_engine_that_cannot_start_fails_the_recording_with_a_cause),
		T(the_finished_recording_reports_the_engines_durations),
		T(stored_list_is_sorted_one_per_name_known_formats_only),
		T(stored_find_copy_delete_and_read),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
