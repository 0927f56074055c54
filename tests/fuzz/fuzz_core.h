/* fuzz_core.h — the modules a fuzz target's input can reach through ARI or
 * SIP, started as main.c's core_start() and start() start them, minus
 * every socket: ariadne.conf's directories are in a temporary directory of
 * the process (under $TMPDIR, which scripts/fuzz points into build-fuzz;
 * removed at exit, left by a crash), so nothing of this machine's ariadne
 * is read or written. What a harness feeds then meets the same registries,
 * hooks and dialplan applications as in the server.
 *
 * Header-only, like fuzz.h; include it after fuzz.h. */
#ifndef ARIADNE_FUZZ_CORE_H
#define ARIADNE_FUZZ_CORE_H

#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "base/config.h"
#include "base/options.h"
#include "core/bridge.h"
#include "core/channel.h"
#include "core/devstate.h"
#include "core/endpoint.h"
#include "core/mailbox.h"
#include "core/module.h"
#include "core/playback.h"
#include "core/recording.h"
#include "core/stasis.h"
#include "local/local.h"
#include "media/media.h"
#include "pbx/pbx.h"

static char fuzz_dir[128];

/* What options_load() made; nothing else is written there (the users of
 * the harnesses are read-only). */
static inline void fuzz_dir_remove(void)
{
	static const char *const sub[] = {"log", "run", "lib", "spool"};
	char p[160];

	if (!*fuzz_dir)
		return;
	for (size_t i = 0; i < sizeof(sub) / sizeof(sub[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", fuzz_dir, sub[i]);
		(void)rmdir(p);
	}
	(void)rmdir(fuzz_dir);
}

static inline void fuzz_core_start(void)
{
	char conf[1024];
	struct config *cfg = NULL;
	const char *tmp = getenv("TMPDIR");

	/* options_load() creates the log, run and data directories */
	snprintf(fuzz_dir, sizeof(fuzz_dir), "%s/ariadne-fuzz-XXXXXX",
		 tmp && *tmp && strlen(tmp) < 96 ? tmp : "/tmp");
	FUZZ_CHECK(mkdtemp(fuzz_dir) != NULL);
	atexit(fuzz_dir_remove);
	snprintf(conf, sizeof(conf),
		 "[directories]\n"
		 "astlogdir => %s/log\n"
		 "astrundir => %s/run\n"
		 "astdatadir => %s/lib\n"
		 "astspooldir => %s/spool\n"
		 "astsoundsdir => %s/sounds\n",
		 fuzz_dir, fuzz_dir, fuzz_dir, fuzz_dir, fuzz_dir);
	FUZZ_CHECK(config_parse(&cfg, "ariadne.conf", conf) == 0);
	options_load(cfg, fuzz_dir);
	/* main.c's core_start(), in its order */
	FUZZ_CHECK(bridge_init() == 0);
	FUZZ_CHECK(recording_init() == 0);
	FUZZ_CHECK(channel_hooks_add(&stasis_hooks) == 0);
	FUZZ_CHECK(channel_hooks_add(&pbx_hooks) == 0);
	FUZZ_CHECK(endpoint_init() == 0);
	FUZZ_CHECK(stasis_init() == 0);
	FUZZ_CHECK(bridge_follow_init() == 0);
	FUZZ_CHECK(playback_init() == 0);
	FUZZ_CHECK(stasis_broadcast_init() == 0);
	FUZZ_CHECK(devstate_init() == 0);
	FUZZ_CHECK(mailbox_init(options.datadir) == 0);
	FUZZ_CHECK(module_registry_init() == 0);
	FUZZ_CHECK(pbx_apps_init() == 0);
	FUZZ_CHECK(pbx_user_apps_init() == 0);
	FUZZ_CHECK(pbx_stasis_apps_init() == 0);
	FUZZ_CHECK(pbx_config_module_init() == 0);
	/* then start()'s channel technologies and media (its tick is a
	 * timerfd: it only runs while a harness turns the loop) */
	FUZZ_CHECK(local_init() == 0);
	FUZZ_CHECK(media_init(cfg) == 0);
	config_free(cfg);
}

#endif
