/* sip_dispatch.c — requests outside dialogs (those sipsess did not take):
 * each method goes to the file that handles it (REGISTER to the registrar,
 * MESSAGE to sip_message.c, NOTIFY of a REFER to sip_refer.c, UPDATE in a
 * call to sip_reoffer.c, which sipsess does not know); OPTIONS is answered
 * here (200, or 503 while the node drains, so that a dispatcher probing
 * with OPTIONS stops sending it calls), and what we do not do gets 405,
 * 481 or 501 as pjsip answers them. */
#include <stdint.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <re_types.h>
#include <re_fmt.h>
#include <re_mbuf.h>
#include <re_list.h>
#include <re_sa.h>
#include <re_uri.h>
#include <re_msg.h>
#include <re_sip.h>
#include "base/log.h"
#include "base/metrics.h"
#include "core/overload.h"
#include "sip/sip_int.h"
#include "sip/sip_services.h"
#include "sip/sip_call.h"

#define ALLOW_HDR "Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE, " \
	"MESSAGE, REGISTER, REFER, NOTIFY\r\n"

static void reply_not_allowed(const struct sip_msg *msg)
{
	(void)sip_replyf(sipmod.sip, msg, 405, "Method Not Allowed",
			 ALLOW_HDR "Content-Length: 0\r\n\r\n");
}

/* RFC 3261 11.2: an OPTIONS gets the status an INVITE would get. Only
 * draining is told here: a dispatcher (Kamailio's ds_probing_mode) takes a
 * node whose OPTIONS fail out of its set, which suits a node leaving the
 * cluster, not one that is briefly at maxcalls (its INVITEs get their own
 * 503 and the proxy fails over per call). */
static void options_reply(const struct sip_msg *msg)
{
	if (overload_draining()) {
		char retry[40];

		(void)sip_replyf(sipmod.sip, msg, 503, "Service Unavailable",
				 "%sContent-Length: 0\r\n\r\n",
				 sip_retry_after_hdr(retry, sizeof(retry)));
		return;
	}
	(void)sip_replyf(sipmod.sip, msg, 200, "OK", ALLOW_HDR
			 "Accept: application/sdp\r\n"
			 "Content-Length: 0\r\n\r\n");
}

/* Requests sipsess did not take: out-of-dialog ones, or leftovers. */
/* ariadne_sip_requests_total{method}, as the first listener of the stack
 * (before sipsess): methods outside SIP's own are counted as "other", so
 * a scanner cannot make label sets without end. */
bool sip_dispatch_count(const struct sip_msg *msg, void *arg)
{
	static const char *const known[] = {"INVITE", "ACK", "BYE", "CANCEL",
		"OPTIONS", "REGISTER", "INFO", "UPDATE", "PRACK", "MESSAGE",
		"NOTIFY", "SUBSCRIBE", "PUBLISH", "REFER"};
	const char *m = "other";
	char labels[48];

	if (sip_malformed_is_probe(msg))
		return false;    /* our own, sent to ourselves at start-up */
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (!pl_strcmp(&msg->met, known[i]))
			m = known[i];
	snprintf(labels, sizeof(labels), "method=\"%s\"", m);
	(void)arg;
	metrics_count("ariadne_sip_requests_total", "SIP requests received "
		      "(new, not retransmissions)", labels, 1);
	return false;            /* counted; the others handle it */
}

/* Content-Length: digits only, and no more than the datagram holds. */
static bool clen_ok(const struct pl *clen, size_t body)
{
	uint64_t n = 0;

	if (!clen->l || clen->l > 10)
		return false;
	for (size_t i = 0; i < clen->l; i++) {
		if (clen->p[i] < '0' || clen->p[i] > '9')
			return false;
		n = n * 10 + (uint64_t)(clen->p[i] - '0');
	}
	return n <= body;
}

/* Over TCP and TLS libre frames messages by Content-Length itself, read
 * with pl_u32(): "-5" and "12abc" come out as 0, 4294967301 as 5, and the
 * last of two such headers counts, so the rest of the stream is cut in the
 * wrong places (RFC 3261 18.3, 20.14) and a proxy in front, reading it
 * right, would no longer agree with us on where requests start. Such a
 * request gets 400 and its connection is closed; what libre still parses
 * from it is ignored. A request that frames well marks its connection as
 * in use (sip_tcp_guard.c keeps such connections when descriptors run
 * short). */
static bool stream_framing(const struct sip_msg *msg)
{
	if (sip_tcp_peer_is_dropped(&msg->src))
		return true;
	if (pl_isset(&msg->clen) &&
	    clen_ok(&msg->clen, mbuf_get_left(msg->mb)) &&
	    sip_msg_hdr_count(msg, SIP_HDR_CONTENT_LENGTH) == 1) {
		sip_tcp_peer_heard(&msg->src);
		return false;
	}
	if (log_level_wanted(LOG_LVL_NOTICE)) {
		char line[200];

		re_snprintf(line, sizeof(line), "SIP %r from %J over %s: "
			    "Content-Length '%r' (%u such headers) cannot "
			    "frame the stream; 400, connection closed",
			    &msg->met, &msg->src, sip_transp_name(msg->tp),
			    &msg->clen,
			    sip_msg_hdr_count(msg, SIP_HDR_CONTENT_LENGTH));
		log_notice("%s", line);
	}
	if (pl_strcmp(&msg->met, "ACK"))
		(void)sip_reply(sipmod.sip, msg, 400, "Bad Request");
	sip_tcp_guard_drop(&msg->dst, &msg->src);
	return true;
}

/* RFC 3261 18.3: a datagram whose body is shorter than its Content-Length,
 * or whose Content-Length is no number, is malformed: 400, as pjsip
 * answers, rather than a call set up from a cut-off offer. A message that
 * frames well and is a re-INVITE we cannot take is answered here too,
 * before sipsess would answer it in its own words (sip_reoffer.c). */
bool sip_dispatch_framing(const struct sip_msg *msg, void *arg)
{
	(void)arg;
	if (msg->tp != SIP_TRANSP_UDP) {
		if (stream_framing(msg))
			return true;
		return pl_isset(&msg->to.tag) && sip_reoffer_refused(msg);
	}
	if (!pl_isset(&msg->clen) ||
	    clen_ok(&msg->clen, mbuf_get_left(msg->mb)))
		return pl_isset(&msg->to.tag) && sip_reoffer_refused(msg);
	if (log_level_wanted(LOG_LVL_DEBUG)) {
		char line[160];

		re_snprintf(line, sizeof(line), "SIP %r from %J: Content-Length "
			    "'%r' but %zu bytes of body; 400", &msg->met,
			    &msg->src, &msg->clen, mbuf_get_left(msg->mb));
		log_debug(1, "%s", line);
	}
	if (pl_strcmp(&msg->met, "ACK"))
		(void)sip_reply(sipmod.sip, msg, 400, "Bad Request");
	return true;
}

bool sip_dispatch_request(const struct sip_msg *msg, void *arg)
{
	(void)arg;

	if (sip_malformed_seen(msg))
		return true;  /* our own probe: nobody to answer */
	if (!pl_isset(&msg->callid) || !pl_isset(&msg->from.auri) ||
	    !pl_isset(&msg->to.auri) || !pl_isset(&msg->cseq.met)) {
		(void)sip_reply(sipmod.sip, msg, 400, "Bad Request");
		return true;
	}
	if (!pl_strcmp(&msg->met, "REGISTER"))
		return sip_registrar_request(msg);
	if (!pl_strcmp(&msg->met, "OPTIONS")) {
		options_reply(msg);
		return true;
	}
	if (!pl_strcmp(&msg->met, "MESSAGE"))
		return sip_message_request(msg);
	if (!pl_strcmp(&msg->met, "ACK"))
		return true;
	if (!pl_strcmp(&msg->met, "UPDATE") && sip_update_request(msg))
		return true;
	if (!pl_strcmp(&msg->met, "CANCEL") || !pl_strcmp(&msg->met, "BYE") ||
	    !pl_strcmp(&msg->met, "INFO") || !pl_strcmp(&msg->met, "UPDATE") ||
	    !pl_strcmp(&msg->met, "PRACK")) {
		(void)sip_reply(sipmod.sip, msg, 481,
				"Call/Transaction Does Not Exist");
		return true;
	}
	if (!pl_strcmp(&msg->met, "NOTIFY") && sip_refer_notify_request(msg))
		return true;
	if (!pl_strcmp(&msg->met, "SUBSCRIBE") ||
	    !pl_strcmp(&msg->met, "NOTIFY") ||
	    !pl_strcmp(&msg->met, "PUBLISH") ||
	    !pl_strcmp(&msg->met, "REFER")) {
		reply_not_allowed(msg);
		return true;
	}
	(void)sip_reply(sipmod.sip, msg, 501, "Not Implemented");
	return true;
}

/* A scanner can send responses by the thousand: libre would print each
 * one to stderr, bypassing the log's format and levels. */
bool sip_dispatch_stray_response(const struct sip_msg *msg, void *arg)
{
	(void)arg;
	if (log_level_wanted(LOG_LVL_DEBUG)) {
		char line[160];

		re_snprintf(line, sizeof(line), "SIP %u %r from %J answers no "
			    "request of ours: ignored", msg->scode,
			    &msg->reason, &msg->src);
		log_debug(1, "%s", line);
	}
	return true;
}
