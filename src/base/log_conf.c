/* log_conf.c — logger.conf's [logfiles], as Asterisk's logger reads it:
 *   console  => notice,warning,error,verbose
 *   messages => notice,warning,error
 *   security => security
 * Each name other than "console" (and "syslog.*", not supported) is a file
 * under the log directory. Only [logfiles] is read: [general] options
 * (dateformat, rotatestrategy, ...) keep ariadne's defaults. Read at
 * start-up (main.c) and again by `logger reload`. */
#include <errno.h>
#include <string.h>
#include "base/config.h"
#include "base/log.h"
#include "base/options.h"

void log_config_load(const struct config *cfg)
{
	const struct config_section *sec;
	const struct config_var *v;
	int err;

	sec = cfg ? config_section_find(cfg, "logfiles") : NULL;
	if (!sec)
		return;
	for (v = sec->vars; v; v = v->next) {
		const char *f = v->file ? v->file : "logger.conf";

		if (!strcmp(v->name, "console")) {
			if (log_set_console_levels(v->value))
				log_warning("%s:%u: no known level in '%s'", f,
					    v->line, v->value);
			continue;
		}
		if (!strncmp(v->name, "syslog.", 7)) {
			log_warning("%s:%u: syslog channels are not supported",
				    f, v->line);
			continue;
		}
		err = log_channel_add_kept(v->name, v->value);
		if (err == EINVAL)
			log_warning("%s:%u: log channel '%s': bad name or no "
				    "known level in '%s'", f, v->line, v->name,
				    v->value);
	}
}

void log_config_reload(void)
{
	struct config *cfg = NULL;
	int err = config_reload(&cfg, options.confdir, "logger.conf");

	/* as Asterisk: a logger.conf that has gone leaves the defaults; one
	 * that cannot be read or parsed leaves the channels as they are */
	if (err && err != ENOENT)
		return;
	log_config_forget();
	log_config_load(cfg);
	config_free(cfg);
}
