/* dispatch.c — what happens to an ARI request between its arrival and its
 * handler: the prefix, authentication and read-only checks, api-docs, route
 * matching (404/405, OPTIONS and CORS), parameters from query and body, and
 * the call of the route's handler, or of the events socket for the
 * WebSocket route. Bytes and connections are http.c's; REST over WebSocket
 * comes in through ari_dispatch_invoke(), handed to the socket at start-up. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "ari/dispatch.h"
#include "ari/http_conf.h"
#include "ari/http_params.h"
#include "ari/request.h"
#include "ari/media_ws.h"
#include "ari/metrics_http.h"
#include "base/metrics.h"
#include "ari/ws_events.h"
#include "base/log.h"

#define cf ari_http_conf

/* CORS (only for configured origins), as Asterisk's res_ari does. */
static void add_cors(const struct ari_req *req, struct ari_resp *resp,
		     bool preflight, const char *allow)
{
	const char *origin = ari_req_header(req, "Origin");
	const char *acrh, *acrm;

	if (!origin)
		return;
	if (!ari_http_origin_allowed(origin)) {
		log_notice("Origin header '%s' does not match an allowed "
			   "origin.", origin);
		return;
	}
	/* A preflight for a method the resource has (CORS 6.2 #3-#5,
	 * matched with case, as Asterisk's handle_options) is told the
	 * methods; any other is not. */
	acrm = ari_req_header(req, "Access-Control-Request-Method");
	if (preflight && acrm && strcmp(acrm, "OPTIONS") &&
	    !strpbrk(acrm, "abcdefghijklmnopqrstuvwxyz") &&
	    http_token_list_has(allow, acrm)) {
		ari_resp_header(resp, "Access-Control-Allow-Methods: %s", allow);
		acrh = ari_req_header(req, "Access-Control-Request-Headers");
		if (acrh && !strpbrk(acrh, "\r\n"))
			ari_resp_header(resp, "Access-Control-Allow-Headers: %s",
					acrh);
	}
	ari_resp_header(resp, "Access-Control-Allow-Origin: %s", origin);
	ari_resp_header(resp, "Access-Control-Allow-Credentials: true");
}

/* Parameters from query and body; false when a reply was sent. */
static bool parse_params(struct ari_req *req, struct ari_resp *resp,
			 const char *query, const char *ctype,
			 const char *body, size_t blen)
{
	json_error_t jerr;

	if (query && http_params_parse_query(&req->params, query,
					     strlen(query))) {
		ari_resp_error(resp, 500, "Internal Server Error");
		return false;
	}
	if (!blen)
		return true;

	if (http_ctype_is(ctype, "application/json")) {
		req->body = json_loadb(body, blen, JSON_DECODE_ANY, &jerr);
		if (!req->body || !json_is_object(req->body)) {
			json_decref(req->body);
			req->body = NULL;
			ari_resp_error(resp, 400, "Error parsing request body");
			return false;
		}
		if (http_params_merge_json(&req->params, req->body)) {
			ari_resp_error(resp, 500, "Internal Server Error");
			return false;
		}
	}
	else if (http_ctype_is(ctype, "application/x-www-form-urlencoded")) {
		if (http_params_parse_query(&req->params, body, blen)) {
			ari_resp_error(resp, 500, "Internal Server Error");
			return false;
		}
	}
	return true;
}

static void call_handler(struct ari_req *req, struct ari_resp *resp)
{
	const struct ari_route *route = req->match.route;

	if (route->websocket) {
		ari_ws_events(req, resp);
		return;
	}
	if (!route->handler) {
		ari_resp_error(resp, 501, "Not implemented");
		return;
	}
	route->handler(req, resp);
	if (!resp->done) {
		log_error("Handler of %s %s gave no response", req->method,
			  route->path);
		ari_resp_error(resp, 500, "Internal Server Error");
	}
}

/* Routing below /ari, after authentication. */
static void route_invoke(struct ari_req *req, struct ari_resp *resp,
			 const char *query, const char *ctype,
			 const char *body, size_t blen)
{
	const char *path = req->path;
	size_t plen = strlen(path);
	enum ari_match m;

	if (plen > 1 && path[plen - 1] == '/') {
		ari_resp_error(resp, 404, "ARI URLs do not end with a slash. "
			       "Try /ari%.*s", (int)(plen - 1), path);
		return;
	}
	if (plen <= 1) {
		ari_resp_error(resp, 404, "Resource not found");
		return;
	}

	m = ari_route_match(req->method, path, &req->match);
	if (m == ARI_MATCH_NO_PATH) {
		ari_resp_error(resp, 404, "Resource not found");
		return;
	}
	if (!strcmp(req->method, "OPTIONS")) {
		ari_resp_header(resp, "Allow: %s", req->match.allow);
		add_cors(req, resp, true, req->match.allow);
		ari_resp_no_content(resp);
		return;
	}
	add_cors(req, resp, false, NULL);
	if (m == ARI_MATCH_NO_METHOD) {
		ari_resp_header(resp, "Allow: %s", req->match.allow);
		ari_resp_error(resp, 405, "Invalid method");
		return;
	}

	if (parse_params(req, resp, query, ctype, body, blen))
		call_handler(req, resp);
}

/* Read-only users may look, not change: true after refusing anything but
 * GET and OPTIONS. */
static bool write_refused(const struct ari_req *req, struct ari_resp *resp)
{
	if (!req->read_only || !strcmp(req->method, "GET") ||
	    !strcmp(req->method, "OPTIONS"))
		return false;
	ari_resp_error(resp, 403, "Write access denied");
	return true;
}

/* The method as a label: HTTP's own, anything else "other" (a client
 * inventing methods must not invent label sets). */
static const char *method_label(const char *m)
{
	static const char *const known[] = {"GET", "POST", "PUT", "DELETE",
					    "OPTIONS", "HEAD", "PATCH"};

	for (size_t i = 0; m && i < sizeof(known) / sizeof(known[0]); i++)
		if (!strcmp(m, known[i]))
			return known[i];
	return "other";
}

/* ariadne_ari_requests_total{method,route,status}: the route's template,
 * so the label sets stay few whatever ids the requests carry; "none" for
 * a request refused before its route was looked up (a 401). The label
 * text of recent (route, method, status) triples is kept: formatting it
 * was 3 % of a short GET's time. */
static void count_request(const struct ari_req *req,
			  const struct ari_resp *resp)
{
	static struct {
		const struct ari_route *route;
		const char *method;
		int code;
		char labels[256];
	} seen[32];
	const struct ari_route *r = req->match.route;
	const char *m = method_label(req->method);
	int code = resp->code ? resp->code : r && r->websocket ? 101 : 500;
	size_t i = (((uintptr_t)r >> 4) ^ (uintptr_t)code ^
		    ((uintptr_t)m >> 3)) % (sizeof(seen) / sizeof(seen[0]));

	if (!seen[i].labels[0] || seen[i].route != r ||
	    seen[i].method != m || seen[i].code != code) {
		snprintf(seen[i].labels, sizeof(seen[i].labels),
			 "method=\"%s\",route=\"%s\",status=\"%d\"", m,
			 r ? r->path : "none", code);
		seen[i].route = r;
		seen[i].method = m;
		seen[i].code = code;
	}
	metrics_count("ariadne_ari_requests_total", "ARI requests answered",
		      seen[i].labels, 1);
}

static void req_release(struct ari_req *req)
{
	http_params_reset(&req->params);
	json_decref(req->body);
	req->body = NULL;
}

void ari_dispatch_http(struct ari_req *req, struct ari_resp *resp,
		       const char *body, size_t blen)
{
	const struct http_head *h = req->head;
	const struct ari_user *user;
	size_t alen = strlen(cf.prefix) + 4;
	unsigned delay;
	const char *sub;

	/* prefix + "/metrics": Prometheus (http.conf metrics_auth) */
	if (!strncmp(h->path, cf.prefix, alen - 4) &&
	    !strcmp(h->path + alen - 4, "/metrics")) {
		if (cf.metrics_auth && !ari_http_authenticate(req, &delay)) {
			resp->delay_ms = delay;
			ari_resp_header(resp, "WWW-Authenticate: Basic "
					"realm=\"%s\"", cf.realm);
			ari_resp_error(resp, 401, "Authentication required");
			return;
		}
		ari_metrics_serve(req, resp);
		return;
	}
	/* prefix + "/media/<id>": a media channel's peer (no ARI auth) */
	if (!strncmp(h->path, cf.prefix, alen - 4) &&
	    !strncmp(h->path + alen - 4, "/media/", 7)) {
		ari_media_ws(req, resp, h->path + alen + 3);
		return;
	}
	/* prefix + "/ari", then "/..." or nothing */
	if (!cf.ari_enabled || strncmp(h->path, cf.prefix, alen - 4) ||
	    strncmp(h->path + alen - 4, "/ari", 4) ||
	    (h->path[alen] && h->path[alen] != '/')) {
		log_debug(1, "%s %s from %s -> 404", h->method, h->path,
			  req->peer);
		ari_resp_error(resp, 404, "Resource not found");
		return;
	}
	sub = h->path + alen;
	req->path = sub;

	user = ari_http_authenticate(req, &delay);
	if (!user) {
		resp->delay_ms = delay;
		ari_resp_header(resp, "WWW-Authenticate: Basic realm=\"%s\"",
				cf.realm);
		ari_resp_error(resp, 401, "Authentication required");
		count_request(req, resp);
		return;
	}
	req->user = user->name;
	req->read_only = user->read_only;
	if (write_refused(req, resp)) {
		count_request(req, resp);
		return;
	}

	if (!strncmp(sub, "/api-docs/", 10)) {
		ari_apidocs_serve(req, h, sub + 10, resp);
		return;
	}

	route_invoke(req, resp, h->query, http_head_get(h, "Content-Type"),
		     body, blen);
	count_request(req, resp);
	req_release(req);
}

/* ---- REST over WebSocket ---- */

void ari_dispatch_invoke(struct ari_invoke *inv)
{
	struct ari_req req = {.method = inv->method, .path = inv->path,
			      .user = inv->user, .read_only = inv->read_only};
	struct ari_resp resp = {.req = &req};

	if (!write_refused(&req, &resp))
		route_invoke(&req, &resp, inv->query, inv->ctype, inv->body,
			     inv->body ? strlen(inv->body) : 0);
	count_request(&req, &resp);
	req_release(&req);
	inv->code = resp.done ? resp.code : 500;
	inv->resp_body = resp.cap_body;
}
