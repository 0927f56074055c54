/* models.h — ARI JSON models made from core objects (Channel, Application,
 * events with Asterisk's envelope). Internal to src/ari; jansson only. */
#ifndef ARIADNE_ARI_MODELS_H
#define ARIADNE_ARI_MODELS_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

struct channel;
struct stasis_app;
struct bus_event;

/* "2026-03-01T10:15:30.250+0100" (local zone, milliseconds). */
const char *ari_time_str(uint64_t time_us, char *buf, size_t size);

struct bridge;
struct endpoint;
struct playback;

json_t *ari_channel_json(const struct channel *ch);
/* ari.conf [general] channelvars (a comma list, at most 32): shown in every
 * channel's "channelvars", with the variables set with report_events. */
void ari_channelvars_configure(const char *list);
json_t *ari_endpoint_json(const struct endpoint *ep);
json_t *ari_playback_json(const struct playback *pb);
json_t *ari_bridge_json(const struct bridge *b);
json_t *ari_application_json(const struct stasis_app *app);

/* The event as sent to `app`: type, timestamp, application, asterisk_id and
 * the event's own fields. NULL for bus events that ARI does not show. */
json_t *ari_event_json(const char *app, const struct bus_event *ev);

#endif
