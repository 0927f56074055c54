/* sip_tcp_peers.c — sets of SIP TCP/TLS peers (address and port), for the
 * guard of the listeners (sip_tcp_guard.c) and the framing check
 * (sip_dispatch.c).
 *
 * A connection is known by its peer's address and port: that is all a
 * request shows of it (msg->src), and all a walk of the sockets shows
 * (getpeername). Three sets:
 * - heard: peers that sent a request, i.e. connections in use. Refreshed
 *   by each request; a peer silent for HEARD_TTL_MS (twice the longest
 *   usual registration) is forgotten, and the set keeps at most HEARD_MAX
 *   peers (the least recently heard goes).
 * - seen: connections that have not been heard, first seen by a walk of
 *   the sockets while descriptors are short; cleared when they are not.
 * - dropped: connections whose framing was lost (a bad Content-Length):
 *   what libre still parses from them is ignored for DROPPED_TTL_MS. */
#include <errno.h>
#include <stdint.h>
#include <stdbool.h>
#include <inttypes.h>
#include <re_types.h>
#include <re_mem.h>
#include <re_list.h>
#include <re_hash.h>
#include <re_sa.h>
#include <re_tmr.h>
#include "sip/sip_int.h"

enum {
	HEARD_MAX = 65536,
	HEARD_TTL_MS = 2 * 3600 * 1000,
	SEEN_MAX = 65536,
	DROPPED_MAX = 4096,
	DROPPED_TTL_MS = 10 * 1000,
};

struct peer {
	struct le he;       /* in the set's hash */
	struct le le;       /* in its order, oldest touch first */
	struct sa addr;
	uint64_t first;     /* tmr_jiffies() when added */
	uint64_t last;      /* and last touched */
};

struct peerset {
	struct hash *ht;
	struct list order;
	unsigned max;
	unsigned ttl_ms;    /* 0: no expiry */
};

static struct peerset heard = {.max = HEARD_MAX, .ttl_ms = HEARD_TTL_MS};
static struct peerset seen = {.max = SEEN_MAX};
static struct peerset dropped = {.max = DROPPED_MAX,
				 .ttl_ms = DROPPED_TTL_MS};

static void peer_destructor(void *arg)
{
	struct peer *p = arg;

	hash_unlink(&p->he);
	list_unlink(&p->le);
}

static bool addr_cmp(struct le *le, void *arg)
{
	const struct peer *p = le->data;

	return sa_cmp(&p->addr, arg, SA_ALL);
}

static void expire(struct peerset *s, uint64_t now)
{
	while (s->ttl_ms && s->order.head) {
		struct peer *p = s->order.head->data;

		if (now - p->last < s->ttl_ms)
			break;
		mem_deref(p);
	}
}

static struct peer *find(struct peerset *s, const struct sa *addr)
{
	struct le *le;

	if (!s->ht)
		return NULL;
	le = hash_lookup(s->ht, sa_hash(addr, SA_ALL), addr_cmp,
			 (void *)addr);
	return le ? le->data : NULL;
}

/* Add or refresh; the first time it was added stays. */
static struct peer *touch(struct peerset *s, const struct sa *addr)
{
	uint64_t now = tmr_jiffies();
	struct peer *p;

	expire(s, now);
	p = find(s, addr);
	if (p) {
		p->last = now;
		list_unlink(&p->le);
		list_append(&s->order, &p->le, p);
		return p;
	}
	if (!s->ht && hash_alloc(&s->ht, 1024))
		return NULL;
	if (list_count(&s->order) >= s->max)
		mem_deref(s->order.head->data);
	p = mem_zalloc(sizeof(*p), peer_destructor);
	if (!p)
		return NULL;
	p->addr = *addr;
	p->first = p->last = now;
	hash_append(s->ht, sa_hash(addr, SA_ALL), &p->he, p);
	list_append(&s->order, &p->le, p);
	return p;
}

static bool live(struct peerset *s, const struct sa *addr)
{
	expire(s, tmr_jiffies());
	return find(s, addr) != NULL;
}

static void flush(struct peerset *s)
{
	while (s->order.head)
		mem_deref(s->order.head->data);
	s->ht = mem_deref(s->ht);
}

void sip_tcp_peer_heard(const struct sa *addr)
{
	(void)touch(&heard, addr);
}

bool sip_tcp_peer_was_heard(const struct sa *addr)
{
	return live(&heard, addr);
}

uint64_t sip_tcp_peer_seen(const struct sa *addr)
{
	struct peer *p = touch(&seen, addr);

	return p ? tmr_jiffies() - p->first : 0;
}

void sip_tcp_peers_unseen(void)
{
	flush(&seen);
}

void sip_tcp_peer_dropped(const struct sa *addr)
{
	(void)touch(&dropped, addr);
}

bool sip_tcp_peer_is_dropped(const struct sa *addr)
{
	return live(&dropped, addr);
}

void sip_tcp_peers_close(void)
{
	flush(&heard);
	flush(&seen);
	flush(&dropped);
}
