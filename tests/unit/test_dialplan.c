/* test_dialplan.c — unit tests for the dialplan: patterns and their order,
 * lookups through includes, extensions.conf loading, "dialplan show", and
 * the substitution / expression / argument helpers. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <re_types.h>
#include <re_fmt.h>
#include "base/config.h"
#include "pbx/dialplan.h"
#include "base/log.h"

static int reset(void **state)
{
	dialplan_reset();
	return 0;
}

/* ---- helpers ---- */

struct capture {
	char buf[16384];
	size_t len;
};

static int capture_h(const char *p, size_t size, void *arg)
{
	struct capture *c = arg;

	if (c->len + size >= sizeof(c->buf))
		return ENOMEM;
	memcpy(c->buf + c->len, p, size);
	c->len += size;
	c->buf[c->len] = '\0';
	return 0;
}

static int show(struct capture *c, const char *context)
{
	struct re_printf pf = {capture_h, c};

	memset(c, 0, sizeof(*c));
	return dialplan_show(&pf, context);
}

static void add(const char *ctx, const char *exten, int prio, const char *app,
		const char *data)
{
	assert_int_equal(dialplan_add(ctx, exten, prio, NULL, app, data,
				      "test", NULL, 0),
			 0);
}

static const char *found_exten(const char *ctx, const char *dialled, int prio)
{
	const struct dialplan_step *s = dialplan_find(ctx, dialled, prio);

	return s ? s->exten : NULL;
}

static void load_text(const char *text, char **logp)
{
	struct config *cfg = NULL;
	char path[] = "/tmp/test_dialplan_log_XXXXXX";
	int fd = mkstemp(path);
	FILE *f;

	assert_true(fd >= 0);
	close(fd);
	log_set_quiet(1);
	assert_int_equal(log_set_file(path), 0);
	assert_int_equal(config_parse(&cfg, "extensions.conf", text), 0);
	assert_int_equal(dialplan_load(cfg, NULL), 0);
	log_set_file(NULL);
	log_set_quiet(0);
	config_free(cfg);
	if (logp) {
		*logp = calloc(1, 65536);
		assert_non_null(*logp);
		f = fopen(path, "r");
		assert_non_null(f);
		assert_true(fread(*logp, 1, 65535, f) < 65535);
		fclose(f);
	}
	unlink(path);
}

static const char *var_lookup(const char *name, void *arg)
{
	static const char *const vars[][2] = {
		{"EXTEN", "5551234"}, {"A", "B"},   {"B", "nested"},
		{"N", "7"},           {"EMPTY", ""}, {"WHO", "world"},
		{"FUNC(x:y)", "func"},
	};
	size_t i;

	(void)arg;
	for (i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
		if (!strcmp(vars[i][0], name))
			return vars[i][1];
	}
	return NULL;
}

static const char *subst(const char *in)
{
	static char out[512];

	assert_int_equal(dialplan_substitute(out, sizeof(out), in, var_lookup,
					     NULL),
			 0);
	return out;
}

static const char *expr(const char *in)
{
	static char out[256];

	assert_int_equal(dialplan_expr(out, sizeof(out), in), 0);
	return out;
}

/* ---- pattern matching ---- */

static void literal_extension_matches_only_itself(void **state)
{
	assert_true(dialplan_pattern_match("100", "100"));
	assert_false(dialplan_pattern_match("100", "1000"));
	assert_false(dialplan_pattern_match("100", "10"));
	assert_true(dialplan_pattern_match("s", "s"));
	assert_false(dialplan_pattern_match("s", "S"));
	/* '-' is decoration */
	assert_true(dialplan_pattern_match("555-1234", "5551234"));
}

static void pattern_X_dot_matches_two_or_more_digits(void **state)
{
	assert_false(dialplan_pattern_match("_X.", "1"));
	assert_true(dialplan_pattern_match("_X.", "12"));
	assert_true(dialplan_pattern_match("_X.", "1abc"));
	assert_false(dialplan_pattern_match("_X.", "a1"));
	assert_false(dialplan_pattern_match("_X.", ""));
}

static void pattern_NXXNXXXXXX_is_a_ten_digit_number(void **state)
{
	assert_true(dialplan_pattern_match("_NXXNXXXXXX", "2125551234"));
	assert_false(dialplan_pattern_match("_NXXNXXXXXX", "1125551234"));
	assert_false(dialplan_pattern_match("_NXXNXXXXXX", "2121551234"));
	assert_false(dialplan_pattern_match("_NXXNXXXXXX", "212555123"));
	assert_false(dialplan_pattern_match("_NXXNXXXXXX", "21255512345"));
	assert_true(dialplan_pattern_match("_NXX-NXX-XXXX", "2125551234"));
}

static void pattern_letters_are_case_insensitive(void **state)
{
	assert_true(dialplan_pattern_match("_nxx", "299"));
	assert_false(dialplan_pattern_match("_nxx", "199"));
	assert_true(dialplan_pattern_match("_zx", "10"));
	assert_false(dialplan_pattern_match("_zx", "01"));
	/* other letters are literal and case-sensitive */
	assert_true(dialplan_pattern_match("_aX", "a1"));
	assert_false(dialplan_pattern_match("_aX", "A1"));
}

static void pattern_ranges_and_sets(void **state)
{
	assert_true(dialplan_pattern_match("_[1-5]XX", "100"));
	assert_true(dialplan_pattern_match("_[1-5]XX", "599"));
	assert_false(dialplan_pattern_match("_[1-5]XX", "600"));
	assert_false(dialplan_pattern_match("_[1-5]XX", "0"));
	assert_true(dialplan_pattern_match("_[135]0", "30"));
	assert_false(dialplan_pattern_match("_[135]0", "20"));
	assert_true(dialplan_pattern_match("_[a-c1]!", "b"));
	log_set_quiet(1);
	assert_false(dialplan_pattern_match("_[1-5", "1"));
	log_set_quiet(0);
}

static void pattern_dot_needs_one_bang_takes_zero(void **state)
{
	assert_true(dialplan_pattern_match("_.", "x"));
	assert_true(dialplan_pattern_match("_.", "12345"));
	assert_false(dialplan_pattern_match("_.", ""));
	assert_true(dialplan_pattern_match("_!", ""));
	assert_true(dialplan_pattern_match("_!", "abc"));
	assert_true(dialplan_pattern_match("_1!", "1"));
	assert_true(dialplan_pattern_match("_1!", "1234"));
	assert_false(dialplan_pattern_match("_1!", "2"));
	assert_false(dialplan_pattern_match("_1.", "1"));
}

static void pattern_matches_its_own_name(void **state)
{
	assert_true(dialplan_pattern_match("_X.", "_X."));
	assert_true(dialplan_pattern_match("_X.", "_x."));
	assert_false(dialplan_pattern_match("_X.", "_N."));
}

/* ---- ordering ---- */

static void exact_extension_sorts_before_any_pattern(void **state)
{
	assert_true(dialplan_pattern_cmp("100", "_1XX") < 0);
	assert_true(dialplan_pattern_cmp("_1XX", "100") > 0);
	assert_true(dialplan_pattern_cmp("999", "_.") < 0);
	assert_int_equal(dialplan_pattern_cmp("100", "100"), 0);
	assert_true(dialplan_pattern_cmp("100", "101") < 0);
}

static void smaller_class_sorts_first(void **state)
{
	/* literal 1 (1 member) < N (8) < X (10) */
	assert_true(dialplan_pattern_cmp("_1XX", "_NXX") < 0);
	assert_true(dialplan_pattern_cmp("_NXX", "_XXX") < 0);
	assert_true(dialplan_pattern_cmp("_ZXX", "_XXX") < 0);
	assert_true(dialplan_pattern_cmp("_[1-5]XX", "_NXX") < 0);
	assert_true(dialplan_pattern_cmp("_1XX", "_1.") < 0);
	assert_true(dialplan_pattern_cmp("_1.", "_X.") < 0);
	assert_true(dialplan_pattern_cmp("_X.", "_.") < 0);
	assert_true(dialplan_pattern_cmp("_.", "_!") < 0);
	assert_true(dialplan_pattern_cmp("_1.", "_1!") < 0);
	/* same size sets: the one with the lower characters first */
	assert_true(dialplan_pattern_cmp("_[12]", "_[34]") < 0);
	/* where one pattern ends and the other goes on, the end sorts last */
	assert_true(dialplan_pattern_cmp("_1XX", "_1X") < 0);
	/* the letters' case does not make different patterns */
	assert_int_equal(dialplan_pattern_cmp("_nxx", "_NXX"), 0);
}

static void asterisk_order_100_1XX_1dot_Xdot(void **state)
{
	assert_int_equal(dialplan_context_add("o", "test"), 0);
	add("o", "_X.", 1, "NoOp", "xdot");
	add("o", "_1.", 1, "NoOp", "1dot");
	add("o", "_1XX", 1, "NoOp", "1xx");
	add("o", "100", 1, "NoOp", "100");
	add("o", "_!", 1, "NoOp", "bang");

	assert_string_equal(found_exten("o", "100", 1), "100");
	assert_string_equal(found_exten("o", "101", 1), "_1XX");
	assert_string_equal(found_exten("o", "1000", 1), "_1.");
	assert_string_equal(found_exten("o", "200", 1), "_X.");
	assert_string_equal(found_exten("o", "a", 1), "_!");
	assert_string_equal(found_exten("o", "", 1), "_!");
}

/* ---- contexts, adding, finding ---- */

static void context_add_twice_is_eexist(void **state)
{
	assert_int_equal(dialplan_context_add("c", "a"), 0);
	assert_int_equal(dialplan_context_add("c", "b"), EEXIST);
	assert_true(dialplan_context_exists("c"));
	assert_false(dialplan_context_exists("C"));
	assert_int_equal(dialplan_context_remove("nosuch", "a"), ENOENT);
}

static void add_checks_context_and_duplicates(void **state)
{
	assert_int_equal(dialplan_add("none", "1", 1, NULL, "NoOp", "", "t",
				      NULL, 0),
			 ENOENT);
	assert_int_equal(dialplan_context_add("c", "t"), 0);
	add("c", "1", 1, "NoOp", "");
	assert_int_equal(dialplan_add("c", "1", 1, NULL, "Hangup", "", "t",
				      NULL, 0),
			 EEXIST);
	assert_int_equal(dialplan_add("c", "1", 0, NULL, "NoOp", "", "t",
				      NULL, 0),
			 EINVAL);
	assert_string_equal(dialplan_find("c", "1", 1)->app, "NoOp");
}

static void find_returns_the_whole_step(void **state)
{
	const struct dialplan_step *s;

	assert_int_equal(dialplan_context_add("c", "t"), 0);
	assert_int_equal(dialplan_add("c", "_X.", 2, "lbl", "Dial",
				      "PJSIP/${EXTEN},30", "t", "x.conf", 9),
			 0);
	s = dialplan_find("c", "123", 2);
	assert_non_null(s);
	assert_string_equal(s->context, "c");
	assert_string_equal(s->exten, "_X.");
	assert_int_equal(s->priority, 2);
	assert_string_equal(s->label, "lbl");
	assert_string_equal(s->app, "Dial");
	assert_string_equal(s->data, "PJSIP/${EXTEN},30");
	assert_string_equal(s->registrar, "t");
	assert_string_equal(s->file, "x.conf");
	assert_int_equal(s->line, 9);
	assert_null(dialplan_find("c", "123", 1));
	assert_null(dialplan_find("c", "1", 2));
	assert_null(dialplan_find("nosuch", "123", 2));
}

static void exact_extension_beats_pattern(void **state)
{
	assert_int_equal(dialplan_context_add("c", "t"), 0);
	add("c", "_X.", 1, "NoOp", "pattern");
	add("c", "123", 1, "NoOp", "exact");
	assert_string_equal(dialplan_find("c", "123", 1)->data, "exact");
	assert_string_equal(dialplan_find("c", "124", 1)->data, "pattern");
}

static void matching_extension_without_priority_falls_through(void **state)
{
	/* Asterisk's classic matcher: "100" matches but has no priority 2,
	 * so the next matching extension that has it answers. */
	assert_int_equal(dialplan_context_add("c", "t"), 0);
	add("c", "100", 1, "NoOp", "exact1");
	add("c", "_1XX", 1, "NoOp", "pat1");
	add("c", "_1XX", 2, "NoOp", "pat2");
	assert_string_equal(dialplan_find("c", "100", 1)->data, "exact1");
	assert_string_equal(dialplan_find("c", "100", 2)->data, "pat2");
	assert_null(dialplan_find("c", "100", 3));
}

static void include_searched_after_own_extensions(void **state)
{
	assert_int_equal(dialplan_context_add("main", "t"), 0);
	assert_int_equal(dialplan_context_add("inc", "t"), 0);
	add("inc", "100", 1, "NoOp", "from-include");
	add("main", "_X.", 1, "NoOp", "own-pattern");
	add("inc", "200", 1, "NoOp", "only-in-include");
	assert_int_equal(dialplan_include("main", "inc", "t"), 0);

	/* even an exact name in the include loses to the own pattern */
	assert_string_equal(dialplan_find("main", "100", 1)->data,
			    "own-pattern");
	assert_string_equal(dialplan_find("main", "200", 1)->data,
			    "own-pattern");
	assert_string_equal(dialplan_find("main", "200", 1)->context, "main");
	add("inc", "_X.", 2, "NoOp", "second");
	assert_string_equal(dialplan_find("main", "200", 2)->context, "inc");
}

static void includes_depth_first_in_order_and_loops_end(void **state)
{
	assert_int_equal(dialplan_context_add("a", "t"), 0);
	assert_int_equal(dialplan_context_add("b", "t"), 0);
	assert_int_equal(dialplan_context_add("b2", "t"), 0);
	assert_int_equal(dialplan_context_add("c", "t"), 0);
	assert_int_equal(dialplan_include("a", "b", "t"), 0);
	assert_int_equal(dialplan_include("a", "c", "t"), 0);
	assert_int_equal(dialplan_include("b", "b2", "t"), 0);
	assert_int_equal(dialplan_include("b2", "a", "t"), 0); /* loop */
	add("c", "5", 1, "NoOp", "c");
	add("b2", "5", 1, "NoOp", "b2");
	assert_string_equal(dialplan_find("a", "5", 1)->context, "b2");
	assert_null(dialplan_find("a", "6", 1));
	assert_false(dialplan_exten_exists("a", "6"));
	assert_true(dialplan_exten_exists("a", "5"));
	/* an include of a context that does not exist is just skipped */
	assert_int_equal(dialplan_include("c", "ghost", "t"), 0);
	assert_string_equal(dialplan_find("c", "5", 1)->context, "c");
}

static void exten_exists_ignores_priority(void **state)
{
	assert_int_equal(dialplan_context_add("c", "t"), 0);
	add("c", "s", 3, "NoOp", "");
	assert_true(dialplan_exten_exists("c", "s"));
	assert_false(dialplan_exten_exists("c", "t"));
	assert_false(dialplan_exten_exists("none", "s"));
}

static void label_lookup(void **state)
{
	int prio = -1;

	assert_int_equal(dialplan_context_add("c", "t"), 0);
	assert_int_equal(dialplan_add("c", "_X.", 1, NULL, "Answer", "", "t",
				      NULL, 0),
			 0);
	assert_int_equal(dialplan_add("c", "_X.", 5, "again", "NoOp", "", "t",
				      NULL, 0),
			 0);
	assert_int_equal(dialplan_find_label("c", "42", "again", &prio), 0);
	assert_int_equal(prio, 5);
	assert_int_equal(dialplan_find_label("c", "42", "Again", &prio),
			 ENOENT);
	assert_int_equal(dialplan_find_label("c", "42", "1", &prio), 0);
	assert_int_equal(prio, 1);
	assert_int_equal(dialplan_find_label("c", "42", "3", &prio), ENOENT);
	assert_int_equal(dialplan_find_label("c", "x", "again", &prio),
			 ENOENT);
}

static void context_remove_by_registrar_leaves_other_registrars(void **state)
{
	assert_int_equal(dialplan_context_add("shared", "pbx_config"), 0);
	assert_int_equal(dialplan_add("shared", "100", 1, NULL, "NoOp", "",
				      "pbx_config", NULL, 0),
			 0);
	assert_int_equal(dialplan_add("shared", "100", 2, NULL, "NoOp", "",
				      "res_stasis", NULL, 0),
			 0);
	assert_int_equal(dialplan_add("shared", "h", 1, NULL, "NoOp", "",
				      "res_stasis", NULL, 0),
			 0);
	assert_int_equal(dialplan_include("shared", "x", "pbx_config"), 0);

	assert_int_equal(dialplan_context_remove("shared", "res_stasis"), 0);
	assert_true(dialplan_context_exists("shared"));
	assert_non_null(dialplan_find("shared", "100", 1));
	assert_null(dialplan_find("shared", "100", 2));
	assert_false(dialplan_exten_exists("shared", "h"));

	/* the creator removing its last entries removes the context */
	assert_int_equal(dialplan_context_remove("shared", "pbx_config"), 0);
	assert_false(dialplan_context_exists("shared"));
}

static void context_of_other_registrar_survives_when_emptied(void **state)
{
	assert_int_equal(dialplan_context_add("c", "owner"), 0);
	assert_int_equal(dialplan_add("c", "1", 1, NULL, "NoOp", "", "guest",
				      NULL, 0),
			 0);
	assert_int_equal(dialplan_context_remove("c", "guest"), 0);
	assert_true(dialplan_context_exists("c"));
	assert_int_equal(dialplan_context_remove("c", "owner"), 0);
	assert_false(dialplan_context_exists("c"));
}

static void registrar_remove_spans_contexts(void **state)
{
	assert_int_equal(dialplan_context_add("a", "mod"), 0);
	assert_int_equal(dialplan_context_add("b", "other"), 0);
	assert_int_equal(dialplan_add("a", "1", 1, NULL, "NoOp", "", "mod",
				      NULL, 0),
			 0);
	assert_int_equal(dialplan_add("b", "1", 1, NULL, "NoOp", "", "mod",
				      NULL, 0),
			 0);
	assert_int_equal(dialplan_add("b", "2", 1, NULL, "NoOp", "", "other",
				      NULL, 0),
			 0);
	dialplan_registrar_remove("mod");
	assert_false(dialplan_context_exists("a"));
	assert_null(dialplan_find("b", "1", 1));
	assert_non_null(dialplan_find("b", "2", 1));
}

/* ---- extensions.conf ---- */

static void load_exten_lines_and_app_data(void **state)
{
	const struct dialplan_step *s;

	load_text("[general]\nstatic=yes\n"
		  "[in]\n"
		  "exten => 100,1,Answer()\n"
		  "exten => 100,2,Dial(PJSIP/bob,30,tT(x))\n"
		  "exten => 100,3,Hangup\n"
		  "exten => _X.,1 , Stasis( app , ${EXTEN} ) \n",
		  NULL);
	s = dialplan_find("in", "100", 1);
	assert_non_null(s);
	assert_string_equal(s->app, "Answer");
	assert_string_equal(s->data, "");
	assert_string_equal(s->registrar, "pbx_config");
	assert_string_equal(s->file, "extensions.conf");
	assert_int_equal(s->line, 4);
	assert_string_equal(dialplan_find("in", "100", 2)->data,
			    "PJSIP/bob,30,tT(x)");
	s = dialplan_find("in", "100", 3);
	assert_string_equal(s->app, "Hangup");
	assert_string_equal(s->data, "");
	s = dialplan_find("in", "55", 1);
	assert_string_equal(s->app, "Stasis");
	assert_string_equal(s->data, " app , ${EXTEN} ");
	assert_false(dialplan_context_exists("general"));
}

static void next_priority_and_labels(void **state)
{
	int prio = 0;

	load_text("[c]\n"
		  "exten => 100,1,Answer()\n"
		  "exten => 200,1,NoOp(other)\n"
		  "exten => 100,n(loop),NoOp(x)\n"
		  "exten => 100,n,Goto(loop)\n"
		  "exten => 100,10(ten),NoOp()\n"
		  "exten => 100,n,Hangup()\n",
		  NULL);
	assert_string_equal(dialplan_find("c", "100", 2)->label, "loop");
	assert_string_equal(dialplan_find("c", "100", 3)->app, "Goto");
	assert_string_equal(dialplan_find("c", "100", 10)->label, "ten");
	assert_string_equal(dialplan_find("c", "100", 11)->app, "Hangup");
	assert_null(dialplan_find("c", "200", 2));
	assert_int_equal(dialplan_find_label("c", "100", "ten", &prio), 0);
	assert_int_equal(prio, 10);
}

static void same_arrow_uses_previous_extension(void **state)
{
	load_text("[c]\n"
		  "exten => _1XX,1,NoOp(a)\n"
		  " same => n,NoOp(b)\n"
		  "exten => 200,1,NoOp(c)\n"
		  " same => n(end),Hangup()\n",
		  NULL);
	assert_string_equal(dialplan_find("c", "150", 2)->data, "b");
	assert_string_equal(dialplan_find("c", "200", 2)->app, "Hangup");
	assert_string_equal(dialplan_find("c", "200", 2)->label, "end");
	assert_null(dialplan_find("c", "150", 3));
}

static void bad_dialplan_lines_warn_and_are_skipped(void **state)
{
	char *log = NULL;

	load_text("[c]\n"
		  "same => n,NoOp(orphan)\n"       /* 2: same first */
		  "exten => 1,n,NoOp(x)\n"         /* 3: n on first */
		  "exten => 1,one,NoOp(x)\n"       /* 4: bad priority */
		  "exten => 1,1,\n"                /* 5: no app */
		  "exten => 1,1,NoOp(ok)\n"        /* 6 */
		  "exten => 1,1,NoOp(dup)\n"       /* 7: duplicate */
		  "frobnicate => yes\n"            /* 8: unknown */
		  "exten => 1,hint,PJSIP/1\n"      /* 9: hint, ignored */
		  "exten => 1,2,NoOp(two)\n",
		  &log);
	assert_non_null(strstr(log, "extensions.conf:2"));
	assert_non_null(strstr(log, "extensions.conf:3"));
	assert_non_null(strstr(log, "extensions.conf:4"));
	assert_non_null(strstr(log, "extensions.conf:5"));
	assert_null(strstr(log, "extensions.conf:6"));
	assert_non_null(strstr(log, "extensions.conf:7"));
	assert_non_null(strstr(log, "extensions.conf:8"));
	assert_null(strstr(log, "extensions.conf:9")); /* hint: debug only */
	assert_string_equal(dialplan_find("c", "1", 1)->data, "ok");
	assert_string_equal(dialplan_find("c", "1", 2)->data, "two");
	free(log);
}

static void include_and_globals_from_file(void **state)
{
	load_text("[globals]\nTRUNK=PJSIP/out\n"
		  "[inner]\nexten => 9,1,NoOp(inner)\n"
		  "[outer]\ninclude => inner\nexten => 1,1,NoOp(outer)\n",
		  NULL);
	assert_string_equal(dialplan_find("outer", "9", 1)->data, "inner");
	assert_false(dialplan_context_exists("globals"));
}

static char global_seen[128];

static void record_global(const char *name, const char *value)
{
	snprintf(global_seen + strlen(global_seen),
		 sizeof(global_seen) - strlen(global_seen), "%s=%s;", name,
		 value);
}

static void globals_go_to_the_callback(void **state)
{
	struct config *cfg = NULL;

	global_seen[0] = '\0';
	assert_int_equal(config_parse(&cfg, "extensions.conf",
				      "[globals]\nA=1\nB = two words\n"),
			 0);
	assert_int_equal(dialplan_load(cfg, record_global), 0);
	assert_string_equal(global_seen, "A=1;B=two words;");
	config_free(cfg);
}

static void reload_replaces_only_pbx_config_entries(void **state)
{
	load_text("[c]\nexten => 1,1,NoOp(old)\nexten => 2,1,NoOp(gone)\n",
		  NULL);
	assert_int_equal(dialplan_add("c", "h", 1, NULL, "NoOp", "",
				      "res_stasis", NULL, 0),
			 0);
	load_text("[c]\nexten => 1,1,NoOp(new)\n", NULL);
	assert_string_equal(dialplan_find("c", "1", 1)->data, "new");
	assert_null(dialplan_find("c", "2", 1));
	assert_non_null(dialplan_find("c", "h", 1));
}

static void templates_in_extensions_conf(void **state)
{
	load_text("[base](!)\nexten => h,1,Hangup()\n"
		  "[room](base)\nexten => s,1,Answer()\n",
		  NULL);
	assert_false(dialplan_context_exists("base"));
	assert_string_equal(dialplan_find("room", "h", 1)->app, "Hangup");
	assert_string_equal(dialplan_find("room", "s", 1)->app, "Answer");
}

/* ---- dialplan show ---- */

static void show_format_matches_asterisk(void **state)
{
	struct capture c;

	assert_int_equal(dialplan_context_add("stasis-ivr", "res_stasis"), 0);
	assert_int_equal(dialplan_add("stasis-ivr", "_.", 1, NULL, "Stasis",
				      "ivr", "res_stasis", NULL, 0),
			 0);
	assert_int_equal(dialplan_add("stasis-ivr", "h", 1, NULL, "NoOp", "",
				      "res_stasis", NULL, 0),
			 0);
	assert_int_equal(show(&c, NULL), 0);
	/* ext_cmp() puts names before patterns, so 'h' precedes '_.' */
	assert_string_equal(
		c.buf,
		"[ Context 'stasis-ivr' created by 'res_stasis' ]\n"
		"  'h' =>            1. NoOp()                                     [res_stasis]\n"
		"  '_.' =>           1. Stasis(ivr)                                [res_stasis]\n"
		"\n"
		"-= 2 extensions (2 priorities) in 1 context. =-\n");
}

static void show_lists_priorities_labels_and_includes(void **state)
{
	struct capture c;

	assert_int_equal(dialplan_context_add("c", "pbx_config"), 0);
	assert_int_equal(dialplan_add("c", "100", 1, "start", "Answer", "",
				      "pbx_config", NULL, 0),
			 0);
	assert_int_equal(dialplan_add("c", "100", 2, "loop", "NoOp", "x",
				      "pbx_config", NULL, 0),
			 0);
	assert_int_equal(dialplan_add("c", "100", 3, NULL, "Hangup", "",
				      "pbx_config", NULL, 0),
			 0);
	assert_int_equal(dialplan_include("c", "other", "pbx_config"), 0);
	assert_int_equal(show(&c, "c"), 0);
	assert_string_equal(
		c.buf,
		"[ Context 'c' created by 'pbx_config' ]\n"
		"  '100' =>          1. Answer()                                   [pbx_config]\n"
		"     [loop]         2. NoOp(x)                                    [pbx_config]\n"
		"                    3. Hangup()                                   [pbx_config]\n"
		"  Include =>        'other'                                       [pbx_config]\n"
		"\n"
		"-= 1 extension (3 priorities) in 1 context. =-\n");
}

static void show_orders_extensions_and_lists_newest_context_first(void **state)
{
	struct capture c;
	char *p1, *p2, *p3;

	assert_int_equal(dialplan_context_add("first", "t"), 0);
	assert_int_equal(dialplan_context_add("second", "t"), 0);
	add("first", "_X.", 1, "NoOp", "");
	add("first", "_1XX", 1, "NoOp", "");
	add("first", "100", 1, "NoOp", "");
	assert_int_equal(show(&c, NULL), 0);
	p1 = strstr(c.buf, "'100'");
	p2 = strstr(c.buf, "'_1XX'");
	p3 = strstr(c.buf, "'_X.'");
	assert_true(p1 && p2 && p3 && p1 < p2 && p2 < p3);
	assert_true(strstr(c.buf, "'second'") < strstr(c.buf, "'first'"));
	assert_non_null(
		strstr(c.buf, "-= 3 extensions (3 priorities) in 2 contexts. =-"));
}

static void show_unknown_context_is_enoent(void **state)
{
	struct capture c;

	assert_int_equal(show(&c, "nope"), ENOENT);
	assert_string_equal(c.buf, "There is no existence of 'nope' context\n");
	assert_int_equal(show(&c, NULL), 0);
	assert_string_equal(c.buf,
			    "-= 0 extensions (0 priorities) in 0 contexts. =-\n");
}

/* ---- substitution and expressions ---- */

static void substitute_plain_and_missing_vars(void **state)
{
	assert_string_equal(subst("no vars"), "no vars");
	assert_string_equal(subst("PJSIP/${EXTEN}@trunk"), "PJSIP/5551234@trunk");
	assert_string_equal(subst("[${UNSET}]"), "[]");
	assert_string_equal(subst("$$ and $ alone"), "$$ and $ alone");
	assert_string_equal(subst(""), "");
	assert_string_equal(subst("${FUNC(x:y)}"), "func");
}

static void substitute_nested_and_offsets(void **state)
{
	assert_string_equal(subst("${${A}}"), "nested");
	assert_string_equal(subst("${EXTEN:1}"), "551234");
	assert_string_equal(subst("${EXTEN:0:3}"), "555");
	assert_string_equal(subst("${EXTEN:-4}"), "1234");
	assert_string_equal(subst("${EXTEN:-4:2}"), "12");
	assert_string_equal(subst("${EXTEN:2:-2}"), "512");
	assert_string_equal(subst("${EXTEN:20}"), "");
	assert_string_equal(subst("${EXTEN:-20:3}"), "555");
	assert_string_equal(subst("${EXTEN:1:-10}"), "");
	assert_string_equal(subst("${EXTEN:${N}}"), "");
	assert_string_equal(subst("${WHO:1:${N}}"), "orld");
}

static void substitute_evaluates_expressions(void **state)
{
	assert_string_equal(subst("$[1 + 2]"), "3");
	assert_string_equal(subst("$[${N} * 2]"), "14");
	assert_string_equal(subst("x$[${N} > 5]y"), "x1y");
	assert_string_equal(subst("$[$[1+1] * 3]"), "6");
	assert_string_equal(subst("$[\"${WHO}\" = \"world\"]"), "1");
}

static void substitute_reports_truncation(void **state)
{
	char out[5];

	assert_int_equal(dialplan_substitute(out, sizeof(out), "${WHO}!",
					     var_lookup, NULL),
			 E2BIG);
	assert_string_equal(out, "worl");
}

static void expr_compares_numbers_and_strings(void **state)
{
	assert_string_equal(expr("10 > 9"), "1");
	assert_string_equal(expr("abc < abd"), "1");
	assert_string_equal(expr("10 = 10.0"), "1");
	assert_string_equal(expr("abc = abc"), "1");
	assert_string_equal(expr("abc != abc"), "0");
	assert_string_equal(expr("\"10\" < \"9\""), "0");
	assert_string_equal(expr("b >= a"), "1");
	assert_string_equal(expr("3 <= 2"), "0");
	assert_string_equal(expr("1 == 1"), "1");
	assert_string_equal(expr("\"a b\" = \"a b\""), "1");
}

static void expr_arithmetic_and_precedence(void **state)
{
	assert_string_equal(expr("1 + 2 * 3"), "7");
	assert_string_equal(expr("(1 + 2) * 3"), "9");
	assert_string_equal(expr("10 - 4 - 3"), "3");
	assert_string_equal(expr("7 % 3"), "1");
	assert_string_equal(expr("7 / 2"), "3.5");
	assert_string_equal(expr("-5 + 2"), "-3");
	assert_string_equal(expr("1 + 1 = 2"), "1");
}

static void expr_logic_returns_operands(void **state)
{
	assert_string_equal(expr("abc | def"), "abc");
	assert_string_equal(expr("0 | def"), "def");
	assert_string_equal(expr("\"\" | def"), "def");
	assert_string_equal(expr("abc & def"), "abc");
	assert_string_equal(expr("abc & 0"), "0");
	assert_string_equal(expr("!0"), "1");
	assert_string_equal(expr("!abc"), "0");
	assert_string_equal(expr("1 = 1 & 2 = 3"), "0");
	assert_string_equal(expr("1 = 2 | 2 = 2"), "1");
	assert_string_equal(expr(""), "");
}

static void expr_errors_are_einval(void **state)
{
	char out[32];

	log_set_quiet(1);
	assert_int_equal(dialplan_expr(out, sizeof(out), "1 +"), EINVAL);
	assert_string_equal(out, "");
	assert_int_equal(dialplan_expr(out, sizeof(out), "(1"), EINVAL);
	assert_int_equal(dialplan_expr(out, sizeof(out), "1 / 0"), EINVAL);
	assert_int_equal(dialplan_expr(out, sizeof(out), "1 2"), EINVAL);
	log_set_quiet(0);
}

/* A variable's value is part of $[...]'s text: nesting of any depth is an
 * error, not a stack overflow (found by tests/fuzz/fuzz_dialplan.c). */
static void expr_nested_too_deep_is_einval_not_a_crash(void **state)
{
	const size_t n = 1000000;
	char *in = malloc(3 * n + 2), out[32];

	assert_non_null(in);
	memset(in, '(', n);
	in[n] = '1';
	memset(in + n + 1, ')', n);
	in[2 * n + 1] = '\0';
	log_set_quiet(1);
	assert_int_equal(dialplan_expr(out, sizeof(out), in), EINVAL);
	memset(in, '!', n);
	assert_int_equal(dialplan_expr(out, sizeof(out), in), EINVAL);
	memset(in, '-', 3 * n);
	in[3 * n] = '1';
	in[3 * n + 1] = '\0';
	assert_int_equal(dialplan_expr(out, sizeof(out), in), EINVAL);
	/* still fine at a depth real dialplans use */
	assert_int_equal(dialplan_expr(out, sizeof(out),
				       "((((((((((1+1))))))))))"), 0);
	assert_string_equal(out, "2");
	log_set_quiet(0);
	free(in);
}

/* ---- argument splitting ---- */

static void args_split_keeps_empty_and_quotes(void **state)
{
	char data[] = "a,,\"b, c\", d\\,e ,\" sp \"";
	char *argv[8];
	int n = dialplan_args_split(data, argv, 8);

	assert_int_equal(n, 5);
	assert_string_equal(argv[0], "a");
	assert_string_equal(argv[1], "");
	assert_string_equal(argv[2], "b, c");
	assert_string_equal(argv[3], "d,e");
	assert_string_equal(argv[4], " sp ");
}

static void args_split_empty_and_trailing(void **state)
{
	char e[] = "", t[] = "a,", l[] = ",b", one[] = "  solo  ";
	char *argv[4];

	assert_int_equal(dialplan_args_split(e, argv, 4), 0);
	assert_int_equal(dialplan_args_split(t, argv, 4), 1);
	assert_string_equal(argv[0], "a");
	assert_int_equal(dialplan_args_split(l, argv, 4), 2);
	assert_string_equal(argv[0], "");
	assert_string_equal(argv[1], "b");
	assert_int_equal(dialplan_args_split(one, argv, 4), 1);
	assert_string_equal(argv[0], "solo");
}

static void args_split_respects_parens_and_max(void **state)
{
	char d[] = "PJSIP/1,30,M(macro,arg)";
	char m[] = "a,b,c,d";
	char *argv[3];

	assert_int_equal(dialplan_args_split(d, argv, 3), 3);
	assert_string_equal(argv[2], "M(macro,arg)");
	assert_int_equal(dialplan_args_split(m, argv, 3), 3);
	assert_string_equal(argv[0], "a");
	assert_string_equal(argv[1], "b");
	assert_string_equal(argv[2], "c,d");
}

#define T(f) cmocka_unit_test_setup_teardown(f, reset, reset)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(literal_extension_matches_only_itself),
		T(pattern_X_dot_matches_two_or_more_digits),
		T(pattern_NXXNXXXXXX_is_a_ten_digit_number),
		T(pattern_letters_are_case_insensitive),
		T(pattern_ranges_and_sets),
		T(pattern_dot_needs_one_bang_takes_zero),
		T(pattern_matches_its_own_name),
		T(exact_extension_sorts_before_any_pattern),
		T(smaller_class_sorts_first),
		T(asterisk_order_100_1XX_1dot_Xdot),
		T(context_add_twice_is_eexist),
		T(add_checks_context_and_duplicates),
		T(find_returns_the_whole_step),
		T(exact_extension_beats_pattern),
		T(matching_extension_without_priority_falls_through),
		T(include_searched_after_own_extensions),
		T(includes_depth_first_in_order_and_loops_end),
		T(exten_exists_ignores_priority),
		T(label_lookup),
		T(context_remove_by_registrar_leaves_other_registrars),
		T(context_of_other_registrar_survives_when_emptied),
		T(registrar_remove_spans_contexts),
		T(load_exten_lines_and_app_data),
		T(next_priority_and_labels),
		T(same_arrow_uses_previous_extension),
		T(bad_dialplan_lines_warn_and_are_skipped),
		T(include_and_globals_from_file),
		T(globals_go_to_the_callback),
		T(reload_replaces_only_pbx_config_entries),
		T(templates_in_extensions_conf),
		T(show_format_matches_asterisk),
		T(show_lists_priorities_labels_and_includes),
		T(show_orders_extensions_and_lists_newest_context_first),
		T(show_unknown_context_is_enoent),
		T(substitute_plain_and_missing_vars),
		T(substitute_nested_and_offsets),
		T(substitute_evaluates_expressions),
		T(substitute_reports_truncation),
		T(expr_compares_numbers_and_strings),
		T(expr_arithmetic_and_precedence),
		T(expr_logic_returns_operands),
		T(expr_errors_are_einval),
		T(expr_nested_too_deep_is_einval_not_a_crash),
		T(args_split_keeps_empty_and_quotes),
		T(args_split_empty_and_trailing),
		T(args_split_respects_parens_and_max),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
