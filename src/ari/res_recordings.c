/* res_recordings.c — ARI's /recordings resource: stored recordings (list,
 * get, the file's bytes, copy, delete) and live ones (get, stop, cancel,
 * pause, unpause, mute, unmute). Statuses and messages follow Asterisk's
 * resource_recordings.c; the objects are the core's (core/recording.h).
 * Starting a recording is res_recordings_record.c's. */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <re_types.h>
#include <re_mem.h>
#include "ari/handlers.h"
#include "ari/json_recording.h"
#include "ari/request.h"
#include "base/log.h"
#include "core/recording.h"

/* ---- stored ---- */

static struct recording_stored *stored_lookup(struct ari_req *req,
					      struct ari_resp *resp)
{
	struct recording_stored *s = NULL;

	if (recording_stored_find(&s, ari_req_param(req, "recordingName"))) {
		ari_resp_error(resp, 404, "Recording not found");
		return NULL;
	}
	return s;
}

void ari_recordings_list_stored(struct ari_req *req, struct ari_resp *resp)
{
	struct recording_stored **list;
	json_t *a;
	size_t n;

	(void)req;
	if (recording_stored_list(&list, &n)) {
		ari_resp_error(resp, 500, "Allocation failed");
		return;
	}
	a = json_array();
	for (size_t i = 0; a && i < n; i++)
		json_array_append_new(a, ari_stored_recording_json(list[i]));
	recording_stored_list_free(list, n);
	ari_resp_json(resp, 200, a);
}

void ari_recordings_get_stored(struct ari_req *req, struct ari_resp *resp)
{
	struct recording_stored *s = stored_lookup(req, resp);

	if (!s)
		return;
	ari_resp_json(resp, 200, ari_stored_recording_json(s));
	mem_deref(s);
}

void ari_recordings_delete_stored(struct ari_req *req, struct ari_resp *resp)
{
	struct recording_stored *s = stored_lookup(req, resp);
	int err;

	if (!s)
		return;
	err = recording_stored_delete(s);
	if (err) {
		log_warning("Unexpected error deleting recording %s: %s",
			    recording_stored_name(s), strerror(err));
		ari_resp_error(resp, 500, "Delete failed");
	}
	else {
		ari_resp_no_content(resp);
	}
	mem_deref(s);
}

void ari_recordings_get_stored_file(struct ari_req *req,
				    struct ari_resp *resp)
{
	struct recording_stored *s;
	uint8_t *buf = NULL;
	char ctype[64];
	size_t n = 0;
	int err;

	s = stored_lookup(req, resp);
	if (!s)
		return;
	err = recording_stored_read(s, &buf, &n);
	if (err == ENOMEM) {
		ari_resp_error(resp, 500, "Allocation failed");
	}
	else if (err) {
		ari_resp_error(resp, 403, "Recording could not be opened");
	}
	else {
		/* Asterisk: the media type, then the file's extension. */
		snprintf(ctype, sizeof(ctype), "audio/%s",
			 recording_stored_format(s));
		ari_resp_data(resp, 200, ctype, buf, n);
	}
	mem_deref(buf);
	mem_deref(s);
}

void ari_recordings_copy_stored(struct ari_req *req, struct ari_resp *resp)
{
	const char *dst = ari_req_param(req, "destinationRecordingName");
	struct recording_stored *s, *copy = NULL;
	int err;

	s = stored_lookup(req, resp);
	if (!s)
		return;
	err = dst ? recording_stored_copy(s, dst, &copy) : EINVAL;
	if (err == EEXIST)
		ari_resp_error(resp, 409, "A recording with the same name "
			       "already exists on the system");
	else if (err == EINVAL)
		ari_resp_error(resp, 400, "Invalid destination recording name");
	else if (err == EACCES)
		ari_resp_error(resp, 403, "Destination file path is forbidden");
	else if (err) {
		log_warning("Unexpected error copying recording %s to %s: %s",
			    recording_stored_name(s), dst, strerror(err));
		ari_resp_error(resp, 500, "Copy failed");
	}
	else
		ari_resp_json(resp, 200, ari_stored_recording_json(copy));
	mem_deref(copy);
	mem_deref(s);
}

/* ---- live ---- */

static struct recording *live_lookup(struct ari_req *req,
				     struct ari_resp *resp)
{
	struct recording *rec = recording_find(ari_req_param(req,
							    "recordingName"));

	if (!rec)
		ari_resp_error(resp, 404, "Recording not found");
	return rec;
}

void ari_recordings_get_live(struct ari_req *req, struct ari_resp *resp)
{
	struct recording *rec = live_lookup(req, resp);

	if (rec)
		ari_resp_json(resp, 200, ari_live_recording_json(rec));
}

static void control(struct ari_req *req, struct ari_resp *resp,
		    enum recording_op op)
{
	struct recording *rec = live_lookup(req, resp);
	int err;

	if (!rec)
		return;
	err = recording_operation(rec, op);
	if (err == EBUSY)
		ari_resp_error(resp, 409, "Recording not in session");
	else if (err)
		ari_resp_error(resp, 500, "Recording operation failed");
	else
		ari_resp_no_content(resp);
}

void ari_recordings_cancel(struct ari_req *req, struct ari_resp *resp)
{
	control(req, resp, RECORDING_OP_CANCEL);
}

void ari_recordings_stop(struct ari_req *req, struct ari_resp *resp)
{
	control(req, resp, RECORDING_OP_STOP);
}

void ari_recordings_pause(struct ari_req *req, struct ari_resp *resp)
{
	control(req, resp, RECORDING_OP_PAUSE);
}

void ari_recordings_unpause(struct ari_req *req, struct ari_resp *resp)
{
	control(req, resp, RECORDING_OP_UNPAUSE);
}

void ari_recordings_mute(struct ari_req *req, struct ari_resp *resp)
{
	control(req, resp, RECORDING_OP_MUTE);
}

void ari_recordings_unmute(struct ari_req *req, struct ari_resp *resp)
{
	control(req, resp, RECORDING_OP_UNMUTE);
}
