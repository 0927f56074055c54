/* res_asterisk_modules.c — /asterisk/modules handlers: list, get, load,
 * unload, reload over the built-in module registry (core/module.h). Status
 * codes and messages follow Asterisk's resource_asterisk.c. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include "ari/handlers.h"
#include "core/module.h"

static json_t *module_json(const struct module_info *mi)
{
	return json_pack("{s:s, s:s, s:i, s:s, s:s}", "name", mi->name,
			 "description", mi->description, "use_count",
			 mi->use_count, "status",
			 mi->running ? "Running" : "Not Running",
			 "support_level", mi->support_level);
}

static void add_module(const struct module_info *mi, void *arg)
{
	json_array_append_new(arg, module_json(mi));
}

void ari_asterisk_list_modules(struct ari_req *req, struct ari_resp *resp)
{
	json_t *list = json_array();

	if (!list) {
		ari_resp_error(resp, 500, "Allocation failed");
		return;
	}
	module_foreach(add_module, list);
	ari_resp_json(resp, 200, list);
}

void ari_asterisk_get_module(struct ari_req *req, struct ari_resp *resp)
{
	const char *name = ari_req_param(req, "moduleName");
	struct module_info mi;

	/* Like Asterisk: a module that is not running is not found. */
	if (!module_is_running(name)) {
		ari_resp_error(resp, 404, "Module could not be found in "
			       "running modules");
		return;
	}
	if (module_get(name, &mi)) {
		ari_resp_error(resp, 409, "Module information could not be "
			       "retrieved");
		return;
	}
	ari_resp_json(resp, 200, module_json(&mi));
}

void ari_asterisk_load_module(struct ari_req *req, struct ari_resp *resp)
{
	switch (module_load(ari_req_param(req, "moduleName"))) {
	case 0:
		ari_resp_no_content(resp);
		break;
	case EALREADY:
		ari_resp_error(resp, 409, "Module is already loaded");
		break;
	case ENOENT:
		/* No such file: Asterisk's loader declines the load. */
		ari_resp_error(resp, 409, "Module load declined");
		break;
	default:
		ari_resp_error(resp, 409, "Module could not be loaded "
			       "properly");
		break;
	}
}

/* What unload and reload answer alike: done, or no such running module.
 * False for another error, which each names its own way. */
static bool module_change_reply(struct ari_resp *resp, int err)
{
	if (!err)
		ari_resp_no_content(resp);
	else if (err == ENOENT)
		ari_resp_error(resp, 404, "Module not found in running "
			       "modules");
	else
		return false;
	return true;
}

void ari_asterisk_unload_module(struct ari_req *req, struct ari_resp *resp)
{
	int err = module_unload(ari_req_param(req, "moduleName"));

	if (!module_change_reply(resp, err))
		ari_resp_error(resp, 409, "Module could not be unloaded");
}

void ari_asterisk_reload_module(struct ari_req *req, struct ari_resp *resp)
{
	int err = module_reload(ari_req_param(req, "moduleName"));

	if (module_change_reply(resp, err))
		return;
	if (err == ENOTSUP)
		ari_resp_error(resp, 409, "Module does not support reloading");
	else
		ari_resp_error(resp, 409, "An unknown error occurred while "
			       "reloading the module");
}
