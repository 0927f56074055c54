/* ws_rest.h — REST over WebSocket (ws_rest.c). jansson only (no re.h). */
#ifndef ARIADNE_ARI_WS_REST_H
#define ARIADNE_ARI_WS_REST_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

/* One request of REST over WebSocket: the socket's user, method, path below
 * /ari, raw query, content type and body text (may be NULL); the status and
 * the JSON text of the answer (mem_alloc'd, may be NULL) come back in it. */
struct ari_invoke {
	const char *user;
	bool read_only;
	const char *method;
	const char *path;
	const char *query;
	const char *ctype;
	const char *body;
	int code;             /* out */
	char *resp_body;      /* out */
};

/* Runs an ari_invoke through routing (dispatch.c's ari_dispatch_invoke).
 * The events socket is handed it at start-up, so that nothing here or in
 * ws_events.c calls the layers that call them. */
typedef void (ari_invoke_h)(struct ari_invoke *inv);

/* The RESTResponse to one text message of a socket opened by `user`;
 * `peer` names the socket in logs. New reference. */
json_t *ari_ws_rest_message(const char *p, size_t len, const char *user,
			    bool read_only, const char *peer,
			    ari_invoke_h *invokeh);

#endif
