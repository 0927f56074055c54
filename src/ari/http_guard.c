/* http_guard.c — the HTTP and HTTPS listeners when file descriptors run out.
 *
 * Why: libre's listener accepts in its read handler. When accept() fails
 * for want of a descriptor (EMFILE), the connection stays queued, the
 * socket stays readable, and the loop spins on it at 100 % CPU, logging
 * nothing, while ARI serves no one (not even the app that could hang up
 * the calls holding the descriptors). chan_pjsip's SIP listeners have the
 * same exposure; src/sip/sip_tcp_guard.c guards those.
 *
 * How: four times a second the free descriptors are counted (a few at
 * most). Below LOW_WATER the listeners are shut (the kernel drops new
 * SYNs, clients retry: net/door.h) and what waits in their queues is
 * refused, so nothing is left to spin on; a WARNING says so, once a
 * minute. At HIGH_WATER free they open again. Connections already
 * accepted go on: the app's keep-alive connection can still act, and idle
 * ones close after session_inactivity or session_keep_alive as ever,
 * which gives descriptors back. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <re_types.h>
#include <re_mem.h>
#include <re_list.h>
#include <re_sa.h>
#include <re_tmr.h>
#include "ari/http_guard.h"
#include "base/fds.h"
#include "base/log.h"
#include "base/metrics.h"
#include "net/door.h"

enum {
	CHECK_MS = 250,
	LOW_WATER = 4,
	HIGH_WATER = 16,
	REPORT_MS = 60 * 1000,
	DOORS_MAX = 2,        /* HTTP and HTTPS */
};

static struct {
	struct door *doors[DOORS_MAX];
	unsigned ndoors;
	struct tmr tmr;
	bool shut;
	unsigned shuts, refused;
	uint64_t last_warning;
	bool reported;
	bool collecting;
} g;

static void shut_all(bool shut)
{
	for (unsigned i = 0; i < g.ndoors; i++) {
		int err = door_shut(g.doors[i], shut);

		if (err)
			log_error("HTTP listener: cannot %s it: %s",
				  shut ? "shut" : "open", strerror(err));
	}
	g.shut = shut;
}

static void report_shut(unsigned free_fds)
{
	uint64_t now = tmr_jiffies();

	g.shuts++;
	g.reported = !g.last_warning || now - g.last_warning >= REPORT_MS;
	if (!g.reported)
		return;
	log_warning("Only %u file descriptors free (limit %ld): not accepting "
		    "new HTTP connections until %u are; raise the limit "
		    "(ulimit -n, systemd's LimitNOFILE) if this is normal "
		    "traffic (%u time%s since the last report)", free_fds,
		    fds_limit(), (unsigned)HIGH_WATER, g.shuts,
		    g.shuts == 1 ? "" : "s");
	g.last_warning = now;
	g.shuts = 0;
}

static void check(void *arg)
{
	unsigned want = g.shut ? HIGH_WATER : LOW_WATER;
	unsigned free_fds = fds_free_up_to(want);

	(void)arg;
	tmr_start(&g.tmr, CHECK_MS, check, NULL);
	if (!g.shut && free_fds < LOW_WATER) {
		g.refused = 0;
		shut_all(true);
		report_shut(free_fds);
	}
	else if (g.shut && free_fds >= want) {
		shut_all(false);
		if (g.reported)
			log_notice("%u file descriptors free again: accepting "
				   "new HTTP connections (meanwhile %u "
				   "refused)", free_fds, g.refused);
		return;
	}
	if (g.shut)
		for (unsigned i = 0; i < g.ndoors; i++)
			g.refused += door_refuse_waiting(g.doors[i]);
}

static void collect(void)
{
	metrics_gauge("ariadne_http_accepting", "1 while the HTTP listeners "
		      "take new connections, 0 while they are shut for want of "
		      "file descriptors", NULL, g.shut ? 0 : 1);
}

int http_guard_add(const struct sa *laddr)
{
	int err;

	if (g.ndoors == DOORS_MAX)
		return ENOSPC;
	err = door_find(&g.doors[g.ndoors], laddr);
	if (err)
		return err;
	if (!g.ndoors++) {
		if (!g.collecting)
			g.collecting = !metrics_collector_add(collect);
		tmr_start(&g.tmr, CHECK_MS, check, NULL);
	}
	return 0;
}

void http_guard_close(void)
{
	tmr_cancel(&g.tmr);
	for (unsigned i = 0; i < g.ndoors; i++)
		g.doors[i] = mem_deref(g.doors[i]);
	g.ndoors = 0;
	g.shut = false;
}
