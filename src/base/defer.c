/* defer.c — a FIFO of deferred calls drained by one 0 ms libre timer, so that
 * work handed over by a request handler runs in order after the reply. */
#include <errno.h>
#include <stdint.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stddef.h>
#include <re_types.h>
#include <re_mem.h>
#include <re_list.h>
#include <re_tmr.h>
#include "base/defer.h"

struct deferred {
	struct le le;
	defer_h *h;
	void *arg;
};

static struct list queue;
static struct tmr tmr;

static void deferred_destructor(void *data)
{
	struct deferred *d = data;

	list_unlink(&d->le);
	mem_deref(d->arg);
}

static void drain(void *unused)
{
	/* Calls deferred while draining wait for the next turn, so a chain of
	 * deferrals cannot starve the loop. */
	struct list batch = LIST_INIT;

	(void)unused;
	list_flush(&batch);
	while (queue.head) {
		struct le *le = queue.head;

		list_unlink(le);
		list_append(&batch, le, le->data);
	}
	while (batch.head) {
		struct deferred *d = batch.head->data;

		list_unlink(&d->le);
		d->h(d->arg);
		mem_deref(d);
	}
}

int defer_call(defer_h *h, void *arg)
{
	struct deferred *d = mem_zalloc(sizeof(*d), deferred_destructor);

	if (!d)
		return ENOMEM;
	d->h = h;
	d->arg = mem_ref(arg);
	list_append(&queue, &d->le, d);
	if (!tmr_isrunning(&tmr))
		tmr_start(&tmr, 0, drain, NULL);
	return 0;
}

void defer_flush(void)
{
	tmr_cancel(&tmr);
	list_flush(&queue);
}

static void nothing(void *arg)
{
	(void)arg;
}

void defer_release(void *obj)
{
	if (!obj)
		return;
	(void)defer_call(nothing, obj);  /* ENOMEM: released at once */
	mem_deref(obj);
}
