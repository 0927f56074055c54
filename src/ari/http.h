/* http.h — the ARI HTTP server's connections (http.c). Internal to src/ari. */
#ifndef ARIADNE_ARI_HTTP_H
#define ARIADNE_ARI_HTTP_H

struct sa;
struct tls;

/* Accept HTTP connections on laddr. */
/* http.conf sessionlimit (HTTP connections not yet upgraded to a
 * WebSocket: more are closed at once), session_inactivity (ms a request
 * may take to arrive) and session_keep_alive (ms to wait for the next
 * request; 0: every reply closes the connection). */
void ari_http_set_limits(unsigned session_limit, unsigned inactivity_ms,
			 unsigned keep_alive_ms);
int ari_http_listen(const struct sa *laddr);
/* The same server over TLS (http.conf tlsenable) on laddr. */
int ari_http_listen_tls(const struct sa *laddr, struct tls *tls);
/* Stop listening and drop every connection. */
void ari_http_close(void);

#endif
