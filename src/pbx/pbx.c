/* pbx.c — the dialplan runner: for one channel, find the step at its
 * location, substitute variables, run the application, advance. Like
 * Asterisk's PBX thread but on the event loop: an application that has to
 * wait (Wait, Stasis) suspends the runner and resumes it later. The h
 * extension runs when a channel hangs up while its dialplan is running. */
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
#include <re_tmr.h>
#include "core/channel.h"
#include "pbx/dialplan.h"
#include "base/log.h"
#include "pbx/pbx.h"

#define PBX_DATA_MAX 4096
#define PBX_STEPS_PER_TURN 64   /* yield to the loop after this many steps */
#define PBX_H_STEPS_MAX 256

struct pbx_app {
	struct le le;
	char *name;
	pbx_app_h *exec;
};

struct pbx {
	struct channel *ch;     /* weak: the pbx is freed by the channel's hangup */
	struct tmr tmr;
	enum pbx_result pending;
	bool suspended;
	bool in_h;
	bool running;           /* inside run(): resume must not recurse */
	pbx_end_h *end;         /* inside an application (pbx_start_inside):
	                         * called once when the dialplan ends */
	bool inside;
};

static struct list apps;

static void pbx_destructor(void *arg)
{
	struct pbx *pbx = arg;

	tmr_cancel(&pbx->tmr);
}

static void app_destructor(void *arg)
{
	struct pbx_app *a = arg;

	list_unlink(&a->le);
	mem_deref(a->name);
}

int pbx_app_register(const char *name, pbx_app_h *exec)
{
	struct pbx_app *a = mem_zalloc(sizeof(*a), app_destructor);

	if (!a || str_dup(&a->name, name)) {
		mem_deref(a);
		return ENOMEM;
	}
	a->exec = exec;
	list_append(&apps, &a->le, a);
	return 0;
}

static struct pbx_app *app_find(const char *name)
{
	for (struct le *le = apps.head; le; le = le->next) {
		struct pbx_app *a = le->data;

		if (!strcasecmp(a->name, name))
			return a;
	}
	return NULL;
}

bool pbx_app_exists(const char *name)
{
	return app_find(name) != NULL;
}

void pbx_apps_close(void)
{
	list_flush(&apps);
}

static const char *lookup_var(const char *name, void *arg)
{
	return channel_var_get(arg, name);
}

int pbx_substitute(struct channel *ch, char *out, size_t outsz,
		   const char *in)
{
	return dialplan_substitute(out, outsz, in, lookup_var, ch);
}

/* Run one step. Returns what the application said, or PBX_HANGUP when there
 * is nothing to run at the current location. */
static enum pbx_result run_step(struct pbx *pbx)
{
	struct channel *ch = pbx->ch;
	const struct dialplan_step *step;
	struct pbx_app *app;
	char data[PBX_DATA_MAX];

	step = dialplan_find(channel_context(ch), channel_exten(ch),
			     channel_priority(ch));
	if (!step) {
		if (!pbx->in_h)
			log_verbose(2, "Auto fallthrough, channel '%s' status is "
				    "'UNKNOWN'", channel_name(ch));
		return PBX_HANGUP;
	}
	pbx_substitute(ch, data, sizeof(data), step->data);
	channel_set_dialplan(ch, channel_context(ch), channel_exten(ch),
			     channel_priority(ch), step->app, data);
	log_verbose(3, "Executing [%s@%s:%d] %s(\"%s\", \"%s\") in new stack",
		    channel_exten(ch), channel_context(ch),
		    channel_priority(ch), step->app, channel_name(ch), data);

	app = app_find(step->app);
	if (!app) {
		log_warning("No application '%s' for extension (%s, %s, %d)",
			    step->app, channel_context(ch), channel_exten(ch),
			    channel_priority(ch));
		return PBX_HANGUP;
	}
	return app->exec(ch, data);
}

static void run(struct pbx *pbx);

static void run_tmr(void *arg)
{
	run(arg);
}

/* A dialplan run inside an application ends: its owner goes on first
 * (Stasis() sets STASISSTATUS), once. */
static void inside_ended(struct pbx *pbx)
{
	pbx_end_h *end = pbx->end;

	pbx->end = NULL;
	if (end)
		end(pbx->ch);
}

/* Apply a step's result. Returns false when the runner must stop. */
static bool advance(struct pbx *pbx, enum pbx_result res)
{
	struct channel *ch = pbx->ch;

	switch (res) {
	case PBX_NEXT:
		channel_set_location(ch, NULL, NULL, channel_priority(ch) + 1);
		return true;
	case PBX_GOTO:
		return true;
	case PBX_SUSPEND:
		pbx->suspended = true;
		return false;
	case PBX_HANGUP:
		break;
	}
	/* The end of the dialplan is no hangup request in Asterisk: the
	 * hangup hook below announces the soft one of a dialplan ending. */
	if (!channel_is_hungup(ch)) {
		inside_ended(pbx);
		channel_hangup_quiet(ch, CAUSE_NORMAL_CLEARING, "dialplan");
	}
	return false;
}

static void run(struct pbx *pbx)
{
	struct channel *ch = pbx->ch;
	int n;

	/* The application may hang the channel up, which frees the runner
	 * (on_hangup): hold both until this turn is over. */
	pbx->running = true;
	mem_ref(ch);
	mem_ref(pbx);
	for (n = 0; n < PBX_STEPS_PER_TURN; n++) {
		if (channel_is_hungup(ch) || channel_pbx(ch) != pbx)
			goto out;
		if (!advance(pbx, run_step(pbx)))
			goto out;
	}
	/* A long (or looping) dialplan must not starve everything else. */
	tmr_start(&pbx->tmr, 0, run_tmr, pbx);
 out:
	pbx->running = false;
	mem_deref(pbx);
	mem_deref(ch);
}

static int start(struct channel *ch, const char *context, const char *exten,
		 int priority, pbx_end_h *end, bool inside)
{
	struct pbx *pbx;

	if (channel_pbx(ch))
		return EBUSY;
	if (channel_is_hungup(ch))
		return EINVAL;
	pbx = mem_zalloc(sizeof(*pbx), pbx_destructor);
	if (!pbx)
		return ENOMEM;
	pbx->ch = ch;
	pbx->end = end;
	pbx->inside = inside;
	channel_set_pbx(ch, pbx);
	channel_set_location(ch, context, exten, priority);
	tmr_start(&pbx->tmr, 0, run_tmr, pbx);
	return 0;
}

int pbx_start(struct channel *ch, const char *context, const char *exten,
	      int priority)
{
	return start(ch, context, exten, priority, NULL, false);
}

int pbx_start_inside(struct channel *ch, const char *context,
		     const char *exten, int priority, pbx_end_h *end)
{
	return start(ch, context, exten, priority, end, true);
}

static void resume_tmr(void *arg)
{
	struct pbx *pbx = mem_ref(arg);

	if (advance(pbx, pbx->pending))
		run(pbx);
	mem_deref(pbx);
}

void pbx_resume(struct channel *ch, enum pbx_result res)
{
	struct pbx *pbx = channel_pbx(ch);

	if (!pbx || !pbx->suspended)
		return;
	pbx->suspended = false;
	pbx->pending = res;
	tmr_start(&pbx->tmr, 0, resume_tmr, pbx);
}

static void sleep_done(void *arg)
{
	struct pbx *pbx = arg;

	pbx->suspended = false;
	pbx->pending = PBX_NEXT;
	resume_tmr(pbx);
}

enum pbx_result pbx_sleep(struct channel *ch, unsigned ms)
{
	struct pbx *pbx = channel_pbx(ch);

	if (!pbx || pbx->in_h)
		return PBX_NEXT;
	tmr_start(&pbx->tmr, ms, sleep_done, pbx);
	return PBX_SUSPEND;
}

void pbx_goto(struct channel *ch, const char *context, const char *exten,
	      int priority)
{
	channel_set_location(ch, context, exten, priority);
}

bool pbx_is_running(const struct channel *ch)
{
	return channel_pbx(ch) != NULL;
}

/* Hangup hook: the dialplan ends, which Asterisk announces as a soft
 * hangup request (its application unload); the h extension of the current
 * context runs to its end with the channel already hung up (applications
 * that would wait return at once), then the runner is freed. A run inside
 * an application does neither: its owner is told, and hangs up. */
static void on_hangup(struct channel *ch)
{
	struct pbx *pbx = channel_pbx(ch);
	int n;

	if (!pbx)
		return;
	tmr_cancel(&pbx->tmr);
	if (pbx->inside)
		inside_ended(pbx);
	else
		channel_publish_soft_hangup(ch, CHANNEL_SOFTHANGUP_APPUNLOAD);
	if (!pbx->inside && !pbx->in_h &&
	    dialplan_find(channel_context(ch), "h", 1)) {
		pbx->in_h = true;
		channel_set_location(ch, NULL, "h", 1);
		for (n = 0; n < PBX_H_STEPS_MAX; n++) {
			enum pbx_result res = run_step(pbx);

			if (res == PBX_NEXT)
				channel_set_location(ch, NULL, NULL,
						     channel_priority(ch) + 1);
			else if (res != PBX_GOTO)
				break;
		}
	}
	channel_set_pbx(ch, NULL);
	mem_deref(pbx);
}

const struct channel_hooks pbx_hooks = {.hangup = on_hangup};
