/* sip_cli.c — `pjsip show|list endpoints|contacts|aors|auths|identifies|
 * transports|registrations|channels [like <regex>]` in chan_pjsip's
 * layout (its headers, columns, short status labels, "Objects found"), so
 * that people and scripts used to Asterisk find their way. Each kind of
 * object is described once (struct sip_cli_kind): sip_cli_show.c shows
 * one object of a kind with the same rows. */
#include <ctype.h>
#include <errno.h>
#include <regex.h>
#include <stdint.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <re_types.h>
#include <re_fmt.h>
#include <re_list.h>
#include <re_md5.h>
#include <re_mbuf.h>
#include <re_sa.h>
#include <re_tmr.h>
#include <re_uri.h>
#include <re_msg.h>
#include <re_sip.h>
#include "base/cli.h"
#include "core/channel.h"
#include "core/endpoint.h"
#include "sip/sip_int.h"
#include "sip/sip_services.h"

static const char *state_str(const struct sip_endpoint *e)
{
	if (!e->ep)
		return "Unavailable";
	switch (endpoint_get_state(e->ep)) {
	case ENDPOINT_ONLINE:
		return endpoint_channel_count(e->ep) ? "In use" :
			"Not in use";
	case ENDPOINT_OFFLINE:
		return "Unavailable";
	default:
		return "Unknown";
	}
}

/* Asterisk's short labels for a contact's status in its CLI
 * (ast_sip_get_contact_short_status_label): scripts grep for "Avail". */
const char *sip_cli_contact_status(const char *status)
{
	static const struct {
		const char *ari, *cli;
	} map[] = {
		{"Reachable", "Avail"}, {"Unreachable", "Unavail"},
		{"NonQualified", "NonQual"}, {"Created", "NonQual"},
		{"Removed", "Removed"},
	};

	for (size_t i = 0; status && i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(status, map[i].ari))
			return map[i].cli;
	return "Unknown";
}

/* chan_pjsip names a contact "<aor>;@<md5 of its URI>" (and shows the
 * first 10 hex digits of that hash). */
void sip_cli_contact_md5(const char *uri, char hex[33])
{
	uint8_t md[MD5_SIZE];

	md5((const uint8_t *)uri, strlen(uri), md);
	for (size_t i = 0; i < MD5_SIZE; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
}

/* chan_pjsip names the type as pjsip.conf's protocol does: "udp" */
const char *sip_cli_transport_type(const struct sip_tp_conf *t, char *buf,
				   size_t size)
{
	str_ncpy(buf, sip_transp_name((enum sip_transp)t->proto), size);
	for (char *p = buf; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return buf;
}

/* Rows line up under chan_pjsip's headers: a label is placed by where its
 * colon falls (CLI_INDENT_TO_SPACES: 9 at the top, 2 more a level down),
 * and its first field ends where the header's does (a contact's hash
 * starts at column 59 when nested under an aor, at 55 in `pjsip show
 * contacts`; an aor's MaxContact at 65; a channel's state at 65, as
 * chan_pjsip's CLI_LAST_TABSTOP of 62 sets it). */
enum {
	COLON_TOP = 9, COLON_STEP = 2, CONTACT_END_TOP = 54,
	CONTACT_END_NESTED = 58, AOR_END = 63, LAST_TABSTOP = 62,
};

static void contact_row(struct cli_out *out, int colon, int end,
			const struct sip_aor *aor,
			const struct sip_regcontact *c)
{
	char name[300], hash[33], rtt[32];
	int width = end - (colon + 3);

	snprintf(name, sizeof(name), "%s/%s", aor->name, c->uri);
	sip_cli_contact_md5(c->uri, hash);
	if (c->rtt_usec >= 0)
		snprintf(rtt, sizeof(rtt), "%11.3f", c->rtt_usec / 1000.0);
	else
		snprintf(rtt, sizeof(rtt), "%11s", "nan");
	cli_printf(out, "%*sContact:  %-*.*s %-10.10s %-7.7s %s\n",
		   colon - 7, "", width, width, name, hash,
		   sip_cli_contact_status(c->status), rtt);
}

static void aor_row(struct cli_out *out, int colon, const struct sip_aor *aor,
		    bool recurse)
{
	int width = AOR_END - (colon + 3);

	cli_printf(out, "%*sAor:  %-*.*s  %u\n", colon - 3, "", width, width,
		   aor->name, aor->max_contacts);
	for (struct le *le = list_head(&aor->contacts); recurse && le;
	     le = le->next)
		contact_row(out, colon + COLON_STEP, CONTACT_END_NESTED, aor,
			    le->data);
}

/* The auths of a list (auth, outbound_auth: "a, b") as Asterisk's
 * "InAuth:  name/username" lines. */
static void auth_lines(struct cli_out *out, const char *label,
		       const char *list)
{
	char tmp[256], *tok, *save = NULL;

	snprintf(tmp, sizeof(tmp), "%s", list ? list : "");
	for (tok = strtok_r(tmp, ", ", &save); tok;
	     tok = strtok_r(NULL, ", ", &save)) {
		const struct sip_authobj *a = sip_authobj_find(tok);

		cli_printf(out, "%*s%s:  %s/%s\n", 11 - (int)strlen(label), "",
			   label, tok, a && a->username ? a->username :
			   a ? a->name : "");
	}
}

/* The endpoint's aors that exist, each with its contacts. */
static void aor_lines(struct cli_out *out, const char *list)
{
	char tmp[256], *tok, *save = NULL;

	snprintf(tmp, sizeof(tmp), "%s", list ? list : "");
	for (tok = strtok_r(tmp, ", ", &save); tok;
	     tok = strtok_r(NULL, ", ", &save)) {
		const struct sip_aor *a = sip_aor_find(tok);

		if (a)
			aor_row(out, COLON_TOP + COLON_STEP, a, true);
	}
}

/* chan_pjsip's channel row: "<name>/<application>", state, time up; then
 * (recurse) the extension it dialled and its connected line. */
static void channel_rows(struct cli_out *out, int colon, struct channel *ch,
			 bool recurse)
{
	const struct timeval *tv = channel_creationtime(ch);
	long secs = tv ? (long)(time(NULL) - tv->tv_sec) : 0;
	char name[300], up[32];
	int width = LAST_TABSTOP - colon;

	if (secs < 0)
		secs = 0;
	snprintf(name, sizeof(name), "%s/%s", channel_name(ch),
		 channel_appl(ch));
	snprintf(up, sizeof(up), "%02ld:%02ld:%02ld", secs / 3600,
		 secs / 60 % 60, secs % 60);
	cli_printf(out, "%*s: %-*.*s %-12.12s  %-11.11s\n", colon, "Channel",
		   width, width, name, channel_state_str(channel_state(ch)), up);
	if (!recurse)
		return;
	width = LAST_TABSTOP - (colon + COLON_STEP) - 25;
	cli_printf(out, "%*s: %-*.*s  CLCID: \"%s\" <%s>\n", colon + COLON_STEP,
		   "Exten", width, width, channel_exten(ch),
		   channel_connected_name(ch), channel_connected_num(ch));
}

static void nested_channel(struct channel *ch, void *arg)
{
	channel_rows(arg, COLON_TOP + COLON_STEP, ch, true);
}

/* A transport's row, its colon at column `colon` (9 on its own, 11
 * under an endpoint): config_transport.c's "%6s" puts the type right. */
static void transport_row(struct cli_out *out, int colon,
			  const struct sip_tp_conf *t)
{
	char bind[64], type[8];

	re_snprintf(bind, sizeof(bind), "%J", &t->bind);
	/* ariadne sets no DSCP: cos and tos are Asterisk's default 0 */
	cli_printf(out, "%*sTransport:  %-21s  %6s  %5u  %5u  %s\n",
		   colon - 9, "", t->name,
		   sip_cli_transport_type(t, type, sizeof(type)), 0u, 0u, bind);
}

/* An identify's row and (recurse) its matches. */
static void identify_rows(struct cli_out *out, int colon,
			  const struct sip_identify *id, bool recurse)
{
	cli_printf(out, "%*sIdentify:  %s/%s\n", colon - 8, "", id->name,
		   id->endpoint ? id->endpoint : "");
	for (struct le *n = list_head(&id->nets); recurse && n; n = n->next) {
		const struct sip_net *net = n->data;
		char a[64];

		re_snprintf(a, sizeof(a), "%j", &net->addr);
		cli_printf(out, "%*sMatch:  %s/%u\n", colon + 2 - 5, "", a,
			   net->prefix);
	}
}

/* One endpoint as Asterisk lists it: its row, then (recurse) its auths,
 * aors with their contacts, transport, identifies with their matches,
 * channels. */
static void endpoint_rows(struct cli_out *out, const void *obj, bool recurse)
{
	const struct sip_endpoint *e = obj;
	char cid[80];

	snprintf(cid, sizeof(cid), "%s%s%s", e->name, e->cid_num ? "/" : "",
		 e->cid_num ? e->cid_num : "");
	cli_printf(out, " Endpoint:  %-51.51s  %-12.12s  %u of inf\n", cid,
		   state_str(e),
		   e->ep ? (unsigned)endpoint_channel_count(e->ep) : 0);
	if (!recurse)
		return;
	auth_lines(out, "InAuth", e->auth);
	auth_lines(out, "OutAuth", e->outbound_auth);
	aor_lines(out, e->aors);
	for (struct le *le = list_head(&sipmod.conf->transports);
	     e->transport && le; le = le->next) {
		const struct sip_tp_conf *t = le->data;

		if (!strcasecmp(t->name, e->transport))
			transport_row(out, COLON_TOP + COLON_STEP, t);
	}
	for (struct le *le = list_head(&sipmod.conf->identifies); le;
	     le = le->next) {
		const struct sip_identify *id = le->data;

		if (id->endpoint && !strcmp(id->endpoint, e->name))
			identify_rows(out, COLON_TOP + COLON_STEP, id, true);
	}
	if (e->ep)
		endpoint_channel_foreach(e->ep, nested_channel, out);
	cli_printf(out, "\n");
}

static void aor_rows(struct cli_out *out, const void *obj, bool recurse)
{
	aor_row(out, COLON_TOP, obj, recurse);
	if (recurse)
		cli_printf(out, "\n");
}

static void contact_rows(struct cli_out *out, const void *obj, bool recurse)
{
	const struct sip_regcontact *c = obj;

	(void)recurse;
	contact_row(out, COLON_TOP, CONTACT_END_TOP, c->aor, c);
}

static void auth_rows(struct cli_out *out, const void *obj, bool recurse)
{
	const struct sip_authobj *a = obj;

	(void)recurse;
	cli_printf(out, "     Auth:  %s/%s\n", a->name,
		   a->username ? a->username : a->name);
}

static void transport_rows(struct cli_out *out, const void *obj,
			   bool recurse)
{
	(void)recurse;
	transport_row(out, COLON_TOP, obj);
}

static void identify_block(struct cli_out *out, const void *obj,
			   bool recurse)
{
	identify_rows(out, COLON_TOP, obj, recurse);
	if (recurse)
		cli_printf(out, "\n");
}

static void chan_rows(struct cli_out *out, const void *obj, bool recurse)
{
	channel_rows(out, COLON_TOP, (struct channel *)obj, recurse);
	if (recurse)
		cli_printf(out, "\n");
}

/* ---- the objects of each kind, and their ids ---- */

static void each_in(const struct list *l, sip_cli_obj_h *h, void *arg)
{
	for (struct le *le = list_head(l); le; le = le->next)
		h(le->data, arg);
}

static void each_endpoint(sip_cli_obj_h *h, void *arg)
{
	each_in(&sipmod.conf->endpoints, h, arg);
}

static void each_aor(sip_cli_obj_h *h, void *arg)
{
	each_in(&sipmod.conf->aors, h, arg);
}

static void each_contact(sip_cli_obj_h *h, void *arg)
{
	for (struct le *le = list_head(&sipmod.conf->aors); le; le = le->next)
		each_in(&((struct sip_aor *)le->data)->contacts, h, arg);
}

static void each_auth(sip_cli_obj_h *h, void *arg)
{
	each_in(&sipmod.conf->auths, h, arg);
}

static void each_transport(sip_cli_obj_h *h, void *arg)
{
	each_in(&sipmod.conf->transports, h, arg);
}

static void each_identify(sip_cli_obj_h *h, void *arg)
{
	each_in(&sipmod.conf->identifies, h, arg);
}

struct chan_walk {
	sip_cli_obj_h *h;
	void *arg;
};

static bool pjsip_channel(struct channel *ch, void *arg)
{
	struct chan_walk *w = arg;

	if (!strcmp(channel_tech_type(ch), "PJSIP"))
		w->h(ch, w->arg);
	return false;
}

static void each_channel(sip_cli_obj_h *h, void *arg)
{
	struct chan_walk w = {h, arg};

	channel_foreach(pjsip_channel, &w);
}

#define NAME_ID(fn, type)                                                   \
	static void fn(const void *obj, char *buf, size_t size)             \
	{                                                                   \
		snprintf(buf, size, "%s", ((const type *)obj)->name);       \
	}

NAME_ID(auth_id, struct sip_authobj)
NAME_ID(transport_id, struct sip_tp_conf)
NAME_ID(identify_id, struct sip_identify)

static void endpoint_id(const void *obj, char *buf, size_t size)
{
	snprintf(buf, size, "%s", ((const struct sip_endpoint *)obj)->name);
}

static void aor_id(const void *obj, char *buf, size_t size)
{
	snprintf(buf, size, "%s", ((const struct sip_aor *)obj)->name);
}

/* what chan_pjsip filters contacts on: "<aor>/<uri>", as its row shows */
static void contact_id(const void *obj, char *buf, size_t size)
{
	const struct sip_regcontact *c = obj;

	snprintf(buf, size, "%s/%s", c->aor->name, c->uri);
}

static void channel_id_of(const void *obj, char *buf, size_t size)
{
	snprintf(buf, size, "%s", channel_name(obj));
}

static const struct sip_cli_kind kinds[] = {
	{"endpoint",
	 " Endpoint:  <Endpoint/CID.....................................>  <State.....>  <Channels.>\n",
	 "    I/OAuth:  <AuthId/UserName...........................................................>\n"
	 "        Aor:  <Aor............................................>  <MaxContact>\n"
	 "      Contact:  <Aor/ContactUri..........................> <Hash....> <Status> <RTT(ms)..>\n"
	 "  Transport:  <TransportId........>  <Type>  <cos>  <tos>  <BindAddress..................>\n"
	 "   Identify:  <Identify/Endpoint.........................................................>\n"
	 "        Match:  <criteria.........................>\n"
	 "    Channel:  <ChannelId......................................>  <State.....>  <Time.....>\n"
	 "        Exten: <DialedExten...........>  CLCID: <ConnectedLineCID.......>\n",
	 each_endpoint, endpoint_id, endpoint_rows},
	{"aor",
	 "      Aor:  <Aor..............................................>  <MaxContact>\n",
	 "    Contact:  <Aor/ContactUri............................> <Hash....> <Status> <RTT(ms)..>\n",
	 each_aor, aor_id, aor_rows},
	{"contact",
	 "  Contact:  <Aor/ContactUri..........................> <Hash....> <Status> <RTT(ms)..>\n",
	 "", each_contact, contact_id, contact_rows},
	{"auth",
	 "  I/OAuth:  <AuthId/UserName.............................................................>\n",
	 "", each_auth, auth_id, auth_rows},
	{"transport",
	 "Transport:  <TransportId........>  <Type>  <cos>  <tos>  <BindAddress....................>\n",
	 "", each_transport, transport_id, transport_rows},
	{"identify",
	 " Identify:  <Identify/Endpoint.........................................................>\n",
	 "      Match:  <criteria.........................>\n",
	 each_identify, identify_id, identify_block},
	{"channel",
	 "  Channel:  <ChannelId........................................>  <State.....>  <Time.....>\n",
	 "      Exten: <DialedExten.............>  CLCID: <ConnectedLineCID.......>\n",
	 each_channel, channel_id_of, chan_rows},
	{"registration",
	 " <Registration/ServerURI..............................>  <Auth....................>  <Status.......>\n",
	 "", sip_outreg_each, sip_outreg_id, sip_outreg_row},
};

const struct sip_cli_kind *sip_cli_kind_find(const char *type)
{
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strcmp(kinds[i].type, type))
			return &kinds[i];
	return NULL;
}

void sip_cli_frame(struct cli_out *out, const struct sip_cli_kind *k,
		   bool recurse)
{
	cli_printf(out, "\n%s%s", k->head, recurse ? k->nested : "");
	cli_printf(out, "=========================================="
		   "================================================\n\n");
}

struct find {
	const struct sip_cli_kind *k;
	const char *id;
	const void *found;
};

static void find_one(const void *obj, void *arg)
{
	struct find *f = arg;
	char id[512];

	if (f->found)
		return;
	f->k->id(obj, id, sizeof(id));
	if (!strcmp(id, f->id))
		f->found = obj;
}

const void *sip_cli_find(const struct sip_cli_kind *k, const char *id)
{
	struct find f = {k, id, NULL};

	k->each(find_one, &f);
	return f.found;
}

/* ---- listings ---- */

struct listing {
	struct cli_out *out;
	const struct sip_cli_kind *k;
	regex_t re;
	bool like, recurse, print;
	unsigned n;
};

static void list_one(const void *obj, void *arg)
{
	struct listing *l = arg;
	char id[512];

	if (l->like) {
		l->k->id(obj, id, sizeof(id));
		if (regexec(&l->re, id, 0, NULL, 0))
			return;
	}
	l->n++;
	if (l->print)
		l->k->rows(l->out, obj, l->recurse);
}

/* ast_sip_cli_traverse_objects() for a container: `like <regex>`
 * (extended, on the object's id) filters; any other word is ignored, as
 * there. */
static int list_objects(struct cli_out *out, const char *type, bool recurse,
			int argc, char *argv[])
{
	struct listing l = {.out = out, .k = sip_cli_kind_find(type),
			    .recurse = recurse};

	if (!l.k)
		return ENOENT;
	if (argc && !strcmp(argv[0], "like")) {
		if (argc < 2 || !*argv[1])
			return EINVAL;
		if (regcomp(&l.re, argv[1], REG_EXTENDED | REG_NOSUB)) {
			cli_printf(out, "No container returned for object "
				   "type %s.\n", type);
			return 0;
		}
		l.like = true;
	}
	l.k->each(list_one, &l);
	if (!l.n) {
		cli_printf(out, "No objects found.\n\n");
	}
	else {
		sip_cli_frame(out, l.k, recurse);
		l.n = 0;
		l.print = true;
		l.k->each(list_one, &l);
		cli_printf(out, "\nObjects found: %u\n\n", l.n);
	}
	if (l.like)
		regfree(&l.re);
	return 0;
}

#define SHOW(fn, type)                                                      \
	static int fn(struct cli_out *out, int argc, char *argv[])          \
	{                                                                   \
		return list_objects(out, type, true, argc, argv);           \
	}
#define LIST(fn, type)                                                      \
	static int fn(struct cli_out *out, int argc, char *argv[])          \
	{                                                                   \
		return list_objects(out, type, false, argc, argv);          \
	}

SHOW(show_endpoints, "endpoint")
SHOW(show_contacts, "contact")
SHOW(show_aors, "aor")
SHOW(show_auths, "auth")
SHOW(show_transports, "transport")
SHOW(show_identifies, "identify")
SHOW(show_channels, "channel")
SHOW(show_registrations, "registration")
LIST(list_endpoints, "endpoint")
LIST(list_contacts, "contact")
LIST(list_aors, "aor")
LIST(list_auths, "auth")
LIST(list_channels, "channel")

#define LIKE_USAGE(cmd, what)                                               \
	"Usage: " cmd " [ like <pattern> ]\n"                               \
	"       " what "\n"                                                 \
	"       Optional regular expression pattern is used to filter the list.\n"

int sip_cli_init(void)
{
	static const struct cli_entry cmds[] = {
		{"pjsip show endpoints", show_endpoints,
		 LIKE_USAGE("pjsip show endpoints",
			    "List(detailed) the configured PJSIP endpoints.")},
		{"pjsip show contacts", show_contacts,
		 LIKE_USAGE("pjsip show contacts",
			    "List(detailed) the configured PJSIP contacts.")},
		{"pjsip show aors", show_aors,
		 LIKE_USAGE("pjsip show aors",
			    "List(detailed) the configured PJSIP aors.")},
		{"pjsip show auths", show_auths,
		 LIKE_USAGE("pjsip show auths",
			    "List(detailed) the configured PJSIP auths.")},
		{"pjsip show transports", show_transports,
		 LIKE_USAGE("pjsip show transports",
			    "Show the configured PJSIP Transports.")},
		{"pjsip show identifies", show_identifies,
		 LIKE_USAGE("pjsip show identifies",
			    "List(detailed) the configured PJSIP identifies.")},
		{"pjsip show channels", show_channels,
		 LIKE_USAGE("pjsip show channels",
			    "List(detailed) the active PJSIP channels.")},
		{"pjsip show registrations", show_registrations,
		 LIKE_USAGE("pjsip show registrations",
			    "Lists PJSIP Registrations.")},
		{"pjsip list endpoints", list_endpoints,
		 LIKE_USAGE("pjsip list endpoints",
			    "List the configured PJSIP endpoints.")},
		{"pjsip list contacts", list_contacts,
		 LIKE_USAGE("pjsip list contacts",
			    "List the configured PJSIP contacts.")},
		{"pjsip list aors", list_aors,
		 LIKE_USAGE("pjsip list aors",
			    "List the configured PJSIP aors.")},
		{"pjsip list auths", list_auths,
		 LIKE_USAGE("pjsip list auths",
			    "List the configured PJSIP auths.")},
		{"pjsip list channels", list_channels,
		 LIKE_USAGE("pjsip list channels",
			    "List the active PJSIP channels.")},
	};

	return cli_register_all(cmds, sizeof(cmds) / sizeof(cmds[0]));
}
