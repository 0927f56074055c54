/* door.h — a listening TCP socket that libre opened and keeps (door.c),
 * seen from outside: its backlog, closing it to new connections and
 * refusing those already waiting. Knows nothing of SIP. */
#ifndef ARIADNE_NET_DOOR_H
#define ARIADNE_NET_DOOR_H

#include <stdbool.h>

struct sa;
struct door;

/* The listening TCP socket bound to laddr (ENOENT when there is none). The
 * socket stays libre's: free the door before libre closes it. */
int door_find(struct door **dp, const struct sa *laddr);
/* Whether it listens at laddr. */
bool door_is_at(const struct door *d, const struct sa *laddr);
/* listen() again with this backlog (libre's tcp_listen() asks for 5). */
int door_backlog(struct door *d, int backlog);
/* Nagle off for every connection accepted from now on (Linux copies
 * TCP_NODELAY from the listener to what it accepts). */
int door_nodelay(struct door *d);
/* Shut: the kernel drops new SYNs (clients retry), so connections stop
 * reaching the queue; open: back to normal. Idempotent. */
int door_shut(struct door *d, bool shut);
/* Accept and close every connection waiting in the queue, even when no
 * descriptor is free (one is kept aside for it). Returns how many. */
unsigned door_refuse_waiting(struct door *d);
/* For each connection this listener accepted and that is established:
 * h(peer), true to shut it down (both ways: its owner sees the stream end
 * and closes it). A walk of every descriptor (about 1.5 µs each): for when
 * they are short or a peer misbehaves, not for every second. Returns how
 * many were shut down. */
typedef bool (door_child_h)(const struct sa *peer, void *arg);
unsigned door_walk_children(struct door *d, door_child_h *h, void *arg);

#endif
