/* config.h — Asterisk-format configuration files.
 *
 *   [section]            [name](!)  template      [name](tpl1,tpl2)  inherits
 *   name = value         name => value (same thing, the arrow is remembered)
 *   ; comment            ;-- block comment --;      \; is a literal ';'
 *   #include other.conf (relative to the directory of the including file)
 *
 * A line that is not understood is reported as WARNING with file:line and
 * skipped; loading never fails because of content, only when the file cannot
 * be read. Template sections are kept (flagged) but never returned by
 * config_section_next(); a section that names templates gets their variables
 * first, then its own. */
#ifndef ARIADNE_CONFIG_H
#define ARIADNE_CONFIG_H

#include <stdbool.h>

struct config;

struct config_var {
	const char *name;
	const char *value;
	bool arrow;        /* written with => */
	const char *file;  /* for messages */
	unsigned line;
	struct config_var *next;
};

struct config_section {
	const char *name;
	bool is_template;
	const char *file;
	unsigned line;
	struct config_var *vars; /* in file order, inherited ones first */
	struct config_section *next;
};

/* Load DIR/NAME. ENOENT when the file does not exist (callers treat that as
 * "use the embedded defaults"); other errno values on read errors. */
int config_load(struct config **cfgp, const char *dir, const char *name);
/* Parse text held in memory; `name` is used as the file name in messages. */
int config_parse(struct config **cfgp, const char *name, const char *text);
/* NULL-safe free. */
void config_free(struct config *cfg);
/* Whether the text has a line Asterisk refuses a whole file for (a section
 * header without its ']' or ')'). Loading goes on past it, as above (at
 * start-up the rest is better than nothing), but a reload must keep the
 * configuration in force rather than take such a file. */
bool config_broken(const struct config *cfg);
/* DIR/NAME read again for a reload: 0, ENOENT when the file is not there
 * (the caller decides: gone, or never there), or an error already logged
 * with "the configuration in force is kept" (unreadable, or broken as
 * above: *cfgp NULL then). */
int config_reload(struct config **cfgp, const char *dir, const char *name);

/* Non-template sections in file order. Pass NULL to get the first. */
const struct config_section *config_section_next(const struct config *cfg,
						 const struct config_section *prev);
/* First non-template section with this name (case-sensitive). */
const struct config_section *config_section_find(const struct config *cfg,
						 const char *name);
/* Last value of `name` in the section (later lines override), or NULL. */
const char *config_var_get(const struct config_section *sec, const char *name);
/* Shortcut: value of name in the first section called `section`, or NULL. */
const char *config_get(const struct config *cfg, const char *section,
		       const char *name);

/* A whole number from lo to hi as [section] name of cfg, else def: quietly
 * when it is not there, with a warning naming `file` (and `unit`, "events",
 * when not NULL) when it is not such a number. */
unsigned long config_get_count(const struct config *cfg, const char *file,
			       const char *section, const char *name,
			       const char *unit, unsigned long lo,
			       unsigned long hi, unsigned long def);

/* Whether s (any case) is one of the NULL-terminated words; false for a
 * NULL s. */
bool config_word_in(const char *s, const char *const *words);
/* Asterisk's ast_true(): yes, true, y, t, 1, on (any case). */
bool config_true(const char *s);
/* Asterisk's ast_false(): no, false, n, f, 0, off (any case). */
bool config_false(const char *s);

#endif
