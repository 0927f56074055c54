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
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
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

/* OpenSSL asks for the pass phrase of an encrypted key on the terminal,
 * which would stop the whole server at start-up when it has one: refuse,
 * and remember that it was asked, for the log line. */
static int no_passphrase(char *buf, int size, int rwflag, void *arg)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	*(bool *)arg = true;
	return 0;
}

static void key_failed(const char *what, const char *key, bool encrypted)
{
	if (encrypted) {
		ERR_clear_error();
		log_error("%s: the private key '%s' is encrypted; ariadne "
			  "reads keys without a pass phrase (as Asterisk): "
			  "decrypt it, e.g. openssl pkey -in KEY -out "
			  "PLAIN_KEY", what, key);
		return;
	}
	log_error("%s: cannot load the private key '%s': %s", what, key,
		  ssl_reason());
}

int tcp_tls_server(struct tls **tlsp, const char *certfile,
		   const char *keyfile, const char *what)
{
	const char *key = keyfile && *keyfile ? keyfile : certfile;
	struct tls *tls = NULL;
	bool encrypted = false;
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
	SSL_CTX_set_default_passwd_cb(ctx, no_passphrase);
	SSL_CTX_set_default_passwd_cb_userdata(ctx, &encrypted);
	if (SSL_CTX_use_certificate_chain_file(ctx, certfile) != 1) {
		log_error("%s: cannot load the certificate '%s': %s", what,
			  certfile, ssl_reason());
		err = EINVAL;
	}
	else if (SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) !=
		 1) {
		key_failed(what, key, encrypted);
		err = EINVAL;
	}
	else if (SSL_CTX_check_private_key(ctx) != 1) {
		log_error("%s: the private key does not match the "
			  "certificate '%s'", what, certfile);
		ERR_clear_error();
		err = EINVAL;
	}
	SSL_CTX_set_default_passwd_cb_userdata(ctx, NULL);
	SSL_CTX_set_default_passwd_cb(ctx, NULL);
	if (err) {
		mem_deref(tls);
		return err;
	}
	*tlsp = tls;
	return 0;
}

/* A role-aware check of the peer's certificate: one SSL_CTX serves both
 * the connections we accept (verify_client) and, for SIP, those libre
 * dials with it (verify_server). */
static int verify_idx = -1;

static int verify_cb(int ok, X509_STORE_CTX *store)
{
	SSL *ssl = X509_STORE_CTX_get_ex_data(store,
		SSL_get_ex_data_X509_STORE_CTX_idx());
	SSL_CTX *ctx = ssl ? SSL_get_SSL_CTX(ssl) : NULL;
	const struct tcp_tls_opts *o = ctx && verify_idx >= 0 ?
		SSL_CTX_get_ex_data(ctx, verify_idx) : NULL;

	if (!o)
		return ok;
	if (SSL_is_server(ssl))
		return o->verify_client || o->require_client_cert ? ok : 1;
	return o->verify_server ? ok : 1;
}

static void opts_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx,
		      long argl, void *argp)
{
	(void)parent;
	(void)ad;
	(void)idx;
	(void)argl;
	(void)argp;
	free(ptr);
}

static int verify_setup(SSL_CTX *ctx, const struct tcp_tls_opts *o,
			const char *what)
{
	const char *file = o->ca_file && *o->ca_file ? o->ca_file : NULL;
	const char *path = o->ca_path && *o->ca_path ? o->ca_path : NULL;
	struct tcp_tls_opts *keep;
	int mode = SSL_VERIFY_PEER;

	if (!o->verify_client && !o->require_client_cert && !o->verify_server)
		return 0;
	if (file || path) {
		if (SSL_CTX_load_verify_locations(ctx, file, path) != 1) {
			log_error("%s: cannot load the CA list '%s': %s",
				  what, file ? file : path, ssl_reason());
			return EINVAL;
		}
		if (file)
			SSL_CTX_set_client_CA_list(ctx,
				SSL_load_client_CA_file(file));
	}
	else if (SSL_CTX_set_default_verify_paths(ctx) != 1) {
		ERR_clear_error();
	}
	if (verify_idx < 0)
		verify_idx = SSL_CTX_get_ex_new_index(0, NULL, NULL, NULL,
						      opts_free);
	keep = calloc(1, sizeof(*keep));
	if (verify_idx < 0 || !keep) {
		free(keep);
		return ENOMEM;
	}
	keep->verify_client = o->verify_client;
	keep->require_client_cert = o->require_client_cert;
	keep->verify_server = o->verify_server;
	free(SSL_CTX_get_ex_data(ctx, verify_idx));
	SSL_CTX_set_ex_data(ctx, verify_idx, keep);
	if (o->require_client_cert)
		mode |= SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
	SSL_CTX_set_verify(ctx, mode, verify_cb);
	return 0;
}

int tcp_tls_options(struct tls *tls, const struct tcp_tls_opts *o,
		    const char *what)
{
	SSL_CTX *ctx = tls ? tls_openssl_context(tls) : NULL;
	int err = 0;

	if (!ctx || !o)
		return EINVAL;
	if (o->cipher && *o->cipher &&
	    SSL_CTX_set_cipher_list(ctx, o->cipher) != 1) {
		log_error("%s: no usable cipher in '%s': %s", what, o->cipher,
			  ssl_reason());
		err = EINVAL;
	}
	if (o->server_cipher_order)
		SSL_CTX_set_options(ctx, SSL_OP_CIPHER_SERVER_PREFERENCE);
	if (o->no_v1)
		SSL_CTX_set_options(ctx, SSL_OP_NO_TLSv1);
	if (o->no_v11)
		SSL_CTX_set_options(ctx, SSL_OP_NO_TLSv1_1);
	if (o->no_v12)
		SSL_CTX_set_options(ctx, SSL_OP_NO_TLSv1_2);
	return verify_setup(ctx, o, what) ? EINVAL : err;
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
	/* Nagle off: a TLS 1.3 server writes its session tickets, then the
	 * first reply, in records of their own, and with Nagle the reply
	 * waited for the client's delayed ACK of the tickets (40 ms). */
	(void)setsockopt(tcp_conn_fd(tc), IPPROTO_TCP, TCP_NODELAY,
			 &(int){1}, sizeof(int));
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
