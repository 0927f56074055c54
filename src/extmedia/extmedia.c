/* extmedia.c — start and stop of external media: the configuration, then
 * the three technologies (WebSocket/, AudioSocket/, UnicastRTP/). */
#include <errno.h>
#include <re_types.h>
#include <re_list.h>
#include <re_mbuf.h>
#include "extmedia/em_int.h"
#include "extmedia/extmedia.h"

int extmedia_init(const char *confdir)
{
	int err = em_conf_load(confdir);

	if (!err)
		err = em_ws_init();
	if (!err)
		err = em_as_init();
	if (!err)
		err = em_rtp_init();
	return err;
}

void extmedia_close(void)
{
	em_as_close();
	em_ws_close();
	em_conf_close();
}
