/* config.c — reads Asterisk-format .conf files into sections and variables
 * (see config.h for the syntax). It only parses; what a section or a
 * variable means is up to each module that reads it.
 *
 * Content errors never fail a load: Asterisk refuses a whole file for some of
 * them, but a telephony server that will not start over one typo helps no
 * one, so each bad line is reported with file:line and skipped. */
#include <errno.h>
#include <glob.h>
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
#include "base/log.h"

/* Asterisk stops following #include after this many levels; so do we, which
 * also ends include loops (a.conf including itself). */
#define CONFIG_INCLUDE_DEPTH 10

struct sec {
	struct config_section pub; /* first: the public view is cast back */
	struct config_var *tail;
};

struct fname {
	struct fname *next;
	char name[];
};

struct config {
	struct sec *first, *last;
	struct fname *files; /* owns every config_var.file / section.file */
	unsigned broken;     /* lines Asterisk would refuse the file for */
};

/* What the parser needs while it walks one file. */
struct pstate {
	struct config *cfg;
	struct sec *cur;     /* section that receives variables, NULL before any */
	int comment_depth;   /* ;-- --; nest, as in Asterisk */
	int depth;           /* #include level */
};

static int parse_file(struct pstate *ps, const char *path, const char *shown);

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		++s;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' ||
			 e[-1] == '\n'))
		*--e = '\0';
	return s;
}

static const char *intern_file(struct config *cfg, const char *name)
{
	struct fname *f;
	size_t n;

	for (f = cfg->files; f; f = f->next) {
		if (!strcmp(f->name, name))
			return f->name;
	}
	n = strlen(name) + 1;
	f = mem_alloc(sizeof(*f) + n, NULL);
	if (!f)
		return NULL;
	memcpy(f->name, name, n);
	f->next = cfg->files;
	cfg->files = f;
	return f->name;
}

static int var_append(struct sec *s, const char *name, const char *value,
		      bool arrow, const char *file, unsigned line)
{
	size_t nl = strlen(name) + 1, vl = strlen(value) + 1;
	struct config_var *v = mem_alloc(sizeof(*v) + nl + vl, NULL);
	char *p;

	if (!v)
		return ENOMEM;
	p = (char *)(v + 1);
	memcpy(p, name, nl);
	memcpy(p + nl, value, vl);
	v->name = p;
	v->value = p + nl;
	v->arrow = arrow;
	v->file = file;
	v->line = line;
	v->next = NULL;
	if (s->tail)
		s->tail->next = v;
	else
		s->pub.vars = v;
	s->tail = v;
	return 0;
}

static struct sec *section_new(struct config *cfg, const char *name,
			       const char *file, unsigned line)
{
	size_t n = strlen(name) + 1;
	struct sec *s = mem_zalloc(sizeof(*s) + n, NULL);

	if (!s)
		return NULL;
	memcpy(s + 1, name, n);
	s->pub.name = (const char *)(s + 1);
	s->pub.file = file;
	s->pub.line = line;
	if (cfg->last)
		cfg->last->pub.next = &s->pub;
	else
		cfg->first = s;
	cfg->last = s;
	return s;
}

/* Any section, templates included: the latest one wins for "(+)" and for
 * inheritance, because Asterisk looks templates up the same way. */
static struct sec *section_lookup(struct config *cfg, const char *name,
				  bool want_template)
{
	struct sec *s, *found = NULL;

	for (s = cfg->first; s; s = (struct sec *)s->pub.next) {
		if (!strcmp(s->pub.name, name) &&
		    (!want_template || s->pub.is_template))
			found = s;
	}
	return found;
}

static int inherit(struct sec *dst, const struct sec *tpl)
{
	const struct config_var *v;
	int err;

	for (v = tpl->pub.vars; v; v = v->next) {
		err = var_append(dst, v->name, v->value, v->arrow, v->file,
				 v->line);
		if (err)
			return err;
	}
	return 0;
}

/* The options of a section header: "(!)" template, "(+)" append to the
 * existing section, any other word a template to inherit from. */
struct sec_opts {
	bool tmpl, append;
	struct sec *tpls[16];
	size_t ntpl;
};

/* Split "[name](opts)" in place: *namep and *optsp (NULL when none). A bad
 * header is logged and gives EINVAL: its lines up to the next section are
 * skipped. */
static int split_header(struct pstate *ps, char *line, const char *file,
			unsigned lineno, char **namep, char **optsp)
{
	char *end = strchr(line, ']'), *name, *opts = NULL;

	if (!end) {
		/* Asterisk's parser gives up on the whole file here
		 * (config_status FILEINVALID): a reload keeps what it had */
		log_warning("%s:%u: no closing ']' in section header, skipped",
			    file, lineno);
		ps->cfg->broken++;
		return EINVAL;
	}
	*end++ = '\0';
	name = trim(line + 1);
	end = trim(end);
	if (*end == '(') {
		opts = end + 1;
		end = strchr(opts, ')');
		if (!end) {
			log_warning("%s:%u: no closing ')' after section '%s',"
				    " options ignored", file, lineno, name);
			ps->cfg->broken++;
		}
		else
			*end = '\0';
	}
	else if (*end) {
		log_warning("%s:%u: text after section '%s' ignored: '%s'",
			    file, lineno, name, end);
	}
	if (!*name) {
		log_warning("%s:%u: empty section name, lines up to the next "
			    "section skipped", file, lineno);
		return EINVAL;
	}
	*namep = name;
	*optsp = opts;
	return 0;
}

static void add_template(struct pstate *ps, struct sec_opts *o,
			 const char *tok, const char *name, const char *file,
			 unsigned lineno)
{
	struct sec *t = section_lookup(ps->cfg, tok, true);

	if (!t)
		log_warning("%s:%u: section '%s' inherits from '%s', which is "
			    "not a template defined above; ignored",
			    file, lineno, name, tok);
	else if (o->ntpl == sizeof(o->tpls) / sizeof(o->tpls[0]))
		log_warning("%s:%u: too many templates for '%s'; '%s' ignored",
			    file, lineno, name, tok);
	else
		o->tpls[o->ntpl++] = t;
}

static void parse_opts(struct pstate *ps, struct sec_opts *o, char *opts,
		       const char *name, const char *file, unsigned lineno)
{
	char *tok, *save;

	for (tok = opts ? strtok_r(opts, ",", &save) : NULL; tok;
	     tok = strtok_r(NULL, ",", &save)) {
		tok = trim(tok);
		if (!strcmp(tok, "!"))
			o->tmpl = true;
		else if (!strcmp(tok, "+"))
			o->append = true;
		else if (*tok)
			add_template(ps, o, tok, name, file, lineno);
	}
}

static int parse_section(struct pstate *ps, char *line, const char *file,
			 unsigned lineno)
{
	struct sec_opts o = {0};
	struct sec *s;
	char *name, *opts;
	int err;

	ps->cur = NULL;
	if (split_header(ps, line, file, lineno, &name, &opts))
		return 0;
	parse_opts(ps, &o, opts, name, file, lineno);
	if (o.append) {
		s = section_lookup(ps->cfg, name, false);
		if (s) {
			ps->cur = s;
			return 0;
		}
		log_warning("%s:%u: '(+)' on section '%s' that does not exist "
			    "yet; starting a new one", file, lineno, name);
	}
	s = section_new(ps->cfg, name, file, lineno);
	if (!s)
		return ENOMEM;
	s->pub.is_template = o.tmpl;
	for (size_t i = 0; i < o.ntpl; i++) {
		err = inherit(s, o.tpls[i]);
		if (err)
			return err;
	}
	ps->cur = s;
	return 0;
}

static char *join_dir(const char *parent, const char *name)
{
	const char *slash = strrchr(parent, '/');
	size_t dl = slash ? (size_t)(slash - parent) + 1 : 0;
	char *p;

	if (name[0] == '/' || !dl) {
		p = NULL;
		str_dup(&p, name);
		return p;
	}
	p = mem_alloc(dl + strlen(name) + 1, NULL);
	if (!p)
		return NULL;
	memcpy(p, parent, dl);
	strcpy(p + dl, name);
	return p;
}

/* An included file keeps its own block-comment state: an unclosed ';--' in
 * it must not swallow the rest of the including file. */
static int include_one(struct pstate *ps, const char *path, const char *shown,
		       bool must_exist, const char *file, unsigned lineno)
{
	int saved = ps->comment_depth, err;

	ps->comment_depth = 0;
	ps->depth++;
	err = parse_file(ps, path, shown);
	ps->depth--;
	if (!err && ps->comment_depth > 0)
		log_warning("%s: block comment ';--' not closed at end of file",
			    shown);
	ps->comment_depth = saved;
	if (err == ENOMEM)
		return err;
	if (err && (must_exist || err != ENOENT))
		log_warning("%s:%u: cannot read included file '%s': %s", file,
			    lineno, shown, strerror(err));
	return 0;
}

/* Asterisk expands wildcards in #include (e.g. conf.d with a "*.conf"
 * glob). Each match is shown as the matched path with the parent's real
 * directory swapped for its shown one. */
static int include_glob(struct pstate *ps, const char *real, const char *arg,
			bool must_exist, const char *file, unsigned lineno)
{
	size_t i, dl = strlen(real) - strlen(arg);
	glob_t g;
	int err = 0;

	if (glob(real, 0, NULL, &g)) {
		if (must_exist)
			log_warning("%s:%u: #include '%s' matches no file",
				    file, lineno, arg);
		return 0;
	}
	for (i = 0; i < g.gl_pathc && !err; i++) {
		char *sh = join_dir(file, g.gl_pathv[i] + dl);

		if (!sh) {
			err = ENOMEM;
			break;
		}
		err = include_one(ps, g.gl_pathv[i], sh, true, file, lineno);
		mem_deref(sh);
	}
	globfree(&g);
	return err;
}

/* "#include" or "#tryinclude" (the file may be missing): the file name
 * in place in *argp, without its quotes or brackets. EINVAL (logged) for
 * another directive or a missing name. */
static int split_directive(char *line, const char *file, unsigned lineno,
			   char **argp, bool *must_exist)
{
	char *arg = line + 1, *kw = arg;
	size_t n;

	while (*arg && *arg != ' ' && *arg != '\t' && *arg != '"' &&
	       *arg != '<')
		++arg;
	n = (size_t)(arg - kw);
	arg = trim(arg);
	if (n == 7 && !strncasecmp(kw, "include", 7)) {
		*must_exist = true;
	}
	else if (n == 10 && !strncasecmp(kw, "tryinclude", 10)) {
		*must_exist = false;
	}
	else {
		log_warning("%s:%u: unsupported directive '%.*s', skipped",
			    file, lineno, (int)n, kw);
		return EINVAL;
	}
	n = strlen(arg);
	if (n >= 2 && ((arg[0] == '"' && arg[n - 1] == '"') ||
		       (arg[0] == '<' && arg[n - 1] == '>'))) {
		arg[n - 1] = '\0';
		++arg;
	}
	if (!*arg) {
		log_warning("%s:%u: #include without a file name", file,
			    lineno);
		return EINVAL;
	}
	*argp = arg;
	return 0;
}

static int parse_directive(struct pstate *ps, char *line, const char *path,
			   const char *file, unsigned lineno)
{
	char *arg, *real, *shown;
	bool must_exist;
	int err;

	if (split_directive(line, file, lineno, &arg, &must_exist))
		return 0;
	if (ps->depth >= CONFIG_INCLUDE_DEPTH) {
		log_warning("%s:%u: #include '%s' nested deeper than %d "
			    "levels (a loop?), skipped",
			    file, lineno, arg, CONFIG_INCLUDE_DEPTH);
		return 0;
	}
	real = join_dir(path, arg);
	shown = join_dir(file, arg);
	if (!real || !shown)
		err = ENOMEM;
	else if (strpbrk(arg, "*?["))
		err = include_glob(ps, real, arg, must_exist, file, lineno);
	else
		err = include_one(ps, real, shown, must_exist, file, lineno);
	mem_deref(real);
	mem_deref(shown);
	return err;
}

static int parse_var(struct pstate *ps, char *line, const char *file,
		     unsigned lineno)
{
	char *eq = strchr(line, '='), *name, *value;
	bool arrow = false;

	if (!eq) {
		log_warning("%s:%u: no '=' in line, skipped: '%s'", file,
			    lineno, line);
		return 0;
	}
	*eq = '\0';
	value = eq + 1;
	if (*value == '>') {
		arrow = true;
		++value;
	}
	name = trim(line);
	value = trim(value);
	if (!*name) {
		log_warning("%s:%u: no name before '=', skipped", file, lineno);
		return 0;
	}
	if (!ps->cur) {
		log_warning("%s:%u: '%s' is not inside a [section], skipped",
			    file, lineno, name);
		return 0;
	}
	return var_append(ps->cur, name, value, arrow, file, lineno);
}

/* Copies `in` to `out` without comments; `\;` becomes ';'. A block comment
 * may end on a later line, so its depth lives in the parser state. */
static void strip_comments(struct pstate *ps, const char *in, char *out)
{
	while (*in) {
		if (ps->comment_depth > 0) {
			if (!strncmp(in, "--;", 3)) {
				ps->comment_depth--;
				in += 3;
			}
			else if (!strncmp(in, ";--", 3)) {
				ps->comment_depth++;
				in += 3;
			}
			else {
				++in;
			}
			continue;
		}
		if (in[0] == '\\' && in[1] == ';') {
			*out++ = ';';
			in += 2;
			continue;
		}
		if (*in == ';') {
			if (!strncmp(in, ";--", 3)) {
				ps->comment_depth++;
				in += 3;
				continue;
			}
			break;
		}
		*out++ = *in++;
	}
	*out = '\0';
}

/* text is tlen bytes. A NUL byte cuts only its own line, as Asterisk's
 * line reader does (the rest of that line is not seen): it used to end
 * the whole file there, dropping every section after it unannounced. */
static int parse_text(struct pstate *ps, const char *path, const char *file,
		      const char *text, size_t tlen)
{
	const char *p = text, *end = text + tlen, *nl;
	char *buf = NULL, *line;
	size_t cap = 0, len;
	unsigned lineno = 0;
	int err = 0;

	while (p < end && !err) {
		nl = memchr(p, '\n', (size_t)(end - p));
		len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		++lineno;
		if (memchr(p, '\0', len))
			log_warning("%s:%u: NUL byte in the line: the rest of "
				    "the line is ignored", file, lineno);
		if (len + 1 > cap) {
			char *nb = mem_reallocarray(buf, len + 1, 1, NULL);

			if (!nb) {
				err = ENOMEM;
				break;
			}
			buf = nb;
			cap = len + 1;
		}
		memcpy(buf, p, len);
		buf[len] = '\0';
		p = nl ? nl + 1 : p + len;

		/* strip_comments writes no more than it reads: in place */
		strip_comments(ps, buf, buf);
		line = trim(buf);
		if (!*line)
			continue;
		if (*line == '[')
			err = parse_section(ps, line, file, lineno);
		else if (*line == '#')
			err = parse_directive(ps, line, path, file, lineno);
		else
			err = parse_var(ps, line, file, lineno);
	}
	mem_deref(buf);
	return err;
}

static int read_all(const char *path, char **textp, size_t *lenp)
{
	FILE *f = fopen(path, "r");
	char *text = NULL;
	size_t len = 0, cap = 0, n;
	int err = 0;

	if (!f)
		return errno;
	for (;;) {
		if (cap - len < 4096) {
			char *nt = mem_reallocarray(text, cap + 65536, 1, NULL);

			if (!nt) {
				err = ENOMEM;
				break;
			}
			text = nt;
			cap += 65536;
		}
		n = fread(text + len, 1, cap - len - 1, f);
		len += n;
		if (n == 0) {
			if (ferror(f))
				err = EIO;
			break;
		}
	}
	fclose(f);
	if (err) {
		mem_deref(text);
		return err;
	}
	text[len] = '\0';
	*textp = text;
	*lenp = len;
	return 0;
}

static int parse_file(struct pstate *ps, const char *path, const char *shown)
{
	const char *file;
	char *text = NULL;
	size_t len = 0;
	int err;

	err = read_all(path, &text, &len);
	if (err)
		return err;
	file = intern_file(ps->cfg, shown);
	err = file ? parse_text(ps, path, file, text, len) : ENOMEM;
	mem_deref(text);
	return err;
}

int config_load(struct config **cfgp, const char *dir, const char *name)
{
	struct pstate ps = {0};
	char *path;
	size_t dl;
	int err;

	if (!cfgp || !name)
		return EINVAL;
	dl = dir ? strlen(dir) : 0;
	path = mem_alloc(dl + strlen(name) + 2, NULL);
	if (!path)
		return ENOMEM;
	if (dl && name[0] != '/')
		sprintf(path, "%s%s%s", dir, dir[dl - 1] == '/' ? "" : "/",
			name);
	else
		strcpy(path, name);

	ps.cfg = mem_zalloc(sizeof(*ps.cfg), NULL);
	if (!ps.cfg) {
		mem_deref(path);
		return ENOMEM;
	}
	err = parse_file(&ps, path, name);
	if (!err && ps.comment_depth > 0)
		log_warning("%s: block comment ';--' not closed at end of file",
			    name);
	mem_deref(path);
	if (err) {
		config_free(ps.cfg);
		return err;
	}
	*cfgp = ps.cfg;
	return 0;
}

int config_parse(struct config **cfgp, const char *name, const char *text)
{
	struct pstate ps = {0};
	const char *file;
	int err;

	if (!cfgp || !text)
		return EINVAL;
	if (!name)
		name = "(memory)";
	ps.cfg = mem_zalloc(sizeof(*ps.cfg), NULL);
	if (!ps.cfg)
		return ENOMEM;
	file = intern_file(ps.cfg, name);
	err = file ? parse_text(&ps, name, file, text, strlen(text)) : ENOMEM;
	if (!err && ps.comment_depth > 0)
		log_warning("%s: block comment ';--' not closed at end of text",
			    name);
	if (err) {
		config_free(ps.cfg);
		return err;
	}
	*cfgp = ps.cfg;
	return 0;
}

void config_free(struct config *cfg)
{
	struct sec *s, *sn;
	struct config_var *v, *vn;
	struct fname *f, *fn;

	if (!cfg)
		return;
	for (s = cfg->first; s; s = sn) {
		sn = (struct sec *)s->pub.next;
		for (v = s->pub.vars; v; v = vn) {
			vn = v->next;
			mem_deref(v);
		}
		mem_deref(s);
	}
	for (f = cfg->files; f; f = fn) {
		fn = f->next;
		mem_deref(f);
	}
	mem_deref(cfg);
}

bool config_broken(const struct config *cfg)
{
	return cfg && cfg->broken;
}

int config_reload(struct config **cfgp, const char *dir, const char *name)
{
	int err = config_load(cfgp, dir, name);

	if (err == ENOENT)
		return ENOENT;
	if (err) {
		log_error("Unable to load %s/%s: %s; the configuration in "
			  "force is kept", dir, name, strerror(err));
		return err;
	}
	if (config_broken(*cfgp)) {
		log_error("%s/%s has errors (above) for which Asterisk refuses "
			  "the file: the configuration in force is kept", dir,
			  name);
		config_free(*cfgp);
		*cfgp = NULL;
		return EBADMSG;
	}
	return 0;
}

const struct config_section *config_section_next(const struct config *cfg,
						 const struct config_section *prev)
{
	const struct config_section *s;

	if (!cfg)
		return NULL;
	s = prev ? prev->next : (cfg->first ? &cfg->first->pub : NULL);
	while (s && s->is_template)
		s = s->next;
	return s;
}

const struct config_section *config_section_find(const struct config *cfg,
						 const char *name)
{
	const struct config_section *s = NULL;

	if (!name)
		return NULL;
	while ((s = config_section_next(cfg, s))) {
		if (!strcmp(s->name, name))
			return s;
	}
	return NULL;
}

const char *config_var_get(const struct config_section *sec, const char *name)
{
	const struct config_var *v;
	const char *val = NULL;

	if (!sec || !name)
		return NULL;
	for (v = sec->vars; v; v = v->next) {
		if (!strcmp(v->name, name))
			val = v->value;
	}
	return val;
}

const char *config_get(const struct config *cfg, const char *section,
		       const char *name)
{
	return config_var_get(config_section_find(cfg, section), name);
}

bool config_word_in(const char *s, const char *const *words)
{
	if (!s)
		return false;
	for (; *words; ++words) {
		if (!strcasecmp(s, *words))
			return true;
	}
	return false;
}

bool config_true(const char *s)
{
	static const char *const yes[] = {"yes", "true", "y", "t", "1", "on",
					  NULL};

	return config_word_in(s, yes);
}

bool config_false(const char *s)
{
	static const char *const no[] = {"no", "false", "n", "f", "0", "off",
					 NULL};

	return config_word_in(s, no);
}

unsigned long config_get_count(const struct config *cfg, const char *file,
			       const char *section, const char *name,
			       const char *unit, unsigned long lo,
			       unsigned long hi, unsigned long def)
{
	const char *v = cfg ? config_get(cfg, section, name) : NULL;
	unsigned long n;
	char *end;

	if (!v || !*v)
		return def;
	n = strtoul(v, &end, 10);
	if (*end || *v == '-' || n < lo || n > hi) {
		log_warning("%s: %s '%s' is not a number%s%s from %lu to %lu; "
			    "using %lu", file, name, v, unit ? " of " : "",
			    unit ? unit : "", lo, hi, def);
		return def;
	}
	return n;
}
