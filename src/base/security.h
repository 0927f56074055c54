/* security.h — security events written as Asterisk's res_security_log
 * writes them (main/security_events.c decides the fields and their order),
 * so that filters made for Asterisk, fail2ban's asterisk.conf first, read
 * ariadne's log unchanged:
 *   SecurityEvent="ChallengeResponseFailed",
 *   EventTV="2026-12-05T10:00:00.123+0000",Severity="Error",
 *   Service="PJSIP",EventVersion="1",AccountID="alice",
 *   SessionID="<Call-ID>",LocalAddress="IPV4/UDP/127.0.0.1/5060",
 *   RemoteAddress="IPV4/UDP/127.0.0.1/5070",Challenge="...",Response="...",
 *   ExpectedResponse=""
 * They go to the log's SECURITY level (logger.conf `security => security`).
 * No telephony here: the SIP and ARI layers fill the struct. */
#ifndef ARIADNE_SECURITY_H
#define ARIADNE_SECURITY_H

#include <stdbool.h>
#include <stddef.h>

struct sa;

enum security_event_type {
	SECURITY_FAILED_ACL,
	SECURITY_INVAL_ACCT_ID,
	SECURITY_SUCCESSFUL_AUTH,
	SECURITY_CHAL_RESP_FAILED,
	SECURITY_INVAL_PASSWORD,
	SECURITY_CHAL_SENT,
};

struct security_event {
	enum security_event_type type;
	const char *service;     /* "PJSIP", "ARI" */
	const char *account_id;  /* endpoint or user; "<unknown>" */
	const char *session_id;  /* SIP Call-ID; ARI: the connection */
	const struct sa *local, *remote;
	const char *transport;   /* "UDP", "TCP", "TLS", "WS", "WSS" */
	/* by type (NULL: empty for a required field, left out otherwise) */
	const char *challenge;   /* ChallengeSent, ChallengeResponseFailed;
	                          * optional in InvalidPassword */
	const char *response;    /* ChallengeResponseFailed */
	const char *received_challenge, *received_hash; /* InvalidPassword */
	const char *acl_name;    /* FailedACL (optional) */
	bool using_password;     /* SuccessfulAuth */
};

/* Format the event's line (no newline) into buf; values are cleaned of
 * quotes and control characters so that a peer cannot forge a field or a
 * line. Returns buf. */
char *security_event_format(const struct security_event *ev, char *buf,
			    size_t size);
/* Format and log it at the SECURITY level. */
void security_event_report(const struct security_event *ev);

#endif
