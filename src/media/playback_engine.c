/* playback_engine.c — the engine the core's playback state machine is
 * registered with (core/playback.h): ARI playbacks run as players
 * (player.c) on the channel, or, for a playback whose target is a bridge,
 * on the bridge's announcer, which every member hears on top of the
 * conversation (bridge_mix.c); music on hold and silence come from moh.c.
 * Events and states stay in the core; the audio sources are in source.c. */
#include <errno.h>
#include <stdint.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stddef.h>
#include <re_types.h>
#include <re_mem.h>
#include "base/log.h"
#include "core/playback.h"
#include "media/playback_int.h"
#include "media/media_bridge.h"

static const char *pb_uri(void *arg)
{
	return playback_media_uri(arg);
}

static void pb_started(void *arg)
{
	playback_item_started(arg);
}

/* ARI reports a missing file as played, "done" (recorded on Asterisk 22:
 * PlaybackStarted, then PlaybackFinished done); any other reason an item
 * cannot be played fails it. */
static bool pb_ended(void *arg, int err)
{
	return playback_item_ended(arg, err && err != ENOENT);
}

static void pb_gone(void *arg, bool hangup)
{
	playback_released(arg, hangup);
	mem_deref(arg);
}

static const struct media_player_ops pb_ops = {
	.uri = pb_uri, .started = pb_started, .ended = pb_ended,
	.gone = pb_gone,
};

static int eng_start(struct playback *pb)
{
	struct media_player *p;
	struct bridge *b = playback_bridge(pb);
	int err;

	if (b)
		err = media_player_start_on(&p, media_bridge_announcer(b),
					    &pb_ops, pb, playback_language(pb),
					    playback_offsetms(pb));
	else
		err = media_player_start(&p, playback_channel(pb), &pb_ops,
					 pb, playback_language(pb),
					 playback_offsetms(pb));
	if (err)
		return err;
	mem_ref(pb);  /* released in pb_gone */
	playback_set_engine_data(pb, p);
	return 0;
}

static void eng_stop(struct playback *pb)
{
	media_player_stop(playback_engine_data(pb));
}

static int eng_control(struct playback *pb, enum playback_op op)
{
	struct media_player *p = playback_engine_data(pb);

	if (!p)
		return ENOSYS;
	switch (op) {
	case PLAYBACK_OP_PAUSE:   media_player_pause(p, true); break;
	case PLAYBACK_OP_UNPAUSE: media_player_pause(p, false); break;
	case PLAYBACK_OP_RESTART: media_player_restart(p); break;
	case PLAYBACK_OP_REVERSE:
		media_player_seek(p, -playback_skipms(pb));
		break;
	case PLAYBACK_OP_FORWARD:
		media_player_seek(p, playback_skipms(pb));
		break;
	}
	return 0;
}

static const struct playback_engine engine = {
	.start = eng_start,
	.stop = eng_stop,
	.control = eng_control,
	.moh_start = media_moh_start,
	.moh_stop = media_moh_stop,
	.silence_start = media_silence_start,
	.silence_stop = media_silence_stop,
	.ringback_start = media_ringback_start,
	.ringback_stop = media_ringback_stop,
	.sounds_dir = media_sound_dir,
};

int media_playback_init(void)
{
	playback_engine_register(&engine);
	log_verbose(2, "Playback engine: sounds in %s", media_sound_dir());
	return 0;
}

void media_playback_close(void)
{
	playback_engine_register(NULL);
}
