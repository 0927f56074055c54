/* media_ws.c — GET /media/<connection id> on the HTTP server: the peer of
 * a WebSocket media channel created with connection_type=server connects
 * here (subprotocol "media", required), as to Asterisk's chan_websocket. It is not
 * below /ari and asks for no ARI credentials, as in Asterisk: the
 * connection id, a random uuid given only to the app, is the key. What the
 * socket carries is src/extmedia's. */
#include <errno.h>
#include <string.h>
#include <jansson.h>
#include <re_types.h>
#include <re_mem.h>
#include <re_mbuf.h>
#include "ari/media_ws.h"
#include "ari/request.h"
#include "ari/ws_upgrade.h"
#include "base/log.h"
#include "extmedia/extmedia.h"

void ari_media_ws(struct ari_req *req, struct ari_resp *resp, const char *id)
{
	struct ws_conn *wc = NULL;
	struct mbuf *rest = NULL;
	struct em_ws *w = NULL;

	if (strcmp(ari_req_method(req), "GET")) {
		ari_resp_error(resp, 501, "Not Implemented");
		return;
	}
	switch (extmedia_ws_incoming(&w, id)) {
	case 0:
		break;
	case EALREADY:
		ari_resp_error(resp, 409, "Another websocket connection exists "
			       "for this connection id");
		return;
	default:
		ari_resp_error(resp, 404, "WebSocket instance not found");
		return;
	}
	/* The subprotocol is required here (Asterisk let a peer offer none):
	 * a client of some other protocol must not be taken for a bot. */
	if (!ari_req_header(req, "Sec-WebSocket-Protocol")) {
		ari_resp_error(resp, 400, "The media WebSocket needs the "
			       "subprotocol 'media'");
		return;
	}
	if (ari_ws_accept(&wc, &rest, req, resp, "media", extmedia_ws_recv,
			  extmedia_ws_closed, w))
		return;
	extmedia_ws_connected(w, wc, rest);
	mem_deref(rest);
}
