/* playback.h — playbacks of media URIs (sound:, digits:, number:,
 * characters:, tone:, recording:) on a channel or a bridge: the objects ARI's /playbacks
 * resource shows, their state machine and their events (PlaybackStarted,
 * PlaybackContinuing, PlaybackFinished). The audio is produced by an engine
 * that src/media registers; the core knows nothing of files or codecs. */
#ifndef ARIADNE_PLAYBACK_H
#define ARIADNE_PLAYBACK_H

#include <stdbool.h>
#include <stddef.h>

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
/* A playback plays or waits on `ch` and has not finished (a recording of
 * the channel waits its turn). */
bool playback_on_channel(const struct channel *ch);

/* ---- starting and controlling (core/playback.c) ---- */

/* Queue a playback of `media` (n URIs, played in order) on `ch`, as ARI's
 * play does. `id` NULL or "" → a generated uuid. `lang` NULL → the channel's
 * language. `skipms` 0 → 3000. The playback starts on a later turn of the
 * loop, after any playback already running on the channel. Returns EINVAL
 * (no media, empty URI, negative offset/skip), EEXIST (id in use), ENOMEM.
 * *pbp is borrowed: the registry owns it until it finishes. */
int playback_start(struct playback **pbp, struct channel *ch, const char *id,
		   const char *const *media, size_t n, const char *lang,
		   long offsetms, int skipms);
/* DELETE /playbacks/{id}: a queued playback is cancelled, a running one
 * stopped; both finish with state "done" (as Asterisk reports them). */
int playback_stop(struct playback *pb);
/* POST /playbacks/{id}/control. EBUSY when the operation is not allowed in
 * the current state (ARI 409), ENOSYS when the engine refuses. */
int playback_control(struct playback *pb, enum playback_op op);
/* Split ARI's comma-joined media list in place into at most max URIs,
 * keeping the commas of tone: indication strings ("tone:440/200,0/200").
 * Returns the count. */
size_t playback_media_split(char *buf, const char **uris, size_t max);
/* "pause", ... → op; EINVAL for an unknown name. */
int playback_op_parse(const char *name, enum playback_op *opp);

/* The same on a bridge (POST /bridges/{id}/play): everyone in the bridge
 * hears it; target_uri "bridge:ID"; `lang` NULL → "en". Playbacks of one
 * bridge queue one after another like a channel's. While a bridge has
 * playbacks it has a helper (bridge_helper_join), as Asterisk's Announcer
 * channel; when the bridge is destroyed its playbacks end ("done"). */
struct bridge;
int playback_start_bridge(struct playback **pbp, struct bridge *b,
			  const char *id, const char *const *media, size_t n,
			  const char *lang, long offsetms, int skipms);

/* The target: exactly one of these is non-NULL while the target lives. */
struct channel *playback_channel(const struct playback *pb);
struct bridge *playback_bridge(const struct playback *pb);
size_t playback_media_index(const struct playback *pb);
long playback_offsetms(const struct playback *pb);
int playback_skipms(const struct playback *pb);

/* ---- the audio engine, registered by src/media ---- */

struct playback_engine {
	/* Begin audio for pb (current item playback_media_uri()). From then
	 * on the engine reports playback_item_started/ended and finally
	 * playback_released. */
	int (*start)(struct playback *pb);
	/* Stop the audio now; the engine then calls playback_released(). */
	void (*stop)(struct playback *pb);
	/* pause, unpause, restart (the core has reset the item index to the
	 * first one), reverse/forward by playback_skipms(). */
	int (*control)(struct playback *pb, enum playback_op op);
	/* Music on hold and silence on a channel (ARI moh/silence). */
	int (*moh_start)(struct channel *ch, const char *mclass);
	void (*moh_stop)(struct channel *ch);
	int (*silence_start)(struct channel *ch);
	void (*silence_stop)(struct channel *ch);
	/* In-band ringback on a channel whose technology cannot signal
	 * ringing (an answered call), until stopped. */
	int (*ringback_start)(struct channel *ch);
	void (*ringback_stop)(struct channel *ch);
	const char *(*sounds_dir)(void);
};

/* NULL unregisters. Without an engine playbacks finish as failed. */
void playback_engine_register(const struct playback_engine *eng);
const struct playback_engine *playback_engine_get(void);

/* Engine → core. */
void playback_set_engine_data(struct playback *pb, void *data);
void *playback_engine_data(const struct playback *pb);
/* Audio of the current item begins: state playing, PlaybackStarted. */
void playback_item_started(struct playback *pb);
/* The current item ended (failed: it could not be played). Returns true
 * when another item follows (it is now playback_media_uri(), state
 * continuing, PlaybackContinuing sent); false when the playback is over
 * (PlaybackFinished sent, done or failed): the engine releases it. */
bool playback_item_ended(struct playback *pb, bool failed);
/* The engine let go of pb (over, stopped, or hangup): PlaybackFinished if
 * not yet sent, the playback leaves the registry and the channel's next
 * queued playback starts. */
void playback_released(struct playback *pb, bool hangup);

/* Start: a destroyed bridge ends its playbacks (bus subscription).
 * Shutdown: forget every playback without events. */
int playback_init(void);
void playback_close(void);

#endif
