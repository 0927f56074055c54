/* bridge.c — the bridge model: the registry of bridges, each one's type,
 * members in join order and their options, the owner app, what ARI shows
 * (technology), the engine's calls, and the events of a bridge's life
 * (BridgeCreated, ChannelEnteredBridge, ChannelLeftBridge, BridgeDestroyed).
 *
 * Not here: BRIDGEPEER (bridge_peer.c), helpers, video, variables and music
 * (bridge_attr.c), DTMF (bridge_follow.c), the audio (an engine src/media registers), which app sees which
 * event (stasis_route.c), the REST handlers (src/ari). */
#include <errno.h>
#include <stdint.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <re_types.h>
#include <re_fmt.h>
#include <re_mem.h>
#include <re_list.h>
#include <re_hash.h>
#include "base/log.h"
#include "core/bus.h"
#include "core/channel.h"
#include "core/uuid.h"
#include "core/bridge_int.h"

static struct list bridges;
static struct hash *by_id, *by_chan;
static const struct bridge_engine *engine;

/* ---- types ---- */

static const struct {
	const char *word;
	unsigned flag;
} type_words[] = {
	{"mixing", BRIDGE_MIXING},
	{"holding", BRIDGE_HOLDING},
	{"dtmf_events", BRIDGE_DTMF_EVENTS},
	{"proxy_media", BRIDGE_PROXY_MEDIA},
	{"video_sfu", BRIDGE_VIDEO_SFU},
	{"video_single", BRIDGE_VIDEO_SINGLE},
	{"sdp_label", BRIDGE_SDP_LABEL},
};

static bool is_space(char c)
{
	return c == ' ' || c == '\t';
}

/* One word of the list, blanks around it ignored (ast_strip). */
static int type_word(const char *p, size_t len, unsigned *flags,
		     const char **bad, size_t *badlen)
{
	while (len && is_space(*p)) {
		p++;
		len--;
	}
	while (len && is_space(p[len - 1]))
		len--;
	for (size_t i = 0; i < sizeof(type_words) / sizeof(type_words[0]);
	     i++) {
		if (strlen(type_words[i].word) == len &&
		    !memcmp(type_words[i].word, p, len)) {
			*flags |= type_words[i].flag;
			return 0;
		}
	}
	if (bad)
		*bad = p;
	if (badlen)
		*badlen = len;
	return EINVAL;
}

/* As Asterisk's stasis_app_bridge_create: an empty list is mixing; a
 * bridge must be mixing or holding and cannot be both. */
int bridge_type_parse(const char *list, unsigned *flags, const char **bad,
		      size_t *badlen)
{
	unsigned f = 0;

	if (bad)
		*bad = NULL;
	if (badlen)
		*badlen = 0;
	if (!flags)
		return EINVAL;
	if (!list || !*list) {
		*flags = BRIDGE_MIXING;
		return 0;
	}
	for (const char *p = list;;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		int err = type_word(p, len, &f, bad, badlen);

		if (err)
			return err;
		if (!comma)
			break;
		p = comma + 1;
	}
	if (!(f & (BRIDGE_MIXING | BRIDGE_HOLDING)) ||
	    ((f & BRIDGE_MIXING) && (f & BRIDGE_HOLDING)))
		return EINVAL;
	*flags = f;
	return 0;
}

/* ---- accessors ---- */

const char *bridge_id(const struct bridge *b) { return b->id; }
const char *bridge_name(const struct bridge *b) { return b->name ? b->name : ""; }
unsigned bridge_flags(const struct bridge *b) { return b->flags; }
const char *bridge_class(const struct bridge *b) { (void)b; return "stasis"; }
const char *bridge_creator(const struct bridge *b) { (void)b; return "Stasis"; }
const char *bridge_app(const struct bridge *b) { return b->app; }
struct timeval bridge_creationtime(const struct bridge *b) { return b->created; }
const char *bridge_video_mode(const struct bridge *b) { return b->video_mode; }
const char *bridge_video_source_id(const struct bridge *b) { return b->video_source; }
const char *bridge_moh_class(const struct bridge *b) { return b->moh_class; }
size_t bridge_channel_count(const struct bridge *b) { return list_count(&b->members); }
size_t bridge_count(void) { return list_count(&bridges); }
void bridge_set_engine_data(struct bridge *b, void *data) { b->engine_data = data; }
void *bridge_engine_data(const struct bridge *b) { return b->engine_data; }

void bridge_engine_register(const struct bridge_engine *eng)
{
	engine = eng;
}

const char *bridge_type_str(const struct bridge *b)
{
	return (b->flags & BRIDGE_HOLDING) ? "holding" : "mixing";
}

const char *bridge_technology(const struct bridge *b)
{
	return b->tech;
}

/* Asterisk's smart bridge: a two-party technology while two channels (its
 * playback and MOH helpers count) or fewer are in, softmix above. */
static const char *tech_for(const struct bridge *b)
{
	if (b->flags & BRIDGE_HOLDING)
		return "holding_bridge";
	return list_count(&b->members) + b->nhelpers > 2 ? "softmix"
							 : "simple_bridge";
}

static bool id_cmp(struct le *le, void *arg)
{
	const struct bridge *b = le->data;

	return !strcmp(b->id, arg);
}

struct bridge *bridge_find(const char *id)
{
	struct le *le;

	if (!id || !by_id)
		return NULL;
	le = hash_lookup(by_id, hash_joaat_str(id), id_cmp, (void *)id);
	return le ? le->data : NULL;
}

void bridge_foreach(void (*h)(struct bridge *b, void *arg), void *arg)
{
	struct le *le = bridges.head;

	while (le) {
		struct bridge *b = le->data;

		le = le->next;
		h(b, arg);
	}
}

/* ---- members ---- */

static uint32_t chan_key(const struct channel *ch)
{
	return (uint32_t)((uintptr_t)ch >> 4);
}

static bool chan_cmp(struct le *le, void *arg)
{
	const struct bridge_member *m = le->data;

	return m->ch == arg;
}

static struct bridge_member *member_of(const struct channel *ch)
{
	struct le *le;

	if (!ch || !by_chan)
		return NULL;
	le = hash_lookup(by_chan, chan_key(ch), chan_cmp, (void *)ch);
	return le ? le->data : NULL;
}

struct bridge *bridge_of_channel(const struct channel *ch)
{
	struct bridge_member *m = member_of(ch);

	return m ? m->b : NULL;
}

const struct bridge_join_opts *bridge_member_opts(const struct bridge *b,
						  const struct channel *ch)
{
	struct bridge_member *m = member_of(ch);

	return m && m->b == b ? &m->opts : NULL;
}

void bridge_channel_foreach(const struct bridge *b,
			    void (*h)(struct channel *ch, void *arg),
			    void *arg)
{
	struct le *le = b->members.head;

	while (le) {
		struct bridge_member *m = le->data;

		le = le->next;
		h(m->ch, arg);
	}
}

static void member_destructor(void *arg)
{
	struct bridge_member *m = arg;

	list_unlink(&m->le);
	hash_unlink(&m->le_chan);
	mem_deref(m->role);
	mem_deref(m->ch);
}

/* After a join or leave, as Asterisk's bridge_reconfigured: the
 * technology is chosen again, then the peers are set. Its enter and leave
 * events go out before this, so they show the technology as it was. */
void bridge_reconfigure(struct bridge *b)
{
	if (b->dying)
		return;
	b->tech = tech_for(b);
	bridge_peers_update(b);
}

const struct bridge_engine *bridge_engine_get(void)
{
	return engine;
}

/* ---- events ---- */

static void publish(enum bus_type type, struct bridge *b, struct channel *ch)
{
	struct bus_event ev = {.type = type, .bridge = b, .chan = ch};

	bus_publish(&ev);
}

/* ---- the registry ---- */

static void bridge_destructor(void *arg)
{
	struct bridge *b = arg;

	list_flush(&b->members);
	list_flush(&b->vars);
	list_unlink(&b->le);
	hash_unlink(&b->le_id);
	mem_deref(b->id);
	mem_deref(b->name);
	mem_deref(b->app);
	mem_deref(b->moh_class);
	mem_deref(b->video_source);
}

static int tables_alloc(void)
{
	if (!by_id && hash_alloc(&by_id, 256))
		return ENOMEM;
	if (!by_chan && hash_alloc(&by_chan, 1024))
		return ENOMEM;
	return 0;
}

static int bridge_alloc(struct bridge **bp, const char *id, unsigned flags,
			const char *name, const char *app)
{
	struct bridge *b;
	int err;

	b = mem_zalloc(sizeof(*b), bridge_destructor);
	if (!b)
		return ENOMEM;
	err = uuid_dup_or_new(&b->id, id);
	if (!err && name && *name)
		err = str_dup(&b->name, name);
	if (!err && app && *app)
		err = str_dup(&b->app, app);
	if (err) {
		mem_deref(b);
		return err;
	}
	b->flags = flags;
	/* Asterisk's Stasis bridges: talker video unless asked otherwise. */
	b->video_mode = (flags & BRIDGE_VIDEO_SFU)	  ? "sfu"
			: (flags & BRIDGE_VIDEO_SINGLE) ? "single"
							: "talker";
	b->tech = tech_for(b);
	gettimeofday(&b->created, NULL);
	*bp = b;
	return 0;
}

int bridge_create(struct bridge **bp, const char *id, unsigned flags,
		  const char *name, const char *app)
{
	struct bridge *b;
	int err;

	if (!bp || !(flags & (BRIDGE_MIXING | BRIDGE_HOLDING)) ||
	    ((flags & BRIDGE_MIXING) && (flags & BRIDGE_HOLDING)))
		return EINVAL;
	if (bridge_find(id))
		return EEXIST;
	err = tables_alloc();
	if (!err)
		err = bridge_alloc(&b, id, flags, name, app);
	if (err)
		return err;
	if (engine && engine->create) {
		err = engine->create(b);
		if (err) {
			log_warning("Bridge %s: the media engine refused it: %s",
				    b->id, strerror(err));
			mem_deref(b);
			return err;
		}
		b->engine_made = true;
	}
	list_append(&bridges, &b->le, b);
	hash_append(by_id, hash_joaat_str(b->id), &b->le_id, b);
	log_verbose(3, "Bridge %s created (%s, %s)", b->id, bridge_type_str(b),
		    b->app ? b->app : "no owner");
	publish(BUS_BRIDGE_CREATED, b, NULL);
	*bp = b;
	return 0;
}

/* ---- members: join and leave ---- */

static int member_alloc(struct bridge_member **mp, struct bridge *b,
			struct channel *ch,
			const struct bridge_join_opts *opts)
{
	struct bridge_member *m = mem_zalloc(sizeof(*m), member_destructor);

	if (!m)
		return ENOMEM;
	if (opts) {
		m->opts = *opts;
		if (opts->role && *opts->role &&
		    str_dup(&m->role, opts->role)) {
			mem_deref(m);
			return ENOMEM;
		}
	}
	m->opts.role = m->role;
	m->ch = mem_ref(ch);
	m->b = b;
	*mp = m;
	return 0;
}

int bridge_add(struct bridge *b, struct channel *ch,
	       const struct bridge_join_opts *opts)
{
	struct bridge_member *m = member_of(ch);
	int err;

	if (!b || !ch || b->dying)
		return EINVAL;
	if (m)
		return m->b == b ? EALREADY : EBUSY;
	if (channel_is_hungup(ch))
		return ENOTCONN;
	err = member_alloc(&m, b, ch, opts);
	if (err)
		return err;
	list_append(&b->members, &m->le, m);
	hash_append(by_chan, chan_key(ch), &m->le_chan, m);
	if (engine && engine->join) {
		err = engine->join(b, ch);
		if (err) {
			log_warning("Bridge %s: %s cannot join: %s", b->id,
				    channel_name(ch), strerror(err));
			mem_deref(m);
			return err;
		}
	}
	log_verbose(3, "Channel %s joined '%s' stasis-bridge <%s>",
		    channel_name(ch), bridge_technology(b), b->id);
	publish(BUS_CHANNEL_ENTERED_BRIDGE, b, ch);
	bridge_reconfigure(b);
	return 0;
}

int bridge_remove(struct bridge *b, struct channel *ch)
{
	struct bridge_member *m = member_of(ch);

	if (!b || !m || m->b != b)
		return ENOENT;
	/* Out of the member list first: the engine and the event already see
	 * the bridge without it (its technology as it is now). */
	list_unlink(&m->le);
	hash_unlink(&m->le_chan);
	if (engine && engine->leave)
		engine->leave(b, ch);
	log_verbose(3, "Channel %s left '%s' stasis-bridge <%s>",
		    channel_name(ch), bridge_technology(b), b->id);
	publish(BUS_CHANNEL_LEFT_BRIDGE, b, ch);
	if (b->video_source && !strcmp(b->video_source, channel_id(ch)))
		b->video_source = mem_deref(b->video_source);
	mem_deref(m);
	bridge_reconfigure(b);
	return 0;
}

void bridge_destroy(struct bridge *b)
{
	if (!b || b->dying)
		return;
	b->dying = true;
	mem_ref(b);
	/* What plays to the bridge ends while the members still hear of it
	 * (Asterisk's Announcer channel is kicked with them). */
	publish(BUS_BRIDGE_DISSOLVING, b, NULL);
	while (b->members.head) {
		struct bridge_member *m = b->members.head->data;

		bridge_remove(b, m->ch);
	}
	if (b->engine_made && engine && engine->destroy)
		engine->destroy(b);
	b->engine_data = NULL;
	log_verbose(3, "Bridge %s destroyed", b->id);
	publish(BUS_BRIDGE_DESTROYED, b, NULL);
	list_unlink(&b->le);
	hash_unlink(&b->le_id);
	mem_deref(b);  /* the registry's */
	mem_deref(b);
}

static struct bridge *first_owned_by(const char *app)
{
	for (struct le *le = bridges.head; le; le = le->next) {
		struct bridge *b = le->data;

		if (!b->dying && b->app && !strcmp(b->app, app))
			return b;
	}
	return NULL;
}

/* One at a time from the start: a subscriber of one bridge's events may
 * destroy another. */
void bridge_destroy_owned_by(const char *app)
{
	struct bridge *b;

	while (app && (b = first_owned_by(app))) {
		log_verbose(3, "Bridge %s goes with its app '%s'", b->id, app);
		bridge_destroy(b);
	}
}

int bridge_claim(struct bridge *b, const char *app)
{
	if (!b || !app || !*app)
		return EINVAL;
	if (b->app)
		return 0;
	return str_dup(&b->app, app);
}

/* ---- start and stop ---- */

static void on_hangup(struct channel *ch)
{
	struct bridge *b = bridge_of_channel(ch);

	if (b)
		bridge_remove(b, ch);
}

static const struct channel_hooks hooks = {.hangup = on_hangup};

int bridge_init(void)
{
	int err = tables_alloc();

	if (err)
		return err;
	return channel_hooks_add(&hooks);
}

/* Shutdown, after every channel hung up: no events; the engine (still
 * registered) lets go of each bridge's audio. */
void bridge_close(void)
{
	struct le *le;

	while ((le = bridges.head)) {
		struct bridge *b = le->data;

		b->dying = true;
		list_unlink(&b->le);
		hash_unlink(&b->le_id);
		if (b->engine_made && engine && engine->destroy)
			engine->destroy(b);
		mem_deref(b);
	}
	by_id = mem_deref(by_id);
	by_chan = mem_deref(by_chan);
}
