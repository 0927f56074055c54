/* sip_outreg.c — outbound registrations: pjsip.conf sections of
 * type=registration, as res_pjsip_outbound_registration reads them. Each
 * keeps ariadne registered with a provider (server_uri, client_uri,
 * contact_user, expiration, outbound_auth) so that the provider sends its
 * calls here, and `pjsip show registrations` tells how it stands (its
 * rows; sip_cli.c lists them).
 *
 * libre's sipreg does the REGISTER, the digest answer and the refreshes.
 * What to do after a failure is Asterisk's rule, not libre's back-off: a
 * temporary failure (no answer, 408, 5xx, 6xx) is retried after
 * retry_interval; a permanent one (any other 4xx, or credentials refused)
 * stops, unless forbidden_retry_interval (403) or fatal_retry_interval says
 * to retry; at most max_retries retries in a row. So a failed sipreg is
 * freed and a fresh one made when the retry is due. */
#include <errno.h>
#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <re_types.h>
#include <re_fmt.h>
#include <re_mem.h>
#include <re_mbuf.h>
#include <re_list.h>
#include <re_sa.h>
#include <re_tmr.h>
#include <re_uri.h>
#include <re_msg.h>
#include <re_sip.h>
#include <re_sipreg.h>
#include "base/cli.h"
#include "base/config.h"
#include "base/log.h"
#include "sip/sip_int.h"
#include "sip/sip_services.h"

enum outreg_status { UNREGISTERED, REGISTERED, REJECTED, STOPPED };

struct outreg {
	struct le le;
	char *name, *server_uri, *client_uri, *contact_user, *auth;
	unsigned expiration, retry_interval, forbidden_retry_interval;
	unsigned fatal_retry_interval, max_retries;
	bool auth_rejection_permanent;
	struct sipreg *reg;
	struct tmr retry;
	enum outreg_status status;
	unsigned retries;            /* failures in a row */
	uint64_t next;               /* jiffies: refresh or retry due */
};

static struct list regs;

static const char *status_name(enum outreg_status s)
{
	switch (s) {
	case REGISTERED:
		return "Registered";
	case REJECTED:
		return "Rejected";
	case STOPPED:
		return "Stopped";
	default:
		return "Unregistered";
	}
}

static void outreg_destructor(void *arg)
{
	struct outreg *r = arg;

	list_unlink(&r->le);
	tmr_cancel(&r->retry);
	mem_deref(r->reg);   /* a registered sipreg unregisters (expires 0) */
	mem_deref(r->name);
	mem_deref(r->server_uri);
	mem_deref(r->client_uri);
	mem_deref(r->contact_user);
	mem_deref(r->auth);
}

static int auth_handler(char **user, char **pass, const char *realm,
			void *arg)
{
	const struct outreg *r = arg;
	int err = sip_auth_credentials(r->auth, user, pass);

	(void)realm;
	if (err == ENOENT)
		log_warning("Registration '%s': challenged by '%s' but there is "
			    "no outbound_auth to answer with", r->name,
			    r->server_uri);
	return err;
}

static void attempt(void *arg);

/* Asterisk's classes of failure (res_pjsip_outbound_registration.c):
 * which responses are worth trying again as they are. */
static bool temporary(int scode)
{
	return scode == 0 || scode == 408 || scode >= 500;
}

static void schedule_retry(struct outreg *r, unsigned seconds)
{
	r->next = tmr_jiffies() + (uint64_t)seconds * 1000;
	tmr_start(&r->retry, (uint64_t)seconds * 1000, attempt, r);
}

static void failed(struct outreg *r, int err, const struct sip_msg *msg)
{
	int scode = msg ? msg->scode : 0;
	bool auth_failed = scode == 401 || scode == 407;
	unsigned wait = r->retry_interval;

	r->reg = mem_deref(r->reg);
	r->status = REJECTED;
	r->retries++;
	if (r->max_retries && r->retries > r->max_retries) {
		log_warning("Maximum retries reached when attempting outbound "
			    "registration to '%s' with client '%s', stopping "
			    "registration attempt", r->server_uri,
			    r->client_uri);
		r->next = 0;
		return;
	}
	if (!msg) {
		log_warning("No response received from '%s' on registration "
			    "attempt to '%s' (%s), retrying in '%u'",
			    r->server_uri, r->client_uri, strerror(err), wait);
		schedule_retry(r, wait);
		return;
	}
	if (temporary(scode)) {
		log_warning("Temporal response '%d' received from '%s' on "
			    "registration attempt to '%s', retrying in '%u'",
			    scode, r->server_uri, r->client_uri, wait);
		schedule_retry(r, wait);
		return;
	}
	if (auth_failed && !r->auth_rejection_permanent) {
		log_warning("Failed to authenticate with '%s' for registration "
			    "'%s', retrying in '%u'", r->server_uri, r->name,
			    wait);
		schedule_retry(r, wait);
		return;
	}
	wait = scode == 403 && r->forbidden_retry_interval ?
		r->forbidden_retry_interval : r->fatal_retry_interval;
	if (wait) {
		log_warning("'%d' fatal response received from '%s' on "
			    "registration attempt to '%s', retrying in '%u' "
			    "seconds", scode, r->server_uri, r->client_uri,
			    wait);
		schedule_retry(r, wait);
		return;
	}
	log_warning("Fatal response '%d' received from '%s' on registration "
		    "attempt to '%s', stopping outbound registration", scode,
		    r->server_uri, r->client_uri);
	r->next = 0;
}

static void response(int err, const struct sip_msg *msg, void *arg)
{
	struct outreg *r = arg;

	if (err || !msg || msg->scode >= 300) {
		failed(r, err ? err : EPROTO, err ? NULL : msg);
		return;
	}
	if (msg->scode < 200)
		return;
	if (r->status != REGISTERED)
		log_verbose(2, "Outbound registration '%s' to '%s' with "
			    "client '%s' successful", r->name, r->server_uri,
			    r->client_uri);
	r->status = REGISTERED;
	r->retries = 0;
	r->next = tmr_jiffies() +
		(uint64_t)sipreg_proxy_expires(r->reg) * 1000;
}

static void attempt(void *arg)
{
	struct outreg *r = arg;
	int err;

	r->reg = mem_deref(r->reg);
	log_debug(1, "Outbound REGISTER attempt %u to '%s' with client '%s'",
		  r->retries + 1, r->server_uri, r->client_uri);
	err = sipreg_register(&r->reg, sipmod.sip, r->server_uri,
			      r->client_uri, NULL, r->client_uri,
			      r->expiration, r->contact_user, NULL, 0, 0,
			      auth_handler, r, false, response, r, NULL, NULL);
	if (err) {
		log_error("Registration '%s': cannot send a REGISTER to '%s': "
			  "%s", r->name, r->server_uri, strerror(err));
		failed(r, err, NULL);
	}
}

/* ---- pjsip.conf ---- */

static int outreg_set(struct outreg *r, const char *name, const char *v)
{
	static const char *const ignored[] = {
		"transport", "outbound_proxy", "line", "endpoint",
		"support_path", "support_outbound", "security_negotiation",
		"security_mechanisms", "contact_header_params", "user_agent",
		"max_random_initial_delay", NULL,
	};

	if (!strcasecmp(name, "server_uri"))
		return sip_str_set(&r->server_uri, v);
	if (!strcasecmp(name, "client_uri"))
		return sip_str_set(&r->client_uri, v);
	if (!strcasecmp(name, "contact_user"))
		return sip_str_set(&r->contact_user, v);
	if (!strcasecmp(name, "outbound_auth"))
		return sip_str_set(&r->auth, v);
	if (!strcasecmp(name, "expiration"))
		return sip_uint_parse(&r->expiration, v);
	if (!strcasecmp(name, "retry_interval"))
		return sip_uint_parse(&r->retry_interval, v);
	if (!strcasecmp(name, "forbidden_retry_interval"))
		return sip_uint_parse(&r->forbidden_retry_interval, v);
	if (!strcasecmp(name, "fatal_retry_interval"))
		return sip_uint_parse(&r->fatal_retry_interval, v);
	if (!strcasecmp(name, "max_retries"))
		return sip_uint_parse(&r->max_retries, v);
	if (!strcasecmp(name, "auth_rejection_permanent")) {
		r->auth_rejection_permanent = !config_false(v);
		return 0;
	}
	if (!strcasecmp(name, "type") || config_word_in(name, ignored))
		return 0;
	return ENOENT;
}

/* One section; NULL (logged) when it cannot work. */
static struct outreg *outreg_load(const struct config_section *s)
{
	struct outreg *r = mem_zalloc(sizeof(*r), outreg_destructor);
	const struct config_var *v;

	if (!r || str_dup(&r->name, s->name)) {
		mem_deref(r);
		return NULL;
	}
	/* res_pjsip_outbound_registration's defaults */
	r->expiration = 3600;
	r->retry_interval = 60;
	r->max_retries = 10;
	r->auth_rejection_permanent = true;
	tmr_init(&r->retry);
	(void)sip_str_set(&r->contact_user, "s");
	for (v = s->vars; v; v = v->next) {
		int err = outreg_set(r, v->name, v->value);

		if (err == ENOENT)
			log_warning("%s:%u: Unknown option '%s' for outbound "
				    "registration '%s'", v->file, v->line,
				    v->name, s->name);
		else if (err)
			log_error("%s:%u: Invalid value '%s' for option '%s' of "
				  "outbound registration '%s'", v->file,
				  v->line, v->value, v->name, s->name);
	}
	if (!r->server_uri || !r->client_uri) {
		log_error("No %s specified on outbound registration '%s'",
			  r->server_uri ? "client URI" : "server URI",
			  s->name);
		return mem_deref(r);
	}
	if (!r->expiration)
		r->expiration = 3600;
	return r;
}

int sip_outreg_start(const struct config *pjsip)
{
	const struct config_section *s = NULL;
	unsigned n = 0;

	list_init(&regs);
	while (pjsip && (s = config_section_next(pjsip, s))) {
		const char *type = config_var_get(s, "type");
		struct outreg *r;

		if (!type || strcasecmp(type, "registration"))
			continue;
		r = outreg_load(s);
		if (!r)
			continue;
		list_append(&regs, &r->le, r);
		attempt(r);
		n++;
	}
	if (n)
		log_verbose(2, "PJSIP Registrations loaded: %u", n);
	return 0;
}

void sip_outreg_close(void)
{
	list_flush(&regs);
}

/* ---- CLI ---- */

void sip_outreg_each(sip_cli_obj_h *h, void *arg)
{
	for (struct le *le = list_head(&regs); le; le = le->next)
		h(le->data, arg);
}

void sip_outreg_id(const void *obj, char *buf, size_t size)
{
	re_snprintf(buf, size, "%s", ((const struct outreg *)obj)->name);
}

/* A row of `pjsip show registrations` as res_pjsip_outbound_registration
 * prints it (sip_cli.c prints the rest). */
void sip_outreg_row(struct cli_out *out, const void *obj, bool recurse)
{
	const struct outreg *r = obj;
	uint64_t now = tmr_jiffies();
	char id[128], exp[48] = "";

	(void)recurse;
	re_snprintf(id, sizeof(id), "%s/%s", r->name, r->server_uri);
	if (r->next > now)
		re_snprintf(exp, sizeof(exp), "  (exp. %llus)",
			    (unsigned long long)(r->next - now) / 1000);
	else if (r->next)
		re_snprintf(exp, sizeof(exp), "  (exp. %llus ago)",
			    (unsigned long long)(now - r->next) / 1000);
	cli_printf(out, " %-54.54s  %-26.26s  %-16s%s\n", id,
		   r->auth ? r->auth : "n/a", status_name(r->status), exp);
}
