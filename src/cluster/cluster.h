/* cluster.h — ariadne as a node of a cluster on NATS that speaks CyCore's
 * ari-proxy protocol (docs/CLUSTER.md). Public face for main.c only. */
#ifndef ARIADNE_CLUSTER_H
#define ARIADNE_CLUSTER_H

struct config;

/* Start per nats.conf (`cfg` may be NULL: no file, cluster off). Runs
 * after ari_init. Connecting never blocks start-up: a NATS server that is
 * down is retried in the background. EADDRINUSE when another node already
 * announces our node_id (the server must not start); EINVAL for a bad
 * nats.conf. */
int cluster_init(const struct config *cfg);
/* Leave the cluster before ari_close: unsubscribe, close the connection,
 * release libnats. Safe when cluster_init did nothing. */
void cluster_close(void);

#endif
