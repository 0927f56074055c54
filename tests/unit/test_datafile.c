/* test_datafile.c — data files written behind the loop (src/base/datafile.c):
 * a burst of changes is one write at once and one of the latest state after
 * the delay, a clean close writes what is pending, a write that fails is
 * an error until a retry succeeds, without the worker a change is written
 * at once, every row is a key of the document, and the temporary copies a
 * killed process left are removed at open — only those. Runs libre's loop
 * and the worker thread. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <re_types.h>
#include <re_fmt.h>
#include <re_list.h>
#include <re_tmr.h>
#include <re_main.h>
#include "base/datafile.h"
#include "base/log.h"
#include "base/worker.h"

static char dir[64];
static int value;      /* the owner's state */
static int copies;     /* copies the datafile took of it */

static int value_rows(struct datafile_rows *rows, void *arg)
{
	(void)arg;
	copies++;
	return datafile_row(rows, "v", value, 0);
}

static json_t *value_json(int a, int b)
{
	(void)b;
	return json_integer(a);
}

static struct tmr stop_tmr;

static void stop_loop(void *arg)
{
	(void)arg;
	re_cancel();
}

static void run_loop_ms(uint64_t ms)
{
	tmr_start(&stop_tmr, ms, stop_loop, NULL);
	re_main(NULL);
}

/* The file's "v", -1 when it cannot be read. */
static int on_disk(const char *name)
{
	char path[128];
	json_t *obj;
	int v;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	obj = json_load_file(path, 0, NULL);
	v = obj ? (int)json_integer_value(json_object_get(obj, "v")) : -1;
	json_decref(obj);
	return v;
}

static void put(const char *name, bool as_dir)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (as_dir) {
		assert_int_equal(mkdir(path, 0755), 0);
		return;
	}
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("{\"v\": 1", f);
	fclose(f);
}

static bool exists(const char *name)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return access(path, F_OK) == 0;
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/test_datafile.XXXXXX");
	value = copies = 0;
	return mkdtemp(dir) ? worker_start() : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	worker_stop();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd);
}

static void a_burst_of_changes_is_one_write_now_and_one_of_the_latest_after(
	void **state)
{
	struct datafile *df = NULL;
	char tmp[64];

	(void)state;
	assert_int_equal(datafile_open(&df, dir, "burst.json", value_rows,
				       value_json, NULL), 0);
	for (value = 1; value <= 100; value++)
		datafile_changed(df);
	value = 100;
	assert_int_equal(copies, 1);   /* the first, at once */
	run_loop_ms(DATAFILE_DELAY_MS / 2);
	assert_int_equal(copies, 1);   /* the rest wait for the delay */
	run_loop_ms(DATAFILE_DELAY_MS * 2);
	assert_int_equal(copies, 2);
	assert_int_equal(on_disk("burst.json"), 100);
	run_loop_ms(DATAFILE_DELAY_MS * 2);
	assert_int_equal(copies, 2);   /* nothing changed: nothing written */
	datafile_close(df);
	assert_int_equal(copies, 2);
	snprintf(tmp, sizeof(tmp), "burst.json.tmp.%d", (int)getpid());
	assert_false(exists(tmp));
}

static void close_writes_what_changed_since_the_last_write(void **state)
{
	struct datafile *df = NULL;

	(void)state;
	assert_int_equal(datafile_open(&df, dir, "close.json", value_rows,
				       value_json, NULL), 0);
	value = 1;
	datafile_changed(df);
	run_loop_ms(50);
	assert_int_equal(on_disk("close.json"), 1);
	value = 2;
	datafile_changed(df);          /* waits for the delay */
	/* as main.c stops: the worker first, then the owners */
	worker_stop();
	datafile_close(df);
	assert_int_equal(on_disk("close.json"), 2);
}

static void a_failed_write_is_an_error_until_a_retry_succeeds(void **state)
{
	struct datafile *df = NULL;
	char blocker[128];

	(void)state;
	log_set_quiet(1);
	assert_int_equal(datafile_open(&df, dir, "fail.json", value_rows,
				       value_json, NULL), 0);
	/* the temporary file's name is taken by a directory */
	snprintf(blocker, sizeof(blocker), "fail.json.tmp.%d", (int)getpid());
	put(blocker, true);
	value = 7;
	datafile_changed(df);
	run_loop_ms(100);
	assert_int_equal(datafile_error(df), EISDIR);
	assert_int_equal(on_disk("fail.json"), -1);
	run_loop_ms(DATAFILE_RETRY_MS + 100);   /* a retry, failing too */
	assert_true(copies >= 2);
	assert_int_equal(datafile_error(df), EISDIR);
	snprintf(blocker, sizeof(blocker), "%s/fail.json.tmp.%d", dir,
		 (int)getpid());
	assert_int_equal(rmdir(blocker), 0);
	run_loop_ms(DATAFILE_RETRY_MS + 100);
	assert_int_equal(datafile_error(df), 0);
	assert_int_equal(on_disk("fail.json"), 7);
	datafile_close(df);
	log_set_quiet(0);
}

static void without_the_worker_a_change_is_written_at_once(void **state)
{
	struct datafile *df = NULL;

	(void)state;
	worker_stop();
	assert_int_equal(datafile_open(&df, dir, "sync.json", value_rows,
				       value_json, NULL), 0);
	value = 3;
	datafile_changed(df);
	assert_int_equal(on_disk("sync.json"), 3);
	datafile_close(df);
}

static int many_rows(struct datafile_rows *rows, void *arg)
{
	int n = *(int *)arg;

	for (int i = 0; i < n; i++) {
		char key[32];
		int err;

		snprintf(key, sizeof(key), "k\"%05d\\", i);
		err = datafile_row(rows, key, i, -i);
		if (err)
			return err;
	}
	return 0;
}

static json_t *pair_json(int a, int b)
{
	return json_pack("{s:i, s:i}", "a", a, "b", b);
}

/* Thousands of rows (the copy grows), keys that JSON must escape. */
static void every_row_is_a_key_of_the_document(void **state)
{
	struct datafile *df = NULL;
	char path[128];
	json_t *obj;
	int n = 3000;

	(void)state;
	assert_int_equal(datafile_open(&df, dir, "rows.json", many_rows,
				       pair_json, &n), 0);
	datafile_changed(df);
	n = 2500;          /* the next copy is smaller than the last */
	datafile_changed(df);
	run_loop_ms(DATAFILE_DELAY_MS * 2);
	snprintf(path, sizeof(path), "%s/rows.json", dir);
	obj = json_load_file(path, 0, NULL);
	assert_non_null(obj);
	assert_int_equal(json_object_size(obj), 2500);
	assert_int_equal(json_integer_value(json_object_get(
		json_object_get(obj, "k\"02499\\"), "b")), -2499);
	json_decref(obj);
	datafile_close(df);
}

static void stale_temporary_copies_are_removed_at_open_and_only_those(
	void **state)
{
	struct datafile *df = NULL;
	static const char *const stale[] = {
		"st.json.tmp.1", "st.json.tmp.424242",
	};
	static const char *const kept[] = {
		"st.json.tmp.", "st.json.tmp.12x", "st.json.tmp.-1",
		"st.json.bak", "other.json.tmp.5", "st.jsonx.tmp.5",
	};

	(void)state;
	log_set_quiet(1);
	for (size_t i = 0; i < sizeof(stale) / sizeof(stale[0]); i++)
		put(stale[i], false);
	for (size_t i = 0; i < sizeof(kept) / sizeof(kept[0]); i++)
		put(kept[i], false);
	put("st.json.tmp.77", true);   /* not a file of ours */
	assert_int_equal(datafile_open(&df, dir, "st.json", value_rows,
				       value_json, NULL), 0);
	for (size_t i = 0; i < sizeof(stale) / sizeof(stale[0]); i++)
		assert_false(exists(stale[i]));
	for (size_t i = 0; i < sizeof(kept) / sizeof(kept[0]); i++)
		assert_true(exists(kept[i]));
	assert_true(exists("st.json.tmp.77"));
	datafile_close(df);
	log_set_quiet(0);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(a_burst_of_changes_is_one_write_now_and_one_of_the_latest_after),
		T(close_writes_what_changed_since_the_last_write),
		T(a_failed_write_is_an_error_until_a_retry_succeeds),
		T(without_the_worker_a_change_is_written_at_once),
		T(every_row_is_a_key_of_the_document),
		T(stale_temporary_copies_are_removed_at_open_and_only_those),
	};
	int ret;

	if (libre_init())
		return 1;
	tmr_init(&stop_tmr);
	ret = cmocka_run_group_tests(tests, NULL, NULL);
	libre_close();
	return ret;
}
