/* linefile.h — a file that whole lines are appended to (linefile.c): log
 * files, CEL's Master.csv. No allocation: the struct is the caller's (the
 * logger's table is static). Not thread-safe: one writer at a time. */
#ifndef ARIADNE_BASE_LINEFILE_H
#define ARIADNE_BASE_LINEFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct linefile;

/* err != 0: lines stopped going in (the first failure, err its errno);
 * err == 0: they go in again, after `lost` lines were lost. Called from
 * linefile_write(); writing to the same file from it is safe. */
typedef void (linefile_report_h)(const struct linefile *lf, int err,
				 unsigned long lost, void *arg);

struct linefile {
	char path[512];
	int fd;                 /* -1: not open; retried at the next line */
	int err;                /* the failure reported, 0 while writing */
	unsigned long lost;     /* lines lost since it */
	uint64_t retry_ms;      /* CLOCK_MONOTONIC: no open before then */
	uint64_t checked_ms;    /* ... no look for a moved file before then */
	linefile_report_h *report;
	void *arg;
};

/* Set up and open `path` (its directories made as needed). When it cannot
 * be opened now it is reported as a failure and retried at the next line,
 * at most once a second: the error is returned, lf is usable either way. */
int linefile_open(struct linefile *lf, const char *path,
		  linefile_report_h *report, void *arg);
/* Append one line (with its '\n'): whole, or not at all. */
int linefile_write(struct linefile *lf, const char *line, size_t len);
/* Close the descriptor; linefile_open() may follow. */
void linefile_close(struct linefile *lf);

#endif
