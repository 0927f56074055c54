/* endpoint.h — the registry of endpoints (PJSIP/alice, ...) that channel
 * technologies declare, with their state and their channels, plus the
 * per-technology operations the ARI endpoints resource needs (out-of-call
 * messages). A channel belongs to an endpoint when the tech names it with
 * channel_set_endpoint(); the endpoint's channel_ids are derived from that,
 * and EndpointStateChange is published when they or the state change. */
#ifndef ARIADNE_ENDPOINT_H
#define ARIADNE_ENDPOINT_H

#include <stdbool.h>
#include <stddef.h>

struct endpoint;
struct channel;

enum endpoint_state {
	ENDPOINT_UNKNOWN = 0,
	ENDPOINT_OFFLINE,
	ENDPOINT_ONLINE,
};

struct endpoint_tech_ops {
	/* Out-of-call message to `resource` (an endpoint name, or a URI when
	 * the ARI request gave one, e.g. "alice" or "sip:bob@host"). keys and
	 * values are extra headers. ENOENT: no such destination. */
	int (*send_message)(const char *resource, const char *from,
			    const char *body, const char *const *keys,
			    const char *const *values, int n);
	/* Out-of-dialog REFER (RFC 3515) to `resource` (as for send_message)
	 * asking it to contact refer_to (an endpoint name or a URI); with
	 * to_self a local endpoint is named by this server's own address.
	 * keys/values are extra headers. ENOENT: no such destination,
	 * EINVAL: unusable refer_to or header. */
	int (*refer)(const char *resource, const char *from,
		     const char *refer_to, bool to_self,
		     const char *const *keys, const char *const *values,
		     int n);
};

/* A technology that has endpoints ("PJSIP"). ops may be NULL. */
int endpoint_tech_register(const char *tech,
			   const struct endpoint_tech_ops *ops);
bool endpoint_tech_exists(const char *tech);
const struct endpoint_tech_ops *endpoint_tech_ops(const char *tech);

/* Add an endpoint (state unknown). EEXIST if tech/resource exists. The
 * registry owns it until endpoint_remove(). */
int endpoint_add(struct endpoint **epp, const char *tech,
		 const char *resource);
void endpoint_remove(struct endpoint *ep);
/* tech compared case-insensitively, resource case-sensitively. */
struct endpoint *endpoint_find(const char *tech, const char *resource);
/* "PJSIP/alice" */
struct endpoint *endpoint_find_id(const char *tech_resource);

const char *endpoint_tech(const struct endpoint *ep);
const char *endpoint_resource(const struct endpoint *ep);
enum endpoint_state endpoint_get_state(const struct endpoint *ep);
const char *endpoint_state_str(enum endpoint_state st); /* "online" ... */
/* Publishes EndpointStateChange when the state changes. */
void endpoint_set_state(struct endpoint *ep, enum endpoint_state st);

/* Every endpoint (tech NULL) or those of one tech, in insertion order. */
void endpoint_foreach(const char *tech,
		      void (*h)(struct endpoint *ep, void *arg), void *arg);
/* Channels of the endpoint, in creation order. */
void endpoint_channel_foreach(const struct endpoint *ep,
			      void (*h)(struct channel *ch, void *arg),
			      void *arg);
size_t endpoint_channel_count(const struct endpoint *ep);

/* Watch channels joining and leaving endpoints (a channel hook). */
int endpoint_init(void);
void endpoint_close(void);

#endif
