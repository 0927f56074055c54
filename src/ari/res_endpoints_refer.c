/* res_endpoints_refer.c — POST /endpoints/refer and
 * /endpoints/{tech}/{resource}/refer: an out-of-call REFER through the
 * technology's refer operation (core/endpoint.h). Checks and status codes
 * follow Asterisk's resource_endpoints.c; the REFER itself is the
 * technology's (src/sip/sip_refer.c for PJSIP). */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "ari/ari_util.h"
#include "ari/handlers.h"
#include "core/endpoint.h"

#define VARS_MAX 64

static void do_refer(struct ari_req *req, struct ari_resp *resp,
		     const char *tech, const char *resource)
{
	const struct endpoint_tech_ops *ops = endpoint_tech_ops(tech);
	const char *keys[VARS_MAX], *values[VARS_MAX];
	const char *refer_to = ari_req_param(req, "refer_to");
	int n, err;

	n = ari_body_string_vars(ari_req_body(req), keys, values, VARS_MAX);
	if (n < 0) {
		ari_resp_error(resp, 400, "Variables must be a JSON object of "
			       "strings");
		return;
	}
	if (!ops || !ops->refer || !resource || !*resource) {
		ari_resp_error(resp, 404, "Endpoint not found");
		return;
	}
	err = ops->refer(resource, ari_req_param(req, "from"), refer_to,
			 ari_req_param_bool(req, "to_self", false), keys,
			 values, n);
	if (err == ENOENT) {
		ari_resp_error(resp, 404, "Endpoint not found");
		return;
	}
	if (err == EINVAL) {
		ari_resp_error(resp, 400, "Invalid parameters for the REFER");
		return;
	}
	if (err) {
		ari_resp_error(resp, 500, "REFER could not be sent: %s",
			       strerror(err));
		return;
	}
	ari_resp_no_content(resp);
}

static bool check_common(struct ari_req *req, struct ari_resp *resp)
{
	const char *from = ari_req_param(req, "from");
	const char *refer_to = ari_req_param(req, "refer_to");

	if (!from || !*from) {
		ari_resp_error(resp, 400, "From must be specified");
		return false;
	}
	if (!refer_to || !*refer_to) {
		ari_resp_error(resp, 400, "Refer_to must be specified");
		return false;
	}
	return true;
}

void ari_endpoints_refer(struct ari_req *req, struct ari_resp *resp)
{
	const char *to = ari_req_param(req, "to");
	const char *rest;
	char tech[32];

	if (!to || !*to) {
		ari_resp_error(resp, 400, "To must be specified");
		return;
	}
	if (!check_common(req, resp))
		return;
	rest = ari_split_tech_uri(to, tech, sizeof(tech));
	if (!rest) {
		ari_resp_error(resp, 404, "Endpoint not found");
		return;
	}
	do_refer(req, resp, tech, rest);
}

void ari_endpoints_refer_to_endpoint(struct ari_req *req,
				     struct ari_resp *resp)
{
	const char *tech = ari_req_param(req, "tech");
	const char *resource = ari_req_param(req, "resource");

	if (!check_common(req, resp))
		return;
	if (!endpoint_find(tech, resource)) {
		ari_resp_error(resp, 404, "Endpoint not found");
		return;
	}
	do_refer(req, resp, tech, resource);
}
