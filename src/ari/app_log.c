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
 * One entry per app name. While the app is registered its numbers are
 * never reused. Once it is deactivated (ari_app_log_gap) and stays so for
 * reconnect_retain, the entry goes with its ring: an app named anew per call or
 * per session must not hold memory for ever. A socket that comes back
 * later with `since` is told EventsLost (its numbers are not this log's).
 * A ring also holds at most RING_BYTES of events, whatever
 * reconnect_buffer says, so that a few huge events cannot take the
 * memory the count allows for ordinary ones; and the logs of deactivated
 * apps together at most IDLE_BYTES (the longest idle go first), so that
 * many apps coming and going within reconnect_retain cannot either. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <re_types.h>
#include <re_fmt.h>
#include <re_mem.h>
#include <re_list.h>
#include <re_tmr.h>
#include "ari/app_log.h"
#include "core/stasis.h"

enum {
	SWEEP_MS = 30 * 1000,               /* at most; less for a short retain */
	RING_BYTES = 16 * 1024 * 1024,      /* of kept event text per app */
	IDLE_BYTES = 64 * 1024 * 1024,      /* of all deactivated apps' logs */
};

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
	size_t bytes;         /* of the kept texts */
	uint64_t idle_since;  /* jiffies of its deactivation; 0: active */
};

static struct list logs = LIST_INIT;
static struct tmr sweep_tmr;
static unsigned grace_ms;
static size_t keep_max = 1000;
static unsigned retain_ms = 300 * 1000;

void ari_app_log_configure(unsigned grace, size_t keep, unsigned retain)
{
	grace_ms = grace;
	keep_max = keep;
	retain_ms = retain;
}

static unsigned sweep_ms(void)
{
	return retain_ms < SWEEP_MS ? (retain_ms ? retain_ms : 1) : SWEEP_MS;
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
	lg->cap = lg->head = lg->n = lg->bytes = 0;
}

static void ring_drop_oldest(struct app_log *lg)
{
	struct kept *k = &lg->ring[lg->head];

	lg->bytes -= k->text ? strlen(k->text) : 0;
	k->text = mem_deref(k->text);
	lg->head = (lg->head + 1) % lg->cap;
	lg->n--;
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

	if (!lg)
		return 0;
	lg->idle_since = 0;
	return ++lg->seq;
}

/* Logs of apps deactivated reconnect_retain ago and not registered since
 * go. */
static void sweep(void *arg)
{
	uint64_t now = tmr_jiffies();
	struct le *le = logs.head;
	bool idle_left = false;

	(void)arg;
	while (le) {
		struct app_log *lg = le->data;

		le = le->next;
		if (!lg->idle_since)
			continue;
		if (stasis_app_find(lg->name))
			lg->idle_since = 0;
		else if (now - lg->idle_since >= retain_ms)
			mem_deref(lg);
		else
			idle_left = true;
	}
	if (idle_left)
		tmr_start(&sweep_tmr, sweep_ms(), sweep, NULL);
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
	while (lg->n > keep_max)
		ring_drop_oldest(lg);
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
	if (lg->n == lg->cap)
		ring_drop_oldest(lg);
	while (lg->n && lg->bytes + strlen(copy) > RING_BYTES)
		ring_drop_oldest(lg);
	k = &lg->ring[(lg->head + lg->n) % lg->cap];
	k->seq = seq;
	k->text = copy;
	lg->bytes += strlen(copy);
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

/* Deactivated apps' logs beyond IDLE_BYTES in all: the longest idle go. */
static void idle_trim(void)
{
	for (;;) {
		struct app_log *oldest = NULL;
		size_t total = 0;

		for (struct le *le = logs.head; le; le = le->next) {
			struct app_log *lg = le->data;

			if (!lg->idle_since)
				continue;
			total += lg->bytes;
			if (!oldest || lg->idle_since < oldest->idle_since)
				oldest = lg;
		}
		if (total <= IDLE_BYTES || !oldest)
			return;
		mem_deref(oldest);
	}
}

void ari_app_log_gap(const char *app)
{
	struct app_log *lg = log_get(app);

	if (!lg)
		return;
	lg->gap = true;
	lg->gap_at = lg->seq;
	lg->idle_since = tmr_jiffies();
	if (!lg->idle_since)
		lg->idle_since = 1;
	if (!tmr_isrunning(&sweep_tmr))
		tmr_start(&sweep_tmr, sweep_ms(), sweep, NULL);
	idle_trim();
}

void ari_app_log_close(void)
{
	tmr_cancel(&sweep_tmr);
	list_flush(&logs);
}
