/* options.c — process-wide settings: defaults, then ariadne.conf
 * [directories] and [options] (Asterisk's option names), the directories
 * made on disk, and the system identity (entity id, name, start time).
 * Not the command line: main.c applies -C/-v/-f on top of these. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <stdbool.h>
#include <time.h>
#include <unistd.h>
#include <sys/time.h>
#include <stdint.h>
#include <inttypes.h>
#include <re_types.h>
#include <re_fmt.h>
#include <re_mem.h>
#include "base/config.h"
#include "base/log.h"
#include "base/dirs.h"
#include "base/options.h"

struct options options;

static char ctl_path[300];

static void copy(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src ? src : "");
}

/* A directory that cannot be made is worth a warning, not a stop: the
 * server runs fine without a log or data dir until something writes. */
static void make_dirs(const char *path)
{
	char failed[512];
	int err;

	if (!path || !*path)
		return;
	err = dirs_make(path, failed, sizeof(failed));
	if (err)
		log_warning("Unable to create directory %s: %s", failed,
			    strerror(err));
}

/* A MAC read from sysfs: six hex pairs, and not all zero. */
static bool mac_valid(const char *s)
{
	unsigned v[6];
	int n = 0;

	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%n", &v[0], &v[1], &v[2], &v[3],
		   &v[4], &v[5], &n) != 6 || n != 17)
		return false;
	return (v[0] | v[1] | v[2] | v[3] | v[4] | v[5]) != 0;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The first non-loopback interface in name order, like Asterisk's
 * set_default_eid() walking the interfaces. */
static bool eid_from_nic(char *eid, size_t size)
{
	DIR *d = opendir("/sys/class/net");
	struct dirent *de;
	char *names[64];
	size_t n = 0, i;
	bool found = false;

	if (!d)
		return false;
	while ((de = readdir(d)) && n < 64) {
		if (de->d_name[0] == '.' || !strcmp(de->d_name, "lo"))
			continue;
		names[n] = NULL;
		if (!str_dup(&names[n], de->d_name))
			n++;
	}
	closedir(d);
	qsort(names, n, sizeof(names[0]), name_cmp);

	for (i = 0; i < n; i++) {
		char path[320], addr[64] = "";
		FILE *f;

		if (found)
			break;
		snprintf(path, sizeof(path), "/sys/class/net/%s/address",
			 names[i]);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(addr, sizeof(addr), f)) {
			addr[strcspn(addr, "\r\n")] = '\0';
			for (char *p = addr; *p; p++)
				*p = (char)tolower((unsigned char)*p);
			if (mac_valid(addr)) {
				copy(eid, size, addr);
				found = true;
			}
		}
		fclose(f);
	}
	for (i = 0; i < n; i++)
		mem_deref(names[i]);
	return found;
}

static void eid_random(char *eid, size_t size)
{
	unsigned char b[6] = {0};
	int fd = open("/dev/urandom", O_RDONLY);
	bool ok = false;

	if (fd >= 0) {
		ok = read(fd, b, sizeof(b)) == (ssize_t)sizeof(b);
		close(fd);
	}
	if (!ok) {
		struct timeval tv;
		gettimeofday(&tv, NULL);
		srand((unsigned)(tv.tv_usec ^ tv.tv_sec ^ getpid()));
		for (size_t i = 0; i < sizeof(b); i++)
			b[i] = (unsigned char)rand();
	}
	/* unicast, locally administered (IEEE 802: bit 0 clear, bit 1 set) */
	b[0] = (unsigned char)((b[0] & 0xfe) | 0x02);
	snprintf(eid, size, "%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2],
		 b[3], b[4], b[5]);
}

/* The system directories need root. Another user running `make run` gets
 * the same layout under $XDG_STATE_HOME (default ~/.local/state)/ariadne, so
 * that the server and its -rx client agree on the CLI socket without any
 * configuration. */
static void user_default_dirs(void)
{
	const char *state = getenv("XDG_STATE_HOME");
	const char *home = getenv("HOME");
	char base[200];

	if (geteuid() == 0)
		return;
	if (state && *state)
		snprintf(base, sizeof(base), "%s/ariadne", state);
	else if (home && *home)
		snprintf(base, sizeof(base), "%s/.local/state/ariadne", home);
	else
		snprintf(base, sizeof(base), "/tmp/ariadne-%u",
			 (unsigned)geteuid());
	snprintf(options.logdir, sizeof(options.logdir), "%s/log", base);
	snprintf(options.rundir, sizeof(options.rundir), "%s/run", base);
	snprintf(options.datadir, sizeof(options.datadir), "%s/lib", base);
	snprintf(options.spooldir, sizeof(options.spooldir), "%s/spool", base);
}

static void dir_option(const struct config *cfg, const char *name, char *dst,
		       size_t size)
{
	const char *v = config_get(cfg, "directories", name);

	if (v && *v)
		copy(dst, size, v);
}

/* A whole number >= 0 for `*dst`; anything else keeps the default with a
 * warning (Asterisk silently turns a bad maxcalls into 0, "no limit",
 * which is the opposite of what whoever wrote the line wanted). */
static void int_option(const struct config_var *var, int *dst)
{
	char *end;
	long v = strtol(var->value, &end, 10);

	if (end == var->value || *end || v < 0 || v > 1000000000)
		log_warning("%s:%u: Invalid %s '%s'", var->file, var->line,
			    var->name, var->value);
	else
		*dst = (int)v;
}

static void double_option(const struct config_var *var, double *dst)
{
	char *end;
	double v = strtod(var->value, &end);

	if (end == var->value || *end || !(v >= 0))
		log_warning("%s:%u: Invalid %s '%s'", var->file, var->line,
			    var->name, var->value);
	else
		*dst = v;
}

/* The whole-number options of [options]: name and where it goes. */
static const struct {
	const char *name;
	int *dst;
} int_options[] = {
	{"maxcalls", &options.maxcalls},
	{"maxlag", &options.maxlag},
	{"maxsetup", &options.maxsetup},
	{"maxbacklog", &options.maxbacklog},
	{"sendpacing", &options.sendpacing},
	{"overload_retry_after", &options.overload_retry_after},
	{"authfail_limit", &options.authfail_limit},
	{"authfail_window", &options.authfail_window},
	{"authfail_maxdelay", &options.authfail_maxdelay},
};

/* A whole-number option by name; false when `var` is not one. */
static bool load_int_option(const struct config_var *var)
{
	for (size_t i = 0; i < sizeof(int_options) / sizeof(int_options[0]);
	     i++) {
		if (!strcasecmp(var->name, int_options[i].name)) {
			int_option(var, int_options[i].dst);
			return true;
		}
	}
	return false;
}

static void load_options(const struct config *cfg)
{
	const struct config_section *sec = config_section_find(cfg, "options");
	const struct config_var *var;

	if (!sec)
		return;
	for (var = sec->vars; var; var = var->next) {
		if (load_int_option(var))
			continue;
		if (!strcasecmp(var->name, "verbose")) {
			char *end;
			long v = strtol(var->value, &end, 10);
			if (end == var->value || *end || v < 0 || v > 100)
				log_warning("%s:%u: Invalid verbose level '%s'",
					    var->file, var->line, var->value);
			else
				options.verbose = (int)v;
		}
		else if (!strcasecmp(var->name, "defaultlanguage")) {
			if (*var->value)
				copy(options.default_language,
				     sizeof(options.default_language),
				     var->value);
		}
		else if (!strcasecmp(var->name, "highpriority")) {
			options.highpriority = config_true(var->value);
		}
		else if (!strcasecmp(var->name, "transmit_silence")) {
			options.transmit_silence = config_true(var->value);
		}
		else if (!strcasecmp(var->name, "sendthread")) {
			options.sendthread = !strcasecmp(var->value, "auto") ?
					     -1 : config_true(var->value);
		}
		else if (!strcasecmp(var->name, "systemname")) {
			copy(options.system_name, sizeof(options.system_name),
			     var->value);
		}
		else if (!strcasecmp(var->name, "maxload"))
			double_option(var, &options.maxload);
	}
}

void options_load(const struct config *cfg, const char *confdir)
{
	char host[256] = "";

	memset(&options, 0, sizeof(options));
	copy(options.confdir, sizeof(options.confdir),
	     confdir && *confdir ? confdir : "/etc/ariadne");
	copy(options.logdir, sizeof(options.logdir), "/var/log/ariadne");
	copy(options.rundir, sizeof(options.rundir), "/var/run/ariadne");
	copy(options.datadir, sizeof(options.datadir), "/var/lib/ariadne");
	copy(options.spooldir, sizeof(options.spooldir), "/var/spool/ariadne");
	user_default_dirs();
	copy(options.default_language, sizeof(options.default_language), "en");
	options.verbose = 3;
	options.maxlag = 100;
	options.maxbacklog = 50;
	options.sendthread = -1;
	options.sendpacing = 5;
	options.overload_retry_after = 5;
	options.authfail_limit = 5;
	options.authfail_window = 60;
	options.authfail_maxdelay = 4000;
	if (gethostname(host, sizeof(host) - 1) == 0)
		copy(options.system_name, sizeof(options.system_name), host);

	if (cfg) {
		dir_option(cfg, "astlogdir", options.logdir,
			   sizeof(options.logdir));
		dir_option(cfg, "astrundir", options.rundir,
			   sizeof(options.rundir));
		dir_option(cfg, "astdatadir", options.datadir,
			   sizeof(options.datadir));
		dir_option(cfg, "astspooldir", options.spooldir,
			   sizeof(options.spooldir));
		load_options(cfg);
	}
	if (options.sendpacing > SENDPACING_MAX) {
		log_warning("sendpacing %d ms is more than a media tick can "
			    "wait; using %d", options.sendpacing,
			    SENDPACING_MAX);
		options.sendpacing = SENDPACING_MAX;
	}

	make_dirs(options.logdir);
	make_dirs(options.rundir);
	make_dirs(options.datadir);
	/* Not the spool: the recordings make their directory when the first
	 * one is written, so a server that never records leaves no trace. */

	if (!eid_from_nic(options.entity_id, sizeof(options.entity_id)))
		eid_random(options.entity_id, sizeof(options.entity_id));

	gettimeofday(&options.startup_time, NULL);
	/* Asterisk counts start-up as the first reload ("Last reload:"). */
	options.reload_time = options.startup_time;
	snprintf(ctl_path, sizeof(ctl_path), "%s/ariadne.ctl", options.rundir);
}

const char *options_ctl_path(void)
{
	if (!ctl_path[0])
		snprintf(ctl_path, sizeof(ctl_path), "%s/ariadne.ctl",
			 options.rundir[0] ? options.rundir
					   : "/var/run/ariadne");
	return ctl_path;
}
