/* fuzz_dialplan.c — the dialplan's own languages (src/pbx): extension
 * patterns (_X. _NXX! _[1-5a-c]…) matched against dialled strings and
 * ordered as Asterisk orders them, the lookup of the best extension in a
 * context built from those patterns (with an include and labels),
 * ${VAR:offset:length} substitution, $[...] expressions and the splitting
 * of application arguments. The first byte picks the part, the rest is the
 * text; lines (LF) separate patterns from the dialled string.
 *
 * Why: what a caller dials (the Request-URI user of an INVITE, an
 * originate's extension) is matched against every pattern of the context,
 * and what callers send (caller id, SIP headers read into variables) is
 * substituted into application data and evaluated in $[...], so a caller
 * controls part of the expression text that dialplan_expr parses. */
#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <re_types.h>
#include <re_fmt.h>
#include <re_mem.h>
#include <re_list.h>
#include <re_tmr.h>
#include <re_main.h>
#include "fuzz.h"
#include "pbx/dialplan.h"

enum mode {
	MODE_MATCH,      /* pattern LF dialled: match and compare */
	MODE_CONTEXT,    /* pattern lines, the last line dialled: lookup */
	MODE_EXPR,       /* an expression, as inside $[...] */
	MODE_SUBST,      /* application data with ${...} and $[...] */
	MODE_ARGS,       /* application data split at commas */
	MODE_COUNT
};

#define CTX "fuzz"
#define CTX_INC "fuzz-included"
#define REG "fuzz"

/* Channel variables as the pbx would look them up; values are inserted as
 * they are (not substituted again), some of them looking like syntax. */
static const char *lookup(const char *name, void *arg)
{
	static char longval[2048];
	static const struct { const char *name, *value; } vars[] = {
		{"EXTEN", "100"},
		{"CALLERID(num)", "+1 (555) 123-4567"},
		{"CALLERID(name)", "\"Alice\" <sip:alice@example.com>"},
		{"A", "${B}"},
		{"B", "$[1+1]"},
		{"NUM", "-12.5"},
		{"ZERO", "0"},
		{"EMPTY", ""},
	};

	(void)arg;
	if (!strcmp(name, "LONG")) {
		if (!longval[0])
			memset(longval, 'x', sizeof(longval) - 1);
		return longval;
	}
	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
		if (!strcmp(vars[i].name, name))
			return vars[i].value;
	return NULL;
}

static void match(char *text)
{
	char *nl = strchr(text, '\n');
	const char *exten = nl ? nl + 1 : "";

	if (nl)
		*nl = '\0';
	(void)dialplan_pattern_match(text, exten);
	(void)dialplan_pattern_cmp(text, exten);
	(void)dialplan_pattern_cmp(exten, text);
}

/* Each line but the last an extension (even lines in the context, odd
 * ones in a context it includes), the last line what is dialled. */
static void context(char *text)
{
	char *last = strrchr(text, '\n'), *line, *next;
	int n = 0, prio;

	if (!last)
		return;
	*last++ = '\0';
	if (dialplan_context_add(CTX, REG) || dialplan_context_add(CTX_INC, REG))
		goto out;
	(void)dialplan_include(CTX, CTX_INC, REG);
	for (line = text; line && n < 64; line = next, n++) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (!*line || strlen(line) >= DIALPLAN_NAME_MAX)
			continue;
		(void)dialplan_add(n & 1 ? CTX_INC : CTX, line, 1, "start",
				   "NoOp", line, REG, NULL, 0);
		(void)dialplan_add(n & 1 ? CTX_INC : CTX, line, 2, NULL,
				   "Hangup", "", REG, NULL, 0);
	}
	(void)dialplan_find(CTX, last, 1);
	(void)dialplan_find(CTX, last, 2);
	(void)dialplan_exten_exists(CTX, last);
	(void)dialplan_find_label(CTX, last, "start", &prio);
	(void)dialplan_find_label(CTX, last, last, &prio);
 out:
	dialplan_reset();
}

static void args(char *text, size_t size)
{
	char *argv[8];
	int n = dialplan_args_split(text, argv, 8);

	/* every item is a string inside the data (ASan checks the reads) */
	for (int i = 0; i < n; i++)
		if (argv[i] < text || argv[i] + strlen(argv[i]) >= text + size)
			abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_libre_init();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char out[4096], *text;

	if (!size)
		return 0;
	text = mem_alloc(size, NULL);
	if (!text)
		return 0;
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	switch (data[0] % MODE_COUNT) {
	case MODE_MATCH:
		match(text);
		break;
	case MODE_CONTEXT:
		context(text);
		break;
	case MODE_EXPR:
		(void)dialplan_expr(out, sizeof(out), text);
		break;
	case MODE_SUBST:
		(void)dialplan_substitute(out, sizeof(out), text, lookup, NULL);
		/* a smaller buffer than the result: it must be cut, not
		 * overrun */
		(void)dialplan_substitute(out, 8, text, lookup, NULL);
		break;
	default:
		args(text, size);
		break;
	}
	mem_deref(text);
	return 0;
}
