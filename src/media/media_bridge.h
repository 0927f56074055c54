/* media_bridge.h — the audio of bridges (bridge.c in src/media): the engine
 * the core's bridge model runs on (core/bridge.h, struct bridge_engine),
 * and what the rest of src/media asks of a bridge: its taps (recordings of
 * the whole bridge), its playbacks and its music on hold.
 *
 * How a bridge sounds, on the one 20 ms tick (docs/ARCHITECTURE.md, "The
 * loop and the media tick"): after every channel has received its frame
 * and before any sends, each bridge works out what each member hears.
 * A member hears the sum of what the others contribute, never itself, plus
 * the bridge's own audio (its playback, its music on hold). When a member
 * hears exactly one other member and nothing else (a two-party call, the
 * fast path), that member's encoded payload is relayed without decoding.
 *
 * Who includes it: bridge.c, playback_engine.c, media.c (and unit tests);
 * nothing outside src/media. Names follow the scheme in media_int.h. */
#ifndef ARIADNE_MEDIA_BRIDGE_H
#define ARIADNE_MEDIA_BRIDGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bridge;
struct media_tap;
struct media_chan;

/* A tap on a bridge sees, every tick, the sum of every member's audio plus
 * the bridge's playback and music on hold: what a recording of the whole
 * bridge hears. frame() is called with MEDIA_TAP_TX and MEDIA_FRAME
 * samples; what the tap writes into the frame is heard by nobody. The tap
 * gets done(t, true) when the bridge goes, done(t, false) on removal. A
 * tap may remove itself from its frame handler. On a bridge without audio
 * (no engine data) add calls done(t, true) at once. */
void media_bridge_tap_add(struct bridge *b, struct media_tap *t);
void media_bridge_tap_remove(struct bridge *b, struct media_tap *t);

/* The media state that plays the bridge's playbacks (POST
 * /bridges/{id}/play): a media_chan with no channel, whose generators
 * every member hears on top of the conversation, as Asterisk's announcer
 * channel. NULL when the bridge has no audio. */
struct media_chan *media_bridge_announcer(const struct bridge *b);

/* Figures for tests and the CLI: frames relayed without decoding, frames
 * mixed (decoded and summed), encodes of a shared mix saved. */
struct media_bridge_stats {
	uint64_t relayed;
	uint64_t mixed;
	uint64_t shared_encodes;
};
void media_bridge_stats(const struct bridge *b, struct media_bridge_stats *st);

/* Registers the engine with the core (media_init); close unregisters. */
int media_bridge_init(void);
void media_bridge_close(void);

#endif
