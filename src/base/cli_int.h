/* cli_int.h — what the CLI's files share (cli.c, cli_server.c,
 * cli_remote.c). Internal to src/base/cli*.c; everyone else uses cli.h. */
#ifndef ARIADNE_CLI_INT_H
#define ARIADNE_CLI_INT_H

#include <stddef.h>
#include <string.h>
#include <errno.h>
#include <sys/socket.h>
#include <sys/un.h>

struct mbuf;

enum {
	CLI_LINE_MAX = 4096,           /* one request line */
};

/* Run one command line, its output appended to `mb` (at most `max`
 * bytes). 0, ENOENT for an unknown command, or the handler's result. */
int cli_exec_line(const char *line, struct mbuf *mb, size_t max);
/* "core stop now" asked to stop: stop once the reply is out (a 0 ms timer,
 * so the loop first finishes the current turn). */
void cli_stop_if_requested(void);
/* Forget a pending stop (the server is closing anyway). */
void cli_stop_cancel(void);

static inline int cli_sockaddr(struct sockaddr_un *sun, const char *path)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun->sun_path))
		return ENAMETOOLONG;
	strcpy(sun->sun_path, path);
	return 0;
}

#endif
