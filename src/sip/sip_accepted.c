/* sip_accepted.c — the Accepted state of answered INVITEs (RFC 6026) kept in
 * 28 bytes per call instead of libre's whole server transaction.
 *
 * Why: after a 2xx to an INVITE, libre keeps the server transaction for
 * 64*T1 = 32 s (Timer L), over every transport, holding the parsed INVITE
 * and the 2xx: about 4.6 KB, 6 KB resident. At 1 000 calls/s that is 32 000
 * transactions and some 190 MB (bench/PROFILE.md, "Memory at 1000
 * calls/s"). In that state the transaction does one thing: it absorbs
 * retransmissions of the INVITE (a caller that never heard our 100 or 2xx
 * resends it), so that they are not taken for a new call. ACKs for the
 * 2xx go to the dialog either way, and the 2xx itself is retransmitted by
 * sipsess, not by the transaction.
 *
 * How: libre's transaction is private, but its timer goes through our
 * tmr_start (base/timerwheel.c). At start-up one transaction of our own,
 * answered 200 towards a socket of our own, shows which handler libre's
 * server transactions use. While ariadne sends a 2xx to an INVITE, a watch
 * on that handler cuts the transaction's timer to KEEP_MS, and the INVITE
 * is remembered here for the 32 s instead: a 64-bit hash of its Via
 * branch and sent-by (RFC 3261 17.2.3 matching) and a 32-bit hash of its
 * Call-ID. A listener placed before every other one absorbs an INVITE
 * without To tag that matches, as libre's transaction would have.
 *
 * Over TCP and TLS nothing retransmits an INVITE: the transaction is cut
 * all the same (it also pins libre's 8 KB read buffer) and nothing is
 * remembered. If the start-up probe finds no handler (no UDP transport,
 * another libre), nothing is cut and libre keeps its 32 s. Other
 * transactions (non-2xx finals, non-INVITE requests) are not touched.
 *
 * The table is a ring in arrival order (so also in expiry order: one
 * lifetime for all) with hash chains through ring indexes. */
#include <errno.h>
#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <re_types.h>
#include <re_fmt.h>
#include <re_mem.h>
#include <re_mbuf.h>
#include <re_list.h>
#include <re_sa.h>
#include <re_hash.h>
#include <re_tmr.h>
#include <re_udp.h>
#include <re_uri.h>
#include <re_msg.h>
#include <re_sip.h>
#include "base/log.h"
#include "base/metrics.h"
#include "base/timerwheel.h"
#include "sip/sip_int.h"

enum {
	KEEP_MS   = SIP_T1,        /* what is left of libre's transaction */
	REMEMBER_MS = 64 * SIP_T1, /* RFC 6026 Timer L */
	RING_MIN  = 1024,
	RING_MAX  = 1u << 21,      /* 48 MB: some 65 000 calls/s */
	NIL       = UINT32_MAX,
};

struct rec {
	uint64_t key;       /* branch and sent-by */
	uint64_t expire;    /* monotonic ms */
	uint32_t cid;       /* Call-ID */
	uint32_t next;      /* ring index of the next in its chain, or NIL */
};

static struct {
	tmr_h *strans_th;           /* libre's server transaction timer */
	struct timerwheel_watch w;
	struct sip_lsnr *lsnr;
	struct rec *ring;
	uint32_t *chain;            /* per bucket: first ring index, or NIL */
	uint32_t cap;               /* ring slots = buckets, a power of two */
	uint32_t head, n;           /* oldest record, records held */
	bool collecting;            /* collector registered (once) */
} acc;

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* FNV-1a, 64 bits: a collision would drop a new call, so 32 bits of
 * libre's hash_joaat over the branch alone are not enough. */
static uint64_t fnv64(uint64_t h, const struct pl *pl)
{
	for (size_t i = 0; i < pl->l; i++) {
		h ^= (uint8_t)pl->p[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

static uint64_t key_of(const struct sip_msg *msg)
{
	uint64_t h = fnv64(0xcbf29ce484222325ull, &msg->via.branch);

	h ^= '|';
	h *= 0x100000001b3ull;
	return fnv64(h, &msg->via.sentby);
}

static uint32_t bucket(uint64_t key)
{
	return (uint32_t)(key ^ (key >> 29)) & (acc.cap - 1);
}

static void chain_unlink(uint32_t idx)
{
	uint32_t *p = &acc.chain[bucket(acc.ring[idx].key)];

	while (*p != NIL && *p != idx)
		p = &acc.ring[*p].next;
	if (*p == idx)
		*p = acc.ring[idx].next;
}

static void drop_oldest(void)
{
	chain_unlink(acc.head);
	acc.head = (acc.head + 1) & (acc.cap - 1);
	acc.n--;
}

static void prune(uint64_t now)
{
	while (acc.n && acc.ring[acc.head].expire <= now)
		drop_oldest();
}

/* A bigger ring, the records kept in order from index 0. */
static int grow(void)
{
	uint32_t cap = acc.cap ? acc.cap * 2 : RING_MIN;
	struct rec *ring = malloc(sizeof(*ring) * cap);
	uint32_t *chain = malloc(sizeof(*chain) * cap);
	uint32_t n = acc.n;

	if (!ring || !chain) {
		free(ring);
		free(chain);
		return ENOMEM;
	}
	for (uint32_t i = 0; i < n; i++)
		ring[i] = acc.ring[(acc.head + i) & (acc.cap - 1)];
	free(acc.ring);
	free(acc.chain);
	acc.ring = ring;
	acc.chain = chain;
	acc.cap = cap;
	acc.head = 0;
	memset(chain, 0xff, sizeof(*chain) * cap);
	for (uint32_t i = 0; i < n; i++) {
		uint32_t b = bucket(ring[i].key);

		ring[i].next = chain[b];
		chain[b] = i;
	}
	return 0;
}

static void remember(const struct sip_msg *msg)
{
	uint64_t now = now_ms();
	uint32_t idx, b;

	prune(now);
	if (acc.n == acc.cap && (acc.cap >= RING_MAX || grow())) {
		if (!acc.n)
			return;
		drop_oldest();  /* full: the oldest goes a little early */
	}
	idx = (acc.head + acc.n) & (acc.cap - 1);
	acc.ring[idx].key = key_of(msg);
	acc.ring[idx].cid = hash_joaat_pl(&msg->callid);
	acc.ring[idx].expire = now + REMEMBER_MS;
	b = bucket(acc.ring[idx].key);
	acc.ring[idx].next = acc.chain[b];
	acc.chain[b] = idx;
	acc.n++;
}

static bool remembered(const struct sip_msg *msg)
{
	uint64_t key;
	uint32_t cid, idx;

	prune(now_ms());
	if (!acc.n)
		return false;
	key = key_of(msg);
	cid = hash_joaat_pl(&msg->callid);
	for (idx = acc.chain[bucket(key)]; idx != NIL; idx = acc.ring[idx].next)
		if (acc.ring[idx].key == key && acc.ring[idx].cid == cid)
			return true;
	return false;
}

/* First of all listeners, as libre's own transaction matching is. */
static bool absorb(const struct sip_msg *msg, void *arg)
{
	(void)arg;
	if (pl_strcmp(&msg->met, "INVITE") || pl_isset(&msg->to.tag) ||
	    !remembered(msg))
		return false;
	if (log_level_wanted(LOG_LVL_DEBUG)) {
		char id[160];

		(void)re_snprintf(id, sizeof(id), "%r", &msg->callid);
		log_debug(1, "INVITE retransmission absorbed (Call-ID %s): "
			  "answered already", id);
	}
	return true;
}

/* Which handler do libre's server transactions give their timer? One
 * INVITE of our own, answered 200 from and to a socket of our own. */
static const char probe_invite[] =
	"INVITE sip:probe@127.0.0.1 SIP/2.0\r\n"
	"Via: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bK-ariadne-accepted-probe\r\n"
	"From: <sip:probe@127.0.0.1>;tag=probe\r\n"
	"To: <sip:probe@127.0.0.1>\r\n"
	"Call-ID: ariadne-accepted-probe\r\n"
	"CSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n";
static const char probe_ok[] = "SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n";

static struct mbuf *mbuf_of(const char *text)
{
	struct mbuf *mb = mbuf_alloc(strlen(text));

	if (mb && mbuf_write_str(mb, text))
		mb = mem_deref(mb);
	if (mb)
		mb->pos = 0;
	return mb;
}

static tmr_h *probe_strans_handler(void)
{
	struct timerwheel_watch w = { .cap_ms = 1 };
	struct mbuf *req = mbuf_of(probe_invite), *ok = mbuf_of(probe_ok);
	struct sip_strans *st = NULL;
	struct udp_sock *us = NULL;
	struct sip_msg *msg = NULL;
	struct sa local;

	sa_set_str(&local, "127.0.0.1", 0);
	if (!req || !ok || udp_listen(&us, &local, NULL, NULL) ||
	    udp_local_get(us, &local) || sip_msg_decode(&msg, req))
		goto out;
	msg->sock = mem_ref(us);    /* the 200 goes to `us` itself */
	msg->tp = SIP_TRANSP_UDP;
	if (sip_strans_alloc(&st, sipmod.sip, msg, NULL, NULL))
		goto out;
	w.arg = st;                 /* freed by its own (1 ms) timer */
	timerwheel_watch_set(&w);
	if (sip_strans_reply(&st, sipmod.sip, msg, &local, 200, ok))
		w.seen = 0;
	timerwheel_watch_set(NULL);
 out:
	mem_deref(msg);
	mem_deref(us);
	mem_deref(req);
	mem_deref(ok);
	return w.seen == 1 ? w.seen_th : NULL;
}

static void collect(void)
{
	metrics_gauge("ariadne_sip_invites_remembered", "Answered INVITEs "
		      "remembered (64*T1) to absorb their retransmissions",
		      NULL, acc.n);
}

int sip_accepted_init(void)
{
	int err;

	acc.strans_th = probe_strans_handler();
	if (!acc.strans_th) {
		log_verbose(2, "SIP: answered INVITE transactions kept for %u s "
			    "(libre's Timer L; no UDP transport to probe)",
			    REMEMBER_MS / 1000);
		return 0;
	}
	err = grow();
	if (!err)
		err = sip_listen(&acc.lsnr, sipmod.sip, true, absorb, NULL);
	if (err) {
		acc.strans_th = NULL;
		return err;
	}
	if (!acc.collecting)
		acc.collecting = !metrics_collector_add(collect);
	log_verbose(3, "SIP: answered INVITE transactions kept %u ms, their "
		    "INVITEs remembered %u s", KEEP_MS, REMEMBER_MS / 1000);
	return 0;
}

void sip_accepted_begin(void)
{
	if (!acc.strans_th)
		return;
	acc.w = (struct timerwheel_watch){ .th = acc.strans_th,
					   .cap_ms = KEEP_MS };
	timerwheel_watch_set(&acc.w);
}

void sip_accepted_end(const struct sip_msg *msg)
{
	if (!acc.strans_th)     /* begin set no watch either */
		return;
	timerwheel_watch_set(NULL);
	if (acc.w.seen && msg && msg->tp == SIP_TRANSP_UDP)
		remember(msg);
}

uint32_t sip_accepted_count(void)
{
	return acc.n;
}

void sip_accepted_close(void)
{
	bool collecting = acc.collecting;   /* the collector stays registered */

	acc.lsnr = mem_deref(acc.lsnr);
	free(acc.ring);
	free(acc.chain);
	memset(&acc, 0, sizeof(acc));
	acc.collecting = collecting;
}
