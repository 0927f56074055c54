/* test_fds.c — counting file descriptors (src/base/fds.c): the open count
 * matches what the process holds, and the free probe counts exactly the
 * descriptors left under the limit, leaves none of its own open, and
 * stops at what it was asked for. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <setjmp.h>
#include <cmocka.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>
#include "base/fds.h"

static void the_open_count_follows_opens_and_closes(void **state)
{
	long before = fds_open_count();
	int fd[5];

	(void)state;
	assert_true(before > 0);
	for (int i = 0; i < 5; i++)
		assert_true((fd[i] = open("/dev/null", O_RDONLY)) >= 0);
	assert_int_equal(fds_open_count(), before + 5);
	for (int i = 0; i < 5; i++)
		close(fd[i]);
	assert_int_equal(fds_open_count(), before);
}

/* The highest descriptor number open (a test runner may pass some in
 * with holes below them). */
static long highest_open(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	long hi = -1;

	assert_non_null(d);
	while ((e = readdir(d)))
		if (e->d_name[0] != '.' && atol(e->d_name) != dirfd(d) &&
		    atol(e->d_name) > hi)
			hi = atol(e->d_name);
	closedir(d);
	return hi;
}

/* Open descriptors until every number below the highest open one is
 * taken (a test runner may pass some in with holes below them): then the
 * kernel, which hands out the lowest free number, makes the count exact. */
static int fill_holes(int *fd, int max)
{
	long hi = highest_open();
	int n = 0;

	while (n < max && fds_open_count() <= hi) {
		fd[n] = open("/dev/null", O_RDONLY);
		assert_true(fd[n] >= 0);
		n++;
	}
	assert_int_equal(fds_open_count(), hi + 1);
	return n;
}

static void limit_leaving(unsigned left, struct rlimit *saved)
{
	struct rlimit rl;

	assert_int_equal(getrlimit(RLIMIT_NOFILE, saved), 0);
	rl = *saved;
	rl.rlim_cur = (rlim_t)(fds_open_count() + left);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &rl), 0);
}

static void the_free_probe_counts_what_is_left_under_the_limit(void **state)
{
	struct rlimit saved;
	int holes[1024], fd[7];
	int n = fill_holes(holes, 1024);
	long open_now = fds_open_count();

	(void)state;
	limit_leaving(20, &saved);
	assert_int_equal(fds_limit(), open_now + 20);

	assert_int_equal(fds_free_up_to(100), 20);
	assert_int_equal(fds_free_up_to(8), 8);       /* asked for 8 */
	for (int i = 0; i < 7; i++)
		assert_true((fd[i] = open("/dev/null", O_RDONLY)) >= 0);
	assert_int_equal(fds_free_up_to(100), 13);
	assert_int_equal(fds_open_count(), open_now + 7); /* probe left none */
	for (int i = 0; i < 7; i++)
		close(fd[i]);
	assert_int_equal(fds_free_up_to(100), 20);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &saved), 0);
	while (n)
		close(holes[--n]);
}

static void a_full_table_has_nothing_free(void **state)
{
	struct rlimit saved;
	int holes[1024];
	int n = fill_holes(holes, 1024);

	(void)state;
	limit_leaving(0, &saved);
	assert_int_equal(fds_free_up_to(10), 0);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &saved), 0);
	while (n)
		close(holes[--n]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_open_count_follows_opens_and_closes),
		cmocka_unit_test(the_free_probe_counts_what_is_left_under_the_limit),
		cmocka_unit_test(a_full_table_has_nothing_free),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
