/* linefile.c — appending whole lines to a file, through a full disk.
 *
 * Why: a disk that fills must not damage what is already written, flood
 * the log, or stop the writing for good. With stdio, a row that did not
 * fit was cut mid-field and the next row, once space came back, was
 * glued to the fragment: one CSV row lost and one damaged. A CEL warning
 * per row on a server doing 100 calls/s is 800 lines a second; a log
 * directory that could not be written at start-up kept CEL and the log
 * files off until someone reloaded them.
 *
 * How: each line is one write() on an O_APPEND descriptor. A short write
 * (the disk took only part of it) is cut back out with ftruncate(), so
 * the file always ends with a whole line. The first failure and the
 * recovery are reported to the owner (a WARNING, then a NOTICE with the
 * count of lines lost), not each line. A file that cannot be opened
 * (directory missing, read-only, full) is retried at the next line, at
 * most once a second.
 *
 * A file moved away or deleted (logrotate without copytruncate, an
 * operator's mv) is noticed at the next line, at most a second later, and
 * made again at its path: Asterisk's cel_custom opened Master.csv for each
 * record, so logrotate set-ups written for it lost billing rows here. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "base/dirs.h"
#include "base/linefile.h"

enum { RETRY_MS = 1000, MOVED_CHECK_MS = 1000 };

static uint64_t now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000u + (uint64_t)t.tv_nsec / 1000000u;
}

/* mkdir -p of the file's directory */
static void make_parent_dirs(const char *path)
{
	char dir[sizeof(((struct linefile *)0)->path)];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return;
	*slash = '\0';
	(void)dirs_make(dir, NULL, 0);
}

static void failed(struct linefile *lf, int err, unsigned long lines)
{
	lf->lost += lines;
	if (lf->err)
		return;
	/* set before the report: a line the report writes here finds the
	 * failure known and does not report it again */
	lf->err = err;
	if (lf->report)
		lf->report(lf, err, lf->lost, lf->arg);
}

static void succeeded(struct linefile *lf)
{
	unsigned long lost = lf->lost;

	if (!lf->err)
		return;
	lf->err = 0;
	lf->lost = 0;
	if (lf->report)
		lf->report(lf, 0, lost, lf->arg);
}

static int try_open(struct linefile *lf)
{
	uint64_t now = now_ms();

	if (now < lf->retry_ms)
		return lf->err ? lf->err : EAGAIN;
	make_parent_dirs(lf->path);
	lf->fd = open(lf->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
		      0644);
	if (lf->fd >= 0)
		return 0;
	lf->retry_ms = now + RETRY_MS;
	return errno;
}

int linefile_open(struct linefile *lf, const char *path,
		  linefile_report_h *report, void *arg)
{
	int err;

	memset(lf, 0, sizeof(*lf));
	lf->fd = -1;
	lf->report = report;
	lf->arg = arg;
	snprintf(lf->path, sizeof(lf->path), "%s", path);
	err = try_open(lf);
	if (err)
		failed(lf, err, 0);   /* no line lost yet */
	return err;
}

/* The disk took n bytes of a line: take them out again. */
static void cut_back(struct linefile *lf, size_t n)
{
	struct stat st;

	if (!fstat(lf->fd, &st) && (size_t)st.st_size >= n)
		(void)ftruncate(lf->fd, st.st_size - (off_t)n);
}

/* Is lf->fd still the file at lf->path? Looked at once a second. */
static void reopen_if_moved(struct linefile *lf)
{
	uint64_t now = now_ms();
	struct stat at_path, open_one;

	if (now < lf->checked_ms)
		return;
	lf->checked_ms = now + MOVED_CHECK_MS;
	if (fstat(lf->fd, &open_one))
		return;
	if (!stat(lf->path, &at_path) && at_path.st_ino == open_one.st_ino &&
	    at_path.st_dev == open_one.st_dev)
		return;
	linefile_close(lf);
	lf->retry_ms = 0;
}

int linefile_write(struct linefile *lf, const char *line, size_t len)
{
	ssize_t n;
	int err;

	if (lf->fd >= 0)
		reopen_if_moved(lf);
	if (lf->fd < 0) {
		err = try_open(lf);
		if (err) {
			failed(lf, err, 1);
			return err;
		}
	}
	n = write(lf->fd, line, len);
	if (n >= 0 && n < (ssize_t)len) {
		/* the rest: written after all, or the reason it cannot be */
		ssize_t m = write(lf->fd, line + n, len - (size_t)n);

		if (m > 0)
			n += m;
		err = m < 0 ? errno : ENOSPC;
	}
	else {
		err = n < 0 ? errno : 0;
	}
	if (n == (ssize_t)len) {
		succeeded(lf);
		return 0;
	}
	if (n > 0)
		cut_back(lf, (size_t)n);
	failed(lf, err, 1);
	return err;
}

void linefile_close(struct linefile *lf)
{
	if (lf->fd >= 0)
		close(lf->fd);
	lf->fd = -1;
}
