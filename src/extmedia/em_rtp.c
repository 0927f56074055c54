/* em_rtp.c — the UnicastRTP channel technology (Asterisk's chan_rtp), what
 * ARI's POST /channels/externalMedia makes for encapsulation=rtp and
 * transport=udp: one call's audio as plain RTP to and from an outside
 * process, in the one G.711 format the dial string names. The dial string's
 * resource is `<host:port>[/<options>]` with Asterisk's options c(<codec>),
 * e(<engine>) and g. No signalling: the RTP session of src/media is set up
 * as if the far end had answered our offer with exactly that address and
 * payload type, the channel is answered as soon as it is called, and no
 * RTP timeout applies (a peer may be silent for as long as it likes).
 *
 * Not here: the ARI handler (src/ari), the audio itself (the session is
 * the channel's transport on the media tick), and linear formats (slin,
 * slin16), which the session does not speak: em_rtp_lin.c carries them on
 * the external media engine. */
#include <errno.h>
#include <stdint.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netdb.h>
#include <sys/socket.h>
#include <re_types.h>
#include <re_fmt.h>
#include <re_mem.h>
#include <re_mbuf.h>
#include <re_list.h>
#include <re_sa.h>
#include <re_net.h>
#include "base/log.h"
#include "core/channel.h"
#include "media/media.h"
#include "extmedia/em_int.h"

/* RFC 4733 digits with the payload type Asterisk offers by default. */
#define EM_RTP_TE_PT 101

static unsigned em_rtp_seq;

/* "ulaw" and "alaw" only: their static payload types (RFC 3551). */
static int codec_pt(const char *codec, const char **rtpmap)
{
	if (!strcmp(codec, "ulaw")) {
		*rtpmap = "PCMU";
		return 0;
	}
	if (!strcmp(codec, "alaw")) {
		*rtpmap = "PCMA";
		return 8;
	}
	return -1;
}

/* Asterisk's option letters: c(codec), e(engine), g (glue, meaningless
 * here). EINVAL for anything else, as chan_rtp refuses it. */
static int parse_options(const char *opts, char *codec, size_t size)
{
	const char *p = opts, *end;

	while (*p) {
		char letter = *p++;
		const char *arg = NULL;
		size_t len = 0;

		if (*p == '(') {
			end = strchr(p, ')');
			if (!end)
				return EINVAL;
			arg = p + 1;
			len = (size_t)(end - arg);
			p = end + 1;
		}
		if (letter == 'c' && arg && len && len < size) {
			memcpy(codec, arg, len);
			codec[len] = '\0';
		}
		else if (letter == 'e' && arg) {
			/* Our one engine is Asterisk's default one. */
			if (len && strncmp(arg, "asterisk", len))
				return ENOTSUP;
		}
		else if (letter != 'g' || arg)
			return EINVAL;
	}
	return 0;
}

/* The destination (em_conf_resolve): ENOENT for a name that does not
 * resolve, as before. */
static int resolve(struct sa *sa, const char *dest)
{
	int err = em_conf_resolve(dest, 0, sa);

	return err == EADDRNOTAVAIL ? ENOENT : err;
}

/* The address the kernel would send from towards `dst` (Asterisk's
 * ast_ouraddrfor): a connected UDP socket tells without sending. */
static int local_for(struct sa *laddr, const struct sa *dst)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int fd = socket(sa_af(dst), SOCK_DGRAM, 0);
	int err = EADDRNOTAVAIL;

	if (fd >= 0 && !connect(fd, &dst->u.sa, dst->len) &&
	    !getsockname(fd, (struct sockaddr *)&ss, &len))
		err = sa_set_sa(laddr, (struct sockaddr *)&ss);
	if (fd >= 0)
		close(fd);
	if (err)
		err = net_default_source_addr_get(sa_af(dst), laddr);
	if (!err)
		sa_set_port(laddr, 0);
	return err;
}

/* Our offer, then the answer the far end would have given: its address,
 * the one payload type, telephone-event, 20 ms. The offer tells the port
 * we were given. */
static int session_setup(struct media_session **msp, struct channel *ch,
			 const struct sa *laddr, const struct sa *raddr,
			 const char *codec, uint16_t *lport)
{
	/* chan_rtp: no NAT property (RTP goes to external_host, wherever
	 * the peer sends from), no RTCP, strict RTP as every session. */
	struct media_opts opts = {.allow = codec, .dtmf = MEDIA_DTMF_RFC4733,
				  .rtp_timeout_s = 0, .fixed_peer = true,
				  .no_rtcp = true};
	struct mbuf *offer = NULL, *answer = NULL;
	const char *rtpmap = NULL, *m;
	int pt = codec_pt(codec, &rtpmap);
	int ipv = sa_af(raddr) == AF_INET6 ? 6 : 4;
	char *txt = NULL;
	int err;

	err = media_session_alloc(msp, ch, laddr, &opts);
	if (!err)
		err = media_session_offer(*msp, &offer);
	if (!err) {
		offer->pos = 0;
		err = mbuf_strdup(offer, &txt, mbuf_get_left(offer));
	}
	m = txt ? strstr(txt, "\nm=audio ") : NULL;
	if (!err && (!m || sscanf(m, "\nm=audio %" SCNu16, lport) != 1))
		err = EPROTO;
	if (!err) {
		answer = mbuf_alloc(512);
		err = answer ? 0 : ENOMEM;
	}
	if (!err)
		err = mbuf_printf(answer,
			"v=0\r\no=- %u 1 IN IP%d %j\r\ns=-\r\n"
			"c=IN IP%d %j\r\nt=0 0\r\n"
			"m=audio %u RTP/AVP %d %d\r\n"
			"a=rtpmap:%d %s/8000\r\n"
			"a=rtpmap:%d telephone-event/8000\r\n"
			"a=fmtp:%d 0-16\r\na=ptime:20\r\na=sendrecv\r\n",
			em_rtp_seq, ipv, raddr, ipv, raddr, sa_port(raddr),
			pt, EM_RTP_TE_PT, pt, rtpmap, EM_RTP_TE_PT,
			EM_RTP_TE_PT);
	if (!err) {
		answer->pos = 0;
		err = media_session_set_answer(*msp, answer);
	}
	mem_deref(txt);
	mem_deref(offer);
	mem_deref(answer);
	return err;
}

static int em_rtp_request(struct channel **chp, const char *resource,
			  const char *id, const char *other_id);

static int em_rtp_call(struct channel *ch, const char *resource, int timeout)
{
	/* chan_rtp queues its answer as soon as it is called. */
	return channel_answer(ch);
}

/* The session is the channel's media state's; it is gone already (the
 * media hangup hook runs before the technology's hangup). */
static void em_rtp_hangup(struct channel *ch, int cause)
{
	channel_set_pvt(ch, NULL);
}

static int em_rtp_stats(const struct channel *ch, struct channel_rtp_stats *st)
{
	const struct media_session *ms = channel_pvt(ch);

	if (!ms || channel_is_hungup(ch))
		return ENOENT;
	return media_session_stats(ms, st);
}

static const struct channel_tech em_rtp_tech = {
	.type = "UnicastRTP",
	.description = "Unicast RTP Media Channel Driver",
	.request = em_rtp_request,
	.call = em_rtp_call,
	.hangup = em_rtp_hangup,
	/* No send_digit, as chan_rtp's UnicastRTP: the peer agreed on no
	 * telephone-event payload type (there is no SDP), so RFC 4733
	 * packets would reach a bot as 16-byte blips of "audio", and the
	 * audio they replaced as holes. */
	.rtp_stats = em_rtp_stats,
};

/* EINVAL: no destination, a bad one or a bad option; ENOENT: the host does
 * not resolve; ENOTSUP: a codec other than ulaw/alaw/slin/slin16 (or another engine);
 * EEXIST: `id` in use; otherwise the error of the RTP socket. */
static int em_rtp_request(struct channel **chp, const char *resource,
			  const char *id, const char *other_id)
{
	char dest[256], codec[32] = "ulaw", buf[64];
	const char *slash, *rtpmap;
	const struct em_format *lin;
	struct media_session *ms = NULL;
	struct channel *ch = NULL;
	struct sa raddr, laddr;
	uint16_t lport = 0;
	size_t len;
	int err;

	if (!chp || !resource || !*resource)
		return EINVAL;
	slash = strchr(resource, '/');
	len = slash ? (size_t)(slash - resource) : strlen(resource);
	if (!len || len >= sizeof(dest))
		return EINVAL;
	memcpy(dest, resource, len);
	dest[len] = '\0';

	err = slash ? parse_options(slash + 1, codec, sizeof(codec)) : 0;
	if (err == ENOTSUP) {
		log_error("Could not create RTP instance for sending media "
			  "to '%s': only the default engine exists", dest);
		return err;
	}
	if (err) {
		log_error("'%s' is not a valid option", slash + 1);
		return err;
	}
	lin = em_format_find(codec);
	if (lin && lin->codec != -1)
		lin = NULL;      /* G.711: the RTP session below */
	/* L16 has a payload type in Asterisk's table at 8 and 16 kHz only;
	 * at other rates chan_rtp finds none and the request fails. */
	if (lin && lin->rate != 8000 && lin->rate != 16000) {
		log_error("Codec '%s' not supported for sending RTP to '%s'",
			  codec, dest);
		return ENOTSUP;
	}
	if (!lin && codec_pt(codec, &rtpmap) < 0) {
		log_error("Codec '%s' not supported for sending RTP to '%s'",
			  codec, dest);
		return ENOTSUP;
	}
	err = resolve(&raddr, dest);
	if (err) {
		if (err == EINVAL)
			log_error("Unable to parse destination '%s' into host "
				  "and port", dest);
		return err;
	}
	err = local_for(&laddr, &raddr);
	if (err) {
		log_error("Could not create RTP instance for sending media "
			  "to '%s'", dest);
		return err;
	}

	if (lin) {
		err = em_rtp_lin_request(&ch, lin, dest, &laddr, &raddr, id,
					 ++em_rtp_seq, &lport);
		if (err)
			return err;
		goto vars;
	}
	err = channel_alloc(&ch, &em_rtp_tech, id, NULL, NULL,
			    "UnicastRTP/%s-0x%08x", dest, ++em_rtp_seq);
	if (err)
		return err;
	err = session_setup(&ms, ch, &laddr, &raddr, codec, &lport);
	if (err) {
		log_error("Could not create RTP instance for sending media "
			  "to '%s'", dest);
		channel_hangup_quiet(ch, CAUSE_FAILURE, "UnicastRTP");
		return err;
	}
	channel_set_pvt(ch, ms);
 vars:
	re_snprintf(buf, sizeof(buf), "%j", &laddr);
	channel_var_set(ch, "UNICASTRTP_LOCAL_ADDRESS", buf);
	re_snprintf(buf, sizeof(buf), "%u", lport);
	channel_var_set(ch, "UNICASTRTP_LOCAL_PORT", buf);
	*chp = ch;
	return 0;
}

int em_rtp_init(void)
{
	return channel_tech_register(&em_rtp_tech);
}
