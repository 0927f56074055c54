/* res_recordings_record.c — POST /channels/{id}/record and POST
 * /bridges/{id}/record: the parameters, their checks in Asterisk's order
 * and with its messages (resource_channels.c, resource_bridges.c), then a
 * live recording of the core (core/recording.h). The LiveRecording comes
 * back queued; RecordingStarted follows. Not here: the /recordings
 * resource (res_recordings.c). */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include "ari/ari_util.h"
#include "ari/handlers.h"
#include "ari/json_recording.h"
#include "ari/request.h"
#include "ari/res_bridges.h"
#include "base/log.h"
#include "core/recording.h"

/* Options from the query or body; false after a reply. */
static bool read_opts(struct ari_req *req, struct ari_resp *resp,
		      struct recording_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->name = ari_req_param(req, "name");
	o->format = ari_req_param(req, "format");
	o->max_duration_s = ari_req_param_int(req, "maxDurationSeconds", 0);
	o->max_silence_s = ari_req_param_int(req, "maxSilenceSeconds", 0);
	o->beep = ari_req_param_bool(req, "beep", false);
	if (o->max_duration_s < 0) {
		ari_resp_error(resp, 400,
			       "max_duration_seconds cannot be negative");
		return false;
	}
	if (o->max_silence_s < 0) {
		ari_resp_error(resp, 400,
			       "max_silence_seconds cannot be negative");
		return false;
	}
	return true;
}

/* What Asterisk checks once it has the target. */
static bool check_opts(struct ari_req *req, struct ari_resp *resp,
		       struct recording_opts *o)
{
	if (!o->name || !*o->name) {
		ari_resp_error(resp, 400, "Missing parameter name");
		return false;
	}
	if (!o->format || !*o->format) {
		ari_resp_error(resp, 400, "Missing parameter format");
		return false;
	}
	if (recording_terminate_parse(ari_req_param(req, "terminateOn"),
				      &o->terminate_on)) {
		ari_resp_error(resp, 400, "terminateOn invalid");
		return false;
	}
	if (recording_if_exists_parse(ari_req_param(req, "ifExists"),
				      &o->if_exists)) {
		ari_resp_error(resp, 400, "ifExists invalid");
		return false;
	}
	if (!recording_format_known(o->format)) {
		ari_resp_error(resp, 422, "specified format is unknown on this "
			       "system");
		return false;
	}
	return true;
}

static void reply(struct ari_resp *resp, int err, struct recording *rec,
		  const struct recording_opts *o)
{
	switch (err) {
	case 0:
		ari_resp_json(resp, 200, ari_live_recording_json(rec));
		break;
	case EEXIST:
		ari_resp_error(resp, 409, "Recording '%s' already exists and "
			       "can not be overwritten", o->name);
		break;
	case EACCES:
	case EPERM:
		ari_resp_error(resp, 400, "Recording name invalid");
		break;
	case ENOTSUP:
		ari_resp_error(resp, 422, "specified format is unknown on "
			       "this system");
		break;
	case ENOMEM:
		ari_resp_error(resp, 500, "Out of memory");
		break;
	case EBUSY:
		ari_resp_error(resp, 500, "Failed to put recording channel "
			       "into the bridge");
		break;
	case EINVAL:
		ari_resp_error(resp, 500, "Error parsing request");
		break;
	default:
		log_warning("Unrecognized recording error: %s", strerror(err));
		ari_resp_error(resp, 500, "Internal Server Error");
		break;
	}
}

void ari_channels_record(struct ari_req *req, struct ari_resp *resp)
{
	struct recording *rec = NULL;
	struct recording_opts o;
	struct channel *ch;
	int err;

	if (!read_opts(req, resp, &o))
		return;
	ch = ari_channel_lookup(req, resp, ARI_CHAN_IN_STASIS);
	if (!ch || !check_opts(req, resp, &o))
		return;
	err = recording_start(&rec, ch, &o);
	reply(resp, err, rec, &o);
}

void ari_bridges_record(struct ari_req *req, struct ari_resp *resp)
{
	struct recording *rec = NULL;
	struct recording_opts o;
	struct bridge *b;
	int err;

	if (!read_opts(req, resp, &o))
		return;
	b = ari_bridge_lookup(req, resp);
	if (!b || !check_opts(req, resp, &o))
		return;
	err = recording_start_bridge(&rec, b, &o);
	reply(resp, err, rec, &o);
}
