/* core_test.h — what the unit tests of src/core share: a channel technology
 * that counts what the core asks of it, a log of the events the bus and the
 * Stasis apps saw (copied at delivery, since the event's strings do not
 * outlive it), ways to turn libre's loop until deferred work has run, and a
 * reader of CEL's Master.csv.
 *
 * Header-only (static inline) because the Makefile builds each
 * tests/unit/test_*.c into its own binary; not a test itself. libre's
 * headers have no include guards, so the test includes them, before this
 * file: <re_types.h>, <re_list.h>, <re_mem.h>, <re_tmr.h>, <re_main.h>. */
#ifndef ARIADNE_TEST_CORE_TEST_H
#define ARIADNE_TEST_CORE_TEST_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include "base/defer.h"
#include "core/bus.h"
#include "core/channel.h"
#include "core/endpoint.h"

/* ---- a channel technology that counts ---- */

static struct {
	int answers;
	int answer_err;         /* returned by answer when set */
	int hangups;
	int last_hangup_cause;
	void (*on_hangup)(struct channel *ch); /* test's probe, may be NULL */
} tech_calls;

static inline int test_tech_answer(struct channel *ch)
{
	(void)ch;
	tech_calls.answers++;
	return tech_calls.answer_err;
}

static inline void test_tech_hangup(struct channel *ch, int cause)
{
	tech_calls.hangups++;
	tech_calls.last_hangup_cause = cause;
	if (tech_calls.on_hangup)
		tech_calls.on_hangup(ch);
}

static const struct channel_tech test_tech = {
	.type = "CoreTest",
	.description = "unit test channels",
	.answer = test_tech_answer,
	.hangup = test_tech_hangup,
};

/* A channel of test_tech with a generated id; the registry owns it. */
static inline struct channel *test_channel(const char *name)
{
	struct channel *ch = NULL;

	assert_int_equal(channel_alloc(&ch, &test_tech, NULL, NULL, NULL,
				       "CoreTest/%s", name),
			 0);
	assert_non_null(ch);
	return ch;
}

/* ---- the event log ---- */

#define REC_MAX 512

struct rec {
	enum bus_type type;
	char who[32];        /* "bus", or the owner label of a Stasis app */
	char app[80];        /* ev->app, or the app it was delivered to */
	char chan[160];      /* channel id ("" for none) */
	char args[256];      /* args joined by '|' */
	char dest[80];       /* ApplicationMoveFailed destination */
	char var[64], value[64];
	char data[128];      /* CEL_APP: dialplan_data */
	char ep[64];         /* ENDPOINT_STATE: "tech/resource" */
	char ep_chans[256];  /* ENDPOINT_STATE: its channel ids, '|' joined */
	int cause, tech_cause;
	bool soft, cel_start;
	uint64_t time_us;
};

static struct {
	struct rec r[REC_MAX];
	int n;
} evlog;

static inline void rec_reset(void)
{
	memset(&evlog, 0, sizeof(evlog));
}

static inline void rec_join(char *buf, size_t size, const char *s)
{
	size_t len = strlen(buf);

	snprintf(buf + len, size - len, "%s%s", len ? "|" : "", s);
}

static inline void rec_ep_chan(struct channel *ch, void *arg)
{
	rec_join(arg, sizeof(((struct rec *)0)->ep_chans), channel_id(ch));
}

static inline void rec_add(const char *who, const char *app,
			   const struct bus_event *ev)
{
	struct rec *r;

	if (evlog.n == REC_MAX)
		fail_msg("event log full");
	r = &evlog.r[evlog.n++];
	r->type = ev->type;
	snprintf(r->who, sizeof(r->who), "%s", who);
	snprintf(r->app, sizeof(r->app), "%s", app ? app : "");
	snprintf(r->chan, sizeof(r->chan), "%s",
		 ev->chan ? channel_id(ev->chan) : "");
	for (int i = 0; ev->args && i < ev->nargs; i++)
		rec_join(r->args, sizeof(r->args), ev->args[i]);
	snprintf(r->dest, sizeof(r->dest), "%s",
		 ev->destination ? ev->destination : "");
	snprintf(r->var, sizeof(r->var), "%s", ev->var ? ev->var : "");
	snprintf(r->value, sizeof(r->value), "%s", ev->value ? ev->value : "");
	snprintf(r->data, sizeof(r->data), "%s",
		 ev->dialplan_data ? ev->dialplan_data : "");
	if (ev->type == BUS_ENDPOINT_STATE && ev->endpoint) {
		snprintf(r->ep, sizeof(r->ep), "%s/%s",
			 endpoint_tech(ev->endpoint),
			 endpoint_resource(ev->endpoint));
		endpoint_channel_foreach(ev->endpoint, rec_ep_chan,
					 r->ep_chans);
	}
	r->cause = ev->cause;
	r->tech_cause = ev->tech_cause;
	r->soft = ev->soft;
	r->cel_start = ev->cel_start;
	r->time_us = ev->time_us;
}

/* Bus subscriber: every event, as "bus". */
static inline void rec_bus_h(const struct bus_event *ev, void *arg)
{
	(void)arg;
	rec_add("bus", ev->app, ev);
}

/* Stasis deliver callback: the owner given at registration is its label. */
static inline void rec_deliver(const char *app, const struct bus_event *ev,
			       void *owner)
{
	rec_add(owner, app, ev);
}

/* Index of the first record at or after `from` of `type` seen by `who`
 * (NULL: anyone), or -1. */
static inline int rec_find_from(int from, enum bus_type type, const char *who)
{
	for (int i = from; i < evlog.n; i++)
		if (evlog.r[i].type == type &&
		    (!who || !strcmp(evlog.r[i].who, who)))
			return i;
	return -1;
}

static inline int rec_find(enum bus_type type, const char *who)
{
	return rec_find_from(0, type, who);
}

static inline int rec_count(enum bus_type type, const char *who)
{
	int n = 0;

	for (int i = 0; i < evlog.n; i++)
		if (evlog.r[i].type == type &&
		    (!who || !strcmp(evlog.r[i].who, who)))
			n++;
	return n;
}

/* Records seen by `who` (any type). */
static inline int rec_count_who(const char *who)
{
	int n = 0;

	for (int i = 0; i < evlog.n; i++)
		if (!strcmp(evlog.r[i].who, who))
			n++;
	return n;
}

/* ---- the loop ---- */

static inline void loop_stop(void *arg)
{
	(void)arg;
	re_cancel();
}

static inline void loop_guard_h(void *arg)
{
	*(bool *)arg = true;
	re_cancel();
}

/* Turn the loop until everything deferred so far has run: the stop is
 * deferred last, and deferred calls run in order. `around` (may be NULL) is
 * told when the loop starts and ends, after the stop was deferred. */
static inline void run_deferred_around(void (*around)(bool running))
{
	struct tmr guard;
	bool expired = false;

	tmr_init(&guard);
	tmr_start(&guard, 2000, loop_guard_h, &expired);
	assert_int_equal(defer_call(loop_stop, NULL), 0);
	if (around)
		around(true);
	re_main(NULL);
	if (around)
		around(false);
	tmr_cancel(&guard);
	assert_false(expired);
}

static inline void run_deferred(void)
{
	run_deferred_around(NULL);
}

struct loop_until {
	struct tmr tmr;
	bool (*pred)(void);
};

static inline void loop_until_poll(void *arg)
{
	struct loop_until *u = arg;

	if (u->pred())
		re_cancel();
	else
		tmr_start(&u->tmr, 1, loop_until_poll, u);
}

/* Turn the loop until pred() holds (false after timeout_ms). */
static inline bool run_until(bool (*pred)(void), unsigned timeout_ms)
{
	struct loop_until u = {.pred = pred};
	struct tmr guard;
	bool expired = false;

	tmr_init(&u.tmr);
	tmr_init(&guard);
	tmr_start(&u.tmr, 0, loop_until_poll, &u);
	tmr_start(&guard, timeout_ms, loop_guard_h, &expired);
	re_main(NULL);
	tmr_cancel(&u.tmr);
	tmr_cancel(&guard);
	return pred();
}

/* ---- CEL rows ---- */

/* Master.csv's columns, cel_custom's sample order (see cel.c). */
enum cel_col {
	COL_EVENTTYPE, COL_EVENTTIME, COL_CID_NAME, COL_CID_NUM, COL_CID_ANI,
	COL_CID_RDNIS, COL_CID_DNID, COL_EXTEN, COL_CONTEXT, COL_CHANNAME,
	COL_APPNAME, COL_APPDATA, COL_AMAFLAGS, COL_ACCOUNTCODE, COL_UNIQUEID,
	COL_LINKEDID, COL_PEER, COL_USERDEFFIELD, COL_EXTRA,
	CEL_COLS
};

#define CEL_ROWS_MAX 256

struct cel_row {
	char col[CEL_COLS][200];
};

static struct {
	struct cel_row row[CEL_ROWS_MAX];
	int n;
} cel_rows;

/* One line of quoted fields ("a","b""c",...) into a row; fails the test
 * unless it is exactly CEL_COLS quoted fields. */
static inline void cel_parse_line(const char *p, struct cel_row *row)
{
	int c = 0;

	for (;;) {
		size_t len = 0;

		if (c == CEL_COLS)
			fail_msg("more than %d CEL columns", CEL_COLS);
		if (*p != '"')
			fail_msg("CEL field %d not quoted: %s", c, p);
		for (p++; *p && !(*p == '"' && p[1] != '"'); p++) {
			if (*p == '"')
				p++; /* "" is one quote */
			if (len + 1 < sizeof(row->col[c]))
				row->col[c][len++] = *p;
		}
		if (*p != '"')
			fail_msg("CEL field %d not closed", c);
		row->col[c++][len] = '\0';
		p++;
		if (*p == '\n' || !*p)
			break;
		if (*p != ',')
			fail_msg("CEL fields not separated by commas: %s", p);
		p++;
	}
	if (c != CEL_COLS)
		fail_msg("%d CEL columns, not %d", c, CEL_COLS);
}

/* Read every row of the file (0 rows when it does not exist). */
static inline int cel_read(const char *path)
{
	char line[4096];
	FILE *f = fopen(path, "r");

	memset(&cel_rows, 0, sizeof(cel_rows));
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (cel_rows.n == CEL_ROWS_MAX)
			fail_msg("more than %d CEL rows", CEL_ROWS_MAX);
		cel_parse_line(line, &cel_rows.row[cel_rows.n++]);
	}
	fclose(f);
	return cel_rows.n;
}

/* Rows of one channel (uniqueid) and event type (NULL: any). */
static inline int cel_count(const char *uniqueid, const char *type)
{
	int n = 0;

	for (int i = 0; i < cel_rows.n; i++) {
		const struct cel_row *r = &cel_rows.row[i];

		if ((!uniqueid || !strcmp(r->col[COL_UNIQUEID], uniqueid)) &&
		    (!type || !strcmp(r->col[COL_EVENTTYPE], type)))
			n++;
	}
	return n;
}

#endif
