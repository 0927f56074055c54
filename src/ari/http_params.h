/* http_params.h — HTTP/1.1 parsing without sockets (http_params.c): the
 * request head, URL decoding, query/form/JSON parameters, credentials and
 * header token lists. Internal to src/ari; jansson only (no re.h). */
#ifndef ARIADNE_ARI_HTTP_PARAMS_H
#define ARIADNE_ARI_HTTP_PARAMS_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

enum {
	HTTP_HEAD_MAX = 65536,     /* request line + headers */
	HTTP_BODY_MAX = 524288,    /* larger bodies get 413 */
	HTTP_MAX_HDRS = 100,
};

/* ---- request head (http_params.c) ---- */

struct http_hdr_kv {
	const char *name;
	const char *value;  /* leading/trailing blanks trimmed */
};

struct http_head {
	char *buf;            /* owned copy; every pointer below is into it */
	const char *method;
	const char *path;     /* raw (still percent-encoded), no query */
	const char *query;    /* raw, NULL when there was no '?' */
	int minor;            /* HTTP/1.<minor> */
	struct http_hdr_kv hdr[HTTP_MAX_HDRS];
	int nhdr;
};

/* Length of the head (through the empty line) if `buf` holds a complete one,
 * else 0. Accepts bare LF line ends. */
size_t http_head_len(const char *buf, size_t len);
/* Parse a complete head of `len` bytes. EBADMSG when malformed, E2BIG when
 * there are too many headers, ENOMEM. */
int http_head_parse(struct http_head *h, const char *buf, size_t len);
void http_head_free(struct http_head *h);
/* First header with this name (case-insensitive) or NULL. */
const char *http_head_get(const struct http_head *h, const char *name);
/* Number of headers with this name. */
int http_head_count(const struct http_head *h, const char *name);

/* What the Transfer-Encoding headers of a request say of its body:
 * none (or identity), chunked, BAD (chunked not the last coding, or twice:
 * 400, the stream cannot be framed) or UNKNOWN (a coding we do not decode,
 * such as gzip: 501). */
enum http_te { HTTP_TE_NONE, HTTP_TE_CHUNKED, HTTP_TE_BAD, HTTP_TE_UNKNOWN };
enum http_te http_transfer_coding(const struct http_head *h);

/* The body length the Content-Length headers give: 0, EBADMSG when one
 * is not all digits or two disagree (RFC 9110 8.6: 0 then N smuggles a
 * request as well as N then 0), EFBIG past 15 digits. 0 when absent. */
int http_content_length(const struct http_head *h, unsigned long long *clen);

/* A chunked request body (Transfer-Encoding: chunked), decoded as it
 * arrives. buf[0..len) is the body's bytes so far; each call goes on
 * where the last one stopped (a zeroed struct to begin), so a body that
 * comes a byte at a time costs no more than one that comes at once. Its
 * data, at most max bytes, go to out (which keeps what earlier calls put
 * there; room for the smaller of len and max), their count in ck->out.
 * 0 when the body is complete (ck->raw: the bytes of buf it took, through
 * the trailers' empty line), EAGAIN when more must arrive, EBADMSG when
 * malformed (or a size or trailer line passes CHUNK_LINE_MAX), EFBIG when
 * the data pass max. */
struct http_chunked {
	size_t raw;           /* bytes of buf taken */
	size_t out;           /* data bytes written to out */
	size_t left;          /* of the current chunk's data */
	int st;
};
enum { CHUNK_LINE_MAX = 4096 };
int http_chunked_decode(struct http_chunked *ck, const char *buf, size_t len,
			char *out, size_t max);

/* ---- parameters (http_params.c) ---- */

struct http_kv {
	char *name;
	char *value;
};

/* Name/value list where setting an existing name replaces its value. */
struct http_params {
	struct http_kv *v;
	size_t n, cap;
};

void http_params_reset(struct http_params *p);
int http_params_set(struct http_params *p, const char *name, size_t nlen,
		    const char *value, size_t vlen);
const char *http_params_get(const struct http_params *p, const char *name);
/* Decode `len` bytes of src into dst (room for len + 1); '+' becomes a
 * space when plus_space. Bad %-escapes are kept as they are. */
size_t http_url_decode(char *dst, const char *src, size_t len,
		       bool plus_space);
/* a=1&b=2 (query string or x-www-form-urlencoded body): last repeat wins. */
int http_params_parse_query(struct http_params *p, const char *s, size_t len);
/* Top-level fields of a JSON object: strings as is, numbers and booleans as
 * text, arrays joined with ','; null and objects are skipped. */
int http_params_merge_json(struct http_params *p, const json_t *obj);
/* The first api_key=user:pass of a raw query string, URL-decoded; false
 * when absent, without ':' or with an empty password. */
bool http_api_key(const char *query, char *user, size_t usz, char *pass,
		  size_t psz);
/* "Basic base64(user:pass)" → user, pass; false when not Basic or bad. */
bool http_basic_decode(const char *hval, char *user, size_t usz, char *pass,
		       size_t psz);
/* Content type `ctype` is `want`, case-insensitive, ";params" ignored. */
bool http_ctype_is(const char *ctype, const char *want);
/* Comma separated header value contains token (case-insensitive). */
bool http_token_list_has(const char *list, const char *token);

#endif
