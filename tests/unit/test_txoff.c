/* test_txoff.c — the send thread (src/net/txoff.c) with real sockets:
 * datagrams arrive whole, in order, at their own address; a tick's batch
 * waits for txoff_release(); a stream's bytes arrive in order even when
 * the kernel refuses most of them at first; the owner may close its own
 * descriptor at once; closing with fin sends everything, then EOF; a
 * stream whose peer is gone fails; after txoff_stop() sends go out at
 * once. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <cmocka.h>
#include <re_types.h>
#include <re_sa.h>
#include "net/txoff.h"

static void sleep_ms(long ms)
{
	struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};

	nanosleep(&t, NULL);
}

/* A UDP socket on 127.0.0.1, its address in *sa. */
static int udp_bound(struct sa *sa)
{
	struct sockaddr_in in = {.sin_family = AF_INET};
	socklen_t len = sizeof(in);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	assert_true(fd >= 0);
	in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&in, sizeof(in)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&in, &len), 0);
	sa_init(sa, AF_INET);
	sa_set_in(sa, ntohl(in.sin_addr.s_addr), ntohs(in.sin_port));
	return fd;
}

/* Wait up to ms for fd to be readable. */
static bool readable(int fd, int ms)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};

	return poll(&p, 1, ms) == 1;
}

static int setup(void **state)
{
	(void)state;
	return txoff_start();
}

static int teardown(void **state)
{
	(void)state;
	txoff_stop();
	return 0;
}

static void datagrams_arrive_whole_and_in_order(void **state)
{
	struct sa dst, src;
	int rx = udp_bound(&dst), tx = udp_bound(&src);
	struct txoff_sock *ts = txoff_sock_open(tx, false);
	uint8_t buf[256];
	int i;

	(void)state;
	assert_non_null(ts);
	close(tx);   /* the thread has its own descriptor */
	for (i = 0; i < 50; i++) {
		uint8_t hdr[2] = {'h', (uint8_t)i}, body[100];
		struct iovec iov[2] = {{hdr, sizeof(hdr)}, {body, sizeof(body)}};

		memset(body, i, sizeof(body));
		assert_int_equal(txoff_sendv(ts, &dst, iov, 2), 0);
	}
	for (i = 0; i < 50; i++) {
		assert_true(readable(rx, 2000));
		assert_int_equal(recv(rx, buf, sizeof(buf), 0), 102);
		assert_int_equal(buf[0], 'h');
		assert_int_equal(buf[1], i);
		assert_int_equal(buf[2], i);
		assert_int_equal(buf[101], i);
	}
	assert_int_equal(txoff_queued(ts), 0);  /* datagrams are not counted */
	txoff_sock_close(ts, false);
	close(rx);
}

static void a_held_batch_goes_out_at_release(void **state)
{
	struct sa dst, src;
	int rx = udp_bound(&dst), tx = udp_bound(&src);
	struct txoff_sock *ts = txoff_sock_open(tx, false);
	uint8_t p[160] = {0}, buf[256];
	struct iovec iov = {p, sizeof(p)};
	int i;

	(void)state;
	txoff_hold();
	for (i = 0; i < 10; i++)
		assert_int_equal(txoff_sendv(ts, &dst, &iov, 1), 0);
	assert_false(readable(rx, 100));   /* still with the loop */
	txoff_release();
	for (i = 0; i < 10; i++) {
		assert_true(readable(rx, 2000));
		assert_int_equal(recv(rx, buf, sizeof(buf), 0), sizeof(p));
	}
	txoff_sock_close(ts, false);
	close(tx);
	close(rx);
}

/* The reader checks that byte k of the stream is (k * 7) & 0xff. */
static size_t read_pattern(int fd, size_t from, size_t want)
{
	uint8_t buf[65536];
	size_t got = 0;

	while (got < want && readable(fd, 3000)) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);

		if (n <= 0)
			break;
		for (ssize_t i = 0; i < n; i++)
			assert_int_equal(buf[i], (uint8_t)((from + got + i) * 7));
		got += (size_t)n;
	}
	return got;
}

static void stream_bytes_arrive_in_order_when_the_kernel_refuses_them(
	void **state)
{
	int sv[2], small = 4096;
	struct txoff_sock *ts;
	size_t total = 0, k;
	uint8_t piece[1000];

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof(small));
	ts = txoff_sock_open(sv[0], true);
	assert_non_null(ts);
	close(sv[0]);
	for (int m = 0; m < 1000; m++) {
		struct iovec iov[2] = {{piece, 300}, {piece + 300, 700}};

		for (k = 0; k < sizeof(piece); k++)
			piece[k] = (uint8_t)((total + k) * 7);
		assert_int_equal(txoff_sendv(ts, NULL, iov, 2), 0);
		total += sizeof(piece);
	}
	sleep_ms(50);
	/* Nobody read: most of the megabyte waits with the thread. */
	assert_true(txoff_queued(ts) > total / 2);
	assert_false(txoff_failed(ts));
	assert_int_equal(read_pattern(sv[1], 0, total), total);
	for (int i = 0; i < 100 && txoff_queued(ts); i++)
		sleep_ms(10);
	assert_int_equal(txoff_queued(ts), 0);
	txoff_sock_close(ts, false);
	close(sv[1]);
}

static void closing_with_fin_sends_everything_then_eof(void **state)
{
	int sv[2], small = 4096;
	struct txoff_sock *ts;
	uint8_t piece[4096], c;
	size_t total = 0;

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof(small));
	ts = txoff_sock_open(sv[0], true);
	close(sv[0]);
	for (int m = 0; m < 64; m++) {
		struct iovec iov = {piece, sizeof(piece)};

		for (size_t k = 0; k < sizeof(piece); k++)
			piece[k] = (uint8_t)((total + k) * 7);
		assert_int_equal(txoff_sendv(ts, NULL, &iov, 1), 0);
		total += sizeof(piece);
	}
	txoff_sock_close(ts, true);   /* 256 KB still queued */
	assert_int_equal(read_pattern(sv[1], 0, total), total);
	assert_true(readable(sv[1], 2000));
	assert_int_equal(recv(sv[1], &c, 1, 0), 0);   /* EOF after the rest */
	close(sv[1]);
}

static void a_stream_whose_peer_is_gone_fails(void **state)
{
	int sv[2];
	struct txoff_sock *ts;
	uint8_t p[100] = {0};
	struct iovec iov = {p, sizeof(p)};
	int err = 0;

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	ts = txoff_sock_open(sv[0], true);
	close(sv[0]);
	close(sv[1]);
	for (int i = 0; i < 200 && !err; i++) {
		err = txoff_sendv(ts, NULL, &iov, 1);
		sleep_ms(5);
	}
	assert_int_equal(err, EPIPE);
	assert_true(txoff_failed(ts));
	assert_int_equal(txoff_queued(ts), 0);
	txoff_sock_close(ts, true);
}

static void after_stop_a_send_goes_out_at_once(void **state)
{
	struct sa dst, src;
	int rx = udp_bound(&dst), tx = udp_bound(&src);
	struct txoff_sock *ts = txoff_sock_open(tx, false);
	uint8_t p[20] = "after the thread", buf[64];
	struct iovec iov = {p, sizeof(p)};

	(void)state;
	assert_non_null(ts);
	txoff_stop();
	assert_false(txoff_running());
	assert_null(txoff_sock_open(tx, false));   /* no thread, no new ones */
	assert_int_equal(txoff_sendv(ts, &dst, &iov, 1), 0);
	assert_true(readable(rx, 0));
	assert_int_equal(recv(rx, buf, sizeof(buf), 0), sizeof(p));
	txoff_sock_close(ts, false);
	close(tx);
	close(rx);
	assert_int_equal(txoff_start(), 0);   /* for teardown */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			datagrams_arrive_whole_and_in_order, setup, teardown),
		cmocka_unit_test_setup_teardown(
			a_held_batch_goes_out_at_release, setup, teardown),
		cmocka_unit_test_setup_teardown(
			stream_bytes_arrive_in_order_when_the_kernel_refuses_them,
			setup, teardown),
		cmocka_unit_test_setup_teardown(
			closing_with_fin_sends_everything_then_eof, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			a_stream_whose_peer_is_gone_fails, setup, teardown),
		cmocka_unit_test_setup_teardown(
			after_stop_a_send_goes_out_at_once, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
