/* res_channels_dial.c — /channels handlers that reach the channel
 * technology: dial (a channel made by POST /channels/create), redirect and
 * rtp_statistics. Checks, codes and messages follow Asterisk's
 * resource_channels.c; the call itself is originate.c's and the tech's. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <stdint.h>
#include "ari/ari_util.h"
#include "ari/handlers.h"
#include "core/channel.h"
#include "pbx/originate.h"

void ari_channels_dial(struct ari_req *req, struct ari_resp *resp)
{
	const char *caller_id = ari_req_param(req, "caller");
	struct channel *ch, *caller = NULL;
	enum channel_state st;
	int timeout = ari_req_param_int(req, "timeout", 0);

	ch = ari_channel_lookup(req, resp, ARI_CHAN_IN_STASIS);
	if (!ch)
		return;
	/* Asterisk ignores a caller id that names no channel. */
	if (caller_id && *caller_id)
		caller = channel_find(caller_id);
	st = channel_state(ch);
	if (st != CHANNEL_DOWN && st != CHANNEL_RSRVD) {
		ari_resp_error(resp, 409, "Channel is not in the 'Down' state");
		return;
	}
	switch (originate_dial_created(ch, caller == ch ? NULL : caller,
				       timeout)) {
	case 0:
		ari_resp_no_content(resp);
		break;
	case ENOENT:
		ari_resp_error(resp, 409, "Dialing a channel not created by "
			       "ARI");
		break;
	case EALREADY:
		ari_resp_error(resp, 409, "Channel has already been dialed");
		break;
	default:
		ari_resp_error(resp, 500, "Failed to dial channel");
		break;
	}
}

void ari_channels_redirect(struct ari_req *req, struct ari_resp *resp)
{
	const char *endpoint = ari_req_param(req, "endpoint");
	const struct channel_tech *tech;
	const char *slash;
	struct channel *ch;
	int err;

	if (!endpoint || !*endpoint) {
		ari_resp_error(resp, 400, "Required parameter 'endpoint' not "
			       "provided.");
		return;
	}
	ch = ari_channel_lookup(req, resp, ARI_CHAN_USABLE);
	if (!ch)
		return;
	slash = strchr(endpoint, '/');
	if (!slash || slash == endpoint || !slash[1]) {
		ari_resp_error(resp, 400, "Endpoint parameter '%s' does not "
			       "contain tech/resource", endpoint);
		return;
	}
	tech = channel_get_tech(ch);
	if (strlen(tech->type) != (size_t)(slash - endpoint) ||
	    strncasecmp(tech->type, endpoint, slash - endpoint)) {
		ari_resp_error(resp, 422, "Endpoint technology '%.*s' does not "
			       "match channel technology '%s'",
			       (int)(slash - endpoint), endpoint, tech->type);
		return;
	}
	/* A technology without a redirect operation says so rather than
	 * pretend (SIP sends a 302, Local runs the dialplan at the target). */
	if (!tech->redirect) {
		ari_resp_error(resp, 501, "Channel technology '%s' does not "
			       "support redirect", tech->type);
		return;
	}
	err = tech->redirect(ch, slash + 1);
	if (err == EINVAL) {
		ari_resp_error(resp, 400, "Invalid endpoint '%s'", endpoint);
		return;
	}
	if (err == ENOENT) {
		ari_resp_error(resp, 404, "Endpoint '%s' not found", endpoint);
		return;
	}
	if (err) {
		ari_resp_error(resp, 500, "Failed to redirect channel");
		return;
	}
	ari_resp_no_content(resp);
}

void ari_channels_rtpstatistics(struct ari_req *req, struct ari_resp *resp)
{
	struct channel_rtp_stats st;
	const struct channel_tech *tech;
	struct channel *ch;
	int err;

	ch = ari_channel_lookup(req, resp, ARI_CHAN_ANY);
	if (!ch)
		return;
	tech = channel_get_tech(ch);
	if (!tech->rtp_stats) {
		/* Asterisk: no RTP glue for the technology (e.g. Local). */
		ari_resp_error(resp, 403, "Unsupported channel type");
		return;
	}
	memset(&st, 0, sizeof(st));
	err = tech->rtp_stats(ch, &st);
	if (err) {
		ari_resp_error(resp, 404, "RTP info not found");
		return;
	}
	ari_resp_json(resp, 200, json_pack(
		"{s:I, s:I, s:f, s:f, s:I, s:I, s:f, s:I, s:I, s:I, s:I, s:s}",
		"txcount", (json_int_t)st.txcount,
		"rxcount", (json_int_t)st.rxcount,
		"txjitter", st.txjitter, "rxjitter", st.rxjitter,
		"txploss", (json_int_t)st.txploss,
		"rxploss", (json_int_t)st.rxploss,
		"rtt", st.rtt,
		"local_ssrc", (json_int_t)st.local_ssrc,
		"remote_ssrc", (json_int_t)st.remote_ssrc,
		"txoctetcount", (json_int_t)st.txoctets,
		"rxoctetcount", (json_int_t)st.rxoctets,
		"channel_uniqueid", channel_id(ch)));
}
