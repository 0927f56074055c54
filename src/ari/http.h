/* http.h — the ARI HTTP server's connections (http.c). Internal to src/ari. */
#ifndef ARIADNE_ARI_HTTP_H
#define ARIADNE_ARI_HTTP_H

struct sa;
struct tls;

/* Accept HTTP connections on laddr. */
/* http.conf session_limit (HTTP connections not yet upgraded to a
 * WebSocket: more are closed at once) and session_inactivity (ms such a
 * connection may stay silent). Before listening. */
void ari_http_set_limits(unsigned session_limit, unsigned inactivity_ms);
int ari_http_listen(const struct sa *laddr);
/* The same server over TLS (http.conf tlsenable) on laddr. */
int ari_http_listen_tls(const struct sa *laddr, struct tls *tls);
/* Stop listening and drop every connection. */
void ari_http_close(void);

#endif
