/* sip_answered.c — INVITEs answered without keeping libre's transaction:
 * accepted ones (RFC 6026's Accepted state) and ones refused with a 503
 * while the server sheds load, each remembered in 28 bytes.
 *
 * Accepted. After a 2xx to an INVITE, libre keeps the server transaction
 * for 64*T1 = 32 s (Timer L), over every transport, holding the parsed
 * INVITE and the 2xx: about 4.6 KB, 6 KB resident. At 1 000 calls/s that
 * is 32 000 transactions and some 190 MB (bench/PROFILE.md, "Memory at
 * 1000 calls/s"). In that state the transaction does one thing: it absorbs
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
 * branch and sent-by (RFC 3261 17.2.3 matching) and a 31-bit hash of its
 * Call-ID. A listener placed before every other one absorbs an INVITE
 * without To tag that matches, as libre's transaction would have.
 *
 * Refused. A 503 sent through a transaction costs the refusal a
 * transaction alloc, two timers and ~6 KB held until 5 s after the ACK,
 * which is what a server shedding thousands of calls a second has least
 * of (bench/overload.sh). So the 503 is sent statelessly (RFC 3261 8.2.7,
 * as a stateless UAS may) and the INVITE remembered as above: its
 * retransmissions (the caller missed the 503) get the same 503 again,
 * with the same To tag, without being counted or logged again, and its
 * ACK is absorbed.
 *
 * Over TCP and TLS nothing retransmits an INVITE: the transaction of an
 * accepted one is cut all the same (it also pins libre's 8 KB read
 * buffer), and neither kind is remembered. If the start-up probe finds no
 * handler (no UDP transport, another libre), nothing is cut and libre
 * keeps its 32 s. Other transactions (non-2xx finals, non-INVITE
 * requests) are not touched.
 *
 * BYEs. A BYE's 200 costs libre's transaction 32 s too (Timer J, over
 * UDP): a caller who hangs up, the usual case, left 4.8 KB per call, and
 * some 176 MB at 1 000 calls/s. The 200 comes from libre's sipsess,
 * inside its listener, where no code of ours runs before or after it. So
 * the BYE is remembered as it passes our first listener, and a one-shot
 * watch cuts the next transaction timer libre starts (the reply's) to
 * KEEP_MS. A retransmission of the BYE (its 200 was lost) gets a 200
 * again, statelessly. The first response ariadne sends after the BYE
 * passed (libre's trace: sip_answered_sent) is its answer: if that is not
 * a 2xx (481, no such dialog), the record says so and retransmissions go
 * on to get their 481 again.
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
	uint32_t cid;       /* Call-ID's hash, its low bit REFUSED */
	uint32_t next;      /* ring index of the next in its chain, or NIL */
};

#define REFUSED 1u     /* INVITE: refused 503; BYE: answered 481 */
#define BYE     2u     /* a BYE's record, not an INVITE's */
#define FLAGS   (REFUSED | BYE)

static struct {
	tmr_h *strans_th;           /* libre's server transaction timer */
	struct timerwheel_watch w;
	struct timerwheel_watch bye_w;  /* one-shot, armed for a BYE */
	uint32_t bye_pending;       /* ring index of the BYE whose answer
				     * has not been sent yet, or NIL */
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

static uint32_t cid_of(const struct sip_msg *msg)
{
	return hash_joaat_pl(&msg->callid) & ~FLAGS;
}

static void remember(const struct sip_msg *msg, uint32_t flags)
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
	acc.ring[idx].cid = cid_of(msg) | flags;
	acc.ring[idx].expire = now + REMEMBER_MS;
	b = bucket(acc.ring[idx].key);
	acc.ring[idx].next = acc.chain[b];
	acc.chain[b] = idx;
	acc.n++;
}

/* The record of msg's INVITE or BYE (flags BYE), or NULL. */
static struct rec *remembered(const struct sip_msg *msg, uint32_t flags)
{
	uint64_t key;
	uint32_t cid, idx;

	prune(now_ms());
	if (!acc.n)
		return NULL;
	key = key_of(msg);
	cid = cid_of(msg);
	for (idx = acc.chain[bucket(key)]; idx != NIL; idx = acc.ring[idx].next)
		if (acc.ring[idx].key == key &&
		    (acc.ring[idx].cid & ~REFUSED) == (cid | flags))
			return &acc.ring[idx];
	return NULL;
}

/* Stateless, so its To tag comes from the request: the same for every
 * retransmission (RFC 3261 8.2.7). libre stamps each parsed message with
 * a random tag of its own, which is the one field changed here. */
static void send_503(const struct sip_msg *msg)
{
	char retry[40];

	((struct sip_msg *)msg)->tag = key_of(msg);
	(void)sip_replyf(sipmod.sip, msg, 503, "Service Unavailable",
			 "%sContent-Length: 0\r\n\r\n",
			 sip_retry_after_hdr(retry, sizeof(retry)));
}

static void debug_absorbed(const struct sip_msg *msg, const char *what)
{
	char id[160];

	if (!log_level_wanted(LOG_LVL_DEBUG))
		return;
	(void)re_snprintf(id, sizeof(id), "%r", &msg->callid);
	log_debug(1, "%s (Call-ID %s)", what, id);
}

/* A BYE over UDP on its way to sipsess: a retransmission of one we
 * answered 200 gets its 200 again; a new one is remembered, and the
 * transaction its 200 makes is cut short. */
static bool bye_seen(const struct sip_msg *msg)
{
	struct rec *r;

	if (msg->tp != SIP_TRANSP_UDP || !pl_isset(&msg->to.tag) ||
	    !acc.cap)
		return false;
	r = remembered(msg, BYE);
	if (r) {
		if (r->cid & REFUSED)
			return false;   /* on to its 481 again */
		(void)sip_reply(sipmod.sip, msg, 200, "OK");
		debug_absorbed(msg, "BYE retransmission answered 200 again");
		return true;
	}
	remember(msg, BYE);
	acc.bye_pending = (acc.head + acc.n - 1) & (acc.cap - 1);
	if (acc.strans_th) {
		acc.bye_w = (struct timerwheel_watch){ .th = acc.strans_th,
			.cap_ms = KEEP_MS, .once = true };
		timerwheel_watch_set(&acc.bye_w);
	}
	return false;
}

/* First of all listeners, as libre's own transaction matching is. */
static bool absorb(const struct sip_msg *msg, void *arg)
{
	bool invite = !pl_strcmp(&msg->met, "INVITE");
	const struct rec *r;

	(void)arg;
	/* a BYE's one-shot watch not taken (no reply came): not for this */
	if (acc.bye_w.once && !acc.bye_w.seen)
		timerwheel_watch_set(NULL);
	acc.bye_w = (struct timerwheel_watch){ .once = false };
	acc.bye_pending = NIL;
	if (!pl_strcmp(&msg->met, "BYE"))
		return bye_seen(msg);
	if ((!invite && pl_strcmp(&msg->met, "ACK")) ||
	    pl_isset(&msg->to.tag) != !invite || !(r = remembered(msg, 0)))
		return false;
	if (!(r->cid & REFUSED)) {
		/* an ACK of a 2xx has a branch of its own: never here */
		if (!invite)
			return false;
		debug_absorbed(msg, "INVITE retransmission absorbed: "
			       "answered already");
	}
	else if (invite) {
		send_503(msg);
		debug_absorbed(msg, "INVITE retransmission refused again");
	}
	else {
		debug_absorbed(msg, "ACK of a 503 absorbed");
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
	metrics_gauge("ariadne_sip_invites_remembered", "INVITEs answered "
		      "(2xx, or a 503 while shedding load) and BYEs answered "
		      "over UDP, remembered for 64*T1 to absorb their "
		      "retransmissions",
		      NULL, acc.n);
}

int sip_answered_init(void)
{
	int err;

	acc.bye_pending = NIL;
	/* The ring and its listener serve refusals whatever the probe says. */
	err = grow();
	if (!err)
		err = sip_listen(&acc.lsnr, sipmod.sip, true, absorb, NULL);
	if (err) {
		sip_answered_close();
		return err;
	}
	if (!acc.collecting)
		acc.collecting = !metrics_collector_add(collect);
	acc.strans_th = probe_strans_handler();
	if (!acc.strans_th)
		log_verbose(2, "SIP: answered INVITE transactions kept for %u s "
			    "(libre's Timer L; no UDP transport to probe)",
			    REMEMBER_MS / 1000);
	else
		log_verbose(3, "SIP: answered INVITE transactions kept %u ms, "
			    "their INVITEs remembered %u s", KEEP_MS,
			    REMEMBER_MS / 1000);
	return 0;
}

void sip_answered_begin(void)
{
	if (!acc.strans_th)
		return;
	acc.w = (struct timerwheel_watch){ .th = acc.strans_th,
					   .cap_ms = KEEP_MS };
	timerwheel_watch_set(&acc.w);
}

void sip_answered_end(const struct sip_msg *msg)
{
	if (!acc.strans_th)     /* begin set no watch either */
		return;
	timerwheel_watch_set(NULL);
	if (acc.w.seen && msg && msg->tp == SIP_TRANSP_UDP)
		remember(msg, 0);
}

void sip_answered_refuse(const struct sip_msg *msg)
{
	send_503(msg);
	if (acc.cap && msg->tp == SIP_TRANSP_UDP)
		remember(msg, REFUSED);
}

void sip_answered_sent(const uint8_t *pkt, size_t len)
{
	if (acc.bye_pending == NIL || len < 12 || memcmp(pkt, "SIP/2.0 ", 8))
		return;
	/* a prune or a full ring since may have dropped it: then its
	 * slot is free or someone else's, and a 2xx changes nothing */
	if (pkt[8] != '2' && acc.n &&
	    ((acc.bye_pending - acc.head) & (acc.cap - 1)) < acc.n &&
	    (acc.ring[acc.bye_pending].cid & BYE))
		acc.ring[acc.bye_pending].cid |= REFUSED;
	acc.bye_pending = NIL;
}

uint32_t sip_answered_count(void)
{
	return acc.n;
}

void sip_answered_close(void)
{
	bool collecting = acc.collecting;   /* the collector stays registered */

	acc.lsnr = mem_deref(acc.lsnr);
	free(acc.ring);
	free(acc.chain);
	memset(&acc, 0, sizeof(acc));
	acc.collecting = collecting;
	acc.bye_pending = NIL;
}
