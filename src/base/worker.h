/* worker.h — one thread for work too slow for the event loop (worker.c):
 * a job's work runs on the thread, then its done handler runs on the loop.
 * For work that needs no state of ours while it runs (crypt(3) of a
 * password someone sent: tens of ms each). */
#ifndef ARIADNE_BASE_WORKER_H
#define ARIADNE_BASE_WORKER_H

#include <pthread.h>
#include <stdbool.h>

/* On the worker thread: touch only what the job owns. */
typedef void (worker_work_h)(void *arg);
/* On the loop, after the work, or instead of it (ran false) when the
 * worker stopped first. */
typedef void (worker_done_h)(void *arg, bool ran);

/* Start the thread (the loop's thread, once). Returns an errno value. */
int worker_start(void);
/* Stop it: jobs not yet run get their done handler with ran false. */
void worker_stop(void);

/* Queue a job. EBUSY when WORKER_QUEUE_MAX jobs wait already, ENOSYS when
 * the thread is not running, ENOMEM: done is then not called. */
int worker_run(worker_work_h *work, worker_done_h *done, void *arg);

enum { WORKER_QUEUE_MAX = 64 };

/* pthread_create() of a thread that takes no signal (they are the
 * loop's): for every thread of ours, this one and the send thread's. */
int worker_thread_create(pthread_t *t, void *(*fn)(void *), void *arg);

#endif
