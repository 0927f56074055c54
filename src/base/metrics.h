/* metrics.h — counters, gauges and histograms that any layer updates and
 * src/ari renders in the Prometheus text format at GET /metrics
 * (metrics.c). Names follow Prometheus' conventions: ariadne_<what>[_unit]
 * and _total for counters. Labels are written by the caller, already in
 * Prometheus' syntax ('method="INVITE"'), so a family is one name with any
 * number of label sets. No telephony here. */
#ifndef ARIADNE_METRICS_H
#define ARIADNE_METRICS_H

#include <stddef.h>

struct mbuf;

/* Add n to a counter (made at first use). */
void metrics_count(const char *name, const char *help, const char *labels,
		   double n);
/* Set a gauge. Gauges are forgotten before each scrape's collectors run,
 * so a label set nobody sets again (a state with no channel) disappears. */
void metrics_gauge(const char *name, const char *help, const char *labels,
		   double v);
/* One observation of a histogram in seconds (buckets 1 ms to 1 s). */
void metrics_observe(const char *name, const char *help, double seconds);

/* `v` as a label value (backslash, quote and newline escaped) in buf. */
const char *metrics_esc(char *buf, size_t size, const char *v);

/* Called at each scrape, before rendering, to set gauges. */
typedef void (metrics_collect_h)(void);
int metrics_collector_add(metrics_collect_h *h);

/* The whole registry in the text format, version 0.0.4. */
int metrics_render(struct mbuf *mb);
void metrics_close(void);

#endif
