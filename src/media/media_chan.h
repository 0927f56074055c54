/* media_chan.h — the per-channel media state (media_chan.c): the stack of
 * generators that make a channel's outgoing audio, the frames received
 * from it, and the transport that carries both to the far end. The lowest
 * piece of src/media: what plays on a channel, records it or carries it
 * builds on this (today the RTP session, playback, music on hold, Echo; next
 * bridges, recordings, snoop and external media).
 *
 * Frames keep the G.711 payload they arrived in next to the linear audio,
 * which is decoded only when someone needs it: a frame that crosses a
 * two-party bridge to a channel with the same codec goes out as it came.
 *
 * Who includes it: the files of src/media that put audio on a channel or
 * take it off (media_chan.c, tick.c, session.c, player.c, moh.c, apps_rtp.c,
 * bridge.c), session_int.h, and src/local (a half puts what the other
 * hears into its receive queue); nothing else outside src/media. */
#ifndef ARIADNE_MEDIA_CHAN_H
#define ARIADNE_MEDIA_CHAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "media/media_int.h"

struct channel;

/* ---- frames ---- */

/* 20 ms of audio: linear, or G.711 as it came off the wire, or both. */
struct media_frame {
	int16_t pcm[MEDIA_FRAME];   /* valid when pcm_ok */
	uint8_t enc[MEDIA_FRAME];   /* valid when codec != MEDIA_CODEC_NONE */
	int codec;                  /* enum media_codec */
	bool pcm_ok;
};

void media_frame_silence(struct media_frame *f);
/* n < MEDIA_FRAME is padded with silence. */
void media_frame_set_pcm(struct media_frame *f, const int16_t *pcm, size_t n);
void media_frame_set_enc(struct media_frame *f, int codec,
			 const uint8_t *enc, size_t n);
/* The linear audio, decoded on first use. */
const int16_t *media_frame_pcm(struct media_frame *f);
/* The payload in `codec` as received (never transcoded), or NULL. */
const uint8_t *media_frame_enc(const struct media_frame *f, int codec);
/* Forget the payload: the linear audio was changed (a tap added to it). */
void media_frame_drop_enc(struct media_frame *f);

/* G.711 (codec MEDIA_PCMU or MEDIA_PCMA) to and from linear. */
void media_g711_decode(int codec, const uint8_t *in, size_t n, int16_t *out);
void media_g711_encode(int codec, const int16_t *in, size_t n, uint8_t *out);

/* ---- generators ---- */

/* A source of outgoing audio. Generators stack on a channel: the newest one
 * plays; when it ends, the one below resumes (music on hold under a
 * playback, for instance). */
struct media_gen {
	/* Fill MEDIA_FRAME samples. Return false when finished: the generator
	 * is then removed and `done` called with hangup=false. */
	bool (*read)(struct media_gen *g, int16_t *pcm, size_t n);
	/* Optional: this tick's frame already encoded in `codec` (what the
	 * transport sends), as received, with no transcoding. false when
	 * it has none in that codec: read() is called instead. Used only
	 * when nothing needs the linear audio (no tap that adds, no mute). */
	bool (*read_enc)(struct media_gen *g, int codec, uint8_t *enc,
			 size_t n);
	/* Removed: finished, stopped, or the channel hung up (hangup=true).
	 * The generator's owner frees it here (or later). Called once. */
	void (*done)(struct media_gen *g, bool hangup);
	void *arg;              /* owner's data */
	struct media_gen *below; /* managed by media_chan */
	bool paused;            /* paused generators produce silence and stay on top */
	/* Set by read() on a tick it has nothing to say (Echo with nothing
	 * heard, a holding bridge's participant with no announcer): it stays,
	 * and the channel hears nothing, so its RTP sends nothing. */
	bool quiet;
};

struct media_chan;

/* The channel's media state; created on first use when `create`. */
struct media_chan *media_chan_get(struct channel *ch, bool create);
struct channel *media_chan_channel(const struct media_chan *mc);
/* The codec the channel's audio travels in (its transport's tx_codec),
 * MEDIA_CODEC_NONE when linear (no transport, or a linear one). */
int media_chan_codec(const struct media_chan *mc);

/* Push on top (becomes the audible one). */
void media_chan_gen_push(struct media_chan *mc, struct media_gen *g);
/* Put at the bottom: what already plays goes on playing first (a channel
 * joining a bridge during its own playback hears the playback out). */
void media_chan_gen_push_bottom(struct media_chan *mc, struct media_gen *g);
/* The generator the channel hears now (NULL: none). */
struct media_gen *media_chan_gen_top(const struct media_chan *mc);
/* False once the channel hung up (or a bare state was closed). */
bool media_chan_alive(const struct media_chan *mc);
/* Remove wherever it is in the stack; calls done(g, false). */
void media_chan_gen_remove(struct media_chan *mc, struct media_gen *g);

/* Mute (ARI mute/unmute) is a channel attribute (channel_mute_in/out in
 * core): "in" silences what we receive, "out" what we send. */

/* What carries a channel's audio to and from the far end: the RTP session
 * of a SIP channel (session.c); later other kinds (external media). The
 * tick calls it for the channel every 20 ms. Channels without one (Local)
 * still run their generators on the tick, so playbacks progress and finish,
 * and their audio goes to channel_write_audio() when something played (or
 * a TX tap that may add audio is on). */
struct media_transport_ops {
	/* Start of the tick: hand what was received to media_chan_rx_put()
	 * and run the receive side's timers. */
	void (*rx)(void *tp, uint64_t now);
	/* This tick's frame (silence when nothing plays or on mute "out"). */
	void (*tx)(void *tp, const int16_t *pcm, size_t n);
	/* Optional, both or neither: the codec tx_enc takes right now
	 * (MEDIA_CODEC_NONE: send linear through tx), and this tick's frame
	 * already encoded in it (relayed from a bridge peer). */
	int (*tx_codec)(void *tp);
	void (*tx_enc)(void *tp, const uint8_t *enc, size_t n);
	/* Optional: the far end holds the call (SIP re-INVITE sendonly or
	 * inactive): a bridge takes nothing from it. */
	bool (*held)(void *tp);
	/* After the frame went out: what may hang the channel up (reported
	 * digits, a timeout) runs last. */
	void (*after)(void *tp);
	/* The channel's media state is going: forget it. The transport may
	 * live on for a moment if it holds a reference to itself. */
	void (*detach)(void *tp);
	/* tx only on ticks that carry audio (something plays, a bridge, a tap
	 * that adds): a peer gets nothing while the channel hears nothing, as
	 * Asterisk's channels do; tx_idle (optional) is called instead, for a
	 * transport that keeps a clock or sends DTMF and keep-alives. */
	bool audio_only;
	void (*tx_idle)(void *tp);
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
const int16_t *media_chan_rx_frame(struct media_chan *mc);
/* This tick's frame as it is (maybe still encoded), or NULL when none
 * came. Valid until the next tick; decoding it through media_frame_pcm
 * is counted like media_chan_rx_frame's. */
struct media_frame *media_chan_rx_media_frame(struct media_chan *mc);
/* Frames of this channel decoded so far: a relayed call decodes none. */
uint64_t media_chan_rx_decodes(const struct media_chan *mc);
/* The transport says the far end holds the call. */
bool media_chan_held(const struct media_chan *mc);

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
	/* The tap never writes into the frame: a frame it sees may still go
	 * out as received (the relay of a bridge stays undecoded for the
	 * far end). Leave false for a tap that adds audio (whisper). */
	bool watch_only;
};
/* Taps run in the order added. On a hung-up channel (mc NULL or dead)
 * add calls done(t, true) at once. A tap may remove itself from its frame
 * handler. */
void media_chan_tap_add(struct media_chan *mc, struct media_tap *t);
void media_chan_tap_remove(struct media_chan *mc, struct media_tap *t);
bool media_chan_has_taps(const struct media_chan *mc);
/* Called by the transport for each frame received: linear, or G.711 as
 * it came (decoded only if someone listens). */
void media_chan_rx_put(struct media_chan *mc, const int16_t *pcm, size_t n);
void media_chan_rx_put_enc(struct media_chan *mc, int codec,
			   const uint8_t *enc, size_t n);

/* ---- media states without a channel ---- */

/* The audio of something that is not a call (a bridge's announcer): its
 * own generators and taps, no transport, not walked by the tick; its owner
 * runs it. */
struct media_chan *media_chan_alloc_bare(void);
/* This tick's frame of its generators; false: nothing plays (pcm is then
 * silence). */
bool media_chan_generate(struct media_chan *mc, int16_t *pcm);
/* Run its taps for `dir` over pcm. */
void media_chan_tap_run(struct media_chan *mc, enum media_tap_dir dir,
			int16_t *pcm);
/* Its generators and taps get done(..., true), then it is freed. */
void media_chan_bare_close(struct media_chan *mc);

/* ---- walking lists that may change under the walk ---- */

/* A referenced copy of a list's elements (mem objects): the walker drops
 * each reference when done with it. The array grows only; one per walker
 * (a static), freed at close. ENOMEM leaves nothing referenced. */
struct list;
struct media_snap {
	void **v;
	size_t cap;
};
int media_snap_take(struct media_snap *s, const struct list *l, size_t *np);
void media_snap_free(struct media_snap *s);

/* ---- the tick ---- */

/* Called once per tick between the two passes, when every channel has
 * received and none has sent yet: bridges mix there. NULL: none. */
void media_chan_set_mixer(void (*mix)(void));

/* One tick for every channel's media state (tick.c calls it). */
void media_chan_foreach_tick(uint64_t now);

#endif
