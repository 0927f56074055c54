/* test_routes.c — the ARI route table, the router and the swagger api-docs
 * built from them (src/ari/routes.c, router.c, apidocs.c, models.c). */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>
#include "ari/route.h"

/* ---- helpers ---- */

static const char *var(const struct ari_match_result *m, const char *name)
{
	for (int i = 0; i < m->nvars; i++) {
		if (!strcmp(m->vars[i].name, name))
			return m->vars[i].value;
	}
	return NULL;
}

static enum ari_match match(const char *method, const char *path,
			    struct ari_match_result *m)
{
	return ari_route_match(method, path, m);
}

/* Every model of every declaration, keyed by id; freed by teardown. */
static json_t *all;

static int free_all_models(void **state)
{
	json_decref(all);
	all = NULL;
	return 0;
}

static json_t *model_anywhere(const char *id)
{
	if (!all) {
		all = json_object();
		for (size_t i = 0; ari_resources[i]; i++) {
			json_t *d = ari_apidocs_declaration(ari_resources[i], "x");

			json_object_update(all, json_object_get(d, "models"));
			json_decref(d);
		}
	}
	return json_object_get(all, id);
}

static bool known_type(const char *t)
{
	static const char *const prim[] = { "string", "int", "long", "double",
					    "boolean", "Date", "object", NULL };
	size_t len = strlen(t);

	for (size_t i = 0; prim[i]; i++) {
		if (!strcmp(prim[i], t))
			return true;
	}
	if (!strncmp(t, "List[", 5) && len > 6 && t[len - 1] == ']') {
		char inner[128];

		snprintf(inner, sizeof(inner), "%.*s", (int)(len - 6), t + 5);
		return known_type(inner);
	}
	return model_anywhere(t) != NULL;
}

/* ---- router ---- */

static void literal_segment_beats_wildcard(void **state)
{
	struct ari_match_result m;

	assert_int_equal(match("POST", "/channels/create", &m), ARI_MATCH_OK);
	assert_string_equal(m.route->nickname, "create");
	assert_int_equal(m.nvars, 0);

	assert_int_equal(match("POST", "/channels/externalMedia", &m), ARI_MATCH_OK);
	assert_string_equal(m.route->nickname, "externalMedia");

	assert_int_equal(match("POST", "/recordings/stored/x/copy", &m), ARI_MATCH_OK);
	assert_string_equal(m.route->nickname, "copyStored");
	assert_string_equal(var(&m, "recordingName"), "x");

	assert_int_equal(match("PUT", "/endpoints/sendMessage", &m), ARI_MATCH_OK);
	assert_string_equal(m.route->nickname, "sendMessage");

	/* A literal match is final, as in Asterisk: GET on it is 405, not
	 * "get channel create". */
	assert_int_equal(match("GET", "/channels/create", &m), ARI_MATCH_NO_METHOD);
	assert_string_equal(m.allow, "OPTIONS,POST");
}

static void wildcard_takes_any_other_segment(void **state)
{
	struct ari_match_result m;

	assert_int_equal(match("POST", "/channels/1754490349.17/move", &m),
			 ARI_MATCH_OK);
	assert_string_equal(m.route->nickname, "move");
	assert_int_equal(m.nvars, 1);
	assert_string_equal(var(&m, "channelId"), "1754490349.17");
	assert_ptr_not_equal(m.route->handler, NULL);

	assert_int_equal(match("DELETE", "/asterisk/config/dynamic/res_pjsip/endpoint/alice",
			       &m),
			 ARI_MATCH_OK);
	assert_string_equal(m.route->nickname, "deleteObject");
	assert_int_equal(m.nvars, 3);
	assert_string_equal(var(&m, "configClass"), "res_pjsip");
	assert_string_equal(var(&m, "objectType"), "endpoint");
	assert_string_equal(var(&m, "id"), "alice");
}

static void path_vars_are_url_decoded(void **state)
{
	struct ari_match_result m;

	assert_int_equal(match("GET", "/channels/a%2Fb%20c+d", &m), ARI_MATCH_OK);
	assert_string_equal(m.route->nickname, "get");
	assert_string_equal(var(&m, "channelId"), "a/b c+d");

	assert_int_equal(match("GET", "/endpoints/PJSIP/alice%40example.com", &m),
			 ARI_MATCH_OK);
	assert_string_equal(var(&m, "tech"), "PJSIP");
	assert_string_equal(var(&m, "resource"), "alice@example.com");

	/* A literal segment is compared after decoding too. */
	assert_int_equal(match("POST", "/channels/%63reate", &m), ARI_MATCH_OK);
	assert_string_equal(m.route->nickname, "create");

	/* Malformed escapes are kept as written. */
	assert_int_equal(match("GET", "/deviceStates/Stasis:x%zz%4", &m), ARI_MATCH_OK);
	assert_string_equal(var(&m, "deviceName"), "Stasis:x%zz%4");
}

static void wrong_method_is_405_with_allow_list(void **state)
{
	struct ari_match_result m;

	assert_int_equal(match("PUT", "/channels/abc", &m), ARI_MATCH_NO_METHOD);
	assert_string_equal(m.allow, "OPTIONS,GET,POST,DELETE");
	assert_null(m.route);

	assert_int_equal(match("GET", "/channels/abc/ring", &m), ARI_MATCH_NO_METHOD);
	assert_string_equal(m.allow, "OPTIONS,POST,DELETE");

	assert_int_equal(match("OPTIONS", "/asterisk/modules/res_x.so", &m),
			 ARI_MATCH_NO_METHOD);
	assert_string_equal(m.allow, "OPTIONS,GET,POST,PUT,DELETE");
}

static void unknown_path_is_404(void **state)
{
	struct ari_match_result m;

	assert_int_equal(match("GET", "/nope", &m), ARI_MATCH_NO_PATH);
	assert_int_equal(match("GET", "/channels/abc/nope", &m), ARI_MATCH_NO_PATH);
	assert_int_equal(match("GET", "/channels/abc/variable/extra", &m),
			 ARI_MATCH_NO_PATH);
	/* No backtracking past a literal: "create" is not a channel id. */
	assert_int_equal(match("POST", "/channels/create/answer", &m),
			 ARI_MATCH_NO_PATH);
	assert_int_equal(match("GET", "", &m), ARI_MATCH_NO_PATH);
	assert_int_equal(match("GET", "/", &m), ARI_MATCH_NO_PATH);
	assert_int_equal(match("GET", "channels", &m), ARI_MATCH_NO_PATH);
	assert_int_equal(match("GET", "/channels/a%00b", &m), ARI_MATCH_NO_PATH);
}

static void trailing_slash_or_empty_segment_is_404(void **state)
{
	struct ari_match_result m;

	assert_int_equal(match("GET", "/channels", &m), ARI_MATCH_OK);
	assert_int_equal(match("GET", "/channels/", &m), ARI_MATCH_NO_PATH);
	assert_int_equal(match("GET", "/channels/abc/", &m), ARI_MATCH_NO_PATH);
	assert_int_equal(match("POST", "/channels//answer", &m), ARI_MATCH_NO_PATH);
	assert_int_equal(match("GET", "//channels", &m), ARI_MATCH_NO_PATH);
}

static void overlong_segment_is_404(void **state)
{
	struct ari_match_result m;
	char path[600] = "/channels/";

	memset(path + strlen(path), 'x', 300);
	assert_int_equal(match("GET", path, &m), ARI_MATCH_NO_PATH);
}

/* ---- table ---- */

static void every_route_path_params_match_path_wildcards(void **state)
{
	for (size_t i = 0; i < ari_routes_count; i++) {
		const struct ari_route *r = &ari_routes[i];
		int in_path = 0, declared = 0;

		for (const char *p = strchr(r->path, '{'); p; p = strchr(p + 1, '{')) {
			const char *end = strchr(p, '}');
			bool found = false;

			assert_non_null(end);
			in_path++;
			for (const struct ari_param *pa = r->params; pa->name; pa++) {
				if (pa->in == ARI_PATH &&
				    strlen(pa->name) == (size_t)(end - p - 1) &&
				    !strncmp(pa->name, p + 1, end - p - 1))
					found = true;
			}
			if (!found)
				fail_msg("%s %s: {%.*s} not declared", r->method,
					 r->path, (int)(end - p - 1), p + 1);
		}
		for (const struct ari_param *pa = r->params; pa->name; pa++) {
			char wild[64];

			if (pa->in != ARI_PATH)
				continue;
			declared++;
			assert_true(pa->required);
			snprintf(wild, sizeof(wild), "{%s}", pa->name);
			if (!strstr(r->path, wild))
				fail_msg("%s %s: path param %s not in path", r->method,
					 r->path, pa->name);
		}
		assert_int_equal(in_path, declared);
		assert_true(in_path <= ARI_MAX_PATH_VARS);
	}
}

static void every_route_matches_itself_with_its_vars(void **state)
{
	for (size_t i = 0; i < ari_routes_count; i++) {
		const struct ari_route *r = &ari_routes[i];
		struct ari_match_result m;
		char path[256];
		size_t o = 0;

		/* Replace each {name} with "v-name". */
		for (const char *p = r->path; *p;) {
			if (*p == '{') {
				const char *end = strchr(p, '}');

				o += snprintf(path + o, sizeof(path) - o, "v-%.*s",
					      (int)(end - p - 1), p + 1);
				p = end + 1;
			} else {
				path[o++] = *p++;
			}
		}
		path[o] = '\0';
		if (match(r->method, path, &m) != ARI_MATCH_OK || m.route != r)
			fail_msg("%s %s does not route to %s", r->method, path,
				 r->nickname);
		for (int v = 0; v < m.nvars; v++) {
			char want[64];

			snprintf(want, sizeof(want), "v-%s", m.vars[v].name);
			assert_string_equal(m.vars[v].value, want);
		}
	}
}

static void nicknames_unique_within_resource(void **state)
{
	for (size_t i = 0; i < ari_routes_count; i++) {
		for (size_t j = i + 1; j < ari_routes_count; j++) {
			if (!strcmp(ari_routes[i].resource, ari_routes[j].resource) &&
			    !strcmp(ari_routes[i].nickname, ari_routes[j].nickname))
				fail_msg("%s: nickname %s twice", ari_routes[i].resource,
					 ari_routes[i].nickname);
			if (!strcmp(ari_routes[i].path, ari_routes[j].path) &&
			    !strcmp(ari_routes[i].method, ari_routes[j].method))
				fail_msg("%s %s twice", ari_routes[i].method,
					 ari_routes[i].path);
		}
	}
}

static void walking_skeleton_operations_have_handlers(void **state)
{
	static const char *const implemented[] = {
		"asterisk/getInfo", "asterisk/ping", "asterisk/getGlobalVar",
		"asterisk/setGlobalVar", "applications/list", "applications/get",
		"channels/list", "channels/originate", "channels/originateWithId",
		"channels/create", "channels/get", "channels/hangup",
		"channels/answer", "channels/ring", "channels/ringStop",
		"channels/continueInDialplan", "channels/move",
		"channels/getChannelVar", "channels/setChannelVar", NULL,
	};
	int websockets = 0;

	for (size_t i = 0; i < ari_routes_count; i++) {
		const struct ari_route *r = &ari_routes[i];
		char key[96];
		bool want = false;

		snprintf(key, sizeof(key), "%s/%s", r->resource, r->nickname);
		for (size_t k = 0; implemented[k]; k++)
			want = want || !strcmp(implemented[k], key);
		/* Handlers are weak symbols: more operations gain one as they are
		 * implemented; these must never lose theirs. */
		if (want && !r->handler)
			fail_msg("%s: handler missing", key);
		if (r->websocket && r->handler)
			fail_msg("%s: the upgrade is handled by ws_events.c (through dispatch.c)", key);
		if (r->websocket) {
			websockets++;
			assert_string_equal(key, "events/eventWebsocket");
			assert_string_equal(r->path, "/events");
			assert_string_equal(r->method, "GET");
		}
	}
	assert_int_equal(websockets, 1);
}

/* ---- api-docs ---- */

static void every_resource_has_routes_and_a_declaration_with_models(void **state)
{
	size_t n = 0;

	for (; ari_resources[n]; n++) {
		const char *res = ari_resources[n];
		size_t routes = 0, ops = 0;
		json_t *d = ari_apidocs_declaration(res, "http://h/ari");
		json_t *api;
		size_t i;
		char rp[64];

		for (size_t k = 0; k < ari_routes_count; k++)
			routes += !strcmp(ari_routes[k].resource, res);
		assert_true(routes >= 1);

		assert_non_null(d);
		assert_string_equal(json_string_value(json_object_get(d, "swaggerVersion")),
				    "1.2");
		snprintf(rp, sizeof(rp), "/api-docs/%s.{format}", res);
		assert_string_equal(json_string_value(json_object_get(d, "resourcePath")),
				    rp);
		assert_true(json_is_object(json_object_get(d, "models")));
		assert_true(json_object_size(json_object_get(d, "models")) >= 1);
		json_array_foreach (json_object_get(d, "apis"), i, api) {
			const char *path = json_string_value(json_object_get(api, "path"));

			assert_non_null(path);
			assert_true(path[0] == '/');
			assert_non_null(json_object_get(api, "description"));
			ops += json_array_size(json_object_get(api, "operations"));
		}
		assert_int_equal(ops, routes);
		json_decref(d);
	}
	assert_int_equal(n, 11);
	assert_null(ari_apidocs_declaration("nope", "x"));
}

static void model_keys_equal_their_ids(void **state)
{
	for (size_t n = 0; ari_resources[n]; n++) {
		json_t *d = ari_apidocs_declaration(ari_resources[n], "x");
		const char *key;
		json_t *model;

		json_object_foreach (json_object_get(d, "models"), key, model) {
			assert_string_equal(json_string_value(json_object_get(model, "id")),
					    key);
			assert_true(json_is_object(json_object_get(model, "properties")));
			assert_non_null(json_object_get(model, "description"));
		}
		json_decref(d);
	}
}

static void listing_has_eleven_apis_and_no_operations(void **state)
{
	json_t *l = ari_apidocs_listing("http://10.0.0.1:8088/ari");
	json_t *apis = json_object_get(l, "apis");
	json_t *api;
	size_t i;

	assert_non_null(l);
	assert_string_equal(json_string_value(json_object_get(l, "swaggerVersion")),
			    "1.1");
	assert_string_equal(json_string_value(json_object_get(l, "basePath")),
			    "http://10.0.0.1:8088/ari");
	assert_int_equal(json_array_size(apis), 11);
	json_array_foreach (apis, i, api) {
		char want[64];

		snprintf(want, sizeof(want), "/api-docs/%s.{format}", ari_resources[i]);
		assert_string_equal(json_string_value(json_object_get(api, "path")), want);
		assert_non_null(json_string_value(json_object_get(api, "description")));
		assert_null(json_object_get(api, "operations"));
	}
	json_decref(l);
}

static void declaration_base_path_echoes_argument(void **state)
{
	json_t *d = ari_apidocs_declaration("channels", "https://pbx.example:8089/ari");

	assert_string_equal(json_string_value(json_object_get(d, "basePath")),
			    "https://pbx.example:8089/ari");
	json_decref(d);
}

static json_t *find_op(json_t *decl, const char *path, const char *method)
{
	json_t *api, *op;
	size_t i, j;

	json_array_foreach (json_object_get(decl, "apis"), i, api) {
		if (strcmp(json_string_value(json_object_get(api, "path")), path))
			continue;
		json_array_foreach (json_object_get(api, "operations"), j, op) {
			if (!strcmp(json_string_value(json_object_get(op, "httpMethod")),
				    method))
				return op;
		}
	}
	return NULL;
}

static void operations_on_one_path_share_one_api_entry(void **state)
{
	json_t *d = ari_apidocs_declaration("channels", "x");
	json_t *api;
	size_t i, seen = 0;

	json_array_foreach (json_object_get(d, "apis"), i, api) {
		if (strcmp(json_string_value(json_object_get(api, "path")),
			   "/channels/{channelId}"))
			continue;
		seen++;
		assert_int_equal(json_array_size(json_object_get(api, "operations")), 3);
	}
	assert_int_equal(seen, 1);
	json_decref(d);
}

static void parameters_carry_types_defaults_and_allowed_values(void **state)
{
	json_t *d = ari_apidocs_declaration("channels", "x");
	json_t *op = find_op(d, "/channels/{channelId}/record", "POST");
	json_t *p;
	size_t i;
	int checked = 0;

	assert_non_null(op);
	assert_string_equal(json_string_value(json_object_get(op, "nickname")), "record");
	assert_string_equal(json_string_value(json_object_get(op, "responseClass")),
			    "LiveRecording");
	json_array_foreach (json_object_get(op, "parameters"), i, p) {
		const char *name = json_string_value(json_object_get(p, "name"));
		json_t *av = json_object_get(p, "allowableValues");

		if (!strcmp(name, "ifExists")) {
			assert_string_equal(json_string_value(json_object_get(p, "defaultValue")),
					    "fail");
			assert_string_equal(json_string_value(json_object_get(av, "valueType")),
					    "LIST");
			assert_int_equal(json_array_size(json_object_get(av, "values")), 3);
			checked++;
		} else if (!strcmp(name, "beep")) {
			assert_true(json_is_false(json_object_get(p, "defaultValue")));
			checked++;
		} else if (!strcmp(name, "maxDurationSeconds")) {
			assert_int_equal(json_integer_value(json_object_get(p, "defaultValue")),
					 0);
			assert_string_equal(json_string_value(json_object_get(av, "valueType")),
					    "RANGE");
			assert_int_equal(json_integer_value(json_object_get(av, "min")), 0);
			checked++;
		} else if (!strcmp(name, "channelId")) {
			assert_string_equal(json_string_value(json_object_get(p, "paramType")),
					    "path");
			assert_true(json_is_true(json_object_get(p, "required")));
			checked++;
		}
	}
	assert_int_equal(checked, 4);
	assert_non_null(json_object_get(op, "errorResponses"));

	op = find_op(d, "/channels", "POST");
	json_array_foreach (json_object_get(op, "parameters"), i, p) {
		const char *name = json_string_value(json_object_get(p, "name"));

		if (!strcmp(name, "variables"))
			assert_string_equal(json_string_value(json_object_get(p, "paramType")),
					    "body");
		if (!strcmp(name, "timeout"))
			assert_int_equal(json_integer_value(json_object_get(p, "defaultValue")),
					 30);
	}
	json_decref(d);
}

static void event_websocket_is_marked_for_upgrade(void **state)
{
	json_t *d = ari_apidocs_declaration("events", "x");
	json_t *op = find_op(d, "/events", "GET");
	json_t *p;
	size_t i;

	assert_non_null(op);
	assert_string_equal(json_string_value(json_object_get(op, "nickname")),
			    "eventWebsocket");
	assert_string_equal(json_string_value(json_object_get(op, "upgrade")),
			    "websocket");
	assert_string_equal(json_string_value(json_object_get(op, "websocketProtocol")),
			    "ari");
	json_array_foreach (json_object_get(op, "parameters"), i, p) {
		if (!strcmp(json_string_value(json_object_get(p, "name")), "app")) {
			assert_true(json_is_true(json_object_get(p, "required")));
			assert_true(json_is_true(json_object_get(p, "allowMultiple")));
		}
	}
	/* No other operation is a websocket. */
	assert_null(json_object_get(find_op(d, "/events/user/{eventName}", "POST"),
				    "upgrade"));
	json_decref(d);
}

/* Every event type ARI defines (Asterisk 22's events.json). */
static const char *const all_events[] = {
	"DeviceStateChanged", "PlaybackStarted", "PlaybackContinuing",
	"PlaybackFinished", "RecordingStarted", "RecordingFinished",
	"RecordingFailed", "ApplicationMoveFailed", "ApplicationRegistered",
	"ApplicationUnregistered", "ApplicationReplaced", "BridgeCreated",
	"BridgeDestroyed", "BridgeMerged", "BridgeBlindTransfer",
	"BridgeAttendedTransfer", "BridgeVideoSourceChanged", "ChannelCreated",
	"ChannelDestroyed", "ChannelEnteredBridge", "ChannelLeftBridge",
	"ChannelStateChange", "ChannelDtmfReceived", "ChannelDialplan",
	"ChannelCallerId", "ChannelUserevent", "ChannelHangupRequest",
	"ChannelVarset", "ChannelToneDetected", "ChannelTalkingStarted",
	"ChannelTalkingFinished", "ChannelHold", "ChannelUnhold",
	"ContactStatusChange", "EndpointStateChange", "Dial", "StasisEnd",
	"StasisStart", "TextMessageReceived", "ChannelConnectedLine",
	"PeerStatusChange", "ChannelTransfer", "RESTResponse", "CallBroadcast",
	"CallClaimed", NULL,
};

static bool in_array(json_t *arr, const char *s)
{
	json_t *v;
	size_t i;

	json_array_foreach (arr, i, v) {
		if (!strcmp(json_string_value(v), s))
			return true;
	}
	return false;
}

static void event_subtypes_cover_every_event_and_each_is_documented(void **state)
{
	json_t *d = ari_apidocs_declaration("events", "x");
	json_t *models = json_object_get(d, "models");
	json_t *message = json_object_get(models, "Message");
	json_t *event = json_object_get(models, "Event");
	json_t *subs = json_object_get(event, "subTypes");
	json_t *v;
	size_t i, n = 0;

	assert_string_equal(json_string_value(json_object_get(message, "discriminator")),
			    "type");
	assert_true(in_array(json_object_get(message, "subTypes"), "Event"));
	assert_true(in_array(json_object_get(message, "subTypes"), "MissingParams"));
	assert_non_null(json_object_get(json_object_get(message, "properties"), "type"));
	assert_non_null(json_object_get(json_object_get(event, "properties"),
					"application"));
	assert_non_null(json_object_get(json_object_get(event, "properties"),
					"timestamp"));

	for (; all_events[n]; n++) {
		if (!in_array(subs, all_events[n]))
			fail_msg("Event.subTypes lacks %s", all_events[n]);
		if (!json_object_get(models, all_events[n]))
			fail_msg("events.json lacks model %s", all_events[n]);
		assert_true(ari_event_type_documented(all_events[n]));
	}
	assert_int_equal(json_array_size(subs), n);
	json_array_foreach (subs, i, v) {
		json_t *m = json_object_get(models, json_string_value(v));

		assert_non_null(m);
		/* Only their own fields: the envelope comes from Message/Event. */
		assert_null(json_object_get(json_object_get(m, "properties"), "type"));
		assert_null(json_object_get(json_object_get(m, "properties"),
					    "application"));
	}

	assert_false(ari_event_type_documented("Channel"));
	assert_false(ari_event_type_documented("Event"));
	assert_false(ari_event_type_documented("MissingParams"));
	assert_false(ari_event_type_documented("NoSuchEvent"));
	assert_false(ari_event_type_documented(NULL));
	json_decref(d);
}

static void event_object_fields_have_client_object_types(void **state)
{
	json_t *d = ari_apidocs_declaration("events", "x");
	json_t *models = json_object_get(d, "models");
	json_t *props;

	/* ari-client builds live objects from exactly these property types. */
	props = json_object_get(json_object_get(models, "StasisStart"), "properties");
	assert_string_equal(json_string_value(json_object_get(
				    json_object_get(props, "channel"), "type")),
			    "Channel");
	assert_string_equal(json_string_value(json_object_get(
				    json_object_get(props, "args"), "type")),
			    "List[string]");
	props = json_object_get(json_object_get(models, "PlaybackFinished"), "properties");
	assert_string_equal(json_string_value(json_object_get(
				    json_object_get(props, "playback"), "type")),
			    "Playback");
	props = json_object_get(json_object_get(models, "RecordingFinished"), "properties");
	assert_string_equal(json_string_value(json_object_get(
				    json_object_get(props, "recording"), "type")),
			    "LiveRecording");
	json_decref(d);
}

static void every_property_and_response_type_is_known(void **state)
{
	for (size_t n = 0; ari_resources[n]; n++) {
		json_t *d = ari_apidocs_declaration(ari_resources[n], "x");
		const char *key, *pkey;
		json_t *model, *prop, *api, *op;
		size_t i, j;

		json_object_foreach (json_object_get(d, "models"), key, model) {
			json_object_foreach (json_object_get(model, "properties"), pkey,
					     prop) {
				const char *t = json_string_value(json_object_get(prop, "type"));

				assert_non_null(t);
				if (!known_type(t))
					fail_msg("%s.%s: unknown type %s", key, pkey, t);
				assert_true(json_is_boolean(json_object_get(prop, "required")));
			}
		}
		json_array_foreach (json_object_get(d, "apis"), i, api) {
			json_array_foreach (json_object_get(api, "operations"), j, op) {
				const char *t = json_string_value(
					json_object_get(op, "responseClass"));

				if (strcmp(t, "void") && strcmp(t, "binary") &&
				    !known_type(t))
					fail_msg("%s: unknown responseClass %s",
						 json_string_value(json_object_get(op, "nickname")),
						 t);
			}
		}
		json_decref(d);
	}
	assert_false(known_type("NoSuchModel"));
	assert_false(known_type("List[NoSuchModel]"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(literal_segment_beats_wildcard),
		cmocka_unit_test(wildcard_takes_any_other_segment),
		cmocka_unit_test(path_vars_are_url_decoded),
		cmocka_unit_test(wrong_method_is_405_with_allow_list),
		cmocka_unit_test(unknown_path_is_404),
		cmocka_unit_test(trailing_slash_or_empty_segment_is_404),
		cmocka_unit_test(overlong_segment_is_404),
		cmocka_unit_test(every_route_path_params_match_path_wildcards),
		cmocka_unit_test(every_route_matches_itself_with_its_vars),
		cmocka_unit_test(nicknames_unique_within_resource),
		cmocka_unit_test(walking_skeleton_operations_have_handlers),
		cmocka_unit_test(every_resource_has_routes_and_a_declaration_with_models),
		cmocka_unit_test(model_keys_equal_their_ids),
		cmocka_unit_test(listing_has_eleven_apis_and_no_operations),
		cmocka_unit_test(declaration_base_path_echoes_argument),
		cmocka_unit_test(operations_on_one_path_share_one_api_entry),
		cmocka_unit_test(parameters_carry_types_defaults_and_allowed_values),
		cmocka_unit_test(event_websocket_is_marked_for_upgrade),
		cmocka_unit_test(event_subtypes_cover_every_event_and_each_is_documented),
		cmocka_unit_test(event_object_fields_have_client_object_types),
		cmocka_unit_test(every_property_and_response_type_is_known),
	};

	return cmocka_run_group_tests(tests, NULL, free_all_models);
}
