/* ws_share.h — several event sockets sharing one app, /ari/events?app=x&
 * share=true (ws_share.c): an ariadne extension, docs/ARI-EXTENSIONS.md.
 * Internal to src/ari: the sockets are ws_events.c's, opaque here. */
#ifndef ARIADNE_ARI_WS_SHARE_H
#define ARIADNE_ARI_WS_SHARE_H

#include <stdbool.h>
#include <stddef.h>

struct bus_event;
struct ws_share;

/* What ws_events.c does for the group: an event as text (numbered and
 * kept; NULL when filtered out; freed with free()), send a text to one
 * socket, tell one socket it lost the app (ApplicationReplaced). */
struct ws_share_ops {
	char *(*text)(const char *app, const struct bus_event *ev);
	void (*send)(void *sock, const char *text);
	void (*replaced)(void *sock, const char *app,
			 const struct bus_event *ev);
};
void ws_share_init(const struct ws_share_ops *ops);

/* The group holding `app`, or NULL. */
struct ws_share *ws_share_find(const char *app);
/* A new, empty group for `app`; the caller registers it with Stasis as
 * the owner, with ws_share_deliver. */
struct ws_share *ws_share_new(const char *app);
/* Stasis' deliver callback for a group (owner = the group). Channel
 * events go to the socket the channel is given to, the rest to all. */
void ws_share_deliver(const char *app, const struct bus_event *ev,
		      void *owner);
int ws_share_add(struct ws_share *g, void *sock);
/* The socket leaves: its channels go to the others. Returns the number of
 * sockets left; at 0 the caller ends the group (ws_share_free) after
 * handing the app on. */
size_t ws_share_remove(struct ws_share *g, void *sock);
void ws_share_free(struct ws_share *g);
/* Channels given to `sock` in g (for tests and `ari show apps`). */
size_t ws_share_load(const struct ws_share *g, const void *sock);
void ws_share_close_all(void);

#endif
