/* playback.h — playbacks of media URIs (sound:, digits:, number:,
 * characters:, tone:, recording:) on a channel: the objects ARI's /playbacks
 * resource shows, their state machine and their events (PlaybackStarted,
 * PlaybackContinuing, PlaybackFinished). The audio is produced by an engine
 * that src/media registers; the core knows nothing of files or codecs.
 *
 * Interface fixed by the lead; implementation (core/playback.c) belongs to
 * the media work. */
#ifndef ARIADNE_PLAYBACK_H
#define ARIADNE_PLAYBACK_H

#include <stdbool.h>

struct channel;
struct playback;

enum playback_state {
	PLAYBACK_QUEUED = 0,
	PLAYBACK_PLAYING,
	PLAYBACK_PAUSED,
	PLAYBACK_CONTINUING,
	PLAYBACK_DONE,
	PLAYBACK_FAILED,
	PLAYBACK_CANCELLED,
};

enum playback_op {
	PLAYBACK_OP_PAUSE,
	PLAYBACK_OP_UNPAUSE,
	PLAYBACK_OP_RESTART,
	PLAYBACK_OP_REVERSE,
	PLAYBACK_OP_FORWARD,
};

const char *playback_id(const struct playback *pb);
const char *playback_media_uri(const struct playback *pb);
const char *playback_next_media_uri(const struct playback *pb); /* or NULL */
const char *playback_target_uri(const struct playback *pb); /* channel:ID */
const char *playback_language(const struct playback *pb);
enum playback_state playback_get_state(const struct playback *pb);
/* "queued", "playing", "paused", "continuing", "done", "failed",
 * "cancelled" */
const char *playback_state_str(enum playback_state st);

struct playback *playback_find(const char *id);

#endif
