/* bridge.h — bridges: sets of channels that hear each other (mixing) or
 * wait together (holding), as ARI's /bridges resource shows them. The model
 * lives here: the registry, each bridge's type, members and their roles,
 * its events (BridgeCreated, ChannelEnteredBridge, ...), the BRIDGEPEER
 * variables, and which app owns a bridge. The audio is made by an engine
 * that src/media registers (bridge_engine_register), the way playbacks are:
 * the core knows nothing of codecs or mixing.
 *
 * A channel is in at most one bridge at a time. A bridge created by an app
 * belongs to it and is destroyed with it. */
#ifndef ARIADNE_BRIDGE_H
#define ARIADNE_BRIDGE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/time.h>

struct bridge;
struct channel;

/* Attributes of ARI's `type` list (a bridge has one or several). */
enum bridge_flag {
	BRIDGE_MIXING       = 1u << 0,  /* everyone hears everyone else */
	BRIDGE_HOLDING      = 1u << 1,  /* participants hear MOH/silence or
	                                 * the announcer */
	BRIDGE_DTMF_EVENTS  = 1u << 2,  /* DTMF goes to the app, not across */
	BRIDGE_PROXY_MEDIA  = 1u << 3,  /* accepted: media is always ours */
	BRIDGE_VIDEO_SFU    = 1u << 4,  /* accepted: audio only */
	BRIDGE_VIDEO_SINGLE = 1u << 5,  /* accepted: audio only */
	BRIDGE_SDP_LABEL    = 1u << 6,  /* accepted: audio only */
};

/* "mixing,dtmf_events" → flags. An empty or NULL list is mixing. EINVAL for
 * an unknown word (*bad points at it, for the 400 message) or for mixing
 * together with holding. */
int bridge_type_parse(const char *list, unsigned *flags, const char **bad,
		      size_t *badlen);

/* How a channel joins (ARI addChannel). role NULL/"" = none ("participant"
 * in a holding bridge). */
struct bridge_join_opts {
	const char *role;          /* "participant", "announcer", or free text */
	bool absorb_dtmf;          /* its DTMF does not reach the others */
	bool mute;                 /* its audio does not reach the others */
	bool inhibit_connected_line_updates;
};

/* ---- the registry ---- */

/* Make a bridge. id NULL/"" → a generated uuid. `app` NULL when not made by
 * an app (then no app owns it). Publishes BridgeCreated. EEXIST id in use,
 * EINVAL bad flags. *bp is borrowed: the registry owns the bridge until
 * bridge_destroy(). */
int bridge_create(struct bridge **bp, const char *id, unsigned flags,
		  const char *name, const char *app);
/* Every channel leaves (ChannelLeftBridge), then BridgeDestroyed; the
 * bridge is gone when this returns. */
void bridge_destroy(struct bridge *b);
struct bridge *bridge_find(const char *id);
/* In creation order. */
void bridge_foreach(void (*h)(struct bridge *b, void *arg), void *arg);
size_t bridge_count(void);
/* The bridges owned by `app` are destroyed (the app is going). */
void bridge_destroy_owned_by(const char *app);

/* ---- members ---- */

/* Join `ch` (ChannelEnteredBridge; BRIDGEPEER set on every member). EBUSY
 * the channel is in another bridge, EALREADY in this one, ENOTCONN hung
 * up, ENOMEM. A channel already in this bridge is not an error to ARI:
 * the handler decides. */
int bridge_add(struct bridge *b, struct channel *ch,
	       const struct bridge_join_opts *opts);
/* ChannelLeftBridge; BRIDGEPEER updated. ENOENT not in this bridge. */
int bridge_remove(struct bridge *b, struct channel *ch);
/* The bridge `ch` is in, or NULL. */
struct bridge *bridge_of_channel(const struct channel *ch);
/* Members in join order. */
void bridge_channel_foreach(const struct bridge *b,
			    void (*h)(struct channel *ch, void *arg),
			    void *arg);
size_t bridge_channel_count(const struct bridge *b);

/* A member's options as it joined (NULL when not a member). */
const struct bridge_join_opts *bridge_member_opts(const struct bridge *b,
						  const struct channel *ch);

/* ---- what ARI shows ---- */

const char *bridge_id(const struct bridge *b);
const char *bridge_name(const struct bridge *b);
unsigned bridge_flags(const struct bridge *b);
/* "mixing" or "holding" */
const char *bridge_type_str(const struct bridge *b);
/* "simple_bridge" (mixing, up to two channels), "softmix" (mixing, three or
 * more; back to simple_bridge at two, as Asterisk's smart bridge switches),
 * "holding_bridge". Helpers (bridge_helper_join) count as channels. */
const char *bridge_technology(const struct bridge *b);
const char *bridge_class(const struct bridge *b);    /* "stasis" */
const char *bridge_creator(const struct bridge *b);  /* "Stasis" */
const char *bridge_app(const struct bridge *b);      /* owner, or NULL */
struct timeval bridge_creationtime(const struct bridge *b);
/* "talker" (Asterisk's default for Stasis bridges), "sfu" (type
 * video_sfu), "single" (video_single, or after bridge_set_video_source) */
const char *bridge_video_mode(const struct bridge *b);
const char *bridge_video_source_id(const struct bridge *b); /* or NULL */

/* ARI setVideoSource: single-source mode with member `ch` as the source
 * (ENOENT: not a member); clear: back to talker mode. A change of source
 * publishes BridgeVideoSourceChanged (ev->value: the old source or NULL).
 * Audio only: nothing else changes. */
int bridge_set_video_source(struct bridge *b, const struct channel *ch);
void bridge_clear_video_source(struct bridge *b);

/* An unowned bridge becomes `app`'s (ARI gives it to the app of the first
 * Stasis channel it adds: REST requests do not name their app). No-op when
 * it has an owner. */
int bridge_claim(struct bridge *b, const char *app);

/* ---- bridge variables (ARI /bridges/{id}/variable) ---- */

const char *bridge_var_get(const struct bridge *b, const char *name);
/* value NULL unsets. `report`: listed in the bridge's bridgevars. */
int bridge_var_set(struct bridge *b, const char *name, const char *value,
		   bool report);
void bridge_var_foreach(const struct bridge *b, bool reported_only,
			void (*h)(const char *name, const char *value,
				  void *arg),
			void *arg);

/* ---- helpers ---- */

/* Asterisk plays to a bridge, and plays its music on hold, through an
 * Announcer channel that joins the bridge, and records it through a
 * Recorder channel: ARI does not list them, but they count for the
 * technology and the members' BRIDGEPEER. Bridge playbacks, MOH and
 * recordings join one while they run. EBUSY too many. */
enum bridge_helper_kind { BRIDGE_ANNOUNCER, BRIDGE_RECORDER };
int bridge_helper_join(struct bridge *b, enum bridge_helper_kind kind,
		       unsigned *idp);
void bridge_helper_leave(struct bridge *b, unsigned id);

/* ---- music on hold (ARI /bridges/{id}/moh) ---- */

/* Everyone in the bridge hears the class (NULL: default) along with the
 * conversation, as Asterisk's music-on-hold channel in a bridge is heard;
 * stop ends it. ENOSYS without an engine. */
int bridge_moh_start(struct bridge *b, const char *mclass);
int bridge_moh_stop(struct bridge *b);
/* NULL: off; "" the default class. */
const char *bridge_moh_class(const struct bridge *b);

/* ---- the audio engine, registered by src/media ---- */

struct bridge_engine {
	/* A bridge was made or is going (after every member left). */
	int (*create)(struct bridge *b);
	void (*destroy)(struct bridge *b);
	/* A member joined or left: carry its audio (and DTMF) from now on, or
	 * stop. join may refuse (then bridge_add fails with that error). */
	int (*join)(struct bridge *b, struct channel *ch);
	void (*leave)(struct bridge *b, struct channel *ch);
	/* Music on hold for the whole bridge (mclass NULL: default). */
	int (*moh_start)(struct bridge *b, const char *mclass);
	void (*moh_stop)(struct bridge *b);
};

/* NULL unregisters. Without an engine bridges exist and report their
 * members, but carry no audio. */
void bridge_engine_register(const struct bridge_engine *eng);

/* Engine data of a bridge (the engine's own object; NULL until set). */
void bridge_set_engine_data(struct bridge *b, void *data);
void *bridge_engine_data(const struct bridge *b);

/* Start: the channel hooks that take a hung-up channel out of its bridge
 * (add them before Stasis's: ChannelLeftBridge precedes StasisEnd).
 * Shutdown: destroy every bridge without events. */
int bridge_init(void);
void bridge_close(void);

/* ---- transfers (bridge_transfer.c) ---- */

/* How a transfer's new call ended up: answered, or gone before. */
typedef void (bridge_transfer_h)(bool answered, void *arg);

/* Blind transfer of the bridge `transferer` is in, as Asterisk's
 * ast_bridge_transfer_blind for a Stasis bridge: a Local channel to
 * exten@context is called (BridgeBlindTransfer, result Success or Fail),
 * enters the transferer's app and replaces it in the bridge. `h` (may be
 * NULL) is called once with how the new call ends up; `arg` is a mem
 * object, referenced until then. ENOENT: not in a bridge (or not in
 * Stasis); other errors: the new call could not be made. */
int bridge_transfer_blind(struct channel *transferer, const char *exten,
			  const char *context, bool is_external,
			  bridge_transfer_h *h, void *arg);
/* Attended transfer between the two bridges the transferer's legs are in
 * (a SIP REFER with Replaces), as Asterisk does it for Stasis bridges,
 * which may neither merge nor swap: a Local pair links them, its ;1 half
 * taking `first`'s place and its ;2 half `second`'s; the transferer's legs
 * leave their bridges. BridgeAttendedTransfer (destination "link") tells
 * the apps. ENOENT: a leg is in no bridge; EINVAL: both in the same
 * bridge; other errors: the link could not be made (published with result
 * Fail). The legs are still up when this returns: the technology ends the
 * transfer on its side (the final NOTIFY), then hangs them up. */
int bridge_transfer_attended(struct channel *first, struct channel *second);

/* For bridge_follow.c: the watched calls' state changes and hangups. */
struct bus_event;
void bridge_transfer_event(const struct bus_event *ev);
void bridge_transfer_close(void);

/* bridge_follow.c: what a bridge does when its members' events happen —
 * DTMF crosses to the other members (absorbDTMF keeps it in), a channel
 * that leaves its app for the dialplan leaves its bridge. Start after
 * Stasis routing (the digit's own event reaches apps first). */
int bridge_follow_init(void);
void bridge_follow_close(void);

#endif
