/* ari.h — the Asterisk REST Interface module: HTTP server, REST routes,
 * api-docs and the events WebSocket. Public face for main.c, and for the
 * layer above (src/cluster), which runs ARI operations and takes every
 * app's events through the entries at the end. */
#ifndef ARIADNE_ARI_H
#define ARIADNE_ARI_H

#include "ari/ws_rest.h"

struct config;

/* Start listening per http.conf ([general] enabled, bindaddr, bindport;
 * defaults 127.0.0.1:8088) with users from ari.conf (default user
 * asterisk/asterisk when there is no ari.conf). Either config may be NULL. */
int ari_init(const struct config *httpconf, const struct config *ariconf);
/* Close listeners and every WebSocket (apps are unregistered). */
void ari_close(void);
/* Registers the `ari show apps|app|users|user|status` commands. */
int ari_applications_cli_init(void);

/* Runs one ARI operation inside the process, as REST over WebSocket does:
 * fill method, path (below /ari, e.g. "/channels/x/answer"), query,
 * ctype/body and user; code and resp_body (mem_deref it) come back. */
void ari_invoke(struct ari_invoke *inv);

/* Called with the JSON text of every event delivered to an app, whoever
 * holds the app (a socket, a keeper, a group, ari_app_hold): after the
 * app's event filter, with its sequence. One tap; NULL removes it. */
typedef void (ari_event_tap_h)(const char *app, const char *json, void *arg);
void ari_event_tap_set(ari_event_tap_h *h, void *arg);

/* Holds app `name` as if a client were connected, for as long as
 * ari_app_unhold is not called: the app exists (its stasis-<app> context
 * too) and its events go to the tap. A socket of the app takes it over
 * (ApplicationReplaced is not sent anywhere) and gives it back when it
 * goes. */
int ari_app_hold(const char *name);
void ari_app_unhold(const char *name);

#endif
