/* cli.c — the command table, the unix-socket server that runs one command
 * per connection on the event loop, and the -rx client. Command words match
 * case-insensitively; the longest registered word prefix wins, the rest of
 * the words are the handler's arguments (Asterisk's CLI model without tab
 * completion). The built-in "core ..." commands live in cli_core.c. */
#define _GNU_SOURCE  /* accept4 */
#include <stdint.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdarg.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <re_types.h>
#include <re_mem.h>
#include <re_list.h>
#include <re_mbuf.h>
#include <re_main.h>
#include <re_tmr.h>
#include "base/cli.h"
#include "base/log.h"

enum {
	CLI_MAX_WORDS = 64,
	CLI_LINE_MAX = 4096,           /* one request line */
	CLI_REPLY_MAX = 4 * 1024 * 1024, /* cap on one reply */
	CLI_MAX_CONNS = 32,
	CLI_CONN_TIMEOUT_MS = 10000,   /* a client that neither sends nor reads */
};

struct cli_out {
	struct mbuf *mb;
	size_t max;
	bool truncated;
};

struct cli_cmd {
	struct le le;
	char *command;        /* normalised: single spaces */
	char *wordbuf;        /* words[] point into it */
	char *words[CLI_MAX_WORDS];
	int nwords;
	cli_cmd_h *h;
	char *usage;
};

struct cli_conn {
	struct le le;
	int fd;
	char rx[CLI_LINE_MAX + 1];
	size_t rxlen;
	struct mbuf *tx;       /* reply, written from tx->pos */
	struct tmr tmr;
};

static struct list cmds;        /* struct cli_cmd, sorted by command */
static bool builtins_done;
static int lfd = -1;
static char sock_path[sizeof(((struct sockaddr_un *)0)->sun_path)];
static struct list conns;
static struct tmr stop_tmr;
static bool stop_requested;
static bool in_server;

static int help_handler(struct cli_out *out, int argc, char *argv[]);

/* --- output ------------------------------------------------------------ */

void cli_printf(struct cli_out *out, const char *fmt, ...)
{
	va_list ap, ap2;
	int n;
	size_t room, want;

	if (!out || !out->mb || out->truncated)
		return;
	va_start(ap, fmt);
	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		va_end(ap2);
		return;
	}
	want = (size_t)n;
	room = out->max > out->mb->end ? out->max - out->mb->end : 0;
	if (want > room) {
		want = room;
		out->truncated = true;
	}
	if (mbuf_get_space(out->mb) < (size_t)n + 1 &&
	    mbuf_resize(out->mb, out->mb->pos + (size_t)n + 1 + 256)) {
		out->truncated = true;
		va_end(ap2);
		return;
	}
	vsnprintf((char *)mbuf_buf(out->mb), (size_t)n + 1, fmt, ap2);
	va_end(ap2);
	out->mb->pos += want;
	if (out->mb->pos > out->mb->end)
		out->mb->end = out->mb->pos;
}

/* --- words ------------------------------------------------------------- */

/* Split a line into words in place: blanks separate, "double quotes" group,
 * backslash escapes the next character (Asterisk's parse_args). */
static int split_words(char *s, char *argv[], int max)
{
	int argc = 0;

	while (*s) {
		char *dst;
		bool quoted = false;

		while (isspace((unsigned char)*s))
			s++;
		if (!*s)
			break;
		if (argc == max)
			return -1;
		argv[argc++] = dst = s;
		while (*s) {
			if (*s == '\\' && s[1]) {
				*dst++ = s[1];
				s += 2;
				continue;
			}
			if (*s == '"') {
				quoted = !quoted;
				s++;
				continue;
			}
			if (!quoted && isspace((unsigned char)*s)) {
				s++;
				break;
			}
			*dst++ = *s++;
		}
		*dst = '\0';
	}
	return argc;
}

/* --- table ------------------------------------------------------------- */

static void cmd_destructor(void *arg)
{
	struct cli_cmd *c = arg;

	list_unlink(&c->le);
	mem_deref(c->command);
	mem_deref(c->wordbuf);
	mem_deref(c->usage);
}

static int dup_str(char **dst, const char *src)
{
	size_t n = strlen(src);

	*dst = mem_alloc(n + 1, NULL);
	if (!*dst)
		return ENOMEM;
	memcpy(*dst, src, n + 1);
	return 0;
}

static bool words_equal(struct cli_cmd *c, char *argv[], int argc)
{
	if (c->nwords != argc)
		return false;
	for (int i = 0; i < argc; i++)
		if (strcasecmp(c->words[i], argv[i]))
			return false;
	return true;
}

static void builtins_init(void)
{
	if (builtins_done)
		return;
	builtins_done = true;
	cli_register("core show help", help_handler,
		     "Usage: core show help [topic]\n"
		     "       When called with a topic as an argument, displays usage\n"
		     "       information on the given command. If called without a\n"
		     "       topic, it provides a list of commands.\n");
}

int cli_register(const char *command, cli_cmd_h *h, const char *usage)
{
	struct cli_cmd *c;
	struct le *le;
	char *p;
	int err, i;

	if (!command || !h)
		return EINVAL;
	builtins_init();

	c = mem_zalloc(sizeof(*c), cmd_destructor);
	if (!c)
		return ENOMEM;
	c->h = h;
	err = dup_str(&c->usage, usage ? usage : "");
	if (err)
		goto fail;

	err = dup_str(&c->wordbuf, command);
	if (err)
		goto fail;
	c->nwords = split_words(c->wordbuf, c->words, CLI_MAX_WORDS);
	if (c->nwords <= 0) {
		err = EINVAL;
		goto fail;
	}
	/* display form with single spaces: "core  show" is "core show" */
	{
		size_t len = 0;
		for (i = 0; i < c->nwords; i++)
			len += strlen(c->words[i]) + 1;
		c->command = mem_alloc(len, NULL);
		if (!c->command) {
			err = ENOMEM;
			goto fail;
		}
		for (i = 0, p = c->command; i < c->nwords; i++) {
			size_t n = strlen(c->words[i]);
			if (i)
				*p++ = ' ';
			memcpy(p, c->words[i], n);
			p += n;
		}
		*p = '\0';
	}

	for (le = list_head(&cmds); le; le = le->next) {
		struct cli_cmd *o = le->data;
		if (words_equal(o, c->words, c->nwords)) {
			log_warning("Command '%s' already registered",
				    c->command);
			err = EALREADY;
			goto fail;
		}
		if (strcasecmp(o->command, c->command) > 0)
			break;
	}
	if (le)
		list_insert_before(&cmds, le, &c->le, c);
	else
		list_append(&cmds, &c->le, c);
	return 0;

fail:
	mem_deref(c);
	return err;
}

/* The registered command with the most words that all match the start of
 * argv. */
static struct cli_cmd *find_cmd(char *argv[], int argc)
{
	struct cli_cmd *best = NULL;

	for (struct le *le = list_head(&cmds); le; le = le->next) {
		struct cli_cmd *c = le->data;
		int i;

		if (c->nwords > argc || (best && c->nwords <= best->nwords))
			continue;
		for (i = 0; i < c->nwords; i++)
			if (strcasecmp(c->words[i], argv[i]))
				break;
		if (i == c->nwords)
			best = c;
	}
	return best;
}

/* Is argv[0..n) the start of some command? */
static bool is_prefix(char *argv[], int n)
{
	for (struct le *le = list_head(&cmds); le; le = le->next) {
		struct cli_cmd *c = le->data;
		int i;

		if (c->nwords < n)
			continue;
		for (i = 0; i < n; i++)
			if (strcasecmp(c->words[i], argv[i]))
				break;
		if (i == n)
			return true;
	}
	return false;
}

/* Asterisk's find_best(): the words up to and including the first one that
 * no longer starts a command, for the "type 'core show help ...'" hint. */
static void best_hint(char *hint, size_t size, char *argv[], int argc)
{
	size_t len = 0;

	hint[0] = '\0';
	for (int i = 0; i < argc; i++) {
		int n = snprintf(hint + len, size - len, "%s%s", i ? " " : "",
				 argv[i]);
		if (n < 0 || (size_t)n >= size - len)
			break;
		len += (size_t)n;
		if (!is_prefix(argv, i + 1))
			break;
	}
}

/* One line for "core show help": the first description line of an
 * Asterisk-style usage ("Usage: x\n       More forms\n       What it
 * does. More.\n"), cut after its first sentence. */
static const char *usage_summary(const struct cli_cmd *c, char *buf,
				 size_t size)
{
	const char *line = c->usage;
	size_t n;

	while (*line) {
		const char *p = line;
		size_t len = strcspn(line, "\n");

		while (*p == ' ' || *p == '\t')
			p++;
		if (strncasecmp(p, "Usage:", 6) && *p != '\n' && *p &&
		    strncasecmp(p, c->command, strlen(c->command))) {
			line = p;
			break;
		}
		line += len;
		if (*line == '\n')
			line++;
	}
	n = strcspn(line, "\n");
	for (size_t i = 0; i + 1 < n; i++)
		if (line[i] == '.' && line[i + 1] == ' ') {
			n = i + 1;
			break;
		}
	if (n >= size)
		n = size - 1;
	memcpy(buf, line, n);
	buf[n] = '\0';
	return buf[0] ? buf : "<no description available>";
}

static int help_handler(struct cli_out *out, int argc, char *argv[])
{
	char sum[128];
	int shown = 0;

	if (argc > 0) {
		struct cli_cmd *c = find_cmd(argv, argc);
		if (c && c->nwords == argc) {
			if (c->usage[0])
				cli_printf(out, "%s", c->usage);
			else
				cli_printf(out, "No help text available for '%s'.\n",
					   c->command);
			return 0;
		}
	}
	for (struct le *le = list_head(&cmds); le; le = le->next) {
		struct cli_cmd *c = le->data;
		int i;

		if (c->nwords < argc)
			continue;
		for (i = 0; i < argc; i++)
			if (strcasecmp(c->words[i], argv[i]))
				break;
		if (i < argc)
			continue;
		cli_printf(out, "%30.30s %s\n", c->command,
			   usage_summary(c, sum, sizeof(sum)));
		shown++;
	}
	if (!shown && argc > 0) {
		char hint[256];
		best_hint(hint, sizeof(hint), argv, argc);
		cli_printf(out, "No such command '%s'.\n", hint);
	}
	return 0;
}

/* --- execution --------------------------------------------------------- */

static int exec_line(const char *line, struct mbuf *mb, size_t max)
{
	struct cli_out out = {.mb = mb, .max = max};
	char *argv[CLI_MAX_WORDS + 1];
	char copy[CLI_LINE_MAX + 1];
	struct cli_cmd *c;
	int argc, err;

	builtins_init();
	snprintf(copy, sizeof(copy), "%s", line ? line : "");
	copy[strcspn(copy, "\r\n")] = '\0';
	argc = split_words(copy, argv, CLI_MAX_WORDS);
	if (argc == 0)
		return 0;  /* an empty line is not an error (Asterisk: no-op) */

	c = argc > 0 ? find_cmd(argv, argc) : NULL;
	if (!c) {
		char hint[CLI_LINE_MAX + 1];
		const char *shown = line ? line : "";
		size_t n = strcspn(shown, "\r\n");

		if (argc > 0)
			best_hint(hint, sizeof(hint), argv, argc);
		else
			snprintf(hint, sizeof(hint), "%.*s", (int)n, shown);
		cli_printf(&out, "No such command '%.*s' (type 'core show help %s' "
			   "for other possible commands)\n", (int)n, shown, hint);
		return ENOENT;
	}

	argv[argc] = NULL;
	err = c->h(&out, argc - c->nwords, argv + c->nwords);
	if (err == EINVAL) {
		if (c->usage[0])
			cli_printf(&out, "%s", c->usage);
		else
			cli_printf(&out, "Invalid usage, but no usage information "
				   "available.\n");
	}
	return err;
}

static void stop_h(void *arg)
{
	(void)arg;
	log_notice("Shutdown requested from the CLI");
	re_cancel();
}

void cli_request_stop(void)
{
	stop_requested = true;
}

static void stop_if_requested(void)
{
	if (!stop_requested)
		return;
	stop_requested = false;
	/* 0 ms: runs on the next loop turn, after the reply went out */
	tmr_start(&stop_tmr, 0, stop_h, NULL);
}

int cli_exec(const char *line, char *buf, size_t size)
{
	struct mbuf *mb = mbuf_alloc(size ? size : 1);
	int err;

	if (!mb) {
		if (size)
			buf[0] = '\0';
		return ENOMEM;
	}
	err = exec_line(line, mb, size ? size - 1 : 0);
	if (size) {
		size_t n = mb->end < size - 1 ? mb->end : size - 1;
		memcpy(buf, mb->buf, n);
		buf[n] = '\0';
	}
	mem_deref(mb);
	if (!in_server)
		stop_if_requested();
	return err;
}

/* --- server ------------------------------------------------------------ */

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
	stop_if_requested();
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
	in_server = true;
	err = exec_line(c->rx, c->tx, CLI_REPLY_MAX);
	in_server = false;
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

static void accept_h(int flags, void *arg)
{
	(void)flags;
	(void)arg;
	for (int i = 0; i < 16; i++) {
		struct cli_conn *c;
		int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK &&
			    errno != EINTR)
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

static int make_addr(struct sockaddr_un *sun, const char *path)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun->sun_path))
		return ENAMETOOLONG;
	strcpy(sun->sun_path, path);
	return 0;
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
	err = make_addr(&sun, path);
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
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd >= 0) {
			int r = connect(fd, (struct sockaddr *)&sun,
					sizeof(sun));
			close(fd);
			if (r == 0) {
				log_error("ariadne already running on %s.  Use "
					  "'ariadne -r' to connect.", path);
				return EADDRINUSE;
			}
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
	tmr_init(&stop_tmr);
	builtins_init();
	log_verbose(2, "CLI listening on %s", path);
	return 0;
}

void cli_close(void)
{
	struct le *le;

	while ((le = list_head(&conns)))
		mem_deref(le->data);
	if (lfd >= 0) {
		fd_close(lfd);
		close(lfd);
		lfd = -1;
		if (sock_path[0])
			unlink(sock_path);
		sock_path[0] = '\0';
	}
	tmr_cancel(&stop_tmr);
	stop_requested = false;
	/* last call at shutdown: free the table too (leak checkers) */
	cli_unregister_all();
}

void cli_unregister_all(void)
{
	struct le *le;

	while ((le = list_head(&cmds)))
		mem_deref(le->data);
	builtins_done = false;
}

/* --- client ------------------------------------------------------------ */

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return errno ? errno : EIO;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int cli_remote(const char *path, const char *command)
{
	struct sockaddr_un sun;
	struct timeval tv = {.tv_sec = 60};
	char buf[4096];
	int fd;

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || !path || make_addr(&sun, path) ||
	    connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		fprintf(stderr,
			"Unable to connect to remote asterisk (does %s exist?)\n",
			path ? path : "");
		if (fd >= 0)
			close(fd);
		return 1;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));

	if (write_all(fd, command ? command : "", strlen(command ? command : "")) ||
	    write_all(fd, "\n", 1)) {
		fprintf(stderr, "Unable to send command to %s: %s\n", path,
			strerror(errno));
		close(fd);
		return 1;
	}
	shutdown(fd, SHUT_WR);

	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		fwrite(buf, 1, (size_t)n, stdout);
	}
	fflush(stdout);
	close(fd);
	return 0;
}
