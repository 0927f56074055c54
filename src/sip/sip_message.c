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
#include "sip/sip_int.h"
#include "sip/sip_services.h"

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

static bool has_crlf(const char *s)
{
	return s && strpbrk(s, "\r\n") != NULL;
}

/* "sip:bob@host" as given; "alice" or "alice/<uri>" through the endpoint. */
static int message_dest(const char *resource, struct sip_endpoint **ep,
			char *uri, size_t size)
{
	*ep = NULL;
	if (!strncasecmp(resource, "sip:", 4)) {
		snprintf(uri, size, "%s", resource);
		return 0;
	}
	return sip_endpoint_resource(resource, ep, uri, size) ? ENOENT : 0;
}

int sip_message_send(const char *resource, const char *from, const char *body,
		     const char *const *keys, const char *const *values, int n)
{
	char uri[256], furi[256];
	struct sip_outreq q = {.met = "MESSAGE", .uri = uri, .from = furi,
			       .keys = keys, .values = values, .n = n,
			       .bad_key = "\r\n:", .ctype = "text/plain",
			       .body = body ? body : ""};
	int err;

	if (!resource || !*resource || !sipmod.sip)
		return ENOENT;
	if (has_crlf(from))
		return EINVAL;
	err = message_dest(resource, &q.ep, uri, sizeof(uri));
	if (!err && has_crlf(uri))
		err = EINVAL;
	if (!err)
		err = sip_outreq_from(furi, sizeof(furi), from, q.ep);
	if (!err)
		err = sip_outreq_send(&q);
	return err;
}
