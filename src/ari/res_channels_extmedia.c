/* res_channels_extmedia.c — POST /channels/externalMedia: a channel that
 * carries a call's audio to an outside process (a voice bot, a
 * transcriber), put into `app`. The checks, their order and their texts
 * are Asterisk's resource_channels.c; the channel is a technology of
 * src/extmedia asked for with channel_request() like any other:
 *
 *   rtp/udp            UnicastRTP/<host:port>/c(<format>)
 *   audiosocket/tcp    AudioSocket/<host:port>/<uuid>/c(<format>)
 *   none/websocket     WebSocket/<client id|INCOMING|URI>/<transport_data>
 *                      c(<format>)d(<direction>)
 *
 * As Asterisk, the channel is originated into the app (data is the app's
 * argument, 30 s to answer) and the answer is the Channel with every
 * channel variable under "channelvars". Unlike Asterisk, a failure keeps
 * its own status (409 for a channel id in use, 400 for an unusable
 * address) instead of a blanket 500. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <jansson.h>
#include "ari/ari_util.h"
#include "ari/handlers.h"
#include "ari/models.h"
#include "ari/request.h"
#include "ari/res_channels.h"
#include "base/log.h"
#include "core/channel.h"
#include "core/uuid.h"
#include "extmedia/extmedia.h"
#include "pbx/originate.h"

#define ID_MAX 149

struct em_req {
	const char *app, *host, *encap, *transport, *ctype, *format;
	const char *direction, *data, *tdata, *id;
	bool websocket;
};

static const char *param(struct ari_req *req, const char *name,
			 const char *def)
{
	const char *v = ari_req_param(req, name);

	return v && *v ? v : def;
}

/* host:port with a port, as every transport but websocket needs. */
static bool host_port_ok(const char *s)
{
	const char *colon = strrchr(s, ':');

	if (!colon || colon == s || !colon[1])
		return false;
	if (s[0] == '[')
		return colon > strchr(s, ']');
	return true;
}

/* Words are compared without case, as Asterisk's resource does. */
static bool combination_ok(const struct em_req *r, struct ari_resp *resp)
{
	if (strcasecmp(r->ctype, "client") && strcasecmp(r->ctype, "server")) {
		ari_resp_error(resp, 400, "connection_type must be 'client' or "
			       "'server'");
		return false;
	}
	if (r->websocket && strcasecmp(r->encap, "none")) {
		ari_resp_error(resp, 400, "encapsulation must be 'none' for "
			       "websocket transport");
		return false;
	}
	if (!strcasecmp(r->encap, "rtp") && strcasecmp(r->transport, "udp")) {
		ari_resp_error(resp, 400, "transport must be 'udp' for rtp "
			       "encapsulation");
		return false;
	}
	if (!strcasecmp(r->encap, "audiosocket") &&
	    strcasecmp(r->transport, "tcp")) {
		ari_resp_error(resp, 400, "transport must be 'tcp' for "
			       "audiosocket encapsulation");
		return false;
	}
	if (!r->websocket && !strcasecmp(r->ctype, "server")) {
		ari_resp_error(resp, 400, "'server' connection_type can only be "
			       "used with the websocket transport");
		return false;
	}
	return true;
}

/* A server connection (the bot dials in) is WebSocket/INCOMING, whatever
 * external_host says; so is external_host=INCOMING, as Asterisk's own
 * example writes it. */
static bool host_ok(struct em_req *r, struct ari_resp *resp)
{
	bool server = !strcasecmp(r->ctype, "server") ||
		      (r->host && !strcasecmp(r->host, "INCOMING"));

	if (!r->host && !server) {
		ari_resp_error(resp, 400, "external_host is required for all "
			       "but websocket server connections");
		return false;
	}
	if (r->websocket) {
		char why[200];

		if (server)
			r->host = "INCOMING";
		else if (!extmedia_ws_client_exists(r->host) &&
			 !extmedia_ws_uri_allowed(r->host)) {
			ari_resp_error(resp, 400, "external_host must be a "
				       "valid websocket_client connection id.");
			return false;
		}
		if (r->tdata && extmedia_ws_options_check(r->tdata, server,
							  why, sizeof(why))) {
			ari_resp_error(resp, 400, "transport_data is invalid: "
				       "%s", why);
			return false;
		}
		return true;
	}
	if (!host_port_ok(r->host)) {
		ari_resp_error(resp, 400, "external_host must be <host>:<port> "
			       "for all transports other than websocket");
		return false;
	}
	return true;
}

static bool format_ok(const struct em_req *r, struct ari_resp *resp)
{
	if (!r->format) {
		ari_resp_error(resp, 400, "format cannot be empty");
		return false;
	}
	if (!extmedia_frame_size(r->format)) {
		ari_resp_error(resp, 400, "Provided format (%s) was not found",
			       r->format);
		return false;
	}
	return true;
}

static bool direction_ok(const struct em_req *r, struct ari_resp *resp)
{
	if (r->direction && strcmp(r->direction, "both") &&
	    strcmp(r->direction, "in") && strcmp(r->direction, "out")) {
		ari_resp_error(resp, 400, "Invalid direction specified");
		return false;
	}
	return true;
}

/* The dial string, or false after answering. */
static bool dial_string(const struct em_req *r, char *out, size_t size,
			struct ari_resp *resp)
{
	if (!strcasecmp(r->encap, "rtp") && !strcasecmp(r->transport, "udp")) {
		snprintf(out, size, "UnicastRTP/%s/c(%s)", r->host, r->format);
		return true;
	}
	if (!strcasecmp(r->encap, "audiosocket") &&
	    !strcasecmp(r->transport, "tcp")) {
		if (!r->data) {
			ari_resp_error(resp, 400, "data can not be empty");
			return false;
		}
		if (!uuid_is_valid(r->data)) {
			ari_resp_error(resp, 400, "data must be a UUID for "
				       "audiosocket");
			return false;
		}
		snprintf(out, size, "AudioSocket/%s/%s/c(%s)", r->host,
			 r->data, r->format);
		return true;
	}
	if (!strcasecmp(r->encap, "none") &&
	    !strcasecmp(r->transport, "websocket")) {
		snprintf(out, size, "WebSocket/%s/%sc(%s)%s%s%s", r->host,
			 r->tdata ? r->tdata : "", r->format,
			 r->direction ? "d(" : "",
			 r->direction ? r->direction : "",
			 r->direction ? ")" : "");
		return true;
	}
	ari_resp_error(resp, 501, "The encapsulation and/or transport is not "
		       "supported");
	return false;
}

static void add_var(const char *name, const char *value, void *arg)
{
	json_object_set_new(arg, name, json_string(value));
}

static void reply(struct ari_resp *resp, struct channel *ch)
{
	json_t *j = ari_channel_json(ch);
	json_t *vars = json_object();

	channel_var_foreach(ch, add_var, vars);
	if (j && json_object_size(vars))
		json_object_set_new(j, "channelvars", vars);
	else
		json_decref(vars);
	ari_resp_json(resp, 200, j);
}

static bool request_ok(struct em_req *r, struct ari_req *req,
		       struct ari_resp *resp)
{
	json_t *body = ari_req_body(req);

	if (body && json_object_get(body, "variables") &&
	    !json_is_object(json_object_get(body, "variables"))) {
		ari_resp_error(resp, 400, "Variables must be a JSON object");
		return false;
	}
	if (!r->app) {
		ari_resp_error(resp, 400, "app cannot be empty");
		return false;
	}
	if (r->id && strlen(r->id) > ID_MAX) {
		ari_resp_error(resp, 400, "Uniqueid length exceeds maximum of "
			       "%d", ID_MAX + 1);
		return false;
	}
	r->websocket = !strcasecmp(r->transport, "websocket");
	return combination_ok(r, resp) && host_ok(r, resp) &&
	       format_ok(r, resp) && direction_ok(r, resp);
}

static void create(struct ari_resp *resp, struct em_req *r, const char *dial,
		   json_t *body)
{
	struct originate_target t = {.app = r->app, .appargs = r->data,
				     .timeout_s = 30};
	struct channel *ch = NULL;
	int err = channel_request(&ch, dial, r->id, NULL);

	switch (err) {
	case 0:
		break;
	case EEXIST:
		ari_resp_error(resp, 409, "Channel with given unique ID "
			       "already exists");
		return;
	case EINVAL:
	case ENOENT:
	case EADDRNOTAVAIL:
		ari_resp_error(resp, 400, "external_host could not be used: "
			       "%s", err == ENOENT ? "no such host" :
			       strerror(err));
		return;
	case ECONNREFUSED:
	case ENETUNREACH:
	case EHOSTUNREACH:
	case ENOTSUP:
		/* AudioSocket's peer refused, or UnicastRTP has no payload
		 * type for the format (the tech said which in the log):
		 * Asterisk's channel request fails, and ARI says this. */
		ari_resp_error(resp, 500, "Allocation failed");
		return;
	default:
		log_warning("externalMedia: %s could not be created: %s", dial,
			    strerror(err));
		ari_resp_error(resp, 500, "An internal error prevented this "
			       "request from being handled");
		return;
	}
	if (ari_channel_set_variables(ch, body)) {
		channel_hangup(ch, CAUSE_FAILURE, "ARI");
		ari_resp_error(resp, 400, "Invalid variables");
		return;
	}
	reply(resp, ch);
	if (originate_dial(ch, &t)) {
		log_warning("externalMedia: %s could not be dialled",
			    channel_name(ch));
		channel_hangup(ch, CAUSE_FAILURE, "ARI");
	}
}

void ari_channels_external_media(struct ari_req *req, struct ari_resp *resp)
{
	struct em_req r = {
		.app = param(req, "app", NULL),
		.host = param(req, "external_host", NULL),
		.encap = param(req, "encapsulation", "rtp"),
		.transport = param(req, "transport", "udp"),
		.ctype = param(req, "connection_type", "client"),
		.format = param(req, "format", NULL),
		.direction = param(req, "direction", NULL),
		.data = param(req, "data", NULL),
		.tdata = param(req, "transport_data", NULL),
		.id = param(req, "channelId", NULL),
	};
	char dial[2048];

	if (!request_ok(&r, req, resp) ||
	    !dial_string(&r, dial, sizeof(dial), resp) ||
	    ari_channels_shed(resp, dial))
		return;
	create(resp, &r, dial, ari_req_body(req));
}
