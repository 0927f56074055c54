/* recording.c — live recordings: the registry by name, the state machine
 * of ARI's /recordings/live (queued → recording ⇄ paused → done, failed or
 * canceled), its events, and what ends a recording besides the engine:
 * stop and cancel, a terminating digit, the channel hanging up, the bridge
 * going. The audio is the engine's (src/media), the directory and the
 * stored files recording_stored.c's.
 *
 * As Asterisk's res_stasis_recording: a channel runs its commands one at a
 * time, so a recording waits queued while a playback plays on the channel;
 * RecordingStarted comes before the beep; stop shows "done" and cancel
 * "canceled" at once, and both end with RecordingFinished in state "done"
 * on a later turn, after the REST reply; a recording queued when its
 * channel hangs up ends without an event. */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <re_types.h>
#include <re_fmt.h>
#include <re_mem.h>
#include <re_list.h>
#include "base/defer.h"
#include "base/log.h"
#include "core/bridge.h"
#include "core/bus.h"
#include "core/channel.h"
#include "core/playback.h"
#include "core/recording_int.h"

struct recording {
	struct le le;             /* in `recordings` while registered */
	char *name;
	char *format;
	char *target_uri;
	char *path;               /* absolute, without extension */
	char *cause;
	char terminate[sizeof(RECORDING_DTMF_ANY)]; /* digits; "" none */
	struct channel *chan;     /* referenced; or */
	struct bridge *bridge;    /* referenced */
	unsigned helper;          /* the bridge's helper while registered */
	int max_duration_s, max_silence_s;
	enum recording_if_exists if_exists;
	bool beep;
	enum recording_state state;
	int duration, talking;    /* -1 until it ended */
	bool muted, paused;
	bool registered;
	bool active;              /* handed to the engine */
	bool ended;               /* the last event is out */
	enum recording_end stop_why; /* of a deferred stop */
	void *engine_data;
};

static struct list recordings;
static bool started;

static void activate_h(void *arg);

const char *recording_name(const struct recording *rec) { return rec->name; }
const char *recording_format(const struct recording *rec) { return rec->format; }
const char *recording_target_uri(const struct recording *rec) { return rec->target_uri; }
enum recording_state recording_get_state(const struct recording *rec) { return rec->state; }
int recording_duration(const struct recording *rec) { return rec->duration; }
int recording_talking_duration(const struct recording *rec) { return rec->talking; }
const char *recording_cause(const struct recording *rec) { return rec->cause; }
struct channel *recording_channel(const struct recording *rec) { return rec->chan; }
struct bridge *recording_bridge(const struct recording *rec) { return rec->bridge; }
const char *recording_path(const struct recording *rec) { return rec->path; }
enum recording_if_exists recording_if_exists(const struct recording *rec) { return rec->if_exists; }
bool recording_beep(const struct recording *rec) { return rec->beep; }
int recording_max_duration(const struct recording *rec) { return rec->max_duration_s; }
int recording_max_silence(const struct recording *rec) { return rec->max_silence_s; }
bool recording_muted(const struct recording *rec) { return rec->muted; }
bool recording_paused(const struct recording *rec) { return rec->paused; }
void recording_set_engine_data(struct recording *rec, void *data) { rec->engine_data = data; }
void *recording_engine_data(const struct recording *rec) { return rec->engine_data; }

const char *recording_state_str(enum recording_state st)
{
	switch (st) {
	case RECORDING_QUEUED:    return "queued";
	case RECORDING_RECORDING: return "recording";
	case RECORDING_PAUSED:    return "paused";
	case RECORDING_DONE:      return "done";
	case RECORDING_FAILED:    return "failed";
	case RECORDING_CANCELED:  return "canceled";
	}
	return "?";
}

int recording_if_exists_parse(const char *s, enum recording_if_exists *out)
{
	if (!s || !*s || !strcasecmp(s, "fail"))
		*out = RECORDING_IF_EXISTS_FAIL;
	else if (!strcasecmp(s, "overwrite"))
		*out = RECORDING_IF_EXISTS_OVERWRITE;
	else if (!strcasecmp(s, "append"))
		*out = RECORDING_IF_EXISTS_APPEND;
	else
		return EINVAL;
	return 0;
}

int recording_terminate_parse(const char *s, const char **digits)
{
	if (!s || !*s || !strcasecmp(s, "none"))
		*digits = "";
	else if (!strcasecmp(s, "any"))
		*digits = RECORDING_DTMF_ANY;
	else if (!strcmp(s, "#"))
		*digits = "#";
	else if (!strcmp(s, "*"))
		*digits = "*";
	else
		return EINVAL;
	return 0;
}

struct recording *recording_find(const char *name)
{
	for (struct le *le = name ? recordings.head : NULL; le; le = le->next) {
		struct recording *rec = le->data;

		if (!strcmp(rec->name, name))
			return rec;
	}
	return NULL;
}

struct recording *recording_of_channel(const struct channel *ch)
{
	for (struct le *le = ch ? recordings.head : NULL; le; le = le->next) {
		struct recording *rec = le->data;

		if (rec->chan == ch && !rec->ended)
			return rec;
	}
	return NULL;
}

/* ---- the registry and the events ---- */

static void destructor(void *arg)
{
	struct recording *rec = arg;

	mem_deref(rec->name);
	mem_deref(rec->format);
	mem_deref(rec->target_uri);
	mem_deref(rec->path);
	mem_deref(rec->cause);
	mem_deref(rec->chan);
	mem_deref(rec->bridge);
}

static void publish(struct recording *rec, enum bus_type type)
{
	struct bus_event ev = { .type = type, .chan = rec->chan,
				.bridge = rec->bridge, .recording = rec };

	bus_publish(&ev);
}

static void retry_queued(void *arg)
{
	const struct channel *ch = arg;

	for (struct le *le = recordings.head; le; le = le->next) {
		struct recording *rec = le->data;

		if (rec->chan == ch && rec->state == RECORDING_QUEUED)
			defer_call(activate_h, rec);
	}
}

/* Out of the registry (its reference): the name is free again, and the
 * next recording queued on the channel may start. */
static void unregister(struct recording *rec)
{
	if (!rec->registered)
		return;
	rec->registered = false;
	list_unlink(&rec->le);
	if (rec->helper)
		bridge_helper_leave(rec->bridge, rec->helper);
	rec->helper = 0;
	if (started && rec->chan && recording_of_channel(rec->chan))
		defer_call(retry_queued, rec->chan);
	mem_deref(rec);
}

static void fail(struct recording *rec, const char *cause)
{
	log_warning("%s: recording %s failed: %s", rec->target_uri,
		    rec->name, cause);
	rec->ended = true;
	rec->state = RECORDING_FAILED;
	mem_deref(rec->cause);
	rec->cause = NULL;
	str_dup(&rec->cause, cause);
	publish(rec, BUS_RECORDING_FAILED);
	unregister(rec);
}

/* Ended before it started (queued, then cancelled or its channel hung
 * up): Asterisk drops the command with no event. */
static void forget(struct recording *rec, const char *why)
{
	log_debug(3, "%s: queued recording %s dropped: %s", rec->target_uri,
		  rec->name, why);
	rec->ended = true;
	unregister(rec);
}

void recording_engine_ended(struct recording *rec, enum recording_end why,
			    int duration_s, int talking_s, const char *cause)
{
	bool cancel = why == RECORDING_END_CANCEL ||
		      rec->state == RECORDING_CANCELED;

	if (rec->ended)
		return;
	mem_ref(rec);
	rec->active = false;
	rec->engine_data = NULL;
	rec->duration = duration_s < 0 ? 0 : duration_s;
	rec->talking = talking_s;
	if (why == RECORDING_END_ERROR && !cancel) {
		fail(rec, cause ? cause : "Recording failed");
		mem_deref(rec);
		return;
	}
	if (cancel) {
		char *file = NULL;

		/* Asterisk deletes the file, appended audio and all. */
		if (!re_sdprintf(&file, "%s.%s", rec->path, rec->format) &&
		    unlink(file) && errno != ENOENT)
			log_warning("Cannot remove %s: %s", file,
				    strerror(errno));
		mem_deref(file);
	}
	log_debug(3, "%s: recording %s complete", rec->target_uri, rec->name);
	rec->ended = true;
	/* "done" even after a cancel: Asterisk's record command completes
	 * the same way whatever stopped it. */
	rec->state = RECORDING_DONE;
	publish(rec, BUS_RECORDING_FINISHED);
	unregister(rec);
	mem_deref(rec);
}

/* ---- starting ---- */

static bool channel_busy(const struct channel *ch)
{
	return playback_on_channel(ch);
}

static int engine_start(struct recording *rec)
{
	const struct recording_engine *eng = recording_engine_get();
	int err;

	if (!eng || !eng->start) {
		fail(rec, "No recording engine");
		return ENOSYS;
	}
	rec->active = true;
	err = eng->start(rec);
	if (err) {
		rec->active = false;
		fail(rec, err == EEXIST ? "Recording file already exists"
					: "Cannot write the recording file");
		return err;
	}
	rec->state = RECORDING_RECORDING;
	publish(rec, BUS_RECORDING_STARTED);
	return 0;
}

/* An older recording of the same channel has not ended: this one waits
 * its turn, as Asterisk's second record command does. */
static bool earlier_on_channel(const struct recording *rec)
{
	for (struct le *le = recordings.head; le && le->data != rec;
	     le = le->next) {
		const struct recording *other = le->data;

		if (other->chan == rec->chan && !other->ended)
			return true;
	}
	return false;
}

/* The checks Asterisk's record command makes when its turn comes. */
static bool channel_ready(struct recording *rec)
{
	struct channel *ch = rec->chan;

	if (channel_is_hungup(ch)) {
		forget(rec, "channel hung up");
		return false;
	}
	if (bridge_of_channel(ch)) {
		fail(rec, "Cannot record channel while in bridge");
		return false;
	}
	if (channel_busy(ch) || earlier_on_channel(rec))
		return false;  /* again when that playback or recording ends */
	if (channel_state(ch) != CHANNEL_UP && channel_answer(ch)) {
		fail(rec, "Failed to answer channel");
		return false;
	}
	return true;
}

static void activate_h(void *arg)
{
	struct recording *rec = arg;

	if (rec->ended || rec->active || rec->state != RECORDING_QUEUED)
		return;
	if (rec->chan && !channel_ready(rec))
		return;
	if (rec->bridge && !bridge_find(bridge_id(rec->bridge))) {
		forget(rec, "bridge destroyed");
		return;
	}
	engine_start(rec);
}

static int opts_check(const struct recording_opts *o)
{
	if (!o || !o->name || !*o->name || !o->format || !*o->format ||
	    o->max_duration_s < 0 || o->max_silence_s < 0)
		return EINVAL;
	if (o->terminate_on &&
	    (strlen(o->terminate_on) >= sizeof(RECORDING_DTMF_ANY) ||
	     strspn(o->terminate_on, RECORDING_DTMF_ANY) !=
		     strlen(o->terminate_on)))
		return EINVAL;
	if (!recording_format_known(o->format))
		return ENOTSUP;
	return 0;
}

/* A new recording, not registered yet, or an error of recording_start. */
static int rec_alloc(struct recording **recp, const struct recording_opts *o)
{
	struct recording *rec;
	int err;

	err = opts_check(o);
	if (err)
		return err;
	if (recording_find(o->name)) {
		log_warning("Recording %s already in progress", o->name);
		return EEXIST;
	}
	rec = mem_zalloc(sizeof(*rec), destructor);
	if (!rec)
		return ENOMEM;
	err = str_dup(&rec->name, o->name);
	err |= str_dup(&rec->format, o->format);
	if (!err)
		err = recording_path_make(&rec->path, o->name, true);
	if (!err && o->if_exists == RECORDING_IF_EXISTS_FAIL &&
	    recording_file_exists(rec->path)) {
		log_warning("Recording file '%s' already exists and ifExists "
			    "option is failure.", rec->path);
		err = EEXIST;
	}
	if (err) {
		mem_deref(rec);
		return err;
	}
	if (o->terminate_on)
		str_ncpy(rec->terminate, o->terminate_on,
			 sizeof(rec->terminate));
	rec->max_duration_s = o->max_duration_s;
	rec->max_silence_s = o->max_silence_s;
	rec->if_exists = o->if_exists;
	rec->beep = o->beep;
	rec->duration = rec->talking = -1;
	rec->state = RECORDING_QUEUED;
	*recp = rec;
	return 0;
}

/* Registered, and started on a later turn: the REST reply (state queued)
 * goes out before the events. */
static int rec_register(struct recording *rec)
{
	int err;

	rec->registered = true;
	list_append(&recordings, &rec->le, rec);
	err = defer_call(activate_h, rec);
	if (err)
		forget(rec, "out of memory");
	return err;
}

/* The target is a channel or a bridge; the registry takes the new one and
 * starts it on a later turn. */
static int start_on(struct recording **recp, const struct recording_opts *o,
		    struct channel *ch, struct bridge *b)
{
	struct recording *rec;
	int err;

	err = rec_alloc(&rec, o);
	if (err)
		return err;
	rec->chan = mem_ref(ch);
	rec->bridge = mem_ref(b);
	if (re_sdprintf(&rec->target_uri, ch ? "channel:%s" : "bridge:%s",
			ch ? channel_id(ch) : bridge_id(b))) {
		mem_deref(rec);
		return ENOMEM;
	}
	log_debug(3, "%s: Sending record(%s.%s) command", rec->target_uri,
		  o->name, o->format);
	/* Asterisk records a bridge through a Recorder channel it puts in
	 * the bridge: it counts for the technology and the BRIDGEPEER of
	 * the members until the recording ends. */
	if (b && bridge_helper_join(b, BRIDGE_RECORDER, &rec->helper)) {
		log_warning("%s: Failed to put recording channel into the "
			    "bridge", rec->target_uri);
		mem_deref(rec);
		return EBUSY;
	}
	err = rec_register(rec);
	if (!err)
		*recp = rec;
	return err;
}

int recording_start(struct recording **recp, struct channel *ch,
		    const struct recording_opts *o)
{
	return recp && ch ? start_on(recp, o, ch, NULL) : EINVAL;
}

int recording_start_bridge(struct recording **recp, struct bridge *b,
			   const struct recording_opts *o)
{
	return recp && b ? start_on(recp, o, NULL, b) : EINVAL;
}

/* ---- operations ---- */

static void engine_stop(struct recording *rec, enum recording_end why)
{
	const struct recording_engine *eng = recording_engine_get();

	if (rec->ended || !rec->active)
		return;
	mem_ref(rec);  /* its end unregisters it */
	if (eng && eng->stop && rec->engine_data)
		eng->stop(rec, why);
	/* An engine that let go without a word ends it here. */
	if (!rec->ended)
		recording_engine_ended(rec, why, 0, -1, NULL);
	mem_deref(rec);
}

static void deferred_stop(void *arg)
{
	struct recording *rec = arg;

	engine_stop(rec, rec->stop_why);
}

static int stop_later(struct recording *rec, enum recording_op op)
{
	rec->stop_why = op == RECORDING_OP_CANCEL ? RECORDING_END_CANCEL
						  : RECORDING_END_STOP;
	rec->state = op == RECORDING_OP_CANCEL ? RECORDING_CANCELED
					       : RECORDING_DONE;
	return defer_call(deferred_stop, rec);
}

static void changed(struct recording *rec)
{
	const struct recording_engine *eng = recording_engine_get();

	if (eng && eng->changed && rec->engine_data)
		eng->changed(rec);
}

static int set_mute(struct recording *rec, bool on)
{
	if (rec->muted != on) {
		rec->muted = on;
		changed(rec);
	}
	return 0;
}

static int set_pause(struct recording *rec, bool on)
{
	rec->state = on ? RECORDING_PAUSED : RECORDING_RECORDING;
	if (rec->paused != on) {
		rec->paused = on;
		changed(rec);
	}
	return 0;
}

int recording_operation(struct recording *rec, enum recording_op op)
{
	if (!rec)
		return EINVAL;
	switch (rec->state) {
	case RECORDING_QUEUED:
		if (op != RECORDING_OP_STOP && op != RECORDING_OP_CANCEL)
			return EBUSY;
		rec->state = RECORDING_CANCELED;
		forget(rec, op == RECORDING_OP_STOP ? "stopped" : "canceled");
		return 0;
	case RECORDING_RECORDING:
	case RECORDING_PAUSED:
		break;
	default:
		return EBUSY;
	}
	switch (op) {
	case RECORDING_OP_STOP:
	case RECORDING_OP_CANCEL:
		return stop_later(rec, op);
	case RECORDING_OP_PAUSE:
		return set_pause(rec, true);
	case RECORDING_OP_UNPAUSE:
		return set_pause(rec, false);
	case RECORDING_OP_MUTE:
		return set_mute(rec, true);
	case RECORDING_OP_UNMUTE:
		return set_mute(rec, false);
	}
	return EINVAL;
}

/* ---- what ends or holds a recording from outside ---- */

/* A digit of terminateOn, sent by the channel recorded or by anyone in
 * the bridge recorded. The stop waits one turn so that the app sees
 * ChannelDtmfReceived first, as Asterisk publishes the digit before its
 * recording loop reads it. */
static void on_dtmf(const struct bus_event *ev)
{
	char d = (char)toupper((unsigned char)ev->digit);
	struct le *le;

	for (le = recordings.head; le; le = le->next) {
		struct recording *rec = le->data;
		bool mine = rec->chan ? rec->chan == ev->chan
			  : bridge_of_channel(ev->chan) == rec->bridge;

		if (!mine || !rec->active || !*rec->terminate || !d ||
		    !strchr(rec->terminate, d) ||
		    (rec->state != RECORDING_RECORDING &&
		     rec->state != RECORDING_PAUSED))
			continue;
		log_verbose(3, "User ended message by pressing %c", d);
		rec->stop_why = RECORDING_END_DTMF;
		rec->state = RECORDING_DONE;
		if (defer_call(deferred_stop, rec))
			engine_stop(rec, RECORDING_END_DTMF);
	}
}

/* A playback of a channel finished: a recording waiting for it may start
 * (on the next turn, when the playback has let go of the channel and the
 * next one queued there, if any, is known). */
static void on_playback_finished(const struct bus_event *ev)
{
	if (ev->chan && recording_of_channel(ev->chan))
		defer_call(retry_queued, ev->chan);
}

/* The target went (the channel hung up, the bridge is destroyed): what
 * records it ends, what waits for it is dropped. */
static void target_gone(const struct channel *ch, const struct bridge *br)
{
	struct le *le = recordings.head;

	while (le) {
		struct recording *rec = le->data;

		le = le->next;
		if (rec->ended || (ch ? rec->chan != ch : rec->bridge != br))
			continue;
		if (rec->active)
			engine_stop(rec, RECORDING_END_HANGUP);
		else
			forget(rec, "its channel or bridge went");
	}
}

static void on_event(const struct bus_event *ev, void *arg)
{
	(void)arg;
	switch (ev->type) {
	case BUS_CHANNEL_DTMF:
		if (ev->chan)
			on_dtmf(ev);
		break;
	case BUS_PLAYBACK_FINISHED:
		on_playback_finished(ev);
		break;
	/* Ended as the bridge starts to go, while its members are still in
	 * it: the apps that watch it through them hear RecordingFinished
	 * (again at its end, for one started meanwhile). */
	case BUS_BRIDGE_DISSOLVING:
	case BUS_BRIDGE_DESTROYED:
		if (ev->bridge)
			target_gone(NULL, ev->bridge);
		break;
	default:
		break;
	}
}

/* Before StasisEnd: the recording of a channel ends with the channel. */
static void on_hangup(struct channel *ch)
{
	target_gone(ch, NULL);
}

static const struct channel_hooks hooks = {.hangup = on_hangup};

int recording_init(void)
{
	static bool hooked;  /* hooks stay for the process */
	int err = 0;

	if (started)
		return 0;
	if (!hooked)
		err = channel_hooks_add(&hooks);
	hooked = hooked || !err;
	if (!err)
		err = bus_subscribe(on_event, NULL);
	if (!err)
		started = true;
	return err;
}

void recording_close(void)
{
	struct le *le;

	if (started)
		bus_unsubscribe(on_event, NULL);
	started = false;
	while ((le = recordings.head)) {
		struct recording *rec = le->data;

		rec->ended = true;
		unregister(rec);
	}
}
