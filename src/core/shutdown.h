/* shutdown.h — stopping the server from the CLI as Asterisk's main/
 * asterisk.c does: at once (`core stop now`), once the calls have ended
 * while refusing new ones (`core stop gracefully`), or once there happen
 * to be no calls (`core stop when convenient`); a pending stop can be
 * called off (`core abort shutdown`). */
#ifndef ARIADNE_SHUTDOWN_H
#define ARIADNE_SHUTDOWN_H

#include <stdbool.h>

/* Register the commands (cli_core_init): core stop now|gracefully|when
 * convenient, core restart now|gracefully|when convenient, core abort
 * shutdown. */
int shutdown_cli_init(void);
/* Whether the stop under way is a `core restart`: main.c then starts the
 * server again in this process once it has stopped. */
bool shutdown_restart_requested(void);

#endif
