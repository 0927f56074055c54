/* sip_call_sess.c — what both directions of a call share below the channel
 * technology: the sip_call object, its media session and caller id, and
 * the sipsess callbacks (SDP offer/answer, re-INVITE hold, established,
 * INFO DTMF, session end → hangup cause). The channel ops are in
 * sip_call.c, the INVITEs in sip_call_in.c and sip_call_out.c. */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stddef.h>
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
#include "core/channel.h"
#include "base/log.h"
#include "media/media.h"
#include "sip/sip_int.h"
#include "sip/sip_call.h"

static unsigned setup_count;

void sip_call_setup_begin(struct sip_call *call)
{
	if (call->in_setup)
		return;
	call->in_setup = true;
	setup_count++;
}

void sip_call_setup_end(struct sip_call *call)
{
	if (!call->in_setup)
		return;
	call->in_setup = false;
	setup_count--;
}

unsigned sip_call_setup_count(void)
{
	return setup_count;
}

static void call_destructor(void *arg)
{
	struct sip_call *call = arg;

	sip_call_setup_end(call);
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
		.rtp_keepalive_s = call->ep->rtp_keepalive,
	};

	return media_session_alloc(&call->ms, call->ch, laddr, &opts);
}

void sip_call_check_hold(struct sip_call *call)
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
	sip_call_check_hold(call);
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
