/* snoop.c — the Snoop channel technology (ARI POST /channels/{id}/snoop):
 * a channel that hears one channel's audio (spy) and can speak into it
 * (whisper), so that a supervisor bridged with it listens to or coaches a
 * call. Its name is Snoop/<target id>-<n> as in Asterisk, it is up from the
 * start, and it ends when the channel it snoops on ends.
 *
 * How: a tap on the target sees both directions every tick. "in" is what
 * the target sends us, "out" what it hears. Spied frames become what the
 * snoop channel sends (its transport's receive side); what the snoop
 * channel is sent (from a bridge, a playback) is added to the target's
 * chosen directions one tick later.
 *
 * Not here: entering the Stasis app (the ARI handler does it). */
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
#include "base/defer.h"
#include "base/log.h"
#include "core/channel.h"
#include "media/media_chan.h"

/* Directions, as ARI names them from the target's point of view. */
enum {
	MEDIA_SNOOP_IN = 1,   /* what the target sends */
	MEDIA_SNOOP_OUT = 2,  /* what the target hears */
};

struct snoop {
	struct channel *ch;        /* weak: the snoop channel; cleared by its
	                            * hangup */
	struct media_chan *target; /* weak: cleared by the tap's done() */
	char target_id[64];
	struct media_tap tap;      /* on the target */
	unsigned spy, whisper;     /* MEDIA_SNOOP_* bits */
	int16_t heard_in[MEDIA_FRAME];  /* the target's last frame of each
	                                 * direction */
	int16_t heard_out[MEDIA_FRAME];
	bool have_in, have_out;
	int16_t whisper_pcm[MEDIA_FRAME]; /* what the snoop channel was sent */
	bool have_whisper;
	bool tapped;               /* the tap is on the target */
};

static unsigned snoop_seq;

static int16_t clip(int32_t v)
{
	return v > INT16_MAX ? INT16_MAX : v < INT16_MIN ? INT16_MIN : (int16_t)v;
}

static void add_into(int16_t *dst, const int16_t *src, size_t n)
{
	for (size_t i = 0; i < n; i++)
		dst[i] = clip((int32_t)dst[i] + src[i]);
}

static const char *dir_name(unsigned dir)
{
	switch (dir) {
	case MEDIA_SNOOP_IN:                   return "in";
	case MEDIA_SNOOP_OUT:                  return "out";
	case MEDIA_SNOOP_IN | MEDIA_SNOOP_OUT: return "both";
	default:                               return "none";
	}
}

/* ---- the tap on the target ---- */

static void tap_frame(struct media_tap *t, enum media_tap_dir dir,
		      int16_t *pcm, size_t n)
{
	struct snoop *s = t->arg;
	unsigned bit = dir == MEDIA_TAP_RX ? MEDIA_SNOOP_IN : MEDIA_SNOOP_OUT;

	if (n > MEDIA_FRAME)
		n = MEDIA_FRAME;
	if (s->spy & bit) {
		memcpy(dir == MEDIA_TAP_RX ? s->heard_in : s->heard_out, pcm,
		       n * sizeof(*pcm));
		if (dir == MEDIA_TAP_RX)
			s->have_in = true;
		else
			s->have_out = true;
	}
	if ((s->whisper & bit) && s->have_whisper)
		add_into(pcm, s->whisper_pcm, n);
	/* The whisper frame is used for both directions of one tick. */
	if (dir == MEDIA_TAP_TX)
		s->have_whisper = false;
}

static void end_snoop(void *arg)
{
	struct snoop *s = arg;

	if (s->ch && !channel_is_hungup(s->ch))
		channel_hangup(s->ch, CAUSE_NORMAL_CLEARING, "snoop");
}

/* The target is gone (or the tap was removed because the snoop channel
 * went). A snoop channel outliving its target ends on the next turn of
 * the loop, after the target's own hangup events. */
static void tap_done(struct media_tap *t, bool hangup)
{
	struct snoop *s = t->arg;

	s->target = NULL;
	s->tapped = false;
	if (hangup && s->ch)
		defer_call(end_snoop, s);
	mem_deref(s); /* the tap's reference */
}

/* ---- the snoop channel's own media (its transport) ---- */

/* What the snoop channel "receives" is what it spies on. */
static void snoop_rx(void *tp, uint64_t now)
{
	struct snoop *s = tp;
	struct media_chan *mc = s->ch ? media_chan_get(s->ch, false) : NULL;
	int16_t pcm[MEDIA_FRAME];

	(void)now;
	if (!mc || !(s->have_in || s->have_out))
		return;
	memset(pcm, 0, sizeof(pcm));
	if (s->have_in)
		add_into(pcm, s->heard_in, MEDIA_FRAME);
	if (s->have_out)
		add_into(pcm, s->heard_out, MEDIA_FRAME);
	s->have_in = s->have_out = false;
	media_chan_rx_put(mc, pcm, MEDIA_FRAME);
}

/* What the snoop channel is sent is whispered into the target. */
static void snoop_tx(void *tp, const int16_t *pcm, size_t n)
{
	struct snoop *s = tp;

	if (!s->whisper)
		return;
	if (n > MEDIA_FRAME)
		n = MEDIA_FRAME;
	memcpy(s->whisper_pcm, pcm, n * sizeof(*pcm));
	if (n < MEDIA_FRAME)
		memset(s->whisper_pcm + n, 0, (MEDIA_FRAME - n) * sizeof(*pcm));
	s->have_whisper = true;
}

static void snoop_after(void *tp)
{
	(void)tp;
}

/* The snoop channel's media state is going (it hung up): take the tap off
 * the target, which then drops the tap's reference. */
static void snoop_detach(void *tp)
{
	struct snoop *s = tp;

	s->ch = NULL;
	if (s->tapped && s->target)
		media_chan_tap_remove(s->target, &s->tap);
}

static const struct media_transport_ops snoop_transport = {
	.rx = snoop_rx,
	.tx = snoop_tx,
	.after = snoop_after,
	.detach = snoop_detach,
};

/* ---- the channel technology ---- */

static int snoop_request(struct channel **chp, const char *resource,
			 const char *id, const char *other_id);

static const struct channel_tech snoop_tech = {
	.type = "Snoop",
	.description = "Snoop Channel Driver",
	.request = snoop_request,
};

/* "none", "in", "out", "both" */
static int parse_dir(const char *s, size_t len, unsigned *dir)
{
	if (!len || (len == 4 && !strncmp(s, "none", 4)))
		*dir = 0;
	else if (len == 2 && !strncmp(s, "in", 2))
		*dir = MEDIA_SNOOP_IN;
	else if (len == 3 && !strncmp(s, "out", 3))
		*dir = MEDIA_SNOOP_OUT;
	else if (len == 4 && !strncmp(s, "both", 4))
		*dir = MEDIA_SNOOP_IN | MEDIA_SNOOP_OUT;
	else
		return EINVAL;
	return 0;
}

static int snoop_attach(struct snoop *s, struct channel *target)
{
	struct media_chan *mc = media_chan_get(target, true);
	struct media_chan *own;

	if (!mc)
		return ENOMEM;
	own = media_chan_get(s->ch, true);
	if (!own)
		return ENOMEM;
	s->target = mc;
	s->tap.dirs = 1u << MEDIA_TAP_RX | 1u << MEDIA_TAP_TX;
	/* Without whisper it only listens: the target's frames go out as
	 * they are, and a target that hears nothing still sends nothing. */
	s->tap.watch_only = !s->whisper;
	s->tap.frame = tap_frame;
	s->tap.done = tap_done;
	s->tap.arg = mem_ref(s);
	s->tapped = true;
	media_chan_tap_add(mc, &s->tap);
	/* The media state takes this reference of the transport. */
	media_chan_set_transport(own, &snoop_transport, mem_ref(s));
	return 0;
}

static int snoop_create(struct channel **chp, struct channel *target,
			unsigned spy, unsigned whisper, const char *id)
{
	struct snoop *s = mem_zalloc(sizeof(*s), NULL);
	int err;

	if (!s)
		return ENOMEM;
	s->spy = spy;
	s->whisper = whisper;
	str_ncpy(s->target_id, channel_id(target), sizeof(s->target_id));
	err = channel_alloc(&s->ch, &snoop_tech, id, NULL, NULL,
			    "Snoop/%s-%08x", channel_id(target), ++snoop_seq);
	if (err) {
		mem_deref(s);
		return err;
	}
	err = snoop_attach(s, target);
	if (err) {
		channel_hangup(s->ch, CAUSE_FAILURE, "snoop");
		mem_deref(s);
		return err;
	}
	channel_set_state(s->ch, CHANNEL_UP);
	log_verbose(3, "Snooping on %s with %s (spy %s, whisper %s)",
		    channel_name(target), channel_name(s->ch),
		    dir_name(spy), dir_name(whisper));
	*chp = s->ch;
	mem_deref(s); /* the tap and the transport hold it now */
	return 0;
}

/* The dial string's resource is "<spy>,<whisper>,<target channel id>",
 * e.g. Snoop/in,none,1754490349.17 (what ARI's snoop builds). EINVAL for a
 * bad direction or none at all, ENOENT for an unknown or hung-up target,
 * EEXIST for an id in use. */
static int snoop_request(struct channel **chp, const char *resource,
			 const char *id, const char *other_id)
{
	const char *c1 = resource ? strchr(resource, ',') : NULL;
	const char *c2 = c1 ? strchr(c1 + 1, ',') : NULL;
	unsigned spy, whisper;
	struct channel *target;

	(void)other_id;
	if (!c2 || parse_dir(resource, (size_t)(c1 - resource), &spy) ||
	    parse_dir(c1 + 1, (size_t)(c2 - c1 - 1), &whisper) ||
	    (!spy && !whisper))
		return EINVAL;
	target = channel_find(c2 + 1);
	if (!target || channel_is_hungup(target))
		return ENOENT;
	return snoop_create(chp, target, spy, whisper, id);
}

int media_snoop_init(void)
{
	return channel_tech_register(&snoop_tech);
}
