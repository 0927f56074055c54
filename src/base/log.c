/* log.c — formats and writes log lines: stderr (the console), an optional
 * file, and Asterisk-style log channels (files under the log directory, each
 * with its own set of levels) added at run time through ARI or the CLI,
 * or at start-up from logger.conf (log_conf.c). Files take whole lines
 * or none (base/linefile.h): a full disk loses lines, said once, and the
 * file is written again by itself once it can be. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/time.h>
#include "base/linefile.h"
#include "base/log.h"

/* A fixed table: channels are few, and static storage keeps the logger
 * usable before and after the allocator's lifetime (start-up, shutdown). */
#define LOG_CHANNELS_MAX 32

struct log_channel {
	char name[128];   /* as added, e.g. "ari-test" */
	char path[512];   /* <logdir>/<name> */
	unsigned mask;    /* 1 << enum log_level */
	bool used;        /* false: slot free */
	bool from_conf;   /* made by logger.conf: `logger reload` remakes it */
	struct linefile lf;
};

static struct log_channel channels[LOG_CHANNELS_MAX];

/* Every level but security, as Asterisk's console by default. */
#define CONSOLE_MASK_DEFAULT (~(1u << LOG_LVL_SECURITY))
static unsigned console_mask = CONSOLE_MASK_DEFAULT;
static int verbose_level = 3;
static int debug_level;
static int quiet;
static struct linefile logfile;
static bool logfile_used;
static char logdir[256] = ".";  /* where log channels are created */

void log_init(const char *dir)
{
	snprintf(logdir, sizeof(logdir), "%s", dir && *dir ? dir : ".");
}

void log_set_verbose(int level) { verbose_level = level; }
int log_get_verbose(void) { return verbose_level; }
void log_set_debug(int level) { debug_level = level; }
int log_get_debug(void) { return debug_level; }
void log_set_quiet(int q) { quiet = q; }

/* A file that stops taking lines, and takes them again: said once each,
 * on the console and in the other files (the failing one counts the line
 * as lost). */
static void report_file(const struct linefile *lf, int err,
			unsigned long lost, void *arg)
{
	(void)arg;
	if (err)
		log_warning("Unable to write log file '%s': %s; its lines are "
			    "lost until it can be written again", lf->path,
			    strerror(err));
	else
		log_notice("Log file '%s' written again (%lu line%s lost)",
			   lf->path, lost, lost == 1 ? "" : "s");
}

int log_set_file(const char *path)
{
	int err;

	if (logfile_used)
		linefile_close(&logfile);
	logfile_used = false;
	if (!path)
		return 0;
	err = linefile_open(&logfile, path, report_file, NULL);
	logfile_used = true;   /* retried at each line if it failed */
	return err ? -1 : 0;
}

static const char *level_name(enum log_level lvl)
{
	switch (lvl) {
	case LOG_LVL_DEBUG:   return "DEBUG";
	case LOG_LVL_VERBOSE: return "VERBOSE";
	case LOG_LVL_NOTICE:  return "NOTICE";
	case LOG_LVL_WARNING: return "WARNING";
	case LOG_LVL_ERROR:   return "ERROR";
	case LOG_LVL_SECURITY: return "SECURITY";
	}
	return "?";
}

/* `line` to the console, `fline` (NULL: the same) to the files: each in
 * the layout Asterisk's logger gives that kind of channel. */
static void emit(enum log_level lvl, const char *line, const char *fline)
{
	if (!fline)
		fline = line;
	if (!quiet && (console_mask & (1u << lvl))) {
		fputs(line, stderr);
		fflush(stderr);
	}
	if (logfile_used)
		(void)linefile_write(&logfile, fline, strlen(fline));
	for (int i = 0; i < LOG_CHANNELS_MAX; i++) {
		struct log_channel *c = &channels[i];

		if (!c->used || !(c->mask & (1u << lvl)))
			continue;
		(void)linefile_write(&c->lf, fline, strlen(fline));
	}
}

bool log_level_wanted(enum log_level lvl)
{
	if ((!quiet && (console_mask & (1u << lvl))) || logfile_used)
		return true;
	for (int i = 0; i < LOG_CHANNELS_MAX; i++)
		if (channels[i].used && (channels[i].mask & (1u << lvl)))
			return true;
	return false;
}

/* ---- log channels -------------------------------------------------------- */

/* In the order Asterisk prints a channel's configuration. */
static const struct {
	const char *name;
	enum log_level lvl;
} level_names[] = {
	{"DEBUG", LOG_LVL_DEBUG},     {"NOTICE", LOG_LVL_NOTICE},
	{"WARNING", LOG_LVL_WARNING}, {"ERROR", LOG_LVL_ERROR},
	{"VERBOSE", LOG_LVL_VERBOSE}, {"SECURITY", LOG_LVL_SECURITY},
};

#define NLEVELS (sizeof(level_names) / sizeof(level_names[0]))

/* "notice,warning" → mask; unknown names (dtmf, fax) are ignored, as
 * Asterisk ignores levels it does not know. */
static unsigned parse_levels(const char *levels)
{
	char buf[256], *save = NULL, *tok;
	unsigned mask = 0;

	snprintf(buf, sizeof(buf), "%s", levels ? levels : "");
	for (tok = strtok_r(buf, ", \t", &save); tok;
	     tok = strtok_r(NULL, ", \t", &save)) {
		char *paren = strchr(tok, '(');

		if (paren) /* verbose(3): per-channel verbosity not kept */
			*paren = '\0';
		if (!strcmp(tok, "*")) {
			mask = ~0u;
			continue;
		}
		for (size_t i = 0; i < NLEVELS; i++)
			if (!strcasecmp(tok, level_names[i].name))
				mask |= 1u << level_names[i].lvl;
	}
	return mask;
}

static void mask_str(unsigned mask, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < NLEVELS && len < size; i++) {
		if (mask & (1u << level_names[i].lvl))
			len += snprintf(buf + len, size - len, "%s ",
					level_names[i].name);
	}
}

static struct log_channel *logchan_find(const char *name)
{
	for (int i = 0; name && i < LOG_CHANNELS_MAX; i++) {
		struct log_channel *c = &channels[i];

		if (c->used &&
		    (!strcmp(c->name, name) || !strcmp(c->path, name)))
			return c;
	}
	return NULL;
}

static bool name_ok(const char *name)
{
	return name && *name && strlen(name) < sizeof(channels[0].name) &&
	       !strchr(name, '/') && strcmp(name, ".") && strcmp(name, "..");
}

int log_set_console_levels(const char *levels)
{
	unsigned mask = parse_levels(levels);

	if (!mask)
		return EINVAL;
	console_mask = mask;
	return 0;
}

static int channel_add(const char *name, const char *levels, bool keep)
{
	struct log_channel *slot = NULL;
	unsigned mask;
	char path[sizeof(slot->path)];
	int err;

	if (!name_ok(name))
		return EINVAL;
	mask = parse_levels(levels);
	if (!mask)
		return EINVAL;
	if (logchan_find(name))
		return EEXIST;
	for (int i = 0; i < LOG_CHANNELS_MAX && !slot; i++)
		if (!channels[i].used)
			slot = &channels[i];
	if (!slot)
		return ENOSPC;
	snprintf(path, sizeof(path), "%s/%s", logdir, name);
	err = linefile_open(&slot->lf, path, keep ? report_file : NULL,
			    NULL);
	if (err && !keep) {
		log_warning("Unable to open log file '%s': %s", path,
			    strerror(err));
		return err;
	}
	slot->lf.report = report_file;
	snprintf(slot->name, sizeof(slot->name), "%s", name);
	snprintf(slot->path, sizeof(slot->path), "%s", path);
	slot->mask = mask;
	slot->used = true;
	slot->from_conf = keep;
	log_verbose(2, "Added log channel '%s'", slot->path);
	return 0;
}

int log_channel_add(const char *name, const char *levels)
{
	return channel_add(name, levels, false);
}

int log_channel_add_kept(const char *name, const char *levels)
{
	return channel_add(name, levels, true);
}

int log_channel_remove(const char *name)
{
	struct log_channel *c = logchan_find(name);

	if (!c)
		return ENOENT;
	linefile_close(&c->lf);
	c->used = false;
	log_verbose(2, "Removed log channel '%s'", c->path);
	return 0;
}

int log_channel_rotate(const char *name)
{
	struct log_channel *c = logchan_find(name);
	char old[600];
	struct stat st;
	int n, err;

	if (!c)
		return ENOENT;
	for (n = 0; n < 10000; n++) {
		snprintf(old, sizeof(old), "%s.%d", c->path, n);
		if (stat(old, &st) && errno == ENOENT)
			break;
	}
	if (rename(c->path, old)) {
		err = errno;
		log_warning("Unable to rename file '%s' to '%s': %s", c->path,
			    old, strerror(err));
		return err;
	}
	linefile_close(&c->lf);
	/* a file that cannot be made now is retried at the next line */
	err = linefile_open(&c->lf, c->path, report_file, NULL);
	return err;
}

void log_channel_rotate_all(void)
{
	for (int i = 0; i < LOG_CHANNELS_MAX; i++)
		if (channels[i].used)
			log_channel_rotate(channels[i].name);
}

void log_channel_foreach(void (*h)(const char *channel, const char *type,
				   const char *status,
				   const char *configuration, void *arg),
			 void *arg)
{
	char conf[128];

	if (!quiet) {
		/* Verbosity and debug level still decide which VERBOSE/DEBUG
		 * lines exist at all. */
		mask_str(console_mask, conf, sizeof(conf));
		h("console", "Console", "Enabled", conf, arg);
	}
	for (int i = 0; i < LOG_CHANNELS_MAX; i++) {
		if (!channels[i].used)
			continue;
		mask_str(channels[i].mask, conf, sizeof(conf));
		/* while its lines are lost, as Asterisk says of a file it
		 * cannot write */
		h(channels[i].path, "File",
		  channels[i].lf.err ? "Disabled" : "Enabled", conf, arg);
	}
}

void log_config_forget(void)
{
	console_mask = CONSOLE_MASK_DEFAULT;
	for (int i = 0; i < LOG_CHANNELS_MAX; i++) {
		if (!channels[i].used || !channels[i].from_conf)
			continue;
		linefile_close(&channels[i].lf);
		channels[i].used = false;
	}
}

void log_channels_close(void)
{
	for (int i = 0; i < LOG_CHANNELS_MAX; i++) {
		if (channels[i].used)
			linefile_close(&channels[i].lf);
		channels[i].used = false;
	}
}

static void stamp_now(char *buf, size_t size)
{
	struct timeval tv;
	struct tm tm;

	gettimeofday(&tv, NULL);
	localtime_r(&tv.tv_sec, &tm);
	strftime(buf, size, "%b %e %H:%M:%S", &tm);
}

/* Asterisk's file-channel format (logger.c, LOGTYPE_FILE) with the file
 * name its res_security_log.c gives, so that filters written against
 * Asterisk's security log (fail2ban's asterisk.conf) read ours. */
void log_security(const char *msg)
{
	char out[2400], stamp[32];

	stamp_now(stamp, sizeof(stamp));
	snprintf(out, sizeof(out), "[%s] SECURITY[%d] res_security_log.c: %s\n",
		 stamp, (int)getpid(), msg);
	emit(LOG_LVL_SECURITY, out, NULL);
}

void log_msg(enum log_level lvl, int level, const char *file, int line,
	     const char *func, const char *fmt, ...)
{
	char msg[2048], out[2400], fout[2400], stamp[32];
	const char *base;
	va_list ap;

	if (lvl == LOG_LVL_VERBOSE && level > verbose_level)
		return;
	if (lvl == LOG_LVL_DEBUG && level > debug_level)
		return;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);

	stamp_now(stamp, sizeof(stamp));
	base = strrchr(file, '/');
	base = base ? base + 1 : file;
	/* Asterisk's console layout here; its file layout (logger.c,
	 * LOGTYPE_FILE: no line, no function, verbose lines labelled) for
	 * messages, full and the other files, which scripts grep */
	if (lvl == LOG_LVL_VERBOSE) {
		snprintf(out, sizeof(out), "[%s]     -- %s\n", stamp, msg);
		snprintf(fout, sizeof(fout), "[%s] VERBOSE[%d] %s:     -- %s\n",
			 stamp, (int)getpid(), base, msg);
	}
	else {
		snprintf(out, sizeof(out), "[%s] %s[%d]: %s:%d %s: %s\n",
			 stamp, level_name(lvl), (int)getpid(), base, line,
			 func, msg);
		snprintf(fout, sizeof(fout), "[%s] %s[%d] %s: %s\n", stamp,
			 level_name(lvl), (int)getpid(), base, msg);
	}
	emit(lvl, out, fout);
}

const char *log_peer_text(char *out, size_t size, const char *in, size_t n)
{
	size_t k = 0;

	if (!size)
		return out;
	for (size_t i = 0; in && i < n && in[i] && k + 1 < size; i++) {
		unsigned char c = (unsigned char)in[i];

		out[k++] = c < 0x20 || c == 0x7f || c == '\'' || c == '"' ||
			   c == '(' || c == ')' || c == '\\' ? '?' : (char)c;
	}
	out[k] = '\0';
	return out;
}
