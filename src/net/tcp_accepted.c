/* tcp_accepted.c — a look at each TCP connection libre's listeners accept.
 *
 * Why: libre's SIP transport accepts its TCP and TLS connections itself and
 * hands no one the tcp_conn, so nothing can see the stream before libre's
 * SIP parser does (src/sip/sip_tcp_frame.c has to: the parser waits for
 * ever on bytes it cannot read). So this file defines libre's tcp_accept():
 * as base/timerwheel.c defines tmr_*, the executable's definition takes the
 * place of libre.so's for libre's own calls too. It calls libre's (found
 * with dlsym(RTLD_NEXT)), then shows the new connection to whoever watches
 * the listener's address. Connections of listeners nobody watches (ARI's
 * HTTP, AudioSocket) only cost a look at the list.
 *
 * Weak, so that a test build with a tcp_accept() of its own (the fuzz
 * targets' fake TCP) keeps that one. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdbool.h>
#include <re_types.h>
#include <re_mem.h>
#include <re_mbuf.h>
#include <re_list.h>
#include <re_sa.h>
#include <re_tcp.h>
#include "base/log.h"
#include "net/tcp_accepted.h"

struct tcp_accepted_watch {
	struct le le;
	struct sa laddr;
	tcp_accepted_h *h;
	void *arg;
};

static struct list watches;

typedef int (tcp_accept_f)(struct tcp_conn **tcp, struct tcp_sock *ts,
			   tcp_estab_h *eh, tcp_recv_h *rh, tcp_close_h *ch,
			   void *arg);

static void watch_destructor(void *arg)
{
	struct tcp_accepted_watch *w = arg;

	list_unlink(&w->le);
}

int tcp_accepted_watch(struct tcp_accepted_watch **wp, const struct sa *laddr,
		       tcp_accepted_h *h, void *arg)
{
	struct tcp_accepted_watch *w;

	if (!wp || !laddr || !h)
		return EINVAL;
	w = mem_zalloc(sizeof(*w), watch_destructor);
	if (!w)
		return ENOMEM;
	w->laddr = *laddr;
	w->h = h;
	w->arg = arg;
	list_append(&watches, &w->le, w);
	*wp = w;
	return 0;
}

__attribute__((weak))
int tcp_accept(struct tcp_conn **tcp, struct tcp_sock *ts, tcp_estab_h *eh,
	       tcp_recv_h *rh, tcp_close_h *ch, void *arg)
{
	static tcp_accept_f *libre_accept;
	struct sa laddr;
	struct le *le;
	int err;

	if (!libre_accept) {
		/* a function pointer from dlsym's void *, as POSIX allows */
		*(void **)&libre_accept = dlsym(RTLD_NEXT, "tcp_accept");
		if (!libre_accept) {
			log_error("libre's tcp_accept() not found: %s",
				  dlerror());
			return ENOSYS;
		}
	}
	err = libre_accept(tcp, ts, eh, rh, ch, arg);
	if (err || !watches.head || tcp_sock_local_get(ts, &laddr))
		return err;
	for (le = watches.head; le; le = le->next) {
		struct tcp_accepted_watch *w = le->data;

		if (sa_cmp(&w->laddr, &laddr, SA_ALL))
			w->h(*tcp, w->arg);
	}
	return 0;
}
