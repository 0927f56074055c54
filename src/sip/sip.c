/* sip.c — the SIP module's face for main.c (named sip_module_* so that it
 * cannot collide with libre's own sip_close()): starts the parts of src/sip
 * in order and closes them in reverse, and owns the one housekeeping timer
 * that drives contact expiry and qualify. The only file that knows every
 * other one; none of them calls back into it. */
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
#include <re_tmr.h>
#include <re_uri.h>
#include <re_msg.h>
#include <re_sip.h>
#include <re_sipsess.h>
#include "core/channel.h"
#include "core/endpoint.h"
#include "base/log.h"
#include "base/metrics.h"
#include "sip/sip.h"
#include "sip/sip_int.h"
#include "sip/sip_services.h"
#include "sip/sip_call.h"

static struct sip_lsnr *lsnr;
static struct sip_lsnr *count_lsnr;  /* first: sees every request */
static struct sip_lsnr *framing_lsnr; /* second: refuses torn datagrams */
static struct sip_lsnr *stray_lsnr;  /* last: responses nobody awaits */
static struct tmr tick_tmr;

static const struct endpoint_tech_ops ep_ops = {
	.send_message = sip_message_send,
	.refer = sip_refer_send,
};

/* One timer for all contacts, not one each: expiry and qualify are counted
 * in seconds, so a sweep once a second is as exact as they need, and the
 * order of the two sweeps stays fixed. (Timers are cheap either way since
 * the timer wheel, see docs/ARCHITECTURE.md, "libre caveats".) */
static void tick(void *arg)
{
	uint64_t now = tmr_jiffies();

	(void)arg;
	tmr_start(&tick_tmr, 1000, tick, NULL);
	sip_registrar_tick(now);
	sip_qualify_tick(now);
}

static int load_conf(const struct config *pjsip)
{
	if (pjsip)
		return sip_conf_parse(&sipmod.conf, pjsip);
	sipmod.conf = mem_zalloc(sizeof(*sipmod.conf), NULL);
	return sipmod.conf ? 0 : ENOMEM;
}

static void check_references(void)
{
	struct le *le;

	for (le = list_head(&sipmod.conf->endpoints); le; le = le->next) {
		struct sip_endpoint *e = le->data;
		char name[64];

		sip_list_first(e->auth, name, sizeof(name));
		if (*name && !sip_authobj_find(name))
			log_warning("Endpoint '%s': auth '%s' does not exist",
				    e->name, name);
		sip_list_first(e->outbound_auth, name, sizeof(name));
		if (*name && !sip_authobj_find(name))
			log_warning("Endpoint '%s': outbound_auth '%s' does "
				    "not exist", e->name, name);
	}
}

/* ariadne_sip_responses_total{direction,class}: every response packet
 * sent or received, retransmissions included (libre's trace sees packets,
 * not transactions), by class 1xx..6xx; anything else is not a response. */
static void count_response(bool tx, char cls, double n)
{
	char labels[48];

	snprintf(labels, sizeof(labels), "direction=\"%s\",class=\"%cxx\"",
		 tx ? "sent" : "received", cls);
	metrics_count("ariadne_sip_responses_total", "SIP responses sent and "
		      "received, by class (retransmissions included)", labels,
		      n);
}

static void count_responses(bool tx, enum sip_transp tp, const struct sa *src,
			const struct sa *dst, const uint8_t *pkt, size_t len,
			void *arg)
{
	(void)tp;
	(void)src;
	(void)dst;
	(void)arg;
	if (tx)
		sip_answered_sent(pkt, len);
	if (len < 12 || memcmp(pkt, "SIP/2.0 ", 8) || pkt[8] < '1' ||
	    pkt[8] > '6')
		return;
	count_response(tx, (char)pkt[8], 1);
}

/* Every series of the SIP counters whose labels are known in advance is
 * there from the start at 0: rate() and increase() then see the first
 * call or the first 5xx, which a series born at 1 hides. */
static void counters_at_zero(void)
{
	for (char cls = '1'; cls <= '6'; cls++) {
		count_response(false, cls, 0);
		count_response(true, cls, 0);
	}
	sip_call_count(false, 0);
	sip_call_count(true, 0);
}

/* The stack, then what listens on it and what the core calls into. */
static int start_stack(void)
{
	int err = sip_stack_open();

	/* first: before the counters see a request, as libre's own
	 * transaction matching is (and before the trace handler counts
	 * the probe's 200) */
	if (!err)
		err = sip_answered_init();
	if (!err)
		err = sip_listen(&count_lsnr, sipmod.sip, true,
				 sip_dispatch_count, NULL);
	if (!err)
		err = sip_listen(&framing_lsnr, sipmod.sip, true,
				 sip_dispatch_framing, NULL);
	if (!err)
		sip_set_trace_handler(sipmod.sip, count_responses);
	if (!err)
		err = sipsess_listen(&sipmod.sock, sipmod.sip, 1024,
				     sip_call_incoming, NULL);
	if (!err)
		err = sip_listen(&lsnr, sipmod.sip, true, sip_dispatch_request,
				 NULL);
	if (!err)
		err = sip_listen(&stray_lsnr, sipmod.sip, false,
				 sip_dispatch_stray_response, NULL);
	if (!err)
		err = sip_auth_init();
	if (!err)
		err = channel_tech_register(&sip_tech);
	if (!err)
		err = endpoint_tech_register("PJSIP", &ep_ops);
	return err;
}

/* Endpoints into the core registry; static contacts qualified (or marked
 * NonQualified). */
static void publish_objects(void)
{
	struct le *le;

	for (le = list_head(&sipmod.conf->endpoints); le; le = le->next)
		(void)sip_endpoint_publish(le->data);
	for (le = list_head(&sipmod.conf->aors); le; le = le->next) {
		struct sip_aor *aor = le->data;
		struct le *cl;

		for (cl = list_head(&aor->contacts); cl; cl = cl->next)
			sip_qualify_contact(cl->data);
	}
}

int sip_module_init(const struct config *pjsip)
{
	int err;

	memset(&sipmod, 0, sizeof(sipmod));
	tmr_init(&tick_tmr);
	err = load_conf(pjsip);
	if (err)
		return err;
	check_references();
	err = start_stack();
	if (err) {
		log_error("SIP stack could not start: %s", strerror(err));
		sip_module_close();
		return err;
	}
	publish_objects();
	counters_at_zero();
	(void)sip_outreg_start(pjsip);
	(void)sip_cli_init();
	(void)sip_cli_show_init();
	(void)sip_dynconf_init();
	tmr_start(&tick_tmr, 1000, tick, NULL);
	log_verbose(2, "SIP: %u endpoints, %d transports",
		    list_count(&sipmod.conf->endpoints), sipmod.ntransports);
	return 0;
}

/* Channels (and with them every call) are hung up by the core before
 * this; a session still present is freed with its call. */
void sip_module_close(void)
{
	tmr_cancel(&tick_tmr);
	sip_outreg_close();
	sip_malformed_close();
	if (sipmod.sock)
		sipsess_close_all(sipmod.sock);
	sip_endpoints_unpublish();
	sipmod.conf = mem_deref(sipmod.conf);
	lsnr = mem_deref(lsnr);
	count_lsnr = mem_deref(count_lsnr);
	framing_lsnr = mem_deref(framing_lsnr);
	stray_lsnr = mem_deref(stray_lsnr);
	sip_answered_close();
	sipmod.sock = mem_deref(sipmod.sock);
	sip_security_close();
	sip_stack_close();
}
