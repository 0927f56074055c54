/* pbx_user_apps.c — dialplan applications that talk to applications rather
 * than to the caller: UserEvent(eventname[,key1: value1[,key2: value2...]])
 * publishes a ChannelUserevent on the channel, which reaches every ARI app
 * watching the channel (Asterisk's app_userevent). */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <ctype.h>
#include "core/bus.h"
#include "core/channel.h"
#include "pbx/dialplan.h"
#include "base/log.h"
#include "pbx/pbx.h"

#define USEREVENT_ARGS_MAX 128

static char *trim(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

/* The event's fields are "eventname" (as Asterisk repeats it inside the
 * userevent object) followed by each "key: value" argument; an argument
 * without ':' is skipped, like Asterisk does. */
static enum pbx_result app_userevent(struct channel *ch, const char *data)
{
	char buf[4096];
	char *argv[USEREVENT_ARGS_MAX + 1];
	const char *keys[USEREVENT_ARGS_MAX + 1], *values[USEREVENT_ARGS_MAX + 1];
	struct bus_event ev = {.type = BUS_CHANNEL_USEREVENT, .chan = ch};
	int argc, n = 0;

	snprintf(buf, sizeof(buf), "%s", data ? data : "");
	argc = dialplan_args_split(buf, argv, USEREVENT_ARGS_MAX + 1);
	if (argc < 1 || !*argv[0]) {
		log_warning("UserEvent requires an argument (eventname,"
			    "optional event body)");
		return PBX_HANGUP;
	}
	keys[n] = "eventname";
	values[n++] = argv[0];
	for (int i = 1; i < argc; i++) {
		char *colon = strchr(argv[i], ':');

		if (!colon)
			continue;
		*colon = '\0';
		keys[n] = trim(argv[i]);
		values[n++] = trim(colon + 1);
	}
	ev.name = argv[0];
	ev.keys = keys;
	ev.values = values;
	ev.nkv = n;
	bus_publish(&ev);
	return PBX_NEXT;
}

int pbx_user_apps_init(void)
{
	return pbx_app_register("UserEvent", app_userevent);
}
