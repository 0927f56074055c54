/* random.c — REPLACES libre's rand_u16, rand_u32, rand_u64 and rand_bytes
 * (as base/timerwheel.c replaces its tmr_*): same cryptographic source,
 * OpenSSL's RAND_bytes, but drawn 512 bytes at a time instead of 4.
 *
 * Why: libre 1.1.0 calls RAND_bytes once per rand_u32, and it calls
 * rand_u32 a lot: twice per SIP message parsed (sip_msg_decode's tag),
 * for every branch, tag, Call-ID, CSeq, SSRC, RTP sequence, RTP port try
 * and RTCP interval. Each RAND_bytes goes through OpenSSL's provider and
 * locking, sometimes into the kernel: 9 % of ariadne's CPU at 1 000 SIP
 * calls/s (bench/PROFILE.md, "Random numbers"). From a buffer, a draw is a
 * copy.
 *
 * How: this file DEFINES the functions libre exports; libre calls them
 * through its PLT (objdump -R libre.so.0 shows JUMP_SLOT relocations for
 * rand_u16, rand_u32, rand_u64 and rand_bytes), so its own calls and ours
 * land here. rand_str and rand_char stay libre's and call rand_bytes /
 * rand_u32 through the PLT as well. tests/unit/test_random.c pins that.
 *
 * The buffer is per thread (the send thread and libraries' threads may
 * draw too) and bytes are wiped as they are handed out, so a value that
 * became a nonce or a tag is not left lying in memory. ariadne never
 * forks without exec, so a child never replays the parent's buffer. */
#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <openssl/rand.h>
#include <re_types.h>
#include <re_sys.h>
#include "base/log.h"
#include "base/random.h"

enum { POOL = 512 };

static _Thread_local struct {
	uint8_t buf[POOL];
	size_t left;            /* unused bytes at the end of buf */
	uint64_t served;
} pool;

static void refill(void)
{
	if (RAND_bytes(pool.buf, POOL) <= 0) {
		/* OpenSSL's DRBG failing is not expected once seeded; say
		 * so rather than hand out zeros silently. */
		log_error("random: RAND_bytes failed; random values are "
			  "not random");
		memset(pool.buf, 0, POOL);
	}
	pool.left = POOL;
}

void rand_bytes(uint8_t *p, size_t size)
{
	if (!p)
		return;
	if (size > POOL) {      /* big asks go straight to the source */
		if (RAND_bytes(p, (int)size) <= 0)
			log_error("random: RAND_bytes failed");
		pool.served += size;
		return;
	}
	while (size) {
		size_t n;
		uint8_t *src;

		if (!pool.left)
			refill();
		n = size < pool.left ? size : pool.left;
		src = pool.buf + POOL - pool.left;
		memcpy(p, src, n);
		memset(src, 0, n);
		pool.left -= n;
		pool.served += n;
		p += n;
		size -= n;
	}
}

uint32_t rand_u32(void)
{
	uint32_t v;

	rand_bytes((uint8_t *)&v, sizeof(v));
	return v;
}

uint16_t rand_u16(void)
{
	uint16_t v;

	rand_bytes((uint8_t *)&v, sizeof(v));
	return v;
}

uint64_t rand_u64(void)
{
	uint64_t v;

	rand_bytes((uint8_t *)&v, sizeof(v));
	return v;
}

uint64_t random_bytes_served(void)
{
	return pool.served;
}
