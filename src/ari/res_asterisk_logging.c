/* res_asterisk_logging.c — /asterisk/logging handlers: list, add, delete and
 * rotate log channels (base/log.h). Status codes and messages follow
 * Asterisk's resource_asterisk.c. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include "ari/handlers.h"
#include "base/log.h"

static void add_channel(const char *channel, const char *type,
			const char *status, const char *configuration,
			void *arg)
{
	json_array_append_new(arg, json_pack("{s:s, s:s, s:s, s:s}",
					     "channel", channel, "type", type,
					     "status", status,
					     "configuration", configuration));
}

void ari_asterisk_list_log_channels(struct ari_req *req,
				    struct ari_resp *resp)
{
	json_t *list = json_array();

	if (!list) {
		ari_resp_error(resp, 500, "Allocation failed");
		return;
	}
	log_channel_foreach(add_channel, list);
	ari_resp_json(resp, 200, list);
}

void ari_asterisk_add_log(struct ari_req *req, struct ari_resp *resp)
{
	const char *name = ari_req_param(req, "logChannelName");
	const char *conf = ari_req_param(req, "configuration");
	int err;

	if (!conf || !*conf) {
		ari_resp_error(resp, 400, "Configuration levels are required");
		return;
	}
	err = log_channel_add(name, conf);
	switch (err) {
	case 0:
		ari_resp_no_content(resp);
		break;
	case EINVAL:
		ari_resp_error(resp, 400, strchr(name, '/') || !*name
			       ? "Log channel name must be a file name"
			       : "Configuration levels are required");
		break;
	case EEXIST:
		ari_resp_error(resp, 409, "Log channel already exists");
		break;
	default:
		ari_resp_error(resp, 409, "Log channel could not be created: %s",
			       strerror(err));
		break;
	}
}

void ari_asterisk_delete_log(struct ari_req *req, struct ari_resp *resp)
{
	if (log_channel_remove(ari_req_param(req, "logChannelName"))) {
		ari_resp_error(resp, 404, "Log channel does not exist");
		return;
	}
	ari_resp_no_content(resp);
}

void ari_asterisk_rotate_log(struct ari_req *req, struct ari_resp *resp)
{
	int err = log_channel_rotate(ari_req_param(req, "logChannelName"));

	if (err == ENOENT) {
		ari_resp_error(resp, 404, "Log channel does not exist");
		return;
	}
	if (err) {
		ari_resp_error(resp, 500, "Log channel could not be rotated: %s",
			       strerror(err));
		return;
	}
	ari_resp_no_content(resp);
}
