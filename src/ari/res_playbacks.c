/* res_playbacks.c — ARI play (POST /channels/{id}/play, /play/{playbackId};
 * the bridges' play shares its request, ari_play) and /playbacks/{id} get,
 * stop and control. Status codes and messages
 * follow Asterisk's resource_channels.c and resource_playbacks.c; the state
 * machine is the core's (core/playback.c), the audio src/media's. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <re_types.h>
#include <re_fmt.h>
#include <re_mem.h>
#include "ari/ari_util.h"
#include "ari/handlers.h"
#include "ari/models.h"
#include "ari/res_playbacks.h"
#include "core/channel.h"
#include "base/log.h"
#include "core/playback.h"

#define PLAY_MAX_MEDIA 64

void ari_play(struct ari_req *req, struct ari_resp *resp, void *target,
	      ari_play_start_h *start)
{
	const char *media = ari_req_param(req, "media");
	const char *id = ari_req_param(req, "playbackId");
	const char *uris[PLAY_MAX_MEDIA];
	struct playback *pb;
	int skipms, offsetms, err;
	size_t n;
	char *buf = NULL;

	if (!media || !*media) {
		ari_resp_error(resp, 400, "media: Missing required parameter");
		return;
	}
	skipms = ari_req_param_int(req, "skipms", 3000);
	offsetms = ari_req_param_int(req, "offsetms", 0);
	if (skipms < 0) {
		ari_resp_error(resp, 400, "skipms cannot be negative");
		return;
	}
	if (offsetms < 0) {
		ari_resp_error(resp, 400, "offsetms cannot be negative");
		return;
	}
	if (str_dup(&buf, media)) {
		ari_resp_error(resp, 500, "Out of memory");
		return;
	}
	n = playback_media_split(buf, uris, PLAY_MAX_MEDIA);
	err = start(&pb, target, id, uris, n, ari_req_param(req, "lang"),
		    offsetms, skipms);
	mem_deref(buf);
	if (err == EEXIST)
		ari_resp_error(resp, 409, "Playback id %s already in use", id);
	else if (err == EINVAL)
		ari_resp_error(resp, 400, "Invalid media URI");
	else if (err)
		ari_resp_error(resp, 500, "Failed to queue media for playback");
	else
		ari_resp_json(resp, 200, ari_playback_json(pb));
}

static int start_on_channel(struct playback **pbp, void *target,
			    const char *id, const char *const *media,
			    size_t n, const char *lang, long offsetms,
			    int skipms)
{
	return playback_start(pbp, target, id, media, n, lang, offsetms,
			      skipms);
}

static void play(struct ari_req *req, struct ari_resp *resp)
{
	struct channel *ch = ari_channel_lookup(req, resp, ARI_CHAN_USABLE);

	if (ch)
		ari_play(req, resp, ch, start_on_channel);
}

void ari_channels_play(struct ari_req *req, struct ari_resp *resp)
{
	play(req, resp);
}

void ari_channels_play_with_id(struct ari_req *req, struct ari_resp *resp)
{
	play(req, resp);
}

static struct playback *lookup(struct ari_req *req, struct ari_resp *resp)
{
	struct playback *pb = playback_find(ari_req_param(req, "playbackId"));

	if (!pb)
		ari_resp_error(resp, 404, "Playback not found");
	return pb;
}

void ari_playbacks_get(struct ari_req *req, struct ari_resp *resp)
{
	struct playback *pb = lookup(req, resp);

	if (pb)
		ari_resp_json(resp, 200, ari_playback_json(pb));
}

void ari_playbacks_stop(struct ari_req *req, struct ari_resp *resp)
{
	struct playback *pb = lookup(req, resp);

	if (!pb)
		return;
	if (playback_stop(pb))
		ari_resp_error(resp, 500, "Could not stop playback");
	else
		ari_resp_no_content(resp);
}

void ari_playbacks_control(struct ari_req *req, struct ari_resp *resp)
{
	const char *opname = ari_req_param(req, "operation");
	enum playback_op op;
	struct playback *pb;
	int err;

	if (!opname) {
		ari_resp_error(resp, 400, "Missing operation");
		return;
	}
	if (playback_op_parse(opname, &op)) {
		ari_resp_error(resp, 400, "Invalid operation %s", opname);
		return;
	}
	pb = lookup(req, resp);
	if (!pb)
		return;
	err = playback_control(pb, op);
	if (err == EBUSY)
		ari_resp_error(resp, 409, "Can only %s while media is playing",
			       opname);
	else if (err)
		ari_resp_error(resp, 500, "Could not %s playback", opname);
	else
		ari_resp_no_content(resp);
}
