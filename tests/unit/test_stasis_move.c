/* test_stasis_move.c — Stasis operations are all or nothing when memory runs
 * out. The binary is linked with -Wl,--wrap for str_dup, mem_zalloc and
 * mem_alloc (see the Makefile), so every allocation our objects ask of libre
 * passes through the wrappers below, which can fail the Nth one on demand.
 * For every N that falls inside a move (then an enter, a queued move and a
 * queued continue) the test checks that either the whole operation happened
 * or nothing but its failure report did: a move either sends StasisEnd,
 * writes CEL APP_END and APP_START and sends StasisStart with the channel in
 * the new app, or only ApplicationMoveFailed with the channel still in, and
 * subscribed to, its old app. */
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
#include <re_types.h>
#include <re_fmt.h>
#include <re_list.h>
#include <re_mem.h>
#include <re_tmr.h>
#include <re_main.h>
#include "core/bus.h"
#include "core/cel.h"
#include "core/channel.h"
#include "core/stasis.h"
#include "core_test.h"
#include "stasis_test.h"

/* ---- failing allocations on demand ---- */

void *__real_mem_zalloc(size_t size, mem_destroy_h *dh);
void *__real_mem_alloc(size_t size, mem_destroy_h *dh);
int __real_str_dup(char **dst, const char *src);
void *__wrap_mem_zalloc(size_t size, mem_destroy_h *dh);
void *__wrap_mem_alloc(size_t size, mem_destroy_h *dh);
int __wrap_str_dup(char **dst, const char *src);

static struct {
	bool armed;
	int count;     /* allocations since armed */
	int fail_at;   /* the one to fail (1-based) */
	int failed;    /* how many were failed */
} inj;

static bool injected_failure(void)
{
	if (!inj.armed)
		return false;
	if (++inj.count != inj.fail_at)
		return false;
	inj.failed++;
	return true;
}

void *__wrap_mem_zalloc(size_t size, mem_destroy_h *dh)
{
	return injected_failure() ? NULL : __real_mem_zalloc(size, dh);
}

void *__wrap_mem_alloc(size_t size, mem_destroy_h *dh)
{
	return injected_failure() ? NULL : __real_mem_alloc(size, dh);
}

int __wrap_str_dup(char **dst, const char *src)
{
	return injected_failure() ? ENOMEM : __real_str_dup(dst, src);
}

static void arm(int n)
{
	memset(&inj, 0, sizeof(inj));
	inj.fail_at = n;
	inj.armed = true;
}

static void disarm(void)
{
	inj.armed = false;
}

static int fail_next_run_at;

static void arm_while_running(bool running)
{
	if (running)
		arm(fail_next_run_at);
	else
		disarm();
}

/* run_deferred() with the injection armed only while the loop runs (the
 * stop it defers is allocated before). */
static void run_deferred_failing(int n)
{
	fail_next_run_at = n;
	run_deferred_around(arm_while_running);
}

/* Beyond this, a move has certainly finished without meeting N. */
#define N_MAX 64

/* ---- fixture: CEL and the log into a temporary directory ---- */

static char dir[64];
static char celpath[128], logpath[128];

static int setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/test_stasis_move_XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(celpath, sizeof(celpath), "%s/cel/Master.csv", dir);
	snprintf(logpath, sizeof(logpath), "%s/messages", dir);
	if (stasis_setup(state) || cel_init(NULL, dir) ||
	    log_set_file(logpath))
		return -1;
	return 0;
}

static int teardown(void **state)
{
	char path[160];

	disarm();
	stasis_teardown(state);
	cel_close();
	log_set_file(NULL);
	unlink(celpath);
	snprintf(path, sizeof(path), "%s/cel", dir);
	rmdir(path);
	unlink(logpath);
	rmdir(dir);
	return 0;
}

/* Lines of the log file containing `text`. */
static int log_lines(const char *text)
{
	char line[1024];
	FILE *f = fopen(logpath, "r");
	int n = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, text))
			n++;
	fclose(f);
	return n;
}

static bool subscribed(const char *app, const char *chan_id)
{
	return stasis_app_is_subscribed(stasis_app_find(app),
					STASIS_SRC_CHANNEL, chan_id);
}

/* ---- the move ---- */

enum outcome { NOTHING, WHOLE };

/* Which of the two things happened to `ch`; fails the test on anything
 * in between. */
static enum outcome move_outcome(struct channel *ch, int n)
{
	const char *id = channel_id(ch);
	const char *app = stasis_channel_app(ch);
	bool whole, nothing;
	int end, start;

	cel_read(celpath);
	end = rec_find(BUS_STASIS_END, "ws1");
	start = rec_find(BUS_STASIS_START, "ws2");
	whole = rec_count(BUS_STASIS_END, "ws1") == 1 &&
		rec_count(BUS_STASIS_START, "ws2") == 1 && end < start &&
		rec_count(BUS_APP_MOVE_FAILED, NULL) == 0 &&
		cel_count(id, "APP_END") == 1 &&
		cel_count(id, "APP_START") == 1 &&
		!strcmp(evlog.r[start].args, "x|y") &&
		app && !strcmp(app, "B") && subscribed("B", id) &&
		!subscribed("A", id);
	nothing = rec_count(BUS_APP_MOVE_FAILED, "ws1") == 1 &&
		  rec_count(BUS_STASIS_END, NULL) == 0 &&
		  rec_count(BUS_STASIS_START, NULL) == 0 &&
		  rec_count(BUS_CEL_APP, NULL) == 0 &&
		  cel_count(id, "APP_END") == 0 &&
		  cel_count(id, "APP_START") == 0 &&
		  app && !strcmp(app, "A") && subscribed("A", id) &&
		  !subscribed("B", id);
	if (whole == nothing)
		fail_msg("allocation %d: the move half happened (%d events, "
			 "channel in '%s')", n, evlog.n, app ? app : "");
	return whole ? WHOLE : NOTHING;
}

static void move_is_all_or_nothing_whichever_allocation_fails(void **state)
{
	int failed_moves = 0, n;

	(void)state;
	app_up("A", "ws1");
	app_up("B", "ws2");
	for (n = 1; n <= N_MAX; n++) {
		struct channel *ch = chan_in("A", "mover");
		enum outcome o;

		rec_reset();
		assert_int_equal(stasis_move(ch, "B", "x,,y"), 0);
		run_deferred_failing(n);
		o = move_outcome(ch, n);
		if (!inj.failed) {
			/* The move no longer reaches allocation n. */
			assert_int_equal(o, WHOLE);
			break;
		}
		if (o == NOTHING) {
			failed_moves++;
			assert_int_equal(rec_count(BUS_APP_MOVE_FAILED, "ws1"), 1);
			assert_string_equal(
				evlog.r[rec_find(BUS_APP_MOVE_FAILED, "ws1")]
					.dest,
				"B");
		}
		channel_hangup(ch, CAUSE_NORMAL_CLEARING, "test");
	}
	assert_true(n <= N_MAX);
	/* The new name, the CEL appdata and the subscription (object and
	 * id) are all allocated inside the move. */
	assert_true(failed_moves >= 3);
	/* Each failure said why in the log. */
	assert_int_equal(log_lines("Failed to switch Stasis applications for "
				   "CoreTest/mover"),
			 failed_moves);
}

static void failed_move_leaves_the_channel_movable_later(void **state)
{
	struct channel *ch;

	(void)state;
	app_up("A", "ws1");
	app_up("B", "ws2");
	ch = chan_in("A", "retry");
	assert_int_equal(stasis_move(ch, "B", "x,y"), 0);
	run_deferred_failing(1);
	assert_int_equal(inj.failed, 1);
	assert_string_equal(stasis_channel_app(ch), "A");

	/* Memory is back: the same move goes through whole. */
	rec_reset();
	assert_int_equal(stasis_move(ch, "B", "x,y"), 0);
	run_deferred();
	assert_int_equal(move_outcome(ch, 0), WHOLE);
	/* And the channel's life ends normally in its new app. */
	channel_hangup(ch, CAUSE_NORMAL_CLEARING, "test");
	assert_int_equal(rec_count(BUS_STASIS_END, "ws2"), 1);
	assert_int_equal(done_rec.calls, 1);
	assert_int_equal(done_rec.why, STASIS_LEFT_HANGUP);
}

/* ---- entering ---- */

static void enter_is_all_or_nothing_whichever_allocation_fails(void **state)
{
	static const char *const args[] = {"e1"};
	int failed_enters = 0, n;

	(void)state;
	for (n = 1; n <= N_MAX; n++) {
		struct channel *ch = test_channel("enter");
		int err;

		app_up("A", "ws1");
		rec_reset();
		arm(n);
		err = stasis_enter(ch, "A", args, 1, done_h, NULL);
		disarm();
		if (!inj.failed) {
			assert_int_equal(err, 0);
			break;
		}
		if (err) {
			failed_enters++;
			assert_int_equal(err, ENOMEM);
			assert_null(stasis_channel_app(ch));
			assert_false(subscribed("A", channel_id(ch)));
			assert_int_equal(rec_count(BUS_STASIS_START, NULL), 0);
			/* No channel counted in the app: it goes with its
			 * socket. */
			stasis_app_unregister("A", "ws1");
			assert_null(stasis_app_find("A"));
		}
		else {
			assert_int_equal(rec_count(BUS_STASIS_START, "ws1"), 1);
			assert_string_equal(stasis_channel_app(ch), "A");
		}
		channel_hangup(ch, CAUSE_NORMAL_CLEARING, "test");
	}
	assert_true(n <= N_MAX);
	assert_true(failed_enters >= 4);
	assert_int_equal(done_rec.calls, 0);
}

/* ---- queueing a move or a continue ---- */

static void move_or_continue_that_cannot_be_queued_is_ENOMEM_and_does_nothing(void **state)
{
	int refused = 0, n;

	(void)state;
	app_up("A", "ws1");
	app_up("B", "ws2");
	for (int op = 0; op < 2; op++) {
		for (n = 1; n <= N_MAX; n++) {
			struct channel *ch = chan_in("A", "queued");
			int err;

			rec_reset();
			memset(&done_rec, 0, sizeof(done_rec));
			arm(n);
			err = op ? stasis_continue(ch, "default", "s", 1)
				 : stasis_move(ch, "B", "q");
			disarm();
			run_deferred();
			if (!inj.failed) {
				assert_int_equal(err, 0);
				assert_int_equal(rec_count(BUS_STASIS_END, "ws1"),
						 1);
				assert_int_equal(done_rec.calls, op ? 1 : 0);
				channel_hangup(ch, CAUSE_NORMAL_CLEARING, "t");
				break;
			}
			/* Every allocation of the request comes before it is
			 * queued. */
			assert_int_equal(err, ENOMEM);
			refused++;
			assert_int_equal(evlog.n, 0);
			assert_int_equal(done_rec.calls, 0);
			assert_string_equal(stasis_channel_app(ch), "A");
			channel_hangup(ch, CAUSE_NORMAL_CLEARING, "test");
		}
		assert_true(n <= N_MAX);
	}
	/* The op, its strings and the deferred call, for both. */
	assert_true(refused >= 6);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(move_is_all_or_nothing_whichever_allocation_fails),
		T(failed_move_leaves_the_channel_movable_later),
		T(enter_is_all_or_nothing_whichever_allocation_fails),
		T(move_or_continue_that_cannot_be_queued_is_ENOMEM_and_does_nothing),
	};

	return cmocka_run_group_tests(tests, stasis_group_setup,
				      stasis_group_teardown);
}
