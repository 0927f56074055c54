/* http_verify.c — a request's crypt(3) password checked on the worker
 * thread (base/worker.h) while the request waits, for http.c.
 *
 * Why: a check takes tens of ms by design. On the loop, guesses from a
 * few hundred addresses stopped every call's media for seconds; the
 * per-address back-off only limits each address. What is checked and
 * remembered is http_conf.c's (ari_http_crypt_check and friends); this
 * file only carries a check to the thread and its verdict back.
 *
 * Fairness: one address may have PER_ADDR_MAX checks waiting, so that a
 * single guesser, however many connections it opens, takes a few of the
 * worker's WORKER_QUEUE_MAX places and leaves the rest to everyone else;
 * beyond that it is told to come back (503), unchecked. */
#include <errno.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <re_types.h>
#include <re_mem.h>
#include <re_list.h>
#include <re_sa.h>
#include "ari/http_conf.h"
#include "ari/http_verify.h"
#include "base/log.h"
#include "base/worker.h"

enum { PER_ADDR_MAX = 4 };

struct http_verify {
	struct le le;         /* in waiting, until done */
	struct sa addr;
	struct ari_crypt_check *chk;
	http_verify_h *vh;
	void *arg;
	atomic_bool gone;     /* the request went first: not worth running */
};

static struct list waiting;   /* struct http_verify, queued or running */

static void verify_destructor(void *arg)
{
	struct http_verify *v = arg;

	list_unlink(&v->le);
}

static unsigned waiting_from(const struct sa *peer)
{
	unsigned n = 0;

	for (struct le *le = waiting.head; le; le = le->next) {
		struct http_verify *v = le->data;

		if (sa_cmp(&v->addr, peer, SA_ADDR))
			n++;
	}
	return n;
}

static void work(void *arg)
{
	struct http_verify *v = arg;

	/* A flood of guesses whose clients gave up must not hold up the
	 * checks behind it. */
	if (!atomic_load(&v->gone))
		ari_http_crypt_run(v->chk);
}

static void done(void *arg, bool ran)
{
	struct http_verify *v = arg;
	int verdict = -1;

	if (ran)
		verdict = ari_http_crypt_done(v->chk);  /* frees chk */
	else
		mem_deref(v->chk);
	if (!atomic_load(&v->gone))
		v->vh(verdict, v->arg);
	mem_deref(v);
}

bool http_verify_start(struct http_verify **vp, const struct http_head *h,
		       const struct sa *peer, const char *peer_str,
		       http_verify_h *vh, void *arg, int *verdict)
{
	struct ari_crypt_check *chk = ari_http_crypt_check(h, peer);
	struct http_verify *v;
	int err;

	if (!chk)
		return false;
	if (waiting_from(peer) >= PER_ADDR_MAX) {
		log_debug(1, "ARI password from %s not checked: %d of its "
			  "crypt(3) checks waiting already", peer_str,
			  PER_ADDR_MAX);
		mem_deref(chk);
		*verdict = HTTP_VERIFY_BUSY;
		return false;
	}
	v = mem_zalloc(sizeof(*v), verify_destructor);
	if (v) {
		/* the worker may start on it before worker_run() returns */
		v->chk = chk;
		v->vh = vh;
		v->arg = arg;
		v->addr = *peer;
		atomic_init(&v->gone, false);
	}
	err = v ? worker_run(work, done, v) : ENOMEM;
	if (!err) {
		list_append(&waiting, &v->le, v);
		*vp = v;
		return true;
	}
	mem_deref(v);
	if (err == EBUSY) {
		/* As many checks wait as the worker takes: a flood of
		 * guesses. Not checked, so neither right nor wrong. */
		log_debug(1, "ARI password from %s not checked: %d "
			  "crypt(3) checks waiting", peer_str,
			  WORKER_QUEUE_MAX);
		mem_deref(chk);
		*verdict = HTTP_VERIFY_BUSY;
	}
	else {
		/* no worker: checked on the loop, as before */
		ari_http_crypt_run(chk);
		*verdict = ari_http_crypt_done(chk);
	}
	return false;
}

void http_verify_forget(struct http_verify *v)
{
	if (v)
		atomic_store(&v->gone, true);
}
