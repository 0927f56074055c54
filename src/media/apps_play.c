/* apps_play.c — dialplan applications that play or signal:
 *   Playback(file[&file2...][,options])  options: skip (do nothing unless
 *     the channel is up), noanswer (play without answering). Sets
 *     PLAYBACKSTATUS to SUCCESS, or FAILED when any file could not be
 *     played; a missing file does not stop the dialplan, as in Asterisk.
 *   Progress()  early media indication (183 on SIP).
 *   Ringing()   ringing indication (180 on SIP).
 * The audio goes through the same player as ARI playbacks, without ARI's
 * playback objects or events. */
#include <errno.h>
#include <stdint.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <re_types.h>
#include <re_mem.h>
#include <re_fmt.h>
#include "core/channel.h"
#include "base/log.h"
#include "pbx/pbx.h"
#include "media/playback_int.h"

struct app_play {
	struct channel *ch;   /* referenced */
	char *files;          /* '&'-separated, split in place */
	char *cur;            /* current file name */
	char *rest;           /* what follows it */
	char uri[512];
	bool failed;
};

static void app_play_destructor(void *arg)
{
	struct app_play *ap = arg;

	mem_deref(ap->files);
	mem_deref(ap->ch);
}

/* Move cur to the next non-empty name; false at the end. */
static bool next_file(struct app_play *ap)
{
	while (ap->rest) {
		char *amp = strchr(ap->rest, '&');

		ap->cur = ap->rest;
		if (amp)
			*amp = '\0';
		ap->rest = amp ? amp + 1 : NULL;
		if (*ap->cur)
			return true;
	}
	ap->cur = NULL;
	return false;
}

static const char *ap_uri(void *arg)
{
	struct app_play *ap = arg;

	if (!ap->cur)
		return NULL;
	snprintf(ap->uri, sizeof(ap->uri), "sound:%s", ap->cur);
	return ap->uri;
}

static void ap_started(void *arg)
{
	struct app_play *ap = arg;

	log_verbose(3, "<%s> Playing '%s' (language '%s')",
		    channel_name(ap->ch), ap->cur, channel_language(ap->ch));
}

static bool ap_ended(void *arg, int err)
{
	struct app_play *ap = arg;

	if (err) {
		log_warning("Playback failed on %s for %s",
			    channel_name(ap->ch), ap->cur);
		ap->failed = true;
	}
	return next_file(ap);
}

static void ap_gone(void *arg, bool hangup)
{
	struct app_play *ap = arg;

	if (!hangup && !channel_is_hungup(ap->ch)) {
		channel_var_set(ap->ch, "PLAYBACKSTATUS",
				ap->failed ? "FAILED" : "SUCCESS");
		pbx_resume(ap->ch, PBX_NEXT);
	}
	mem_deref(ap);
}

static const struct media_player_ops ap_ops = {
	.uri = ap_uri, .started = ap_started, .ended = ap_ended,
	.gone = ap_gone,
};

static bool has_option(const char *opts, const char *name)
{
	size_t len = strlen(name);

	for (const char *p = opts; p && (p = strstr(p, name)); p += len) {
		bool start = p == opts || p[-1] == ',' || p[-1] == '|';
		bool end = !p[len] || p[len] == ',' || p[len] == '|';

		if (start && end)
			return true;
	}
	return false;
}

static enum pbx_result app_playback(struct channel *ch, const char *data)
{
	struct app_play *ap;
	const char *opts;
	int err;

	if (!data || !*data) {
		log_warning("Playback requires an argument (filename)");
		return PBX_NEXT;
	}
	if (channel_is_hungup(ch))
		return PBX_NEXT;
	opts = strchr(data, ',');
	if (channel_state(ch) != CHANNEL_UP) {
		if (has_option(opts, "skip")) {
			channel_var_set(ch, "PLAYBACKSTATUS", "SUCCESS");
			return PBX_NEXT;
		}
		if (!has_option(opts, "noanswer") && channel_answer(ch))
			return PBX_HANGUP;
	}
	ap = mem_zalloc(sizeof(*ap), app_play_destructor);
	if (!ap || re_sdprintf(&ap->files, "%b", data,
			       opts ? (size_t)(opts - data) : strlen(data)) < 0) {
		mem_deref(ap);
		return PBX_HANGUP;
	}
	ap->ch = mem_ref(ch);
	ap->rest = ap->files;
	if (!next_file(ap)) {
		mem_deref(ap);
		channel_var_set(ch, "PLAYBACKSTATUS", "FAILED");
		return PBX_NEXT;
	}
	err = media_player_start(NULL, ch, &ap_ops, ap, channel_language(ch),
				 0);
	if (err) {
		log_warning("Playback failed on %s: %s", channel_name(ch),
			    strerror(err));
		mem_deref(ap);
		channel_var_set(ch, "PLAYBACKSTATUS", "FAILED");
		return PBX_NEXT;
	}
	return PBX_SUSPEND;  /* ap_gone resumes */
}

static enum pbx_result app_progress(struct channel *ch, const char *data)
{
	(void)channel_indicate(ch, CHANNEL_IND_PROGRESS);
	return PBX_NEXT;
}

static enum pbx_result app_ringing(struct channel *ch, const char *data)
{
	(void)channel_indicate(ch, CHANNEL_IND_RINGING);
	return PBX_NEXT;
}

int media_apps_play_init(void)
{
	int err = pbx_app_register("Playback", app_playback);

	err |= pbx_app_register("Progress", app_progress);
	err |= pbx_app_register("Ringing", app_ringing);
	return err ? EINVAL : 0;
}
