/* http_params.c — pure parsing helpers of the ARI HTTP server: request head,
 * URL decoding, query/form parameters, JSON body fields as parameters, Basic
 * credentials and api_key. No sockets here (see http.c), so all of it is unit
 * tested (tests/unit/test_http_params.c). */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <re_types.h>
#include <re_fmt.h>
#include <re_mem.h>
#include <re_base64.h>
#include "ari/http_params.h"

/* ---- request head ---- */

size_t http_head_len(const char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (buf[i] != '\n')
			continue;
		/* "\n\n" or "\n\r\n" ends the head */
		if (i + 1 < len && buf[i + 1] == '\n')
			return i + 2;
		if (i + 2 < len && buf[i + 1] == '\r' && buf[i + 2] == '\n')
			return i + 3;
	}
	return 0;
}

/* `len` bytes of s as a NUL terminated mem_alloc'd string. */
static char *dup_n(const char *s, size_t len)
{
	char *d = mem_alloc(len + 1, NULL);

	if (d) {
		memcpy(d, s, len);
		d[len] = '\0';
	}
	return d;
}

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

static bool is_token(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++) {
		if (!isgraph((unsigned char)*s) || strchr("()<>@,;:\\\"/[]?={}", *s))
			return false;
	}
	return true;
}

/* The request target: origin-form, absolute-form (http://host/path, the
 * path is kept) or "*"; the fragment is dropped, the query split off. */
static int parse_target(struct http_head *h, char *target)
{
	char *hash, *qm;

	if (!strncasecmp(target, "http://", 7) ||
	    !strncasecmp(target, "https://", 8)) {
		char *p = strchr(strstr(target, "://") + 3, '/');

		target = p ? p : "/";
	}
	if (target[0] != '/' && strcmp(target, "*"))
		return EBADMSG;
	hash = strchr(target, '#');
	if (hash)
		*hash = '\0';
	h->path = target;
	qm = strchr(target, '?');
	if (qm) {
		*qm = '\0';
		h->query = qm + 1;
	}
	return 0;
}

/* METHOD SP target SP HTTP/1.x */
static int parse_request_line(struct http_head *h, char *line)
{
	char *sp, *target, *ver;

	sp = strchr(line, ' ');
	if (!sp)
		return EBADMSG;
	*sp = '\0';
	target = sp + 1;
	sp = strchr(target, ' ');
	if (!sp)
		return EBADMSG;
	*sp = '\0';
	ver = sp + 1;
	if (!is_token(line) || !*target || strchr(ver, ' '))
		return EBADMSG;
	if (strncmp(ver, "HTTP/1.", 7) || !isdigit((unsigned char)ver[7]) ||
	    ver[8])
		return EBADMSG;
	h->minor = ver[7] - '0';
	h->method = line;
	return parse_target(h, target);
}

/* "Name: value" lines from `line` up to the empty line. */
static int parse_headers(struct http_head *h, char *line)
{
	char *next;

	for (; line && *line; line = next) {
		char *colon;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (!strcmp(line, "\r") || !*line)
			break;
		/* obsolete line folding is not allowed in requests */
		if (*line == ' ' || *line == '\t')
			return EBADMSG;
		colon = strchr(line, ':');
		if (!colon)
			return EBADMSG;
		*colon = '\0';
		if (!is_token(line))
			return EBADMSG;
		if (h->nhdr >= HTTP_MAX_HDRS)
			return E2BIG;
		h->hdr[h->nhdr].name = line;
		h->hdr[h->nhdr].value = trim(colon + 1);
		h->nhdr++;
	}
	return 0;
}

int http_head_parse(struct http_head *h, const char *buf, size_t len)
{
	char *line, *next;
	int err;

	memset(h, 0, sizeof(*h));
	h->buf = dup_n(buf, len);
	if (!h->buf)
		return ENOMEM;
	if (memchr(h->buf, '\0', len)) {
		err = EBADMSG;
		goto out;
	}

	/* RFC 7230 3.5: ignore empty lines before the request line */
	line = h->buf;
	while (*line == '\r' || *line == '\n')
		line++;
	next = strchr(line, '\n');
	if (!next) {
		err = EBADMSG;
		goto out;
	}
	*next++ = '\0';

	err = parse_request_line(h, trim(line));
	if (!err)
		err = parse_headers(h, next);
 out:
	if (err)
		http_head_free(h);
	return err;
}

void http_head_free(struct http_head *h)
{
	if (!h)
		return;
	mem_deref(h->buf);
	memset(h, 0, sizeof(*h));
}

const char *http_head_get(const struct http_head *h, const char *name)
{
	for (int i = 0; i < h->nhdr; i++) {
		if (!strcasecmp(h->hdr[i].name, name))
			return h->hdr[i].value;
	}
	return NULL;
}

int http_head_count(const struct http_head *h, const char *name)
{
	int n = 0;

	for (int i = 0; i < h->nhdr; i++) {
		if (!strcasecmp(h->hdr[i].name, name))
			n++;
	}
	return n;
}

/* ---- chunked body ---- */

/* Every Transfer-Encoding header, as one list (RFC 9110 5.3). */
enum http_te http_transfer_coding(const struct http_head *h)
{
	int chunked = 0, other = 0;
	bool last_chunked = false;

	for (int i = 0; i < h->nhdr; i++) {
		const char *p = h->hdr[i].value;

		if (strcasecmp(h->hdr[i].name, "Transfer-Encoding"))
			continue;
		while (*p) {
			const char *end;
			size_t l;

			while (*p == ' ' || *p == '\t' || *p == ',')
				p++;
			if (!*p)
				break;
			end = strchr(p, ',');
			end = end ? end : p + strlen(p);
			l = (size_t)(end - p);
			while (l && (p[l - 1] == ' ' || p[l - 1] == '\t'))
				l--;
			last_chunked = l == 7 && !strncasecmp(p, "chunked", 7);
			if (last_chunked)
				chunked++;
			else if (!(l == 8 && !strncasecmp(p, "identity", 8)))
				other++;
			p = end;
		}
	}
	/* chunked must be the last coding, once (RFC 9112 6.3): else the
	 * body's end cannot be found and the stream is lost */
	if (chunked && (chunked > 1 || !last_chunked))
		return HTTP_TE_BAD;
	if (other)
		return HTTP_TE_UNKNOWN;
	return chunked ? HTTP_TE_CHUNKED : HTTP_TE_NONE;
}

int http_content_length(const struct http_head *h, unsigned long long *clen)
{
	bool seen = false;

	*clen = 0;
	for (int i = 0; i < h->nhdr; i++) {
		const char *v = h->hdr[i].value;
		size_t digits = strspn(v, "0123456789");
		unsigned long long n;

		if (strcasecmp(h->hdr[i].name, "Content-Length"))
			continue;
		if (!*v || v[digits])
			return EBADMSG;
		if (digits > 15)
			return EFBIG;
		n = strtoull(v, NULL, 10);
		if (seen && n != *clen)
			return EBADMSG;
		*clen = n;
		seen = true;
	}
	return 0;
}

enum { CH_SIZE, CH_DATA, CH_DATA_END, CH_TRAILER, CH_DONE };

/* The end of the line starting at buf[i] (the index after its LF); 0 when
 * the LF has not arrived, and then *toolong when the line already passes
 * CHUNK_LINE_MAX (no size line or trailer field is that long). */
static size_t line_end(const char *buf, size_t len, size_t i, bool *toolong)
{
	size_t n = len - i < CHUNK_LINE_MAX ? len - i : CHUNK_LINE_MAX;
	const char *lf = memchr(buf + i, '\n', n);

	*toolong = !lf && n == CHUNK_LINE_MAX;
	return lf ? (size_t)(lf - buf) + 1 : 0;
}

/* "1a;ext=x\r\n" (p to end, the line with its LF): the size in *n.
 * EBADMSG when it is not one; EFBIG when it is more than 8 hex digits,
 * leading zeros aside (more than any body we take). */
static int chunk_size(const char *p, const char *end, size_t *n)
{
	size_t v = 0, digits = 0;
	bool any = false;

	for (; p < end && isxdigit((unsigned char)*p); p++) {
		any = true;
		if (!digits && *p == '0')
			continue;
		if (++digits > 8)
			return EFBIG;
		v = v * 16 + (size_t)(isdigit((unsigned char)*p) ? *p - '0' :
				      (tolower((unsigned char)*p) - 'a' + 10));
	}
	if (!any)
		return EBADMSG;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	/* a chunk extension (ignored), or the line's end: CRLF or LF */
	if (p < end && *p != ';' && !(*p == '\r' && p + 2 == end) &&
	    !(*p == '\n' && p + 1 == end))
		return EBADMSG;
	*n = v;
	return 0;
}

/* One step: a size line, data, the CRLF after data or a trailer line.
 * 0 when it was taken (ck->raw moved on), else as http_chunked_decode. */
static int chunk_step(struct http_chunked *ck, const char *buf, size_t len,
		      char *out, size_t max)
{
	size_t i = ck->raw, e = 0, n;
	bool toolong = false;
	int err;

	if (ck->st == CH_SIZE || ck->st == CH_TRAILER) {
		e = line_end(buf, len, i, &toolong);
		if (!e)
			return toolong ? EBADMSG : EAGAIN;
	}
	switch (ck->st) {
	case CH_SIZE:
		err = chunk_size(buf + i, buf + e, &n);
		if (err)
			return err;
		if (n > max - ck->out)
			return EFBIG;
		ck->left = n;
		ck->st = n ? CH_DATA : CH_TRAILER;
		ck->raw = e;
		return 0;
	case CH_DATA:
		n = len - i < ck->left ? len - i : ck->left;
		if (!n)
			return EAGAIN;
		memcpy(out + ck->out, buf + i, n);
		ck->out += n;
		ck->left -= n;
		ck->raw += n;
		if (!ck->left)
			ck->st = CH_DATA_END;
		return 0;
	case CH_DATA_END:
		/* the chunk's own CRLF (or LF) */
		if (i < len && buf[i] == '\r') {
			if (len - i < 2)
				return EAGAIN;
			i++;
		}
		if (i >= len)
			return EAGAIN;
		if (buf[i] != '\n')
			return EBADMSG;
		ck->raw = i + 1;
		ck->st = CH_SIZE;
		return 0;
	case CH_TRAILER:
		/* fields, ignored, up to the empty line */
		if (e - i == 1 || (e - i == 2 && buf[i] == '\r'))
			ck->st = CH_DONE;
		else if (!memchr(buf + i, ':', e - i))
			return EBADMSG;
		ck->raw = e;
		return 0;
	default:
		return 0;
	}
}

int http_chunked_decode(struct http_chunked *ck, const char *buf, size_t len,
			char *out, size_t max)
{
	int err = 0;

	while (ck->st != CH_DONE && !err)
		err = chunk_step(ck, buf, len, out, max);
	return err;
}

/* ---- parameters ---- */

void http_params_reset(struct http_params *p)
{
	for (size_t i = 0; i < p->n; i++) {
		mem_deref(p->v[i].name);
		mem_deref(p->v[i].value);
	}
	mem_deref(p->v);
	memset(p, 0, sizeof(*p));
}

int http_params_set(struct http_params *p, const char *name, size_t nlen,
		    const char *value, size_t vlen)
{
	char *v;

	v = dup_n(value, vlen);
	if (!v)
		return ENOMEM;

	for (size_t i = 0; i < p->n; i++) {
		if (strlen(p->v[i].name) == nlen &&
		    !memcmp(p->v[i].name, name, nlen)) {
			mem_deref(p->v[i].value);
			p->v[i].value = v;
			return 0;
		}
	}

	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 8;
		struct http_kv *nv = mem_reallocarray(p->v, cap, sizeof(*nv),
						      NULL);

		if (!nv) {
			mem_deref(v);
			return ENOMEM;
		}
		p->v = nv;
		p->cap = cap;
	}
	p->v[p->n].name = dup_n(name, nlen);
	if (!p->v[p->n].name) {
		mem_deref(v);
		return ENOMEM;
	}
	p->v[p->n].value = v;
	p->n++;
	return 0;
}

const char *http_params_get(const struct http_params *p, const char *name)
{
	for (size_t i = 0; i < p->n; i++) {
		if (!strcmp(p->v[i].name, name))
			return p->v[i].value;
	}
	return NULL;
}

size_t http_url_decode(char *dst, const char *src, size_t len,
		       bool plus_space)
{
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		if (src[i] == '%' && i + 2 < len &&
		    isxdigit((unsigned char)src[i + 1]) &&
		    isxdigit((unsigned char)src[i + 2])) {
			dst[o++] = (char)(ch_hex(src[i + 1]) * 16 +
					  ch_hex(src[i + 2]));
			i += 2;
		}
		else if (src[i] == '+' && plus_space) {
			dst[o++] = ' ';
		}
		else {
			dst[o++] = src[i];
		}
	}
	dst[o] = '\0';
	return o;
}

int http_params_parse_query(struct http_params *p, const char *s, size_t len)
{
	const char *end = s + len;
	char *name = NULL, *value = NULL;
	int err = 0;

	while (s < end) {
		const char *amp = memchr(s, '&', end - s);
		const char *item_end = amp ? amp : end;
		const char *eq = memchr(s, '=', item_end - s);
		const char *nend = eq ? eq : item_end;
		const char *vbeg = eq ? eq + 1 : item_end;
		size_t nl, vl;

		if (nend > s) {
			name = mem_alloc(nend - s + 1, NULL);
			value = mem_alloc(item_end - vbeg + 1, NULL);
			if (!name || !value) {
				err = ENOMEM;
				break;
			}
			nl = http_url_decode(name, s, nend - s, true);
			vl = http_url_decode(value, vbeg, item_end - vbeg, true);
			/* a decoded NUL would cut the name short: skip it */
			if (strlen(name) == nl) {
				err = http_params_set(p, name, nl, value, vl);
				if (err)
					break;
			}
			name = mem_deref(name);
			value = mem_deref(value);
		}
		s = item_end + 1;
	}
	mem_deref(name);
	mem_deref(value);
	return err;
}

/* Scalar JSON value as parameter text; false for null/object/array. */
static bool json_scalar_text(const json_t *v, char *buf, size_t size,
			     const char **out)
{
	switch (json_typeof(v)) {
	case JSON_STRING:
		*out = json_string_value(v);
		return true;
	case JSON_INTEGER:
		snprintf(buf, size, "%" JSON_INTEGER_FORMAT,
			 json_integer_value(v));
		*out = buf;
		return true;
	case JSON_REAL:
		snprintf(buf, size, "%.15g", json_real_value(v));
		*out = buf;
		return true;
	case JSON_TRUE:
		*out = "true";
		return true;
	case JSON_FALSE:
		*out = "false";
		return true;
	default:
		return false;
	}
}

int http_params_merge_json(struct http_params *p, const json_t *obj)
{
	const char *key;
	json_t *v;

	if (!json_is_object(obj))
		return EINVAL;

	json_object_foreach((json_t *)obj, key, v) {
		char num[64];
		const char *text;
		int err;

		if (json_is_array(v)) {
			size_t i, total = 1;
			json_t *e;
			char *joined, *w;

			json_array_foreach(v, i, e) {
				if (json_scalar_text(e, num, sizeof(num), &text))
					total += strlen(text) + 1;
			}
			joined = mem_alloc(total, NULL);
			if (!joined)
				return ENOMEM;
			w = joined;
			json_array_foreach(v, i, e) {
				size_t l;

				if (!json_scalar_text(e, num, sizeof(num), &text))
					continue;
				if (w != joined)
					*w++ = ',';
				l = strlen(text);
				memcpy(w, text, l);
				w += l;
			}
			*w = '\0';
			err = http_params_set(p, key, strlen(key), joined,
					      w - joined);
			mem_deref(joined);
		}
		else if (json_scalar_text(v, num, sizeof(num), &text)) {
			err = http_params_set(p, key, strlen(key), text,
					      strlen(text));
		}
		else {
			continue;
		}
		if (err)
			return err;
	}
	return 0;
}

/* Split "user:pass" at the first ':' into bounded buffers. */
static bool split_cred(const char *s, size_t len, char *user, size_t usz,
		       char *pass, size_t psz)
{
	const char *colon = memchr(s, ':', len);
	size_t ul, pl;

	if (!colon)
		return false;
	ul = colon - s;
	pl = len - ul - 1;
	if (!ul || !pl || ul >= usz || pl >= psz)
		return false;
	memcpy(user, s, ul);
	user[ul] = '\0';
	memcpy(pass, colon + 1, pl);
	pass[pl] = '\0';
	return true;
}

bool http_api_key(const char *query, char *user, size_t usz, char *pass,
		  size_t psz)
{
	const char *s = query;

	if (!query)
		return false;

	while (*s) {
		const char *amp = strchr(s, '&');
		size_t l = amp ? (size_t)(amp - s) : strlen(s);

		if (l > 8 && !strncasecmp(s, "api_key=", 8)) {
			char *v = mem_alloc(l - 8 + 1, NULL);
			bool ok;

			if (!v)
				return false;
			/* Asterisk decodes the value, then splits at ':' */
			http_url_decode(v, s + 8, l - 8, true);
			ok = split_cred(v, strlen(v), user, usz, pass, psz);
			mem_deref(v);
			return ok;
		}
		if (!amp)
			break;
		s = amp + 1;
	}
	return false;
}

bool http_basic_decode(const char *hval, char *user, size_t usz, char *pass,
		       size_t psz)
{
	uint8_t out[512];
	size_t olen = sizeof(out) - 1;
	const char *b64;
	size_t blen;

	if (!hval || strncasecmp(hval, "Basic", 5) ||
	    (hval[5] != ' ' && hval[5] != '\t'))
		return false;
	b64 = hval + 6;
	while (*b64 == ' ' || *b64 == '\t')
		b64++;
	blen = strlen(b64);
	while (blen && (b64[blen - 1] == ' ' || b64[blen - 1] == '\t'))
		blen--;
	/* base64 of at most sizeof(out) bytes */
	if (!blen || blen > (sizeof(out) - 1) / 3 * 4)
		return false;
	if (base64_decode(b64, blen, out, &olen))
		return false;
	if (memchr(out, '\0', olen))
		return false;
	return split_cred((const char *)out, olen, user, usz, pass, psz);
}

bool http_ctype_is(const char *ctype, const char *want)
{
	size_t l = strlen(want);

	if (!ctype)
		return false;
	while (*ctype == ' ' || *ctype == '\t')
		ctype++;
	if (strncasecmp(ctype, want, l))
		return false;
	ctype += l;
	while (*ctype == ' ' || *ctype == '\t')
		ctype++;
	return *ctype == '\0' || *ctype == ';';
}

bool http_token_list_has(const char *list, const char *token)
{
	size_t tl = strlen(token);

	if (!list)
		return false;
	while (*list) {
		const char *end;
		size_t l;

		while (*list == ' ' || *list == '\t' || *list == ',')
			list++;
		end = list;
		while (*end && *end != ',')
			end++;
		l = end - list;
		while (l && (list[l - 1] == ' ' || list[l - 1] == '\t'))
			l--;
		if (l == tl && !strncasecmp(list, token, tl))
			return true;
		list = end;
	}
	return false;
}
