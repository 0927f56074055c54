/* sip_int.h — the base of the SIP module, what every file of src/sip may
 * include (and the unit tests of pjsip.conf): the configuration objects
 * (endpoint, auth, aor with its contacts, identify, transport) and their
 * parsers, the cause/status mapping, the module's state and libre stack,
 * endpoint lookup and state, the malformed-message guards. The files
 * behind it (sip_objects, sip_conf, sip_cause, sip_head, sip_malformed,
 * sip_tcp_frame, sip_stack, sip_tcp_guard, sip_tcp_peers, sip_endpoint)
 * call nothing of the headers above it, sip_services.h and sip_call.h.
 * Not for use outside src/sip. */
#ifndef ARIADNE_SIP_INT_H
#define ARIADNE_SIP_INT_H

/* libre's headers have no include guards: every file includes <re_types.h>,
 * <re_list.h> and <re_sa.h> itself, before this one. */

struct config;
struct endpoint;
struct sip;
struct sip_msg;
struct udp_sock;
struct sipsess_sock;
struct sip_request;

enum sip_dtmf { SIP_DTMF_RFC4733 = 0, SIP_DTMF_INFO };

/* type=transport */
struct sip_tp_conf {
	struct le le;
	char *name;
	int proto;          /* enum sip_transp */
	struct sa bind;
	char *cert_file;    /* protocol=tls: PEM certificate (chain) */
	char *priv_key_file; /* and its key (NULL: in cert_file) */
	char *method;       /* TLS version as chan_pjsip's method (NULL: any) */
	char *cipher;       /* OpenSSL cipher list (NULL: OpenSSL's) */
	char *ca_list_file, *ca_list_path;
	bool verify_client, require_client_cert, verify_server;
};

/* type=auth (auth_type=userpass) */
struct sip_authobj {
	struct le le;
	char *name;
	char *username;
	char *password;
	char *realm;        /* NULL: the default realm "asterisk" */
	unsigned nonce_lifetime; /* s; a nonce older than this is stale */
	bool dynamic;       /* made over ARI, not from pjsip.conf */
};

/* A contact of an aor: registered (REGISTER) or static (contact=). */
struct sip_regcontact {
	struct le le;
	struct sip_aor *aor;        /* weak: the aor owns the contact */
	char *uri;
	char *callid;               /* of the REGISTER that made it */
	char *user_agent;
	uint64_t expires;           /* tmr_jiffies() ms; 0 = static */
	struct sa src;              /* where the REGISTER came from */
	int tp;                     /* enum sip_transp */
	const char *status;         /* Unknown, Reachable, ... (static str) */
	long rtt_usec;
	uint64_t next_qualify;      /* jiffies ms; 0 = not qualified */
	uint64_t qualify_sent_us;
	struct sip_request *qreq;   /* pending OPTIONS */
};

/* type=aor */
struct sip_aor {
	struct le le;
	char *name;
	unsigned max_contacts;
	bool remove_existing;
	unsigned qualify_frequency;  /* s; 0 = off */
	unsigned qualify_timeout_ms; /* no answer by then: Unreachable */
	unsigned default_expiration, minimum_expiration, maximum_expiration;
	struct list contacts;        /* struct sip_regcontact, static ones first */
	bool dynamic;
};

/* type=endpoint */
struct sip_endpoint {
	struct le le;
	char *name;
	char *context;
	char allow[64];              /* "ulaw,alaw", preference order */
	bool codecs_set;             /* an allow/disallow was applied */
	char *auth;                  /* auth object names (comma list) */
	char *outbound_auth;
	char *aors;                  /* comma list */
	char *cid_name, *cid_num;
	enum sip_dtmf dtmf;
	unsigned rtp_timeout;
	unsigned rtp_keepalive;      /* s; 0: an idle channel sends nothing */
	char *language;
	char *from_user, *from_domain;
	char *transport;
	struct endpoint *ep;         /* core registry entry (owned there) */
	bool dynamic;
};

/* One network of an identify's match= list. */
struct sip_net {
	struct le le;
	struct sa addr;
	unsigned prefix;             /* bits */
};

/* type=identify */
struct sip_identify {
	struct le le;
	char *name;
	char *endpoint;
	struct list nets;            /* struct sip_net */
};

struct sip_conf {
	struct list transports;      /* struct sip_tp_conf */
	struct list endpoints;
	struct list auths;
	struct list aors;
	struct list identifies;
	bool from_file;              /* pjsip.conf was there */
};

/* sip_objects.c, sip_conf.c — the objects, and pjsip.conf read into them
 * (no side effects but logging). */
int sip_conf_parse(struct sip_conf **confp, const struct config *cfg);

/* Replace *dst by a copy of value. */
int sip_str_set(char **dst, const char *value);
/* A decimal number 0..2^31-1 and nothing else; EINVAL otherwise. */
int sip_uint_parse(unsigned *out, const char *value);
/* allow/disallow applied in order to a codec list ("ulaw,alaw"). */
void sip_codecs_apply(char *list, size_t size, const char *value, bool allow,
		      const char *file, unsigned line);
/* Parse one match= value into nets (comma list). EINVAL on a bad entry. */
int sip_nets_add(struct list *nets, const char *value);
bool sip_nets_match(const struct list *nets, const struct sa *addr);
/* Apply one option to an object (used by the file parser and dynconf).
 * ENOENT: unknown option, EINVAL: bad value. */
int sip_endpoint_set(struct sip_endpoint *e, const char *name,
		     const char *value, const char *file, unsigned line);
int sip_auth_set(struct sip_authobj *a, const char *name, const char *value);
int sip_aor_set(struct sip_aor *a, const char *name, const char *value);
int sip_endpoint_alloc(struct sip_endpoint **ep, const char *name);
int sip_authobj_alloc(struct sip_authobj **ap, const char *name);
int sip_aor_alloc(struct sip_aor **ap, const char *name);
/* A contact appended to the aor's list (status Unknown, static until
 * the registrar sets expires). */
int sip_contact_alloc(struct sip_regcontact **cp, struct sip_aor *aor,
		      const char *uri);
/* Does the comma list contain name? */
bool sip_list_has(const char *list, const char *name);
/* First element of a comma list, copied into buf. */
void sip_list_first(const char *list, char *buf, size_t size);

/* sip_cause.c — Asterisk's mapping between Q.850 causes and SIP codes. */
int sip_cause_from_status(int status);
int sip_status_from_cause(int cause); /* 0: no mapping */

/* sip_malformed.c — UDP datagrams libre's parser would drop: 400 to the
 * requests among them, a NOTICE (sip_head.h reads them). */
/* Called for each request the stack passes us: installs the guard on its
 * UDP socket; true when msg is our own probe (swallow it). */
bool sip_malformed_seen(const struct sip_msg *msg);
/* The OPTIONS ariadne sent itself at start-up (not a peer's request). */
bool sip_malformed_is_probe(const struct sip_msg *msg);
/* sip_udp_buf.c: as big a kernel receive buffer as we may have, so that a
 * burst waits for the loop instead of being dropped, and libre reading
 * whole datagrams (up to 65535 bytes, not its 8 KB). */
void sip_udp_rcvbuf_grow(struct udp_sock *us);
/* How full (%) the receive queue of the UDP socket msg came in on is now;
 * 0 for other transports or when the kernel does not say. */
unsigned sip_udp_backlog_pct(const struct sip_msg *msg);
/* Send the probe that makes the first request arrive on a UDP transport. */
int sip_malformed_probe(const struct sa *bind);

/* sip_tcp_peers.c — SIP TCP/TLS peers (address and port: one connection)
 * that sent a request (heard), that a walk of the sockets found unheard
 * (seen: how long ago, ms), whose framing was lost (dropped). */
void sip_tcp_peer_heard(const struct sa *addr);
bool sip_tcp_peer_was_heard(const struct sa *addr);
uint64_t sip_tcp_peer_seen(const struct sa *addr);
void sip_tcp_peers_unseen(void);
void sip_tcp_peer_dropped(const struct sa *addr);
bool sip_tcp_peer_is_dropped(const struct sa *addr);
void sip_tcp_peers_close(void);

/* sip_tcp_guard.c — the SIP TCP and TLS listeners: a real backlog, a
 * reserve of file descriptors kept for the rest, shut while descriptors
 * run short. Add after sip_transp_add(). */
int sip_tcp_guard_add(const struct sa *laddr, const char *name);
/* Close the accepted connection from peer on the listener at laddr (its
 * framing is lost); at most a few walks a second. */
void sip_tcp_guard_drop(const struct sa *laddr, const struct sa *peer);
/* h(peer) for each connection the listeners accepted that is still
 * established (a walk of every descriptor); false when there is no
 * listener (nothing can be said of connections). */
typedef void (sip_tcp_peer_h)(const struct sa *peer, void *arg);
bool sip_tcp_guard_foreach_peer(sip_tcp_peer_h *h, void *arg);
void sip_tcp_guard_close(void);

/* sip_tcp_frame.c — the stream of each TCP or TLS connection accepted on
 * laddr (tp: enum sip_transp) cut into messages as libre's parser will cut
 * it, just before it does: a start line it cannot read, a head without
 * Content-Length or one too large for a message (65535 bytes) gets 400
 * where it can be answered, a NOTICE, and the connection closed. Add
 * after sip_transp_add(); close after libre's transports are gone. */
int sip_tcp_frame_add(const struct sa *laddr, int tp);
void sip_tcp_frame_close(void);

/* sip_answered.c — answered INVITEs: libre's transaction cut short, or
 * none for a 503, the INVITE remembered for 32 s in a few bytes, its
 * retransmissions absorbed. init after the stack and its transports,
 * before any other listener. */
int sip_answered_init(void);
/* Around sending a 2xx to msg (an INVITE): begin, send, end. */
void sip_answered_begin(void);
void sip_answered_end(const struct sip_msg *msg);
/* A new INVITE refused while shedding load: 503 (with Retry-After),
 * statelessly; its retransmissions get the same answer, its ACK goes. */
void sip_answered_refuse(const struct sip_msg *msg);
/* Every SIP packet ariadne sends (libre's trace): the answer to a BYE
 * being remembered tells whether it was a 200. */
void sip_answered_sent(const uint8_t *pkt, size_t len);
/* INVITEs remembered now. */
uint32_t sip_answered_count(void);
void sip_answered_close(void);
void sip_malformed_close(void);

/* sip_stack.c — the running module's state, libre's sip instance and its
 * transports, local addresses. */
struct sip_mod {
	struct sip *sip;
	struct sipsess_sock *sock;
	struct sip_conf *conf;
	int ntransports;
};
extern struct sip_mod sipmod;

int sip_stack_open(void);
void sip_stack_close(void);

/* Local address of the transport a message to dst would leave from. */
int sip_laddr(struct sa *laddr, int tp, const struct sa *dst);
/* Local address for a request with no peer yet: the first UDP transport's,
 * else TCP's. ENOTCONN: no transport. */
int sip_laddr_default(struct sa *laddr);
/* Replace a wildcard (0.0.0.0) address by the local IP that reaches `peer`
 * (NULL: the default route's), keeping the port. */
void sip_concrete_laddr(struct sa *laddr, const struct sa *peer);
/* Asterisk's wording for a refused request:
 * "Request 'REGISTER' from '<sip:alice@host>' failed for '1.2.3.4:5060'
 *  (callid: x) - No matching endpoint found" */
void sip_log_refused(const struct sip_msg *msg, const char *why);
/* "Retry-After: N\r\n" for a 503 (ariadne.conf overload_retry_after), or
 * "" when it is 0. Returns buf (40 bytes are enough). */
const char *sip_retry_after_hdr(char *buf, size_t size);

/* sip_security.c — security events and held refusals. */
enum security_event_type;
struct httpauth_digest_resp;
/* Report a security event about msg as chan_pjsip does; `cred` is the
 * request's digest (NULL: none), `nonce_sent` our challenge's nonce. */
void sip_security_event(enum security_event_type type,
			const struct sip_msg *msg, const char *account,
			const struct httpauth_digest_resp *cred,
			const char *nonce_sent);
/* Reply now (delay 0) or after delay_ms from a timer; `hdrs` ends with the
 * blank line. */
int sip_reply_later(const struct sip_msg *msg, unsigned delay_ms,
		    uint16_t scode, const char *reason, const char *hdrs);
/* msg retransmits a request whose refusal is being held. */
bool sip_reply_held(const struct sip_msg *msg);
void sip_security_close(void);

/* sip_endpoint.c — the objects at run time: lookup and state. */
struct sip_endpoint *sip_endpoint_find(const char *name);
struct sip_authobj *sip_authobj_find(const char *name);
struct sip_aor *sip_aor_find(const char *name);
/* Endpoint for a request: identify by source address, then From user. */
struct sip_endpoint *sip_endpoint_identify(const struct sip_msg *msg);
/* The endpoint's core state from its contacts (Asterisk's rule). */
void sip_endpoint_update_state(struct sip_endpoint *e);
/* Register the core endpoint for a configured sip endpoint. */
int sip_endpoint_publish(struct sip_endpoint *e);
/* Remove every endpoint from the core registry (module close). */
void sip_endpoints_unpublish(void);
void sip_contact_status_publish(struct sip_regcontact *c, const char *status);
/* Where to send to reach an endpoint: registered contact or static one.
 * ENOENT: none. */
int sip_endpoint_contact_uri(const struct sip_endpoint *e, char *buf,
			     size_t size);
/* "alice" or "alice/<uri>" (an ARI resource) → the endpoint, and the URI
 * after the slash (unchecked) or else the endpoint's contact. ENOENT with
 * *ep NULL: no such endpoint; with *ep set: no contact. */
int sip_endpoint_resource(const char *resource, struct sip_endpoint **ep,
			  char *uri, size_t size);

#endif
