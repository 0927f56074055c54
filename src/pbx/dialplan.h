/* dialplan.h — contexts, extensions, priorities, patterns; the data and its
 * lookups. Running the applications is pbx.c's job, not this module's.
 *
 * One process-wide dialplan (contexts keyed by name). Each context, extension
 * and priority remembers its registrar ("pbx_config" for extensions.conf,
 * "res_stasis" for automatic Stasis contexts) so one owner can remove what
 * it added without touching the rest, as Asterisk does. */
#ifndef ARIADNE_DIALPLAN_H
#define ARIADNE_DIALPLAN_H

#include <stdbool.h>
#include <stddef.h>

struct config;
struct re_printf;

#define DIALPLAN_NAME_MAX 80 /* AST_MAX_CONTEXT / AST_MAX_EXTENSION */

/* What one priority runs; pointers stay valid until the priority is removed. */
struct dialplan_step {
	const char *context;
	const char *exten;  /* as written, e.g. "_X." or "100" */
	int priority;
	const char *label;  /* NULL when none */
	const char *app;    /* e.g. "Stasis" */
	const char *data;   /* raw, unsubstituted, e.g. "${EXTEN},1" ("" if none) */
	const char *registrar;
	const char *file;   /* NULL for run-time entries */
	unsigned line;
};

/* Add a context. EEXIST if one with this name exists (any registrar). */
int dialplan_context_add(const char *name, const char *registrar);
bool dialplan_context_exists(const char *name);
/* Remove every extension and include of `registrar` from the context, and the
 * context itself if `registrar` created it and it is now empty. ENOENT if no
 * such context. */
int dialplan_context_remove(const char *name, const char *registrar);

/* dialplan_context_remove() for every context: what one owner added goes,
 * the rest stays (a module unloading, extensions.conf being reloaded). */
void dialplan_registrar_remove(const char *registrar);

/* Add one priority. priority > 0. EEXIST if exten+priority exists already.
 * Context must exist (ENOENT). `file`/`line` may be NULL/0. */
int dialplan_add(const char *context, const char *exten, int priority,
		 const char *label, const char *app, const char *data,
		 const char *registrar, const char *file, unsigned line);
/* include => other (searched after the context's own extensions). */
int dialplan_include(const char *context, const char *included,
		     const char *registrar);

/* Asterisk pattern test for one extension name against a dialled string:
 * literal names match exactly; names beginning with '_' are patterns with
 * X [0-9], Z [1-9], N [2-9], [a-z1-5] classes, '.' (one or more of anything),
 * '!' (zero or more of anything). Case-insensitive for the letters X, Z, N. */
bool dialplan_pattern_match(const char *pattern, const char *exten);
/* Order of specificity, as Asterisk's ext_cmp(): < 0 if `a` should be tried
 * before `b`. Exact names before patterns; among patterns the one whose
 * character sets are smaller at the first difference wins. */
int dialplan_pattern_cmp(const char *a, const char *b);

/* Find the step that runs for (context, exten, priority): the best matching
 * extension in the context, then in its includes (depth-first, in include
 * order, each context visited once). Returns NULL if none. */
const struct dialplan_step *dialplan_find(const char *context,
					  const char *exten, int priority);
/* Does any extension in context (or its includes) match exten at all? */
bool dialplan_exten_exists(const char *context, const char *exten);
/* Priority for a label (or a numeric label) of the matching extension;
 * ENOENT if not found. */
int dialplan_find_label(const char *context, const char *exten,
			const char *label, int *priority);

/* Load [contexts] from extensions.conf content: exten =>, same =>, priority n
 * and n(label), include =>. [general] and [globals] are handled: globals are
 * passed to `set_global` (may be NULL). Bad lines are logged (file:line) and
 * skipped. Registrar "pbx_config"; what that registrar loaded before is
 * removed first, so calling it again is a reload. Returns 0 or ENOMEM. */
int dialplan_load(const struct config *cfg,
		  void (*set_global)(const char *name, const char *value));

/* "dialplan show [context]" in Asterisk's layout, e.g.
 *   [ Context 'stasis-ivr' created by 'res_stasis' ]
 *     '_.' =>           1. Stasis(ivr)                                [res_stasis]
 *     'h' =>            1. NoOp()                                     [res_stasis]
 *
 *   -= 2 extensions (2 priorities) in 1 context. =-
 * context NULL: every context. ENOENT (after printing Asterisk's
 * "There is no existence of 'x' context") when a named context is absent. */
int dialplan_show(struct re_printf *pf, const char *context);

/* Drop everything (tests, shutdown). */
void dialplan_reset(void);

/* ---- helpers for the applications that the pbx runs ---- */

/* Expand ${VAR}, ${VAR:offset:length} and $[expr] in `in`. `lookup` returns a
 * variable's value or NULL (treated as empty). Nested ${${A}} allowed. */
int dialplan_substitute(char *out, size_t outsz, const char *in,
			const char *(*lookup)(const char *name, void *arg),
			void *arg);
/* Evaluate a simple Asterisk expression (already substituted): =, !=, <, >,
 * <=, >=, &, |, +, -, *, /, %, !, parentheses, quoted strings. Result as text
 * ("1"/"0" for comparisons). */
int dialplan_expr(char *out, size_t outsz, const char *expr);
/* Split application data in place by ',' with Asterisk's rules: quotes group
 * (and are removed), backslash escapes, empty items kept, surrounding spaces
 * of each item trimmed. Returns the number of items (<= max). "" → 0 items. */
int dialplan_args_split(char *data, char **argv, int max);

#endif
