/* log_cli.c — the "logger ..." CLI commands over the log channels of
 * log.c, in Asterisk's output format. */
#include <errno.h>
#include <stddef.h>
#include "base/cli.h"
#include "base/log.h"

/* main/logger.c's columns: name, type, formatter, status, then " - " and
 * the levels. ariadne writes every channel as Asterisk's default
 * formatter does. */
#define CHANNEL_COLUMNS "%-35.35s %-8.8s %-10.10s %-9.9s "

static void show_log_channel(const char *channel, const char *type,
			     const char *status, const char *configuration,
			     void *arg)
{
	cli_printf(arg, CHANNEL_COLUMNS " - %s\n", channel, type, "default",
		   status, configuration);
}

/* Asterisk starts with its logger queue limit; ariadne writes each line
 * as it comes and has no queue, so that line is left out. */
static int cli_logger_show(struct cli_out *out, int argc, char *argv[])
{
	if (argc != 0)
		return EINVAL;
	cli_printf(out, CHANNEL_COLUMNS "Configuration\n", "Channel", "Type",
		   "Formatter", "Status");
	cli_printf(out, CHANNEL_COLUMNS "-------------\n", "-------", "----",
		   "---------", "------");
	log_channel_foreach(show_log_channel, out);
	cli_printf(out, "\n");
	return 0;
}

static int cli_logger_rotate(struct cli_out *out, int argc, char *argv[])
{
	if (argc != 0)
		return EINVAL;
	log_channel_rotate_all();
	return 0;
}

/* Silent on success, as Asterisk's. */
static int cli_logger_reload(struct cli_out *out, int argc, char *argv[])
{
	if (argc != 0)
		return EINVAL;
	log_config_reload();
	return 0;
}

int log_cli_init(void)
{
	static const struct cli_entry cmds[] = {
		{"logger show channels", cli_logger_show,
		 "Usage: logger show channels\n"
		 "       List configured logger channels.\n"},
		{"logger rotate", cli_logger_rotate,
		 "Usage: logger rotate\n"
		 "       Rotates and Reopens the log files.\n"},
		{"logger reload", cli_logger_reload,
		 "Usage: logger reload\n"
		 "       Reads logger.conf again: its log files and the console's\n"
		 "       levels. Channels added at run time stay.\n"},
	};

	return cli_register_all(cmds, sizeof(cmds) / sizeof(cmds[0]));
}
