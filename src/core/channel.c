/* channel.c — channel objects, their registry and their life cycle (create,
 * state changes, variables, hangup). Everything a channel does is announced
 * on the bus; who listens (ARI apps, CEL) is not this file's business. */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <re_types.h>
#include <re_fmt.h>
#include <re_mem.h>
#include <re_list.h>
#include <re_hash.h>
#include "core/bus.h"
#include "core/channel.h"
#include "base/log.h"
#include "base/metrics.h"

#include "core/channel_int.h"

static struct list channels;
static size_t nchannels;       /* in channels: list_count() walks it, and
                                * overload shedding asks per INVITE */
static struct hash *by_id;
static unsigned long next_uniqueid;
static char id_prefix[64];     /* channel_id_prefix_set(): a cluster node's */
static struct list globals;
static const struct channel_tech *techs[8];
#define HOOKS_MAX 8
static const struct channel_hooks *hooks[HOOKS_MAX];

int channel_hooks_add(const struct channel_hooks *h)
{
	for (int i = 0; i < HOOKS_MAX; i++) {
		if (!hooks[i] || hooks[i] == h) {
			hooks[i] = h;
			return 0;
		}
	}
	return ENOMEM;
}

/* Registering a technology also starts its created_total series at 0:
 * an alert on increase() then sees its first channel. */
int channel_tech_register(const struct channel_tech *tech)
{
	char labels[96];

	for (size_t i = 0; i < sizeof(techs) / sizeof(techs[0]); i++) {
		if (techs[i] == tech)
			return 0;
		if (!techs[i]) {
			techs[i] = tech;
			snprintf(labels, sizeof(labels), "technology=\"%s\"",
				 tech->type);
			metrics_count("ariadne_channels_created_total",
				      "Channels created, by technology", labels,
				      0);
			return 0;
		}
	}
	return ENOMEM;
}

const struct channel_tech *channel_tech_nth(size_t i)
{
	return i < sizeof(techs) / sizeof(techs[0]) ? techs[i] : NULL;
}

const struct channel_tech *channel_tech_find(const char *type)
{
	for (size_t i = 0; i < sizeof(techs) / sizeof(techs[0]); i++) {
		if (techs[i] && !strcasecmp(techs[i]->type, type))
			return techs[i];
	}
	return NULL;
}

static void var_destructor(void *arg)
{
	struct chan_var *v = arg;

	list_unlink(&v->le);
	mem_deref(v->name);
	mem_deref(v->value);
}

static void channel_destructor(void *arg)
{
	struct channel *ch = arg;

	list_flush(&ch->vars);
	list_flush(&ch->reported);
	mem_deref(ch->appl);
	mem_deref(ch->data);
	mem_deref(ch->endpoint);
	mem_deref(ch->protocol_id);
}

static void publish(struct channel *ch, enum bus_type type)
{
	struct bus_event ev = {.type = type, .chan = ch};

	bus_publish(&ev);
}

static bool id_cmp(struct le *le, void *arg)
{
	const struct channel *ch = le->data;

	return !strcmp(ch->id, arg);
}

struct channel *channel_find(const char *id)
{
	struct le *le;

	if (!id || !by_id)
		return NULL;
	le = hash_lookup(by_id, hash_joaat_str(id), id_cmp, (void *)id);
	return le ? le->data : NULL;
}

int channel_id_prefix_set(const char *prefix)
{
	if (!prefix || strlen(prefix) >= sizeof(id_prefix))
		return EINVAL;
	str_ncpy(id_prefix, prefix, sizeof(id_prefix));
	return 0;
}

bool channel_id_in_use(const char *id)
{
	return channel_find(id) != NULL;
}

struct channel *channel_find_by_name(const char *name)
{
	for (struct le *le = channels.head; le; le = le->next) {
		struct channel *ch = le->data;

		if (!strcasecmp(ch->name, name))
			return ch;
	}
	return NULL;
}

size_t channel_count(void)
{
	return nchannels;
}

void channel_foreach(bool (*h)(struct channel *ch, void *arg), void *arg)
{
	struct le *le = channels.head;

	while (le) {
		struct channel *ch = le->data;

		le = le->next;
		if (h(ch, arg))
			return;
	}
}

int channel_alloc(struct channel **chp, const struct channel_tech *tech,
		  const char *id, const char *linkedid, void *pvt,
		  const char *name_fmt, ...)
{
	struct channel *ch;
	char labels[96];
	va_list ap;

	if (!chp || !tech || !name_fmt)
		return EINVAL;
	/* thousands of channels at a time: chains stay a few long */
	if (!by_id && hash_alloc(&by_id, 4096))
		return ENOMEM;
	if (id && *id) {
		if (strlen(id) >= ID_MAX)
			return EINVAL;
		if (channel_find(id))
			return EEXIST;
	}

	ch = mem_zalloc(sizeof(*ch), channel_destructor);
	if (!ch)
		return ENOMEM;
	if (id && *id)
		str_ncpy(ch->id, id, sizeof(ch->id));
	else
		snprintf(ch->id, sizeof(ch->id), "%s%ld.%lu", id_prefix,
			 (long)time(NULL), next_uniqueid++);
	str_ncpy(ch->linkedid, linkedid && *linkedid ? linkedid : ch->id,
		 sizeof(ch->linkedid));
	va_start(ap, name_fmt);
	vsnprintf(ch->name, sizeof(ch->name), name_fmt, ap);
	va_end(ap);
	ch->tech = tech;
	ch->pvt = pvt;
	ch->state = CHANNEL_DOWN;
	str_ncpy(ch->language, "en", sizeof(ch->language));
	str_ncpy(ch->context, "default", sizeof(ch->context));
	str_ncpy(ch->exten, "s", sizeof(ch->exten));
	ch->priority = 1;
	gettimeofday(&ch->created, NULL);

	list_append(&channels, &ch->le_all, ch);
	nchannels++;
	hash_append(by_id, hash_joaat_str(ch->id), &ch->le_hash, ch);
	ch->registered = true;

	log_debug(1, "Channel %s (%s) created", ch->name, ch->id);
	*chp = ch;
	snprintf(labels, sizeof(labels), "technology=\"%s\"", tech->type);
	metrics_count("ariadne_channels_created_total", "Channels created, "
		      "by technology", labels, 1);
	publish(ch, BUS_CHANNEL_CREATED);
	return 0;
}

/* The technology of "Tech/resource" and where its resource starts. EINVAL
 * bad string, ENOENT no such tech (or one that cannot be requested). */
static int dial_tech(const char *dialstring, const struct channel_tech **techp,
		     const char **resource)
{
	const struct channel_tech *tech;
	char type[32];
	const char *slash;

	if (!dialstring)
		return EINVAL;
	slash = strchr(dialstring, '/');
	if (!slash || slash == dialstring || !slash[1] ||
	    (size_t)(slash - dialstring) >= sizeof(type))
		return EINVAL;
	memcpy(type, dialstring, slash - dialstring);
	type[slash - dialstring] = '\0';
	tech = channel_tech_find(type);
	if (!tech || !tech->request)
		return ENOENT;
	*techp = tech;
	*resource = slash + 1;
	return 0;
}

int channel_request(struct channel **chp, const char *dialstring,
		    const char *id, const char *other_id)
{
	const struct channel_tech *tech;
	const char *resource;
	int err = dial_tech(dialstring, &tech, &resource);

	if (err)
		return err;
	return tech->request(chp, resource, id, other_id);
}

unsigned channel_request_size(const char *dialstring)
{
	const struct channel_tech *tech;
	const char *resource;

	if (dial_tech(dialstring, &tech, &resource))
		return 1;
	return tech->peer ? 2 : 1;
}

int channel_call(struct channel *ch, int timeout_s)
{
	if (!ch->tech->call)
		return ENOTSUP;
	return ch->tech->call(ch, "", timeout_s);
}

static void endpoint_changed(struct channel *ch, const char *left,
			     const char *joined)
{
	for (int i = 0; i < HOOKS_MAX && hooks[i]; i++)
		if (hooks[i]->endpoint_changed)
			hooks[i]->endpoint_changed(ch, left, joined);
}

/* Both the endpoint left and the one joined hear of it. */
void channel_set_endpoint(struct channel *ch, const char *tech_resource)
{
	char *old = ch->endpoint;

	ch->endpoint = NULL;
	if (tech_resource && *tech_resource)
		str_dup(&ch->endpoint, tech_resource);
	if (ch->registered && (old || ch->endpoint) &&
	    (!old || !ch->endpoint || strcmp(old, ch->endpoint)))
		endpoint_changed(ch, old, ch->endpoint);
	mem_deref(old);
}

/* Asterisk's "calls processed": channels that started a dialplan. */
static unsigned long calls_processed;

void channel_set_pbx(struct channel *ch, struct pbx *pbx)
{
	if (pbx && !ch->pbx_counted) {
		ch->pbx_counted = true;
		calls_processed++;
	}
	ch->pbx = pbx;
}

unsigned long channel_calls_processed(void) { return calls_processed; }

const char *channel_state_str(enum channel_state st)
{
	static const char *const names[] = {
		"Down", "Rsrvd", "OffHook", "Dialing", "Ring", "Ringing",
		"Up", "Busy", "Dialing Offhook", "Pre-ring",
	};

	if ((size_t)st < sizeof(names) / sizeof(names[0]))
		return names[st];
	return "Unknown";
}

void channel_set_caller(struct channel *ch, const char *name, const char *num)
{
	str_ncpy(ch->caller_name, name ? name : "", sizeof(ch->caller_name));
	str_ncpy(ch->caller_num, num ? num : "", sizeof(ch->caller_num));
}

void channel_set_connected(struct channel *ch, const char *name,
			   const char *num)
{
	str_ncpy(ch->conn_name, name ? name : "", sizeof(ch->conn_name));
	str_ncpy(ch->conn_num, num ? num : "", sizeof(ch->conn_num));
}

void channel_set_language(struct channel *ch, const char *lang)
{
	str_ncpy(ch->language, lang ? lang : "", sizeof(ch->language));
}

void channel_set_accountcode(struct channel *ch, const char *code)
{
	str_ncpy(ch->accountcode, code ? code : "", sizeof(ch->accountcode));
}

void channel_set_location(struct channel *ch, const char *context,
			  const char *exten, int priority)
{
	/* Callers often pass the channel's own strings back (goto within the
	 * same context): copying a string onto itself is undefined. */
	if (context && context != ch->context)
		str_ncpy(ch->context, context, sizeof(ch->context));
	if (exten && exten != ch->exten)
		str_ncpy(ch->exten, exten, sizeof(ch->exten));
	ch->priority = priority;
}

static void publish_cel_app(struct channel *ch, bool start)
{
	struct bus_event ev = {
		.type = BUS_CEL_APP, .chan = ch, .cel_start = start,
		.dialplan_app = channel_appl(ch),
		.dialplan_data = channel_data(ch),
	};

	bus_publish(&ev);
}

/* CEL's APP_END goes before the announcement of the new step, APP_START
 * after it: hence the two halves. Returns whether the application
 * changed. */
static bool app_replace(struct channel *ch, const char *app, const char *data)
{
	bool app_changed = !ch->appl || strcmp(ch->appl, app ? app : "");

	if (app_changed && ch->appl && *ch->appl)
		publish_cel_app(ch, false);
	ch->appl = mem_deref(ch->appl);
	ch->data = mem_deref(ch->data);
	str_dup(&ch->appl, app ? app : "");
	str_dup(&ch->data, data ? data : "");
	return app_changed;
}

void channel_set_app(struct channel *ch, const char *app, const char *data)
{
	if (app_replace(ch, app, data) && *channel_appl(ch))
		publish_cel_app(ch, true);
}

void channel_set_dialplan(struct channel *ch, const char *context,
			  const char *exten, int priority, const char *app,
			  const char *data)
{
	struct bus_event ev = {.type = BUS_CHANNEL_DIALPLAN, .chan = ch};
	bool app_changed;

	app_changed = app_replace(ch, app, data);
	channel_set_location(ch, context, exten, priority);
	ev.dialplan_app = channel_appl(ch);
	ev.dialplan_data = channel_data(ch);
	bus_publish(&ev);
	if (app_changed && *channel_appl(ch))
		publish_cel_app(ch, true);
}

/* ---- variables ---- */

static struct chan_var *var_find(const struct list *l, const char *name)
{
	for (struct le *le = l->head; le; le = le->next) {
		struct chan_var *v = le->data;

		if (!strcmp(v->name, name))
			return v;
	}
	return NULL;
}

static int var_store(struct list *l, const char *name, const char *value)
{
	struct chan_var *v = var_find(l, name);

	if (!value || !*value) {
		mem_deref(v);
		return 0;
	}
	if (v) {
		char *nv;

		if (str_dup(&nv, value))
			return ENOMEM;
		mem_deref(v->value);
		v->value = nv;
		return 0;
	}
	v = mem_zalloc(sizeof(*v), var_destructor);
	if (!v || str_dup(&v->name, name) || str_dup(&v->value, value)) {
		mem_deref(v);
		return ENOMEM;
	}
	list_append(l, &v->le, v);
	return 0;
}

/* Variables Asterisk computes rather than stores. */
static const char *var_builtin(struct channel *ch, const char *name)
{
	if (!strcmp(name, "EXTEN"))
		return ch->exten;
	if (!strcmp(name, "CONTEXT"))
		return ch->context;
	if (!strcmp(name, "PRIORITY")) {
		snprintf(ch->scratch, sizeof(ch->scratch), "%d", ch->priority);
		return ch->scratch;
	}
	if (!strcmp(name, "CHANNEL") || !strcmp(name, "CHANNEL(name)"))
		return ch->name;
	if (!strcmp(name, "UNIQUEID") || !strcmp(name, "CHANNEL(uniqueid)"))
		return ch->id;
	if (!strcmp(name, "CHANNEL(linkedid)"))
		return ch->linkedid;
	if (!strcmp(name, "CHANNEL(state)"))
		return channel_state_str(ch->state);
	if (!strcmp(name, "CHANNEL(language)") || !strcmp(name, "LANGUAGE()"))
		return ch->language;
	if (!strcmp(name, "CALLERID(num)") || !strcmp(name, "CALLERID(number)"))
		return ch->caller_num;
	if (!strcmp(name, "CALLERID(name)"))
		return ch->caller_name;
	if (!strcmp(name, "CALLERID(all)")) {
		snprintf(ch->scratch, sizeof(ch->scratch), "\"%s\" <%s>",
			 ch->caller_name, ch->caller_num);
		return ch->scratch;
	}
	if (!strcmp(name, "CONNECTEDLINE(num)"))
		return ch->conn_num;
	if (!strcmp(name, "CONNECTEDLINE(name)"))
		return ch->conn_name;
	if (!strcmp(name, "HANGUPCAUSE")) {
		snprintf(ch->scratch, sizeof(ch->scratch), "%d", ch->cause);
		return ch->scratch;
	}
	return NULL;
}

const char *channel_var_get(struct channel *ch, const char *name)
{
	struct chan_var *v;
	const char *b;

	if (!name)
		return NULL;
	v = var_find(&ch->vars, name);
	if (v)
		return v->value;
	b = var_builtin(ch, name);
	if (b)
		return b;
	return channel_global_get(name);
}

/* Writable functions; returns true when `name` was one of them. */
static bool var_set_builtin(struct channel *ch, const char *name,
			    const char *value)
{
	if (!strcmp(name, "CALLERID(num)") || !strcmp(name, "CALLERID(number)"))
		str_ncpy(ch->caller_num, value, sizeof(ch->caller_num));
	else if (!strcmp(name, "CALLERID(name)"))
		str_ncpy(ch->caller_name, value, sizeof(ch->caller_name));
	else if (!strcmp(name, "CONNECTEDLINE(num)"))
		str_ncpy(ch->conn_num, value, sizeof(ch->conn_num));
	else if (!strcmp(name, "CONNECTEDLINE(name)"))
		str_ncpy(ch->conn_name, value, sizeof(ch->conn_name));
	else if (!strcmp(name, "CHANNEL(language)"))
		str_ncpy(ch->language, value, sizeof(ch->language));
	else if (!strcmp(name, "CHANNEL(accountcode)") ||
		 !strcmp(name, "CDR(accountcode)"))
		str_ncpy(ch->accountcode, value, sizeof(ch->accountcode));
	else
		return false;
	return true;
}

int channel_var_set(struct channel *ch, const char *name, const char *value)
{
	struct bus_event ev = {.type = BUS_CHANNEL_VARSET, .chan = ch};
	int err = 0;

	if (!name || !*name)
		return EINVAL;
	if (!var_set_builtin(ch, name, value ? value : ""))
		err = var_store(&ch->vars, name, value);
	if (err)
		return err;
	ev.var = name;
	ev.value = value ? value : "";
	bus_publish(&ev);
	return 0;
}

int channel_var_report(struct channel *ch, const char *name)
{
	if (!ch || !name || !*name)
		return EINVAL;
	return var_find(&ch->reported, name) ? 0 :
	       var_store(&ch->reported, name, "1");
}

void channel_var_reported_foreach(const struct channel *ch,
				  void (*h)(const char *name, void *arg),
				  void *arg)
{
	for (struct le *le = ch->reported.head; le; le = le->next)
		h(((struct chan_var *)le->data)->name, arg);
}

void channel_var_foreach(const struct channel *ch,
			 void (*h)(const char *name, const char *value,
				   void *arg),
			 void *arg)
{
	for (struct le *le = ch->vars.head; le; le = le->next) {
		struct chan_var *v = le->data;

		h(v->name, v->value, arg);
	}
}

const char *channel_global_get(const char *name)
{
	struct chan_var *v = var_find(&globals, name);

	return v ? v->value : NULL;
}

void channel_global_set(const char *name, const char *value)
{
	struct bus_event ev = {.type = BUS_CHANNEL_VARSET};

	if (var_store(&globals, name, value))
		return;
	ev.var = name;
	ev.value = value ? value : "";
	bus_publish(&ev);
}

/* ---- state ---- */

void channel_set_state(struct channel *ch, enum channel_state st)
{
	if (ch->state == st || ch->hungup)
		return;
	ch->state = st;
	publish(ch, BUS_CHANNEL_STATE);
}

int channel_answer(struct channel *ch)
{
	int err;

	if (ch->hungup)
		return EINVAL;
	if (ch->state == CHANNEL_UP)
		return 0;
	if (ch->tech->answer) {
		err = ch->tech->answer(ch);
		if (err)
			return err;
	}
	channel_set_state(ch, CHANNEL_UP);
	return 0;
}

int channel_indicate(struct channel *ch, enum channel_indication ind)
{
	if (ch->hungup)
		return EINVAL;
	if (!ch->tech->indicate)
		return 0;
	return ch->tech->indicate(ch, ind);
}

int channel_send_digit(struct channel *ch, char digit, int duration_ms)
{
	if (!ch->tech->send_digit)
		return ENOTSUP;
	return ch->tech->send_digit(ch, digit, duration_ms);
}

const char *channel_cause_text(int cause)
{
	switch (cause) {
	case 0: return "Unknown";
	case 1: return "Unallocated (unassigned) number";
	case 2: return "No route to specified transmit network";
	case 3: return "No route to destination";
	case 6: return "Channel unacceptable";
	case 7: return "Call awarded and being delivered in an established channel";
	case 16: return "Normal Clearing";
	case 17: return "User busy";
	case 18: return "No user responding";
	case 19: return "User alerting, no answer";
	case 21: return "Call Rejected";
	case 22: return "Number changed";
	case 26: return "Answered elsewhere";
	case 27: return "Destination out of order";
	case 28: return "Invalid number format";
	case 29: return "Facility rejected";
	case 30: return "Response to STATus ENQuiry";
	case 31: return "Normal, unspecified";
	case 34: return "Circuit/channel congestion";
	case 38: return "Network out of order";
	case 41: return "Temporary failure";
	case 42: return "Switching equipment congestion";
	case 44: return "Requested channel not available";
	case 50: return "Facility not subscribed";
	case 58: return "Bearer capability not available";
	case 65: return "Bearer capability not implemented";
	case 66: return "Channel not implemented";
	case 69: return "Facility not implemented";
	case 81: return "Invalid call reference value";
	case 88: return "Incompatible destination";
	case 95: return "Invalid message unspecified";
	case 96: return "Mandatory information element is missing";
	case 97: return "Message type nonexist.";
	case 98: return "Wrong message";
	case 99: return "Info. element nonexist or not implemented";
	case 100: return "Invalid information element contents";
	case 101: return "Message not compatible with call state";
	case 102: return "Recover on timer expiry";
	case 111: return "Protocol error, unspecified";
	case 127: return "Interworking, unspecified";
	}
	return "Unknown";
}

/* How a hangup is announced before it happens (see channel.h). */
enum hangup_how {
	HANGUP_REQUEST,  /* ChannelHangupRequest{cause} */
	HANGUP_SOFT,     /* ChannelHangupRequest{32, soft} */
	HANGUP_QUIET,    /* none */
};

static void publish_request(struct channel *ch, int cause, bool soft)
{
	struct bus_event ev = {.type = BUS_CHANNEL_HANGUP_REQUEST, .chan = ch,
			       .cause = cause, .soft = soft};

	bus_publish(&ev);
}

void channel_publish_soft_hangup(struct channel *ch, int reason)
{
	publish_request(ch, reason, true);
}

static void hangup(struct channel *ch, int cause, enum hangup_how how,
		   const char *source)
{
	struct bus_event ev;

	if (ch->hungup)
		return;
	ch->hungup = true;
	ch->cause = cause ? cause : CAUSE_NORMAL_CLEARING;
	str_ncpy(ch->hangup_source, source ? source : "",
		 sizeof(ch->hangup_source));
	mem_ref(ch);

	if (how == HANGUP_REQUEST)
		publish_request(ch, ch->cause, false);
	else if (how == HANGUP_SOFT)
		publish_request(ch, CHANNEL_SOFTHANGUP_EXPLICIT, true);

	for (int i = 0; i < HOOKS_MAX && hooks[i]; i++)
		if (hooks[i]->hangup)
			hooks[i]->hangup(ch);
	if (ch->tech->hangup)
		ch->tech->hangup(ch, ch->cause);

	log_verbose(3, "Channel %s hung up (cause %d: %s)", ch->name,
		    ch->cause, channel_cause_text(ch->cause));

	ev = (struct bus_event){.type = BUS_CHANNEL_DESTROYED, .chan = ch,
				.cause = ch->cause,
				.tech_cause = ch->tech_cause};
	bus_publish(&ev);

	if (ch->registered) {
		ch->registered = false;
		list_unlink(&ch->le_all);
		nchannels--;
		hash_unlink(&ch->le_hash);
		if (ch->endpoint)
			endpoint_changed(ch, ch->endpoint, NULL);
		mem_deref(ch); /* the registry's reference */
	}
	mem_deref(ch);
}

void channel_hangup(struct channel *ch, int cause, const char *source)
{
	hangup(ch, cause, HANGUP_REQUEST, source);
}

void channel_hangup_soft(struct channel *ch, int cause, const char *source)
{
	hangup(ch, cause, HANGUP_SOFT, source);
}

void channel_hangup_quiet(struct channel *ch, int cause, const char *source)
{
	hangup(ch, cause, HANGUP_QUIET, source);
}

void channel_hangup_all(int cause)
{
	while (channels.head)
		channel_hangup(channels.head->data, cause, "shutdown");
}

void channel_registry_close(void)
{
	channel_hangup_all(CAUSE_NORMAL_CLEARING);
	list_flush(&globals);
	by_id = mem_deref(by_id);
}
