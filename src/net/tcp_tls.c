/* tcp_tls.c — TLS for the connections ariadne accepts (ARI over https and
 * wss, SIP over TLS).
 *
 * libre puts TLS on a tcp_conn as a helper layer (tls_start_tcp): the
 * tls_conn it returns must live exactly as long as the tcp_conn, and it
 * holds a reference on it. ariadne's connections change hands (the HTTP
 * server gives a connection to a WebSocket, which gives it to linger.c to
 * close), and each hand knows only the tcp_conn. Rather than carry the
 * TLS object through every hand, it is kept here, found by its tcp_conn,
 * and released with it by tcp_tls_release(), which every such owner calls
 * instead of mem_deref().
 *
 * Certificates: the whole chain of the certificate file is served (a
 * certificate from a public CA needs its intermediates), which libre's own
 * loaders do not do, hence OpenSSL's SSL_CTX calls on libre's context. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <re_types.h>
#include <re_fmt.h>
#include <re_mem.h>
#include <re_list.h>
#include <re_hash.h>
#include <re_tcp.h>
#include <re_srtp.h>
/* libre declares tls_openssl_context() only for builds that say they use
 * OpenSSL, which Debian's libre is. */
#define USE_OPENSSL 1
#include <re_tls.h>
#include "base/log.h"
#include "net/tcp_tls.h"

struct tls_layer {
	struct le he;
	struct tcp_conn *tc;      /* weak: the key */
	struct tls_conn *tlsc;
};

static struct hash *layers;
static size_t nlayers;    /* the table goes with the last one */

static uint32_t key_of(const struct tcp_conn *tc)
{
	return hash_fast((const char *)&tc, sizeof(tc));
}

static void layer_destructor(void *arg)
{
	struct tls_layer *l = arg;

	hash_unlink(&l->he);
	mem_deref(l->tlsc);
	if (l->tc && --nlayers == 0)
		layers = mem_deref(layers);
}

static bool layer_is(struct le *le, void *arg)
{
	const struct tls_layer *l = le->data;

	return l->tc == arg;
}

static struct tls_layer *layer_find(const struct tcp_conn *tc)
{
	struct le *le;

	if (!layers || !tc)
		return NULL;
	le = hash_lookup(layers, key_of(tc), layer_is, (void *)tc);
	return le ? le->data : NULL;
}

/* OpenSSL's reason for the last failure, for the log line. */
static const char *ssl_reason(void)
{
	unsigned long e = ERR_get_error();
	const char *r = e ? ERR_reason_error_string(e) : NULL;

	ERR_clear_error();
	return r ? r : "unknown error";
}

/* A file OpenSSL cannot open gives no reason of its own ("unknown
 * error"): say why (no such file, no permission) before it tries. 0 when
 * the file can be read, else the errno. */
static int unreadable(const char *what, const char *kind, const char *path)
{
	int err;

	if (!access(path, R_OK))
		return 0;
	err = errno;
	log_error("%s: cannot load the %s '%s': %s", what, kind, path,
		  strerror(err));
	return err ? err : EINVAL;
}

int tcp_tls_method(struct tls *tls, const char *method)
{
	static const struct {
		const char *name;
		int version;
	} methods[] = {
		{"tlsv1", TLS1_VERSION}, {"tlsv1_1", TLS1_1_VERSION},
		{"tlsv1_2", TLS1_2_VERSION}, {"tlsv1_3", TLS1_3_VERSION},
		{"sslv23", 0}, {"unspecified", 0}, {"default", 0},
	};
	SSL_CTX *ctx = tls ? tls_openssl_context(tls) : NULL;

	if (!ctx)
		return EINVAL;
	if (!method || !*method)
		return 0;
	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
		if (strcasecmp(method, methods[i].name))
			continue;
		if (methods[i].version &&
		    (SSL_CTX_set_min_proto_version(ctx, methods[i].version) != 1 ||
		     SSL_CTX_set_max_proto_version(ctx, methods[i].version) != 1)) {
			ERR_clear_error();
			return ENOTSUP;
		}
		return 0;
	}
	return EINVAL;
}

int tcp_tls_server(struct tls **tlsp, const char *certfile,
		   const char *keyfile, const char *what)
{
	struct tls *tls = NULL;
	SSL_CTX *ctx;
	int err;

	if (!certfile || !*certfile) {
		log_error("%s: TLS needs a certificate file", what);
		return EINVAL;
	}
	err = unreadable(what, "certificate", certfile);
	if (!err && keyfile && *keyfile)
		err = unreadable(what, "private key", keyfile);
	if (err)
		return err;
	err = tls_alloc(&tls, TLS_METHOD_SSLV23, NULL, NULL);
	if (err) {
		log_error("%s: cannot set up TLS: %s", what, strerror(err));
		return err;
	}
	ctx = tls_openssl_context(tls);
	if (SSL_CTX_use_certificate_chain_file(ctx, certfile) != 1) {
		log_error("%s: cannot load the certificate '%s': %s", what,
			  certfile, ssl_reason());
		err = EINVAL;
	}
	else if (SSL_CTX_use_PrivateKey_file(ctx, keyfile && *keyfile ?
					     keyfile : certfile,
					     SSL_FILETYPE_PEM) != 1) {
		log_error("%s: cannot load the private key '%s': %s", what,
			  keyfile && *keyfile ? keyfile : certfile,
			  ssl_reason());
		err = EINVAL;
	}
	else if (SSL_CTX_check_private_key(ctx) != 1) {
		log_error("%s: the private key does not match the "
			  "certificate '%s'", what, certfile);
		ERR_clear_error();
		err = EINVAL;
	}
	if (err) {
		mem_deref(tls);
		return err;
	}
	*tlsp = tls;
	return 0;
}

int tcp_tls_attach(struct tcp_conn *tc, struct tls *tls)
{
	struct tls_layer *l;
	int err;

	if (!layers && hash_alloc(&layers, 256))
		return ENOMEM;
	l = mem_zalloc(sizeof(*l), layer_destructor);
	if (!l) {
		if (!nlayers)
			layers = mem_deref(layers);
		return ENOMEM;
	}
	err = tls_start_tcp(&l->tlsc, tls, tc, 0);
	if (err) {
		mem_deref(l);
		if (!nlayers)
			layers = mem_deref(layers);
		return err;
	}
	l->tc = tc;
	nlayers++;
	hash_append(layers, key_of(tc), &l->he, l);
	return 0;
}

bool tcp_tls_on(const struct tcp_conn *tc)
{
	return layer_find(tc) != NULL;
}

void tcp_tls_close_notify(struct tcp_conn *tc)
{
	/* libre's tls_conn says close_notify (SSL_shutdown) as it goes, and
	 * writes it below its own layer; the layer's reference on tc goes,
	 * the owner's stays. */
	mem_deref(layer_find(tc));
}

void tcp_tls_release(struct tcp_conn *tc)
{
	/* The layer first: it holds a reference on tc, which the last
	 * mem_deref below then closes. */
	mem_deref(layer_find(tc));
	mem_deref(tc);
}
