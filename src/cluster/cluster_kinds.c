/* cluster_kinds.c — the phase-1 kinds of ari-proxy (docs/CLUSTER.md), each
 * run as the ARI REST operation it stands for (ChannelAnswer is POST
 * /channels/{id}/answer) through ari_invoke(): the handlers of src/ari do
 * the work, so a NATS request and an HTTP one cannot behave differently.
 * A kind not in the table answers "Not implemented", an entity this node
 * does not have "Not found". */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include <re_types.h>
#include <re_mem.h>
#include "ari/ari.h"
#include "core/uuid.h"
#include "cluster/cluster_int.h"

/* A query string being built. */
struct qs {
	char buf[2048];
	size_t n;
	bool full;
};

struct kind;
typedef bool (kind_h)(struct cluster_req *rq, json_t *resp,
		      const struct kind *k);

struct kind {
	const char *name;
	kind_h *run;
	const char *method;
	const char *path;      /* printf format; %s: the escaped key id */
	const char *ekind;     /* key kind of the target or of the result */
	void (*args)(const json_t *p, struct qs *q);  /* payload → query */
	const char *payload;   /* payload field of the Request */
};

json_t *cluster_key(const struct cluster_req *rq, const char *kind,
		    const char *id)
{
	json_t *k = json_pack("{s:s, s:s, s:s, s:s}", "kind", kind, "id",
			      id ? id : "", "node", rq->node, "app", rq->app);

	if (k && rq->dialog && *rq->dialog)
		json_object_set_new(k, "dialog", json_string(rq->dialog));
	return k;
}

static void esc(char *dst, size_t size, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = 0;

	for (; *s && n + 4 < size; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr("-._~", c)) {
			dst[n++] = (char)c;
			continue;
		}
		dst[n++] = '%';
		dst[n++] = hex[c >> 4];
		dst[n++] = hex[c & 15];
	}
	dst[n] = '\0';
}

static void qs_add(struct qs *q, const char *name, const char *value)
{
	char e[1024];
	int w;

	if (!value || !*value || q->full)
		return;
	esc(e, sizeof(e), value);
	w = snprintf(q->buf + q->n, sizeof(q->buf) - q->n, "%s%s=%s",
		     q->n ? "&" : "", name, e);
	if (w < 0 || (size_t)w >= sizeof(q->buf) - q->n)
		q->full = true;
	else
		q->n += (size_t)w;
}

static const char *str(const json_t *o, const char *name)
{
	return json_string_value(json_object_get(o, name));
}

/* A Go time.Duration (nanoseconds) as ARI's milliseconds. */
static void qs_ms(struct qs *q, const char *name, const json_t *o,
		  const char *field)
{
	json_int_t ns = json_integer_value(json_object_get(o, field));
	char v[32];

	if (ns <= 0)
		return;
	snprintf(v, sizeof(v), "%lld", (long long)(ns / 1000000));
	qs_add(q, name, v);
}

static void qs_int(struct qs *q, const char *name, const json_t *o,
		   const char *field)
{
	json_t *v = json_object_get(o, field);
	char t[32];

	if (!json_is_integer(v))
		return;
	snprintf(t, sizeof(t), "%lld", (long long)json_integer_value(v));
	qs_add(q, name, t);
}

static void set_err(struct cluster_req *rq, int code, const char *body)
{
	json_t *j = body ? json_loads(body, 0, NULL) : NULL;
	const char *m = str(j, "message");

	if (code == 404)
		snprintf(rq->err, sizeof(rq->err), "Not found");
	else if (m)
		snprintf(rq->err, sizeof(rq->err), "%s", m);
	else
		snprintf(rq->err, sizeof(rq->err), "ARI error %d", code);
	json_decref(j);
}

/* One ARI operation; *out (may be NULL) gets the JSON answer. true on a
 * 2xx, else rq->err says why. */
static bool rest(struct cluster_req *rq, const char *method,
		 const char *path, const struct qs *q, const json_t *body,
		 json_t **out)
{
	char *btext = body ? json_dumps(body, JSON_COMPACT) : NULL;
	struct ari_invoke inv = {
		.user = "nats", .method = method, .path = path,
		.query = q && q->n ? q->buf : NULL,
		.ctype = btext ? "application/json" : NULL, .body = btext,
	};

	if (q && q->full) {
		free(btext);
		snprintf(rq->err, sizeof(rq->err), "Request too large");
		return false;
	}
	ari_invoke(&inv);
	free(btext);  /* json_dumps() output is jansson's */
	if (out)
		*out = inv.resp_body ? json_loads(inv.resp_body, 0, NULL) :
			NULL;
	if (inv.code < 200 || inv.code > 299)
		set_err(rq, inv.code, inv.resp_body);
	mem_deref(inv.resp_body);
	return inv.code >= 200 && inv.code <= 299;
}

/* The target's path; false (with an error) when the key names nothing. */
static bool target(struct cluster_req *rq, const char *fmt, char *path,
		   size_t size)
{
	char e[512];

	if (!*rq->id) {
		snprintf(rq->err, sizeof(rq->err), "Malformed request: the "
			 "key has no id");
		return false;
	}
	esc(e, sizeof(e), rq->id);
	snprintf(path, size, fmt, e);
	return true;
}

static const json_t *payload(const struct cluster_req *rq,
			     const struct kind *k)
{
	return k->payload ? json_object_get(rq->root, k->payload) : NULL;
}

/* ---- generic kinds ---- */

static bool h_command(struct cluster_req *rq, json_t *resp,
		      const struct kind *k)
{
	struct qs q = { .n = 0 };
	char path[600];

	(void)resp;
	if (!target(rq, k->path, path, sizeof(path)))
		return false;
	if (k->args)
		k->args(payload(rq, k), &q);
	return rest(rq, k->method, path, &q, NULL, NULL);
}

/* get: the stamped key of an entity this node has. */
static bool h_get(struct cluster_req *rq, json_t *resp, const struct kind *k)
{
	char path[600];

	if (!target(rq, k->path, path, sizeof(path)) ||
	    !rest(rq, "GET", path, NULL, NULL, NULL))
		return false;
	json_object_set_new(resp, "key", cluster_key(rq, k->ekind, rq->id));
	return true;
}

/* data: EntityData {<field>: the ARI body plus its key}. */
static bool h_data(struct cluster_req *rq, json_t *resp, const struct kind *k)
{
	char path[600];
	json_t *body = NULL;

	if (!target(rq, k->path, path, sizeof(path)) ||
	    !rest(rq, "GET", path, NULL, NULL, &body)) {
		json_decref(body);
		return false;
	}
	if (!json_is_object(body)) {
		json_decref(body);
		body = json_object();
	}
	json_object_set_new(body, "key", cluster_key(rq, k->ekind, rq->id));
	json_object_set_new(resp, "data", json_pack("{s:o}", k->payload, body));
	return true;
}

/* list: keys of every entity of the kind on this node; none is success
 * (the client merges the keys of all replies). */
static bool h_list(struct cluster_req *rq, json_t *resp, const struct kind *k)
{
	json_t *body = NULL, *keys = json_array(), *e;
	size_t i;

	if (!rest(rq, "GET", k->path, NULL, NULL, &body)) {
		json_decref(body);
		json_decref(keys);
		return false;
	}
	json_array_foreach(body, i, e) {
		if (str(e, "id"))
			json_array_append_new(keys, cluster_key(rq, k->ekind,
								str(e, "id")));
	}
	json_decref(body);
	json_object_set_new(resp, "keys", keys);
	return true;
}

/* A create that answers the created entity's stamped key. */
static bool created(struct cluster_req *rq, json_t *resp, const char *ekind,
		    json_t *body)
{
	const char *id = str(body, "id");

	if (!id) {
		json_decref(body);
		snprintf(rq->err, sizeof(rq->err), "No id in ARI's answer");
		return false;
	}
	json_object_set_new(resp, "key", cluster_key(rq, ekind, id));
	json_decref(body);
	return true;
}

/* ---- kinds with their own shape ---- */

/* ChannelPlay, BridgePlay: {playback_id, media_uri}. */
static bool h_play(struct cluster_req *rq, json_t *resp, const struct kind *k)
{
	const json_t *p = payload(rq, k);
	struct qs q = { .n = 0 };
	char path[600];
	json_t *body = NULL;

	if (!target(rq, k->path, path, sizeof(path)))
		return false;
	if (!str(p, "media_uri") || !*str(p, "media_uri")) {
		snprintf(rq->err, sizeof(rq->err), "Malformed request: no "
			 "media_uri");
		return false;
	}
	qs_add(&q, "media", str(p, "media_uri"));
	qs_add(&q, "playbackId", str(p, "playback_id"));
	if (!rest(rq, "POST", path, &q, NULL, &body)) {
		json_decref(body);
		return false;
	}
	return created(rq, resp, "playback", body);
}

/* ChannelStagePlay, BridgeStagePlay: the playback's key, nothing played
 * yet (the client sends the real Play later). */
static bool h_stage_play(struct cluster_req *rq, json_t *resp,
			 const struct kind *k)
{
	const char *pb = str(payload(rq, k), "playback_id");
	char path[600], uuid[UUID_STR_LEN];

	if (!target(rq, k->path, path, sizeof(path)) ||
	    !rest(rq, "GET", path, NULL, NULL, NULL))
		return false;
	if (!pb || !*pb) {
		if (uuid_v4(uuid, sizeof(uuid)))
			return false;
		pb = uuid;
	}
	json_object_set_new(resp, "key", cluster_key(rq, "playback", pb));
	return true;
}

static bool h_bridge_create(struct cluster_req *rq, json_t *resp,
			    const struct kind *k)
{
	const json_t *p = payload(rq, k);
	struct qs q = { .n = 0 };
	json_t *body = NULL;

	qs_add(&q, "type", str(p, "type"));
	qs_add(&q, "name", str(p, "name"));
	qs_add(&q, "bridgeId", rq->id);
	if (!rest(rq, "POST", "/bridges", &q, NULL, &body)) {
		json_decref(body);
		return false;
	}
	return created(rq, resp, "bridge", body);
}

/* ChannelOriginate, ChannelCreate: the Go request's fields are ARI's
 * parameter names; empty ones are left out, the app defaults to ours. */
static bool h_originate(struct cluster_req *rq, json_t *resp,
			const struct kind *k)
{
	const char *inner = !strcmp(k->name, "ChannelCreate") ?
		"channel_create_request" : "originate_request";
	const json_t *req = json_object_get(payload(rq, k), inner);
	json_t *body = json_object(), *v, *out = NULL;
	const char *name;
	bool ok;

	json_object_foreach((json_t *)req, name, v) {
		if ((json_is_string(v) && *json_string_value(v)) ||
		    (json_is_integer(v) && json_integer_value(v)) ||
		    (json_is_object(v) && json_object_size(v)))
			json_object_set(body, name, v);
	}
	if (!json_object_get(body, "app"))
		json_object_set_new(body, "app", json_string(rq->app));
	ok = rest(rq, "POST", k->path, NULL, body, &out);
	json_decref(body);
	if (!ok) {
		json_decref(out);
		return false;
	}
	return created(rq, resp, "channel", out);
}

static bool h_variable_get(struct cluster_req *rq, json_t *resp,
			   const struct kind *k)
{
	struct qs q = { .n = 0 };
	char path[600];
	json_t *body = NULL;
	bool ok;

	if (!target(rq, k->path, path, sizeof(path)))
		return false;
	qs_add(&q, "variable", str(payload(rq, k), "name"));
	ok = rest(rq, "GET", path, &q, NULL, &body);
	if (ok)
		json_object_set_new(resp, "data", json_pack("{s:s}", "variable",
			str(body, "value") ? str(body, "value") : ""));
	json_decref(body);
	return ok;
}

static bool h_info(struct cluster_req *rq, json_t *resp, const struct kind *k)
{
	json_t *body = NULL;

	(void)k;
	if (!rest(rq, "GET", "/asterisk/info", NULL, NULL, &body)) {
		json_decref(body);
		return false;
	}
	json_object_set_new(resp, "data", json_pack("{s:o}", "asterisk", body));
	return true;
}

/* ---- payload → query ---- */

static void a_hangup(const json_t *p, struct qs *q)
{
	qs_add(q, "reason", str(p, "reason"));
}

static void a_continue(const json_t *p, struct qs *q)
{
	qs_add(q, "context", str(p, "context"));
	qs_add(q, "extension", str(p, "extension"));
	qs_int(q, "priority", p, "priority");
}

static void a_dtmf(const json_t *p, struct qs *q)
{
	const json_t *o = json_object_get(p, "options");

	qs_add(q, "dtmf", str(p, "dtmf"));
	qs_ms(q, "before", o, "Before");
	qs_ms(q, "between", o, "Between");
	qs_ms(q, "duration", o, "Duration");
	qs_ms(q, "after", o, "After");
}

static void a_var_set(const json_t *p, struct qs *q)
{
	qs_add(q, "variable", str(p, "name"));
	qs_add(q, "value", str(p, "value"));
}

static void a_moh(const json_t *p, struct qs *q)
{
	qs_add(q, "mohClass", str(p, "music"));
}

static void a_add_channel(const json_t *p, struct qs *q)
{
	qs_add(q, "channel", str(p, "channel"));
	qs_add(q, "role", str(p, "role"));
	if (json_is_true(json_object_get(p, "absorbDTMF")))
		qs_add(q, "absorbDTMF", "true");
	if (json_is_true(json_object_get(p, "mute")))
		qs_add(q, "mute", "true");
}

static void a_remove_channel(const json_t *p, struct qs *q)
{
	qs_add(q, "channel", str(p, "channel"));
}

static void a_control(const json_t *p, struct qs *q)
{
	qs_add(q, "operation", str(p, "command"));
}

#define CH "/channels/%s"
#define BR "/bridges/%s"
#define PB "/playbacks/%s"

static const struct kind kinds[] = {
	/* get */
	{"ChannelGet", h_get, "GET", CH, "channel", NULL, NULL},
	{"BridgeGet", h_get, "GET", BR, "bridge", NULL, NULL},
	{"PlaybackGet", h_get, "GET", PB, "playback", NULL, NULL},
	{"ChannelList", h_list, "GET", "/channels", "channel", NULL, NULL},
	{"BridgeList", h_list, "GET", "/bridges", "bridge", NULL, NULL},
	{"ChannelStagePlay", h_stage_play, "GET", CH, "playback", NULL,
	 "channel_play"},
	{"BridgeStagePlay", h_stage_play, "GET", BR, "playback", NULL,
	 "bridge_play"},
	/* data */
	{"ChannelData", h_data, "GET", CH, "channel", NULL, "channel"},
	{"BridgeData", h_data, "GET", BR, "bridge", NULL, "bridge"},
	{"PlaybackData", h_data, "GET", PB, "playback", NULL, "playback"},
	{"ChannelVariableGet", h_variable_get, "GET", CH "/variable",
	 "channel", NULL, "channel_variable"},
	{"AsteriskInfo", h_info, "GET", NULL, NULL, NULL, NULL},
	/* command */
	{"ChannelAnswer", h_command, "POST", CH "/answer", NULL, NULL, NULL},
	{"ChannelHangup", h_command, "DELETE", CH, NULL, a_hangup,
	 "channel_hangup"},
	{"ChannelRing", h_command, "POST", CH "/ring", NULL, NULL, NULL},
	{"ChannelStopRing", h_command, "DELETE", CH "/ring", NULL, NULL, NULL},
	{"ChannelContinue", h_command, "POST", CH "/continue", NULL,
	 a_continue, "channel_continue"},
	{"ChannelSendDTMF", h_command, "POST", CH "/dtmf", NULL, a_dtmf,
	 "channel_send_dtmf"},
	{"ChannelVariableSet", h_command, "POST", CH "/variable", NULL,
	 a_var_set, "channel_variable"},
	{"ChannelMOH", h_command, "POST", CH "/moh", NULL, a_moh,
	 "channel_moh"},
	{"ChannelStopMOH", h_command, "DELETE", CH "/moh", NULL, NULL, NULL},
	{"ChannelSubscribe", h_command, "GET", CH, NULL, NULL, NULL},
	{"BridgeAddChannel", h_command, "POST", BR "/addChannel", NULL,
	 a_add_channel, "bridge_add_channel"},
	{"BridgeRemoveChannel", h_command, "POST", BR "/removeChannel", NULL,
	 a_remove_channel, "bridge_remove_channel"},
	{"BridgeDelete", h_command, "DELETE", BR, NULL, NULL, NULL},
	{"BridgeSubscribe", h_command, "GET", BR, NULL, NULL, NULL},
	{"PlaybackControl", h_command, "POST", PB "/control", NULL, a_control,
	 "playback_control"},
	{"PlaybackStop", h_command, "DELETE", PB, NULL, NULL, NULL},
	{"PlaybackSubscribe", h_command, "GET", PB, NULL, NULL, NULL},
	/* create */
	{"ChannelOriginate", h_originate, "POST", "/channels", "channel", NULL,
	 "channel_originate"},
	{"ChannelCreate", h_originate, "POST", "/channels/create", "channel",
	 NULL, "channel_create"},
	{"ChannelPlay", h_play, "POST", CH "/play", "playback", NULL,
	 "channel_play"},
	{"BridgePlay", h_play, "POST", BR "/play", "playback", NULL,
	 "bridge_play"},
	{"BridgeCreate", h_bridge_create, "POST", "/bridges", "bridge", NULL,
	 "bridge_create"},
};

bool cluster_kind_run(struct cluster_req *rq, json_t *resp)
{
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		if (!strcmp(kinds[i].name, rq->kind))
			return kinds[i].run(rq, resp, &kinds[i]);
	}
	snprintf(rq->err, sizeof(rq->err), "Not implemented");
	return false;
}
