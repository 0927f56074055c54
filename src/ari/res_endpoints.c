/* res_endpoints.c — /endpoints handlers: list (all, by technology), get, and
 * out-of-call messages through the technology's send_message operation
 * (core/endpoint.h). refer/referToEndpoint are in res_endpoints_refer.c.
 * Codes and messages follow Asterisk's resource_endpoints.c. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "ari/ari_util.h"
#include "ari/handlers.h"
#include "ari/models.h"
#include "core/endpoint.h"

static void add_endpoint(struct endpoint *ep, void *arg)
{
	json_array_append_new(arg, ari_endpoint_json(ep));
}

void ari_endpoints_list(struct ari_req *req, struct ari_resp *resp)
{
	json_t *list = json_array();

	if (!list) {
		ari_resp_error(resp, 500, "Allocation failed");
		return;
	}
	endpoint_foreach(NULL, add_endpoint, list);
	ari_resp_json(resp, 200, list);
}

void ari_endpoints_list_by_tech(struct ari_req *req, struct ari_resp *resp)
{
	const char *tech = ari_req_param(req, "tech");
	json_t *list;

	if (!endpoint_tech_exists(tech)) {
		ari_resp_error(resp, 404, "No Endpoints found - invalid tech "
			       "%s", tech);
		return;
	}
	list = json_array();
	if (!list) {
		ari_resp_error(resp, 500, "Allocation failed");
		return;
	}
	endpoint_foreach(tech, add_endpoint, list);
	ari_resp_json(resp, 200, list);
}

void ari_endpoints_get(struct ari_req *req, struct ari_resp *resp)
{
	struct endpoint *ep = endpoint_find(ari_req_param(req, "tech"),
					    ari_req_param(req, "resource"));

	if (!ep) {
		ari_resp_error(resp, 404, "Endpoint not found");
		return;
	}
	ari_resp_json(resp, 200, ari_endpoint_json(ep));
}

static bool check_send_message(struct ari_req *req, struct ari_resp *resp)
{
	const char *from = ari_req_param(req, "from");

	if (!from || !*from) {
		ari_resp_error(resp, 400, "From must be specified");
		return false;
	}
	return true;
}

static int run_send_message(const struct endpoint_tech_ops *ops,
			    struct ari_req *req, const char *resource,
			    const char **keys, const char **values, int n)
{
	const char *body = ari_req_param(req, "body");

	if (!ops->send_message)
		return ENOENT;
	return ops->send_message(resource, ari_req_param(req, "from"),
				 body ? body : "", keys, values, n);
}

static const struct ari_endpoint_op send_message = {
	.what = "Message",
	.check = check_send_message,
	.run = run_send_message,
};

void ari_endpoints_send_message(struct ari_req *req, struct ari_resp *resp)
{
	ari_endpoint_request_to(req, resp, &send_message);
}

void ari_endpoints_send_message_to_endpoint(struct ari_req *req,
					    struct ari_resp *resp)
{
	ari_endpoint_request_at(req, resp, &send_message);
}
