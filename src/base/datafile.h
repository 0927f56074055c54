/* datafile.h — small JSON documents kept in the data directory (mailbox
 * counts, ARI-controlled device states): read at start-up, written whole
 * after changes. Writes go to a temporary file that is fsynced and renamed
 * over the old one, so a crash leaves either the old or the new document,
 * never half. They happen on the worker thread (base/worker.h), coalesced:
 * a change reaches the disk within DATAFILE_DELAY_MS (plus the write),
 * as Asterisk's astdb commits in batches; a kill -9 may lose that moment.
 * jansson only; files including this must not include re.h / re_json.h. */
#ifndef ARIADNE_DATAFILE_H
#define ARIADNE_DATAFILE_H

#include <jansson.h>

/* Load `<dir>/<name>` as a JSON object into *objp (new reference).
 * ENOENT: no file yet (*objp = NULL); EBADMSG: not JSON or not an object,
 * logged as a WARNING naming the file. */
int datafile_load(const char *dir, const char *name, json_t **objp);

/* A data file its owner keeps in memory and has written when it changes. */
struct datafile;

/* The entries of the file, copied on the loop at each write: a key and two
 * numbers each, the value made from them on the worker thread. */
struct datafile_rows;
/* On the loop: every entry as a row (datafile_row()), in key order. An
 * error stops this write (it is retried). */
typedef int (datafile_rows_h)(struct datafile_rows *rows, void *arg);
/* A row: the entry's key and the numbers its value is made of. ENOMEM. */
int datafile_row(struct datafile_rows *rows, const char *key, int a, int b);
/* On the worker thread: the JSON value of a row (a new reference) from its
 * numbers alone; NULL when there is no memory. */
typedef json_t *(datafile_value_h)(int a, int b);

/* Own `<dir>/<name>` from now on. Temporary copies of it left by a process
 * that died while writing (`<name>.tmp.<pid>`) are removed, each logged. */
int datafile_open(struct datafile **dfp, const char *dir, const char *name,
		  datafile_rows_h *rows, datafile_value_h *value, void *arg);
/* The owner's state changed: written at once when the file was not
 * written in the last DATAFILE_DELAY_MS, else when that is over; one write
 * at a time, the latest state. */
void datafile_changed(struct datafile *df);
/* 0, or the errno of the last write, which failed (logged once; retried
 * every DATAFILE_RETRY_MS until one succeeds, then a NOTICE). */
int datafile_error(const struct datafile *df);
/* Write what has changed now, on the calling thread, and forget the file
 * (clean shutdown: nothing acknowledged is lost). NULL is fine. */
void datafile_close(struct datafile *df);

enum { DATAFILE_DELAY_MS = 200, DATAFILE_RETRY_MS = 1000 };

#endif
