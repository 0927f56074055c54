/* cli.h — the command line interface: `ariadne -rx "command"` connects to a
 * unix socket of the running server, sends one line, and prints the reply.
 * Modules register their commands by their Asterisk names ("core show
 * channels", "dialplan show"); the longest registered word prefix wins and
 * the remaining words are the command's arguments. */
#ifndef ARIADNE_CLI_H
#define ARIADNE_CLI_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

struct cli_out;

/* Output of one command; printf-style, appended to the reply. */
void cli_printf(struct cli_out *out, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* argv: the words after the command's own words. Return 0, or EINVAL to have
 * the usage printed. */
typedef int (cli_cmd_h)(struct cli_out *out, int argc, char *argv[]);

int cli_register(const char *command, cli_cmd_h *h, const char *usage);

/* One command of a table for cli_register_all(). */
struct cli_entry {
	const char *command;
	cli_cmd_h *h;
	const char *usage;
};

/* Register every command of the table. One already registered (a module
 * started again) is left as it is; the first other error is returned,
 * after the rest were tried. */
int cli_register_all(const struct cli_entry *cmds, size_t n);

/* Server side: listen on `path` (unlinks a stale socket first; EADDRINUSE
 * when a live server answers on it). */
int cli_listen(const char *path);
/* Whether a server answers on `path` now (a second instance checks this
 * before it opens any file of the first one's). */
bool cli_server_alive(const char *path);
/* Stop listening, drop clients, unlink the socket, and free the command
 * table (shutdown). */
void cli_close(void);

/* Run a command line in-process (tests, and the server's socket handler).
 * Output is written to `buf` (NUL-terminated, truncated to size). Returns 0,
 * ENOENT for an unknown command, or the handler's result. */
int cli_exec(const char *line, char *buf, size_t size);

/* Client side (-rx): connect, send, copy the reply to stdout. Returns the
 * process exit code: 0 ok, 1 when the server cannot be reached. */
int cli_remote(const char *path, const char *command);

/* Register the built-in "core ..." commands (cli_core.c). */
int cli_core_init(void);

/* Ask the server to stop (re_cancel) once the current reply has been
 * written ("core stop now"). */
void cli_request_stop(void);
/* The same on the next turn of the loop, with no reply to wait for: a
 * graceful stop whose last channel has gone (core/shutdown.c). */
void cli_request_stop_now(void);
/* What a stop request runs instead of re_cancel() (main.c: hang the calls
 * up first). */
void cli_set_stop_handler(void (*h)(void));

/* Drop every registered command (tests, shutdown). */
void cli_unregister_all(void);

#endif
