/* shutdown.c — `core stop now|gracefully|when convenient` and `core abort
 * shutdown`, with Asterisk's rules (main/asterisk.c can_safely_quit): a
 * gentler request than the one pending is ignored, a less gentle one takes
 * over; "gracefully" refuses new calls through the drain of overload.c
 * (SIP and ARI answer 503) until the last channel has gone; "when
 * convenient" takes calls as usual and waits for a moment with none. The
 * stop itself is the CLI's (cli_request_stop*: re_cancel, then main.c's
 * orderly shutdown). Not here: what shutting down hangs up (main.c). */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <re_types.h>
#include <re_fmt.h>
#include <re_list.h>
#include <re_tmr.h>
#include "base/cli.h"
#include "base/log.h"
#include "core/channel.h"
#include "core/overload.h"
#include "core/shutdown.h"

/* How long a pending stop waits between looks at the channel count. */
enum { SHUTDOWN_POLL_MS = 1000 };

/* Asterisk's niceness: the higher, the gentler. */
enum niceness {
	NOT_STOPPING = 0,
	STOP_NICE,          /* core stop gracefully */
	STOP_REALLY_NICE,   /* core stop when convenient */
};

static enum niceness pending;
static bool drained_by_us;    /* the drain was ours to take back off */
static struct tmr poll_tmr;
static bool restarting;       /* the stop is a `core restart` */

bool shutdown_restart_requested(void)
{
	return restarting;
}

static void poll_channels(void *arg)
{
	(void)arg;
	if (pending == NOT_STOPPING)
		return;
	if (channel_count()) {
		tmr_start(&poll_tmr, SHUTDOWN_POLL_MS, poll_channels, NULL);
		return;
	}
	pending = NOT_STOPPING;
	cli_request_stop_now();
}

/* Start waiting with `how`, unless a stop as gentle or less is pending. */
static void stop_when_idle(enum niceness how)
{
	if (pending != NOT_STOPPING && how >= pending) {
		log_verbose(0, "Ignoring ariadne shutdown request, already in "
			    "progress.");
		return;
	}
	pending = how;
	if (how == STOP_NICE && !overload_draining()) {
		drained_by_us = true;
		overload_drain_set(true, "core stop gracefully");
	}
	log_verbose(0, "Waiting for inactivity to perform halt...");
	if (!channel_count()) {
		/* nothing to wait for: stop once this reply is out */
		pending = NOT_STOPPING;
		tmr_cancel(&poll_tmr);
		cli_request_stop();
		return;
	}
	tmr_start(&poll_tmr, SHUTDOWN_POLL_MS, poll_channels, NULL);
}

static int stop_now(struct cli_out *out, int argc, char *argv[])
{
	(void)out;
	(void)argv;
	if (argc)
		return EINVAL;
	/* Asterisk replies nothing; the shutdown is logged by the server */
	tmr_cancel(&poll_tmr);
	pending = NOT_STOPPING;
	restarting = false;
	cli_request_stop();
	return 0;
}

static int stop_gracefully(struct cli_out *out, int argc, char *argv[])
{
	(void)out;
	(void)argv;
	if (argc)
		return EINVAL;
	restarting = false;
	stop_when_idle(STOP_NICE);
	return 0;
}

static int stop_when_convenient(struct cli_out *out, int argc, char *argv[])
{
	(void)argv;
	if (argc)
		return EINVAL;
	restarting = false;
	cli_printf(out, "Waiting for inactivity to perform halt\n");
	stop_when_idle(STOP_REALLY_NICE);
	return 0;
}

/* `core restart ...`: the same stops, after which main.c starts the
 * server again in the same process (Asterisk re-executes itself too). */
static int restart_now(struct cli_out *out, int argc, char *argv[])
{
	int err = stop_now(out, argc, argv);

	if (!err) {
		restarting = true;
		log_verbose(0, "Preparing for ariadne restart...");
	}
	return err;
}

static int restart_gracefully(struct cli_out *out, int argc, char *argv[])
{
	int err = stop_gracefully(out, argc, argv);

	if (!err)
		restarting = true;
	return err;
}

static int restart_when_convenient(struct cli_out *out, int argc,
				   char *argv[])
{
	(void)argv;
	if (argc)
		return EINVAL;
	cli_printf(out, "Waiting for inactivity to perform restart\n");
	stop_when_idle(STOP_REALLY_NICE);
	restarting = true;
	return 0;
}

/* Silent, as Asterisk's; the log says that the stop was called off. */
static int abort_shutdown(struct cli_out *out, int argc, char *argv[])
{
	(void)out;
	(void)argv;
	if (argc)
		return EINVAL;
	if (pending == NOT_STOPPING)
		return 0;
	pending = NOT_STOPPING;
	restarting = false;
	tmr_cancel(&poll_tmr);
	if (drained_by_us) {
		drained_by_us = false;
		overload_drain_set(false, "core abort shutdown");
	}
	log_verbose(0, "ariadne shutdown cancelled.");
	return 0;
}

int shutdown_cli_init(void)
{
	static const struct cli_entry cmds[] = {
		{"core stop now", stop_now,
		 "Usage: core stop now\n"
		 "       Shuts down a running ariadne immediately, hanging up all active calls.\n"},
		{"core stop gracefully", stop_gracefully,
		 "Usage: core stop gracefully\n"
		 "       Causes ariadne to not accept new calls, and exit when all\n"
		 "       active calls have terminated normally.\n"},
		{"core stop when convenient", stop_when_convenient,
		 "Usage: core stop when convenient\n"
		 "       Causes ariadne to perform a shutdown when all active calls have ended.\n"},
		{"core restart now", restart_now,
		 "Usage: core restart now\n"
		 "       Causes ariadne to hangup all calls and exec() itself performing a cold\n"
		 "       restart.\n"},
		{"core restart gracefully", restart_gracefully,
		 "Usage: core restart gracefully\n"
		 "       Causes ariadne to stop accepting new calls and exec() itself performing a cold\n"
		 "       restart when all active calls have ended.\n"},
		{"core restart when convenient", restart_when_convenient,
		 "Usage: core restart when convenient\n"
		 "       Causes ariadne to perform a cold restart when all active calls have ended.\n"},
		{"core abort shutdown", abort_shutdown,
		 "Usage: core abort shutdown\n"
		 "       Causes ariadne to abort an executing shutdown or restart, and resume normal\n"
		 "       call operations.\n"},
	};

	pending = NOT_STOPPING;
	drained_by_us = false;
	restarting = false;
	return cli_register_all(cmds, sizeof(cmds) / sizeof(cmds[0]));
}
