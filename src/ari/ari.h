/* ari.h — the Asterisk REST Interface module: HTTP server, REST routes,
 * api-docs and the events WebSocket. Public face for main.c only. */
#ifndef ARIADNE_ARI_H
#define ARIADNE_ARI_H

struct config;

/* Start listening per http.conf ([general] enabled, bindaddr, bindport;
 * defaults 127.0.0.1:8088) with users from ari.conf (default user
 * asterisk/asterisk when there is no ari.conf). Either config may be NULL. */
int ari_init(const struct config *httpconf, const struct config *ariconf);
/* Close listeners and every WebSocket (apps are unregistered). */
void ari_close(void);
/* Registers `ari show apps`. */
int ari_applications_cli_init(void);

#endif
