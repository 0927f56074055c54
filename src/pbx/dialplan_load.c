/* dialplan_load.c — turns extensions.conf (already parsed by config.c) into
 * dialplan entries, as Asterisk's pbx_config does: exten =>, same =>,
 * priorities n and n(label), include =>, [globals] and [general]. It only
 * reads the file's lines; storage and matching are dialplan.c's. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <stdint.h>
#include <stdbool.h>
#include <inttypes.h>
#include <re_types.h>
#include <re_fmt.h>
#include <re_mem.h>
#include "base/config.h"
#include "pbx/dialplan.h"
#include "base/log.h"

#define REGISTRAR "pbx_config"

/* Last priority written for each extension of the section being loaded, so
 * that "n" means "that extension's previous priority + 1". */
struct lastpri {
	struct lastpri *next;
	int pri;
	char exten[];
};

struct lstate {
	const char *context;
	struct lastpri *last;
	char prev_exten[DIALPLAN_NAME_MAX]; /* for same => */
	bool have_prev;
};

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		++s;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		*--e = '\0';
	return s;
}

static struct lastpri *lastpri_find(struct lstate *ls, const char *exten)
{
	struct lastpri *l;

	for (l = ls->last; l; l = l->next) {
		if (!strcmp(l->exten, exten))
			return l;
	}
	return NULL;
}

static int lastpri_set(struct lstate *ls, const char *exten, int pri)
{
	struct lastpri *l = lastpri_find(ls, exten);
	size_t n;

	if (!l) {
		n = strlen(exten) + 1;
		l = mem_alloc(sizeof(*l) + n, NULL);
		if (!l)
			return ENOMEM;
		memcpy(l->exten, exten, n);
		l->next = ls->last;
		ls->last = l;
	}
	l->pri = pri;
	return 0;
}

static void lastpri_clear(struct lstate *ls)
{
	struct lastpri *l, *ln;

	for (l = ls->last; l; l = ln) {
		ln = l->next;
		mem_deref(l);
	}
	ls->last = NULL;
	ls->have_prev = false;
}

/* "Dial(PJSIP/${EXTEN},30)": the app is what precedes the first '(', the
 * data what lies between it and the last ')'. No parentheses: no data. */
static int split_app(char *s, char **app, char **data, const char *file,
		     unsigned line)
{
	char *open = strchr(s, '('), *close;

	*data = "";
	if (open) {
		*open = '\0';
		*data = open + 1;
		close = strrchr(*data, ')');
		if (close)
			*close = '\0';
		else
			log_warning("%s:%u: no closing parenthesis for '%s(%s'",
				    file, line, trim(s), *data);
	}
	*app = trim(s);
	if (!**app) {
		log_warning("%s:%u: no application to run, skipped", file,
			    line);
		return EINVAL;
	}
	return 0;
}

/* "n", "n(label)", "2", "2(label)" or "hint". Returns the priority, 0 for a
 * hint, -1 on error (logged). `label` points into `s`. */
static int parse_priority(struct lstate *ls, const char *exten, char *s,
			  char **label, const char *file, unsigned line)
{
	char *open = strchr(s, '('), *end;
	struct lastpri *l;
	long n;

	*label = NULL;
	if (open) {
		*open = '\0';
		*label = trim(open + 1);
		end = strchr(*label, ')');
		if (end)
			*end = '\0';
		else
			log_warning("%s:%u: label '%s' missing trailing ')'",
				    file, line, *label);
		*label = trim(*label);
		if (!**label)
			*label = NULL;
	}
	s = trim(s);
	if (!strcmp(s, "hint"))
		return 0;
	if (!strcmp(s, "n") || !strcmp(s, "next")) {
		l = lastpri_find(ls, exten);
		if (!l) {
			log_warning("%s:%u: priority 'n' on the first line of "
				    "extension '%s', skipped", file, line, exten);
			return -1;
		}
		return l->pri + 1;
	}
	n = strtol(s, &end, 10);
	if (end == s || *end || n <= 0 || n > 1000000000) {
		log_warning("%s:%u: invalid priority '%s', skipped", file, line,
			    s);
		return -1;
	}
	return (int)n;
}

/* Adds "prio,App(data)" (the part after the extension) for `exten`. */
static int add_step(struct lstate *ls, const char *exten, char *rest,
		    const char *file, unsigned line)
{
	char *comma = strchr(rest, ','), *label, *app, *data;
	int pri, err;

	if (!comma) {
		log_warning("%s:%u: expected 'priority,Application(data)' for "
			    "extension '%s', skipped", file, line, exten);
		return 0;
	}
	*comma = '\0';
	pri = parse_priority(ls, exten, rest, &label, file, line);
	if (pri < 0)
		return 0;
	if (pri == 0) {
		log_debug(1, "%s:%u: hint for '%s@%s' ignored (no device "
			  "state here)", file, line, exten, ls->context);
		return 0;
	}
	/* Asterisk advances its "previous priority" even when the line then
	 * fails, so the next 'n' keeps the numbering the author intended. */
	err = lastpri_set(ls, exten, pri);
	if (err)
		return err;
	if (split_app(comma + 1, &app, &data, file, line))
		return 0;

	err = dialplan_add(ls->context, exten, pri, label, app, data,
			   REGISTRAR, file, line);
	switch (err) {
	case 0:
		return 0;
	case ENOMEM:
		return err;
	case EEXIST:
		log_warning("%s:%u: priority %d of extension '%s' in context "
			    "'%s' already exists, line skipped", file, line, pri,
			    exten, ls->context);
		return 0;
	default:
		log_warning("%s:%u: unable to register extension '%s' "
			    "priority %d in '%s': %s", file, line, exten, pri,
			    ls->context, strerror(err));
		return 0;
	}
}

/* The extension name ends at the first ',' outside a "[...]" set, so that
 * "_[1,3]XX" stays whole. */
static char *exten_end(char *s)
{
	bool in_set = false;

	for (; *s; ++s) {
		if (*s == '[')
			in_set = true;
		else if (*s == ']')
			in_set = false;
		else if (*s == ',' && !in_set)
			return s;
	}
	return NULL;
}

static int load_exten(struct lstate *ls, const struct config_var *v)
{
	char *buf = NULL, *comma, *exten;
	int err = 0;

	str_dup(&buf, v->value);
	if (!buf)
		return ENOMEM;
	comma = exten_end(buf);
	if (!comma) {
		log_warning("%s:%u: expected 'exten => name,priority,App(data)',"
			    " skipped", v->file, v->line);
		goto out;
	}
	*comma = '\0';
	exten = trim(buf);
	if (!*exten || strlen(exten) >= DIALPLAN_NAME_MAX) {
		log_warning("%s:%u: extension name '%s' is empty or too long, "
			    "skipped", v->file, v->line, exten);
		goto out;
	}
	if (strchr(exten, '/')) {
		log_warning("%s:%u: caller id matching ('%s') is not supported,"
			    " skipped", v->file, v->line, exten);
		goto out;
	}
	strcpy(ls->prev_exten, exten);
	ls->have_prev = true;
	err = add_step(ls, exten, comma + 1, v->file, v->line);
out:
	mem_deref(buf);
	return err;
}

static int load_same(struct lstate *ls, const struct config_var *v)
{
	char *buf;
	int err;

	if (!ls->have_prev) {
		log_warning("%s:%u: 'same =>' before any 'exten =>' in context "
			    "'%s', skipped", v->file, v->line, ls->context);
		return 0;
	}
	if (str_dup(&buf, v->value))
		return ENOMEM;
	err = add_step(ls, ls->prev_exten, buf, v->file, v->line);
	mem_deref(buf);
	return err;
}

static int load_include(struct lstate *ls, const struct config_var *v)
{
	char *buf = NULL, *name, *timing;
	int err;

	str_dup(&buf, v->value);
	if (!buf)
		return ENOMEM;
	timing = strpbrk(buf, ",|");
	if (timing)
		*timing++ = '\0';
	name = trim(buf);
	if (timing) {
		/* A time-limited include would be active at the wrong times
		 * if taken unconditionally, so leave it out entirely. */
		log_warning("%s:%u: time-limited include '%s,%s' is not "
			    "supported, skipped", v->file, v->line, name,
			    timing);
		err = 0;
	}
	else if (!*name) {
		log_warning("%s:%u: 'include =>' without a context, skipped",
			    v->file, v->line);
		err = 0;
	}
	else {
		err = dialplan_include(ls->context, name, REGISTRAR);
		if (err && err != ENOMEM) {
			log_warning("%s:%u: cannot include '%s' in '%s': %s",
				    v->file, v->line, name, ls->context,
				    strerror(err));
			err = 0;
		}
	}
	mem_deref(buf);
	return err;
}

static int load_context(const struct config_section *sec)
{
	struct lstate ls = {.context = sec->name};
	const struct config_var *v;
	int err;

	err = dialplan_context_add(sec->name, REGISTRAR);
	if (err == EINVAL) {
		log_warning("%s:%u: context name '%s' is too long, section "
			    "skipped", sec->file, sec->line, sec->name);
		return 0;
	}
	if (err && err != EEXIST) /* EEXIST: [ctx] twice adds to it */
		return err;
	err = 0;

	for (v = sec->vars; v && !err; v = v->next) {
		if (!strcasecmp(v->name, "exten"))
			err = load_exten(&ls, v);
		else if (!strcasecmp(v->name, "same"))
			err = load_same(&ls, v);
		else if (!strcasecmp(v->name, "include"))
			err = load_include(&ls, v);
		else
			log_warning("%s:%u: unknown directive '%s' in context "
				    "'%s', ignored", v->file, v->line, v->name,
				    sec->name);
	}
	lastpri_clear(&ls);
	return err;
}

int dialplan_load(const struct config *cfg,
		  void (*set_global)(const char *name, const char *value))
{
	const struct config_section *sec = NULL;
	const struct config_var *v;
	int err = 0;

	if (!cfg)
		return EINVAL;
	/* A reload replaces what extensions.conf added before, and only that
	 * (Stasis contexts stay), like Asterisk's merge by registrar. */
	dialplan_registrar_remove(REGISTRAR);

	while (!err && (sec = config_section_next(cfg, sec))) {
		if (!strcmp(sec->name, "general")) {
			/* static, writeprotect, autofallthrough...: the
			 * dialplan is never written back, nothing to do */
			continue;
		}
		if (!strcmp(sec->name, "globals")) {
			for (v = sec->vars; v && set_global; v = v->next)
				set_global(v->name, v->value);
			continue;
		}
		err = load_context(sec);
	}
	return err;
}
