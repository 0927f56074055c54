/* sip_cli.c — `pjsip show endpoints|contacts|aors` in roughly Asterisk's
 * layout, so that people (and scripts) used to Asterisk find their way. */
#include <errno.h>
#include <stdint.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <re_types.h>
#include <re_fmt.h>
#include <re_list.h>
#include <re_hash.h>
#include <re_sa.h>
#include <re_tmr.h>
#include "base/cli.h"
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

static void show_contact(struct cli_out *out, const struct sip_regcontact *c)
{
	char rtt[32];

	if (c->rtt_usec >= 0)
		snprintf(rtt, sizeof(rtt), "%.3f", c->rtt_usec / 1000.0);
	else
		snprintf(rtt, sizeof(rtt), "nan");
	cli_printf(out, "  Contact:  %-50.50s %-12s %8s\n", c->uri,
		   c->status, rtt);
}

static int show_endpoints(struct cli_out *out, int argc, char *argv[])
{
	struct le *le;
	unsigned n = 0;

	(void)argc;
	(void)argv;
	cli_printf(out, "\n Endpoint:  <Endpoint/CID.....................................>  <State.....>  <Channels.>\n"
		   "==========================================================================================\n\n");
	for (le = list_head(&sipmod.conf->endpoints); le; le = le->next) {
		const struct sip_endpoint *e = le->data;
		char cid[80];

		snprintf(cid, sizeof(cid), "%s%s%s", e->name,
			 e->cid_num ? "/" : "", e->cid_num ? e->cid_num : "");
		cli_printf(out, " Endpoint:  %-54s %-12s %u of inf\n", cid,
			   state_str(e),
			   e->ep ? (unsigned)endpoint_channel_count(e->ep) :
			   0);
		if (e->aors)
			cli_printf(out, "     Aor:  %s\n", e->aors);
		n++;
	}
	cli_printf(out, "\nObjects found: %u\n", n);
	return 0;
}

static int show_contacts(struct cli_out *out, int argc, char *argv[])
{
	struct le *le;
	unsigned n = 0;

	(void)argc;
	(void)argv;
	cli_printf(out, "\n  Contact:  <Aor/ContactUri..........................> <Hash....> <Status> <RTT(ms)..>\n"
		   "==========================================================================================\n\n");
	for (le = list_head(&sipmod.conf->aors); le; le = le->next) {
		const struct sip_aor *aor = le->data;
		struct le *cl;

		for (cl = list_head(&aor->contacts); cl; cl = cl->next) {
			const struct sip_regcontact *c = cl->data;
			char name[300];
			char rtt[32];

			snprintf(name, sizeof(name), "%s/%s", aor->name,
				 c->uri);
			if (c->rtt_usec >= 0)
				snprintf(rtt, sizeof(rtt), "%.3f",
					 c->rtt_usec / 1000.0);
			else
				snprintf(rtt, sizeof(rtt), "nan");
			cli_printf(out, "  Contact:  %-48.48s %08x %-8s %10s\n",
				   name, hash_joaat_str(c->uri), c->status,
				   rtt);
			n++;
		}
	}
	cli_printf(out, "\nObjects found: %u\n", n);
	return 0;
}

static int show_aors(struct cli_out *out, int argc, char *argv[])
{
	struct le *le;
	unsigned n = 0;

	(void)argc;
	(void)argv;
	cli_printf(out, "\n      Aor:  <Aor..........................................>  <MaxContact>\n"
		   "==========================================================================================\n\n");
	for (le = list_head(&sipmod.conf->aors); le; le = le->next) {
		const struct sip_aor *aor = le->data;
		struct le *cl;

		cli_printf(out, "      Aor:  %-50s %12u\n", aor->name,
			   aor->max_contacts);
		for (cl = list_head(&aor->contacts); cl; cl = cl->next)
			show_contact(out, cl->data);
		n++;
	}
	cli_printf(out, "\nObjects found: %u\n", n);
	return 0;
}

int sip_cli_init(void)
{
	int err;

	err = cli_register("pjsip show endpoints", show_endpoints,
			   "Usage: pjsip show endpoints\n"
			   "       Lists the PJSIP endpoints.\n");
	if (!err)
		err = cli_register("pjsip show contacts", show_contacts,
				   "Usage: pjsip show contacts\n"
				   "       Lists the PJSIP contacts.\n");
	if (!err)
		err = cli_register("pjsip show aors", show_aors,
				   "Usage: pjsip show aors\n"
				   "       Lists the PJSIP aors.\n");
	return err;
}
