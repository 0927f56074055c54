/* router.c — finds the route of an ARI request path in the route table.
 * It only matches paths; parameters, authentication and the 404/405 replies
 * are the HTTP layer's job.
 *
 * Matching follows res_ari.c's tree walk: segment by segment, a literal
 * segment that equals the request segment is taken before any {wildcard} at
 * that depth, and there is no backtracking. So "/channels/create" is the
 * create operation and "/channels/create/answer" is 404, not "answer the
 * channel whose id is create". */

#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <re_types.h>
#include <re_mem.h>
#include "ari/http_params.h"
#include "ari/route.h"

/* More routes than this would make `alive` too small; the table has ~110. */
#define MAX_ROUTES 256
#define MAX_SEGMENTS 16

/* Percent-decode [s, s+len) into out with http_url_decode(). '+' is kept:
 * ARI clients send path segments with encodeURIComponent/quote, where '+' is
 * a literal plus. A malformed escape is kept as written. Fails on overflow
 * or a decoded NUL. Decoding never lengthens, so a segment shorter than
 * out is decoded in place of the heap copy every request used to make. */
static bool decode_segment(const char *s, size_t len, char *out, size_t outsz)
{
	char local[256];
	char *tmp = len < sizeof(local) ? local : mem_alloc(len + 1, NULL);
	size_t n;
	bool ok;

	if (!tmp)
		return false;
	n = http_url_decode(tmp, s, len, false);
	ok = n < outsz && strlen(tmp) == n;
	if (ok)
		memcpy(out, tmp, n + 1);
	if (tmp != local)
		mem_deref(tmp);
	return ok;
}

/* The route pattern's segment starting at *pos: sets *seg and *len, and
 * advances *pos past it. False when the pattern has no more segments. */
static bool next_pattern_segment(const char **pos, const char **seg, size_t *len)
{
	const char *p = *pos;

	if (*p != '/')
		return false;
	p++;
	*seg = p;
	while (*p && *p != '/')
		p++;
	*len = (size_t)(p - *seg);
	*pos = p;
	return true;
}

static bool is_wildcard(const char *seg, size_t len)
{
	return len >= 2 && seg[0] == '{' && seg[len - 1] == '}';
}

/* The methods defined on `path`, in the order Asterisk lists them (its
 * enum ast_http_method order), after OPTIONS. */
static void allow_of(const char *path, char *allow, size_t size)
{
	static const char *const order[] = { "GET", "POST", "PUT", "DELETE" };
	size_t len;

	len = (size_t)snprintf(allow, size, "OPTIONS");
	for (size_t m = 0; m < sizeof(order) / sizeof(order[0]); m++) {
		for (size_t i = 0; i < ari_routes_count; i++) {
			if (strcmp(ari_routes[i].path, path) ||
			    strcmp(ari_routes[i].method, order[m]))
				continue;
			if (len < size)
				len += (size_t)snprintf(allow + len, size - len,
							",%s", order[m]);
			break;
		}
	}
}

/* res->allow for the path of route `first` (the first route of its path):
 * the table does not change, so each path's list is built once. */
static void build_allow(size_t first, struct ari_match_result *res)
{
	static char cache[MAX_ROUTES][sizeof(res->allow)];

	if (!cache[first][0])
		allow_of(ari_routes[first].path, cache[first],
			 sizeof(cache[first]));
	memcpy(res->allow, cache[first], sizeof(res->allow));
}

/* The request path's segment after *p (which is at a '/'): sets *seg and
 * *len and leaves *p at the next '/' or the end. */
static void next_path_segment(const char **p, const char **seg, size_t *len)
{
	const char *q = *p + 1;

	*seg = q;
	while (*q && *q != '/')
		q++;
	*len = (size_t)(q - *seg);
	*p = q;
}

/* The routes still matching (their indexes, in table order), and where
 * each one's pattern goes on. A compact list: after the first segment
 * only the dozen routes under it are looked at again. */
struct walk {
	const char *pos[MAX_ROUTES];    /* by route index */
	uint16_t live[MAX_ROUTES];
	size_t n;
};

static bool literal_equals(const char *rseg, size_t rlen, const char *seg,
			   size_t len)
{
	return len == rlen && !is_wildcard(rseg, rlen) &&
	       !memcmp(seg, rseg, rlen);
}

/* Narrow the live routes by one (decoded) request segment: when some
 * route has this literal segment, only those stay, else only the
 * wildcards. */
static void narrow(struct walk *w, const char *seg)
{
	const char *rseg[MAX_ROUTES];
	size_t rlen[MAX_ROUTES];
	bool literal_hit = false;
	size_t len = strlen(seg), n = 0;

	for (size_t k = 0; k < w->n; k++) {
		uint16_t i = w->live[k];

		if (!next_pattern_segment(&w->pos[i], &rseg[i], &rlen[i]))
			continue;
		w->live[n++] = i;
		if (literal_equals(rseg[i], rlen[i], seg, len))
			literal_hit = true;
	}
	w->n = 0;
	for (size_t k = 0; k < n; k++) {
		uint16_t i = w->live[k];

		if (literal_hit ? literal_equals(rseg[i], rlen[i], seg, len)
				: is_wildcard(rseg[i], rlen[i]))
			w->live[w->n++] = i;
	}
}

/* Walk the request segment by segment; false for a path no route can have
 * (empty segment, too deep, bad escape). */
static bool walk_path(struct walk *w, const char *path)
{
	char seg[sizeof(((struct ari_path_var *)0)->value)];
	const char *p = path;

	for (size_t i = 0; i < ari_routes_count; i++) {
		w->pos[i] = ari_routes[i].path;
		w->live[i] = (uint16_t)i;
	}
	w->n = ari_routes_count;
	for (int depth = 0; *p; depth++) {
		const char *start;
		size_t len;

		next_path_segment(&p, &start, &len);
		if (!len || depth >= MAX_SEGMENTS)
			return false; /* empty segment, trailing '/' */
		if (!decode_segment(start, len, seg, sizeof(seg)))
			return false;
		narrow(w, seg);
	}
	return true;
}

/* The path variables of res->route: pair pattern and request segments. */
static void fill_vars(const char *path, struct ari_match_result *res)
{
	const char *rp = res->route->path, *rs, *p = path;
	size_t rl;

	while (next_pattern_segment(&rp, &rs, &rl)) {
		struct ari_path_var *v;
		const char *start;
		size_t len;

		next_path_segment(&p, &start, &len);
		if (!is_wildcard(rs, rl))
			continue;
		if (res->nvars >= ARI_MAX_PATH_VARS)
			break;
		v = &res->vars[res->nvars++];

		/* The name is the wildcard without braces: point at the first
		 * parameter of the route with that name, which lives in the
		 * table and is NUL terminated. */
		v->name = NULL;
		for (const struct ari_param *pa = res->route->params;
		     pa && pa->name; pa++) {
			if (pa->in == ARI_PATH && strlen(pa->name) == rl - 2 &&
			    !memcmp(pa->name, rs + 1, rl - 2)) {
				v->name = pa->name;
				break;
			}
		}
		decode_segment(start, len, v->value, sizeof(v->value));
		if (!v->name)
			res->nvars--; /* table error; the unit test catches it */
	}
}

enum ari_match ari_route_match(const char *method, const char *path,
			       struct ari_match_result *res)
{
	struct walk w;
	size_t node = SIZE_MAX;

	memset(res, 0, sizeof(*res));
	if (!method || !path || *path != '/' || ari_routes_count > MAX_ROUTES)
		return ARI_MATCH_NO_PATH;
	if (!walk_path(&w, path))
		return ARI_MATCH_NO_PATH;

	/* The routes whose pattern ended exactly here share one path. */
	for (size_t k = 0; k < w.n; k++) {
		size_t i = w.live[k];

		if (*w.pos[i] != '\0')
			continue;
		if (node == SIZE_MAX)
			node = i;
		if (!strcmp(ari_routes[i].method, method)) {
			res->route = &ari_routes[i];
			break;
		}
	}
	if (node == SIZE_MAX)
		return ARI_MATCH_NO_PATH;

	build_allow(node, res);
	if (!res->route)
		return ARI_MATCH_NO_METHOD;
	fill_vars(path, res);
	return ARI_MATCH_OK;
}
