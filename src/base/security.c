/* security.c — the line of a security event (security.h). The field order
 * is Asterisk's: SecurityEvent, then the event's required fields (the
 * common ones, then its own), then the optional ones that are set. */
#include <stdarg.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <re_types.h>
#include <re_fmt.h>
#include <re_sa.h>
#include "base/log.h"
#include "base/security.h"

static const struct {
	const char *name;
	unsigned version;     /* AST_SECURITY_EVENT_*_VERSION */
	bool error;           /* Severity "Error", else "Informational" */
} types[] = {
	[SECURITY_FAILED_ACL] = {"FailedACL", 1, true},
	[SECURITY_INVAL_ACCT_ID] = {"InvalidAccountID", 1, true},
	[SECURITY_SUCCESSFUL_AUTH] = {"SuccessfulAuth", 1, false},
	[SECURITY_CHAL_RESP_FAILED] = {"ChallengeResponseFailed", 1, true},
	[SECURITY_INVAL_PASSWORD] = {"InvalidPassword", 2, true},
	[SECURITY_CHAL_SENT] = {"ChallengeSent", 1, false},
};

struct out {
	char *buf;
	size_t size, len;
};

/* ,Name="value" — a '"', a '\' or a control character becomes '?':
 * Asterisk writes values raw, which lets a peer that chooses its From
 * user or Call-ID append a RemoteAddress of its choosing. */
static void field(struct out *o, const char *name, const char *value)
{
	int n;

	if (o->len >= o->size)
		return;
	n = snprintf(o->buf + o->len, o->size - o->len, "%s%s=\"",
		     o->len ? "," : "", name);
	if (n < 0)
		return;
	o->len += (size_t)n;
	for (const char *p = value ? value : ""; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (o->len + 1 >= o->size)
			break;
		o->buf[o->len++] = c < 0x20 || c == 0x7f || c == '"' ||
				   c == '\\' ? '?' : (char)c;
	}
	if (o->len + 1 < o->size)
		o->buf[o->len++] = '"';
	o->buf[o->len < o->size ? o->len : o->size - 1] = '\0';
}

/* Asterisk's ast_json_ipaddr(): IPV4/UDP/127.0.0.1/5060 */
static void addr_field(struct out *o, const char *name, const struct sa *sa,
		       const char *transport)
{
	char ip[64] = "", v[128];

	if (sa && sa_isset(sa, SA_ADDR))
		(void)sa_ntop(sa, ip, sizeof(ip));
	snprintf(v, sizeof(v), "%s/%s/%s/%u",
		 sa && sa_af(sa) == AF_INET6 ? "IPV6" : "IPV4",
		 transport ? transport : "UDP", *ip ? ip : "0.0.0.0",
		 sa ? sa_port(sa) : 0);
	field(o, name, v);
}

/* ast_json_timeval(tv, NULL): local time, milliseconds, numeric zone. */
static void event_tv(char *buf, size_t size)
{
	struct timeval tv;
	struct tm tm;
	char date[32], zone[8];

	gettimeofday(&tv, NULL);
	localtime_r(&tv.tv_sec, &tm);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
	strftime(zone, sizeof(zone), "%z", &tm);
	snprintf(buf, size, "%s.%03d%s", date, (int)(tv.tv_usec / 1000), zone);
}

char *security_event_format(const struct security_event *ev, char *buf,
			    size_t size)
{
	struct out o = {buf, size, 0};
	char tv[48], version[12];

	if (!size)
		return buf;
	buf[0] = '\0';
	if ((size_t)ev->type >= sizeof(types) / sizeof(types[0]))
		return buf;
	event_tv(tv, sizeof(tv));
	snprintf(version, sizeof(version), "%u", types[ev->type].version);
	field(&o, "SecurityEvent", types[ev->type].name);
	field(&o, "EventTV", tv);
	field(&o, "Severity",
	      types[ev->type].error ? "Error" : "Informational");
	field(&o, "Service", ev->service);
	field(&o, "EventVersion", version);
	field(&o, "AccountID", ev->account_id);
	field(&o, "SessionID", ev->session_id);
	addr_field(&o, "LocalAddress", ev->local, ev->transport);
	addr_field(&o, "RemoteAddress", ev->remote, ev->transport);
	switch (ev->type) {
	case SECURITY_FAILED_ACL:
		if (ev->acl_name)
			field(&o, "ACLName", ev->acl_name);
		break;
	case SECURITY_SUCCESSFUL_AUTH:
		field(&o, "UsingPassword", ev->using_password ? "1" : "0");
		break;
	case SECURITY_CHAL_RESP_FAILED:
		field(&o, "Challenge", ev->challenge);
		field(&o, "Response", ev->response);
		field(&o, "ExpectedResponse", ""); /* never disclosed */
		break;
	case SECURITY_INVAL_PASSWORD:
		if (ev->challenge)
			field(&o, "Challenge", ev->challenge);
		if (ev->received_challenge)
			field(&o, "ReceivedChallenge", ev->received_challenge);
		if (ev->received_hash)
			field(&o, "ReceivedHash", ev->received_hash);
		break;
	case SECURITY_CHAL_SENT:
		field(&o, "Challenge", ev->challenge);
		break;
	case SECURITY_INVAL_ACCT_ID:
		break;
	}
	return buf;
}

void security_event_report(const struct security_event *ev)
{
	char line[1536];

	if (!log_level_wanted(LOG_LVL_SECURITY))
		return;
	log_security(security_event_format(ev, line, sizeof(line)));
}
