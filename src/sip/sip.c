/* sip.c — the SIP module's public face for main.c (named sip_module_* so
 * that it cannot collide with libre's own sip_close()). */
#include <stdint.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stddef.h>
#include <re_types.h>
#include <re_list.h>
#include <re_sa.h>
#include "sip/sip.h"
#include "sip/sip_int.h"

int sip_module_init(const struct config *pjsip)
{
	return sip_stack_start(pjsip);
}

void sip_module_close(void)
{
	sip_stack_stop();
}
