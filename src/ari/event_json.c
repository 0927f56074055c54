/* event_json.c — ARI's JSON for core objects and bus events, with the field
 * names, optional-field rules and envelope of Asterisk's
 * ast_channel_snapshot_to_json() and stasis message to_json callbacks. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/time.h>
#include "ari/json_recording.h"
#include "ari/models.h"
#include "core/bridge.h"
#include "core/bus.h"
#include "core/channel.h"
#include "core/endpoint.h"
#include "core/playback.h"
#include "base/options.h"
#include "core/stasis.h"

/* The "YYYY-MM-DDTHH:MM:SS" and "+hhmm" of one second, kept for the seconds
 * seen last: every event carries its timestamp and a channel's creation
 * time, nearly always of the current or a recent second, and localtime_r
 * with two strftime calls was a visible share of an event's cost. Indexed
 * by the second modulo the table size; per thread, as localtime_r is. */
struct second_text {
	time_t secs;
	bool set;
	char date[24];
	char zone[8];
};

static const struct second_text *second_text(time_t secs)
{
	static _Thread_local struct second_text cache[16];
	struct second_text *e = &cache[(uint64_t)secs % 16u];
	struct tm tm;

	if (e->set && e->secs == secs)
		return e;
	localtime_r(&secs, &tm);
	strftime(e->date, sizeof(e->date), "%Y-%m-%dT%H:%M:%S", &tm);
	strftime(e->zone, sizeof(e->zone), "%z", &tm);
	e->secs = secs;
	e->set = true;
	return e;
}

const char *ari_time_str(uint64_t time_us, char *buf, size_t size)
{
	const struct second_text *t =
		second_text((time_t)(time_us / 1000000u));
	unsigned ms = (unsigned)((time_us / 1000u) % 1000u);

	snprintf(buf, size, "%s.%03u%s", t->date, ms, t->zone);
	return buf;
}

/* A string that is not UTF-8 (a SIP display name can be any bytes) would
 * make json_string fail and the field vanish; its non-ASCII bytes become
 * '?' instead, so the event stays whole and valid JSON text. */
static json_t *lossy_string(const char *value)
{
	json_t *j;
	char *copy = strdup(value);

	if (!copy)
		return NULL;
	for (char *p = copy; *p; p++)
		if ((unsigned char)*p >= 0x80)
			*p = '?';
	j = json_string(copy);
	free(copy);
	return j;
}

static void set_str(json_t *o, const char *key, const char *value)
{
	json_t *j = json_string(value ? value : "");

	json_object_set_new(o, key, j ? j : lossy_string(value));
}

static json_t *callerid(const char *name, const char *num)
{
	json_t *o = json_object();

	set_str(o, "name", name);
	set_str(o, "number", num);
	return o;
}

/* ari.conf [general] channelvars: variables every channel shows. */
enum { CHANVARS_MAX = 32, CHANVAR_LEN = 80 };
static char chanvars[CHANVARS_MAX][CHANVAR_LEN];
static size_t nchanvars;

void ari_channelvars_configure(const char *list)
{
	const char *p = list;

	nchanvars = 0;
	while (p && *p && nchanvars < CHANVARS_MAX) {
		size_t n = strcspn(p, ",");
		const char *q = p;
		size_t len = n;

		while (len && (*q == ' ' || *q == '\t')) {
			q++;
			len--;
		}
		while (len && (q[len - 1] == ' ' || q[len - 1] == '\t'))
			len--;
		if (len && len < CHANVAR_LEN) {
			memcpy(chanvars[nchanvars], q, len);
			chanvars[nchanvars++][len] = '\0';
		}
		p += n + (p[n] == ',');
	}
}

/* A variable's value as the channel would give it ("" when unset, as
 * Asterisk shows configured ones); functions such as CALLERID(num) too,
 * which is why the channel is asked rather than its list. */
struct chanvars {
	json_t *vars;                /* made at the first name */
	const struct channel *ch;
};

static void add_channelvar(const char *name, void *arg)
{
	struct chanvars *c = arg;
	/* channel_var_get only writes its scratch for a function's value */
	const char *v = channel_var_get((struct channel *)c->ch, name);

	if (!c->vars)
		c->vars = json_object();
	json_object_set_new(c->vars, name, lossy_string(v ? v : ""));
}

/* "channelvars": ari.conf's channelvars and the channel's report_events
 * variables; left out when there are none (nothing is made then: this
 * runs for nearly every event). */
static void channelvars(json_t *obj, const struct channel *ch)
{
	struct chanvars c = {.ch = ch};

	for (size_t i = 0; i < nchanvars; i++)
		add_channelvar(chanvars[i], &c);
	channel_var_reported_foreach(ch, add_channelvar, &c);
	if (c.vars)
		json_object_set_new(obj, "channelvars", c.vars);
}

/* Built with direct calls rather than json_pack: this runs for nearly every
 * event, and json_pack parses its format string each time. */
json_t *ari_channel_json(const struct channel *ch)
{
	const struct timeval *tv = channel_creationtime(ch);
	json_t *dialplan = json_object(), *obj = json_object();
	char created[40];

	ari_time_str((uint64_t)tv->tv_sec * 1000000u + (uint64_t)tv->tv_usec,
		     created, sizeof(created));
	set_str(dialplan, "context", channel_context(ch));
	set_str(dialplan, "exten", channel_exten(ch));
	json_object_set_new(dialplan, "priority",
			    json_integer(channel_priority(ch)));
	set_str(dialplan, "app_name", channel_appl(ch));
	set_str(dialplan, "app_data", channel_data(ch));
	set_str(obj, "id", channel_id(ch));
	set_str(obj, "name", channel_name(ch));
	set_str(obj, "state", channel_state_str(channel_state(ch)));
	set_str(obj, "protocol_id", channel_protocol_id(ch));
	json_object_set_new(obj, "caller",
		callerid(channel_caller_name(ch), channel_caller_num(ch)));
	json_object_set_new(obj, "connected",
		callerid(channel_connected_name(ch), channel_connected_num(ch)));
	set_str(obj, "accountcode", channel_accountcode(ch));
	json_object_set_new(obj, "dialplan", dialplan);
	set_str(obj, "creationtime", created);
	set_str(obj, "language", channel_language(ch));
	channelvars(obj, ch);
	return obj;
}

static void add_string(const char *id, void *arg)
{
	json_array_append_new(arg, json_string(id));
}

static void add_type_filter(const char *type, void *arg)
{
	json_array_append_new(arg, json_pack("{s:s}", "type", type));
}

static json_t *sources(const struct stasis_app *app, enum stasis_source kind)
{
	json_t *a = json_array();

	stasis_app_source_foreach(app, kind, add_string, a);
	return a;
}

json_t *ari_application_json(const struct stasis_app *app)
{
	json_t *allowed = json_array(), *disallowed = json_array();

	stasis_app_filter_foreach(app, true, add_type_filter, allowed);
	stasis_app_filter_foreach(app, false, add_type_filter, disallowed);
	return json_pack("{s:s, s:o, s:o, s:o, s:o, s:o, s:o}",
			 "name", stasis_app_name(app),
			 "channel_ids", sources(app, STASIS_SRC_CHANNEL),
			 "bridge_ids", sources(app, STASIS_SRC_BRIDGE),
			 "endpoint_ids", sources(app, STASIS_SRC_ENDPOINT),
			 "device_names", sources(app, STASIS_SRC_DEVICE),
			 "events_allowed", allowed,
			 "events_disallowed", disallowed);
}

static json_t *args_json(const char *const *args, int nargs)
{
	json_t *a = json_array();

	for (int i = 0; i < nargs; i++)
		json_array_append_new(a, json_string(args[i]));
	return a;
}

static json_t *kv_json(const char *const *keys, const char *const *values,
		       int n)
{
	json_t *o = json_object();

	for (int i = 0; i < n; i++)
		set_str(o, keys[i], values[i]);
	return o;
}

static void add_endpoint_channel(struct channel *ch, void *arg)
{
	json_array_append_new(arg, json_string(channel_id(ch)));
}

json_t *ari_endpoint_json(const struct endpoint *ep)
{
	json_t *ids = json_array();

	endpoint_channel_foreach(ep, add_endpoint_channel, ids);
	return json_pack("{s:s, s:s, s:s, s:o}",
			 "technology", endpoint_tech(ep),
			 "resource", endpoint_resource(ep),
			 "state", endpoint_state_str(endpoint_get_state(ep)),
			 "channel_ids", ids);
}

json_t *ari_playback_json(const struct playback *pb)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s}",
			      "id", playback_id(pb),
			      "media_uri", playback_media_uri(pb),
			      "target_uri", playback_target_uri(pb),
			      "language", playback_language(pb),
			      "state", playback_state_str(playback_get_state(pb)));

	if (playback_next_media_uri(pb))
		json_object_set_new(o, "next_media_uri",
				    json_string(playback_next_media_uri(pb)));
	return o;
}

static void add_member(struct channel *ch, void *arg)
{
	json_array_append_new(arg, json_string(channel_id(ch)));
}

static void add_var(const char *name, const char *value, void *arg)
{
	json_object_set_new(arg, name, json_string(value));
}

/* Asterisk's ast_bridge_snapshot_to_json: the ids of the channels ARI may
 * see (its playback helpers are not channels here at all). */
json_t *ari_bridge_json(const struct bridge *b)
{
	struct timeval tv = bridge_creationtime(b);
	json_t *chans = json_array(), *vars = json_object(), *o;
	char created[40];

	ari_time_str((uint64_t)tv.tv_sec * 1000000u + (uint64_t)tv.tv_usec,
		     created, sizeof(created));
	bridge_channel_foreach(b, add_member, chans);
	o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:s, s:s}",
		      "id", bridge_id(b),
		      "technology", bridge_technology(b),
		      "bridge_type", bridge_type_str(b),
		      "bridge_class", bridge_class(b),
		      "creator", bridge_creator(b),
		      "name", bridge_name(b),
		      "channels", chans,
		      "creationtime", created,
		      "video_mode", bridge_video_mode(b));
	if (bridge_video_source_id(b))
		json_object_set_new(o, "video_source_id",
				    json_string(bridge_video_source_id(b)));
	bridge_var_foreach(b, true, add_var, vars);
	if (json_object_size(vars))
		json_object_set_new(o, "bridgevars", vars);
	else
		json_decref(vars);
	return o;
}

static const char *type_name(enum bus_type t)
{
	switch (t) {
	case BUS_CHANNEL_CREATED:        return "ChannelCreated";
	case BUS_CHANNEL_DESTROYED:      return "ChannelDestroyed";
	case BUS_CHANNEL_STATE:          return "ChannelStateChange";
	case BUS_CHANNEL_DIALPLAN:       return "ChannelDialplan";
	case BUS_CHANNEL_VARSET:         return "ChannelVarset";
	case BUS_CHANNEL_HANGUP_REQUEST: return "ChannelHangupRequest";
	case BUS_DIAL:                   return "Dial";
	case BUS_STASIS_START:           return "StasisStart";
	case BUS_STASIS_END:             return "StasisEnd";
	case BUS_APP_MOVE_FAILED:        return "ApplicationMoveFailed";
	case BUS_APP_REPLACED:           return "ApplicationReplaced";
	case BUS_CEL_APP:                return NULL;
	case BUS_STASIS_CONTINUING:      return NULL;
	case BUS_CHANNEL_DTMF:           return "ChannelDtmfReceived";
	case BUS_CHANNEL_HOLD:           return "ChannelHold";
	case BUS_CHANNEL_UNHOLD:         return "ChannelUnhold";
	case BUS_CHANNEL_USEREVENT:      return "ChannelUserevent";
	case BUS_ENDPOINT_STATE:         return "EndpointStateChange";
	case BUS_CONTACT_STATUS:         return "ContactStatusChange";
	case BUS_PEER_STATUS:            return "PeerStatusChange";
	case BUS_TEXT_MESSAGE:           return "TextMessageReceived";
	case BUS_DEVICE_STATE:           return "DeviceStateChanged";
	case BUS_PLAYBACK_STARTED:       return "PlaybackStarted";
	case BUS_PLAYBACK_CONTINUING:    return "PlaybackContinuing";
	case BUS_PLAYBACK_FINISHED:      return "PlaybackFinished";
	case BUS_CHANNEL_TRANSFER:       return "ChannelTransfer";
	case BUS_CALL_BROADCAST:         return "CallBroadcast";
	case BUS_CALL_CLAIMED:           return "CallClaimed";
	case BUS_BRIDGE_CREATED:         return "BridgeCreated";
	case BUS_BRIDGE_DISSOLVING:      return NULL;
	case BUS_BRIDGE_DESTROYED:       return "BridgeDestroyed";
	case BUS_BRIDGE_MERGED:          return "BridgeMerged";
	case BUS_CHANNEL_ENTERED_BRIDGE: return "ChannelEnteredBridge";
	case BUS_CHANNEL_LEFT_BRIDGE:    return "ChannelLeftBridge";
	case BUS_BRIDGE_BLIND_TRANSFER:  return "BridgeBlindTransfer";
	case BUS_BRIDGE_ATTENDED_TRANSFER: return "BridgeAttendedTransfer";
	case BUS_BRIDGE_VIDEO_SOURCE_CHANGED: return "BridgeVideoSourceChanged";
	case BUS_RECORDING_STARTED:      return "RecordingStarted";
	case BUS_RECORDING_FINISHED:     return "RecordingFinished";
	case BUS_RECORDING_FAILED:       return "RecordingFailed";
	}
	return NULL;
}

/* ---- the fields of each event ---- */

static void destroyed_fields(json_t *o, const struct bus_event *ev)
{
	json_object_set_new(o, "cause", json_integer(ev->cause));
	json_object_set_new(o, "cause_txt",
			    json_string(channel_cause_text(ev->cause)));
	if (ev->tech_cause)
		json_object_set_new(o, "tech_cause",
				    json_integer(ev->tech_cause));
}

static void dtmf_fields(json_t *o, const struct bus_event *ev)
{
	char digit[2] = {ev->digit, '\0'};

	json_object_set_new(o, "digit", json_string(digit));
	json_object_set_new(o, "duration_ms", json_integer(ev->duration_ms));
}

static void userevent_fields(json_t *o, const struct bus_event *ev)
{
	json_object_set_new(o, "eventname", json_string(ev->name));
	json_object_set_new(o, "userevent",
			    kv_json(ev->keys, ev->values, ev->nkv));
	if (ev->endpoint)
		json_object_set_new(o, "endpoint",
				    ari_endpoint_json(ev->endpoint));
	if (ev->bridge)
		json_object_set_new(o, "bridge", ari_bridge_json(ev->bridge));
}

/* Fields of the events that also carry "channel" (ev->chan). */
static void channel_event_fields(json_t *o, const struct bus_event *ev)
{
	switch (ev->type) {
	case BUS_CHANNEL_DESTROYED:
		destroyed_fields(o, ev);
		break;
	case BUS_CHANNEL_DIALPLAN:
		json_object_set_new(o, "dialplan_app",
				    json_string(ev->dialplan_app));
		json_object_set_new(o, "dialplan_app_data",
				    json_string(ev->dialplan_data));
		break;
	case BUS_CHANNEL_VARSET:
		set_str(o, "variable", ev->var);
		set_str(o, "value", ev->value);
		break;
	case BUS_CHANNEL_HANGUP_REQUEST:
		json_object_set_new(o, "cause", json_integer(ev->cause));
		if (ev->soft)
			json_object_set_new(o, "soft", json_true());
		break;
	case BUS_STASIS_START:
		json_object_set_new(o, "args", args_json(ev->args, ev->nargs));
		break;
	case BUS_APP_MOVE_FAILED:
		json_object_set_new(o, "destination",
				    json_string(ev->destination));
		json_object_set_new(o, "args", args_json(ev->args, ev->nargs));
		break;
	case BUS_CHANNEL_DTMF:
		dtmf_fields(o, ev);
		break;
	case BUS_CHANNEL_HOLD:
		if (ev->musicclass)
			json_object_set_new(o, "musicclass",
					    json_string(ev->musicclass));
		break;
	case BUS_CHANNEL_USEREVENT:
		userevent_fields(o, ev);
		break;
	case BUS_CALL_BROADCAST:
		if (ev->from)
			json_object_set_new(o, "caller", json_string(ev->from));
		if (ev->to)
			json_object_set_new(o, "called", json_string(ev->to));
		break;
	case BUS_CALL_CLAIMED:
		json_object_set_new(o, "winner_app",
				    json_string(ev->app ? ev->app : ""));
		break;
	default:
		break;
	}
	if (ev->chan)
		json_object_set_new(o, "channel", ari_channel_json(ev->chan));
}

/* Dial carries its channels as caller/peer, not as "channel". */
static void dial_fields(json_t *o, const struct bus_event *ev)
{
	if (ev->caller)
		json_object_set_new(o, "caller", ari_channel_json(ev->caller));
	json_object_set_new(o, "peer", ari_channel_json(ev->peer));
	if (ev->dialstring)
		json_object_set_new(o, "dialstring",
				    json_string(ev->dialstring));
	/* Asterisk's Dial always has forward, "" when the call was not
	 * forwarded. */
	json_object_set_new(o, "forward", json_string(""));
	json_object_set_new(o, "dialstatus",
			    json_string(ev->dialstatus ? ev->dialstatus : ""));
}

static void contact_status_fields(json_t *o, const struct bus_event *ev)
{
	json_t *ci = json_pack("{s:s, s:s, s:s}",
			       "uri", ev->uri ? ev->uri : "",
			       "contact_status", ev->status ? ev->status : "",
			       "aor", ev->aor ? ev->aor : "");

	if (ev->rtt_usec >= 0)
		json_object_set_new(ci, "roundtrip_usec",
				    json_sprintf("%ld", ev->rtt_usec));
	json_object_set_new(o, "endpoint", ari_endpoint_json(ev->endpoint));
	json_object_set_new(o, "contact_info", ci);
}

static void peer_status_fields(json_t *o, const struct bus_event *ev)
{
	json_t *peer = json_pack("{s:s}", "peer_status",
				 ev->status ? ev->status : "");

	if (ev->reason && *ev->reason)
		json_object_set_new(peer, "cause", json_string(ev->reason));
	if (ev->address)
		json_object_set_new(peer, "address", json_string(ev->address));
	if (ev->port)
		json_object_set_new(peer, "port", json_string(ev->port));
	json_object_set_new(o, "endpoint", ari_endpoint_json(ev->endpoint));
	json_object_set_new(o, "peer", peer);
}

static void text_message_fields(json_t *o, const struct bus_event *ev)
{
	json_t *msg = json_object();

	/* From the wire (SIP MESSAGE): any bytes; set_str keeps them JSON. */
	set_str(msg, "from", ev->from);
	set_str(msg, "to", ev->to);
	set_str(msg, "body", ev->body);

	if (ev->nkv)
		json_object_set_new(msg, "variables",
				    kv_json(ev->keys, ev->values, ev->nkv));
	json_object_set_new(o, "message", msg);
	if (ev->endpoint)
		json_object_set_new(o, "endpoint",
				    ari_endpoint_json(ev->endpoint));
}

static void transfer_fields(json_t *o, const struct bus_event *ev)
{
	json_t *dest = json_pack("{s:s}", "destination",
				 ev->destination ? ev->destination : "");
	json_t *to = json_object(), *by = json_object();
	json_t *params = json_array();

	for (int i = 0; i < ev->nkv; i++)
		json_array_append_new(params, json_pack(
			"{s:s, s:s}", "parameter_name", ev->keys[i],
			"parameter_value", ev->values[i]));
	if (ev->nkv)
		json_object_set_new(dest, "additional_protocol_params",
				    params);
	else
		json_decref(params);
	json_object_set_new(to, "requested_destination", dest);
	json_object_set_new(by, "source_channel", ari_channel_json(ev->chan));
	if (ev->peer) {
		json_object_set_new(to, "connected_channel",
				    ari_channel_json(ev->peer));
		json_object_set_new(by, "connected_channel",
				    ari_channel_json(ev->peer));
	}
	if (ev->status)
		json_object_set_new(o, "state", json_string(ev->status));
	json_object_set_new(o, "refer_to", to);
	json_object_set_new(o, "referred_by", by);
}

static void opt_channel(json_t *o, const char *key, struct channel *ch)
{
	if (ch)
		json_object_set_new(o, key, ari_channel_json(ch));
}

static void opt_bridge(json_t *o, const char *key, const struct bridge *b)
{
	if (b)
		json_object_set_new(o, key, ari_bridge_json(b));
}

static void transfer_result(json_t *o, const struct bus_event *ev)
{
	json_object_set_new(o, "result",
			    json_string(ev->result ? ev->result : "Fail"));
	json_object_set_new(o, "is_external", json_boolean(ev->is_external));
}

/* BridgeBlindTransfer (Asterisk's blind_transfer_to_json). */
static void blind_transfer_fields(json_t *o, const struct bus_event *ev)
{
	opt_channel(o, "channel", ev->chan);
	opt_channel(o, "replace_channel", ev->replace_channel);
	opt_channel(o, "transferee", ev->transferee);
	json_object_set_new(o, "exten", json_string(ev->exten ? ev->exten
							       : ""));
	json_object_set_new(o, "context",
			    json_string(ev->context ? ev->context : ""));
	transfer_result(o, ev);
	opt_bridge(o, "bridge", ev->bridge);
}

/* BridgeAttendedTransfer (Asterisk's attended_transfer_to_json): the
 * transferer's two legs and their bridges, and where the transferee went. */
static void attended_transfer_fields(json_t *o, const struct bus_event *ev)
{
	opt_channel(o, "transferer_first_leg", ev->chan);
	opt_channel(o, "transferer_second_leg", ev->second_leg);
	opt_channel(o, "transferee", ev->transferee);
	opt_channel(o, "transfer_target", ev->target);
	opt_bridge(o, "transferer_first_leg_bridge", ev->bridge);
	opt_bridge(o, "transferer_second_leg_bridge", ev->bridge_from);
	transfer_result(o, ev);
	json_object_set_new(o, "destination_type",
			    json_string(ev->dest_type ? ev->dest_type
						      : "fail"));
	if (ev->dest_bridge)
		json_object_set_new(o, "destination_bridge",
				    json_string(ev->dest_bridge));
	opt_channel(o, "destination_link_first_leg", ev->link_first);
	opt_channel(o, "destination_link_second_leg", ev->link_second);
}

/* Events of a bridge: the bridge, and the channel when one is involved. */
static void bridge_event_fields(json_t *o, const struct bus_event *ev)
{
	json_object_set_new(o, "bridge", ari_bridge_json(ev->bridge));
	if (ev->bridge_from)
		json_object_set_new(o, "bridge_from",
				    ari_bridge_json(ev->bridge_from));
	if (ev->type == BUS_BRIDGE_VIDEO_SOURCE_CHANGED && ev->value)
		json_object_set_new(o, "old_video_source_id",
				    json_string(ev->value));
	if (ev->chan)
		json_object_set_new(o, "channel", ari_channel_json(ev->chan));
}

/* The event's own fields. */
static json_t *event_body(const struct bus_event *ev)
{
	json_t *o = json_object();

	switch (ev->type) {
	case BUS_DIAL:
		dial_fields(o, ev);
		break;
	case BUS_ENDPOINT_STATE:
		json_object_set_new(o, "endpoint",
				    ari_endpoint_json(ev->endpoint));
		break;
	case BUS_CONTACT_STATUS:
		contact_status_fields(o, ev);
		break;
	case BUS_PEER_STATUS:
		peer_status_fields(o, ev);
		break;
	case BUS_TEXT_MESSAGE:
		text_message_fields(o, ev);
		break;
	case BUS_DEVICE_STATE:
		json_object_set_new(o, "device_state", json_pack(
			"{s:s, s:s}", "name", ev->name ? ev->name : "",
			"state", ev->status ? ev->status : "UNKNOWN"));
		break;
	case BUS_CHANNEL_TRANSFER:
		transfer_fields(o, ev);
		break;
	case BUS_PLAYBACK_STARTED:
	case BUS_PLAYBACK_CONTINUING:
	case BUS_PLAYBACK_FINISHED:
		/* Playback events name their target in the playback itself. */
		json_object_set_new(o, "playback",
				    ari_playback_json(ev->playback));
		break;
	case BUS_BRIDGE_CREATED:
	case BUS_BRIDGE_DESTROYED:
	case BUS_BRIDGE_MERGED:
	case BUS_CHANNEL_ENTERED_BRIDGE:
	case BUS_CHANNEL_LEFT_BRIDGE:
	case BUS_BRIDGE_VIDEO_SOURCE_CHANGED:
		bridge_event_fields(o, ev);
		break;
	case BUS_BRIDGE_BLIND_TRANSFER:
		blind_transfer_fields(o, ev);
		break;
	case BUS_RECORDING_STARTED:
	case BUS_RECORDING_FINISHED:
	case BUS_RECORDING_FAILED:
		ari_recording_event_fields(o, ev);
		break;
	case BUS_BRIDGE_ATTENDED_TRANSFER:
		attended_transfer_fields(o, ev);
		break;
	default:
		channel_event_fields(o, ev);
		break;
	}
	return o;
}

json_t *ari_event_json(const char *app, const struct bus_event *ev)
{
	const char *type = type_name(ev->type);
	char stamp[40];
	json_t *o;

	if (!type)
		return NULL;
	o = event_body(ev);
	if (!o)
		return NULL;
	json_object_set_new(o, "type", json_string(type));
	json_object_set_new(o, "timestamp",
			    json_string(ari_time_str(ev->time_us, stamp,
						     sizeof(stamp))));
	json_object_set_new(o, "application", json_string(app));
	json_object_set_new(o, "asterisk_id", json_string(options.entity_id));
	return o;
}
