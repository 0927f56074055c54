/* res_events_claim.c — POST /events/claim: an app answers a CallBroadcast
 * by claiming the channel. The first claim wins (204) and the channel
 * enters the claiming app; later claims get 409. Status codes and messages
 * follow Asterisk's resource_events.c; the broadcast itself is
 * src/core/stasis_broadcast.c. */
#include <errno.h>
#include <string.h>
#include "ari/handlers.h"
#include "core/stasis.h"

void ari_events_claim_channel(struct ari_req *req, struct ari_resp *resp)
{
	const char *chan_id = ari_req_param(req, "channelId");
	const char *app = ari_req_param(req, "application");

	if (!chan_id || !*chan_id) {
		ari_resp_error(resp, 400, "channelId parameter is required");
		return;
	}
	if (!app || !*app) {
		ari_resp_error(resp, 400, "application parameter is required");
		return;
	}
	switch (stasis_broadcast_claim(chan_id, app)) {
	case 0:
		ari_resp_no_content(resp);
		break;
	case ENOENT:
		ari_resp_error(resp, 404,
			       "Channel not found or not in broadcast state");
		break;
	case EALREADY:
		ari_resp_error(resp, 409, "Channel has already been claimed "
			       "by another application");
		break;
	case ESRCH:
		/* Not in Asterisk (it accepts the claim, then Stasis()
		 * fails): an app that is not there cannot take the call. */
		ari_resp_error(resp, 404, "Application not found");
		break;
	default:
		ari_resp_error(resp, 500, "Error processing request");
		break;
	}
}
