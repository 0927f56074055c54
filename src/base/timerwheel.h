/* timerwheel.h — introspection of the timer wheel that replaces libre's timer
 * list (timerwheel.c defines libre's tmr_* API itself; nothing else to call). */
#ifndef ARIADNE_CORE_TIMERWHEEL_H
#define ARIADNE_CORE_TIMERWHEEL_H

#include <stdint.h>

/* Running timers (libre's and ours): lets tests prove that libre's own timers
 * land in the wheel, i.e. that the interposition is real. */
uint32_t timerwheel_count(void);

#endif
