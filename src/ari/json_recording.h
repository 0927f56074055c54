/* json_recording.h — ARI's LiveRecording and StoredRecording models and the
 * body of the three Recording events (json_recording.c). Internal to
 * src/ari; jansson only. */
#ifndef ARIADNE_ARI_JSON_RECORDING_H
#define ARIADNE_ARI_JSON_RECORDING_H

#include <jansson.h>

struct bus_event;
struct recording;
struct recording_stored;

json_t *ari_live_recording_json(const struct recording *rec);
json_t *ari_stored_recording_json(const struct recording_stored *s);
/* RecordingStarted, RecordingFinished, RecordingFailed: "recording" (with
 * "cause" inside for a failure, as Asterisk puts it) into the event `o`. */
void ari_recording_event_fields(json_t *o, const struct bus_event *ev);

#endif
