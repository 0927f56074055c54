/* sip_call.c — the PJSIP channel technology, incoming side: an INVITE from
 * an identified, authenticated endpoint becomes PJSIP/<endpoint>-<hex> in
 * the endpoint's context, state Ring. Until the application rings or
 * answers, the INVITE is held in our own server transaction (100 Trying at
 * once; libre's sipsess_accept cannot send a bare 100), so CANCEL and
 * retransmissions are handled by the stack. Also the parts both directions
 * share: channel ops, re-INVITE hold, SIP INFO DTMF, and hangup ↔ SIP
 * response mapping. Outgoing calls are in sip_call_out.c. */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <re_types.h>
#include <re_fmt.h>
#include <re_mem.h>
#include <re_mbuf.h>
#include <re_list.h>
#include <re_sa.h>
#include <re_uri.h>
#include <re_msg.h>
#include <re_sip.h>
#include <re_sipsess.h>
#include "core/channel.h"
#include "base/log.h"
#include "base/reason.h"
#include "pbx/pbx.h"
#include "media/media.h"
#include "sip/sip_int.h"

#define ALLOW_HDR "Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, MESSAGE, " \
	"REFER, NOTIFY\r\n"

static unsigned chan_seq;

static void call_destructor(void *arg)
{
	struct sip_call *call = arg;

	mem_deref(call->sess);
	mem_deref(call->st);
	mem_deref((void *)call->msg);
	mem_deref(call->answer);
	mem_deref(call->target);
	mem_deref(call->ep);
}

int sip_call_alloc(struct sip_call **callp, struct sip_endpoint *ep)
{
	struct sip_call *call = mem_zalloc(sizeof(*call), call_destructor);

	if (!call)
		return ENOMEM;
	call->ep = mem_ref(ep);
	*callp = call;
	return 0;
}

int sip_call_channel(struct sip_call *call, const char *id)
{
	char res[160];
	int err;

	err = channel_alloc(&call->ch, &sip_tech, id, NULL, call,
			    "PJSIP/%s-%08x", call->ep->name, ++chan_seq);
	if (err)
		return err;
	mem_ref(call); /* the channel's pvt reference, dropped by hangup */
	snprintf(res, sizeof(res), "PJSIP/%s", call->ep->name);
	channel_set_endpoint(call->ch, res);
	channel_set_language(call->ch, call->ep->language);
	return 0;
}

void sip_call_set_caller(struct sip_call *call, const char *name,
			 const char *num)
{
	/* a configured callerid wins over what the phone says, as with
	 * res_pjsip_caller_id without trust_id_inbound */
	if (call->ep->cid_num || call->ep->cid_name)
		channel_set_caller(call->ch, call->ep->cid_name ?
				   call->ep->cid_name : "",
				   call->ep->cid_num ? call->ep->cid_num : "");
	else
		channel_set_caller(call->ch, name, num);
}

int sip_call_media(struct sip_call *call, const struct sa *laddr)
{
	struct media_opts opts = {
		.allow = call->ep->allow,
		.dtmf = call->ep->dtmf == SIP_DTMF_INFO ? MEDIA_DTMF_INFO :
			MEDIA_DTMF_RFC4733,
		.rtp_timeout_s = call->ep->rtp_timeout,
	};

	return media_session_alloc(&call->ms, call->ch, laddr, &opts);
}

static void check_hold(struct sip_call *call)
{
	bool held;

	if (!call->ms || !call->ch)
		return;
	held = media_session_remote_hold(call->ms);
	if (held == call->held)
		return;
	call->held = held;
	channel_remote_hold(call->ch, held, NULL);
}

/* re-INVITE (or UPDATE) with an offer */
int sip_call_offer_h(struct mbuf **descp, const struct sip_msg *msg,
		     void *arg)
{
	struct sip_call *call = arg;
	int err;

	if (!call->ms)
		return EPROTO;
	if (!mbuf_get_left(msg->mb))
		return media_session_offer(call->ms, descp);
	err = media_session_answer(call->ms, msg->mb, descp);
	if (err)
		return err;
	check_hold(call);
	return 0;
}

/* the SDP answer: ACK of a late-offer INVITE, or 200 to our offer */
int sip_call_answer_h(const struct sip_msg *msg, void *arg)
{
	struct sip_call *call = arg;
	int err;

	if (!call->ms || !mbuf_get_left(msg->mb))
		return 0;
	err = media_session_set_answer(call->ms, msg->mb);
	if (err)
		log_warning("%s: SDP answer not usable: %s",
			    call->ch ? channel_name(call->ch) : "?",
			    strerror(err));
	return err;
}

void sip_call_estab_h(const struct sip_msg *msg, void *arg)
{
	struct sip_call *call = arg;

	(void)msg;
	if (call->outbound && call->ch && !call->answered) {
		call->answered = true;
		channel_set_state(call->ch, CHANNEL_UP);
	}
}

static char dtmf_from_signal(const struct pl *v)
{
	if (v->l == 1) {
		char c = (char)toupper((unsigned char)v->p[0]);

		if (strchr("0123456789*#ABCD", c))
			return c;
		return 0;
	}
	if (!pl_strcmp(v, "10"))
		return '*';
	if (!pl_strcmp(v, "11"))
		return '#';
	return 0;
}

void sip_call_info_h(struct sip *sip, const struct sip_msg *msg, void *arg)
{
	struct sip_call *call = arg;
	struct pl body, sig = PL_INIT, dur = PL_INIT;
	unsigned duration = 100;
	char digit = 0;

	pl_set_mbuf(&body, msg->mb);
	if (msg_ctype_cmp(&msg->ctyp, "application", "dtmf-relay")) {
		if (re_regex(body.p, body.l, "Signal[ \t]*=[ \t]*[0-9A-D*#]+",
			     NULL, NULL, &sig)) {
			(void)sip_reply(sip, msg, 400, "Bad Request");
			return;
		}
		if (!re_regex(body.p, body.l, "Duration[ \t]*=[ \t]*[0-9]+",
			      NULL, NULL, &dur))
			duration = pl_u32(&dur);
		digit = dtmf_from_signal(&sig);
	} else if (msg_ctype_cmp(&msg->ctyp, "application", "dtmf")) {
		if (!re_regex(body.p, body.l, "[0-9A-D*#]+", &sig))
			digit = dtmf_from_signal(&sig);
	} else if (!mbuf_get_left(msg->mb)) {
		(void)sip_reply(sip, msg, 200, "OK"); /* keepalive INFO */
		return;
	} else {
		(void)sip_reply(sip, msg, 415, "Unsupported Media Type");
		return;
	}
	(void)sip_reply(sip, msg, 200, "OK");
	if (digit && call->ch)
		channel_dtmf_received(call->ch, digit,
				      duration ? duration : 100);
}

/* Reason: Q.850;cause=N in BYE/CANCEL (RFC 3326) */
static int reason_cause(const struct sip_msg *msg)
{
	const struct sip_hdr *h;
	struct pl v;

	if (!msg)
		return 0;
	h = sip_msg_hdr(msg, SIP_HDR_REASON);
	if (!h || (h->val.l < 5 || strncasecmp(h->val.p, "Q.850", 5)))
		return 0;
	if (msg_param_decode(&h->val, "cause", &v))
		return 0;
	return (int)pl_u32(&v);
}

void sip_call_close_h(int err, const struct sip_msg *msg, void *arg)
{
	struct sip_call *call = arg;
	struct channel *ch = call->ch;
	int cause = CAUSE_NORMAL_CLEARING, status = 0;

	if (!ch)
		return;
	if (msg && msg->scode >= 300) {
		status = msg->scode;
		cause = sip_cause_from_status(status);
		char reason[64];

		pl_strcpy(&msg->reason, reason, sizeof(reason));
		log_verbose(3, "%s: call failed: %u %s", channel_name(ch),
			    msg->scode, reason);
	} else if (err == ETIMEDOUT) {
		status = 408;
		cause = sip_cause_from_status(408);
	} else if (!call->outbound && !call->answered) {
		/* CANCEL: pjsip ends the session with inv cause 487, and
		 * chan_pjsip_session_end() hangs up with hangup_sip2cause(487)
		 * = AST_CAUSE_INTERWORKING (127), not 16; a BYE ends it with
		 * 16 (the last branch). pre_cancel() does the same. */
		status = 487;
		cause = sip_cause_from_status(487);
	} else if (err && err != ECONNRESET) {
		cause = CAUSE_FAILURE;
	}
	if (reason_cause(msg))
		cause = reason_cause(msg);
	call->final_sent = true;
	if (status)
		channel_set_tech_cause(ch, status);
	channel_hangup(ch, cause, channel_name(ch));
}

/* Send the held INVITE's response through sipsess (1xx/2xx). */
static int accept_with(struct sip_call *call, uint16_t scode,
		       const char *reason, struct mbuf *desc)
{
	const char *cuser = "asterisk";
	int err;

	call->st = mem_deref(call->st); /* sipsess takes over the INVITE */
	err = sipsess_accept(&call->sess, sipmod.sock, call->msg, scode,
			     reason, cuser, "application/sdp", desc, NULL,
			     NULL, false, sip_call_offer_h, sip_call_answer_h,
			     sip_call_estab_h, sip_call_info_h, sip_refer_h,
			     sip_call_close_h, call, ALLOW_HDR);
	if (err)
		log_warning("%s: could not accept the INVITE: %s",
			    channel_name(call->ch), strerror(err));
	return err;
}

static struct mbuf *our_sdp(struct sip_call *call)
{
	if (call->answer)
		return call->answer;
	/* late offer: we offer in the 200, the peer answers in the ACK */
	if (call->ms && !media_session_offer(call->ms, &call->answer))
		return call->answer;
	return NULL;
}

static int tech_answer(struct channel *ch)
{
	struct sip_call *call = channel_pvt(ch);
	int err;

	if (!call || call->outbound)
		return 0;
	if (call->answered)
		return 0;
	if (call->final_sent)
		return EINVAL;
	if (!call->sess)
		err = accept_with(call, 200, "OK", our_sdp(call));
	else
		err = sipsess_answer(call->sess, 200, "OK", our_sdp(call),
				     ALLOW_HDR);
	if (!err)
		call->answered = true;
	return err;
}

static int reject(struct sip_call *call, uint16_t scode, const char *extra)
{
	int err;

	if (call->final_sent || call->answered || call->outbound)
		return EINVAL;
	call->final_sent = true;
	if (call->st)
		err = sip_treplyf(&call->st, NULL, sipmod.sip, call->msg, true,
				  scode, reason_sip(scode),
				  "%sContent-Length: 0\r\n\r\n",
				  extra ? extra : "");
	else
		err = sipsess_reject(call->sess, scode, reason_sip(scode),
				     "%sContent-Length: 0\r\n\r\n",
				     extra ? extra : "");
	return err;
}

static int tech_indicate(struct channel *ch, enum channel_indication ind)
{
	struct sip_call *call = channel_pvt(ch);

	if (!call || call->outbound || call->answered || call->final_sent)
		return 0;
	switch (ind) {
	case CHANNEL_IND_RINGING:
		if (!call->sess)
			return accept_with(call, 180, "Ringing", NULL);
		return sipsess_progress(call->sess, 180, "Ringing", NULL,
					"");
	case CHANNEL_IND_PROGRESS:
		if (!call->sess)
			return accept_with(call, 183, "Session Progress",
					   our_sdp(call));
		return sipsess_progress(call->sess, 183, "Session Progress",
					our_sdp(call), "");
	case CHANNEL_IND_BUSY:
		channel_set_tech_cause(ch, 486);
		return reject(call, 486, NULL);
	case CHANNEL_IND_CONGESTION:
		channel_set_tech_cause(ch, 503);
		return reject(call, 503, NULL);
	default:
		return 0;
	}
}

static void tech_hangup(struct channel *ch, int cause)
{
	struct sip_call *call = channel_pvt(ch);
	int status;

	if (!call)
		return;
	call->ch = NULL;
	call->ms = NULL; /* freed by media's hangup hook */
	channel_set_pvt(ch, NULL);
	if (!call->outbound && !call->answered && !call->final_sent) {
		/* pjsip ends an unanswered session with 603 when the cause
		 * has no mapping */
		status = sip_status_from_cause(cause);
		(void)reject(call, status ? (uint16_t)status : 603, NULL);
	} else if (call->sess) {
		(void)sipsess_set_close_headers(call->sess,
						"Reason: Q.850;cause=%d\r\n",
						cause);
	}
	/* dropping the session sends BYE, or CANCEL for an outgoing call
	 * not yet answered; libre finishes the transaction on its own */
	call->sess = mem_deref(call->sess);
	mem_deref(call);
}

static int tech_send_digit(struct channel *ch, char digit, int duration_ms)
{
	struct sip_call *call = channel_pvt(ch);
	struct mbuf *mb;
	int err;

	if (!call)
		return EINVAL;
	if (call->ep->dtmf != SIP_DTMF_INFO)
		return call->ms ? media_session_send_digit(call->ms, digit,
							   duration_ms) :
			ENOTSUP;
	if (!call->sess)
		return ENOTCONN;
	mb = mbuf_alloc(64);
	if (!mb)
		return ENOMEM;
	(void)mbuf_printf(mb, "Signal=%c\r\nDuration=%d\r\n", digit,
			  duration_ms > 0 ? duration_ms : 100);
	mb->pos = 0;
	err = sipsess_info(call->sess, "application/dtmf-relay", mb, NULL,
			   NULL);
	mem_deref(mb);
	return err;
}

/* ARI redirect of an unanswered call: 302 with the target as Contact. */
static int tech_redirect(struct channel *ch, const char *endpoint)
{
	struct sip_call *call = channel_pvt(ch);
	char uri[256], hdr[300];
	const char *t = endpoint;
	struct sip_endpoint *e;
	int err;

	if (!call || !t)
		return EINVAL;
	if (call->answered || call->outbound || call->final_sent)
		return ENOTSUP;  /* REFER is not implemented */
	if (!strncasecmp(t, "PJSIP/", 6))
		t += 6;
	if (!strncasecmp(t, "sip:", 4))
		snprintf(uri, sizeof(uri), "%s", t);
	else if ((e = sip_endpoint_find(t)) &&
		 !sip_endpoint_contact_uri(e, uri, sizeof(uri)))
		;
	else {
		struct sa local = call->msg->dst;

		sip_concrete_laddr(&local, &call->msg->src);
		re_snprintf(uri, sizeof(uri), "sip:%s@%J", t, &local);
	}
	if (strpbrk(uri, "\r\n<>"))
		return EINVAL;
	snprintf(hdr, sizeof(hdr), "Contact: <%s>\r\n", uri);
	channel_set_tech_cause(ch, 302);
	err = reject(call, 302, hdr);
	if (err)
		return err;
	/* chan_pjsip's transfer_redirect ends the session with the 302, and
	 * the session end hangs the channel up with hangup_sip2cause(302),
	 * which is Normal Clearing. Last: the hangup frees call. */
	log_verbose(3, "%s: redirected to '%s'", channel_name(ch), uri);
	channel_hangup(ch, CAUSE_NORMAL_CLEARING, channel_name(ch));
	return 0;
}

static int tech_rtp_stats(const struct channel *ch,
			  struct channel_rtp_stats *st)
{
	const struct sip_call *call = channel_pvt(ch);

	if (!call || !call->ms)
		return ENOENT;
	return media_session_stats(call->ms, st);
}

const struct channel_tech sip_tech = {
	.type = "PJSIP",
	.description = "PJSIP Channel Driver",
	.request = sip_call_request,
	.call = sip_call_call,
	.answer = tech_answer,
	.hangup = tech_hangup,
	.indicate = tech_indicate,
	.send_digit = tech_send_digit,
	.redirect = tech_redirect,
	.rtp_stats = tech_rtp_stats,
	.transfer_progress = sip_refer_progress,
};

/* CANCEL while we still hold the INVITE ourselves */
static void pre_cancel(void *arg)
{
	struct sip_call *call = arg;

	if (call->final_sent)
		return;
	call->final_sent = true;
	(void)sip_treply(&call->st, sipmod.sip, call->msg, 487,
			 "Request Terminated");
	if (call->ch) {
		channel_set_tech_cause(call->ch, 487);
		channel_hangup(call->ch, sip_cause_from_status(487),
			       channel_name(call->ch));
	}
}

static void start_call(struct sip_call *call, const struct sip_msg *msg)
{
	char exten[80] = "s", name[80] = "", num[80] = "", callid[128];
	int err;

	if (pl_isset(&msg->uri.user))
		(void)re_snprintf(exten, sizeof(exten), "%H",
				  uri_user_unescape, &msg->uri.user);
	if (pl_isset(&msg->from.dname))
		(void)re_snprintf(name, sizeof(name), "%r", &msg->from.dname);
	if (name[0] == '"') {
		memmove(name, name + 1, strlen(name));
		if (*name && name[strlen(name) - 1] == '"')
			name[strlen(name) - 1] = '\0';
	}
	(void)re_snprintf(num, sizeof(num), "%r", &msg->from.uri.user);
	(void)re_snprintf(callid, sizeof(callid), "%r", &msg->callid);

	err = sip_call_channel(call, NULL);
	if (err) {
		(void)sip_treply(&call->st, sipmod.sip, msg, 503,
				 "Service Unavailable");
		return;
	}
	channel_set_protocol_id(call->ch, callid);
	sip_call_set_caller(call, name, num);
	{
		struct sa local = msg->dst;

		sip_concrete_laddr(&local, &msg->src);
		err = sip_call_media(call, &local);
	}
	if (!err && mbuf_get_left(msg->mb))
		err = media_session_answer(call->ms, msg->mb, &call->answer);
	if (err) {
		int status = err == EBADMSG ? 400 : 488;

		log_warning("%s: cannot answer the offer: %s (%d)",
			    channel_name(call->ch), strerror(err), status);
		channel_set_tech_cause(call->ch, status);
		call->final_sent = true;
		(void)sip_treply(&call->st, sipmod.sip, msg, (uint16_t)status,
				 reason_sip(status));
		channel_hangup(call->ch, sip_cause_from_status(status),
			       channel_name(call->ch));
		return;
	}
	check_hold(call);
	channel_set_state(call->ch, CHANNEL_RING);
	log_verbose(3, "%s: incoming call from '%s' to %s@%s",
		    channel_name(call->ch), num, exten, call->ep->context);
	err = pbx_start(call->ch, call->ep->context, exten, 1);
	if (err && call->ch)
		channel_hangup(call->ch, CAUSE_CONGESTION, "pbx");
}

/* sipsess's handler for a new INVITE (no To tag) */
void sip_call_incoming(const struct sip_msg *msg, void *arg)
{
	struct sip_endpoint *e = NULL;
	struct sip_call *call;

	(void)arg;
	if (!pl_isset(&msg->callid) || !pl_isset(&msg->from.auri) ||
	    !pl_isset(&msg->from.tag)) {
		(void)sip_reply(sipmod.sip, msg, 400, "Bad Request");
		return;
	}
	if (mbuf_get_left(msg->mb) &&
	    !msg_ctype_cmp(&msg->ctyp, "application", "sdp")) {
		(void)sip_replyf(sipmod.sip, msg, 415, "Unsupported Media Type",
				 "Accept: application/sdp\r\n"
				 "Content-Length: 0\r\n\r\n");
		return;
	}
	if (mbuf_get_left(msg->mb) &&
	    (mbuf_get_left(msg->mb) < 2 || memcmp(mbuf_buf(msg->mb), "v=", 2))) {
		/* not SDP at all: refuse before making a channel */
		(void)sip_reply(sipmod.sip, msg, 400, "Bad Request");
		return;
	}
	if (sip_authorize(msg, &e))
		return;
	if (sip_call_alloc(&call, e)) {
		(void)sip_reply(sipmod.sip, msg, 500, "Internal Server Error");
		return;
	}
	call->msg = mem_ref((void *)msg);
	if (sip_strans_alloc(&call->st, sipmod.sip, msg, pre_cancel, call) ||
	    sip_treply(&call->st, sipmod.sip, msg, 100, "Trying")) {
		if (call->st)
			(void)sip_treply(&call->st, sipmod.sip, msg, 500,
					 "Internal Server Error");
		mem_deref(call);
		return;
	}
	start_call(call, msg);
	mem_deref(call); /* the channel holds it now, if it still exists */
}
