/* options.h — process-wide settings from ariadne.conf and the command line:
 * directories, verbosity, system identity. Read-only after start-up. */
#ifndef ARIADNE_OPTIONS_H
#define ARIADNE_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/time.h>

struct config;

#define SENDPACING_MAX 15

struct options {
	char confdir[256];   /* -C, default /etc/ariadne */
	char logdir[256];    /* astlogdir, default /var/log/ariadne (root) or
	                      * ~/.local/state/ariadne/log (other users) */
	char rundir[256];    /* astrundir, default /var/run/ariadne */
	char datadir[256];   /* astdatadir, default /var/lib/ariadne */
	char spooldir[256];  /* astspooldir, default /var/spool/ariadne (root)
	                      * or ~/.local/state/ariadne/spool: recordings
	                      * live in its recording/ directory */
	char entity_id[64];  /* aa:bb:cc:dd:ee:ff, from a NIC or random; a
	                      * cluster node's node_id (nats.conf) replaces it */
	char system_name[64];
	char default_language[16];
	int verbose;
	bool highpriority;   /* [options] highpriority or -p: realtime */
	bool transmit_silence; /* [options] transmit_silence: an RTP channel
	                      * that hears nothing sends silence every 20 ms
	                      * instead of nothing (default no, as Asterisk) */
	int sendthread;      /* [options] sendthread: media sends on a thread
	                      * of their own; 1 yes, 0 no, -1 auto (default:
	                      * when the machine has more than one CPU) */
	int sendpacing;      /* [options] sendpacing: ms after its due
	                      * instant that a tick's frames are written by
	                      * the send thread (0: as soon as made; at most
	                      * SENDPACING_MAX) */
	/* Overload shedding of new calls (core/overload.h); 0 = off. */
	int maxcalls;        /* [options] maxcalls: channels at most */
	double maxload;      /* [options] maxload: 1-minute load average */
	int maxlag;          /* [options] maxlag: ms the event loop may be
	                      * late, smoothed (default 100) */
	int maxsetup;        /* [options] maxsetup: SIP calls not yet
	                      * answered */
	int maxbacklog;      /* [options] maxbacklog: % of a SIP UDP
	                      * socket's receive buffer queued (default 50) */
	int overload_retry_after; /* [options] overload_retry_after: s in a
	                      * refusal's Retry-After (default 5; 0 none) */
	/* Back-off of failed SIP/ARI authentication (base/backoff.h). */
	int authfail_limit;  /* failures answered at once (5; 0: off) */
	int authfail_window; /* s in which they count (60) */
	int authfail_maxdelay; /* ms an answer waits at most (4000) */
	struct timeval startup_time;
	struct timeval reload_time;
};

extern struct options options;

/* Defaults, then [directories] and [options] of ariadne.conf (may be NULL). */
void options_load(const struct config *cfg, const char *confdir);
/* Path of the CLI socket. */
const char *options_ctl_path(void);

#endif
