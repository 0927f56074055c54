/* sip_endpoint.c — the configured objects at run time: endpoints, auths and
 * aors found by name, the endpoint a request comes from (identify), where to
 * send to reach an endpoint, and the state the core and ARI see: endpoint
 * online/offline from its contacts, ContactStatusChange and
 * PeerStatusChange events. Not the objects themselves (sip_objects.c) nor
 * what changes contacts (sip_registrar.c, sip_qualify.c). */
#include <errno.h>
#include <stdint.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <re_types.h>
#include <re_fmt.h>
#include <re_mbuf.h>
#include <re_list.h>
#include <re_sa.h>
#include <re_uri.h>
#include <re_msg.h>
#include <re_sip.h>
#include "core/bus.h"
#include "core/endpoint.h"
#include "sip/sip_int.h"

struct sip_endpoint *sip_endpoint_find(const char *name)
{
	struct le *le;

	if (!sipmod.conf || !name)
		return NULL;
	for (le = list_head(&sipmod.conf->endpoints); le; le = le->next) {
		struct sip_endpoint *e = le->data;

		if (!strcmp(e->name, name))
			return e;
	}
	return NULL;
}

struct sip_authobj *sip_authobj_find(const char *name)
{
	struct le *le;

	if (!sipmod.conf || !name)
		return NULL;
	for (le = list_head(&sipmod.conf->auths); le; le = le->next) {
		struct sip_authobj *a = le->data;

		if (!strcmp(a->name, name))
			return a;
	}
	return NULL;
}

struct sip_aor *sip_aor_find(const char *name)
{
	struct le *le;

	if (!sipmod.conf || !name)
		return NULL;
	for (le = list_head(&sipmod.conf->aors); le; le = le->next) {
		struct sip_aor *a = le->data;

		if (!strcmp(a->name, name))
			return a;
	}
	return NULL;
}

/* Asterisk's default identify_by order: ip (identify sections), then the
 * From user as the endpoint name. */
struct sip_endpoint *sip_endpoint_identify(const struct sip_msg *msg)
{
	struct le *le;
	char user[128];

	for (le = list_head(&sipmod.conf->identifies); le; le = le->next) {
		struct sip_identify *i = le->data;

		if (sip_nets_match(&i->nets, &msg->src)) {
			struct sip_endpoint *e = sip_endpoint_find(i->endpoint);

			if (e)
				return e;
		}
	}
	if (!pl_isset(&msg->from.uri.user) ||
	    msg->from.uri.user.l >= sizeof(user))
		return NULL;
	pl_strcpy(&msg->from.uri.user, user, sizeof(user));
	return sip_endpoint_find(user);
}

static bool contact_available(const struct sip_aor *aor,
			      const struct sip_regcontact *c)
{
	if (!aor->qualify_frequency)
		return true;
	return !strcmp(c->status, "Reachable");
}

/* res_pjsip's rule (its endpoint state compositor): an endpoint is online
 * while one of its aors has an available contact (reachable, or any
 * contact when the aor is not qualified). It starts offline, and one
 * without aors, or whose aors do not exist, stays offline. */
void sip_endpoint_update_state(struct sip_endpoint *e)
{
	char tmp[256], *tok, *save = NULL;
	bool online = false;

	if (!e->ep)
		return;
	snprintf(tmp, sizeof(tmp), "%s", e->aors ? e->aors : "");
	for (tok = strtok_r(tmp, ", ", &save); tok && !online;
	     tok = strtok_r(NULL, ", ", &save)) {
		struct sip_aor *aor = sip_aor_find(tok);
		struct le *le;

		if (!aor)
			continue;
		for (le = list_head(&aor->contacts); le; le = le->next)
			if (contact_available(aor, le->data))
				online = true;
	}
	endpoint_set_state(e->ep, online ? ENDPOINT_ONLINE : ENDPOINT_OFFLINE);
}

int sip_endpoint_publish(struct sip_endpoint *e)
{
	int err = 0;

	if (!e->ep)
		err = endpoint_add(&e->ep, "PJSIP", e->name);
	if (err)
		return err;
	sip_endpoint_update_state(e);
	return 0;
}

/* PeerStatusChange as res_pjsip words it: a registration adds
 * (Registered) or removes (Unregistered) a contact, qualify finds it
 * Reachable or Unreachable. Unknown/NonQualified are not peer states. */
static void peer_status_publish(struct sip_endpoint *e,
				const struct sip_regcontact *c,
				const char *status)
{
	struct bus_event ev = {0};
	char addr[64] = "", port[8] = "";
	const char *peer;

	if (!strcmp(status, "Reachable") || !strcmp(status, "Unreachable"))
		peer = status;
	else if (!strcmp(status, "Removed"))
		peer = "Unregistered";
	else if (c->expires && !strcmp(status, "Unknown") && c->rtt_usec < 0)
		peer = "Registered";
	else if (c->expires && !strcmp(status, "NonQualified"))
		peer = "Registered";
	else
		return;
	if (sa_isset(&c->src, SA_ADDR)) {
		re_snprintf(addr, sizeof(addr), "%j", &c->src);
		snprintf(port, sizeof(port), "%u", sa_port(&c->src));
	} else {
		struct pl host, p;

		if (!re_regex(c->uri, strlen(c->uri), "@[^:;>]+[:]*[0-9]*",
			      &host, NULL, &p)) {
			pl_strcpy(&host, addr, sizeof(addr));
			if (pl_isset(&p))
				pl_strcpy(&p, port, sizeof(port));
		}
	}
	ev.type = BUS_PEER_STATUS;
	ev.endpoint = e->ep;
	ev.status = peer;
	ev.address = *addr ? addr : NULL;
	ev.port = *port ? port : NULL;
	bus_publish(&ev);
}

/* ContactStatusChange for every endpoint using the contact's aor, then
 * their states. */
void sip_contact_status_publish(struct sip_regcontact *c, const char *status)
{
	struct le *le;

	c->status = status;
	if (!sipmod.conf)
		return;
	for (le = list_head(&sipmod.conf->endpoints); le; le = le->next) {
		struct sip_endpoint *e = le->data;
		struct bus_event ev = {0};

		if (!e->ep || !e->aors || !sip_list_has(e->aors, c->aor->name))
			continue;
		ev.type = BUS_CONTACT_STATUS;
		ev.endpoint = e->ep;
		ev.uri = c->uri;
		ev.status = status;
		ev.aor = c->aor->name;
		ev.rtt_usec = c->rtt_usec;
		bus_publish(&ev);
		peer_status_publish(e, c, status);
		sip_endpoint_update_state(e);
	}
}

int sip_endpoint_contact_uri(const struct sip_endpoint *e, char *buf,
			     size_t size)
{
	char tmp[256], *tok, *save = NULL;

	if (!e->aors)
		return ENOENT;
	snprintf(tmp, sizeof(tmp), "%s", e->aors);
	for (tok = strtok_r(tmp, ", ", &save); tok;
	     tok = strtok_r(NULL, ", ", &save)) {
		struct sip_aor *aor = sip_aor_find(tok);
		struct le *le;

		if (!aor)
			continue;
		/* the newest registration is the phone most likely alive */
		for (le = aor->contacts.tail; le; le = le->prev) {
			struct sip_regcontact *c = le->data;

			if (!strcmp(c->status, "Unreachable"))
				continue;
			snprintf(buf, size, "%s", c->uri);
			return 0;
		}
	}
	return ENOENT;
}

int sip_endpoint_resource(const char *resource, struct sip_endpoint **ep,
			  char *uri, size_t size)
{
	const char *slash = strchr(resource, '/');
	char name[128];

	snprintf(name, sizeof(name), "%.*s",
		 (int)(slash ? (size_t)(slash - resource) : strlen(resource)),
		 resource);
	*ep = sip_endpoint_find(name);
	if (!*ep)
		return ENOENT;
	if (slash) {
		snprintf(uri, size, "%s", slash + 1);
		return 0;
	}
	return sip_endpoint_contact_uri(*ep, uri, size);
}

/* The core registry entries go before the objects do. */
void sip_endpoints_unpublish(void)
{
	struct le *le;

	if (!sipmod.conf)
		return;
	for (le = list_head(&sipmod.conf->endpoints); le; le = le->next) {
		struct sip_endpoint *e = le->data;

		if (e->ep)
			endpoint_remove(e->ep);
		e->ep = NULL;
	}
}
