/* cluster_int.h — what the files of src/cluster share: the settings of
 * nats.conf, the NATS side (cluster_bus.c) and the request side
 * (cluster_req.c, cluster_kinds.c). Internal to the folder. */
#ifndef ARIADNE_CLUSTER_INT_H
#define ARIADNE_CLUSTER_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

enum {
	CLUSTER_APPS_MAX = 16,
	CLUSTER_TOKEN_MAX = 64,
};

/* nats.conf [general] (cluster_conf.c). */
struct cluster_conf {
	char url[256];
	char prefix[CLUSTER_TOKEN_MAX];   /* "ari." */
	char node[CLUSTER_TOKEN_MAX];     /* node id = Asterisk entity id */
	char apps[CLUSTER_APPS_MAX][CLUSTER_TOKEN_MAX];
	int napps;
	unsigned announce_s;
};

/* EINVAL with an ERROR logged when a value is wrong; ENOENT when the
 * cluster is off (no url). node defaults to `default_node`. */
int cluster_conf_load(struct cluster_conf *cc, const struct config *cfg,
		      const char *default_node);
/* A NATS subject token: no '.', '*', '>' or white space; not empty. */
bool cluster_token_ok(const char *s);

/* The request classes of ari-proxy, and what the bus also hands over. */
enum cluster_class {
	CLUSTER_GET,
	CLUSTER_DATA,
	CLUSTER_COMMAND,
	CLUSTER_CREATE,
	CLUSTER_NCLASSES,
	CLUSTER_PING = CLUSTER_NCLASSES,
	CLUSTER_ANNOUNCE,
};

/* One request of an app, decoded (cluster_req.c). */
struct cluster_req {
	const char *app;        /* the app whose subject it came on */
	const char *node;
	const char *kind;
	const json_t *root;     /* the whole Request */
	const json_t *key;      /* NULL when absent or null */
	const char *id;         /* key.id, "" when none */
	const char *dialog;     /* key.dialog, NULL when none */
	char err[256];          /* a handler's error text */
};

/* The Response to one Request body: always an object with "error". New
 * reference. */
json_t *cluster_req_handle(const char *app, const char *node,
			   const char *data, size_t len);

/* Runs rq's kind, filling resp (key, keys, data); false with rq->err set
 * on failure ("Not implemented" for a kind we do not know). */
bool cluster_kind_run(struct cluster_req *rq, json_t *resp);
/* A key {kind, id, node, app[, dialog]} stamped for rq. New reference. */
json_t *cluster_key(const struct cluster_req *rq, const char *kind,
		    const char *id);

/* The NATS side (cluster_bus.c). Messages are handed to `recv` on the
 * loop; replies and events are published from the loop. */
typedef void (cluster_recv_h)(int app, enum cluster_class cls,
			      const char *subject, const char *reply,
			      const char *data, size_t len);
/* `up` is called on the loop each time the connection is (re)made. A
 * server that is down is not an error: libnats keeps trying. */
int cluster_bus_open(const struct cluster_conf *cc, cluster_recv_h *recv,
		     void (*up)(void));
/* Connected now? */
bool cluster_bus_connected(void);
int cluster_bus_subscribe_all(void);
/* Leave or rejoin the create queue group at the bare and app levels. */
void cluster_bus_create_group(bool on);
int cluster_bus_publish(const char *subject, const char *data, size_t len);
/* At start-up only, blocking at most wait_ms: the announcements seen after
 * one ping, handed to `h` until it returns true (found what it looked for). */
int cluster_bus_ping_collect(unsigned wait_ms,
			     bool (*h)(const char *data, size_t len, void *arg),
			     void *arg);
void cluster_bus_close(void);

#endif
