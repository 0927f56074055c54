/* res_bridges_media.c — ARI bridge operations other than membership: play
 * and playWithId (a playback every member hears, controlled through
 * /playbacks), music on hold, the video source (audio only here: the
 * statuses and the bridge's video fields, nothing else) and the bridge
 * variables. Statuses and messages as Asterisk's resource_bridges.c.
 *
 * Not here: the audio (src/media's engines), the model (core/bridge.c). */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <re_types.h>
#include <re_fmt.h>
#include <re_mem.h>
#include "ari/handlers.h"
#include "ari/models.h"
#include "ari/res_bridges.h"
#include "ari/res_playbacks.h"
#include "base/log.h"
#include "core/bridge.h"
#include "core/channel.h"
#include "core/playback.h"
#include "core/stasis.h"

/* ---- play ---- */

static int start_on_bridge(struct playback **pbp, void *target,
			   const char *id, const char *const *media,
			   size_t n, const char *lang, long offsetms,
			   int skipms)
{
	return playback_start_bridge(pbp, target, id, media, n, lang,
				     offsetms, skipms);
}

static void play(struct ari_req *req, struct ari_resp *resp)
{
	struct bridge *b = ari_bridge_lookup(req, resp);

	if (b)
		ari_play(req, resp, b, start_on_bridge);
}

void ari_bridges_play(struct ari_req *req, struct ari_resp *resp)
{
	play(req, resp);
}

void ari_bridges_play_with_id(struct ari_req *req, struct ari_resp *resp)
{
	play(req, resp);
}

/* ---- music on hold ---- */

void ari_bridges_start_moh(struct ari_req *req, struct ari_resp *resp)
{
	struct bridge *b = ari_bridge_lookup(req, resp);
	int err;

	if (!b)
		return;
	err = bridge_moh_start(b, ari_req_param(req, "mohClass"));
	if (err == ENOSYS)
		ari_resp_error(resp, 501, "Media is not available");
	else if (err)
		ari_resp_error(resp, 500, "Allocation failed");
	else
		ari_resp_no_content(resp);
}

void ari_bridges_stop_moh(struct ari_req *req, struct ari_resp *resp)
{
	struct bridge *b = ari_bridge_lookup(req, resp);

	if (!b)
		return;
	if (!bridge_moh_class(b) || bridge_moh_stop(b)) {
		ari_resp_error(resp, 409, "Bridge isn't playing music");
		return;
	}
	ari_resp_no_content(resp);
}

/* ---- video source ---- */

/* Asterisk finds the channel's Stasis control: 400 when the channel does
 * not exist, 422 when it is not in Stasis or not in this bridge. */
void ari_bridges_set_video_source(struct ari_req *req, struct ari_resp *resp)
{
	struct bridge *b = ari_bridge_lookup(req, resp);
	struct channel *ch;

	if (!b)
		return;
	ch = channel_find(ari_req_param(req, "channelId"));
	if (!ch) {
		ari_resp_error(resp, 400, "Channel not found");
		return;
	}
	if (!stasis_channel_app(ch)) {
		ari_resp_error(resp, 422, "Channel not in Stasis application");
		return;
	}
	if (bridge_set_video_source(b, ch)) {
		ari_resp_error(resp, 422, "Channel not in this bridge");
		return;
	}
	ari_resp_no_content(resp);
}

void ari_bridges_clear_video_source(struct ari_req *req,
				    struct ari_resp *resp)
{
	struct bridge *b = ari_bridge_lookup(req, resp);

	if (!b)
		return;
	bridge_clear_video_source(b);
	ari_resp_no_content(resp);
}

/* ---- variables ---- */

/* The name first (400), then the bridge (404), as the channel variable
 * operations order them. */
static struct bridge *var_bridge(struct ari_req *req, struct ari_resp *resp,
				 const char *param, const char **value)
{
	*value = ari_req_param(req, param);
	if (!*value || !**value) {
		ari_resp_error(resp, 400, "Variable name%s required",
			       strcmp(param, "variable") ? "s are" : " is");
		return NULL;
	}
	return ari_bridge_lookup(req, resp);
}

void ari_bridges_get_bridge_var(struct ari_req *req, struct ari_resp *resp)
{
	const char *name, *value;
	struct bridge *b = var_bridge(req, resp, "variable", &name);

	if (!b)
		return;
	value = bridge_var_get(b, name);
	if (!value) {
		ari_resp_error(resp, 404, "Provided variable was not found");
		return;
	}
	ari_resp_json(resp, 200, json_pack("{s:s}", "value", value));
}

void ari_bridges_set_bridge_var(struct ari_req *req, struct ari_resp *resp)
{
	const char *name, *value = ari_req_param(req, "value");
	struct bridge *b = var_bridge(req, resp, "variable", &name);

	if (!b)
		return;
	if (bridge_var_set(b, name, value && *value ? value : NULL,
			   ari_req_param_bool(req, "report_events", false))) {
		ari_resp_error(resp, 500, "Allocation failed");
		return;
	}
	ari_resp_no_content(resp);
}

void ari_bridges_get_bridge_vars(struct ari_req *req, struct ari_resp *resp)
{
	const char *list;
	struct bridge *b = var_bridge(req, resp, "variables", &list);
	char buf[2048], *save = NULL, *name;
	json_t *vars;

	if (!b)
		return;
	snprintf(buf, sizeof(buf), "%s", list);
	vars = json_object();
	for (name = strtok_r(buf, ",", &save); name;
	     name = strtok_r(NULL, ",", &save)) {
		const char *value = bridge_var_get(b, name);

		if (!value) {
			json_decref(vars);
			ari_resp_error(resp, 404, "Provided variable '%s' was "
				       "not found", name);
			return;
		}
		json_object_set_new(vars, name, json_string(value));
	}
	ari_resp_json(resp, 200, json_pack("{s:o}", "variables", vars));
}

/* Body {"variables": {"A": "v" | {"value": "v", "report_events": true}}}. */
void ari_bridges_set_bridge_vars(struct ari_req *req, struct ari_resp *resp)
{
	json_t *body = ari_req_body(req);
	json_t *vars = body ? json_object_get(body, "variables") : NULL;
	struct bridge *b;
	const char *name;
	json_t *val;

	if (!json_is_object(vars) || !json_object_size(vars)) {
		ari_resp_error(resp, 400, "Variables are required");
		return;
	}
	b = ari_bridge_lookup(req, resp);
	if (!b)
		return;
	json_object_foreach(vars, name, val) {
		json_t *v = json_is_object(val) ? json_object_get(val, "value")
						: val;

		if (!json_is_string(v)) {
			ari_resp_error(resp, 400, "Variable values must be "
				       "strings or {\"value\": string} objects");
			return;
		}
	}
	json_object_foreach(vars, name, val) {
		bool object = json_is_object(val);
		json_t *v = object ? json_object_get(val, "value") : val;
		const char *s = json_string_value(v);

		bridge_var_set(b, name, *s ? s : NULL,
			       object && json_is_true(json_object_get(
						 val, "report_events")));
	}
	ari_resp_no_content(resp);
}
