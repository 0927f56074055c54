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
/* Asterisk's TLS settings, by the names http.conf (tlscipher,
 * tlsservercipherorder, tlsdisablev1/v11/v12, tlscafile, tlscapath,
 * tlsverifyclient) and pjsip.conf transports (cipher, ca_list_file,
 * ca_list_path, verify_client, require_client_cert, verify_server) give
 * them. verify_client: a certificate a client shows must verify against
 * the CA list; require_client_cert: and a client must show one;
 * verify_server: a server dialled with this context (SIP) must show one
 * that verifies (its name is not checked). Without a CA list the system's
 * is used. */
struct tcp_tls_opts {
	const char *cipher;       /* OpenSSL cipher list (TLS 1.2 and below) */
	bool server_cipher_order;
	bool no_v1, no_v11, no_v12;
	const char *ca_file, *ca_path;
	bool verify_client, require_client_cert, verify_server;
};
/* Applied to a context from tcp_tls_server(); EINVAL, logged with `what`,
 * when a cipher list or CA list cannot be used. */
int tcp_tls_options(struct tls *tls, const struct tcp_tls_opts *o,
		    const char *what);
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
