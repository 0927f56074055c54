/* playback.c — playback objects: registry by id, the state machine of ARI's
 * /playbacks (queued → playing ⇄ paused, continuing between items, done or
 * failed) and its events. One playback runs at a time per channel or
 * bridge; later ones wait queued, as Asterisk's per-channel command queue
 * (the bridge's Announcer channel's, for a bridge) makes them.
 *
 * The audio itself is made by an engine that src/media registers
 * (playback_engine_register), so the core knows nothing of files or codecs.
 * States and event order follow Asterisk's res_stasis_playback: every item
 * gets PlaybackStarted, every item but the last PlaybackContinuing, the last
 * PlaybackFinished; a stopped or cancelled playback reports "done". */
#include <errno.h>
#include <stdint.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>
#include <re_types.h>
#include <re_fmt.h>
#include <re_mem.h>
#include <re_list.h>
#include "core/bridge.h"
#include "core/bus.h"
#include "core/channel.h"
#include "base/defer.h"
#include "base/log.h"
#include "core/playback.h"
#include "core/uuid.h"

#define PLAYBACK_DEFAULT_SKIPMS 3000

struct playback {
	struct le le;            /* in `playbacks` while registered */
	char *id;
	char **media;            /* nmedia URIs */
	size_t nmedia;
	size_t idx;              /* current item */
	char *target_uri;
	char *language;
	struct channel *chan;    /* referenced; NULL for a bridge's */
	struct bridge *bridge;   /* referenced; NULL for a channel's */
	unsigned helper;         /* the bridge's helper while it has one */
	long offsetms;
	int skipms;
	enum playback_state state;
	bool registered;
	bool active;             /* handed to the engine */
	bool finished;           /* PlaybackFinished published */
	void *engine_data;       /* engine's; cleared by playback_released */
};

static struct list playbacks;
static const struct playback_engine *engine;

const char *playback_id(const struct playback *pb) { return pb->id; }
const char *playback_target_uri(const struct playback *pb) { return pb->target_uri ? pb->target_uri : ""; }
const char *playback_language(const struct playback *pb) { return pb->language ? pb->language : ""; }
enum playback_state playback_get_state(const struct playback *pb) { return pb->state; }
struct channel *playback_channel(const struct playback *pb) { return pb->chan; }
struct bridge *playback_bridge(const struct playback *pb) { return pb->bridge; }
size_t playback_media_index(const struct playback *pb) { return pb->idx; }
long playback_offsetms(const struct playback *pb) { return pb->offsetms; }
int playback_skipms(const struct playback *pb) { return pb->skipms; }
void playback_set_engine_data(struct playback *pb, void *data) { pb->engine_data = data; }
void *playback_engine_data(const struct playback *pb) { return pb->engine_data; }

const char *playback_media_uri(const struct playback *pb)
{
	return pb->idx < pb->nmedia ? pb->media[pb->idx] : "";
}

const char *playback_next_media_uri(const struct playback *pb)
{
	return pb->idx + 1 < pb->nmedia ? pb->media[pb->idx + 1] : NULL;
}

const char *playback_state_str(enum playback_state st)
{
	switch (st) {
	case PLAYBACK_QUEUED:     return "queued";
	case PLAYBACK_PLAYING:    return "playing";
	case PLAYBACK_PAUSED:     return "paused";
	case PLAYBACK_CONTINUING: return "continuing";
	case PLAYBACK_DONE:       return "done";
	case PLAYBACK_FAILED:     return "failed";
	case PLAYBACK_CANCELLED:  return "cancelled";
	}
	return "unknown";
}

struct playback *playback_find(const char *id)
{
	if (!id)
		return NULL;
	for (struct le *le = playbacks.head; le; le = le->next) {
		struct playback *pb = le->data;

		/* A finished one waits only for its engine to let go. */
		if (!pb->finished && !strcmp(pb->id, id))
			return pb;
	}
	return NULL;
}

void playback_engine_register(const struct playback_engine *eng)
{
	engine = eng;
}

const struct playback_engine *playback_engine_get(void)
{
	return engine;
}

int playback_op_parse(const char *name, enum playback_op *opp)
{
	static const char *const names[] = {
		[PLAYBACK_OP_PAUSE] = "pause",
		[PLAYBACK_OP_UNPAUSE] = "unpause",
		[PLAYBACK_OP_RESTART] = "restart",
		[PLAYBACK_OP_REVERSE] = "reverse",
		[PLAYBACK_OP_FORWARD] = "forward",
	};

	for (size_t i = 0; name && i < sizeof(names) / sizeof(names[0]); i++) {
		if (!strcmp(name, names[i])) {
			*opp = (enum playback_op)i;
			return 0;
		}
	}
	return EINVAL;
}

/* ARI joins a multi-valued parameter with ','; tone: indication strings
 * contain commas themselves ("tone:440/200,0/200"), so a piece with no
 * scheme after a tone: URI stays part of it. */
size_t playback_media_split(char *buf, const char **uris, size_t max)
{
	size_t n = 0;
	char *start = buf;

	for (char *p = buf;; p++) {
		if (*p == ',') {
			char *q = p + 1;

			while ((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z'))
				q++;
			if (!strncmp(start, "tone:", 5) &&
			    (q == p + 1 || *q != ':'))
				continue;
		}
		else if (*p) {
			continue;
		}
		if (n < max)
			uris[n++] = start;
		if (!*p)
			break;
		*p = '\0';
		start = p + 1;
	}
	return n;
}

static void destructor(void *arg)
{
	struct playback *pb = arg;

	for (size_t i = 0; i < pb->nmedia; i++)
		mem_deref(pb->media[i]);
	mem_deref(pb->media);
	mem_deref(pb->id);
	mem_deref(pb->target_uri);
	mem_deref(pb->language);
	mem_deref(pb->chan);
	mem_deref(pb->bridge);
}

/* For log lines: the channel's id or the bridge's. */
static const char *target_id(const struct playback *pb)
{
	return pb->chan ? channel_id(pb->chan) : bridge_id(pb->bridge);
}

static const void *target_of(const struct playback *pb)
{
	return pb->chan ? (const void *)pb->chan : (const void *)pb->bridge;
}

/* A destroyed bridge is out of the registry (or another has its id). */
static bool target_gone(const struct playback *pb)
{
	if (pb->chan)
		return channel_is_hungup(pb->chan);
	return bridge_find(bridge_id(pb->bridge)) != pb->bridge;
}

static void publish(struct playback *pb, enum bus_type type)
{
	struct bus_event ev = { .type = type, .chan = pb->chan,
				.bridge = pb->bridge,
				.playback = pb };

	bus_publish(&ev);
}

static struct playback *active_on(const void *target)
{
	for (struct le *le = playbacks.head; le; le = le->next) {
		struct playback *pb = le->data;

		if (target_of(pb) == target && pb->active)
			return pb;
	}
	return NULL;
}

static struct playback *queued_on(const void *target)
{
	for (struct le *le = playbacks.head; le; le = le->next) {
		struct playback *pb = le->data;

		if (target_of(pb) == target && !pb->active && !pb->finished)
			return pb;
	}
	return NULL;
}

bool playback_on_channel(const struct channel *ch)
{
	for (struct le *le = ch ? playbacks.head : NULL; le; le = le->next) {
		const struct playback *pb = le->data;

		/* One that finished is over, though its audio may take a
		 * tick more to let go. */
		if (pb->chan == ch && !pb->finished)
			return true;
	}
	return false;
}

/* A bridge keeps its helper (Asterisk's Announcer channel) while any of
 * its playbacks is registered: the next one takes it over. */
static void helper_pass(struct playback *pb)
{
	if (!pb->helper)
		return;
	for (struct le *le = playbacks.head; le; le = le->next) {
		struct playback *other = le->data;

		if (other != pb && other->bridge == pb->bridge) {
			other->helper = pb->helper;
			pb->helper = 0;
			return;
		}
	}
	bridge_helper_leave(pb->bridge, pb->helper);
	pb->helper = 0;
}

/* Publish PlaybackFinished once and leave the registry (its reference). */
static void finish(struct playback *pb, enum playback_state st)
{
	if (!pb->finished) {
		pb->finished = true;
		pb->state = st;
		publish(pb, BUS_PLAYBACK_FINISHED);
	}
	if (pb->registered) {
		pb->registered = false;
		list_unlink(&pb->le);
		helper_pass(pb);
		mem_deref(pb);
	}
}

static void activate(void *arg);

static void start_next_on(const void *target)
{
	struct playback *next = queued_on(target);

	if (next && defer_call(activate, next))
		log_error("Cannot start playback %s", next->id);
}

static void activate(void *arg)
{
	struct playback *pb = arg;
	int err;

	if (pb->finished || pb->active || active_on(target_of(pb)))
		return;
	if (target_gone(pb)) {
		/* A hangup (or the bridge's end) ends everything queued, as
		 * "done" like Asterisk. */
		finish(pb, PLAYBACK_DONE);
		return;
	}
	if (!engine || !engine->start) {
		log_warning("%s: no media engine to play %s", target_id(pb),
			    playback_media_uri(pb));
		finish(pb, PLAYBACK_FAILED);
		return;
	}
	pb->active = true;
	mem_ref(pb);
	err = engine->start(pb);
	if (err) {
		log_warning("%s: Playback failed for %s: %s", target_id(pb),
			    playback_media_uri(pb), strerror(err));
		pb->active = false;
		finish(pb, PLAYBACK_FAILED);
		start_next_on(target_of(pb));
	}
	mem_deref(pb);
}

/* The target is set; ids, language and URIs are copied. A bridge's
 * language is its Announcer channel's, Asterisk's default "en". */
static int fill(struct playback *pb, const char *id,
		const char *const *media, size_t n, const char *lang)
{
	int err;

	if (!lang)
		lang = pb->chan ? channel_language(pb->chan) : "en";
	err = uuid_dup_or_new(&pb->id, id);
	err |= str_dup(&pb->language, lang);
	if (pb->chan)
		err |= re_sdprintf(&pb->target_uri, "channel:%s",
				   channel_id(pb->chan));
	else
		err |= re_sdprintf(&pb->target_uri, "bridge:%s",
				   bridge_id(pb->bridge));
	pb->media = mem_zalloc(n * sizeof(*pb->media), NULL);
	if (err || !pb->media)
		return ENOMEM;
	for (size_t i = 0; i < n; i++) {
		err = str_dup(&pb->media[i], media[i]);
		if (err)
			return err;
		pb->nmedia++;
	}
	return 0;
}

static int check_args(struct playback **pbp, const char *id,
		      const char *const *media, size_t n, long offsetms,
		      int skipms)
{
	if (!pbp || !media || !n || offsetms < 0 || skipms < 0)
		return EINVAL;
	for (size_t i = 0; i < n; i++) {
		if (!media[i] || !*media[i])
			return EINVAL;
	}
	if (id && *id && playback_find(id))
		return EEXIST;
	return 0;
}

/* pb has its target: fill it in, register it and start it on a later turn
 * unless another plays on the same target. Consumes pb on failure. */
static int queue(struct playback **pbp, struct playback *pb, const char *id,
		 const char *const *media, size_t n, const char *lang,
		 long offsetms, int skipms)
{
	int err = fill(pb, id, media, n, lang);

	if (err) {
		mem_deref(pb);
		return err;
	}
	pb->offsetms = offsetms;
	pb->skipms = skipms ? skipms : PLAYBACK_DEFAULT_SKIPMS;
	pb->state = PLAYBACK_QUEUED;
	pb->registered = true;
	list_append(&playbacks, &pb->le, pb);  /* the registry's reference */

	/* Deferred so the REST reply (state queued) precedes the events. */
	if (!active_on(target_of(pb))) {
		err = defer_call(activate, pb);
		if (err) {
			finish(pb, PLAYBACK_FAILED);
			return err;
		}
	}
	log_debug(3, "%s: Sending play(%s) command", target_id(pb), media[0]);
	*pbp = pb;
	return 0;
}

int playback_start(struct playback **pbp, struct channel *ch, const char *id,
		   const char *const *media, size_t n, const char *lang,
		   long offsetms, int skipms)
{
	struct playback *pb;
	int err = check_args(pbp, id, media, n, offsetms, skipms);

	if (err || !ch)
		return err ? err : EINVAL;
	pb = mem_zalloc(sizeof(*pb), destructor);
	if (!pb)
		return ENOMEM;
	pb->chan = mem_ref(ch);
	return queue(pbp, pb, id, media, n, lang, offsetms, skipms);
}

static bool bridge_has_playback(const struct bridge *b)
{
	for (struct le *le = playbacks.head; le; le = le->next) {
		const struct playback *pb = le->data;

		if (pb->bridge == b)
			return true;
	}
	return false;
}

/* The first playback of a bridge brings its helper in (Asterisk's
 * Announcer channel joins when the first play request arrives). */
int playback_start_bridge(struct playback **pbp, struct bridge *b,
			  const char *id, const char *const *media, size_t n,
			  const char *lang, long offsetms, int skipms)
{
	struct playback *pb;
	bool first;
	int err = check_args(pbp, id, media, n, offsetms, skipms);

	if (err || !b)
		return err ? err : EINVAL;
	pb = mem_zalloc(sizeof(*pb), destructor);
	if (!pb)
		return ENOMEM;
	pb->bridge = mem_ref(b);
	first = !bridge_has_playback(b);
	err = queue(pbp, pb, id, media, n, lang, offsetms, skipms);
	if (!err && first && (*pbp)->registered &&
	    bridge_helper_join(b, BRIDGE_ANNOUNCER, &(*pbp)->helper))
		log_warning("Bridge %s: no room for a playback helper",
			    bridge_id(b));
	return err;
}

int playback_stop(struct playback *pb)
{
	if (!pb)
		return EINVAL;
	if (pb->finished)
		return 0;
	if (!pb->active) {
		log_notice("%s: Playback canceled for %s", target_id(pb),
			   playback_media_uri(pb));
		finish(pb, PLAYBACK_DONE);
		return 0;
	}
	/* "done", as Asterisk shows a stopped playback; released() publishes */
	pb->state = PLAYBACK_DONE;
	log_notice("%s: Playback stopped for %s", target_id(pb),
		   playback_media_uri(pb));
	if (engine && engine->stop && pb->engine_data)
		engine->stop(pb);
	else
		playback_released(pb, false);
	return 0;
}

static int engine_control(struct playback *pb, enum playback_op op)
{
	if (!engine || !engine->control || !pb->engine_data)
		return ENOSYS;
	return engine->control(pb, op);
}

int playback_control(struct playback *pb, enum playback_op op)
{
	int err;

	if (!pb)
		return EINVAL;
	switch (pb->state) {
	case PLAYBACK_QUEUED:
		/* Restarting what has not started is a no-op in Asterisk. */
		return op == PLAYBACK_OP_RESTART ? 0 : EBUSY;
	case PLAYBACK_PLAYING:
	case PLAYBACK_CONTINUING:
		if (op == PLAYBACK_OP_UNPAUSE)
			return 0;
		if (op == PLAYBACK_OP_RESTART)
			pb->idx = 0;
		err = engine_control(pb, op);
		if (!err && op == PLAYBACK_OP_PAUSE)
			pb->state = PLAYBACK_PAUSED;  /* no event, as Asterisk */
		return err;
	case PLAYBACK_PAUSED:
		if (op == PLAYBACK_OP_PAUSE)
			return 0;
		if (op != PLAYBACK_OP_UNPAUSE)
			return EBUSY;
		err = engine_control(pb, op);
		if (!err) {
			/* Asterisk announces the resumed playback again. */
			pb->state = PLAYBACK_PLAYING;
			publish(pb, BUS_PLAYBACK_STARTED);
		}
		return err;
	default:
		return EBUSY;
	}
}

void playback_item_started(struct playback *pb)
{
	if (pb->finished || pb->state == PLAYBACK_DONE)
		return;
	pb->state = PLAYBACK_PLAYING;
	publish(pb, BUS_PLAYBACK_STARTED);
}

bool playback_item_ended(struct playback *pb, bool failed)
{
	if (pb->finished || pb->state == PLAYBACK_DONE)
		return false;
	if (failed)
		log_warning("%s: Playback failed for %s", target_id(pb),
			    playback_media_uri(pb));
	if (pb->idx + 1 < pb->nmedia) {
		pb->state = PLAYBACK_CONTINUING;
		publish(pb, BUS_PLAYBACK_CONTINUING);
		pb->idx++;
		return true;
	}
	pb->finished = true;
	pb->state = failed ? PLAYBACK_FAILED : PLAYBACK_DONE;
	publish(pb, BUS_PLAYBACK_FINISHED);
	return false;
}

void playback_released(struct playback *pb, bool hangup)
{
	(void)hangup;
	mem_ref(pb);  /* and so its target */
	pb->engine_data = NULL;
	pb->active = false;
	finish(pb, pb->state == PLAYBACK_FAILED ? PLAYBACK_FAILED
						: PLAYBACK_DONE);
	/* After a hangup the next queued one finishes as done at once. */
	start_next_on(target_of(pb));
	mem_deref(pb);
}

/* A bridge that goes ends its playbacks, as a hangup ends a channel's:
 * queued ones at once, the running one when its engine lets go. It is
 * told before its members leave (dissolving) and, in case a playback was
 * queued meanwhile, again once it is gone. */
static void on_bus(const struct bus_event *ev, void *unused)
{
	struct le *le;

	(void)unused;
	if (ev->type != BUS_BRIDGE_DISSOLVING &&
	    ev->type != BUS_BRIDGE_DESTROYED)
		return;
	le = playbacks.head;
	while (le) {
		struct playback *pb = le->data;

		le = le->next;
		/* A stopped one waits for its engine (state done). */
		if (pb->bridge != ev->bridge || pb->finished ||
		    (pb->active && pb->state == PLAYBACK_DONE))
			continue;
		if (pb->active)
			playback_stop(pb);
		else
			finish(pb, PLAYBACK_DONE);
		/* Either may have unlinked the next one too. */
		le = playbacks.head;
	}
}

int playback_init(void)
{
	return bus_subscribe(on_bus, NULL);
}

void playback_close(void)
{
	struct le *le;

	bus_unsubscribe(on_bus, NULL);
	while ((le = playbacks.head)) {
		struct playback *pb = le->data;

		pb->registered = false;
		list_unlink(le);
		mem_deref(pb);
	}
}
