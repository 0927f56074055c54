/* defer.h — run a function after the current call stack unwinds, on the next
 * turn of the event loop, in the order deferred. ARI uses it so that a REST
 * reply (204) goes out before the events its operation causes, as with
 * Asterisk's per-channel Stasis queue. */
#ifndef ARIADNE_DEFER_H
#define ARIADNE_DEFER_H

typedef void (defer_h)(void *arg);

/* `arg` must be a libre mem object or NULL: it is referenced until the call
 * and dereferenced after it. */
int defer_call(defer_h *h, void *arg);
/* Let go of `obj` (a mem object) on the next turn rather than now: for a
 * connection that may be running one of its own handlers when its owner
 * drops it. The caller's reference is taken. */
void defer_release(void *obj);
/* Drop everything pending (shutdown). */
void defer_flush(void);

#endif
