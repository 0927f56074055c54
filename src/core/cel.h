/* cel.h — Channel Event Logging: subscribes to the bus and appends one CSV
 * line per record to <logdir>/cel/Master.csv (Asterisk's cel_custom columns),
 * flushed per record. Writes APP_END/APP_START on every move between Stasis
 * applications, which Asterisk does not. */
#ifndef ARIADNE_CEL_H
#define ARIADNE_CEL_H

struct config;

/* cel.conf may be NULL (defaults: enabled, all events, all apps). */
int cel_init(const struct config *celconf, const char *logdir);
void cel_close(void);

#endif
