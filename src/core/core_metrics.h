/* core_metrics.h — the model's gauges for GET /metrics (core_metrics.c). */
#ifndef ARIADNE_CORE_METRICS_H
#define ARIADNE_CORE_METRICS_H

int core_metrics_init(void);

#endif
