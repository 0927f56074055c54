/* sip_call_out.c — the outgoing INVITE of a PJSIP channel (the tech's
 * call(), to the target request() chose in sip_call.c): it carries our SDP
 * offer; a 401/407 is answered once with the endpoint's outbound_auth
 * (libre's sipsess retries for us); 180/183 make the channel Ringing, 200
 * Up, and a failure hangs it up with chan_pjsip's cause. */
#include <errno.h>
#include <stdint.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
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
#include "media/media.h"
#include "sip/sip_int.h"
#include "sip/sip_services.h"
#include "sip/sip_call.h"

static void progr_h(const struct sip_msg *msg, void *arg)
{
	struct sip_call *call = arg;

	if (!call->ch || call->answered)
		return;
	if (msg->scode == 180 || msg->scode == 183) {
		if (mbuf_get_left(msg->mb) && call->ms)
			(void)media_session_set_answer(call->ms, msg->mb);
		if (channel_state(call->ch) != CHANNEL_RINGING)
			channel_set_state(call->ch, CHANNEL_RINGING);
	}
}

int sip_call_call(struct channel *ch, const char *resource, int timeout_s)
{
	struct sip_call *call = channel_pvt(ch);
	struct sip_endpoint *e;
	struct mbuf *offer = NULL;
	struct sa laddr;
	char from[256], callid[128];
	const char *uri;
	const char *user;
	int err;

	/* the core passes no resource here: the target was chosen by
	 * request() */
	(void)resource;
	(void)timeout_s;
	if (!call || !call->outbound || call->sess || !call->target)
		return EINVAL;
	e = call->ep;
	uri = call->target;
	if (sip_laddr_default(&laddr))
		return ENOTCONN;
	user = e->from_user ? e->from_user :
		(e->cid_num ? e->cid_num : "asterisk");
	if (e->from_domain)
		snprintf(from, sizeof(from), "sip:%s@%s", user, e->from_domain);
	else
		re_snprintf(from, sizeof(from), "sip:%s@%J", user, &laddr);
	if (call->ms) {
		err = media_session_offer(call->ms, &offer);
		if (err)
			return err;
	}
	err = sipsess_connect(&call->sess, sipmod.sock, uri,
			      e->cid_name, from, "asterisk", NULL, 0,
			      "application/sdp", offer, sip_auth_client, e,
			      true, sip_call_offer_h, sip_call_answer_h,
			      progr_h, sip_call_estab_h, sip_call_info_h,
			      sip_refer_h, sip_call_close_h, call,
			      "Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, "
			      "INFO, MESSAGE, REFER, NOTIFY\r\n");
	mem_deref(offer);
	if (err) {
		log_warning("%s: INVITE to '%s' failed: %s", channel_name(ch),
			    uri, strerror(err));
		return err;
	}
	re_snprintf(callid, sizeof(callid), "%s",
		    sip_dialog_callid(sipsess_dialog(call->sess)));
	channel_set_protocol_id(ch, callid);
	log_verbose(3, "Called %s (%s)", channel_name(ch), uri);
	return 0;
}
