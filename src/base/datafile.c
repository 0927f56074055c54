/* datafile.c — small JSON documents under the data directory (see
 * datafile.h): loaded at start-up, written whole, atomically, behind the
 * event loop. Not a database: each write rewrites the whole file.
 *
 * Why behind the loop: at 5000 mailboxes the file is 375 KB, and writing
 * and fsyncing it on the loop for every PUT cost ~25 ms of loop time each;
 * eight clients updating made the loop 150–530 ms late, and the overload
 * guard then refused every new call. Now a change only marks the file; a
 * copy of the state is taken on the loop at most once per
 * DATAFILE_DELAY_MS, and the worker thread renders, writes, fsyncs and
 * renames it. One write per file is in flight; changes made meanwhile go
 * into the next one, which holds the latest state. Asterisk's astdb does
 * the same (a background thread commits at most about once a second).
 *
 * The worker thread logs nothing and touches no libre object: what it
 * found is reported on the loop when its job is done. A file lock orders
 * its write against datafile_close()'s, and a write older than the one on
 * disk is skipped, so a late job never puts back an older state. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <re_types.h>
#include <re_mem.h>
#include <re_list.h>
#include <re_tmr.h>
#include "base/datafile.h"
#include "base/log.h"
#include "base/worker.h"

#define TMP_SUFFIX ".tmp."

struct row {
	size_t key;                 /* offset in keys */
	int a, b;
};

struct datafile_rows {
	struct row *row;
	size_t n, cap;
	char *keys;
	size_t used, size;
};

struct datafile {
	char path[512], tmp[528];   /* set at open, read by the worker */
	datafile_rows_h *rows;
	datafile_value_h *value;
	void *arg;
	struct tmr tmr;
	uint64_t last_start;        /* jiffies of the last copy taken */
	size_t last_n, last_used;   /* its size: the next one's */
	unsigned seq;               /* copies taken */
	bool dirty;                 /* changed since the last copy */
	bool busy;                  /* a write is with the worker */
	bool closed;
	int err;                    /* of the last write that finished */
	pthread_mutex_t lock;       /* one write of the file at a time */
	unsigned written;           /* under lock: the copy last on disk */
};

/* One write: a copy of the state, on its way to the file. */
struct job {
	struct datafile *df;        /* a reference, released on the loop */
	struct datafile_rows rows;
	unsigned seq;
	int err;
};

int datafile_load(const char *dir, const char *name, json_t **objp)
{
	char path[512];
	json_error_t jerr;
	json_t *obj;

	*objp = NULL;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (access(path, F_OK) != 0)
		return ENOENT;
	obj = json_load_file(path, 0, &jerr);
	if (!obj || !json_is_object(obj)) {
		char aside[600];

		/* The next save would write over it: keep it for whoever
		 * wants to recover what it held. */
		snprintf(aside, sizeof(aside), "%s.corrupt-%ld", path,
			 (long)time(NULL));
		if (rename(path, aside))
			snprintf(aside, sizeof(aside), "not kept: %s",
				 strerror(errno));
		log_warning("Ignoring corrupt data file '%s' (%s, line %d); "
			    "the file as it was: %s", path,
			    obj ? "not a JSON object" : jerr.text, jerr.line,
			    aside);
		json_decref(obj);
		return EBADMSG;
	}
	*objp = obj;
	return 0;
}

/* On either thread, silently: the caller reports. Creates the data
 * directory's last component when missing (a fresh machine). */
static int write_text(const char *path, const char *tmp, const char *text)
{
	char dir[512];
	char *slash;
	size_t len = strlen(text);
	int fd, err = 0;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		(void)mkdir(dir, 0755);
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return errno;
	for (size_t off = 0; off < len;) {
		ssize_t n = write(fd, text + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = errno;
			break;
		}
		off += (size_t)n;
	}
	/* fsync before rename: otherwise a power loss can leave the new
	 * name pointing at an empty file. */
	if (!err && fsync(fd) != 0)
		err = errno;
	if (close(fd) != 0 && !err)
		err = errno;
	if (!err && rename(tmp, path) != 0)
		err = errno;
	if (err)
		unlink(tmp);
	return err;
}

static int grow(void **p, size_t *cap, size_t need, size_t unit)
{
	size_t n = *cap ? *cap : 64;
	void *q;

	while (n < need)
		n *= 2;
	q = realloc(*p, n * unit);
	if (!q)
		return ENOMEM;
	*p = q;
	*cap = n;
	return 0;
}

int datafile_row(struct datafile_rows *rows, const char *key, int a, int b)
{
	size_t len = strlen(key) + 1;

	if ((rows->n == rows->cap &&
	     grow((void **)&rows->row, &rows->cap, rows->n + 1,
		  sizeof(*rows->row))) ||
	    (rows->used + len > rows->size &&
	     grow((void **)&rows->keys, &rows->size, rows->used + len, 1)))
		return ENOMEM;
	memcpy(rows->keys + rows->used, key, len);
	rows->row[rows->n++] = (struct row){rows->used, a, b};
	rows->used += len;
	return 0;
}

static void rows_free(struct datafile_rows *rows)
{
	free(rows->row);
	free(rows->keys);
	memset(rows, 0, sizeof(*rows));
}

static json_t *render(const struct datafile *df,
		      const struct datafile_rows *rows)
{
	json_t *obj = json_object();

	for (size_t i = 0; obj && i < rows->n; i++) {
		const struct row *r = &rows->row[i];
		json_t *v = df->value(r->a, r->b);

		if (!v || json_object_set_new(obj, rows->keys + r->key, v)) {
			json_decref(obj);
			obj = NULL;
		}
	}
	return obj;
}

/* On the worker thread (or the loop when there is none, and at close). */
static void job_work(void *arg)
{
	struct job *j = arg;
	struct datafile *df = j->df;
	json_t *doc = render(df, &j->rows);
	char *text = doc ? json_dumps(doc, JSON_INDENT(1) | JSON_SORT_KEYS)
			 : NULL;

	json_decref(doc);
	rows_free(&j->rows);
	if (!text) {
		j->err = ENOMEM;
		return;
	}
	pthread_mutex_lock(&df->lock);
	if ((int)(j->seq - df->written) > 0) {
		j->err = write_text(df->path, df->tmp, text);
		if (!j->err)
			df->written = j->seq;
	}
	pthread_mutex_unlock(&df->lock);
	free(text);
}

static void schedule(struct datafile *df);

static void retry(void *arg)
{
	struct datafile *df = arg;

	df->last_start = 0;
	schedule(df);
}

/* Back on the loop: say what happened (once for a failure, once for the
 * recovery), and start the next write if the state changed meanwhile. */
static void job_done(void *arg, bool ran)
{
	struct job *j = arg;
	struct datafile *df = j->df;

	rows_free(&j->rows);
	df->busy = false;
	if (!ran) {
		/* the worker stopped first: close writes it */
		df->dirty = true;
	}
	else if (j->err) {
		if (!df->err)
			log_error("Cannot save '%s': %s (retried every %d s)",
				  df->path, strerror(j->err),
				  DATAFILE_RETRY_MS / 1000);
		df->err = j->err;
		df->dirty = true;
		if (!df->closed)
			tmr_start(&df->tmr, DATAFILE_RETRY_MS, retry, df);
	}
	else if (df->err) {
		log_notice("Saved '%s' again", df->path);
		df->err = 0;
	}
	if (ran && !df->closed && df->dirty)
		schedule(df);
	free(j);
	mem_deref(df);
}

/* The copy is sized as the last one was: one allocation each, usually. */
static struct job *job_new(struct datafile *df)
{
	struct job *j = calloc(1, sizeof(*j));

	if (!j)
		return NULL;
	if ((df->last_n && grow((void **)&j->rows.row, &j->rows.cap,
				df->last_n, sizeof(*j->rows.row))) ||
	    (df->last_used && grow((void **)&j->rows.keys, &j->rows.size,
				   df->last_used, 1)) ||
	    df->rows(&j->rows, df->arg)) {
		rows_free(&j->rows);
		free(j);
		return NULL;
	}
	df->last_n = j->rows.n;
	df->last_used = j->rows.used;
	j->df = mem_ref(df);
	j->seq = ++df->seq;
	df->dirty = false;
	return j;
}

static void write_now(struct datafile *df)
{
	struct job *j = job_new(df);
	int err;

	df->last_start = tmr_jiffies();
	if (!j) {
		tmr_start(&df->tmr, DATAFILE_RETRY_MS, retry, df);
		return;
	}
	err = worker_run(job_work, job_done, j);
	if (!err) {
		df->busy = true;
		return;
	}
	if (err == ENOSYS) {
		/* no worker thread (it could not start): on the loop, as
		 * ariadne did before there was one */
		job_work(j);
		job_done(j, true);
		return;
	}
	/* the worker's queue is full: the copy goes, a later one is taken */
	df->dirty = true;
	tmr_start(&df->tmr, DATAFILE_DELAY_MS, retry, df);
	j->df = mem_deref(j->df);
	rows_free(&j->rows);
	free(j);
}

static void timeout(void *arg)
{
	write_now(arg);
}

static void schedule(struct datafile *df)
{
	uint64_t now = tmr_jiffies();
	uint64_t due = df->last_start + DATAFILE_DELAY_MS;

	if (df->busy || df->closed || tmr_isrunning(&df->tmr))
		return;
	if (!df->last_start || now >= due)
		write_now(df);
	else
		tmr_start(&df->tmr, due - now, timeout, df);
}

void datafile_changed(struct datafile *df)
{
	if (!df || df->closed)
		return;
	df->dirty = true;
	schedule(df);
}

int datafile_error(const struct datafile *df)
{
	return df ? df->err : 0;
}

/* `<name>.tmp.<digits>`: a temporary copy by write_text(). */
static bool is_temp_of(const char *entry, const char *name)
{
	size_t n = strlen(name), s = strlen(TMP_SUFFIX);
	const char *p;

	if (strncmp(entry, name, n) || strncmp(entry + n, TMP_SUFFIX, s))
		return false;
	p = entry + n + s;
	if (!*p)
		return false;
	for (; *p; p++)
		if (*p < '0' || *p > '9')
			return false;
	return true;
}

/* Each a whole copy of the file: after many kill -9 they add up. Only
 * regular files of our exact naming are touched. */
static void remove_stale(const char *dir, const char *name)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d))) {
		char path[800];
		struct stat st;

		if (!is_temp_of(e->d_name, name))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (lstat(path, &st) || !S_ISREG(st.st_mode))
			continue;
		if (unlink(path))
			log_warning("Cannot remove stale temporary file '%s': "
				    "%s", path, strerror(errno));
		else
			log_notice("Removed stale temporary file '%s' (%lld "
				   "bytes): a copy of %s a stopped process "
				   "did not finish saving", path,
				   (long long)st.st_size, name);
	}
	closedir(d);
}

static void destructor(void *arg)
{
	struct datafile *df = arg;

	tmr_cancel(&df->tmr);
	pthread_mutex_destroy(&df->lock);
}

int datafile_open(struct datafile **dfp, const char *dir, const char *name,
		  datafile_rows_h *rows, datafile_value_h *value, void *arg)
{
	struct datafile *df;
	int n;

	if (!dfp || !dir || !name || !rows || !value)
		return EINVAL;
	df = mem_zalloc(sizeof(*df), destructor);
	if (!df)
		return ENOMEM;
	tmr_init(&df->tmr);
	pthread_mutex_init(&df->lock, NULL);
	df->rows = rows;
	df->value = value;
	df->arg = arg;
	n = snprintf(df->path, sizeof(df->path), "%s/%s", dir, name);
	if (n < 0 || (size_t)n >= sizeof(df->path)) {
		mem_deref(df);
		return ENAMETOOLONG;
	}
	snprintf(df->tmp, sizeof(df->tmp), "%s" TMP_SUFFIX "%d", df->path,
		 (int)getpid());
	remove_stale(dir, name);
	*dfp = df;
	return 0;
}

void datafile_close(struct datafile *df)
{
	struct job *j;

	if (!df)
		return;
	tmr_cancel(&df->tmr);
	df->closed = true;
	/* busy: a write the worker still has may be older than this one;
	 * the lock puts ours after it, or its after ours, and then skipped */
	if (df->dirty || df->busy) {
		j = job_new(df);
		if (!j) {
			log_error("Cannot save '%s': %s", df->path,
				  strerror(ENOMEM));
		}
		else {
			job_work(j);
			if (j->err)
				log_error("Cannot save '%s': %s", df->path,
					  strerror(j->err));
			mem_deref(j->df);
			free(j);
		}
	}
	df->rows = NULL;
	df->arg = NULL;
	mem_deref(df);
}
