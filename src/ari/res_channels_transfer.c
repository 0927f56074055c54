/* res_channels_transfer.c — POST /channels/{id}/transfer_progress: an ARI
 * application that took over a transfer (ChannelTransfer) reports how it
 * goes, and the channel's technology tells the party that asked (SIP:
 * NOTIFY with a sipfrag). State names are Asterisk's. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "ari/ari_util.h"
#include "ari/handlers.h"
#include "core/channel.h"

static const struct {
	const char *name;
	enum channel_transfer_state st;
} states[] = {
	{ "channel_progress", CHANNEL_TRANSFER_PROGRESS },
	{ "channel_answered", CHANNEL_TRANSFER_ANSWERED },
	{ "channel_unavailable", CHANNEL_TRANSFER_UNAVAILABLE },
	{ "channel_declined", CHANNEL_TRANSFER_DECLINED },
};

void ari_channels_transfer_progress(struct ari_req *req,
				    struct ari_resp *resp)
{
	const char *name = ari_req_param(req, "states");
	const struct channel_tech *tech;
	struct channel *ch;
	size_t i;
	int err;

	if (!name || !*name) {
		ari_resp_error(resp, 400, "states must be specified");
		return;
	}
	ch = ari_channel_lookup(req, resp, ARI_CHAN_IN_STASIS);
	if (!ch)
		return;
	for (i = 0; i < sizeof(states) / sizeof(states[0]); i++)
		if (!strcasecmp(name, states[i].name))
			break;
	if (i == sizeof(states) / sizeof(states[0])) {
		ari_resp_error(resp, 412, "Invalid state parameter");
		return;
	}
	tech = channel_get_tech(ch);
	if (tech && tech->transfer_progress) {
		err = tech->transfer_progress(ch, states[i].st);
		if (err) {
			ari_resp_error(resp, 500, "Transfer progress could "
				       "not be reported: %s", strerror(err));
			return;
		}
	}
	ari_resp_no_content(resp);
}
