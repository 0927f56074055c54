/* res_applications.c — /applications handlers (list, get) and the
 * `ari show apps` CLI command. */
#include <stdbool.h>
#include "ari/ari.h"
#include "ari/handlers.h"
#include "ari/models.h"
#include "base/cli.h"
#include "core/stasis.h"

static void add_app(struct stasis_app *app, void *arg)
{
	json_array_append_new(arg, ari_application_json(app));
}

void ari_applications_list(struct ari_req *req, struct ari_resp *resp)
{
	json_t *list = json_array();

	stasis_app_foreach(add_app, list);
	ari_resp_json(resp, 200, list);
}

void ari_applications_get(struct ari_req *req, struct ari_resp *resp)
{
	struct stasis_app *app;

	app = stasis_app_find(ari_req_param(req, "applicationName"));
	if (!app) {
		ari_resp_error(resp, 404, "Application not found");
		return;
	}
	ari_resp_json(resp, 200, ari_application_json(app));
}

static void print_app(struct stasis_app *app, void *arg)
{
	cli_printf(arg, "%s\n", stasis_app_name(app));
}

/* Asterisk's layout: a header, a rule, one name per line. */
static int cli_show_apps(struct cli_out *out, int argc, char *argv[])
{
	cli_printf(out, "Application Name         \n");
	cli_printf(out, "=========================\n");
	stasis_app_foreach(print_app, out);
	return 0;
}

int ari_applications_cli_init(void)
{
	return cli_register("ari show apps", cli_show_apps,
			    "Usage: ari show apps\n"
			    "       Lists all registered applications.\n");
}
