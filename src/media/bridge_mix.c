/* bridge_mix.c — the audio of bridges: the engine the core's bridge model
 * runs on (core/bridge.h). Each member gets a generator at the bottom of
 * its channel's stack that plays what the bridge gives it; once per tick,
 * between the receive and the send passes (media_chan_set_mixer), every
 * bridge works out what each member hears from this tick's frames:
 *
 * - a member hears the others' audio, never its own, plus the bridge's
 *   own audio: its playbacks (the announcer, a bare media state) and its
 *   music on hold, mixed on top as Asterisk's announcer channels are;
 * - who contributes: a member that received a frame, is not muted (join
 *   option or ARI mute in), not held by the far end, and hears the bridge
 *   (nothing of its own plays on top: a channel with its own playback or
 *   ARI hold's music hears that instead and the bridge takes nothing from
 *   it); in a holding bridge only announcers, whose audio goes to the
 *   participants, and announcers hear nothing;
 * - a member who hears exactly one other and nothing else gets that
 *   member's frame relayed as it came: still G.711, sent without decoding
 *   when the codecs match (the two-party fast path);
 * - otherwise the contributions are decoded and summed in 32 bits; a member
 *   that contributes hears the sum minus itself, saturated; every member
 *   that contributes nothing hears the same full mix, encoded once per
 *   codec for all of them.
 *
 * Taps on the bridge (recordings of the whole bridge) see the full mix
 * every tick. Not here: membership, roles, events and DTMF across
 * (core/bridge.c, core/bridge_follow.c). */
#include <errno.h>
#include <stdint.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stddef.h>
#include <string.h>
#include <re_types.h>
#include <re_mem.h>
#include <re_list.h>
#include "base/log.h"
#include "core/bridge.h"
#include "core/channel.h"
#include "media/media_chan.h"
#include "media/playback_int.h"
#include "media/media_bridge.h"

enum hear {
	HEAR_SILENCE = 0,
	HEAR_RELAY,     /* one other member's frame as it came */
	HEAR_FULL,      /* the full mix, shared */
	HEAR_OWN,       /* the full mix minus its own contribution */
};

struct mbr {
	struct le le;              /* in mb->members, join order */
	struct media_bridge *mb;
	struct channel *ch;        /* referenced */
	struct media_chan *mc;     /* weak: cleared by gen_done */
	const struct bridge_join_opts *opts; /* the core's, valid until leave */
	struct media_gen gen;      /* on mc: what the bridge gives it */
	bool on_chan;              /* gen is on mc's stack */
	bool announcer;            /* holding: heard by the participants */
	/* this tick */
	struct media_frame *in;    /* what it contributes, or NULL */
	enum hear hear;
	struct media_frame out;    /* RELAY: the other's frame; OWN: its mix */
};

struct media_bridge {
	struct le le;              /* in `bridges` */
	struct bridge *b;          /* weak: destroy() comes before it goes */
	struct list members;
	struct media_chan *announcer; /* bare: playbacks; made on demand */
	struct media_chan *tapper;    /* bare: taps; made on demand */
	struct media_src *moh;        /* the bridge's music, or NULL */
	/* this tick */
	int32_t sum[MEDIA_FRAME];
	struct media_frame full;      /* sum, saturated */
	uint8_t full_enc[2][MEDIA_FRAME]; /* its PCMU and PCMA encodings */
	bool full_enc_ok[2];
	struct media_bridge_stats st;
};

static struct list bridges;

static struct media_bridge *mb_of(const struct bridge *b)
{
	return b ? bridge_engine_data(b) : NULL;
}

static bool holding(const struct media_bridge *mb)
{
	return (bridge_flags(mb->b) & BRIDGE_HOLDING) != 0;
}

static int16_t sat16(int32_t v)
{
	return v > INT16_MAX ? INT16_MAX : v < INT16_MIN ? INT16_MIN
							: (int16_t)v;
}

/* ---- what a member hears: its generator ---- */

static bool gen_read(struct media_gen *g, int16_t *pcm, size_t n)
{
	struct mbr *m = g->arg;
	const int16_t *src = NULL;

	switch (m->hear) {
	case HEAR_RELAY:
		src = media_frame_pcm(&m->out);
		break;
	case HEAR_FULL:
		src = m->mb->full.pcm;
		break;
	case HEAR_OWN:
		src = m->out.pcm;
		break;
	case HEAR_SILENCE:
		break;
	}
	if (n > MEDIA_FRAME)
		n = MEDIA_FRAME;
	if (src)
		memcpy(pcm, src, n * sizeof(*pcm));
	else
		memset(pcm, 0, n * sizeof(*pcm));
	/* A holding bridge gives its members only what there is to hear (the
	 * announcer, its music), as Asterisk's, which writes nothing else to
	 * them: nothing to hear, nothing sent. A mixing bridge sends every
	 * member a frame each tick, as softmix does. */
	g->quiet = !src && holding(m->mb);
	return true;  /* until the member leaves */
}

/* The shared full mix in `codec`, encoded by the first member that needs
 * it this tick. */
static const uint8_t *full_enc(struct media_bridge *mb, int codec)
{
	int i = codec == MEDIA_PCMA;

	if (mb->full_enc_ok[i]) {
		mb->st.shared_encodes++;
		return mb->full_enc[i];
	}
	media_g711_encode(codec, mb->full.pcm, MEDIA_FRAME, mb->full_enc[i]);
	mb->full_enc_ok[i] = true;
	return mb->full_enc[i];
}

static bool gen_read_enc(struct media_gen *g, int codec, uint8_t *enc,
			 size_t n)
{
	struct mbr *m = g->arg;
	const uint8_t *src = NULL;

	if (n != MEDIA_FRAME)
		return false;
	if (m->hear == HEAR_RELAY) {
		src = media_frame_enc(&m->out, codec);
		if (src)
			m->mb->st.relayed++;
	}
	else if (m->hear == HEAR_FULL) {
		src = full_enc(m->mb, codec);
	}
	if (!src)
		return false;
	memcpy(enc, src, n);
	return true;
}

static void gen_done(struct media_gen *g, bool hangup)
{
	struct mbr *m = g->arg;

	(void)hangup;
	m->on_chan = false;
	m->mc = NULL;
}

/* ---- the mix of one tick ---- */

/* This tick's frame of m if the others hear it, else NULL. */
static struct media_frame *contribution(struct media_bridge *mb,
					struct mbr *m)
{
	if (!m->on_chan || media_chan_gen_top(m->mc) != &m->gen ||
	    m->gen.paused)
		return NULL;  /* something of its own plays on top */
	if (holding(mb) && !m->announcer)
		return NULL;
	if ((m->opts && m->opts->mute) || channel_mute_in(m->ch) ||
	    media_chan_held(m->mc))
		return NULL;
	return media_chan_rx_media_frame(m->mc);
}

static void sum_add(int32_t *sum, const int16_t *pcm)
{
	for (size_t i = 0; i < MEDIA_FRAME; i++)
		sum[i] += pcm[i];
}

/* The bridge's own audio (playback, music) into src; how many play. Run
 * every tick so that a playback moves on whoever listens. */
static unsigned bridge_sources(struct media_bridge *mb, int32_t *src)
{
	int16_t pcm[MEDIA_FRAME];
	unsigned k = 0;

	if (mb->announcer && media_chan_generate(mb->announcer, pcm)) {
		sum_add(src, pcm);
		k++;
	}
	if (mb->moh) {
		size_t got = media_src_read(mb->moh, pcm, MEDIA_FRAME);

		if (got < MEDIA_FRAME)
			memset(pcm + got, 0, (MEDIA_FRAME - got) * sizeof(*pcm));
		sum_add(src, pcm);
		k++;
	}
	return k;
}

/* What m hears, given n contributions and k bridge sources in the sum. */
static void member_hears(struct media_bridge *mb, struct mbr *m,
			 struct mbr *first, unsigned n, unsigned k)
{
	unsigned others = n - (m->in ? 1 : 0);

	if (holding(mb) && m->announcer)
		others = k = 0;  /* announcers hear nothing */
	if (others + k == 0) {
		m->hear = HEAR_SILENCE;
		return;
	}
	if (others == 1 && k == 0) {
		struct mbr *o = first;

		while (o == m || !o->in)
			o = o->le.next->data;
		m->hear = HEAR_RELAY;
		m->out.codec = o->in->codec;
		m->out.pcm_ok = o->in->pcm_ok;
		if (o->in->codec != MEDIA_CODEC_NONE)
			memcpy(m->out.enc, o->in->enc, MEDIA_FRAME);
		if (o->in->pcm_ok)
			memcpy(m->out.pcm, o->in->pcm, sizeof(m->out.pcm));
		return;
	}
	if (!m->in) {
		m->hear = HEAR_FULL;
		return;
	}
	m->hear = HEAR_OWN;
	for (size_t i = 0; i < MEDIA_FRAME; i++)
		m->out.pcm[i] = sat16(mb->sum[i] - m->in->pcm[i]);
	m->out.pcm_ok = true;
	m->out.codec = MEDIA_CODEC_NONE;
}

/* Is the decoded sum needed: some member hears two others or more, or the
 * bridge's own audio plays, or a tap listens. With n contributions, a
 * member that contributes hears n - 1 others, one that does not hears n
 * (holding announcers hear nothing). */
static bool need_sum(const struct media_bridge *mb, unsigned n, unsigned k)
{
	if (k || (mb->tapper && media_chan_has_taps(mb->tapper)) || n >= 3)
		return true;
	if (n < 2)
		return false;
	for (struct le *le = mb->members.head; le; le = le->next) {
		const struct mbr *m = le->data;

		if (!m->in && !(holding(mb) && m->announcer))
			return true;
	}
	return false;
}

static void mix_bridge(struct media_bridge *mb)
{
	struct mbr *first = NULL;
	unsigned n = 0, k;
	struct le *le;

	memset(mb->sum, 0, sizeof(mb->sum));
	k = bridge_sources(mb, mb->sum);
	for (le = mb->members.head; le; le = le->next) {
		struct mbr *m = le->data;

		m->in = contribution(mb, m);
		if (m->in && !first)
			first = m;
		n += m->in != NULL;
	}
	mb->full_enc_ok[0] = mb->full_enc_ok[1] = false;
	if (need_sum(mb, n, k)) {
		for (le = mb->members.head; le; le = le->next) {
			struct mbr *m = le->data;

			if (m->in)
				sum_add(mb->sum, media_frame_pcm(m->in));
		}
		mb->st.mixed++;
	}
	for (size_t i = 0; i < MEDIA_FRAME; i++)
		mb->full.pcm[i] = sat16(mb->sum[i]);
	mb->full.pcm_ok = true;
	mb->full.codec = MEDIA_CODEC_NONE;

	for (le = mb->members.head; le; le = le->next)
		member_hears(mb, le->data, first, n, k);

	if (mb->tapper && media_chan_has_taps(mb->tapper)) {
		int16_t copy[MEDIA_FRAME];

		memcpy(copy, mb->full.pcm, sizeof(copy));
		media_chan_tap_run(mb->tapper, MEDIA_TAP_TX, copy);
	}
}

/* Between the passes of every tick. A tap's handler may end a bridge, so
 * the walk is over a referenced snapshot. */
static struct media_snap snap;

static void mix_all(void)
{
	size_t n;

	if (media_snap_take(&snap, &bridges, &n))
		return;
	for (size_t i = 0; i < n; i++) {
		struct media_bridge *mb = snap.v[i];

		if (mb->b)
			mix_bridge(mb);
		mem_deref(mb);
	}
}

/* ---- the engine ---- */

static void mb_destructor(void *arg)
{
	struct media_bridge *mb = arg;

	list_unlink(&mb->le);
	mem_deref(mb->moh);
}

static int eng_create(struct bridge *b)
{
	struct media_bridge *mb = mem_zalloc(sizeof(*mb), mb_destructor);

	if (!mb)
		return ENOMEM;
	mb->b = b;
	list_append(&bridges, &mb->le, mb);
	bridge_set_engine_data(b, mb);
	return 0;
}

static void mbr_destructor(void *arg)
{
	struct mbr *m = arg;

	list_unlink(&m->le);
	mem_deref(m->ch);
}

static void mbr_free(struct mbr *m)
{
	if (m->on_chan)
		media_chan_gen_remove(m->mc, &m->gen);  /* gen_done */
	mem_deref(m);
}

/* Playbacks and taps of the bridge end as on a hangup (the playback's
 * owner finishes it); members have all left already. */
static void eng_destroy(struct bridge *b)
{
	struct media_bridge *mb = mb_of(b);

	if (!mb)
		return;
	bridge_set_engine_data(b, NULL);
	mb->b = NULL;
	while (mb->members.head)
		mbr_free(mb->members.head->data);
	list_unlink(&mb->le);
	media_chan_bare_close(mb->announcer);
	mb->announcer = NULL;
	media_chan_bare_close(mb->tapper);
	mb->tapper = NULL;
	mem_deref(mb);
}

static struct mbr *mbr_find(const struct media_bridge *mb,
			    const struct channel *ch)
{
	for (struct le *le = mb ? mb->members.head : NULL; le; le = le->next) {
		struct mbr *m = le->data;

		if (m->ch == ch)
			return m;
	}
	return NULL;
}

static int eng_join(struct bridge *b, struct channel *ch)
{
	struct media_bridge *mb = mb_of(b);
	const struct bridge_join_opts *opts;
	struct media_chan *mc;
	struct mbr *m;

	if (!mb)
		return EINVAL;
	if (mbr_find(mb, ch))
		return EALREADY;
	mc = media_chan_get(ch, true);
	if (!mc || !media_chan_alive(mc))
		return channel_is_hungup(ch) ? ENOTCONN : ENOMEM;
	m = mem_zalloc(sizeof(*m), mbr_destructor);
	if (!m)
		return ENOMEM;
	opts = bridge_member_opts(b, ch);
	m->mb = mb;
	m->ch = mem_ref(ch);
	m->mc = mc;
	m->opts = opts;
	m->announcer = opts && opts->role && !strcmp(opts->role, "announcer");
	m->gen.read = gen_read;
	m->gen.read_enc = gen_read_enc;
	m->gen.done = gen_done;
	m->gen.arg = m;
	list_append(&mb->members, &m->le, m);
	/* At the bottom: what the channel already plays (its own playback,
	 * music on hold) goes on until it ends; then it hears the bridge. */
	m->on_chan = true;
	media_chan_gen_push_bottom(mc, &m->gen);
	return 0;
}

static void eng_leave(struct bridge *b, struct channel *ch)
{
	struct mbr *m = mbr_find(mb_of(b), ch);

	if (m)
		mbr_free(m);
}

static int eng_moh_start(struct bridge *b, const char *mclass)
{
	struct media_bridge *mb = mb_of(b);
	struct media_src *src = NULL;
	int err;

	if (!mb)
		return ENOSYS;
	err = media_moh_src_open(&src, mclass);
	if (err)
		return err;
	/* A new class replaces the music playing, as on a channel. */
	mem_deref(mb->moh);
	mb->moh = src;
	log_verbose(3, "Started music on hold, class '%s', on bridge %s",
		    mclass && *mclass ? mclass : "default", bridge_id(b));
	return 0;
}

static void eng_moh_stop(struct bridge *b)
{
	struct media_bridge *mb = mb_of(b);

	if (mb)
		mb->moh = mem_deref(mb->moh);
}

static const struct bridge_engine engine = {
	.create = eng_create,
	.destroy = eng_destroy,
	.join = eng_join,
	.leave = eng_leave,
	.moh_start = eng_moh_start,
	.moh_stop = eng_moh_stop,
};

/* ---- what the rest of src/media asks of a bridge ---- */

void media_bridge_tap_add(struct bridge *b, struct media_tap *t)
{
	struct media_bridge *mb = mb_of(b);

	if (!t)
		return;
	if (mb && !mb->tapper)
		mb->tapper = media_chan_alloc_bare();
	if (!mb || !mb->tapper) {
		if (t->done)
			t->done(t, true);
		return;
	}
	media_chan_tap_add(mb->tapper, t);
}

void media_bridge_tap_remove(struct bridge *b, struct media_tap *t)
{
	struct media_bridge *mb = mb_of(b);

	if (mb && mb->tapper)
		media_chan_tap_remove(mb->tapper, t);
}

struct media_chan *media_bridge_announcer(const struct bridge *b)
{
	struct media_bridge *mb = mb_of(b);

	if (mb && !mb->announcer)
		mb->announcer = media_chan_alloc_bare();
	return mb ? mb->announcer : NULL;
}

void media_bridge_stats(const struct bridge *b, struct media_bridge_stats *st)
{
	const struct media_bridge *mb = mb_of(b);

	if (!st)
		return;
	memset(st, 0, sizeof(*st));
	if (mb)
		*st = mb->st;
}

int media_bridge_init(void)
{
	media_chan_set_mixer(mix_all);
	bridge_engine_register(&engine);
	return 0;
}

/* Bridges outlive us at shutdown (the core closes after media): their
 * audio goes now, as if each were destroyed. */
void media_bridge_close(void)
{
	bridge_engine_register(NULL);
	media_chan_set_mixer(NULL);
	while (bridges.head) {
		struct media_bridge *mb = bridges.head->data;

		eng_destroy(mb->b);  /* unlinks mb */
	}
	media_snap_free(&snap);
}
