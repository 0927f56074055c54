/* sip_services.h — the SIP module's services that are not calls, built on
 * the base (sip_int.h): digest auth, qualify, the registrar, requests sent
 * outside dialogs (MESSAGE, REFER), the dispatcher of requests received
 * outside dialogs, the CLI and ARI's dynamic configuration. For the files
 * above the base: these services themselves, the calls (sip_call.h) and
 * sip.c; the base files must not include it. Not for use outside src/sip.
 * Order of the files, lowest first: sip_auth, sip_outreg, sip_qualify, sip_outreq;
 * sip_registrar, sip_message, sip_refer; sip_dispatch, sip_cli,
 * sip_dynconf. */
#ifndef ARIADNE_SIP_SERVICES_H
#define ARIADNE_SIP_SERVICES_H

/* After sip_int.h. */


/* sip_auth.c — digest authentication (RFC 2617/3261 22). */
int sip_auth_init(void);
/* Identify and authenticate a request: 0 and *ep, or an errno after the
 * 403/401 has been sent (EPERM refused, EACCES challenged). */
int sip_authorize(const struct sip_msg *msg, struct sip_endpoint **ep);
/* sip_auth_h for outgoing requests with the endpoint's outbound_auth
 * (fallback: auth). arg is a struct sip_endpoint reference. */
int sip_auth_client(char **user, char **pass, const char *realm, void *arg);
/* Username and password of the auth section named authname (username
 * defaults to the section name): 0, or ENOENT when there is no such section
 * or it has no password. The caller logs, in its own words. */
int sip_auth_credentials(const char *authname, char **user, char **pass);

/* sip_qualify.c */
void sip_qualify_tick(uint64_t now);
void sip_qualify_contact(struct sip_regcontact *c);

/* sip_outreq.c — a MESSAGE or REFER outside dialogs, answering one
 * 401/407 with the endpoint's credentials. */
struct sip_outreq {
	const char *met;            /* "MESSAGE", "REFER" (a literal) */
	const char *uri;            /* Request-URI and To */
	const char *from;           /* a bare URI */
	struct sip_endpoint *ep;    /* credentials; NULL: none */
	const char *hdrs;           /* the method's header lines (CRLF each) */
	const char *const *keys;    /* ARI variables, sent as header lines */
	const char *const *values;
	int n;
	const char *bad_key;        /* characters a variable's name must not
				     * have (EINVAL) */
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

/* sip_outreg.c — pjsip.conf type=registration: ariadne registers with
 * providers, and `pjsip show registrations`. */
int sip_outreg_start(const struct config *pjsip);
void sip_outreg_close(void);
int sip_outreg_cli_init(void);

/* sip_registrar.c */
bool sip_registrar_request(const struct sip_msg *msg);
void sip_registrar_tick(uint64_t now);
void sip_contact_remove(struct sip_regcontact *c, const char *why);
/* Remove every contact of every aor that pred says, logged with why. */
typedef bool (sip_contact_pred_h)(const struct sip_regcontact *c, void *arg);
void sip_contacts_remove_if(sip_contact_pred_h *pred, void *arg,
			    const char *why);

/* sip_message.c */
bool sip_message_request(const struct sip_msg *msg);
int sip_message_send(const char *resource, const char *from, const char *body,
		     const char *const *keys, const char *const *values, int n);

/* sip_refer.c — REFER out of dialog (ARI), and a NOTIFY about one. */
int sip_refer_send(const char *resource, const char *from,
		   const char *refer_to, bool to_self,
		   const char *const *keys, const char *const *values, int n);
bool sip_refer_notify_request(const struct sip_msg *msg);
/* sip_dispatch.c — sip_listen's handler for requests outside dialogs. */
bool sip_dispatch_request(const struct sip_msg *msg, void *arg);
/* Counts every request by method (GET /metrics); handles none. */
bool sip_dispatch_count(const struct sip_msg *msg, void *arg);
/* Second: a UDP request whose Content-Length its body does not fill, or
 * a TCP/TLS one whose Content-Length cannot frame the stream, is answered
 * 400 and goes no further (its connection is closed); a TCP/TLS request
 * that frames well marks its connection as in use. */
bool sip_dispatch_framing(const struct sip_msg *msg, void *arg);

/* Last, for responses: one no transaction of ours awaits is dropped (at
 * debug level) instead of libre printing it raw to stderr. */
bool sip_dispatch_stray_response(const struct sip_msg *msg, void *arg);

/* sip_cli.c, sip_dynconf.c — started by sip.c. */
int sip_cli_init(void);
int sip_dynconf_init(void);

#endif
