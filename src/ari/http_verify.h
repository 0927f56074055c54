/* http_verify.h — the crypt(3) check of a request's password, off the
 * event loop (http_verify.c), for http.c. Internal to src/ari. */
#ifndef ARIADNE_ARI_HTTP_VERIFY_H
#define ARIADNE_ARI_HTTP_VERIFY_H

#include <stdbool.h>

struct http_head;
struct http_verify;
struct sa;

/* The verdict, on the loop: 1 the password matched, -1 it did not, 0 the
 * user changed meanwhile (check again), HTTP_VERIFY_BUSY not checked: as
 * many checks wait as the worker takes, or as many from this address as
 * one address may have waiting (a flood of guesses). */
enum { HTTP_VERIFY_BUSY = -2 };
typedef void (http_verify_h)(int verdict, void *arg);

/* True when the request's password goes to the worker thread: h is then
 * called with the verdict, unless http_verify_forget(*vp) came first.
 * False when no check is needed (*verdict untouched) or when it was
 * decided at once (*verdict set: HTTP_VERIFY_BUSY, or the check's own
 * verdict when there is no worker). */
bool http_verify_start(struct http_verify **vp, const struct http_head *h,
		       const struct sa *peer, const char *peer_str,
		       http_verify_h *vh, void *arg, int *verdict);
/* The request is gone (its connection closed): h will not be called,
 * and a check not yet started is not run. NULL is allowed. */
void http_verify_forget(struct http_verify *v);

#endif
