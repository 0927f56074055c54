/* res_channels_snoop.c — POST /channels/{id}/snoop and
 * /channels/{id}/snoop/{snoopId}: a Snoop channel on the given channel
 * (spy: hear what it sends "in", what it hears "out", or both; whisper:
 * speak into those directions) that enters `app` with `appArgs`. Checks,
 * their order, codes and messages follow Asterisk's resource_channels.c;
 * the channel itself is the Snoop technology's (src/media/snoop.c), asked
 * for through channel_request like any other.
 *
 * The snoop channel lives in Stasis only: when it leaves the app (continue)
 * it is hung up, as Asterisk's snoop thread does once Stasis() returns. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <re_types.h>
#include <re_fmt.h>
#include <re_mem.h>
#include "ari/ari_util.h"
#include "ari/handlers.h"
#include "ari/models.h"
#include "base/defer.h"
#include "base/log.h"
#include "core/channel.h"
#include "core/stasis.h"
#include "pbx/dialplan.h"

#define SNOOP_ARGS_MAX 128

static bool dir_ok(const char *dir)
{
	return !dir || !*dir || !strcmp(dir, "none") || !strcmp(dir, "in") ||
	       !strcmp(dir, "out") || !strcmp(dir, "both");
}

static bool dir_none(const char *dir)
{
	return !dir || !*dir || !strcmp(dir, "none");
}

/* Asterisk's order: spy, whisper, both none, app, then the channel. */
static bool params_ok(struct ari_req *req, struct ari_resp *resp)
{
	const char *spy = ari_req_param(req, "spy");
	const char *whisper = ari_req_param(req, "whisper");
	const char *app = ari_req_param(req, "app");

	if (!dir_ok(spy)) {
		ari_resp_error(resp, 400, "Invalid direction specified for "
			       "spy");
		return false;
	}
	if (!dir_ok(whisper)) {
		ari_resp_error(resp, 400, "Invalid direction specified for "
			       "whisper");
		return false;
	}
	if (dir_none(spy) && dir_none(whisper)) {
		ari_resp_error(resp, 400, "Direction must be specified for at "
			       "least spy or whisper");
		return false;
	}
	if (!app || !*app) {
		ari_resp_error(resp, 400, "Application name is required");
		return false;
	}
	return true;
}

/* What enters the app on the next turn of the loop, after the reply. */
struct snoop_entry {
	struct channel *ch;   /* referenced */
	char *app;
	char *args;
};

static void entry_destructor(void *arg)
{
	struct snoop_entry *e = arg;

	mem_deref(e->ch);
	mem_deref(e->app);
	mem_deref(e->args);
}

static void hangup_later(void *arg)
{
	struct channel *ch = arg;

	if (!channel_is_hungup(ch))
		channel_hangup(ch, CAUSE_NORMAL_CLEARING, "snoop");
}

static void left_app(struct channel *ch, enum stasis_leave why, void *arg)
{
	(void)arg;
	if (why == STASIS_LEFT_CONTINUE)
		defer_call(hangup_later, ch);
}

static void enter_app(void *arg)
{
	struct snoop_entry *e = arg;
	char *argv[SNOOP_ARGS_MAX];
	int argc = 0, err;

	if (channel_is_hungup(e->ch))
		return;
	if (e->args && *e->args)
		argc = dialplan_args_split(e->args, argv, SNOOP_ARGS_MAX);
	err = stasis_enter(e->ch, e->app, (const char *const *)argv, argc,
			   left_app, NULL);
	if (err) {
		log_warning("%s: could not enter Stasis app '%s': %s",
			    channel_name(e->ch), e->app, strerror(err));
		channel_hangup(e->ch, CAUSE_FAILURE, "snoop");
	}
}

static int queue_entry(struct channel *ch, const char *app, const char *args)
{
	struct snoop_entry *e = mem_zalloc(sizeof(*e), entry_destructor);
	int err;

	if (!e)
		return ENOMEM;
	e->ch = mem_ref(ch);
	err = str_dup(&e->app, app);
	if (!err && args)
		err = str_dup(&e->args, args);
	if (!err)
		err = defer_call(enter_app, e);
	mem_deref(e);
	return err;
}

static void snoop(struct ari_req *req, struct ari_resp *resp,
		  const char *snoop_id)
{
	const char *spy = ari_req_param(req, "spy");
	const char *whisper = ari_req_param(req, "whisper");
	char dial[256];
	struct channel *target, *ch = NULL;
	int err;

	if (!params_ok(req, resp))
		return;
	target = channel_find(ari_req_param(req, "channelId"));
	if (!target || channel_is_hungup(target)) {
		ari_resp_error(resp, 404, "Provided channel was not found");
		return;
	}
	snprintf(dial, sizeof(dial), "Snoop/%s,%s,%s",
		 dir_none(spy) ? "none" : spy,
		 dir_none(whisper) ? "none" : whisper, channel_id(target));
	err = channel_request(&ch, dial, snoop_id, NULL);
	if (!err)
		err = queue_entry(ch, ari_req_param(req, "app"),
				  ari_req_param(req, "appArgs"));
	if (err) {
		log_warning("Snoop on %s could not be created: %s",
			    channel_name(target), strerror(err));
		if (ch)
			channel_hangup(ch, CAUSE_FAILURE, "snoop");
		ari_resp_error(resp, 500, "Snoop channel could not be "
			       "created");
		return;
	}
	ari_resp_json(resp, 200, ari_channel_json(ch));
}

void ari_channels_snoop_channel(struct ari_req *req, struct ari_resp *resp)
{
	snoop(req, resp, ari_req_param(req, "snoopId"));
}

void ari_channels_snoop_channel_with_id(struct ari_req *req,
					struct ari_resp *resp)
{
	snoop(req, resp, ari_req_param(req, "snoopId"));
}
