/* worker.c — one thread for work too slow for the event loop.
 *
 * Why: a crypt(3) check of a password takes tens of milliseconds by
 * design; on the loop, a few hundred guesses from as many addresses stop
 * every call's media and every other request for seconds. The work needs
 * nothing of ours while it runs, so it moves; what it found is used back
 * on the loop, where everything else happens.
 *
 * How: jobs wait in a list the thread takes from in order (a mutex and a
 * condition variable); finished jobs go to a second list, and libre's
 * mqueue wakes the loop, which calls their done handlers. The list is
 * bounded: a flood waits no longer than WORKER_QUEUE_MAX jobs' time, and
 * what is beyond is refused at once (the caller decides what that means).
 * The thread logs nothing and touches no libre object. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <re_types.h>
#include <re_mem.h>
#include <re_mqueue.h>
#include "base/worker.h"

struct job {
	struct job *next;
	worker_work_h *work;
	worker_done_h *done;
	void *arg;
};

struct jobs {
	struct job *head, **tail;
};

static struct {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct mqueue *mq;
	bool running;               /* the loop's view */
	/* under lock: */
	struct jobs todo, finished;
	unsigned ntodo;
	bool stop;
} w = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.cond = PTHREAD_COND_INITIALIZER,
};

static void jobs_init(struct jobs *l)
{
	l->head = NULL;
	l->tail = &l->head;
}

static void jobs_append(struct jobs *l, struct job *j)
{
	j->next = NULL;
	*l->tail = j;
	l->tail = &j->next;
}

/* The whole list, leaving it empty. */
static struct job *jobs_take(struct jobs *l)
{
	struct job *j = l->head;

	jobs_init(l);
	return j;
}

static void finish(struct job *j, bool ran)
{
	while (j) {
		struct job *next = j->next;

		j->done(j->arg, ran);
		free(j);
		j = next;
	}
}

static void *thread_main(void *arg)
{
	(void)arg;
	pthread_setname_np(pthread_self(), "ariadne-work");
	pthread_mutex_lock(&w.lock);
	while (!w.stop) {
		struct job *j = w.todo.head;
		bool wake;

		if (!j) {
			pthread_cond_wait(&w.cond, &w.lock);
			continue;
		}
		w.todo.head = j->next;
		if (!w.todo.head)
			w.todo.tail = &w.todo.head;
		w.ntodo--;
		pthread_mutex_unlock(&w.lock);
		j->work(j->arg);
		pthread_mutex_lock(&w.lock);
		wake = !w.finished.head;
		jobs_append(&w.finished, j);
		if (wake)
			(void)mqueue_push(w.mq, 0, NULL);
	}
	pthread_mutex_unlock(&w.lock);
	return NULL;
}

static void mq_handler(int id, void *data, void *arg)
{
	struct job *j;

	(void)id;
	(void)data;
	(void)arg;
	pthread_mutex_lock(&w.lock);
	j = jobs_take(&w.finished);
	pthread_mutex_unlock(&w.lock);
	finish(j, true);
}

int worker_thread_create(pthread_t *t, void *(*fn)(void *), void *arg)
{
	sigset_t all, old;
	int err;

	/* Signals are the loop's: the thread inherits a mask of all. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = pthread_create(t, NULL, fn, arg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return err;
}

int worker_start(void)
{
	int err;

	if (w.running)
		return 0;
	jobs_init(&w.todo);
	jobs_init(&w.finished);
	w.ntodo = 0;
	w.stop = false;
	err = mqueue_alloc(&w.mq, mq_handler, NULL);
	if (err)
		return err;
	err = worker_thread_create(&w.thread, thread_main, NULL);
	if (err) {
		w.mq = mem_deref(w.mq);
		return err;
	}
	w.running = true;
	return 0;
}

void worker_stop(void)
{
	struct job *ran, *not_run;

	if (!w.running)
		return;
	pthread_mutex_lock(&w.lock);
	w.stop = true;
	pthread_cond_signal(&w.cond);
	pthread_mutex_unlock(&w.lock);
	pthread_join(w.thread, NULL);
	w.running = false;
	ran = jobs_take(&w.finished);
	not_run = jobs_take(&w.todo);
	w.ntodo = 0;
	w.mq = mem_deref(w.mq);
	finish(ran, true);
	finish(not_run, false);
}

int worker_run(worker_work_h *work, worker_done_h *done, void *arg)
{
	struct job *j;

	if (!w.running)
		return ENOSYS;
	j = malloc(sizeof(*j));
	if (!j)
		return ENOMEM;
	j->work = work;
	j->done = done;
	j->arg = arg;
	pthread_mutex_lock(&w.lock);
	if (w.ntodo >= WORKER_QUEUE_MAX) {
		pthread_mutex_unlock(&w.lock);
		free(j);
		return EBUSY;
	}
	jobs_append(&w.todo, j);
	w.ntodo++;
	pthread_cond_signal(&w.cond);
	pthread_mutex_unlock(&w.lock);
	return 0;
}
