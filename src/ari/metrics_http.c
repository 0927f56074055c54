/* metrics_http.c — GET <prefix>/metrics on the HTTP server: Prometheus'
 * text format (version 0.0.4) of every counter, gauge and histogram the
 * layers keep in base/metrics.c, plus the process's resident memory, open
 * descriptors and start time, read from /proc at each scrape. Whether an
 * ARI user is needed is http.conf's metrics_auth (default yes). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/time.h>
#include <jansson.h>
#include <re_types.h>
#include <re_mem.h>
#include <re_mbuf.h>
#include "ari/metrics_http.h"
#include "ari/request.h"
#include "base/fds.h"
#include "base/metrics.h"
#include "base/options.h"
#include "base/timerwheel.h"

static double resident_bytes(void)
{
	unsigned long size = 0, rss = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (!f)
		return 0;
	if (fscanf(f, "%lu %lu", &size, &rss) != 2)
		rss = 0;
	fclose(f);
	return (double)rss * (double)sysconf(_SC_PAGESIZE);
}

static void collect_process(void)
{
	long fds = fds_open_count();

	metrics_gauge("ariadne_resident_memory_bytes", "Resident memory "
		      "(VmRSS)", NULL, resident_bytes());
	if (fds >= 0)
		metrics_gauge("ariadne_open_fds", "Open file descriptors",
			      NULL, (double)fds);
	metrics_gauge("ariadne_timers", "Timers running in the event loop "
		      "(libre's SIP transaction timers included)", NULL,
		      timerwheel_count());
	metrics_gauge("ariadne_start_time_seconds", "Start time, seconds "
		      "since the epoch", NULL,
		      (double)options.startup_time.tv_sec +
		      options.startup_time.tv_usec / 1e6);
}

void ari_metrics_serve(struct ari_req *req, struct ari_resp *resp)
{
	struct mbuf *mb;

	if (strcmp(ari_req_method(req), "GET")) {
		ari_resp_header(resp, "Allow: GET");
		ari_resp_error(resp, 405, "Invalid method");
		return;
	}
	mb = mbuf_alloc(4096);
	if (!mb || metrics_render(mb)) {
		mem_deref(mb);
		ari_resp_error(resp, 500, "Internal Server Error");
		return;
	}
	ari_resp_data(resp, 200, "text/plain; version=0.0.4; charset=utf-8",
		      mb->buf, mb->end);
	mem_deref(mb);
}

int ari_metrics_init(void)
{
	return metrics_collector_add(collect_process);
}
