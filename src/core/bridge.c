/* bridge.c — the bridge model: the registry of bridges, each one's type,
 * members in join order and their options, the owner app, what ARI shows
 * (technology, video mode), and the events of a bridge's life
 * (BridgeCreated, ChannelEnteredBridge, ChannelLeftBridge, BridgeDestroyed)
 * with the BRIDGEPEER variables Asterisk sets on its members.
 *
 * Not here: the audio (an engine src/media registers), which app sees which
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
#include "core/bridge.h"

#define BRIDGEPEER_MAX (10 + 1)  /* names listed, plus the member itself */
#define BRIDGE_HELPERS_MAX 4

struct member {
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
	char *video_source;        /* channel id in single mode, or NULL */
	const char *video_mode;
	unsigned helper_seq[BRIDGE_HELPERS_MAX]; /* playback/MOH helpers in
	                                          * the bridge, by number */
	unsigned nhelpers;
	void *engine_data;
	bool engine_made;          /* engine->create succeeded */
	bool dying;
};

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

/* Asterisk's smart bridge: a two-party technology while two channels (its
 * playback and MOH helpers count) or fewer are in, softmix above. */
const char *bridge_technology(const struct bridge *b)
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
	const struct member *m = le->data;

	return m->ch == arg;
}

static struct member *member_of(const struct channel *ch)
{
	struct le *le;

	if (!ch || !by_chan)
		return NULL;
	le = hash_lookup(by_chan, chan_key(ch), chan_cmp, (void *)ch);
	return le ? le->data : NULL;
}

struct bridge *bridge_of_channel(const struct channel *ch)
{
	struct member *m = member_of(ch);

	return m ? m->b : NULL;
}

const struct bridge_join_opts *bridge_member_opts(const struct bridge *b,
						  const struct channel *ch)
{
	struct member *m = member_of(ch);

	return m && m->b == b ? &m->opts : NULL;
}

void bridge_channel_foreach(const struct bridge *b,
			    void (*h)(struct channel *ch, void *arg),
			    void *arg)
{
	struct le *le = b->members.head;

	while (le) {
		struct member *m = le->data;

		le = le->next;
		h(m->ch, arg);
	}
}

static void member_destructor(void *arg)
{
	struct member *m = arg;

	list_unlink(&m->le);
	hash_unlink(&m->le_chan);
	mem_deref(m->role);
	mem_deref(m->ch);
}

/* ---- BRIDGEPEER (Asterisk's bridge_reconfigured) ---- */

/* Only a value is announced (ChannelVarset); clearing a variable that is
 * not set stays silent, as Asterisk's unset is. */
static void peer_var_set(struct channel *ch, const char *name,
			 const char *value)
{
	if (value && *value)
		channel_var_set(ch, name, value);
	else if (channel_var_get(ch, name))
		channel_var_set(ch, name, NULL);
}

static void peer_vars_set(struct channel *ch, const char *peer,
			  const char *pvtid)
{
	peer_var_set(ch, "BRIDGEPEER", peer);
	peer_var_set(ch, "BRIDGEPVTCALLID", pvtid);
}

/* The names in the bridge as Asterisk lists its channels: members in join
 * order, then the helpers' Announcer channels (they join after them). */
static size_t peer_names(const struct bridge *b, const char **names,
			 char *annbuf, size_t annsize)
{
	size_t n = 0;

	for (struct le *le = b->members.head; le; le = le->next) {
		const struct member *m = le->data;

		if (n < BRIDGEPEER_MAX)
			names[n] = channel_name(m->ch);
		n++;
	}
	for (unsigned i = 0; i < b->nhelpers && annsize > 40; i++) {
		int len = snprintf(annbuf, annsize, "Announcer/ARI-%08x;2",
				   b->helper_seq[i]);

		if (n < BRIDGEPEER_MAX)
			names[n] = annbuf;
		n++;
		annbuf += len + 1;
		annsize -= (size_t)len + 1;
	}
	return n;
}

/* A comma list of the first names but `skip`; members past the first
 * BRIDGEPEER_MAX keep the list made for the one before (Asterisk's). */
static void peer_list(char *buf, size_t size, const char **names, size_t n,
		      size_t skip)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && len < size; i++) {
		if (i == skip)
			continue;
		len += (size_t)snprintf(buf + len, size - len, "%s%s",
					len ? "," : "", names[i]);
	}
}

static void peers_multiparty(const struct bridge *b, const char **names,
			     size_t total)
{
	size_t n = total < BRIDGEPEER_MAX ? total : BRIDGEPEER_MAX;
	char buf[BRIDGEPEER_MAX * 128];
	size_t idx = 0;
	struct le *le = b->members.head;

	buf[0] = '\0';
	while (le) {
		struct member *m = le->data;

		le = le->next;
		if (idx < n)
			peer_list(buf, sizeof(buf), names, n, idx);
		idx++;
		peer_vars_set(m->ch, buf, NULL);
	}
}

static void peers_update(struct bridge *b)
{
	const char *names[BRIDGEPEER_MAX];
	char ann[BRIDGE_HELPERS_MAX * 40];
	size_t total;
	struct member *m0, *m1;

	if (b->dying)
		return;
	if (b->flags & BRIDGE_HOLDING) {
		for (struct le *le = b->members.head; le; le = le->next)
			peer_vars_set(((struct member *)le->data)->ch, NULL,
				      NULL);
		return;
	}
	total = peer_names(b, names, ann, sizeof(ann));
	if (total < 2)
		return;
	if (total > 2) {
		peers_multiparty(b, names, total);
		return;
	}
	m0 = b->members.head->data;
	if (b->members.head->next) {
		m1 = b->members.head->next->data;
		peer_vars_set(m0->ch, channel_name(m1->ch),
			      channel_protocol_id(m1->ch));
		peer_vars_set(m1->ch, channel_name(m0->ch),
			      channel_protocol_id(m0->ch));
	}
	else {
		/* One member and the announcer (which has no call id). */
		peer_vars_set(m0->ch, names[1], NULL);
	}
}

/* ---- events ---- */

static void publish(enum bus_type type, struct bridge *b, struct channel *ch)
{
	struct bus_event ev = {.type = type, .bridge = b, .chan = ch};

	bus_publish(&ev);
}

/* ---- the registry ---- */

static void var_destructor(void *arg)
{
	struct bridge_var *v = arg;

	list_unlink(&v->le);
	mem_deref(v->name);
	mem_deref(v->value);
}

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

static int member_alloc(struct member **mp, struct bridge *b,
			struct channel *ch,
			const struct bridge_join_opts *opts)
{
	struct member *m = mem_zalloc(sizeof(*m), member_destructor);

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
	struct member *m = member_of(ch);
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
	peers_update(b);
	return 0;
}

int bridge_remove(struct bridge *b, struct channel *ch)
{
	struct member *m = member_of(ch);

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
	peers_update(b);
	return 0;
}

void bridge_destroy(struct bridge *b)
{
	if (!b || b->dying)
		return;
	b->dying = true;
	mem_ref(b);
	while (b->members.head) {
		struct member *m = b->members.head->data;

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

/* ---- helpers, video, variables ---- */

static unsigned helper_counter;

/* Asterisk plays to a bridge (and plays its music) through an Announcer
 * channel it puts in the bridge: it counts for the technology and for the
 * members' BRIDGEPEER, though ARI never lists it. */
int bridge_helper_join(struct bridge *b, unsigned *idp)
{
	if (!b || !idp)
		return EINVAL;
	if (b->dying || b->nhelpers == BRIDGE_HELPERS_MAX)
		return EBUSY;
	*idp = ++helper_counter;
	b->helper_seq[b->nhelpers++] = *idp;
	peers_update(b);
	return 0;
}

void bridge_helper_leave(struct bridge *b, unsigned id)
{
	for (unsigned i = 0; b && i < b->nhelpers; i++) {
		if (b->helper_seq[i] != id)
			continue;
		memmove(&b->helper_seq[i], &b->helper_seq[i + 1],
			(b->nhelpers - i - 1) * sizeof(b->helper_seq[0]));
		b->nhelpers--;
		peers_update(b);
		return;
	}
}

static void publish_video(struct bridge *b, const char *old)
{
	struct bus_event ev = {.type = BUS_BRIDGE_VIDEO_SOURCE_CHANGED,
			       .bridge = b, .value = old};

	bus_publish(&ev);
}

int bridge_set_video_source(struct bridge *b, const struct channel *ch)
{
	char *old;

	if (!b || !ch)
		return EINVAL;
	if (bridge_of_channel(ch) != b)
		return ENOENT;
	old = b->video_source;
	b->video_mode = "single";
	b->video_source = NULL;
	if (str_dup(&b->video_source, channel_id(ch))) {
		b->video_source = old;
		return ENOMEM;
	}
	if (!old || strcmp(old, b->video_source))
		publish_video(b, old);
	mem_deref(old);
	return 0;
}

void bridge_clear_video_source(struct bridge *b)
{
	char *old = b->video_source;

	b->video_mode = "talker";
	b->video_source = NULL;
	if (old)
		publish_video(b, old);
	mem_deref(old);
}

static struct bridge_var *var_find(const struct bridge *b, const char *name)
{
	for (struct le *le = b->vars.head; le; le = le->next) {
		struct bridge_var *v = le->data;

		if (!strcmp(v->name, name))
			return v;
	}
	return NULL;
}

const char *bridge_var_get(const struct bridge *b, const char *name)
{
	struct bridge_var *v = b && name ? var_find(b, name) : NULL;

	return v ? v->value : NULL;
}

int bridge_var_set(struct bridge *b, const char *name, const char *value,
		   bool report)
{
	struct bridge_var *v;
	char *nv = NULL;

	if (!b || !name || !*name)
		return EINVAL;
	v = var_find(b, name);
	if (!value) {
		mem_deref(v);
		return 0;
	}
	if (str_dup(&nv, value))
		return ENOMEM;
	if (!v) {
		v = mem_zalloc(sizeof(*v), var_destructor);
		if (!v || str_dup(&v->name, name)) {
			mem_deref(v);
			mem_deref(nv);
			return ENOMEM;
		}
		list_append(&b->vars, &v->le, v);
	}
	mem_deref(v->value);
	v->value = nv;
	v->report = report;
	return 0;
}

void bridge_var_foreach(const struct bridge *b, bool reported_only,
			void (*h)(const char *name, const char *value,
				  void *arg),
			void *arg)
{
	for (struct le *le = b->vars.head; le; le = le->next) {
		const struct bridge_var *v = le->data;

		if (!reported_only || v->report)
			h(v->name, v->value, arg);
	}
}

/* ---- music on hold ---- */

int bridge_moh_start(struct bridge *b, const char *mclass)
{
	char *c = NULL;
	int err;

	if (!engine || !engine->moh_start)
		return ENOSYS;
	if (mclass && *mclass && str_dup(&c, mclass))
		return ENOMEM;
	err = engine->moh_start(b, c);
	if (err) {
		mem_deref(c);
		return err;
	}
	mem_deref(b->moh_class);
	b->moh_class = c;
	return 0;
}

int bridge_moh_stop(struct bridge *b)
{
	if (!engine || !engine->moh_stop)
		return ENOSYS;
	engine->moh_stop(b);
	b->moh_class = mem_deref(b->moh_class);
	return 0;
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
