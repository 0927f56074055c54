/* local.c — the Local channel technology. Both halves share one pvt; each
 * half's hangup takes the other down with the same cause. The /n option
 * (no optimization) is accepted; ariadne never optimizes Local pairs away.
 *
 * The halves carry each other's audio and DTMF: what is played or bridged
 * to one half is received on the other (the tick writes a half's audio to
 * its technology, which puts it in the other half's receive queue, heard
 * there one tick later), and a digit sent to one half is received on the
 * other when it ends, so a call bridged to ;1 hears whatever ;2 is bridged
 * to. Not here: the tick, the mixing (src/media). */
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
#include <re_list.h>
#include <re_tmr.h>
#include "core/channel.h"
#include "pbx/dialplan.h"
#include "base/log.h"
#include "pbx/pbx.h"
#include "core/stasis.h"
#include "media/media_chan.h"
#include "local/local.h"

struct local_pvt {
	struct channel *one;  /* weak: cleared by that half's hangup */
	struct channel *two;  /* weak */
	char exten[DIALPLAN_NAME_MAX + 1];
	char context[DIALPLAN_NAME_MAX + 1];
	struct list digits;   /* struct local_digit on their way across */
};

static unsigned local_seq;

static struct channel *other_half(const struct local_pvt *pvt,
				  const struct channel *ch)
{
	return ch == pvt->one ? pvt->two : pvt->one;
}

/* ---- audio across ---- */

static bool silent(const int16_t *pcm, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (pcm[i])
			return false;
	return true;
}

/* What plays on this half (the media tick writes it here, every 20 ms while
 * something plays) is what the other half receives. A frame of silence
 * (a bridge with nobody talking) is not passed: the other half then has
 * "nothing came", which its own bridge need not mix. The other half gets
 * its media state on the first frame, so a pair nobody plays to costs
 * nothing on the tick. */
static int local_write_audio(struct channel *ch, const int16_t *pcm, size_t n)
{
	struct local_pvt *pvt = channel_pvt(ch);
	struct channel *other = pvt ? other_half(pvt, ch) : NULL;

	if (other && !silent(pcm, n))
		media_chan_rx_put(media_chan_get(other, true), pcm, n);
	return 0;
}

/* ---- DTMF across ---- */

/* A digit sent to one half is received on the other when it ends, as
 * Asterisk's Local channel passes the begin and end frames across. */
struct local_digit {
	struct le le;            /* in pvt->digits */
	struct tmr tmr;
	struct channel *to;      /* referenced */
	char digit;
	unsigned ms;
};

static void digit_destructor(void *arg)
{
	struct local_digit *d = arg;

	tmr_cancel(&d->tmr);
	list_unlink(&d->le);
	mem_deref(d->to);
}

static void digit_arrives(void *arg)
{
	struct local_digit *d = arg;

	list_unlink(&d->le);
	channel_dtmf_received(d->to, d->digit, d->ms);
	mem_deref(d);
}

static int local_send_digit(struct channel *ch, char digit, int duration_ms)
{
	struct local_pvt *pvt = channel_pvt(ch);
	struct channel *other = pvt ? other_half(pvt, ch) : NULL;
	struct local_digit *d;

	if (!other)
		return ENOTCONN;
	d = mem_zalloc(sizeof(*d), digit_destructor);
	if (!d)
		return ENOMEM;
	d->to = mem_ref(other);
	d->digit = digit;
	d->ms = duration_ms > 0 ? (unsigned)duration_ms : 100;
	tmr_init(&d->tmr);
	list_append(&pvt->digits, &d->le, d);
	tmr_start(&d->tmr, d->ms, digit_arrives, d);
	return 0;
}

/* "100@ctx/n" → exten, context (default "default"). */
static int parse_resource(const char *res, char *exten, size_t esz,
			  char *context, size_t csz)
{
	char buf[2 * DIALPLAN_NAME_MAX + 8], *at, *slash;

	if (strlen(res) >= sizeof(buf))
		return EINVAL;
	strcpy(buf, res);
	slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	at = strchr(buf, '@');
	if (at)
		*at++ = '\0';
	if (!*buf || strlen(buf) >= esz || (at && (!*at || strlen(at) >= csz)))
		return EINVAL;
	/* Lengths were checked above: plain copies, no truncation. */
	memcpy(exten, buf, strlen(buf) + 1);
	if (at)
		memcpy(context, at, strlen(at) + 1);
	else
		memcpy(context, "default", sizeof("default"));
	return 0;
}

static void pvt_destructor(void *arg)
{
	struct local_pvt *pvt = arg;

	list_flush(&pvt->digits);
}

static const struct channel_tech local_tech;

static int local_request(struct channel **chp, const char *resource,
			 const char *id, const char *other_id)
{
	struct local_pvt *pvt;
	struct channel *one, *two;
	unsigned seq;
	int err;

	pvt = mem_zalloc(sizeof(*pvt), pvt_destructor);
	if (!pvt)
		return ENOMEM;
	err = parse_resource(resource, pvt->exten, sizeof(pvt->exten),
			     pvt->context, sizeof(pvt->context));
	if (err)
		goto out;
	if (id && other_id && *id && !strcmp(id, other_id)) {
		err = EEXIST;
		goto out;
	}
	if ((other_id && *other_id && channel_id_in_use(other_id)) ||
	    (id && *id && channel_id_in_use(id))) {
		err = EEXIST;
		goto out;
	}
	seq = local_seq++;
	err = channel_alloc(&one, &local_tech, id, NULL, pvt,
			    "Local/%s@%s-%08x;1", pvt->exten, pvt->context, seq);
	if (err)
		goto out;
	pvt->one = one;
	err = channel_alloc(&two, &local_tech, other_id, channel_linkedid(one),
			    pvt, "Local/%s@%s-%08x;2", pvt->exten,
			    pvt->context, seq);
	if (err) {
		channel_hangup(one, CAUSE_FAILURE, "local");
		return err; /* the pvt went with ;1 */
	}
	pvt->two = two;
	/* As chan_local: ;2 is born ringing (the call is coming in on it) and
	 * both halves stand at the Local's extension, where a continue of ;1
	 * goes on. Before anyone is subscribed to the pair, so the state
	 * change is no event an app sees at call time. */
	channel_set_location(one, pvt->context, pvt->exten, 1);
	channel_set_location(two, pvt->context, pvt->exten, 1);
	channel_set_state(two, CHANNEL_RING);
	*chp = one;
	return 0;
 out:
	mem_deref(pvt);
	return err;
}

static void copy_var(const char *name, const char *value, void *arg)
{
	channel_var_set(arg, name, value);
}

/* Calling ;1 starts the dialplan on ;2, like an inbound call. */
static int local_call(struct channel *ch, const char *resource, int timeout)
{
	struct local_pvt *pvt = channel_pvt(ch);
	struct channel *two = pvt ? pvt->two : NULL;

	if (!two || ch != pvt->one)
		return EINVAL;
	if (!dialplan_exten_exists(pvt->context, pvt->exten)) {
		log_notice("No such extension/context %s@%s while calling "
			   "Local channel", pvt->exten, pvt->context);
		return ENOENT;
	}
	channel_set_caller(two, channel_caller_name(ch), channel_caller_num(ch));
	channel_set_connected(ch, "", "");
	channel_var_foreach(ch, copy_var, two);
	return pbx_start(two, pvt->context, pvt->exten, 1);
}

static int local_answer(struct channel *ch)
{
	struct local_pvt *pvt = channel_pvt(ch);
	struct channel *other = pvt ? other_half(pvt, ch) : NULL;

	if (other && channel_state(other) != CHANNEL_UP)
		channel_set_state(other, CHANNEL_UP);
	return 0;
}

static int local_indicate(struct channel *ch, enum channel_indication ind)
{
	struct local_pvt *pvt = channel_pvt(ch);
	struct channel *other = pvt ? other_half(pvt, ch) : NULL;

	if (!other)
		return 0;
	switch (ind) {
	case CHANNEL_IND_RINGING:
		if (channel_state(other) != CHANNEL_UP)
			channel_set_state(other, CHANNEL_RINGING);
		break;
	case CHANNEL_IND_BUSY:
		channel_set_state(other, CHANNEL_BUSY);
		break;
	default:
		break;
	}
	return 0;
}

static void local_hangup(struct channel *ch, int cause)
{
	struct local_pvt *pvt = channel_pvt(ch);
	struct channel *other;

	if (!pvt)
		return;
	other = other_half(pvt, ch);
	if (ch == pvt->one)
		pvt->one = NULL;
	else
		pvt->two = NULL;
	channel_set_pvt(ch, NULL);
	if (other)
		channel_hangup(other, cause, channel_name(ch));
	else
		mem_deref(pvt);
}

/* ARI redirect of a Local half to "exten@context": the channel leaves its
 * Stasis app and runs the dialplan there, which is what a transfer of that
 * leg means for a Local channel. */
static int local_redirect(struct channel *ch, const char *resource)
{
	char exten[DIALPLAN_NAME_MAX + 1], context[DIALPLAN_NAME_MAX + 1];

	if (parse_resource(resource, exten, sizeof(exten), context,
			   sizeof(context)))
		return EINVAL;
	if (!dialplan_exten_exists(context, exten))
		return ENOENT;
	return stasis_continue(ch, context, exten, 1);
}

static struct channel *local_peer(const struct channel *ch)
{
	const struct local_pvt *pvt = channel_pvt(ch);

	return pvt ? other_half(pvt, ch) : NULL;
}

static const struct channel_tech local_tech = {
	.type = "Local",
	.description = "Local Proxy Channel Driver",
	.request = local_request,
	.call = local_call,
	.answer = local_answer,
	.hangup = local_hangup,
	.indicate = local_indicate,
	.send_digit = local_send_digit,
	.write_audio = local_write_audio,
	.redirect = local_redirect,
	.peer = local_peer,
};

int local_init(void)
{
	return channel_tech_register(&local_tech);
}
