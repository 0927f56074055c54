/* media_chan.h — the per-channel media state (media_chan.c): the stack of
 * generators that make a channel's outgoing audio, the frames received
 * from it, and the transport that carries both to the far end. The lowest
 * piece of src/media: what plays on a channel, records it or carries it
 * builds on this (today the RTP session, playback, music on hold, Echo; next
 * bridges, recordings, snoop and external media).
 *
 * Who includes it: the files of src/media that put audio on a channel or
 * take it off (media_chan.c, tick.c, session.c, player.c, moh.c, apps_rtp.c)
 * and session_int.h; nothing outside src/media. */
#ifndef ARIADNE_MEDIA_CHAN_H
#define ARIADNE_MEDIA_CHAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "media/media_int.h"

struct channel;

/* A source of outgoing audio. Generators stack on a channel: the newest one
 * plays; when it ends, the one below resumes (music on hold under a
 * playback, for instance). */
struct media_gen {
	/* Fill MEDIA_FRAME samples. Return false when finished: the generator
	 * is then removed and `done` called with hangup=false. */
	bool (*read)(struct media_gen *g, int16_t *pcm, size_t n);
	/* Removed: finished, stopped, or the channel hung up (hangup=true).
	 * The generator's owner frees it here (or later). Called once. */
	void (*done)(struct media_gen *g, bool hangup);
	void *arg;              /* owner's data */
	struct media_gen *below; /* managed by media_chan */
	bool paused;            /* paused generators produce silence and stay on top */
};

struct media_chan;

/* The channel's media state; created on first use when `create`. */
struct media_chan *media_chan_get(struct channel *ch, bool create);
struct channel *media_chan_channel(const struct media_chan *mc);

/* Push on top (becomes the audible one). */
void media_chan_gen_push(struct media_chan *mc, struct media_gen *g);
/* Remove wherever it is in the stack; calls done(g, false). */
void media_chan_gen_remove(struct media_chan *mc, struct media_gen *g);

/* Mute (ARI mute/unmute) is a channel attribute (channel_mute_in/out in
 * core): "in" silences what we receive, "out" what we send. */

/* What carries a channel's audio to and from the far end: the RTP session
 * of a SIP channel (session.c); later other kinds (external media). The
 * tick calls it for the channel every 20 ms. Channels without one (Local)
 * still run their generators on the tick, so playbacks progress and finish,
 * and their audio goes to channel_write_audio(). */
struct media_transport_ops {
	/* Start of the tick: hand what was received to media_chan_rx_put()
	 * and run the receive side's timers. */
	void (*rx)(void *tp, uint64_t now);
	/* This tick's frame (silence when nothing plays or on mute "out"). */
	void (*tx)(void *tp, const int16_t *pcm, size_t n);
	/* After the frame went out: what may hang the channel up (reported
	 * digits, a timeout) runs last. */
	void (*after)(void *tp);
	/* The channel's media state is going: forget it. The transport may
	 * live on for a moment if it holds a reference to itself. */
	void (*detach)(void *tp);
};

/* Attach the transport `tp` (a mem object; the media_chan takes the
 * caller's reference and releases it on hangup). */
void media_chan_set_transport(struct media_chan *mc,
			      const struct media_transport_ops *ops, void *tp);

/* This tick's audio from the channel (decoded, de-jittered, after mute
 * "in" and the RX taps), e.g. for Echo. Every reader of one tick gets the
 * same frame. Returns false when none arrived for this tick. */
bool media_chan_rx(struct media_chan *mc, int16_t *pcm, size_t n);
/* The same without a copy: MEDIA_FRAME samples, or NULL when none came.
 * Valid until the next tick. */
const int16_t *media_chan_rx_frame(const struct media_chan *mc);

/* A tap sees a channel's audio every tick, in one or both directions, and
 * may add to it: RX is what the channel sends us (before Echo, bridges and
 * anything else reads it), TX what the channel hears (after its generators
 * and mute "out", before the transport sends it). Recordings and snoop are
 * taps. The frame is always MEDIA_FRAME samples (silence when nothing came
 * or nothing plays). */
enum media_tap_dir {
	MEDIA_TAP_RX = 0,
	MEDIA_TAP_TX = 1,
};
struct media_tap {
	struct media_tap *next;  /* managed by media_chan */
	unsigned dirs;           /* 1u << MEDIA_TAP_RX | 1u << MEDIA_TAP_TX */
	void (*frame)(struct media_tap *t, enum media_tap_dir dir,
		      int16_t *pcm, size_t n);
	/* Removed (media_chan_tap_remove) or the channel hung up (hangup
	 * true). Called once; the owner frees the tap here or later. */
	void (*done)(struct media_tap *t, bool hangup);
	void *arg;               /* owner's data */
};
/* Taps run in the order added. On a hung-up channel add calls done at
 * once. A tap may remove itself from its frame handler. */
void media_chan_tap_add(struct media_chan *mc, struct media_tap *t);
void media_chan_tap_remove(struct media_chan *mc, struct media_tap *t);
/* Called by the transport for each decoded frame received. */
void media_chan_rx_put(struct media_chan *mc, const int16_t *pcm, size_t n);

/* One tick for every channel's media state (tick.c calls it). */
void media_chan_foreach_tick(uint64_t now);

#endif
