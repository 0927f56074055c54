/* test_tcp_accepted.c — src/net/tcp_accepted.c defines libre's
 * tcp_accept(). These tests pin that the interposition is real: a
 * connection libre's own SIP transport accepts is shown to the watch of
 * its listener's address (a libre that stopped calling through its PLT
 * would fail here), and no other listener's. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <inttypes.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <re_types.h>
#include <re_fmt.h>
#include <re_mem.h>
#include <re_mbuf.h>
#include <re_list.h>
#include <re_sa.h>
#include <re_tmr.h>
#include <re_main.h>
#include <re_uri.h>
#include <re_msg.h>
#include <re_sip.h>
#include <re_tcp.h>
#include "net/tcp_accepted.h"

struct seen {
	unsigned n;
	struct tcp_conn *tc;
};

static void accepted(struct tcp_conn *tc, void *arg)
{
	struct seen *s = arg;

	s->n++;
	s->tc = tc;
	re_cancel();
}

static void give_up(void *arg)
{
	(void)arg;
	re_cancel();
}

static void libre_sip_transport_accepts_through_us(void **state)
{
	struct tcp_accepted_watch *w = NULL, *other = NULL;
	struct seen seen = {0}, elsewhere = {0};
	struct sip *sip = NULL;
	struct sa laddr, nowhere;
	struct tmr tmr;
	int fd;

	(void)state;
	tmr_init(&tmr);
	assert_int_equal(sip_alloc(&sip, NULL, 16, 16, 16, "test", NULL,
				   NULL), 0);
	assert_int_equal(sa_set_str(&laddr, "127.0.0.1", 0), 0);
	assert_int_equal(sip_transp_add(sip, SIP_TRANSP_TCP, &laddr), 0);
	assert_int_equal(sip_transp_laddr(sip, &laddr, SIP_TRANSP_TCP, NULL),
			 0);
	assert_int_not_equal(sa_port(&laddr), 0);
	assert_int_equal(tcp_accepted_watch(&w, &laddr, accepted, &seen), 0);
	nowhere = laddr;
	sa_set_port(&nowhere, sa_port(&laddr) == 65535 ? 1 :
		    sa_port(&laddr) + 1);
	assert_int_equal(tcp_accepted_watch(&other, &nowhere, accepted,
					    &elsewhere), 0);

	fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	assert_int_equal(connect(fd, &laddr.u.sa, laddr.len), 0);
	tmr_start(&tmr, 2000, give_up, NULL);
	(void)re_main(NULL);
	tmr_cancel(&tmr);
	assert_int_equal(seen.n, 1);
	assert_non_null(seen.tc);
	assert_int_equal(elsewhere.n, 0);

	close(fd);
	mem_deref(other);
	mem_deref(w);
	sip_close(sip, true);
	mem_deref(sip);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(libre_sip_transport_accepts_through_us),
	};
	int r;

	libre_init();
	r = cmocka_run_group_tests(tests, NULL, NULL);
	libre_close();
	return r;
}
