/* handlers.h — one handler per ARI operation, named ari_<resource>_<nickname>.
 * They are declared weak: an operation whose handler is not linked into the
 * binary resolves to NULL in the route table and answers 501 Not
 * implemented. Implementing an operation is therefore just defining its
 * function in the resource file; routes.c and this header stay as they are. */
#ifndef ARIADNE_ARI_HANDLERS_H
#define ARIADNE_ARI_HANDLERS_H

#include "ari/route.h"
#include "ari/request.h"

#define ARI_HANDLER(name) extern ari_handler_h name __attribute__((weak))


/* asterisk */
ARI_HANDLER(ari_asterisk_get_object);
ARI_HANDLER(ari_asterisk_update_object);
ARI_HANDLER(ari_asterisk_delete_object);
ARI_HANDLER(ari_asterisk_get_info);
ARI_HANDLER(ari_asterisk_ping);
ARI_HANDLER(ari_asterisk_list_modules);
ARI_HANDLER(ari_asterisk_get_module);
ARI_HANDLER(ari_asterisk_load_module);
ARI_HANDLER(ari_asterisk_unload_module);
ARI_HANDLER(ari_asterisk_reload_module);
ARI_HANDLER(ari_asterisk_list_log_channels);
ARI_HANDLER(ari_asterisk_add_log);
ARI_HANDLER(ari_asterisk_delete_log);
ARI_HANDLER(ari_asterisk_rotate_log);
ARI_HANDLER(ari_asterisk_get_global_var);
ARI_HANDLER(ari_asterisk_set_global_var);

/* endpoints */
ARI_HANDLER(ari_endpoints_list);
ARI_HANDLER(ari_endpoints_send_message);
ARI_HANDLER(ari_endpoints_refer);
ARI_HANDLER(ari_endpoints_list_by_tech);
ARI_HANDLER(ari_endpoints_get);
ARI_HANDLER(ari_endpoints_send_message_to_endpoint);
ARI_HANDLER(ari_endpoints_refer_to_endpoint);

/* channels */
ARI_HANDLER(ari_channels_list);
ARI_HANDLER(ari_channels_originate);
ARI_HANDLER(ari_channels_create);
ARI_HANDLER(ari_channels_get);
ARI_HANDLER(ari_channels_originate_with_id);
ARI_HANDLER(ari_channels_hangup);
ARI_HANDLER(ari_channels_continue);
ARI_HANDLER(ari_channels_move);
ARI_HANDLER(ari_channels_redirect);
ARI_HANDLER(ari_channels_answer);
ARI_HANDLER(ari_channels_ring);
ARI_HANDLER(ari_channels_ring_stop);
ARI_HANDLER(ari_channels_progress);
ARI_HANDLER(ari_channels_send_dtmf);
ARI_HANDLER(ari_channels_mute);
ARI_HANDLER(ari_channels_unmute);
ARI_HANDLER(ari_channels_hold);
ARI_HANDLER(ari_channels_unhold);
ARI_HANDLER(ari_channels_start_moh);
ARI_HANDLER(ari_channels_stop_moh);
ARI_HANDLER(ari_channels_start_silence);
ARI_HANDLER(ari_channels_stop_silence);
ARI_HANDLER(ari_channels_play);
ARI_HANDLER(ari_channels_play_with_id);
ARI_HANDLER(ari_channels_record);
ARI_HANDLER(ari_channels_get_var);
ARI_HANDLER(ari_channels_set_var);
ARI_HANDLER(ari_channels_get_channel_vars);
ARI_HANDLER(ari_channels_set_channel_vars);
ARI_HANDLER(ari_channels_snoop_channel);
ARI_HANDLER(ari_channels_snoop_channel_with_id);
ARI_HANDLER(ari_channels_dial);
ARI_HANDLER(ari_channels_rtpstatistics);
ARI_HANDLER(ari_channels_external_media);
ARI_HANDLER(ari_channels_transfer_progress);

/* bridges */
ARI_HANDLER(ari_bridges_list);
ARI_HANDLER(ari_bridges_create);
ARI_HANDLER(ari_bridges_create_with_id);
ARI_HANDLER(ari_bridges_get);
ARI_HANDLER(ari_bridges_destroy);
ARI_HANDLER(ari_bridges_get_bridge_var);
ARI_HANDLER(ari_bridges_set_bridge_var);
ARI_HANDLER(ari_bridges_get_bridge_vars);
ARI_HANDLER(ari_bridges_set_bridge_vars);
ARI_HANDLER(ari_bridges_add_channel);
ARI_HANDLER(ari_bridges_remove_channel);
ARI_HANDLER(ari_bridges_set_video_source);
ARI_HANDLER(ari_bridges_clear_video_source);
ARI_HANDLER(ari_bridges_start_moh);
ARI_HANDLER(ari_bridges_stop_moh);
ARI_HANDLER(ari_bridges_play);
ARI_HANDLER(ari_bridges_play_with_id);
ARI_HANDLER(ari_bridges_record);

/* recordings */
ARI_HANDLER(ari_recordings_list_stored);
ARI_HANDLER(ari_recordings_get_stored);
ARI_HANDLER(ari_recordings_delete_stored);
ARI_HANDLER(ari_recordings_get_stored_file);
ARI_HANDLER(ari_recordings_copy_stored);
ARI_HANDLER(ari_recordings_get_live);
ARI_HANDLER(ari_recordings_cancel);
ARI_HANDLER(ari_recordings_stop);
ARI_HANDLER(ari_recordings_pause);
ARI_HANDLER(ari_recordings_unpause);
ARI_HANDLER(ari_recordings_mute);
ARI_HANDLER(ari_recordings_unmute);

/* sounds */
ARI_HANDLER(ari_sounds_list);
ARI_HANDLER(ari_sounds_get);

/* playbacks */
ARI_HANDLER(ari_playbacks_get);
ARI_HANDLER(ari_playbacks_stop);
ARI_HANDLER(ari_playbacks_control);

/* deviceStates */
ARI_HANDLER(ari_device_states_list);
ARI_HANDLER(ari_device_states_get);
ARI_HANDLER(ari_device_states_update);
ARI_HANDLER(ari_device_states_delete);

/* mailboxes */
ARI_HANDLER(ari_mailboxes_list);
ARI_HANDLER(ari_mailboxes_get);
ARI_HANDLER(ari_mailboxes_update);
ARI_HANDLER(ari_mailboxes_delete);

/* events */
ARI_HANDLER(ari_events_user_event);
ARI_HANDLER(ari_events_claim_channel);

/* applications */
ARI_HANDLER(ari_applications_list);
ARI_HANDLER(ari_applications_get);
ARI_HANDLER(ari_applications_subscribe);
ARI_HANDLER(ari_applications_unsubscribe);
ARI_HANDLER(ari_applications_filter);

#endif
