/* em_bots.c — the echo bots of bench/external_media.sh, in one small C
 * process so that the bots themselves take little of the machine.
 *
 * Node's `ws` spends tens of microseconds of JavaScript per message; at 500
 * bots that is 25 000 frames in and 25 000 out per second, most of a core
 * on a 2-core machine that also runs ariadne and SIPp, and its event loop
 * adds its own lag to every inter-arrival the bench measures. Here each bot
 * is a non-blocking socket on one epoll loop: read, stamp, echo.
 *
 * bench/external_media.js drives it over stdin, one command a line, and
 * reads its answers on stdout:
 *   C <idx> <slow 0|1> <path>  connect a bot to ws://HOST:PORT<path>
 *                              (subprotocol `media`) → "open <idx> <local
 *                              port>" or "fail <idx> <why>"
 *   M <idx>...                 start the window: these bots are measured
 *   P / R                      the slow bot stops / starts reading
 *                              → "paused <ns>" / "resumed <ns>"
 *   E                          end the window
 *   F <idx>...                 → "frames <n>..." (frames each bot got so far)
 *   D <file>                   → the window's inter-arrival times (ms, as
 *                              float64) in <file>.all, <file>.pause,
 *                              <file>.out, and "dump <counters>" (below)
 *   Q                          quit
 * Unasked: "close <idx> <code> <ns> <reason>" when a bot's socket closes
 * (1006 when it closed without a close frame). Times are CLOCK_MONOTONIC
 * in ns, the clock of node's process.hrtime.bigint().
 *
 * What a bot does: every BINARY frame is stamped and sent straight back
 * (masked, as a client must); PING gets PONG; CLOSE is answered with the
 * same code. The first TEXT frame is kept (MEDIA_START is expected first).
 *
 * Build: cc -O2 -Wall -Wextra -o em_bots bench/em_bots.c (the bench does). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#define MAX_BOTS 8192
#define RX_CAP 65536
#define FRAME_BYTES 640
#define TEXT_KEEP 64

enum bot_state { BOT_FREE, BOT_HANDSHAKE, BOT_OPEN, BOT_CLOSED };

struct bot {
	int fd;
	int idx;
	enum bot_state state;
	bool slow, measured, sent_close;
	uint8_t mask[4];
	uint8_t *rx;
	size_t rxn;
	uint8_t *tx;      /* what the socket did not take at once */
	size_t txn, txcap;
	uint64_t frames, win_frames, texts, last;
	bool first_binary;       /* the first message was BINARY */
	char first_text[TEXT_KEEP];
	/* the slow bot only */
	uint64_t paused_frames, resume_first, resume_1s, resume_50ms;
};

struct floats {
	double *v;
	size_t n, cap;
};

static struct bot bots[MAX_BOTS];
static int nbots;
static int ep;
static const char *host, *port;
static bool measuring, pausing;
static uint64_t win_start, pause_end;
static struct floats iv_all, iv_pause, iv_out;
static uint64_t win_frames, pause_frames, bad_size;
static int bad_sizes[8][2];

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void floats_push(struct floats *f, double v)
{
	if (f->n == f->cap) {
		f->cap = f->cap ? 2 * f->cap : 1 << 16;
		f->v = realloc(f->v, f->cap * sizeof(*f->v));
		if (!f->v) {
			perror("em_bots: realloc");
			exit(2);
		}
	}
	f->v[f->n++] = v;
}

static struct bot *bot_by_idx(int idx)
{
	for (int i = 0; i < nbots; i++)
		if (bots[i].idx == idx && bots[i].state != BOT_FREE)
			return &bots[i];
	return NULL;
}

static void bot_watch(struct bot *b, bool want_read)
{
	struct epoll_event e = {.data.ptr = b};

	e.events = (want_read ? EPOLLIN : 0) | (b->txn ? EPOLLOUT : 0);
	epoll_ctl(ep, EPOLL_CTL_MOD, b->fd, &e);
}

static bool bot_reading(const struct bot *b)
{
	return !(b->slow && pausing);
}

static void bot_closed(struct bot *b, int code, const char *reason)
{
	if (b->state == BOT_CLOSED)
		return;
	printf("close %d %d %llu %s\n", b->idx, code, (unsigned long long)now_ns(), reason);
	b->state = BOT_CLOSED;
	epoll_ctl(ep, EPOLL_CTL_DEL, b->fd, NULL);
	close(b->fd);
	free(b->rx);
	free(b->tx);
	b->rx = b->tx = NULL;
}

/* Write what fits now; keep the rest for EPOLLOUT (a bot never blocks). */
static void bot_write(struct bot *b, const void *p, size_t n)
{
	if (!b->txn) {
		ssize_t w = send(b->fd, p, n, MSG_NOSIGNAL);

		if (w == (ssize_t)n)
			return;
		if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
			return; /* the read side sees the end */
		if (w > 0) {
			p = (const uint8_t *)p + w;
			n -= (size_t)w;
		}
	}
	if (b->txn + n > b->txcap) {
		b->txcap = (b->txn + n) * 2;
		b->tx = realloc(b->tx, b->txcap);
		if (!b->tx) {
			perror("em_bots: realloc");
			exit(2);
		}
	}
	memcpy(b->tx + b->txn, p, n);
	b->txn += n;
	bot_watch(b, bot_reading(b));
}

static void bot_flush(struct bot *b)
{
	ssize_t w = send(b->fd, b->tx, b->txn, MSG_NOSIGNAL);

	if (w <= 0)
		return;
	memmove(b->tx, b->tx + w, b->txn - (size_t)w);
	b->txn -= (size_t)w;
	if (!b->txn)
		bot_watch(b, bot_reading(b));
}

/* A client frame: FIN, the opcode, the mask bit, the payload masked. */
static void bot_send_frame(struct bot *b, int opcode, const uint8_t *p, size_t n)
{
	uint8_t hdr[14 + FRAME_BYTES * 4], *out = hdr;
	size_t h = 0;

	if (n > FRAME_BYTES * 4)
		out = malloc(14 + n);
	if (!out)
		return;
	out[h++] = 0x80 | (uint8_t)opcode;
	if (n < 126) {
		out[h++] = 0x80 | (uint8_t)n;
	} else if (n < 65536) {
		out[h++] = 0x80 | 126;
		out[h++] = (uint8_t)(n >> 8);
		out[h++] = (uint8_t)n;
	} else {
		out[h++] = 0x80 | 127;
		for (int i = 7; i >= 0; i--)
			out[h++] = (uint8_t)((uint64_t)n >> (8 * i));
	}
	memcpy(out + h, b->mask, 4);
	h += 4;
	for (size_t i = 0; i < n; i++)
		out[h + i] = p[i] ^ b->mask[i & 3];
	bot_write(b, out, h + n);
	if (out != hdr)
		free(out);
}

static void count_bad_size(size_t n)
{
	bad_size++;
	for (int i = 0; i < 8; i++) {
		if (bad_sizes[i][0] == (int)n || !bad_sizes[i][1]) {
			bad_sizes[i][0] = (int)n;
			bad_sizes[i][1]++;
			return;
		}
	}
}

/* The figures bench/external_media.js reported when its bots were node's. */
static void on_binary(struct bot *b, const uint8_t *p, size_t n, uint64_t t)
{
	if (!b->frames && !b->texts)
		b->first_binary = true;
	b->frames++;
	if (n != FRAME_BYTES)
		count_bad_size(n);
	if (b->slow) {
		if (pausing) {
			b->paused_frames++;
		} else if (pause_end && t >= pause_end) {
			if (!b->resume_first)
				b->resume_first = t;
			if (t - pause_end <= 1000000000u)
				b->resume_1s++;
			if (t - b->resume_first <= 50000000u)
				b->resume_50ms++;
		}
		if (measuring)
			b->win_frames++;
	} else if (measuring && b->measured) {
		win_frames++;
		b->win_frames++;
		if (pausing)
			pause_frames++;
		if (b->last && b->last >= win_start) {
			double iv = (double)(t - b->last) / 1e6;

			floats_push(&iv_all, iv);
			floats_push(pausing ? &iv_pause : &iv_out, iv);
		}
	}
	b->last = t;
	bot_send_frame(b, 0x2, p, n);
}

static void on_close_frame(struct bot *b, const uint8_t *p, size_t n)
{
	int code = n >= 2 ? (p[0] << 8) | p[1] : 1005;
	char reason[128];
	size_t rn = n > 2 ? n - 2 : 0;

	if (rn >= sizeof(reason))
		rn = sizeof(reason) - 1;
	memcpy(reason, p + 2 * (n >= 2), rn);
	reason[rn] = 0;
	for (char *c = reason; *c; c++)
		if ((unsigned char)*c < 0x20)
			*c = ' ';
	if (!b->sent_close) {
		uint8_t c[2] = {(uint8_t)(code >> 8), (uint8_t)code};

		b->sent_close = true;
		bot_send_frame(b, 0x8, c, code == 1005 ? 0 : 2);
	}
	bot_closed(b, code, reason);
}

/* Frames from the server: never masked, never fragmented by ariadne's media
 * socket (a fragment would be counted as a frame of its own size). */
static void parse_frames(struct bot *b, uint64_t t)
{
	size_t off = 0;

	while (b->state == BOT_OPEN && b->rxn - off >= 2) {
		const uint8_t *f = b->rx + off;
		int opcode = f[0] & 0x0f;
		uint64_t len = f[1] & 0x7f;
		size_t h = 2;

		if (len == 126) {
			if (b->rxn - off < 4)
				break;
			len = ((uint64_t)f[2] << 8) | f[3];
			h = 4;
		} else if (len == 127) {
			if (b->rxn - off < 10)
				break;
			len = 0;
			for (int i = 0; i < 8; i++)
				len = (len << 8) | f[2 + i];
			h = 10;
		}
		if (len > RX_CAP - 16) {
			bot_closed(b, 1009, "frame too big for the bot");
			return;
		}
		if (b->rxn - off < h + len)
			break;
		const uint8_t *p = f + h;
		switch (opcode) {
		case 0x1:
			if (!b->texts++ && !b->first_text[0])
				snprintf(b->first_text, sizeof(b->first_text), "%.*s", (int)len, (const char *)p);
			break;
		case 0x0:
		case 0x2:
			on_binary(b, p, (size_t)len, t);
			break;
		case 0x8:
			on_close_frame(b, p, (size_t)len);
			return;
		case 0x9:
			bot_send_frame(b, 0xA, p, (size_t)len);
			break;
		default:
			break;
		}
		off += h + len;
	}
	if (b->state == BOT_OPEN && off) {
		memmove(b->rx, b->rx + off, b->rxn - off);
		b->rxn -= off;
	}
}

/* The 101 answer to the upgrade; what follows it is frames already. */
static void parse_handshake(struct bot *b)
{
	uint8_t *end = memmem(b->rx, b->rxn, "\r\n\r\n", 4);
	char why[160];

	if (!end) {
		if (b->rxn == RX_CAP) {
			printf("fail %d upgrade answer too long\n", b->idx);
			bot_closed(b, 1002, "handshake");
		}
		return;
	}
	if (b->rxn < 12 || memcmp(b->rx, "HTTP/1.1 101", 12)) {
		snprintf(why, sizeof(why), "upgrade refused: %.*s", (int)(memchr(b->rx, '\r', b->rxn) ?
			 (uint8_t *)memchr(b->rx, '\r', b->rxn) - b->rx : 40), (char *)b->rx);
		printf("fail %d %s\n", b->idx, why);
		b->state = BOT_OPEN; /* so that bot_closed reports it */
		bot_closed(b, 1002, "handshake refused");
		return;
	}
	size_t used = (size_t)(end + 4 - b->rx);
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);

	memmove(b->rx, b->rx + used, b->rxn - used);
	b->rxn -= used;
	b->state = BOT_OPEN;
	getsockname(b->fd, (struct sockaddr *)&sa, &sl);
	printf("open %d %u\n", b->idx, ntohs(sa.sin_port));
}

static void bot_readable(struct bot *b)
{
	for (;;) {
		ssize_t r = recv(b->fd, b->rx + b->rxn, RX_CAP - b->rxn, 0);
		uint64_t t = now_ns();

		if (r == 0) {
			if (b->state == BOT_HANDSHAKE) {
				printf("fail %d closed before the upgrade answer\n", b->idx);
				b->state = BOT_OPEN;
			}
			bot_closed(b, 1006, "");
			return;
		}
		if (r < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK) {
				if (b->state == BOT_HANDSHAKE) {
					printf("fail %d %s\n", b->idx, strerror(errno));
					b->state = BOT_OPEN;
				}
				bot_closed(b, 1006, strerror(errno));
			}
			return;
		}
		b->rxn += (size_t)r;
		if (b->state == BOT_HANDSHAKE)
			parse_handshake(b);
		if (b->state == BOT_OPEN)
			parse_frames(b, t);
		if (b->state != BOT_OPEN || !bot_reading(b))
			return;
	}
}

static void cmd_connect(int idx, int slow, const char *path)
{
	struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_STREAM}, *ai;
	struct bot *b;
	char req[512];
	int fd, one = 1, n;

	if (nbots == MAX_BOTS || getaddrinfo(host, port, &hints, &ai)) {
		printf("fail %d no room or no address\n", idx);
		return;
	}
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, ai->ai_addr, ai->ai_addrlen)) {
		printf("fail %d connect: %s\n", idx, strerror(errno));
		if (fd >= 0)
			close(fd);
		freeaddrinfo(ai);
		return;
	}
	freeaddrinfo(ai);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	/* A fixed key is fine for a bench: ariadne checks the form, not the
	 * value (RFC 6455 4.1 asks for a random one to defeat proxies). */
	n = snprintf(req, sizeof(req),
		     "GET %s HTTP/1.1\r\nHost: %s:%s\r\nUpgrade: websocket\r\n"
		     "Connection: Upgrade\r\nSec-WebSocket-Key: ZW1fYm90c19iZW5jaF9rZXk=\r\n"
		     "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: media\r\n\r\n",
		     path, host, port);
	if (send(fd, req, (size_t)n, MSG_NOSIGNAL) != n) {
		printf("fail %d upgrade request not sent\n", idx);
		close(fd);
		return;
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	b = &bots[nbots++];
	memset(b, 0, sizeof(*b));
	b->fd = fd;
	b->idx = idx;
	b->slow = slow;
	b->state = BOT_HANDSHAKE;
	b->rx = malloc(RX_CAP);
	for (int i = 0; i < 4; i++)
		b->mask[i] = (uint8_t)(rand() >> 7);
	struct epoll_event e = {.events = EPOLLIN, .data.ptr = b};
	epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e);
}

static void write_floats(const char *base, const char *ext, const struct floats *f)
{
	char name[512];
	FILE *fp;

	snprintf(name, sizeof(name), "%s.%s", base, ext);
	fp = fopen(name, "wb");
	if (!fp) {
		perror(name);
		return;
	}
	if (f->n)
		fwrite(f->v, sizeof(double), f->n, fp);
	fclose(fp);
}

/* "dump" then JSON: the counters and, per bot, what the report reads. */
static void cmd_dump(const char *base)
{
	write_floats(base, "all", &iv_all);
	write_floats(base, "pause", &iv_pause);
	write_floats(base, "out", &iv_out);
	printf("dump {\"winFrames\":%llu,\"pauseFrames\":%llu,\"badSize\":%llu,\"badSizes\":[",
	       (unsigned long long)win_frames, (unsigned long long)pause_frames,
	       (unsigned long long)bad_size);
	for (int i = 0, k = 0; i < 8; i++)
		if (bad_sizes[i][1])
			printf("%s[%d,%d]", k++ ? "," : "", bad_sizes[i][0], bad_sizes[i][1]);
	printf("],\"bots\":[");
	for (int i = 0; i < nbots; i++) {
		const struct bot *b = &bots[i];
		char text[TEXT_KEEP * 2];
		size_t k = 0;

		for (const char *s = b->first_text; *s && k < sizeof(text) - 2; s++)
			if (*s != '"' && *s != '\\' && (unsigned char)*s >= 0x20)
				text[k++] = *s;
		text[k] = 0;
		printf("%s{\"idx\":%d,\"frames\":%llu,\"winFrames\":%llu,\"firstText\":\"%s\","
		       "\"firstMsgBinary\":%s,\"pausedFrames\":%llu,\"resumeFirst\":\"%llu\","
		       "\"resumeFrames1s\":%llu,\"resumeBurst50ms\":%llu}",
		       i ? "," : "", b->idx, (unsigned long long)b->frames,
		       (unsigned long long)b->win_frames, text, b->first_binary ? "true" : "false",
		       (unsigned long long)b->paused_frames, (unsigned long long)b->resume_first,
		       (unsigned long long)b->resume_1s, (unsigned long long)b->resume_50ms);
	}
	printf("]}\n");
}

static void cmd_mark(char *args)
{
	char *save = NULL;

	for (char *tok = strtok_r(args, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		struct bot *b = bot_by_idx(atoi(tok));

		if (b)
			b->measured = true;
	}
	win_start = now_ns();
	measuring = true;
}

static void cmd_frames(char *args)
{
	char *save = NULL;

	printf("frames");
	for (char *tok = strtok_r(args, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		struct bot *b = bot_by_idx(atoi(tok));

		printf(" %llu", b ? (unsigned long long)b->frames : 0ull);
	}
	printf("\n");
}

static void slow_reading(bool on)
{
	for (int i = 0; i < nbots; i++)
		if (bots[i].slow && bots[i].state == BOT_OPEN)
			bot_watch(&bots[i], on);
}

static bool command(char *line)
{
	int idx, slow;
	char path[400];

	switch (line[0]) {
	case 'C':
		if (sscanf(line, "C %d %d %399s", &idx, &slow, path) == 3)
			cmd_connect(idx, slow, path);
		break;
	case 'M':
		cmd_mark(line + 1);
		break;
	case 'P':
		pausing = true;
		slow_reading(false);
		printf("paused %llu\n", (unsigned long long)now_ns());
		break;
	case 'R':
		pausing = false;
		pause_end = now_ns();
		slow_reading(true);
		printf("resumed %llu\n", (unsigned long long)pause_end);
		for (int i = 0; i < nbots; i++)
			if (bots[i].slow && bots[i].state == BOT_OPEN)
				bot_readable(&bots[i]);
		break;
	case 'E':
		measuring = false;
		break;
	case 'F':
		cmd_frames(line + 1);
		break;
	case 'D':
		cmd_dump(line + 2);
		break;
	case 'Q':
		return false;
	default:
		break;
	}
	fflush(stdout);
	return true;
}

/* Commands arrive on stdin, whole lines or pieces of them. */
static bool stdin_readable(void)
{
	static char buf[1 << 16];
	static size_t n;
	ssize_t r = read(0, buf + n, sizeof(buf) - 1 - n);
	char *nl;

	if (r <= 0)
		return r < 0 && errno == EAGAIN;
	n += (size_t)r;
	buf[n] = 0;
	while ((nl = strchr(buf, '\n'))) {
		*nl = 0;
		if (!command(buf))
			return false;
		n -= (size_t)(nl + 1 - buf);
		memmove(buf, nl + 1, n);
		buf[n] = 0;
	}
	return true;
}

int main(int argc, char **argv)
{
	struct epoll_event e = {.events = EPOLLIN, .data.ptr = NULL}, evs[256];

	if (argc != 3) {
		fprintf(stderr, "usage: em_bots HOST PORT (commands on stdin)\n");
		return 2;
	}
	host = argv[1];
	port = argv[2];
	srand((unsigned)now_ns());
	setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	ep = epoll_create1(EPOLL_CLOEXEC);
	fcntl(0, F_SETFL, fcntl(0, F_GETFL) | O_NONBLOCK);
	epoll_ctl(ep, EPOLL_CTL_ADD, 0, &e);
	for (;;) {
		int n = epoll_wait(ep, evs, 256, -1);

		for (int i = 0; i < n; i++) {
			struct bot *b = evs[i].data.ptr;

			if (!b) {
				if (!stdin_readable())
					return 0;
				continue;
			}
			if (b->state == BOT_CLOSED)
				continue;
			if (evs[i].events & EPOLLOUT)
				bot_flush(b);
			if (evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR))
				bot_readable(b);
		}
		fflush(stdout);
	}
}
