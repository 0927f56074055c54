/* res_bridges.c — ARI /bridges: list, create (and createWithId's
 * create-or-update), get, destroy, addChannel and removeChannel. Checks,
 * status codes and messages follow Asterisk's resource_bridges.c: a channel
 * that does not exist is a 400, one not in Stasis a 422, and addChannel
 * moves a channel that is in another bridge (it leaves that one first).
 *
 * Not here: play, music on hold, video source and variables
 * (res_bridges_media.c); the model itself (core/bridge.c). */
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
#include "base/defer.h"
#include "base/log.h"
#include "core/bridge.h"
#include "core/channel.h"
#include "core/recording.h"
#include "core/stasis.h"

#define BRIDGE_CHANS_MAX 127 /* ARI's limit on a multi-valued parameter */

struct bridge *ari_bridge_lookup(struct ari_req *req, struct ari_resp *resp)
{
	struct bridge *b = bridge_find(ari_req_param(req, "bridgeId"));

	if (!b)
		ari_resp_error(resp, 404, "Bridge not found");
	return b;
}

static void add_bridge(struct bridge *b, void *arg)
{
	json_array_append_new(arg, ari_bridge_json(b));
}

void ari_bridges_list(struct ari_req *req, struct ari_resp *resp)
{
	json_t *a = json_array();

	(void)req;
	bridge_foreach(add_bridge, a);
	ari_resp_json(resp, 200, a);
}

void ari_bridges_get(struct ari_req *req, struct ari_resp *resp)
{
	struct bridge *b = ari_bridge_lookup(req, resp);

	if (b)
		ari_resp_json(resp, 200, ari_bridge_json(b));
}

void ari_bridges_destroy(struct ari_req *req, struct ari_resp *resp)
{
	struct bridge *b = ari_bridge_lookup(req, resp);

	if (!b)
		return;
	bridge_destroy(b);
	ari_resp_no_content(resp);
}

/* ---- create ---- */

/* Body {"variables": {"NAME": "v" | {"value": "v"}}}: checked before the
 * bridge exists, set once it does. */
static bool vars_ok(json_t *body)
{
	json_t *vars = body ? json_object_get(body, "variables") : NULL;
	const char *name;
	json_t *val;

	if (!vars || json_is_null(vars))
		return true;
	if (!json_is_object(vars))
		return false;
	json_object_foreach(vars, name, val) {
		json_t *v = json_is_object(val) ? json_object_get(val, "value")
						: val;

		if (!json_is_string(v))
			return false;
	}
	return true;
}

static void vars_set(struct bridge *b, json_t *body)
{
	json_t *vars = body ? json_object_get(body, "variables") : NULL;
	const char *name;
	json_t *val;

	if (!json_is_object(vars))
		return;
	json_object_foreach(vars, name, val) {
		json_t *v = json_is_object(val) ? json_object_get(val, "value")
						: val;
		json_t *rep = json_is_object(val)
				      ? json_object_get(val, "report_events")
				      : NULL;

		if (bridge_var_set(b, name, json_string_value(v),
				   json_is_true(rep)))
			log_warning("Bridge %s: cannot set variable %s",
				    bridge_id(b), name);
	}
}

static void create(struct ari_req *req, struct ari_resp *resp,
		   const char *id)
{
	const char *type = ari_req_param(req, "type");
	struct bridge *b = NULL;
	unsigned flags;
	int err;

	if (!vars_ok(ari_req_body(req))) {
		ari_resp_error(resp, 400, "Invalid variables");
		return;
	}
	if (id && bridge_find(id)) {
		ari_resp_error(resp, 409, "Bridge with id '%s' already exists",
			       id);
		return;
	}
	/* Asterisk answers a bad type list (unknown word, mixing with
	 * holding, neither) with this 500. */
	err = bridge_type_parse(type, &flags, NULL, NULL);
	if (!err)
		err = bridge_create(&b, id, flags, ari_req_param(req, "name"),
				    NULL);
	if (err) {
		ari_resp_error(resp, 500, "Unable to create bridge");
		return;
	}
	vars_set(b, ari_req_body(req));
	ari_resp_json(resp, 200, ari_bridge_json(b));
}

void ari_bridges_create(struct ari_req *req, struct ari_resp *resp)
{
	const char *id = ari_req_param(req, "bridgeId");

	create(req, resp, id && *id ? id : NULL);
}

/* An existing bridge is "updated" as Asterisk does it: nothing can change,
 * so asking for another name or any type is a 500, the rest a 200. */
void ari_bridges_create_with_id(struct ari_req *req, struct ari_resp *resp)
{
	const char *id = ari_req_param(req, "bridgeId");
	const char *name = ari_req_param(req, "name");
	const char *type = ari_req_param(req, "type");
	struct bridge *b = bridge_find(id);

	if (!b) {
		create(req, resp, id);
		return;
	}
	if (name && *name && strcmp(name, bridge_name(b))) {
		ari_resp_error(resp, 500, "Changing bridge name is not "
			       "implemented");
		return;
	}
	if (type && *type) {
		ari_resp_error(resp, 500, "Supplying a bridge type when "
			       "updating a bridge is not allowed.");
		return;
	}
	ari_resp_json(resp, 200, ari_bridge_json(b));
}

/* ---- channels ---- */

struct chan_list {
	struct channel *ch[BRIDGE_CHANS_MAX];
	size_t n;
};

/* Parameter "channel" (comma-separated ids): every one must exist (400)
 * and be in Stasis (422), checked before anything changes. False after a
 * reply. */
static bool chan_list_get(struct ari_req *req, struct ari_resp *resp,
			  struct chan_list *l)
{
	const char *param = ari_req_param(req, "channel");
	char buf[8192], *save = NULL, *id;

	l->n = 0;
	snprintf(buf, sizeof(buf), "%s", param ? param : "");
	for (id = strtok_r(buf, ",", &save); id;
	     id = strtok_r(NULL, ",", &save)) {
		struct channel *ch = channel_find(id);

		if (!ch) {
			ari_resp_error(resp, 400, "Channel not found");
			return false;
		}
		if (!stasis_channel_app(ch)) {
			ari_resp_error(resp, 422, "Channel not in Stasis "
				       "application");
			return false;
		}
		if (l->n == BRIDGE_CHANS_MAX) {
			ari_resp_error(resp, 400, "Too many channels");
			return false;
		}
		l->ch[l->n++] = ch;
	}
	if (!l->n) {
		ari_resp_error(resp, 400, "Missing parameter channel");
		return false;
	}
	return true;
}

/* One channel joining, run after the 204 has gone out (Asterisk imparts
 * the channel from its Stasis thread, so its events follow the reply). */
struct add_op {
	char *bridge_id;
	struct channel *ch;      /* referenced */
	char *role;
	struct bridge_join_opts opts;
};

static void add_op_destructor(void *arg)
{
	struct add_op *op = arg;

	mem_deref(op->bridge_id);
	mem_deref(op->ch);
	mem_deref(op->role);
}

static void add_run(void *arg)
{
	struct add_op *op = arg;
	struct bridge *b = bridge_find(op->bridge_id);
	struct bridge *old = bridge_of_channel(op->ch);
	const char *app = stasis_channel_app(op->ch);
	int err;

	/* The bridge or the channel's Stasis session may be gone by now. */
	if (!b || !app || channel_is_hungup(op->ch))
		return;
	if (old)
		bridge_remove(old, op->ch);
	bridge_claim(b, app);
	err = bridge_add(b, op->ch, &op->opts);
	if (err)
		log_warning("%s: cannot join bridge %s: %s",
			    channel_name(op->ch), op->bridge_id,
			    strerror(err));
}

static int add_queue(struct bridge *b, struct channel *ch,
		     const struct bridge_join_opts *opts)
{
	struct add_op *op = mem_zalloc(sizeof(*op), add_op_destructor);
	int err;

	if (!op || str_dup(&op->bridge_id, bridge_id(b)) ||
	    (opts->role && str_dup(&op->role, opts->role))) {
		mem_deref(op);
		return ENOMEM;
	}
	op->ch = mem_ref(ch);
	op->opts = *opts;
	op->opts.role = op->role;
	err = defer_call(add_run, op);
	mem_deref(op);
	return err;
}

void ari_bridges_add_channel(struct ari_req *req, struct ari_resp *resp)
{
	struct bridge *b = ari_bridge_lookup(req, resp);
	const char *role = ari_req_param(req, "role");
	struct bridge_join_opts opts = {
		.role = role && *role ? role : NULL,
		.absorb_dtmf = ari_req_param_bool(req, "absorbDTMF", false),
		.mute = ari_req_param_bool(req, "mute", false),
		.inhibit_connected_line_updates = ari_req_param_bool(
			req, "inhibitConnectedLineUpdates", false),
	};
	struct chan_list l;

	if (!b || !chan_list_get(req, resp, &l))
		return;
	for (size_t i = 0; i < l.n; i++) {
		/* Asterisk's recording rule on the channel's control. */
		if (recording_of_channel(l.ch[i])) {
			ari_resp_error(resp, 409, "Channel %s currently recording",
				       channel_id(l.ch[i]));
			return;
		}
	}
	for (size_t i = 0; i < l.n; i++) {
		if (add_queue(b, l.ch[i], &opts)) {
			ari_resp_error(resp, 500, "Allocation failed");
			return;
		}
	}
	ari_resp_no_content(resp);
}

void ari_bridges_remove_channel(struct ari_req *req, struct ari_resp *resp)
{
	struct bridge *b = ari_bridge_lookup(req, resp);
	struct chan_list l;

	if (!b || !chan_list_get(req, resp, &l))
		return;
	for (size_t i = 0; i < l.n; i++) {
		if (bridge_of_channel(l.ch[i]) != b) {
			log_warning("Channel %s not in bridge %s",
				    channel_id(l.ch[i]), bridge_id(b));
			ari_resp_error(resp, 422, "Channel not in this bridge");
			return;
		}
	}
	for (size_t i = 0; i < l.n; i++)
		bridge_remove(b, l.ch[i]);
	ari_resp_no_content(resp);
}
