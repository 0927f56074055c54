/* app_log.c — every event an app receives gets the app's next sequence
 * number, and the last reconnect_buffer of them are kept, as sent, so that
 * a socket reconnecting with /ari/events?app=x&since=N gets what it missed
 * (an ariadne extension; Asterisk drops events while an app has no
 * socket, and those in flight when a socket breaks).
 *
 * The log never claims more than it knows: when events were dropped (the
 * app had no socket, or older ones fell out of the ring, or `since` comes
 * from before this process started), ari_app_log_complete() says so and
 * the socket gets an EventsLost event instead of a silent gap.
 *
 * One entry per app name, kept for the life of the process (a name and two
 * counters once its ring is empty) so that sequence numbers are never
 * reused. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <re_types.h>
#include <re_fmt.h>
#include <re_mem.h>
#include <re_list.h>
#include "ari/app_log.h"

struct kept {
	uint64_t seq;
	char *text;
};

struct app_log {
	struct le le;
	char *name;
	uint64_t seq;         /* the last one given */
	bool gap;             /* events after gap_at were dropped */
	uint64_t gap_at;
	struct kept *ring;    /* cap entries, n used from head (oldest) */
	size_t cap, head, n;
};

static struct list logs = LIST_INIT;
static unsigned grace_ms;
static size_t keep_max = 1000;

void ari_app_log_configure(unsigned grace, size_t keep)
{
	grace_ms = grace;
	keep_max = keep;
}

unsigned ari_app_log_grace_ms(void)
{
	return grace_ms;
}

static void ring_clear(struct app_log *lg)
{
	for (size_t i = 0; i < lg->n; i++)
		mem_deref(lg->ring[(lg->head + i) % lg->cap].text);
	lg->ring = mem_deref(lg->ring);
	lg->cap = lg->head = lg->n = 0;
}

static void log_destructor(void *arg)
{
	struct app_log *lg = arg;

	list_unlink(&lg->le);
	ring_clear(lg);
	mem_deref(lg->name);
}

static struct app_log *log_find(const char *app)
{
	for (struct le *le = logs.head; le; le = le->next) {
		struct app_log *lg = le->data;

		if (!strcmp(lg->name, app))
			return lg;
	}
	return NULL;
}

static struct app_log *log_get(const char *app)
{
	struct app_log *lg = log_find(app);

	if (lg)
		return lg;
	lg = mem_zalloc(sizeof(*lg), log_destructor);
	if (!lg || str_dup(&lg->name, app))
		return mem_deref(lg);
	list_append(&logs, &lg->le, lg);
	return lg;
}

uint64_t ari_app_log_next(const char *app)
{
	struct app_log *lg = log_get(app);

	return lg ? ++lg->seq : 0;
}

/* The ring follows reconnect_buffer: a reload that shrinks it drops the
 * oldest (and says so to the next `since` that needs them). */
static int ring_fit(struct app_log *lg)
{
	struct kept *r;

	if (lg->cap == keep_max)
		return 0;
	r = keep_max ? mem_zalloc(keep_max * sizeof(*r), NULL) : NULL;
	if (keep_max && !r)
		return ENOMEM;
	while (lg->n > keep_max) {
		mem_deref(lg->ring[lg->head].text);
		lg->head = (lg->head + 1) % lg->cap;
		lg->n--;
	}
	for (size_t i = 0; i < lg->n; i++)
		r[i] = lg->ring[(lg->head + i) % lg->cap];
	mem_deref(lg->ring);
	lg->ring = r;
	lg->cap = keep_max;
	lg->head = 0;
	return 0;
}

int ari_app_log_keep(const char *app, uint64_t seq, const char *text)
{
	struct app_log *lg = log_find(app);
	struct kept *k;
	char *copy = NULL;

	if (!lg || !seq)
		return EINVAL;
	if (ring_fit(lg))
		return ENOMEM;
	if (!lg->cap)
		return 0;
	if (str_dup(&copy, text))
		return ENOMEM;
	if (lg->n == lg->cap) {
		mem_deref(lg->ring[lg->head].text);
		lg->head = (lg->head + 1) % lg->cap;
		lg->n--;
	}
	k = &lg->ring[(lg->head + lg->n) % lg->cap];
	k->seq = seq;
	k->text = copy;
	lg->n++;
	return 0;
}

bool ari_app_log_complete(const char *app, uint64_t since, uint64_t *first)
{
	const struct app_log *lg = log_find(app);
	uint64_t oldest;

	if (!lg) {
		/* Nothing was ever sent to this app by this process. */
		*first = 1;
		return since == 0;
	}
	oldest = lg->n ? lg->ring[lg->head].seq : lg->seq + 1;
	*first = since + 1 > oldest ? since + 1 : oldest;
	if (since > lg->seq)
		return false;  /* a number this process never gave */
	if (since + 1 < oldest && since < lg->seq)
		return false;  /* fell out of the ring */
	return !(lg->gap && since <= lg->gap_at);
}

void ari_app_log_replay(const char *app, uint64_t since,
			void (*h)(const char *text, void *arg), void *arg)
{
	const struct app_log *lg = log_find(app);

	if (!lg)
		return;
	for (size_t i = 0; i < lg->n; i++) {
		const struct kept *k = &lg->ring[(lg->head + i) % lg->cap];

		if (k->seq > since)
			h(k->text, arg);
	}
}

void ari_app_log_gap(const char *app)
{
	struct app_log *lg = log_get(app);

	if (!lg)
		return;
	lg->gap = true;
	lg->gap_at = lg->seq;
}

void ari_app_log_close(void)
{
	list_flush(&logs);
}
