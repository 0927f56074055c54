/* fuzz.h — what the fuzz targets of tests/fuzz share: libre started once
 * with the log silenced, and libre's loop turned until the work deferred so
 * far has run, so that nothing one input started is still pending when the
 * next one comes (docs/FUZZING.md).
 *
 * Header-only (static inline), like tests/unit/core_test.h, because each
 * target is one file built into its own binary. libre's headers have no
 * include guards: the target includes <re_types.h>, <re_mem.h>,
 * <re_list.h>, <re_tmr.h> and <re_main.h> before this file. */
#ifndef ARIADNE_FUZZ_H
#define ARIADNE_FUZZ_H

#include <stdio.h>
#include <stdlib.h>
#include "base/defer.h"
#include "base/log.h"

/* A harness that cannot set itself up finds nothing: stop loudly rather
 * than fuzz a half-started module. */
#define FUZZ_CHECK(expr)                                                   \
	do {                                                               \
		if (!(expr)) {                                             \
			fprintf(stderr, "fuzz setup failed: %s (%s:%d)\n", \
				#expr, __FILE__, __LINE__);                \
			abort();                                           \
		}                                                          \
	} while (0)

static inline void fuzz_libre_init(void)
{
	FUZZ_CHECK(libre_init() == 0);
	/* Every refusal of a broken input is logged: millions of lines. The
	 * messages are still formatted, so a bad format argument shows. */
	log_set_quiet(1);
}

/* Run what was deferred (base/defer.c) and every timer already due (0 ms
 * timers: a WebSocket reports its close on one), as the next turns of the
 * loop would, until nothing is due: nothing one input started is left for
 * the next. Not re_main(): with a timer due it still polls the sockets
 * for a millisecond, which would cap a target at a few hundred inputs a
 * second; timers that are not due yet (idle timeouts) are left alone. */
static inline void fuzz_run_deferred(void)
{
	for (int i = 0; i < 64 && tmr_next_timeout(NULL) == 1; i++)
		tmr_poll(NULL);
}

#endif
