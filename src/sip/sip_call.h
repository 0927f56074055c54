/* sip_call.h — calls of the SIP module, on top of sip_int.h and
 * sip_services.h: the sip_call object and its sipsess callbacks
 * (sip_call_sess.c), REFER inside a call (sip_refer.c), the outgoing INVITE
 * (sip_call_out.c), the PJSIP channel technology (sip_call.c) and the
 * incoming INVITE (sip_call_in.c), in that order, lowest first; requests
 * inside a call sipsess does not answer well (sip_reoffer.c). For those
 * files, sip.c and sip_dispatch.c only. */
#ifndef ARIADNE_SIP_CALL_H
#define ARIADNE_SIP_CALL_H

/* After sip_int.h (and sip_services.h where a file uses it). */

struct channel;
struct mbuf;
enum channel_transfer_state;

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
	bool in_setup;               /* inbound, counted in the calls in
	                              * setup until answered or hung up */
};

/* sip_call_sess.c — the call object and what both directions share. */
int sip_call_alloc(struct sip_call **callp, struct sip_endpoint *ep);
/* Calls in setup: incoming INVITEs not yet answered, rejected or hung up
 * ([options] maxsetup). end is idempotent and also done by the call's
 * destructor, so a call that never got further cannot stay counted. */
void sip_call_setup_begin(struct sip_call *call);
void sip_call_setup_end(struct sip_call *call);
unsigned sip_call_setup_count(void);
/* sipsess callbacks shared by both directions */
int sip_call_offer_h(struct mbuf **descp, const struct sip_msg *msg,
		     void *arg);
int sip_call_answer_h(const struct sip_msg *msg, void *arg);
void sip_call_estab_h(const struct sip_msg *msg, void *arg);
void sip_call_info_h(struct sip *sip, const struct sip_msg *msg, void *arg);
void sip_call_close_h(int err, const struct sip_msg *msg, void *arg);
int sip_call_media(struct sip_call *call, const struct sa *laddr);
void sip_call_set_caller(struct sip_call *call, const char *name,
			 const char *num);
/* A re-INVITE or the first offer put the peer on hold or took it off. */
void sip_call_check_hold(struct sip_call *call);

/* sip_refer.c — REFER inside a call: the sipsess handler, and the
 * progress the application reports (transfer_progress). */
void sip_refer_h(struct sip *sip, const struct sip_msg *msg, void *arg);
int sip_refer_progress(struct channel *ch, enum channel_transfer_state st);

/* sip_call_out.c — the tech's call(): the INVITE out. */
int sip_call_call(struct channel *ch, const char *resource, int timeout_s);

/* The methods a call takes (Allow in its INVITE's answers and UPDATE's). */
#define SIP_CALL_ALLOW_HDR "Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, " \
	"INFO, UPDATE, MESSAGE, REFER, NOTIFY\r\n"

/* sip_reoffer.c — requests inside a call sipsess answers wrongly or not at
 * all; for sip_dispatch.c, which sees requests before and after sipsess.
 * Before it: a re-INVITE whose offer we cannot take is answered (488, 415)
 * and logged here; true when it was. After it: UPDATE (RFC 3311), false
 * when it names no dialog of ours. */
bool sip_reoffer_refused(const struct sip_msg *msg);
bool sip_update_request(const struct sip_msg *msg);

/* sip_call.c — the channel technology, and the naming of its channels.
 * SIP_TECH_TYPE is its type name; files below sip_call.c compare against
 * it rather than against sip_tech, so they do not depend on that file. */
#define SIP_TECH_TYPE "PJSIP"
extern const struct channel_tech sip_tech;
int sip_call_request(struct channel **chp, const char *resource,
		     const char *id, const char *other_id);

/* Channel name: PJSIP/<endpoint>-<8 hex digits> */
int sip_call_channel(struct sip_call *call, const char *id);
/* Add n to ariadne_sip_calls_total of a direction (0 makes the series
 * there from the start, for rate() and alerts). */
void sip_call_count(bool outbound, double n);

/* sip_call_in.c — sipsess_listen's handler for a new INVITE. */
void sip_call_incoming(const struct sip_msg *msg, void *arg);

#endif
