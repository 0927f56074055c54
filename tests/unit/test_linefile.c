/* test_linefile.c — whole lines appended to a file (src/base/linefile.c):
 * at a file size limit (a full disk, as far as write() can tell) a line
 * goes in whole or not at all, the failure and the recovery are reported
 * once each with the count of lines lost, and a file that cannot be opened
 * is retried, its directories made. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include "base/linefile.h"

struct reports {
	int n;
	int err[8];
	unsigned long lost[8];
};

static void report(const struct linefile *lf, int err, unsigned long lost,
		   void *arg)
{
	struct reports *r = arg;

	(void)lf;
	if (r->n < 8) {
		r->err[r->n] = err;
		r->lost[r->n] = lost;
	}
	r->n++;
}

static char dir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/test_linefile.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd);
}

static long file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) ? -1 : (long)st.st_size;
}

static void a_line_past_the_limit_is_cut_out_and_the_outage_said_once(void **state)
{
	struct linefile lf;
	struct reports r = {0};
	struct rlimit saved, rl;
	char path[128];
	const char *line = "0123456789abcdefghi\n";  /* 20 bytes */

	(void)state;
	snprintf(path, sizeof(path), "%s/a/b/lines.csv", dir);
	assert_int_equal(linefile_open(&lf, path, report, &r), 0);
	assert_int_equal(linefile_write(&lf, line, 20), 0);

	signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &saved), 0);
	rl = saved;
	rl.rlim_cur = 50;   /* room for 2.5 lines */
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &rl), 0);

	assert_int_equal(linefile_write(&lf, line, 20), 0);      /* 40 */
	assert_int_equal(linefile_write(&lf, line, 20), EFBIG);  /* 10 cut */
	assert_int_equal(file_size(path), 40);
	assert_int_equal(linefile_write(&lf, line, 20), EFBIG);
	assert_int_equal(linefile_write(&lf, line, 20), EFBIG);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.err[0], EFBIG);
	assert_int_equal(file_size(path), 40);

	/* room again */
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &saved), 0);
	assert_int_equal(linefile_write(&lf, line, 20), 0);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.err[1], 0);
	assert_int_equal(r.lost[1], 3);
	assert_int_equal(file_size(path), 60);
	linefile_close(&lf);
}

static void a_file_that_cannot_be_opened_is_retried_at_most_once_a_second(void **state)
{
	struct linefile lf;
	struct reports r = {0};
	char blocker[96], path[128];
	FILE *f;

	(void)state;
	/* a file where its directory should be: ENOTDIR, even for root */
	snprintf(blocker, sizeof(blocker), "%s/cel", dir);
	assert_non_null(f = fopen(blocker, "w"));
	fclose(f);
	snprintf(path, sizeof(path), "%s/Master.csv", blocker);
	assert_int_equal(linefile_open(&lf, path, report, &r), ENOTDIR);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.err[0], ENOTDIR);
	assert_int_equal(r.lost[0], 0);
	assert_int_equal(unlink(blocker), 0);
	/* within the second: not tried again */
	assert_int_equal(linefile_write(&lf, "a\n", 2), ENOTDIR);
	sleep(1);
	usleep(100 * 1000);
	/* then the directory is made and the line goes in */
	assert_int_equal(linefile_write(&lf, "b\n", 2), 0);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.err[1], 0);
	assert_int_equal(r.lost[1], 1);
	assert_int_equal(file_size(path), 2);
	linefile_close(&lf);
}

/* logrotate without copytruncate moves the file away: within a second
 * the lines go to a new file at the path again, and the moved one gets
 * no more; a deleted file is made again the same way. */
static void a_file_moved_or_deleted_is_made_again_at_its_path(void **state)
{
	struct linefile lf;
	char path[128], moved[160];

	(void)state;
	snprintf(path, sizeof(path), "%s/Master.csv", dir);
	snprintf(moved, sizeof(moved), "%s/Master.csv.1", dir);
	assert_int_equal(linefile_open(&lf, path, NULL, NULL), 0);
	assert_int_equal(linefile_write(&lf, "one\n", 4), 0);
	assert_int_equal(rename(path, moved), 0);
	sleep(1);
	usleep(100 * 1000);
	assert_int_equal(linefile_write(&lf, "two\n", 4), 0);
	assert_int_equal(file_size(moved), 4);
	assert_int_equal(file_size(path), 4);
	assert_int_equal(unlink(path), 0);
	sleep(1);
	usleep(100 * 1000);
	assert_int_equal(linefile_write(&lf, "three\n", 6), 0);
	assert_int_equal(file_size(path), 6);
	assert_int_equal(file_size(moved), 4);
	linefile_close(&lf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(a_line_past_the_limit_is_cut_out_and_the_outage_said_once,
						setup, teardown),
		cmocka_unit_test_setup_teardown(a_file_that_cannot_be_opened_is_retried_at_most_once_a_second,
						setup, teardown),
		cmocka_unit_test_setup_teardown(a_file_moved_or_deleted_is_made_again_at_its_path,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
