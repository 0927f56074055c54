/* cluster.c — start-up and life of a cluster node (cluster.h): nats.conf,
 * the node id (it becomes the entity id every event and AsteriskInfo
 * carry, and the prefix of the channel ids this node makes, so two nodes
 * never make the same one; checked unique against the nodes already
 * there), the apps held as if a client were connected, announcements
 * (at start, on ping, every announce_interval), requests to replies, ARI
 * events to <prefix>event.<app>.<node>, and drain: no announcements and no
 * create queue group while the node is being taken out of service. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <re_types.h>
#include <re_fmt.h>
#include <re_list.h>
#include <re_tmr.h>
#include "ari/ari.h"
#include "base/log.h"
#include "base/options.h"
#include "core/channel.h"
#include "core/overload.h"
#include "cluster/cluster.h"
#include "cluster/cluster_int.h"

/* How long a starting node waits for another node to claim its node id. */
enum { DUP_WAIT_MS = 1000 };

static struct {
	bool on;
	struct cluster_conf cc;
	struct tmr announce;
	bool held[CLUSTER_APPS_MAX];
	bool dup_logged;
	int dup_seen;                     /* ping_collect's findings */
} cl;

static void publish_text(const char *subject, const char *text)
{
	int err = cluster_bus_publish(subject, text, strlen(text));

	if (err)
		log_debug(1, "NATS publish on %s failed: %s", subject,
			  strerror(err));
}

/* {"node","application"} per app: ari-proxy's Announcement. */
static void announce_all(void)
{
	char subj[CLUSTER_TOKEN_MAX + 16];

	if (overload_draining())
		return;
	snprintf(subj, sizeof(subj), "%sannounce", cl.cc.prefix);
	for (int i = 0; i < cl.cc.napps; i++) {
		json_t *j = json_pack("{s:s, s:s}", "node", cl.cc.node,
				      "application", cl.cc.apps[i]);
		char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;

		if (text)
			publish_text(subj, text);
		free(text);  /* json_dumps() output is jansson's */
		json_decref(j);
	}
}

static void announce_tick(void *arg)
{
	(void)arg;
	announce_all();
	tmr_start(&cl.announce, cl.cc.announce_s * 1000u, announce_tick, NULL);
}

static void bus_up(void)
{
	announce_all();
}

/* Somebody else announcing our node id: no echo is on, so it is never
 * us. */
static bool is_duplicate(const char *data, size_t len)
{
	json_t *j = json_loadb(data, len, 0, NULL);
	const char *node = json_string_value(json_object_get(j, "node"));
	bool dup = node && !strcmp(node, cl.cc.node);

	json_decref(j);
	return dup;
}

static void on_request(int app, enum cluster_class cls, const char *subject,
		       const char *reply, const char *data, size_t len)
{
	json_t *resp;
	char *text;

	if (cls == CLUSTER_PING) {
		announce_all();
		return;
	}
	if (cls == CLUSTER_ANNOUNCE) {
		if (is_duplicate(data, len) && !cl.dup_logged) {
			cl.dup_logged = true;
			log_error("Another process announces node id '%s' on "
				  "NATS: node ids must be unique in the cluster "
				  "(nats.conf node_id)", cl.cc.node);
		}
		return;
	}
	if (app < 0 || !*reply) {
		log_debug(1, "NATS message on %s without a reply subject "
			  "ignored", subject);
		return;
	}
	resp = cluster_req_handle(cl.cc.apps[app], cl.cc.node, data, len);
	text = resp ? json_dumps(resp, JSON_COMPACT) : NULL;
	json_decref(resp);
	if (text)
		publish_text(reply, text);
	free(text);
}

/* The tap: every event of an app this node serves, as the app's socket
 * would get it (application, asterisk_id = node id, ARI timestamp). */
static void on_event(const char *app, const char *json, void *arg)
{
	char subj[3 * CLUSTER_TOKEN_MAX + 16];

	(void)arg;
	for (int i = 0; i < cl.cc.napps; i++) {
		if (strcmp(cl.cc.apps[i], app))
			continue;
		snprintf(subj, sizeof(subj), "%sevent.%s.%s", cl.cc.prefix, app,
			 cl.cc.node);
		publish_text(subj, json);
		return;
	}
}

static void on_drain(bool on, void *arg)
{
	(void)arg;
	if (!cl.on)
		return;
	cluster_bus_create_group(!on);
	if (on) {
		tmr_cancel(&cl.announce);
		log_notice("Cluster node '%s' draining: no longer announced, "
			   "left the create queue group; its calls stay "
			   "controllable", cl.cc.node);
		return;
	}
	log_notice("Cluster node '%s' back in service: announced, in the "
		   "create queue group again", cl.cc.node);
	announce_tick(NULL);
}

static bool collect_dup(const char *data, size_t len, void *arg)
{
	(void)arg;
	if (is_duplicate(data, len))
		cl.dup_seen++;
	return cl.dup_seen > 0;
}

/* The node id becomes the entity id, and the channel id prefix: its
 * letters and digits, then '-' (aa:00:00:00:00:01 → aa0000000001-). */
static int adopt_node_id(void)
{
	char prefix[CLUSTER_TOKEN_MAX + 1];
	size_t n = 0;

	snprintf(options.entity_id, sizeof(options.entity_id), "%s",
		 cl.cc.node);
	for (const char *p = cl.cc.node; *p && n + 2 < sizeof(prefix); p++) {
		if ((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= 'A' && *p <= 'Z') || *p == '_' || *p == '-')
			prefix[n++] = *p;
	}
	prefix[n++] = '-';
	prefix[n] = '\0';
	return channel_id_prefix_set(prefix);
}

static int hold_apps(void)
{
	for (int i = 0; i < cl.cc.napps; i++) {
		int err = ari_app_hold(cl.cc.apps[i]);

		if (err) {
			log_error("Cannot hold Stasis app '%s' for the cluster: "
				  "%s", cl.cc.apps[i], strerror(err));
			return err;
		}
		cl.held[i] = true;
	}
	return 0;
}

static int start(void)
{
	int err;

	err = adopt_node_id();
	if (!err)
		err = cluster_bus_open(&cl.cc, on_request, bus_up);
	if (err)
		return err;
	/* ari-proxy checks its entity id; we ask the cluster whether the
	 * node id is taken (only possible when NATS is up right now). The
	 * holder answers from its own loop, which a busy machine can keep
	 * for some hundred ms: wait up to DUP_WAIT_MS, less when it answers
	 * (300 ms was too short to be sure under a sanitizer on 2 busy
	 * cores). */
	if (cluster_bus_connected() &&
	    !cluster_bus_ping_collect(DUP_WAIT_MS, collect_dup, NULL) &&
	    cl.dup_seen) {
		log_error("Node id '%s' is already announced on NATS by another "
			  "node: refusing to start (set a unique node_id in "
			  "nats.conf)", cl.cc.node);
		return EADDRINUSE;
	}
	err = hold_apps();
	if (!err)
		err = cluster_bus_subscribe_all();
	if (!err)
		err = overload_drain_watch(on_drain, NULL);
	if (err)
		return err;
	if (overload_draining())
		cluster_bus_create_group(false);
	else
		announce_tick(NULL);
	return 0;
}

int cluster_init(const struct config *cfg)
{
	int err = cluster_conf_load(&cl.cc, cfg, options.entity_id);

	if (err == ENOENT) {
		log_verbose(2, "No NATS url in nats.conf: not a cluster node");
		return 0;
	}
	if (err)
		return err;
	cl.on = true;
	tmr_init(&cl.announce);
	err = start();
	if (err) {
		cluster_close();
		return err;
	}
	ari_event_tap_set(on_event, NULL);
	log_notice("Cluster node '%s' serving %d app%s over NATS (prefix "
		   "'%s')", cl.cc.node, cl.cc.napps, cl.cc.napps == 1 ? "" : "s",
		   cl.cc.prefix);
	return 0;
}

void cluster_close(void)
{
	if (!cl.on)
		return;
	cl.on = false;
	ari_event_tap_set(NULL, NULL);
	tmr_cancel(&cl.announce);
	cluster_bus_close();
	for (int i = 0; i < cl.cc.napps; i++) {
		if (cl.held[i])
			ari_app_unhold(cl.cc.apps[i]);
		cl.held[i] = false;
	}
}
