/* memtrim.h — hand freed memory back to the kernel at a steady pace, so
 * that the resident size of a long-running server follows its live heap. */
#ifndef ARIADNE_MEMTRIM_H
#define ARIADNE_MEMTRIM_H

/* Trim every `interval_s` seconds from now on (0: never). */
void memtrim_start(unsigned interval_s);
void memtrim_stop(void);

#endif
