/* sip_cli.c — `pjsip show endpoints|endpoint <id>|contacts|aors|
 * transports|auths|identifies` in chan_pjsip's layout (its headers,
 * columns and short status labels), so that people and scripts used to
 * Asterisk find their way. */
#include <ctype.h>
#include <errno.h>
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
static const char *short_status(const char *status)
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

/* chan_pjsip names a contact "<aor>;@<md5 of its URI>" and shows the
 * first 10 hex digits of that hash. */
static void contact_hash(const char *uri, char out[11])
{
	uint8_t md[MD5_SIZE];
	char hex[2 * MD5_SIZE + 1];

	md5((const uint8_t *)uri, strlen(uri), md);
	for (size_t i = 0; i < MD5_SIZE; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	memcpy(out, hex, 10);
	out[10] = '\0';
}

/* Rows line up under chan_pjsip's headers: a label is placed by where its
 * colon falls, and its first field ends where the header's does (a
 * contact's hash starts at column 59 when nested under an aor, at 55 in
 * `pjsip show contacts`; an aor's MaxContact at 65). */
enum { CONTACT_END_TOP = 54, CONTACT_END_NESTED = 58, AOR_END = 63 };

static void contact_row(struct cli_out *out, int colon, int end,
			const struct sip_aor *aor,
			const struct sip_regcontact *c)
{
	char name[300], hash[11], rtt[32];
	int width = end - (colon + 3);

	snprintf(name, sizeof(name), "%s/%s", aor->name, c->uri);
	contact_hash(c->uri, hash);
	if (c->rtt_usec >= 0)
		snprintf(rtt, sizeof(rtt), "%11.3f", c->rtt_usec / 1000.0);
	else
		snprintf(rtt, sizeof(rtt), "%11s", "nan");
	cli_printf(out, "%*sContact:  %-*.*s %-10.10s %-7.7s %s\n",
		   colon - 7, "", width, width, name, hash,
		   short_status(c->status), rtt);
}

static void aor_row(struct cli_out *out, int colon, const struct sip_aor *aor)
{
	int width = AOR_END - (colon + 3);

	cli_printf(out, "%*sAor:  %-*.*s  %u\n", colon - 3, "", width, width,
		   aor->name, aor->max_contacts);
	for (struct le *le = list_head(&aor->contacts); le; le = le->next)
		contact_row(out, colon + 2, CONTACT_END_NESTED, aor, le->data);
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
			aor_row(out, 11, a);
	}
}

static void channel_line(struct channel *ch, void *arg)
{
	struct cli_out *out = arg;
	const struct timeval *tv = channel_creationtime(ch);
	long secs = tv ? (long)(time(NULL) - tv->tv_sec) : 0;

	if (secs < 0)
		secs = 0;
	cli_printf(out, "    Channel:  %-49.49s  %-12.12s  %02ld:%02ld:%02ld\n",
		   channel_name(ch), channel_state_str(channel_state(ch)),
		   secs / 3600, secs / 60 % 60, secs % 60);
	cli_printf(out, "        Exten: %-24.24s  CLCID: \"%s\" <%s>\n",
		   channel_exten(ch), channel_connected_name(ch),
		   channel_connected_num(ch));
}

/* A transport's row, its colon at column `colon` (9 on its own, 11
 * under an endpoint). */
static void transport_row(struct cli_out *out, int colon,
			  const struct sip_tp_conf *t)
{
	char bind[64], type[8];

	/* chan_pjsip names the type as pjsip.conf's protocol does: "udp" */
	str_ncpy(type, sip_transp_name((enum sip_transp)t->proto), sizeof(type));
	for (char *p = type; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	re_snprintf(bind, sizeof(bind), "%J", &t->bind);
	cli_printf(out, "%*sTransport:  %-21.21s  %-6.6s  %3d  %5d  %s\n",
		   colon - 9, "", t->name, type, 0, 0, bind);
}

/* An identify's row and its matches. */
static void identify_rows(struct cli_out *out, int colon,
			  const struct sip_identify *id)
{
	cli_printf(out, "%*sIdentify:  %s/%s\n", colon - 8, "", id->name,
		   id->endpoint ? id->endpoint : "");
	for (struct le *n = list_head(&id->nets); n; n = n->next) {
		const struct sip_net *net = n->data;
		char a[64];

		re_snprintf(a, sizeof(a), "%j", &net->addr);
		cli_printf(out, "%*sMatch:  %s/%u\n", colon + 2 - 5, "", a,
			   net->prefix);
	}
}

/* One endpoint as Asterisk lists it: its row, then its auths, aors with
 * their contacts, transport, identifies with their matches, channels. */
static void endpoint_block(struct cli_out *out, const struct sip_endpoint *e)
{
	char cid[80];

	snprintf(cid, sizeof(cid), "%s%s%s", e->name, e->cid_num ? "/" : "",
		 e->cid_num ? e->cid_num : "");
	cli_printf(out, " Endpoint:  %-51.51s  %-12.12s  %u of inf\n", cid,
		   state_str(e),
		   e->ep ? (unsigned)endpoint_channel_count(e->ep) : 0);
	auth_lines(out, "InAuth", e->auth);
	auth_lines(out, "OutAuth", e->outbound_auth);
	aor_lines(out, e->aors);
	for (struct le *le = list_head(&sipmod.conf->transports);
	     e->transport && le; le = le->next) {
		const struct sip_tp_conf *t = le->data;

		if (!strcasecmp(t->name, e->transport))
			transport_row(out, 11, t);
	}
	for (struct le *le = list_head(&sipmod.conf->identifies); le;
	     le = le->next) {
		const struct sip_identify *id = le->data;

		if (id->endpoint && !strcmp(id->endpoint, e->name))
			identify_rows(out, 11, id);
	}
	if (e->ep)
		endpoint_channel_foreach(e->ep, channel_line, out);
}

static const char ENDPOINTS_HEAD[] =
	"\n"
	" Endpoint:  <Endpoint/CID.....................................>  <State.....>  <Channels.>\n"
	"    I/OAuth:  <AuthId/UserName...........................................................>\n"
	"        Aor:  <Aor............................................>  <MaxContact>\n"
	"      Contact:  <Aor/ContactUri..........................> <Hash....> <Status> <RTT(ms)..>\n"
	"  Transport:  <TransportId........>  <Type>  <cos>  <tos>  <BindAddress..................>\n"
	"   Identify:  <Identify/Endpoint.........................................................>\n"
	"        Match:  <criteria.........................>\n"
	"    Channel:  <ChannelId......................................>  <State.....>  <Time.....>\n"
	"        Exten: <DialedExten...........>  CLCID: <ConnectedLineCID.......>\n"
	"==========================================================================================\n\n";

static int show_endpoints(struct cli_out *out, int argc, char *argv[])
{
	unsigned n = 0;

	(void)argc;
	(void)argv;
	cli_printf(out, "%s", ENDPOINTS_HEAD);
	for (struct le *le = list_head(&sipmod.conf->endpoints); le;
	     le = le->next) {
		endpoint_block(out, le->data);
		cli_printf(out, "\n");
		n++;
	}
	cli_printf(out, "\nObjects found: %u\n", n);
	return 0;
}

static void param(struct cli_out *out, const char *name, const char *value)
{
	cli_printf(out, " %-35s: %s\n", name, value ? value : "");
}

/* `pjsip show endpoint <name>`: its block, then its settings. */
static int show_endpoint(struct cli_out *out, int argc, char *argv[])
{
	const struct sip_endpoint *e = NULL;
	char num[16], cid[200];

	if (argc != 1)
		return EINVAL;
	for (struct le *le = list_head(&sipmod.conf->endpoints); le && !e;
	     le = le->next)
		if (!strcmp(((struct sip_endpoint *)le->data)->name, argv[0]))
			e = le->data;
	if (!e) {
		cli_printf(out, "Unable to find object %s.\n\n", argv[0]);
		return 0;
	}
	cli_printf(out, "%s", ENDPOINTS_HEAD);
	endpoint_block(out, e);
	cli_printf(out, "\n\n ParameterName                       : ParameterValue\n"
		   " =====================================================================================\n");
	param(out, "allow", e->allow);
	param(out, "aors", e->aors);
	param(out, "auth", e->auth);
	snprintf(cid, sizeof(cid), "%s%s%s%s%s",
		 e->cid_name ? "\"" : "", e->cid_name ? e->cid_name : "",
		 e->cid_name ? "\" " : "", e->cid_num ? "<" : "",
		 e->cid_num ? e->cid_num : "");
	if (e->cid_num)
		strncat(cid, ">", sizeof(cid) - strlen(cid) - 1);
	param(out, "callerid", cid);
	param(out, "context", e->context);
	param(out, "dtmf_mode", e->dtmf == SIP_DTMF_INFO ? "info" : "rfc4733");
	param(out, "from_domain", e->from_domain);
	param(out, "from_user", e->from_user);
	param(out, "language", e->language);
	param(out, "outbound_auth", e->outbound_auth);
	snprintf(num, sizeof(num), "%u", e->rtp_keepalive);
	param(out, "rtp_keepalive", num);
	snprintf(num, sizeof(num), "%u", e->rtp_timeout);
	param(out, "rtp_timeout", num);
	param(out, "transport", e->transport);
	cli_printf(out, "\n");
	return 0;
}

static int show_contacts(struct cli_out *out, int argc, char *argv[])
{
	unsigned n = 0;

	(void)argc;
	(void)argv;
	cli_printf(out, "\n  Contact:  <Aor/ContactUri..........................> <Hash....> <Status> <RTT(ms)..>\n"
		   "==========================================================================================\n\n");
	for (struct le *le = list_head(&sipmod.conf->aors); le; le = le->next) {
		const struct sip_aor *aor = le->data;

		for (struct le *cl = list_head(&aor->contacts); cl;
		     cl = cl->next) {
			contact_row(out, 9, CONTACT_END_TOP, aor, cl->data);
			n++;
		}
	}
	cli_printf(out, "\nObjects found: %u\n", n);
	return 0;
}

/* The listings of one kind of object, as chan_pjsip prints them: the
 * column heads, the rule, a row (or rows) per object, the count. */
static const char RULE[] =
	"==========================================================================================\n\n";

typedef void (object_rows_h)(struct cli_out *out, const void *obj);

static int show_objects(struct cli_out *out, const char *heads,
			const struct list *objects, object_rows_h *rows)
{
	unsigned n = 0;

	cli_printf(out, "\n%s%s", heads, RULE);
	for (struct le *le = list_head(objects); le; le = le->next, n++)
		rows(out, le->data);
	cli_printf(out, "\nObjects found: %u\n", n);
	return 0;
}

static void aor_rows(struct cli_out *out, const void *obj)
{
	aor_row(out, 9, obj);
	cli_printf(out, "\n");
}

static void transport_rows(struct cli_out *out, const void *obj)
{
	transport_row(out, 9, obj);
}

static void auth_rows(struct cli_out *out, const void *obj)
{
	const struct sip_authobj *a = obj;

	cli_printf(out, "     Auth:  %s/%s\n", a->name,
		   a->username ? a->username : a->name);
}

static void identify_block(struct cli_out *out, const void *obj)
{
	identify_rows(out, 9, obj);
	cli_printf(out, "\n");
}

static int show_aors(struct cli_out *out, int argc, char *argv[])
{
	(void)argc;
	(void)argv;
	return show_objects(out,
		"      Aor:  <Aor..............................................>  <MaxContact>\n"
		"    Contact:  <Aor/ContactUri............................> <Hash....> <Status> <RTT(ms)..>\n",
		&sipmod.conf->aors, aor_rows);
}

static int show_transports(struct cli_out *out, int argc, char *argv[])
{
	(void)argc;
	(void)argv;
	return show_objects(out,
		"Transport:  <TransportId........>  <Type>  <cos>  <tos>  <BindAddress....................>\n",
		&sipmod.conf->transports, transport_rows);
}

static int show_auths(struct cli_out *out, int argc, char *argv[])
{
	(void)argc;
	(void)argv;
	return show_objects(out,
		"  I/OAuth:  <AuthId/UserName.............................................................>\n",
		&sipmod.conf->auths, auth_rows);
}

static int show_identifies(struct cli_out *out, int argc, char *argv[])
{
	(void)argc;
	(void)argv;
	return show_objects(out,
		" Identify:  <Identify/Endpoint.........................................................>\n"
		"      Match:  <criteria.........................>\n",
		&sipmod.conf->identifies, identify_block);
}

int sip_cli_init(void)
{
	static const struct cli_entry cmds[] = {
		{"pjsip show endpoints", show_endpoints,
		 "Usage: pjsip show endpoints\n"
		 "       Lists the PJSIP endpoints.\n"},
		{"pjsip show endpoint", show_endpoint,
		 "Usage: pjsip show endpoint <id>\n"
		 "       Displays a PJSIP endpoint.\n"},
		{"pjsip show contacts", show_contacts,
		 "Usage: pjsip show contacts\n"
		 "       Lists the PJSIP contacts.\n"},
		{"pjsip show aors", show_aors,
		 "Usage: pjsip show aors\n"
		 "       Lists the PJSIP aors.\n"},
		{"pjsip show transports", show_transports,
		 "Usage: pjsip show transports\n"
		 "       Lists the PJSIP transports.\n"},
		{"pjsip show auths", show_auths,
		 "Usage: pjsip show auths\n"
		 "       Lists the PJSIP auths.\n"},
		{"pjsip show identifies", show_identifies,
		 "Usage: pjsip show identifies\n"
		 "       Lists the PJSIP identifies.\n"},
	};

	return cli_register_all(cmds, sizeof(cmds) / sizeof(cmds[0]));
}
