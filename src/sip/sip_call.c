/* sip_call.c — the PJSIP channel technology: the ops the core calls on a
 * PJSIP channel (request, call, answer, indicate, hangup, digits, redirect,
 * RTP stats, transfer progress) and the one place a channel is named
 * PJSIP/<endpoint>-<hex>. request() resolves PJSIP/alice (the newest
 * registered contact, else the aor's static contact) and
 * PJSIP/alice/sip:bob@host (an explicit URI). The INVITEs are in
 * sip_call_in.c and sip_call_out.c, what both share in sip_call_sess.c. */
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
#include "base/metrics.h"
#include "base/reason.h"
#include "media/media.h"
#include "sip/sip_int.h"
#include "sip/sip_call.h"

static unsigned chan_seq;

void sip_call_count(bool outbound, double n)
{
	metrics_count("ariadne_sip_calls_total", "SIP calls, by direction "
		      "(in: an INVITE became a channel; out: a channel dials "
		      "out)", outbound ? "direction=\"out\"" :
		      "direction=\"in\"", n);
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
	sip_call_count(call->outbound, 1);
	snprintf(res, sizeof(res), "PJSIP/%s", call->ep->name);
	channel_set_endpoint(call->ch, res);
	channel_set_language(call->ch, call->ep->language);
	return 0;
}

/* Send the held INVITE's response through sipsess (1xx/2xx). */
static int accept_with(struct sip_call *call, uint16_t scode,
		       const char *reason, struct mbuf *desc)
{
	const char *cuser = "asterisk";
	int err;

	call->st = mem_deref(call->st); /* sipsess takes over the INVITE */
	if (scode >= 200)
		sip_answered_begin();
	err = sipsess_accept(&call->sess, sipmod.sock, call->msg, scode,
			     reason, cuser, "application/sdp", desc, NULL,
			     NULL, false, sip_call_offer_h, sip_call_answer_h,
			     sip_call_estab_h, sip_call_info_h, sip_refer_h,
			     sip_call_close_h, call, SIP_CALL_ALLOW_HDR);
	if (scode >= 200)
		sip_answered_end(err ? NULL : call->msg);
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
	else {
		sip_answered_begin();
		err = sipsess_answer(call->sess, 200, "OK", our_sdp(call),
				     SIP_CALL_ALLOW_HDR);
		sip_answered_end(err ? NULL : call->msg);
	}
	if (!err) {
		call->answered = true;
		sip_call_setup_end(call);
	}
	return err;
}

static int reject(struct sip_call *call, uint16_t scode, const char *extra)
{
	int err;

	if (call->final_sent || call->answered || call->outbound)
		return EINVAL;
	call->final_sent = true;
	sip_call_setup_end(call);
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

	/* An answered call cannot be told it rings: chan_pjsip refuses, and
	 * the core plays the ringback in band instead. */
	if (call && call->answered && (ind == CHANNEL_IND_RINGING ||
				       ind == CHANNEL_IND_RINGING_STOP))
		return ENOTSUP;
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
	sip_call_setup_end(call);
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
	.type = SIP_TECH_TYPE,
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

/* "alice" or "alice/sip:bob@host" → endpoint and target URI */
static int parse_dest(const char *resource, struct sip_endpoint **ep,
		      char *uri, size_t size)
{
	int n = (int)strcspn(resource, "/");
	int err = sip_endpoint_resource(resource, ep, uri, size);

	if (!*ep) {
		log_error("Unable to create PJSIP channel - endpoint '%.*s' "
			  "was not found", n, resource);
		return ENOENT;
	}
	if (resource[n] == '/')
		return strncasecmp(uri, "sip:", 4) || strpbrk(uri, "\r\n<> ") ?
			EINVAL : 0;
	if (err) {
		log_warning("Endpoint '%.*s': no available contact to call", n,
			    resource);
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
	if (sip_laddr_default(&laddr))
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
