/* ws_frame.c — the pure parts of the WebSocket protocol (RFC 6455): the
 * handshake's accept key and the frame header, both directions, with the
 * masking a client applies. No sockets and no state here: connections are
 * ws_conn.c's, and nothing in this file knows about ARI. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <re_types.h>
#include <re_fmt.h>
#include <re_base64.h>
#include "net/ws_frame.h"

/* ---- SHA-1 (RFC 3174), only for Sec-WebSocket-Accept ---- */

#define ROL(v, n) (((v) << (n)) | ((v) >> (32 - (n))))

static void sha1_block(uint32_t h[5], const uint8_t *p)
{
	uint32_t w[80], a, b, c, d, e, t;

	for (int i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		       (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (int i = 16; i < 80; i++)
		w[i] = ROL(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
	a = h[0]; b = h[1]; c = h[2]; d = h[3]; e = h[4];
	for (int i = 0; i < 80; i++) {
		uint32_t f, k;

		if (i < 20) { f = (b & c) | (~b & d); k = 0x5a827999; }
		else if (i < 40) { f = b ^ c ^ d; k = 0x6ed9eba1; }
		else if (i < 60) { f = (b & c) | (b & d) | (c & d); k = 0x8f1bbcdc; }
		else { f = b ^ c ^ d; k = 0xca62c1d6; }
		t = ROL(a, 5) + f + e + k + w[i];
		e = d; d = c; c = ROL(b, 30); b = a; a = t;
	}
	h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e;
}

static void sha1(const uint8_t *data, size_t len, uint8_t out[20])
{
	uint32_t h[5] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476,
			 0xc3d2e1f0};
	uint8_t blk[64];
	size_t i, rem;
	uint64_t bits = (uint64_t)len * 8;

	for (i = 0; i + 64 <= len; i += 64)
		sha1_block(h, data + i);
	rem = len - i;
	memset(blk, 0, sizeof(blk));
	memcpy(blk, data + i, rem);
	blk[rem] = 0x80;
	if (rem >= 56) {
		sha1_block(h, blk);
		memset(blk, 0, sizeof(blk));
	}
	for (int j = 0; j < 8; j++)
		blk[63 - j] = (uint8_t)(bits >> (8 * j));
	sha1_block(h, blk);
	for (int j = 0; j < 5; j++) {
		out[4 * j] = (uint8_t)(h[j] >> 24);
		out[4 * j + 1] = (uint8_t)(h[j] >> 16);
		out[4 * j + 2] = (uint8_t)(h[j] >> 8);
		out[4 * j + 3] = (uint8_t)h[j];
	}
}

/* RFC 6455 4.2.2: base64(SHA-1(key + GUID)) */
int ws_accept_key(const char *key, char *out, size_t size)
{
	char buf[128];
	uint8_t dig[20];
	size_t olen = size - 1;
	int n;

	n = snprintf(buf, sizeof(buf), "%s258EAFA5-E914-47DA-95CA-C5AB0DC85B11",
		     key);
	if (n < 0 || (size_t)n >= sizeof(buf))
		return EINVAL;
	sha1((const uint8_t *)buf, (size_t)n, dig);
	if (base64_encode(dig, sizeof(dig), out, &olen))
		return EINVAL;
	out[olen] = '\0';
	return 0;
}

/* ---- frames (RFC 6455 5.2) ---- */

bool ws_frame_decode(struct ws_frame *f, const uint8_t *b, size_t n)
{
	uint64_t len;
	size_t hl = 2;

	if (n < 2)
		return false;
	len = b[1] & 0x7f;
	if (len == 126)
		hl += 2;
	else if (len == 127)
		hl += 8;
	if (b[1] & 0x80)
		hl += 4;
	if (n < hl)
		return false;
	if (len == 126) {
		len = (uint64_t)b[2] << 8 | b[3];
	}
	else if (len == 127) {
		len = 0;
		for (int i = 0; i < 8; i++)
			len = len << 8 | b[2 + i];
	}
	f->fin = b[0] & 0x80;
	f->rsv = b[0] & 0x70;
	f->op = b[0] & 0x0f;
	f->masked = b[1] & 0x80;
	if (f->masked)
		memcpy(f->key, b + hl - 4, 4);
	f->len = len;
	f->hlen = hl;
	return true;
}

size_t ws_frame_encode(uint8_t hdr[WS_FRAME_HEAD_MAX], enum ws_opcode op,
		       uint64_t len, const uint8_t *mask)
{
	size_t hl = 2;

	hdr[0] = 0x80 | op;
	if (len < 126) {
		hdr[1] = (uint8_t)len;
	}
	else if (len <= 0xffff) {
		hdr[1] = 126;
		hdr[2] = (uint8_t)(len >> 8);
		hdr[3] = (uint8_t)len;
		hl = 4;
	}
	else {
		hdr[1] = 127;
		for (int i = 0; i < 8; i++)
			hdr[2 + i] = (uint8_t)(len >> (56 - 8 * i));
		hl = 10;
	}
	if (mask) {
		hdr[1] |= 0x80;
		memcpy(hdr + hl, mask, 4);
		hl += 4;
	}
	return hl;
}

/* Eight bytes at a time: every frame a bot sends is masked, 25 000 of
 * them a second at 500 calls, and byte by byte this loop was the busiest
 * of ariadne's own in the media thread's profile. */
void ws_frame_mask(uint8_t *p, uint64_t len, const uint8_t key[4])
{
	uint8_t k8[8];
	uint64_t w, kw, i = 0;

	for (int j = 0; j < 8; j++)
		k8[j] = key[j & 3];
	memcpy(&kw, k8, 8);
	for (; i + 8 <= len; i += 8) {
		memcpy(&w, p + i, 8);
		w ^= kw;
		memcpy(p + i, &w, 8);
	}
	for (; i < len; i++)
		p[i] ^= key[i & 3];
}
