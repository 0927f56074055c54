/* channel_int.h — the channel object itself, for the files of the channel
 * (channel.c: registry and life cycle; channel_attr.c: its fields read and
 * set). Nothing else includes it: everyone else goes through channel.h. */
#ifndef ARIADNE_CHANNEL_INT_H
#define ARIADNE_CHANNEL_INT_H

#include <stdbool.h>
#include <sys/time.h>
#include "core/channel.h"

/* After re_types.h and re_list.h (libre's headers have no guards). */

#define ID_MAX 150
#define NAME_MAX_LEN 256
#define STR_SMALL 80

struct chan_var {
	struct le le;
	char *name;
	char *value;
};

struct channel {
	struct le le_all;   /* registry, creation order */
	struct le le_hash;  /* registry, by id */
	char id[ID_MAX];
	char name[NAME_MAX_LEN];
	char linkedid[ID_MAX];
	const struct channel_tech *tech;
	void *pvt;          /* owned by the tech */
	enum channel_state state;
	char caller_name[STR_SMALL], caller_num[STR_SMALL];
	char conn_name[STR_SMALL], conn_num[STR_SMALL];
	char accountcode[STR_SMALL];
	char language[16];
	char context[STR_SMALL + 1], exten[STR_SMALL + 1]; /* 80 chars: stasis-<73> */
	int priority;
	char *appl, *data;
	struct timeval created;
	struct list vars;
	struct list reported; /* names ARI shows in "channelvars" (chan_var) */
	bool hungup;
	int cause;
	char hangup_source[NAME_MAX_LEN];
	char scratch[200];   /* for computed variable values */
	struct stasis_control *control; /* owned by stasis.c */
	struct pbx *pbx;                /* owned by pbx.c */
	bool pbx_counted;               /* in calls_processed */
	void *media;                    /* owned by src/media */
	char *endpoint;                 /* "PJSIP/alice" or NULL */
	char *protocol_id;
	int tech_cause;
	bool mute_in, mute_out;
	bool registered;
};

#endif
