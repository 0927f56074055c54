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

/* Every (technology, state) pair ever shown stays in the family at 0 when
 * no channel is in it, and each technology starts with its "Up" series at
 * 0: a gauge series that vanished would make sum(ariadne_channels) "no
 * data" on an idle server instead of 0. The pairs are few (technologies
 * times states), so keeping them costs nothing. */
struct tally {
	const char *tech;        /* the technology's own static name */
	enum channel_state state;
	double n;
};

enum { TALLY_MAX = 64 };

static struct tally seen[TALLY_MAX];
static size_t nseen;

static struct tally *tally_get(const char *tech, enum channel_state st)
{
	for (size_t i = 0; i < nseen; i++)
		if (seen[i].state == st && !strcmp(seen[i].tech, tech))
			return &seen[i];
	if (nseen == TALLY_MAX)
		return NULL;
	seen[nseen] = (struct tally){tech, st, 0};
	return &seen[nseen++];
}

static bool count_channel(struct channel *ch, void *arg)
{
	struct tally *t = tally_get(channel_tech_type(ch), channel_state(ch));

	(void)arg;
	if (t)
		t->n++;
	return false;
}

static void collect(void)
{
	const struct channel_tech *tech;
	char labels[128];

	for (size_t i = 0; (tech = channel_tech_nth(i)); i++)
		tally_get(tech->type, CHANNEL_UP);
	for (size_t i = 0; i < nseen; i++)
		seen[i].n = 0;
	channel_foreach(count_channel, NULL);
	for (size_t i = 0; i < nseen; i++) {
		snprintf(labels, sizeof(labels),
			 "technology=\"%s\",state=\"%s\"", seen[i].tech,
			 channel_state_str(seen[i].state));
		metrics_gauge("ariadne_channels", "Channels, by technology and "
			      "state", labels, seen[i].n);
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
