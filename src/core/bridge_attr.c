/* bridge_attr.c — what a bridge has besides its members: helpers (the
 * Announcer channels through which Asterisk plays to a bridge), the video
 * source (audio only: the fields ARI shows), bridge variables, and music on
 * hold through the engine.
 *
 * Not here: the registry and members (bridge.c). */
#include <errno.h>
#include <stdint.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stddef.h>
#include <string.h>
#include <re_types.h>
#include <re_fmt.h>
#include <re_mem.h>
#include <re_list.h>
#include "core/bus.h"
#include "core/channel.h"
#include "core/bridge_int.h"

static unsigned helper_counter;

/* Asterisk plays to a bridge (and plays its music) through an Announcer
 * channel it puts in the bridge: it counts for the technology and for the
 * members' BRIDGEPEER, though ARI never lists it. */
int bridge_helper_join(struct bridge *b, enum bridge_helper_kind kind,
		       unsigned *idp)
{
	if (!b || !idp)
		return EINVAL;
	if (b->dying || b->nhelpers == BRIDGE_HELPERS_MAX)
		return EBUSY;
	*idp = ++helper_counter;
	b->helper_kind[b->nhelpers] = kind;
	b->helper_seq[b->nhelpers++] = *idp;
	bridge_reconfigure(b);
	return 0;
}

void bridge_helper_leave(struct bridge *b, unsigned id)
{
	for (unsigned i = 0; b && i < b->nhelpers; i++) {
		if (b->helper_seq[i] != id)
			continue;
		memmove(&b->helper_seq[i], &b->helper_seq[i + 1],
			(b->nhelpers - i - 1) * sizeof(b->helper_seq[0]));
		memmove(&b->helper_kind[i], &b->helper_kind[i + 1],
			(b->nhelpers - i - 1) * sizeof(b->helper_kind[0]));
		b->nhelpers--;
		bridge_reconfigure(b);
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

static void var_destructor(void *arg)
{
	struct bridge_var *v = arg;

	list_unlink(&v->le);
	mem_deref(v->name);
	mem_deref(v->value);
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
	const struct bridge_engine *engine = bridge_engine_get();
	char *c = NULL;
	int err;

	if (!engine || !engine->moh_start)
		return ENOSYS;
	/* Kept as "" for the default class: NULL means no music. */
	if (str_dup(&c, mclass ? mclass : ""))
		return ENOMEM;
	err = engine->moh_start(b, *c ? c : NULL);
	if (err) {
		mem_deref(c);
		return err;
	}
	/* Asterisk plays it through one Announcer channel in the bridge,
	 * kept when the class changes. */
	if (!b->moh_class &&
	    bridge_helper_join(b, BRIDGE_ANNOUNCER, &b->moh_helper))
		b->moh_helper = 0;
	mem_deref(b->moh_class);
	b->moh_class = c;
	return 0;
}

int bridge_moh_stop(struct bridge *b)
{
	const struct bridge_engine *engine = bridge_engine_get();
	if (!engine || !engine->moh_stop)
		return ENOSYS;
	engine->moh_stop(b);
	b->moh_class = mem_deref(b->moh_class);
	if (b->moh_helper)
		bridge_helper_leave(b, b->moh_helper);
	b->moh_helper = 0;
	return 0;
}
