/* res_channels_moh.c — ARI channel operations that put something other
 * than a playback on the line: music on hold (start/stop), silence
 * (start/stop) and hold (unhold). The audio comes from the playback engine
 * src/media registers with the core. Hold is the technology's when it has
 * a hold operation; otherwise the held channel hears music on hold, which is
 * what chan_pjsip does with Asterisk's hold indication. */
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include "ari/ari_util.h"
#include "ari/handlers.h"
#include "core/channel.h"
#include "base/log.h"
#include "core/playback.h"

static const struct playback_engine *engine_or_501(struct ari_resp *resp)
{
	const struct playback_engine *eng = playback_engine_get();

	if (!eng)
		ari_resp_error(resp, 501, "Media is not available");
	return eng;
}

void ari_channels_start_moh(struct ari_req *req, struct ari_resp *resp)
{
	struct channel *ch = ari_channel_lookup(req, resp, ARI_CHAN_USABLE);
	const struct playback_engine *eng;

	if (!ch || !(eng = engine_or_501(resp)))
		return;
	if (eng->moh_start(ch, ari_req_param(req, "mohClass")))
		ari_resp_error(resp, 500, "Could not start music on hold");
	else
		ari_resp_no_content(resp);
}

void ari_channels_stop_moh(struct ari_req *req, struct ari_resp *resp)
{
	struct channel *ch = ari_channel_lookup(req, resp, ARI_CHAN_USABLE);
	const struct playback_engine *eng;

	if (!ch || !(eng = engine_or_501(resp)))
		return;
	eng->moh_stop(ch);
	ari_resp_no_content(resp);
}

void ari_channels_start_silence(struct ari_req *req, struct ari_resp *resp)
{
	struct channel *ch = ari_channel_lookup(req, resp, ARI_CHAN_USABLE);
	const struct playback_engine *eng;

	if (!ch || !(eng = engine_or_501(resp)))
		return;
	if (eng->silence_start(ch))
		ari_resp_error(resp, 500, "Could not start silence");
	else
		ari_resp_no_content(resp);
}

void ari_channels_stop_silence(struct ari_req *req, struct ari_resp *resp)
{
	struct channel *ch = ari_channel_lookup(req, resp, ARI_CHAN_USABLE);
	const struct playback_engine *eng;

	if (!ch || !(eng = engine_or_501(resp)))
		return;
	eng->silence_stop(ch);
	ari_resp_no_content(resp);
}

static void hold(struct ari_req *req, struct ari_resp *resp, bool on)
{
	struct channel *ch = ari_channel_lookup(req, resp, ARI_CHAN_USABLE);
	const struct channel_tech *tech;
	int err = 0;

	if (!ch)
		return;
	tech = channel_get_tech(ch);
	if (tech && tech->hold) {
		err = tech->hold(ch, on);
	}
	else {
		const struct playback_engine *eng = playback_engine_get();

		if (eng && on)
			err = eng->moh_start(ch, NULL);
		else if (eng)
			eng->moh_stop(ch);
	}
	if (err)
		log_warning("%s: %s failed: %s", channel_name(ch),
			    on ? "hold" : "unhold", strerror(err));
	/* Asterisk queues the indication and answers 204 regardless. */
	ari_resp_no_content(resp);
}

void ari_channels_hold(struct ari_req *req, struct ari_resp *resp)
{
	hold(req, resp, true);
}

void ari_channels_unhold(struct ari_req *req, struct ari_resp *resp)
{
	hold(req, resp, false);
}
