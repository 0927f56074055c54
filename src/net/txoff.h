/* txoff.h — sends done by a second thread (txoff.c), so that the one
 * event loop is not the only core writing media. The owner keeps its
 * socket and its libre object for everything else (receiving, closing);
 * the thread writes through its own duplicate of the descriptor, in the
 * order the owner handed the bytes over. Knows nothing of RTP, WebSocket
 * or the media tick. */
#ifndef ARIADNE_NET_TXOFF_H
#define ARIADNE_NET_TXOFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

struct sa;
struct txoff_sock;

/* Start the thread (the loop's thread, once). Returns an errno value;
 * without the thread every txoff_sock_open() answers NULL and owners
 * send as before. */
int txoff_start(void);
/* Write what is queued, then end the thread. */
void txoff_stop(void);
bool txoff_running(void);

/* Hand `fd` to the thread: a datagram socket (stream false: each send one
 * datagram to its own address) or a connected stream (bytes in order; what
 * the kernel does not take at once is kept and retried). NULL when the
 * thread is not running or fd cannot be duplicated. */
struct txoff_sock *txoff_sock_open(int fd, bool stream);
/* The owner is done: what it queued still goes out (a stream's for up to
 * 2 s), then, with fin, the stream is half-closed (its FIN follows the
 * last byte), and the thread closes its descriptor. ts must not be used
 * after this. */
void txoff_sock_close(struct txoff_sock *ts, bool fin);

/* Queue the iovecs as one datagram to dst, or (dst NULL) as bytes of the
 * stream. ENOBUFS when the thread is too far behind (a datagram is then
 * dropped; the stream owner should give up on its peer); EPIPE once the
 * stream's peer is gone. */
int txoff_sendv(struct txoff_sock *ts, const struct sa *dst,
		const struct iovec *iov, int iovcnt);
/* Stream bytes queued and not yet taken by the kernel. */
size_t txoff_queued(const struct txoff_sock *ts);
/* The stream's peer is gone (the kernel refused to send). */
bool txoff_failed(const struct txoff_sock *ts);

/* Between hold and release (one media tick) sends are gathered and handed
 * over in large batches; outside, every send is handed over at once. */
void txoff_hold(void);
void txoff_release(void);
/* Inside a hold: what is sent from now on is written no earlier than
 * at_us (CLOCK_MONOTONIC, in µs), so that a tick the loop came to late
 * still leaves on time (the media clock's pacing); 0: at once. What was
 * handed over before it still goes first: order is never changed. Ends
 * with the hold. */
void txoff_pace(uint64_t at_us);

/* Datagrams the thread could not send or was too far behind to take. */
unsigned long long txoff_dropped(void);

#endif
