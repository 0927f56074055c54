/* ws_rest.c — REST over WebSocket: a text message {"type":"RESTRequest",
 * "method", "uri", "query_strings", "content_type", "message_body",
 * "request_id", "transaction_id"} on the events socket is run as a request
 * and answered with a RESTResponse carrying the status, the reason phrase
 * and the body as text, as Asterisk 20's ARI does. Routing itself is not
 * called from here but through the ari_invoke_h the socket was given, so
 * that this file depends on nothing above it. */
#include <errno.h>
#include <stdint.h>
#include <stdbool.h>
#include <string.h>
#include <re_types.h>
#include <re_fmt.h>
#include <re_mem.h>
#include <re_mbuf.h>
#include "ari/http_params.h"
#include "ari/ws_rest.h"
#include "base/log.h"
#include "base/reason.h"

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

/* Append s to the query, %-encoding all but RFC 3986's unreserved
 * characters (and ',' ':', which ARI clients send as they are) when
 * `encode`: query_strings values arrive decoded, the uri's own query does
 * not. */
static int query_put(struct mbuf *q, const char *s, bool encode)
{
	static const char hex[] = "0123456789ABCDEF";
	int err = 0;

	for (; *s && !err; s++) {
		unsigned char ch = (unsigned char)*s;

		if (!encode || (ch >= 'a' && ch <= 'z') ||
		    (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
		    strchr("-_.~,:", ch)) {
			err = mbuf_write_u8(q, ch);
			continue;
		}
		err = mbuf_write_u8(q, '%');
		err |= mbuf_write_u8(q, (uint8_t)hex[ch >> 4]);
		err |= mbuf_write_u8(q, (uint8_t)hex[ch & 15]);
	}
	return err;
}

/* The request's path below /ari ("/" + uri without its query) and its raw
 * query: the uri's own, then the query_strings pairs, NUL terminated; the
 * query stays empty when there is none. */
static int rest_target(const json_t *rq, const char *uri, char **pathp,
		       struct mbuf *q)
{
	json_t *qs = json_object_get(rq, "query_strings");
	char *qm;
	size_t i;
	json_t *e;
	int err = 0;

	if (re_sdprintf(pathp, "/%s", uri))
		return ENOMEM;
	qm = strchr(*pathp, '?');
	if (qm) {
		*qm = '\0';
		err = query_put(q, qm + 1, false);
	}
	json_array_foreach(qs, i, e) {
		const char *n = json_string_value(json_object_get(e, "name"));
		const char *v = json_string_value(json_object_get(e, "value"));

		if (!n)
			continue;
		if (q->end)
			err |= query_put(q, "&", false);
		err |= query_put(q, n, true);
		err |= query_put(q, "=", false);
		err |= query_put(q, v ? v : "", true);
	}
	if (q->end)
		err |= mbuf_write_u8(q, 0);
	return err;
}

static json_t *handle_rest(const json_t *rq, const char *user,
			   bool read_only, ari_invoke_h *invokeh)
{
	const char *type = json_string_value(json_object_get(rq, "type"));
	const char *uri = json_string_value(json_object_get(rq, "uri"));
	const char *ctype = json_string_value(json_object_get(rq,
							    "content_type"));
	struct ari_invoke inv = {
		.user = user, .read_only = read_only,
		.method = json_string_value(json_object_get(rq, "method")),
		.body = json_string_value(json_object_get(rq, "message_body")),
	};
	struct mbuf *q;
	char *path = NULL;
	json_t *reply;

	if (!type || strcmp(type, "RESTRequest") || !inv.method || !uri)
		return rest_response(rq, 400, uri, NULL);
	while (*uri == '/')
		uri++;
	q = mbuf_alloc(256);
	if (!q || rest_target(rq, uri, &path, q)) {
		reply = rest_response(rq, 500, uri, NULL);
		goto out;
	}
	inv.path = path;
	inv.query = q->end ? (const char *)q->buf : NULL;
	inv.ctype = ctype ? ctype : (inv.body ? "application/json" : NULL);
	invokeh(&inv);
	reply = rest_response(rq, inv.code, uri, inv.resp_body);
	mem_deref(inv.resp_body);
 out:
	mem_deref(path);
	mem_deref(q);
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
