/* res_bridges.h — what the handlers of the bridges resource share
 * (res_bridges.c, res_bridges_media.c). Internal to src/ari. */
#ifndef ARIADNE_ARI_RES_BRIDGES_H
#define ARIADNE_ARI_RES_BRIDGES_H

#include "ari/request.h"

struct bridge;

/* The bridge of path parameter bridgeId, or NULL after a 404 "Bridge not
 * found". (Asterisk's 409 "Bridge not in Stasis application" cannot
 * happen: every bridge here is a Stasis bridge.) */
struct bridge *ari_bridge_lookup(struct ari_req *req, struct ari_resp *resp);

#endif
