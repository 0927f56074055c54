/*
 * http_floor.c: the least work an HTTP server can do per keep-alive request
 * on this machine, as a yardstick for bench/ari_http.sh.
 *
 * One thread (or N, each with its own SO_REUSEPORT listener and epoll set)
 * accepts connections, reads until it has a whole request head and writes a
 * fixed reply of the same size and headers as ariadne's GET
 * /ari/asterisk/ping. No parsing, no authentication, no allocation, no
 * clock: what wrk measures against it is the kernel's loopback TCP and the
 * scheduler alone. A server that does real work cannot beat it, so when it
 * misses a target on this machine the target is out of reach here.
 *
 * Usage: http_floor PORT [THREADS]   (runs until killed)
 */
#define _GNU_SOURCE /* accept4 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define BODY "{\"asterisk_id\":\"02:fc:00:00:00:01\",\"ping\":\"pong\"," \
	"\"timestamp\":\"2026-12-07T13:20:52.053+0000\"}"

static const char reply[] =
	"HTTP/1.1 200 OK\r\n"
	"Server: Asterisk/ariadne-0.1.0\r\n"
	"Date: Mon, 07 Dec 2026 13:20:52 GMT\r\n"
	"Cache-Control: no-cache, no-store\r\n"
	"Content-Type: application/json\r\n"
	"Content-Length: 92\r\n"
	"\r\n" BODY;

static int port;

/* Bytes of a request head seen so far, per descriptor: enough to find
 * "\r\n\r\n" when a request arrives in pieces. */
static unsigned char tail_state[65536];

static int listen_on(int p)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
		.sin_port = htons((unsigned short)p),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int one = 1;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 4096) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Count the request heads completed in buf, carrying a partial "\r\n\r\n"
 * match across reads in *state (0..3 characters of it matched). */
static int heads_in(const char *buf, ssize_t n, unsigned char *state)
{
	static const char end[] = "\r\n\r\n";
	int heads = 0;

	for (ssize_t i = 0; i < n; i++) {
		if (buf[i] == end[*state]) {
			if (++*state == 4) {
				heads++;
				*state = 0;
			}
		} else {
			*state = buf[i] == '\r' ? 1 : 0;
		}
	}
	return heads;
}

static void serve_readable(int fd)
{
	char buf[4096];
	ssize_t n = recv(fd, buf, sizeof(buf), 0);
	int heads;

	if (n <= 0) {
		if (n == 0 || (errno != EAGAIN && errno != EINTR))
			close(fd);
		return;
	}
	heads = heads_in(buf, n, &tail_state[fd & 0xffff]);
	while (heads-- > 0)
		if (send(fd, reply, sizeof(reply) - 1, MSG_NOSIGNAL) < 0) {
			close(fd);
			return;
		}
}

static void *serve(void *arg)
{
	int lfd = listen_on(port);
	int ep = epoll_create1(0);
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = lfd };
	struct epoll_event evs[256];

	(void)arg;
	if (lfd < 0 || ep < 0) {
		perror("http_floor: listen");
		exit(1);
	}
	epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
	for (;;) {
		int n = epoll_wait(ep, evs, 256, -1);

		for (int i = 0; i < n; i++) {
			int fd = evs[i].data.fd;

			if (fd != lfd) {
				serve_readable(fd);
				continue;
			}
			for (int c; (c = accept4(lfd, NULL, NULL, SOCK_NONBLOCK)) >= 0;) {
				int one = 1;
				struct epoll_event cev = { .events = EPOLLIN, .data.fd = c };

				setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
				tail_state[c & 0xffff] = 0;
				epoll_ctl(ep, EPOLL_CTL_ADD, c, &cev);
			}
		}
	}
	return NULL;
}

int main(int argc, char **argv)
{
	int threads = argc > 2 ? atoi(argv[2]) : 1;
	pthread_t t;

	if (argc < 2 || (port = atoi(argv[1])) <= 0 || threads < 1) {
		fprintf(stderr, "usage: http_floor PORT [THREADS]\n");
		return 2;
	}
	for (int i = 1; i < threads; i++)
		pthread_create(&t, NULL, serve, NULL);
	serve(NULL);
	return 0;
}
