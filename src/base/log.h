/* log.h — the one logging module, with Asterisk's levels and line format so
 * that users can grep what they are used to:
 *   [Nov 27 14:42:46] WARNING[1234]: stasis.c:88 app_create: Not creating ...
 * Verbose messages print as "    -- text" like Asterisk's console. */
#ifndef ARIADNE_LOG_H
#define ARIADNE_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

enum log_level {
	LOG_LVL_DEBUG = 0,
	LOG_LVL_VERBOSE,
	LOG_LVL_NOTICE,
	LOG_LVL_WARNING,
	LOG_LVL_ERROR,
	LOG_LVL_SECURITY, /* security events (base/security.h), as the
	                   * SECURITY level that Asterisk's res_security_log
	                   * registers: not on the console unless asked */
};

void log_msg(enum log_level lvl, int level, const char *file, int line,
	     const char *func, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

/* Verbosity (-v) gates VERBOSE(n); debug level gates DEBUG(n). */
/* The directory of log channels (ariadne.conf astlogdir). Messages can be
 * logged before this is called; only log_channel_add needs it. */
void log_init(const char *dir);
void log_set_verbose(int level);
int log_get_verbose(void);
void log_set_debug(int level);
int log_get_debug(void);
/* Send log lines to a file as well as stderr (NULL: stderr only). */
int log_set_file(const char *path);
/* Silence stderr output entirely (used by the -rx client). */
void log_set_quiet(int quiet);
/* The levels the console (stderr) shows, as a log channel's levels
 * ("notice,warning,security", "*"). Default: every level but security.
 * EINVAL when no level is named. */
int log_set_console_levels(const char *levels);
/* logger.conf [logfiles] as Asterisk reads it: `console => levels` sets the
 * console's levels, every other `name => levels` adds a file channel under
 * the log directory. NULL-safe; bad entries are logged and skipped. */
struct config;
void log_config_load(const struct config *cfg);
/* `logger reload`: forget what logger.conf set (its file channels, the
 * console's levels), then read <confdir>/logger.conf again as at start-up.
 * Channels added at run time (ARI, CLI) stay. */
void log_config_reload(void);
/* The first half of that: close the channels logger.conf made and give
 * the console its default levels back. */
void log_config_forget(void);
/* A security event line, formatted as Asterisk writes its file channels:
 *   [Dec  5 10:00:00] SECURITY[1234] res_security_log.c: SecurityEvent=...
 * (base/security.c builds `msg`). */
void log_security(const char *msg);
/* Text a peer chose (a user name, a Call-ID), made safe to put between
 * quotes in a log line: control characters (a forged line), quotes,
 * parentheses and backslashes (a forged field fail2ban would read) become
 * '?'. At most n bytes of in (n = SIZE_MAX: up to its NUL); returns out. */
const char *log_peer_text(char *out, size_t size, const char *in, size_t n);
/* Would a line of this level be written anywhere (before formatting it)? */
bool log_level_wanted(enum log_level lvl);

/* Log channels, as Asterisk's logger.conf / ARI /asterisk/logging: files
 * under options.logdir that receive the levels in their configuration
 * ("notice,warning,error,verbose,debug,security", "*" = all; comma or space
 * separated, case-insensitive). `name` is a file name inside logdir (no '/').
 * EINVAL: bad name or no known level; EEXIST: already a channel; other
 * errno: the file could not be opened. */
int log_channel_add(const char *name, const char *levels);
/* The same for logger.conf at start-up: a file that cannot be opened now
 * (a read-only or full log directory) is kept and retried at each line,
 * with a WARNING, instead of refused. */
int log_channel_add_kept(const char *name, const char *levels);
/* `name` as given to add, or the full path shown by the listing. ENOENT. */
int log_channel_remove(const char *name);
/* Rename the file to the first free <file>.N (Asterisk's sequential
 * strategy) and reopen it. ENOENT: no such channel. */
int log_channel_rotate(const char *name);
void log_channel_rotate_all(void);
/* The console first, then every file channel: channel (full path for
 * files), type ("Console"/"File"), status ("Enabled"; "Disabled" while a
 * file's lines are lost), configuration (level
 * names, e.g. "NOTICE WARNING "). */
void log_channel_foreach(void (*h)(const char *channel, const char *type,
				   const char *status,
				   const char *configuration, void *arg),
			 void *arg);
/* Close every file channel (shutdown). */
void log_channels_close(void);
/* Register "logger show channels", "logger rotate" and "logger reload"
 * (log_cli.c). */
int log_cli_init(void);

#define log_error(...) \
	log_msg(LOG_LVL_ERROR, 0, __FILE__, __LINE__, __func__, __VA_ARGS__)
#define log_warning(...) \
	log_msg(LOG_LVL_WARNING, 0, __FILE__, __LINE__, __func__, __VA_ARGS__)
#define log_notice(...) \
	log_msg(LOG_LVL_NOTICE, 0, __FILE__, __LINE__, __func__, __VA_ARGS__)
#define log_verbose(n, ...) \
	log_msg(LOG_LVL_VERBOSE, (n), __FILE__, __LINE__, __func__, __VA_ARGS__)
#define log_debug(n, ...) \
	log_msg(LOG_LVL_DEBUG, (n), __FILE__, __LINE__, __func__, __VA_ARGS__)

#endif
