/* cli.c — the CLI's command table and the running of one command line.
 * Command words match case-insensitively; the longest registered word prefix
 * wins, the rest of the words are the handler's arguments (Asterisk's CLI
 * model without tab completion). The socket server is cli_server.c, the -rx
 * client cli_remote.c; the built-in "core ..." commands live in
 * src/core/cli_core.c. */
#include <stdint.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdarg.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
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
	CLI_MAX_WORDS = 64,
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

static struct list cmds;        /* struct cli_cmd, sorted by command */
static bool builtins_done;
static struct tmr stop_tmr;
static bool stop_requested;

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
	/* what admins of older Asterisk versions still type */
	cli_register("help", help_handler,
		     "Usage: help [topic]\n"
		     "       Same as core show help: the list of commands, or the usage\n"
		     "       of the command given as the topic.\n");
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
int cli_register_all(const struct cli_entry *cmds, size_t n)
{
	int err = 0;

	for (size_t i = 0; i < n; i++) {
		int e = cli_register(cmds[i].command, cmds[i].h, cmds[i].usage);

		if (e && e != EALREADY && !err)
			err = e;
	}
	return err;
}

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

/* One line for "core show help": the first sentence of the description
 * of an Asterisk-style usage ("Usage: x\n       More forms\n       What
 * it does. More.\n"), its lines joined, at most SUMMARY_MAX characters
 * (cut at a word). */
enum { SUMMARY_MAX = 100 };

static const char *usage_summary(const struct cli_cmd *c, char *buf,
				 size_t size)
{
	const char *line = c->usage;
	size_t len = 0;
	bool started = false;

	if (size > SUMMARY_MAX + 1)
		size = SUMMARY_MAX + 1;
	buf[0] = '\0';
	while (*line) {
		const char *p = line, *dot;
		size_t n;

		while (*p == ' ' || *p == '\t')
			p++;
		n = strcspn(p, "\n");
		line = p + n + (p[n] == '\n');
		if (!started && (!n || !strncasecmp(p, "Usage:", 6) ||
				 !strncasecmp(p, c->command,
					      strlen(c->command))))
			continue;
		if (!n)
			break;   /* a blank line ends the description */
		started = true;
		dot = NULL;
		for (size_t i = 0; i < n && !dot; i++)
			if (p[i] == '.' && (i + 1 == n || p[i + 1] == ' '))
				dot = p + i;
		if (dot)
			n = (size_t)(dot - p) + 1;
		len += (size_t)snprintf(buf + len, size - len, "%s%.*s",
					len ? " " : "", (int)n, p);
		if (dot || len >= size - 1)
			break;
	}
	if (len >= size) {   /* cut short: end at a word */
		char *sp = strrchr(buf, ' ');

		if (sp)
			*sp = '\0';
	}
	return buf[0] ? buf : "<no description available>";
}

static int help_handler(struct cli_out *out, int argc, char *argv[])
{
	char sum[SUMMARY_MAX + 1];
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

int cli_exec_line(const char *line, struct mbuf *mb, size_t max)
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

static void (*stop_hook)(void);

void cli_set_stop_handler(void (*h)(void))
{
	stop_hook = h;
}

static void stop_h(void *arg)
{
	(void)arg;
	log_notice("Shutdown requested from the CLI");
	if (stop_hook)
		stop_hook();
	else
		re_cancel();
}

void cli_request_stop(void)
{
	stop_requested = true;
}

void cli_request_stop_now(void)
{
	stop_requested = true;
	cli_stop_if_requested();
}

void cli_stop_if_requested(void)
{
	if (!stop_requested)
		return;
	stop_requested = false;
	/* 0 ms: runs on the next loop turn, after the reply went out */
	tmr_start(&stop_tmr, 0, stop_h, NULL);
}

void cli_stop_cancel(void)
{
	tmr_cancel(&stop_tmr);
	stop_requested = false;
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
	err = cli_exec_line(line, mb, size ? size - 1 : 0);
	if (size) {
		size_t n = mb->end < size - 1 ? mb->end : size - 1;
		memcpy(buf, mb->buf, n);
		buf[n] = '\0';
	}
	mem_deref(mb);
	cli_stop_if_requested();
	return err;
}

void cli_unregister_all(void)
{
	struct le *le;

	while ((le = list_head(&cmds)))
		mem_deref(le->data);
	builtins_done = false;
}
