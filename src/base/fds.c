/* fds.c — counting file descriptors, open and still free.
 *
 * Why the free count probes instead of subtracting: the exact count of
 * open descriptors is a walk of /proc/self/fd, some 20 ms at 15 000
 * descriptors, too slow for the loop's timers; a guard only needs to know
 * whether a reserve is still there. The kernel hands out the lowest free
 * number, so opening `want` duplicates and closing them again answers that
 * exactly, in time that does not grow with the table. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>
#include "base/fds.h"

int fds_foreach(fds_h *h, void *arg)
{
	DIR *dir = opendir("/proc/self/fd");
	struct dirent *e;

	if (!dir)
		return errno;
	while ((e = readdir(dir))) {
		char *end;
		long fd = strtol(e->d_name, &end, 10);

		/* ".", "..", and the walk's own descriptor */
		if (*end || end == e->d_name || fd == dirfd(dir))
			continue;
		if (h((int)fd, arg))
			break;
	}
	closedir(dir);
	return 0;
}

static bool count_one(int fd, void *arg)
{
	(void)fd;
	++*(long *)arg;
	return false;
}

long fds_open_count(void)
{
	long n = 0;

	return fds_foreach(count_one, &n) ? -1 : n;
}

long fds_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_cur == RLIM_INFINITY)
		return -1;
	return (long)rl.rlim_cur;
}

unsigned fds_free_up_to(unsigned want)
{
	int held[FDS_PROBE_MAX];
	unsigned got = 0;
	/* a descriptor to duplicate that is surely open: our own, if the
	 * table has room for one; otherwise nothing is free */
	int base = open("/dev/null", O_RDONLY | O_CLOEXEC);

	if (base < 0)
		return 0;
	if (want > FDS_PROBE_MAX)
		want = FDS_PROBE_MAX;
	/* all held at once: closing one before the next open would only
	 * count the same free number again */
	while (got + 1 < want) {
		int f = fcntl(base, F_DUPFD_CLOEXEC, 0);

		if (f < 0)
			break;
		held[got++] = f;
	}
	for (unsigned i = 0; i < got; i++)
		close(held[i]);
	close(base);
	return got + 1;
}
