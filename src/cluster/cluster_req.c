/* cluster_req.c — one ari-proxy Request in, one Response out: the
 * envelope ({"kind", "key", payload}), the checks that keep a malformed
 * request from doing anything but earn an error reply (ari-proxy's
 * proxy/types.go). What each kind does, and the keys it stamps with this
 * node's app and node id, is cluster_kinds.c's. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <jansson.h>
#include "base/log.h"
#include "cluster/cluster_int.h"

static json_t *error_response(const char *text)
{
	return json_pack("{s:s}", "error", text);
}

/* The key may be absent or null (a node-less broadcast with no target);
 * when present it must be an object whose fields are strings. */
static bool parse_key(struct cluster_req *rq, json_t *root)
{
	json_t *key = json_object_get(root, "key");
	const char *f[] = { "kind", "id", "node", "app", "dialog" };

	rq->id = "";
	if (!key || json_is_null(key))
		return true;
	if (!json_is_object(key))
		return false;
	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		json_t *v = json_object_get(key, f[i]);

		if (v && !json_is_string(v) && !json_is_null(v))
			return false;
	}
	rq->key = key;
	if (json_string_value(json_object_get(key, "id")))
		rq->id = json_string_value(json_object_get(key, "id"));
	rq->dialog = json_string_value(json_object_get(key, "dialog"));
	return true;
}

json_t *cluster_req_handle(const char *app, const char *node,
			   const char *data, size_t len)
{
	struct cluster_req rq = { .app = app, .node = node };
	json_error_t jerr;
	json_t *root, *resp;

	root = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root || !json_is_object(root)) {
		log_verbose(3, "NATS request for app '%s' is not a JSON "
			    "object: %s", app, root ? "" : jerr.text);
		json_decref(root);
		return error_response("Malformed request: expected a JSON "
				      "object");
	}
	rq.root = root;
	rq.kind = json_string_value(json_object_get(root, "kind"));
	if (!rq.kind || !*rq.kind) {
		json_decref(root);
		return error_response("Malformed request: no kind");
	}
	if (!parse_key(&rq, root)) {
		json_decref(root);
		return error_response("Malformed request: key must be an "
				      "object of strings or null");
	}
	resp = json_pack("{s:s}", "error", "");
	if (resp && !cluster_kind_run(&rq, resp)) {
		json_decref(resp);
		resp = error_response(rq.err[0] ? rq.err : "Unknown error");
	}
	log_debug(1, "NATS %s for app '%s' id '%s': %s", rq.kind, app, rq.id,
		  rq.err[0] ? rq.err : "ok");
	json_decref(root);
	return resp;
}
