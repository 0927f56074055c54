/* sip.c — placeholder until the SIP module lands: no transports, no
 * endpoints. */
#include <stddef.h>
#include "sip/sip.h"

int sip_init(const struct config *pjsip)
{
	(void)pjsip;
	return 0;
}

void sip_close(void)
{
}
