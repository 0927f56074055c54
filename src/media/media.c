/* media.c — placeholder until the media module lands. */
#include <stddef.h>
#include "media/media.h"

int media_init(const struct config *cfg)
{
	(void)cfg;
	return 0;
}

void media_close(void)
{
}
