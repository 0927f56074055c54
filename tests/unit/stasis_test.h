/* stasis_test.h — the fixture of the Stasis unit tests: the core started as
 * main.c starts it (Stasis hooks on channels, the pbx's hooks, the
 * stasis-<app> contexts of src/pbx/pbx_stasis_apps.c), apps registered with
 * rec_deliver so that each app's events land in core_test.h's log under its
 * owner's label, and a record of the `done` callbacks.
 *
 * Header-only, like core_test.h (include that first, with libre's
 * headers). */
#ifndef ARIADNE_TEST_STASIS_TEST_H
#define ARIADNE_TEST_STASIS_TEST_H

#include "base/defer.h"
#include "base/log.h"
#include "core/stasis.h"
#include "pbx/dialplan.h"
#include "pbx/pbx.h"

/* Group setup, once per binary: hooks cannot be removed, techs cannot be
 * unregistered. */
static inline int stasis_group_setup(void **state)
{
	int err = libre_init();

	(void)state;
	log_set_quiet(1);
	if (!err)
		err = channel_tech_register(&test_tech);
	if (!err)
		err = channel_hooks_add(&stasis_hooks);
	if (!err)
		err = channel_hooks_add(&pbx_hooks);
	return err ? -1 : 0;
}

static inline int stasis_group_teardown(void **state)
{
	(void)state;
	libre_close();
	return 0;
}

static struct {
	int calls;
	enum stasis_leave why;
	char context[96], exten[96];
	int priority;
	char app_then[80];   /* stasis_channel_app() when done ran */
} done_rec;

static inline void done_h(struct channel *ch, enum stasis_leave why,
			  void *arg)
{
	const char *app = stasis_channel_app(ch);

	(void)arg;
	done_rec.calls++;
	done_rec.why = why;
	snprintf(done_rec.context, sizeof(done_rec.context), "%s",
		 channel_context(ch));
	snprintf(done_rec.exten, sizeof(done_rec.exten), "%s",
		 channel_exten(ch));
	done_rec.priority = channel_priority(ch);
	snprintf(done_rec.app_then, sizeof(done_rec.app_then), "%s",
		 app ? app : "");
}

static inline int stasis_setup(void **state)
{
	(void)state;
	rec_reset();
	memset(&tech_calls, 0, sizeof(tech_calls));
	memset(&done_rec, 0, sizeof(done_rec));
	if (bus_subscribe(rec_bus_h, NULL) || stasis_init() ||
	    pbx_apps_init() || pbx_stasis_apps_init())
		return -1;
	return 0;
}

static inline int stasis_teardown(void **state)
{
	(void)state;
	channel_registry_close();
	endpoint_close();
	defer_flush();
	stasis_close();
	stasis_app_hooks_set(NULL);
	pbx_apps_close();
	dialplan_reset();
	bus_unsubscribe(rec_bus_h, NULL);
	return 0;
}

/* Register `name` for the socket labelled `owner`. */
static inline void app_up(const char *name, const char *owner)
{
	assert_int_equal(stasis_app_register(name, false, rec_deliver,
					     (void *)owner),
			 0);
}

/* A new channel in app `name`, with `done_h` as its done callback. */
static inline struct channel *chan_in(const char *name, const char *chan_name)
{
	struct channel *ch = test_channel(chan_name);

	assert_int_equal(stasis_enter(ch, name, NULL, 0, done_h, NULL), 0);
	return ch;
}

#endif
