/* reason.h — the reason phrase of a status code, for the two protocols that
 * share the 1xx–6xx scheme: HTTP (RFC 9110) for ARI and SIP (RFC 3261) for
 * calls. One table, because most codes mean the same thing in both; the
 * phrases differ only where the RFCs do (100 Continue / Trying, 302 Found /
 * Moved Temporarily, …). */
#ifndef ARIADNE_REASON_H
#define ARIADNE_REASON_H

/* Never NULL: an unknown code gets "OK" below 300 and "Error" above. */
const char *reason_http(int code);
const char *reason_sip(int code);

#endif
