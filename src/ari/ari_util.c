/* ari_util.c — small helpers shared by the resource handlers (ari_util.h). */
#include <stdbool.h>
#include <string.h>
#include "ari/ari_util.h"
#include "core/channel.h"
#include "core/stasis.h"

struct channel *ari_channel_lookup(struct ari_req *req, struct ari_resp *resp,
				   enum ari_chan_need need)
{
	struct channel *ch = channel_find(ari_req_param(req, "channelId"));
	enum channel_state st;

	if (!ch) {
		ari_resp_error(resp, 404, "Channel not found");
		return NULL;
	}
	if (need == ARI_CHAN_ANY)
		return ch;
	if (!stasis_channel_app(ch)) {
		ari_resp_error(resp, 409, "Channel not in Stasis application");
		return NULL;
	}
	st = channel_state(ch);
	if (need == ARI_CHAN_USABLE &&
	    (st == CHANNEL_DOWN || st == CHANNEL_RSRVD ||
	     st == CHANNEL_RINGING)) {
		ari_resp_error(resp, 412, "Channel in invalid state");
		return NULL;
	}
	return ch;
}

int ari_body_string_vars(json_t *body, const char **keys, const char **values,
			 int max)
{
	json_t *vars = body ? json_object_get(body, "variables") : NULL;
	const char *key;
	json_t *val;
	int n = 0;

	if (!vars || json_is_null(vars))
		return 0;
	if (!json_is_object(vars) || json_object_size(vars) > (size_t)max)
		return -1;
	json_object_foreach(vars, key, val) {
		if (!json_is_string(val))
			return -1;
		keys[n] = key;
		values[n] = json_string_value(val);
		n++;
	}
	return n;
}

const char *ari_split_tech_uri(const char *to, char *tech, size_t size)
{
	const char *colon = to ? strchr(to, ':') : NULL;

	if (!colon || colon == to || (size_t)(colon - to) >= size)
		return NULL;
	memcpy(tech, to, colon - to);
	tech[colon - to] = '\0';
	return colon + 1;
}
