/* routes.c — the ARI route table: every operation of the eleven resources
 * with its parameters, error codes and handler. The router (router.c) and the
 * swagger api-docs (apidocs.c) are both made from this table. This file holds
 * data only; nothing here runs.
 *
 * Names, paths, nicknames, parameter names/types and response classes follow
 * Asterisk's rest-api/api-docs so that ari-client and ari-py work unchanged;
 * the prose is ours.
 *
 * `allowed` is a comma list of values (swagger LIST), or "MIN.." / "MIN..MAX"
 * for a numeric range (swagger RANGE). */

#include "ari/route.h"
#include "ari/handlers.h"

/* ---- parameter shorthands ---- */

#define PATH(n, d) \
	{ .name = n, .in = ARI_PATH, .type = "string", .required = true, .desc = d }
#define QUERY(n, t, d) { .name = n, .in = ARI_QUERY, .type = t, .desc = d }
#define QUERY_REQ(n, t, d) \
	{ .name = n, .in = ARI_QUERY, .type = t, .required = true, .desc = d }
#define QUERY_MULTI(n, req, d)                                           \
	{ .name = n, .in = ARI_QUERY, .type = "string", .required = req, \
	  .multi = true, .desc = d }
#define QUERY_OPT(n, t, def, allow, d)                                  \
	{ .name = n, .in = ARI_QUERY, .type = t, .allowed = allow,      \
	  .deflt = def, .desc = d }
#define BODY(n, t, req, d) \
	{ .name = n, .in = ARI_BODY, .type = t, .required = req, .desc = d }
#define END { NULL }

#define VARS_BODY(d) BODY("variables", "containers", false, d)

#define CHANNEL_ID PATH("channelId", "Channel's unique id")
#define BRIDGE_ID PATH("bridgeId", "Bridge's id")
#define PLAYBACK_ID PATH("playbackId", "Playback's id")
#define RECORDING_NAME PATH("recordingName", "Recording's name")
#define APP_NAME PATH("applicationName", "Application's name")
#define TECH PATH("tech", "Channel technology of the endpoint (e.g. PJSIP)")
#define RESOURCE PATH("resource", "Endpoint's resource name")
#define DEVICE_NAME PATH("deviceName", "Device's name")
#define MAILBOX_NAME PATH("mailboxName", "Mailbox's name")
#define MODULE_NAME PATH("moduleName", "Module file name (e.g. res_foo.so)")
#define LOG_CHANNEL PATH("logChannelName", "Log channel (file) name")

#define DTMF_TERMINATORS "none,any,*,#"
#define IF_EXISTS "fail,overwrite,append"
#define SNOOP_DIRS "none,both,out,in"
#define MUTE_DIRS "both,in,out"
#define HANGUP_REASONS                                                  \
	"normal,busy,congestion,no_answer,timeout,rejected,unallocated," \
	"normal_unspecified,number_incomplete,codec_mismatch,interworking," \
	"failure,answered_elsewhere"
#define DEVICE_STATES \
	"NOT_INUSE,INUSE,BUSY,INVALID,UNAVAILABLE,RINGING,RINGINUSE,ONHOLD"

/* ---- shared error lists ---- */

static const struct ari_error_doc e_none[] = { { 0 } };
static const struct ari_error_doc e_chan_404[] = {
	{ 404, "Channel not found" }, { 0 } };
static const struct ari_error_doc e_chan_stasis[] = {
	{ 404, "Channel not found" },
	{ 409, "Channel not in a Stasis application" },
	{ 412, "Channel in an invalid state (Down, Rsrvd or Ringing)" },
	{ 0 } };
static const struct ari_error_doc e_chan_var_get[] = {
	{ 400, "Missing variable parameter" },
	{ 404, "Channel or variable not found" },
	{ 409, "Channel not in a Stasis application" },
	{ 0 } };
static const struct ari_error_doc e_chan_var_set[] = {
	{ 400, "Missing variable parameter" },
	{ 404, "Channel not found" },
	{ 409, "Channel not in a Stasis application" },
	{ 0 } };
static const struct ari_error_doc e_chan_vars_get[] = {
	{ 400, "Missing variables parameter" },
	{ 404, "Channel or variable not found" },
	{ 409, "Channel not in a Stasis application" },
	{ 0 } };
static const struct ari_error_doc e_chan_vars_set[] = {
	{ 400, "Missing variables parameter" },
	{ 404, "Channel not found" },
	{ 409, "Channel not in a Stasis application" },
	{ 0 } };
static const struct ari_error_doc e_originate[] = {
	{ 400, "Invalid or missing parameters for the originate" },
	{ 409, "Channel id already in use" },
	{ 0 } };
static const struct ari_error_doc e_chan_id_in_use[] = {
	{ 409, "Channel id already in use" }, { 0 } };
static const struct ari_error_doc e_hangup[] = {
	{ 400, "Unknown hangup reason" },
	{ 404, "Channel not found" },
	{ 0 } };
static const struct ari_error_doc e_move[] = {
	{ 404, "Channel not found" },
	{ 409, "Channel not in a Stasis application" },
	{ 0 } };
static const struct ari_error_doc e_redirect[] = {
	{ 400, "Missing endpoint parameter" },
	{ 404, "Channel or endpoint not found" },
	{ 409, "Channel not in a Stasis application" },
	{ 412, "Channel in an invalid state (Down, Rsrvd or Ringing)" },
	{ 422, "Endpoint uses a different technology than the channel" },
	{ 0 } };
static const struct ari_error_doc e_transfer_progress[] = {
	{ 400, "Missing states parameter" },
	{ 404, "Channel not found" },
	{ 409, "Channel not in a Stasis application" },
	{ 412, "Channel in an invalid state (Down, Rsrvd or Ringing)" },
	{ 0 } };
static const struct ari_error_doc e_dtmf[] = {
	{ 400, "Missing dtmf parameter" },
	{ 404, "Channel not found" },
	{ 409, "Channel not in a Stasis application" },
	{ 412, "Channel in an invalid state (Down, Rsrvd or Ringing)" },
	{ 0 } };
static const struct ari_error_doc e_chan_record[] = {
	{ 400, "Invalid or missing parameters" },
	{ 404, "Channel not found" },
	{ 409, "Channel not in a Stasis application, bridged, or a recording "
	       "of that name exists and cannot be replaced" },
	{ 422, "Recording format unknown" },
	{ 0 } };
static const struct ari_error_doc e_snoop[] = {
	{ 400, "Invalid or missing parameters" },
	{ 404, "Channel not found" },
	{ 0 } };
static const struct ari_error_doc e_dial[] = {
	{ 404, "Channel not found" },
	{ 409, "Channel cannot be dialed (already dialed or answered)" },
	{ 0 } };
static const struct ari_error_doc e_external_media[] = {
	{ 400, "Invalid or missing parameters" },
	{ 409, "Channel not in a Stasis application, or already bridged" },
	{ 0 } };

static const struct ari_error_doc e_bridge_404[] = {
	{ 404, "Bridge not found" }, { 0 } };
static const struct ari_error_doc e_bridge_in_use[] = {
	{ 409, "Bridge id already in use" }, { 0 } };
static const struct ari_error_doc e_bridge_stasis[] = {
	{ 404, "Bridge not found" },
	{ 409, "Bridge not in a Stasis application" },
	{ 0 } };
static const struct ari_error_doc e_bridge_var_get[] = {
	{ 400, "Missing variable parameter" },
	{ 404, "Bridge or variable not found" },
	{ 409, "Bridge not in a Stasis application" },
	{ 0 } };
static const struct ari_error_doc e_bridge_var_set[] = {
	{ 400, "Missing variable parameter" },
	{ 404, "Bridge not found" },
	{ 409, "Bridge not in a Stasis application" },
	{ 0 } };
static const struct ari_error_doc e_bridge_vars_get[] = {
	{ 400, "Missing variables parameter" },
	{ 404, "Bridge or variable not found" },
	{ 409, "Bridge not in a Stasis application" },
	{ 0 } };
static const struct ari_error_doc e_bridge_vars_set[] = {
	{ 400, "Missing variables parameter" },
	{ 404, "Bridge not found" },
	{ 409, "Bridge not in a Stasis application" },
	{ 0 } };
static const struct ari_error_doc e_add_channel[] = {
	{ 400, "Channel not found" },
	{ 404, "Bridge not found" },
	{ 409, "Bridge not in a Stasis application, or channel is recording" },
	{ 422, "Channel not in a Stasis application" },
	{ 0 } };
static const struct ari_error_doc e_remove_channel[] = {
	{ 400, "Channel not found" },
	{ 404, "Bridge not found" },
	{ 409, "Bridge not in a Stasis application" },
	{ 422, "Channel not in this bridge" },
	{ 0 } };
static const struct ari_error_doc e_video_source[] = {
	{ 404, "Bridge or channel not found" },
	{ 409, "Channel not in a Stasis application" },
	{ 422, "Channel not in this bridge" },
	{ 0 } };
static const struct ari_error_doc e_bridge_play[] = {
	{ 404, "Bridge not found" },
	{ 409, "Bridge not in a Stasis application" },
	{ 422, "Media format unknown" },
	{ 0 } };
static const struct ari_error_doc e_bridge_record[] = {
	{ 400, "Invalid or missing parameters" },
	{ 404, "Bridge not found" },
	{ 409, "Bridge not in a Stasis application, or a recording of that "
	       "name exists and cannot be replaced" },
	{ 422, "Recording format unknown" },
	{ 0 } };

static const struct ari_error_doc e_rec_404[] = {
	{ 404, "Recording not found" }, { 0 } };
static const struct ari_error_doc e_rec_active[] = {
	{ 404, "Recording not found" },
	{ 409, "Recording not in session" },
	{ 0 } };
static const struct ari_error_doc e_rec_file[] = {
	{ 403, "Recording file cannot be read" },
	{ 404, "Recording not found" },
	{ 0 } };
static const struct ari_error_doc e_rec_copy[] = {
	{ 404, "Recording not found" },
	{ 409, "A recording with the destination name already exists" },
	{ 0 } };

static const struct ari_error_doc e_playback_404[] = {
	{ 404, "Playback not found" }, { 0 } };
static const struct ari_error_doc e_playback_control[] = {
	{ 400, "Unknown control operation" },
	{ 404, "Playback not found" },
	{ 409, "Operation not allowed in the playback's current state" },
	{ 0 } };

static const struct ari_error_doc e_endpoint_msg[] = {
	{ 400, "Invalid parameters" },
	{ 404, "Endpoint not found" },
	{ 0 } };
static const struct ari_error_doc e_endpoint_404[] = {
	{ 404, "Endpoint not found" }, { 0 } };
static const struct ari_error_doc e_endpoint_get[] = {
	{ 400, "Invalid parameters" },
	{ 404, "Endpoint not found" },
	{ 0 } };

static const struct ari_error_doc e_device_ctl[] = {
	{ 404, "Device not found" },
	{ 409, "Device not controlled by ARI (name must start with Stasis:)" },
	{ 0 } };
static const struct ari_error_doc e_mailbox_404[] = {
	{ 404, "Mailbox not found" }, { 0 } };

static const struct ari_error_doc e_user_event[] = {
	{ 404, "Application not registered" },
	{ 422, "Event source not found" },
	{ 400, "Invalid event source or variables" },
	{ 0 } };
static const struct ari_error_doc e_claim[] = {
	{ 404, "Channel not found or not being broadcast" },
	{ 409, "Channel already claimed by another application" },
	{ 0 } };

static const struct ari_error_doc e_app_404[] = {
	{ 404, "Application not registered" }, { 0 } };
static const struct ari_error_doc e_subscribe[] = {
	{ 400, "Missing eventSource parameter" },
	{ 404, "Application not registered" },
	{ 422, "Event source not found" },
	{ 0 } };
static const struct ari_error_doc e_unsubscribe[] = {
	{ 400, "Missing or malformed eventSource parameter" },
	{ 404, "Application not registered" },
	{ 409, "Application not subscribed to the event source" },
	{ 422, "Event source not found" },
	{ 0 } };
static const struct ari_error_doc e_filter[] = {
	{ 400, "Malformed event filter" },
	{ 404, "Application not registered" },
	{ 0 } };

static const struct ari_error_doc e_config_get[] = {
	{ 404, "Configuration class, type or object not found" }, { 0 } };
static const struct ari_error_doc e_config_put[] = {
	{ 400, "Malformed request body" },
	{ 403, "Could not create or update the object" },
	{ 404, "Configuration class or type not found" },
	{ 0 } };
static const struct ari_error_doc e_config_delete[] = {
	{ 403, "Could not delete the object" },
	{ 404, "Configuration class, type or object not found" },
	{ 0 } };
static const struct ari_error_doc e_module_get[] = {
	{ 404, "Module not loaded" },
	{ 409, "Module information unavailable" },
	{ 0 } };
static const struct ari_error_doc e_module_load[] = {
	{ 409, "Module could not be loaded" }, { 0 } };
static const struct ari_error_doc e_module_unload[] = {
	{ 404, "Module not loaded" },
	{ 409, "Module could not be unloaded" },
	{ 0 } };
static const struct ari_error_doc e_module_reload[] = {
	{ 404, "Module not loaded" },
	{ 409, "Module could not be reloaded" },
	{ 0 } };
static const struct ari_error_doc e_log_add[] = {
	{ 400, "Malformed configuration" },
	{ 409, "Log channel could not be created" },
	{ 0 } };
static const struct ari_error_doc e_log_404[] = {
	{ 404, "Log channel not found" }, { 0 } };
static const struct ari_error_doc e_global_var[] = {
	{ 400, "Missing variable parameter" }, { 0 } };

/* ---- asterisk ---- */

static const struct ari_param p_config_object[] = {
	PATH("configClass", "Configuration class (e.g. res_pjsip)"),
	PATH("objectType", "Object type within the class (e.g. endpoint)"),
	PATH("id", "Object id"),
	END };
static const struct ari_param p_config_update[] = {
	PATH("configClass", "Configuration class (e.g. res_pjsip)"),
	PATH("objectType", "Object type within the class (e.g. endpoint)"),
	PATH("id", "Object id"),
	BODY("fields", "containers", false,
	     "Body {\"fields\": [{\"attribute\": A, \"value\": V}, ...]} with "
	     "the fields to set"),
	END };
static const struct ari_param p_info[] = {
	{ .name = "only", .in = ARI_QUERY, .type = "string", .multi = true,
	  .allowed = "build,system,config,status",
	  .desc = "Sections of the information to return" },
	END };
static const struct ari_param p_module[] = { MODULE_NAME, END };
static const struct ari_param p_log_add[] = {
	LOG_CHANNEL,
	QUERY_REQ("configuration", "string",
		  "Levels to log to the channel (e.g. notice,warning)"),
	END };
static const struct ari_param p_log[] = { LOG_CHANNEL, END };
static const struct ari_param p_global_get[] = {
	QUERY_REQ("variable", "string", "Name of the global variable"),
	END };
static const struct ari_param p_global_set[] = {
	QUERY_REQ("variable", "string", "Name of the global variable"),
	QUERY("value", "string", "Value to set (empty when absent)"),
	END };

/* ---- endpoints ---- */

static const struct ari_param p_none[] = { END };
static const struct ari_param p_send_message[] = {
	QUERY_REQ("to", "string", "Destination URI (e.g. pjsip:alice)"),
	QUERY_REQ("from", "string", "Sender URI"),
	QUERY("body", "string", "Message text"),
	VARS_BODY("Body {\"variables\": {K: V}} with extra message fields"),
	END };
static const struct ari_param p_refer[] = {
	QUERY_REQ("to", "string", "Endpoint that receives the REFER"),
	QUERY_REQ("from", "string", "Sender URI"),
	QUERY_REQ("refer_to", "string", "Target of the REFER"),
	QUERY_OPT("to_self", "boolean", "false", NULL,
		  "Point refer_to back at this server when it names a local "
		  "endpoint"),
	VARS_BODY("Body {\"variables\": {K: V}} with extra REFER headers"),
	END };
static const struct ari_param p_tech[] = { TECH, END };
static const struct ari_param p_endpoint[] = { TECH, RESOURCE, END };
static const struct ari_param p_send_message_to[] = {
	TECH,
	RESOURCE,
	QUERY_REQ("from", "string", "Sender URI"),
	QUERY("body", "string", "Message text"),
	VARS_BODY("Body {\"variables\": {K: V}} with extra message fields"),
	END };
static const struct ari_param p_refer_to[] = {
	TECH,
	RESOURCE,
	QUERY_REQ("from", "string", "Sender URI"),
	QUERY_REQ("refer_to", "string", "Target of the REFER"),
	QUERY_OPT("to_self", "boolean", "false", NULL,
		  "Point refer_to back at this server when it names a local "
		  "endpoint"),
	VARS_BODY("Body {\"variables\": {K: V}} with extra REFER headers"),
	END };

/* ---- channels ---- */

#define ENDPOINT_P \
	QUERY_REQ("endpoint", "string", "Dial string (e.g. PJSIP/alice)")
#define APP_ARGS_P \
	QUERY("appArgs", "string", "Comma separated arguments for StasisStart")
#define OTHER_ID_P \
	QUERY("otherChannelId", "string", "Id of the second half of a Local channel")
#define ORIGINATOR_P \
	QUERY("originator", "string", "Id of the channel causing this one")
#define FORMATS_P \
	QUERY("formats", "string", "Codecs to offer when there is no originator " \
				   "(e.g. ulaw,slin16)")
#define CHAN_VARS_BODY \
	VARS_BODY("Body {\"variables\": {NAME: VALUE}} with channel variables")
#define ORIGINATE_COMMON                                                     \
	QUERY("extension", "string", "Dialplan extension to continue at"),  \
	QUERY("context", "string", "Dialplan context to continue at"),      \
	QUERY("priority", "long", "Dialplan priority to continue at"),      \
	QUERY("label", "string", "Dialplan label to continue at"),          \
	QUERY("app", "string", "Stasis application to place the channel "  \
			       "in instead of the dialplan"),               \
	APP_ARGS_P,                                                         \
	QUERY("callerId", "string", "Caller id to present"),                \
	QUERY_OPT("timeout", "int", "30", NULL,                             \
		  "Seconds to wait for an answer; -1 waits forever"),       \
	CHAN_VARS_BODY

static const struct ari_param p_originate[] = {
	ENDPOINT_P,
	ORIGINATE_COMMON,
	QUERY("channelId", "string", "Id for the new channel"),
	OTHER_ID_P,
	ORIGINATOR_P,
	FORMATS_P,
	END };
static const struct ari_param p_originate_with_id[] = {
	CHANNEL_ID,
	ENDPOINT_P,
	ORIGINATE_COMMON,
	OTHER_ID_P,
	ORIGINATOR_P,
	FORMATS_P,
	END };
static const struct ari_param p_create[] = {
	ENDPOINT_P,
	QUERY_REQ("app", "string", "Stasis application the channel enters"),
	APP_ARGS_P,
	QUERY("channelId", "string", "Id for the new channel"),
	OTHER_ID_P,
	ORIGINATOR_P,
	FORMATS_P,
	CHAN_VARS_BODY,
	END };
static const struct ari_param p_chan[] = { CHANNEL_ID, END };
static const struct ari_param p_hangup[] = {
	CHANNEL_ID,
	QUERY("reason_code", "string", "Numeric (Q.850) hangup cause"),
	QUERY_OPT("reason", "string", NULL, HANGUP_REASONS,
		  "Symbolic hangup reason"),
	END };
static const struct ari_param p_continue[] = {
	CHANNEL_ID,
	QUERY("context", "string", "Context to continue in"),
	QUERY("extension", "string", "Extension to continue at"),
	QUERY("priority", "int", "Priority to continue at"),
	QUERY("label", "string", "Label to continue at"),
	END };
static const struct ari_param p_move[] = {
	CHANNEL_ID,
	QUERY_REQ("app", "string", "Stasis application to move to"),
	QUERY("appArgs", "string",
	      "Comma separated arguments for the new StasisStart"),
	END };
static const struct ari_param p_redirect[] = {
	CHANNEL_ID,
	QUERY_REQ("endpoint", "string",
		  "Endpoint to redirect to (same technology as the channel)"),
	END };
static const struct ari_param p_dtmf[] = {
	CHANNEL_ID,
	QUERY("dtmf", "string", "Digits to send"),
	QUERY_OPT("before", "int", "0", NULL, "Milliseconds before the first digit"),
	QUERY_OPT("between", "int", "100", NULL, "Milliseconds between digits"),
	QUERY_OPT("duration", "int", "100", NULL, "Milliseconds per digit"),
	QUERY_OPT("after", "int", "0", NULL, "Milliseconds after the last digit"),
	END };
static const struct ari_param p_mute[] = {
	CHANNEL_ID,
	QUERY_OPT("direction", "string", "both", MUTE_DIRS,
		  "Audio direction to (un)mute"),
	END };
static const struct ari_param p_moh[] = {
	CHANNEL_ID,
	QUERY("mohClass", "string", "Music on hold class"),
	END };

#define MEDIA_P                                                            \
	QUERY_MULTI("media", true, "Media URIs to play, one after another"), \
	QUERY("lang", "string", "Language for sound: media")

static const struct ari_param p_chan_play[] = {
	CHANNEL_ID,
	MEDIA_P,
	QUERY("offsetms", "int", "Milliseconds to skip into the first media"),
	QUERY_OPT("skipms", "int", "3000", NULL,
		  "Milliseconds jumped by forward and reverse"),
	QUERY("playbackId", "string", "Id for the playback"),
	END };
static const struct ari_param p_chan_play_with_id[] = {
	CHANNEL_ID,
	PLAYBACK_ID,
	MEDIA_P,
	QUERY("offsetms", "int", "Milliseconds to skip into the first media"),
	QUERY_OPT("skipms", "int", "3000", NULL,
		  "Milliseconds jumped by forward and reverse"),
	END };

#define RECORD_OPTS                                                        \
	QUERY_OPT("maxDurationSeconds", "int", "0", "0..",                 \
		  "Longest recording in seconds; 0 for no limit"),         \
	QUERY_OPT("maxSilenceSeconds", "int", "0", "0..",                  \
		  "Longest silence in seconds; 0 for no limit"),           \
	QUERY_OPT("ifExists", "string", "fail", IF_EXISTS,                 \
		  "What to do when a recording of that name exists"),      \
	QUERY_OPT("beep", "boolean", "false", NULL,                        \
		  "Play a beep before recording"),                         \
	QUERY_OPT("terminateOn", "string", "none", DTMF_TERMINATORS,       \
		  "DTMF digit that ends the recording")

static const struct ari_param p_chan_record[] = {
	CHANNEL_ID,
	QUERY_REQ("name", "string", "Recording name"),
	QUERY_REQ("format", "string", "File format to record in"),
	RECORD_OPTS,
	END };
static const struct ari_param p_chan_var_get[] = {
	CHANNEL_ID,
	QUERY_REQ("variable", "string", "Variable or function to read"),
	END };
static const struct ari_param p_chan_var_set[] = {
	CHANNEL_ID,
	QUERY_REQ("variable", "string", "Variable or function to set"),
	QUERY("value", "string", "Value to set (empty when absent)"),
	QUERY_OPT("report_events", "boolean", "false", NULL,
		  "Report this variable in later events"),
	END };
static const struct ari_param p_chan_vars_get[] = {
	CHANNEL_ID,
	QUERY_MULTI("variables", true, "Variables or functions to read"),
	END };
static const struct ari_param p_chan_vars_set[] = {
	CHANNEL_ID,
	BODY("variables", "containers", true,
	     "Body {\"variables\": {NAME: VALUE}} with the variables to set"),
	END };

#define SNOOP_OPTS                                                        \
	QUERY_OPT("spy", "string", "none", SNOOP_DIRS,                    \
		  "Audio direction to listen to"),                        \
	QUERY_OPT("whisper", "string", "none", SNOOP_DIRS,                \
		  "Audio direction to speak into"),                       \
	QUERY_REQ("app", "string", "Stasis application the snoop channel " \
				   "enters"),                             \
	APP_ARGS_P

static const struct ari_param p_snoop[] = {
	CHANNEL_ID,
	SNOOP_OPTS,
	QUERY("snoopId", "string", "Id for the snoop channel"),
	END };
static const struct ari_param p_snoop_with_id[] = {
	CHANNEL_ID,
	PATH("snoopId", "Id for the snoop channel"),
	SNOOP_OPTS,
	END };
static const struct ari_param p_dial[] = {
	CHANNEL_ID,
	QUERY("caller", "string", "Id of the calling channel"),
	QUERY_OPT("timeout", "int", "0", "0..",
		  "Seconds to wait for an answer; 0 for no limit"),
	END };
static const struct ari_param p_external_media[] = {
	QUERY("channelId", "string", "Id for the new channel"),
	QUERY_REQ("app", "string", "Stasis application the channel enters"),
	CHAN_VARS_BODY,
	QUERY("external_host", "string",
	      "host:port of the media peer (or websocket connection id)"),
	QUERY_OPT("encapsulation", "string", "rtp", "rtp,audiosocket,none",
		  "Media framing"),
	QUERY_OPT("transport", "string", "udp", "udp,tcp,websocket",
		  "Media transport"),
	QUERY_OPT("connection_type", "string", "client", "client,server",
		  "Which side connects"),
	QUERY_REQ("format", "string", "Media codec (e.g. ulaw)"),
	QUERY_OPT("direction", "string", "both", "both", "Media direction"),
	QUERY("data", "string", "Free form data"),
	QUERY("transport_data", "string", "Transport specific data"),
	END };
static const struct ari_param p_transfer_progress[] = {
	CHANNEL_ID,
	QUERY_REQ("states", "string", "Transfer progress state to report"),
	END };

/* ---- bridges ---- */

static const struct ari_param p_bridge_create[] = {
	QUERY("type", "string",
	      "Comma separated bridge attributes (mixing, holding, "
	      "dtmf_events, proxy_media, video_sfu, video_single, sdp_label)"),
	QUERY("bridgeId", "string", "Id for the new bridge"),
	QUERY("name", "string", "Name for the new bridge"),
	VARS_BODY("Body {\"variables\": {NAME: VALUE}} with bridge variables"),
	END };
static const struct ari_param p_bridge_create_with_id[] = {
	QUERY("type", "string",
	      "Comma separated bridge attributes (mixing, holding, "
	      "dtmf_events, proxy_media, video_sfu, video_single, sdp_label)"),
	BRIDGE_ID,
	QUERY("name", "string", "Name for the new bridge"),
	VARS_BODY("Body {\"variables\": {NAME: VALUE}} with bridge variables"),
	END };
static const struct ari_param p_bridge[] = { BRIDGE_ID, END };
static const struct ari_param p_bridge_var_get[] = {
	BRIDGE_ID,
	QUERY_REQ("variable", "string", "Variable or function to read"),
	END };
static const struct ari_param p_bridge_var_set[] = {
	BRIDGE_ID,
	QUERY_REQ("variable", "string", "Variable or function to set"),
	QUERY("value", "string", "Value to set (empty when absent)"),
	QUERY_OPT("report_events", "boolean", "false", NULL,
		  "Report this variable in later events"),
	END };
static const struct ari_param p_bridge_vars_get[] = {
	BRIDGE_ID,
	QUERY_MULTI("variables", true, "Variables or functions to read"),
	END };
static const struct ari_param p_bridge_vars_set[] = {
	BRIDGE_ID,
	BODY("variables", "containers", true,
	     "Body {\"variables\": {NAME: VALUE}} with the variables to set"),
	END };
static const struct ari_param p_add_channel[] = {
	BRIDGE_ID,
	QUERY_MULTI("channel", true, "Ids of the channels to add"),
	QUERY("role", "string", "Role of the channels in the bridge"),
	QUERY_OPT("absorbDTMF", "boolean", "false", NULL,
		  "Swallow DTMF from these channels"),
	QUERY_OPT("mute", "boolean", "false", NULL,
		  "Keep these channels' audio out of the bridge"),
	QUERY_OPT("inhibitConnectedLineUpdates", "boolean", "false", NULL,
		  "Send no connected line updates for these channels"),
	END };
static const struct ari_param p_remove_channel[] = {
	BRIDGE_ID,
	QUERY_MULTI("channel", true, "Ids of the channels to remove"),
	END };
static const struct ari_param p_video_source[] = {
	BRIDGE_ID, CHANNEL_ID, END };
static const struct ari_param p_bridge_moh[] = {
	BRIDGE_ID,
	QUERY("mohClass", "string", "Music on hold class"),
	END };

#define BRIDGE_PLAY_OPTS                                                  \
	QUERY("announcer_format", "string",                               \
	      "Codec of the bridge's announcer channel"),                 \
	QUERY("lang", "string", "Language for sound: media"),             \
	QUERY_OPT("offsetms", "int", "0", "0..",                          \
		  "Milliseconds to skip into the first media"),           \
	QUERY_OPT("skipms", "int", "3000", "0..",                         \
		  "Milliseconds jumped by forward and reverse")

static const struct ari_param p_bridge_play[] = {
	BRIDGE_ID,
	QUERY_MULTI("media", true, "Media URIs to play, one after another"),
	BRIDGE_PLAY_OPTS,
	QUERY("playbackId", "string", "Id for the playback"),
	END };
static const struct ari_param p_bridge_play_with_id[] = {
	BRIDGE_ID,
	PLAYBACK_ID,
	QUERY_MULTI("media", true, "Media URIs to play, one after another"),
	BRIDGE_PLAY_OPTS,
	END };
static const struct ari_param p_bridge_record[] = {
	BRIDGE_ID,
	QUERY_REQ("name", "string", "Recording name"),
	QUERY_REQ("format", "string", "File format to record in"),
	QUERY("recorder_format", "string",
	      "Codec of the bridge's recorder channel"),
	RECORD_OPTS,
	END };

/* ---- recordings, sounds, playbacks, deviceStates, mailboxes ---- */

static const struct ari_param p_recording[] = { RECORDING_NAME, END };
static const struct ari_param p_recording_copy[] = {
	RECORDING_NAME,
	QUERY_REQ("destinationRecordingName", "string", "Name of the copy"),
	END };
static const struct ari_param p_sounds[] = {
	QUERY("lang", "string", "Only sounds in this language"),
	QUERY("format", "string", "Only sounds in this format"),
	END };
static const struct ari_param p_sound[] = {
	PATH("soundId", "Sound's id"), END };
static const struct ari_param p_playback[] = { PLAYBACK_ID, END };
static const struct ari_param p_playback_control[] = {
	PLAYBACK_ID,
	{ .name = "operation", .in = ARI_QUERY, .type = "string",
	  .required = true, .allowed = "restart,pause,unpause,reverse,forward",
	  .desc = "Control operation" },
	END };
static const struct ari_param p_device[] = { DEVICE_NAME, END };
static const struct ari_param p_device_update[] = {
	DEVICE_NAME,
	{ .name = "deviceState", .in = ARI_QUERY, .type = "string",
	  .required = true, .allowed = DEVICE_STATES,
	  .desc = "New state of the device" },
	END };
static const struct ari_param p_mailbox[] = { MAILBOX_NAME, END };
static const struct ari_param p_mailbox_update[] = {
	MAILBOX_NAME,
	QUERY_REQ("oldMessages", "int", "Count of old messages"),
	QUERY_REQ("newMessages", "int", "Count of new messages"),
	END };

/* ---- events, applications ---- */

static const struct ari_param p_event_websocket[] = {
	QUERY_MULTI("app", true, "Applications to register, comma separated"),
	QUERY("subscribeAll", "boolean",
	      "Subscribe the applications to every event source"),
	END };
static const struct ari_param p_user_event[] = {
	PATH("eventName", "Name of the user event"),
	QUERY_REQ("application", "string", "Application that receives the event"),
	QUERY_MULTI("source", false,
		    "Event sources: channel:ID, bridge:ID, endpoint:TECH/RES, "
		    "deviceState:NAME"),
	VARS_BODY("Body {\"variables\": {K: V}} with the event's fields"),
	END };
static const struct ari_param p_claim[] = {
	QUERY_REQ("channelId", "string", "Channel offered by CallBroadcast"),
	QUERY_REQ("application", "string", "Application claiming the channel"),
	END };
static const struct ari_param p_app[] = { APP_NAME, END };
static const struct ari_param p_app_subscription[] = {
	APP_NAME,
	QUERY_MULTI("eventSource", true,
		    "Event sources: channel:ID, bridge:ID, endpoint:TECH[/RES], "
		    "deviceState:NAME"),
	END };
static const struct ari_param p_app_filter[] = {
	APP_NAME,
	BODY("filter", "object", false,
	     "Body {\"allowed\": [{\"type\": T}], \"disallowed\": [...]}"),
	END };

/* ---- the table ---- */

#define OP(res, m, p, nick, sum, rc, par, err, h)                         \
	{ .resource = res, .method = m, .path = p, .nickname = nick,      \
	  .summary = sum, .response_class = rc, .params = par,            \
	  .errors = err, .handler = h }

const struct ari_route ari_routes[] = {
	/* asterisk */
	OP("asterisk", "GET", "/asterisk/config/dynamic/{configClass}/{objectType}/{id}", "getObject", "Read a dynamic configuration object", "List[ConfigTuple]",
	   p_config_object, e_config_get, ari_asterisk_get_object),
	OP("asterisk", "PUT", "/asterisk/config/dynamic/{configClass}/{objectType}/{id}", "updateObject", "Create or update a dynamic configuration object",
	   "List[ConfigTuple]", p_config_update, e_config_put, ari_asterisk_update_object),
	OP("asterisk", "DELETE", "/asterisk/config/dynamic/{configClass}/{objectType}/{id}", "deleteObject", "Delete a dynamic configuration object", "void",
	   p_config_object, e_config_delete, ari_asterisk_delete_object),
	OP("asterisk", "GET", "/asterisk/info", "getInfo",
	   "Information about the server", "AsteriskInfo", p_info, e_none, ari_asterisk_get_info),
	OP("asterisk", "GET", "/asterisk/ping", "ping",
	   "Check that the server answers", "AsteriskPing", p_none, e_none, ari_asterisk_ping),
	OP("asterisk", "GET", "/asterisk/modules", "listModules",
	   "List the loaded modules", "List[Module]", p_none, e_none, ari_asterisk_list_modules),
	OP("asterisk", "GET", "/asterisk/modules/{moduleName}", "getModule",
	   "Details of a loaded module", "Module", p_module, e_module_get, ari_asterisk_get_module),
	OP("asterisk", "POST", "/asterisk/modules/{moduleName}", "loadModule",
	   "Load a module", "void", p_module, e_module_load, ari_asterisk_load_module),
	OP("asterisk", "DELETE", "/asterisk/modules/{moduleName}", "unloadModule",
	   "Unload a module", "void", p_module, e_module_unload, ari_asterisk_unload_module),
	OP("asterisk", "PUT", "/asterisk/modules/{moduleName}", "reloadModule",
	   "Reload a module", "void", p_module, e_module_reload, ari_asterisk_reload_module),
	OP("asterisk", "GET", "/asterisk/logging", "listLogChannels",
	   "List the log channels", "List[LogChannel]", p_none, e_none, ari_asterisk_list_log_channels),
	OP("asterisk", "POST", "/asterisk/logging/{logChannelName}", "addLog",
	   "Add a log channel", "void", p_log_add, e_log_add, ari_asterisk_add_log),
	OP("asterisk", "DELETE", "/asterisk/logging/{logChannelName}", "deleteLog",
	   "Remove a log channel", "void", p_log, e_log_404, ari_asterisk_delete_log),
	OP("asterisk", "PUT", "/asterisk/logging/{logChannelName}/rotate", "rotateLog", "Rotate a log channel", "void", p_log, e_log_404, ari_asterisk_rotate_log),
	OP("asterisk", "GET", "/asterisk/variable", "getGlobalVar",
	   "Read a global variable", "Variable", p_global_get, e_global_var, ari_asterisk_get_global_var),
	OP("asterisk", "POST", "/asterisk/variable", "setGlobalVar",
	   "Set a global variable", "void", p_global_set, e_global_var, ari_asterisk_set_global_var),

	/* endpoints */
	OP("endpoints", "GET", "/endpoints", "list", "List all endpoints",
	   "List[Endpoint]", p_none, e_none, ari_endpoints_list),
	OP("endpoints", "PUT", "/endpoints/sendMessage", "sendMessage",
	   "Send an out-of-call message", "void", p_send_message,
	   e_endpoint_msg, ari_endpoints_send_message),
	OP("endpoints", "POST", "/endpoints/refer", "refer",
	   "Send an out-of-call REFER", "void", p_refer, e_endpoint_msg, ari_endpoints_refer),
	OP("endpoints", "GET", "/endpoints/{tech}", "listByTech",
	   "List the endpoints of one technology", "List[Endpoint]", p_tech,
	   e_endpoint_404, ari_endpoints_list_by_tech),
	OP("endpoints", "GET", "/endpoints/{tech}/{resource}", "get",
	   "Details of an endpoint", "Endpoint", p_endpoint, e_endpoint_get, ari_endpoints_get),
	OP("endpoints", "PUT", "/endpoints/{tech}/{resource}/sendMessage", "sendMessageToEndpoint", "Send an out-of-call message to an endpoint",
	   "void", p_send_message_to, e_endpoint_msg, ari_endpoints_send_message_to_endpoint),
	OP("endpoints", "POST", "/endpoints/{tech}/{resource}/refer", "referToEndpoint", "Send an out-of-call REFER to an endpoint", "void",
	   p_refer_to, e_endpoint_msg, ari_endpoints_refer_to_endpoint),

	/* channels */
	OP("channels", "GET", "/channels", "list", "List the active channels",
	   "List[Channel]", p_none, e_none, ari_channels_list),
	OP("channels", "POST", "/channels", "originate",
	   "Originate a call to an endpoint", "Channel", p_originate,
	   e_originate, ari_channels_originate),
	OP("channels", "POST", "/channels/create", "create",
	   "Create a channel in a Stasis application without dialing it",
	   "Channel", p_create, e_chan_id_in_use, ari_channels_create),
	OP("channels", "GET", "/channels/{channelId}", "get",
	   "Details of a channel", "Channel", p_chan, e_chan_404, ari_channels_get),
	OP("channels", "POST", "/channels/{channelId}", "originateWithId",
	   "Originate a call, choosing the new channel's id", "Channel",
	   p_originate_with_id, e_originate, ari_channels_originate_with_id),
	OP("channels", "DELETE", "/channels/{channelId}", "hangup",
	   "Hang up a channel", "void", p_hangup, e_hangup, ari_channels_hangup),
	OP("channels", "POST", "/channels/{channelId}/continue", "continueInDialplan", "Return a channel to the dialplan", "void",
	   p_continue, e_chan_stasis, ari_channels_continue),
	OP("channels", "POST", "/channels/{channelId}/move", "move",
	   "Move a channel to another Stasis application", "void", p_move,
	   e_move, ari_channels_move),
	OP("channels", "POST", "/channels/{channelId}/redirect", "redirect",
	   "Redirect a channel to another endpoint", "void", p_redirect,
	   e_redirect, ari_channels_redirect),
	OP("channels", "POST", "/channels/{channelId}/answer", "answer",
	   "Answer a channel", "void", p_chan, e_chan_stasis, ari_channels_answer),
	OP("channels", "POST", "/channels/{channelId}/ring", "ring",
	   "Indicate ringing to a channel", "void", p_chan, e_chan_stasis, ari_channels_ring),
	OP("channels", "DELETE", "/channels/{channelId}/ring", "ringStop",
	   "Stop ringing indication on a channel", "void", p_chan,
	   e_chan_stasis, ari_channels_ring_stop),
	OP("channels", "POST", "/channels/{channelId}/progress", "progress",
	   "Indicate call progress to a channel", "void", p_chan,
	   e_chan_stasis, ari_channels_progress),
	OP("channels", "POST", "/channels/{channelId}/dtmf", "sendDTMF",
	   "Send DTMF digits to a channel", "void", p_dtmf, e_dtmf, ari_channels_send_dtmf),
	OP("channels", "POST", "/channels/{channelId}/mute", "mute",
	   "Mute a channel", "void", p_mute, e_chan_stasis, ari_channels_mute),
	OP("channels", "DELETE", "/channels/{channelId}/mute", "unmute",
	   "Unmute a channel", "void", p_mute, e_chan_stasis, ari_channels_unmute),
	OP("channels", "POST", "/channels/{channelId}/hold", "hold",
	   "Put a channel on hold", "void", p_chan, e_chan_stasis, ari_channels_hold),
	OP("channels", "DELETE", "/channels/{channelId}/hold", "unhold",
	   "Take a channel off hold", "void", p_chan, e_chan_stasis, ari_channels_unhold),
	OP("channels", "POST", "/channels/{channelId}/moh", "startMoh",
	   "Play music on hold to a channel", "void", p_moh, e_chan_stasis, ari_channels_start_moh),
	OP("channels", "DELETE", "/channels/{channelId}/moh", "stopMoh",
	   "Stop music on hold on a channel", "void", p_chan, e_chan_stasis, ari_channels_stop_moh),
	OP("channels", "POST", "/channels/{channelId}/silence", "startSilence",
	   "Play silence to a channel", "void", p_chan, e_chan_stasis, ari_channels_start_silence),
	OP("channels", "DELETE", "/channels/{channelId}/silence", "stopSilence",
	   "Stop playing silence to a channel", "void", p_chan, e_chan_stasis, ari_channels_stop_silence),
	OP("channels", "POST", "/channels/{channelId}/play", "play",
	   "Play media to a channel", "Playback", p_chan_play, e_chan_stasis, ari_channels_play),
	OP("channels", "POST", "/channels/{channelId}/play/{playbackId}", "playWithId", "Play media to a channel, choosing the playback id",
	   "Playback", p_chan_play_with_id, e_chan_stasis, ari_channels_play_with_id),
	OP("channels", "POST", "/channels/{channelId}/record", "record",
	   "Record audio from a channel", "LiveRecording", p_chan_record,
	   e_chan_record, ari_channels_record),
	OP("channels", "GET", "/channels/{channelId}/variable", "getChannelVar",
	   "Read a channel variable or function", "Variable", p_chan_var_get,
	   e_chan_var_get, ari_channels_get_var),
	OP("channels", "POST", "/channels/{channelId}/variable", "setChannelVar",
	   "Set a channel variable or function", "void", p_chan_var_set,
	   e_chan_var_set, ari_channels_set_var),
	OP("channels", "GET", "/channels/{channelId}/variables", "getChannelVars", "Read several channel variables", "Variables",
	   p_chan_vars_get, e_chan_vars_get, ari_channels_get_channel_vars),
	OP("channels", "POST", "/channels/{channelId}/variables", "setChannelVars", "Set several channel variables", "void",
	   p_chan_vars_set, e_chan_vars_set, ari_channels_set_channel_vars),
	OP("channels", "POST", "/channels/{channelId}/snoop", "snoopChannel",
	   "Spy on or whisper to a channel", "Channel", p_snoop, e_snoop, ari_channels_snoop_channel),
	OP("channels", "POST", "/channels/{channelId}/snoop/{snoopId}", "snoopChannelWithId",
	   "Spy on or whisper to a channel, choosing the snoop channel's id",
	   "Channel", p_snoop_with_id, e_snoop, ari_channels_snoop_channel_with_id),
	OP("channels", "POST", "/channels/{channelId}/dial", "dial",
	   "Dial a created channel", "void", p_dial, e_dial, ari_channels_dial),
	OP("channels", "GET", "/channels/{channelId}/rtp_statistics", "rtpstatistics", "RTP statistics of a channel", "RTPstat", p_chan,
	   e_chan_404, ari_channels_rtpstatistics),
	OP("channels", "POST", "/channels/externalMedia", "externalMedia",
	   "Create a channel that exchanges media with an external host",
	   "Channel", p_external_media, e_external_media, ari_channels_external_media),
	OP("channels", "POST", "/channels/{channelId}/transfer_progress", "transfer_progress", "Report the progress of a transfer", "void",
	   p_transfer_progress, e_transfer_progress, ari_channels_transfer_progress),

	/* bridges */
	OP("bridges", "GET", "/bridges", "list", "List the active bridges",
	   "List[Bridge]", p_none, e_none, ari_bridges_list),
	OP("bridges", "POST", "/bridges", "create", "Create a bridge", "Bridge",
	   p_bridge_create, e_bridge_in_use, ari_bridges_create),
	OP("bridges", "POST", "/bridges/{bridgeId}", "createWithId",
	   "Create a bridge, choosing its id", "Bridge",
	   p_bridge_create_with_id, e_bridge_in_use, ari_bridges_create_with_id),
	OP("bridges", "GET", "/bridges/{bridgeId}", "get", "Details of a bridge",
	   "Bridge", p_bridge, e_bridge_404, ari_bridges_get),
	OP("bridges", "DELETE", "/bridges/{bridgeId}", "destroy",
	   "Destroy a bridge", "void", p_bridge, e_bridge_404, ari_bridges_destroy),
	OP("bridges", "GET", "/bridges/{bridgeId}/variable", "getBridgeVar",
	   "Read a bridge variable", "Variable", p_bridge_var_get,
	   e_bridge_var_get, ari_bridges_get_bridge_var),
	OP("bridges", "POST", "/bridges/{bridgeId}/variable", "setBridgeVar",
	   "Set a bridge variable", "void", p_bridge_var_set, e_bridge_var_set, ari_bridges_set_bridge_var),
	OP("bridges", "GET", "/bridges/{bridgeId}/variables", "getBridgeVars",
	   "Read several bridge variables", "Variables", p_bridge_vars_get,
	   e_bridge_vars_get, ari_bridges_get_bridge_vars),
	OP("bridges", "POST", "/bridges/{bridgeId}/variables", "setBridgeVars",
	   "Set several bridge variables", "void", p_bridge_vars_set,
	   e_bridge_vars_set, ari_bridges_set_bridge_vars),
	OP("bridges", "POST", "/bridges/{bridgeId}/addChannel", "addChannel",
	   "Add channels to a bridge", "void", p_add_channel, e_add_channel, ari_bridges_add_channel),
	OP("bridges", "POST", "/bridges/{bridgeId}/removeChannel", "removeChannel", "Remove channels from a bridge", "void",
	   p_remove_channel, e_remove_channel, ari_bridges_remove_channel),
	OP("bridges", "POST", "/bridges/{bridgeId}/videoSource/{channelId}", "setVideoSource", "Make a channel the bridge's video source", "void",
	   p_video_source, e_video_source, ari_bridges_set_video_source),
	OP("bridges", "DELETE", "/bridges/{bridgeId}/videoSource", "clearVideoSource", "Return the bridge to talker video mode", "void",
	   p_bridge, e_bridge_404, ari_bridges_clear_video_source),
	OP("bridges", "POST", "/bridges/{bridgeId}/moh", "startMoh",
	   "Play music on hold to a bridge", "void", p_bridge_moh,
	   e_bridge_stasis, ari_bridges_start_moh),
	OP("bridges", "DELETE", "/bridges/{bridgeId}/moh", "stopMoh",
	   "Stop music on hold in a bridge", "void", p_bridge, e_bridge_stasis, ari_bridges_stop_moh),
	OP("bridges", "POST", "/bridges/{bridgeId}/play", "play",
	   "Play media to a bridge", "Playback", p_bridge_play, e_bridge_play, ari_bridges_play),
	OP("bridges", "POST", "/bridges/{bridgeId}/play/{playbackId}", "playWithId", "Play media to a bridge, choosing the playback id",
	   "Playback", p_bridge_play_with_id, e_bridge_play, ari_bridges_play_with_id),
	OP("bridges", "POST", "/bridges/{bridgeId}/record", "record",
	   "Record the audio of a bridge", "LiveRecording", p_bridge_record,
	   e_bridge_record, ari_bridges_record),

	/* recordings */
	OP("recordings", "GET", "/recordings/stored", "listStored",
	   "List the stored recordings", "List[StoredRecording]", p_none,
	   e_none, ari_recordings_list_stored),
	OP("recordings", "GET", "/recordings/stored/{recordingName}", "getStored", "Details of a stored recording", "StoredRecording",
	   p_recording, e_rec_404, ari_recordings_get_stored),
	OP("recordings", "DELETE", "/recordings/stored/{recordingName}", "deleteStored", "Delete a stored recording", "void", p_recording,
	   e_rec_404, ari_recordings_delete_stored),
	OP("recordings", "GET", "/recordings/stored/{recordingName}/file", "getStoredFile", "Download the file of a stored recording",
	   "binary", p_recording, e_rec_file, ari_recordings_get_stored_file),
	OP("recordings", "POST", "/recordings/stored/{recordingName}/copy", "copyStored", "Copy a stored recording", "StoredRecording",
	   p_recording_copy, e_rec_copy, ari_recordings_copy_stored),
	OP("recordings", "GET", "/recordings/live/{recordingName}", "getLive",
	   "Details of a live recording", "LiveRecording", p_recording,
	   e_rec_404, ari_recordings_get_live),
	OP("recordings", "DELETE", "/recordings/live/{recordingName}", "cancel",
	   "Stop a live recording and discard it", "void", p_recording,
	   e_rec_404, ari_recordings_cancel),
	OP("recordings", "POST", "/recordings/live/{recordingName}/stop", "stop",
	   "Stop a live recording and keep it", "void", p_recording, e_rec_404, ari_recordings_stop),
	OP("recordings", "POST", "/recordings/live/{recordingName}/pause", "pause", "Pause a live recording", "void", p_recording, e_rec_active, ari_recordings_pause),
	OP("recordings", "DELETE", "/recordings/live/{recordingName}/pause", "unpause", "Resume a paused live recording", "void", p_recording,
	   e_rec_active, ari_recordings_unpause),
	OP("recordings", "POST", "/recordings/live/{recordingName}/mute", "mute",
	   "Mute a live recording", "void", p_recording, e_rec_active, ari_recordings_mute),
	OP("recordings", "DELETE", "/recordings/live/{recordingName}/mute", "unmute", "Unmute a live recording", "void", p_recording,
	   e_rec_active, ari_recordings_unmute),

	/* sounds */
	OP("sounds", "GET", "/sounds", "list", "List the installed sounds",
	   "List[Sound]", p_sounds, e_none, ari_sounds_list),
	OP("sounds", "GET", "/sounds/{soundId}", "get", "Details of a sound",
	   "Sound", p_sound, e_none, ari_sounds_get),

	/* playbacks */
	OP("playbacks", "GET", "/playbacks/{playbackId}", "get",
	   "Details of a playback", "Playback", p_playback, e_playback_404, ari_playbacks_get),
	OP("playbacks", "DELETE", "/playbacks/{playbackId}", "stop",
	   "Stop a playback", "void", p_playback, e_playback_404, ari_playbacks_stop),
	OP("playbacks", "POST", "/playbacks/{playbackId}/control", "control",
	   "Control a playback", "void", p_playback_control,
	   e_playback_control, ari_playbacks_control),

	/* deviceStates */
	OP("deviceStates", "GET", "/deviceStates", "list",
	   "List the device states", "List[DeviceState]", p_none, e_none, ari_device_states_list),
	OP("deviceStates", "GET", "/deviceStates/{deviceName}", "get",
	   "State of a device", "DeviceState", p_device, e_none, ari_device_states_get),
	OP("deviceStates", "PUT", "/deviceStates/{deviceName}", "update",
	   "Change the state of an ARI controlled device", "void",
	   p_device_update, e_device_ctl, ari_device_states_update),
	OP("deviceStates", "DELETE", "/deviceStates/{deviceName}", "delete",
	   "Remove an ARI controlled device", "void", p_device, e_device_ctl, ari_device_states_delete),

	/* mailboxes */
	OP("mailboxes", "GET", "/mailboxes", "list", "List the mailboxes",
	   "List[Mailbox]", p_none, e_none, ari_mailboxes_list),
	OP("mailboxes", "GET", "/mailboxes/{mailboxName}", "get",
	   "Details of a mailbox", "Mailbox", p_mailbox, e_mailbox_404, ari_mailboxes_get),
	OP("mailboxes", "PUT", "/mailboxes/{mailboxName}", "update",
	   "Change a mailbox's message counts", "void", p_mailbox_update,
	   e_mailbox_404, ari_mailboxes_update),
	OP("mailboxes", "DELETE", "/mailboxes/{mailboxName}", "delete",
	   "Delete a mailbox", "void", p_mailbox, e_mailbox_404, ari_mailboxes_delete),

	/* events: the upgrade is ws_events.c's (dispatch.c calls it) */
	{ .resource = "events", .method = "GET", .path = "/events",
	  .nickname = "eventWebsocket",
	  .summary = "WebSocket that carries events to applications",
	  .response_class = "Message", .params = p_event_websocket,
	  .errors = e_none, .handler = NULL, .websocket = true },
	OP("events", "POST", "/events/user/{eventName}", "userEvent",
	   "Send a user event to an application", "void", p_user_event,
	   e_user_event, ari_events_user_event),
	OP("events", "POST", "/events/claim", "claimChannel",
	   "Claim a channel offered by CallBroadcast", "void", p_claim, e_claim, ari_events_claim_channel),

	/* applications */
	OP("applications", "GET", "/applications", "list",
	   "List the registered applications", "List[Application]", p_none,
	   e_none, ari_applications_list),
	OP("applications", "GET", "/applications/{applicationName}", "get",
	   "Details of an application", "Application", p_app, e_app_404, ari_applications_get),
	OP("applications", "POST", "/applications/{applicationName}/subscription", "subscribe", "Subscribe an application to event sources",
	   "Application", p_app_subscription, e_subscribe, ari_applications_subscribe),
	OP("applications", "DELETE", "/applications/{applicationName}/subscription", "unsubscribe", "Unsubscribe an application from event sources",
	   "Application", p_app_subscription, e_unsubscribe, ari_applications_unsubscribe),
	OP("applications", "PUT", "/applications/{applicationName}/eventFilter", "filter", "Set the event type filter of an application",
	   "Application", p_app_filter, e_filter, ari_applications_filter),
};

const size_t ari_routes_count = sizeof(ari_routes) / sizeof(ari_routes[0]);

const char *const ari_resources[] = {
	"asterisk",   "endpoints", "channels",     "bridges",
	"recordings", "sounds",    "playbacks",    "deviceStates",
	"mailboxes",  "events",    "applications", NULL,
};
