/* overload.c — whether a new call may start (maxcalls, maxload, maxlag,
 * maxsetup of ariadne.conf [options]) and the trace a refusal leaves: the
 * counter ariadne_calls_refused_total and a rate-limited WARNING. Not the
 * refusal itself (a SIP 503, an ARI 503: src/sip, src/ari) and not the
 * measuring of the loop's lag (media's tick) or of the calls in setup
 * (src/sip), which live in the layers that see them. */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <re_types.h>
#include <re_fmt.h>
#include <re_list.h>
#include <re_tmr.h>
#include "base/log.h"
#include "base/metrics.h"
#include "base/options.h"
#include "core/channel.h"
#include "core/overload.h"

/* The time constant of the lag's average: about the last second. */
#define LAG_TAU_MS 1000.0

/* getloadavg() reads /proc/loadavg (open, read, close); the kernel updates
 * it every 5 s, so reading it for every INVITE of a call storm would cost
 * more than it tells. */
#define LOAD_CACHE_MS 1000

/* A call storm refused one call at a time must not become a log storm. */
#define LOG_INTERVAL_MS 1000

enum overload_reason overload_decide(const struct overload_limits *lim,
				     const struct overload_sample *s)
{
	size_t adding = s->adding ? s->adding : 1;

	/* for one channel, Asterisk's channels >= maxcalls (pbx.c) */
	if (lim->maxcalls && s->channels + adding > lim->maxcalls)
		return OVERLOAD_MAXCALLS;
	/* Asterisk's increase_call_count() refuses at >= as well */
	if (lim->maxload > 0 && s->load >= 0 && s->load >= lim->maxload)
		return OVERLOAD_MAXLOAD;
	if (lim->maxlag_ms && s->lag_ms >= lim->maxlag_ms)
		return OVERLOAD_LAG;
	if (lim->maxbacklog_pct && s->backlog_pct >= lim->maxbacklog_pct)
		return OVERLOAD_BACKLOG;
	if (lim->maxsetup && s->setup >= lim->maxsetup)
		return OVERLOAD_SETUP;
	return OVERLOAD_NONE;
}

double overload_lag_smooth(double avg_ms, double sample_ms, double dt_ms)
{
	double a;

	if (dt_ms <= 0)
		return avg_ms;
	/* dt / (tau + dt): 2 % per 20 ms tick, half for a sample that comes
	 * a whole second after the previous one (the loop was stuck) */
	a = dt_ms / (LAG_TAU_MS + dt_ms);
	return avg_ms + a * (sample_ms - avg_ms);
}

static double load_now(void)
{
	static bool have;
	static uint64_t at;
	static double load = -1;
	uint64_t now = tmr_jiffies();

	if (!have || now - at >= LOAD_CACHE_MS) {
		if (getloadavg(&load, 1) != 1)
			load = -1;
		have = true;
		at = now;
	}
	return load;
}

/* The sample of the last check, for the words of its refusal. */
static struct overload_sample last;

#define DRAIN_WATCHERS 4

static struct {
	bool on;
	struct { overload_drain_h *h; void *arg; } w[DRAIN_WATCHERS];
	size_t n;
} drain;

void overload_drain_set(bool on, const char *why)
{
	size_t i;

	if (drain.on == on)
		return;
	drain.on = on;
	if (on)
		log_notice("Draining (%s): no new calls; the %zu existing "
			   "channels go on", why ? why : "requested",
			   channel_count());
	else
		log_notice("No longer draining (%s): new calls are welcome",
			   why ? why : "requested");
	for (i = 0; i < drain.n; i++)
		drain.w[i].h(on, drain.w[i].arg);
}

bool overload_draining(void)
{
	return drain.on;
}

int overload_drain_watch(overload_drain_h *h, void *arg)
{
	if (!h || drain.n == DRAIN_WATCHERS)
		return ENOMEM;
	drain.w[drain.n].h = h;
	drain.w[drain.n].arg = arg;
	drain.n++;
	return 0;
}

enum overload_reason overload_check(double lag_ms, unsigned backlog_pct,
				    unsigned setup)
{
	return overload_check_for(1, lag_ms, backlog_pct, setup);
}

enum overload_reason overload_check_for(unsigned channels, double lag_ms,
					unsigned backlog_pct, unsigned setup)
{
	struct overload_limits lim = {
		.maxcalls = (unsigned)options.maxcalls,
		.maxload = options.maxload,
		.maxlag_ms = (unsigned)options.maxlag,
		.maxbacklog_pct = (unsigned)options.maxbacklog,
		.maxsetup = (unsigned)options.maxsetup,
	};
	struct overload_sample s;

	/* A draining node refuses without a sample: no channel count, no
	 * getloadavg() for a refusal that needs neither. */
	if (drain.on)
		return OVERLOAD_DRAINING;
	s = (struct overload_sample){
		.channels = channel_count(),
		.adding = channels,
		.load = lim.maxload > 0 ? load_now() : -1,
		.lag_ms = lag_ms,
		.backlog_pct = backlog_pct,
		.setup = setup,
	};
	last = s;
	return overload_decide(&lim, &s);
}

const char *overload_describe(enum overload_reason r, char *buf, size_t size)
{
	switch (r) {
	case OVERLOAD_DRAINING:
		snprintf(buf, size, "Draining: this node takes no new calls");
		break;
	case OVERLOAD_MAXCALLS:
		snprintf(buf, size, "Maximum call limit of %d calls reached",
			 options.maxcalls);
		break;
	case OVERLOAD_MAXLOAD:
		snprintf(buf, size, "Maximum loadavg limit of %f load reached "
			 "(currently %f)", options.maxload, last.load);
		break;
	case OVERLOAD_LAG:
		snprintf(buf, size, "Overloaded: the event loop is %.0f ms "
			 "late (maxlag %d ms)", last.lag_ms, options.maxlag);
		break;
	case OVERLOAD_BACKLOG:
		snprintf(buf, size, "Overloaded: the SIP receive queue is "
			 "%u%% full (maxbacklog %d%%)", last.backlog_pct,
			 options.maxbacklog);
		break;
	case OVERLOAD_SETUP:
		snprintf(buf, size, "Overloaded: %u calls are waiting for an "
			 "answer (maxsetup %d)", last.setup, options.maxsetup);
		break;
	default:
		snprintf(buf, size, "Not overloaded");
		break;
	}
	return buf;
}

/* The label of ariadne_calls_refused_total: Asterisk's two limits by their
 * names, ariadne's own detection (lag, calls in setup) as "overload". */
static const char *reason_label(enum overload_reason r)
{
	switch (r) {
	case OVERLOAD_MAXCALLS:
		return "maxcalls";
	case OVERLOAD_MAXLOAD:
		return "maxload";
	case OVERLOAD_DRAINING:
		return "draining";
	default:
		return "overload";
	}
}

static void count_refused(enum overload_reason r, double n)
{
	char labels[32];

	snprintf(labels, sizeof(labels), "reason=\"%s\"", reason_label(r));
	metrics_count("ariadne_calls_refused_total", "New calls refused "
		      "because a limit of ariadne.conf [options] was reached "
		      "(maxcalls, maxload; overload: maxlag, maxsetup; draining)",
		      labels, n);
}

void overload_metrics_at_zero(void)
{
	count_refused(OVERLOAD_MAXCALLS, 0);
	count_refused(OVERLOAD_MAXLOAD, 0);
	count_refused(OVERLOAD_LAG, 0);       /* "overload" */
	count_refused(OVERLOAD_DRAINING, 0);
}

static void log_refusal(enum overload_reason r, const char *who,
			unsigned n)
{
	char more[80] = "";

	if (n > 1)
		snprintf(more, sizeof(more), " (%u calls refused since the "
			 "last report)", n);
	switch (r) {
	case OVERLOAD_DRAINING:
		log_notice("Draining: new call from '%s' refused%s", who, more);
		break;
	case OVERLOAD_MAXCALLS:
		/* Asterisk's words (pbx.c, increase_call_count) */
		log_warning("Maximum call limit of %d calls exceeded by "
			    "'%s'!%s", options.maxcalls, who, more);
		break;
	case OVERLOAD_MAXLOAD:
		log_warning("Maximum loadavg limit of %f load exceeded by "
			    "'%s' (currently %f)!%s", options.maxload, who,
			    last.load, more);
		break;
	case OVERLOAD_LAG:
		log_warning("Overloaded: the event loop is %.0f ms late "
			    "(maxlag %d ms), new call from '%s' refused%s",
			    last.lag_ms, options.maxlag, who, more);
		break;
	case OVERLOAD_BACKLOG:
		log_warning("Overloaded: the SIP receive queue is %u%% full "
			    "(maxbacklog %d%%), new call from '%s' refused%s",
			    last.backlog_pct, options.maxbacklog, who, more);
		break;
	case OVERLOAD_SETUP:
		log_warning("Overloaded: %u calls in setup (maxsetup %d), "
			    "new call from '%s' refused%s", last.setup,
			    options.maxsetup, who, more);
		break;
	default:
		break;
	}
}

/* `who` comes from the network or an ARI request: one log line stays
 * one line. */
static const char *printable(char *buf, size_t size, const char *who)
{
	size_t i;

	if (!who || !*who)
		return "unknown";
	for (i = 0; who[i] && i + 1 < size; i++)
		buf[i] = (unsigned char)who[i] < 0x20 ? '?' : who[i];
	buf[i] = '\0';
	return buf;
}

void overload_refused(enum overload_reason r, const char *who)
{
	static struct {
		bool logged;
		uint64_t at;
		unsigned pending;    /* refused since the last line */
	} rl[OVERLOAD_SETUP + 1];
	char name[160];
	uint64_t now = tmr_jiffies();

	if (r <= OVERLOAD_NONE || r > OVERLOAD_SETUP)
		return;
	count_refused(r, 1);
	rl[r].pending++;
	if (rl[r].logged && now - rl[r].at < LOG_INTERVAL_MS)
		return;
	log_refusal(r, printable(name, sizeof(name), who), rl[r].pending);
	rl[r].logged = true;
	rl[r].at = now;
	rl[r].pending = 0;
}

unsigned overload_retry_after(void)
{
	return (unsigned)options.overload_retry_after;
}
