/* fuzz_ws_frame.c — the WebSocket frame decoder and the connection that
 * reads frames (src/net/ws_frame.c, src/net/ws_conn.c), fed what a peer
 * sends after the handshake: the input's first byte chooses the side
 * (bit 0 set: we dialled, as src/extmedia's client does, so the peer's
 * frames need not be masked) and the size of each read (the other bits;
 * 0: all at once), the rest is the byte stream. Frames split anywhere,
 * masked or not, fragmented, interleaved with pings and closes, with
 * reserved bits and opcodes and 64-bit lengths, go through
 * ws_frame_decode, unmasking, joining and the close handshake; every
 * message is echoed back, as the events socket answers REST requests.
 *
 * Why: both the ARI events socket and media WebSockets are served by this
 * code, and a frame header is the first thing a peer controls after the
 * upgrade. fuzz_http reaches it too, behind an HTTP request; here the
 * whole input is frames.
 *
 * Checked on the way: ws_frame_encode's headers decode to what was
 * encoded; each frame we send is whole and masked exactly when we are the
 * client; after the close, nothing holds the TCP connection any more. */
#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <re_types.h>
#include <re_fmt.h>
#include <re_mem.h>
#include <re_mbuf.h>
#include <re_list.h>
#include <re_sa.h>
#include <re_tcp.h>
#include <re_tmr.h>
#include <re_main.h>
#include "fuzz.h"
#include "fake_tcp.h"
#include "net/linger.h"
#include "net/ws_conn.h"
#include "net/ws_frame.h"

static struct {
	struct ws_conn *wc;   /* NULL once the close handler let go of it */
	bool client;
} st;

static void sent_h(struct tcp_conn *tc, const uint8_t *p, size_t n)
{
	struct ws_frame f;

	(void)tc;
	/* RFC 6455 5.1: a client masks every frame, a server none */
	if (!ws_frame_decode(&f, p, n) || f.hlen + f.len != n ||
	    f.masked != st.client || !f.fin || f.rsv)
		abort();
}

static void recv_h(bool binary, const char *data, size_t len, void *arg)
{
	(void)arg;
	(void)ws_conn_send(st.wc, binary, data, len);
}

static void close_h(void *arg)
{
	(void)arg;
	st.wc = mem_deref(st.wc);
}

/* Encode a header for a length taken from the input and decode it back. */
static void check_encode(const uint8_t *data, size_t size)
{
	static const uint8_t key[4] = {1, 2, 3, 4};
	uint8_t hdr[WS_FRAME_HEAD_MAX];
	struct ws_frame f;
	uint64_t len = 0;
	size_t hl;

	for (size_t i = 0; i < size && i < 8; i++)
		len = len << 8 | data[i];
	len >>= size < 8 ? 0 : (data[0] & 63);
	hl = ws_frame_encode(hdr, WS_OP_BIN, len, st.client ? key : NULL);
	if (hl > sizeof(hdr) || !ws_frame_decode(&f, hdr, hl) ||
	    f.hlen != hl || f.len != len || f.op != WS_OP_BIN || !f.fin ||
	    f.masked != st.client || (f.masked && memcmp(f.key, key, 4)))
		abort();
	/* and one byte short is never a whole header */
	if (ws_frame_decode(&f, hdr, hl - 1))
		abort();
}

/* Sec-WebSocket-Key as a client sends it (any bytes up to the NUL). */
static void check_accept_key(const uint8_t *data, size_t size)
{
	char key[96], out[64];
	size_t n = size < sizeof(key) - 1 ? size : sizeof(key) - 1;

	memcpy(key, data, n);
	key[n] = '\0';
	if (!ws_accept_key(key, out, sizeof(out)) && strlen(out) != 28)
		abort();  /* base64 of a SHA-1 */
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_libre_init();
	fake_tcp.senth = sent_h;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tcp_conn *tc = NULL;
	struct ws_frame f;

	if (!size)
		return 0;
	st.client = data[0] & 1;
	check_encode(data + 1, size - 1);
	check_accept_key(data + 1, size - 1);
	(void)ws_frame_decode(&f, data + 1, size - 1);

	FUZZ_CHECK(fake_tcp_conn_alloc(&tc) == 0);
	/* the ws_conn takes a reference; the harness keeps its own */
	FUZZ_CHECK(ws_conn_alloc(&st.wc, mem_ref(tc), recv_h, close_h,
				 NULL) == 0);
	if (st.client)
		ws_conn_set_client(st.wc);
	fake_tcp_feed(tc, data + 1, size - 1, data[0] >> 1);
	if (st.wc) {
		/* the owner is done with it: close handshake, no close_h */
		ws_conn_close(st.wc, 1000, NULL);
		st.wc = mem_deref(st.wc);
	}
	fuzz_run_deferred();
	linger_close_all();
	if (mem_nrefs(tc) != 1)
		abort();  /* something still holds the connection */
	mem_deref(tc);
	return 0;
}
