/* res_device_states.c — /deviceStates handlers: list (the ARI-controlled
 * Stasis: devices), get (any device, as Asterisk's ast_device_state()),
 * update and delete of Stasis: devices. Status codes and messages follow
 * Asterisk's resource_device_states.c; the state itself lives in
 * core/devstate.c. */
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>
#include "ari/handlers.h"
#include "core/devstate.h"

static json_t *device_json(const char *name, enum devstate st)
{
	return json_pack("{s:s, s:s}", "name", name, "state",
			 devstate_str(st));
}

static void add_device(const char *name, enum devstate st, void *arg)
{
	json_array_append_new(arg, device_json(name, st));
}

void ari_device_states_list(struct ari_req *req, struct ari_resp *resp)
{
	json_t *list = json_array();

	devstate_stasis_foreach(add_device, list);
	ari_resp_json(resp, 200, list);
}

/* Asterisk answers every name: UNKNOWN for a Stasis device never set,
 * INVALID for a name no provider knows. */
void ari_device_states_get(struct ari_req *req, struct ari_resp *resp)
{
	const char *name = ari_req_param(req, "deviceName");

	ari_resp_json(resp, 200, device_json(name ? name : "",
					      devstate_get(name)));
}

static bool controlled(const char *name)
{
	return !strncasecmp(name, DEVSTATE_STASIS_PREFIX,
			    strlen(DEVSTATE_STASIS_PREFIX));
}

/* Asterisk's order of checks: ownership (409), then a name after the
 * prefix (404), then the value. */
void ari_device_states_update(struct ari_req *req, struct ari_resp *resp)
{
	const char *name = ari_req_param(req, "deviceName");
	enum devstate st;
	int err;

	if (!name || !controlled(name)) {
		ari_resp_error(resp, 409, "Uncontrolled device specified");
		return;
	}
	if (!name[strlen(DEVSTATE_STASIS_PREFIX)]) {
		ari_resp_error(resp, 404, "Device name is missing");
		return;
	}
	/* An unknown value is a 500 in Asterisk (the generated glue does not
	 * check allowableValues; the stasis layer reports "unknown"). */
	if (devstate_parse(ari_req_param(req, "deviceState"), &st)) {
		ari_resp_error(resp, 500, "Unknown device");
		return;
	}
	err = devstate_set(name, st);
	if (err) {
		ari_resp_error(resp, 500, "Error processing request");
		return;
	}
	ari_resp_no_content(resp);
}

void ari_device_states_delete(struct ari_req *req, struct ari_resp *resp)
{
	const char *name = ari_req_param(req, "deviceName");

	if (!name || !controlled(name)) {
		ari_resp_error(resp, 409, "Uncontrolled device specified");
		return;
	}
	/* A device Asterisk never had is a 204 too: its delete clears a
	 * cache entry that is not there and announces nothing. */
	switch (devstate_delete(name)) {
	case 0:
	case ESRCH:
		ari_resp_no_content(resp);
		break;
	case ENOENT:
		ari_resp_error(resp, 404, "Device name is missing");
		break;
	default:
		ari_resp_error(resp, 500, "Error processing request");
		break;
	}
}
