/* txoff.c — a second thread that does the loop's media sends.
 *
 * Why: with hundreds of calls the media tick spends most of its time in
 * the kernel sending (on loopback a TCP send even runs the receiver's side
 * of the network stack), and the one event loop becomes the bottleneck
 * that makes frames late (bench/README.md, external_media.sh). Sends are
 * the part that needs no state of ours, so they are what moves: the loop
 * copies the bytes into a batch and goes on; this thread writes them.
 *
 * How: the loop appends entries (socket, destination, bytes) to its
 * current batch and hands the batch over — at once outside a media tick,
 * in large pieces inside one (txoff_hold/txoff_release) — to a FIFO that
 * the thread empties in order. The thread writes through its own dup() of
 * each descriptor, so the owner may close its socket whenever it likes;
 * the duplicate goes when the owner's txoff_sock_close() entry is reached,
 * after everything queued before it. A stream's bytes the kernel does not
 * take stay with the thread, in order, and are retried when the socket
 * can take more (the thread's own epoll; it sleeps in it, woken by an
 * eventfd when the loop hands a batch over). The owner sees how many
 * through txoff_queued() (its flow control) and that the peer is gone
 * through txoff_failed().
 *
 * The thread touches nothing but its batches and txoff_socks: no libre
 * object, no log line (it counts; the loop reports, and GET /metrics
 * shows its backlog and drops). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <re_types.h>
#include <re_sa.h>
#include "base/log.h"
#include "base/metrics.h"
#include "base/worker.h"
#include "net/pace.h"
#include "net/txoff.h"

enum {
	HANDOFF_BYTES = 64 * 1024,        /* in a tick, hand over this often */
	BEHIND_MAX = 32 * 1024 * 1024,    /* handed over, not yet written */
	CLOSING_POLL_MS = 100,            /* closed streams' deadlines */
	CLOSE_GRACE_MS = 2000,            /* a closed stream's last bytes */
	FREE_MAX = 8,                     /* spare batches kept */
};

enum op { OP_SEND, OP_CLOSE };

/* In a batch; its bytes follow, and the next entry is 8-aligned. */
struct entry {
	struct txoff_sock *ts;
	uint32_t len;
	uint8_t op;
	bool has_dst;
	bool fin;                   /* OP_CLOSE: half-close when written */
	struct sa dst;
};

struct batch {
	struct batch *next;
	uint8_t *buf;
	size_t len, cap;
	uint64_t not_before_us;     /* txoff_pace(); 0: at once */
};

struct txoff_sock {
	int fd;                     /* the thread's duplicate */
	bool stream;
	atomic_size_t queued;       /* stream bytes not yet in the kernel */
	atomic_bool failed;
	/* the thread's alone (the loop's once the thread has stopped): */
	uint8_t *pend;              /* stream bytes the kernel refused */
	size_t pend_off, pend_len, pend_cap;
	struct txoff_sock *retry_next;
	bool retrying;              /* on tx.retry and in the thread's epoll */
	bool closing;               /* the owner is done with it */
	bool fin;                   /* then half-close it */
	uint64_t deadline_ms;       /* closing: give up on the peer after */
};

static struct {
	pthread_t thread;
	pthread_mutex_t lock;
	int epfd;                   /* the thread sleeps here */
	int evfd;                   /* the loop wakes it through this */
	bool running;               /* the loop's view */
	/* under lock: */
	bool stop;
	bool sleeping;              /* the thread is in (or entering) epoll */
	struct batch *ready, **ready_tail;
	struct batch *free;
	unsigned nfree;
	/* shared, lock-free: */
	atomic_size_t behind;
	atomic_ullong dropped;
	/* the loop's alone: */
	struct batch *cur;
	int hold;
	uint64_t pace_us;           /* txoff_pace() of the current batch */
	unsigned long long refused;  /* sends refused for the backlog */
	/* the thread's alone: */
	struct txoff_sock *retry;   /* streams holding refused bytes */
	unsigned nclosing;          /* of which closed by their owner */
} tx = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.epfd = -1,
	.evfd = -1,
};

static size_t align8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

/* ---- the thread ---- */

/* Wake when the socket takes bytes again (once; re-armed each time). */
static void watch(struct txoff_sock *ts, int op)
{
	struct epoll_event ev = {.events = EPOLLOUT | EPOLLONESHOT,
				 .data.ptr = ts};

	(void)epoll_ctl(tx.epfd, op, ts->fd, &ev);
}

/* Every socket leaves the retry list (retry_unlink) before this. */
static void sock_free(struct txoff_sock *ts)
{
	if (ts->fd >= 0)
		close(ts->fd);
	free(ts->pend);
	free(ts);
}

static void retry_unlink(struct txoff_sock *ts)
{
	struct txoff_sock **pp;

	for (pp = &tx.retry; *pp; pp = &(*pp)->retry_next) {
		if (*pp == ts) {
			*pp = ts->retry_next;
			break;
		}
	}
	ts->retry_next = NULL;
	ts->retrying = false;
	if (ts->closing)
		tx.nclosing--;
	/* Out of our epoll before our descriptor goes: the owner's copy
	 * keeps the socket, and with it our registration, alive. */
	(void)epoll_ctl(tx.epfd, EPOLL_CTL_DEL, ts->fd, NULL);
}

static void stream_fail(struct txoff_sock *ts)
{
	atomic_store(&ts->failed, true);
	atomic_fetch_sub(&ts->queued, ts->pend_len);
	ts->pend_off = ts->pend_len = 0;
}

/* Write as much of p as the kernel takes: how much it took, or -1 when
 * the peer is gone. */
static ssize_t stream_write(struct txoff_sock *ts, const uint8_t *p, size_t n)
{
	ssize_t w;

	if (!n)
		return 0;
	w = send(ts->fd, p, n, MSG_DONTWAIT | MSG_NOSIGNAL);
	if (w >= 0) {
		atomic_fetch_sub(&ts->queued, (size_t)w);
		return w;
	}
	if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
		return 0;
	return -1;
}

static void pend_add(struct txoff_sock *ts, const uint8_t *p, size_t n)
{
	if (ts->pend_off && ts->pend_len + n > ts->pend_cap - ts->pend_off) {
		memmove(ts->pend, ts->pend + ts->pend_off, ts->pend_len);
		ts->pend_off = 0;
	}
	if (ts->pend_len + n > ts->pend_cap) {
		size_t cap = ts->pend_cap ? ts->pend_cap : 4096;
		uint8_t *b;

		while (cap < ts->pend_len + n)
			cap *= 2;
		b = realloc(ts->pend, cap);
		if (!b) {
			atomic_fetch_sub(&ts->queued, n);
			stream_fail(ts);
			return;
		}
		ts->pend = b;
		ts->pend_cap = cap;
	}
	memcpy(ts->pend + ts->pend_off + ts->pend_len, p, n);
	ts->pend_len += n;
	if (!ts->retrying) {
		ts->retrying = true;
		ts->retry_next = tx.retry;
		tx.retry = ts;
		watch(ts, EPOLL_CTL_ADD);
	}
}

/* Bytes of a stream: behind what waits already, else straight out. */
static void stream_send(struct txoff_sock *ts, const uint8_t *p, size_t n)
{
	ssize_t w = 0;

	if (!atomic_load(&ts->failed) && !ts->pend_len)
		w = stream_write(ts, p, n);
	if (w < 0 || atomic_load(&ts->failed)) {
		atomic_fetch_sub(&ts->queued, n);
		stream_fail(ts);
		return;
	}
	if ((size_t)w < n)
		pend_add(ts, p + w, n - (size_t)w);
}

/* Try what the kernel refused before; true when nothing is left. */
static bool pend_flush(struct txoff_sock *ts)
{
	ssize_t w;

	if (ts->pend_len) {
		w = stream_write(ts, ts->pend + ts->pend_off, ts->pend_len);
		if (w < 0) {
			stream_fail(ts);
		}
		else {
			ts->pend_off += (size_t)w;
			ts->pend_len -= (size_t)w;
		}
	}
	if (!ts->pend_len)
		ts->pend_off = 0;
	return !ts->pend_len;
}

static uint64_t now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000u + (uint64_t)t.tv_nsec / 1000000u;
}

/* A closed socket whose bytes are all out (or never will be): the FIN
 * if asked for and nothing was left unsent (no FIN after a hole), then
 * our descriptor goes. */
static void sock_finish(struct txoff_sock *ts)
{
	if (ts->fin && !ts->pend_len && !atomic_load(&ts->failed))
		(void)shutdown(ts->fd, SHUT_WR);
	sock_free(ts);
}

/* A stream the kernel refused may take more now: try; drop it from the
 * list when all is out, or when its owner closed it and its peer has had
 * CLOSE_GRACE_MS. */
static void retry(struct txoff_sock *ts, uint64_t now)
{
	bool done = pend_flush(ts);

	if (!done && ts->closing)
		done = now >= ts->deadline_ms;
	if (!done) {
		watch(ts, EPOLL_CTL_MOD);
		return;
	}
	retry_unlink(ts);
	if (ts->closing)
		sock_finish(ts);
}

/* Closed streams whose peers took too long. */
static void expire_closing(uint64_t now)
{
	struct txoff_sock *ts = tx.retry, *next;

	for (; ts && tx.nclosing; ts = next) {
		next = ts->retry_next;
		if (ts->closing && now >= ts->deadline_ms)
			retry(ts, now);
	}
}

/* Wait up to ms (-1: no limit) for writable streams or the loop's call,
 * and serve the streams. */
static void poll_streams(int ms)
{
	struct epoll_event ev[64];
	int i, n;
	uint64_t now;

	n = epoll_wait(tx.epfd, ev, 64, ms);
	now = tx.nclosing ? now_ms() : 0;
	for (i = 0; i < n; i++) {
		if (ev[i].data.ptr) {
			retry(ev[i].data.ptr, now);
		}
		else {
			uint64_t v;

			(void)!read(tx.evfd, &v, sizeof(v));
		}
	}
	if (tx.nclosing)
		expire_closing(now);
}

/* The owner is done: what waits still goes out, for a while. */
static void sock_end(struct txoff_sock *ts, bool fin)
{
	ts->fin = fin;
	ts->deadline_ms = now_ms() + CLOSE_GRACE_MS;
	if (!pend_flush(ts)) {
		ts->closing = true;  /* retry() finishes it */
		tx.nclosing++;
		return;
	}
	if (ts->retrying)
		retry_unlink(ts);
	sock_finish(ts);
}

static void dgram_send(const struct entry *e, const uint8_t *p)
{
	if (sendto(e->ts->fd, p, e->len, MSG_DONTWAIT | MSG_NOSIGNAL,
		   &e->dst.u.sa, e->dst.len) < 0)
		atomic_fetch_add(&tx.dropped, 1);
}

static void run_batch(const struct batch *b)
{
	size_t off = 0;

	while (off < b->len) {
		const struct entry *e = (const void *)(b->buf + off);
		const uint8_t *p = b->buf + off + sizeof(*e);
		uint64_t began = b->not_before_us ?
				 pace_wait(b->not_before_us) : 0;

		if (e->op == OP_CLOSE)
			sock_end(e->ts, e->fin);
		else if (e->ts->stream)
			stream_send(e->ts, p, e->len);
		else if (e->has_dst)
			dgram_send(e, p);
		if (began)
			pace_took(began);
		off += align8(sizeof(*e) + e->len);
	}
}

static void recycle(struct batch *b)
{
	b->len = 0;
	if (tx.nfree >= FREE_MAX) {
		free(b->buf);
		free(b);
		return;
	}
	b->next = tx.free;
	tx.free = b;
	tx.nfree++;
}

/* The thread is stopping: one last try for every stream that waits;
 * closed ones go now, open ones stay their owners'. */
static void stop_streams(void)
{
	struct txoff_sock *ts;

	while ((ts = tx.retry)) {
		(void)pend_flush(ts);
		retry_unlink(ts);
		if (ts->closing)
			sock_finish(ts);
	}
}

static void *thread_main(void *arg)
{
	struct batch *b;

	(void)arg;
	/* as `top -H` and /proc/PID/task/TID/comm show it */
	pthread_setname_np(pthread_self(), "ariadne-send");
	pthread_mutex_lock(&tx.lock);
	for (;;) {
		b = tx.ready;
		if (!b) {
			if (tx.stop)
				break;
			tx.sleeping = true;
			pthread_mutex_unlock(&tx.lock);
			poll_streams(tx.nclosing ? CLOSING_POLL_MS : -1);
			pthread_mutex_lock(&tx.lock);
			tx.sleeping = false;
			continue;
		}
		tx.ready = b->next;
		if (!tx.ready)
			tx.ready_tail = &tx.ready;
		pthread_mutex_unlock(&tx.lock);
		run_batch(b);
		if (tx.retry)
			poll_streams(0);   /* busy: serve them between batches */
		atomic_fetch_sub(&tx.behind, b->len);
		pthread_mutex_lock(&tx.lock);
		recycle(b);
	}
	pthread_mutex_unlock(&tx.lock);
	stop_streams();
	return NULL;
}

/* ---- the loop ---- */

static struct batch *batch_take(void)
{
	struct batch *b;

	pthread_mutex_lock(&tx.lock);
	b = tx.free;
	if (b) {
		tx.free = b->next;
		tx.nfree--;
	}
	pthread_mutex_unlock(&tx.lock);
	if (!b)
		b = calloc(1, sizeof(*b));
	if (b)
		b->next = NULL;
	return b;
}

static void handoff(void)
{
	static const uint64_t one = 1;
	struct batch *b = tx.cur;
	bool wake;

	if (!b || !b->len)
		return;
	atomic_fetch_add(&tx.behind, b->len);
	b->not_before_us = tx.pace_us;
	tx.cur = NULL;
	pthread_mutex_lock(&tx.lock);
	b->next = NULL;
	*tx.ready_tail = b;
	tx.ready_tail = &b->next;
	wake = tx.sleeping;
	tx.sleeping = false;
	pthread_mutex_unlock(&tx.lock);
	if (wake)
		(void)!write(tx.evfd, &one, sizeof(one));
}

/* Room for an entry and n bytes at the end of the current batch. */
static struct entry *entry_add(size_t n)
{
	size_t need = align8(sizeof(struct entry) + n);
	struct batch *b;

	if (!tx.cur && !(tx.cur = batch_take()))
		return NULL;
	b = tx.cur;
	if (b->len + need > b->cap) {
		size_t cap = b->cap ? b->cap : HANDOFF_BYTES + 4096;
		uint8_t *buf;

		while (cap < b->len + need)
			cap *= 2;
		buf = realloc(b->buf, cap);
		if (!buf)
			return NULL;
		b->buf = buf;
		b->cap = cap;
	}
	b->len += need;
	return (struct entry *)(b->buf + b->len - need);
}

static void maybe_handoff(void)
{
	if (!tx.hold || (tx.cur && tx.cur->len >= HANDOFF_BYTES))
		handoff();
}

/* The thread has stopped (shutting down): write here, or not at all. */
static int send_now(struct txoff_sock *ts, const struct sa *dst,
		    const struct iovec *iov, int iovcnt)
{
	struct msghdr m = {.msg_iov = (struct iovec *)iov,
			   .msg_iovlen = (size_t)iovcnt};

	if (ts->pend_len)
		return ENOBUFS;
	if (dst) {
		m.msg_name = (void *)&dst->u.sa;
		m.msg_namelen = dst->len;
	}
	if (sendmsg(ts->fd, &m, MSG_DONTWAIT | MSG_NOSIGNAL) >= 0)
		return 0;
	if (ts->stream)
		atomic_store(&ts->failed, true);
	return errno;
}

int txoff_sendv(struct txoff_sock *ts, const struct sa *dst,
		const struct iovec *iov, int iovcnt)
{
	struct entry *e;
	size_t n = 0, off = 0;
	int i;

	if (!ts || (!ts->stream && !dst) || iovcnt < 0)
		return EINVAL;
	if (ts->stream && atomic_load(&ts->failed))
		return EPIPE;
	for (i = 0; i < iovcnt; i++)
		n += iov[i].iov_len;
	if (n > UINT32_MAX)
		return EMSGSIZE;
	if (!tx.running)
		return send_now(ts, dst, iov, iovcnt);
	if (atomic_load(&tx.behind) + (tx.cur ? tx.cur->len : 0) + n >
	    BEHIND_MAX || !(e = entry_add(n))) {
		if (!(tx.refused++ % 1000))
			log_warning("Send thread %zu bytes behind: %llu sends "
				    "refused so far", (size_t)atomic_load(
				    &tx.behind), tx.refused);
		if (!ts->stream)
			atomic_fetch_add(&tx.dropped, 1);
		return ENOBUFS;
	}
	memset(e, 0, sizeof(*e));
	e->ts = ts;
	e->len = (uint32_t)n;
	e->op = OP_SEND;
	if (dst) {
		e->has_dst = true;
		e->dst = *dst;
	}
	for (i = 0; i < iovcnt; i++) {
		if (iov[i].iov_len)
			memcpy((uint8_t *)(e + 1) + off, iov[i].iov_base,
			       iov[i].iov_len);
		off += iov[i].iov_len;
	}
	if (ts->stream)
		atomic_fetch_add(&ts->queued, n);
	maybe_handoff();
	return 0;
}

struct txoff_sock *txoff_sock_open(int fd, bool stream)
{
	struct txoff_sock *ts;

	if (!tx.running || fd < 0)
		return NULL;
	ts = calloc(1, sizeof(*ts));
	if (!ts)
		return NULL;
	ts->fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	if (ts->fd < 0) {
		free(ts);
		return NULL;
	}
	ts->stream = stream;
	atomic_init(&ts->queued, 0);
	atomic_init(&ts->failed, false);
	return ts;
}

void txoff_sock_close(struct txoff_sock *ts, bool fin)
{
	struct entry *e;

	if (!ts)
		return;
	if (!tx.running) {
		/* the thread has stopped: ts is ours */
		if (fin && !ts->pend_len)
			(void)shutdown(ts->fd, SHUT_WR);
		sock_free(ts);
		return;
	}
	/* Must reach the thread whatever its backlog (no BEHIND_MAX). */
	e = entry_add(0);
	if (!e) {
		/* No memory for the entry: let the thread finish what it
		 * holds of ts, and do the rest here. */
		txoff_stop();
		txoff_sock_close(ts, fin);
		(void)txoff_start();
		return;
	}
	memset(e, 0, sizeof(*e));
	e->ts = ts;
	e->op = OP_CLOSE;
	e->fin = fin;
	maybe_handoff();
}

size_t txoff_queued(const struct txoff_sock *ts)
{
	return ts ? atomic_load(&((struct txoff_sock *)ts)->queued) : 0;
}

bool txoff_failed(const struct txoff_sock *ts)
{
	return ts && atomic_load(&((struct txoff_sock *)ts)->failed);
}

void txoff_hold(void)
{
	tx.hold++;
}

void txoff_release(void)
{
	if (tx.hold > 0 && !--tx.hold) {
		handoff();
		tx.pace_us = 0;
	}
}

void txoff_pace(uint64_t at_us)
{
	if (!tx.hold || at_us == tx.pace_us)
		return;
	handoff();  /* what was gathered keeps its own instant */
	tx.pace_us = at_us;
}

unsigned long long txoff_dropped(void)
{
	return atomic_load(&tx.dropped);
}

bool txoff_running(void)
{
	return tx.running;
}

static void collect(void)
{
	static unsigned long long told;
	unsigned long long d = txoff_dropped();

	if (!tx.running)
		return;
	metrics_gauge("ariadne_send_thread_backlog_bytes", "Bytes handed "
		      "to the media send thread, not yet written", NULL,
		      (double)(atomic_load(&tx.behind) +
			       (tx.cur ? tx.cur->len : 0)));
	metrics_count("ariadne_send_thread_dropped_total", "Datagrams the "
		      "media send thread could not send, or was too far "
		      "behind to take", NULL, (double)(d - told));
	told = d;
}

static void close_fds(void)
{
	if (tx.epfd >= 0)
		close(tx.epfd);
	if (tx.evfd >= 0)
		close(tx.evfd);
	tx.epfd = tx.evfd = -1;
}

int txoff_start(void)
{
	static bool collecting;
	int err;

	struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};

	if (tx.running)
		return 0;
	tx.stop = false;
	tx.sleeping = false;
	tx.ready = NULL;
	tx.ready_tail = &tx.ready;
	tx.epfd = epoll_create1(EPOLL_CLOEXEC);
	tx.evfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (tx.epfd < 0 || tx.evfd < 0 ||
	    epoll_ctl(tx.epfd, EPOLL_CTL_ADD, tx.evfd, &ev)) {
		err = errno;
		close_fds();
		return err;
	}
	err = worker_thread_create(&tx.thread, thread_main, NULL);
	if (err) {
		close_fds();
		return err;
	}
	tx.running = true;
	if (!collecting)
		collecting = !metrics_collector_add(collect);
	return 0;
}

void txoff_stop(void)
{
	static const uint64_t one = 1;
	struct batch *b;

	if (!tx.running)
		return;
	handoff();
	pthread_mutex_lock(&tx.lock);
	tx.stop = true;
	pthread_mutex_unlock(&tx.lock);
	(void)!write(tx.evfd, &one, sizeof(one));
	pthread_join(tx.thread, NULL);
	tx.running = false;
	close_fds();
	/* Streams still open are their owners' again: txoff_sock_close()
	 * frees them without the thread. */
	while ((b = tx.free)) {
		tx.free = b->next;
		free(b->buf);
		free(b);
	}
	tx.nfree = 0;
	if (tx.cur) {
		free(tx.cur->buf);
		free(tx.cur);
		tx.cur = NULL;
	}
}
