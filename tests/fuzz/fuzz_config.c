/* fuzz_config.c — the configuration parser (src/base/config.c) fed the
 * contents of a file: sections, templates and their inheritance, "=>",
 * block and line comments, escapes, #include and #tryinclude. The tree it
 * builds then goes through the readers that turn .conf files into objects
 * in the server: pjsip.conf (sip_conf_parse: endpoints, auths, aors,
 * identify networks, transports, codec lists), extensions.conf
 * (dialplan_load: exten/same/include lines, priorities, labels,
 * application arguments; then `dialplan show`), ari.conf and http.conf
 * (users, origins, prefix, reconnect settings).
 *
 * Why: a configuration comes from the administrator, but a typo must be a
 * file:line warning, never a crash (docs/ARCHITECTURE.md, "Where to add
 * things"), and ARI's dynamic configuration and a reload go through the
 * same code. The text is parsed from memory (config_parse, what
 * config_load does once it has read the file: the contents end at the
 * first NUL either way) under a name in a directory that does not exist,
 * so a relative #include finds nothing; an input that would #include an
 * absolute path is skipped, or the fuzzer would read /dev/zero. */
#include <ctype.h>
#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <re_types.h>
#include <re_fmt.h>
#include <re_mem.h>
#include <re_mbuf.h>
#include <re_list.h>
#include <re_sa.h>
#include <re_tmr.h>
#include <re_main.h>
#include "fuzz.h"
#include "ari/http_conf.h"
#include "base/config.h"
#include "pbx/dialplan.h"
#include "sip/sip_int.h"

#define FUZZ_CONF_NAME "/nonexistent-ariadne-fuzz/etc/fuzz.conf"

/* A directive naming an absolute path ("#include /dev/zero", also in
 * quotes or brackets); config.c takes the word after '#' up to a blank,
 * '"' or '<' as the directive. */
static bool includes_absolute(const char *text)
{
	for (const char *p = strchr(text, '#'); p; p = strchr(p + 1, '#')) {
		const char *q = p + 1;

		while (*q && *q != ' ' && *q != '\t' && *q != '"' && *q != '<' &&
		       *q != '\n')
			q++;
		while (*q == ' ' || *q == '\t' || *q == '"' || *q == '<')
			q++;
		if (*q == '/')
			return true;
	}
	return false;
}

static void global_h(const char *name, const char *value)
{
	(void)name;
	(void)value;
}

static void walk(const struct config *cfg)
{
	const struct config_section *s = NULL;

	while ((s = config_section_next(cfg, s))) {
		for (const struct config_var *v = s->vars; v; v = v->next) {
			(void)config_true(v->value);
			(void)config_false(v->value);
			(void)config_var_get(s, v->name);
		}
		(void)config_section_find(cfg, s->name);
	}
	(void)config_get(cfg, "general", "enabled");
}

/* dialplan_show as a %H handler, the way the CLI prints it */
static int show_h(struct re_printf *pf, void *arg)
{
	return dialplan_show(pf, arg);
}

static void dialplan(const struct config *cfg)
{
	struct mbuf *mb = mbuf_alloc(1024);
	int prio;

	(void)dialplan_load(cfg, global_h);
	if (mb)
		(void)mbuf_printf(mb, "%H", show_h, NULL);
	mem_deref(mb);
	(void)dialplan_find("default", "100", 1);
	(void)dialplan_exten_exists("default", "s");
	(void)dialplan_find_label("default", "s", "start", &prio);
	dialplan_reset();
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
	struct config *cfg = NULL;
	struct sip_conf *sc = NULL;
	char *text = mem_alloc(size + 1, NULL);

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (includes_absolute(text) ||
	    config_parse(&cfg, FUZZ_CONF_NAME, text)) {
		mem_deref(text);
		return 0;
	}
	walk(cfg);
	if (!sip_conf_parse(&sc, cfg))
		mem_deref(sc);
	dialplan(cfg);
	(void)ari_http_conf_load(cfg, cfg);
	ari_http_conf_free();
	config_free(cfg);
	mem_deref(text);
	fuzz_run_deferred();
	return 0;
}
