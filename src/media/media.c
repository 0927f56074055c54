/* media.c — the media module's face: media_init() and media_close() start
 * and stop every part in order (the bridge engine last) and hand each its
 * piece of ariadne.conf.
 * Nothing else lives here; the parts, their names and their order are
 * described atop media_int.h. */
#include <errno.h>
#include <stdint.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <re_types.h>
#include "base/config.h"
#include "base/log.h"
#include "base/options.h"
#include "core/cli_core.h"
#include "media/media.h"
#include "media/media_chan.h"
#include "media/media_int.h"
#include "media/media_bridge.h"
#include "media/recorder_int.h"

static bool started;
static void read_config(const struct config *cfg)
{
	const char *s;
	long a = 10000, b = 20000;

	if (cfg && (s = config_get(cfg, "options", "rtpstart")))
		a = strtol(s, NULL, 10);
	if (cfg && (s = config_get(cfg, "options", "rtpend")))
		b = strtol(s, NULL, 10);
	if (a < 1024 || a > 65534 || b <= a || b > 65535) {
		log_warning("Invalid RTP port range %ld-%ld in ariadne.conf, "
			    "using 10000-20000", a, b);
		a = 10000;
		b = 20000;
	}
	media_session_port_range((uint16_t)a, (uint16_t)b);
	s = cfg ? config_get(cfg, "directories", "astsoundsdir") : NULL;
	media_sound_set_dir(s);
	media_sound_check(options.default_language);
}

/* Music on hold, the Playback application and the engine ARI playbacks
 * run on. */
static int playback_start(void)
{
	int err;

	err = media_moh_init();
	if (!err)
		err = media_apps_play_init();
	if (!err)
		err = media_playback_init();
	if (err)
		log_error("Playback engine failed to start: %s",
			  strerror(err));
	return err;
}

/* `core show channel`'s formats: a channel's audio is G.711 as its
 * transport sends it, else linear 8 kHz (Asterisk's "slin"); a channel
 * that never had media is not known. */
static bool channel_format(struct channel *ch, char *buf, size_t size)
{
	struct media_chan *mc = media_chan_get(ch, false);
	int codec = media_chan_codec(mc);

	if (!mc)
		return false;
	snprintf(buf, size, "%s", codec == MEDIA_PCMU ? "ulaw" :
		 codec == MEDIA_PCMA ? "alaw" : "slin");
	return true;
}

int media_init(const struct config *cfg)
{
	int err;

	if (started)
		return 0;
	read_config(cfg);
	err = media_chan_init();
	if (err)
		return err;
	err = media_tick_start();
	if (err)
		return err;
	err = media_apps_rtp_init();
	if (err)
		return err;
	err = media_snoop_init();
	if (err)
		return err;
	err = playback_start();
	if (err)
		return err;
	err = media_bridge_init();
	if (err)
		return err;
	err = media_recorder_init();
	if (err)
		return err;
	cli_core_format_set(channel_format);
	started = true;
	return 0;
}

void media_close(void)
{
	if (!started)
		return;
	cli_core_format_set(NULL);
	media_recorder_close();
	media_bridge_close();
	media_playback_close();
	media_moh_close();
	media_tick_stop();
	media_apps_rtp_close();
	media_chan_close();
	started = false;
}
