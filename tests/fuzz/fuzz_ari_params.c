/* fuzz_ari_params.c — how ARI turns request text into parameters: query
 * strings and x-www-form-urlencoded bodies (http_params_parse_query,
 * http_url_decode), JSON bodies (jansson, then http_params_merge_json and
 * the handlers' helpers for "variables" and tech:resource values), request
 * paths against the route table (ari_route_match, with its URL-decoded
 * path variables), credentials (http_basic_decode, http_api_key) and
 * header values (http_ctype_is, http_token_list_has), and a whole REST over
 * WebSocket message (ws_rest.c: uri, query_strings, message_body), which
 * then runs through dispatch.c's parameter parsing and the route's handler
 * exactly as on the events socket. The first byte picks one of those, the
 * rest is the text.
 *
 * Why: every ARI operation reads its input through these, from peers that
 * hold an ARI password (or, for paths and credentials, from anyone).
 * fuzz_http reaches them behind HTTP framing; here the mutations land in
 * the parameters themselves. The socket's user is read-only, as in
 * fuzz_http: a write is refused before its handler runs, so one input
 * cannot leave channels or bridges for the next; write operations'
 * parameters go through the same parse_params and helpers fed here. */
#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include <re_types.h>
#include <re_fmt.h>
#include <re_mem.h>
#include <re_list.h>
#include <re_tmr.h>
#include <re_main.h>
#include "fuzz.h"
#include "fuzz_core.h"
#include "ari/ari_util.h"
#include "ari/dispatch.h"
#include "ari/http_conf.h"
#include "ari/http_params.h"
#include "ari/request.h"
#include "ari/route.h"
#include "ari/ws_rest.h"

enum mode {
	MODE_QUERY,      /* a=1&b=%20 (query string or form body) */
	MODE_JSON,       /* a request body of application/json */
	MODE_REST_WS,    /* a text message of the events socket */
	MODE_PATH,       /* "METHOD /path/below/ari" */
	MODE_HEADER,     /* Authorization, Content-Type, Connection values */
	MODE_COUNT
};

/* Every parameter name the route table knows, as a handler asks for it. */
static void read_params(const struct ari_req *req)
{
	for (size_t i = 0; i < ari_routes_count; i++) {
		for (const struct ari_param *p = ari_routes[i].params;
		     p && p->name; p++) {
			const char *v = ari_req_param(req, p->name);
			char tech[32];

			(void)ari_req_param_int(req, p->name, 0);
			(void)ari_req_param_bool(req, p->name, false);
			(void)ari_split_tech_uri(v, tech, sizeof(tech));
		}
	}
}

static void query(const char *s, size_t len)
{
	struct ari_req req = {.method = "GET"};
	char *copy = mem_alloc(len + 1, NULL), user[64], pass[64];

	if (!copy)
		return;
	if (!http_params_parse_query(&req.params, s, len))
		read_params(&req);
	http_params_reset(&req.params);
	/* api_key=user:pass in the raw query, as http_conf.c reads it */
	memcpy(copy, s, len);
	copy[len] = '\0';
	(void)http_api_key(copy, user, sizeof(user), pass, sizeof(pass));
	(void)http_url_decode(copy, s, len, false);
	mem_deref(copy);
}

static void json_body(const char *s, size_t len)
{
	struct ari_req req = {.method = "POST"};
	const char *keys[16], *values[16];
	json_error_t jerr;

	req.body = json_loadb(s, len, JSON_DECODE_ANY, &jerr);
	if (json_is_object(req.body) &&
	    !http_params_merge_json(&req.params, req.body)) {
		read_params(&req);
		(void)ari_body_string_vars(req.body, keys, values, 16);
	}
	http_params_reset(&req.params);
	json_decref(req.body);
}

static void rest_ws(const char *s, size_t len)
{
	json_t *reply = ari_ws_rest_message(s, len, "fuzz", true, "fuzz",
					    ari_dispatch_invoke);
	char *text = json_dumps(reply, JSON_COMPACT);

	/* the events socket sends it as one text frame */
	free(text);
	json_decref(reply);
	fuzz_run_deferred();
}

static void path(const char *s, size_t len)
{
	struct ari_match_result res;
	char line[1024], *sp;

	if (len >= sizeof(line))
		return;
	memcpy(line, s, len);
	line[len] = '\0';
	sp = strchr(line, ' ');
	if (!sp)
		return;
	*sp = '\0';
	(void)ari_route_match(line, sp + 1, &res);
}

static void header(const char *s, size_t len)
{
	char *v = mem_alloc(len + 1, NULL), user[64], pass[64];

	if (!v)
		return;
	memcpy(v, s, len);
	v[len] = '\0';
	(void)http_basic_decode(v, user, sizeof(user), pass, sizeof(pass));
	(void)http_ctype_is(v, "application/json");
	(void)http_ctype_is(v, "application/x-www-form-urlencoded");
	(void)http_token_list_has(v, "upgrade");
	(void)http_token_list_has(v, "keep-alive");
	mem_deref(v);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_libre_init();
	fuzz_core_start();
	/* ari.conf's defaults: pretty printing off, no prefix */
	FUZZ_CHECK(ari_http_conf_load(NULL, NULL) == 0);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data + 1;
	size_t len = size - 1;

	if (!size)
		return 0;
	switch (data[0] % MODE_COUNT) {
	case MODE_QUERY:
		query(s, len);
		break;
	case MODE_JSON:
		json_body(s, len);
		break;
	case MODE_REST_WS:
		rest_ws(s, len);
		break;
	case MODE_PATH:
		path(s, len);
		break;
	default:
		header(s, len);
		break;
	}
	return 0;
}
