/* cel.c — Channel Event Logging to <logdir>/cel/Master.csv. Subscribes to
 * the bus and turns channel events into CEL records (CHAN_START, ANSWER,
 * APP_START/APP_END, BRIDGE_ENTER/BRIDGE_EXIT, BLINDTRANSFER and
 * ATTENDEDTRANSFER, HANGUP, CHAN_END, LINKEDID_END), one CSV line each in
 * the column order of Asterisk's cel_custom.conf sample mapping, each
 * written whole or not at all (base/linefile.h: a full disk loses records,
 * never half of one). Not a CEL backend framework: one fixed file and
 * format. */
#include <stdint.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdarg.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <re_types.h>
#include <re_mem.h>
#include <re_list.h>
#include <re_hash.h>
#include <re_mbuf.h>
#include "core/bridge.h"
#include "core/bus.h"
#include "core/cel.h"
#include "core/channel.h"
#include "base/config.h"
#include "base/linefile.h"
#include "base/log.h"

/* Asterisk's CEL event names (include/asterisk/cel.h order). */
enum cel_type {
	CEL_CHAN_START = 1,
	CEL_CHAN_END,
	CEL_HANGUP,
	CEL_ANSWER,
	CEL_APP_START,
	CEL_APP_END,
	CEL_BRIDGE_ENTER,
	CEL_BRIDGE_EXIT,
	CEL_PARK_START,
	CEL_PARK_END,
	CEL_BLINDTRANSFER,
	CEL_ATTENDEDTRANSFER,
	CEL_USER_DEFINED,
	CEL_LINKEDID_END,
	CEL_PICKUP,
	CEL_FORWARD,
	CEL_LOCAL_OPTIMIZE,
	CEL_LOCAL_OPTIMIZE_BEGIN,
	CEL_STREAM_BEGIN,
	CEL_STREAM_END,
	CEL_DTMF,
	CEL_TYPE_MAX
};

static const char *const type_names[CEL_TYPE_MAX] = {
	[CEL_CHAN_START] = "CHAN_START",
	[CEL_CHAN_END] = "CHAN_END",
	[CEL_HANGUP] = "HANGUP",
	[CEL_ANSWER] = "ANSWER",
	[CEL_APP_START] = "APP_START",
	[CEL_APP_END] = "APP_END",
	[CEL_BRIDGE_ENTER] = "BRIDGE_ENTER",
	[CEL_BRIDGE_EXIT] = "BRIDGE_EXIT",
	[CEL_PARK_START] = "PARK_START",
	[CEL_PARK_END] = "PARK_END",
	[CEL_BLINDTRANSFER] = "BLINDTRANSFER",
	[CEL_ATTENDEDTRANSFER] = "ATTENDEDTRANSFER",
	[CEL_USER_DEFINED] = "USER_DEFINED",
	[CEL_LINKEDID_END] = "LINKEDID_END",
	[CEL_PICKUP] = "PICKUP",
	[CEL_FORWARD] = "FORWARD",
	[CEL_LOCAL_OPTIMIZE] = "LOCAL_OPTIMIZE",
	[CEL_LOCAL_OPTIMIZE_BEGIN] = "LOCAL_OPTIMIZE_BEGIN",
	[CEL_STREAM_BEGIN] = "STREAM_BEGIN",
	[CEL_STREAM_END] = "STREAM_END",
	[CEL_DTMF] = "DTMF",
};

/* What CEL remembers per live channel. */
struct cel_chan {
	struct le he;          /* in chans, keyed by id */
	char *id;
	char *linkedid;        /* the linkedid counted in links */
	bool answered;
};

/* Live channels per linkedid, for LINKEDID_END. */
struct cel_link {
	struct le he;
	char *id;
	unsigned count;
};

static struct {
	bool enabled;
	uint64_t events;        /* bit per enum cel_type */
	bool all_apps;
	char **apps;            /* lower-case names, NULL-terminated */
	size_t napps;
	char dateformat[128];   /* "" → seconds.microseconds */
	struct linefile out;    /* Master.csv */
	bool out_open;
	struct mbuf *row;       /* the record being written */
	struct hash *chans;
	struct hash *links;
	bool subscribed;
} cel;

/* --- helpers ----------------------------------------------------------- */

/* libre's str_dup refuses NULL; a missing value is "" here. */
static int copy_str(char **dst, const char *src)
{
	size_t n = strlen(src ? src : "");

	*dst = mem_alloc(n + 1, NULL);
	if (!*dst)
		return ENOMEM;
	memcpy(*dst, src ? src : "", n + 1);
	return 0;
}

static bool tracked(enum cel_type t)
{
	return cel.enabled && (cel.events & ((uint64_t)1 << t));
}

static bool app_tracked(const char *app)
{
	if (cel.all_apps)
		return true;
	for (size_t i = 0; i < cel.napps; i++)
		if (!strcasecmp(cel.apps[i], app))
			return true;
	return false;
}

/* CSV_QUOTE(): wrapped in double quotes, quotes inside doubled. Line breaks
 * become blanks so that one record stays one line. */
static void put_field(struct mbuf *mb, const char *v, bool first)
{
	if (!first)
		(void)mbuf_write_u8(mb, ',');
	(void)mbuf_write_u8(mb, '"');
	for (const char *p = v ? v : ""; *p; p++) {
		if (*p == '"')
			(void)mbuf_write_u8(mb, '"');
		(void)mbuf_write_u8(mb, *p == '\n' || *p == '\r' ? ' ' :
				    (uint8_t)*p);
	}
	(void)mbuf_write_u8(mb, '"');
}

static void format_time(char *buf, size_t size, uint64_t us)
{
	time_t sec = (time_t)(us / 1000000);

	if (cel.dateformat[0]) {
		struct tm tm;
		localtime_r(&sec, &tm);
		if (strftime(buf, size, cel.dateformat, &tm) > 0)
			return;
	}
	/* Asterisk's default when dateformat is unset: "%ld.%06ld" */
	snprintf(buf, size, "%ld.%06ld", (long)sec, (long)(us % 1000000));
}

/* JSON string contents (RFC 8259 section 7) */
static size_t json_escape(char *dst, size_t size, const char *s)
{
	size_t n = 0;

	for (; s && *s && n + 7 < size; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\') {
			dst[n++] = '\\';
			dst[n++] = (char)c;
		}
		else if (c < 0x20) {
			n += (size_t)snprintf(dst + n, size - n, "\\u%04x", c);
		}
		else {
			dst[n++] = (char)c;
		}
	}
	dst[n] = '\0';
	return n;
}

struct record {
	enum cel_type type;
	uint64_t time_us;
	const char *appname, *appdata;  /* NULL: from the channel */
	const char *extra;
	const char *peer;               /* BRIDGE_*: the others in the bridge */
};

/* Columns of cel_custom.conf.sample's Master.csv mapping, without its
 * "My Literal" column: eventtype, eventtime, CALLERID(name), CALLERID(num),
 * CALLERID(ANI), CALLERID(RDNIS), CALLERID(DNID), exten, context, channame,
 * appname, appdata, amaflags, accountcode, uniqueid, linkedid, BRIDGEPEER,
 * userdeffield (the USER_DEFINED event name), extra: the 19 columns users
 * of cel_custom know. */
static void write_record(struct channel *ch, const struct record *r)
{
	char when[160];
	struct mbuf *f = cel.row;

	if (!cel.out_open || !f || !tracked(r->type))
		return;
	format_time(when, sizeof(when), r->time_us);
	mbuf_rewind(f);

	put_field(f, type_names[r->type], true);
	put_field(f, when, false);
	put_field(f, channel_caller_name(ch), false);
	put_field(f, channel_caller_num(ch), false);
	put_field(f, channel_caller_num(ch), false);  /* ANI: the caller */
	put_field(f, "", false);                      /* RDNIS */
	put_field(f, "", false);                      /* DNID */
	put_field(f, channel_exten(ch), false);
	put_field(f, channel_context(ch), false);
	put_field(f, channel_name(ch), false);
	put_field(f, r->appname ? r->appname : channel_appl(ch), false);
	put_field(f, r->appdata ? r->appdata : channel_data(ch), false);
	/* every channel is DOCUMENTATION (3), Asterisk's default AMA flag */
	put_field(f, "DOCUMENTATION", false);
	put_field(f, channel_accountcode(ch), false);
	put_field(f, channel_id(ch), false);
	put_field(f, channel_linkedid(ch), false);
	put_field(f, r->peer ? r->peer : "", false);
	put_field(f, "", false);                      /* userdeffield */
	put_field(f, r->extra ? r->extra : "", false);
	if (mbuf_write_u8(f, '\n'))
		return;  /* out of memory: not half a record either */
	(void)linefile_write(&cel.out, (const char *)f->buf, f->end);
}

static void write_simple(struct channel *ch, enum cel_type t, uint64_t us)
{
	struct record r = {.type = t, .time_us = us};

	write_record(ch, &r);
}

/* --- per-channel and per-linkedid state -------------------------------- */

static bool chan_cmp(struct le *le, void *arg)
{
	const struct cel_chan *c = le->data;

	return !strcmp(c->id, arg);
}

static bool link_cmp(struct le *le, void *arg)
{
	const struct cel_link *l = le->data;

	return !strcmp(l->id, arg);
}

static void chan_destructor(void *arg)
{
	struct cel_chan *c = arg;

	hash_unlink(&c->he);
	mem_deref(c->id);
	mem_deref(c->linkedid);
}

static void link_destructor(void *arg)
{
	struct cel_link *l = arg;

	hash_unlink(&l->he);
	mem_deref(l->id);
}

static struct cel_link *link_find(const char *id)
{
	struct le *le = hash_lookup(cel.links, hash_joaat_str(id), link_cmp,
				    (void *)id);

	return le ? le->data : NULL;
}

static void link_add(const char *id)
{
	struct cel_link *l = link_find(id);

	if (!l) {
		l = mem_zalloc(sizeof(*l), link_destructor);
		if (!l || copy_str(&l->id, id)) {
			mem_deref(l);
			return;
		}
		hash_append(cel.links, hash_joaat_str(id), &l->he, l);
	}
	l->count++;
}

/* Returns true when this was the last live channel of the linkedid. */
static bool link_drop(const char *id)
{
	struct cel_link *l = link_find(id);

	if (!l)
		return false;
	if (--l->count)
		return false;
	mem_deref(l);
	return true;
}

static struct cel_chan *chan_find(const char *id)
{
	struct le *le = hash_lookup(cel.chans, hash_joaat_str(id), chan_cmp,
				    (void *)id);

	return le ? le->data : NULL;
}

/* The record for ch, made on first sight (channels that existed before
 * cel_init, or events that arrive before CHANNEL_CREATED). A linkedid
 * changed since we counted it moves the count along. */
static struct cel_chan *chan_get(struct channel *ch)
{
	const char *id = channel_id(ch), *lid = channel_linkedid(ch);
	struct cel_chan *c = chan_find(id);

	if (!c) {
		c = mem_zalloc(sizeof(*c), chan_destructor);
		if (!c || copy_str(&c->id, id) || copy_str(&c->linkedid, lid)) {
			mem_deref(c);
			return NULL;
		}
		c->answered = channel_state(ch) == CHANNEL_UP;
		hash_append(cel.chans, hash_joaat_str(id), &c->he, c);
		link_add(lid);
		return c;
	}
	if (strcmp(c->linkedid, lid)) {
		char *nl;
		if (copy_str(&nl, lid) == 0) {
			link_add(lid);
			link_drop(c->linkedid);
			mem_deref(c->linkedid);
			c->linkedid = nl;
		}
	}
	return c;
}

/* --- bus events -------------------------------------------------------- */

static void on_destroyed(struct channel *ch, const struct bus_event *ev)
{
	struct cel_chan *c = chan_get(ch);
	char extra[512], src[256], ds[64];
	const char *dialstatus = channel_var_get(ch, "DIALSTATUS");
	struct record r = {.type = CEL_HANGUP, .time_us = ev->time_us};
	bool last;

	json_escape(src, sizeof(src), channel_hangup_source(ch));
	json_escape(ds, sizeof(ds), dialstatus ? dialstatus : "");
	snprintf(extra, sizeof(extra),
		 "{\"hangupcause\":%d,\"hangupsource\":\"%s\","
		 "\"dialstatus\":\"%s\"}",
		 ev->cause ? ev->cause : channel_hangup_cause(ch), src, ds);
	r.extra = extra;
	write_record(ch, &r);
	write_simple(ch, CEL_CHAN_END, ev->time_us);

	last = c ? link_drop(c->linkedid) : false;
	mem_deref(c);
	if (last)
		write_simple(ch, CEL_LINKEDID_END, ev->time_us);
}

struct peers {
	const struct channel *self;
	char buf[1024];
	size_t len;
};

static void add_peer(struct channel *ch, void *arg)
{
	struct peers *p = arg;

	if (ch == p->self || p->len >= sizeof(p->buf))
		return;
	p->len += (size_t)snprintf(p->buf + p->len, sizeof(p->buf) - p->len,
				   "%s%s", p->len ? "," : "",
				   channel_name(ch));
}

/* Asterisk's cel_bridge_enter_cb / cel_bridge_leave_cb: the bridge's id
 * and technology as extra, the names of the other channels in the bridge
 * (as it is after the change) as peer. */
static void on_bridge(struct channel *ch, const struct bus_event *ev)
{
	struct record r = {.time_us = ev->time_us};
	struct peers p = {.self = ch};
	char extra[512], id[256], tech[64];

	r.type = ev->type == BUS_CHANNEL_ENTERED_BRIDGE ? CEL_BRIDGE_ENTER
							: CEL_BRIDGE_EXIT;
	json_escape(id, sizeof(id), bridge_id(ev->bridge));
	json_escape(tech, sizeof(tech), bridge_technology(ev->bridge));
	snprintf(extra, sizeof(extra),
		 "{\"bridge_id\":\"%s\",\"bridge_technology\":\"%s\"}",
		 id, tech);
	bridge_channel_foreach(ev->bridge, add_peer, &p);
	r.extra = extra;
	r.peer = p.buf;
	chan_get(ch);
	write_record(ch, &r);
}

/* "name","uniqueid" of a transfer's party for the extra JSON (empty when
 * the party is unknown, as Asterisk leaves it). */
static void party(char *name, char *id, size_t size, struct channel *ch)
{
	json_escape(name, size, ch ? channel_name(ch) : "");
	json_escape(id, size, ch ? channel_id(ch) : "");
}

/* Asterisk's cel_blind_transfer_cb / cel_attended_transfer_cb: one record
 * on the transferer's (first) channel once the transfer succeeded; the
 * extra names the destination and the parties. */
static void on_transfer(struct channel *ch, const struct bus_event *ev)
{
	struct record r = {.time_us = ev->time_us};
	char extra[1536], b1[128], b2[128], n1[128], i1[128], n2[128];
	char i2[128], n3[128], i3[128], e[128], c[128];

	if (!ev->result || strcmp(ev->result, "Success") || !ev->bridge)
		return;
	json_escape(b1, sizeof(b1), bridge_id(ev->bridge));
	party(n1, i1, sizeof(n1), ev->transferee);
	if (ev->type == BUS_BRIDGE_BLIND_TRANSFER) {
		r.type = CEL_BLINDTRANSFER;
		json_escape(e, sizeof(e), ev->exten ? ev->exten : "");
		json_escape(c, sizeof(c), ev->context ? ev->context : "");
		snprintf(extra, sizeof(extra), "{\"extension\":\"%s\","
			 "\"context\":\"%s\",\"bridge_id\":\"%s\","
			 "\"transferee_channel_name\":\"%s\","
			 "\"transferee_channel_uniqueid\":\"%s\"}",
			 e, c, b1, n1, i1);
	}
	else {
		r.type = CEL_ATTENDEDTRANSFER;
		json_escape(b2, sizeof(b2), ev->bridge_from
				? bridge_id(ev->bridge_from) : "");
		party(n2, i2, sizeof(n2), ev->second_leg);
		party(n3, i3, sizeof(n3), ev->target);
		snprintf(extra, sizeof(extra), "{\"bridge1_id\":\"%s\","
			 "\"channel2_name\":\"%s\","
			 "\"channel2_uniqueid\":\"%s\","
			 "\"bridge2_id\":\"%s\","
			 "\"transferee_channel_name\":\"%s\","
			 "\"transferee_channel_uniqueid\":\"%s\","
			 "\"transfer_target_channel_name\":\"%s\","
			 "\"transfer_target_channel_uniqueid\":\"%s\"}",
			 b1, n2, i2, b2, n1, i1, n3, i3);
	}
	r.extra = extra;
	chan_get(ch);
	write_record(ch, &r);
}

static void cel_bus_handler(const struct bus_event *ev, void *arg)
{
	struct channel *ch = ev->chan;
	struct cel_chan *c;

	(void)arg;
	if (!ch)
		return;

	switch (ev->type) {
	case BUS_CHANNEL_CREATED:
		chan_get(ch);
		write_simple(ch, CEL_CHAN_START, ev->time_us);
		break;
	case BUS_CHANNEL_STATE:
		c = chan_get(ch);
		if (c && !c->answered && channel_state(ch) == CHANNEL_UP) {
			c->answered = true;
			write_simple(ch, CEL_ANSWER, ev->time_us);
		}
		break;
	case BUS_CEL_APP: {
		const char *app = ev->dialplan_app ? ev->dialplan_app
						   : channel_appl(ch);
		struct record r = {
			.type = ev->cel_start ? CEL_APP_START : CEL_APP_END,
			.time_us = ev->time_us,
			.appname = app,
			.appdata = ev->dialplan_data ? ev->dialplan_data
						     : channel_data(ch),
		};

		chan_get(ch);
		if (*app && app_tracked(app))
			write_record(ch, &r);
		break;
	}
	case BUS_CHANNEL_ENTERED_BRIDGE:
	case BUS_CHANNEL_LEFT_BRIDGE:
		on_bridge(ch, ev);
		break;
	case BUS_BRIDGE_BLIND_TRANSFER:
	case BUS_BRIDGE_ATTENDED_TRANSFER:
		on_transfer(ch, ev);
		break;
	case BUS_CHANNEL_DESTROYED:
		on_destroyed(ch, ev);
		break;
	default:
		break;
	}
}

/* --- configuration ----------------------------------------------------- */

static int type_find(const char *name)
{
	for (int i = 1; i < CEL_TYPE_MAX; i++)
		if (type_names[i] && !strcasecmp(type_names[i], name))
			return i;
	return -1;
}

/* Split a comma list in place, trimming blanks; calls h for each item. */
static void each_item(char *list, void (*h)(const char *item,
					   const struct config_var *var),
		      const struct config_var *var)
{
	char *save = NULL, *tok;

	for (tok = strtok_r(list, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		char *end;
		while (isspace((unsigned char)*tok))
			tok++;
		end = tok + strlen(tok);
		while (end > tok && isspace((unsigned char)end[-1]))
			*--end = '\0';
		if (*tok)
			h(tok, var);
	}
}

static void event_item(const char *item, const struct config_var *var)
{
	int t;

	if (!strcasecmp(item, "ALL")) {
		cel.events = ~(uint64_t)0;
		return;
	}
	t = type_find(item);
	if (t < 0) {
		log_warning("%s:%u: Unknown CEL event name '%s'", var->file,
			    var->line, item);
		return;
	}
	cel.events |= (uint64_t)1 << t;
}

static void app_item(const char *item, const struct config_var *var)
{
	char **apps, *copy;

	(void)var;
	if (!strcasecmp(item, "all")) {
		cel.all_apps = true;
		return;
	}
	/* mem_realloc() does not take NULL */
	apps = cel.apps ? mem_realloc(cel.apps, (cel.napps + 1) * sizeof(*apps))
			: mem_alloc(sizeof(*apps), NULL);
	if (!apps)
		return;
	cel.apps = apps;
	if (copy_str(&copy, item))
		return;
	cel.apps[cel.napps++] = copy;
}

static void free_apps(void)
{
	for (size_t i = 0; i < cel.napps; i++)
		mem_deref(cel.apps[i]);
	cel.apps = mem_deref(cel.apps);
	cel.napps = 0;
}

static void set_enable(const struct config_var *var)
{
	if (config_true(var->value))
		cel.enabled = true;
	else if (config_false(var->value))
		cel.enabled = false;
	else
		log_warning("%s:%u: Invalid value '%s' for enable; using yes",
			    var->file, var->line, var->value);
}

static void set_dateformat(const struct config_var *var)
{
	if (strlen(var->value) >= sizeof(cel.dateformat))
		log_warning("%s:%u: dateformat too long; using "
			    "seconds.microseconds", var->file, var->line);
	else
		snprintf(cel.dateformat, sizeof(cel.dateformat), "%s",
			 var->value);
}

/* events = a,b,…: only those types; none valid means ALL, as Asterisk. */
static void set_events(const struct config_var *events)
{
	char *copy;

	cel.events = 0;
	if (copy_str(&copy, events->value) == 0) {
		each_item(copy, event_item, events);
		mem_deref(copy);
	}
	if (!cel.events) {
		log_warning("%s:%u: No valid CEL event in '%s'; tracking ALL",
			    events->file, events->line, events->value);
		cel.events = ~(uint64_t)0;
	}
}

static void set_apps(const struct config_var *apps)
{
	char *copy;

	cel.all_apps = false;
	if (copy_str(&copy, apps->value) == 0) {
		each_item(copy, app_item, apps);
		mem_deref(copy);
	}
	if (!cel.all_apps && !cel.napps) {
		log_warning("%s:%u: Empty apps list; tracking all", apps->file,
			    apps->line);
		cel.all_apps = true;
	}
}

static void load_config(const struct config *conf)
{
	const struct config_section *sec;
	const struct config_var *var;
	const struct config_var *events = NULL, *apps = NULL;

	cel.enabled = true;
	cel.events = ~(uint64_t)0;
	cel.all_apps = true;
	cel.dateformat[0] = '\0';

	sec = conf ? config_section_find(conf, "general") : NULL;
	if (!sec)
		return;
	/* later lines override earlier ones, as config_var_get() does */
	for (var = sec->vars; var; var = var->next) {
		if (!strcasecmp(var->name, "enable"))
			set_enable(var);
		else if (!strcasecmp(var->name, "events"))
			events = var;
		else if (!strcasecmp(var->name, "apps"))
			apps = var;
		else if (!strcasecmp(var->name, "dateformat"))
			set_dateformat(var);
		else
			log_warning("%s:%u: Unknown option '%s' in [general]",
				    var->file, var->line, var->name);
	}
	if (events)
		set_events(events);
	if (apps)
		set_apps(apps);
}

/* --- init / close ------------------------------------------------------ */

/* A full disk, a read-only or missing directory: said once, and once
 * more when records go in again (base/linefile.h retries by itself). */
static void report_out(const struct linefile *lf, int err,
		       unsigned long lost, void *arg)
{
	(void)arg;
	if (err)
		log_warning("CEL: cannot write %s: %s; records are lost until "
			    "it can be written again", lf->path,
			    strerror(err));
	else
		log_notice("CEL: writing %s again (%lu record%s lost)",
			   lf->path, lost, lost == 1 ? "" : "s");
}

static bool learn_channel(struct channel *ch, void *arg)
{
	(void)arg;
	chan_get(ch);
	return false;
}

int cel_init(const struct config *celconf, const char *logdir)
{
	char path[600];
	int err;

	cel_close();
	load_config(celconf);
	if (!cel.enabled) {
		log_verbose(3, "CEL logging disabled.");
		return 0;
	}

	snprintf(path, sizeof(path), "%s/cel/Master.csv",
		 logdir ? logdir : ".");
	/* a file that cannot be opened now is retried at each record */
	(void)linefile_open(&cel.out, path, report_out, NULL);
	cel.out_open = true;
	cel.row = mbuf_alloc(512);
	err = cel.row ? 0 : ENOMEM;
	if (!err)
		err = hash_alloc(&cel.chans, 4096);  /* one per live channel */
	if (!err)
		err = hash_alloc(&cel.links, 1024);
	if (!err)
		err = bus_subscribe(cel_bus_handler, NULL);
	if (err) {
		log_error("CEL: start-up failed: %s", strerror(err));
		cel_close();
		return err;
	}
	cel.subscribed = true;
	/* After a reload (module reload cel_custom.so) the calls in progress
	 * are learned now, in their current state, not at their next event:
	 * otherwise an answer would be taken for a call that was always up,
	 * and a linkedid would end with the first of its channels to go. */
	channel_foreach(learn_channel, NULL);
	log_verbose(3, "CEL logging enabled (%s).", path);
	return 0;
}

void cel_close(void)
{
	if (cel.subscribed)
		bus_unsubscribe(cel_bus_handler, NULL);
	cel.subscribed = false;
	if (cel.chans)
		hash_flush(cel.chans);
	if (cel.links)
		hash_flush(cel.links);
	cel.chans = mem_deref(cel.chans);
	cel.links = mem_deref(cel.links);
	if (cel.out_open)
		linefile_close(&cel.out);
	cel.out_open = false;
	cel.row = mem_deref(cel.row);
	free_apps();
}
