/* sip_outreq.c — a request outside any dialog that ARI has us send to an
 * endpoint or a URI (MESSAGE, REFER). It is kept until its final response
 * so that a 401/407 can be answered once with the endpoint's credentials,
 * and its outcome is logged with the method's name. The ARI variables go
 * as header lines. Also our From URI, which its callers need first.
 * Not for requests in a call (sipsess has its own) nor qualify's OPTIONS
 * (no credentials, no retry). */
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
#include "base/log.h"
#include "sip/sip_int.h"
#include "sip/sip_services.h"

struct outreq {
	struct sip_dialog *dlg;
	struct sip_auth *auth;
	struct sip_endpoint *ep; /* referenced: the auth's credentials come from
	                          * it, and ARI may delete it meanwhile */
	const char *met;     /* a string literal of the caller's */
	char *tail;          /* extra headers, Content-*, body */
	bool log_accepted;
	bool retried;
};

static void outreq_destructor(void *arg)
{
	struct outreq *r = arg;

	mem_deref(r->dlg);
	mem_deref(r->auth);
	mem_deref(r->ep);
	mem_deref(r->tail);
}

static void resp_handler(int err, const struct sip_msg *msg, void *arg);

static int outreq_send(struct outreq *r)
{
	return sip_drequestf(NULL, sipmod.sip, true, r->met, r->dlg, 0,
			     r->auth, NULL, resp_handler, r, "%s", r->tail);
}

/* Once, and only with credentials to give: a second challenge means they
 * were refused. */
static bool retry_challenged(struct outreq *r, int err,
			     const struct sip_msg *msg)
{
	if (err || !msg || (msg->scode != 401 && msg->scode != 407) ||
	    !r->auth || r->retried)
		return false;
	r->retried = true;
	return !sip_auth_authenticate(r->auth, msg) && !outreq_send(r);
}

static void log_outcome(const struct outreq *r, int err,
			const struct sip_msg *msg)
{
	if (err)
		log_warning("%s could not be delivered: %s", r->met,
			    strerror(err));
	else if (msg && msg->scode >= 300)
		log_warning("%s was refused: %u", r->met, msg->scode);
	else if (msg && r->log_accepted)
		log_verbose(3, "%s accepted: %u", r->met, msg->scode);
}

static void resp_handler(int err, const struct sip_msg *msg, void *arg)
{
	struct outreq *r = arg;

	if (retry_challenged(r, err, msg))
		return; /* the new request holds r now */
	log_outcome(r, err, msg);
	mem_deref(r);
}

/* The ARI variables as "key: value" header lines. */
static int write_vars(struct mbuf *mb, const struct sip_outreq *q)
{
	int err = 0;

	for (int i = 0; i < q->n && !err; i++) {
		const char *key = q->keys[i], *val = q->values[i];

		if (!key || !*key || strpbrk(key, q->bad_key) ||
		    (val && strpbrk(val, "\r\n")))
			return EINVAL;
		err = mbuf_printf(mb, "%s: %s\r\n", key, val ? val : "");
	}
	return err;
}

/* Everything after the headers libre writes: ours, the variables,
 * Content-* and the body. */
static int make_tail(char **tailp, const struct sip_outreq *q)
{
	struct mbuf *mb = mbuf_alloc(512);
	int err;

	if (!mb)
		return ENOMEM;
	err = mbuf_write_str(mb, q->hdrs ? q->hdrs : "");
	if (!err)
		err = write_vars(mb, q);
	if (!err && q->ctype)
		err = mbuf_printf(mb, "Content-Type: %s\r\n"
				  "Content-Length: %zu\r\n\r\n%s", q->ctype,
				  strlen(q->body), q->body);
	else if (!err)
		err = mbuf_write_str(mb, "Content-Length: 0\r\n\r\n");
	if (!err) {
		mb->pos = 0;
		err = mbuf_strdup(mb, tailp, mb->end);
	}
	mem_deref(mb);
	return err;
}

int sip_outreq_send(const struct sip_outreq *q)
{
	struct outreq *r = mem_zalloc(sizeof(*r), outreq_destructor);
	int err = 0;

	if (!r)
		return ENOMEM;
	r->met = q->met;
	r->log_accepted = q->log_accepted;
	err = make_tail(&r->tail, q);
	if (!err && sip_dialog_alloc(&r->dlg, q->uri, q->uri, NULL, q->from,
				     NULL, 0))
		err = EINVAL;
	if (!err && q->ep) {
		r->ep = mem_ref(q->ep);
		err = sip_auth_alloc(&r->auth, sip_auth_client, r->ep, true);
	}
	if (!err)
		err = outreq_send(r);
	if (err)
		mem_deref(r);
	return err;
}

int sip_outreq_from(char *buf, size_t size, const char *from,
		    const struct sip_endpoint *e)
{
	const char *lt = from ? strchr(from, '<') : NULL;
	const char *gt = lt ? strchr(lt, '>') : NULL;
	struct sa laddr;

	if (lt && gt) {
		snprintf(buf, size, "%.*s", (int)(gt - lt - 1), lt + 1);
		return 0;
	}
	if (lt || (from && !strncasecmp(from, "sip:", 4))) {
		snprintf(buf, size, "%s", from);
		return 0;
	}
	if (sip_laddr_default(&laddr))
		return ENOTCONN;
	re_snprintf(buf, size, "sip:%s@%J", from && *from ? from :
		    (e && e->from_user ? e->from_user : "asterisk"), &laddr);
	return 0;
}
