/* media_priv.h — the glue between the files of src/media that nobody else
 * needs: the tick, the per-channel walk, the port range and the dialplan
 * applications of apps_rtp.c. Internal to src/media. */
#ifndef ARIADNE_MEDIA_PRIV_H
#define ARIADNE_MEDIA_PRIV_H

#include <stdint.h>

struct media_chan;
struct media_session;

/* tick.c */
int media_tick_start(void);
void media_tick_stop(void);

/* media_chan.c: the hangup hook that frees a channel's media state */
int media_chan_init(void);
void media_chan_close(void);
void media_chan_run(struct media_chan *mc, uint64_t now);
void media_chan_foreach_tick(uint64_t now);

/* session.c: the range RTP sessions take their ports from (ariadne.conf
 * [options] rtpstart/rtpend, checked by media.c). */
void media_session_port_range(uint16_t min, uint16_t max);

/* apps_rtp.c: Echo, SendDTMF. */
int media_apps_rtp_init(void);
void media_apps_rtp_close(void);

#endif
