/* door.c — a listening TCP socket we do not own, and the kernel's means
 * to stop it taking new connections.
 *
 * Why: libre's listening sockets accept one connection per readable event
 * and, when accept() fails (no descriptor free: EMFILE), simply return; the
 * socket stays readable and the loop spins at 100 % CPU for as long as the
 * queue is full, starving every call. libre offers no way to pause a
 * listener, so we find its socket by its address and act on it directly:
 *
 * - Shut: a one-instruction classic BPF filter that drops every packet to
 *   the listening socket. The kernel runs a listener's filter on SYNs and
 *   on the ACKs completing handshakes, so no new connection is made;
 *   clients retransmit their SYN (1, 3, 7 s ...) and get in once the filter
 *   is gone. Connections already made are other sockets: untouched.
 * - Refuse what waits: connections that finished their handshake before
 *   the filter sit in the accept queue and keep the socket readable. We
 *   accept and close them ourselves, with a descriptor kept aside so that
 *   this works with none free (the classic reserve descriptor).
 * - Shut connections down: the caller picks accepted connections by their
 *   peer (a flood's, that never sent a request); shutdown() ends them, their
 *   owner reads the end of the stream and closes them, and the descriptors
 *   come back.
 * - Backlog: listen() on a listening socket just sets a new backlog. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <linux/filter.h>
#include <unistd.h>
#include <re_types.h>
#include <re_mem.h>
#include <re_sa.h>
#include "base/fds.h"
#include "net/door.h"

struct door {
	int fd;          /* weak: libre's listening socket */
	struct sa laddr;
	int spare;       /* ours: given up to refuse the queue */
	bool shut;
};

static void door_destructor(void *arg)
{
	struct door *d = arg;

	if (d->spare >= 0)
		close(d->spare);
}

static bool is_listener_at(int fd, const struct sa *laddr)
{
	int on = 0, proto = 0;
	socklen_t len = sizeof(on);
	struct sa local;

	if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &on, &len) || !on)
		return false;
	len = sizeof(proto);
	if (getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &proto, &len) ||
	    proto != IPPROTO_TCP)
		return false;
	sa_init(&local, AF_UNSPEC);
	if (getsockname(fd, &local.u.sa, &local.len))
		return false;
	return sa_cmp(&local, laddr, SA_ALL);
}

struct finding {
	const struct sa *laddr;
	int fd;
};

static bool listener_found(int fd, void *arg)
{
	struct finding *f = arg;

	if (!is_listener_at(fd, f->laddr))
		return false;
	f->fd = fd;
	return true;
}

int door_find(struct door **dp, const struct sa *laddr)
{
	struct finding f = {.laddr = laddr, .fd = -1};
	struct door *d;

	if (!dp || !laddr)
		return EINVAL;
	/* our descriptors at start-up are few: a walk of them is cheap */
	(void)fds_foreach(listener_found, &f);
	if (f.fd < 0)
		return ENOENT;
	d = mem_zalloc(sizeof(*d), door_destructor);
	if (!d)
		return ENOMEM;
	d->fd = f.fd;
	d->laddr = *laddr;
	d->spare = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (d->spare < 0) {
		int err = errno;

		mem_deref(d);
		return err;
	}
	*dp = d;
	return 0;
}

bool door_is_at(const struct door *d, const struct sa *laddr)
{
	return d && laddr && sa_cmp(&d->laddr, laddr, SA_ALL);
}

int door_backlog(struct door *d, int backlog)
{
	if (!d)
		return EINVAL;
	return listen(d->fd, backlog) ? errno : 0;
}

int door_nodelay(struct door *d)
{
	int one = 1;

	if (!d)
		return EINVAL;
	return setsockopt(d->fd, IPPROTO_TCP, TCP_NODELAY, &one,
			  sizeof(one)) ? errno : 0;
}

int door_shut(struct door *d, bool shut)
{
	static struct sock_filter drop_all[] = {
		BPF_STMT(BPF_RET | BPF_K, 0),
	};
	struct sock_fprog prog = {.len = 1, .filter = drop_all};
	int none = 0;

	if (!d)
		return EINVAL;
	if (d->shut == shut)
		return 0;
	if (shut ? setsockopt(d->fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog,
			      sizeof(prog)) :
		   setsockopt(d->fd, SOL_SOCKET, SO_DETACH_FILTER, &none,
			      sizeof(none)))
		return errno;
	d->shut = shut;
	return 0;
}

/* With the spare given up, at least one descriptor is free: for the
 * accept() or opendir() that gives more back. */
static void spare_give_up(struct door *d)
{
	if (d->spare >= 0) {
		close(d->spare);
		d->spare = -1;
	}
}

static void spare_take_back(struct door *d)
{
	if (d->spare < 0)
		d->spare = open("/dev/null", O_RDONLY | O_CLOEXEC);
}

unsigned door_refuse_waiting(struct door *d)
{
	unsigned n = 0;

	if (!d)
		return 0;
	spare_give_up(d);
	for (;;) {
		int c = accept4(d->fd, NULL, NULL, SOCK_CLOEXEC);

		if (c < 0)
			break;   /* EAGAIN: the queue is empty */
		close(c);
		n++;
	}
	spare_take_back(d);
	return n;
}

/* A connection this listener accepted, still established: its peer. */
static bool is_child(int fd, const struct door *d, struct sa *peer)
{
	struct tcp_info ti;
	struct sa local;
	int on = 1;
	socklen_t len = sizeof(on);

	if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &on, &len) || on)
		return false;
	sa_init(&local, AF_UNSPEC);
	if (getsockname(fd, &local.u.sa, &local.len) ||
	    !sa_cmp(&local, &d->laddr, SA_ALL))
		return false;
	/* a UDP socket on the same address fails here */
	len = sizeof(ti);
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) ||
	    ti.tcpi_state != TCP_ESTABLISHED)
		return false;
	sa_init(peer, AF_UNSPEC);
	return !getpeername(fd, &peer->u.sa, &peer->len);
}

struct walk {
	struct door *d;
	door_child_h *h;
	void *arg;
	unsigned n;
};

static bool walk_one(int fd, void *arg)
{
	struct walk *w = arg;
	struct sa peer;

	/* shutdown, not close: the descriptor stays its owner's, who reads
	 * the end of the stream and closes it properly */
	if (fd != w->d->fd && is_child(fd, w->d, &peer) &&
	    w->h(&peer, w->arg) && !shutdown(fd, SHUT_RDWR))
		w->n++;
	return false;
}

unsigned door_walk_children(struct door *d, door_child_h *h, void *arg)
{
	struct walk w = {.d = d, .h = h, .arg = arg};

	if (!d || !h)
		return 0;
	spare_give_up(d);     /* the walk's own descriptor */
	(void)fds_foreach(walk_one, &w);
	spare_take_back(d);
	return w.n;
}
