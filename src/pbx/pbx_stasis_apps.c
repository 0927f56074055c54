/* pbx_stasis_apps.c — the dialplan's side of Stasis: the Stasis() and
 * StasisBroadcast() applications, and the automatic `stasis-<app>` context
 * every registered app gets (`_.` ⇒ Stasis(<app>), `h` ⇒ NoOp()), exactly as
 * Asterisk's res_stasis makes it.
 *
 * Stasis itself (src/core/stasis*.c) knows nothing of the dialplan: it is
 * handed the context hooks here and calls back when a channel leaves an app,
 * and this file turns that into STASISSTATUS and the next dialplan step. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "base/log.h"
#include "core/channel.h"
#include "core/stasis.h"
#include "pbx/dialplan.h"
#include "pbx/pbx.h"

#define STASIS_REGISTRAR "res_stasis"
#define STASIS_ARGS_MAX 128
#define BCAST_TIMEOUT_DEFAULT_MS 500
#define BCAST_TIMEOUT_MAX_MS 60000

/* ---- the automatic contexts ---- */

static void context_name(char *buf, size_t size, const char *app)
{
	snprintf(buf, size, "stasis-%s", app);
}

static bool context_create(const char *app)
{
	char ctx[DIALPLAN_NAME_MAX + 8];
	int err;

	context_name(ctx, sizeof(ctx), app);
	err = dialplan_context_add(ctx, STASIS_REGISTRAR);
	if (err == EEXIST) {
		log_warning("Not creating context '%s' for Stasis application "
			    "'%s' because it already exists", ctx, app);
		return false;
	}
	if (err ||
	    dialplan_add(ctx, "_.", 1, NULL, "Stasis", app, STASIS_REGISTRAR,
			 NULL, 0) ||
	    dialplan_add(ctx, "h", 1, NULL, "NoOp", "", STASIS_REGISTRAR,
			 NULL, 0)) {
		log_warning("Could not create context '%s' for Stasis "
			    "application '%s'", ctx, app);
		dialplan_context_remove(ctx, STASIS_REGISTRAR);
		return false;
	}
	return true;
}

static void context_remove(const char *app)
{
	char ctx[DIALPLAN_NAME_MAX + 8];

	context_name(ctx, sizeof(ctx), app);
	log_verbose(3, "Remove %s/_./1, registrar=%s", ctx, STASIS_REGISTRAR);
	log_verbose(3, "Remove %s/h/1, registrar=%s", ctx, STASIS_REGISTRAR);
	dialplan_context_remove(ctx, STASIS_REGISTRAR);
}

static const struct stasis_app_hooks context_hooks = {
	.created = context_create,
	.destroyed = context_remove,
};

/* ---- Stasis(app[,args...]) ---- */

/* SUCCESS when the app let the channel go on, KILLED when it was hung up
 * inside the app (visible to the h extension, which runs next). Asterisk
 * reports SUCCESS for both; the difference is what users asked for. */
static void stasis_app_done(struct channel *ch, enum stasis_leave why,
			    void *arg)
{
	if (why != STASIS_LEFT_CONTINUE) {
		channel_var_set(ch, "STASISSTATUS", "KILLED");
		return;
	}
	channel_var_set(ch, "STASISSTATUS", "SUCCESS");
	pbx_resume(ch, PBX_GOTO);
}

static enum pbx_result app_stasis(struct channel *ch, const char *data)
{
	char buf[4096];
	char *argv[STASIS_ARGS_MAX + 1];
	int argc;

	channel_var_set(ch, "STASISSTATUS", "");
	snprintf(buf, sizeof(buf), "%s", data ? data : "");
	argc = dialplan_args_split(buf, argv, STASIS_ARGS_MAX + 1);
	if (argc < 1 || !*argv[0]) {
		log_warning("Stasis app_name argument missing");
		channel_var_set(ch, "STASISSTATUS", "FAILED");
		return PBX_NEXT;
	}
	if (stasis_enter(ch, argv[0], (const char *const *)argv + 1, argc - 1,
			 stasis_app_done, NULL)) {
		channel_var_set(ch, "STASISSTATUS", "FAILED");
		return PBX_NEXT;
	}
	return PBX_SUSPEND;
}

/* ---- StasisBroadcast([timeout_ms[,app_filter[,args[,notify_claimed]]]]) */

/* timeout 0..60000 ms; out of range → the default, with a warning. */
static unsigned parse_timeout(const struct channel *ch, const char *s)
{
	char *end;
	long v;

	if (!s || !*s)
		return BCAST_TIMEOUT_DEFAULT_MS;
	v = strtol(s, &end, 10);
	if (end == s || v < 0 || v > BCAST_TIMEOUT_MAX_MS) {
		log_warning("Channel %s: invalid timeout value '%s' (must be "
			    "0-%dms), using default %dms", channel_name(ch), s,
			    BCAST_TIMEOUT_MAX_MS, BCAST_TIMEOUT_DEFAULT_MS);
		return BCAST_TIMEOUT_DEFAULT_MS;
	}
	return (unsigned)v;
}

static bool is_true(const char *s)
{
	return s && (!strcasecmp(s, "yes") || !strcasecmp(s, "true") ||
		     !strcasecmp(s, "y") || !strcasecmp(s, "t") ||
		     !strcasecmp(s, "1") || !strcasecmp(s, "on"));
}

/* A claimed channel that was hung up in the app sets nothing: the h
 * extension sees the STASISSTATUS of the broadcast as it was. */
static void broadcast_done(struct channel *ch, enum stasis_broadcast_end how,
			   void *arg)
{
	switch (how) {
	case STASIS_BCAST_CONTINUE:
		channel_var_set(ch, "STASISSTATUS", "SUCCESS");
		pbx_resume(ch, PBX_GOTO);
		break;
	case STASIS_BCAST_TIMEOUT:
		channel_var_set(ch, "STASISSTATUS", "TIMEOUT");
		pbx_resume(ch, PBX_NEXT);
		break;
	case STASIS_BCAST_FAILED:
		channel_var_set(ch, "STASISSTATUS", "FAILED");
		pbx_resume(ch, PBX_NEXT);
		break;
	case STASIS_BCAST_HANGUP:
		break;
	}
}

static enum pbx_result app_broadcast(struct channel *ch, const char *data)
{
	char buf[4096];
	char *argv[5] = {NULL};
	struct stasis_broadcast_opts opts;
	int err;

	channel_var_set(ch, "STASISSTATUS", "");
	snprintf(buf, sizeof(buf), "%s", data ? data : "");
	dialplan_args_split(buf, argv, 4);
	opts = (struct stasis_broadcast_opts){
		.timeout_ms = parse_timeout(ch, argv[0]),
		.filter = argv[1],
		.args = argv[2],
		.notify_claimed = is_true(argv[3]),
	};
	err = stasis_broadcast_offer(ch, &opts, broadcast_done, NULL);
	if (err == EALREADY) {
		log_error("Failed to broadcast channel %s: already being "
			  "broadcast", channel_name(ch));
	}
	else if (err) {
		log_error("Failed to broadcast channel %s: internal error",
			  channel_name(ch));
	}
	if (err) {
		channel_var_set(ch, "STASISSTATUS", "FAILED");
		return PBX_NEXT;
	}
	return PBX_SUSPEND;
}

int pbx_stasis_apps_init(void)
{
	int err = pbx_app_register("Stasis", app_stasis);

	if (!err)
		err = pbx_app_register("StasisBroadcast", app_broadcast);
	if (!err)
		stasis_app_hooks_set(&context_hooks);
	return err;
}
