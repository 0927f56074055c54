/* tcp_tls.h — TLS on accepted TCP connections (tcp_tls.c): a server
 * certificate context, and the TLS layer of each connection kept with its
 * tcp_conn. Knows nothing of HTTP, WebSocket or SIP. */
#ifndef ARIADNE_NET_TCP_TLS_H
#define ARIADNE_NET_TCP_TLS_H

#include <stdbool.h>

struct tcp_conn;
struct tls;

/* A server context from a PEM certificate file (the chain after the
 * certificate is sent too) and its private key (NULL: in certfile). An
 * errno value with a log line naming the file on failure. */
int tcp_tls_server(struct tls **tlsp, const char *certfile,
		   const char *keyfile, const char *what);
/* chan_pjsip's transport `method`: tlsv1, tlsv1_1, tlsv1_2 or tlsv1_3
 * allow that version alone; sslv23, unspecified, default or NULL leave
 * OpenSSL's range. EINVAL for another word (the caller logs it). */
int tcp_tls_method(struct tls *tls, const char *method);
/* Put TLS on an accepted connection: from now on what is sent and
 * received through tc is TLS. The layer lives until tcp_tls_release(tc). */
int tcp_tls_attach(struct tcp_conn *tc, struct tls *tls);
/* Was TLS put on tc? */
bool tcp_tls_on(const struct tcp_conn *tc);
/* End TLS on tc with its close_notify alert, which a TLS peer expects
 * before the FIN (OpenSSL 3 reports an "unexpected eof" without it); tc
 * itself stays, to be closed. Nothing when tc has no TLS. */
void tcp_tls_close_notify(struct tcp_conn *tc);
/* Let go of tc and its TLS layer, if it has one: every owner of a
 * connection that may carry TLS ends it with this, not mem_deref(). */
void tcp_tls_release(struct tcp_conn *tc);

#endif
