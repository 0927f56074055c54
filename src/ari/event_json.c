/* event_json.c — ARI's JSON for core objects and bus events, with the field
 * names, optional-field rules and envelope of Asterisk's
 * ast_channel_snapshot_to_json() and stasis message to_json callbacks. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sys/time.h>
#include "ari/models.h"
#include "core/bus.h"
#include "core/channel.h"
#include "core/options.h"
#include "core/stasis.h"

const char *ari_time_str(uint64_t time_us, char *buf, size_t size)
{
	time_t secs = (time_t)(time_us / 1000000u);
	unsigned ms = (unsigned)((time_us / 1000u) % 1000u);
	char date[32], zone[8];
	struct tm tm;

	localtime_r(&secs, &tm);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
	strftime(zone, sizeof(zone), "%z", &tm);
	snprintf(buf, size, "%s.%03u%s", date, ms, zone);
	return buf;
}

static json_t *callerid(const char *name, const char *num)
{
	return json_pack("{s:s, s:s}", "name", name, "number", num);
}

json_t *ari_channel_json(const struct channel *ch)
{
	const struct timeval *tv = channel_creationtime(ch);
	char created[40];
	json_t *dialplan, *obj;

	ari_time_str((uint64_t)tv->tv_sec * 1000000u + (uint64_t)tv->tv_usec,
		     created, sizeof(created));
	dialplan = json_pack("{s:s, s:s, s:I, s:s, s:s}",
			     "context", channel_context(ch),
			     "exten", channel_exten(ch),
			     "priority", (json_int_t)channel_priority(ch),
			     "app_name", channel_appl(ch),
			     "app_data", channel_data(ch));
	obj = json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:s, s:o, s:s, s:s}",
			"id", channel_id(ch),
			"name", channel_name(ch),
			"state", channel_state_str(channel_state(ch)),
			"protocol_id", channel_protocol_id(ch),
			"caller", callerid(channel_caller_name(ch),
					   channel_caller_num(ch)),
			"connected", callerid(channel_connected_name(ch),
					      channel_connected_num(ch)),
			"accountcode", channel_accountcode(ch),
			"dialplan", dialplan,
			"creationtime", created,
			"language", channel_language(ch));
	return obj;
}

static void add_chan_id(const char *id, void *arg)
{
	json_array_append_new(arg, json_string(id));
}

json_t *ari_application_json(const struct stasis_app *app)
{
	json_t *chans = json_array();

	stasis_app_channel_foreach(app, add_chan_id, chans);
	return json_pack("{s:s, s:o, s:[], s:[], s:[], s:[], s:[]}",
			 "name", stasis_app_name(app),
			 "channel_ids", chans,
			 "bridge_ids", "endpoint_ids", "device_names",
			 "events_allowed", "events_disallowed");
}

static json_t *args_json(const char *const *args, int nargs)
{
	json_t *a = json_array();

	for (int i = 0; i < nargs; i++)
		json_array_append_new(a, json_string(args[i]));
	return a;
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
	}
	return NULL;
}

/* The event's own fields. */
static json_t *event_body(const struct bus_event *ev)
{
	json_t *o = json_object();

	switch (ev->type) {
	case BUS_CHANNEL_DESTROYED:
		json_object_set_new(o, "cause", json_integer(ev->cause));
		json_object_set_new(o, "cause_txt",
				    json_string(channel_cause_text(ev->cause)));
		break;
	case BUS_CHANNEL_DIALPLAN:
		json_object_set_new(o, "dialplan_app",
				    json_string(ev->dialplan_app));
		json_object_set_new(o, "dialplan_app_data",
				    json_string(ev->dialplan_data));
		break;
	case BUS_CHANNEL_VARSET:
		json_object_set_new(o, "variable", json_string(ev->var));
		json_object_set_new(o, "value", json_string(ev->value));
		break;
	case BUS_CHANNEL_HANGUP_REQUEST:
		json_object_set_new(o, "cause", json_integer(ev->cause));
		if (ev->soft)
			json_object_set_new(o, "soft", json_true());
		break;
	case BUS_DIAL:
		if (ev->caller)
			json_object_set_new(o, "caller",
					    ari_channel_json(ev->caller));
		json_object_set_new(o, "peer", ari_channel_json(ev->peer));
		if (ev->dialstring)
			json_object_set_new(o, "dialstring",
					    json_string(ev->dialstring));
		json_object_set_new(o, "dialstatus",
				    json_string(ev->dialstatus ? ev->dialstatus : ""));
		return o; /* Dial carries its channels as caller/peer */
	case BUS_STASIS_START:
		json_object_set_new(o, "args", args_json(ev->args, ev->nargs));
		break;
	case BUS_APP_MOVE_FAILED:
		json_object_set_new(o, "destination",
				    json_string(ev->destination));
		json_object_set_new(o, "args", args_json(ev->args, ev->nargs));
		break;
	default:
		break;
	}
	if (ev->chan)
		json_object_set_new(o, "channel", ari_channel_json(ev->chan));
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
