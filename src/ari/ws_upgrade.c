/* ws_upgrade.c — the server side of the WebSocket handshake (RFC 6455
 * 4.2) on an ARI HTTP request: the checks of the client's headers, the 101
 * reply, and the connection taken from the HTTP server to become a
 * ws_conn. Knows which subprotocol the caller speaks, not what it means:
 * the events socket speaks "ari", the media socket will speak "media". */
#include <errno.h>
#include <stdint.h>
#include <stdbool.h>
#include <string.h>
#include <re_types.h>
#include <re_fmt.h>
#include <re_mem.h>
#include <re_mbuf.h>
#include <re_tcp.h>
#include "ari/http_params.h"
#include "ari/request.h"
#include "net/ws_frame.h"
#include "ari/ws_upgrade.h"
#include "base/log.h"
#include "net/tcp_tls.h"

/* RFC 6455 4.2.1 checks of the client's handshake; false with the refusal
 * given through resp. The accept key goes to `accept`. */
static bool handshake_ok(const struct ari_req *req, struct ari_resp *resp,
			 const char *proto, char *accept, size_t size)
{
	const char *upgrade = ari_req_header(req, "Upgrade");
	const char *version = ari_req_header(req, "Sec-WebSocket-Version");
	const char *key = ari_req_header(req, "Sec-WebSocket-Key");
	const char *want = ari_req_header(req, "Sec-WebSocket-Protocol");

	if (!http_token_list_has(upgrade, "websocket")) {
		ari_resp_header(resp, "Upgrade: websocket");
		ari_resp_error(resp, 426, "Upgrade Required");
		return false;
	}
	if (!version || strcmp(version, "13")) {
		ari_resp_header(resp, "Sec-WebSocket-Version: 13");
		ari_resp_error(resp, 426, "Unsupported WebSocket version");
		return false;
	}
	if (!key || strlen(key) != 24 || ws_accept_key(key, accept, size)) {
		ari_resp_error(resp, 400, "Invalid Sec-WebSocket-Key");
		return false;
	}
	if (want && !http_token_list_has(want, proto)) {
		ari_resp_error(resp, 400, "No matching WebSocket protocol");
		return false;
	}
	return true;
}

static int send_switching(struct tcp_conn *tc, const char *accept,
			  const char *proto)
{
	struct mbuf *mb = mbuf_alloc(256);
	int err;

	if (!mb)
		return ENOMEM;
	err = mbuf_printf(mb, "HTTP/1.1 101 Switching Protocols\r\n"
			  "Upgrade: websocket\r\n"
			  "Connection: Upgrade\r\n"
			  "Sec-WebSocket-Accept: %s\r\n", accept);
	if (proto)
		err |= mbuf_printf(mb, "Sec-WebSocket-Protocol: %s\r\n",
				   proto);
	err |= mbuf_write_str(mb, "\r\n");
	mb->pos = 0;
	if (!err)
		err = tcp_send(tc, mb);
	mem_deref(mb);
	return err;
}

int ari_ws_accept(struct ws_conn **wcp, struct mbuf **restp,
		  struct ari_req *req, struct ari_resp *resp,
		  const char *proto, ws_recv_h *recvh, ws_close_h *closeh,
		  void *arg)
{
	char accept[64];
	struct tcp_conn *tc;
	int err;

	*restp = NULL;
	if (!handshake_ok(req, resp, proto, accept, sizeof(accept)))
		return EPROTO;
	tc = ari_resp_detach(resp, restp);
	if (!tc)
		return ENOTCONN;
	err = send_switching(tc, accept, ari_req_header(
				     req, "Sec-WebSocket-Protocol") ? proto : NULL);
	if (!err)
		err = ws_conn_alloc(wcp, tc, recvh, closeh, arg);
	if (err) {
		log_warning("WebSocket handshake with '%s' failed: %s",
			    ari_req_peer(req), strerror(err));
		tcp_tls_release(tc);
		*restp = mem_deref(*restp);
		return err;
	}
	log_verbose(2, "WebSocket connection from '%s' for protocol '%s' "
		    "accepted using version '13'", ari_req_peer(req), proto);
	return 0;
}
