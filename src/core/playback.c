/* playback.c — playback objects: registry by id, accessors, state names.
 * The media work adds starting, control and the engine hookup here. */
#include <errno.h>
#include <stdint.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stddef.h>
#include <string.h>
#include <re_types.h>
#include <re_fmt.h>
#include <re_mem.h>
#include <re_list.h>
#include "core/playback.h"

struct playback {
	struct le le;
	char *id;
	char *media_uri;
	char *next_media_uri;
	char *target_uri;
	char *language;
	enum playback_state state;
};

static struct list playbacks;

const char *playback_id(const struct playback *pb) { return pb->id; }
const char *playback_media_uri(const struct playback *pb) { return pb->media_uri ? pb->media_uri : ""; }
const char *playback_next_media_uri(const struct playback *pb) { return pb->next_media_uri; }
const char *playback_target_uri(const struct playback *pb) { return pb->target_uri ? pb->target_uri : ""; }
const char *playback_language(const struct playback *pb) { return pb->language ? pb->language : ""; }
enum playback_state playback_get_state(const struct playback *pb) { return pb->state; }

const char *playback_state_str(enum playback_state st)
{
	switch (st) {
	case PLAYBACK_QUEUED:     return "queued";
	case PLAYBACK_PLAYING:    return "playing";
	case PLAYBACK_PAUSED:     return "paused";
	case PLAYBACK_CONTINUING: return "continuing";
	case PLAYBACK_DONE:       return "done";
	case PLAYBACK_FAILED:     return "failed";
	case PLAYBACK_CANCELLED:  return "cancelled";
	}
	return "unknown";
}

struct playback *playback_find(const char *id)
{
	if (!id)
		return NULL;
	for (struct le *le = playbacks.head; le; le = le->next) {
		struct playback *pb = le->data;

		if (!strcmp(pb->id, id))
			return pb;
	}
	return NULL;
}
