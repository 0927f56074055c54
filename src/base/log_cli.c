/* log_cli.c — the "logger ..." CLI commands over the log channels of
 * log.c, in Asterisk's output format. */
#include <errno.h>
#include <stddef.h>
#include "base/cli.h"
#include "base/log.h"

static void show_log_channel(const char *channel, const char *type,
			     const char *status, const char *configuration,
			     void *arg)
{
	cli_printf(arg, "%-35s %-8s %-9s %s\n", channel, type, status,
		   configuration);
}

static int cli_logger_show(struct cli_out *out, int argc, char *argv[])
{
	if (argc != 0)
		return EINVAL;
	cli_printf(out, "Logger queue limits are not applicable\n\n");
	cli_printf(out, "%-35s %-8s %-9s %s\n", "Channel", "Type", "Status",
		   "Configuration");
	cli_printf(out, "%-35s %-8s %-9s %s\n", "-------", "----", "------",
		   "-------------");
	log_channel_foreach(show_log_channel, out);
	return 0;
}

static int cli_logger_rotate(struct cli_out *out, int argc, char *argv[])
{
	if (argc != 0)
		return EINVAL;
	log_channel_rotate_all();
	return 0;
}

int log_cli_init(void)
{
	static const struct cli_entry cmds[] = {
		{"logger show channels", cli_logger_show,
		 "logger show channels"},
		{"logger rotate", cli_logger_rotate, "logger rotate"},
	};

	return cli_register_all(cmds, sizeof(cmds) / sizeof(cmds[0]));
}
