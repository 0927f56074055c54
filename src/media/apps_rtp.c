/* apps_rtp.c — dialplan applications that work on a channel's RTP media:
 * Echo (what the caller says comes back, until hangup or '#', as Asterisk's
 * app_echo) and SendDTMF(digits[,timeout_ms[,duration_ms]]). Playback,
 * Progress and Ringing are in apps_play.c. */
#include <errno.h>
#include <stdint.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <re_types.h>
#include <re_fmt.h>
#include <re_mem.h>
#include <re_list.h>
#include <re_tmr.h>
#include "core/bus.h"
#include "core/channel.h"
#include "pbx/dialplan.h"
#include "base/log.h"
#include "pbx/pbx.h"
#include "media/media_chan.h"

/* ---- Echo ---- */

struct echo {
	struct le le;            /* in `echoes`, for the DTMF subscriber */
	struct media_gen gen;
	struct media_chan *mc;   /* weak: the gen is removed before it goes */
	struct channel *ch;      /* weak, same reason */
};

static struct list echoes;
static bool bus_subscribed;

static bool echo_read(struct media_gen *g, int16_t *pcm, size_t n)
{
	struct echo *e = g->arg;

	/* As Asterisk's Echo, which writes what it reads: nothing heard,
	 * nothing sent. */
	g->quiet = !media_chan_rx(e->mc, pcm, n);
	if (g->quiet)
		memset(pcm, 0, n * sizeof(*pcm));
	return true; /* Echo never finishes by itself */
}

static void echo_done(struct media_gen *g, bool hangup)
{
	struct echo *e = g->arg;
	struct channel *ch = e->ch;

	list_unlink(&e->le);
	mem_deref(e);
	/* Removed for another reason than hangup ('#'): the dialplan goes on. */
	if (!hangup && ch)
		pbx_resume(ch, PBX_NEXT);
}

static struct echo *echo_find(const struct channel *ch)
{
	for (struct le *le = echoes.head; le; le = le->next) {
		struct echo *e = le->data;

		if (e->ch == ch)
			return e;
	}
	return NULL;
}

/* Echo also plays the caller's digits back; '#' leaves Echo. */
static void on_bus(const struct bus_event *ev, void *arg)
{
	struct echo *e;

	(void)arg;
	if (ev->type != BUS_CHANNEL_DTMF || !echoes.head)
		return;
	e = echo_find(ev->chan);
	if (!e)
		return;
	if (ev->digit == '#') {
		media_chan_gen_remove(e->mc, &e->gen);
		return;
	}
	(void)channel_send_digit(ev->chan, ev->digit, (int)ev->duration_ms);
}

static enum pbx_result app_echo(struct channel *ch, const char *data)
{
	struct media_chan *mc;
	struct echo *e;

	(void)data;
	if (channel_is_hungup(ch))
		return PBX_NEXT;
	mc = media_chan_get(ch, true);
	if (!mc)
		return PBX_HANGUP;
	if (echo_find(ch))
		return PBX_SUSPEND;
	e = mem_zalloc(sizeof(*e), NULL);
	if (!e)
		return PBX_HANGUP;
	e->mc = mc;
	e->ch = ch;
	e->gen.read = echo_read;
	e->gen.done = echo_done;
	e->gen.arg = e;
	list_append(&echoes, &e->le, e);
	media_chan_gen_push(mc, &e->gen);
	/* Runs until hangup (the h extension then runs) or '#'. */
	return PBX_SUSPEND;
}

/* ---- SendDTMF ---- */

/* A pause character: Asterisk's 'w' is half a second, 'W' a second; ARI
 * documents ',' as a half-second pause as well. */
static int pause_ms(char c)
{
	if (c == 'w' || c == ',')
		return 500;
	if (c == 'W')
		return 1000;
	return 0;
}

struct senddtmf {
	struct le le;         /* in `senders`, so shutdown can stop them */
	struct tmr tmr;
	struct channel *ch;   /* referenced */
	char *digits;
	size_t pos;
	int between, duration;
};

static void senddtmf_destructor(void *arg)
{
	struct senddtmf *s = arg;

	list_unlink(&s->le);
	tmr_cancel(&s->tmr);
	mem_deref(s->ch);
	mem_deref(s->digits);
}

static struct list senders;

static void senddtmf_step(void *arg)
{
	struct senddtmf *s = arg;
	int delay = -1;

	if (channel_is_hungup(s->ch)) {
		mem_deref(s);
		return;
	}
	while (delay < 0 && s->digits[s->pos]) {
		char c = s->digits[s->pos++];

		if (pause_ms(c))
			delay = pause_ms(c);
		else if (strchr("0123456789*#abcdABCD", c)) {
			int err = channel_send_digit(s->ch, c, s->duration);

			if (err && err != ENOSYS)
				log_warning("%s: could not send DTMF '%c': %s",
					    channel_name(s->ch), c,
					    strerror(err));
			delay = s->duration + s->between;
		}
		else
			log_warning("Illegal DTMF character '%c' in string. "
				    "(0-9*#aAbBcCdD allowed)", c);
	}
	if (delay < 0) {
		struct channel *ch = s->ch;

		mem_ref(ch);
		mem_deref(s);
		pbx_resume(ch, PBX_NEXT);
		mem_deref(ch);
		return;
	}
	tmr_start(&s->tmr, (uint64_t)delay, senddtmf_step, s);
}

static enum pbx_result app_senddtmf(struct channel *ch, const char *data)
{
	char buf[256], *argv[3] = {NULL, NULL, NULL}, *digits, *a, *b;
	struct senddtmf *s;

	/* Dialplan argument rules keep empty items: SendDTMF(5,,400) is a
	 * 400 ms digit with the default gap. */
	snprintf(buf, sizeof(buf), "%s", data ? data : "");
	dialplan_args_split(buf, argv, 3);
	digits = argv[0];
	a = argv[1];
	b = argv[2];
	if (!digits || !*digits) {
		log_warning("SendDTMF requires an argument (digits or *#aAbBcCdD)");
		return PBX_NEXT;
	}
	if (channel_is_hungup(ch))
		return PBX_NEXT;
	s = mem_zalloc(sizeof(*s), senddtmf_destructor);
	if (!s || str_dup(&s->digits, digits)) {
		mem_deref(s);
		return PBX_HANGUP;
	}
	/* Asterisk's defaults: 250 ms between digits, 100 ms each. */
	s->between = a && atoi(a) > 0 ? atoi(a) : 250;
	s->duration = b && atoi(b) > 0 ? atoi(b) : 100;
	s->ch = mem_ref(ch);
	list_append(&senders, &s->le, s);
	tmr_init(&s->tmr);
	tmr_start(&s->tmr, 0, senddtmf_step, s);
	return PBX_SUSPEND;
}

int media_apps_rtp_init(void)
{
	int err;

	if (!bus_subscribed) {
		err = bus_subscribe(on_bus, NULL);
		if (err)
			return err;
		bus_subscribed = true;
	}
	err = pbx_app_register("Echo", app_echo);
	if (!err)
		err = pbx_app_register("SendDTMF", app_senddtmf);
	return err;
}

void media_apps_rtp_close(void)
{
	list_flush(&senders);
	if (bus_subscribed)
		bus_unsubscribe(on_bus, NULL);
	bus_subscribed = false;
}
