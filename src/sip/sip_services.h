/* sip_services.h — the SIP module's services that are not calls, built on
 * the base (sip_int.h): digest auth, qualify, the registrar, requests sent
 * outside dialogs (MESSAGE, REFER), the dispatcher of requests received
 * outside dialogs, the CLI and ARI's dynamic configuration. For the files
 * above the base: these services themselves, the calls (sip_call.h) and
 * sip.c; the base files must not include it. Not for use outside src/sip.
 * Order of the files, lowest first: sip_auth, sip_outreg, sip_qualify, sip_outreq;
 * sip_registrar, sip_message, sip_refer; sip_dispatch, sip_cli,
 * sip_cli_show, sip_dynconf. */
#ifndef ARIADNE_SIP_SERVICES_H
#define ARIADNE_SIP_SERVICES_H

/* After sip_int.h. */

struct cli_out;
/* One object of a CLI listing (sip_cli.c walks them through this). */
typedef void (sip_cli_obj_h)(const void *obj, void *arg);

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
 * providers; the registrations for `pjsip show registrations`: each one,
 * its id (the section's name) and its row. */
int sip_outreg_start(const struct config *pjsip);
void sip_outreg_close(void);
void sip_outreg_each(sip_cli_obj_h *h, void *arg);
void sip_outreg_id(const void *obj, char *buf, size_t size);
void sip_outreg_row(struct cli_out *out, const void *obj, bool recurse);

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
 * that frames well marks its connection as in use. A re-INVITE whose
 * offer we cannot take is answered 488 here (sip_reoffer.c). */
bool sip_dispatch_framing(const struct sip_msg *msg, void *arg);

/* Last, for responses: one no transaction of ours awaits is dropped (at
 * debug level) instead of libre printing it raw to stderr. */
bool sip_dispatch_stray_response(const struct sip_msg *msg, void *arg);

/* sip_cli.c — `pjsip show|list <objects> [like <regex>]` and `pjsip show
 * channels` in chan_pjsip's layout. A kind of object as its formatter
 * knows it, for sip_cli_show.c's views of one object too. */
struct sip_cli_kind {
	const char *type;       /* chan_pjsip's name: "endpoint", "aor" */
	const char *head;       /* its column heads */
	const char *nested;     /* the heads of what `show` nests under it */
	void (*each)(sip_cli_obj_h *h, void *arg);
	/* what `like` matches and `show <kind> <id>` names */
	void (*id)(const void *obj, char *buf, size_t size);
	/* its row; with recurse, what is nested under it */
	void (*rows)(struct cli_out *out, const void *obj, bool recurse);
};
/* NULL: no such kind. */
const struct sip_cli_kind *sip_cli_kind_find(const char *type);
/* A blank line, the heads (and the nested ones), the rule. */
void sip_cli_frame(struct cli_out *out, const struct sip_cli_kind *k,
		   bool recurse);
/* The object of kind k whose id is `id`; NULL: none. */
const void *sip_cli_find(const struct sip_cli_kind *k, const char *id);
/* chan_pjsip's short label of a contact's status ("Avail"). */
const char *sip_cli_contact_status(const char *status);
/* The md5 of a contact's URI in hex: its id is "<aor>;@<md5>". */
void sip_cli_contact_md5(const char *uri, char hex[33]);
/* "udp", "tcp", "tls" into buf. */
const char *sip_cli_transport_type(const struct sip_tp_conf *t, char *buf,
				   size_t size);

/* sip_cli_show.c — `pjsip show endpoint|aor|auth|transport|contact <id>`
 * and `pjsip reload`. */
int sip_cli_show_init(void);

/* sip_cli.c, sip_cli_show.c, sip_dynconf.c — started by sip.c. */
int sip_cli_init(void);
int sip_dynconf_init(void);

#endif
