/* cli_server.c — the CLI's unix socket in the running server: one command
 * line per connection, run on the event loop, its reply written back without
 * blocking the loop, then the connection closed. A stale socket file is
 * replaced; a live server's socket is never stolen. */
#define _GNU_SOURCE  /* accept4 */
#include <stdint.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stddef.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <re_types.h>
#include <re_mem.h>
#include <re_list.h>
#include <re_mbuf.h>
#include <re_main.h>
#include <re_tmr.h>
#include "base/cli.h"
#include "base/cli_int.h"
#include "base/log.h"

enum {
	CLI_REPLY_MAX = 4 * 1024 * 1024, /* cap on one reply */
	CLI_MAX_CONNS = 32,
	CLI_CONN_TIMEOUT_MS = 10000,   /* a client that neither sends nor reads */
};

struct cli_conn {
	struct le le;
	int fd;
	char rx[CLI_LINE_MAX + 1];
	size_t rxlen;
	struct mbuf *tx;       /* reply, written from tx->pos */
	struct tmr tmr;
};

static int lfd = -1;
static struct tmr resume_tmr;   /* accepting again after EMFILE */
static char sock_path[sizeof(((struct sockaddr_un *)0)->sun_path)];
static struct list conns;

static void conn_destructor(void *arg)
{
	struct cli_conn *c = arg;

	tmr_cancel(&c->tmr);
	list_unlink(&c->le);
	if (c->fd >= 0) {
		fd_close(c->fd);
		close(c->fd);
	}
	mem_deref(c->tx);
}

static void conn_done(struct cli_conn *c)
{
	mem_deref(c);
	cli_stop_if_requested();
}

static void conn_timeout(void *arg)
{
	struct cli_conn *c = arg;

	log_debug(1, "CLI client on fd %d timed out", c->fd);
	conn_done(c);
}

static void conn_write(int flags, void *arg)
{
	struct cli_conn *c = arg;

	(void)flags;
	while (c->tx->pos < c->tx->end) {
		ssize_t n = send(c->fd, c->tx->buf + c->tx->pos,
				 c->tx->end - c->tx->pos, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;  /* wait for FD_WRITE */
		if (n <= 0) {
			conn_done(c);  /* the client went away */
			return;
		}
		c->tx->pos += (size_t)n;
	}
	shutdown(c->fd, SHUT_WR);
	conn_done(c);
}

static void conn_run(struct cli_conn *c)
{
	int err;

	c->rx[c->rxlen] = '\0';
	c->rx[strcspn(c->rx, "\r\n")] = '\0';
	c->tx = mbuf_alloc(1024);
	if (!c->tx) {
		conn_done(c);
		return;
	}
	log_debug(1, "CLI command: %s", c->rx);
	err = cli_exec_line(c->rx, c->tx, CLI_REPLY_MAX);
	(void)err;
	c->tx->pos = 0;

	err = fd_listen(c->fd, FD_WRITE, conn_write, c);
	if (err) {
		conn_done(c);
		return;
	}
	tmr_start(&c->tmr, CLI_CONN_TIMEOUT_MS, conn_timeout, c);
	conn_write(FD_WRITE, c);
}

static void conn_read(int flags, void *arg)
{
	struct cli_conn *c = arg;

	(void)flags;
	for (;;) {
		ssize_t n = read(c->fd, c->rx + c->rxlen,
				 CLI_LINE_MAX - c->rxlen);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n < 0) {
			conn_done(c);
			return;
		}
		if (n == 0) {  /* EOF ends the line too */
			conn_run(c);
			return;
		}
		if (memchr(c->rx + c->rxlen, '\n', (size_t)n)) {
			c->rxlen += (size_t)n;
			conn_run(c);
			return;
		}
		c->rxlen += (size_t)n;
		if (c->rxlen >= CLI_LINE_MAX) {
			log_warning("CLI client sent more than %d bytes without "
				    "a newline; dropped", CLI_LINE_MAX);
			conn_done(c);
			return;
		}
	}
}

static void accept_h(int flags, void *arg);

static void resume_accepting(void *arg)
{
	(void)arg;
	if (lfd >= 0)
		(void)fd_listen(lfd, FD_READ, accept_h, NULL);
}

/* Out of descriptors: the waiting client stays in the backlog and the
 * socket stays readable, so accepting again at once would spin (and log)
 * without end. Stop watching for a second. */
static void pause_accepting(int err)
{
	log_warning("CLI accept failed: %s; not accepting for 1 s",
		    strerror(err));
	fd_close(lfd);
	tmr_start(&resume_tmr, 1000, resume_accepting, NULL);
}

static void accept_h(int flags, void *arg)
{
	(void)flags;
	(void)arg;
	for (int i = 0; i < 16; i++) {
		struct cli_conn *c;
		int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno == EMFILE || errno == ENFILE ||
			    errno == ENOBUFS || errno == ENOMEM)
				pause_accepting(errno);
			else if (errno != EAGAIN && errno != EWOULDBLOCK &&
				 errno != EINTR && errno != ECONNABORTED)
				log_warning("CLI accept failed: %s",
					    strerror(errno));
			return;
		}
		if (list_count(&conns) >= CLI_MAX_CONNS) {
			log_warning("Too many CLI clients (%d); dropping one",
				    CLI_MAX_CONNS);
			close(fd);
			continue;
		}
		c = mem_zalloc(sizeof(*c), conn_destructor);
		if (!c) {
			close(fd);
			continue;
		}
		c->fd = fd;
		tmr_init(&c->tmr);
		list_append(&conns, &c->le, c);
		if (fd_listen(fd, FD_READ, conn_read, c)) {
			mem_deref(c);
			continue;
		}
		tmr_start(&c->tmr, CLI_CONN_TIMEOUT_MS, conn_timeout, c);
	}
}

bool cli_server_alive(const char *path)
{
	struct sockaddr_un sun;
	int fd, r;

	if (cli_sockaddr(&sun, path))
		return false;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	r = connect(fd, (struct sockaddr *)&sun, sizeof(sun));
	close(fd);
	return r == 0;
}

int cli_listen(const char *path)
{
	struct sockaddr_un sun;
	struct stat st;
	int fd, err;

	if (!path)
		return EINVAL;
	if (lfd >= 0)
		return EALREADY;
	err = cli_sockaddr(&sun, path);
	if (err) {
		log_error("CLI socket path too long: %s", path);
		return err;
	}

	if (stat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			log_error("%s exists and is not a socket; not removing it",
				  path);
			return EEXIST;
		}
		/* a live server answers: do not steal its socket */
		if (cli_server_alive(path)) {
			log_error("ariadne already running on %s.  Use 'ariadne "
				  "-rx \"command\"' to talk to it.", path);
			return EADDRINUSE;
		}
		if (unlink(path) < 0 && errno != ENOENT) {
			err = errno;
			log_error("Unable to remove stale socket %s: %s", path,
				  strerror(err));
			return err;
		}
	}

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		err = errno;
		log_error("Unable to create CLI socket: %s", strerror(err));
		return err;
	}
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 ||
	    listen(fd, 16) < 0) {
		err = errno;
		log_error("Unable to bind CLI socket to %s: %s", path,
			  strerror(err));
		close(fd);
		return err;
	}
	err = fd_listen(fd, FD_READ, accept_h, NULL);
	if (err) {
		log_error("Unable to watch CLI socket: %s", strerror(err));
		close(fd);
		unlink(path);
		return err;
	}
	lfd = fd;
	snprintf(sock_path, sizeof(sock_path), "%s", path);
	log_verbose(2, "CLI listening on %s", path);
	return 0;
}

void cli_close(void)
{
	struct le *le;

	while ((le = list_head(&conns)))
		mem_deref(le->data);
	tmr_cancel(&resume_tmr);
	if (lfd >= 0) {
		fd_close(lfd);
		close(lfd);
		lfd = -1;
		if (sock_path[0])
			unlink(sock_path);
		sock_path[0] = '\0';
	}
	cli_stop_cancel();
	/* last call at shutdown: free the table too (leak checkers) */
	cli_unregister_all();
}
