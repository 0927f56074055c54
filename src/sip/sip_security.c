/* sip_security.c — what the digest check (sip_auth.c) reports and how its
 * refusals leave: the security events chan_pjsip raises
 * (res_pjsip/security_events.c: Service "PJSIP", the Call-ID as SessionID,
 * the transport's addresses), and refusals held back for an address that
 * failed too often (base/backoff.h). A held refusal leaves from a timer,
 * never by blocking the loop; a retransmission of the request it answers
 * is dropped meanwhile (our replies are stateless: without this each
 * retransmission would count as a new failure). */
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <re_types.h>
#include <re_fmt.h>
#include <re_mem.h>
#include <re_mbuf.h>
#include <re_list.h>
#include <re_sa.h>
#include <re_tmr.h>
#include <re_uri.h>
#include <re_msg.h>
#include <re_sip.h>
#include <re_httpauth.h>
#include "base/log.h"
#include "base/security.h"
#include "sip/sip_int.h"

enum {
	HELD_MAX = 1000,  /* refusals waiting at once; past it, dropped */
};

struct held {
	struct le le;
	struct tmr tmr;
	struct sip_msg *msg;  /* referenced until the answer leaves */
	char branch[128];
	uint16_t scode;
	char reason[32];
	char *hdrs;           /* header lines and the blank line */
};

static struct list helds;

void sip_security_event(enum security_event_type type,
			const struct sip_msg *msg, const char *account,
			const struct httpauth_digest_resp *cred,
			const char *nonce_sent)
{
	char callid[256], nonce[128] = "", resp[128] = "";
	struct sa local = msg->dst;
	struct security_event ev = {
		.type = type, .service = "PJSIP", .account_id = account,
		.session_id = callid, .local = &local, .remote = &msg->src,
		.transport = sip_transp_name(msg->tp),
	};

	pl_strcpy(&msg->callid, callid, sizeof(callid));
	sip_concrete_laddr(&local, &msg->src);
	if (cred) {
		pl_strcpy(&cred->nonce, nonce, sizeof(nonce));
		pl_strcpy(&cred->response, resp, sizeof(resp));
	}
	switch (type) {
	case SECURITY_CHAL_SENT:
		ev.challenge = nonce_sent;
		break;
	case SECURITY_CHAL_RESP_FAILED:
		/* chan_pjsip reports the nonce and response it received */
		ev.challenge = nonce;
		ev.response = resp;
		break;
	case SECURITY_SUCCESSFUL_AUTH:
		ev.using_password = cred != NULL;
		break;
	default:
		break;
	}
	security_event_report(&ev);
}

static void held_destructor(void *arg)
{
	struct held *h = arg;

	list_unlink(&h->le);
	tmr_cancel(&h->tmr);
	mem_deref(h->msg);
	mem_deref(h->hdrs);
}

static void held_send(void *arg)
{
	struct held *h = arg;

	(void)sip_replyf(sipmod.sip, h->msg, h->scode, h->reason, "%s",
			 h->hdrs);
	mem_deref(h);
}

int sip_reply_later(const struct sip_msg *msg, unsigned delay_ms,
		    uint16_t scode, const char *reason, const char *hdrs)
{
	struct held *h;

	if (!delay_ms)
		return sip_replyf(sipmod.sip, msg, scode, reason, "%s", hdrs);
	if (list_count(&helds) >= HELD_MAX) {
		log_debug(1, "Too many held refusals: dropping a request");
		return 0;
	}
	h = mem_zalloc(sizeof(*h), held_destructor);
	if (!h)
		return ENOMEM;
	h->msg = mem_ref((void *)msg);
	h->scode = scode;
	snprintf(h->reason, sizeof(h->reason), "%s", reason);
	pl_strcpy(&msg->via.branch, h->branch, sizeof(h->branch));
	if (str_dup(&h->hdrs, hdrs)) {
		mem_deref(h);
		return ENOMEM;
	}
	tmr_init(&h->tmr);
	tmr_start(&h->tmr, delay_ms, held_send, h);
	list_append(&helds, &h->le, h);
	log_debug(2, "Refusal %u held for %u ms", scode, delay_ms);
	return 0;
}

bool sip_reply_held(const struct sip_msg *msg)
{
	for (struct le *le = helds.head; le; le = le->next) {
		const struct held *h = le->data;

		if (sa_cmp(&h->msg->src, &msg->src, SA_ALL) &&
		    !pl_strcmp(&msg->via.branch, h->branch) &&
		    !pl_cmp(&msg->met, &h->msg->met))
			return true;
	}
	return false;
}

void sip_security_close(void)
{
	list_flush(&helds);
}
