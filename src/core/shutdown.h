/* shutdown.h — stopping the server from the CLI as Asterisk's main/
 * asterisk.c does: at once (`core stop now`), once the calls have ended
 * while refusing new ones (`core stop gracefully`), or once there happen
 * to be no calls (`core stop when convenient`); a pending stop can be
 * called off (`core abort shutdown`). */
#ifndef ARIADNE_SHUTDOWN_H
#define ARIADNE_SHUTDOWN_H

/* Register the four commands (cli_core_init). */
int shutdown_cli_init(void);

#endif
