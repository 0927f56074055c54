/* module.c — ariadne's built-in modules under Asterisk's names (see
 * module.h), what load/unload/reload do for each, and the "module …" CLI.
 * Not a loader: nothing is dlopen()ed. A module either has real operations
 * (pbx_config, cel_custom) or refuses to be stopped; no flag is flipped
 * without something changing behind it. */
#include <errno.h>
#include <stdint.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include "core/cel.h"
#include "core/channel.h"
#include "base/cli.h"
#include "base/config.h"
#include "base/dynconf.h"
#include "core/endpoint.h"
#include "base/log.h"
#include "core/module.h"
#include "base/options.h"
#include "core/stasis.h"

struct module_def {
	const char *name;
	const char *description;
	const char *support_level;
	bool (*present)(void);      /* NULL: always part of the build */
	int (*use_count)(void);     /* NULL: 0 */
};

/* ---- per-module operations ------------------------------------------ */

static bool pjsip_present(void)
{
	return channel_tech_find("PJSIP") != NULL;
}

static bool res_pjsip_present(void)
{
	return dynconf_class_find("res_pjsip") || endpoint_tech_exists("PJSIP");
}

static bool count_pjsip(struct channel *ch, void *arg)
{
	if (!strcmp(channel_tech_type(ch), "PJSIP"))
		++*(int *)arg;
	return false;
}

static int pjsip_use_count(void)
{
	int n = 0;

	channel_foreach(count_pjsip, &n);
	return n;
}

static bool count_stasis(struct channel *ch, void *arg)
{
	if (stasis_channel_app(ch))
		++*(int *)arg;
	return false;
}

static int stasis_use_count(void)
{
	int n = 0;

	channel_foreach(count_stasis, &n);
	return n;
}

static int cel_custom_load(void)
{
	struct config *cfg = NULL;
	int err = config_load(&cfg, options.confdir, "cel.conf");

	if (err && err != ENOENT) {
		log_error("Unable to load %s/cel.conf: %s", options.confdir,
			  strerror(err));
		return err;
	}
	err = cel_init(cfg, options.logdir);
	config_free(cfg);
	return err;
}

/* A cel.conf its parser refuses keeps the settings in force (a gone one
 * gives the defaults, as at start-up). */
static int cel_custom_reload(void)
{
	struct config *cfg = NULL;
	int err = config_reload(&cfg, options.confdir, "cel.conf");

	if (err && err != ENOENT)
		return err;
	err = cel_init(cfg, options.logdir);
	config_free(cfg);
	return err;
}

static int cel_custom_unload(void)
{
	cel_close();
	return 0;
}

static const struct module_ops cel_custom_ops = {
	.load = cel_custom_load,
	.unload = cel_custom_unload,
	.reload = cel_custom_reload,
};

static const struct module_def defs[] = {
	{"res_http_websocket.so", "HTTP WebSocket Support", "core",
	 NULL, NULL},
	{"res_stasis.so", "Stasis application support", "core",
	 NULL, stasis_use_count},
	{"res_stasis_answer.so", "Stasis application answer support", "core",
	 NULL, NULL},
	{"res_stasis_playback.so", "Stasis application playback support",
	 "core", NULL, NULL},
	{"res_stasis_device_state.so", "Stasis application device state support",
	 "core", NULL, NULL},
	{"res_stasis_mailbox.so", "Stasis application mailbox support", "core",
	 NULL, NULL},
	{"res_ari.so", "Asterisk RESTful Interface", "core",
	 NULL, NULL},
	{"app_stasis.so", "Stasis dialplan application", "core",
	 NULL, stasis_use_count},
	{"pbx_config.so", "Text Extension Configuration", "core",
	 NULL, NULL},
	{"cel_custom.so", "Customizable Comma Separated Values CEL Backend",
	 "core", NULL, NULL},
	{"res_pjsip.so", "Basic SIP resource", "core",
	 res_pjsip_present, NULL},
	{"chan_pjsip.so", "PJSIP Channel Driver", "core",
	 pjsip_present, pjsip_use_count},
};

#define NDEFS (sizeof(defs) / sizeof(defs[0]))

/* Everything starts running: main.c has already started each part. */
static bool stopped[NDEFS];
/* Given by the part that owns the module (module_ops_set); NULL: the module
 * cannot be stopped, so never loaded (EPERM, ENOTSUP). */
static const struct module_ops *ops[NDEFS];

static int def_index(const char *name)
{
	for (size_t i = 0; name && i < NDEFS; i++) {
		if (strcmp(defs[i].name, name))
			continue;
		if (defs[i].present && !defs[i].present())
			return -1;
		return (int)i;
	}
	return -1;
}

static void fill(size_t i, struct module_info *mi)
{
	mi->name = defs[i].name;
	mi->description = defs[i].description;
	mi->running = !stopped[i];
	mi->use_count = mi->running && defs[i].use_count ? defs[i].use_count()
							 : 0;
	mi->support_level = defs[i].support_level;
}

void module_foreach(void (*h)(const struct module_info *mi, void *arg),
		    void *arg)
{
	for (size_t i = 0; i < NDEFS; i++) {
		struct module_info mi;

		if (defs[i].present && !defs[i].present())
			continue;
		fill(i, &mi);
		h(&mi, arg);
	}
}

int module_get(const char *name, struct module_info *mi)
{
	int i = def_index(name);

	if (i < 0)
		return ENOENT;
	fill((size_t)i, mi);
	return 0;
}

bool module_is_running(const char *name)
{
	int i = def_index(name);

	return i >= 0 && !stopped[i];
}

static void reloaded_now(void)
{
	gettimeofday(&options.reload_time, NULL);
}

int module_load(const char *name)
{
	int i = def_index(name), err;

	if (i < 0)
		return ENOENT;
	if (!stopped[i])
		return EALREADY;
	err = ops[i] && ops[i]->load ? ops[i]->load() : ENOTSUP;
	if (err) {
		log_warning("Module '%s' could not be loaded: %s", name,
			    strerror(err));
		return err;
	}
	stopped[i] = false;
	log_verbose(1, "Loaded %s => (%s)", name, defs[i].description);
	return 0;
}

int module_unload(const char *name)
{
	int i = def_index(name), err;

	if (i < 0 || stopped[i])
		return ENOENT;
	if (!ops[i] || !ops[i]->unload) {
		log_warning("Module '%s' is built in and cannot be unloaded",
			    name);
		return EPERM;
	}
	err = ops[i]->unload();
	if (err)
		return err;
	stopped[i] = true;
	log_verbose(1, "Unloaded %s", name);
	return 0;
}

int module_ops_set(const char *name, const struct module_ops *mops)
{
	for (size_t i = 0; i < NDEFS; i++) {
		if (!strcmp(defs[i].name, name)) {
			ops[i] = mops;
			return 0;
		}
	}
	return ENOENT;
}

int module_reload(const char *name)
{
	int i = def_index(name), err;

	if (i < 0 || stopped[i])
		return ENOENT;
	if (!ops[i] || !ops[i]->reload)
		return ENOTSUP;
	err = ops[i]->reload();
	if (err) {
		log_warning("Module '%s' could not be reloaded: %s", name,
			    strerror(err));
		return err;
	}
	reloaded_now();
	log_verbose(1, "Reloaded %s", name);
	return 0;
}

/* ---- CLI ---------------------------------------------------------------- */

/* The CLI, as Asterisk's, takes a module's name with or without ".so";
 * the registry knows the full name. */
static const char *so_name(const char *name, char *buf, size_t size)
{
	size_t n = strlen(name);

	if (n > 3 && !strcmp(name + n - 3, ".so"))
		return name;
	snprintf(buf, size, "%s.so", name);
	return buf;
}

struct show_ctx {
	struct cli_out *out;
	const char *like;
	int n;
};

static void show_one(const struct module_info *mi, void *arg)
{
	struct show_ctx *c = arg;

	if (c->like && !strstr(mi->name, c->like))
		return;
	cli_printf(c->out, "%-30s %-40.40s %-10d %-11s %13s\n", mi->name,
		   mi->description, mi->use_count,
		   mi->running ? "Running" : "Not Running", mi->support_level);
	c->n++;
}

static int cli_module_show(struct cli_out *out, int argc, char *argv[])
{
	struct show_ctx c = {.out = out};

	if (argc == 2 && !strcmp(argv[0], "like"))
		c.like = argv[1];
	else if (argc != 0)
		return EINVAL;
	cli_printf(out, "%-30s %-40.40s %-10s %-11s %13s\n", "Module",
		   "Description", "Use Count", "Status", "Support Level");
	module_foreach(show_one, &c);
	cli_printf(out, "%d modules loaded\n", c.n);
	return 0;
}

static int cli_module_load(struct cli_out *out, int argc, char *argv[])
{
	char buf[128];
	int err;

	if (argc != 1)
		return EINVAL;
	err = module_load(so_name(argv[0], buf, sizeof(buf)));
	if (err == EALREADY)
		cli_printf(out, "Module '%s' is already loaded\n", argv[0]);
	else if (err)
		cli_printf(out, "Unable to load module %s\n", argv[0]);
	else
		cli_printf(out, "Loaded %s\n", argv[0]);
	return 0;
}

static int cli_module_unload(struct cli_out *out, int argc, char *argv[])
{
	char buf[128];
	int err;

	if (argc != 1)
		return EINVAL;
	err = module_unload(so_name(argv[0], buf, sizeof(buf)));
	if (err)
		cli_printf(out, "Unable to unload resource %s\n", argv[0]);
	else
		cli_printf(out, "Unloaded %s\n", argv[0]);
	return 0;
}

static void reload_one(const struct module_info *mi, void *arg)
{
	(void)arg;
	/* a failure is logged by module_reload(); the CLI says nothing, as
	 * Asterisk's global reload */
	if (mi->running)
		(void)module_reload(mi->name);
}

void module_reload_all(void)
{
	module_foreach(reload_one, NULL);
	log_config_reload();
}

/* `module reload` alone, `core reload` and `reload`, which print
 * nothing, as Asterisk's. */
static int cli_reload_all(struct cli_out *out, int argc, char *argv[])
{
	(void)argv;
	(void)out;
	if (argc)
		return EINVAL;
	module_reload_all();
	return 0;
}

/* main/cli.c handle_reload()'s answer for each module named. */
static int cli_module_reload(struct cli_out *out, int argc, char *argv[])
{
	if (!argc)
		return cli_reload_all(out, argc, argv);
	for (int i = 0; i < argc; i++) {
		const char *name = argv[i];
		struct module_info mi;
		char buf[128];
		int err;

		if (module_get(so_name(name, buf, sizeof(buf)), &mi)) {
			cli_printf(out, "No such module '%s'\n", name);
			continue;
		}
		if (!mi.running) {
			cli_printf(out, "The module '%s' was not properly "
				   "initialized. Before reloading the module, "
				   "you must run \"module load %s\" and fix "
				   "whatever is preventing the module from being "
				   "initialized.\n", name, name);
			continue;
		}
		err = module_reload(mi.name);
		if (err == ENOTSUP)
			cli_printf(out, "The module '%s' does not support "
				   "reloads\n", name);
		else if (err)
			cli_printf(out, "The module '%s' reported a reload "
				   "failure\n", name);
		else
			cli_printf(out, "Module '%s' reloaded successfully.\n",
				   name);
	}
	return 0;
}

int module_registry_init(void)
{
	static const struct cli_entry cmds[] = {
		{"module show", cli_module_show,
		 "Usage: module show [like keyword]\n"
		 "       Shows ariadne modules currently in use, and usage statistics.\n"},
		{"module load", cli_module_load,
		 "Usage: module load <module name>\n"
		 "       Loads the specified module into ariadne.\n"},
		{"module unload", cli_module_unload,
		 "Usage: module unload <module name>\n"
		 "       Unloads the specified module from ariadne.\n"},
		{"module reload", cli_module_reload,
		 "Usage: module reload [module ...]\n"
		 "       Reloads configuration files for all listed modules which support\n"
		 "       reloading, or for all supported modules if none are listed.\n"},
		{"core reload", cli_reload_all,
		 "Usage: core reload\n"
		 "       Execute a global reload.\n"},
		{"reload", cli_reload_all,
		 "Usage: reload\n"
		 "       Execute a global reload (same as core reload).\n"},
	};
	int err;

	memset(stopped, 0, sizeof(stopped));
	err = module_ops_set("cel_custom.so", &cel_custom_ops);
	return err ? err : cli_register_all(cmds, sizeof(cmds) /
					    sizeof(cmds[0]));
}

void module_registry_close(void)
{
	memset(ops, 0, sizeof(ops));
}
