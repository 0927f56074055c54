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

/* The route table as a tree of segments, built once (the table does not
 * change): a node per distinct pattern prefix, its literal children in a
 * list and every {wildcard} at that depth merged into one child (the names
 * matter only to fill_vars, which reads the route's own pattern). A walk
 * takes the literal child equal to the request segment, else the wildcard
 * child: res_ari.c's walk, one step per segment instead of a pass over
 * every route still in the running. */
#define MAX_NODES 512
#define ROUTES_PER_NODE 6
#define NONE UINT16_MAX

struct node {
	const char *seg;            /* the literal, in the table's pattern */
	uint16_t len;
	uint16_t child, sibling;    /* literal children, as a list */
	uint16_t wild;              /* the wildcard child */
	uint16_t routes[ROUTES_PER_NODE];  /* ending here, in table order */
	uint8_t nroutes;
	char allow[sizeof(((struct ari_match_result *)0)->allow)];
};

static struct {
	struct node node[MAX_NODES];
	size_t n;
	bool built, ok;
} tree;

static uint16_t node_new(const char *seg, size_t len)
{
	struct node *nd;

	if (tree.n >= MAX_NODES)
		return NONE;
	nd = &tree.node[tree.n];
	memset(nd, 0, sizeof(*nd));
	nd->seg = seg;
	nd->len = (uint16_t)len;
	nd->child = nd->sibling = nd->wild = NONE;
	return (uint16_t)tree.n++;
}

static uint16_t literal_child(uint16_t at, const char *seg, size_t len)
{
	uint16_t c;

	for (c = tree.node[at].child; c != NONE; c = tree.node[c].sibling)
		if (tree.node[c].len == len && !memcmp(tree.node[c].seg, seg,
							 len))
			break;
	return c;
}

/* The child of `at` for a pattern segment, made if new. */
static uint16_t child_for(uint16_t at, const char *seg, size_t len)
{
	uint16_t c;

	if (is_wildcard(seg, len)) {
		if (tree.node[at].wild == NONE)
			tree.node[at].wild = node_new(seg, len);
		return tree.node[at].wild;
	}
	c = literal_child(at, seg, len);
	if (c == NONE && (c = node_new(seg, len)) != NONE) {
		tree.node[c].sibling = tree.node[at].child;
		tree.node[at].child = c;
	}
	return c;
}

static bool add_route(size_t i)
{
	const char *pos = ari_routes[i].path, *seg;
	uint16_t at = 0;
	size_t len;
	struct node *nd;

	while (next_pattern_segment(&pos, &seg, &len))
		if ((at = child_for(at, seg, len)) == NONE)
			return false;
	nd = &tree.node[at];
	if (nd->nroutes >= ROUTES_PER_NODE)
		return false;
	if (!nd->nroutes)
		allow_of(ari_routes[i].path, nd->allow, sizeof(nd->allow));
	nd->routes[nd->nroutes++] = (uint16_t)i;
	return true;
}

/* False when the table does not fit (the unit test would fail first). */
static bool build_tree(void)
{
	if (tree.built)
		return tree.ok;
	tree.built = true;
	tree.n = 0;
	tree.ok = ari_routes_count < NONE && node_new("", 0) == 0;
	for (size_t i = 0; tree.ok && i < ari_routes_count; i++)
		tree.ok = add_route(i);
	return tree.ok;
}

/* Walk the request segment by segment: the node the path ends at, or NONE
 * for a path no route can have (empty segment, too deep, bad escape, no
 * such branch). */
static uint16_t walk_path(const char *path)
{
	char seg[sizeof(((struct ari_path_var *)0)->value)];
	const char *p = path;
	uint16_t at = 0;

	for (int depth = 0; *p && at != NONE; depth++) {
		const char *start;
		size_t len;
		uint16_t c;

		next_path_segment(&p, &start, &len);
		if (!len || depth >= MAX_SEGMENTS)
			return NONE; /* empty segment, trailing '/' */
		if (!decode_segment(start, len, seg, sizeof(seg)))
			return NONE;
		c = literal_child(at, seg, strlen(seg));
		at = c != NONE ? c : tree.node[at].wild;
	}
	return at;
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
	const struct node *nd;
	uint16_t at;

	memset(res, 0, sizeof(*res));
	if (!method || !path || *path != '/' || !build_tree())
		return ARI_MATCH_NO_PATH;
	at = walk_path(path);
	if (at == NONE || !tree.node[at].nroutes)
		return ARI_MATCH_NO_PATH;
	nd = &tree.node[at];
	memcpy(res->allow, nd->allow, sizeof(res->allow));
	for (size_t k = 0; k < nd->nroutes; k++) {
		if (!strcmp(ari_routes[nd->routes[k]].method, method)) {
			res->route = &ari_routes[nd->routes[k]];
			break;
		}
	}
	if (!res->route)
		return ARI_MATCH_NO_METHOD;
	fill_vars(path, res);
	return ARI_MATCH_OK;
}
