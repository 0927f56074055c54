/* ws_rest.c — REST over WebSocket: a RESTRequest message of the events
 * socket becomes a request through routing, its answer a RESTResponse. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <re_types.h>
#include <re_fmt.h>
#include <re_mem.h>
#include "ari/http_params.h"
#include "ari/ws_rest.h"
#include "base/log.h"
#include "base/reason.h"

/* ---- REST over WebSocket (README §5.3) ---- */

static json_t *rest_response(const json_t *rq, int code, const char *uri,
			     const char *body)
{
	json_t *j = json_object();
	const char *tid = json_string_value(json_object_get(rq, "transaction_id"));
	const char *rid = json_string_value(json_object_get(rq, "request_id"));

	json_object_set_new(j, "type", json_string("RESTResponse"));
	json_object_set_new(j, "transaction_id", json_string(tid ? tid : ""));
	json_object_set_new(j, "request_id", json_string(rid ? rid : ""));
	json_object_set_new(j, "status_code", json_integer(code));
	json_object_set_new(j, "reason_phrase", json_string(reason_http(code)));
	json_object_set_new(j, "uri", json_string(uri ? uri : ""));
	if (body && *body) {
		json_object_set_new(j, "content_type",
				    json_string("application/json"));
		json_object_set_new(j, "message_body", json_string(body));
	}
	return j;
}

struct qbuf {
	char *p;
	size_t len, cap;
	bool err;
};

static void qbuf_put(struct qbuf *q, const char *s, bool encode)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s && !q->err; s++) {
		unsigned char ch = (unsigned char)*s;

		if (q->len + 4 > q->cap) {
			size_t nc = q->cap ? q->cap * 2 : 256;
			char *n = realloc(q->p, nc);

			if (!n) {
				q->err = true;
				return;
			}
			q->p = n;
			q->cap = nc;
		}
		if (!encode || (ch >= 'a' && ch <= 'z') ||
		    (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
		    strchr("-_.~,:", ch)) {
			q->p[q->len++] = (char)ch;
		}
		else {
			q->p[q->len++] = '%';
			q->p[q->len++] = hex[ch >> 4];
			q->p[q->len++] = hex[ch & 15];
		}
		q->p[q->len] = '\0';
	}
}

static json_t *handle_rest(const json_t *rq, const char *user,
			   bool read_only, ari_invoke_h *invokeh)
{
	const char *type = json_string_value(json_object_get(rq, "type"));
	const char *method = json_string_value(json_object_get(rq, "method"));
	const char *uri = json_string_value(json_object_get(rq, "uri"));
	const char *ctype = json_string_value(json_object_get(rq,
							    "content_type"));
	const char *body = json_string_value(json_object_get(rq,
							   "message_body"));
	json_t *qs = json_object_get(rq, "query_strings");
	struct qbuf q = {0};
	struct ari_invoke inv = {.user = user, .read_only = read_only,
				 .method = method, .body = body};
	char *path = NULL, *qm;
	json_t *reply;
	size_t i;
	json_t *e;

	if (!type || strcmp(type, "RESTRequest") || !method || !uri)
		return rest_response(rq, 400, uri, NULL);
	while (*uri == '/')
		uri++;
	if (re_sdprintf(&path, "/%s", uri))
		return rest_response(rq, 500, uri, NULL);
	qm = strchr(path, '?');
	if (qm) {
		*qm = '\0';
		qbuf_put(&q, qm + 1, false);  /* already encoded */
	}
	json_array_foreach(qs, i, e) {
		const char *n = json_string_value(json_object_get(e, "name"));
		const char *v = json_string_value(json_object_get(e, "value"));

		if (!n)
			continue;
		if (q.len)
			qbuf_put(&q, "&", false);
		qbuf_put(&q, n, true);
		qbuf_put(&q, "=", false);
		qbuf_put(&q, v ? v : "", true);
	}
	if (q.err) {
		reply = rest_response(rq, 500, uri, NULL);
	}
	else {
		inv.path = path;
		inv.query = q.p;
		inv.ctype = ctype ? ctype : (body ? "application/json" : NULL);
		invokeh(&inv);
		reply = rest_response(rq, inv.code, uri, inv.resp_body);
	}
	free(inv.resp_body);
	mem_deref(path);
	free(q.p);
	return reply;
}

json_t *ari_ws_rest_message(const char *p, size_t len, const char *user,
			    bool read_only, const char *peer,
			    ari_invoke_h *invokeh)
{
	json_error_t jerr;
	json_t *rq = json_loadb(p, len, 0, &jerr);
	json_t *reply;

	if (!rq) {
		log_debug(1, "WebSocket from '%s': invalid JSON: %s", peer,
			  jerr.text);
		return json_pack("{s:s,s:s,s:s,s:i,s:s,s:s}",
				 "type", "RESTResponse",
				 "transaction_id", "", "request_id", "",
				 "status_code", 400,
				 "reason_phrase", "Bad Request",
				 "uri", "");
	}
	reply = handle_rest(rq, user, read_only, invokeh);
	json_decref(rq);
	return reply;
}
