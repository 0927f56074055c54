/* metrics_http.h — GET /metrics (metrics_http.c). */
#ifndef ARIADNE_ARI_METRICS_HTTP_H
#define ARIADNE_ARI_METRICS_HTTP_H

struct ari_req;
struct ari_resp;

/* The registry of base/metrics.h in Prometheus' text format, with the
 * process's own figures (memory, descriptors, uptime). */
void ari_metrics_serve(struct ari_req *req, struct ari_resp *resp);
int ari_metrics_init(void);

#endif
