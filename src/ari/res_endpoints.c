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

#define VARS_MAX 64

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

/* Send to `resource` of `tech` and reply; the checks of the two operations
 * that differ have been made by the caller. */
static void send_message(struct ari_req *req, struct ari_resp *resp,
			 const char *tech, const char *resource)
{
	const struct endpoint_tech_ops *ops = endpoint_tech_ops(tech);
	const char *keys[VARS_MAX], *values[VARS_MAX];
	const char *body = ari_req_param(req, "body");
	int n, err;

	n = ari_body_string_vars(ari_req_body(req), keys, values, VARS_MAX);
	if (n < 0) {
		ari_resp_error(resp, 400, "Variables must be a JSON object of "
			       "strings");
		return;
	}
	if (!ops || !ops->send_message || !resource || !*resource) {
		ari_resp_error(resp, 404, "Endpoint not found");
		return;
	}
	err = ops->send_message(resource, ari_req_param(req, "from"),
				body ? body : "", keys, values, n);
	if (err == ENOENT) {
		ari_resp_error(resp, 404, "Endpoint not found");
		return;
	}
	if (err) {
		ari_resp_error(resp, 500, "Message could not be sent: %s",
			       strerror(err));
		return;
	}
	ari_resp_no_content(resp);
}

void ari_endpoints_send_message(struct ari_req *req, struct ari_resp *resp)
{
	const char *to = ari_req_param(req, "to");
	const char *from = ari_req_param(req, "from");
	char tech[32];
	const char *rest;

	if (!to || !*to) {
		ari_resp_error(resp, 400, "To must be specified");
		return;
	}
	if (!from || !*from) {
		ari_resp_error(resp, 400, "From must be specified");
		return;
	}
	rest = ari_split_tech_uri(to, tech, sizeof(tech));
	if (!rest) {
		ari_resp_error(resp, 404, "Endpoint not found");
		return;
	}
	send_message(req, resp, tech, rest);
}

void ari_endpoints_send_message_to_endpoint(struct ari_req *req,
					    struct ari_resp *resp)
{
	const char *tech = ari_req_param(req, "tech");
	const char *resource = ari_req_param(req, "resource");
	const char *from = ari_req_param(req, "from");

	if (!from || !*from) {
		ari_resp_error(resp, 400, "From must be specified");
		return;
	}
	if (!endpoint_find(tech, resource)) {
		ari_resp_error(resp, 404, "Endpoint not found");
		return;
	}
	send_message(req, resp, tech, resource);
}
