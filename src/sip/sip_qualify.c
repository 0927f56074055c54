/* sip_qualify.c — OPTIONS pings to the contacts of aors with
 * qualify_frequency, as res_pjsip's qualify does: any response means the
 * contact is Reachable (with the round trip time), no response Unreachable;
 * contacts of aors without qualify are NonQualified. Scheduling rides on
 * the module's one-second tick instead of a timer per contact. A request
 * unanswered after the aor's qualify_timeout (default 3 s, as Asterisk)
 * is abandoned and the contact Unreachable: waiting for the transaction's
 * own Timer F would take 32 s. */
#include <errno.h>
#include <stdint.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stddef.h>
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
#include "core/bus.h"
#include "base/log.h"
#include "sip/sip_int.h"
#include "sip/sip_services.h"

static void set_status(struct sip_regcontact *c, const char *status)
{
	if (!strcmp(c->status, status))
		return;
	log_verbose(3, "Contact %s/%s is now %s.  RTT: %.3f msec",
		    c->aor->name, c->uri, status,
		    c->rtt_usec > 0 ? c->rtt_usec / 1000.0 : 0.0);
	sip_contact_status_publish(c, status);
}

static void resp_handler(int err, const struct sip_msg *msg, void *arg)
{
	struct sip_regcontact *c = arg;

	c->qreq = NULL;  /* the request frees itself after calling us */
	c->next_qualify = tmr_jiffies() +
		(uint64_t)c->aor->qualify_frequency * 1000;
	if (err || !msg || msg->scode >= 700) {
		c->rtt_usec = -1;
		set_status(c, "Unreachable");
		return;
	}
	if (msg->scode < 200)
		return;
	c->rtt_usec = (long)(bus_now_us() - c->qualify_sent_us);
	set_status(c, "Reachable");
}

static int send_options(struct sip_regcontact *c)
{
	struct sip_dialog *dlg = NULL;
	struct sa laddr;
	char from[128];
	int err;

	if (sip_laddr_default(&laddr))
		return ENOTCONN;
	re_snprintf(from, sizeof(from), "sip:ariadne@%J", &laddr);
	err = sip_dialog_alloc(&dlg, c->uri, c->uri, NULL, from, NULL, 0);
	if (err)
		return err;
	c->qualify_sent_us = bus_now_us();
	err = sip_drequestf(&c->qreq, sipmod.sip, true, "OPTIONS", dlg, 0,
			    NULL, NULL, resp_handler, c,
			    "Accept: application/sdp\r\n"
			    "Content-Length: 0\r\n\r\n");
	mem_deref(dlg);
	return err;
}

void sip_qualify_contact(struct sip_regcontact *c)
{
	if (!c->aor->qualify_frequency) {
		set_status(c, "NonQualified");
		return;
	}
	/* first result decides; until then the contact is Unknown */
	if (!strcmp(c->status, "Unknown"))
		sip_contact_status_publish(c, "Unknown");
	c->next_qualify = 1;
}

void sip_qualify_tick(uint64_t now)
{
	struct le *le;

	if (!sipmod.conf)
		return;
	for (le = list_head(&sipmod.conf->aors); le; le = le->next) {
		struct sip_aor *aor = le->data;
		struct le *cl;

		if (!aor->qualify_frequency)
			continue;
		for (cl = list_head(&aor->contacts); cl; cl = cl->next) {
			struct sip_regcontact *c = cl->data;

			if (c->qreq && aor->qualify_timeout_ms &&
			    bus_now_us() - c->qualify_sent_us >=
			    (uint64_t)aor->qualify_timeout_ms * 1000) {
				/* dropping the request cancels its handler */
				c->qreq = mem_deref(c->qreq);
				c->rtt_usec = -1;
				c->next_qualify = now +
					(uint64_t)aor->qualify_frequency * 1000;
				set_status(c, "Unreachable");
				continue;
			}
			if (c->qreq || !c->next_qualify || c->next_qualify > now)
				continue;
			if (send_options(c)) {
				c->next_qualify = now +
					(uint64_t)aor->qualify_frequency * 1000;
				set_status(c, "Unreachable");
			}
		}
	}
}
