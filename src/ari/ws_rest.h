/* ws_rest.h — REST over WebSocket (ws_rest.c). jansson only (no re.h). */
#ifndef ARIADNE_ARI_WS_REST_H
#define ARIADNE_ARI_WS_REST_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>
#include "ari/http_int.h"

/* The RESTResponse to one text message. New reference. */
json_t *ari_ws_rest_message(const char *p, size_t len, const char *user,
			    bool read_only, const char *peer,
			    ari_invoke_h *invokeh);

#endif
