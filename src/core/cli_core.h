/* cli_core.h — what a layer above tells the core's CLI (cli_core.c) about
 * a channel that the core cannot know itself: the format its audio is in,
 * for `core show channel` (the core knows nothing of codecs; src/media
 * does). The commands themselves register through cli_core_init()
 * (base/cli.h). */
#ifndef ARIADNE_CLI_CORE_H
#define ARIADNE_CLI_CORE_H

#include <stdbool.h>
#include <stddef.h>

struct channel;

/* The name of the format of the channel's audio ("ulaw", "slin") into
 * buf, as Asterisk names formats; false when nothing is known of it. */
typedef bool (cli_core_format_h)(struct channel *ch, char *buf, size_t size);
/* One provider; NULL removes it. */
void cli_core_format_set(cli_core_format_h *h);

#endif
