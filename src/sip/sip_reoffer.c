/* sip_reoffer.c — requests inside a call that libre's sipsess answers
 * wrongly or not at all: a re-INVITE whose SDP offer we cannot take, and
 * UPDATE (RFC 3311). Not the offers we take from a re-INVITE: sipsess
 * hands those to sip_call_offer_h() (sip_call_sess.c).
 *
 * Why: sipsess answers a refused re-INVITE offer with 488 and strerror()
 * as its reason phrase ("488 Operation not supported", "488 Bad message"),
 * and nothing is logged; chan_pjsip answers "488 Not Acceptable Here", as
 * ariadne does to an INVITE's offer. So a re-INVITE with an offer is
 * tried here first (media_session_offer_check(), which changes nothing),
 * and one that would be refused is answered here, with a NOTICE that says
 * what is wrong with it.
 *
 * libre 1.1.0's sipsess does not know UPDATE: it went to the dispatcher,
 * which answered 481 Call/Transaction Does Not Exist to a live dialog;
 * RFC 5057 reads a 481 as the end of the dialog usage, and phones may drop
 * the call. chan_pjsip takes UPDATE: without SDP it refreshes the session
 * (200), with SDP it is an offer like a re-INVITE's. Before the call is
 * answered an offer cannot be taken yet (RFC 3311 5.2): ours is awaiting
 * its answer (an outgoing call: 491) or the peer's awaits ours in the 200
 * (an incoming call: 500 with Retry-After). */
#include <errno.h>
#include <stdint.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stddef.h>
#include <string.h>
#include <re_types.h>
#include <re_fmt.h>
#include <re_mem.h>
#include <re_mbuf.h>
#include <re_list.h>
#include <re_sa.h>
#include <re_sys.h>
#include <re_uri.h>
#include <re_msg.h>
#include <re_sip.h>
#include <re_sipsess.h>
#include "core/channel.h"
#include "base/log.h"
#include "base/reason.h"
#include "media/media.h"
#include "sip/sip_int.h"
#include "sip/sip_call.h"

struct find {
	const struct sip_msg *msg;
	struct sip_call *call;
};

/* A SIP channel whose session's dialog the request belongs to. */
static bool in_dialog(struct channel *ch, void *arg)
{
	struct find *f = arg;
	const char *id = channel_protocol_id(ch);
	struct sip_call *call;

	if (!id || pl_strcmp(&f->msg->callid, id) ||
	    strcmp(channel_tech_type(ch), SIP_TECH_TYPE) ||
	    channel_is_hungup(ch))
		return false;
	call = channel_pvt(ch);
	if (!call || !call->sess ||
	    !sip_dialog_cmp(sipsess_dialog(call->sess), f->msg))
		return false;
	f->call = call;
	return true;
}

static struct sip_call *call_of(const struct sip_msg *msg)
{
	struct find f = {.msg = msg};

	if (!pl_isset(&msg->callid) || !pl_isset(&msg->to.tag))
		return NULL;
	channel_foreach(in_dialog, &f);
	return f.call;
}

/* Can this offer be taken? 0, or the refusal sent and logged (errno). */
static int offer_taken(const struct sip_call *call, const struct sip_msg *msg)
{
	char why[160], line[320];
	uint16_t status = 488;
	int err;

	if (!msg_ctype_cmp(&msg->ctyp, "application", "sdp")) {
		(void)sip_treplyf(NULL, NULL, sipmod.sip, msg, false, 415,
				  reason_sip(415), "Accept: application/sdp\r\n"
				  "Content-Length: 0\r\n\r\n");
		re_snprintf(why, sizeof(why), "its body is '%r/%r', not SDP",
			    &msg->ctyp.type, &msg->ctyp.subtype);
		status = 415;
		err = EPROTO;
	}
	else {
		err = media_session_offer_check(call->ms, msg->mb, why,
						sizeof(why));
		if (!err || err == ENOMEM)
			return err;
		(void)sip_treply(NULL, sipmod.sip, msg, status,
				 reason_sip(status));
	}
	re_snprintf(line, sizeof(line), "%s: %r from '%J' refused (%u %s): "
		    "%s", call->ch ? channel_name(call->ch) : "?", &msg->met,
		    &msg->src, status, reason_sip(status), why);
	log_notice("%s", line);
	return err;
}

bool sip_reoffer_refused(const struct sip_msg *msg)
{
	struct sip_call *call;
	int err;

	if (pl_strcmp(&msg->met, "INVITE") || !mbuf_get_left(msg->mb))
		return false;
	call = call_of(msg);
	/* unknown dialogs, and CSeqs out of order, are sipsess's to
	 * answer; a request taken here counts as seen (RFC 3261 12.2.2) */
	if (!call || !call->ms ||
	    !sip_dialog_rseq_valid(sipsess_dialog(call->sess), msg))
		return false;
	err = offer_taken(call, msg);
	return err && err != ENOMEM;
}

/* The 200 to an UPDATE: our Contact (a target refresh, RFC 3311 5.2), and
 * the answer to its offer if it had one. */
static void update_ok(const struct sip_msg *msg, struct mbuf *answer)
{
	struct sip_contact contact;

	sip_contact_set(&contact, "asterisk", &msg->dst,
			(enum sip_transp)msg->tp);
	(void)sip_treplyf(NULL, NULL, sipmod.sip, msg, false, 200, "OK",
			  "%H%s%sContent-Length: %zu\r\n\r\n%b",
			  sip_contact_print, &contact, SIP_CALL_ALLOW_HDR,
			  answer ? "Content-Type: application/sdp\r\n" : "",
			  answer ? mbuf_get_left(answer) : (size_t)0,
			  answer ? mbuf_buf(answer) : NULL,
			  answer ? mbuf_get_left(answer) : (size_t)0);
}

bool sip_update_request(const struct sip_msg *msg)
{
	struct sip_call *call = call_of(msg);
	struct sip_dialog *dlg;
	struct mbuf *answer = NULL;
	int err;

	if (!call)
		return false;   /* 481: no such dialog */
	dlg = sipsess_dialog(call->sess);
	if (!sip_dialog_rseq_valid(dlg, msg)) {
		/* RFC 3261 12.2.2: a CSeq lower than the last one */
		(void)sip_treply(NULL, sipmod.sip, msg, 500,
				 reason_sip(500));
		return true;
	}
	if (mbuf_get_left(msg->mb)) {
		if (call->outbound && !call->answered) {
			(void)sip_treply(NULL, sipmod.sip, msg, 491,
					 "Request Pending");
			return true;
		}
		if (!call->outbound && !call->answered) {
			(void)sip_treplyf(NULL, NULL, sipmod.sip, msg, false,
					  500, reason_sip(500),
					  "Retry-After: %u\r\n"
					  "Content-Length: 0\r\n\r\n",
					  (unsigned)(1 + rand_u16() % 10));
			return true;
		}
		err = call->ms ? offer_taken(call, msg) : ENOMEM;
		if (err && err != ENOMEM)
			return true;   /* refused, and said why */
		if (err || media_session_answer(call->ms, msg->mb, &answer)) {
			(void)sip_treply(NULL, sipmod.sip, msg, 500,
					 reason_sip(500));
			return true;
		}
		sip_call_check_hold(call);
	}
	(void)sip_dialog_update(dlg, msg);
	update_ok(msg, answer);
	mem_deref(answer);
	return true;
}
