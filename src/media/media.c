/* media.c — placeholder until the media module lands: sessions cannot be
 * made yet (ENOSYS), so SIP calls get no media. */
#include <errno.h>
#include <stdbool.h>
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

int media_session_alloc(struct media_session **msp, struct channel *ch,
			const struct sa *laddr, const struct media_opts *opts)
{
	return ENOSYS;
}

int media_session_answer(struct media_session *ms, struct mbuf *offer,
			 struct mbuf **answerp)
{
	return ENOSYS;
}

int media_session_offer(struct media_session *ms, struct mbuf **offerp)
{
	return ENOSYS;
}

int media_session_set_answer(struct media_session *ms, struct mbuf *answer)
{
	return ENOSYS;
}

bool media_session_remote_hold(const struct media_session *ms)
{
	return false;
}

int media_session_send_digit(struct media_session *ms, char digit,
			     int duration_ms)
{
	return ENOSYS;
}

int media_session_stats(const struct media_session *ms,
			struct channel_rtp_stats *st)
{
	return ENOSYS;
}
