/* dialplan.c — the process-wide dialplan: contexts, extensions, priorities
 * and includes, Asterisk's pattern matching and ordering, lookups, and
 * "dialplan show". Loading extensions.conf is dialplan_load.c; ${...} and
 * $[...] are dialplan_expr.c. Nothing here runs an application.
 *
 * Used from the main (libre) thread only, so there is no locking. */
#include <errno.h>
#include <stdint.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <re_types.h>
#include <re_fmt.h>
#include <re_mem.h>
#include "pbx/dialplan.h"
#include "base/log.h"

/* Asterisk's AST_PBX_MAX_STACK: how deep includes are followed. */
#define INCLUDE_STACK_MAX 128

struct prio {
	struct dialplan_step step; /* strings point into this allocation */
	struct prio *next;         /* ascending priority */
};

struct ext {
	char *name;       /* as first written; every step.exten points here */
	struct prio *prios;
	struct ext *next; /* in dialplan_pattern_cmp() order */
};

struct incl {
	struct incl *next; /* in the order added: the search order */
	char *registrar;
	char name[];
};

struct ctx {
	struct ctx *next; /* newest first, like Asterisk's context list */
	struct ext *exts;
	struct incl *incls;
	char *registrar;
	char name[];
};

static struct ctx *contexts;

static struct ctx *ctx_find(const char *name)
{
	struct ctx *c;

	if (!name)
		return NULL;
	for (c = contexts; c; c = c->next) {
		if (!strcmp(c->name, name))
			return c;
	}
	return NULL;
}

static bool name_ok(const char *s)
{
	return s && *s && strlen(s) <= DIALPLAN_NAME_MAX;
}

int dialplan_context_add(const char *name, const char *registrar)
{
	size_t n;
	struct ctx *c;

	if (!name_ok(name) || !registrar)
		return EINVAL;
	if (ctx_find(name))
		return EEXIST;
	n = strlen(name) + 1;
	c = mem_zalloc(sizeof(*c) + n, NULL);
	if (!c)
		return ENOMEM;
	memcpy(c->name, name, n);
	if (str_dup(&c->registrar, registrar)) {
		mem_deref(c);
		return ENOMEM;
	}
	c->next = contexts;
	contexts = c;
	return 0;
}

bool dialplan_context_exists(const char *name)
{
	return ctx_find(name) != NULL;
}

static void ext_free(struct ext *e)
{
	struct prio *p, *pn;

	for (p = e->prios; p; p = pn) {
		pn = p->next;
		mem_deref(p);
	}
	mem_deref(e->name);
	mem_deref(e);
}

static void ctx_free(struct ctx *c)
{
	struct ext *e, *en;
	struct incl *i, *in;

	for (e = c->exts; e; e = en) {
		en = e->next;
		ext_free(e);
	}
	for (i = c->incls; i; i = in) {
		in = i->next;
		mem_deref(i->registrar);
		mem_deref(i);
	}
	mem_deref(c->registrar);
	mem_deref(c);
}

int dialplan_context_remove(const char *name, const char *registrar)
{
	struct ctx *c = ctx_find(name), **cp;
	struct ext **ep, *e;
	struct prio **pp, *p;
	struct incl **ip, *i;

	if (!c)
		return ENOENT;
	if (!registrar)
		return EINVAL;

	for (ep = &c->exts; (e = *ep);) {
		for (pp = &e->prios; (p = *pp);) {
			if (!strcmp(p->step.registrar, registrar)) {
				*pp = p->next;
				mem_deref(p);
			}
			else {
				pp = &p->next;
			}
		}
		if (!e->prios) {
			*ep = e->next;
			ext_free(e);
		}
		else {
			ep = &e->next;
		}
	}
	for (ip = &c->incls; (i = *ip);) {
		if (!strcmp(i->registrar, registrar)) {
			*ip = i->next;
			mem_deref(i->registrar);
			mem_deref(i);
		}
		else {
			ip = &i->next;
		}
	}

	if (!strcmp(c->registrar, registrar) && !c->exts && !c->incls) {
		for (cp = &contexts; *cp != c; cp = &(*cp)->next)
			;
		*cp = c->next;
		ctx_free(c);
	}
	return 0;
}

void dialplan_registrar_remove(const char *registrar)
{
	struct ctx *c, *cn;

	if (!registrar)
		return;
	for (c = contexts; c; c = cn) {
		cn = c->next; /* c may be freed */
		dialplan_context_remove(c->name, registrar);
	}
}

void dialplan_reset(void)
{
	struct ctx *c, *cn;

	for (c = contexts; c; c = cn) {
		cn = c->next;
		ctx_free(c);
	}
	contexts = NULL;
}

/* ---- patterns ---- */

/* Asterisk ignores '-' in extension names and patterns ("NXX-XXXX"). */
static const char *skip_dash(const char *s)
{
	while (*s == '-')
		++s;
	return s;
}

static bool literal_equal(const char *a, const char *b)
{
	for (;;) {
		a = skip_dash(a);
		b = skip_dash(b);
		if (*a != *b)
			return false;
		if (!*a)
			return true;
		++a;
		++b;
	}
}

/* Does the character set "[...]" (p just after '[', end at ']') hold c? */
static bool set_has(const char *p, const char *end, char c)
{
	for (; p < end; ++p) {
		if (p + 2 < end && p[1] == '-') {
			if (c >= p[0] && c <= p[2])
				return true;
			p += 2;
		}
		else if (c == *p) {
			return true;
		}
	}
	return false;
}

bool dialplan_pattern_match(const char *pattern, const char *exten)
{
	const char *p, *d = exten;

	if (!pattern || !exten)
		return false;
	if (pattern[0] != '_')
		return literal_equal(pattern, exten);
	/* A pattern given as the "dialled" string matches its twin, as in
	 * Asterisk, so that "_X." finds the extension "_X.". */
	if (exten[0] == '_' && !dialplan_pattern_cmp(pattern, exten))
		return true;

	for (p = pattern + 1;;) {
		const char *end;

		d = skip_dash(d);
		p = skip_dash(p);
		/* '/' starts the caller-id part of a name */
		if (!*d || !*p || *p == '/')
			break;
		switch (*p) {
		case '[':
			end = strchr(p + 1, ']');
			if (!end) {
				log_warning("Wrong usage of [] in the extension "
					    "'%s'", pattern);
				return false;
			}
			if (end == p + 1) { /* "[]" stands for nothing */
				p = end + 1;
				continue;
			}
			if (!set_has(p + 1, end, *d))
				return false;
			p = end;
			break;
		case 'N':
		case 'n':
			if (*d < '2' || *d > '9')
				return false;
			break;
		case 'X':
		case 'x':
			if (*d < '0' || *d > '9')
				return false;
			break;
		case 'Z':
		case 'z':
			if (*d < '1' || *d > '9')
				return false;
			break;
		case '.':
		case '!':
			return true; /* one or more / zero or more: rest is ok */
		default:
			if (*d != *p)
				return false;
			break;
		}
		++d;
		++p;
	}
	if (*d)
		return false; /* pattern used up before the number */
	/* Number used up: only an end, or '!' (zero more), can follow. */
	return !*p || *p == '/' || *p == '!';
}

/* Rank of the class at *pp, advancing *pp (NULL at the end); `bits` gets the
 * members (bit 7 of byte 0 is char 0) to break ties between equally ranked
 * sets. Lower rank is more specific: (members << 8 | lowest member) for a
 * class, then '.', then '!', then the end of the pattern — Asterisk's
 * ext_cmp_pattern_pos() ordering. */
enum {
	RANK_DOT = 0x18000,
	RANK_BANG = 0x28000,
	RANK_END = 0x30000,
	RANK_BAD = 0x40000,
};

static void bit_set(unsigned char bits[32], unsigned char c)
{
	bits[c / 8] |= (unsigned char)(0x80 >> (c % 8));
}

static int class_range(unsigned char bits[32], unsigned char lo,
		       unsigned char hi)
{
	unsigned c;

	for (c = lo; c <= hi; c++)
		bit_set(bits, (unsigned char)c);
	return (int)(((hi - lo + 1) << 8) | lo);
}

static int class_rank(const char **pp, unsigned char bits[32])
{
	const char *p = *pp, *end;
	unsigned char c, lowest;
	int members;

	for (;;) {
		p = skip_dash(p);
		c = (unsigned char)*p++;
		*pp = p;
		switch (c) {
		case '\0':
			*pp = NULL;
			return RANK_END;
		case '.':
			return RANK_DOT;
		case '!':
			return RANK_BANG;
		case 'N':
		case 'n':
			return class_range(bits, '2', '9');
		case 'X':
		case 'x':
			return class_range(bits, '0', '9');
		case 'Z':
		case 'z':
			return class_range(bits, '1', '9');
		case '[':
			break;
		default:
			bit_set(bits, c);
			return 0x100 | c;
		}

		end = strchr(p, ']');
		if (!end)
			return RANK_BAD;
		members = 0;
		lowest = 0xff;
		for (; p < end; ++p) {
			unsigned char lo = (unsigned char)p[0], hi = lo;
			unsigned x;

			if (p + 2 < end && p[1] == '-') {
				hi = (unsigned char)p[2];
				p += 2;
			}
			if (lo < lowest)
				lowest = lo;
			for (x = lo; x <= hi; x++) {
				unsigned char m = (unsigned char)(0x80 >> (x % 8));

				if (!(bits[x / 8] & m)) {
					bits[x / 8] |= m;
					members++;
				}
			}
		}
		p = end + 1;
		*pp = p;
		if (members) /* an empty set is skipped, as in Asterisk */
			return (members << 8) | lowest;
	}
}

static int pattern_cmp(const char *a, const char *b)
{
	for (;;) {
		unsigned char ba[32] = {0}, bb[32] = {0};
		int ra = class_rank(&a, ba), rb = class_rank(&b, bb);
		int cmp = ra - rb;

		/* Same rank, different members: the set holding the lower
		 * characters goes first, hence b before a in memcmp. */
		if (!cmp)
			cmp = memcmp(bb, ba, sizeof(ba));
		if (cmp || !a)
			return cmp;
	}
}

static int literal_cmp(const char *a, const char *b)
{
	for (;;) {
		a = skip_dash(a);
		b = skip_dash(b);
		if (*a != *b || !*a)
			return *a - *b;
		++a;
		++b;
	}
}

int dialplan_pattern_cmp(const char *a, const char *b)
{
	int cmp;

	if (a[0] != '_')
		cmp = b[0] == '_' ? -1 : literal_cmp(a, b);
	else if (b[0] != '_')
		cmp = 1;
	else
		cmp = pattern_cmp(a + 1, b + 1);
	return cmp < 0 ? -1 : cmp > 0;
}

/* ---- adding ---- */

static char *pack(char **dst, const char *src)
{
	char *start = *dst;
	size_t n = strlen(src) + 1;

	memcpy(start, src, n);
	*dst += n;
	return start;
}

static struct prio *prio_new(struct ctx *c, struct ext *e, int priority,
			     const char *label, const char *app,
			     const char *data, const char *registrar,
			     const char *file, unsigned line)
{
	size_t n = strlen(app) + strlen(data) + strlen(registrar) + 3 +
		   (label ? strlen(label) + 1 : 0) +
		   (file ? strlen(file) + 1 : 0);
	struct prio *p = mem_zalloc(sizeof(*p) + n, NULL);
	char *s;

	if (!p)
		return NULL;
	s = (char *)(p + 1);
	p->step.context = c->name;
	/* Every priority shows its extension's name as first written, even
	 * if this one was written differently ("1-00" for "100"). */
	p->step.exten = e->name;
	p->step.priority = priority;
	p->step.label = label ? pack(&s, label) : NULL;
	p->step.app = pack(&s, app);
	p->step.data = pack(&s, data);
	p->step.registrar = pack(&s, registrar);
	p->step.file = file ? pack(&s, file) : NULL;
	p->step.line = line;
	return p;
}

int dialplan_add(const char *context, const char *exten, int priority,
		 const char *label, const char *app, const char *data,
		 const char *registrar, const char *file, unsigned line)
{
	struct ctx *c;
	struct ext **ep, *e;
	struct prio **pp, *p;
	int cmp = 1;

	if (!name_ok(exten) || priority <= 0 || !app || !*app || !registrar)
		return EINVAL;
	if (label && !*label)
		label = NULL;
	c = ctx_find(context);
	if (!c)
		return ENOENT;

	for (ep = &c->exts; (e = *ep); ep = &e->next) {
		cmp = dialplan_pattern_cmp(e->name, exten);
		if (cmp >= 0)
			break;
	}
	if (e && cmp == 0) {
		for (pp = &e->prios; (p = *pp) && p->step.priority < priority;
		     pp = &p->next)
			;
		if (p && p->step.priority == priority)
			return EEXIST;
	}
	else {
		e = mem_zalloc(sizeof(*e), NULL);
		if (!e)
			return ENOMEM;
		if (str_dup(&e->name, exten)) {
			mem_deref(e);
			return ENOMEM;
		}
		pp = &e->prios;
	}

	p = prio_new(c, e, priority, label, app, data ? data : "", registrar,
		     file, line);
	if (!p) {
		if (!e->prios)
			ext_free(e);
		return ENOMEM;
	}
	if (!e->prios) {
		e->next = *ep;
		*ep = e;
	}
	p->next = *pp;
	*pp = p;
	return 0;
}

int dialplan_include(const char *context, const char *included,
		     const char *registrar)
{
	struct ctx *c = ctx_find(context);
	struct incl **ip, *i;
	size_t n;

	if (!name_ok(included) || !registrar)
		return EINVAL;
	if (!c)
		return ENOENT;
	for (ip = &c->incls; *ip; ip = &(*ip)->next) {
		if (!strcmp((*ip)->name, included))
			return EEXIST;
	}
	n = strlen(included) + 1;
	i = mem_zalloc(sizeof(*i) + n, NULL);
	if (!i)
		return ENOMEM;
	memcpy(i->name, included, n);
	if (str_dup(&i->registrar, registrar)) {
		mem_deref(i);
		return ENOMEM;
	}
	*ip = i;
	return 0;
}

/* ---- lookups ---- */

struct search {
	const char *exten;
	int priority;       /* wanted priority, or 0 with label */
	const char *label;  /* wanted label, or NULL */
	bool any;           /* any priority will do (exten_exists) */
	const struct ctx *seen[INCLUDE_STACK_MAX];
	int nseen;
};

static const struct prio *prio_in(const struct ext *e, const struct search *q)
{
	const struct prio *p;

	if (q->any)
		return e->prios;
	for (p = e->prios; p; p = p->next) {
		if (q->label ? (p->step.label && !strcmp(p->step.label, q->label))
			     : p->step.priority == q->priority)
			return p;
	}
	return NULL;
}

/* Asterisk's pbx_find_extension() with the classic matcher (its default,
 * extenpatternmatchnew=no): walk the sorted extensions, and the first one
 * that matches *and has the wanted priority* wins; a matching extension
 * without it does not stop the search. Then the includes, depth-first. */
static const struct prio *search_ctx(const char *name, struct search *q)
{
	const struct ctx *c = ctx_find(name);
	const struct ext *e;
	const struct incl *i;
	const struct prio *p;
	int k;

	if (!c)
		return NULL;
	for (k = 0; k < q->nseen; k++) {
		if (q->seen[k] == c)
			return NULL;
	}
	if (q->nseen == INCLUDE_STACK_MAX) {
		log_warning("Maximum PBX stack exceeded looking for '%s' in '%s'",
			    q->exten, name);
		return NULL;
	}
	q->seen[q->nseen++] = c;

	for (e = c->exts; e; e = e->next) {
		if (dialplan_pattern_match(e->name, q->exten) &&
		    (p = prio_in(e, q)))
			return p;
	}
	for (i = c->incls; i; i = i->next) {
		if ((p = search_ctx(i->name, q)))
			return p;
	}
	return NULL;
}

const struct dialplan_step *dialplan_find(const char *context,
					  const char *exten, int priority)
{
	struct search q = {.exten = exten, .priority = priority};
	const struct prio *p;

	if (!context || !exten || priority <= 0)
		return NULL;
	p = search_ctx(context, &q);
	return p ? &p->step : NULL;
}

bool dialplan_exten_exists(const char *context, const char *exten)
{
	struct search q = {.exten = exten, .any = true};

	if (!context || !exten)
		return false;
	return search_ctx(context, &q) != NULL;
}

int dialplan_find_label(const char *context, const char *exten,
			const char *label, int *priority)
{
	struct search q = {.exten = exten, .label = label};
	const struct prio *p;
	char *end;
	long n;

	if (!context || !exten || !label || !*label || !priority)
		return EINVAL;
	/* Goto(ctx,exten,3) passes "3": a number is a priority, not a name. */
	n = strtol(label, &end, 10);
	if (!*end) {
		if (n <= 0 || n > INT32_MAX ||
		    !dialplan_find(context, exten, (int)n))
			return ENOENT;
		*priority = (int)n;
		return 0;
	}
	p = search_ctx(context, &q);
	if (!p)
		return ENOENT;
	*priority = p->step.priority;
	return 0;
}

/* ---- "dialplan show" ---- */

/* Column layout of Asterisk's show_dialplan_helper(); formatted with
 * snprintf because the widths are the point. */
static int show_line(struct re_printf *pf, const char *left,
		     const struct prio *p)
{
	char body[1024], line[1400];

	snprintf(body, sizeof(body), "%d. %s(%s)", p->step.priority,
		 p->step.app, p->step.data);
	snprintf(line, sizeof(line), "  %-17s %-45s [%s]\n", left, body,
		 p->step.registrar);
	return re_hprintf(pf, "%s", line);
}

static int show_ctx(struct re_printf *pf, const struct ctx *c, int *nexten,
		    int *nprio)
{
	const struct ext *e;
	const struct prio *p;
	const struct incl *i;
	char left[DIALPLAN_NAME_MAX + 16], line[300];
	int err;

	err = re_hprintf(pf, "[ Context '%s' created by '%s' ]\n", c->name,
			 c->registrar);
	for (e = c->exts; e && !err; e = e->next) {
		++*nexten;
		snprintf(left, sizeof(left), "'%s' =>", e->name);
		/* Asterisk prints the first priority beside the name and
		 * does not show its label; later ones show "[label]". */
		for (p = e->prios; p && !err; p = p->next) {
			++*nprio;
			if (p != e->prios) {
				if (p->step.label)
					snprintf(left, sizeof(left), "   [%s]",
						 p->step.label);
				else
					left[0] = '\0';
			}
			err = show_line(pf, left, p);
		}
	}
	for (i = c->incls; i && !err; i = i->next) {
		snprintf(left, sizeof(left), "'%s'", i->name);
		snprintf(line, sizeof(line), "  Include =>        %-45s [%s]\n",
			 left, i->registrar);
		err = re_hprintf(pf, "%s", line);
	}
	return err ? err : re_hprintf(pf, "\n");
}

int dialplan_show(struct re_printf *pf, const char *context)
{
	const struct ctx *c;
	int nexten = 0, nprio = 0, nctx = 0, err = 0;

	if (!pf)
		return EINVAL;
	if (context && !ctx_find(context)) {
		re_hprintf(pf, "There is no existence of '%s' context\n",
			   context);
		return ENOENT;
	}
	for (c = contexts; c && !err; c = c->next) {
		if (context && strcmp(c->name, context))
			continue;
		++nctx;
		err = show_ctx(pf, c, &nexten, &nprio);
	}
	if (err)
		return err;
	return re_hprintf(pf, "-= %d %s (%d %s) in %d %s. =-\n", nexten,
			  nexten == 1 ? "extension" : "extensions", nprio,
			  nprio == 1 ? "priority" : "priorities", nctx,
			  nctx == 1 ? "context" : "contexts");
}
