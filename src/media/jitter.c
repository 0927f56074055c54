/* jitter.c — a small receive buffer for one RTP stream: puts packets back in
 * sequence order, waits for a little audio before it starts playing (so
 * arrival jitter does not become gaps), skips packets that are lost, and
 * hands out exactly one 20 ms frame per tick whatever the peer's ptime.
 * Packets stay G.711 as they came (one byte per sample, so 20 ms is 160
 * bytes whatever the packet size): decoding waits until someone needs the
 * linear audio, which a relayed two-party bridge never does.
 * Not a PLC: a lost packet is played as silence. */
#include <stdint.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stddef.h>
#include <string.h>
#include <re_types.h>
#include <re_sa.h>
#include "media/session_int.h"

static uint8_t silence_byte(int codec)
{
	return codec == MEDIA_PCMA ? 0xd5 : 0xff;
}

/* Packets held before playing starts: 40 ms of cushion at 20 ms ptime. */
#define JB_PREBUF 2
/* Above this many packets queued the peer's clock runs faster than ours
 * (or a burst arrived): drop the oldest so delay does not grow forever. */
#define JB_MAX 8

void media_jb_reset(struct media_jb *jb)
{
	uint32_t lost = jb->lost, late = jb->late;

	memset(jb, 0, sizeof(*jb));
	jb->lost = lost;
	jb->late = late;
}

static int slot_of(uint16_t seq)
{
	return seq % MEDIA_JB_SLOTS;
}

/* The lowest sequence number held (in RFC 3550 wrap-around order). */
static uint16_t oldest(const struct media_jb *jb)
{
	bool have = false;
	uint16_t best = 0;

	for (int i = 0; i < MEDIA_JB_SLOTS; i++) {
		if (!jb->slot[i].used)
			continue;
		if (!have || (int16_t)(jb->slot[i].seq - best) < 0)
			best = jb->slot[i].seq;
		have = true;
	}
	return best;
}

static void drop_slot(struct media_jb *jb, int i)
{
	if (jb->slot[i].used) {
		jb->slot[i].used = false;
		jb->stored--;
	}
}

void media_jb_put(struct media_jb *jb, uint16_t seq, int codec,
		  const uint8_t *enc, size_t n)
{
	int i = slot_of(seq);

	if (n > MEDIA_JB_MAXPKT)
		n = MEDIA_JB_MAXPKT;
	if (jb->started) {
		int16_t d = (int16_t)(seq - jb->next_seq);

		if (d < 0) {
			jb->late++;
			return;
		}
		if (d >= MEDIA_JB_SLOTS) {
			/* A jump (peer restarted its sequence): start over. */
			media_jb_reset(jb);
		}
	}
	if (jb->slot[i].used && jb->slot[i].seq == seq)
		return; /* duplicate */
	drop_slot(jb, i);
	jb->slot[i].used = true;
	jb->slot[i].seq = seq;
	jb->slot[i].n = (uint16_t)n;
	jb->slot[i].codec = (int8_t)codec;
	memcpy(jb->slot[i].enc, enc, n);
	jb->stored++;

	if (!jb->started && jb->stored >= JB_PREBUF) {
		jb->started = true;
		jb->next_seq = oldest(jb);
	}
	while (jb->stored > JB_MAX) {
		int o = slot_of(jb->next_seq);

		if (jb->slot[o].used && jb->slot[o].seq == jb->next_seq)
			drop_slot(jb, o);
		jb->next_seq++;
	}
}

/* Append a packet's payload to what goes out. A peer that switches codec
 * mid-stream (rare) has the new packet converted to the codec of what is
 * already waiting, so one frame never mixes two codecs. */
static void out_append(struct media_jb *jb, int codec, const uint8_t *enc,
		       size_t k)
{
	if (!jb->out_n)
		jb->out_codec = codec;
	if (codec != jb->out_codec) {
		int16_t pcm[MEDIA_JB_MAXPKT];

		media_g711_decode(codec, enc, k, pcm);
		media_g711_encode(jb->out_codec, pcm, k, jb->out + jb->out_n);
	}
	else {
		memcpy(jb->out + jb->out_n, enc, k);
	}
	jb->out_n += k;
}

bool media_jb_get(struct media_jb *jb, uint8_t *enc, int *codec, size_t n)
{
	while (jb->started && jb->out_n < n) {
		int i = slot_of(jb->next_seq);

		if (jb->slot[i].used && jb->slot[i].seq == jb->next_seq) {
			size_t k = jb->slot[i].n;

			if (jb->out_n + k > sizeof(jb->out))
				k = sizeof(jb->out) - jb->out_n;
			out_append(jb, jb->slot[i].codec, jb->slot[i].enc, k);
			drop_slot(jb, i);
			jb->next_seq++;
		}
		else if (jb->stored >= JB_PREBUF) {
			/* Later packets are here and this one is not: lost
			 * (or too late to matter). Play 20 ms of silence. */
			size_t k = MEDIA_FRAME;

			if (!jb->out_n)
				jb->out_codec = MEDIA_PCMU;
			memset(jb->out + jb->out_n,
			       silence_byte(jb->out_codec), k);
			jb->out_n += k;
			jb->lost++;
			jb->next_seq++;
		}
		else {
			if (!jb->stored) {
				/* Ran dry: build the cushion up again. */
				jb->started = false;
			}
			break;
		}
	}
	if (jb->out_n < n)
		return false;
	memcpy(enc, jb->out, n);
	*codec = jb->out_codec;
	jb->out_n -= n;
	memmove(jb->out, jb->out + n, jb->out_n);
	return true;
}
