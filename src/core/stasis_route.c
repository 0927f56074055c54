/* stasis_route.c — which Stasis app sees which bus event: channel events go
 * to the apps subscribed to the channel (or to everything), endpoint and
 * device events to their watchers, StasisStart/End and move failures to the
 * app they name, broadcasts to every active app, bridge events to the apps
 * subscribed to the bridge and the apps its members are in. Delivery is
 * synchronous, so an app sees events in the order they happened.
 *
 * Not here: turning an event into JSON and sending it (src/ari). */
#include <errno.h>
#include <stdint.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <re_types.h>
#include <re_fmt.h>
#include <re_mem.h>
#include <re_list.h>
#include "core/bridge.h"
#include "core/bus.h"
#include "core/channel.h"
#include "core/endpoint.h"
#include "core/stasis.h"
#include "core/stasis_int.h"

static void route_channel_event(struct bus_event *ev)
{
	struct le *le = stasis_apps.head;
	const char *id = channel_id(ev->chan);

	while (le) {
		struct stasis_app *app = le->data;

		le = le->next;
		if (app->subscribe_all || stasis_sub_find(app, id))
			stasis_app_deliver(app, ev);
	}
	if (ev->type != BUS_CHANNEL_DESTROYED)
		return;
	le = stasis_apps.head;
	while (le) {
		struct stasis_app *app = le->data;

		le = le->next;
		stasis_sub_drop(app, id);
		stasis_app_maybe_destroy(app);
	}
}

/* Endpoint events go to apps subscribed to the endpoint or its whole
 * technology ("endpoint:PJSIP"). */
static bool app_watches_endpoint(const struct stasis_app *app,
				 const struct endpoint *ep)
{
	char id[256];

	if (app->subscribe_all)
		return true;
	if (!ep)
		return false;
	snprintf(id, sizeof(id), "%s/%s", endpoint_tech(ep),
		 endpoint_resource(ep));
	return stasis_source_find(app, STASIS_SRC_ENDPOINT, id) ||
	       stasis_source_find(app, STASIS_SRC_ENDPOINT, endpoint_tech(ep));
}

static void route_to_watchers(struct bus_event *ev)
{
	struct le *le = stasis_apps.head;

	while (le) {
		struct stasis_app *app = le->data;
		bool want;

		le = le->next;
		if (ev->type == BUS_DEVICE_STATE)
			want = app->subscribe_all ||
			       stasis_source_find(app, STASIS_SRC_DEVICE, ev->name);
		else
			want = app_watches_endpoint(app, ev->endpoint);
		if (want)
			stasis_app_deliver(app, ev);
	}
}

/* Asterisk subscribes the app a channel is in to the channel's bridge for
 * as long as it is there (and keeps an explicit subscription); the channel
 * that is entering or leaving counts as there. */
struct bridge_interest {
	const struct stasis_app *app;
	bool yes;
};

static void member_in_app(struct channel *ch, void *arg)
{
	struct bridge_interest *bi = arg;
	const char *app = stasis_channel_app(ch);

	if (app && !strcmp(app, bi->app->name))
		bi->yes = true;
}

static bool app_watches_bridge(const struct stasis_app *app,
			       const struct bridge *b, struct channel *ch)
{
	struct bridge_interest bi = {.app = app};

	if (app->subscribe_all ||
	    stasis_source_find(app, STASIS_SRC_BRIDGE, bridge_id(b)))
		return true;
	if (ch)
		member_in_app(ch, &bi);
	if (!bi.yes)
		bridge_channel_foreach(b, member_in_app, &bi);
	return bi.yes;
}

static void route_bridge_event(struct bus_event *ev)
{
	struct le *le = stasis_apps.head;

	while (le) {
		struct stasis_app *app = le->data;

		le = le->next;
		if (app_watches_bridge(app, ev->bridge, ev->chan) ||
		    (ev->bridge_from &&
		     app_watches_bridge(app, ev->bridge_from, NULL)))
			stasis_app_deliver(app, ev);
	}
	if (ev->type != BUS_BRIDGE_DESTROYED)
		return;
	/* A destroyed bridge is forgotten by its subscribers. */
	for (le = stasis_apps.head; le; le = le->next) {
		struct stasis_app *app = le->data;

		mem_deref(stasis_source_find(app, STASIS_SRC_BRIDGE,
					   bridge_id(ev->bridge)));
	}
}

/* A transfer reaches the apps watching the transferer or its bridge. */
static void route_transfer(struct bus_event *ev)
{
	struct le *le = stasis_apps.head;
	const char *id = ev->chan ? channel_id(ev->chan) : NULL;

	while (le) {
		struct stasis_app *app = le->data;

		le = le->next;
		if ((id && stasis_sub_find(app, id)) ||
		    (ev->bridge && app_watches_bridge(app, ev->bridge, NULL)) ||
		    (!ev->bridge && app->subscribe_all))
			stasis_app_deliver(app, ev);
	}
}

static void on_event(const struct bus_event *cev, void *unused)
{
	struct bus_event *ev = (struct bus_event *)cev;
	struct stasis_app *app;

	switch (ev->type) {
	case BUS_ENDPOINT_STATE:
	case BUS_CONTACT_STATUS:
	case BUS_PEER_STATUS:
	case BUS_TEXT_MESSAGE:
	case BUS_DEVICE_STATE:
		route_to_watchers(ev);
		break;
	case BUS_CALL_BROADCAST:
	case BUS_CALL_CLAIMED:
		/* Offered to every app (or to `destination` only when
		 * StasisBroadcast filters apps); the claim race is decided
		 * by ARI. */
		for (struct le *le = stasis_apps.head; le; le = le->next) {
			app = le->data;
			if (app->active && (!ev->destination ||
					    !strcmp(ev->destination, app->name)))
				stasis_app_deliver(app, ev);
		}
		break;
	case BUS_CHANNEL_USEREVENT:
		/* POST /events/user names its application; UserEvent() in the
		 * dialplan goes to whoever watches the channel. */
		if (ev->app) {
			app = stasis_app_find(ev->app);
			if (app)
				stasis_app_deliver(app, ev);
		}
		else if (ev->chan) {
			route_channel_event(ev);
		}
		break;
	case BUS_STASIS_START:
	case BUS_STASIS_END:
	case BUS_APP_MOVE_FAILED:
		app = stasis_app_find(ev->app);
		if (app)
			stasis_app_deliver(app, ev);
		break;
	case BUS_APP_REPLACED:
	case BUS_CEL_APP:
	case BUS_STASIS_CONTINUING:
		break;
	case BUS_BRIDGE_CREATED:
	case BUS_BRIDGE_DESTROYED:
	case BUS_BRIDGE_MERGED:
	case BUS_CHANNEL_ENTERED_BRIDGE:
	case BUS_CHANNEL_LEFT_BRIDGE:
	case BUS_BRIDGE_VIDEO_SOURCE_CHANGED:
		route_bridge_event(ev);
		break;
	case BUS_BRIDGE_BLIND_TRANSFER:
	case BUS_BRIDGE_ATTENDED_TRANSFER:
		route_transfer(ev);
		break;
	case BUS_PLAYBACK_STARTED:
	case BUS_PLAYBACK_CONTINUING:
	case BUS_PLAYBACK_FINISHED:
	case BUS_RECORDING_STARTED:
	case BUS_RECORDING_FINISHED:
	case BUS_RECORDING_FAILED:
		/* A bridge's playback or recording: its watchers. */
		if (ev->chan)
			route_channel_event(ev);
		else if (ev->bridge)
			route_bridge_event(ev);
		break;
	case BUS_CHANNEL_VARSET:
		if (!ev->chan) {
			/* Global variables: only apps that see everything. */
			for (struct le *le = stasis_apps.head; le; le = le->next) {
				app = le->data;
				if (app->subscribe_all)
					stasis_app_deliver(app, ev);
			}
			break;
		}
		route_channel_event(ev);
		break;
	default:
		if (ev->chan)
			route_channel_event(ev);
		break;
	}
}

int stasis_init(void)
{
	return bus_subscribe(on_event, NULL);
}

void stasis_close(void)
{
	bus_unsubscribe(on_event, NULL);
	stasis_apps_close();
}
