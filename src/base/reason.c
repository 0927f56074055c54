/* reason.c — one table of status codes with their HTTP and SIP reason
 * phrases (see reason.h). Only the codes ariadne sends are listed. */
#include <stddef.h>
#include "base/reason.h"

struct reason {
	int code;
	const char *http;  /* NULL: not an HTTP status ariadne sends */
	const char *sip;   /* NULL: not a SIP status ariadne sends */
};

static const struct reason reasons[] = {
	{100, "Continue", "Trying"},
	{101, "Switching Protocols", NULL},
	{180, NULL, "Ringing"},
	{183, NULL, "Session Progress"},
	{200, "OK", "OK"},
	{201, "Created", NULL},
	{202, "Accepted", "Accepted"},
	{204, "No Content", NULL},
	{302, NULL, "Moved Temporarily"},
	{400, "Bad Request", "Bad Request"},
	{401, "Unauthorized", "Unauthorized"},
	{403, "Forbidden", "Forbidden"},
	{404, "Not Found", "Not Found"},
	{405, "Method Not Allowed", "Method Not Allowed"},
	{408, "Request Timeout", "Request Timeout"},
	{409, "Conflict", NULL},
	{410, NULL, "Gone"},
	{411, "Length Required", NULL},
	{412, "Precondition Failed", NULL},
	{413, "Request Entity Too Large", NULL},
	{415, "Unsupported Media Type", "Unsupported Media Type"},
	{422, "Unprocessable Entity", NULL},
	{423, NULL, "Interval Too Brief"},
	{426, "Upgrade Required", NULL},
	{431, "Request Header Fields Too Large", NULL},
	{480, NULL, "Temporarily Unavailable"},
	{481, NULL, "Call/Transaction Does Not Exist"},
	{484, NULL, "Address Incomplete"},
	{486, NULL, "Busy Here"},
	{487, NULL, "Request Terminated"},
	{488, NULL, "Not Acceptable Here"},
	{500, "Internal Server Error", "Internal Server Error"},
	{501, "Not Implemented", "Not Implemented"},
	{502, NULL, "Bad Gateway"},
	{503, "Service Unavailable", "Service Unavailable"},
	{505, "HTTP Version Not Supported", NULL},
	{603, NULL, "Decline"},
};

static const struct reason *find(int code)
{
	for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++) {
		if (reasons[i].code == code)
			return &reasons[i];
	}
	return NULL;
}

static const char *fallback(int code)
{
	return code < 300 ? "OK" : "Error";
}

const char *reason_http(int code)
{
	const struct reason *r = find(code);

	return r && r->http ? r->http : fallback(code);
}

const char *reason_sip(int code)
{
	const struct reason *r = find(code);

	return r && r->sip ? r->sip : fallback(code);
}
