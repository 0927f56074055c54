/* pbx.h — runs the dialplan on a channel: looks up each step, substitutes
 * variables, calls the application, advances. Applications are registered in
 * a table; an application may finish at once or suspend the channel (Wait,
 * Stasis) and resume it later from the event loop. */
#ifndef ARIADNE_PBX_H
#define ARIADNE_PBX_H

#include <stdbool.h>
#include <stddef.h>

struct channel;
struct pbx;

enum pbx_result {
	PBX_NEXT = 0,   /* go on with priority + 1 */
	PBX_GOTO,       /* the app moved the location itself; run it as is */
	PBX_SUSPEND,    /* the app will call pbx_resume() later */
	PBX_HANGUP,     /* stop and hang up (runs the h extension) */
};

typedef enum pbx_result (pbx_app_h)(struct channel *ch, const char *data);

int pbx_app_register(const char *name, pbx_app_h *exec);
bool pbx_app_exists(const char *name);

/* Start the dialplan on a channel at context/exten/priority (the channel's
 * location is set to it). The channel runs until the dialplan ends, then it
 * is hung up, like Asterisk's PBX thread. EBUSY if already running. */
int pbx_start(struct channel *ch, const char *context, const char *exten,
	      int priority);
/* The dialplan of a channel that has none of its own, run from inside an
 * application (Asterisk's no_hangup_chan run: an originated channel that
 * leaves Stasis() by continue). At its end, or when the channel hangs up
 * meanwhile, `end` is called once and the channel hung up; no soft hangup
 * request is announced and no h extension runs. */
typedef void (pbx_end_h)(struct channel *ch);
int pbx_start_inside(struct channel *ch, const char *context,
		     const char *exten, int priority, pbx_end_h *end);
/* A suspended app finished: go on (next priority, or as set by goto). */
void pbx_resume(struct channel *ch, enum pbx_result res);
/* Change location for the next step (Goto). */
void pbx_goto(struct channel *ch, const char *context, const char *exten,
	      int priority);
bool pbx_is_running(const struct channel *ch);
/* For applications that wait: resume with PBX_NEXT after `ms`. Returns
 * PBX_SUSPEND (or PBX_NEXT when the channel runs its h extension). */
enum pbx_result pbx_sleep(struct channel *ch, unsigned ms);

/* Given to channel_hooks_set(): runs the h extension on hangup. */
extern const struct channel_hooks pbx_hooks;
void pbx_apps_close(void);

/* Registers `dialplan show` (dialplan_cli.c). */
int dialplan_cli_init(void);

/* Register the built-in applications (Answer, Hangup, NoOp, Wait, Set,
 * Goto, GotoIf, Verbose). */
int pbx_apps_init(void);
/* UserEvent() and the other applications of pbx_user_apps.c. */
int pbx_user_apps_init(void);
/* Register Stasis() and StasisBroadcast() and make the stasis-<app> context
 * of every app from now on (pbx_stasis_apps.c). After stasis_init(). */
int pbx_stasis_apps_init(void);

/* extensions.conf (pbx_config.c): load a parsed file into the dialplan
 * ([globals] become global variables); give pbx_config.so its module
 * operations (after module_registry_init()). */
struct config;
int pbx_config_load(const struct config *cfg);
int pbx_config_module_init(void);

/* Expand ${...} / $[...] for a channel. */
int pbx_substitute(struct channel *ch, char *out, size_t outsz,
		   const char *in);

#endif
