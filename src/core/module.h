/* module.h — the registry of ariadne's built-in modules under the names
 * Asterisk gives them (res_ari.so, pbx_config.so, cel_custom.so, …), so that
 * applications that check for a module (GET /asterisk/modules/{name}) find
 * it, and so that load/unload/reload have a real effect where ariadne can
 * honour them. Everything is linked into one binary: "unloading" stops what
 * the module does (pbx_config drops the extensions.conf contexts, cel_custom
 * stops writing CEL); modules that cannot be stopped refuse with EPERM. */
#ifndef ARIADNE_MODULE_H
#define ARIADNE_MODULE_H

#include <stdbool.h>

/* A snapshot of one module for listings (strings are static). */
struct module_info {
	const char *name;          /* "pbx_config.so" */
	const char *description;
	int use_count;
	bool running;
	const char *support_level; /* "core", "extended" */
};

/* Called by main.c when linked (weak symbols there). Also registers the
 * "module show", "module load|unload|reload" and "logger …" CLI commands. */
int module_registry_init(void);
void module_registry_close(void);

/* Every module present in this build, in load order. Modules that were
 * unloaded stay listed, with running false. */
void module_foreach(void (*h)(const struct module_info *mi, void *arg),
		    void *arg);
/* ENOENT: no such module in this build. */
int module_get(const char *name, struct module_info *mi);
bool module_is_running(const char *name);

/* EALREADY: running; ENOENT: no such module; other errno: load failed. */
int module_load(const char *name);
/* ENOENT: not running; EPERM: this module cannot be unloaded. */
int module_unload(const char *name);
/* ENOENT: not running; ENOTSUP: no reload; other errno: reload failed. */
int module_reload(const char *name);
/* Asterisk's ast_module_reload(NULL), for `core reload`, `reload` and
 * SIGHUP: every running module that can reload does, and the logger;
 * each failure is logged (and keeps that module's configuration). */
void module_reload_all(void);

/* What stopping and starting a module does, given by the part of ariadne
 * that implements it (pbx_config by src/pbx, cel_custom by the CEL code).
 * A NULL member (or no ops at all): unload EPERM, load and reload ENOTSUP.
 * ENOENT: no module of that name. Call after module_registry_init(). */
struct module_ops {
	int (*load)(void);
	int (*unload)(void);
	int (*reload)(void);
};
int module_ops_set(const char *name, const struct module_ops *ops);

#endif
