/* cluster_bus.c — the NATS side of a cluster node, on libnats: the
 * connection (retried and reconnected for ever, logged Asterisk-style),
 * the subscriptions of ari-proxy's subjects, and the hand-over of what
 * arrives to ariadne's loop. libnats delivers on its own threads; a
 * callback only queues the message (a mutex-held list, and libre's
 * mqueue to wake the loop), so the loop does every piece of work and
 * publishes every reply itself (natsConnection_Publish is thread-safe).
 * Nothing here knows ARI or the meaning of a request. */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <nats/nats.h>
#include <re_types.h>
#include <re_mem.h>
#include <re_mqueue.h>
#include "base/log.h"
#include "cluster/cluster_int.h"

enum {
	SUBS_MAX = CLUSTER_APPS_MAX * CLUSTER_NCLASSES * 3 + 2,
	MQ_MSGS = 1, MQ_CONNECTED, MQ_DISCONNECTED, MQ_RECONNECTED, MQ_CLOSED,
};

/* One subscription; its address is the libnats callback's closure. */
struct csub {
	natsSubscription *sub;
	int app;                  /* index in cc->apps; -1: ping, announce */
	enum cluster_class cls;
	int level;                /* 0 bare, 1 app, 2 app.node */
	char subject[3 * CLUSTER_TOKEN_MAX + 16];
};

/* A message on its way to the loop (plain malloc: made on a libnats
 * thread). */
struct inmsg {
	struct inmsg *next;
	natsMsg *msg;
	const struct csub *cs;
};

static const char *const class_names[CLUSTER_NCLASSES] = {
	"get", "data", "command", "create",
};

static struct {
	const struct cluster_conf *cc;
	natsOptions *opts;
	natsConnection *nc;
	struct mqueue *mq;
	pthread_mutex_t lock;     /* head, tail */
	struct inmsg *head, *tail;
	cluster_recv_h *recv;
	void (*up)(void);
	struct csub subs[SUBS_MAX];
	int nsubs;
	bool lock_made;
} bus;

/* libnats thread: queue, wake the loop when the list was empty. */
static void on_msg(natsConnection *nc, natsSubscription *sub, natsMsg *msg,
		   void *closure)
{
	struct inmsg *m = malloc(sizeof(*m));
	bool wake;

	(void)nc;
	(void)sub;
	if (!m) {
		natsMsg_Destroy(msg);
		return;
	}
	m->next = NULL;
	m->msg = msg;
	m->cs = closure;
	pthread_mutex_lock(&bus.lock);
	wake = !bus.head;
	if (bus.tail)
		bus.tail->next = m;
	else
		bus.head = m;
	bus.tail = m;
	pthread_mutex_unlock(&bus.lock);
	if (wake)
		(void)mqueue_push(bus.mq, MQ_MSGS, NULL);
}

static void on_connected(natsConnection *nc, void *closure)
{
	(void)nc;
	(void)mqueue_push(bus.mq, (int)(intptr_t)closure, NULL);
}

static struct inmsg *take_all(void)
{
	struct inmsg *m;

	pthread_mutex_lock(&bus.lock);
	m = bus.head;
	bus.head = bus.tail = NULL;
	pthread_mutex_unlock(&bus.lock);
	return m;
}

static void deliver_all(void)
{
	struct inmsg *m = take_all();

	while (m) {
		struct inmsg *next = m->next;
		const char *reply = natsMsg_GetReply(m->msg);

		bus.recv(m->cs->app, m->cs->cls, natsMsg_GetSubject(m->msg),
			 reply ? reply : "", natsMsg_GetData(m->msg),
			 (size_t)natsMsg_GetDataLength(m->msg));
		natsMsg_Destroy(m->msg);
		free(m);
		m = next;
	}
}

static void log_state(int id)
{
	char url[256] = "";

	if (bus.nc && natsConnection_GetConnectedUrl(bus.nc, url,
						     sizeof(url)) != NATS_OK)
		url[0] = '\0';
	switch (id) {
	case MQ_CONNECTED:
		log_notice("Connected to NATS at %s as node '%s'",
			   url[0] ? url : bus.cc->url, bus.cc->node);
		break;
	case MQ_RECONNECTED:
		log_notice("Reconnected to NATS at %s", url[0] ? url :
			   bus.cc->url);
		break;
	case MQ_DISCONNECTED:
		log_warning("Disconnected from NATS (%s): reconnecting",
			    bus.cc->url);
		break;
	case MQ_CLOSED:
		log_warning("NATS connection closed");
		break;
	}
}

/* The loop. */
static void mq_handler(int id, void *data, void *arg)
{
	(void)data;
	(void)arg;
	if (id == MQ_MSGS) {
		deliver_all();
		return;
	}
	log_state(id);
	if ((id == MQ_CONNECTED || id == MQ_RECONNECTED) && bus.up)
		bus.up();
}

static int nats_err(natsStatus s, const char *what)
{
	log_error("NATS: %s failed: %s", what, natsStatus_GetText(s));
	return EIO;
}

static natsStatus set_options(natsOptions *o, const struct cluster_conf *cc)
{
	char name[sizeof(cc->node) + sizeof(cc->apps[0]) * 2 + 16];
	natsStatus s;
	int n;

	n = snprintf(name, sizeof(name), "ariadne/%s/", cc->node);
	for (int i = 0; i < cc->napps && n < (int)sizeof(name); i++)
		n += snprintf(name + n, sizeof(name) - n, "%s%s", i ? "," : "",
			      cc->apps[i]);
	s = natsOptions_SetURL(o, cc->url);
	if (s == NATS_OK) s = natsOptions_SetName(o, name);
	if (s == NATS_OK) s = natsOptions_SetMaxReconnect(o, -1);
	if (s == NATS_OK) s = natsOptions_SetReconnectWait(o, 500);
	if (s == NATS_OK) s = natsOptions_SetTimeout(o, 1000);
	/* our own announcements and requests never come back to us: an
	 * announcement of our node id is another process's */
	if (s == NATS_OK) s = natsOptions_SetNoEcho(o, true);
	if (s == NATS_OK) s = natsOptions_UseGlobalMessageDelivery(o, true);
	if (s == NATS_OK) s = natsOptions_SetRetryOnFailedConnect(o, true,
		on_connected, (void *)(intptr_t)MQ_CONNECTED);
	if (s == NATS_OK) s = natsOptions_SetDisconnectedCB(o, on_connected,
		(void *)(intptr_t)MQ_DISCONNECTED);
	if (s == NATS_OK) s = natsOptions_SetReconnectedCB(o, on_connected,
		(void *)(intptr_t)MQ_RECONNECTED);
	if (s == NATS_OK) s = natsOptions_SetClosedCB(o, on_connected,
		(void *)(intptr_t)MQ_CLOSED);
	return s;
}

int cluster_bus_open(const struct cluster_conf *cc, cluster_recv_h *recv,
		     void (*up)(void))
{
	natsStatus s;
	int err;

	bus.cc = cc;
	bus.recv = recv;
	bus.up = up;
	if (pthread_mutex_init(&bus.lock, NULL))
		return ENOMEM;
	bus.lock_made = true;
	err = mqueue_alloc(&bus.mq, mq_handler, NULL);
	if (err)
		return err;
	s = natsOptions_Create(&bus.opts);
	if (s != NATS_OK)
		return nats_err(s, "options");
	s = set_options(bus.opts, cc);
	if (s != NATS_OK)
		return nats_err(s, "options");
	s = natsConnection_Connect(&bus.nc, bus.opts);
	if (s == NATS_OK) {
		log_state(MQ_CONNECTED);
		return 0;
	}
	if (s == NATS_NOT_YET_CONNECTED) {
		log_warning("NATS at %s is not reachable yet: retrying in the "
			    "background", cc->url);
		return 0;
	}
	return nats_err(s, "connect");
}

bool cluster_bus_connected(void)
{
	return bus.nc && natsConnection_Status(bus.nc) == NATS_CONN_STATUS_CONNECTED;
}

static int sub_make(struct csub *cs)
{
	natsStatus s;

	if (cs->cls == CLUSTER_CREATE)
		s = natsConnection_QueueSubscribe(&cs->sub, bus.nc, cs->subject,
						  "ariproxy", on_msg, cs);
	else
		s = natsConnection_Subscribe(&cs->sub, bus.nc, cs->subject,
					     on_msg, cs);
	if (s != NATS_OK) {
		cs->sub = NULL;
		return nats_err(s, cs->subject);
	}
	return 0;
}

static int sub_add(int app, enum cluster_class cls, int level,
		   const char *subject)
{
	struct csub *cs;

	if (bus.nsubs == SUBS_MAX)
		return ENOSPC;
	cs = &bus.subs[bus.nsubs++];
	cs->app = app;
	cs->cls = cls;
	cs->level = level;
	snprintf(cs->subject, sizeof(cs->subject), "%s", subject);
	return sub_make(cs);
}

int cluster_bus_subscribe_all(void)
{
	const struct cluster_conf *cc = bus.cc;
	char subj[sizeof(bus.subs[0].subject)];
	int err;

	snprintf(subj, sizeof(subj), "%sping", cc->prefix);
	if ((err = sub_add(-1, CLUSTER_PING, 0, subj)))
		return err;
	snprintf(subj, sizeof(subj), "%sannounce", cc->prefix);
	if ((err = sub_add(-1, CLUSTER_ANNOUNCE, 0, subj)))
		return err;
	for (int a = 0; a < cc->napps; a++) {
		for (int c = 0; c < CLUSTER_NCLASSES; c++) {
			const char *cn = class_names[c];

			snprintf(subj, sizeof(subj), "%s%s", cc->prefix, cn);
			err = sub_add(a, c, 0, subj);
			snprintf(subj, sizeof(subj), "%s%s.%s", cc->prefix, cn,
				 cc->apps[a]);
			err = err ? err : sub_add(a, c, 1, subj);
			snprintf(subj, sizeof(subj), "%s%s.%s.%s", cc->prefix,
				 cn, cc->apps[a], cc->node);
			err = err ? err : sub_add(a, c, 2, subj);
			if (err)
				return err;
		}
	}
	return 0;
}

static void sub_drop(struct csub *cs)
{
	if (!cs->sub)
		return;
	(void)natsSubscription_Unsubscribe(cs->sub);
	natsSubscription_Destroy(cs->sub);
	cs->sub = NULL;
}

void cluster_bus_create_group(bool on)
{
	for (int i = 0; i < bus.nsubs; i++) {
		struct csub *cs = &bus.subs[i];

		/* the node's own create subject stays: creates on its existing
		 * calls (ChannelPlay) are still served while draining */
		if (cs->cls != CLUSTER_CREATE || cs->level == 2)
			continue;
		if (on && !cs->sub)
			(void)sub_make(cs);
		else if (!on)
			sub_drop(cs);
	}
}

int cluster_bus_publish(const char *subject, const char *data, size_t len)
{
	natsStatus s;

	if (!bus.nc)
		return ENOTCONN;
	s = natsConnection_Publish(bus.nc, subject, data, (int)len);
	return s == NATS_OK ? 0 : EIO;
}

int cluster_bus_ping_collect(unsigned wait_ms,
			     bool (*h)(const char *data, size_t len, void *arg),
			     void *arg)
{
	char subj[sizeof(bus.subs[0].subject)];
	natsSubscription *sub = NULL;
	int64_t deadline = nats_Now() + wait_ms;
	natsStatus s;

	snprintf(subj, sizeof(subj), "%sannounce", bus.cc->prefix);
	s = natsConnection_SubscribeSync(&sub, bus.nc, subj);
	if (s != NATS_OK)
		return nats_err(s, subj);
	snprintf(subj, sizeof(subj), "%sping", bus.cc->prefix);
	s = natsConnection_PublishString(bus.nc, subj,
					 "{\"kind\":\"\",\"key\":null}");
	if (s == NATS_OK)
		s = natsConnection_FlushTimeout(bus.nc, wait_ms);
	while (s == NATS_OK && nats_Now() < deadline) {
		natsMsg *m = NULL;
		bool found;

		if (natsSubscription_NextMsg(&m, sub, deadline - nats_Now()) !=
		    NATS_OK)
			break;
		found = h(natsMsg_GetData(m), (size_t)natsMsg_GetDataLength(m),
			  arg);
		natsMsg_Destroy(m);
		if (found)
			break;
	}
	(void)natsSubscription_Unsubscribe(sub);
	natsSubscription_Destroy(sub);
	return s == NATS_OK ? 0 : nats_err(s, "ping");
}

void cluster_bus_close(void)
{
	struct inmsg *m;
	natsStatus s;

	for (int i = 0; i < bus.nsubs; i++)
		sub_drop(&bus.subs[i]);
	bus.nsubs = 0;
	if (bus.nc) {
		/* what is queued (events, replies) goes out first */
		(void)natsConnection_FlushTimeout(bus.nc, 500);
		natsConnection_Destroy(bus.nc);
		bus.nc = NULL;
	}
	natsOptions_Destroy(bus.opts);
	bus.opts = NULL;
	if (!bus.mq)
		return;
	/* every libnats thread gone: nothing can queue or wake any more */
	s = nats_CloseAndWait(5000);
	if (s != NATS_OK) {
		log_warning("NATS library did not stop in time: %s",
			    natsStatus_GetText(s));
		return;
	}
	for (m = take_all(); m;) {
		struct inmsg *next = m->next;

		natsMsg_Destroy(m->msg);
		free(m);
		m = next;
	}
	bus.mq = mem_deref(bus.mq);
	if (bus.lock_made)
		pthread_mutex_destroy(&bus.lock);
	bus.lock_made = false;
}
