/* sip_call_out.c — the PJSIP channel technology, outgoing side:
 * PJSIP/alice (to the newest registered contact, else the aor's static
 * contact) and PJSIP/alice/sip:bob@host (explicit URI). The INVITE carries
 * our SDP offer; a 401/407 is answered once with the endpoint's
 * outbound_auth (libre's sipsess retries for us); 180/183 make the channel
 * Ringing, 200 Up, and a failure hangs it up with chan_pjsip's cause. */
#include <errno.h>
#include <stdint.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
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
#include "media/media.h"
#include "sip/sip_int.h"

/* "alice" or "alice/sip:bob@host" → endpoint and target URI */
static int parse_dest(const char *resource, struct sip_endpoint **ep,
		      char *uri, size_t size)
{
	const char *slash = strchr(resource, '/');
	char name[128];

	snprintf(name, sizeof(name), "%.*s",
		 (int)(slash ? (size_t)(slash - resource) : strlen(resource)),
		 resource);
	*ep = sip_endpoint_find(name);
	if (!*ep) {
		log_error("Unable to create PJSIP channel - endpoint '%s' was "
			  "not found", name);
		return ENOENT;
	}
	if (slash) {
		if (strncasecmp(slash + 1, "sip:", 4) ||
		    strpbrk(slash + 1, "\r\n<> "))
			return EINVAL;
		snprintf(uri, size, "%s", slash + 1);
		return 0;
	}
	if (sip_endpoint_contact_uri(*ep, uri, size)) {
		log_warning("Endpoint '%s': no available contact to call",
			    name);
		return ENOENT;
	}
	return 0;
}

int sip_call_request(struct channel **chp, const char *resource,
		     const char *id, const char *other_id)
{
	struct sip_endpoint *e;
	struct sip_call *call;
	struct sa laddr;
	char uri[256];
	int err;

	(void)other_id;
	if (!resource || !*resource)
		return EINVAL;
	err = parse_dest(resource, &e, uri, sizeof(uri));
	if (err)
		return err;
	if (sip_laddr(&laddr, SIP_TRANSP_UDP, NULL) &&
	    sip_laddr(&laddr, SIP_TRANSP_TCP, NULL))
		return ENOTCONN;
	err = sip_call_alloc(&call, e);
	if (err)
		return err;
	call->outbound = true;
	err = str_dup(&call->target, uri);
	if (!err)
		err = sip_call_channel(call, id);
	mem_deref(call); /* the channel holds it, if there is one */
	if (err)
		return err;
	sip_call_set_caller(call, e->cid_name ? e->cid_name : "",
			    e->cid_num ? e->cid_num : "");
	err = sip_call_media(call, &laddr);
	if (err) {
		log_warning("%s: no RTP session: %s",
			    channel_name(call->ch), strerror(err));
		channel_hangup(call->ch, CAUSE_FAILURE, "");
		return err;
	}
	*chp = call->ch;
	return 0;
}

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
	if (sip_laddr(&laddr, SIP_TRANSP_UDP, NULL) &&
	    sip_laddr(&laddr, SIP_TRANSP_TCP, NULL))
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
