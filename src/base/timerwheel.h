/* timerwheel.h — introspection of the timer wheel. The wheel itself is used
 * through libre's own tmr_* API, which timerwheel.c defines in libre's place
 * (see the top of that file); nothing else here to call. */
#ifndef ARIADNE_BASE_TIMERWHEEL_H
#define ARIADNE_BASE_TIMERWHEEL_H

#include <stdint.h>

/* Running timers (libre's and ours): lets tests prove that libre's own timers
 * land in the wheel, i.e. that the interposition is real. */
uint32_t timerwheel_count(void);

#endif
