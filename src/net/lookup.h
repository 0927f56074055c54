/* lookup.h — a host name to an address without stalling the event loop
 * for long (lookup.c). Knows nothing of what the address is for. */
#ifndef ARIADNE_NET_LOOKUP_H
#define ARIADNE_NET_LOOKUP_H

#include <sys/socket.h>

/* The first address of `host` (a name; numeric addresses need no
 * lookup), as the system resolver gives it, into *out (sockaddr_storage
 * sized, its length in *len). A name looked up in the last LOOKUP_KEEP_S
 * seconds is answered from memory; otherwise the resolver gets at most
 * LOOKUP_WAIT_MS, and when it takes longer an answer kept from before is
 * used if there is one. 0, ETIMEDOUT or EADDRNOTAVAIL. */
int net_lookup(const char *host, struct sockaddr_storage *out,
	       socklen_t *len);
/* Forget every kept answer (at shutdown, and for tests). */
void net_lookup_flush(void);

enum { LOOKUP_WAIT_MS = 1000, LOOKUP_KEEP_S = 30 };

#endif
