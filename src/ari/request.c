/* request.c — the ari_req / ari_resp interface the handlers of the route
 * table use: parameters, body and user of a request; JSON, error and empty
 * replies. A response leaves through the send handler of whoever received
 * the request (http.c), or is kept for REST over WebSocket. Nothing here
 * knows connections or routing, so the handlers depend on this file only. */
#include <errno.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <re_types.h>
#include <re_mem.h>
#include "ari/http_conf.h"
#include "ari/request.h"
#include "base/config.h"
#include "base/json_compact.h"
#include "base/log.h"

#define cf ari_http_conf

/* A copy of the body kept for REST over WebSocket; NULL when empty. */
static char *keep_body(const char *body, size_t blen)
{
	char *copy;

	if (!body || !blen)
		return NULL;
	copy = mem_alloc(blen + 1, NULL);
	if (copy) {
		memcpy(copy, body, blen);
		copy[blen] = '\0';
	}
	return copy;
}

static void resp_send(struct ari_resp *resp, int code, const char *body,
		      size_t blen)
{
	if (resp->done) {
		log_warning("Second response (%d) to one request ignored",
			    code);
		return;
	}
	resp->done = true;
	resp->code = code;

	if (resp->req)
		log_debug(1, "%s /ari%s -> %d", resp->req->method,
			  resp->req->path ? resp->req->path : "", code);

	if (!resp->sendh) {
		resp->cap_body = keep_body(body, blen);
		return;
	}
	resp->sendh(resp, code, body, blen, resp->arg);
}

char *ari_json_text(const json_t *body)
{
	if (cf.pretty)
		return json_dumps(body, JSON_ENCODE_ANY | JSON_INDENT(2));
	return json_compact(body);   /* json_dumps' bytes, faster */
}

void ari_resp_json(struct ari_resp *resp, int code, json_t *body)
{
	static const char failed[] = "{\"message\":\"Internal Server Error\"}";
	char *text;

	if (!body) {
		resp_send(resp, code, NULL, 0);
		return;
	}
	text = ari_json_text(body);
	json_decref(body);
	if (!text) {
		resp_send(resp, 500, failed, sizeof(failed) - 1);
		return;
	}
	resp_send(resp, code, text, strlen(text));
	free(text);  /* ari_json_text() output: free() */
}

void ari_resp_error(struct ari_resp *resp, int code, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ari_resp_json(resp, code, json_pack("{s:s}", "message", msg));
}

void ari_resp_no_content(struct ari_resp *resp)
{
	resp_send(resp, 204, NULL, 0);
}

void ari_resp_data(struct ari_resp *resp, int code, const char *ctype,
		   const void *body, size_t blen)
{
	ari_resp_header(resp, "Content-Type: %s", ctype);
	resp_send(resp, code, body, blen);
}

void ari_resp_header(struct ari_resp *resp, const char *fmt, ...)
{
	size_t l = strlen(resp->hdrs);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(resp->hdrs + l, sizeof(resp->hdrs) - l, fmt, ap);
	va_end(ap);
	l = strlen(resp->hdrs);
	snprintf(resp->hdrs + l, sizeof(resp->hdrs) - l, "\r\n");
}

bool ari_resp_done(const struct ari_resp *resp)
{
	return resp->done;
}

struct tcp_conn *ari_resp_detach(struct ari_resp *resp, struct mbuf **rest)
{
	*rest = NULL;
	if (!resp->detachh || resp->done)
		return NULL;
	resp->done = true;
	return resp->detachh(rest, resp->arg);
}

const char *ari_req_header(const struct ari_req *req, const char *name)
{
	return req->head ? http_head_get(req->head, name) : NULL;
}

const char *ari_req_param(const struct ari_req *req, const char *name)
{
	for (int i = 0; i < req->match.nvars; i++) {
		if (req->match.vars[i].name &&
		    !strcmp(req->match.vars[i].name, name))
			return req->match.vars[i].value;
	}
	return http_params_get(&req->params, name);
}

int ari_req_param_int(const struct ari_req *req, const char *name, int deflt)
{
	const char *v = ari_req_param(req, name);

	return v ? atoi(v) : deflt;
}

bool ari_req_param_bool(const struct ari_req *req, const char *name,
			bool deflt)
{
	const char *v = ari_req_param(req, name);

	return v ? config_true(v) : deflt;
}

json_t *ari_req_body(const struct ari_req *req)
{
	return req->body;
}

const char *ari_req_method(const struct ari_req *req)
{
	return req->method;
}

const char *ari_req_user(const struct ari_req *req)
{
	return req->user;
}

bool ari_req_read_only(const struct ari_req *req)
{
	return req->read_only;
}
