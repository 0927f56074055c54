/* test_cli.c — the CLI command table: word-prefix matching, arguments,
 * unknown commands, usage on EINVAL, and help. Runs commands in-process
 * through cli_exec() with handlers registered by the tests. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "base/cli.h"

/* What the last handler saw. */
static struct {
	const char *who;
	int argc;
	char argv[8][64];
} seen;

static void remember(const char *who, int argc, char *argv[])
{
	seen.who = who;
	seen.argc = argc;
	for (int i = 0; i < argc && i < 8; i++)
		snprintf(seen.argv[i], sizeof(seen.argv[i]), "%s", argv[i]);
}

static int h_show(struct cli_out *out, int argc, char *argv[])
{
	remember("show", argc, argv);
	cli_printf(out, "show %d\n", argc);
	return 0;
}

static int h_show_things(struct cli_out *out, int argc, char *argv[])
{
	remember("show things", argc, argv);
	cli_printf(out, "things %d\n", argc);
	return 0;
}

static int h_picky(struct cli_out *out, int argc, char *argv[])
{
	remember("picky", argc, argv);
	return argc == 1 ? 0 : EINVAL;
}

static int h_big(struct cli_out *out, int argc, char *argv[])
{
	for (int i = 0; i < 1000; i++)
		cli_printf(out, "line %04d\n", i);
	return 0;
}

static int setup(void **state)
{
	(void)state;
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(cli_register("test show", h_show,
				      "Usage: test show [x]\n"
				      "       Shows a thing.\n"), 0);
	assert_int_equal(cli_register("test show things", h_show_things,
				      "Usage: test show things\n"
				      "       Shows things.\n"), 0);
	assert_int_equal(cli_register("test picky", h_picky,
				      "Usage: test picky <one>\n"), 0);
	assert_int_equal(cli_register("test big", h_big, ""), 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	cli_unregister_all();
	return 0;
}

static void longest_word_prefix_wins(void **state)
{
	char buf[256];

	(void)state;
	assert_int_equal(cli_exec("test show things", buf, sizeof(buf)), 0);
	assert_string_equal(seen.who, "show things");
	assert_int_equal(seen.argc, 0);
	assert_string_equal(buf, "things 0\n");

	assert_int_equal(cli_exec("test show stuff", buf, sizeof(buf)), 0);
	assert_string_equal(seen.who, "show");
	assert_int_equal(seen.argc, 1);
	assert_string_equal(seen.argv[0], "stuff");
}

static void words_match_case_insensitively_with_extra_blanks(void **state)
{
	char buf[256];

	(void)state;
	assert_int_equal(cli_exec("  TEST   Show\tTHINGS  ", buf, sizeof(buf)), 0);
	assert_string_equal(seen.who, "show things");
}

static void remaining_words_are_arguments(void **state)
{
	char buf[256];

	(void)state;
	assert_int_equal(cli_exec("test show things a \"b c\" d\n", buf,
				  sizeof(buf)), 0);
	assert_string_equal(seen.who, "show things");
	assert_int_equal(seen.argc, 3);
	assert_string_equal(seen.argv[0], "a");
	assert_string_equal(seen.argv[1], "b c");
	assert_string_equal(seen.argv[2], "d");
}

static void partial_word_does_not_match(void **state)
{
	char buf[256];

	(void)state;
	/* "thing" is not the word "things": it is an argument of "test show" */
	assert_int_equal(cli_exec("test show thing", buf, sizeof(buf)), 0);
	assert_string_equal(seen.who, "show");
	assert_string_equal(seen.argv[0], "thing");
}

static void unknown_command_prints_asterisk_message(void **state)
{
	char buf[512];

	(void)state;
	assert_int_equal(cli_exec("foo bar", buf, sizeof(buf)), ENOENT);
	assert_string_equal(buf, "No such command 'foo bar' (type 'core show "
				 "help foo' for other possible commands)\n");
	assert_null(seen.who);

	/* a prefix of a command is not a command */
	assert_int_equal(cli_exec("test", buf, sizeof(buf)), ENOENT);
	assert_string_equal(buf, "No such command 'test' (type 'core show help "
				 "test' for other possible commands)\n");
}

static void einval_prints_usage(void **state)
{
	char buf[256];

	(void)state;
	assert_int_equal(cli_exec("test picky", buf, sizeof(buf)), EINVAL);
	assert_string_equal(buf, "Usage: test picky <one>\n");
	assert_int_equal(cli_exec("test picky x", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
}

static void duplicate_registration_is_refused(void **state)
{
	(void)state;
	assert_int_equal(cli_register("TEST  show", h_show, NULL), EALREADY);
}

static void output_is_truncated_to_buffer(void **state)
{
	char buf[32];

	(void)state;
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(cli_exec("test big", buf, sizeof(buf)), 0);
	assert_int_equal(strlen(buf), sizeof(buf) - 1);
	assert_memory_equal(buf, "line 0000\nline 0001\nline 0002\n", 30);
}

static void help_lists_commands_and_shows_usage(void **state)
{
	char buf[2048];

	(void)state;
	assert_int_equal(cli_exec("core show help", buf, sizeof(buf)), 0);
	assert_non_null(strstr(buf, "test show things Shows things.\n"));
	assert_non_null(strstr(buf, "core show help"));

	assert_int_equal(cli_exec("core show help test show", buf,
				  sizeof(buf)), 0);
	assert_string_equal(buf, "Usage: test show [x]\n"
				 "       Shows a thing.\n");

	assert_int_equal(cli_exec("core show help test", buf, sizeof(buf)), 0);
	assert_non_null(strstr(buf, "test picky"));
	assert_null(strstr(buf, "core show help"));
}

static void empty_line_does_nothing(void **state)
{
	char buf[64];

	(void)state;
	assert_int_equal(cli_exec("   ", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
	assert_null(seen.who);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(longest_word_prefix_wins, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			words_match_case_insensitively_with_extra_blanks, setup,
			teardown),
		cmocka_unit_test_setup_teardown(remaining_words_are_arguments,
						setup, teardown),
		cmocka_unit_test_setup_teardown(partial_word_does_not_match,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			unknown_command_prints_asterisk_message, setup,
			teardown),
		cmocka_unit_test_setup_teardown(einval_prints_usage, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			duplicate_registration_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(output_is_truncated_to_buffer,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			help_lists_commands_and_shows_usage, setup, teardown),
		cmocka_unit_test_setup_teardown(empty_line_does_nothing, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
