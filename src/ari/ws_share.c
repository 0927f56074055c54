/* ws_share.c — one app, several event sockets that share its calls
 * (/ari/events?app=x&share=true, an ariadne extension). Asterisk lets one
 * socket hold an app and a new one replaces it; to run several instances
 * of an app, a group holds the app in Stasis instead and hands each
 * channel to one socket: the first event of a channel (its StasisStart,
 * usually) gives it to the socket with the fewest channels, and every
 * later event of that channel goes there too. Events about no channel
 * (bridges created, user events to the app, endpoints...) go to every
 * socket. When a socket leaves, its channels go to the others; the last
 * one to leave hands the app back to ws_events.c (reconnect grace or
 * deactivation, as for a single socket).
 *
 * Why least-loaded rather than strict round robin: a socket that joined
 * late, or whose calls last longer, gets the next calls until the load
 * evens out. Ties go round the sockets in order. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <re_types.h>
#include <re_fmt.h>
#include <re_mem.h>
#include <re_list.h>
#include <re_hash.h>
#include "ari/ws_share.h"
#include "core/bus.h"
#include "core/channel.h"
#include "base/log.h"

struct member {
	struct le le;
	void *sock;
	size_t nchans;
};

/* A channel given to a member. */
struct given {
	struct le he;
	char *chan_id;
	struct member *m;
};

struct ws_share {
	struct le le;
	char *app;
	struct list members;
	struct hash *given;
	struct le *last;      /* the member chosen last (ties go on after it) */
};

static struct list groups = LIST_INIT;
static const struct ws_share_ops *ops;

void ws_share_init(const struct ws_share_ops *o)
{
	ops = o;
}

static void given_destructor(void *arg)
{
	struct given *gv = arg;

	hash_unlink(&gv->he);
	if (gv->m)
		gv->m->nchans--;
	mem_deref(gv->chan_id);
}

static void member_destructor(void *arg)
{
	struct member *m = arg;

	list_unlink(&m->le);
}

static void group_destructor(void *arg)
{
	struct ws_share *g = arg;

	list_unlink(&g->le);
	hash_flush(g->given);
	mem_deref(g->given);
	list_flush(&g->members);
	mem_deref(g->app);
}

struct ws_share *ws_share_find(const char *app)
{
	for (struct le *le = groups.head; le; le = le->next) {
		struct ws_share *g = le->data;

		if (!strcmp(g->app, app))
			return g;
	}
	return NULL;
}

struct ws_share *ws_share_new(const char *app)
{
	struct ws_share *g = mem_zalloc(sizeof(*g), group_destructor);

	if (!g || str_dup(&g->app, app) || hash_alloc(&g->given, 256))
		return mem_deref(g);
	list_append(&groups, &g->le, g);
	return g;
}

void ws_share_free(struct ws_share *g)
{
	mem_deref(g);
}

static struct member *member_of(const struct ws_share *g, const void *sock)
{
	for (struct le *le = g->members.head; le; le = le->next) {
		struct member *m = le->data;

		if (m->sock == sock)
			return m;
	}
	return NULL;
}

int ws_share_add(struct ws_share *g, void *sock)
{
	struct member *m;

	if (member_of(g, sock))
		return 0;
	m = mem_zalloc(sizeof(*m), member_destructor);
	if (!m)
		return ENOMEM;
	m->sock = sock;
	list_append(&g->members, &m->le, m);
	log_verbose(2, "Stasis app '%s': %u sockets share it",
		    g->app, list_count(&g->members));
	return 0;
}

size_t ws_share_load(const struct ws_share *g, const void *sock)
{
	const struct member *m = g ? member_of(g, sock) : NULL;

	return m ? m->nchans : 0;
}

/* The member with the fewest channels, looking from the one after the last
 * chosen so that ties take turns. */
static struct member *least_loaded(struct ws_share *g, const struct member *not)
{
	struct le *start = g->last && g->last->list ? g->last->next : NULL;
	struct member *best = NULL;
	struct le *le = start ? start : g->members.head;

	for (uint32_t i = 0, n = list_count(&g->members); i < n; i++) {
		struct member *m;

		if (!le)
			le = g->members.head;
		m = le->data;
		if (m != not && (!best || m->nchans < best->nchans))
			best = m;
		le = le->next;
	}
	if (best)
		g->last = &best->le;
	return best;
}

static bool given_is(struct le *le, void *arg)
{
	const struct given *gv = le->data;

	return !strcmp(gv->chan_id, arg);
}

static struct given *given_find(const struct ws_share *g, const char *id)
{
	struct le *le = hash_lookup(g->given, hash_joaat_str(id), given_is,
				    (void *)id);

	return le ? le->data : NULL;
}

static struct given *give(struct ws_share *g, const char *id)
{
	struct member *m = least_loaded(g, NULL);
	struct given *gv;

	if (!m)
		return NULL;
	gv = mem_zalloc(sizeof(*gv), given_destructor);
	if (!gv || str_dup(&gv->chan_id, id))
		return mem_deref(gv);
	gv->m = m;
	m->nchans++;
	hash_append(g->given, hash_joaat_str(id), &gv->he, gv);
	return gv;
}

/* An app that lost to a socket without share=true: every member is told,
 * and the group ends (the sockets stay open, as in Asterisk). */
static void group_replaced(struct ws_share *g, const struct bus_event *ev)
{
	for (struct le *le = g->members.head; le; le = le->next) {
		struct member *m = le->data;

		ops->replaced(m->sock, g->app, ev);
	}
	log_verbose(2, "Stasis app '%s': the sharing sockets were replaced",
		    g->app);
	mem_deref(g);
}

static void send_all(struct ws_share *g, const char *text)
{
	for (struct le *le = g->members.head; le; le = le->next) {
		struct member *m = le->data;

		ops->send(m->sock, text);
	}
}

void ws_share_deliver(const char *app, const struct bus_event *ev,
		      void *owner)
{
	struct ws_share *g = owner;
	const char *chan_id = ev->chan ? channel_id(ev->chan) : NULL;
	struct given *gv = NULL;
	char *text;

	if (ev->type == BUS_APP_REPLACED) {
		group_replaced(g, ev);
		return;
	}
	text = ops->text(app, ev);
	if (!text)
		return;
	if (chan_id) {
		gv = given_find(g, chan_id);
		if (!gv)
			gv = give(g, chan_id);
	}
	if (gv)
		ops->send(gv->m->sock, text);
	else
		send_all(g, text);
	/* The channel is gone: nothing more of it will come. */
	if (gv && ev->type == BUS_CHANNEL_DESTROYED)
		mem_deref(gv);
	free(text);  /* ari_json_text() output: free() */
}

struct handover {
	struct ws_share *g;
	struct member *from;
};

/* Each channel of the leaving member to whichever other member is least
 * loaded at that moment: one walk over the channels, however many there
 * are, and the spread stays even. */
static bool hand_over_one(struct le *le, void *arg)
{
	struct given *gv = le->data;
	struct handover *h = arg;
	struct member *to;

	if (gv->m != h->from)
		return false;
	to = least_loaded(h->g, h->from);
	if (!to)
		return true;
	h->from->nchans--;
	gv->m = to;
	to->nchans++;
	return !h->from->nchans;
}

size_t ws_share_remove(struct ws_share *g, void *sock)
{
	struct member *m = member_of(g, sock);
	struct handover h = {g, m};
	size_t left;

	if (!m)
		return list_count(&g->members);
	/* With nobody left, the channels wait with the app (grace)
	 * unassigned. */
	if (m->nchans && !least_loaded(g, m))
		hash_flush(g->given);
	else if (m->nchans)
		(void)hash_apply(g->given, hand_over_one, &h);
	if (g->last == &m->le)
		g->last = NULL;
	mem_deref(m);
	left = list_count(&g->members);
	log_verbose(2, "Stasis app '%s': a sharing socket left, %zu remain",
		    g->app, left);
	return left;
}

void ws_share_close_all(void)
{
	list_flush(&groups);
}
