/* backoff.c — the table of addresses whose authentication failed
 * (backoff.h): a leaky bucket per address, found through a hash, kept in
 * least-recently-failed order so that the oldest goes first when full. */
#include <errno.h>
#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>
#include <re_types.h>
#include <re_mem.h>
#include <re_list.h>
#include <re_hash.h>
#include <re_sa.h>
#include <re_tmr.h>
#include "base/backoff.h"

struct entry {
	struct le he;      /* in b->ht */
	struct le lru;     /* in b->lru, least recently failed first */
	struct sa addr;
	unsigned level;    /* failures not yet leaked away */
	uint64_t t;        /* when level was last brought up to date */
	uint64_t held_until; /* a delayed refusal is on its way until then */
};

struct backoff {
	struct backoff_conf conf;
	struct hash *ht;
	struct list lru;
	size_t n;
	unsigned leak_ms;  /* one failure forgotten per this many ms */
	unsigned max_level;
};

void backoff_conf_default(struct backoff_conf *conf)
{
	conf->limit = 5;
	conf->window_ms = 60000;
	conf->delay_ms = 250;
	conf->max_delay_ms = 4000;
	conf->max_entries = 10000;
}

static void entry_destructor(void *arg)
{
	struct entry *e = arg;

	hash_unlink(&e->he);
	list_unlink(&e->lru);
}

static void backoff_destructor(void *arg)
{
	struct backoff *b = arg;

	list_flush(&b->lru);
	mem_deref(b->ht);
}

int backoff_alloc(struct backoff **bp, const struct backoff_conf *conf)
{
	struct backoff *b;
	unsigned steps = 1;
	int err;

	b = mem_zalloc(sizeof(*b), backoff_destructor);
	if (!b)
		return ENOMEM;
	b->conf = *conf;
	if (!b->conf.delay_ms)
		b->conf.delay_ms = 1;
	if (b->conf.max_delay_ms < b->conf.delay_ms)
		b->conf.max_delay_ms = b->conf.delay_ms;
	if (!b->conf.max_entries)
		b->conf.max_entries = 1;
	b->leak_ms = b->conf.limit ? b->conf.window_ms / b->conf.limit : 1;
	if (!b->leak_ms)
		b->leak_ms = 1;
	/* Past the level whose delay reaches the cap more failures would
	 * only make the decay slower. */
	while (steps < 31 && ((uint64_t)b->conf.delay_ms << (steps - 1)) <
			     b->conf.max_delay_ms)
		steps++;
	b->max_level = b->conf.limit + steps;
	list_init(&b->lru);
	err = hash_alloc(&b->ht, 1024);
	if (err) {
		mem_deref(b);
		return err;
	}
	*bp = b;
	return 0;
}

static bool addr_cmp(struct le *le, void *arg)
{
	const struct entry *e = le->data;

	return sa_cmp(&e->addr, arg, SA_ADDR);
}

static struct entry *find(struct backoff *b, const struct sa *addr)
{
	struct le *le = hash_lookup(b->ht, sa_hash(addr, SA_ADDR), addr_cmp,
				    (void *)addr);

	return le ? le->data : NULL;
}

static void forget(struct backoff *b, struct entry *e)
{
	mem_deref(e);
	b->n--;
}

/* Leak what the time since e->t lets go; false when nothing is left. */
static bool leak(struct backoff *b, struct entry *e, uint64_t now)
{
	uint64_t units = now > e->t ? (now - e->t) / b->leak_ms : 0;

	if (units >= e->level) {
		e->level = 0;
		e->t = now;
		return false;
	}
	e->level -= (unsigned)units;
	e->t += units * b->leak_ms;
	return true;
}

static unsigned delay_of(const struct backoff *b, unsigned level)
{
	uint64_t d;

	if (level <= b->conf.limit)
		return 0;
	d = (uint64_t)b->conf.delay_ms << (level - b->conf.limit - 1);
	return d > b->conf.max_delay_ms ? b->conf.max_delay_ms : (unsigned)d;
}

unsigned backoff_fail(struct backoff *b, const struct sa *addr, uint64_t now)
{
	struct entry *e;
	unsigned d;

	if (!b || !addr || !b->conf.limit)
		return 0;
	e = find(b, addr);
	if (e) {
		(void)leak(b, e, now);
		list_unlink(&e->lru);
	}
	else {
		if (b->n >= b->conf.max_entries && b->lru.head)
			forget(b, b->lru.head->data);
		e = mem_zalloc(sizeof(*e), entry_destructor);
		if (!e)
			return 0;
		e->addr = *addr;
		e->t = now;
		hash_append(b->ht, sa_hash(addr, SA_ADDR), &e->he, e);
		b->n++;
	}
	list_append(&b->lru, &e->lru, e);
	if (e->level < b->max_level)
		e->level++;
	d = delay_of(b, e->level);
	if (d && now + d > e->held_until)
		e->held_until = now + d;
	return d;
}

bool backoff_busy(struct backoff *b, const struct sa *addr, uint64_t now)
{
	struct entry *e = b && addr && b->conf.limit ? find(b, addr) : NULL;

	return e && now < e->held_until;
}

unsigned backoff_delay(struct backoff *b, const struct sa *addr,
		       uint64_t now)
{
	struct entry *e;

	if (!b || !addr || !b->conf.limit)
		return 0;
	e = find(b, addr);
	if (!e)
		return 0;
	if (!leak(b, e, now)) {
		forget(b, e);
		return 0;
	}
	return delay_of(b, e->level);
}

void backoff_success(struct backoff *b, const struct sa *addr)
{
	struct entry *e = b && addr ? find(b, addr) : NULL;

	if (e)
		forget(b, e);
}

size_t backoff_count(const struct backoff *b)
{
	return b ? b->n : 0;
}

/* ---- the process's table ---- */

static struct backoff *global;

void backoff_global_configure(const struct backoff_conf *conf)
{
	struct backoff *b = NULL;

	if (!backoff_alloc(&b, conf)) {
		mem_deref(global);
		global = b;
	}
}

static struct backoff *global_get(void)
{
	struct backoff_conf conf;

	if (!global) {
		backoff_conf_default(&conf);
		(void)backoff_alloc(&global, &conf);
	}
	return global;
}

unsigned backoff_global_fail(const struct sa *addr)
{
	return backoff_fail(global_get(), addr, tmr_jiffies());
}

unsigned backoff_global_delay(const struct sa *addr)
{
	return backoff_delay(global_get(), addr, tmr_jiffies());
}

bool backoff_global_busy(const struct sa *addr)
{
	return backoff_busy(global, addr, tmr_jiffies());
}

void backoff_global_success(const struct sa *addr)
{
	backoff_success(global, addr);
}

void backoff_global_close(void)
{
	global = mem_deref(global);
}
