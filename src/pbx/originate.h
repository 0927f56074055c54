/* originate.h — place an outgoing call and, when it is answered, put the
 * channel into a Stasis app or start the dialplan on it (what ARI's
 * POST /channels does). Also channels created straight into an app. */
#ifndef ARIADNE_ORIGINATE_H
#define ARIADNE_ORIGINATE_H

struct channel;

struct originate_target {
	const char *app;       /* Stasis app, or NULL for dialplan */
	const char *appargs;   /* comma list (dialplan argument rules) */
	const char *context;   /* dialplan target when app is NULL */
	const char *exten;
	int priority;
	int timeout_s;         /* <= 0: wait forever */
};

/* Dial `ch` (already requested, variables set) after the current call stack
 * unwinds; publishes Dial events; on answer runs the target; on timeout
 * hangs up with cause 19 (no answer). The app, if any, is subscribed at
 * once, for the channel's life, to the channel and to the other half of a
 * Local pair. */
int originate_dial(struct channel *ch, const struct originate_target *t);

/* POST /channels/create: the channel enters `app` at once (ChannelDialplan
 * of Stasis(app,args), STASISSTATUS, StasisStart in state Down); the app
 * stays subscribed to it for its life. */
int originate_create_in_app(struct channel *ch, const char *app,
			    const char *appargs);

/* POST /channels/{id}/dial on a channel made by originate_create_in_app():
 * call it now; the channel stays in its app (no second StasisStart) and goes
 * Up when answered. Dial events name `caller` (may be NULL), whose caller id
 * becomes the channel's connected line. timeout_s <= 0: no limit.
 * ENOENT: not created that way; EALREADY: dialed before. */
int originate_dial_created(struct channel *ch, struct channel *caller,
			   int timeout_s);

void originate_close(void);

#endif
