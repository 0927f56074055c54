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

static bool check_refer(struct ari_req *req, struct ari_resp *resp)
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

static int run_refer(const struct endpoint_tech_ops *ops, struct ari_req *req,
		     const char *resource, const char **keys,
		     const char **values, int n)
{
	if (!ops->refer)
		return ENOENT;
	return ops->refer(resource, ari_req_param(req, "from"),
			  ari_req_param(req, "refer_to"),
			  ari_req_param_bool(req, "to_self", false), keys,
			  values, n);
}

static const struct ari_endpoint_op refer = {
	.what = "REFER",
	.invalid = "Invalid parameters for the REFER",
	.check = check_refer,
	.run = run_refer,
};

void ari_endpoints_refer(struct ari_req *req, struct ari_resp *resp)
{
	ari_endpoint_request_to(req, resp, &refer);
}

void ari_endpoints_refer_to_endpoint(struct ari_req *req,
				     struct ari_resp *resp)
{
	ari_endpoint_request_at(req, resp, &refer);
}
