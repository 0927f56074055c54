/* ari_util.c — small helpers shared by the resource handlers (ari_util.h).
 * Like the handlers, it uses request.h only, never dispatch or HTTP. */
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include "ari/ari_util.h"
#include "core/channel.h"
#include "core/endpoint.h"
#include "core/stasis.h"

#define VARS_MAX 64

struct channel *ari_channel_lookup(struct ari_req *req, struct ari_resp *resp,
				   enum ari_chan_need need)
{
	struct channel *ch = channel_find(ari_req_param(req, "channelId"));
	enum channel_state st;

	if (!ch) {
		ari_resp_error(resp, 404, "Channel not found");
		return NULL;
	}
	if (need == ARI_CHAN_ANY)
		return ch;
	if (!stasis_channel_app(ch)) {
		ari_resp_error(resp, 409, "Channel not in Stasis application");
		return NULL;
	}
	st = channel_state(ch);
	if (need == ARI_CHAN_USABLE &&
	    (st == CHANNEL_DOWN || st == CHANNEL_RSRVD ||
	     st == CHANNEL_RINGING)) {
		ari_resp_error(resp, 412, "Channel in invalid state");
		return NULL;
	}
	return ch;
}

int ari_body_string_vars(json_t *body, const char **keys, const char **values,
			 int max)
{
	json_t *vars = body ? json_object_get(body, "variables") : NULL;
	const char *key;
	json_t *val;
	int n = 0;

	if (!vars || json_is_null(vars))
		return 0;
	if (!json_is_object(vars) || json_object_size(vars) > (size_t)max)
		return -1;
	json_object_foreach(vars, key, val) {
		if (!json_is_string(val))
			return -1;
		keys[n] = key;
		values[n] = json_string_value(val);
		n++;
	}
	return n;
}

const char *ari_split_tech_uri(const char *to, char *tech, size_t size)
{
	const char *colon = to ? strchr(to, ':') : NULL;

	if (!colon || colon == to || (size_t)(colon - to) >= size)
		return NULL;
	memcpy(tech, to, colon - to);
	tech[colon - to] = '\0';
	return colon + 1;
}

static void endpoint_request(struct ari_req *req, struct ari_resp *resp,
			     const char *tech, const char *resource,
			     const struct ari_endpoint_op *op)
{
	const struct endpoint_tech_ops *ops = endpoint_tech_ops(tech);
	const char *keys[VARS_MAX], *values[VARS_MAX];
	int n, err;

	n = ari_body_string_vars(ari_req_body(req), keys, values, VARS_MAX);
	if (n < 0) {
		ari_resp_error(resp, 400, "Variables must be a JSON object of "
			       "strings");
		return;
	}
	err = ops && resource && *resource ?
	      op->run(ops, req, resource, keys, values, n) : ENOENT;
	if (err == ENOENT)
		ari_resp_error(resp, 404, "Endpoint not found");
	else if (err == EINVAL && op->invalid)
		ari_resp_error(resp, 400, "%s", op->invalid);
	else if (err)
		ari_resp_error(resp, 500, "%s could not be sent: %s", op->what,
			       strerror(err));
	else
		ari_resp_no_content(resp);
}

void ari_endpoint_request_to(struct ari_req *req, struct ari_resp *resp,
			     const struct ari_endpoint_op *op)
{
	const char *to = ari_req_param(req, "to");
	const char *rest;
	char tech[32];

	if (!to || !*to) {
		ari_resp_error(resp, 400, "To must be specified");
		return;
	}
	if (!op->check(req, resp))
		return;
	rest = ari_split_tech_uri(to, tech, sizeof(tech));
	if (!rest) {
		ari_resp_error(resp, 404, "Endpoint not found");
		return;
	}
	endpoint_request(req, resp, tech, rest, op);
}

void ari_endpoint_request_at(struct ari_req *req, struct ari_resp *resp,
			     const struct ari_endpoint_op *op)
{
	const char *tech = ari_req_param(req, "tech");
	const char *resource = ari_req_param(req, "resource");

	if (!op->check(req, resp))
		return;
	if (!endpoint_find(tech, resource)) {
		ari_resp_error(resp, 404, "Endpoint not found");
		return;
	}
	endpoint_request(req, resp, tech, resource, op);
}
