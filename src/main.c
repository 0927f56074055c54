/* main.c — ariadne's entry point: command line, configuration, start-up of
 * the modules in dependency order, the event loop, and a clean shutdown
 * (channels hung up, sockets closed, CEL flushed) on SIGTERM/SIGINT or
 * `core stop now`. With -rx it is instead a CLI client of a running server. */
#include <errno.h>
#include <stdint.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <fcntl.h>
#include <unistd.h>
#include <getopt.h>
#include <sched.h>
#include <sys/resource.h>
#include <re_types.h>
#include <re_fmt.h>
#include <re_mem.h>
#include <re_list.h>
#include <re_main.h>
#include <re_tmr.h>
#define DEBUG_MODULE "ariadne"
#define DEBUG_LEVEL 0
#include <re_dbg.h>
#include "ari/ari.h"
#include "base/cli.h"
#include "cluster/cluster.h"
#include "base/backoff.h"
#include "base/config.h"
#include "base/defer.h"
#include "base/log.h"
#include "base/options.h"
#include "base/ratelimit.h"
#include "base/worker.h"
#include "core/bridge.h"
#include "core/cel.h"
#include "core/channel.h"
#include "core/devstate.h"
#include "core/endpoint.h"
#include "core/mailbox.h"
#include "core/module.h"
#include "core/overload.h"
#include "core/shutdown.h"
#include "core/playback.h"
#include "core/recording.h"
#include "core/stasis.h"
#include "core/core_metrics.h"
#include "base/metrics.h"
#include "local/local.h"
#include "extmedia/extmedia.h"
#include "media/media.h"
#include "net/txoff.h"
#include "pbx/dialplan.h"
#include "pbx/originate.h"
#include "pbx/pbx.h"
#include "sip/sip.h"

#define DEFAULT_CONFDIR "/etc/ariadne"

static struct config *conf_main, *conf_http, *conf_ari, *conf_ext, *conf_cel,
	*conf_pjsip, *conf_nats;

static void usage(void)
{
	fprintf(stderr,
		"Usage: ariadne [-C DIR] [-f] [-p] [-v...] [--version]\n"
		"       ariadne [-C DIR] -rx \"command\"\n"
		"  -C DIR   configuration directory (default " DEFAULT_CONFDIR ")\n"
		"  -f       stay in the foreground (always true for now)\n"
		"  -v       more verbose (repeat)\n"
		"  -p       run with realtime priority (ariadne.conf highpriority)\n"
		"  -r -x C  run CLI command C on the running server\n");
}

/* Missing files are fine (embedded defaults); other errors are logged. */
static struct config *load(const char *dir, const char *name)
{
	struct config *cfg = NULL;
	int err = config_load(&cfg, dir, name);

	if (err == ENOENT)
		return NULL;
	if (err) {
		log_error("Unable to load %s/%s: %s", dir, name, strerror(err));
		return NULL;
	}
	log_verbose(2, "Parsing '%s/%s': Found", dir, name);
	return cfg;
}

static int drain_pipe[2] = {-1, -1};

/* SIGTERM, SIGINT and `core stop now`: the calls are hung up while the
 * server still runs, so that their SIP BYEs can be retransmitted and
 * answered and the apps hear StasisEnd and ChannelDestroyed before their
 * sockets close; STOP_LINGER_MS later the loop ends. Before, the process
 * was gone 30 ms after the signal: a BYE lost on the way was never sent
 * again. A second request ends the loop at once. */
enum { STOP_LINGER_MS = 1000 };
static bool stopping;
static struct tmr stop_tmr;

static void stop_linger_h(void *arg)
{
	(void)arg;
	re_cancel();
}

static void begin_stop(void)
{
	size_t n = channel_count();

	if (stopping || !n) {
		re_cancel();
		return;
	}
	stopping = true;
	/* new calls meanwhile get 503 (a proxy in front takes them to
	 * another node) rather than a channel that the stop then loses */
	overload_drain_set(true, "shutting down");
	log_notice("Hanging up %zu channel%s before shutting down", n,
		   n == 1 ? "" : "s");
	channel_hangup_all(CAUSE_NORMAL_CLEARING);
	tmr_start(&stop_tmr, STOP_LINGER_MS, stop_linger_h, NULL);
}

/* libre calls this from the signal itself: the stop runs on the loop,
 * through the pipe of the signals below (when it is not open yet, the
 * loop just ends). */
static void signal_handler(int sig)
{
	char c = (char)sig;

	if (drain_pipe[1] < 0 || write(drain_pipe[1], &c, 1) != 1)
		re_cancel();
}

/* <astrundir>/ariadne.pid, as Asterisk's asterisk.pid beside its control
 * socket: for init scripts, logrotate's postrotate and monitoring. Written
 * once this process owns the run directory (the CLI socket is ours),
 * removed at a clean stop. */
static char pidfile[600];

static void pidfile_write(void)
{
	const char *ctl = options_ctl_path();
	const char *slash = strrchr(ctl, '/');
	FILE *f;

	snprintf(pidfile, sizeof(pidfile), "%.*s/ariadne.pid",
		 slash ? (int)(slash - ctl) : 1, slash ? ctl : ".");
	f = fopen(pidfile, "w");
	if (!f || fprintf(f, "%d\n", (int)getpid()) < 0) {
		log_warning("Unable to write %s: %s", pidfile, strerror(errno));
		if (f)
			fclose(f);
		pidfile[0] = '\0';
		return;
	}
	fclose(f);
}

static void pidfile_remove(void)
{
	if (pidfile[0])
		(void)unlink(pidfile);
	pidfile[0] = '\0';
}

/* SIGUSR1 takes the node out of service (core drain on); SIGHUP reloads
 * the configuration, as Asterisk's (so `systemctl reload` and logrotate's
 * postrotate work as they do for Asterisk; a closed terminal no longer
 * ends every call). A signal handler may do almost nothing, so it writes
 * the signal's number to a pipe that the loop reads: the work itself (log
 * lines, watchers, files) runs in the loop. */
static void drain_signal(int sig)
{
	int saved = errno;
	char c = (char)sig;

	if (write(drain_pipe[1], &c, 1) < 0) {
		/* the pipe is full: the same work is already on its way */
	}
	errno = saved;
}

static void drain_readable(int flags, void *arg)
{
	char buf[64];
	bool drain = false, reload = false;
	int stop = 0;
	ssize_t n;

	(void)flags;
	(void)arg;
	while ((n = read(drain_pipe[0], buf, sizeof(buf))) > 0)
		for (ssize_t i = 0; i < n; i++) {
			drain |= buf[i] == SIGUSR1;
			reload |= buf[i] == SIGHUP;
			if (buf[i] == SIGTERM || buf[i] == SIGINT)
				stop = buf[i];
		}
	if (stop) {
		log_notice("Received signal %s, shutting down",
			   stop == SIGINT ? "SIGINT" : "SIGTERM");
		begin_stop();
		return;
	}
	if (reload) {
		log_notice("Received HUP signal -- Reloading configs");
		module_reload_all();
	}
	if (drain)
		overload_drain_set(true, "SIGUSR1");
}

static int drain_signal_init(void)
{
	struct sigaction sa = { .sa_handler = drain_signal };
	int err;

	if (pipe(drain_pipe) < 0)
		return errno;
	for (int i = 0; i < 2; i++) {
		fcntl(drain_pipe[i], F_SETFL, O_NONBLOCK);
		fcntl(drain_pipe[i], F_SETFD, FD_CLOEXEC);
	}
	err = fd_listen(drain_pipe[0], FD_READ, drain_readable, NULL);
	if (err)
		return err;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	if (sigaction(SIGUSR1, &sa, NULL) < 0 ||
	    sigaction(SIGHUP, &sa, NULL) < 0)
		return errno;
	return 0;
}

static void drain_signal_close(void)
{
	signal(SIGUSR1, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	if (drain_pipe[0] >= 0) {
		fd_close(drain_pipe[0]);
		close(drain_pipe[0]);
		close(drain_pipe[1]);
		drain_pipe[0] = drain_pipe[1] = -1;
	}
}

/* libre's poll set defaults to 1024 descriptors, about 500 calls once RTP
 * exists. Raise the soft limit to the hard one and size the set to match;
 * libre 1.1.0's fd_setsize(-1) does not work (negative size), so pass the
 * number. Must run before the first socket is opened. */
static int raise_fd_limit(void)
{
	struct rlimit rl;
	int n = 1024;

	if (!getrlimit(RLIMIT_NOFILE, &rl)) {
		if (rl.rlim_cur < rl.rlim_max) {
			rl.rlim_cur = rl.rlim_max;
			setrlimit(RLIMIT_NOFILE, &rl);
			getrlimit(RLIMIT_NOFILE, &rl);
		}
		n = rl.rlim_cur > 1048576 ? 1048576 : (int)rl.rlim_cur;
	}
	return fd_setsize(n);
}

/* The model, the dialplan and Stasis: everything below the channel
 * technologies and the interfaces, in dependency order. */
static int core_start(void)
{
	int err;

	/* The bridge's hangup hook runs first: ChannelLeftBridge precedes
	 * StasisEnd, as in Asterisk; so does RecordingFinished. */
	if ((err = bridge_init()) || (err = recording_init()) ||
	    (err = channel_hooks_add(&stasis_hooks)) ||
	    (err = channel_hooks_add(&pbx_hooks)) ||
	    (err = endpoint_init()) || (err = stasis_init()) ||
	    (err = bridge_follow_init()) || (err = playback_init()) ||
	    (err = stasis_broadcast_init()) || (err = devstate_init()) ||
	    (err = mailbox_init(options.datadir)) ||
	    (err = module_registry_init()) || (err = log_cli_init()) ||
	    (err = cli_core_init()) || (err = core_metrics_init()) ||
	    (err = pbx_apps_init()) ||
	    (err = pbx_user_apps_init()) || (err = pbx_stasis_apps_init()) ||
	    (err = pbx_config_module_init()) || (err = dialplan_cli_init())) {
		log_error("Module initialisation failed: %s", strerror(err));
		return err;
	}
	if (conf_ext && pbx_config_load(conf_ext))
		log_warning("extensions.conf could not be loaded completely");
	return 0;
}

/* Media sends on a second core (net/txoff.h): with many calls they are
 * most of what the event loop does. Not on a one-CPU machine (the
 * hand-over would only cost), or with ariadne.conf sendthread = no. */
static void start_send_thread(void)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	int err;

	if (!options.sendthread || (options.sendthread < 0 && cpus < 2)) {
		log_verbose(1, "Media sends stay on the event loop (%s)",
			    options.sendthread ? "one CPU" : "sendthread = no");
		return;
	}
	err = txoff_start();
	if (err)
		log_warning("No send thread (%s): media sends stay on the "
			    "event loop", strerror(err));
	else
		log_verbose(1, "Media sends on a thread of their own");
}

static int start(void)
{
	int err;

	/* A file size limit (ulimit -f) reached by a recording, the CEL file
	 * or a log: that write fails with EFBIG and is reported, as a full
	 * disk is, instead of the signal's default killing every call. */
	signal(SIGXFSZ, SIG_IGN);
	err = raise_fd_limit();
	if (err) {
		log_error("Could not size the poll set: %s", strerror(err));
		return err;
	}
	err = core_start();
	if (err)
		return err;
	if ((err = local_init()) || (err = ari_applications_cli_init())) {
		log_error("Module initialisation failed: %s", strerror(err));
		return err;
	}
	start_send_thread();
	err = media_init(conf_main);
	if (err) {
		log_error("Unable to start media: %s", strerror(err));
		return err;
	}
	err = extmedia_init(options.confdir);
	if (err) {
		log_error("Unable to start external media: %s", strerror(err));
		return err;
	}
	err = sip_module_init(conf_pjsip);
	if (err) {
		log_error("Unable to start SIP: %s", strerror(err));
		return err;
	}
	err = cel_init(conf_cel, options.logdir);
	if (err)
		log_warning("CEL disabled: %s", strerror(err));
	err = cli_listen(options_ctl_path());
	if (err) {
		log_error("Unable to listen on %s: %s", options_ctl_path(),
			  strerror(err));
		return err;
	}
	pidfile_write();
	err = worker_start();
	if (err)
		log_warning("No worker thread (%s): crypt(3) password checks "
			    "run on the event loop", strerror(err));
	err = ari_init(conf_http, conf_ari);
	if (err) {
		log_error("Unable to start the ARI HTTP server: %s",
			  strerror(err));
		return err;
	}
	/* above ARI: its apps and operations exist now */
	err = cluster_init(conf_nats);
	if (err) {
		log_error("Unable to join the NATS cluster: %s", strerror(err));
		return err;
	}
	cli_set_stop_handler(begin_stop);
	err = drain_signal_init();
	if (err)
		log_warning("SIGUSR1 will not drain, SIGHUP not reload: %s",
			    strerror(err));
	return 0;
}

static void stop(void)
{
	tmr_cancel(&stop_tmr);
	pidfile_remove();
	drain_signal_close();
	cluster_close();
	ari_close();
	worker_stop();         /* after the connections its jobs are for */
	channel_registry_close();
	bridge_follow_close();
	bridge_close();
	sip_module_close();
	extmedia_close();
	media_close();
	txoff_stop();          /* after every owner of media sockets */
	recording_close();
	playback_close();
	module_registry_close();
	mailbox_close();       /* after worker_stop: write what is pending */
	devstate_close();
	originate_close();
	endpoint_close();
	defer_flush();
	stasis_broadcast_close();
	stasis_close();
	cel_close();
	cli_close();
	dialplan_reset();
	pbx_apps_close();
	backoff_global_close();
	log_channels_close();
	metrics_close();
}

/* -rx: a client of the running server, before and without libre. */
static int run_remote(const char *confdir, const char *command)
{
	log_set_quiet(1);
	conf_main = load(confdir, "ariadne.conf");
	options_load(conf_main, confdir);
	config_free(conf_main);
	if (!command) {
		fprintf(stderr, "Only -rx \"command\" is supported\n");
		return 2;
	}
	return cli_remote(options_ctl_path(), command);
}

/* logger.conf [logfiles] (base/log_conf.c); the file is not kept. */
static void load_logger(const char *confdir)
{
	struct config *cfg = NULL;

	if (!config_load(&cfg, confdir, "logger.conf"))
		log_verbose(2, "Parsing '%s/logger.conf': Found", confdir);
	log_config_load(cfg);
	config_free(cfg);
}

static void configure_backoff(void)
{
	struct backoff_conf bc;

	backoff_conf_default(&bc);
	bc.limit = (unsigned)options.authfail_limit;
	bc.window_ms = (unsigned)(options.authfail_window > 86400 ? 86400 :
				  options.authfail_window) * 1000;
	bc.max_delay_ms = (unsigned)options.authfail_maxdelay;
	backoff_global_configure(&bc);
}

/* False when another server already runs with this configuration: it
 * is told on stderr before this one opens any of that one's files (its
 * log files would get this one's errors). */
static bool load_configs(const char *confdir, int verbose)
{
	conf_main = load(confdir, "ariadne.conf");
	options_load(conf_main, confdir);
	if (cli_server_alive(options_ctl_path())) {
		fprintf(stderr, "ariadne already running on %s.  Use 'ariadne "
			"-rx \"command\"' to talk to it.\n",
			options_ctl_path());
		return false;
	}
	log_init(options.logdir);
	log_set_verbose(options.verbose + verbose);
	load_logger(confdir);
	configure_backoff();
	conf_http = load(confdir, "http.conf");
	conf_ari = load(confdir, "ari.conf");
	conf_ext = load(confdir, "extensions.conf");
	conf_cel = load(confdir, "cel.conf");
	conf_pjsip = load(confdir, "pjsip.conf");
	conf_nats = load(confdir, "nats.conf");
	return true;
}

static void free_configs(void)
{
	config_free(conf_main);
	config_free(conf_http);
	config_free(conf_ari);
	config_free(conf_ext);
	config_free(conf_cel);
	config_free(conf_pjsip);
	config_free(conf_nats);
}

/* As Asterisk's -p / highpriority: the one thread that paces every
 * call's audio is not kept waiting behind other processes of the machine
 * (the media tick's frames stay 20 ms apart under load). SCHED_RR at
 * Asterisk's priority 10, else the best nice value we may have. */
static void set_high_priority(void)
{
	struct sched_param sp = {.sched_priority = 10};

	if (!sched_setscheduler(0, SCHED_RR, &sp)) {
		log_verbose(1, "Set to realtime thread");
		return;
	}
	log_warning("Unable to set high priority process: %s",
		    strerror(errno));
	if (setpriority(PRIO_PROCESS, 0, -10))
		log_warning("Unable to set nice value -10: %s",
			    strerror(errno));
}

/* The server: start everything, run the loop until a signal or `core stop
 * now`, stop everything. Exit code 1 when start-up failed. */
/* libre's own messages (a TLS handshake that failed, a socket error) go
 * through our log, with its time stamp and levels, instead of straight to
 * stderr in ANSI colour, where a line had no time and its colour reset
 * ended up at the start of our next line. */
/* Peers can make libre speak (300 bad TLS handshakes were 300 WARNINGs):
 * at most LIBRE_LINES_PER_S lines a second, and the next line says how
 * many were left out. */
enum { LIBRE_LINES_PER_S = 10 };

static bool libre_line_allowed(unsigned *suppressed)
{
	static struct ratelimit rl;

	return ratelimit_allow(&rl, LIBRE_LINES_PER_S, suppressed);
}

static void libre_message(int level, const char *p, size_t len, void *arg)
{
	char line[300];
	size_t n = 0;
	unsigned suppressed = 0;

	(void)arg;
	if (level <= DBG_NOTICE && !libre_line_allowed(&suppressed))
		return;
	if (suppressed)
		log_notice("libre: %u messages left out (more than %d a "
			   "second)", suppressed, LIBRE_LINES_PER_S);
	for (size_t i = 0; i < len && n + 1 < sizeof(line); i++)
		line[n++] = (unsigned char)p[i] < 0x20 ? ' ' : p[i];
	while (n && line[n - 1] == ' ')
		n--;
	line[n] = '\0';
	if (!n)
		return;
	if (level <= DBG_ERR)
		log_error("libre: %s", line);
	else if (level == DBG_WARNING)
		log_warning("libre: %s", line);
	else if (level == DBG_NOTICE)
		log_notice("libre: %s", line);
	else
		log_debug(1, "libre: %s", line);
}

static int run_server(const char *confdir, int verbose, bool high)
{
	int err = libre_init();

	if (err) {
		fprintf(stderr, "libre_init failed: %s\n", strerror(err));
		return 1;
	}
	dbg_init(DBG_NOTICE, 0);
	dbg_handler_set(libre_message, NULL);
	if (!load_configs(confdir, verbose)) {
		free_configs();
		libre_close();
		return 1;
	}
	if (high || options.highpriority)
		set_high_priority();
	err = start();
	if (!err) {
		log_notice("ariadne %s ready", ARIADNE_VERSION);
		err = re_main(signal_handler);
		log_notice(shutdown_restart_requested() ?
			   "ariadne restarting" : "ariadne shutting down");
	}
	stop();
	free_configs();
	tmr_debug();
	libre_close();
	mem_debug();
	return err ? 1 : 0;
}

int main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{"version", no_argument, NULL, 'V'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *confdir = DEFAULT_CONFDIR, *command = NULL;
	int c, verbose = 0;
	bool remote = false, high = false;

	while ((c = getopt_long(argc, argv, "C:fpvrx:Vhcgn", longopts, NULL)) != -1) {
		switch (c) {
		case 'C': confdir = optarg; break;
		case 'f': case 'c': case 'g': case 'n': break;
		case 'v': verbose++; break;
		case 'p': high = true; break;
		case 'r': remote = true; break;
		case 'x': command = optarg; remote = true; break;
		case 'V':
			printf("ariadne %s\n", ARIADNE_VERSION);
			return 0;
		case 'h':
			usage();
			return 0;
		default:
			usage();
			return 2;
		}
	}
	if (remote)
		return run_remote(confdir, command);
	c = run_server(confdir, verbose, high);
	/* `core restart`: everything is closed; the same program again,
	 * with the same arguments, in this process (its pid stays), as
	 * Asterisk re-executes itself */
	if (!c && shutdown_restart_requested()) {
		execv("/proc/self/exe", argv);
		fprintf(stderr, "ariadne: cannot restart: %s\n",
			strerror(errno));
		return 1;
	}
	return c;
}
