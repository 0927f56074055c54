/* cli_core.c — the built-in "core ..." CLI commands: version, uptime,
 * channels, one channel, hanging channels up, verbosity and debug level;
 * the stop commands are shutdown.c's. Output follows Asterisk's main/cli.c
 * and main/asterisk.c formats so that scripts written against
 * `asterisk -rx` keep working. Module commands (dialplan, ari) register
 * themselves elsewhere. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/utsname.h>
#include <re_types.h>
#include <re_mem.h>
#include "core/bridge.h"
#include "core/channel.h"
#include "core/cli_core.h"
#include "core/overload.h"
#include "core/shutdown.h"
#include "base/cli.h"
#include "base/log.h"
#include "base/options.h"

#ifndef ARIADNE_VERSION
#define ARIADNE_VERSION "0.0.0"
#endif
/* The Makefile may pass these; Asterisk bakes them in at build time too. */
#ifndef ARIADNE_BUILD_USER
#define ARIADNE_BUILD_USER "unknown"
#endif
#ifndef ARIADNE_BUILD_HOST
#define ARIADNE_BUILD_HOST "unknown"
#endif
#ifndef ARIADNE_BUILD_DATE
#define ARIADNE_BUILD_DATE __DATE__ " " __TIME__
#endif

#define ESS(n) ((n) == 1 ? "" : "s")

static int show_version(struct cli_out *out, int argc, char *argv[])
{
	struct utsname u;
	const char *machine = "unknown", *os = "unknown";

	if (argc)
		return EINVAL;
	if (uname(&u) == 0) {
		machine = u.machine;
		os = u.sysname;
	}
	cli_printf(out, "ariadne %s built by %s @ %s on a %s running %s on %s\n",
		   ARIADNE_VERSION, ARIADNE_BUILD_USER, ARIADNE_BUILD_HOST,
		   machine, os, ARIADNE_BUILD_DATE);
	return 0;
}

static void setting(struct cli_out *out, const char *name, const char *value)
{
	cli_printf(out, "  %-29s%s\n", name, value ? value : "");
}

static const char *clock_time(char *buf, size_t size, const struct timeval *tv)
{
	struct tm tm;
	time_t t = tv->tv_sec;

	if (!t || !localtime_r(&t, &tm) || !strftime(buf, size, "%H:%M:%S", &tm))
		snprintf(buf, size, "%s", "");
	return buf;
}

/* `core show settings`: Asterisk's core block and directories, the lines
 * ariadne has (the same labels, so that scripts find them). */
static int show_settings(struct cli_out *out, int argc, char *argv[])
{
	char v[320];
	struct utsname u;
	struct rlimit rl;

	(void)argv;
	if (argc)
		return EINVAL;
	cli_printf(out, "\nPBX Core settings\n-----------------\n");
	setting(out, "Version:", ARIADNE_VERSION);
	snprintf(v, sizeof(v), "%d", options.maxcalls);
	setting(out, "Maximum calls:", options.maxcalls > 0 ? v : "Not set");
	if (!getrlimit(RLIMIT_NOFILE, &rl))
		snprintf(v, sizeof(v), "%llu", (unsigned long long)rl.rlim_cur);
	else
		snprintf(v, sizeof(v), "%s", "Unknown");
	setting(out, "Maximum open file handles:", v);
	snprintf(v, sizeof(v), "%d", options.verbose);
	setting(out, "Root console verbosity:", v);
	snprintf(v, sizeof(v), "%d", log_get_verbose());
	setting(out, "Current console verbosity:", v);
	snprintf(v, sizeof(v), "%f", options.maxload);
	setting(out, "Maximum load average:", v);
	setting(out, "Startup time:", clock_time(v, sizeof(v),
						 &options.startup_time));
	setting(out, "Last reload time:", clock_time(v, sizeof(v),
						     &options.reload_time));
	if (!uname(&u))
		snprintf(v, sizeof(v), "%s/%s built by %s on %s %s", u.sysname,
			 u.release, ARIADNE_BUILD_USER, u.machine,
			 ARIADNE_BUILD_DATE);
	else
		snprintf(v, sizeof(v), "%s", "Unknown");
	setting(out, "System:", v);
	setting(out, "System name:", options.system_name);
	setting(out, "Entity ID:", options.entity_id);
	setting(out, "Default language:", options.default_language);
	cli_printf(out, "\n* Directories\n  -------------\n");
	setting(out, "Configuration directory:", options.confdir);
	setting(out, "Spool directory:", options.spooldir);
	setting(out, "Log directory:", options.logdir);
	setting(out, "Run/Sockets directory:", options.rundir);
	setting(out, "Data directory:", options.datadir);
	cli_printf(out, "\n");
	return 0;
}

/* Asterisk's print_uptimestr(): "1 hour, 2 minutes, 3 seconds " (the
 * trailing blank is Asterisk's too). */
static void print_uptime(struct cli_out *out, long secs, const char *prefix,
			 bool printsec)
{
	static const struct {
		long len;
		const char *name;
	} units[] = {
		{86400L * 365, "year"}, {86400L * 7, "week"}, {86400L, "day"},
		{3600L, "hour"},        {60L, "minute"},
	};
	char buf[256];
	size_t len = 0;

	if (secs < 0)
		return;
	if (printsec) {
		cli_printf(out, "%s: %ld\n", prefix, secs);
		return;
	}
	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		long x;

		if (secs <= units[i].len)
			continue;
		x = secs / units[i].len;
		secs -= x * units[i].len;
		len += (size_t)snprintf(buf + len, sizeof(buf) - len,
					"%ld %s%s%s ", x, units[i].name, ESS(x),
					secs ? "," : "");
	}
	if (secs > 0 || len == 0)
		snprintf(buf + len, sizeof(buf) - len, "%ld second%s ", secs,
			 ESS(secs));
	cli_printf(out, "%s: %s\n", prefix, buf);
}

static int show_uptime(struct cli_out *out, int argc, char *argv[])
{
	struct timeval now;
	bool printsec = false;

	if (argc == 1 && !strcasecmp(argv[0], "seconds"))
		printsec = true;
	else if (argc)
		return EINVAL;
	gettimeofday(&now, NULL);
	if (options.startup_time.tv_sec)
		print_uptime(out, now.tv_sec - options.startup_time.tv_sec,
			     "System uptime", printsec);
	if (options.reload_time.tv_sec)
		print_uptime(out, now.tv_sec - options.reload_time.tv_sec,
			     "Last reload", printsec);
	return 0;
}

/* main/cli.c handle_chanlist() formats */
#define FORMAT_STRING "%-64.64s %-32.32s %-7.7s %-30.30s\n"
#define CONCISE_FORMAT_STRING "%s!%s!%s!%d!%s!%s!%s!%s!%s!%s!%d!%s!%s!%s\n"
#define VERBOSE_FORMAT_STRING                                                 \
	"%-80.80s %-24.24s %-24.24s %4d %-7.7s %-12.12s %-25.25s %-15.15s "  \
	"%8.8s %-11.11s %-11.11s %-20.20s\n"
#define VERBOSE_FORMAT_STRING2                                                \
	"%-80.80s %-24.24s %-24.24s %-4.4s %-7.7s %-12.12s %-25.25s %-15.15s " \
	"%8.8s %-11.11s %-11.11s %-20.20s\n"

enum chanlist_mode { LIST_NORMAL, LIST_CONCISE, LIST_VERBOSE, LIST_COUNT };

struct chanlist {
	struct cli_out *out;
	enum chanlist_mode mode;
	struct timeval now;
	int calls;
};

/* "AMA flags" of a channel: Asterisk defaults every channel to
 * DOCUMENTATION (3) and ariadne has no way to change it yet. */
enum { AMA_DOCUMENTATION = 3 };

static bool chanlist_one(struct channel *ch, void *arg)
{
	struct chanlist *cl = arg;
	const struct timeval *ct = channel_creationtime(ch);
	const char *appl = channel_appl(ch), *data = channel_data(ch);
	char durbuf[32] = "-";

	if (channel_pbx(ch))
		cl->calls++;
	if (cl->mode == LIST_COUNT)
		return false;

	if (cl->mode != LIST_NORMAL && ct && ct->tv_sec) {
		long d = cl->now.tv_sec - ct->tv_sec;
		if (d < 0)
			d = 0;
		if (cl->mode == LIST_VERBOSE)
			snprintf(durbuf, sizeof(durbuf), "%02ld:%02ld:%02ld",
				 d / 3600, (d % 3600) / 60, d % 60);
		else
			snprintf(durbuf, sizeof(durbuf), "%ld", d);
	}

	switch (cl->mode) {
	case LIST_CONCISE:
		cli_printf(cl->out, CONCISE_FORMAT_STRING, channel_name(ch),
			   channel_context(ch), channel_exten(ch),
			   channel_priority(ch),
			   channel_state_str(channel_state(ch)),
			   *appl ? appl : "(None)", data, channel_caller_num(ch),
			   channel_accountcode(ch), "", AMA_DOCUMENTATION,
			   durbuf, "", channel_id(ch));
		break;
	case LIST_VERBOSE:
		cli_printf(cl->out, VERBOSE_FORMAT_STRING, channel_name(ch),
			   channel_context(ch), channel_exten(ch),
			   channel_priority(ch),
			   channel_state_str(channel_state(ch)),
			   *appl ? appl : "(None)", *data ? data : "(Empty)",
			   channel_caller_num(ch), durbuf,
			   channel_accountcode(ch), "", "");
		break;
	default: {
		char locbuf[64] = "(None)", appdata[64] = "(None)";

		if (*channel_context(ch) && *channel_exten(ch))
			snprintf(locbuf, sizeof(locbuf), "%s@%s:%d",
				 channel_exten(ch), channel_context(ch),
				 channel_priority(ch));
		if (*appl)
			snprintf(appdata, sizeof(appdata), "%s(%s)", appl, data);
		cli_printf(cl->out, FORMAT_STRING, channel_name(ch), locbuf,
			   channel_state_str(channel_state(ch)), appdata);
		break;
	}
	}
	return false;
}

/* The lines Asterisk ends `core show channels` and `core show calls`
 * with (main/cli.c), the limit when [options] maxcalls is set. Against the
 * limit the figure is what the limit counts (core/overload.c: channels, a
 * Local pair counting two), so that "2 of 2" is shown when the next call
 * is refused. */
static void print_calls(struct cli_out *out, int calls)
{
	unsigned long done = channel_calls_processed();

	if (options.maxcalls > 0) {
		int used = (int)channel_count();

		cli_printf(out, "%d of %d max active call%s (%5.2f%% of "
			   "capacity)\n", used, options.maxcalls,
			   ESS(options.maxcalls),
			   100.0 * used / options.maxcalls);
	}
	else
		cli_printf(out, "%d active call%s\n", calls, ESS(calls));
	cli_printf(out, "%lu call%s processed\n", done, ESS(done));
}

static int show_channels(struct cli_out *out, int argc, char *argv[])
{
	struct chanlist cl = {.out = out, .mode = LIST_NORMAL};
	int n;

	if (argc == 1) {
		if (!strcasecmp(argv[0], "concise"))
			cl.mode = LIST_CONCISE;
		else if (!strcasecmp(argv[0], "verbose"))
			cl.mode = LIST_VERBOSE;
		else if (!strcasecmp(argv[0], "count"))
			cl.mode = LIST_COUNT;
		else
			return EINVAL;
	}
	else if (argc) {
		return EINVAL;
	}
	gettimeofday(&cl.now, NULL);

	if (cl.mode == LIST_NORMAL)
		cli_printf(out, FORMAT_STRING, "Channel", "Location", "State",
			   "Application(Data)");
	else if (cl.mode == LIST_VERBOSE)
		cli_printf(out, VERBOSE_FORMAT_STRING2, "Channel", "Context",
			   "Extension", "Priority", "State", "Application",
			   "Data", "CallerID", "Duration", "Accountcode",
			   "PeerAccount", "BridgeID");

	channel_foreach(chanlist_one, &cl);

	if (cl.mode != LIST_CONCISE) {
		n = (int)channel_count();
		cli_printf(out, "%d active channel%s\n", n, ESS(n));
		print_calls(out, cl.calls);
	}
	return 0;
}

/* core show calls [uptime [seconds]], as Asterisk's handle_showcalls. */
static int show_calls(struct cli_out *out, int argc, char *argv[])
{
	struct timeval now;
	struct chanlist cl = {.out = out, .mode = LIST_COUNT};

	if (argc > 2 || (argc >= 1 && strcasecmp(argv[0], "uptime")) ||
	    (argc == 2 && strcasecmp(argv[1], "seconds")))
		return EINVAL;
	channel_foreach(chanlist_one, &cl);
	print_calls(out, cl.calls);
	gettimeofday(&now, NULL);
	if (argc && options.startup_time.tv_sec)
		print_uptime(out, now.tv_sec - options.startup_time.tv_sec,
			     "System uptime", argc == 2);
	return 0;
}

static void print_var(const char *name, const char *value, void *arg)
{
	cli_printf(arg, "%s=%s\n", name, value);
}

/* What a layer above knows of a channel's audio (cli_core.h). */
static cli_core_format_h *format_h;

void cli_core_format_set(cli_core_format_h *h)
{
	format_h = h;
}

static const char *or_na(const char *s)
{
	return *s ? s : "(N/A)";
}

/* A channel by name or uniqueid, as ast_channel_get_by_name(); NULL after
 * Asterisk's "<name> is not a known channel". */
static struct channel *known_channel(struct cli_out *out, const char *name)
{
	struct channel *ch = channel_find_by_name(name);

	if (!ch)
		ch = channel_find(name);
	if (!ch)
		cli_printf(out, "%s is not a known channel\n", name);
	return ch;
}

/* Asterisk's handle_showchan(), with what ariadne knows: it has no call
 * groups, no absolute timeout and no call identifiers (Asterisk's values
 * when none is set), and no privacy, so the effective connected line is
 * the connected line. */
static int show_channel(struct cli_out *out, int argc, char *argv[])
{
	struct channel *ch;
	struct bridge *b;
	struct timeval now;
	const struct timeval *ct;
	char elapsed[48] = "N/A", fmt[32] = "", native[40] = "(nothing)";

	if (argc != 1)
		return EINVAL;
	ch = known_channel(out, argv[0]);
	if (!ch)
		return 0;
	gettimeofday(&now, NULL);
	ct = channel_creationtime(ch);
	if (ct && ct->tv_sec) {
		long el = now.tv_sec - ct->tv_sec;

		snprintf(elapsed, sizeof(elapsed), "%ldh%ldm%lds", el / 3600,
			 (el % 3600) / 60, el % 60);
	}
	if (format_h && format_h(ch, fmt, sizeof(fmt)))
		snprintf(native, sizeof(native), "(%s)", fmt);
	else
		snprintf(fmt, sizeof(fmt), "%s", "(none)");
	b = bridge_of_channel(ch);

	cli_printf(out,
		   " -- General --\n"
		   "           Name: %s\n"
		   "           Type: %s\n"
		   "       UniqueID: %s\n"
		   "       LinkedID: %s\n"
		   "      Caller ID: %s\n"
		   " Caller ID Name: %s\n"
		   "Connected Line ID: %s\n"
		   "Connected Line ID Name: %s\n"
		   "Eff. Connected Line ID: %s\n"
		   "Eff. Connected Line ID Name: %s\n"
		   "    DNID Digits: %s\n"
		   "       Language: %s\n"
		   "          State: %s (%d)\n",
		   channel_name(ch), channel_tech_type(ch), channel_id(ch),
		   channel_linkedid(ch), or_na(channel_caller_num(ch)),
		   or_na(channel_caller_name(ch)),
		   or_na(channel_connected_num(ch)),
		   or_na(channel_connected_name(ch)),
		   or_na(channel_connected_num(ch)),
		   or_na(channel_connected_name(ch)), "(N/A)",
		   channel_language(ch), channel_state_str(channel_state(ch)),
		   (int)channel_state(ch));
	/* ariadne hands a channel's audio over in the channel's own format:
	 * nothing to transcode at the channel (a translation path is empty,
	 * hence "No " as Asterisk prints it) */
	cli_printf(out,
		   "  NativeFormats: %s\n"
		   "    WriteFormat: %s\n"
		   "     ReadFormat: %s\n"
		   " WriteTranscode: No \n"
		   "  ReadTranscode: No \n"
		   " Time to Hangup: 0\n"
		   "   Elapsed Time: %s\n"
		   "      Bridge ID: %s\n",
		   native, fmt, fmt, elapsed, b ? bridge_id(b) : "(Not bridged)");
	cli_printf(out,
		   " --   PBX   --\n"
		   "        Context: %s\n"
		   "      Extension: %s\n"
		   "       Priority: %d\n"
		   "     Call Group: 0\n"
		   "   Pickup Group: 0\n"
		   "    Application: %s\n"
		   "           Data: %s\n"
		   " Call Identifer: (None)\n",
		   channel_context(ch), channel_exten(ch), channel_priority(ch),
		   or_na(channel_appl(ch)),
		   *channel_data(ch) ? channel_data(ch) : "(Empty)");
	cli_printf(out, "      Variables:\n");
	channel_var_foreach(ch, print_var, out);
	return 0;
}

/* Channels taken out of the registry's walk before any is hung up (a
 * hangup changes the registry; a Local half takes its partner along). */
struct chan_set {
	struct channel **v;
	size_t n, max;
};

static bool collect_channel(struct channel *ch, void *arg)
{
	struct chan_set *set = arg;

	if (set->n == set->max)
		return true;
	set->v[set->n++] = mem_ref(ch);
	return false;
}

static void request_one(struct cli_out *out, struct channel *ch)
{
	cli_printf(out, "Requested Hangup on channel '%s'\n",
		   channel_name(ch));
}

/* `channel request hangup <channel>|all`, as handle_softhangup(): a
 * soft hangup with Asterisk's explicit reason, as ARI's DELETE. */
static int request_hangup(struct cli_out *out, int argc, char *argv[])
{
	struct chan_set set = {0};
	struct channel *ch;

	if (argc != 1)
		return EINVAL;
	if (strcasecmp(argv[0], "all")) {
		ch = known_channel(out, argv[0]);
		if (!ch)
			return 0;
		request_one(out, ch);
		channel_hangup_soft(ch, CAUSE_NORMAL_CLEARING, "CLI");
		return 0;
	}
	set.max = channel_count();
	if (!set.max)
		return 0;
	set.v = mem_zalloc(set.max * sizeof(*set.v), NULL);
	if (!set.v)
		return ENOMEM;
	channel_foreach(collect_channel, &set);
	for (size_t i = 0; i < set.n; i++)
		request_one(out, set.v[i]);
	for (size_t i = 0; i < set.n; i++) {
		if (!channel_is_hungup(set.v[i]))
			channel_hangup_soft(set.v[i], CAUSE_NORMAL_CLEARING,
					    "CLI");
		mem_deref(set.v[i]);
	}
	mem_deref(set.v);
	return 0;
}

/* Asterisk's status_debug_verbose() wording */
static void level_status(struct cli_out *out, const char *what, int oldv,
			 int newv)
{
	char was[16] = "OFF", now[16] = "OFF";

	if (oldv)
		snprintf(was, sizeof(was), "%d", oldv);
	if (newv)
		snprintf(now, sizeof(now), "%d", newv);
	if (oldv == newv)
		cli_printf(out, "%s is still %s.\n", what, was);
	else
		cli_printf(out, "%s was %s and is now %s.\n", what, was, now);
}

static bool parse_level(const char *s, int *level)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (end == s || *end || v < 0 || v > 1000)
		return false;
	*level = (int)v;
	return true;
}

/* "[atleast] <level> [silent]" or "off", as main/cli.c reads them for
 * both levels (`silent` where the command has it); the new level, or
 * false to have the usage shown. */
static bool level_args(int argc, char *argv[], int oldv, bool may_silence,
		       int *newv, bool *silent)
{
	bool atleast = false;
	int i = 0;

	*silent = false;
	if (argc == 1 && !strcasecmp(argv[0], "off")) {
		*newv = 0;
		return true;
	}
	if (argc && !strcasecmp(argv[0], "atleast")) {
		atleast = true;
		i++;
	}
	if (may_silence && argc == i + 2 && !strcasecmp(argv[i + 1], "silent"))
		*silent = true;
	if (argc != i + 1 + (*silent ? 1 : 0) || !parse_level(argv[i], newv))
		return false;
	if (atleast && *newv < oldv)
		*newv = oldv;
	return true;
}

/* core set verbose [atleast] <level> [silent] | off */
static int set_verbose(struct cli_out *out, int argc, char *argv[])
{
	int oldv = log_get_verbose(), newv;
	bool silent;

	if (!level_args(argc, argv, oldv, true, &newv, &silent))
		return EINVAL;
	log_set_verbose(newv);
	options.verbose = newv;
	if (!silent)
		level_status(out, "Console verbose", oldv, newv);
	return 0;
}

/* core set debug [atleast] <level> | off: ariadne's debug level is one
 * for the whole server (no per-module levels). */
static int set_debug(struct cli_out *out, int argc, char *argv[])
{
	int oldv = log_get_debug(), newv;
	bool silent;

	if (!level_args(argc, argv, oldv, false, &newv, &silent))
		return EINVAL;
	log_set_debug(newv);
	level_status(out, "Core debug", oldv, newv);
	return 0;
}

/* `core drain [on|off]`: a cluster node taken out of service (and back);
 * without a word, the state. SIGUSR1 turns it on as well (main.c). */
static int drain(struct cli_out *out, int argc, char *argv[])
{
	if (argc == 1 && !strcasecmp(argv[0], "on"))
		overload_drain_set(true, "core drain on");
	else if (argc == 1 && !strcasecmp(argv[0], "off"))
		overload_drain_set(false, "core drain off");
	else if (argc)
		return EINVAL;
	cli_printf(out, "Draining: %s (%zu active channels)\n",
		   overload_draining() ? "yes, no new calls" : "no",
		   channel_count());
	return 0;
}

int cli_core_init(void)
{
	static const struct cli_entry cmds[] = {
		{"core show version", show_version,
		 "Usage: core show version\n"
		 "       Shows ariadne version information.\n"},
		{"core show uptime", show_uptime,
		 "Usage: core show uptime [seconds]\n"
		 "       Shows ariadne uptime information.\n"
		 "       The seconds word returns the uptime in seconds only.\n"},
		{"core show channels", show_channels,
		 "Usage: core show channels [concise|verbose|count]\n"
		 "       Lists currently defined channels and some information about them. If\n"
		 "       'concise' is specified, the format is abridged and in a more easily\n"
		 "       machine parsable format. If 'verbose' is specified, the output includes\n"
		 "       more and longer fields. If 'count' is specified only the channel and call\n"
		 "       count is output.\n"},
		{"core show calls", show_calls,
		 "Usage: core show calls [uptime [seconds]]\n"
		 "       Lists number of currently active calls and total number of calls\n"
		 "       processed through PBX since last restart. If 'uptime' is specified\n"
		 "       the system uptime is also displayed. If 'seconds' is specified in\n"
		 "       addition to 'uptime', the system uptime is displayed in seconds.\n"},
		{"core show settings", show_settings,
		 "Usage: core show settings\n"
		 "       Show core misc settings\n"},
		{"core show channel", show_channel,
		 "Usage: core show channel <channel>\n"
		 "       Shows lots of information about the specified channel.\n"},
		{"core set verbose", set_verbose,
		 "Usage: core set verbose [atleast] <level> [silent]\n"
		 "       core set verbose off\n"
		 "\n"
		 "       Sets level of verbose messages to be displayed.\n"
		 "       0 or off means no verbose messages should be displayed.\n"
		 "       The silent option means the command does not report what\n"
		 "       happened to the verbose level.\n"
		 "       Equivalent to -v[v[...]] on startup\n"},
		{"core drain", drain,
		 "Usage: core drain [on|off]\n"
		 "       Takes this node out of service (on) or back (off): while\n"
		 "       draining it refuses new calls (SIP 503, OPTIONS 503, ARI 503)\n"
		 "       and leaves the cluster's create group; existing calls go on\n"
		 "       and stay controllable. Without an argument, shows the state.\n"
		 "       SIGUSR1 turns draining on as well.\n"},
		{"core set debug", set_debug,
		 "Usage: core set debug [atleast] <level>\n"
		 "       core set debug off\n"
		 "\n"
		 "       Sets level of debug messages to be displayed.\n"
		 "       0 or off means no messages should be displayed.\n"
		 "       Equivalent to -d[d[...]] on startup\n"},
		{"channel request hangup", request_hangup,
		 "Usage: channel request hangup <channel>|<all>\n"
		 "       Request that a channel be hung up. The hangup takes effect\n"
		 "       the next time the driver reads or writes from the channel.\n"
		 "       If 'all' is specified instead of a channel name, all channels\n"
		 "       will see the hangup request.\n"},
	};

	int err = cli_register_all(cmds, sizeof(cmds) / sizeof(cmds[0]));

	return err ? err : shutdown_cli_init();
}
