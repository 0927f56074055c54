/* res_channels.h — what the other /channels handlers share with
 * res_channels.c. jansson only (no re.h). */
#ifndef ARIADNE_ARI_RES_CHANNELS_H
#define ARIADNE_ARI_RES_CHANNELS_H

#include <jansson.h>

#include <stdbool.h>

struct channel;
struct ari_resp;

/* The request body's {"variables": {"NAME": "v" | {"value": "v", ...}}}
 * set on the channel (CALLERID(all) sets the caller). EINVAL on a bad
 * shape (the handler answers 400). */
int ari_channel_set_variables(struct channel *ch, json_t *body);

/* A new channel for `endpoint` while [options] maxcalls or maxload is
 * reached: true after answering 503 with Retry-After (core/overload.h). */
bool ari_channels_shed(struct ari_resp *resp, const char *endpoint);

#endif
