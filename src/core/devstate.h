/* devstate.h — device states, as Asterisk's devicestate core names them:
 * `Stasis:<name>` devices whose state ARI sets (kept across restarts in
 * <datadir>/devstates.json), and channel-backed devices (`PJSIP/alice`: an
 * endpoint's state aggregated over its channels). Every change is published
 * on the bus as BUS_DEVICE_STATE, which stasis.c routes to subscribed apps. */
#ifndef ARIADNE_DEVSTATE_H
#define ARIADNE_DEVSTATE_H

#include <stdbool.h>

enum devstate {
	DEVSTATE_UNKNOWN = 0,
	DEVSTATE_NOT_INUSE,
	DEVSTATE_INUSE,
	DEVSTATE_BUSY,
	DEVSTATE_INVALID,
	DEVSTATE_UNAVAILABLE,
	DEVSTATE_RINGING,
	DEVSTATE_RINGINUSE,
	DEVSTATE_ONHOLD,
};

#define DEVSTATE_STASIS_PREFIX "Stasis:"

/* "NOT_INUSE", ... */
const char *devstate_str(enum devstate st);
/* Case-insensitive; EINVAL for anything that is not one of the names
 * (UNKNOWN included: it cannot be set). */
int devstate_parse(const char *str, enum devstate *st);

/* State of any device name: Stasis devices (UNKNOWN when never set),
 * endpoint-backed `Tech/resource`, INVALID for names nothing provides. */
enum devstate devstate_get(const char *device);

/* Set a Stasis device. EPERM: name does not start with "Stasis:"; ENOENT:
 * nothing after the prefix. Publishes BUS_DEVICE_STATE; the file is
 * written within DATAFILE_DELAY_MS (base/datafile.h). */
int devstate_set(const char *device, enum devstate st);
/* Forget a Stasis device (publishes UNKNOWN). EPERM as above; ENOENT:
 * missing name; ESRCH: no such device (nothing published). */
int devstate_delete(const char *device);

/* The Stasis devices, full names ("Stasis:foo"), in name order. */
void devstate_stasis_foreach(void (*h)(const char *device, enum devstate st,
				       void *arg), void *arg);

/* Aggregation of several states into one, Asterisk's rules: the "busiest"
 * wins, and ringing plus in-use together give RINGINUSE. */
struct devstate_agg {
	enum devstate state;
	bool ringing, inuse, any;
};
void devstate_agg_init(struct devstate_agg *agg);
void devstate_agg_add(struct devstate_agg *agg, enum devstate st);
enum devstate devstate_agg_result(const struct devstate_agg *agg);

int devstate_init(void);
void devstate_close(void);

#endif
