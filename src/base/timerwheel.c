/* timerwheel.c — REPLACES libre's own timer functions: this file defines
 * tmr_start, tmr_cancel, tmr_poll and the rest of libre's tmr_* API, so every
 * timer of the process (libre's SIP transactions, re_main()'s poll loop, ours)
 * runs on a 1 ms hashed timing wheel instead of libre's sorted list. Nothing
 * calls this file by name for that; timerwheel.h adds a counter for tests
 * and a watch on the timers being started (src/sip uses it to bound one of
 * libre's SIP transaction timers, see sip_answered.c).
 *
 * Why: libre 1.1.0 keeps every timer of the loop in one sorted linked list, and
 * tmr_start() walks it from the tail past every timer that expires later. libre's
 * SIP stack alone keeps a 32 s timer per answered INVITE (Timer L) and a 5 s one per
 * UDP BYE (Timer K), so at ~450 calls/s the list holds ~16 000 entries and 83% of
 * ariadne's CPU was inside tmr_start (bench/PROFILE.md). Here start and cancel are
 * O(1) whatever the number of timers; the same bench holds 1200 calls/s UDP and TCP.
 *
 * How it takes over: this file DEFINES libre's own exported timer functions
 * (tmr_start, tmr_cancel, tmr_poll, tmr_next_timeout, tmr_get_expire, tmr_init,
 * tmr_status, tmr_debug). libre calls all of them through its PLT (checked with
 * objdump -R on libre.so.0: JUMP_SLOT/GLOB_DAT relocations, no direct calls), and
 * the dynamic linker binds those to the executable's definitions, so libre's SIP
 * transactions, re_main()'s poll loop and our own code all use this wheel. Every
 * 1.1.0 function that reads or writes the timer list is here (tmrl_get is only
 * called by libre's own tmr_start/tmr_status/tmr_debug, which are replaced); libre's
 * per-thread list (struct re's tmrl, passed to tmr_poll/tmr_next_timeout) stays
 * empty and is ignored. tmr_jiffies stays libre's: it is the clock, not the list
 * (in 1.1.0 it is gettimeofday(), so the wall clock can jump: see below).
 *
 * Keep in step with libre: this relies on libre 1.1.0's struct tmr (re_tmr.h:
 * le, th, arg, jfs; tmr_isrunning is an inline reading th) and on its behaviour
 * (read from the disassembly of the installed libre.so.0). tests/unit/
 * test_timerwheel.c pins that behaviour and the interposition itself; a libre
 * upgrade (newer ones add tmr_start_dbg, struct tmrl with a lock, tmr->llock)
 * must make those tests fail rather than silently mix two timer lists.
 *
 * Semantics kept from libre 1.1.0:
 *  - timers fire in order of expiry, equal expiries in start order (FIFO);
 *  - expiry = tmr_jiffies() + delay at start; delay 0 fires at the next poll;
 *  - starting a running timer moves it; cancel = start with no handler (arg too);
 *  - tmr_poll takes "now" once, then fires every timer with jfs <= now,
 *    including ones started by handlers during this poll; th is cleared and the
 *    timer unlinked before its handler runs (so a handler may restart it);
 *  - tmr_next_timeout: 0 = no timer, 1 = one is already due, else ms to it;
 *  - tmr_get_expire: 0 if not running or due, else ms left.
 *
 * Layout. "polled" is the last ms whose slot was emptied. Every running timer is
 * in exactly one of:
 *  - due:      jfs <= polled, sorted by (jfs, start order). Normally only timers
 *              started with jfs == polled (delay 0) land here, at the tail;
 *  - wheel:    polled < jfs <= polled + SLOTS, slot jfs % SLOTS, each slot in
 *              start order (a slot holds one jfs value at a time);
 *  - overflow: jfs > polled + SLOTS, sorted like libre's list (long timers are
 *              normally started in expiry order, so the walk from the tail ends
 *              at once).
 * A given jfs value lives in one container at a time and moves whole, appended
 * to a container holding no timer of that jfs yet (overflow -> wheel when polled
 * reaches jfs - SLOTS, wheel -> due when polled reaches jfs), so FIFO survives.
 * The wall clock going back (now < polled) only sends new timers to "due" by a
 * sorted insert — libre's own cost — until the clock catches up; going forward
 * is skipped over using the slot bitmaps, not ms by ms.
 *
 * Threads: ariadne runs one libre loop in one thread (docs/ARCHITECTURE.md,
 * "The loop and the media tick"), and libre 1.1.0 takes no lock around its
 * list either. This wheel is one global for the
 * process, not per re_thread: a second thread with its own loop (re_thread_init)
 * would share it. That is caught, not tolerated: the first thread to use a timer
 * owns the wheel and any other aborts with a message. A worker thread must post
 * into the loop through mqueue instead of starting timers. */
#include <stdint.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <re_types.h>
#include <re_fmt.h>
#include <re_list.h>
#include <re_tmr.h>
#include "base/timerwheel.h"

/* The build fails if libre's struct tmr is not 1.1.0's (later releases add a
 * list lock pointer and file/line, and route tmr_start through tmr_start_dbg,
 * which this file does not define). */
_Static_assert(sizeof(struct tmr) == 56 &&
	       offsetof(struct tmr, th) == 32 &&
	       offsetof(struct tmr, arg) == 40 &&
	       offsetof(struct tmr, jfs) == 48,
	       "libre's struct tmr changed: review src/base/timerwheel.c");

/* 65.536 s of 1 ms slots: every SIP transaction timer (64*T1 = 32 s at most)
 * goes straight into the wheel; only longer ones (registrations, qualify
 * intervals) use the sorted overflow list. 1 MB of list heads. */
#define SLOT_BITS 16
#define SLOTS     (1u << SLOT_BITS)
#define MASK      (SLOTS - 1u)
#define WORDS     (SLOTS / 64u)     /* level-1 bitmap: one bit per slot */
#define SWORDS    (WORDS / 64u)     /* level-2 bitmap: one bit per level-1 word */

static struct list wheel[SLOTS];
static uint64_t bits[WORDS];        /* slot non-empty */
static uint64_t sbits[SWORDS];      /* bits[] word non-zero */
static struct list due;
static struct list overflow;
static uint64_t polled;
static uint32_t nwheel;             /* timers in wheel[] */
static uint32_t ntimers;            /* timers in all three */
static bool inited;
static pthread_t owner;
static struct timerwheel_watch *watch;

static void init(void)
{
	if (inited) {
		/* cheap (a TLS read) and turns a second loop thread into a clear
		 * failure instead of two threads corrupting one set of lists */
		if (!pthread_equal(owner, pthread_self())) {
			fprintf(stderr, "timerwheel: libre timer used from a second "
				"thread; ariadne's timer wheel is single-threaded\n");
			abort();
		}
		return;
	}
	inited = true;
	owner = pthread_self();
	polled = tmr_jiffies();
}

static void bit_set(unsigned s)
{
	bits[s / 64] |= UINT64_C(1) << (s % 64);
	sbits[s / 4096] |= UINT64_C(1) << ((s / 64) % 64);
}

static void bit_clear(unsigned s)
{
	bits[s / 64] &= ~(UINT64_C(1) << (s % 64));
	if (!bits[s / 64])
		sbits[s / 4096] &= ~(UINT64_C(1) << ((s / 64) % 64));
}

/* First non-empty slot at index >= from (no wrap), or -1. */
static long find_from(unsigned from)
{
	unsigned w = from / 64, sw;
	uint64_t m;

	if (from >= SLOTS)
		return -1;
	m = bits[w] & (~UINT64_C(0) << (from % 64));
	if (m)
		return (long)(w * 64 + (unsigned)__builtin_ctzll(m));
	/* the level-2 bitmap finds the next non-zero level-1 word */
	w++;
	for (sw = w / 64; w < WORDS && sw < SWORDS; sw++, w = sw * 64) {
		m = sbits[sw] & (~UINT64_C(0) << (w % 64));
		if (m) {
			w = sw * 64 + (unsigned)__builtin_ctzll(m);
			return (long)(w * 64 + (unsigned)__builtin_ctzll(bits[w]));
		}
	}
	return -1;
}

/* Smallest jfs in the wheel (all are in (polled, polled + SLOTS]), or
 * UINT64_MAX. Slot order from polled + 1 is expiry order. */
static uint64_t wheel_first(void)
{
	unsigned start = (unsigned)((polled + 1) & MASK);
	long s;

	if (!nwheel)
		return UINT64_MAX;
	s = find_from(start);
	if (s < 0)
		s = find_from(0);
	if (s < 0)
		return UINT64_MAX;
	return polled + 1 + (((unsigned)s - start) & MASK);
}

static bool inspos(struct le *le, void *arg)
{
	const struct tmr *tmr = le->data;

	return tmr->jfs <= *(const uint64_t *)arg;
}

/* libre's insertion: after the last timer expiring at or before this one,
 * walking from the tail (O(1) when timers are started in expiry order). */
static void sorted_insert(struct list *l, struct tmr *tmr)
{
	struct le *le = list_apply(l, false, inspos, &tmr->jfs);

	if (le)
		list_insert_after(l, le, &tmr->le, tmr);
	else
		list_prepend(l, &tmr->le, tmr);
}

static void wheel_add(struct tmr *tmr)
{
	unsigned s = (unsigned)(tmr->jfs & MASK);

	list_append(&wheel[s], &tmr->le, tmr);
	bit_set(s);
	nwheel++;
}

static void insert(struct tmr *tmr)
{
	ntimers++;
	if (tmr->jfs <= polled)
		sorted_insert(&due, tmr);
	else if (tmr->jfs - polled <= SLOTS)
		wheel_add(tmr);
	else
		sorted_insert(&overflow, tmr);
}

static void unlink_tmr(struct tmr *tmr)
{
	struct list *l = tmr->le.list;

	list_unlink(&tmr->le);
	ntimers--;
	if (l >= wheel && l < wheel + SLOTS) {
		nwheel--;
		if (!l->head)
			bit_clear((unsigned)(l - wheel));
	}
}

/* Move polled forward (it is < now): to now, or to the next ms where a slot must
 * be emptied into "due" or overflow timers enter the wheel, whichever is first. */
static void advance(uint64_t now)
{
	uint64_t target = now, w = wheel_first();
	struct list *slot;
	struct le *le;

	if (w < target)
		target = w;
	if (overflow.head) {
		const struct tmr *o = overflow.head->data;

		if (o->jfs - SLOTS < target)    /* o->jfs > polled + SLOTS */
			target = o->jfs - SLOTS;
	}
	polled = target;

	/* the slot of polled holds only jfs == polled; "due" is empty here (the
	 * caller fired everything <= polled < now), so appending keeps it sorted */
	slot = &wheel[polled & MASK];
	while ((le = slot->head)) {
		list_unlink(le);
		list_append(&due, le, le->data);
		nwheel--;
	}
	bit_clear((unsigned)(polled & MASK));

	/* jfs == polled + SLOTS may now enter the wheel (its slot was just
	 * emptied); no timer of that jfs can be in the wheel yet */
	while ((le = overflow.head) &&
	       ((struct tmr *)le->data)->jfs - polled <= SLOTS) {
		list_unlink(le);
		wheel_add(le->data);
	}
}

void tmr_poll(struct list *tmrl)
{
	const uint64_t now = tmr_jiffies();

	(void)tmrl;     /* libre's per-thread list: unused, stays empty */
	init();
	for (;;) {
		struct tmr *tmr = list_ledata(due.head);

		if (tmr) {
			tmr_h *th = tmr->th;
			void *arg = tmr->arg;

			/* only when the clock went back can due hold timers
			 * not yet due; then nothing in the wheel is due either */
			if (tmr->jfs > now)
				break;
			tmr->th = NULL;
			unlink_tmr(tmr);
			if (th)
				th(arg);
			continue;
		}
		if (polled >= now)
			break;
		advance(now);
	}
}

uint64_t tmr_next_timeout(struct list *tmrl)
{
	const uint64_t now = tmr_jiffies();
	uint64_t jfs;

	(void)tmrl;
	init();
	if (due.head)
		jfs = ((struct tmr *)due.head->data)->jfs;
	else if (nwheel)
		jfs = wheel_first();
	else if (overflow.head)
		jfs = ((struct tmr *)overflow.head->data)->jfs;
	else
		return 0;       /* libre: 0 = no timer (re_main waits forever) */

	return jfs <= now ? 1 : jfs - now;
}

void tmr_init(struct tmr *tmr)
{
	if (!tmr)
		return;
	memset(tmr, 0, sizeof(*tmr));
}

void tmr_start(struct tmr *tmr, uint64_t delay, tmr_h *th, void *arg)
{
	if (!tmr)
		return;
	init();
	/* th != NULL <=> linked (libre's invariant; tmr_isrunning reads th) */
	if (tmr->th)
		unlink_tmr(tmr);
	tmr->th = th;
	tmr->arg = arg;
	if (!th)
		return;
	if (watch && (!watch->arg || watch->arg == arg) &&
	    (!watch->th || watch->th == th)) {
		watch->seen_th = th;
		watch->seen++;
		if (watch->cap_ms && delay > watch->cap_ms)
			delay = watch->cap_ms;
		if (watch->once)
			watch = NULL;
	}
	tmr->jfs = tmr_jiffies() + delay;
	insert(tmr);
}

void tmr_cancel(struct tmr *tmr)
{
	tmr_start(tmr, 0, NULL, NULL);
}

uint64_t tmr_get_expire(const struct tmr *tmr)
{
	uint64_t now;

	if (!tmr || !tmr->th)
		return 0;
	now = tmr_jiffies();
	return tmr->jfs > now ? tmr->jfs - now : 0;
}

static int print_list(struct re_printf *pf, const struct list *l)
{
	struct le *le;
	int err = 0;

	for (le = l->head; le; le = le->next) {
		const struct tmr *tmr = le->data;

		err |= re_hprintf(pf, "  %p: th=%p expire=%llums\n", tmr,
				  tmr->th,
				  (unsigned long long)tmr_get_expire(tmr));
	}
	return err;
}

/* libre's format, in firing order. */
int tmr_status(struct re_printf *pf, void *unused)
{
	int err;

	(void)unused;
	if (!ntimers)
		return 0;
	err = re_hprintf(pf, "Timers (%u):\n", ntimers);
	err |= print_list(pf, &due);
	for (uint64_t i = 1; nwheel && i <= SLOTS; i++)
		err |= print_list(pf, &wheel[(polled + i) & MASK]);
	err |= print_list(pf, &overflow);
	if (ntimers > 100)
		err |= re_hprintf(pf, "    (Dumped Timers: %u)\n", ntimers);
	return err;
}

void tmr_debug(void)
{
	if (ntimers)
		(void)re_fprintf(stderr, "%H", tmr_status, NULL);
}

uint32_t timerwheel_count(void)
{
	return ntimers;
}

void timerwheel_watch_set(struct timerwheel_watch *w)
{
	watch = w;
}
