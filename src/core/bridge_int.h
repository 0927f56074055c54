/* bridge_int.h — what the files of the bridge model share: the bridge and
 * member objects. Internal to src/core/bridge*.c; everyone else uses
 * bridge.h.
 *
 * Order of the files (each uses only those before it): bridge_peer.c (the
 * BRIDGEPEER variables), bridge.c (the registry, members, events),
 * bridge_attr.c (helpers, video source, variables, music on hold),
 * bridge_transfer.c (blind transfers; uses Stasis), bridge_follow.c (DTMF
 * across, leaving on continue, watching transfers). */
#ifndef ARIADNE_BRIDGE_INT_H
#define ARIADNE_BRIDGE_INT_H

#include <stdbool.h>
#include <sys/time.h>
#include "core/bridge.h"

/* libre's headers have no include guards: the including file has included
 * <re_types.h> and <re_list.h> (struct le, struct list) already. */

#define BRIDGE_HELPERS_MAX 4

struct bridge_member {
	struct le le;              /* b->members, join order */
	struct le le_chan;         /* by_chan */
	struct channel *ch;        /* referenced */
	struct bridge *b;          /* weak: the bridge owns its members */
	struct bridge_join_opts opts;  /* opts.role points at role */
	char *role;
};

struct bridge_var {
	struct le le;
	char *name, *value;
	bool report;               /* shown as bridgevars in events */
};

struct bridge {
	struct le le;              /* bridges, creation order */
	struct le le_id;           /* by_id */
	char *id, *name, *app;
	unsigned flags;
	struct list members;
	struct list vars;          /* struct bridge_var, in the order set */
	struct timeval created;
	char *moh_class;           /* NULL: no music */
	unsigned moh_helper;       /* the music's helper while it plays */
	char *video_source;        /* channel id in single mode, or NULL */
	const char *video_mode;
	const char *tech;          /* as of the last reconfiguration */
	unsigned helper_seq[BRIDGE_HELPERS_MAX]; /* playback/MOH helpers in
	                                          * the bridge, by number */
	enum bridge_helper_kind helper_kind[BRIDGE_HELPERS_MAX];
	unsigned nhelpers;
	void *engine_data;
	bool engine_made;          /* engine->create succeeded */
	bool dying;
};

/* bridge_peer.c: BRIDGEPEER and BRIDGEPVTCALLID on every member, as
 * Asterisk's bridge_reconfigured sets them. */
void bridge_peers_update(struct bridge *b);

/* bridge.c: choose the technology again and set the peers (after a join,
 * a leave, a helper); nothing while the bridge dissolves. */
void bridge_reconfigure(struct bridge *b);
const struct bridge_engine *bridge_engine_get(void);

#endif
