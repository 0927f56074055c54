/* pbx_config.c — the pbx_config module, under Asterisk's name: the dialplan
 * of extensions.conf loaded at start-up, and what `module unload|load|reload
 * pbx_config.so` (CLI and ARI) do with it. Reading the file's lines into the
 * dialplan is dialplan_load.c's; this file only decides when. */
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include "base/cli.h"
#include "base/config.h"
#include "base/log.h"
#include "base/options.h"
#include "core/channel.h"
#include "core/module.h"
#include "pbx/dialplan.h"
#include "pbx/pbx.h"

#define REGISTRAR "pbx_config"

static void set_global(const char *name, const char *value)
{
	channel_global_set(name, value);
}

/* Whether the dialplan in force came from a file: one that has gone since
 * is a reload refused; one that was never there is an empty dialplan. */
static bool had_file;

int pbx_config_load(const struct config *cfg)
{
	had_file = cfg != NULL;
	return dialplan_load(cfg, set_global);
}

/* extensions.conf is read again from the configuration directory, so a
 * reload picks up edits made since start-up. A missing file is an empty
 * dialplan, as at start-up. */
static int extensions_load(void)
{
	struct config *cfg = NULL;
	int err = config_load(&cfg, options.confdir, "extensions.conf");

	if (err == ENOENT) {
		had_file = false;
		return 0;
	}
	if (err) {
		log_error("Unable to load %s/extensions.conf: %s",
			  options.confdir, strerror(err));
		return err;
	}
	err = pbx_config_load(cfg);
	config_free(cfg);
	return err;
}

static int extensions_unload(void)
{
	/* The contexts of other registrars (stasis-<app>) stay. */
	dialplan_registrar_remove(REGISTRAR);
	return 0;
}

/* As Asterisk's pbx_config: a file that cannot be read, that has gone, or
 * that its parser refuses (a section header without ']') replaces
 * nothing, so calls keep their routes after a bad edit. The file is
 * parsed before the old dialplan is removed. */
static int extensions_reload(void)
{
	struct config *cfg = NULL;
	int err = config_reload(&cfg, options.confdir, "extensions.conf");

	if (err == ENOENT && !had_file)
		return 0;
	if (err == ENOENT)
		log_error("%s/extensions.conf is gone: the dialplan in force is "
			  "kept", options.confdir);
	if (err)
		return err;
	extensions_unload();
	err = pbx_config_load(cfg);
	config_free(cfg);
	return err;
}

static int cli_dialplan_reload(struct cli_out *out, int argc, char *argv[])
{
	(void)argv;
	if (argc)
		return EINVAL;
	if (extensions_reload())
		cli_printf(out, "Dialplan not reloaded: the file has errors "
			   "(see the log); the dialplan in force is kept.\n");
	else
		cli_printf(out, "Dialplan reloaded.\n");
	return 0;
}

static const struct module_ops pbx_config_ops = {
	.load = extensions_load,
	.unload = extensions_unload,
	.reload = extensions_reload,
};

int pbx_config_module_init(void)
{
	static const struct cli_entry cmds[] = {
		{"dialplan reload", cli_dialplan_reload,
		 "Usage: dialplan reload\n"
		 "       Reload extensions.conf without reloading any other "
		 "modules.\n"},
	};
	int err = cli_register_all(cmds, sizeof(cmds) / sizeof(cmds[0]));

	return err ? err : module_ops_set("pbx_config.so", &pbx_config_ops);
}
