/* test_config.c — unit tests for the Asterisk-format config parser. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "base/config.h"
#include "base/log.h"

static struct config *parse(const char *text)
{
	struct config *cfg = NULL;

	assert_int_equal(config_parse(&cfg, "test.conf", text), 0);
	assert_non_null(cfg);
	return cfg;
}

/* Runs config_parse with the log going to a file; returns the log text. */
static char *parse_logged(const char *text, struct config **cfgp)
{
	char path[] = "/tmp/test_config_log_XXXXXX";
	int fd = mkstemp(path);
	FILE *f;
	char *buf = calloc(1, 65536);

	assert_true(fd >= 0);
	close(fd);
	log_set_quiet(1);
	assert_int_equal(log_set_file(path), 0);
	assert_int_equal(config_parse(cfgp, "test.conf", text), 0);
	log_set_file(NULL);
	log_set_quiet(0);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(buf);
	fread(buf, 1, 65535, f);
	fclose(f);
	unlink(path);
	return buf;
}

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int count_vars(const struct config_section *s)
{
	const struct config_var *v;
	int n = 0;

	for (v = s->vars; v; v = v->next)
		n++;
	return n;
}

static void sections_and_values_in_file_order(void **state)
{
	struct config *cfg = parse("[one]\na = 1\nb=2\n[two]\nc = three\n");
	const struct config_section *s = config_section_next(cfg, NULL);

	assert_string_equal(s->name, "one");
	assert_int_equal(s->line, 1);
	assert_string_equal(s->vars->name, "a");
	assert_string_equal(s->vars->value, "1");
	assert_string_equal(s->vars->next->name, "b");
	assert_int_equal(s->vars->next->line, 3);
	s = config_section_next(cfg, s);
	assert_string_equal(s->name, "two");
	assert_string_equal(config_var_get(s, "c"), "three");
	assert_null(config_section_next(cfg, s));
	config_free(cfg);
}

static void arrow_is_remembered(void **state)
{
	struct config *cfg = parse("[ctx]\nexten => 100,1,Answer()\nx = y\n");
	const struct config_section *s = config_section_find(cfg, "ctx");

	assert_string_equal(s->vars->name, "exten");
	assert_string_equal(s->vars->value, "100,1,Answer()");
	assert_true(s->vars->arrow);
	assert_false(s->vars->next->arrow);
	config_free(cfg);
}

static void whitespace_trimmed_around_names_and_values(void **state)
{
	struct config *cfg = parse("  [ sec ]  \n\t name\t =  a value  \r\n");

	assert_string_equal(config_get(cfg, "sec", "name"), "a value");
	config_free(cfg);
}

static void semicolon_comment_removed_and_escape_kept(void **state)
{
	struct config *cfg = parse("; leading comment\n[s]\n"
				   "a = 1 ; trailing\n"
				   "b = x\\;y ; real comment\n");

	assert_string_equal(config_get(cfg, "s", "a"), "1");
	assert_string_equal(config_get(cfg, "s", "b"), "x;y");
	config_free(cfg);
}

static void block_comment_spans_lines(void **state)
{
	struct config *cfg = parse("[s]\na = 1 ;-- start\nb = 2\n"
				   "still comment --; c = 3\nd = 4\n");
	const struct config_section *s = config_section_find(cfg, "s");

	assert_string_equal(config_var_get(s, "a"), "1");
	assert_null(config_var_get(s, "b"));
	assert_string_equal(config_var_get(s, "c"), "3");
	assert_string_equal(config_var_get(s, "d"), "4");
	assert_int_equal(count_vars(s), 3);
	config_free(cfg);
}

static void block_comments_nest(void **state)
{
	struct config *cfg = parse("[s]\n;-- outer ;-- inner --; x = 1 --;\n"
				   "y = 2\n");
	const struct config_section *s = config_section_find(cfg, "s");

	assert_null(config_var_get(s, "x"));
	assert_string_equal(config_var_get(s, "y"), "2");
	config_free(cfg);
}

static void later_value_overrides_in_var_get(void **state)
{
	struct config *cfg = parse("[s]\nk = first\nk = second\n");
	const struct config_section *s = config_section_find(cfg, "s");

	assert_string_equal(config_var_get(s, "k"), "second");
	assert_int_equal(count_vars(s), 2);
	config_free(cfg);
}

static void template_not_listed_but_inherited(void **state)
{
	struct config *cfg = parse("[tpl](!)\ncontext = from-tpl\nx = 1\n"
				   "[peer](tpl)\nx = 2\n");
	const struct config_section *s = config_section_next(cfg, NULL);

	assert_string_equal(s->name, "peer");
	assert_false(s->is_template);
	assert_null(config_section_next(cfg, s));
	assert_null(config_section_find(cfg, "tpl"));
	assert_string_equal(config_var_get(s, "context"), "from-tpl");
	assert_string_equal(config_var_get(s, "x"), "2");
	config_free(cfg);
}

static void template_vars_inherited_first(void **state)
{
	struct config *cfg = parse("[a](!)\nva = 1\n[b](!)\nvb = 2\n"
				   "[s](a,b)\nown = 3\n");
	const struct config_section *s = config_section_find(cfg, "s");
	const struct config_var *v = s->vars;

	assert_string_equal(v->name, "va");
	assert_int_equal(v->line, 2); /* keeps where it was written */
	v = v->next;
	assert_string_equal(v->name, "vb");
	v = v->next;
	assert_string_equal(v->name, "own");
	assert_null(v->next);
	config_free(cfg);
}

static void template_that_is_also_templated(void **state)
{
	struct config *cfg = parse("[base](!)\nb = 1\n[mid](!,base)\nm = 2\n"
				   "[leaf](mid)\nl = 3\n");
	const struct config_section *s = config_section_find(cfg, "leaf");

	assert_string_equal(s->vars->name, "b");
	assert_string_equal(s->vars->next->name, "m");
	assert_string_equal(s->vars->next->next->name, "l");
	assert_null(config_section_find(cfg, "mid"));
	config_free(cfg);
}

static void unknown_template_warns_and_section_still_loads(void **state)
{
	struct config *cfg = NULL;
	char *log = parse_logged("[s](nosuch)\na = 1\n", &cfg);

	assert_non_null(strstr(log, "test.conf:1"));
	assert_non_null(strstr(log, "nosuch"));
	assert_string_equal(config_get(cfg, "s", "a"), "1");
	free(log);
	config_free(cfg);
}

static void plus_appends_to_existing_section(void **state)
{
	struct config *cfg = parse("[s]\na = 1\n[t]\n[s](+)\nb = 2\n");
	const struct config_section *s = config_section_find(cfg, "s");

	assert_string_equal(config_var_get(s, "b"), "2");
	assert_int_equal(count_vars(s), 2);
	config_free(cfg);
}

static void bad_line_is_skipped_with_warning(void **state)
{
	struct config *cfg = NULL;
	char *log = parse_logged("[s]\na = 1\nthis line has no equals\n"
				 "b = 2\n", &cfg);

	assert_non_null(strstr(log, "WARNING"));
	assert_non_null(strstr(log, "test.conf:3"));
	assert_string_equal(config_get(cfg, "s", "a"), "1");
	assert_string_equal(config_get(cfg, "s", "b"), "2");
	assert_int_equal(count_vars(config_section_find(cfg, "s")), 2);
	free(log);
	config_free(cfg);
}

static void line_before_any_section_warns(void **state)
{
	struct config *cfg = NULL;
	char *log = parse_logged("orphan = 1\n[s]\nok = 1\n", &cfg);

	assert_non_null(strstr(log, "test.conf:1"));
	assert_non_null(strstr(log, "orphan"));
	assert_string_equal(config_get(cfg, "s", "ok"), "1");
	assert_null(config_get(cfg, "s", "orphan"));
	free(log);
	config_free(cfg);
}

static void unclosed_section_header_warns(void **state)
{
	struct config *cfg = NULL;
	char *log = parse_logged("[broken\na = 1\n[good]\nb = 2\n", &cfg);

	assert_non_null(strstr(log, "test.conf:1"));
	assert_null(config_section_find(cfg, "broken"));
	assert_string_equal(config_get(cfg, "good", "b"), "2");
	free(log);
	config_free(cfg);
}

static void section_find_is_case_sensitive_and_first_wins(void **state)
{
	struct config *cfg = parse("[s]\nn = 1\n[S]\nn = 2\n[s]\nn = 3\n");

	assert_string_equal(config_get(cfg, "s", "n"), "1");
	assert_string_equal(config_get(cfg, "S", "n"), "2");
	assert_null(config_get(cfg, "x", "n"));
	assert_null(config_get(cfg, "s", "missing"));
	config_free(cfg);
}

static void load_missing_file_is_enoent(void **state)
{
	struct config *cfg = NULL;

	assert_int_equal(config_load(&cfg, "/nonexistent-dir-ariadne",
				     "none.conf"),
			 ENOENT);
	assert_null(cfg);
}

static void include_is_relative_to_including_file(void **state)
{
	char dir[] = "/tmp/test_config_XXXXXX", sub[600], path[700];
	struct config *cfg = NULL;
	const struct config_section *s;
	const struct config_var *v;

	assert_non_null(mkdtemp(dir));
	snprintf(sub, sizeof(sub), "%s/sub", dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	write_file(dir, "main.conf", "[a]\nx = 1\n#include \"sub/part.conf\"\n"
				     "y = 3\n");
	/* part.conf includes its sibling without a directory */
	write_file(sub, "part.conf", "z = 2\n#include more.conf\n");
	write_file(sub, "more.conf", "[b]\nw = 4\n");

	assert_int_equal(config_load(&cfg, dir, "main.conf"), 0);
	s = config_section_find(cfg, "a");
	v = s->vars;
	assert_string_equal(v->name, "x");
	assert_string_equal(v->file, "main.conf");
	v = v->next;
	assert_string_equal(v->name, "z");
	assert_string_equal(v->file, "sub/part.conf");
	assert_int_equal(v->line, 1);
	/* lines after an include go to the section the include left open */
	assert_null(v->next);
	assert_string_equal(config_get(cfg, "b", "w"), "4");
	assert_string_equal(config_get(cfg, "b", "y"), "3");
	config_free(cfg);

	snprintf(path, sizeof(path), "%s/sub/more.conf", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/sub/part.conf", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/main.conf", dir);
	unlink(path);
	rmdir(sub);
	rmdir(dir);
}

static void include_loop_is_cut_not_fatal(void **state)
{
	char dir[] = "/tmp/test_config_XXXXXX", path[600];
	struct config *cfg = NULL;

	assert_non_null(mkdtemp(dir));
	write_file(dir, "loop.conf", "[s]\na = 1\n#include loop.conf\n");
	log_set_quiet(1);
	assert_int_equal(config_load(&cfg, dir, "loop.conf"), 0);
	log_set_quiet(0);
	assert_string_equal(config_get(cfg, "s", "a"), "1");
	config_free(cfg);
	snprintf(path, sizeof(path), "%s/loop.conf", dir);
	unlink(path);
	rmdir(dir);
}

static void missing_include_warns_and_rest_loads(void **state)
{
	struct config *cfg = NULL;
	char *log = parse_logged("[s]\n#include nothere.conf\na = 1\n", &cfg);

	assert_non_null(strstr(log, "test.conf:2"));
	assert_string_equal(config_get(cfg, "s", "a"), "1");
	free(log);
	config_free(cfg);
}

static void true_and_false_words(void **state)
{
	assert_true(config_true("yes"));
	assert_true(config_true("On"));
	assert_true(config_true("1"));
	assert_true(config_true("T"));
	assert_false(config_true("no"));
	assert_false(config_true(NULL));
	assert_false(config_true("2"));
	assert_true(config_false("off"));
	assert_true(config_false("FALSE"));
	assert_true(config_false("n"));
	assert_false(config_false("yes"));
	assert_false(config_false(""));
}

static void a_count_is_a_whole_number_within_its_bounds_or_the_default(void **state)
{
	struct config *cfg = parse("[general]\nok = 42\nlow = 0\nneg = -3\n"
				   "word = lots\nhalf = 1.5\nbig = 99999999999\n"
				   "empty =\n");

	(void)state;
	assert_int_equal(config_get_count(cfg, "t.conf", "general", "ok", NULL,
					  1, 100, 7), 42);
	assert_int_equal(config_get_count(cfg, "t.conf", "general", "missing",
					  NULL, 1, 100, 7), 7);
	assert_int_equal(config_get_count(cfg, "t.conf", "general", "empty",
					  NULL, 1, 100, 7), 7);
	for (const char *const *n = (const char *const[]){"low", "neg", "word",
	     "half", "big", NULL}; *n; n++)
		assert_int_equal(config_get_count(cfg, "t.conf", "general", *n,
						  "events", 1, 100, 7), 7);
	assert_int_equal(config_get_count(NULL, "t.conf", "general", "ok",
					  NULL, 1, 100, 7), 7);
	config_free(cfg);
}

static void free_null_is_safe(void **state)
{
	config_free(NULL);
	assert_null(config_section_next(NULL, NULL));
}

/* A NUL byte cuts its own line only, as Asterisk's line reader does: it
 * used to end the file, and every section after it was gone unannounced
 * (in a comment, too). */
static void nul_byte_cuts_only_its_own_line(void **state)
{
	static const char text[] = "[a]\nx = 1\0tail\ny = 2 ; note\0x\n"
				   "[b]\nz = 3\n";
	char dir[] = "/tmp/test_config_XXXXXX", path[600];
	struct config *cfg = NULL;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/nul.conf", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, sizeof(text) - 1, f),
			 sizeof(text) - 1);
	fclose(f);
	assert_int_equal(config_load(&cfg, dir, "nul.conf"), 0);
	assert_string_equal(config_get(cfg, "a", "x"), "1");
	assert_string_equal(config_get(cfg, "a", "y"), "2");
	assert_string_equal(config_get(cfg, "b", "z"), "3");
	config_free(cfg);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sections_and_values_in_file_order),
		cmocka_unit_test(a_count_is_a_whole_number_within_its_bounds_or_the_default),
		cmocka_unit_test(arrow_is_remembered),
		cmocka_unit_test(whitespace_trimmed_around_names_and_values),
		cmocka_unit_test(semicolon_comment_removed_and_escape_kept),
		cmocka_unit_test(block_comment_spans_lines),
		cmocka_unit_test(block_comments_nest),
		cmocka_unit_test(later_value_overrides_in_var_get),
		cmocka_unit_test(template_not_listed_but_inherited),
		cmocka_unit_test(template_vars_inherited_first),
		cmocka_unit_test(template_that_is_also_templated),
		cmocka_unit_test(unknown_template_warns_and_section_still_loads),
		cmocka_unit_test(plus_appends_to_existing_section),
		cmocka_unit_test(bad_line_is_skipped_with_warning),
		cmocka_unit_test(line_before_any_section_warns),
		cmocka_unit_test(unclosed_section_header_warns),
		cmocka_unit_test(section_find_is_case_sensitive_and_first_wins),
		cmocka_unit_test(load_missing_file_is_enoent),
		cmocka_unit_test(include_is_relative_to_including_file),
		cmocka_unit_test(include_loop_is_cut_not_fatal),
		cmocka_unit_test(missing_include_warns_and_rest_loads),
		cmocka_unit_test(true_and_false_words),
		cmocka_unit_test(free_null_is_safe),
		cmocka_unit_test(nul_byte_cuts_only_its_own_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
