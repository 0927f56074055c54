/* ws_frame.h — the pure parts of the WebSocket protocol (ws_frame.c): the
 * handshake key and frame headers. Knows nothing of connections or ARI. */
#ifndef ARIADNE_NET_WS_FRAME_H
#define ARIADNE_NET_WS_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum ws_opcode {
	WS_OP_CONT  = 0x0,
	WS_OP_TEXT  = 0x1,
	WS_OP_BIN   = 0x2,
	WS_OP_CLOSE = 0x8,   /* 0x8 and up: control frames (RFC 6455 5.5) */
	WS_OP_PING  = 0x9,
	WS_OP_PONG  = 0xa,
};

enum { WS_FRAME_HEAD_MAX = 14 };

/* A frame's header as it was on the wire. */
struct ws_frame {
	bool fin;
	uint8_t rsv;        /* RSV1-3 bits; must be 0 without an extension */
	uint8_t op;         /* an ws_opcode, or a value RFC 6455 reserves */
	bool masked;
	uint8_t key[4];     /* the masking key, when masked */
	uint64_t len;       /* payload length */
	size_t hlen;        /* header length: the payload starts there */
};

/* RFC 6455 4.2.2: Sec-WebSocket-Accept for the client's key. */
int ws_accept_key(const char *key, char *out, size_t size);

/* The header at the start of b; false while b holds less than all of it. */
bool ws_frame_decode(struct ws_frame *f, const uint8_t *b, size_t n);
/* Write the header of a whole (FIN) frame carrying `len` bytes; returns its
 * length. mask: NULL for a server (RFC 6455 5.1: only clients mask), else
 * the key, which the caller then applies to the payload with
 * ws_frame_mask(). */
size_t ws_frame_encode(uint8_t hdr[WS_FRAME_HEAD_MAX], enum ws_opcode op,
		       uint64_t len, const uint8_t *mask);
/* Mask or unmask (the same XOR) `len` bytes with the frame's key. */
void ws_frame_mask(uint8_t *p, uint64_t len, const uint8_t key[4]);

#endif
