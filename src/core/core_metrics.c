/* core_metrics.c — what the telephony model shows at GET /metrics, read
 * at each scrape: channels by technology and state, bridges, Stasis apps.
 * (Counters of things that happen are kept where they happen.) */
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include "base/metrics.h"
#include "core/bridge.h"
#include "core/channel.h"
#include "core/core_metrics.h"
#include "core/overload.h"
#include "core/stasis.h"

struct tally {
	const char *tech;
	enum channel_state state;
	double n;
};

enum { TALLY_MAX = 64 };

struct tallies {
	struct tally t[TALLY_MAX];
	size_t n;
};

static bool count_channel(struct channel *ch, void *arg)
{
	struct tallies *ts = arg;
	const char *tech = channel_tech_type(ch);
	enum channel_state st = channel_state(ch);

	for (size_t i = 0; i < ts->n; i++)
		if (ts->t[i].state == st && !strcmp(ts->t[i].tech, tech)) {
			ts->t[i].n++;
			return false;
		}
	if (ts->n < TALLY_MAX)
		ts->t[ts->n++] = (struct tally){tech, st, 1};
	return false;
}

static void collect(void)
{
	struct tallies ts = {.n = 0};
	char labels[128];

	channel_foreach(count_channel, &ts);
	for (size_t i = 0; i < ts.n; i++) {
		snprintf(labels, sizeof(labels),
			 "technology=\"%s\",state=\"%s\"", ts.t[i].tech,
			 channel_state_str(ts.t[i].state));
		metrics_gauge("ariadne_channels", "Channels, by technology and "
			      "state", labels, ts.t[i].n);
	}
	metrics_gauge("ariadne_bridges", "Bridges", NULL,
		      (double)bridge_count());
	metrics_gauge("ariadne_stasis_apps", "Stasis applications", NULL,
		      (double)stasis_app_count());
}

int core_metrics_init(void)
{
	overload_metrics_at_zero();
	return metrics_collector_add(collect);
}
