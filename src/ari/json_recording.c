/* json_recording.c — the JSON of recordings as Asterisk's
 * stasis_app_recording_to_json and stasis_app_stored_recording_to_json
 * make it: a LiveRecording shows duration only once it ended, and
 * talking_duration/silence_duration only with silence detection; the
 * events carry the recording alone (its target is in target_uri). */
#include <stdbool.h>
#include <stddef.h>
#include "ari/json_recording.h"
#include "core/bus.h"
#include "core/recording.h"

json_t *ari_live_recording_json(const struct recording *rec)
{
	int total = recording_duration(rec);
	int talking = recording_talking_duration(rec);
	json_t *o = json_pack("{s:s, s:s, s:s, s:s}",
			      "name", recording_name(rec),
			      "format", recording_format(rec),
			      "state", recording_state_str(
				      recording_get_state(rec)),
			      "target_uri", recording_target_uri(rec));

	if (!o)
		return NULL;
	if (total > -1)
		json_object_set_new(o, "duration", json_integer(total));
	if (total > -1 && talking > -1) {
		json_object_set_new(o, "talking_duration",
				    json_integer(talking));
		json_object_set_new(o, "silence_duration",
				    json_integer(total - talking));
	}
	if (recording_cause(rec))
		json_object_set_new(o, "cause",
				    json_string(recording_cause(rec)));
	return o;
}

json_t *ari_stored_recording_json(const struct recording_stored *s)
{
	return json_pack("{s:s, s:s}", "name", recording_stored_name(s),
			 "format", recording_stored_format(s));
}

void ari_recording_event_fields(json_t *o, const struct bus_event *ev)
{
	if (ev->recording)
		json_object_set_new(o, "recording",
				    ari_live_recording_json(ev->recording));
}
