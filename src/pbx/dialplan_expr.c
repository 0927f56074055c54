/* dialplan_expr.c — the text helpers the pbx applies to application data:
 * ${VAR} / ${VAR:offset:length} / $[expression] substitution, the Asterisk
 * expression subset, and splitting data into arguments. Pure string work:
 * where variables come from is the caller's business (the lookup callback). */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <stdbool.h>
#include <inttypes.h>
#include <re_types.h>
#include <re_fmt.h>
#include <re_mem.h>
#include "pbx/dialplan.h"
#include "base/log.h"

/* A copy of s as a libre mem object, or NULL when out of memory. */
static char *str_new(const char *s)
{
	char *d = NULL;

	str_dup(&d, s);
	return d;
}

/* A growing string; `oom` remembers a failed allocation so callers check
 * once at the end. */
struct sb {
	char *p;
	size_t len, cap;
	bool oom;
};

static void sb_putn(struct sb *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 64;
		char *np;

		while (cap < b->len + n + 1)
			cap *= 2;
		np = mem_reallocarray(b->p, cap, 1, NULL);
		if (!np) {
			b->oom = true;
			return;
		}
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void sb_puts(struct sb *b, const char *s)
{
	sb_putn(b, s, strlen(s));
}

static const char *sb_str(const struct sb *b)
{
	return b->p ? b->p : "";
}

static int sb_export(struct sb *b, char *out, size_t outsz)
{
	const char *s = sb_str(b);
	size_t n = strlen(s);
	int err = b->oom ? ENOMEM : 0;

	if (outsz) {
		if (n >= outsz) {
			n = outsz - 1;
			if (!err)
				err = E2BIG;
		}
		memcpy(out, s, n);
		out[n] = '\0';
	}
	else if (!err) {
		err = E2BIG;
	}
	mem_deref(b->p);
	return err;
}

/* ======================= expressions ======================= */

enum tok { TK_END, TK_WORD, TK_OP };

struct parser {
	const char *p;     /* after the current token */
	enum tok kind;
	const char *s;     /* word text (not NUL-terminated) */
	size_t n;
	char op[3];
	int err;
	const char *expr;  /* whole expression, for messages */
	unsigned depth;    /* ( and unary operators open around the token */
};

/* The parser recurses for each '(' and unary operator, so their nesting
 * is bounded, not the stack: a variable's value is part of the text (ARI
 * sets values of any length), and 10 000 '(' overran the stack of a fuzz
 * build (tests/fuzz/regressions/dialplan). */
#define EXPR_DEPTH_MAX 256

static bool op_char(char c)
{
	return c && strchr("|&=!<>+-*/%()?:\"", c);
}

static void lex(struct parser *ps)
{
	const char *p = ps->p;
	static const char *const two[] = {"<=", ">=", "!=", "==", "=~", "::"};
	size_t i;

	while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
		++p;
	if (!*p) {
		ps->kind = TK_END;
		ps->p = p;
		return;
	}
	if (*p == '"') {
		const char *q = strchr(p + 1, '"');

		ps->kind = TK_WORD;
		ps->s = p + 1;
		ps->n = q ? (size_t)(q - p - 1) : strlen(p + 1);
		ps->p = q ? q + 1 : p + 1 + ps->n;
		return;
	}
	for (i = 0; i < sizeof(two) / sizeof(two[0]); i++) {
		if (!strncmp(p, two[i], 2)) {
			ps->kind = TK_OP;
			memcpy(ps->op, two[i], 3);
			ps->p = p + 2;
			return;
		}
	}
	if (op_char(*p)) {
		ps->kind = TK_OP;
		ps->op[0] = *p;
		ps->op[1] = '\0';
		ps->p = p + 1;
		return;
	}
	ps->kind = TK_WORD;
	ps->s = p;
	while (*p && !op_char(*p) && *p != ' ' && *p != '\t' && *p != '\r' &&
	       *p != '\n')
		++p;
	ps->n = (size_t)(p - ps->s);
	ps->p = p;
}

static bool is_op(const struct parser *ps, const char *op)
{
	return ps->kind == TK_OP && !strcmp(ps->op, op);
}

static char *syntax_error(struct parser *ps)
{
	if (!ps->err) {
		log_warning("Syntax error in expression '%s' near '%s'",
			    ps->expr,
			    ps->kind == TK_END ? "end" :
			    ps->kind == TK_OP ? ps->op : ps->s);
		ps->err = EINVAL;
	}
	return NULL;
}

/* A plain decimal number: strtold alone would also take "inf" or "0x1f",
 * which in a dialplan are strings. */
static bool to_num(const char *s, long double *v)
{
	const char *p = s;
	bool digits = false;

	while (*p == ' ')
		++p;
	if (*p == '-' || *p == '+')
		++p;
	for (; *p >= '0' && *p <= '9'; ++p)
		digits = true;
	if (*p == '.')
		for (++p; *p >= '0' && *p <= '9'; ++p)
			digits = true;
	while (*p == ' ')
		++p;
	if (!digits || *p)
		return false;
	*v = strtold(s, NULL);
	return true;
}

static char *num_str(struct parser *ps, long double v)
{
	char buf[64];
	char *s;

	if (v == 0)
		v = 0; /* no "-0" */
	snprintf(buf, sizeof(buf), "%.18Lg", v);
	s = str_new(buf);
	if (!s)
		ps->err = ENOMEM;
	return s;
}

/* Asterisk's "null or zero": the false value of & | ! */
static bool is_false(const char *s)
{
	long double v;

	return !*s || (to_num(s, &v) && v == 0);
}

static char *parse_or(struct parser *ps);

/* One more level of nesting; false (an error) beyond EXPR_DEPTH_MAX. */
static bool deeper(struct parser *ps)
{
	if (ps->depth >= EXPR_DEPTH_MAX) {
		if (!ps->err)
			log_warning("Expression nested deeper than %d levels: "
				    "'%.40s...'", EXPR_DEPTH_MAX, ps->expr);
		ps->err = EINVAL;
		return false;
	}
	ps->depth++;
	return true;
}

static char *parse_primary(struct parser *ps)
{
	char *v;

	if (ps->kind == TK_WORD) {
		v = mem_alloc(ps->n + 1, NULL);
		if (!v) {
			ps->err = ENOMEM;
		}
		else {
			memcpy(v, ps->s, ps->n);
			v[ps->n] = '\0';
		}
		lex(ps);
		return v;
	}
	if (is_op(ps, "(")) {
		if (!deeper(ps))
			return NULL;
		lex(ps);
		v = parse_or(ps);
		ps->depth--;
		if (!v)
			return NULL;
		if (!is_op(ps, ")")) {
			mem_deref(v);
			return syntax_error(ps);
		}
		lex(ps);
		return v;
	}
	return syntax_error(ps);
}

static char *parse_unary(struct parser *ps)
{
	long double n;
	char *v, *r;

	if (is_op(ps, "!") || is_op(ps, "-")) {
		bool neg = ps->op[0] == '-';

		if (!deeper(ps))
			return NULL;
		lex(ps);
		v = parse_unary(ps);
		ps->depth--;
		if (!v)
			return NULL;
		if (!neg) {
			r = str_new(is_false(v) ? "1" : "0");
			if (!r)
				ps->err = ENOMEM;
		}
		else if (to_num(v, &n)) {
			r = num_str(ps, -n);
		}
		else {
			log_warning("non-numeric argument '%s' to unary minus in "
				    "'%s'", v, ps->expr);
			r = num_str(ps, 0);
		}
		mem_deref(v);
		return r;
	}
	return parse_primary(ps);
}

static char *arith(struct parser *ps, char op, char *a, char *b)
{
	long double x = 0, y = 0, r;
	char *res = NULL;

	if (!to_num(a, &x) || !to_num(b, &y)) {
		log_warning("non-numeric argument in '%s' ('%s' %c '%s'), taken "
			    "as 0", ps->expr, a, op, b);
		if (!to_num(a, &x))
			x = 0;
		if (!to_num(b, &y))
			y = 0;
	}
	if ((op == '/' || op == '%') && y == 0) {
		log_warning("division by zero in '%s'", ps->expr);
		ps->err = EINVAL;
		goto out;
	}
	switch (op) {
	case '+': r = x + y; break;
	case '-': r = x - y; break;
	case '*': r = x * y; break;
	case '/': r = x / y; break;
	default:  r = fmodl(x, y); break;
	}
	res = num_str(ps, r);
out:
	mem_deref(a);
	mem_deref(b);
	return res;
}

static char *parse_mul(struct parser *ps)
{
	char *a = parse_unary(ps), *b;
	char op;

	while (a && (is_op(ps, "*") || is_op(ps, "/") || is_op(ps, "%"))) {
		op = ps->op[0];
		lex(ps);
		b = parse_unary(ps);
		if (!b) {
			mem_deref(a);
			return NULL;
		}
		a = arith(ps, op, a, b);
	}
	return a;
}

static char *parse_add(struct parser *ps)
{
	char *a = parse_mul(ps), *b;
	char op;

	while (a && (is_op(ps, "+") || is_op(ps, "-"))) {
		op = ps->op[0];
		lex(ps);
		b = parse_mul(ps);
		if (!b) {
			mem_deref(a);
			return NULL;
		}
		a = arith(ps, op, a, b);
	}
	return a;
}

static const char *const cmp_ops[] = {"=", "==", "!=", "<", ">", "<=", ">="};

static int cmp_op(const struct parser *ps)
{
	size_t i;

	if (ps->kind != TK_OP)
		return -1;
	for (i = 0; i < sizeof(cmp_ops) / sizeof(cmp_ops[0]); i++) {
		if (!strcmp(ps->op, cmp_ops[i]))
			return (int)i;
	}
	return -1;
}

/* Numbers compare as numbers only when both sides are numbers, so that
 * "10" > "9" but "abc" < "abd" (Asterisk does the same). */
static char *parse_cmp(struct parser *ps)
{
	char *a = parse_add(ps), *b;
	long double x, y;
	int op, c;
	bool t;

	while (a && (op = cmp_op(ps)) >= 0) {
		lex(ps);
		b = parse_add(ps);
		if (!b) {
			mem_deref(a);
			return NULL;
		}
		if (to_num(a, &x) && to_num(b, &y))
			c = x < y ? -1 : x > y;
		else
			c = strcmp(a, b);
		switch (op) {
		case 0:
		case 1: t = c == 0; break;
		case 2: t = c != 0; break;
		case 3: t = c < 0; break;
		case 4: t = c > 0; break;
		case 5: t = c <= 0; break;
		default: t = c >= 0; break;
		}
		mem_deref(a);
		mem_deref(b);
		a = str_new(t ? "1" : "0");
		if (!a)
			ps->err = ENOMEM;
	}
	return a;
}

/* a & b: a unless either side is null or zero, then "0". */
static char *parse_and(struct parser *ps)
{
	char *a = parse_cmp(ps), *b;

	while (a && is_op(ps, "&")) {
		lex(ps);
		b = parse_cmp(ps);
		if (!b) {
			mem_deref(a);
			return NULL;
		}
		if (is_false(a) || is_false(b)) {
			mem_deref(a);
			a = str_new("0");
			if (!a)
				ps->err = ENOMEM;
		}
		mem_deref(b);
	}
	return a;
}

/* a | b: a unless it is null or zero, else b. */
static char *parse_or(struct parser *ps)
{
	char *a = parse_and(ps), *b;

	while (a && is_op(ps, "|")) {
		lex(ps);
		b = parse_and(ps);
		if (!b) {
			mem_deref(a);
			return NULL;
		}
		if (is_false(a)) {
			mem_deref(a);
			a = b;
		}
		else {
			mem_deref(b);
		}
	}
	return a;
}

static int expr_eval(const char *expr, struct sb *res)
{
	struct parser ps = {.p = expr, .expr = expr};
	char *v;

	lex(&ps);
	if (ps.kind == TK_END)
		return 0; /* $[] is empty, not an error */
	v = parse_or(&ps);
	if (v && ps.kind != TK_END) {
		mem_deref(v);
		v = syntax_error(&ps);
	}
	if (!v)
		return ps.err ? ps.err : EINVAL;
	sb_puts(res, v);
	mem_deref(v);
	return res->oom ? ENOMEM : 0;
}

int dialplan_expr(char *out, size_t outsz, const char *expr)
{
	struct sb res = {0};
	int err;

	if (!out || !expr)
		return EINVAL;
	err = expr_eval(expr, &res);
	if (err) {
		mem_deref(res.p);
		if (outsz)
			out[0] = '\0';
		return err;
	}
	return sb_export(&res, out, outsz);
}

/* ======================= substitution ======================= */

typedef const char *(lookup_h)(const char *name, void *arg);

static void subst(struct sb *out, const char *in, size_t len,
		  lookup_h *lookup, void *arg);

/* Asterisk's substring(): negative offset counts from the end; negative
 * length leaves that many characters off the end. */
static void put_substring(struct sb *out, const char *val, int offset,
			  int length)
{
	int lr = (int)strlen(val);

	if (offset < 0) {
		offset += lr;
		if (offset < 0)
			offset = 0;
	}
	if (offset >= lr)
		return;
	if (length < 0) {
		length = lr - offset + length;
		if (length <= 0)
			return;
	}
	else if (length > lr - offset) {
		length = lr - offset;
	}
	sb_putn(out, val + offset, (size_t)length);
}

/* "NAME:offset:length" — the first ':' outside parentheses (function
 * arguments may hold colons). Like Asterisk's sscanf("%d:%d"), parsing
 * stops at the first part that is not a number. */
static void put_variable(struct sb *out, char *name, lookup_h *lookup,
			 void *arg)
{
	int paren = 0, offset = 0, length = INT_MAX;
	const char *val;
	char *p, *end;
	long v;

	for (p = name; *p; ++p) {
		if (*p == '(')
			paren++;
		else if (*p == ')')
			paren--;
		else if (*p == ':' && !paren)
			break;
	}
	if (*p == ':') {
		*p++ = '\0';
		v = strtol(p, &end, 10);
		if (end != p) {
			offset = v < INT_MIN ? INT_MIN : v > INT_MAX ? INT_MAX : (int)v;
			if (*end == ':') {
				p = end + 1;
				v = strtol(p, &end, 10);
				if (end != p)
					length = v < INT_MIN ? INT_MIN :
						 v > INT_MAX ? INT_MAX : (int)v;
			}
		}
	}
	val = lookup ? lookup(name, arg) : NULL;
	put_substring(out, val ? val : "", offset, length);
}

/* Length of "${...}" / "$[...]" contents starting at `s` (just after the
 * opening pair), counting nested pairs; *closed tells if it was closed. */
static size_t span(const char *s, size_t len, char open, char close,
		   bool *closed)
{
	size_t i;
	int depth = 1;

	for (i = 0; i < len; i++) {
		if (s[i] == '$' && i + 1 < len && s[i + 1] == open) {
			depth++;
			i++;
		}
		else if (s[i] == open) {
			depth++;
		}
		else if (s[i] == close && --depth == 0) {
			*closed = true;
			return i;
		}
	}
	*closed = false;
	return len;
}

static void subst(struct sb *out, const char *in, size_t len,
		  lookup_h *lookup, void *arg)
{
	size_t i = 0, n;
	bool closed;

	while (i < len && !out->oom) {
		if (in[i] != '$' || i + 1 >= len ||
		    (in[i + 1] != '{' && in[i + 1] != '[')) {
			n = i;
			while (n < len && in[n] != '$')
				n++;
			if (n == i)
				n++;
			sb_putn(out, in + i, n - i);
			i = n;
			continue;
		}

		bool var = in[i + 1] == '{';
		struct sb inner = {0};

		i += 2;
		n = span(in + i, len - i, var ? '{' : '[', var ? '}' : ']',
			 &closed);
		if (!closed)
			log_warning("Error in extension logic (missing '%c')",
				    var ? '}' : ']');
		/* the name or expression may itself hold ${...} / $[...] */
		subst(&inner, in + i, n, lookup, arg);
		i += n + (closed ? 1 : 0);
		if (inner.oom) {
			out->oom = true;
		}
		else if (var) {
			char *name = str_new(sb_str(&inner));

			if (!name)
				out->oom = true;
			else
				put_variable(out, name, lookup, arg);
			mem_deref(name);
		}
		else if (expr_eval(sb_str(&inner), out) == ENOMEM) {
			out->oom = true;
		}
		mem_deref(inner.p);
	}
}

int dialplan_substitute(char *out, size_t outsz, const char *in,
			const char *(*lookup)(const char *name, void *arg),
			void *arg)
{
	struct sb res = {0};

	if (!out || !in)
		return EINVAL;
	sb_puts(&res, ""); /* an empty input still gives "" */
	subst(&res, in, strlen(in), lookup, arg);
	return sb_export(&res, out, outsz);
}

/* ======================= arguments ======================= */

/* Asterisk's __ast_app_separate_args(): ',' splits outside quotes and
 * parentheses; '"' toggles quoting and is removed; '\' makes the next
 * character literal and is removed. As there, a trailing empty item is
 * dropped ("a," is one item) and the last slot takes the rest unsplit.
 * Spaces around an item are trimmed unless quoted or escaped. */
int dialplan_args_split(char *data, char **argv, int max)
{
	char *r = data, *w, *start, *keep;
	int argc = 0, paren;
	bool quote, leading;

	if (!data || !argv || max <= 0)
		return 0;
	while (*r && argc < max - 1) {
		start = w = keep = r;
		paren = 0;
		quote = false;
		leading = true;
		for (; *r; ++r) {
			if (*r == ',' && !paren && !quote) {
				++r;
				break;
			}
			if (*r == '"') {
				quote = !quote;
				leading = false;
				keep = w;
				continue;
			}
			if (*r == '\\' && r[1]) {
				*w++ = *++r;
				leading = false;
				keep = w;
				continue;
			}
			if (*r == '(')
				paren++;
			else if (*r == ')' && paren)
				paren--;
			if (leading && (*r == ' ' || *r == '\t'))
				continue;
			leading = false;
			*w++ = *r;
			if (quote)
				keep = w;
		}
		/* r may equal w only when nothing was removed; writing the
		 * terminator after reading the whole item is safe */
		while (w > keep && (w[-1] == ' ' || w[-1] == '\t'))
			--w;
		*w = '\0';
		argv[argc++] = start;
	}
	if (*r) {
		char *e;

		while (*r == ' ' || *r == '\t')
			++r;
		e = r + strlen(r);
		while (e > r && (e[-1] == ' ' || e[-1] == '\t'))
			*--e = '\0';
		argv[argc++] = r;
	}
	return argc;
}
