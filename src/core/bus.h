/* bus.h — the event bus: the core publishes typed events, subscribers (ARI
 * apps through stasis.c, CEL, the CLI) receive them synchronously, in
 * publication order, on the one event loop. Because delivery is synchronous a
 * subscriber sees the channel exactly as it was when the event happened, and
 * events for one channel can never overtake each other (so StasisEnd to the
 * old app always precedes StasisStart to the new one on a move). */
#ifndef ARIADNE_BUS_H
#define ARIADNE_BUS_H

#include <stdbool.h>
#include <stdint.h>

struct bridge;
struct channel;
struct endpoint;
struct playback;
struct recording;

enum bus_type {
	BUS_CHANNEL_CREATED,
	BUS_CHANNEL_DESTROYED,
	BUS_CHANNEL_STATE,
	BUS_CHANNEL_DIALPLAN,
	BUS_CHANNEL_VARSET,
	BUS_CHANNEL_HANGUP_REQUEST,
	BUS_DIAL,
	BUS_STASIS_START,
	BUS_STASIS_END,
	BUS_APP_MOVE_FAILED,
	BUS_APP_REPLACED,
	BUS_CEL_APP,           /* internal: app change for CEL (no ARI event) */
	BUS_STASIS_CONTINUING, /* internal: chan leaves app `app` for the
	                        * dialplan; published before its StasisEnd */
	BUS_CHANNEL_DTMF,      /* digit, duration_ms */
	BUS_CHANNEL_HOLD,      /* musicclass (may be NULL) */
	BUS_CHANNEL_UNHOLD,
	BUS_CHANNEL_USEREVENT, /* name, keys/values; chan, endpoint, bridge_id,
	                        * device optional; app set → that app only */
	BUS_ENDPOINT_STATE,    /* endpoint */
	BUS_CONTACT_STATUS,    /* endpoint, uri, status, aor, rtt_usec */
	BUS_PEER_STATUS,       /* endpoint, status, cause, address, port */
	BUS_TEXT_MESSAGE,      /* from, to, body, keys/values, endpoint */
	BUS_DEVICE_STATE,      /* name (device), status (state string) */
	BUS_PLAYBACK_STARTED,  /* playback; chan = target channel if any */
	BUS_PLAYBACK_CONTINUING,
	BUS_PLAYBACK_FINISHED,
	BUS_CHANNEL_TRANSFER,  /* chan = referring channel; destination
	                        * (Refer-To), status (state, may be NULL),
	                        * peer = connected channel (may be NULL),
	                        * keys/values additional params */
	BUS_CALL_BROADCAST,    /* chan; from = caller, to = called (may be NULL);
	                        * delivered to every active app */
	BUS_CALL_CLAIMED,      /* chan; app = winner (delivered to every active
	                        * app) */
	BUS_BRIDGE_CREATED,    /* bridge */
	BUS_BRIDGE_DISSOLVING, /* internal: bridge, about to be destroyed with
	                        * its members still in it (no ARI event) */
	BUS_BRIDGE_DESTROYED,  /* bridge */
	BUS_BRIDGE_MERGED,     /* bridge (survivor), bridge_from (absorbed) */
	BUS_CHANNEL_ENTERED_BRIDGE, /* bridge, chan */
	BUS_CHANNEL_LEFT_BRIDGE,    /* bridge, chan */
	BUS_BRIDGE_BLIND_TRANSFER,    /* chan = transferer; bridge; transfer
	                               * fields below */
	BUS_BRIDGE_ATTENDED_TRANSFER, /* chan = transferer's first leg,
	                               * bridge its bridge, bridge_from the
	                               * second leg's; transfer fields */
	BUS_BRIDGE_VIDEO_SOURCE_CHANGED, /* bridge; value = the old source
	                                  * id (NULL: none) */
	BUS_RECORDING_STARTED,  /* recording; chan or bridge = its target */
	BUS_RECORDING_FINISHED,
	BUS_RECORDING_FAILED,
};

struct bus_event {
	enum bus_type type;
	uint64_t time_us;             /* wall clock, microseconds since epoch */
	struct channel *chan;         /* the channel (NULL for app events) */
	const char *app;              /* target app of StasisStart/End, move failed, replaced */

	/* per type */
	int cause;                    /* DESTROYED, HANGUP_REQUEST */
	bool soft;                    /* HANGUP_REQUEST */
	const char *var, *value;      /* VARSET (chan NULL → global) */
	const char *dialplan_app, *dialplan_data;  /* DIALPLAN, CEL_APP */
	const char *const *args;      /* STASIS_START, APP_MOVE_FAILED */
	int nargs;
	const char *destination;      /* APP_MOVE_FAILED */
	struct channel *peer;         /* DIAL: the called channel */
	struct channel *caller;       /* DIAL: the calling one, may be NULL */
	const char *dialstring;       /* DIAL */
	const char *dialstatus;       /* DIAL: "" at start, ANSWER, ... */
	/* CEL_APP: leaving (end) or entering (start) an app */
	bool cel_start;

	char digit;                   /* DTMF */
	unsigned duration_ms;         /* DTMF */
	const char *musicclass;       /* HOLD */
	const char *name;             /* USEREVENT: event name; DEVICE_STATE:
	                               * device name */
	const char *const *keys;      /* USEREVENT, TEXT_MESSAGE variables */
	const char *const *values;
	int nkv;
	const char *bridge_id;        /* USEREVENT source bridge (NULL: none) */
	const char *device;           /* USEREVENT source device state */
	const struct endpoint *endpoint; /* ENDPOINT_*, CONTACT, PEER, TEXT,
	                                  * USEREVENT source endpoint */
	const char *uri, *status, *aor; /* CONTACT_STATUS; status also PEER
	                                 * and DEVICE_STATE */
	long rtt_usec;                /* CONTACT_STATUS (-1: unknown) */
	const char *address, *port;   /* PEER_STATUS */
	const char *reason;           /* PEER_STATUS cause text */
	const char *from, *to, *body; /* TEXT_MESSAGE */
	const struct playback *playback; /* PLAYBACK_* */
	const struct bridge *bridge;  /* BRIDGE_*, CHANNEL_*_BRIDGE; the target
	                               * of PLAYBACK_* and RECORDING_* on a
	                               * bridge */
	const struct bridge *bridge_from; /* BRIDGE_MERGED: the absorbed one */
	const struct recording *recording; /* RECORDING_* */
	int tech_cause;               /* DESTROYED: e.g. SIP status (0: none) */

	/* BRIDGE_*_TRANSFER, as Asterisk's transfer messages */
	const char *exten, *context;  /* blind: the destination */
	const char *result;           /* "Success", "Fail", "Invalid",
	                               * "Not Permitted" */
	bool is_external;             /* asked for by the channel's technology
	                               * (a SIP REFER), not by a feature */
	struct channel *transferee;   /* the party being transferred */
	struct channel *replace_channel; /* blind: what took the transferer's
	                                  * place in the bridge */
	struct channel *second_leg;   /* attended: the transferer's other leg */
	struct channel *target;       /* attended: who the transferee meets */
	const char *dest_type;        /* attended: "bridge", "app", "link",
	                               * "threeway", "fail" */
	const char *dest_bridge;      /* attended "bridge": the bridge kept */
	struct channel *link_first;   /* attended "link": the Local halves */
	struct channel *link_second;  /* that join the two bridges */
};

typedef void (bus_h)(const struct bus_event *ev, void *arg);

/* Subscribe to every event. */
int bus_subscribe(bus_h *h, void *arg);
void bus_unsubscribe(bus_h *h, void *arg);

/* Fill time_us when zero, then hand ev to every subscriber in order. */
void bus_publish(struct bus_event *ev);

uint64_t bus_now_us(void);

#endif
