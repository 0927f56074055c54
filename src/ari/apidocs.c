/* apidocs.c — the swagger documents under /ari/api-docs: the resource
 * listing (resources.json) and one API declaration per resource, made from
 * the route table (routes.c) and the models (models.c), and their serving,
 * with basePath taken from the request's Host. Authentication is done
 * before (dispatch.c).
 *
 * The shape is what ari-client (swagger-client 2.0.26) and ari-py
 * (swaggerpy) read: swagger 1.1 for the listing, 1.2 for declarations, as
 * Asterisk serves them. */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <re_types.h>
#include <re_fmt.h>
#include <re_sa.h>
#include <re_tcp.h>
#include "ari/http_conf.h"
#include "ari/http_params.h"
#include "ari/request.h"
#include "ari/route.h"
#include "net/tcp_tls.h"

#define cf ari_http_conf

#define ARI_API_VERSION "2.0.0"

static const struct {
	const char *name;
	const char *desc;
} resource_desc[] = {
	{ "asterisk", "Server information, modules, logging and global variables" },
	{ "endpoints", "Endpoints and out-of-call messages" },
	{ "channels", "Channels and the calls they carry" },
	{ "bridges", "Bridges that mix channels together" },
	{ "recordings", "Live and stored recordings" },
	{ "sounds", "Installed sound files" },
	{ "playbacks", "Control of media playbacks" },
	{ "deviceStates", "Device states" },
	{ "mailboxes", "Mailboxes" },
	{ "events", "The event WebSocket and user events" },
	{ "applications", "Stasis applications" },
};

static const char *describe(const char *resource)
{
	for (size_t i = 0; i < sizeof(resource_desc) / sizeof(resource_desc[0]); i++) {
		if (!strcmp(resource_desc[i].name, resource))
			return resource_desc[i].desc;
	}
	return resource;
}

json_t *ari_apidocs_listing(const char *base_path)
{
	json_t *apis = json_array();
	char path[64];

	for (size_t i = 0; apis && ari_resources[i]; i++) {
		/* No "operations" here: swagger-client would take the listing
		 * for a declaration. */
		snprintf(path, sizeof(path), "/api-docs/%s.{format}", ari_resources[i]);
		if (json_array_append_new(apis, json_pack("{s:s, s:s}", "path", path,
							  "description",
							  describe(ari_resources[i])))) {
			json_decref(apis);
			apis = NULL;
		}
	}
	if (!apis)
		return NULL;
	return json_pack("{s:s, s:s, s:s, s:o}", "apiVersion", ARI_API_VERSION,
			 "swaggerVersion", "1.1", "basePath",
			 base_path ? base_path : "", "apis", apis);
}

static bool is_resource(const char *resource)
{
	for (size_t i = 0; ari_resources[i]; i++) {
		if (!strcmp(ari_resources[i], resource))
			return true;
	}
	return false;
}

/* A parameter's defaultValue with the JSON type of its dataType, as
 * Asterisk's files have it (30, false, "both"). */
static json_t *typed_value(const char *type, const char *text)
{
	if (!strcmp(type, "int") || !strcmp(type, "long"))
		return json_integer(strtoll(text, NULL, 10));
	if (!strcmp(type, "double"))
		return json_real(strtod(text, NULL));
	if (!strcmp(type, "boolean"))
		return json_boolean(!strcmp(text, "true"));
	return json_string(text);
}

/* allowableValues: "MIN.." or "MIN..MAX" is a RANGE, else a comma LIST. */
static json_t *allowable_values(const char *type, const char *allowed)
{
	const char *dots = strstr(allowed, "..");

	if (dots) {
		json_t *o = json_pack("{s:s, s:o}", "valueType", "RANGE", "min",
				      typed_value(type, allowed));

		if (o && dots[2] &&
		    json_object_set_new(o, "max", typed_value(type, dots + 2))) {
			json_decref(o);
			return NULL;
		}
		return o;
	}

	return ari_json_allowable_list(allowed);
}

static json_t *param_json(const struct ari_param *p)
{
	static const char *const in_name[] = { "path", "query", "body" };
	json_t *o = json_pack("{s:s, s:s, s:s, s:b, s:b, s:s}", "name", p->name,
			      "description", p->desc ? p->desc : "",
			      "paramType", in_name[p->in], "required", p->required,
			      "allowMultiple", p->multi, "dataType", p->type);

	if (!o)
		return NULL;
	if (p->deflt &&
	    json_object_set_new(o, "defaultValue", typed_value(p->type, p->deflt)))
		goto fail;
	if (p->allowed &&
	    json_object_set_new(o, "allowableValues",
				allowable_values(p->type, p->allowed)))
		goto fail;
	return o;
fail:
	json_decref(o);
	return NULL;
}

static json_t *operation_json(const struct ari_route *r)
{
	json_t *params = json_array();
	json_t *errors = json_array();
	json_t *op = NULL;

	if (!params || !errors)
		goto out;
	for (const struct ari_param *p = r->params; p && p->name; p++) {
		if (json_array_append_new(params, param_json(p)))
			goto out;
	}
	for (const struct ari_error_doc *e = r->errors; e && e->code; e++) {
		if (json_array_append_new(errors, json_pack("{s:i, s:s}", "code",
							    e->code, "reason",
							    e->reason)))
			goto out;
	}
	op = json_pack("{s:s, s:s, s:s, s:s, s:O}", "httpMethod", r->method,
		       "nickname", r->nickname, "summary", r->summary,
		       "responseClass", r->response_class, "parameters", params);
	/* Like Asterisk's files: no errorResponses key when there are none. */
	if (op && json_array_size(errors) &&
	    json_object_set(op, "errorResponses", errors)) {
		json_decref(op);
		op = NULL;
	}
	/* swaggerpy opens the event socket only for an operation marked so. */
	if (op && r->websocket &&
	    (json_object_set_new(op, "upgrade", json_string("websocket")) ||
	     json_object_set_new(op, "websocketProtocol", json_string("ari")))) {
		json_decref(op);
		op = NULL;
	}
out:
	json_decref(params);
	json_decref(errors);
	return op;
}

/* One api entry per distinct path, in table order, holding every operation
 * on that path. */
static json_t *apis_json(const char *resource)
{
	json_t *apis = json_array();

	for (size_t i = 0; apis && i < ari_routes_count; i++) {
		const struct ari_route *r = &ari_routes[i];
		bool seen = false;
		json_t *ops;

		if (strcmp(r->resource, resource))
			continue;
		for (size_t j = 0; j < i && !seen; j++)
			seen = !strcmp(ari_routes[j].path, r->path);
		if (seen)
			continue;

		ops = json_array();
		for (size_t j = i; ops && j < ari_routes_count; j++) {
			if (strcmp(ari_routes[j].path, r->path))
				continue;
			if (json_array_append_new(ops, operation_json(&ari_routes[j]))) {
				json_decref(ops);
				ops = NULL;
			}
		}
		if (!ops || json_array_append_new(apis,
						  json_pack("{s:s, s:s, s:o}", "path",
							    r->path, "description",
							    r->summary, "operations",
							    ops))) {
			json_decref(apis);
			apis = NULL;
		}
	}
	return apis;
}

json_t *ari_apidocs_declaration(const char *resource, const char *base_path)
{
	char resource_path[64];
	json_t *apis, *models;

	if (!resource || !is_resource(resource))
		return NULL;

	apis = apis_json(resource);
	models = ari_models_json(resource);
	if (!apis || !models) {
		json_decref(apis);
		json_decref(models);
		return NULL;
	}
	snprintf(resource_path, sizeof(resource_path), "/api-docs/%s.{format}",
		 resource);
	return json_pack("{s:s, s:s, s:s, s:s, s:o, s:o}", "apiVersion",
			 ARI_API_VERSION, "swaggerVersion", "1.2", "basePath",
			 base_path ? base_path : "", "resourcePath", resource_path,
			 "apis", apis, "models", models);
}

/* ---- serving ---- */

static void base_path(const struct ari_req *req, const struct http_head *h,
		      char *buf, size_t size)
{
	const char *host = http_head_get(h, "Host");
	/* Clients call the basePath they are given: over TLS it is https. */
	const char *scheme = tcp_tls_on(req->tc) ? "https" : "http";
	struct sa local;

	if (host && *host && !strpbrk(host, " \"\\/")) {
		snprintf(buf, size, "%s://%s%s/ari", scheme, host, cf.prefix);
		return;
	}
	if (!tcp_conn_local_get(req->tc, &local))
		re_snprintf(buf, size, "%s://%J%s/ari", scheme, &local,
			    cf.prefix);
	else
		snprintf(buf, size, "%s://127.0.0.1%s/ari", scheme, cf.prefix);
}

void ari_apidocs_serve(const struct ari_req *req, const struct http_head *h,
		       const char *name, struct ari_resp *resp)
{
	char base[512], res[64];
	size_t l = strlen(name);
	json_t *doc = NULL;

	if (strcmp(h->method, "GET")) {
		ari_resp_header(resp, "Allow: GET");
		ari_resp_error(resp, 405, "Unsupported method");
		return;
	}
	base_path(req, h, base, sizeof(base));
	if (l > 5 && l - 5 < sizeof(res) && !strcmp(name + l - 5, ".json")) {
		memcpy(res, name, l - 5);
		res[l - 5] = '\0';
		if (!strcmp(res, "resources"))
			doc = ari_apidocs_listing(base);
		else
			doc = ari_apidocs_declaration(res, base);
	}
	if (!doc) {
		ari_resp_error(resp, 404, "Resource not found");
		return;
	}
	ari_resp_json(resp, 200, doc);
}
