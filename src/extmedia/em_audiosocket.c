/* em_audiosocket.c — AudioSocket/ channels: one call's audio over a TCP
 * connection ariadne makes to the peer, in the AudioSocket framing (a kind
 * byte, a 16-bit big-endian length, the payload), on the engine of
 * em_engine.c so the peer's audio is paced and its tail played.
 *
 * Dial string: AudioSocket/<host:port>/<uuid>[/c(<format>)]. The first
 * message is the UUID (kind 0x01, 16 bytes); audio is signed linear in
 * the kind of the channel's rate (0x10 at 8 kHz, 0x12 at 16 kHz, ... 0x16
 * at 48 kHz), and the kind always says what the bytes are: a channel asked for in ulaw or alaw carries 8 kHz linear
 * (Asterisk sent G.711 bytes labelled as linear: CyCoreSystems#11). Digits
 * go out as kind 0x03. From the peer, 0x00 hangs up; audio may come in
 * any of the linear kinds Asterisk reads (0x10-0x18, 8 to 192 kHz) and is
 * converted to the channel's rate; any other kind hangs up, as in
 * Asterisk; closing the socket hangs up. A hangup from our side just
 * closes the socket. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <re_types.h>
#include <re_fmt.h>
#include <re_mem.h>
#include <re_mbuf.h>
#include <re_list.h>
#include <re_sa.h>
#include <re_tcp.h>
#include <re_tmr.h>
#include "base/defer.h"
#include "base/log.h"
#include "core/channel.h"
#include "core/uuid.h"
#include "extmedia/em_int.h"

enum {
	KIND_HANGUP = 0x00,
	KIND_UUID = 0x01,
	KIND_DTMF = 0x03,
	KIND_SLIN = 0x10,            /* 0x10-0x18: linear audio, by rate */
	KIND_SLIN_LAST = 0x18,
	KIND_ERROR = 0xff,
	RX_MAX = 65535 + 3,
	TXQ_MAX = 4 * 1024 * 1024,
	/* A message begun must be whole this soon: a length the data never
	 * follows would swallow the next 64 KB of the peer's messages. */
	RX_DEADLINE_MS = 2000,
};

struct em_as {
	struct le le;
	struct em e;
	struct tcp_conn *tc;
	struct mbuf *rx;
	struct sa peer;
	struct em_rerate rerate;     /* audio at another rate than ours */
	uint8_t uuid[16];
	char service[300];
	bool up;
	struct tmr tmr;              /* connecting; then a message half in */
	bool odd_told;               /* an odd-length message was logged */
};

static struct list chans;
static const struct channel_tech as_tech;

static void as_destructor(void *arg)
{
	struct em_as *a = arg;

	list_unlink(&a->le);
	tmr_cancel(&a->tmr);
	em_close(&a->e);
	em_rerate_close(&a->rerate);
	mem_deref(a->tc);
	mem_deref(a->rx);
}

static int send_msg(struct em_as *a, uint8_t kind, const uint8_t *p,
		    size_t n)
{
	struct mbuf *mb;
	int err;

	if (!a->tc || !a->up)
		return ENOTCONN;
	mb = mbuf_alloc(n + 3);
	if (!mb)
		return ENOMEM;
	err = mbuf_write_u8(mb, kind);
	err |= mbuf_write_u16(mb, htons((uint16_t)n));
	if (n)
		err |= mbuf_write_mem(mb, p, n);
	mb->pos = 0;
	if (!err)
		err = tcp_send(a->tc, mb);
	mem_deref(mb);
	return err;
}

static int wire_audio(void *arg, const uint8_t *p, size_t n)
{
	struct em_as *a = arg;

	return send_msg(a, a->e.conv.fmt->as_kind, p, n);
}

static size_t wire_queued(void *arg)
{
	struct em_as *a = arg;

	return a->tc ? tcp_conn_txqsz(a->tc) : 0;
}

static void wire_event(void *arg, enum em_event ev, const char *s, bool flag)
{
	struct em_as *a = arg;

	(void)flag;
	if (ev == EM_EV_DTMF && s && *s)
		send_msg(a, KIND_DTMF, (const uint8_t *)s, 1);
}

static const struct em_wire as_wire = {
	.audio = wire_audio,
	.queued = wire_queued,
	.event = wire_event,
};

static void hang_up(struct em_as *a, int cause, const char *why)
{
	if (!a->e.ch || channel_is_hungup(a->e.ch))
		return;
	log_verbose(3, "%s: %s", channel_name(a->e.ch), why);
	channel_hangup(a->e.ch, cause, "AudioSocket");
}

/* The sample rate of a linear audio kind (Asterisk's slin formats). */
static uint32_t kind_rate(uint8_t kind)
{
	static const uint32_t rates[] = {8000, 12000, 16000, 24000, 32000,
					 44100, 48000, 96000, 192000};

	return rates[kind - KIND_SLIN];
}

/* Audio at another rate than the channel's goes through a resampler. */
static void audio(struct em_as *a, uint8_t kind, const uint8_t *p, size_t n)
{
	uint32_t rate = kind_rate(kind), ours = a->e.conv.fmt->rate;
	uint8_t *conv;
	size_t convn;

	/* Each message is whole samples, as Asterisk makes one frame of
	 * each: a stray byte is dropped, not carried into the next message,
	 * where it would put every sample after it out of step. */
	if (n & 1) {
		if (!a->odd_told)
			log_notice("%s: AudioSocket audio of an odd length (%zu "
				   "bytes); its last byte dropped",
				   channel_name(a->e.ch), n);
		a->odd_told = true;
		n--;
	}
	if (!n)
		return;
	if (rate == ours) {
		em_audio_in(&a->e, p, n);
		return;
	}
	/* A sample split across messages is not joined: resampled audio
	 * comes in whole samples. */
	if (em_rerate(&a->rerate, rate, ours, p, n, &conv, &convn)) {
		log_warning("%s: could not convert AudioSocket audio from %u "
			    "to %u Hz; message dropped", channel_name(a->e.ch),
			    rate, ours);
		return;
	}
	if (convn)
		em_audio_in(&a->e, conv, convn);
	em_rerate_done(&a->rerate);
}

/* One message from the peer; false when the call ends with it. */
static bool message(struct em_as *a, uint8_t kind, const uint8_t *p,
		    size_t n)
{
	if (kind == KIND_HANGUP) {
		hang_up(a, CAUSE_NORMAL_CLEARING, "AudioSocket peer hung up");
		return false;
	}
	if (kind < KIND_SLIN || kind > KIND_SLIN_LAST) {
		log_error("%s: Received AudioSocket message other than hangup "
			  "or audio (kind 0x%02x, %zu bytes); hanging up",
			  channel_name(a->e.ch), kind, n);
		hang_up(a, CAUSE_FAILURE, "AudioSocket protocol error");
		return false;
	}
	if (n)
		audio(a, kind, p, n);
	return true;
}

/* Connecting took connect_ms (a host that drops our SYNs), or a message
 * stayed half received for RX_DEADLINE_MS. */
static void deadline_h(void *arg)
{
	struct em_as *a = arg;

	if (!a->e.ch)
		return;
	if (!a->up) {
		log_warning("%s: could not connect to AudioSocket server %s: "
			    "no answer within %u ms", channel_name(a->e.ch),
			    a->service, em_conf.connect_ms);
		hang_up(a, CAUSE_FAILURE, "AudioSocket connection timed out");
		return;
	}
	log_error("%s: AudioSocket message not received whole within %u ms "
		  "(%zu bytes of it); hanging up", channel_name(a->e.ch),
		  (unsigned)RX_DEADLINE_MS, a->rx->end);
	hang_up(a, CAUSE_FAILURE, "AudioSocket protocol error");
}

static void recv_h(struct mbuf *mb, void *arg)
{
	struct em_as *a = arg;
	struct mbuf *rx = a->rx;

	if (!a->e.ch || rx->end + mbuf_get_left(mb) > RX_MAX * 2) {
		hang_up(a, CAUSE_FAILURE, "AudioSocket receive overflow");
		return;
	}
	rx->pos = rx->end;
	mbuf_write_mem(rx, mbuf_buf(mb), mbuf_get_left(mb));
	rx->pos = 0;
	while (mbuf_get_left(rx) >= 3) {
		uint8_t *b = mbuf_buf(rx);
		size_t n = (size_t)b[1] << 8 | b[2];

		if (mbuf_get_left(rx) < n + 3)
			break;
		if (!message(a, b[0], b + 3, n))
			return;
		mbuf_advance(rx, (ssize_t)(n + 3));
	}
	if (mbuf_get_left(rx))
		memmove(rx->buf, mbuf_buf(rx), mbuf_get_left(rx));
	rx->end = mbuf_get_left(rx);
	rx->pos = 0;
	if (!rx->end)
		tmr_cancel(&a->tmr);
	else if (!tmr_isrunning(&a->tmr))
		tmr_start(&a->tmr, RX_DEADLINE_MS, deadline_h, a);
}

static void estab_h(void *arg)
{
	struct em_as *a = arg;

	if (!a->e.ch)
		return;
	a->up = true;
	tmr_cancel(&a->tmr);
	em_socket_tune(&a->e, tcp_conn_fd(a->tc));
	if (send_msg(a, KIND_UUID, a->uuid, sizeof(a->uuid))) {
		hang_up(a, CAUSE_FAILURE, "AudioSocket UUID could not be sent");
		return;
	}
	log_verbose(3, "%s: connected to %s", channel_name(a->e.ch),
		    a->service);
	if (channel_state(a->e.ch) != CHANNEL_UP)
		channel_set_state(a->e.ch, CHANNEL_UP);
}

static void close_h(int err, void *arg)
{
	struct em_as *a = arg;

	if (!a->e.ch)
		return;
	if (!a->up)
		log_warning("%s: could not connect to AudioSocket server %s: %s",
			    channel_name(a->e.ch), a->service,
			    strerror(err ? err : ECONNREFUSED));
	hang_up(a, a->up ? CAUSE_NORMAL_CLEARING : CAUSE_FAILURE,
		"AudioSocket connection closed");
}

/* "<host:port>/<uuid>[/c(<format>)]" */
static int parse(struct em_as *a, const char *res, char *uuid,
		 const struct em_format **fmt)
{
	const char *s1 = strchr(res, '/'), *s2;
	char format[16] = "slin";
	size_t n;

	if (!s1 || (size_t)(s1 - res) >= sizeof(a->service))
		return EINVAL;
	memcpy(a->service, res, (size_t)(s1 - res));
	a->service[s1 - res] = '\0';
	s2 = strchr(s1 + 1, '/');
	n = s2 ? (size_t)(s2 - s1 - 1) : strlen(s1 + 1);
	if (n != 36)
		return EINVAL;
	memcpy(uuid, s1 + 1, n);
	uuid[n] = '\0';
	if (!uuid_parse_text(uuid, a->uuid))
		return EINVAL;
	if (s2 && sscanf(s2 + 1, "c(%15[^)])", format) != 1)
		return EINVAL;
	*fmt = em_format_find(format);
	if (!*fmt)
		return ENOTSUP;
	/* The wire is linear; a G.711 request is carried at 8 kHz. */
	if ((*fmt)->codec != -1)
		*fmt = em_format_find("slin");
	return em_conf_resolve(a->service, 0, &a->peer);
}

/* Asterisk's chan_audiosocket connects while the channel is requested, and
 * a refused connection fails the request (ARI answers 500, no channel is
 * made). The loop cannot wait for a connection, but on loopback, and for a
 * network the routing table does not reach, the kernel knows the outcome
 * before connect() returns: such a failure fails the request here; one
 * that only an answer over the network can tell ends the channel later
 * (close_h, deadline_h). */
static int connect_now(struct em_as *a)
{
	int err = tcp_connect(&a->tc, &a->peer, estab_h, recv_h, close_h, a);
	int so = 0;
	socklen_t len = sizeof(so);

	if (!err && !getsockopt(tcp_conn_fd(a->tc), SOL_SOCKET, SO_ERROR, &so,
				&len) && so)
		err = so;
	if (err) {
		char addr[64];

		re_snprintf(addr, sizeof(addr), "%J", &a->peer);
		log_warning("Connecting to '%s' failed for url '%s': %s",
			    addr, a->service, strerror(err));
		a->tc = mem_deref(a->tc);
		return err;
	}
	tcp_conn_txqsz_set(a->tc, TXQ_MAX);
	return 0;
}

static int as_request(struct channel **chp, const char *resource,
		      const char *id, const char *other_id)
{
	struct em_as *a = mem_zalloc(sizeof(*a), as_destructor);
	const struct em_format *fmt = NULL;
	struct channel *ch;
	char uuid[40];
	int err;

	(void)other_id;
	if (!a)
		return ENOMEM;
	a->rx = mbuf_alloc(1024);
	err = a->rx ? parse(a, resource ? resource : "", uuid, &fmt) : ENOMEM;
	if (!err)
		err = connect_now(a);
	if (!err)
		err = channel_alloc(&ch, &as_tech, id, NULL, a,
				    "AudioSocket/%s-%s", a->service, uuid);
	if (err) {
		mem_deref(a);
		return err;
	}
	err = em_init(&a->e, ch, fmt, &as_wire, a);
	if (!err)
		err = em_attach(&a->e, a);
	if (err) {
		channel_hangup_quiet(ch, CAUSE_FAILURE, "AudioSocket");
		return err;
	}
	list_append(&chans, &a->le, a);
	channel_var_set(ch, "AUDIOSOCKET_UUID", uuid);
	channel_var_set(ch, "AUDIOSOCKET_SERVICE", a->service);
	*chp = ch;
	return 0;
}

/* The connection began with the request; the call gives it connect_ms. */
static int as_call(struct channel *ch, const char *resource, int timeout_s)
{
	struct em_as *a = channel_pvt(ch);

	(void)resource;
	(void)timeout_s;
	if (!a || !a->tc)
		return EINVAL;
	if (!a->up)
		tmr_start(&a->tmr, em_conf.connect_ms, deadline_h, a);
	return 0;
}

static void gone_estab(void *arg)
{
	(void)arg;
}

static void gone_recv(struct mbuf *mb, void *arg)
{
	(void)mb;
	(void)arg;
}

static void gone_close(int err, void *arg)
{
	(void)err;
	(void)arg;
}

static void as_hangup(struct channel *ch, int cause)
{
	struct em_as *a = channel_pvt(ch);

	(void)cause;
	if (!a)
		return;
	channel_set_pvt(ch, NULL);
	list_unlink(&a->le);
	tmr_cancel(&a->tmr);
	if (a->tc) {
		/* We may be inside one of its handlers: it goes on the next
		 * loop turn, and tells nobody anything meanwhile. */
		tcp_set_handlers(a->tc, gone_estab, gone_recv, gone_close, NULL);
		defer_release(a->tc);
		a->tc = NULL;
	}
	em_close(&a->e);
	a->e.ch = NULL;
	mem_deref(a);
}

static int as_send_digit(struct channel *ch, char digit, int duration_ms)
{
	struct em_as *a = channel_pvt(ch);

	(void)duration_ms;
	return a ? em_send_digit(&a->e, digit) : ENOTCONN;
}

static const struct channel_tech as_tech = {
	.type = "AudioSocket",
	.description = "AudioSocket Channel Driver",
	.request = as_request,
	.call = as_call,
	.hangup = as_hangup,
	.send_digit = as_send_digit,
};

int em_as_init(void)
{
	list_init(&chans);
	return channel_tech_register(&as_tech);
}

void em_as_close(void)
{
	struct le *le;

	while ((le = list_head(&chans)))
		list_unlink(le);
}
