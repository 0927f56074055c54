/* request.h — one ARI request and its response: what the handlers of the
 * route table read (parameters, body, user) and how they answer. The code
 * that receives a request (dispatch.c, http.c) fills the structs; handlers
 * use the functions only. Internal to src/ari; jansson only (no re.h). */
#ifndef ARIADNE_ARI_REQUEST_H
#define ARIADNE_ARI_REQUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>
#include "ari/route.h"
#include "ari/http_params.h"

struct tcp_conn;
struct mbuf;
struct sa;

struct ari_req {
	const struct http_head *head;  /* NULL for REST over WebSocket */
	struct tcp_conn *tc;           /* NULL for REST over WebSocket */
	const char *peer;              /* for logs; NULL for REST over WebSocket */
	const struct sa *peer_addr;    /* NULL for REST over WebSocket */
	bool tls;                      /* came over https */
	const char *method;
	const char *path;              /* below /ari */
	struct ari_match_result match;
	struct http_params params;
	json_t *body;
	const char *user;
	bool read_only;
	int crypt_verdict;             /* http.c checked this request's
	                                * crypt(3) password off the loop: 1
	                                * matched, -1 did not; 0 unchecked */
};

struct ari_resp;

/* Writes a finished response out (the HTTP connection). */
typedef void (ari_resp_send_h)(struct ari_resp *resp, int code,
			       const char *body, size_t blen, void *arg);
/* Hands the connection over; see ari_resp_detach(). */
typedef struct tcp_conn *(ari_resp_detach_h)(struct mbuf **rest, void *arg);

struct ari_resp {
	ari_resp_send_h *sendh;      /* NULL: keep code and body */
	ari_resp_detach_h *detachh;  /* NULL: nothing to hand over */
	void *arg;                   /* of both handlers */
	const struct ari_req *req;
	bool done;
	char hdrs[1024];      /* extra header lines */
	int code;
	char *cap_body;       /* kept body (mem_alloc'd) when sendh is NULL */
	unsigned delay_ms;    /* hold the reply back this long (a refusal to
	                       * an address that failed to authenticate too
	                       * often, base/backoff.h) */
};

/* ---- for the handlers ---- */

/* A parameter by name: path variables first, then the body (JSON top-level
 * fields or form), then the query string; the body beats the query, as in
 * Asterisk. JSON numbers and booleans are given as text, arrays joined with
 * ','. NULL when absent. */
const char *ari_req_param(const struct ari_req *req, const char *name);
/* Helpers on top of ari_req_param with ARI's conversions (atoi; ast_true). */
int ari_req_param_int(const struct ari_req *req, const char *name, int deflt);
bool ari_req_param_bool(const struct ari_req *req, const char *name, bool deflt);
/* The parsed JSON body (object) or NULL when there is none. Borrowed. */
json_t *ari_req_body(const struct ari_req *req);
const char *ari_req_method(const struct ari_req *req);
/* The user name that authenticated (for logs). */
const char *ari_req_user(const struct ari_req *req);

/* Reply with a JSON body; takes ownership of `body`. */
void ari_resp_json(struct ari_resp *resp, int code, json_t *body);
/* The text ari_resp_json() would send for `body` (ari.conf pretty
 * honoured); not owned: released with free(). NULL on failure. */
char *ari_json_text(const json_t *body);
/* Reply {"message": "..."} with the code's standard reason phrase. */
void ari_resp_error(struct ari_resp *resp, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* 204 No Content. */
void ari_resp_no_content(struct ari_resp *resp);
/* Raw bytes of type `ctype` ("audio/wav"): a stored recording's file. */
void ari_resp_data(struct ari_resp *resp, int code, const char *ctype,
		   const void *body, size_t blen);

/* ---- for the code that receives requests ---- */

const char *ari_req_header(const struct ari_req *req, const char *name);
bool ari_req_read_only(const struct ari_req *req);
/* "127.0.0.1:50000" for logs ("websocket" for REST over the events
 * socket). Inline: http_conf.c, which request.c calls, logs it too. */
static inline const char *ari_req_peer(const struct ari_req *req)
{
	return req->peer ? req->peer : "websocket";
}
bool ari_resp_done(const struct ari_resp *resp);
/* Add a header line ("Name: value", no CRLF) to the coming reply. */
void ari_resp_header(struct ari_resp *resp, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Hand the connection over (to a WebSocket): the response counts as given,
 * http.c forgets the connection. Returns the TCP connection (the caller owns
 * the reference; its handlers must be replaced right away), or NULL when
 * there is none; the bytes already received after the request go to *rest
 * (NULL when none). */
struct tcp_conn *ari_resp_detach(struct ari_resp *resp, struct mbuf **rest);

#endif
