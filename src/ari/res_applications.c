/* res_applications.c — /applications handlers (list, get) and the
 * `ari show apps`, `ari show app <name>` CLI commands (the other `ari
 * show` commands are http_conf.c's). */
#include <errno.h>
#include <stdbool.h>
#include "ari/ari.h"
#include "ari/handlers.h"
#include "ari/http_conf.h"
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
	cli_printf(arg, "%-25.25s\n", stasis_app_name(app));
}

/* Asterisk's layout: a header, a rule, one name per line. */
static int cli_show_apps(struct cli_out *out, int argc, char *argv[])
{
	(void)argv;
	if (argc)
		return EINVAL;
	cli_printf(out, "Application Name         \n");
	cli_printf(out, "=========================\n");
	stasis_app_foreach(print_app, out);
	return 0;
}

struct sources {
	struct cli_out *out;
	const struct stasis_app *app;
	enum stasis_source kind;
	unsigned n;
};

static void print_source(const char *id, void *arg)
{
	struct sources *s = arg;

	cli_printf(s->out, "      %s (%u)\n", id,
		   stasis_app_source_interest(s->app, s->kind, id));
}

static void count_source(const char *id, void *arg)
{
	(void)id;
	((struct sources *)arg)->n++;
}

/* res_stasis's stasis_app_to_cli(). ariadne has no per-app debugging:
 * Debug is always No. An unknown app prints nothing, as in Asterisk. */
static int cli_show_app(struct cli_out *out, int argc, char *argv[])
{
	static const struct {
		enum stasis_source kind;
		const char *label;
	} kinds[] = {
		{STASIS_SRC_CHANNEL, "Channels"},
		{STASIS_SRC_BRIDGE, "Bridges"},
		{STASIS_SRC_ENDPOINT, "Endpoints"},
	};
	struct sources s = {.out = out};

	if (argc != 1)
		return EINVAL;
	s.app = stasis_app_find(argv[0]);
	if (!s.app)
		return 0;
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		stasis_app_source_foreach(s.app, kinds[i].kind, count_source,
					  &s);
	cli_printf(out, "Name: %s\n"
		   "  Debug: No\n"
		   "  Subscription Model: %s\n"
		   "  Subscriptions: %u\n", stasis_app_name(s.app),
		   stasis_app_subscribes_all(s.app) ?
			   "Global Resource Subscription" :
			   "Application/Explicit Resource Subscription", s.n);
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		s.kind = kinds[i].kind;
		cli_printf(out, "    %s:\n", kinds[i].label);
		stasis_app_source_foreach(s.app, s.kind, print_source, &s);
	}
	return 0;
}

int ari_applications_cli_init(void)
{
	static const struct cli_entry cmds[] = {
		{"ari show apps", cli_show_apps,
		 "Usage: ari show apps\n"
		 "       Lists all registered applications.\n"},
		{"ari show app", cli_show_app,
		 "Usage: ari show app <application>\n"
		 "       Provide detailed information about a registered application.\n"},
	};
	int err = cli_register_all(cmds, sizeof(cmds) / sizeof(cmds[0]));

	return err ? err : ari_http_conf_cli_init();
}
