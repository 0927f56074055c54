/* test_module.c — unit tests for the module registry: Asterisk's module
 * names, which modules a build lists, and the errno contract of load /
 * unload / reload that ARI turns into 404/409 (see module.h). pbx_config is
 * the module with real operations, so its unload/load is checked against
 * the dialplan itself. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "pbx/dialplan.h"
#include "base/dynconf.h"
#include "base/log.h"
#include "core/module.h"
#include "base/options.h"
#include "pbx/pbx.h"

static char confdir[] = "/tmp/test_module_XXXXXX";

static void write_extensions(const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/extensions.conf", confdir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int setup(void **state)
{
	dialplan_reset();
	/* Every module starts running, as after main.c's start-up. */
	module_registry_init();
	pbx_config_module_init();
	return 0;
}

static int teardown(void **state)
{
	dialplan_reset();
	return 0;
}

/* ---- listing ---- */

struct names {
	const char *v[64];
	int n;
	bool all_running;
};

static void collect(const struct module_info *mi, void *arg)
{
	struct names *ns = arg;

	if (ns->n < 64)
		ns->v[ns->n++] = mi->name;
	if (!mi->running)
		ns->all_running = false;
}

static int name_index(const struct names *ns, const char *name)
{
	for (int i = 0; i < ns->n; i++)
		if (!strcmp(ns->v[i], name))
			return i;
	return -1;
}

static void list_has_asterisk_names_in_load_order(void **state)
{
	struct names ns = {.all_running = true};

	module_foreach(collect, &ns);
	assert_true(name_index(&ns, "res_ari.so") >= 0);
	assert_true(name_index(&ns, "res_stasis.so") >= 0);
	assert_true(name_index(&ns, "app_stasis.so") >= 0);
	assert_true(name_index(&ns, "pbx_config.so") >= 0);
	assert_true(name_index(&ns, "cel_custom.so") >= 0);
	/* res_stasis before the apps that need it, as Asterisk loads them. */
	assert_true(name_index(&ns, "res_stasis.so") <
		    name_index(&ns, "app_stasis.so"));
	assert_true(ns.all_running);
	for (int i = 0; i < ns.n; i++)
		assert_non_null(strstr(ns.v[i], ".so"));
}

static void pjsip_modules_are_listed_only_when_sip_is_there(void **state)
{
	struct names ns = {.all_running = true};
	struct module_info mi;

	/* No PJSIP channel technology is registered in this binary. */
	module_foreach(collect, &ns);
	assert_int_equal(name_index(&ns, "chan_pjsip.so"), -1);
	assert_int_equal(module_get("chan_pjsip.so", &mi), ENOENT);
	assert_false(module_is_running("chan_pjsip.so"));
}

static void get_fills_the_fields_of_a_module(void **state)
{
	struct module_info mi;

	memset(&mi, 0, sizeof(mi));
	assert_int_equal(module_get("res_stasis.so", &mi), 0);
	assert_string_equal(mi.name, "res_stasis.so");
	assert_string_equal(mi.description, "Stasis application support");
	assert_string_equal(mi.support_level, "core");
	assert_true(mi.running);
	/* No channel is in an app. */
	assert_int_equal(mi.use_count, 0);
}

static void unknown_module_is_ENOENT_for_every_operation(void **state)
{
	struct module_info mi;

	assert_int_equal(module_get("app_nosuch.so", &mi), ENOENT);
	assert_int_equal(module_get(NULL, &mi), ENOENT);
	assert_false(module_is_running("app_nosuch.so"));
	assert_int_equal(module_load("app_nosuch.so"), ENOENT);
	assert_int_equal(module_unload("app_nosuch.so"), ENOENT);
	assert_int_equal(module_reload("app_nosuch.so"), ENOENT);
	/* Asterisk's names carry the .so. */
	assert_int_equal(module_get("res_ari", &mi), ENOENT);
}

static void built_in_module_refuses_unload_with_EPERM_and_stays_running(
	void **state)
{
	assert_int_equal(module_unload("res_ari.so"), EPERM);
	assert_true(module_is_running("res_ari.so"));
	assert_int_equal(module_unload("res_stasis.so"), EPERM);
	assert_true(module_is_running("res_stasis.so"));
}

static void loading_a_running_module_is_EALREADY(void **state)
{
	assert_int_equal(module_load("res_ari.so"), EALREADY);
	assert_int_equal(module_load("pbx_config.so"), EALREADY);
}

static void reload_of_a_module_without_reload_is_ENOTSUP(void **state)
{
	assert_int_equal(module_reload("res_ari.so"), ENOTSUP);
	assert_true(module_is_running("res_ari.so"));
}

static void pbx_config_unload_drops_its_contexts_and_load_rereads_the_file(
	void **state)
{
	struct module_info mi;

	write_extensions("[from-file]\nexten => 100,1,NoOp(one)\n");
	assert_int_equal(module_reload("pbx_config.so"), 0);
	assert_true(dialplan_context_exists("from-file"));
	/* A context of another registrar (like stasis-<app>) survives. */
	assert_int_equal(dialplan_context_add("stasis-keep", "res_stasis"), 0);

	assert_int_equal(module_unload("pbx_config.so"), 0);
	assert_false(dialplan_context_exists("from-file"));
	assert_true(dialplan_context_exists("stasis-keep"));
	assert_false(module_is_running("pbx_config.so"));
	/* Still listed, as not running. */
	assert_int_equal(module_get("pbx_config.so", &mi), 0);
	assert_false(mi.running);
	/* Not running: unload and reload are ENOENT (ARI 404). */
	assert_int_equal(module_unload("pbx_config.so"), ENOENT);
	assert_int_equal(module_reload("pbx_config.so"), ENOENT);

	/* Edits made while unloaded are picked up by load. */
	write_extensions("[from-file]\nexten => 200,1,NoOp(two)\n");
	assert_int_equal(module_load("pbx_config.so"), 0);
	assert_true(module_is_running("pbx_config.so"));
	assert_non_null(dialplan_find("from-file", "200", 1));
	assert_null(dialplan_find("from-file", "100", 1));
}

static void pbx_config_reload_replaces_the_dialplan(void **state)
{
	write_extensions("[r]\nexten => 1,1,NoOp()\n");
	assert_int_equal(module_reload("pbx_config.so"), 0);
	assert_non_null(dialplan_find("r", "1", 1));
	write_extensions("[r2]\nexten => 2,1,NoOp()\n");
	assert_int_equal(module_reload("pbx_config.so"), 0);
	assert_false(dialplan_context_exists("r"));
	assert_non_null(dialplan_find("r2", "2", 1));
	assert_true(module_is_running("pbx_config.so"));
}

/* As Asterisk's pbx_config: an extensions.conf that has gone, or that its
 * parser refuses, replaces nothing; one that never was is an empty
 * dialplan. */
static void pbx_config_reload_keeps_the_dialplan_when_the_file_is_gone_or_broken(
	void **state)
{
	char path[512];

	write_extensions("[kept]\nexten => 1,1,NoOp()\n");
	assert_int_equal(module_reload("pbx_config.so"), 0);
	snprintf(path, sizeof(path), "%s/extensions.conf", confdir);
	unlink(path);
	assert_int_equal(module_reload("pbx_config.so"), ENOENT);
	assert_non_null(dialplan_find("kept", "1", 1));
	write_extensions("[kept\nexten => 2,1,NoOp()\n");
	assert_int_equal(module_reload("pbx_config.so"), EBADMSG);
	assert_non_null(dialplan_find("kept", "1", 1));
	assert_true(module_is_running("pbx_config.so"));
	/* Never there since the last load: an empty dialplan, no error. */
	unlink(path);
	assert_int_equal(module_unload("pbx_config.so"), 0);
	assert_int_equal(module_load("pbx_config.so"), 0);
	assert_false(dialplan_context_exists("kept"));
	assert_int_equal(module_reload("pbx_config.so"), 0);
	assert_true(module_is_running("pbx_config.so"));
}

static bool has_type_any(const char *type)
{
	return true;
}

static const struct dynconf_class_ops pjsip_ops = {.has_type = has_type_any};

static void res_pjsip_is_listed_once_its_config_class_exists(void **state)
{
	struct module_info mi;

	assert_int_equal(module_get("res_pjsip.so", &mi), ENOENT);
	assert_int_equal(dynconf_class_register("res_pjsip", &pjsip_ops), 0);
	assert_int_equal(module_get("res_pjsip.so", &mi), 0);
	assert_true(mi.running);
	assert_int_equal(module_unload("res_pjsip.so"), EPERM);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(list_has_asterisk_names_in_load_order),
		T(pjsip_modules_are_listed_only_when_sip_is_there),
		T(get_fills_the_fields_of_a_module),
		T(unknown_module_is_ENOENT_for_every_operation),
		T(built_in_module_refuses_unload_with_EPERM_and_stays_running),
		T(loading_a_running_module_is_EALREADY),
		T(reload_of_a_module_without_reload_is_ENOTSUP),
		T(pbx_config_unload_drops_its_contexts_and_load_rereads_the_file),
		T(pbx_config_reload_replaces_the_dialplan),
		T(pbx_config_reload_keeps_the_dialplan_when_the_file_is_gone_or_broken),
		T(res_pjsip_is_listed_once_its_config_class_exists),
	};
	char cmd[600];
	int failed;

	log_set_quiet(1);
	if (!mkdtemp(confdir))
		return 1;
	snprintf(options.confdir, sizeof(options.confdir), "%s", confdir);
	failed = cmocka_run_group_tests(tests, NULL, NULL);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", confdir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", confdir);
	module_registry_close();
	return failed;
}
