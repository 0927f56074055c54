/* http_guard.h — the HTTP listeners shut while file descriptors run out,
 * so that libre's accept does not spin (http_guard.c). */
#ifndef ARIADNE_ARI_HTTP_GUARD_H
#define ARIADNE_ARI_HTTP_GUARD_H

struct sa;

/* Guard the listener bound to laddr (after it listens). */
int http_guard_add(const struct sa *laddr);
/* Before the listeners are freed. */
void http_guard_close(void);

#endif
