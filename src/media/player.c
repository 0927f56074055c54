/* player.c — the "player" generator: plays a sequence of media URIs on a
 * channel's media tick (or a bridge's announcer), asking its owner for each one (the ARI playback
 * through playback_engine.c, or the Playback dialplan application). */
#include <errno.h>
#include <stdint.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <re_types.h>
#include <re_mem.h>
#include "media/media_chan.h"
#include "media/playback_int.h"

struct media_player {
	struct media_gen gen;
	struct media_chan *mc;
	const struct media_player_ops *ops;
	void *arg;
	struct media_src *src;           /* current item, NULL between items */
	char lang[32];
	long offsetms;              /* for the first item only */
	bool over;                  /* last item ended: remove next tick */
};

static void player_destructor(void *arg)
{
	struct media_player *p = arg;

	mem_deref(p->src);
}

/* The next item's source; false when nothing is left to play. */
static bool open_next(struct media_player *p)
{
	for (;;) {
		const char *uri = p->ops->uri(p->arg);
		int err;

		if (!uri)
			return false;
		err = media_src_open(&p->src, uri, p->lang);
		if (!err && p->offsetms)
			media_src_seek(p->src, p->offsetms);
		p->offsetms = 0;
		/* Asterisk announces even an item that fails to open. */
		p->ops->started(p->arg);
		if (!err)
			return true;
		if (!p->ops->ended(p->arg, err))
			return false;
	}
}

static bool player_read(struct media_gen *g, int16_t *pcm, size_t n)
{
	struct media_player *p = g->arg;
	size_t got = 0;

	if (p->over)
		return false;
	if (g->paused) {
		memset(pcm, 0, n * sizeof(*pcm));
		return true;
	}
	while (got < n) {
		if (!p->src && !open_next(p)) {
			p->over = true;
			break;
		}
		got += media_src_read(p->src, pcm + got, n - got);
		if (got < n) {
			p->src = mem_deref(p->src);
			if (!p->ops->ended(p->arg, 0)) {
				p->over = true;
				break;
			}
		}
	}
	/* The partial last frame is sent padded; the player leaves on the
	 * next tick. */
	if (got < n)
		memset(pcm + got, 0, (n - got) * sizeof(*pcm));
	return got > 0 || !p->over;
}

static void player_done(struct media_gen *g, bool hangup)
{
	struct media_player *p = g->arg;

	p->ops->gone(p->arg, hangup);
	mem_deref(p);
}

int media_player_start_on(struct media_player **pp, struct media_chan *mc,
			  const struct media_player_ops *ops, void *arg,
			  const char *lang, long offsetms)
{
	struct media_player *p;

	/* A dead media_chan would call done() inside push, before our
	 * caller has recorded the player. */
	if (!mc || !media_chan_alive(mc))
		return ENOSYS;
	p = mem_zalloc(sizeof(*p), player_destructor);
	if (!p)
		return ENOMEM;
	p->mc = mc;
	p->ops = ops;
	p->arg = arg;
	p->offsetms = offsetms;
	snprintf(p->lang, sizeof(p->lang), "%s", lang ? lang : "");
	p->gen.read = player_read;
	p->gen.done = player_done;
	p->gen.arg = p;
	media_chan_gen_push(mc, &p->gen);
	if (pp)
		*pp = p;
	return 0;
}

int media_player_start(struct media_player **pp, struct channel *ch,
		       const struct media_player_ops *ops, void *arg,
		       const char *lang, long offsetms)
{
	return media_player_start_on(pp, media_chan_get(ch, true), ops, arg,
				     lang, offsetms);
}

void media_player_stop(struct media_player *p)
{
	if (p)
		media_chan_gen_remove(p->mc, &p->gen);
}

void media_player_pause(struct media_player *p, bool on)
{
	p->gen.paused = on;
}

void media_player_restart(struct media_player *p)
{
	/* The owner has gone back to its first item; open it anew. */
	p->src = mem_deref(p->src);
	p->over = false;
}

void media_player_seek(struct media_player *p, long ms)
{
	if (p->src)
		media_src_seek(p->src, ms);
}
