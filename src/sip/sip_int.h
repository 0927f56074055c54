/* sip_int.h — what the files of the SIP module share: the pjsip.conf object
 * model (endpoint, auth, aor, identify, transport), registered contacts, the
 * stack handle, and the helpers each file offers the others. Not for use
 * outside src/sip. */
#ifndef ARIADNE_SIP_INT_H
#define ARIADNE_SIP_INT_H

/* libre's headers have no include guards: every file includes <re_types.h>,
 * <re_list.h> and <re_sa.h> itself, before this one. */

struct config;
struct endpoint;
struct sip;
struct sip_msg;
struct sipsess_sock;
struct sip_request;
struct mbuf;
struct channel;

enum sip_dtmf { SIP_DTMF_RFC4733 = 0, SIP_DTMF_INFO };

/* type=transport */
struct sip_tp_conf {
	struct le le;
	char *name;
	int proto;          /* enum sip_transp */
	struct sa bind;
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
};

/* sip_conf.c — parse the configuration (no side effects but logging). */
int sip_conf_parse(struct sip_conf **confp, const struct config *cfg);

/* sip_objects.c — the objects above and the value parsers they share. */
/* Is name (any case) one of the NULL-terminated names? */
bool sip_names_has(const char *const *names, const char *name);
/* Replace *dst by a copy of value. */
int sip_str_set(char **dst, const char *value);
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

/* sip.c — the running module. */
struct sip_mod {
	struct sip *sip;
	struct sipsess_sock *sock;
	struct sip_conf *conf;
	int ntransports;
};
extern struct sip_mod sipmod;

/* sip_stack.c: libre's sip instance and its transports. */
int sip_stack_open(void);
void sip_stack_close(void);

/* sip_endpoint.c */
struct sip_endpoint *sip_endpoint_find(const char *name);
struct sip_authobj *sip_authobj_find(const char *name);
struct sip_aor *sip_aor_find(const char *name);
/* Endpoint for a request: identify by source address, then From user. */
struct sip_endpoint *sip_endpoint_identify(const struct sip_msg *msg);
/* Local address of the transport a message to dst would leave from. */
int sip_laddr(struct sa *laddr, int tp, const struct sa *dst);
/* Local address for a request with no peer yet: the first UDP transport's,
 * else TCP's. ENOTCONN: no transport. */
int sip_laddr_default(struct sa *laddr);
/* Replace a wildcard (0.0.0.0) address by the local IP that reaches `peer`
 * (NULL: the default route's), keeping the port. */
void sip_concrete_laddr(struct sa *laddr, const struct sa *peer);
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

/* sip_auth.c — digest authentication (RFC 2617/3261 22). */
enum sip_auth_result {
	SIP_AUTH_OK = 0,
	SIP_AUTH_CHALLENGE,   /* no (usable) credentials: 401 */
	SIP_AUTH_STALE,       /* right password, old nonce: 401 stale=true */
	SIP_AUTH_FAILED,      /* wrong password or user: 403 */
};
int sip_auth_init(void);
/* Check msg against the endpoint's inbound auth. Endpoints without auth
 * pass. */
enum sip_auth_result sip_auth_check(const struct sip_endpoint *e,
				    const struct sip_msg *msg);
/* Reply 401 with a fresh challenge (stale flag as given). */
int sip_auth_challenge(const struct sip_endpoint *e, const struct sip_msg *msg,
		       bool stale);
/* Identify and authenticate a request: 0 and *ep, or an errno after the
 * 403/401 has been sent (EPERM refused, EACCES challenged). */
int sip_authorize(const struct sip_msg *msg, struct sip_endpoint **ep);
/* sip_auth_h for outgoing requests with the endpoint's outbound_auth
 * (fallback: auth). arg is a struct sip_endpoint reference. */
int sip_auth_client(char **user, char **pass, const char *realm, void *arg);

/* sip_registrar.c */
bool sip_registrar_request(const struct sip_msg *msg);
void sip_registrar_tick(uint64_t now);
void sip_contact_remove(struct sip_regcontact *c, const char *why);

/* sip_qualify.c */
void sip_qualify_tick(uint64_t now);
void sip_qualify_contact(struct sip_regcontact *c);

/* sip_message.c */
bool sip_message_request(const struct sip_msg *msg);
int sip_message_send(const char *resource, const char *from, const char *body,
		     const char *const *keys, const char *const *values, int n);

/* sip_call.c / sip_call_out.c */
extern const struct channel_tech sip_tech;
void sip_call_incoming(const struct sip_msg *msg, void *arg);
int sip_call_request(struct channel **chp, const char *resource,
		     const char *id, const char *other_id);
int sip_call_call(struct channel *ch, const char *resource, int timeout_s);

/* One INVITE dialog, owned by its channel (pvt); the sipsess callbacks
 * point at it too, so it lives until both are done. */
struct sip_call {
	struct channel *ch;          /* weak: cleared by the tech hangup */
	struct sip_endpoint *ep;     /* reference */
	struct sipsess *sess;
	struct sip_strans *st;       /* inbound: ours until sipsess_accept */
	const struct sip_msg *msg;   /* inbound: the INVITE (reference) */
	struct media_session *ms;    /* weak: owned by the channel */
	struct mbuf *answer;         /* inbound: our SDP answer */
	char *target;                /* outbound: request URI */
	bool outbound;
	bool answered;
	bool final_sent;             /* a final response went out */
	bool held;
	bool refer_pending;          /* a REFER awaits its final NOTIFY */
	int tech_cause;
};

int sip_call_alloc(struct sip_call **callp, struct sip_endpoint *ep);
/* sipsess callbacks shared by both directions (sip_call.c) */
int sip_call_offer_h(struct mbuf **descp, const struct sip_msg *msg,
		     void *arg);
int sip_call_answer_h(const struct sip_msg *msg, void *arg);
void sip_call_estab_h(const struct sip_msg *msg, void *arg);
void sip_call_info_h(struct sip *sip, const struct sip_msg *msg, void *arg);
void sip_call_close_h(int err, const struct sip_msg *msg, void *arg);
int sip_call_media(struct sip_call *call, const struct sa *laddr);
/* Channel name: PJSIP/<endpoint>-<8 hex digits> */
int sip_call_channel(struct sip_call *call, const char *id);
void sip_call_set_caller(struct sip_call *call, const char *name,
			 const char *num);
/* A re-INVITE or the first offer put the peer on hold or took it off. */
void sip_call_check_hold(struct sip_call *call);

/* sip_outreq.c — a MESSAGE or REFER outside dialogs, answering one
 * 401/407 with the endpoint's credentials. */
struct sip_outreq {
	const char *met;            /* "MESSAGE", "REFER" (a literal) */
	const char *uri;            /* Request-URI and To */
	const char *from;           /* a bare URI */
	struct sip_endpoint *ep;    /* credentials; NULL: none */
	const char *hdrs;           /* extra header lines, each with CRLF */
	const char *ctype;          /* body type; NULL: no body */
	const char *body;
	bool log_accepted;          /* log the 2xx too (verbose 3) */
};
int sip_outreq_send(const struct sip_outreq *q);
/* Our From URI: `from` as given when it is a sip: URI (or the URI inside
 * its <>), else sip:<user>@<our address> with `from`, the endpoint's
 * from_user or "asterisk" as the user. ENOTCONN: no local address. */
int sip_outreq_from(char *buf, size_t size, const char *from,
		    const struct sip_endpoint *e);
/* ARI variables as "key: value" header lines appended to mb, then a NUL.
 * EINVAL: an empty key, one with a character of bad_key, or a value with
 * a line break. */
int sip_outreq_vars(struct mbuf *mb, const char *const *keys,
		    const char *const *values, int n, const char *bad_key);

/* sip_refer.c — REFER out of dialog (ARI) and in calls (ChannelTransfer) */
int sip_refer_send(const char *resource, const char *from,
		   const char *refer_to, bool to_self,
		   const char *const *keys, const char *const *values, int n);
bool sip_refer_notify_request(const struct sip_msg *msg);
void sip_refer_h(struct sip *sip, const struct sip_msg *msg, void *arg);
enum channel_transfer_state;
int sip_refer_progress(struct channel *ch, enum channel_transfer_state st);

/* sip_malformed.c — 400 for UDP requests libre's parser drops. */
/* Called for each request the stack passes us: installs the guard on its
 * UDP socket; true when msg is our own probe (swallow it). */
bool sip_malformed_seen(const struct sip_msg *msg);
/* Send the probe that makes the first request arrive on a UDP transport. */
int sip_malformed_probe(const struct sa *bind);
void sip_malformed_close(void);

/* sip_dispatch.c — sip_listen's handler for requests outside dialogs. */
bool sip_dispatch_request(const struct sip_msg *msg, void *arg);

/* sip_cli.c / sip_dynconf.c */
int sip_cli_init(void);
int sip_dynconf_init(void);

/* Asterisk's wording for a refused request:
 * "Request 'REGISTER' from '<sip:alice@host>' failed for '1.2.3.4:5060'
 *  (callid: x) - No matching endpoint found" */
void sip_log_refused(const struct sip_msg *msg, const char *why);

#endif
