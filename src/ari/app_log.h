/* app_log.h — per-app event sequence numbers and the recent events kept
 * for a reconnecting socket (app_log.c). An ariadne extension: see
 * docs/ARI-EXTENSIONS.md, "Reconnecting without losing events".
 * Internal to src/ari. */
#ifndef ARIADNE_ARI_APP_LOG_H
#define ARIADNE_ARI_APP_LOG_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

/* Settings from ari.conf [general]: reconnect_grace (ms, 0 = Asterisk's
 * behaviour: the app is deactivated at once), reconnect_buffer (events
 * kept per app) and reconnect_retain (ms a deactivated app's log stays). */
void ari_app_log_configure(unsigned grace_ms, size_t keep,
			   unsigned retain_ms);
unsigned ari_app_log_grace_ms(void);

/* The next sequence number of `app` (1, 2, ...; never reused while the
 * process lives). */
uint64_t ari_app_log_next(const char *app);
/* Keep the text of event `seq` (as sent, "sequence" included). ENOMEM
 * when it could not be kept (the event is still sent). */
int ari_app_log_keep(const char *app, uint64_t seq, const char *text);
/* Can the log give every event of `app` after sequence `since`? false
 * when some were dropped or fell out of the ring, or `since` was never
 * given by this process; *first is the oldest sequence after `since` it
 * still has (or the next one to come). */
bool ari_app_log_complete(const char *app, uint64_t since, uint64_t *first);
/* The kept events of `app` after sequence `since`, oldest first, to h. */
void ari_app_log_replay(const char *app, uint64_t since,
			void (*h)(const char *text, void *arg), void *arg);
/* Events of `app` were dropped from now on (it has no socket). */
void ari_app_log_gap(const char *app);
void ari_app_log_close(void);

#endif
