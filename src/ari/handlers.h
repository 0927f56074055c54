/* handlers.h — the ARI operation handlers implemented so far; routes.c points
 * the table at them. An operation whose handler is NULL answers 501. */
#ifndef ARIADNE_ARI_HANDLERS_H
#define ARIADNE_ARI_HANDLERS_H

#include "ari/route.h"

/* asterisk */
ari_handler_h ari_asterisk_get_info;
ari_handler_h ari_asterisk_ping;
ari_handler_h ari_asterisk_get_global_var;
ari_handler_h ari_asterisk_set_global_var;

/* applications */
ari_handler_h ari_applications_list;
ari_handler_h ari_applications_get;

/* channels */
ari_handler_h ari_channels_list;
ari_handler_h ari_channels_originate;
ari_handler_h ari_channels_originate_with_id;
ari_handler_h ari_channels_create;
ari_handler_h ari_channels_get;
ari_handler_h ari_channels_hangup;
ari_handler_h ari_channels_answer;
ari_handler_h ari_channels_ring;
ari_handler_h ari_channels_ring_stop;
ari_handler_h ari_channels_continue;
ari_handler_h ari_channels_move;
ari_handler_h ari_channels_get_var;
ari_handler_h ari_channels_set_var;

#endif
