/* sip_tcp_guard.c — SIP over TCP and TLS when file descriptors run short.
 *
 * Why: every SIP TCP or TLS connection costs a descriptor, and anyone can
 * open them: a scanner, or a burst of phones reconnecting. When none is
 * left, libre's listener cannot accept and the loop spins on it at 100 %
 * CPU; new calls cannot get their RTP sockets, ARI cannot accept its
 * clients (and its listener spins too). chan_pjsip has the same exposure.
 *
 * How: a reserve of descriptors is held open (spares on /dev/null) all the
 * time, so a flood can never take them. Four times a second we ask how
 * many are free besides them; when few are, the SIP listeners are shut
 * (their SYNs dropped, so clients retry later: net/door.h), connections
 * waiting to be accepted are refused, and the reserve is let go: calls,
 * RTP and ARI have it. Once a second while shut, connections that never
 * sent a request (sip_tcp_peers.c: not "heard") and have been seen so
 * for SILENT_MS are shut down: a flood's, whether it sends nothing, CRLF
 * keep-alives or a TLS handshake. When twice the reserve is free again,
 * it is taken back and the listeners open.
 *
 * The same adoption gives the listeners a real backlog: libre's 5 made
 * the sixth phone of a burst wait a whole SYN retransmission (1 s), and
 * turns Nagle off for what they accept. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <re_types.h>
#include <re_fmt.h>
#include <re_mem.h>
#include <re_list.h>
#include <re_sa.h>
#include <re_tmr.h>
#include <fcntl.h>
#include <unistd.h>
#include "base/fds.h"
#include "base/log.h"
#include "base/metrics.h"
#include "net/door.h"
#include "sip/sip_int.h"

enum {
	CHECK_MS = 250,
	/* a phone's first request follows its connect within milliseconds;
	 * a connection unheard this long while descriptors are short is not
	 * worth one */
	SILENT_MS = 2000,
	/* free besides the reserve below which the listeners shut */
	LOW_WATER = 8,
	DROP_WALKS_PER_S = 5,
	RECLAIM_MS = 1000,
	REPORT_MS = 60 * 1000,
	RESERVE_MIN = 32,
	RESERVE_MAX = FDS_PROBE_MAX / 2,
};

#define REFUSED_TOTAL "ariadne_sip_tcp_refused_total"
#define REFUSED_HELP "SIP TCP and TLS connections accepted and closed at " \
		     "once because file descriptors ran short"

#define RECLAIMED_TOTAL "ariadne_sip_tcp_silent_closed_total"
#define RECLAIMED_HELP "SIP TCP and TLS connections that had sent no " \
		       "request, closed because file descriptors ran short"

struct guarded {
	struct le le;
	struct door *door;
};

static struct {
	struct list doors;       /* struct guarded */
	struct tmr tmr;
	unsigned reserve;        /* descriptors kept for other work */
	int spares[RESERVE_MAX]; /* ... held open while the listeners are */
	unsigned nspares;
	uint64_t drop_second;    /* tmr_jiffies()/1000 of the drop walks */
	unsigned drop_walks;     /* in that second */
	bool shut;
	unsigned refused;        /* while shut: waiting connections refused */
	unsigned reclaimed;      /* and silent ones closed */
	uint64_t last_reclaim;   /* tmr_jiffies() of the last walk */
	uint64_t last_warning;   /* and of the last WARNING */
	unsigned shuts;          /* since that WARNING */
	bool reported;           /* this shut had its WARNING: NOTICE too */
	bool collecting;
} g;

static void guarded_destructor(void *arg)
{
	struct guarded *gd = arg;

	list_unlink(&gd->le);
	mem_deref(gd->door);
}

/* A sixteenth of the limit, within bounds: 64 at the common 1024, and
 * never so many that the probe, four times a second, costs much. */
static unsigned reserve_for(long limit)
{
	long r = limit > 0 ? limit / 16 : RESERVE_MAX;

	if (r < RESERVE_MIN)
		return RESERVE_MIN;
	return r > RESERVE_MAX ? RESERVE_MAX : (unsigned)r;
}

static void reserve_hold(void)
{
	while (g.nspares < g.reserve) {
		int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

		if (fd < 0)
			break;
		g.spares[g.nspares++] = fd;
	}
}

static void reserve_release(void)
{
	while (g.nspares)
		close(g.spares[--g.nspares]);
}

/* While shut: a connection that has not sent a request, and has been seen
 * so for SILENT_MS, goes. */
static bool unheard(const struct sa *peer, void *arg)
{
	(void)arg;
	if (sip_tcp_peer_was_heard(peer))
		return false;
	return sip_tcp_peer_seen(peer) >= SILENT_MS;
}

static void shut_all(bool shut)
{
	struct le *le;

	for (le = list_head(&g.doors); le; le = le->next) {
		struct guarded *gd = le->data;
		int err = door_shut(gd->door, shut);

		if (err)
			log_error("SIP TCP listener: cannot %s it: %s",
				  shut ? "shut" : "open", strerror(err));
	}
	g.shut = shut;
}

/* While shut: what waits in the queues is refused, and connections that
 * never said anything give their descriptors back. */
static void refuse_and_reclaim(void)
{
	unsigned refused = 0, reclaimed = 0;
	struct le *le;

	/* the walk of every descriptor costs: once a second is enough for
	 * connections silent for SILENT_MS */
	bool walk = tmr_jiffies() - g.last_reclaim >= RECLAIM_MS;

	for (le = list_head(&g.doors); le; le = le->next) {
		struct guarded *gd = le->data;

		refused += door_refuse_waiting(gd->door);
		if (walk)
			reclaimed += door_walk_children(gd->door, unheard,
							NULL);
	}
	if (walk)
		g.last_reclaim = tmr_jiffies();
	if (refused)
		metrics_count(REFUSED_TOTAL, REFUSED_HELP, NULL, refused);
	if (reclaimed)
		metrics_count(RECLAIMED_TOTAL, RECLAIMED_HELP, NULL,
			      reclaimed);
	g.refused += refused;
	g.reclaimed += reclaimed;
	if (refused || reclaimed)
		log_debug(1, "File descriptors short: refused %u waiting SIP "
			  "TCP connections, closed %u silent ones", refused,
			  reclaimed);
}

/* A flood that goes on shuts the listeners every few seconds: one
 * WARNING a minute says so, with how many times. */
static void report_shut(unsigned free_fds)
{
	uint64_t now = tmr_jiffies();

	g.shuts++;
	g.reported = !g.last_warning || now - g.last_warning >= REPORT_MS;
	if (!g.reported) {
		log_debug(1, "SIP TCP listeners shut again: %u file "
			  "descriptors free", free_fds);
		return;
	}
	log_warning("Only %u file descriptors free (limit %ld) besides %u "
		    "kept for calls and ARI, which have them now: not "
		    "accepting new SIP TCP or TLS connections until %u are; "
		    "raise the limit (ulimit -n, systemd's LimitNOFILE) if "
		    "this is normal traffic (%u time%s since the last report)",
		    free_fds, fds_limit(), g.reserve, 2 * g.reserve, g.shuts,
		    g.shuts == 1 ? "" : "s");
	g.last_warning = now;
	g.shuts = 0;
}

static void check(void *arg)
{
	unsigned want = g.shut ? 2 * g.reserve : LOW_WATER;
	/* besides the reserve, while it is held */
	unsigned free_fds = fds_free_up_to(want);

	(void)arg;
	tmr_start(&g.tmr, CHECK_MS, check, NULL);
	if (!g.shut && free_fds < LOW_WATER) {
		g.refused = g.reclaimed = 0;
		g.last_reclaim = 0;
		shut_all(true);
		reserve_release();
		report_shut(free_fds);
	}
	else if (g.shut && free_fds >= want) {
		reserve_hold();
		sip_tcp_peers_unseen();
		shut_all(false);
		if (g.reported)
			log_notice("%u file descriptors free again: accepting "
				   "new SIP TCP and TLS connections "
				   "(meanwhile %u refused, %u silent ones "
				   "closed)", free_fds, g.refused,
				   g.reclaimed);
		return;
	}
	if (g.shut)
		refuse_and_reclaim();
}

static void collect(void)
{
	metrics_gauge("ariadne_sip_tcp_accepting", "1 while the SIP TCP and "
		      "TLS listeners take new connections, 0 while they are "
		      "shut for want of file descriptors", NULL,
		      g.shut ? 0 : 1);
}

int sip_tcp_guard_add(const struct sa *laddr, const char *name)
{
	struct guarded *gd;
	int err;

	gd = mem_zalloc(sizeof(*gd), guarded_destructor);
	if (!gd)
		return ENOMEM;
	err = door_find(&gd->door, laddr);
	if (!err)
		err = door_backlog(gd->door, SOMAXCONN);
	/* A SIP message goes out when written: with Nagle, a TLS 1.3 reply
	 * after the session tickets, or a 180 right after a 100, waited for
	 * the phone's delayed ACK (40 ms). */
	if (!err)
		err = door_nodelay(gd->door);
	if (err) {
		log_warning("Transport '%s': no guard against running out of "
			    "file descriptors: %s", name, strerror(err));
		mem_deref(gd);
		return err;
	}
	if (!g.doors.head) {
		g.reserve = reserve_for(fds_limit());
		reserve_hold();
		tmr_start(&g.tmr, CHECK_MS, check, NULL);
	}
	if (!g.collecting) {
		g.collecting = !metrics_collector_add(collect);
		/* at 0 from the start: rate() cannot see a first refusal */
		metrics_count(REFUSED_TOTAL, REFUSED_HELP, NULL, 0);
		metrics_count(RECLAIMED_TOTAL, RECLAIMED_HELP, NULL, 0);
	}
	list_append(&g.doors, &gd->le, gd);
	return 0;
}

static bool is_peer(const struct sa *peer, void *arg)
{
	return sa_cmp(peer, arg, SA_ALL);
}

void sip_tcp_guard_drop(const struct sa *laddr, const struct sa *peer)
{
	uint64_t second = tmr_jiffies() / 1000;
	struct le *le;

	sip_tcp_peer_dropped(peer);
	/* each drop walks every descriptor: a peer sending bad lengths
	 * as fast as it can must not turn that into our CPU */
	if (second != g.drop_second) {
		g.drop_second = second;
		g.drop_walks = 0;
	}
	if (g.drop_walks >= DROP_WALKS_PER_S)
		return;   /* its messages are ignored; libre closes it later */
	g.drop_walks++;
	for (le = list_head(&g.doors); le; le = le->next) {
		struct guarded *gd = le->data;

		if (door_is_at(gd->door, laddr))
			(void)door_walk_children(gd->door, is_peer,
						 (void *)peer);
	}
}

struct each_peer {
	sip_tcp_peer_h *h;
	void *arg;
};

static bool tell_peer(const struct sa *peer, void *arg)
{
	struct each_peer *ep = arg;

	ep->h(peer, ep->arg);
	return false;
}

bool sip_tcp_guard_foreach_peer(sip_tcp_peer_h *h, void *arg)
{
	struct each_peer ep = {h, arg};
	struct le *le;

	for (le = list_head(&g.doors); le; le = le->next) {
		struct guarded *gd = le->data;

		(void)door_walk_children(gd->door, tell_peer, &ep);
	}
	return g.doors.head != NULL;
}

void sip_tcp_guard_close(void)
{
	tmr_cancel(&g.tmr);
	list_flush(&g.doors);
	reserve_release();
	sip_tcp_peers_close();
	g.shut = false;
}
