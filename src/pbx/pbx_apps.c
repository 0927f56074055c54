/* pbx_apps.c — the built-in dialplan applications: Answer, Hangup, NoOp,
 * Wait, Set, Goto, GotoIf, Verbose. Each takes the substituted data string
 * and tells the runner how to go on. Stasis lives in stasis.c. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <ctype.h>
#include "core/channel.h"
#include "pbx/dialplan.h"
#include "base/log.h"
#include "pbx/pbx.h"

#define ARG_MAX 1024

static enum pbx_result app_answer(struct channel *ch, const char *data)
{
	int delay = data && *data ? atoi(data) : 0;

	if (channel_answer(ch))
		return PBX_HANGUP;
	return delay > 0 ? pbx_sleep(ch, (unsigned)delay) : PBX_NEXT;
}

/* Asterisk's Hangup() ends the channel without a ChannelHangupRequest of
 * its own: the app sees ChannelDestroyed only (event-sequences of continue
 * into an extension that hangs up). */
static enum pbx_result app_hangup(struct channel *ch, const char *data)
{
	int cause = data && *data ? atoi(data) : CAUSE_NORMAL_CLEARING;

	channel_hangup_quiet(ch, cause > 0 ? cause : CAUSE_NORMAL_CLEARING,
			     "dialplan/builtin");
	return PBX_HANGUP;
}

static enum pbx_result app_noop(struct channel *ch, const char *data)
{
	return PBX_NEXT;
}

static enum pbx_result app_wait(struct channel *ch, const char *data)
{
	double secs = data && *data ? atof(data) : 0.0;

	if (secs <= 0)
		return PBX_NEXT;
	return pbx_sleep(ch, (unsigned)(secs * 1000.0));
}

static enum pbx_result app_set(struct channel *ch, const char *data)
{
	char buf[ARG_MAX], *eq, *name;

	snprintf(buf, sizeof(buf), "%s", data ? data : "");
	eq = strchr(buf, '=');
	if (!eq || eq == buf) {
		log_warning("Set requires an argument (variable=value)");
		return PBX_NEXT;
	}
	*eq = '\0';
	name = buf;
	while (isspace((unsigned char)*name))
		name++;
	if (!strncmp(name, "GLOBAL(", 7) && name[strlen(name) - 1] == ')') {
		name[strlen(name) - 1] = '\0';
		channel_global_set(name + 7, eq + 1);
		return PBX_NEXT;
	}
	channel_var_set(ch, name, eq + 1);
	return PBX_NEXT;
}

/* Parse "[[context,]exten,]priority|label" and move there. Returns false
 * (with a warning) when the target does not resolve. */
static bool goto_target(struct channel *ch, char *target, const char *app)
{
	char *argv[3];
	const char *context = channel_context(ch), *exten = channel_exten(ch);
	const char *prio;
	char ctxbuf[DIALPLAN_NAME_MAX + 1], extbuf[DIALPLAN_NAME_MAX + 1];
	int n = dialplan_args_split(target, argv, 3), priority;
	char *end;

	if (n < 1 || !*argv[n - 1]) {
		log_warning("%s requires an argument ([[context,]extension,]priority)",
			    app);
		return false;
	}
	if (n == 3) {
		context = argv[0];
		exten = argv[1];
	}
	else if (n == 2) {
		exten = argv[0];
	}
	snprintf(ctxbuf, sizeof(ctxbuf), "%s", context);
	snprintf(extbuf, sizeof(extbuf), "%s", exten);
	prio = argv[n - 1];
	priority = (int)strtol(prio, &end, 10);
	if (*end || priority <= 0) {
		if (dialplan_find_label(ctxbuf, extbuf, prio, &priority)) {
			log_warning("Priority '%s' must be a number > 0, or valid "
				    "label", prio);
			return false;
		}
	}
	pbx_goto(ch, ctxbuf, extbuf, priority);
	log_verbose(3, "Goto (%s,%s,%d)", ctxbuf, extbuf, priority);
	return true;
}

static enum pbx_result app_goto(struct channel *ch, const char *data)
{
	char buf[ARG_MAX];

	snprintf(buf, sizeof(buf), "%s", data ? data : "");
	return goto_target(ch, buf, "Goto") ? PBX_GOTO : PBX_HANGUP;
}

/* GotoIf(condition?[labeliftrue][:labeliffalse]) */
static enum pbx_result app_gotoif(struct channel *ch, const char *data)
{
	char buf[ARG_MAX], *q, *colon, *branch;
	bool cond;

	snprintf(buf, sizeof(buf), "%s", data ? data : "");
	q = strchr(buf, '?');
	if (!q) {
		log_warning("GotoIf requires an argument "
			    "(condition?[label1][:label2])");
		return PBX_HANGUP;
	}
	*q++ = '\0';
	colon = strchr(q, ':');
	if (colon)
		*colon++ = '\0';
	{
		char *c = buf;

		while (isspace((unsigned char)*c))
			c++;
		cond = *c && strcmp(c, "0") != 0;
	}
	branch = cond ? q : colon;
	if (!branch || !*branch)
		return PBX_NEXT;
	return goto_target(ch, branch, "GotoIf") ? PBX_GOTO : PBX_HANGUP;
}

static enum pbx_result app_verbose(struct channel *ch, const char *data)
{
	char buf[ARG_MAX], *msg = buf, *comma;
	int level = 0;

	snprintf(buf, sizeof(buf), "%s", data ? data : "");
	comma = strchr(buf, ',');
	if (comma) {
		char *end;
		long l = strtol(buf, &end, 10);

		if (end == comma) {
			level = (int)l;
			msg = comma + 1;
		}
	}
	log_verbose(level, "%s", msg);
	return PBX_NEXT;
}

int pbx_apps_init(void)
{
	static const struct {
		const char *name;
		pbx_app_h *exec;
	} builtin[] = {
		{"Answer", app_answer},   {"Hangup", app_hangup},
		{"NoOp", app_noop},       {"Wait", app_wait},
		{"Set", app_set},         {"Goto", app_goto},
		{"GotoIf", app_gotoif},   {"Verbose", app_verbose},
	};
	int err;

	for (size_t i = 0; i < sizeof(builtin) / sizeof(builtin[0]); i++) {
		err = pbx_app_register(builtin[i].name, builtin[i].exec);
		if (err)
			return err;
	}
	return 0;
}
