/* dialplan_cli.c — the `dialplan show [context]` CLI command. */
#include <errno.h>
#include <stdint.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdarg.h>
#include <string.h>
#include <re_types.h>
#include <re_fmt.h>
#include <re_mem.h>
#include <re_mbuf.h>
#include "base/cli.h"
#include "pbx/dialplan.h"

static int show_handler(struct re_printf *pf, void *arg)
{
	return dialplan_show(pf, arg);
}

static int cli_dialplan_show(struct cli_out *out, int argc, char *argv[])
{
	struct mbuf *mb = mbuf_alloc(4096);
	const char *ctx = argc > 0 ? argv[0] : NULL;
	char *at;

	if (!mb)
		return ENOMEM;
	/* "dialplan show 100@ctx" shows the context (extension filter not
	 * supported yet: the whole context is printed). */
	if (ctx && (at = strchr(ctx, '@')))
		ctx = at + 1;
	mbuf_printf(mb, "%H", show_handler, (void *)ctx);
	cli_printf(out, "%.*s", (int)mb->end, (const char *)mb->buf);
	mem_deref(mb);
	return 0;
}

int dialplan_cli_init(void)
{
	return cli_register("dialplan show", cli_dialplan_show,
			    "Usage: dialplan show [[exten@]context]\n"
			    "       Show dialplan\n");
}
