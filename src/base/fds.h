/* fds.h — how many file descriptors the process has and may still open
 * (fds.c). No sockets of ours here: any layer asks. */
#ifndef ARIADNE_BASE_FDS_H
#define ARIADNE_BASE_FDS_H

#include <stdbool.h>

/* h(fd) for each descriptor open now (a walk of /proc/self/fd: about
 * 1.5 µs each, with the walk's own left out), until h returns true. The
 * walk itself needs a descriptor free. Returns an errno value. */
typedef bool (fds_h)(int fd, void *arg);
int fds_foreach(fds_h *h, void *arg);
/* Descriptors open now (the same walk: for a scrape, not for a timer);
 * -1 when /proc cannot say. */
long fds_open_count(void);
/* RLIMIT_NOFILE's soft limit; -1 when unlimited or unknown. */
long fds_limit(void);
/* How many more descriptors could be opened now, counted up to `want`
 * (at most FDS_PROBE_MAX): two system calls per descriptor counted,
 * whatever the table's size. The probe holds them for a moment: a
 * thread opening one meanwhile could fail. */
unsigned fds_free_up_to(unsigned want);

enum { FDS_PROBE_MAX = 1024 };

#endif
