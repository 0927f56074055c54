/* ari_util.h — small helpers shared by the resource handlers (ari_util.c):
 * the channel named in the path with the standard errors, the body's
 * variables, tech:resource destinations, and the request path that
 * sendMessage and refer share. */
#ifndef ARIADNE_ARI_UTIL_H
#define ARIADNE_ARI_UTIL_H

#include <stdbool.h>
#include "ari/request.h"

struct channel;
struct endpoint_tech_ops;

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

/* An out-of-call request of the endpoints resource (sendMessage, refer):
 * what differs between the two around the technology's operation. */
struct ari_endpoint_op {
	const char *what;     /* "Message", "REFER": in the 500 reply */
	const char *invalid;  /* 400 reply when the operation says EINVAL;
			       * NULL: a 500 like any other error */
	/* The operation's own required parameters; false after a reply. */
	bool (*check)(struct ari_req *req, struct ari_resp *resp);
	/* Run it; ENOENT when the technology has no such operation or does
	 * not know the resource. */
	int (*run)(const struct endpoint_tech_ops *ops, struct ari_req *req,
		   const char *resource, const char **keys,
		   const char **values, int n);
};

/* POST /endpoints/{op}: to the endpoint or URI of parameter "to"
 * ("pjsip:alice", "pjsip:sip:bob@host"). Replies 400 for a missing
 * parameter or variables that are not strings, 404 for an unknown
 * endpoint, 204 when the request went out. */
void ari_endpoint_request_to(struct ari_req *req, struct ari_resp *resp,
			     const struct ari_endpoint_op *op);
/* POST /endpoints/{tech}/{resource}/{op}: to a configured endpoint. */
void ari_endpoint_request_at(struct ari_req *req, struct ari_resp *resp,
			     const struct ari_endpoint_op *op);

#endif
