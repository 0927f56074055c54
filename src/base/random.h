/* random.h — libre's rand_* served from a buffer (see random.c). Code calls
 * libre's rand_u32, rand_bytes and friends as usual; this only counts. */
#ifndef ARIADNE_BASE_RANDOM_H
#define ARIADNE_BASE_RANDOM_H

#include <stdint.h>

/* Random bytes handed out so far by this thread's buffer, for tests that
 * check the interposition is real (libre's own calls come through here). */
uint64_t random_bytes_served(void);

#endif
