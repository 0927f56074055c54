/* fuzz_sip.c — SIP requests as ariadne sees them, from the datagram on:
 * the input's first byte says where it comes from (bit 0: 127.0.0.2,
 * which an identify section maps to endpoint "trunk"; else 127.0.0.1),
 * the rest is one or more UDP datagrams separated by NUL bytes. Each goes
 * where libre's UDP transport and stack would send it:
 *  - sip_malformed.c's guard first, which answers 400 to requests libre's
 *    parser drops (its own header scan);
 *  - libre's parser (sip_msg_decode), then the listeners in the server's
 *    order: the request counter, the new-INVITE handler (sip_call_in.c:
 *    identify, digest auth, caller id and dialled extension, the SDP offer
 *    answered by src/media, the dialplan run with them), the
 *    out-of-dialog dispatcher (REGISTER with its Contact bindings and
 *    expiry, OPTIONS, MESSAGE with X- headers, NOTIFY of a REFER, the
 *    405/481/501 answers);
 *  - a request that carries a To tag and names the Call-ID of the call an
 *    earlier datagram of the input set up goes to that call's handlers, as
 *    libre's sipsess would route it in the dialog: re-INVITE and UPDATE
 *    offers, the ACK's answer, INFO DTMF (dtmf-relay bodies), BYE, REFER
 *    (refused before its Refer-To is read: without sipsess the call has no
 *    session); a response to it ends the call with its Reason header.
 *
 * Why: anyone who reaches port 5060 can send this, before any
 * authentication. The digest check is reached for real: pjsip.conf below
 * gives alice's auth a nonce lifetime longer than the epoch, and this file
 * makes libre's rand_str predictable, so a nonce made by sip_auth.c for
 * time 0 ("00000000/" + MD5("0:" + 32 'a's)) is one of ours and fresh;
 * the seed corpus carries REGISTERs and INVITEs whose responses are right.
 *
 * Nothing goes to the network. This file defines libre's functions that
 * send (sip_transp_send, under every reply, request and retransmission;
 * udp_send and udp_send_anon) and the one that installs the guard on a
 * socket (udp_register_helper), as base/timerwheel.c defines tmr_*; the
 * executable's definitions take the place of libre.so's. What ariadne
 * sends is checked: a SIP message whose head is CRLF-framed, without a
 * bare CR or LF (a header injection; see check_sent for what libre lets
 * through). libre's stack is made anew for each input, so transactions do
 * not pile up; channels are hung up and registered contacts removed. */
#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <re_types.h>
#include <re_fmt.h>
#include <re_mem.h>
#include <re_mbuf.h>
#include <re_list.h>
#include <re_sa.h>
#include <re_sys.h>
#include <re_tmr.h>
#include <re_main.h>
#include <re_udp.h>
#include <re_uri.h>
#include <re_msg.h>
#include <re_sip.h>
#include <re_sipsess.h>
#include "fuzz.h"
#include "fuzz_core.h"
#include "pbx/dialplan.h"
#include "sip/sip_int.h"
#include "sip/sip_services.h"
#include "sip/sip_call.h"

/* alice: digest auth (nonce lifetime: always fresh, see above), an aor
 * she may register up to 3 contacts in; bob: no auth, info DTMF, one
 * contact replaced on register; trunk: identified by address. */
static const char pjsip_conf[] =
	"[alice]\n"
	"type = endpoint\n"
	"context = default\n"
	"allow = ulaw,alaw\n"
	"auth = alice-auth\n"
	"aors = alice\n"
	"[alice-auth]\n"
	"type = auth\n"
	"auth_type = userpass\n"
	"username = alice\n"
	"password = secret\n"
	"nonce_lifetime = 2147483647\n"
	"[alice]\n"
	"type = aor\n"
	"max_contacts = 3\n"
	"minimum_expiration = 10\n"
	"[bob]\n"
	"type = endpoint\n"
	"context = default\n"
	"allow = alaw\n"
	"dtmf_mode = info\n"
	"aors = bob\n"
	"callerid = \"Bob\" <200>\n"
	"[bob]\n"
	"type = aor\n"
	"max_contacts = 1\n"
	"remove_existing = yes\n"
	"[trunk]\n"
	"type = endpoint\n"
	"context = default\n"
	"[trunk-id]\n"
	"type = identify\n"
	"endpoint = trunk\n"
	"match = 127.0.0.2/32\n";

/* ---- libre's sending and helper functions, replaced ---- */

struct sip_connqent;
typedef void (sip_transp_h)(int err, void *arg);
int sip_transp_send(struct sip_connqent **qentp, struct sip *sip, void *sock,
		    enum sip_transp tp, const struct sa *dst, struct mbuf *mb,
		    sip_transp_h *transph, void *arg);

static struct {
	udp_helper_recv_h *guardh;   /* sip_malformed.c's datagram check */
	void *guard_arg;
	void *sock;                  /* stands for the UDP transport's socket */
	bool show;                   /* FUZZ_SHOW set: print what is sent */
} g;

/* A SIP message: start line and header lines end in CRLF, an empty line
 * ends the head, and no CR or LF is anywhere else: a line break the peer
 * sees where ariadne wrote none is a header injection. Not `strict`: the
 * reply was built by libre, whose parser keeps lone CRs and folds (an LF,
 * maybe CRs, then a blank: RFC 3261 7.3.1 has CRLF and a blank) inside a
 * header value and whose replies copy Via, From, To, Call-ID and CSeq as
 * received (docs/FUZZING.md, "Findings"); those are let through, but not
 * a line that starts where no CRLF ended the one before, as a line break
 * ariadne adds in the extra headers of sip_replyf would. The 400 that
 * sip_malformed.c writes itself is held to all of it. */
static void check_sent(const uint8_t *p, size_t n, bool strict)
{
	if (g.show)
		fprintf(stderr, "<<< %.*s\n", (int)n, (const char *)p);
	for (size_t i = 0; i < n; i++) {
		size_t k = i + 1;
		bool cr;

		if (p[i] == '\r') {
			if (strict && (k >= n || p[k] != '\n'))
				abort();  /* a CR alone */
			continue;
		}
		if (p[i] != '\n')
			continue;
		cr = i > 0 && p[i - 1] == '\r';
		if (!cr) {
			/* an LF alone: only as libre's fold */
			if (strict || k >= n || (p[k] != ' ' && p[k] != '\t' &&
						 p[k] != '\r'))
				abort();
		}
		if (k + 1 < n && p[k] == '\r' && p[k + 1] == '\n') {
			if (!cr)
				abort();
			return;   /* the empty line: the head is whole */
		}
		while (!strict && k < n && p[k] == '\r')
			k++;
		if (k < n && (p[k] == ' ' || p[k] == '\t')) {
			if (strict)
				abort();
			continue;  /* a fold libre kept */
		}
		/* a new line: after a CRLF, nothing else */
		if (!cr || k != i + 1)
			abort();
	}
	abort();
}

int sip_transp_send(struct sip_connqent **qentp, struct sip *sip, void *sock,
		    enum sip_transp tp, const struct sa *dst, struct mbuf *mb,
		    sip_transp_h *transph, void *arg)
{
	(void)qentp;
	(void)sip;
	(void)sock;
	(void)tp;
	(void)dst;
	(void)transph;
	(void)arg;
	if (!mb)
		return EINVAL;
	check_sent(mbuf_buf(mb), mbuf_get_left(mb), false);
	return 0;
}

int udp_send(struct udp_sock *us, const struct sa *dst, struct mbuf *mb)
{
	(void)dst;
	if (!us || !mb)
		return EINVAL;
	/* the guard's 400 is SIP; RTCP from a call's media is not */
	if (us == g.sock)
		check_sent(mbuf_buf(mb), mbuf_get_left(mb), true);
	return 0;
}

int udp_send_anon(const struct sa *dst, struct mbuf *mb)
{
	(void)dst;
	(void)mb;
	return 0;
}

int udp_register_helper(struct udp_helper **uhp, struct udp_sock *us,
			int layer, udp_helper_send_h *sh,
			udp_helper_recv_h *rh, void *arg)
{
	(void)us;
	(void)layer;
	(void)sh;
	g.guardh = rh;
	g.guard_arg = arg;
	if (uhp)
		*uhp = NULL;
	return 0;
}

/* sip_auth.c's nonce key: 32 'a's (see the top of this file) */
void rand_str(char *str, size_t size)
{
	if (!str || !size)
		return;
	memset(str, 'a', size - 1);
	str[size - 1] = '\0';
}

/* ---- the stack of one input ---- */

static int stack_open(void)
{
	int err = sip_alloc(&sipmod.sip, NULL, 16, 16, 16, "ariadne", NULL,
			    NULL);

	if (!err)
		err = sipsess_listen(&sipmod.sock, sipmod.sip, 16,
				     sip_call_incoming, NULL);
	return err;
}

static void stack_close(void)
{
	if (sipmod.sock)
		sipsess_close_all(sipmod.sock);
	sipmod.sock = mem_deref(sipmod.sock);
	sip_close(sipmod.sip, true);
	sipmod.sip = mem_deref(sipmod.sip);
}

/* What REGISTERs added, so that the next input starts with no contacts. */
static bool registered(const struct sip_regcontact *c, void *arg)
{
	(void)arg;
	return c->expires != 0;
}

static void contacts_reset(void)
{
	sip_contacts_remove_if(registered, NULL, "fuzz");
}

/* ---- the call a datagram of this input set up ---- */

struct find_call {
	const struct pl *callid;
	struct sip_call *call;
};

static bool match_call(struct channel *ch, void *arg)
{
	struct find_call *f = arg;
	const char *id = channel_protocol_id(ch);

	if (strcmp(channel_tech_type(ch), SIP_TECH_TYPE) || !id ||
	    pl_strcmp(f->callid, id) || channel_is_hungup(ch))
		return false;
	f->call = channel_pvt(ch);
	return f->call != NULL;
}

static struct sip_call *call_of(const struct sip_msg *msg)
{
	struct find_call f = {.callid = &msg->callid};

	if (!pl_isset(&msg->callid))
		return NULL;
	channel_foreach(match_call, &f);
	return f.call;
}

/* sipsess's routing of a request inside the dialog, to the call's
 * handlers; false when it is not one (no call, no To tag). */
static bool in_dialog(const struct sip_msg *msg)
{
	struct sip_call *call;
	struct mbuf *desc = NULL;

	if (!pl_isset(&msg->to.tag) || !(call = call_of(msg)))
		return false;
	mem_ref(call);
	if (!msg->req) {
		sip_call_close_h(0, msg, call);
	}
	else if (!pl_strcmp(&msg->met, "INVITE") ||
		 !pl_strcmp(&msg->met, "UPDATE")) {
		if (!sip_call_offer_h(&desc, msg, call))
			(void)sip_reply(sipmod.sip, msg, 200, "OK");
		mem_deref(desc);
	}
	else if (!pl_strcmp(&msg->met, "ACK")) {
		(void)sip_call_answer_h(msg, call);
	}
	else if (!pl_strcmp(&msg->met, "INFO")) {
		sip_call_info_h(sipmod.sip, msg, call);
	}
	else if (!pl_strcmp(&msg->met, "REFER")) {
		sip_refer_h(sipmod.sip, msg, call);
	}
	else if (!pl_strcmp(&msg->met, "BYE")) {
		(void)sip_reply(sipmod.sip, msg, 200, "OK");
		sip_call_close_h(ECONNRESET, NULL, call);
	}
	else {
		mem_deref(call);
		return false;
	}
	mem_deref(call);
	return true;
}

static void datagram(const uint8_t *p, size_t n, const struct sa *src)
{
	struct mbuf *mb = mbuf_alloc(n ? n : 1);
	struct sip_msg *msg = NULL;
	struct sa s = *src;

	if (!mb)
		return;
	(void)mbuf_write_mem(mb, p, n);
	mb->pos = 0;
	/* the guard sees every datagram before libre's transport */
	if (g.guardh && g.guardh(&s, mb, g.guard_arg)) {
		mem_deref(mb);
		return;
	}
	mb->pos = 0;
	if (sip_msg_decode(&msg, mb)) {
		mem_deref(mb);
		return;
	}
	/* as libre's UDP transport fills them in */
	msg->sock = mem_ref(g.sock);
	msg->src = *src;
	sa_set_str(&msg->dst, "127.0.0.1", 5060);
	msg->tp = SIP_TRANSP_UDP;

	if (!in_dialog(msg) && msg->req) {
		(void)sip_dispatch_count(msg, NULL);
		if (!pl_strcmp(&msg->met, "INVITE") && !pl_isset(&msg->to.tag))
			sip_call_incoming(msg, NULL);
		else
			(void)sip_dispatch_request(msg, NULL);
	}
	mem_deref(msg);
	mem_deref(mb);
	/* the dialplan of a new call starts on the next turn */
	fuzz_run_deferred();
}

/* The guard is installed when the first request arrives on a socket. */
static void guard_install(void)
{
	static const char opt[] =
		"OPTIONS sip:127.0.0.1 SIP/2.0\r\n"
		"Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK1\r\n"
		"From: <sip:probe@127.0.0.1>;tag=1\r\nTo: <sip:127.0.0.1>\r\n"
		"Call-ID: guard\r\nCSeq: 1 OPTIONS\r\n\r\n";
	struct mbuf *mb = mbuf_alloc(sizeof(opt));
	struct sip_msg *msg = NULL;

	FUZZ_CHECK(mb && !mbuf_write_str(mb, opt));
	mb->pos = 0;
	FUZZ_CHECK(sip_msg_decode(&msg, mb) == 0);
	msg->sock = mem_ref(g.sock);
	msg->tp = SIP_TRANSP_UDP;
	(void)sip_malformed_seen(msg);
	FUZZ_CHECK(g.guardh != NULL);
	mem_deref(msg);
	mem_deref(mb);
}

static void dialplan_setup(void)
{
	/* what a caller sends reaches substitution and an expression */
	FUZZ_CHECK(dialplan_context_add("default", "pbx_config") == 0);
	FUZZ_CHECK(dialplan_add("default", "_X.", 1, NULL, "Set",
				"N=$[${EXTEN} + ${CALLERID(num)}]",
				"pbx_config", NULL, 0) == 0);
	FUZZ_CHECK(dialplan_add("default", "_X.", 2, NULL, "Wait", "10",
				"pbx_config", NULL, 0) == 0);
	FUZZ_CHECK(dialplan_add("default", "s", 1, NULL, "Wait", "10",
				"pbx_config", NULL, 0) == 0);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct config *cfg = NULL;

	(void)argc;
	(void)argv;
	fuzz_libre_init();
	fuzz_core_start();
	memset(&sipmod, 0, sizeof(sipmod));
	FUZZ_CHECK(config_parse(&cfg, "pjsip.conf", pjsip_conf) == 0);
	FUZZ_CHECK(sip_conf_parse(&sipmod.conf, cfg) == 0);
	config_free(cfg);
	for (struct le *le = list_head(&sipmod.conf->endpoints); le;
	     le = le->next)
		FUZZ_CHECK(sip_endpoint_publish(le->data) == 0);
	FUZZ_CHECK(sip_auth_init() == 0);
	FUZZ_CHECK(channel_tech_register(&sip_tech) == 0);
	dialplan_setup();
	g.show = getenv("FUZZ_SHOW") != NULL;
	g.sock = mem_zalloc(1, NULL);
	FUZZ_CHECK(g.sock != NULL);
	guard_install();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sa src;
	size_t pos = 1;

	if (!size)
		return 0;
	sa_set_str(&src, data[0] & 1 ? "127.0.0.2" : "127.0.0.1", 5070);
	FUZZ_CHECK(stack_open() == 0);
	while (pos < size) {
		const uint8_t *nul = memchr(data + pos, 0, size - pos);
		size_t n = nul ? (size_t)(nul - (data + pos)) : size - pos;

		datagram(data + pos, n, &src);
		pos += n + 1;
	}
	channel_hangup_all(CAUSE_NORMAL_CLEARING);
	fuzz_run_deferred();
	contacts_reset();
	stack_close();
	fuzz_run_deferred();
	return 0;
}
