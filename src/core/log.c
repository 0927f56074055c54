/* log.c — formats and writes log lines (stderr and an optional file).
 * Not a log router: Asterisk's logger.conf channels come in a later issue. */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/time.h>
#include "core/log.h"

static int verbose_level = 3;
static int debug_level;
static int quiet;
static FILE *logfile;

void log_set_verbose(int level) { verbose_level = level; }
int log_get_verbose(void) { return verbose_level; }
void log_set_debug(int level) { debug_level = level; }
void log_set_quiet(int q) { quiet = q; }

int log_set_file(const char *path)
{
	if (logfile)
		fclose(logfile);
	logfile = NULL;
	if (!path)
		return 0;
	logfile = fopen(path, "a");
	return logfile ? 0 : -1;
}

static const char *level_name(enum log_level lvl)
{
	switch (lvl) {
	case LOG_LVL_DEBUG:   return "DEBUG";
	case LOG_LVL_VERBOSE: return "VERBOSE";
	case LOG_LVL_NOTICE:  return "NOTICE";
	case LOG_LVL_WARNING: return "WARNING";
	case LOG_LVL_ERROR:   return "ERROR";
	}
	return "?";
}

static void emit(const char *line)
{
	if (!quiet) {
		fputs(line, stderr);
		fflush(stderr);
	}
	if (logfile) {
		fputs(line, logfile);
		fflush(logfile);
	}
}

void log_msg(enum log_level lvl, int level, const char *file, int line,
	     const char *func, const char *fmt, ...)
{
	char msg[2048], out[2400], stamp[32];
	struct timeval tv;
	struct tm tm;
	const char *base;
	va_list ap;

	if (lvl == LOG_LVL_VERBOSE && level > verbose_level)
		return;
	if (lvl == LOG_LVL_DEBUG && level > debug_level)
		return;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);

	gettimeofday(&tv, NULL);
	localtime_r(&tv.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%b %e %H:%M:%S", &tm);

	if (lvl == LOG_LVL_VERBOSE) {
		snprintf(out, sizeof(out), "[%s]     -- %s\n", stamp, msg);
	}
	else {
		base = strrchr(file, '/');
		base = base ? base + 1 : file;
		snprintf(out, sizeof(out), "[%s] %s[%d]: %s:%d %s: %s\n",
			 stamp, level_name(lvl), (int)getpid(), base, line,
			 func, msg);
	}
	emit(out);
}
