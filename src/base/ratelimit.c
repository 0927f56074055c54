/* ratelimit.c — at most so many of something a second, counted by the
 * second of the loop's clock; what goes over is counted, not queued. */
#include <stdint.h>
#include <stdbool.h>
#include <re_types.h>
#include <re_fmt.h>
#include <re_list.h>
#include <re_tmr.h>
#include "base/ratelimit.h"

bool ratelimit_allow(struct ratelimit *rl, unsigned per_s,
		     unsigned *left_out)
{
	uint64_t now = tmr_jiffies() / 1000;

	if (now != rl->second) {
		rl->second = now;
		rl->used = 0;
	}
	if (rl->used >= per_s) {
		rl->left_out++;
		return false;
	}
	rl->used++;
	*left_out = rl->left_out;
	rl->left_out = 0;
	return true;
}
