/* ari_util.h — small helpers shared by the resource handlers: look up the
 * channel named in the path and answer the standard errors. */
#ifndef ARIADNE_ARI_UTIL_H
#define ARIADNE_ARI_UTIL_H

#include <stdbool.h>
#include "ari/request.h"

struct channel;

enum ari_chan_need {
	ARI_CHAN_ANY,        /* exists (404 otherwise) */
	ARI_CHAN_IN_STASIS,  /* ... and in an app (409) */
	ARI_CHAN_USABLE,     /* ... and not Down/Rsrvd/Ringing (412) */
};

/* The channel of path parameter channelId, or NULL after replying. */
struct channel *ari_channel_lookup(struct ari_req *req, struct ari_resp *resp,
				   enum ari_chan_need need);

/* Body {"variables": {"Name": "value", ...}} (the SIP headers of MESSAGE and
 * REFER) → up to `max` borrowed keys/values. Returns the count, 0 when there
 * are none, -1 for another shape or more than `max`. */
int ari_body_string_vars(json_t *body, const char **keys, const char **values,
			 int max);

/* "pjsip:alice" / "pjsip:sip:bob@host" (the `to` of sendMessage and refer):
 * the scheme names the technology, the rest is its business. NULL when
 * there is no usable scheme (the caller answers 404). */
const char *ari_split_tech_uri(const char *to, char *tech, size_t size);

#endif
