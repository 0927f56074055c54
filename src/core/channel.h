/* channel.h — one call leg: identity, state, caller id, dialplan location,
 * variables, and the small interface a channel technology (Local, PJSIP, …)
 * implements. The channel registry (find by id, list, count) lives here too.
 *
 * Ownership: channel_alloc() registers the channel; the registry holds the
 * reference. channel_hangup() publishes the hangup events, tells the tech,
 * unregisters and drops that reference before it returns: a caller that
 * uses the channel after hanging it up, or keeps a pointer across the event
 * loop, must hold its own mem_ref(). */
#ifndef ARIADNE_CHANNEL_H
#define ARIADNE_CHANNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/time.h>

struct channel;
struct stasis_control;
struct pbx;

enum channel_state {
	CHANNEL_DOWN = 0,
	CHANNEL_RSRVD,
	CHANNEL_OFFHOOK,
	CHANNEL_DIALING,
	CHANNEL_RING,
	CHANNEL_RINGING,
	CHANNEL_UP,
	CHANNEL_BUSY,
	CHANNEL_DIALING_OFFHOOK,
	CHANNEL_PRERING,
};

enum channel_indication {
	CHANNEL_IND_RINGING,
	CHANNEL_IND_RINGING_STOP,
	CHANNEL_IND_PROGRESS,
	CHANNEL_IND_BUSY,
	CHANNEL_IND_CONGESTION,
};

/* Q.850 causes used by the core (Asterisk's AST_CAUSE_*). */
enum {
	CAUSE_UNALLOCATED = 1,
	CAUSE_NO_ROUTE_DESTINATION = 3,
	CAUSE_NORMAL_CLEARING = 16,
	CAUSE_USER_BUSY = 17,
	CAUSE_NO_USER_RESPONSE = 18,
	CAUSE_NO_ANSWER = 19,
	CAUSE_UNREGISTERED = 20,
	CAUSE_CALL_REJECTED = 21,
	CAUSE_ANSWERED_ELSEWHERE = 26,
	CAUSE_INVALID_NUMBER_FORMAT = 28,
	CAUSE_NORMAL_UNSPECIFIED = 31,
	CAUSE_CONGESTION = 34,
	CAUSE_FAILURE = 38,
	CAUSE_BEARERCAPABILITY_NOTAVAIL = 58,
	CAUSE_INTERWORKING = 127,
};

/* Asterisk's soft hangup reasons. A soft ChannelHangupRequest carries one
 * of them as its `cause`, not a Q.850 cause: ARI's DELETE asks explicitly
 * (32), a dialplan that ends unloads its application (16). */
enum {
	CHANNEL_SOFTHANGUP_APPUNLOAD = 16,
	CHANNEL_SOFTHANGUP_EXPLICIT = 32,
};

/* RTP figures of a channel's media stream (GET /channels/{id}/rtp_statistics). */
struct channel_rtp_stats {
	uint32_t txcount, rxcount, txoctets, rxoctets;
	uint32_t local_ssrc, remote_ssrc;
	int32_t rxploss, txploss;
	double rxjitter, txjitter, rtt;
};

/* What a technology implements. Every function may be NULL (not supported). */
/* Progress of a transfer the far end asked for (ARI transfer_progress),
 * in Asterisk's terms. */
enum channel_transfer_state {
	CHANNEL_TRANSFER_PROGRESS = 0,
	CHANNEL_TRANSFER_ANSWERED,
	CHANNEL_TRANSFER_UNAVAILABLE,
	CHANNEL_TRANSFER_DECLINED,
};

struct channel_tech {
	const char *type;        /* "Local", "PJSIP" */
	const char *description;
	/* Create the channel(s) for a dial string's resource part ("100@ctx/n").
	 * ids: optional requested uniqueids for the channel and its partner. */
	int (*request)(struct channel **chp, const char *resource,
		       const char *id, const char *other_id);
	/* Start the outgoing call on a requested channel. */
	int (*call)(struct channel *ch, const char *resource, int timeout_s);
	int (*answer)(struct channel *ch);
	/* The channel is going away; free tech state. Called once. */
	void (*hangup)(struct channel *ch, int cause);
	int (*indicate)(struct channel *ch, enum channel_indication ind);
	int (*send_digit)(struct channel *ch, char digit, int duration_ms);
	/* 20 ms of 8 kHz signed linear audio towards the far end (from the
	 * media tick: playback, tones, echo). n is 160. */
	int (*write_audio)(struct channel *ch, const int16_t *pcm, size_t n);
	/* Hold/unhold requested by ARI (tech may signal it to the peer). */
	int (*hold)(struct channel *ch, bool on);
	/* Redirect (ARI POST /channels/{id}/redirect): e.g. SIP 302. */
	int (*redirect)(struct channel *ch, const char *endpoint);
	/* ENOENT when the channel has no RTP stream. */
	int (*rtp_stats)(const struct channel *ch, struct channel_rtp_stats *st);
	/* Report a transfer's progress to the party that asked for it (SIP:
	 * NOTIFY of the REFER). 0 also when no transfer is pending. */
	int (*transfer_progress)(struct channel *ch,
				 enum channel_transfer_state st);
	/* The other channel of a pair the technology made together (the
	 * other half of a Local pair); NULL when there is none. */
	struct channel *(*peer)(const struct channel *ch);
};

int channel_tech_register(const struct channel_tech *tech);
const struct channel_tech *channel_tech_find(const char *type);
/* The i-th registered technology, in order of registration; NULL past
 * the last. */
const struct channel_tech *channel_tech_nth(size_t i);

/* Allocate and register a channel. `id` NULL → next uniqueid. `name_fmt`
 * printf-style; EEXIST if `id` is already used. Publishes ChannelCreated and
 * CEL CHAN_START. State starts Down. linkedid = own id unless set later. */
int channel_alloc(struct channel **chp, const struct channel_tech *tech,
		  const char *id, const char *linkedid, void *pvt,
		  const char *name_fmt, ...)
	__attribute__((format(printf, 6, 7)));

/* Requests a channel from a dial string "Tech/resource". EINVAL bad string,
 * ENOENT no such tech, EEXIST id in use. */
int channel_request(struct channel **chp, const char *dialstring,
		    const char *id, const char *other_id);
/* How many channels channel_request() of the dial string makes: 2 for a
 * technology that makes pairs (it has `peer`: Local), else 1 (also for a
 * dial string it would refuse). */
unsigned channel_request_size(const char *dialstring);
int channel_call(struct channel *ch, int timeout_s);

/* Registry */
struct channel *channel_find(const char *id);
struct channel *channel_find_by_name(const char *name);
/* Ids the server makes are "<prefix><epoch>.<n>" (Asterisk's epoch.n
 * with systemname's prefix): a node of a cluster sets one of its own so
 * that two nodes never make the same id. EINVAL when longer than 63. */
int channel_id_prefix_set(const char *prefix);
bool channel_id_in_use(const char *id);
size_t channel_count(void);
/* Visit every channel in creation order; stop when h returns true. */
void channel_foreach(bool (*h)(struct channel *ch, void *arg), void *arg);

/* Accessors (strings never NULL). */
const char *channel_id(const struct channel *ch);
const char *channel_name(const struct channel *ch);
enum channel_state channel_state(const struct channel *ch);
const char *channel_state_str(enum channel_state st);
const char *channel_tech_type(const struct channel *ch);
/* The tech's peer op: the other half of a Local pair, or NULL. */
struct channel *channel_peer(const struct channel *ch);
const struct channel_tech *channel_get_tech(const struct channel *ch);
void *channel_pvt(const struct channel *ch);
void channel_set_pvt(struct channel *ch, void *pvt);
const char *channel_caller_name(const struct channel *ch);
const char *channel_caller_num(const struct channel *ch);
const char *channel_connected_name(const struct channel *ch);
const char *channel_connected_num(const struct channel *ch);
const char *channel_accountcode(const struct channel *ch);
const char *channel_language(const struct channel *ch);
const char *channel_linkedid(const struct channel *ch);
const char *channel_protocol_id(const struct channel *ch);
const char *channel_context(const struct channel *ch);
const char *channel_exten(const struct channel *ch);
int channel_priority(const struct channel *ch);
const char *channel_appl(const struct channel *ch);  /* "" if none yet */
const char *channel_data(const struct channel *ch);
const struct timeval *channel_creationtime(const struct channel *ch);
bool channel_is_hungup(const struct channel *ch);
int channel_hangup_cause(const struct channel *ch);
const char *channel_hangup_source(const struct channel *ch);

void channel_set_caller(struct channel *ch, const char *name, const char *num);
void channel_set_connected(struct channel *ch, const char *name,
			   const char *num);
void channel_set_language(struct channel *ch, const char *lang);
void channel_set_accountcode(struct channel *ch, const char *code);
/* Dialplan location without publishing (used before the first step). */
void channel_set_location(struct channel *ch, const char *context,
			  const char *exten, int priority);
/* The pbx sets these when a step starts: publishes ChannelDialplan and
 * gives CEL the chance to write APP_START/APP_END. */
void channel_set_dialplan(struct channel *ch, const char *context,
			  const char *exten, int priority, const char *app,
			  const char *data);
/* The application alone, where it is, without ChannelDialplan (Asterisk
 * announces one only when the location changes): an originated channel
 * that runs Stasis() as its application. CEL hears of it. */
void channel_set_app(struct channel *ch, const char *app, const char *data);

/* Variables. Names are case-sensitive as in Asterisk; CALLERID(name|num)
 * etc. are resolved by channel_var_get too. NULL when unset. */
const char *channel_var_get(struct channel *ch, const char *name);
/* value NULL or "" unsets. Publishes ChannelVarset. */
int channel_var_set(struct channel *ch, const char *name, const char *value);
/* ARI's report_events: the variable is shown in the channel's
 * "channelvars" in every later event (set or not). */
int channel_var_report(struct channel *ch, const char *name);
void channel_var_reported_foreach(const struct channel *ch,
				  void (*h)(const char *name, void *arg),
				  void *arg);
/* Visit variables in the order set. */
void channel_var_foreach(const struct channel *ch,
			 void (*h)(const char *name, const char *value,
				   void *arg),
			 void *arg);

/* Global variables (ChannelVarset without a channel). */
const char *channel_global_get(const char *name);
void channel_global_set(const char *name, const char *value);

/* State changes publish ChannelStateChange (and CEL ANSWER on Up). */
void channel_set_state(struct channel *ch, enum channel_state st);
/* Ask the tech to answer, then go Up. EINVAL if already hung up. */
int channel_answer(struct channel *ch);
/* Ask the tech to signal `ind`; ENOTSUP when it cannot in this state
 * (ringing on an answered SIP call: the caller then gets it in band). */
int channel_indicate(struct channel *ch, enum channel_indication ind);
int channel_send_digit(struct channel *ch, char digit, int duration_ms);

/* Hang up: ChannelHangupRequest, StasisEnd if in an app, tech hangup,
 * ChannelDestroyed, CEL HANGUP/CHAN_END(/LINKEDID_END). Safe to call twice
 * (the second call is a no-op). `source` names who hung up (for CEL).
 * The request carries `cause`, as Asterisk's queued hangup from the
 * channel's far side (a BYE, the other Local half) does. */
void channel_hangup(struct channel *ch, int cause, const char *source);
/* The same, announced as ARI's DELETE is: a soft ChannelHangupRequest
 * with cause CHANNEL_SOFTHANGUP_EXPLICIT; `cause` is what the channel is
 * destroyed with. */
void channel_hangup_soft(struct channel *ch, int cause, const char *source);
/* The same without a ChannelHangupRequest: the channel's own dialplan
 * ends it (Hangup(), the end of the dialplan), which Asterisk does not
 * announce as a request. */
void channel_hangup_quiet(struct channel *ch, int cause, const char *source);
/* A soft ChannelHangupRequest (`reason` CHANNEL_SOFTHANGUP_*) and nothing
 * else: what a hangup hook announces for its part (the pbx, when the
 * dialplan of a channel going away ends). */
void channel_publish_soft_hangup(struct channel *ch, int reason);
const char *channel_cause_text(int cause);

/* Stasis and pbx attachments (owned by stasis.c / pbx.c). */
struct stasis_control *channel_control(const struct channel *ch);
void channel_set_control(struct channel *ch, struct stasis_control *ctl);
struct pbx *channel_pbx(const struct channel *ch);
void channel_set_pbx(struct channel *ch, struct pbx *pbx);
/* Channels that ever started a dialplan (Asterisk's "calls processed"). */
unsigned long channel_calls_processed(void);

/* Hooks the core calls for attachments it does not own, in the order added
 * (stasis first: StasisEnd; then pbx: h extension; then media: playbacks
 * end). Up to 8. Any member may be NULL. */
struct channel_hooks {
	void (*hangup)(struct channel *ch);    /* before tech hangup */
	/* A channel left the endpoint `left` and/or joined `joined` ("tech/
	 * resource", either NULL): channel_set_endpoint(), or its end, once
	 * it is out of the registry. */
	void (*endpoint_changed)(struct channel *ch, const char *left,
				 const char *joined);
};
int channel_hooks_add(const struct channel_hooks *hooks);

/* The endpoint this channel belongs to, "PJSIP/alice" (NULL: none). Setting
 * it calls the endpoint_changed hooks (the endpoint registry publishes
 * EndpointStateChange). */
void channel_set_endpoint(struct channel *ch, const char *tech_resource);
const char *channel_endpoint(const struct channel *ch);
/* Protocol call id (SIP Call-ID) shown as protocol_id. */
void channel_set_protocol_id(struct channel *ch, const char *id);
/* Technology cause for ChannelDestroyed.tech_cause (e.g. SIP 486). */
void channel_set_tech_cause(struct channel *ch, int tech_cause);
int channel_tech_cause(const struct channel *ch);

/* The tech received a DTMF digit (ended): publishes ChannelDtmfReceived. */
void channel_dtmf_received(struct channel *ch, char digit,
			   unsigned duration_ms);
/* The far end put the call on hold / took it off (re-INVITE):
 * ChannelHold / ChannelUnhold. */
void channel_remote_hold(struct channel *ch, bool on, const char *musicclass);

/* ARI mute: "in" silences what the channel sends us, "out" what we send
 * it; the media tick applies them. */
void channel_set_mute(struct channel *ch, bool in, bool out, bool on);
bool channel_mute_in(const struct channel *ch);
bool channel_mute_out(const struct channel *ch);

/* Media module's per-channel state (owned by src/media; freed by its
 * hangup hook). */
void *channel_media(const struct channel *ch);
void channel_set_media(struct channel *ch, void *media);
int channel_write_audio(struct channel *ch, const int16_t *pcm, size_t n);

/* Hang up everything (shutdown). */
void channel_hangup_all(int cause);
/* Shutdown: hang up everything, free the registry and globals. */
void channel_registry_close(void);

#endif
