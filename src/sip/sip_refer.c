/* sip_refer.c — REFER (RFC 3515) in both directions, res_pjsip_refer's role
 * for what ARI needs:
 *  - out of dialog: ARI's endpoints refer / referToEndpoint send a REFER to
 *    an endpoint or URI, with the given variables as headers (sent, and a
 *    401/407 answered, by sip_outreq.c);
 *  - in a call whose channel is in a Stasis bridge, a blind REFER is what
 *    Asterisk's default ("core") transfer handling makes of it: the
 *    extension must exist in the endpoint's context (TRANSFER_CONTEXT when
 *    set; else 404), a Local channel to it replaces the caller in the bridge
 *    (BridgeBlindTransfer, core/bridge_transfer.c) and the final NOTIFY says
 *    whether it was answered;
 *  - in a call whose channel is in Stasis otherwise (or with Replaces): the
 *    REFER is accepted (202 and a NOTIFY "100 Trying") and reported as
 *    ChannelTransfer, and the app then reports progress through
 *    transfer_progress, which becomes NOTIFYs. The transfer itself is the
 *    app's to do (Asterisk's "ari-only" transfer handling); a channel
 *    outside Stasis gets 603, as we have no dialplan transfer.
 *  - in a call in a bridge with Replaces naming another of our calls that
 *    is in another bridge: an attended transfer; the bridges are linked
 *    (BridgeAttendedTransfer, destination "link") and the transferer's two
 *    calls end. Any other Replaces REFER is handed to the app as a
 *    ChannelTransfer parameter. */
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
#include "core/bridge.h"
#include "core/bus.h"
#include "core/channel.h"
#include "base/log.h"
#include "core/stasis.h"
#include "pbx/dialplan.h"
#include "sip/sip_int.h"
#include "sip/sip_services.h"
#include "sip/sip_call.h"

#define MAX_PARAMS 8

/* ---- out of dialog ---- */

static bool has_bad_chars(const char *s)
{
	return s && strpbrk(s, "\r\n<>\"") != NULL;
}

/* "alice", "alice/sip:bob@host" or "sip:bob@host" → request URI (and the
 * endpoint when one is named). */
static int dest_uri(const char *resource, struct sip_endpoint **ep,
		    char *uri, size_t size)
{
	int err;

	*ep = NULL;
	if (!strncasecmp(resource, "sip:", 4) ||
	    !strncasecmp(resource, "sips:", 5)) {
		snprintf(uri, size, "%s", resource);
		return 0;
	}
	err = sip_endpoint_resource(resource, ep, uri, size);
	if (!err && strchr(resource, '/') && strncasecmp(uri, "sip", 3))
		return EINVAL;
	return err;
}

/* refer_to: a URI as given; "PJSIP/bob" or "bob" naming an endpoint → its
 * contact, or with to_self our own address (the peer calls us back). */
static int target_uri(const char *refer_to, bool to_self, char *buf,
		      size_t size)
{
	const char *t = refer_to;
	struct sip_endpoint *e;
	struct sa laddr;

	if (!strncasecmp(t, "sip:", 4) || !strncasecmp(t, "sips:", 5) ||
	    !strncasecmp(t, "tel:", 4)) {
		snprintf(buf, size, "%s", t);
		return 0;
	}
	if (!strncasecmp(t, "PJSIP/", 6))
		t += 6;
	if (!*t || strchr(t, '/') || strchr(t, '@') || strchr(t, ' '))
		return EINVAL;
	e = sip_endpoint_find(t);
	if (to_self) {
		if (sip_laddr_default(&laddr))
			return ENOTCONN;
		re_snprintf(buf, size, "sip:%s@%J", t, &laddr);
		return 0;
	}
	if (!e)
		return EINVAL;
	return sip_endpoint_contact_uri(e, buf, size) ? EINVAL : 0;
}

int sip_refer_send(const char *resource, const char *from,
		   const char *refer_to, bool to_self,
		   const char *const *keys, const char *const *values, int n)
{
	char uri[256], target[256], furi[256], hdrs[600];
	struct sip_outreq q = {.met = "REFER", .uri = uri, .from = furi,
			       .hdrs = hdrs, .keys = keys, .values = values,
			       .n = n, .bad_key = "\r\n: ",
			       .log_accepted = true};
	int err;

	if (!resource || !*resource || !sipmod.sip)
		return ENOENT;
	if (!refer_to || !*refer_to || has_bad_chars(refer_to) ||
	    has_bad_chars(from))
		return EINVAL;
	err = dest_uri(resource, &q.ep, uri, sizeof(uri));
	if (!err && has_bad_chars(uri))
		err = EINVAL;
	if (!err)
		err = target_uri(refer_to, to_self, target, sizeof(target));
	if (!err)
		err = sip_outreq_from(furi, sizeof(furi), from, q.ep);
	if (err)
		return err;
	snprintf(hdrs, sizeof(hdrs), "Refer-To: <%s>\r\nReferred-By: <%s>\r\n",
		 target, furi);
	err = sip_outreq_send(&q);
	if (!err)
		log_verbose(3, "Sent REFER to '%s' for '%s'", uri, target);
	return err;
}

/* NOTIFYs for a REFER we sent out of dialog: nothing to track, but a 200
 * keeps the peer from retrying. */
bool sip_refer_notify_request(const struct sip_msg *msg)
{
	const struct sip_hdr *ev = sip_msg_hdr(msg, SIP_HDR_EVENT);

	if (!ev || ev->val.l < 5 || strncasecmp(ev->val.p, "refer", 5))
		return false;
	(void)sip_reply(sipmod.sip, msg, 200, "OK");
	return true;
}

/* ---- in dialog ---- */

static void notify_resp(int err, const struct sip_msg *msg, void *arg)
{
	(void)arg;
	if (err || (msg && msg->scode >= 300))
		log_verbose(3, "NOTIFY of a transfer was not accepted: %s %u",
			    err ? strerror(err) : "", msg ? msg->scode : 0);
}

/* RFC 3515 2.4.5: the progress as a message/sipfrag status line. */
static int send_notify(struct sip_call *call, uint16_t scode,
		       const char *reason, bool final)
{
	char frag[80];

	if (!call->sess)
		return ENOTCONN;
	snprintf(frag, sizeof(frag), "SIP/2.0 %u %s\r\n", scode, reason);
	return sip_drequestf(NULL, sipmod.sip, true, "NOTIFY",
			     sipsess_dialog(call->sess), 0, NULL, NULL,
			     notify_resp, NULL,
			     "Event: refer\r\n"
			     "Subscription-State: %s\r\n"
			     "Content-Type: message/sipfrag;version=2.0\r\n"
			     "Content-Length: %zu\r\n\r\n%s",
			     final ? "terminated;reason=noresource" :
			     "active;expires=60", strlen(frag), frag);
}

struct refer_target {
	char dest[256];
	const char *keys[MAX_PARAMS], *values[MAX_PARAMS];
	char *kbuf[MAX_PARAMS], *vbuf[MAX_PARAMS];
	int n;
};

static void target_reset(struct refer_target *t)
{
	for (int i = 0; i < t->n; i++) {
		mem_deref(t->kbuf[i]);
		mem_deref(t->vbuf[i]);
	}
	t->n = 0;
}

/* URI headers of the Refer-To (e.g. Replaces) → additional params. */
static int header_apply(const struct pl *name, const struct pl *val,
			void *arg)
{
	struct refer_target *t = arg;
	int i = t->n;

	if (i >= MAX_PARAMS || !pl_isset(name))
		return 0;
	if (re_sdprintf(&t->kbuf[i], "%H", uri_header_unescape, name) ||
	    re_sdprintf(&t->vbuf[i], "%H", uri_header_unescape, val)) {
		t->kbuf[i] = mem_deref(t->kbuf[i]);
		return 0;
	}
	t->keys[i] = t->kbuf[i];
	t->values[i] = t->vbuf[i];
	t->n++;
	return 0;
}

/* Refer-To: name-addr or addr-spec → destination (the user part of a SIP
 * URI, as Asterisk hands a blind transfer's exten; else the whole URI). */
static int parse_refer_to(const struct sip_hdr *h, struct refer_target *t)
{
	struct pl v = h->val, u;
	struct uri uri;
	const char *lt = pl_strchr(&v, '<');

	if (lt) {
		const char *gt;

		u.p = lt + 1;
		u.l = (size_t)(v.p + v.l - u.p);
		gt = pl_strchr(&u, '>');
		if (!gt)
			return EBADMSG;
		u.l = (size_t)(gt - u.p);
	} else {
		const char *semi = pl_strchr(&v, ';');

		u.p = v.p;
		u.l = semi ? (size_t)(semi - v.p) : v.l;
	}
	while (u.l && (u.p[u.l - 1] == ' ' || u.p[u.l - 1] == '\t'))
		u.l--;
	if (!u.l || uri_decode(&uri, &u))
		return EBADMSG;
	if (pl_isset(&uri.user))
		re_snprintf(t->dest, sizeof(t->dest), "%H", uri_user_unescape,
			    &uri.user);
	else
		re_snprintf(t->dest, sizeof(t->dest), "%r", &u);
	if (pl_isset(&uri.headers))
		(void)uri_headers_apply(&uri.headers, header_apply, t);
	return 0;
}

static const char *replaces_of(const struct refer_target *t)
{
	for (int i = 0; i < t->n; i++) {
		if (!strcasecmp(t->keys[i], "Replaces"))
			return t->values[i];
	}
	return NULL;
}

static bool has_replaces(const struct refer_target *t)
{
	return replaces_of(t) != NULL;
}

struct by_callid {
	const char *callid;
	size_t len;
	struct channel *found;
};

static bool match_callid(struct channel *ch, void *arg)
{
	struct by_callid *m = arg;
	const char *id = channel_protocol_id(ch);

	if (strcmp(channel_tech_type(ch), SIP_TECH_TYPE) || !id || strlen(id) != m->len ||
	    strncmp(id, m->callid, m->len) || channel_is_hungup(ch))
		return false;
	m->found = ch;
	return true;
}

/* The call a Replaces value ("callid;to-tag=..;from-tag=..", RFC 3891)
 * names: one of our SIP channels with that Call-ID. The tags are not
 * compared: the Call-IDs of ariadne's calls are unique. */
static struct channel *replaced_call(const char *replaces)
{
	const char *semi = strchr(replaces, ';');
	struct by_callid m = {.callid = replaces,
			      .len = semi ? (size_t)(semi - replaces)
					  : strlen(replaces)};

	if (!m.len)
		return NULL;
	channel_foreach(match_callid, &m);
	return m.found;
}

/* Asterisk's refer_incoming_attended_request when both of the transferer's
 * calls are in bridges: the bridges are linked (core/bridge_transfer.c),
 * the transferer hears the final NOTIFY and both its calls are hung up.
 * Returns false when this REFER is not such a transfer (the app gets it as
 * ChannelTransfer, as before). */
static bool attended_in_bridges(struct sip *sip, const struct sip_msg *msg,
				struct sip_call *call,
				const struct refer_target *t)
{
	const char *replaces = replaces_of(t);
	struct channel *second = replaces ? replaced_call(replaces) : NULL;
	struct channel *first = call->ch;
	int err;

	if (!second || second == first || !bridge_of_channel(first) ||
	    !bridge_of_channel(second) ||
	    bridge_of_channel(first) == bridge_of_channel(second))
		return false;
	(void)sip_reply(sip, msg, 202, "Accepted");
	call->refer_pending = true;
	(void)send_notify(call, 100, "Trying", false);
	mem_ref(first);
	mem_ref(second);
	err = bridge_transfer_attended(first, second);
	(void)sip_refer_progress(first, err ? CHANNEL_TRANSFER_UNAVAILABLE
					    : CHANNEL_TRANSFER_ANSWERED);
	if (!err) {
		/* The transferer's calls are done: as Asterisk does once the
		 * transfer succeeded, both are hung up. */
		if (!channel_is_hungup(second))
			channel_hangup(second, CAUSE_NORMAL_CLEARING,
				       "transfer");
		if (!channel_is_hungup(first))
			channel_hangup(first, CAUSE_NORMAL_CLEARING,
				       "transfer");
	}
	mem_deref(second);
	mem_deref(first);
	return true;
}

/* The new call of a blind transfer was answered or not: the final NOTIFY
 * (RFC 3515 2.4.5), if the transferer is still there to get it. */
static void blind_done(bool answered, void *arg)
{
	struct sip_call *call = arg;

	if (call->ch)
		(void)sip_refer_progress(call->ch, answered
						   ? CHANNEL_TRANSFER_ANSWERED
						   : CHANNEL_TRANSFER_UNAVAILABLE);
}

/* Asterisk's refer_incoming_blind_request for a channel in a bridge. */
static void blind_in_bridge(struct sip *sip, const struct sip_msg *msg,
			    struct sip_call *call, const char *exten)
{
	const char *context = channel_var_get(call->ch, "TRANSFER_CONTEXT");
	int err;

	if (!context || !*context)
		context = call->ep->context ? call->ep->context : "default";
	if (!dialplan_exten_exists(context, exten)) {
		log_error("Channel '%s' from endpoint '%s' attempted blind "
			  "transfer to '%s@%s' but target does not exist",
			  channel_name(call->ch), call->ep->name, exten,
			  context);
		(void)sip_reply(sip, msg, 404, "Not Found");
		return;
	}
	(void)sip_reply(sip, msg, 202, "Accepted");
	call->refer_pending = true;
	(void)send_notify(call, 100, "Trying", false);
	err = bridge_transfer_blind(call->ch, exten, context, true,
				    blind_done, call);
	if (err)
		(void)sip_refer_progress(call->ch,
					 CHANNEL_TRANSFER_UNAVAILABLE);
}

void sip_refer_h(struct sip *sip, const struct sip_msg *msg, void *arg)
{
	struct sip_call *call = arg;
	const struct sip_hdr *h = sip_msg_hdr(msg, SIP_HDR_REFER_TO);
	struct refer_target t;
	struct bus_event ev = {0};

	memset(&t, 0, sizeof(t));
	if (!h || sip_msg_hdr_count(msg, SIP_HDR_REFER_TO) != 1) {
		/* RFC 3515 2.4.1: exactly one Refer-To */
		(void)sip_reply(sip, msg, 400, "Bad Request");
		return;
	}
	if (!call->ch || !call->sess) {
		(void)sip_reply(sip, msg, 481,
				"Call/Transaction Does Not Exist");
		return;
	}
	if (!stasis_channel_app(call->ch)) {
		log_notice("%s: REFER declined: transfers are only handed to "
			   "ARI applications", channel_name(call->ch));
		(void)sip_reply(sip, msg, 603, "Declined");
		return;
	}
	if (parse_refer_to(h, &t)) {
		(void)sip_reply(sip, msg, 400, "Bad Request");
		target_reset(&t);
		return;
	}
	if (bridge_of_channel(call->ch) && !has_replaces(&t)) {
		blind_in_bridge(sip, msg, call, t.dest);
		target_reset(&t);
		return;
	}
	if (attended_in_bridges(sip, msg, call, &t)) {
		target_reset(&t);
		return;
	}
	(void)sip_reply(sip, msg, 202, "Accepted");
	call->refer_pending = true;
	(void)send_notify(call, 100, "Trying", false);
	log_verbose(3, "%s: transfer to '%s' requested; handed to the "
		    "application", channel_name(call->ch), t.dest);

	ev.type = BUS_CHANNEL_TRANSFER;
	ev.chan = call->ch;
	ev.destination = t.dest;
	ev.keys = t.keys;
	ev.values = t.values;
	ev.nkv = t.n;
	bus_publish(&ev);
	target_reset(&t);
}

int sip_refer_progress(struct channel *ch, enum channel_transfer_state st)
{
	struct sip_call *call = channel_pvt(ch);
	uint16_t scode;
	const char *reason;
	bool final = true;

	if (!call || !call->refer_pending) {
		log_debug(1, "%s: transfer progress with no transfer pending",
			  channel_name(ch));
		return 0;
	}
	switch (st) {
	case CHANNEL_TRANSFER_PROGRESS:
		scode = 180;
		reason = "Ringing";
		final = false;
		break;
	case CHANNEL_TRANSFER_ANSWERED:
		scode = 200;
		reason = "OK";
		break;
	case CHANNEL_TRANSFER_UNAVAILABLE:
		scode = 503;
		reason = "Service Unavailable";
		break;
	case CHANNEL_TRANSFER_DECLINED:
		scode = 603;
		reason = "Declined";
		break;
	default:
		return EINVAL;
	}
	if (final)
		call->refer_pending = false;
	return send_notify(call, scode, reason, final);
}
