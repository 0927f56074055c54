/* sdp.c — SDP offer/answer for a media session (RFC 3264) on libre's
 * sdp_session: our codecs in `allow` order, telephone-event with the
 * payload type the offerer chose, directions answered as the offer asks,
 * and what the result means for sending (codec, address, hold). The RTP
 * side is session.c. */
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
	err = sdp_session_alloc(&ms->sdp, &ms->laddr);
	if (err)
		return err;
	err = sdp_media_add(&ms->sdpm, ms->sdp, sdp_media_audio,
			    sa_port(&ms->laddr), sdp_proto_rtpavp);
	if (err)
		return err;
	/* sdp_media_add gives the media to the session's list; we keep our
	 * own reference as well. */
	mem_ref(ms->sdpm);
	for (unsigned i = 0; i < ms->ncodecs; i++) {
		bool u = ms->codecs[i] == MEDIA_PCMU;

		err = sdp_format_add(NULL, ms->sdpm, false, u ? "0" : "8",
				     u ? "PCMU" : "PCMA", MEDIA_SRATE, 1, NULL,
				     NULL, NULL, false, NULL);
		if (err)
			return err;
	}
	if (ms->rfc4733) {
		err = sdp_format_add(NULL, ms->sdpm, false, TELEV_DEFAULT_PT,
				     telev_rtpfmt, MEDIA_SRATE, 1, NULL, NULL,
				     NULL, false, "0-16");
		if (err)
			return err;
	}
	return sdp_media_set_lattr(ms->sdpm, true, sdp_attr_ptime, "%u",
				   MEDIA_PTIME);
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

static bool has_common_codec(const struct media_session *ms)
{
	const struct list *l = sdp_media_format_lst(ms->sdpm, false);

	for (struct le *le = l ? l->head : NULL; le; le = le->next)
		if (is_codec_fmt(ms, le->data))
			return true;
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
static int decode(struct media_session *ms, struct mbuf *mb, bool offer)
{
	size_t pos;
	int err;

	if (!mb || mbuf_get_left(mb) < 2 || memcmp(mbuf_buf(mb), "v=", 2))
		return EBADMSG;
	pos = mb->pos;
	err = sdp_decode(ms->sdp, mb, offer);
	mb->pos = pos;
	if (err == ENOMEM)
		return err;
	return err ? EBADMSG : 0;
}

int media_session_answer(struct media_session *ms, struct mbuf *offer,
			 struct mbuf **answerp)
{
	int err;

	if (!ms || !answerp)
		return EINVAL;
	err = decode(ms, offer, true);
	if (err)
		return err;
	if (!has_common_codec(ms))
		return ENOTSUP;
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
	int err;

	if (!ms)
		return EINVAL;
	err = decode(ms, answer, false);
	if (err)
		return err;
	if (!has_common_codec(ms))
		return ENOTSUP;
	return media_sdp_apply(ms);
}
