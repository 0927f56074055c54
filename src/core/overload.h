/* overload.h — shedding new calls before the server falls behind: the
 * limits of ariadne.conf [options] (maxcalls, maxload as Asterisk's
 * asterisk.conf; ariadne's maxlag and maxsetup), the decision, and what a
 * refusal leaves behind (ariadne_calls_refused_total, a WARNING at most
 * once a second per reason). Who refuses, and how, is the caller's: src/sip
 * answers a new INVITE 503 with Retry-After, src/ari answers 503 to a
 * request for a new channel. Established calls and in-dialog requests never
 * come here. */
#ifndef ARIADNE_OVERLOAD_H
#define ARIADNE_OVERLOAD_H

#include <stdbool.h>
#include <stddef.h>

/* In the order they are checked: the first limit reached is the reason. */
enum overload_reason {
	OVERLOAD_NONE = 0,
	OVERLOAD_DRAINING,   /* the node is draining: it takes no new calls */
	OVERLOAD_MAXCALLS,   /* channels + those the call makes > maxcalls */
	OVERLOAD_MAXLOAD,    /* 1-minute load average >= maxload */
	OVERLOAD_LAG,        /* the event loop is late by >= maxlag ms */
	OVERLOAD_BACKLOG,    /* the SIP receive queue is >= maxbacklog % full */
	OVERLOAD_SETUP,      /* SIP calls waiting for an answer >= maxsetup */
};

/* The limits; 0 switches one off. */
struct overload_limits {
	unsigned maxcalls;
	double maxload;
	unsigned maxlag_ms;
	unsigned maxbacklog_pct;
	unsigned maxsetup;
};

/* What the server looks like now. */
struct overload_sample {
	size_t channels;
	unsigned adding;     /* channels the new call makes; 0 counts as 1 */
	double load;         /* negative: unknown (never refuses) */
	double lag_ms;
	unsigned backlog_pct;
	unsigned setup;
};

/* Which limit the sample reaches, OVERLOAD_NONE when none. No side effect:
 * the unit tests call it directly. */
enum overload_reason overload_decide(const struct overload_limits *lim,
				     const struct overload_sample *s);

/* Smoothing of the loop's lag (media's tick, media_tick_lag_ms()): an
 * exponential average over about the last second, weighted by the time
 * `dt_ms` since the previous sample, so that one late tick after a short
 * stall moves it little while a loop late on every tick for a second
 * brings it to that lateness. */
double overload_lag_smooth(double avg_ms, double sample_ms, double dt_ms);

/* A new call now, with the limits of ariadne.conf: counts the channels and
 * reads the load average (at most once a second) itself; `lag_ms`,
 * `backlog_pct` (how full, in %, the receive queue the request came
 * through is) and `setup` are measured by the caller's layer (pass 0 where
 * a limit does not apply: an ARI request is not shed for lag). */
enum overload_reason overload_check(double lag_ms, unsigned backlog_pct,
				    unsigned setup);
/* The same for a new call that makes `channels` channels at once (a Local
 * originate makes both halves): maxcalls refuses it unless all fit. */
enum overload_reason overload_check_for(unsigned channels, double lag_ms,
					unsigned backlog_pct, unsigned setup);

/* A new call from `who` (an endpoint, a From URI) was refused for `r`:
 * counts ariadne_calls_refused_total{reason=...} and logs an Asterisk-style
 * WARNING, at most once a second per reason with the number refused since
 * the last line. */
void overload_refused(enum overload_reason r, const char *who);
/* ariadne_calls_refused_total at 0 for every reason, so that the first
 * refusal shows in rate() and increase() (core_metrics_init). */
void overload_metrics_at_zero(void);

/* The reason in words for a reply ("Maximum call limit of 2 calls
 * reached"), into buf. */
const char *overload_describe(enum overload_reason r, char *buf, size_t size);

/* Draining: a node of a cluster that is being taken out of service ends
 * the calls it has (they stay controllable) but takes no new one. While on,
 * overload_check() answers OVERLOAD_DRAINING whatever the limits; SIP
 * OPTIONS are answered 503 so that a dispatcher in front (Kamailio) stops
 * sending; the cluster layer leaves its create group. Turning it on or off
 * tells every watcher, in the order they registered, and logs a NOTICE. */
void overload_drain_set(bool on, const char *why);
bool overload_draining(void);
typedef void (overload_drain_h)(bool on, void *arg);
/* At most a handful of watchers (one per layer); registered at start-up. */
int overload_drain_watch(overload_drain_h *h, void *arg);

/* Seconds for a refusal's Retry-After; 0: send none. */
unsigned overload_retry_after(void);

#endif
