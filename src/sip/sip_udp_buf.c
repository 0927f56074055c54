/* sip_udp_buf.c — a large kernel receive buffer for the SIP UDP sockets,
 * and room for a whole datagram in libre's.
 *
 * Why: the loop reads SIP datagrams between media ticks and other work.
 * With the default buffer (net.core.rmem_default, about 208 KB: some 100
 * datagrams of 1–2 KB as the kernel counts them), a call storm dropped
 * tens of thousands of datagrams in the kernel (bench/README.md,
 * overload.sh): new INVITEs vanished instead of getting an answer or a 503,
 * and in-dialog requests were left to retransmission. A bigger buffer lets
 * a burst wait for the loop, where overload shedding (core/overload.h)
 * answers it. SO_RCVBUFFORCE goes past net.core.rmem_max where we may
 * (CAP_NET_ADMIN, e.g. root); otherwise SO_RCVBUF gives what rmem_max
 * allows.
 *
 * The same buffer tells how far behind the loop is: sip_udp_backlog_pct()
 * is how full it is when a new INVITE is read. A loop that turns quickly
 * but gets too little CPU for the traffic (a machine saturated by other
 * processes) is not late by maxlag, yet its queue fills until the kernel
 * drops; ariadne.conf maxbacklog sheds new calls before that
 * (core/overload.h).
 *
 * libre reads each datagram into a buffer of 8 KB (udp.c, UDP_RXSZ_DEFAULT)
 * and the kernel drops the rest: an INVITE whose SDP carries many ICE
 * candidates (WebRTC gateways), or a REGISTER with a long Path, arrived cut
 * and got a 400 or no answer at all. Asterisk builds pjproject with
 * PJSIP_MAX_PKT_LEN 32000 (third-party/pjproject/patches/config_site.h);
 * here the buffer takes the largest datagram there is (libre shrinks it to
 * what came before anything keeps it). */
#include <errno.h>
#include <linux/sock_diag.h>
#include <sys/socket.h>
#include <re_types.h>
#include <re_fmt.h>
#include <re_mem.h>
#include <re_mbuf.h>
#include <re_list.h>
#include <re_sa.h>
#include <re_udp.h>
#include <re_uri.h>
#include <re_msg.h>
#include <re_sip.h>
#include "base/log.h"
#include "sip/sip_int.h"

enum {
	SIP_UDP_RCVBUF = 4 * 1024 * 1024,
	SIP_UDP_RXSZ = 65535,   /* an IPv4 or IPv6 datagram's largest payload
	                         * is less */
};

void sip_udp_rcvbuf_grow(struct udp_sock *us)
{
	int want = SIP_UDP_RCVBUF, got = 0, fd;
	socklen_t len = sizeof(got);
	struct sa local;
	char addr[64];

	if (!us || udp_local_get(us, &local))
		return;
	fd = udp_sock_fd(us, sa_af(&local));
	if (fd < 0)
		return;
	udp_rxsz_set(us, SIP_UDP_RXSZ);
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &want, sizeof(want)))
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &want,
				 sizeof(want));
	if (getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &got, &len))
		return;
	re_snprintf(addr, sizeof(addr), "%J", &local);
	log_verbose(2, "SIP UDP socket %s: %d KB receive buffer%s", addr,
		    got / 1024, got < want ? " (raise net.core.rmem_max for "
		    "more)" : "");
}

unsigned sip_udp_backlog_pct(const struct sip_msg *msg)
{
	uint32_t mem[SK_MEMINFO_VARS];
	socklen_t len = sizeof(mem);
	int fd;

	if (!msg || msg->tp != SIP_TRANSP_UDP || !msg->sock)
		return 0;
	fd = udp_sock_fd(msg->sock, sa_af(&msg->dst));
	if (fd < 0 || getsockopt(fd, SOL_SOCKET, SO_MEMINFO, mem, &len) ||
	    len < sizeof(uint32_t) * (SK_MEMINFO_RCVBUF + 1) ||
	    !mem[SK_MEMINFO_RCVBUF])
		return 0;
	return (unsigned)((uint64_t)mem[SK_MEMINFO_RMEM_ALLOC] * 100 /
			  mem[SK_MEMINFO_RCVBUF]);
}
