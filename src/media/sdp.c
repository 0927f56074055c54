/* sdp.c — SDP offer/answer for a media session (RFC 3264) on libre's
 * sdp_session: our codecs in `allow` order, telephone-event with the
 * payload type the offerer chose, directions answered as the offer asks,
 * what the result means for sending (codec, address, hold), and the
 * offers refused (488) with what is wrong with them. The RTP side is
 * session.c. */
#include <errno.h>
#include <stdint.h>
#include <stdbool.h>
#include <inttypes.h>
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
#include <re_rtp.h>
#include <re_sdp.h>
#include <re_telev.h>
#include <re_tmr.h>
#include "core/channel.h"
#include "base/log.h"
#include "media/session_int.h"

#define TELEV_DEFAULT_PT "101"

static int parse_allow(struct media_session *ms)
{
	char buf[sizeof(ms->allow)], *tok, *save = NULL;

	str_ncpy(buf, ms->allow, sizeof(buf));
	ms->ncodecs = 0;
	for (tok = strtok_r(buf, ", ", &save); tok;
	     tok = strtok_r(NULL, ", ", &save)) {
		enum media_codec c;

		if (!strcasecmp(tok, "ulaw") || !strcasecmp(tok, "pcmu"))
			c = MEDIA_PCMU;
		else if (!strcasecmp(tok, "alaw") || !strcasecmp(tok, "pcma"))
			c = MEDIA_PCMA;
		else
			continue; /* codecs we do not have are not offered */
		if (ms->ncodecs == 2 ||
		    (ms->ncodecs == 1 && ms->codecs[0] == c))
			continue;
		ms->codecs[ms->ncodecs++] = c;
	}
	return ms->ncodecs ? 0 : ENOTSUP;
}

/* A session with our one audio stream and its formats: the session's own,
 * or a scratch one to try an offer on. */
static int sdp_local(const struct media_session *ms, struct sdp_session **sp,
		     struct sdp_media **mp)
{
	int err = sdp_session_alloc(sp, &ms->laddr);

	if (err)
		return err;
	/* sdp_media_add gives the media to the session's list */
	err = sdp_media_add(mp, *sp, sdp_media_audio, sa_port(&ms->laddr),
			    sdp_proto_rtpavp);
	if (err)
		return err;
	for (unsigned i = 0; i < ms->ncodecs; i++) {
		bool u = ms->codecs[i] == MEDIA_PCMU;

		err = sdp_format_add(NULL, *mp, false, u ? "0" : "8",
				     u ? "PCMU" : "PCMA", MEDIA_SRATE, 1, NULL,
				     NULL, NULL, false, NULL);
		if (err)
			return err;
	}
	if (ms->rfc4733) {
		err = sdp_format_add(NULL, *mp, false, TELEV_DEFAULT_PT,
				     telev_rtpfmt, MEDIA_SRATE, 1, NULL, NULL,
				     NULL, false, "0-16");
		if (err)
			return err;
	}
	return sdp_media_set_lattr(*mp, true, sdp_attr_ptime, "%u",
				   MEDIA_PTIME);
}

int media_sdp_alloc(struct media_session *ms)
{
	int err;

	err = parse_allow(ms);
	if (err) {
		log_warning("%s: none of the codecs '%s' is supported "
			    "(ulaw, alaw)", ms->ch ? channel_name(ms->ch) : "",
			    ms->allow);
		return err;
	}
	err = sdp_local(ms, &ms->sdp, &ms->sdpm);
	/* we keep our own reference to the media as well */
	if (ms->sdpm)
		mem_ref(ms->sdpm);
	return err;
}

static bool is_codec_fmt(const struct media_session *ms,
			 const struct sdp_format *f)
{
	int pt = f->id ? atoi(f->id) : -1;

	if (!f->sup)
		return false;
	for (unsigned i = 0; i < ms->ncodecs; i++)
		if (pt == (int)ms->codecs[i])
			return true;
	return false;
}

/* Does the peer's side of m (an offer or answer decoded into it) have one
 * of our codecs? If not, why says what it offered. */
static bool has_common_codec(const struct media_session *ms,
			     const struct sdp_media *m, char *why, size_t size)
{
	const struct list *l = sdp_media_format_lst(m, false);
	char pts[48] = "";
	size_t n = 0;

	for (struct le *le = l ? l->head : NULL; le; le = le->next) {
		const struct sdp_format *f = le->data;

		if (is_codec_fmt(ms, f))
			return true;
		if (f->id && n + 1 < sizeof(pts)) {
			re_snprintf(pts + n, sizeof(pts) - n, "%s%s",
				    n ? " " : "", f->id);
			n = strlen(pts);
		}
	}
	re_snprintf(why, size, "none of its payload types (%s) is a codec "
		    "of ours (%s)", n ? pts : "none", ms->allow);
	return false;
}

int media_sdp_apply(struct media_session *ms)
{
	const struct list *rl = sdp_media_format_lst(ms->sdpm, false);
	const struct sa *ra = sdp_media_raddr(ms->sdpm);
	enum sdp_dir rdir = sdp_media_rdir(ms->sdpm);
	enum sdp_dir dir = sdp_media_dir(ms->sdpm);
	bool was_hold = ms->hold;
	struct le *le;

	ms->tx_pt = -1;
	ms->te_pt = -1;
	/* The peer's order decides what we send: its first codec we share
	 * (for our offer, the first one of its answer). */
	for (le = rl ? rl->head : NULL; le; le = le->next) {
		const struct sdp_format *f = le->data;

		if (ms->tx_pt < 0 && is_codec_fmt(ms, f))
			ms->tx_pt = atoi(f->id);
		else if (ms->rfc4733 && f->sup && f->name &&
			 !strcasecmp(f->name, telev_rtpfmt) && ms->te_pt < 0)
			ms->te_pt = atoi(f->id);
	}
	if (ms->tx_pt < 0)
		return ENOTSUP;

	/* RFC 3264 8.4 / RFC 2543 hold: sendonly, inactive or c=0.0.0.0. */
	ms->hold = !(rdir & SDP_SENDONLY) || !sa_isset(ra, SA_ADDR);
	ms->can_send = (dir & SDP_SENDONLY) && sa_isset(ra, SA_ALL);
	ms->can_recv = (dir & SDP_RECVONLY) != 0;

	if (!sa_cmp(ra, &ms->sdp_raddr, SA_ALL)) {
		ms->sdp_raddr = *ra;
		ms->raddr = *ra;
		ms->latched = false;
		/* strict RTP learns the source again (Asterisk does on a
		 * new remote address) */
		media_rtp_source_reset(&ms->rx);
		/* A re-INVITE moving the media moves RTCP with it. */
		if (ms->rtcp.on) {
			sdp_media_raddr_rtcp(ms->sdpm, &ms->rtcp.raddr);
			ms->rtcp.latched = false;
		}
	}
	if (!ms->rtcp.on && !ms->no_rtcp && sa_isset(ra, SA_ALL)) {
		struct sa rtcp_addr;

		/* Not libre's rtcp_start, which runs its own report
		 * timer: ours go out from the tick (rtcp.c). */
		sdp_media_raddr_rtcp(ms->sdpm, &rtcp_addr);
		media_rtcp_start(ms, &rtcp_addr);
	}
	/* The RTP timeout counts from when media may flow (and again after
	 * the peer takes the call off hold). */
	if (!ms->last_rx_ms || (was_hold && !ms->hold))
		ms->last_rx_ms = tmr_jiffies();
	return 0;
}

/* libre's parser accepts almost anything; an SDP starts with v=. */
static int decode(struct sdp_session *sess, struct mbuf *mb, bool offer)
{
	size_t pos;
	int err;

	if (!mb || mbuf_get_left(mb) < 2 || memcmp(mbuf_buf(mb), "v=", 2))
		return EBADMSG;
	pos = mb->pos;
	err = sdp_decode(sess, mb, offer);
	mb->pos = pos;
	if (err == ENOMEM)
		return err;
	return err ? EBADMSG : 0;
}

/* c=IN IP4 <address>[/ttl]: an address of the family it names. libre
 * takes an address it cannot read (999.1.1.1, a host name) as none, which
 * means hold: the call would be answered and never hear a thing. */
static bool conn_valid(const struct pl *val, char *why, size_t size)
{
	struct pl net, type, addr;
	struct sa sa;

	if (re_regex(val->p, val->l, "[^ ]+ [^ ]+ [^ /]+", &net, &type,
		     &addr) || net.p != val->p || pl_strcmp(&net, "IN") ||
	    (pl_strcmp(&type, "IP4") && pl_strcmp(&type, "IP6"))) {
		re_snprintf(why, size, "c=%r is not IN IP4 or IN IP6 and an "
			    "address", val);
		return false;
	}
	if (sa_set(&sa, &addr, 0) ||
	    sa_af(&sa) != (pl_strcmp(&type, "IP4") ? AF_INET6 : AF_INET)) {
		re_snprintf(why, size, "c= address '%r' is not an %r address",
			    &addr, &type);
		return false;
	}
	return true;
}

/* m=<media> <port>[/<count>] <proto> <fmt> ...: libre takes the port
 * modulo 65536 and any payload type. */
static bool media_valid(const struct pl *val, uint32_t *port, char *why,
			size_t size)
{
	struct pl name, pport, fmts, fmt;

	if (re_regex(val->p, val->l, "[^ ]+ [0-9]+[^ ]* [^ ]+[^]*", &name,
		     &pport, NULL, NULL, &fmts) || name.p != val->p) {
		re_snprintf(why, size, "m=%r has no port", val);
		return false;
	}
	*port = pport.l > 5 ? 65536 : pl_u32(&pport);
	if (*port > 65535) {
		re_snprintf(why, size, "m=%r: port %r is out of range", &name,
			    &pport);
		return false;
	}
	if (!*port)
		return true;   /* a stream refused or disabled */
	if (!pl_isset(&fmts) || !fmts.l) {
		re_snprintf(why, size, "m=%r has no formats", &name);
		return false;
	}
	/* RFC 3551 3: an RTP payload type is 7 bits (pjmedia_sdp_validate
	 * refuses a numeric format above 127) */
	while (!re_regex(fmts.p, fmts.l, " [^ ]+", &fmt)) {
		bool digits = fmt.l && fmt.p[0] >= '0' && fmt.p[0] <= '9';

		if (digits && (fmt.l > 3 || pl_u32(&fmt) > 127 ||
			       (fmt.l > 1 && !pl_u32(&fmt)))) {
			re_snprintf(why, size, "m=%r: payload type %r is not "
				    "0 to 127", &name, &fmt);
			return false;
		}
		pl_advance(&fmts, (ssize_t)(fmt.p + fmt.l - fmts.p));
	}
	return true;
}

/* What pjmedia_sdp_validate() checks and libre's parser lets through
 * (chan_pjsip answers such an offer 488): every c= line, every m= line,
 * and a c= line for each stream that is not disabled, in the stream or
 * for the whole session. EPROTO, with why, when one does not hold. */
static int offer_valid(const struct mbuf *mb, char *why, size_t size)
{
	struct pl text, line;
	bool session_c = false, media = false, media_c = false;
	uint32_t port = 0;

	text.p = (const char *)mbuf_buf(mb);
	text.l = mbuf_get_left(mb);
	while (text.l) {
		const char *eol = memchr(text.p, '\n', text.l);
		struct pl val;

		line.p = text.p;
		line.l = eol ? (size_t)(eol - text.p) : text.l;
		pl_advance(&text, (ssize_t)(line.l + (eol ? 1 : 0)));
		while (line.l && line.p[line.l - 1] == '\r')
			line.l--;
		if (line.l < 2 || line.p[1] != '=')
			continue;
		val.p = line.p + 2;
		val.l = line.l - 2;
		if (line.p[0] == 'c') {
			if (!conn_valid(&val, why, size))
				return EPROTO;
			*(media ? &media_c : &session_c) = true;
		}
		else if (line.p[0] == 'm') {
			if (media && port && !media_c && !session_c)
				goto no_conn;
			if (!media_valid(&val, &port, why, size))
				return EPROTO;
			media = true;
			media_c = false;
		}
	}
	if (!media || !port || media_c || session_c)
		return 0;
 no_conn:
	re_snprintf(why, size, "no c= line for a stream, in it or for the "
		    "session");
	return EPROTO;
}

/* The offer decoded into sess (whose audio stream is m): can we answer
 * it? 0, or EBADMSG, EPROTO or ENOTSUP with why. */
static int offer_check(const struct media_session *ms,
		       struct sdp_session *sess, const struct sdp_media *m,
		       struct mbuf *offer, char *why, size_t size)
{
	int err = decode(sess, offer, true);

	if (err == EBADMSG)
		re_snprintf(why, size, "it is not SDP that can be parsed");
	else if (!err)
		err = offer_valid(offer, why, size);
	if (!err && !has_common_codec(ms, m, why, size))
		err = ENOTSUP;
	return err;
}

int media_session_offer_check(const struct media_session *ms,
			      struct mbuf *offer, char *why, size_t size)
{
	struct sdp_session *scratch = NULL;
	struct sdp_media *m = NULL;
	int err;

	if (!ms || !why || !size)
		return EINVAL;
	*why = '\0';
	/* tried on a session of its own: ours stays as the last offer
	 * left it when this one is refused */
	err = sdp_local(ms, &scratch, &m);
	if (!err)
		err = offer_check(ms, scratch, m, offer, why, size);
	mem_deref(scratch);
	return err;
}

int media_session_answer(struct media_session *ms, struct mbuf *offer,
			 struct mbuf **answerp)
{
	char why[160] = "";
	int err;

	if (!ms || !answerp)
		return EINVAL;
	err = offer_check(ms, ms->sdp, ms->sdpm, offer, why, sizeof(why));
	if (err) {
		if (*why)
			log_notice("%s: SDP offer not acceptable: %s",
				   ms->ch ? channel_name(ms->ch) : "?", why);
		return err;
	}
	err = media_sdp_apply(ms);
	if (err)
		return err;
	return sdp_encode(answerp, ms->sdp, false);
}

int media_session_offer(struct media_session *ms, struct mbuf **offerp)
{
	if (!ms || !offerp)
		return EINVAL;
	return sdp_encode(offerp, ms->sdp, true);
}

int media_session_set_answer(struct media_session *ms, struct mbuf *answer)
{
	char why[160];
	int err;

	if (!ms)
		return EINVAL;
	err = decode(ms->sdp, answer, false);
	if (err)
		return err;
	if (!has_common_codec(ms, ms->sdpm, why, sizeof(why)))
		return ENOTSUP;
	return media_sdp_apply(ms);
}
