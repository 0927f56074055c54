/* sip_refer.c — REFER (RFC 3515) in both directions, res_pjsip_refer's role
 * for what ARI needs:
 *  - out of dialog: ARI's endpoints refer / referToEndpoint send a REFER to
 *    an endpoint or URI, with the given variables as headers; a 401/407 is
 *    answered once with the endpoint's credentials;
 *  - in a call whose channel is in Stasis: the REFER is accepted (202 and a
 *    NOTIFY "100 Trying") and reported as ChannelTransfer, and the app then
 *    reports progress through transfer_progress, which becomes NOTIFYs. The
 *    transfer itself is the app's to do (Asterisk's "ari-only" transfer
 *    handling); a channel outside Stasis gets 603, as we have no dialplan
 *    transfer.
 * Not here: attended transfer with Replaces beyond passing it on to the app
 * as a parameter. */
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
#include "core/bus.h"
#include "core/channel.h"
#include "base/log.h"
#include "core/stasis.h"
#include "sip/sip_int.h"

#define MAX_PARAMS 8

/* ---- out of dialog ---- */

/* One outgoing REFER, kept until its final response so that a 401/407 can
 * be answered once. */
struct out_refer {
	struct sip_dialog *dlg;
	struct sip_auth *auth;
	char *hdrs;
	bool retried;
};

static void out_destructor(void *arg)
{
	struct out_refer *r = arg;

	mem_deref(r->dlg);
	mem_deref(r->auth);
	mem_deref(r->hdrs);
}

static int out_send(struct out_refer *r);

static void out_resp(int err, const struct sip_msg *msg, void *arg)
{
	struct out_refer *r = arg;

	if (!err && msg && (msg->scode == 401 || msg->scode == 407) &&
	    r->auth && !r->retried) {
		r->retried = true;
		if (!sip_auth_authenticate(r->auth, msg) && !out_send(r))
			return; /* the new request holds r now */
	}
	if (err)
		log_warning("REFER could not be delivered: %s", strerror(err));
	else if (msg && msg->scode >= 300)
		log_warning("REFER was refused: %u", msg->scode);
	else if (msg)
		log_verbose(3, "REFER accepted: %u", msg->scode);
	mem_deref(r);
}

static int out_send(struct out_refer *r)
{
	return sip_drequestf(NULL, sipmod.sip, true, "REFER", r->dlg, 0,
			     r->auth, NULL, out_resp, r, "%s"
			     "Content-Length: 0\r\n\r\n", r->hdrs);
}

static bool has_bad_chars(const char *s)
{
	return s && strpbrk(s, "\r\n<>\"") != NULL;
}

/* "alice", "alice/sip:bob@host" or "sip:bob@host" → request URI (and the
 * endpoint when one is named). */
static int dest_uri(const char *resource, struct sip_endpoint **ep,
		    char *uri, size_t size)
{
	const char *slash;
	char name[128];

	*ep = NULL;
	if (!strncasecmp(resource, "sip:", 4) ||
	    !strncasecmp(resource, "sips:", 5)) {
		snprintf(uri, size, "%s", resource);
		return 0;
	}
	slash = strchr(resource, '/');
	snprintf(name, sizeof(name), "%.*s",
		 (int)(slash ? (size_t)(slash - resource) : strlen(resource)),
		 resource);
	*ep = sip_endpoint_find(name);
	if (!*ep)
		return ENOENT;
	if (slash) {
		snprintf(uri, size, "%s", slash + 1);
		return strncasecmp(uri, "sip", 3) ? EINVAL : 0;
	}
	return sip_endpoint_contact_uri(*ep, uri, size);
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
		if (sip_laddr(&laddr, SIP_TRANSP_UDP, NULL) &&
		    sip_laddr(&laddr, SIP_TRANSP_TCP, NULL))
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
	struct sip_endpoint *e;
	struct out_refer *r = NULL;
	struct sip_dialog *dlg = NULL;
	struct mbuf *hdrs = NULL;
	char uri[256], target[256], furi[256];
	struct sa laddr;
	int err, i;

	if (!resource || !*resource || !sipmod.sip)
		return ENOENT;
	if (!refer_to || !*refer_to || has_bad_chars(refer_to) ||
	    has_bad_chars(from))
		return EINVAL;
	err = dest_uri(resource, &e, uri, sizeof(uri));
	if (err)
		return err;
	if (has_bad_chars(uri))
		return EINVAL;
	err = target_uri(refer_to, to_self, target, sizeof(target));
	if (err)
		return err;
	if (sip_laddr(&laddr, SIP_TRANSP_UDP, NULL) &&
	    sip_laddr(&laddr, SIP_TRANSP_TCP, NULL))
		return ENOTCONN;
	if (from && *from && !strncasecmp(from, "sip:", 4))
		snprintf(furi, sizeof(furi), "%s", from);
	else
		re_snprintf(furi, sizeof(furi), "sip:%s@%J",
			    from && *from ? from :
			    (e && e->from_user ? e->from_user : "asterisk"),
			    &laddr);
	hdrs = mbuf_alloc(256);
	if (!hdrs)
		return ENOMEM;
	(void)mbuf_printf(hdrs, "Refer-To: <%s>\r\nReferred-By: <%s>\r\n",
			  target, furi);
	for (i = 0; i < n; i++) {
		if (!keys[i] || !*keys[i] || strpbrk(keys[i], "\r\n: ") ||
		    (values[i] && strpbrk(values[i], "\r\n"))) {
			err = EINVAL;
			goto out;
		}
		(void)mbuf_printf(hdrs, "%s: %s\r\n", keys[i],
				  values[i] ? values[i] : "");
	}
	mbuf_write_u8(hdrs, 0);
	if (sip_dialog_alloc(&dlg, uri, uri, NULL, furi, NULL, 0)) {
		err = EINVAL;
		goto out;
	}
	r = mem_zalloc(sizeof(*r), out_destructor);
	if (!r) {
		err = ENOMEM;
		goto out;
	}
	r->dlg = mem_ref(dlg);
	if (e)
		err = sip_auth_alloc(&r->auth, sip_auth_client, e, true);
	if (!err)
		err = str_dup(&r->hdrs, (char *)hdrs->buf);
	if (!err)
		err = out_send(r);
	if (err)
		mem_deref(r);
	else
		log_verbose(3, "Sent REFER to '%s' for '%s'", uri, target);
out:
	mem_deref(dlg);
	mem_deref(hdrs);
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
