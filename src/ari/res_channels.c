/* res_channels.c — /channels handlers: list, get, originate, create,
 * hangup, answer, ring, continue, move, variables. Checks, status codes and
 * messages follow Asterisk's resource_channels.c; the work itself is done by
 * the core (originate.c, stasis.c, channel.c). */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <stdint.h>
#include <inttypes.h>
#include <re_types.h>
#include <re_mem.h>
#include "ari/ari_util.h"
#include "ari/handlers.h"
#include "ari/res_channels.h"
#include "ari/models.h"
#include "core/channel.h"
#include "base/defer.h"
#include "pbx/dialplan.h"
#include "base/log.h"
#include "pbx/originate.h"
#include "core/overload.h"
#include "core/playback.h"
#include "core/stasis.h"

#define CHANNEL_ID_MAX 149

static bool add_channel(struct channel *ch, void *arg)
{
	json_array_append_new(arg, ari_channel_json(ch));
	return false;
}

void ari_channels_list(struct ari_req *req, struct ari_resp *resp)
{
	json_t *list = json_array();

	channel_foreach(add_channel, list);
	ari_resp_json(resp, 200, list);
}

void ari_channels_get(struct ari_req *req, struct ari_resp *resp)
{
	struct channel *ch = ari_channel_lookup(req, resp, ARI_CHAN_ANY);

	if (ch)
		ari_resp_json(resp, 200, ari_channel_json(ch));
}

/* `"Name" <num>`, `Name <num>`, `<num>` or `num`. */
static void set_callerid(struct channel *ch, const char *cid)
{
	char buf[256], *lt, *gt, *name = buf;
	size_t len;

	snprintf(buf, sizeof(buf), "%s", cid);
	lt = strchr(buf, '<');
	gt = lt ? strchr(lt, '>') : NULL;
	if (!lt || !gt) {
		channel_set_caller(ch, "", buf);
		return;
	}
	*gt = '\0';
	*lt = '\0';
	while (*name == ' ')
		name++;
	len = strlen(name);
	while (len && name[len - 1] == ' ')
		name[--len] = '\0';
	if (len >= 2 && name[0] == '"' && name[len - 1] == '"') {
		name[len - 1] = '\0';
		name++;
	}
	channel_set_caller(ch, name, lt + 1);
}

/* {"variables": {"NAME": "v" | {"value": "v", ...}}}; 400 on a bad shape. */
int ari_channel_set_variables(struct channel *ch, json_t *body)
{
	json_t *vars = body ? json_object_get(body, "variables") : NULL;
	const char *name;
	json_t *val;

	if (!vars || json_is_null(vars))
		return 0;
	if (!json_is_object(vars))
		return EINVAL;
	json_object_foreach(vars, name, val) {
		json_t *v = json_is_object(val) ? json_object_get(val, "value")
						: val;

		if (!json_is_string(v))
			return EINVAL;
		/* before the value, so that its ChannelVarset shows it */
		if (json_is_object(val) &&
		    json_is_true(json_object_get(val, "report_events")))
			(void)channel_var_report(ch, name);
		if (!strncmp(name, "CALLERID(all)", 13))
			set_callerid(ch, json_string_value(v));
		else
			channel_var_set(ch, name, json_string_value(v));
	}
	return 0;
}

static bool id_too_long(const char *id)
{
	return id && strlen(id) > CHANNEL_ID_MAX;
}

/* The parameter checks of originate and create; false after replying. */
static bool request_params_ok(struct ari_req *req, struct ari_resp *resp,
			      const char *id)
{
	const char *endpoint = ari_req_param(req, "endpoint");
	const char *other = ari_req_param(req, "otherChannelId");
	const char *originator = ari_req_param(req, "originator");
	json_t *body = ari_req_body(req);

	if (!endpoint || !*endpoint) {
		ari_resp_error(resp, 400, "Endpoint must be specified");
		return false;
	}
	if (id_too_long(id) || id_too_long(other)) {
		ari_resp_error(resp, 400, "Channel id too long (max %d)",
			       CHANNEL_ID_MAX);
		return false;
	}
	if (originator && ari_req_param(req, "formats")) {
		ari_resp_error(resp, 400, "Originator and formats can't both "
			       "be specified");
		return false;
	}
	if (originator && !channel_find(originator)) {
		ari_resp_error(resp, 400, "Provided originator channel was "
			       "not found");
		return false;
	}
	if (body && json_object_get(body, "variables") &&
	    !json_is_object(json_object_get(body, "variables"))) {
		ari_resp_error(resp, 400, "Variables must be a JSON object");
		return false;
	}
	return true;
}

/* Asterisk applies maxcalls and maxload only where a dialplan starts
 * (pbx.c increase_call_count), so its ARI originate answers 200 and the
 * call fails afterwards, if at all; its answer to a channel that cannot be
 * made is 500 "Allocation failed", which would call a limit someone set a
 * fault. We refuse before making anything, with the status that says
 * "later": 503, Retry-After as on SIP, the limit in the message. The loop's
 * lag and the calls in setup are not asked: they shed what arrives from
 * the network, while an application's requests keep their priority.
 * maxcalls counts every channel the request makes: both halves of a Local
 * pair must fit. */
bool ari_channels_shed(struct ari_resp *resp, const char *endpoint)
{
	enum overload_reason r =
		overload_check_for(channel_request_size(endpoint), 0, 0, 0);
	char why[128];

	if (r == OVERLOAD_NONE)
		return false;
	overload_refused(r, endpoint);
	if (overload_retry_after())
		ari_resp_header(resp, "Retry-After: %u",
				overload_retry_after());
	ari_resp_error(resp, 503, "%s",
		       overload_describe(r, why, sizeof(why)));
	return true;
}

/* Common part of originate and create; NULL after replying. */
static struct channel *request_channel(struct ari_req *req,
				       struct ari_resp *resp, const char *id)
{
	struct channel *ch = NULL;
	int err;

	if (!request_params_ok(req, resp, id) ||
	    ari_channels_shed(resp, ari_req_param(req, "endpoint")))
		return NULL;
	err = channel_request(&ch, ari_req_param(req, "endpoint"), id,
			      ari_req_param(req, "otherChannelId"));
	switch (err) {
	case 0:
		break;
	case EEXIST:
		ari_resp_error(resp, 409, "Channel with given unique ID "
			       "already exists");
		return NULL;
	case EINVAL:
		ari_resp_error(resp, 400, "Invalid endpoint specified");
		return NULL;
	case ENOENT:
		ari_resp_error(resp, 400, "Invalid endpoint specified: "
			       "unknown technology");
		return NULL;
	default:
		ari_resp_error(resp, 500, "Failed to create channel");
		return NULL;
	}
	if (ari_channel_set_variables(ch, ari_req_body(req))) {
		channel_hangup(ch, CAUSE_FAILURE, "ARI");
		ari_resp_error(resp, 400, "Invalid variables");
		return NULL;
	}
	return ch;
}

static void originate(struct ari_req *req, struct ari_resp *resp,
		      const char *id)
{
	struct originate_target t = {0};
	const char *label = ari_req_param(req, "label");
	const char *cid = ari_req_param(req, "callerId");
	struct channel *ch;

	t.app = ari_req_param(req, "app");
	t.appargs = ari_req_param(req, "appArgs");
	t.context = ari_req_param(req, "context");
	t.exten = ari_req_param(req, "extension");
	t.priority = ari_req_param_int(req, "priority", 1);
	t.timeout_s = ari_req_param_int(req, "timeout", 30);
	if (t.app && !*t.app)
		t.app = NULL;
	if (!t.context || !*t.context)
		t.context = "default";
	if (!t.app && (!t.exten || !*t.exten)) {
		ari_resp_error(resp, 400, "Application or extension must be "
			       "specified");
		return;
	}
	if (!t.app && label && *label) {
		if (dialplan_find_label(t.context, t.exten, label, &t.priority)) {
			ari_resp_error(resp, 404, "Requested label: %s can not "
				       "be found in context: %s", label,
				       t.context);
			return;
		}
		if (t.priority <= 0) {
			ari_resp_error(resp, 400, "Requested priority is "
				       "illegal");
			return;
		}
	}
	if (!t.app && t.priority <= 0)
		t.priority = 1;

	ch = request_channel(req, resp, id);
	if (!ch)
		return;
	if (cid && *cid)
		set_callerid(ch, cid);
	if (originate_dial(ch, &t)) {
		channel_hangup(ch, CAUSE_FAILURE, "ARI");
		ari_resp_error(resp, 500, "Failed to originate");
		return;
	}
	ari_resp_json(resp, 200, ari_channel_json(ch));
}

void ari_channels_originate(struct ari_req *req, struct ari_resp *resp)
{
	originate(req, resp, ari_req_param(req, "channelId"));
}

void ari_channels_originate_with_id(struct ari_req *req, struct ari_resp *resp)
{
	originate(req, resp, ari_req_param(req, "channelId"));
}

void ari_channels_create(struct ari_req *req, struct ari_resp *resp)
{
	const char *app = ari_req_param(req, "app");
	struct stasis_app *sapp;
	struct channel *ch;

	if (!app || !*app) {
		ari_resp_error(resp, 400, "Application is required");
		return;
	}
	sapp = stasis_app_find(app);
	if (!stasis_app_is_active(sapp)) {
		ari_resp_error(resp, 400, "Stasis application '%s' is not "
			       "registered", app);
		return;
	}
	ch = request_channel(req, resp, ari_req_param(req, "channelId"));
	if (!ch)
		return;
	if (originate_create_in_app(ch, app, ari_req_param(req, "appArgs"))) {
		channel_hangup(ch, CAUSE_FAILURE, "ARI");
		ari_resp_error(resp, 500, "Failed to put channel in Stasis");
		return;
	}
	ari_resp_json(resp, 200, ari_channel_json(ch));
}

static int reason_to_cause(const char *reason)
{
	static const struct {
		const char *name;
		int cause;
	} map[] = {
		{"normal", 16}, {"busy", 17}, {"congestion", 34},
		{"no_answer", 19}, {"timeout", 18}, {"rejected", 21},
		{"unallocated", 1}, {"normal_unspecified", 31},
		{"number_incomplete", 28}, {"codec_mismatch", 58},
		{"interworking", 127}, {"failure", 38},
		{"answered_elsewhere", 26},
	};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(map[i].name, reason))
			return map[i].cause;
	return -1;
}

/* A soft hangup waiting for the next loop turn (after the 204). */
struct hangup_op {
	struct channel *ch;   /* referenced */
	int cause;
};

static void hangup_op_destructor(void *arg)
{
	struct hangup_op *op = arg;

	mem_deref(op->ch);
}

static void deferred_hangup(void *arg)
{
	struct hangup_op *op = arg;

	channel_hangup_soft(op->ch, op->cause, "ARI");
}

static int hangup_later(struct channel *ch, int cause)
{
	struct hangup_op *op = mem_zalloc(sizeof(*op), hangup_op_destructor);
	int err;

	if (!op)
		return ENOMEM;
	op->ch = mem_ref(ch);
	op->cause = cause;
	err = defer_call(deferred_hangup, op);
	mem_deref(op);
	return err;
}

void ari_channels_hangup(struct ari_req *req, struct ari_resp *resp)
{
	const char *reason = ari_req_param(req, "reason");
	const char *code = ari_req_param(req, "reason_code");
	struct channel *ch;
	int cause = CAUSE_NORMAL_CLEARING;

	if (reason && code) {
		ari_resp_error(resp, 400, "The reason and reason_code can't "
			       "both be specified");
		return;
	}
	if (code) {
		cause = atoi(code);
	}
	else if (reason) {
		cause = reason_to_cause(reason);
		if (cause < 0) {
			ari_resp_error(resp, 400, "Invalid reason for hangup "
				       "provided");
			return;
		}
	}
	ch = ari_channel_lookup(req, resp, ARI_CHAN_ANY);
	if (!ch)
		return;
	/* Like Asterisk's soft hangup: the 204 goes out first, the channel
	 * goes down on the next turn of the loop. */
	if (hangup_later(ch, cause > 0 ? cause : CAUSE_NORMAL_CLEARING)) {
		ari_resp_error(resp, 500, "Failed to hang up channel");
		return;
	}
	ari_resp_no_content(resp);
}

void ari_channels_answer(struct ari_req *req, struct ari_resp *resp)
{
	struct channel *ch = ari_channel_lookup(req, resp, ARI_CHAN_USABLE);

	if (!ch)
		return;
	if (channel_answer(ch)) {
		ari_resp_error(resp, 500, "Failed to answer channel");
		return;
	}
	ari_resp_no_content(resp);
}

/* Ringing the technology cannot signal (an answered call) is played in
 * band, as Asterisk's core does when a channel driver refuses it; a stop
 * ends that tone whatever the technology says. */
static void indicate(struct ari_req *req, struct ari_resp *resp,
		     enum channel_indication ind)
{
	struct channel *ch = ari_channel_lookup(req, resp, ARI_CHAN_USABLE);
	const struct playback_engine *eng = playback_engine_get();
	int err;

	if (!ch)
		return;
	err = channel_indicate(ch, ind);
	if (eng && ind == CHANNEL_IND_RINGING_STOP)
		eng->ringback_stop(ch);
	else if (eng && err == ENOTSUP && ind == CHANNEL_IND_RINGING &&
		 eng->ringback_start(ch))
		log_warning("Could not play ringback on %s", channel_name(ch));
	ari_resp_no_content(resp);
}

void ari_channels_ring(struct ari_req *req, struct ari_resp *resp)
{
	indicate(req, resp, CHANNEL_IND_RINGING);
}

void ari_channels_ring_stop(struct ari_req *req, struct ari_resp *resp)
{
	indicate(req, resp, CHANNEL_IND_RINGING_STOP);
}

void ari_channels_continue(struct ari_req *req, struct ari_resp *resp)
{
	const char *context = ari_req_param(req, "context");
	const char *exten = ari_req_param(req, "extension");
	const char *label = ari_req_param(req, "label");
	const char *prio = ari_req_param(req, "priority");
	char ctx[DIALPLAN_NAME_MAX + 1], ext[DIALPLAN_NAME_MAX + 1];
	struct channel *ch;
	int priority;

	ch = ari_channel_lookup(req, resp, ARI_CHAN_USABLE);
	if (!ch)
		return;
	/* Target rules of ast_ari_channels_continue_in_dialplan. */
	if (context && *context) {
		snprintf(ctx, sizeof(ctx), "%s", context);
		snprintf(ext, sizeof(ext), "%s", exten && *exten ? exten : "s");
		priority = prio && *prio ? atoi(prio) : 1;
	}
	else if (exten && *exten) {
		snprintf(ctx, sizeof(ctx), "%s", channel_context(ch));
		snprintf(ext, sizeof(ext), "%s", exten);
		priority = prio && *prio ? atoi(prio) : 1;
	}
	else {
		snprintf(ctx, sizeof(ctx), "%s", channel_context(ch));
		snprintf(ext, sizeof(ext), "%s", channel_exten(ch));
		priority = prio && *prio ? atoi(prio)
					 : channel_priority(ch) + 1;
	}
	if (label && *label) {
		if (dialplan_find_label(ctx, ext, label, &priority)) {
			ari_resp_error(resp, 404, "Requested label: %s can not "
				       "be found in context: %s", label, ctx);
			return;
		}
	}
	if (priority <= 0) {
		ari_resp_error(resp, 400, "Requested priority is illegal");
		return;
	}
	if (stasis_continue(ch, ctx, ext, priority)) {
		ari_resp_error(resp, 500, "Failed to continue in dialplan");
		return;
	}
	ari_resp_no_content(resp);
}

void ari_channels_move(struct ari_req *req, struct ari_resp *resp)
{
	const char *app = ari_req_param(req, "app");
	struct channel *ch;

	ch = ari_channel_lookup(req, resp, ARI_CHAN_IN_STASIS);
	if (!ch)
		return;
	if (!app || !*app) {
		ari_resp_error(resp, 400, "Missing parameter app");
		return;
	}
	if (stasis_move(ch, app, ari_req_param(req, "appArgs"))) {
		ari_resp_error(resp, 500, "Failed to switch Stasis applications");
		return;
	}
	ari_resp_no_content(resp);
}

/* Common checks of the variable operations: the name first (400), then
 * the channel (404, and 409 for `need`), as Asterisk orders them. Reading
 * takes any channel: Asterisk's getChannelVar looks the channel up by name
 * and never asks whether it is in an app (its swagger lists a 409 that the
 * code does not send); setting needs the app's control of the channel. */
static struct channel *var_channel(struct ari_req *req, struct ari_resp *resp,
				   const char **name, enum ari_chan_need need)
{
	*name = ari_req_param(req, "variable");
	if (!*name || !**name) {
		ari_resp_error(resp, 400, "Variable name is required");
		return NULL;
	}
	return ari_channel_lookup(req, resp, need);
}

void ari_channels_get_var(struct ari_req *req, struct ari_resp *resp)
{
	const char *name, *value;
	struct channel *ch = var_channel(req, resp, &name, ARI_CHAN_ANY);

	if (!ch)
		return;
	value = channel_var_get(ch, name);
	if (!value) {
		ari_resp_error(resp, 404, "Provided variable was not found");
		return;
	}
	ari_resp_json(resp, 200, json_pack("{s:s}", "value", value));
}

void ari_channels_set_var(struct ari_req *req, struct ari_resp *resp)
{
	const char *name, *value = ari_req_param(req, "value");
	struct channel *ch = var_channel(req, resp, &name, ARI_CHAN_IN_STASIS);

	if (!ch)
		return;
	if (ari_req_param_bool(req, "report_events", false))
		(void)channel_var_report(ch, name);
	if (channel_var_set(ch, name, value ? value : "")) {
		ari_resp_error(resp, 400, "Failed to execute function");
		return;
	}
	ari_resp_no_content(resp);
}

void ari_channels_progress(struct ari_req *req, struct ari_resp *resp)
{
	indicate(req, resp, CHANNEL_IND_PROGRESS);
}

/* GET /channels/{id}/variables?variables=A,B → {"variables":{"A":..}}; a
 * name that is not set is a 404, as for the single-variable operation. */
void ari_channels_get_channel_vars(struct ari_req *req, struct ari_resp *resp)
{
	const char *list = ari_req_param(req, "variables");
	char buf[2048], *save = NULL, *name;
	struct channel *ch;
	json_t *vars;

	if (!list || !*list) {
		ari_resp_error(resp, 400, "Variable names are required");
		return;
	}
	ch = ari_channel_lookup(req, resp, ARI_CHAN_ANY);  /* as getChannelVar */
	if (!ch)
		return;
	snprintf(buf, sizeof(buf), "%s", list);
	vars = json_object();
	for (name = strtok_r(buf, ",", &save); name;
	     name = strtok_r(NULL, ",", &save)) {
		const char *value = channel_var_get(ch, name);

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

/* POST /channels/{id}/variables with {"variables":{"A":"v"|{"value":"v"}}}. */
void ari_channels_set_channel_vars(struct ari_req *req, struct ari_resp *resp)
{
	json_t *body = ari_req_body(req);
	json_t *vars = body ? json_object_get(body, "variables") : NULL;
	struct channel *ch;

	if (!json_is_object(vars) || !json_object_size(vars)) {
		ari_resp_error(resp, 400, "Variables are required");
		return;
	}
	ch = ari_channel_lookup(req, resp, ARI_CHAN_IN_STASIS);
	if (!ch)
		return;
	if (ari_channel_set_variables(ch, body)) {
		ari_resp_error(resp, 400, "Variable values must be strings or "
			       "{\"value\": string} objects");
		return;
	}
	ari_resp_no_content(resp);
}
