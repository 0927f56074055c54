/* test_timerwheel.c — src/base/timerwheel.c replaces libre 1.1.0's sorted timer
 * list by defining libre's tmr_* functions. These tests pin libre's timer
 * semantics on the wheel (expiry order, FIFO on equal expiry, restart, cancel
 * and start from inside handlers, delay 0, timers beyond the wheel's span
 * entering it, the wall clock going back, tmr_next_timeout and tmr_get_expire
 * values, tmr_isrunning), and that the interposition is real: a timer fires
 * from inside libre's own re_main(), and a timer that libre itself starts (a SIP
 * client transaction's retransmit, Timer E) lands in the wheel and fires on time.
 *
 * The clock: libre 1.1.0's tmr_jiffies is gettimeofday() in ms. The behaviour
 * tests need a clock they control, so this test binary defines tmr_jiffies too
 * (for libre as well): libre's own value plus an offset that only grows, or a
 * frozen value that the test moves. The re_main tests run it unfrozen. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <inttypes.h>
#include <setjmp.h>
#include <cmocka.h>
#include <dlfcn.h>
#include <string.h>
#include <re_types.h>
#include <re_fmt.h>
#include <re_mem.h>
#include <re_mbuf.h>
#include <re_list.h>
#include <re_sa.h>
#include <re_udp.h>
#include <re_msg.h>
#include <re_uri.h>
#include <re_sip.h>
#include <re_tmr.h>
#include <re_main.h>
#include "base/timerwheel.h"

/* Must match timerwheel.c: the span of the wheel in ms. */
#define SPAN 65536u

/* ---- the controllable clock ---- */

static uint64_t (*libre_jiffies)(void);
static bool frozen;
static uint64_t frozen_at;
static uint64_t offset;

uint64_t tmr_jiffies(void)
{
	if (frozen)
		return frozen_at;
	if (!libre_jiffies)
		libre_jiffies = (uint64_t (*)(void))dlsym(RTLD_NEXT,
							 "tmr_jiffies");
	return libre_jiffies() + offset;
}

static void freeze(void)
{
	frozen_at = tmr_jiffies();
	frozen = true;
}

/* Unfreeze without the clock going back. */
static void thaw(void)
{
	uint64_t real;

	frozen = false;
	real = tmr_jiffies() - offset;
	if (frozen_at > real + offset)
		offset = frozen_at - real;
}

static void step(uint64_t ms)
{
	frozen_at += ms;
	tmr_poll(NULL);
}

/* ---- recording handlers ---- */

static char fired[64];
static size_t nfired;

static void rec_h(void *arg)
{
	const char *name = arg;

	if (nfired < sizeof(fired) - 1)
		fired[nfired++] = name[0];
	fired[nfired] = '\0';
}

static void reset(void)
{
	nfired = 0;
	fired[0] = '\0';
}

static int setup(void **state)
{
	(void)state;
	reset();
	freeze();
	assert_int_equal(timerwheel_count(), 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	assert_int_equal(timerwheel_count(), 0);
	thaw();
	return 0;
}

static void test_expiry_order(void **state)
{
	struct tmr a, b, c, d;

	(void)state;
	tmr_init(&a); tmr_init(&b); tmr_init(&c); tmr_init(&d);
	tmr_start(&a, 30, rec_h, "a");
	tmr_start(&b, 10, rec_h, "b");
	tmr_start(&c, 20, rec_h, "c");
	tmr_start(&d, 9000, rec_h, "d");     /* another part of the wheel */
	assert_int_equal(timerwheel_count(), 4);
	step(9);
	assert_string_equal(fired, "");
	step(1);
	assert_string_equal(fired, "b");
	step(100);                           /* one poll fires a run in order */
	assert_string_equal(fired, "bca");
	step(8889);
	assert_string_equal(fired, "bca");
	step(1);
	assert_string_equal(fired, "bcad");
	assert_false(tmr_isrunning(&d));
}

static void test_fifo_equal_expiry(void **state)
{
	struct tmr t[5];
	static const char *names[] = {"a", "b", "c", "d", "e"};

	(void)state;
	for (int i = 0; i < 5; i++) {
		tmr_init(&t[i]);
		tmr_start(&t[i], 7, rec_h, (void *)names[i]);
	}
	/* a restart goes to the back of its new expiry */
	tmr_start(&t[1], 7, rec_h, "B");
	for (int i = 1; i < 5; i++)
		assert_true(t[i].jfs == t[0].jfs);
	step(7);
	assert_string_equal(fired, "acdeB");

	/* delay 0: fires at the next poll, FIFO with other due timers */
	reset();
	tmr_start(&t[0], 0, rec_h, "x");
	tmr_start(&t[1], 0, rec_h, "y");
	assert_int_equal(tmr_next_timeout(NULL), 1);
	tmr_poll(NULL);
	assert_string_equal(fired, "xy");
}

static void test_restart_and_cancel(void **state)
{
	struct tmr a, b;

	(void)state;
	tmr_init(&a); tmr_init(&b);
	tmr_start(&a, 50, rec_h, "a");
	tmr_start(&a, 10, rec_h, "A");       /* restart: moved, new arg */
	assert_int_equal(timerwheel_count(), 1);
	tmr_start(&b, 20, rec_h, "b");
	tmr_cancel(&b);
	assert_false(tmr_isrunning(&b));
	assert_null(b.arg);
	tmr_cancel(&b);                      /* cancel twice: no-op */
	tmr_cancel(NULL);
	tmr_start(NULL, 1, rec_h, "z");
	step(100);
	assert_string_equal(fired, "A");
	assert_int_equal(timerwheel_count(), 0);
}

/* Handlers that act on timers during the poll that fires them. */
static struct tmr ta, tb, tc, td, te;

static void cancel_b_h(void *arg)
{
	rec_h(arg);
	tmr_cancel(&tb);                     /* due in this same poll */
	assert_false(tmr_isrunning(&ta));    /* th cleared before the call */
}

static void restart_self_h(void *arg)
{
	rec_h(arg);
	if (nfired < 4)
		tmr_start(&tc, 5, restart_self_h, "c");
}

static void start_others_h(void *arg)
{
	rec_h(arg);
	tmr_start(&te, 0, rec_h, "e");       /* same ms: fires in this poll */
	tmr_start(&tb, 1, rec_h, "B");       /* later: next poll */
}

static void test_handlers(void **state)
{
	(void)state;
	tmr_init(&ta); tmr_init(&tb); tmr_init(&tc); tmr_init(&td);
	tmr_init(&te);
	tmr_start(&ta, 10, cancel_b_h, "a");
	tmr_start(&tb, 10, rec_h, "b");
	step(10);
	assert_string_equal(fired, "a");

	reset();
	tmr_start(&tc, 5, restart_self_h, "c");
	step(5);
	assert_true(tmr_isrunning(&tc));
	step(100);                           /* not all at once: one per 5 ms */
	assert_string_equal(fired, "cc");
	step(5);
	step(5);
	assert_string_equal(fired, "cccc");
	assert_false(tmr_isrunning(&tc));

	reset();
	tmr_start(&td, 3, start_others_h, "d");
	tmr_start(&ta, 3, rec_h, "a");       /* same expiry, after d */
	step(3);
	assert_string_equal(fired, "dae");
	step(1);
	assert_string_equal(fired, "daeB");
}

/* Timers beyond the wheel's span wait in the overflow list and enter the
 * wheel in time, keeping FIFO with timers of the same expiry started later,
 * including one started by a handler in the very poll where they entered. */
static struct tmr fx, fy, fz, fw, fh, flong;

static void start_z_h(void *arg)
{
	rec_h(arg);
	tmr_start(&fz, SPAN, rec_h, "z");    /* jfs == fx's */
}

static void test_far_future(void **state)
{
	const uint64_t t0 = tmr_jiffies();

	(void)state;
	tmr_init(&fx); tmr_init(&fy); tmr_init(&fz); tmr_init(&fw);
	tmr_init(&fh); tmr_init(&flong);
	tmr_start(&fx, SPAN + 10, rec_h, "x");
	tmr_start(&flong, 3 * (uint64_t)SPAN + 7, rec_h, "L");
	tmr_start(&fh, 10, start_z_h, "h");
	assert_int_equal(tmr_next_timeout(NULL), 10);
	assert_int_equal(tmr_get_expire(&fx), SPAN + 10);
	step(5);
	tmr_start(&fy, SPAN + 5, rec_h, "y"); /* same jfs, still overflow */
	step(5);                             /* x enters the wheel; h starts z */
	assert_string_equal(fired, "h");
	tmr_start(&fw, SPAN, rec_h, "w");    /* same jfs, straight to wheel */
	assert_true(fx.jfs == fy.jfs && fy.jfs == fz.jfs && fz.jfs == fw.jfs);
	assert_int_equal(tmr_next_timeout(NULL), SPAN);
	step(SPAN - 1);
	assert_string_equal(fired, "h");
	assert_int_equal(tmr_next_timeout(NULL), 1);
	step(1);
	assert_string_equal(fired, "hxyzw");
	/* the long one: only the overflow list is left; one big jump */
	assert_int_equal(tmr_next_timeout(NULL),
			 t0 + 3 * (uint64_t)SPAN + 7 - tmr_jiffies());
	step(2 * (uint64_t)SPAN - 4);        /* 1 ms before it */
	assert_string_equal(fired, "hxyzw");
	assert_int_equal(tmr_next_timeout(NULL), 1);
	step(1);
	assert_string_equal(fired, "hxyzwL");
}

static void test_next_timeout_and_expire(void **state)
{
	struct tmr a;

	(void)state;
	tmr_init(&a);
	assert_int_equal(tmr_next_timeout(NULL), 0);   /* 0 = no timer */
	assert_int_equal(tmr_get_expire(&a), 0);
	assert_int_equal(tmr_get_expire(NULL), 0);
	tmr_start(&a, 100, rec_h, "a");
	assert_true(tmr_isrunning(&a));
	assert_int_equal(tmr_next_timeout(NULL), 100);
	assert_int_equal(tmr_get_expire(&a), 100);
	frozen_at += 40;                     /* time passes, no poll */
	assert_int_equal(tmr_next_timeout(NULL), 60);
	assert_int_equal(tmr_get_expire(&a), 60);
	frozen_at += 100;                    /* overdue, not polled yet */
	assert_int_equal(tmr_next_timeout(NULL), 1);
	assert_int_equal(tmr_get_expire(&a), 0);
	assert_true(tmr_isrunning(&a));
	tmr_poll(NULL);
	assert_string_equal(fired, "a");
	assert_false(tmr_isrunning(&a));
	assert_int_equal(tmr_next_timeout(NULL), 0);
}

/* libre 1.1.0's clock is the wall clock: it may step back. Timers then wait
 * by their expiry values, as in libre's sorted list. */
static void test_clock_back(void **state)
{
	struct tmr a, b, c;

	(void)state;
	tmr_init(&a); tmr_init(&b); tmr_init(&c);
	step(1);                             /* the wheel has seen "now" */
	tmr_start(&a, 50, rec_h, "a");
	frozen_at -= 1000;
	tmr_start(&b, 20, rec_h, "b");       /* expires before a */
	tmr_start(&c, 10, rec_h, "c");
	assert_int_equal(tmr_next_timeout(NULL), 10);
	step(9);
	assert_string_equal(fired, "");
	step(1);
	assert_string_equal(fired, "c");
	step(10);
	assert_string_equal(fired, "cb");
	step(1000);
	assert_string_equal(fired, "cb");
	step(40);
	assert_string_equal(fired, "cba");
}

/* ---- interposition: libre's own loop and libre's own timers ---- */

static uint64_t fired_at;

static void stop_h(void *arg)
{
	fired_at = tmr_jiffies();
	re_cancel();
}

static void test_fires_in_re_main(void **state)
{
	struct tmr t, guard;
	uint64_t start;

	(void)state;
	thaw();
	/* the definitions libre binds to are this executable's */
	assert_true(dlsym(RTLD_DEFAULT, "tmr_start") == (void *)tmr_start);
	assert_true(dlsym(RTLD_DEFAULT, "tmr_poll") == (void *)tmr_poll);
	assert_true(dlsym(RTLD_DEFAULT, "tmr_next_timeout") ==
		    (void *)tmr_next_timeout);
	assert_true(dlsym(RTLD_NEXT, "tmr_start") != (void *)tmr_start);
	/* a libre whose header routes tmr_start to tmr_start_dbg, or with a
	 * locked per-thread struct tmrl, needs a new timerwheel.c */
	assert_null(dlsym(RTLD_DEFAULT, "tmr_start_dbg"));
	assert_null(dlsym(RTLD_DEFAULT, "tmr_continue_dbg"));
	assert_null(dlsym(RTLD_DEFAULT, "tmrl_alloc"));
	tmr_init(&t); tmr_init(&guard);
	start = tmr_jiffies();
	fired_at = 0;
	tmr_start(&t, 60, stop_h, NULL);
	tmr_start(&guard, 5000, stop_h, NULL);
	assert_int_equal(re_main(NULL), 0);
	/* re_main slept on tmr_next_timeout and fired it from tmr_poll */
	assert_false(tmr_isrunning(&t));
	assert_true(tmr_isrunning(&guard));
	assert_in_range(fired_at - start, 60, 1000);
	tmr_cancel(&guard);
	freeze();
}

/* A SIP OPTIONS to a UDP socket that never answers: libre's client
 * transaction retransmits after T1 (500 ms, Timer E) from its own timer. */
static struct sip *sip;
static struct udp_sock *peer;
static uint64_t rx_at[2];
static int nrx;

static void peer_recv_h(const struct sa *src, struct mbuf *mb, void *arg)
{
	(void)src; (void)mb; (void)arg;
	if (nrx < 2)
		rx_at[nrx] = tmr_jiffies();
	if (++nrx == 2)
		re_cancel();
}

static void test_libre_internal_timer(void **state)
{
	struct sip_request *req = NULL;
	struct sa laddr, paddr;
	struct tmr guard;
	uint32_t before;
	char uri[64];

	(void)state;
	thaw();
	tmr_init(&guard);
	sa_set_str(&laddr, "127.0.0.1", 0);
	assert_int_equal(udp_listen(&peer, &laddr, peer_recv_h, NULL), 0);
	assert_int_equal(udp_local_get(peer, &paddr), 0);
	assert_int_equal(sip_alloc(&sip, NULL, 16, 16, 16, "test", NULL,
				   NULL), 0);
	assert_int_equal(sip_transp_add(sip, SIP_TRANSP_UDP, &laddr), 0);
	re_snprintf(uri, sizeof(uri), "sip:x@127.0.0.1:%u", sa_port(&paddr));

	before = timerwheel_count();
	assert_int_equal(sip_requestf(&req, sip, true, "OPTIONS", uri, NULL,
				      NULL, NULL, NULL, NULL,
				      "Content-Length: 0\r\n\r\n"), 0);
	/* libre's ctrans started Timer E and F: they are in our wheel */
	assert_true(timerwheel_count() >= before + 2);

	nrx = 0;
	tmr_start(&guard, 5000, stop_h, NULL);
	assert_int_equal(re_main(NULL), 0);
	tmr_cancel(&guard);
	mem_deref(req);
	sip_close(sip, true);
	sip = mem_deref(sip);
	peer = mem_deref(peer);
	/* the transaction's destructor cancelled its timers in the wheel */
	assert_int_equal(timerwheel_count(), 0);
	freeze();
	assert_int_equal(nrx, 2);
	/* T1; the receive time is read on the next loop turn, in whole ms */
	assert_in_range(rx_at[1] - rx_at[0], 490, 900);
}

static void other_h(void *arg)
{
	rec_h(arg);
}

/* The watch (for src/sip/sip_answered.c): a timer matching its arg and
 * handler is counted, its handler reported and its delay capped; others,
 * and every timer once the watch is cleared, start as asked. */
static void test_watch(void **state)
{
	struct timerwheel_watch w = { .th = rec_h, .cap_ms = 5 };
	struct tmr a, b, c, d;
	static char key[] = "k";

	(void)state;
	tmr_init(&a); tmr_init(&b); tmr_init(&c); tmr_init(&d);
	timerwheel_watch_set(&w);
	tmr_start(&a, 1000, rec_h, "a");     /* matches: 5 ms */
	tmr_start(&b, 1000, other_h, "b");   /* other handler: 1 s */
	tmr_start(&c, 2, rec_h, "c");        /* matches, shorter than the cap */
	timerwheel_watch_set(NULL);
	tmr_start(&d, 1000, rec_h, "d");     /* no watch: 1 s */
	assert_int_equal(w.seen, 2);
	assert_ptr_equal(w.seen_th, rec_h);
	step(10);
	assert_string_equal(fired, "ca");
	step(1000);
	assert_string_equal(fired, "cabd");

	w = (struct timerwheel_watch){ .arg = key };   /* any handler */
	timerwheel_watch_set(&w);
	tmr_start(&a, 100, other_h, "x");    /* other arg: not seen */
	tmr_start(&b, 100, other_h, key);
	timerwheel_watch_set(NULL);
	assert_int_equal(w.seen, 1);
	assert_ptr_equal(w.seen_th, other_h);
	assert_int_equal(tmr_get_expire(&b), 100); /* cap 0: as asked */
	tmr_cancel(&a);
	tmr_cancel(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_expiry_order, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_fifo_equal_expiry, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_restart_and_cancel, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_handlers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_far_future, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_next_timeout_and_expire,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_clock_back, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_fires_in_re_main, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_libre_internal_timer,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_watch, setup, teardown),
	};
	int ret;

	libre_init();
	ret = cmocka_run_group_tests(tests, NULL, NULL);
	libre_close();
	return ret;
}
