/* sip_call_in.c — an incoming INVITE from an identified, authenticated
 * endpoint becomes PJSIP/<endpoint>-<hex> in the endpoint's context, state
 * Ring, unless the server is shedding new calls (503 with Retry-After:
 * [options] maxcalls, maxload, maxlag, maxsetup). Until the application
 * rings or answers, the INVITE is held in our own server transaction (100
 * Trying at once; libre's sipsess_accept cannot send a bare 100), so
 * CANCEL and retransmissions are handled by the stack. */
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
#include <re_uri.h>
#include <re_msg.h>
#include <re_sip.h>
#include "core/channel.h"
#include "core/overload.h"
#include "base/log.h"
#include "base/options.h"
#include "base/reason.h"
#include "pbx/dialplan.h"
#include "pbx/pbx.h"
#include "media/media.h"
#include "sip/sip_int.h"
#include "sip/sip_services.h"
#include "sip/sip_call.h"

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

/* Ours, not the offer's: no RTP port left, no descriptor, no memory. A
 * 503 with Retry-After sends the caller (or a proxy) elsewhere or back
 * later; a 488 would tell it the offer itself can never work. */
static bool out_of_resources(int err)
{
	return err == EADDRINUSE || err == EMFILE || err == ENFILE ||
	       err == ENOMEM || err == ENOBUFS;
}

static void refuse_offer(struct sip_call *call, const struct sip_msg *msg,
			 int status)
{
	char retry[40] = "";

	if (status == 503)
		(void)sip_retry_after_hdr(retry, sizeof(retry));
	(void)sip_treplyf(&call->st, NULL, sipmod.sip, msg, false,
			  (uint16_t)status, reason_sip(status),
			  "%sContent-Length: 0\r\n\r\n", retry);
}

/* As chan_pjsip: a call to an extension the endpoint's context does not
 * have gets 404 before any channel exists, with the NOTICE fail2ban's
 * asterisk filter reads (a scanner walking numbers is banned, and costs
 * no channel). It used to run into the dialplan and end 603. */
static bool exten_missing(struct sip_call *call, const struct sip_msg *msg,
			  const char *exten)
{
	char ip[64] = "";

	if (dialplan_find(call->ep->context, exten, 1))
		return false;
	(void)sa_ntop(&msg->src, ip, sizeof(ip));
	log_notice("Call from '%s' (%s:%s:%u) to extension '%s' rejected "
		   "because extension not found in context '%s'.",
		   call->ep->name, sip_transp_name(msg->tp), ip,
		   sa_port(&msg->src), exten, call->ep->context);
	(void)sip_treply(&call->st, sipmod.sip, msg, 404, "Not Found");
	return true;
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

	if (exten_missing(call, msg, exten))
		return;
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
		int status = err == EBADMSG ? 400 : out_of_resources(err) ?
			     503 : 488;

		/* an offer refused for what it says was logged (NOTICE)
		 * with why by the SDP check; this is for the rest */
		if (err != EBADMSG && err != EPROTO && err != ENOTSUP)
			log_warning("%s: cannot answer the offer: %s (%d)",
				    channel_name(call->ch), strerror(err),
				    status);
		channel_set_tech_cause(call->ch, status);
		call->final_sent = true;
		refuse_offer(call, msg, status);
		channel_hangup(call->ch, sip_cause_from_status(status),
			       channel_name(call->ch));
		return;
	}
	sip_call_check_hold(call);
	channel_set_state(call->ch, CHANNEL_RING);
	log_verbose(3, "%s: incoming call from '%s' to %s@%s",
		    channel_name(call->ch), num, exten, call->ep->context);
	err = pbx_start(call->ch, call->ep->context, exten, 1);
	if (err && call->ch)
		channel_hangup(call->ch, CAUSE_CONGESTION, "pbx");
}

/* Overload shedding (core/overload.h), before the endpoint is identified
 * or challenged: a refused call costs one response and leaves no channel.
 * The 503 is stateless (sip_answered.c says why); retransmissions of the
 * INVITE are answered there, not refused and counted again. */
static bool shed(const struct sip_msg *msg)
{
	enum overload_reason r = overload_check(media_tick_lag_ms(),
						options.maxbacklog ?
						sip_udp_backlog_pct(msg) : 0,
						sip_call_setup_count());
	char who[160];

	if (r == OVERLOAD_NONE)
		return false;
	(void)re_snprintf(who, sizeof(who), "%r", &msg->from.auri);
	overload_refused(r, who);
	sip_answered_refuse(msg);
	return true;
}

/* sipsess's handler for a new INVITE (no To tag) */
/* Option tags PJSIP understands: a Require of one of them is let through
 * as chan_pjsip would take it (ariadne may not do what the tag asks, but
 * refusing calls Asterisk takes would be worse). Any other tag the caller
 * insists on gets 420 (RFC 3261 8.2.2.3), as pjsip_inv_verify_request. */
static bool tag_known(const struct pl *tag)
{
	static const char *const known[] = {"100rel", "timer", "replaces",
		"norefersub", "path", "outbound", "gruu", "histinfo"};

	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (!pl_strcasecmp(tag, known[i]))
			return true;
	return false;
}

struct unsupported {
	char list[256];
	size_t n;
};

static bool require_tags(const struct sip_hdr *hdr, const struct sip_msg *msg,
			 void *arg)
{
	struct unsupported *u = arg;
	const char *p = hdr->val.p, *end = p + hdr->val.l;

	(void)msg;
	while (p < end) {
		struct pl tag;

		while (p < end && (*p == ',' || *p == ' ' || *p == '\t'))
			p++;
		tag.p = p;
		while (p < end && *p != ',' && *p != ' ' && *p != '\t')
			p++;
		tag.l = (size_t)(p - tag.p);
		if (tag.l && !tag_known(&tag) &&
		    u->n + tag.l + 3 < sizeof(u->list))
			u->n += (size_t)re_snprintf(u->list + u->n,
						    sizeof(u->list) - u->n,
						    "%s%r", u->n ? ", " : "",
						    &tag);
	}
	return false;
}

static bool refuse_unknown_extensions(const struct sip_msg *msg)
{
	struct unsupported u = {.n = 0};
	char from[128];

	(void)sip_msg_hdr_apply(msg, true, SIP_HDR_REQUIRE, require_tags, &u);
	if (!u.n)
		return false;
	(void)re_snprintf(from, sizeof(from), "%r", &msg->from.auri);
	log_notice("INVITE from '%s' requires %s, which ariadne does not "
		   "support: 420", from, u.list);
	(void)sip_replyf(sipmod.sip, msg, 420, "Bad Extension",
			 "Unsupported: %s\r\nContent-Length: 0\r\n\r\n",
			 u.list);
	return true;
}

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
	if (shed(msg) || sip_authorize(msg, &e))
		return;
	if (refuse_unknown_extensions(msg))
		return;
	if (sip_call_alloc(&call, e)) {
		(void)sip_reply(sipmod.sip, msg, 500, "Internal Server Error");
		return;
	}
	sip_call_setup_begin(call);
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
