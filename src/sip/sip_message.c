/* sip_message.c — out-of-dialog SIP MESSAGE (RFC 3428), res_pjsip_messaging's
 * role: an authenticated endpoint's text MESSAGE is answered 202 and
 * published as TextMessageReceived; ARI's sendMessage becomes a MESSAGE to
 * the endpoint's contact or to a sip: URI, with the given variables as
 * extra headers. */
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
#include "core/bus.h"
#include "base/log.h"
#include "sip/sip_int.h"

#define MAX_VARS 16

static void publish(const struct sip_msg *msg, struct sip_endpoint *e)
{
	const char *keys[MAX_VARS], *values[MAX_VARS];
	char *kbuf[MAX_VARS] = {0}, *vbuf[MAX_VARS] = {0};
	char *from = NULL, *to = NULL, *body = NULL;
	struct bus_event ev = {0};
	struct le *le;
	int n = 0, i;

	if (pl_isset(&msg->from.dname))
		(void)re_sdprintf(&from, "\"%r\" <%r>", &msg->from.dname,
				  &msg->from.auri);
	else
		(void)re_sdprintf(&from, "<%r>", &msg->from.auri);
	(void)re_sdprintf(&to, "pjsip:%r", &msg->ruri);
	(void)re_sdprintf(&body, "%b", mbuf_buf(msg->mb),
			  mbuf_get_left(msg->mb));
	/* custom X- headers travel as variables, as Asterisk's do */
	for (le = list_head(&msg->hdrl); le && n < MAX_VARS; le = le->next) {
		const struct sip_hdr *h = le->data;

		if (h->name.l < 3 || strncasecmp(h->name.p, "X-", 2))
			continue;
		if (pl_strdup(&kbuf[n], &h->name) ||
		    pl_strdup(&vbuf[n], &h->val))
			break;
		keys[n] = kbuf[n];
		values[n] = vbuf[n];
		n++;
	}
	ev.type = BUS_TEXT_MESSAGE;
	ev.from = from ? from : "";
	ev.to = to ? to : "";
	ev.body = body ? body : "";
	ev.keys = keys;
	ev.values = values;
	ev.nkv = n;
	ev.endpoint = e ? e->ep : NULL;
	bus_publish(&ev);
	for (i = 0; i < MAX_VARS; i++) {
		mem_deref(kbuf[i]);
		mem_deref(vbuf[i]);
	}
	mem_deref(from);
	mem_deref(to);
	mem_deref(body);
}

bool sip_message_request(const struct sip_msg *msg)
{
	struct sip_endpoint *e;

	if (sip_authorize(msg, &e))
		return true;
	if (pl_strcasecmp(&msg->ctyp.type, "text")) {
		(void)sip_replyf(sipmod.sip, msg, 415, "Unsupported Media Type",
				 "Accept: text/*\r\nContent-Length: 0\r\n\r\n");
		return true;
	}
	(void)sip_reply(sipmod.sip, msg, 202, "Accepted");
	publish(msg, e);
	return true;
}

/* One outgoing MESSAGE, kept until its final response so that a 401/407
 * can be answered once with the endpoint's credentials. */
struct out_msg {
	struct sip_dialog *dlg;
	struct sip_auth *auth;
	char *hdrs;
	char *body;
	bool retried;
};

static void out_destructor(void *arg)
{
	struct out_msg *m = arg;

	mem_deref(m->dlg);
	mem_deref(m->auth);
	mem_deref(m->hdrs);
	mem_deref(m->body);
}

static int out_send(struct out_msg *m);

static void resp_handler(int err, const struct sip_msg *msg, void *arg)
{
	struct out_msg *m = arg;

	if (!err && msg && (msg->scode == 401 || msg->scode == 407) &&
	    m->auth && !m->retried) {
		m->retried = true;
		if (!sip_auth_authenticate(m->auth, msg) && !out_send(m))
			return; /* the new request holds m now */
	}
	if (err)
		log_warning("MESSAGE could not be delivered: %s",
			    strerror(err));
	else if (msg && msg->scode >= 300)
		log_warning("MESSAGE was refused: %u", msg->scode);
	mem_deref(m);
}

static int out_send(struct out_msg *m)
{
	return sip_drequestf(NULL, sipmod.sip, true, "MESSAGE", m->dlg, 0,
			     m->auth, NULL, resp_handler, m,
			     "%s"
			     "Content-Type: text/plain\r\n"
			     "Content-Length: %zu\r\n\r\n%s",
			     m->hdrs, strlen(m->body), m->body);
}

static bool has_crlf(const char *s)
{
	return s && strpbrk(s, "\r\n") != NULL;
}

static int build_from(char *buf, size_t size, const char *from,
		      const struct sip_endpoint *e)
{
	struct sa laddr;

	if (from && (strchr(from, '<') || !strncasecmp(from, "sip:", 4))) {
		if (strchr(from, '<'))
			snprintf(buf, size, "%s", from);
		else
			snprintf(buf, size, "<%s>", from);
		return 0;
	}
	if (sip_laddr(&laddr, SIP_TRANSP_UDP, NULL) &&
	    sip_laddr(&laddr, SIP_TRANSP_TCP, NULL))
		return ENOTCONN;
	re_snprintf(buf, size, "<sip:%s@%J>",
		    from && *from ? from :
		    (e && e->from_user ? e->from_user : "asterisk"), &laddr);
	return 0;
}

int sip_message_send(const char *resource, const char *from, const char *body,
		     const char *const *keys, const char *const *values, int n)
{
	struct sip_endpoint *e = NULL;
	struct sip_dialog *dlg = NULL;
	struct out_msg *m = NULL;
	struct mbuf *hdrs = NULL;
	char uri[256], fromv[256], name[128];
	const char *slash;
	int err, i;

	if (!resource || !*resource || !sipmod.sip)
		return ENOENT;
	if (has_crlf(from))
		return EINVAL;
	if (!strncasecmp(resource, "sip:", 4)) {
		snprintf(uri, sizeof(uri), "%s", resource);
	} else {
		/* "alice" or "alice/sip:bob@host" */
		slash = strchr(resource, '/');
		snprintf(name, sizeof(name), "%.*s",
			 (int)(slash ? (size_t)(slash - resource) :
			       strlen(resource)), resource);
		e = sip_endpoint_find(name);
		if (!e)
			return ENOENT;
		if (slash)
			snprintf(uri, sizeof(uri), "%s", slash + 1);
		else if (sip_endpoint_contact_uri(e, uri, sizeof(uri)))
			return ENOENT;
	}
	if (has_crlf(uri))
		return EINVAL;
	err = build_from(fromv, sizeof(fromv), from, e);
	if (err)
		return err;
	hdrs = mbuf_alloc(256);
	if (!hdrs)
		return ENOMEM;
	for (i = 0; i < n; i++) {
		if (!keys[i] || !*keys[i] || has_crlf(keys[i]) ||
		    has_crlf(values[i]) || strchr(keys[i], ':')) {
			err = EINVAL;
			goto out;
		}
		(void)mbuf_printf(hdrs, "%s: %s\r\n", keys[i],
				  values[i] ? values[i] : "");
	}
	mbuf_write_u8(hdrs, 0);
	{
		/* dialog helper wants a bare URI for From; the display part
		 * is kept by passing the name separately */
		char furi[256];
		const char *lt = strchr(fromv, '<'), *gt = strchr(fromv, '>');

		if (lt && gt && gt > lt)
			snprintf(furi, sizeof(furi), "%.*s",
				 (int)(gt - lt - 1), lt + 1);
		else
			snprintf(furi, sizeof(furi), "%s", fromv);
		err = sip_dialog_alloc(&dlg, uri, uri, NULL, furi, NULL, 0);
	}
	if (err) {
		err = EINVAL;
		goto out;
	}
	m = mem_zalloc(sizeof(*m), out_destructor);
	if (!m) {
		err = ENOMEM;
		goto out;
	}
	m->dlg = mem_ref(dlg);
	if (e)
		err = sip_auth_alloc(&m->auth, sip_auth_client, e, true);
	if (!err)
		err = str_dup(&m->hdrs, (char *)hdrs->buf);
	if (!err)
		err = str_dup(&m->body, body ? body : "");
	if (!err)
		err = out_send(m);
	if (err)
		mem_deref(m);
out:
	mem_deref(dlg);
	mem_deref(hdrs);
	return err;
}
