/* pbx_config.c — the pbx_config module, under Asterisk's name: the dialplan
 * of extensions.conf loaded at start-up, and what `module unload|load|reload
 * pbx_config.so` (CLI and ARI) do with it. Reading the file's lines into the
 * dialplan is dialplan_load.c's; this file only decides when. */
#include <errno.h>
#include <stdbool.h>
#include <string.h>
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

int pbx_config_load(const struct config *cfg)
{
	return dialplan_load(cfg, set_global);
}

/* extensions.conf is read again from the configuration directory, so a
 * reload picks up edits made since start-up. A missing file is an empty
 * dialplan, as at start-up. */
static int extensions_load(void)
{
	struct config *cfg = NULL;
	int err = config_load(&cfg, options.confdir, "extensions.conf");

	if (err == ENOENT)
		return 0;
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

static int extensions_reload(void)
{
	extensions_unload();
	return extensions_load();
}

static const struct module_ops pbx_config_ops = {
	.load = extensions_load,
	.unload = extensions_unload,
	.reload = extensions_reload,
};

int pbx_config_module_init(void)
{
	return module_ops_set("pbx_config.so", &pbx_config_ops);
}
