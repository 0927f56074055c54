/* cli_remote.c — `ariadne -rx "command"`: connect to the running server's
 * CLI socket, send the line, copy the reply to stdout. Runs before (and
 * without) the event loop, so it uses plain blocking socket calls. */
#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include "base/cli.h"
#include "base/cli_int.h"

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return errno ? errno : EIO;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int cli_remote(const char *path, const char *command)
{
	struct sockaddr_un sun;
	struct timeval tv = {.tv_sec = 60};
	char buf[4096];
	int fd;

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || !path || cli_sockaddr(&sun, path) ||
	    connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		fprintf(stderr,
			"Unable to connect to remote asterisk (does %s exist?)\n",
			path ? path : "");
		if (fd >= 0)
			close(fd);
		return 1;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));

	if (write_all(fd, command ? command : "", strlen(command ? command : "")) ||
	    write_all(fd, "\n", 1)) {
		fprintf(stderr, "Unable to send command to %s: %s\n", path,
			strerror(errno));
		close(fd);
		return 1;
	}
	shutdown(fd, SHUT_WR);

	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			/* a script must not read silence as success */
			fflush(stdout);
			fprintf(stderr, "No answer from %s within %ld s: %s\n",
				path, (long)tv.tv_sec,
				errno == EAGAIN || errno == EWOULDBLOCK ?
				"the server is busy or out of file "
				"descriptors" : strerror(errno));
			close(fd);
			return 1;
		}
		if (!n)
			break;
		fwrite(buf, 1, (size_t)n, stdout);
	}
	fflush(stdout);
	close(fd);
	return 0;
}
