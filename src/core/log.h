/* log.h — the one logging module, with Asterisk's levels and line format so
 * that users can grep what they are used to:
 *   [Nov 27 14:42:46] WARNING[1234]: stasis.c:88 app_create: Not creating ...
 * Verbose messages print as "    -- text" like Asterisk's console. */
#ifndef ARIADNE_LOG_H
#define ARIADNE_LOG_H

#include <stdarg.h>

enum log_level {
	LOG_LVL_DEBUG = 0,
	LOG_LVL_VERBOSE,
	LOG_LVL_NOTICE,
	LOG_LVL_WARNING,
	LOG_LVL_ERROR,
};

void log_msg(enum log_level lvl, int level, const char *file, int line,
	     const char *func, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

/* Verbosity (-v) gates VERBOSE(n); debug level gates DEBUG(n). */
void log_set_verbose(int level);
int log_get_verbose(void);
void log_set_debug(int level);
/* Send log lines to a file as well as stderr (NULL: stderr only). */
int log_set_file(const char *path);
/* Silence stderr output entirely (used by the -rx client). */
void log_set_quiet(int quiet);

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
