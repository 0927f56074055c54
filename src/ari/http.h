/* http.h — the ARI HTTP server's connections (http.c). Internal to src/ari. */
#ifndef ARIADNE_ARI_HTTP_H
#define ARIADNE_ARI_HTTP_H

struct sa;

/* Accept HTTP connections on laddr. */
int ari_http_listen(const struct sa *laddr);
/* Stop listening and drop every connection. */
void ari_http_close(void);

#endif
