/* res_playbacks.h — the play request that channels and bridges share
 * (res_playbacks.c): parameters, checks, statuses. Internal to src/ari. */
#ifndef ARIADNE_ARI_RES_PLAYBACKS_H
#define ARIADNE_ARI_RES_PLAYBACKS_H

#include <stddef.h>
#include "ari/request.h"

struct playback;

/* Queue the playback on `target` (playback_start or playback_start_bridge
 * with the target's type). */
typedef int (ari_play_start_h)(struct playback **pbp, void *target,
			       const char *id, const char *const *media,
			       size_t n, const char *lang, long offsetms,
			       int skipms);

/* POST .../play and .../play/{playbackId} once the target was found:
 * media, lang, offsetms, skipms and playbackId, then the Playback (200) or
 * the error. */
void ari_play(struct ari_req *req, struct ari_resp *resp, void *target,
	      ari_play_start_h *start);

#endif
