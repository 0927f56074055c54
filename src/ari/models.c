/* models.c — the swagger `models` of each ARI api-docs declaration: the
 * objects (Channel, Bridge, ...) and every event the WebSocket may carry.
 * Clients depend on these: ari-client looks up every incoming event's
 * `type` in events.json's models and crashes on an unknown one, and both
 * clients build live objects from properties typed Channel, Bridge, ...
 *
 * Model ids, property names and types follow Asterisk's rest-api/api-docs;
 * descriptions are ours. This file is data plus the JSON builder; the
 * operations live in routes.c. */

#include <string.h>
#include "ari/route.h"

struct prop {
	const char *name;
	const char *type;
	bool required;
	const char *allowed; /* comma list for allowableValues, or NULL */
	const char *desc;
};

struct model {
	const char *resource; /* api-docs file the model is declared in */
	const char *id;
	bool event;           /* a subtype of Event: may be sent on the socket */
	const char *desc;
	const struct prop *props;
};

#define REQ(n, t, d) { n, t, true, NULL, d }
#define OPT(n, t, d) { n, t, false, NULL, d }
#define REQ_ENUM(n, allow, d) { n, "string", true, allow, d }
#define OPT_ENUM(n, allow, d) { n, "string", false, allow, d }
#define END { NULL }

/* ---- asterisk.json ---- */

static const struct prop asterisk_info[] = {
	OPT("build", "BuildInfo", "How the server was built"),
	OPT("system", "SystemInfo", "Server software and identity"),
	OPT("config", "ConfigInfo", "Server configuration"),
	OPT("status", "StatusInfo", "Server status"),
	END };
static const struct prop build_info[] = {
	REQ("os", "string", "Operating system built on"),
	REQ("kernel", "string", "Kernel version built on"),
	REQ("options", "string", "Compile time options"),
	REQ("machine", "string", "Machine architecture"),
	REQ("date", "string", "Build date"),
	REQ("user", "string", "User who built it"),
	END };
static const struct prop system_info[] = {
	REQ("version", "string", "Server version"),
	REQ("entity_id", "string", "Entity id of the system"),
	END };
static const struct prop set_id[] = {
	REQ("user", "string", "User the server runs as"),
	REQ("group", "string", "Group the server runs as"),
	END };
static const struct prop config_info[] = {
	REQ("name", "string", "System name"),
	REQ("default_language", "string", "Default language for media"),
	OPT("max_channels", "int", "Channel limit, if any"),
	OPT("max_open_files", "int", "Open file limit, if any"),
	OPT("max_load", "double", "Load average limit, if any"),
	REQ("setid", "SetId", "Effective user and group"),
	END };
static const struct prop status_info[] = {
	REQ("startup_time", "Date", "When the server started"),
	REQ("last_reload_time", "Date", "When the configuration was last reloaded"),
	END };
static const struct prop asterisk_ping[] = {
	REQ("asterisk_id", "string", "Entity id of the server"),
	REQ("ping", "string", "Always \"pong\""),
	REQ("timestamp", "string", "Time of the answer"),
	END };
static const struct prop module[] = {
	REQ("name", "string", "Module file name"),
	REQ("description", "string", "What the module does"),
	REQ("use_count", "int", "Number of users of the module"),
	REQ("status", "string", "Running state"),
	REQ("support_level", "string", "Support level"),
	END };
static const struct prop log_channel[] = {
	REQ("channel", "string", "Log channel name"),
	REQ("type", "string", "Kind of log channel"),
	REQ("status", "string", "Whether the channel is enabled"),
	REQ("configuration", "string", "Levels logged to the channel"),
	END };
static const struct prop variable[] = {
	REQ("value", "string", "Value of the variable or function"),
	END };
static const struct prop variables[] = {
	REQ("variables", "object", "Variable names and their values"),
	END };
static const struct prop config_tuple[] = {
	REQ("attribute", "string", "Field name"),
	REQ("value", "string", "Field value"),
	END };

/* ---- endpoints.json ---- */

static const struct prop endpoint[] = {
	REQ("technology", "string", "Channel technology (e.g. PJSIP)"),
	REQ("resource", "string", "Endpoint name within the technology"),
	OPT_ENUM("state", "unknown,offline,online", "Endpoint state"),
	REQ("channel_ids", "List[string]", "Ids of the endpoint's channels"),
	END };
static const struct prop text_message[] = {
	REQ("from", "string", "Sender URI"),
	REQ("to", "string", "Destination URI"),
	REQ("body", "string", "Message text"),
	OPT("variables", "object", "Technology specific key/value pairs"),
	END };

/* ---- channels.json ---- */

#define CHANNEL_STATES                                                   \
	"Down,Rsrved,OffHook,Dialing,Ring,Ringing,Up,Busy,Dialing Offhook," \
	"Pre-ring,Unknown"

static const struct prop channel[] = {
	REQ("id", "string", "Unique id of the channel, used in every URL"),
	REQ("protocol_id", "string", "Call id of the signalling protocol"),
	REQ("name", "string", "Channel name (e.g. PJSIP/alice-00000001)"),
	REQ_ENUM("state", CHANNEL_STATES, "Channel state"),
	REQ("caller", "CallerID", "Caller identification"),
	REQ("connected", "CallerID", "Connected line identification"),
	REQ("accountcode", "string", "Account code"),
	REQ("dialplan", "DialplanCEP", "Current dialplan location"),
	REQ("creationtime", "Date", "When the channel was created"),
	REQ("language", "string", "Channel language"),
	OPT("channelvars", "object", "Variables reported with the channel"),
	OPT("caller_rdnis", "string", "Redirecting number"),
	OPT("tenantid", "string", "Tenant id"),
	END };
static const struct prop caller_id[] = {
	REQ("name", "string", "Name"),
	REQ("number", "string", "Number"),
	END };
static const struct prop dialplan_cep[] = {
	REQ("context", "string", "Dialplan context"),
	REQ("exten", "string", "Dialplan extension"),
	REQ("priority", "long", "Dialplan priority"),
	REQ("app_name", "string", "Application being executed"),
	REQ("app_data", "string", "Argument of that application"),
	END };
static const struct prop dialed[] = { END };
static const struct prop rtp_stat[] = {
	REQ("txcount", "int", "Packets sent"),
	REQ("rxcount", "int", "Packets received"),
	OPT("txjitter", "double", "Jitter on sent packets"),
	OPT("rxjitter", "double", "Jitter on received packets"),
	OPT("remote_maxjitter", "double", "Largest jitter reported by the peer"),
	OPT("remote_minjitter", "double", "Smallest jitter reported by the peer"),
	OPT("remote_normdevjitter", "double", "Mean jitter reported by the peer"),
	OPT("remote_stdevjitter", "double", "Jitter deviation reported by the peer"),
	OPT("local_maxjitter", "double", "Largest jitter measured here"),
	OPT("local_minjitter", "double", "Smallest jitter measured here"),
	OPT("local_normdevjitter", "double", "Mean jitter measured here"),
	OPT("local_stdevjitter", "double", "Jitter deviation measured here"),
	REQ("txploss", "int", "Sent packets lost"),
	REQ("rxploss", "int", "Received packets lost"),
	OPT("remote_maxrxploss", "double", "Largest loss reported by the peer"),
	OPT("remote_minrxploss", "double", "Smallest loss reported by the peer"),
	OPT("remote_normdevrxploss", "double", "Mean loss reported by the peer"),
	OPT("remote_stdevrxploss", "double", "Loss deviation reported by the peer"),
	OPT("local_maxrxploss", "double", "Largest loss measured here"),
	OPT("local_minrxploss", "double", "Smallest loss measured here"),
	OPT("local_normdevrxploss", "double", "Mean loss measured here"),
	OPT("local_stdevrxploss", "double", "Loss deviation measured here"),
	OPT("rtt", "double", "Round trip time"),
	OPT("maxrtt", "double", "Largest round trip time"),
	OPT("minrtt", "double", "Smallest round trip time"),
	OPT("normdevrtt", "double", "Mean round trip time"),
	OPT("stdevrtt", "double", "Round trip time deviation"),
	REQ("local_ssrc", "int", "Our SSRC"),
	REQ("remote_ssrc", "int", "Peer's SSRC"),
	REQ("txoctetcount", "int", "Octets sent"),
	REQ("rxoctetcount", "int", "Octets received"),
	REQ("channel_uniqueid", "string", "Id of the channel"),
	END };

/* ---- bridges, playbacks, recordings, deviceStates, mailboxes, sounds,
 * applications ---- */

static const struct prop bridge[] = {
	REQ("id", "string", "Unique id of the bridge"),
	REQ("technology", "string", "Mixing technology in use"),
	REQ_ENUM("bridge_type", "mixing,holding", "Kind of bridge"),
	REQ("bridge_class", "string", "Class of the bridge's owner"),
	REQ("creator", "string", "Who created the bridge"),
	REQ("name", "string", "Name given at creation"),
	REQ("channels", "List[string]", "Ids of the channels in the bridge"),
	OPT("video_mode", "string", "Video mode (none, talker, single, sfu)"),
	OPT("video_source_id", "string", "Channel that is the video source"),
	REQ("creationtime", "Date", "When the bridge was created"),
	OPT("bridgevars", "object", "Variables reported with the bridge"),
	END };
static const struct prop playback[] = {
	REQ("id", "string", "Unique id of the playback"),
	REQ("media_uri", "string", "URI of the media playing"),
	OPT("next_media_uri", "string", "URI of the media that plays next"),
	REQ("target_uri", "string", "channel:ID or bridge:ID played to"),
	OPT("language", "string", "Language of sound: media"),
	REQ_ENUM("state", "queued,playing,continuing,done,failed",
		 "Playback state"),
	END };
static const struct prop stored_recording[] = {
	REQ("name", "string", "Recording name"),
	REQ("format", "string", "File format"),
	END };
static const struct prop live_recording[] = {
	REQ("name", "string", "Recording name"),
	REQ("format", "string", "File format"),
	REQ("target_uri", "string", "channel:ID or bridge:ID recorded"),
	REQ_ENUM("state", "queued,recording,paused,done,failed,canceled",
		 "Recording state"),
	OPT("duration", "int", "Seconds recorded"),
	OPT("talking_duration", "int", "Seconds of talking, with silence detection"),
	OPT("silence_duration", "int", "Seconds of silence, with silence detection"),
	OPT("cause", "string", "Why the recording failed"),
	END };
static const struct prop device_state[] = {
	REQ("name", "string", "Device name"),
	REQ_ENUM("state",
		 "UNKNOWN,NOT_INUSE,INUSE,BUSY,INVALID,UNAVAILABLE,RINGING,"
		 "RINGINUSE,ONHOLD",
		 "Device state"),
	END };
static const struct prop mailbox[] = {
	REQ("name", "string", "Mailbox name"),
	REQ("old_messages", "int", "Count of old messages"),
	REQ("new_messages", "int", "Count of new messages"),
	END };
static const struct prop sound[] = {
	REQ("id", "string", "Sound id"),
	OPT("text", "string", "What the sound says"),
	REQ("formats", "List[FormatLangPair]", "Languages and formats available"),
	END };
static const struct prop format_lang_pair[] = {
	REQ("language", "string", "Language"),
	REQ("format", "string", "File format"),
	END };
static const struct prop application[] = {
	REQ("name", "string", "Application name"),
	REQ("channel_ids", "List[string]", "Channels the application follows"),
	REQ("bridge_ids", "List[string]", "Bridges the application follows"),
	REQ("endpoint_ids", "List[string]", "Endpoints the application follows"),
	REQ("device_names", "List[string]", "Devices the application follows"),
	REQ("events_allowed", "List[object]", "Event types let through"),
	REQ("events_disallowed", "List[object]", "Event types held back"),
	END };

/* ---- events.json: the envelope ---- */

static const struct prop message[] = {
	REQ("type", "string", "Kind of message; names its model"),
	OPT("asterisk_id", "string", "Entity id of the server that sent it"),
	END };
static const struct prop missing_params[] = {
	REQ("params", "List[string]", "Names of the missing parameters"),
	END };
static const struct prop event[] = {
	REQ("application", "string", "Application receiving the event"),
	REQ("timestamp", "Date", "When the event was created"),
	END };

/* ---- events.json: events ---- */

static const struct prop ev_none[] = { END };
static const struct prop ev_device_state[] = {
	REQ("device_state", "DeviceState", "The device's new state"), END };
static const struct prop ev_playback[] = {
	REQ("playback", "Playback", "The playback"), END };
static const struct prop ev_recording[] = {
	REQ("recording", "LiveRecording", "The recording"), END };
static const struct prop ev_move_failed[] = {
	REQ("channel", "Channel", "The channel, still in this application"),
	REQ("destination", "string", "Application the move was for"),
	REQ("args", "List[string]", "Arguments the move was given"),
	END };
static const struct prop ev_bridge[] = {
	REQ("bridge", "Bridge", "The bridge"), END };
static const struct prop ev_bridge_merged[] = {
	REQ("bridge", "Bridge", "The bridge that remains"),
	REQ("bridge_from", "Bridge", "The bridge merged into it"),
	END };
static const struct prop ev_blind_transfer[] = {
	REQ("channel", "Channel", "Channel doing the transfer"),
	OPT("replace_channel", "Channel", "Channel standing in for the transferer"),
	OPT("transferee", "Channel", "Channel being transferred"),
	REQ("exten", "string", "Extension transferred to"),
	REQ("context", "string", "Context transferred to"),
	REQ("result", "string", "Outcome of the transfer"),
	REQ("is_external", "boolean", "Whether the transfer came from outside"),
	OPT("bridge", "Bridge", "Bridge being transferred"),
	END };
static const struct prop ev_attended_transfer[] = {
	REQ("transferer_first_leg", "Channel", "Transferer's first call"),
	REQ("transferer_second_leg", "Channel", "Transferer's second call"),
	OPT("replace_channel", "Channel", "Channel replacing the first leg"),
	OPT("transferee", "Channel", "Channel being transferred"),
	OPT("transfer_target", "Channel", "Channel transferred to"),
	REQ("result", "string", "Outcome of the transfer"),
	REQ("is_external", "boolean", "Whether the transfer came from outside"),
	OPT("transferer_first_leg_bridge", "Bridge", "Bridge of the first leg"),
	OPT("transferer_second_leg_bridge", "Bridge", "Bridge of the second leg"),
	REQ("destination_type", "string", "How the transfer was completed"),
	OPT("destination_bridge", "string", "Bridge that remained after a merge"),
	OPT("destination_application", "string", "Application transferred to"),
	OPT("destination_link_first_leg", "Channel", "First leg of a link"),
	OPT("destination_link_second_leg", "Channel", "Second leg of a link"),
	OPT("destination_threeway_channel", "Channel",
	    "Transferer channel left in a threeway call"),
	OPT("destination_threeway_bridge", "Bridge",
	    "Bridge left holding a threeway call"),
	END };
static const struct prop ev_video_source[] = {
	REQ("bridge", "Bridge", "The bridge"),
	OPT("old_video_source_id", "string", "Previous video source channel"),
	END };
static const struct prop ev_channel[] = {
	REQ("channel", "Channel", "The channel"), END };
static const struct prop ev_channel_destroyed[] = {
	REQ("cause", "int", "Q.850 hangup cause"),
	REQ("cause_txt", "string", "Text of the hangup cause"),
	OPT("tech_cause", "int", "Technology specific cause (e.g. SIP code)"),
	REQ("channel", "Channel", "The channel"),
	END };
static const struct prop ev_entered_bridge[] = {
	REQ("bridge", "Bridge", "The bridge"),
	OPT("channel", "Channel", "The channel that joined"),
	END };
static const struct prop ev_left_bridge[] = {
	REQ("bridge", "Bridge", "The bridge"),
	REQ("channel", "Channel", "The channel that left"),
	END };
static const struct prop ev_dtmf[] = {
	REQ("digit", "string", "The digit (0-9, A-E, # or *)"),
	REQ("duration_ms", "int", "Length of the digit in milliseconds"),
	REQ("channel", "Channel", "Channel the digit came from"),
	END };
static const struct prop ev_dialplan[] = {
	REQ("channel", "Channel", "The channel"),
	REQ("dialplan_app", "string", "Application about to run"),
	REQ("dialplan_app_data", "string", "Its argument"),
	END };
static const struct prop ev_caller_id[] = {
	REQ("caller_presentation", "int", "Presentation as a number"),
	REQ("caller_presentation_txt", "string", "Presentation as text"),
	REQ("channel", "Channel", "The channel"),
	END };
static const struct prop ev_userevent[] = {
	REQ("eventname", "string", "Name of the user event"),
	OPT("channel", "Channel", "Channel named as a source"),
	OPT("bridge", "Bridge", "Bridge named as a source"),
	OPT("endpoint", "Endpoint", "Endpoint named as a source"),
	REQ("userevent", "object", "The event's own fields"),
	END };
static const struct prop ev_hangup_request[] = {
	OPT("cause", "int", "Requested hangup cause"),
	OPT("tech_cause", "int", "Technology specific cause"),
	OPT("soft", "boolean", "Whether it is a soft hangup"),
	REQ("channel", "Channel", "The channel"),
	END };
static const struct prop ev_varset[] = {
	REQ("variable", "string", "Name of the variable"),
	REQ("value", "string", "Its new value"),
	OPT("channel", "Channel", "The channel; absent for a global variable"),
	END };
static const struct prop ev_talking_finished[] = {
	REQ("channel", "Channel", "The channel"),
	REQ("duration", "int", "Milliseconds of talking"),
	END };
static const struct prop ev_hold[] = {
	REQ("channel", "Channel", "The channel"),
	OPT("musicclass", "string", "Music on hold class suggested"),
	END };
static const struct prop ev_contact_status[] = {
	REQ("endpoint", "Endpoint", "The endpoint"),
	REQ("contact_info", "ContactInfo", "The contact and its status"),
	END };
static const struct prop ev_endpoint[] = {
	REQ("endpoint", "Endpoint", "The endpoint"), END };
static const struct prop ev_dial[] = {
	OPT("caller", "Channel", "Calling channel"),
	REQ("peer", "Channel", "Called channel"),
	OPT("forward", "string", "Where the call was forwarded"),
	OPT("forwarded", "Channel", "Channel created by the forward"),
	OPT("dialstring", "string", "Dial string used"),
	REQ("dialstatus", "string", "Dial status; empty when dialing starts"),
	END };
static const struct prop ev_stasis_start[] = {
	REQ("args", "List[string]", "Arguments given to the application"),
	REQ("channel", "Channel", "The channel"),
	OPT("replace_channel", "Channel", "Channel this one replaces"),
	END };
static const struct prop ev_text_message[] = {
	REQ("message", "TextMessage", "The message"),
	OPT("endpoint", "Endpoint", "Endpoint it arrived for"),
	END };
static const struct prop ev_peer_status[] = {
	REQ("endpoint", "Endpoint", "The endpoint"),
	REQ("peer", "Peer", "The peer and its status"),
	END };
static const struct prop ev_channel_transfer[] = {
	OPT("state", "string", "Transfer state"),
	REQ("refer_to", "ReferTo", "Transfer target"),
	REQ("referred_by", "ReferredBy", "Transfer source"),
	END };
static const struct prop ev_rest_response[] = {
	REQ("transaction_id", "string", "Transaction id of the request"),
	REQ("request_id", "string", "Request id of the request"),
	REQ("status_code", "int", "HTTP status"),
	REQ("reason_phrase", "string", "HTTP reason phrase"),
	REQ("uri", "string", "URI of the request"),
	OPT("content_type", "string", "Content type of the body"),
	OPT("message_body", "string", "Response body as text"),
	END };
static const struct prop ev_call_broadcast[] = {
	REQ("channel", "Channel", "Channel offered"),
	OPT("caller", "string", "Caller number"),
	OPT("called", "string", "Called number"),
	END };
static const struct prop ev_call_claimed[] = {
	REQ("channel", "Channel", "Channel claimed"),
	REQ("winner_app", "string", "Application that won the claim"),
	END };

/* ---- events.json: helpers ---- */

static const struct prop contact_info[] = {
	REQ("uri", "string", "Contact URI"),
	REQ_ENUM("contact_status", "Unreachable,Reachable,Unknown,NonQualified,Removed",
		 "Reachability of the contact"),
	REQ("aor", "string", "Address of record"),
	OPT("roundtrip_usec", "string", "Qualify round trip in microseconds"),
	END };
static const struct prop peer[] = {
	REQ("peer_status", "string", "Peer status"),
	OPT("cause", "string", "Why the status changed"),
	OPT("address", "string", "Peer address"),
	OPT("port", "string", "Peer port"),
	OPT("time", "string", "When the change happened"),
	END };
static const struct prop refer_to[] = {
	REQ("requested_destination", "RequiredDestination", "Where to transfer"),
	OPT("destination_channel", "Channel", "Channel transferred to"),
	OPT("connected_channel", "Channel", "Channel connected to the target"),
	OPT("bridge", "Bridge", "Bridge of the target"),
	END };
static const struct prop referred_by[] = {
	REQ("source_channel", "Channel", "Channel that asked for the transfer"),
	OPT("connected_channel", "Channel", "Channel connected to the source"),
	OPT("bridge", "Bridge", "Bridge of the source"),
	END };
static const struct prop required_destination[] = {
	OPT("protocol_id", "string", "Protocol call id of the target"),
	OPT("destination", "string", "Target address"),
	OPT("additional_protocol_params", "List[AdditionalParam]",
	    "Extra protocol parameters"),
	END };
static const struct prop additional_param[] = {
	REQ("parameter_name", "string", "Parameter name"),
	REQ("parameter_value", "string", "Parameter value"),
	END };
static const struct prop rest_request[] = {
	REQ("type", "string", "Always RESTRequest"),
	REQ("transaction_id", "string", "Client's transaction id"),
	REQ("request_id", "string", "Client's request id"),
	REQ("method", "string", "HTTP method"),
	REQ("uri", "string", "Resource path below /ari"),
	OPT("content_type", "string", "Content type of the body"),
	OPT("query_strings", "List[RESTQueryStringParameter]", "Query parameters"),
	OPT("message_body", "string", "Request body as text"),
	END };
static const struct prop name_value[] = {
	REQ("name", "string", "Name"),
	REQ("value", "string", "Value"),
	END };

#define M(res, id, d, p) { res, id, false, d, p }
#define EV(id, d, p) { "events", id, true, d, p }

static const struct model models[] = {
	M("asterisk", "AsteriskInfo", "Information about the server", asterisk_info),
	M("asterisk", "BuildInfo", "How the server was built", build_info),
	M("asterisk", "SystemInfo", "Server software and identity", system_info),
	M("asterisk", "SetId", "User and group the server runs as", set_id),
	M("asterisk", "ConfigInfo", "Server configuration", config_info),
	M("asterisk", "StatusInfo", "Server status", status_info),
	M("asterisk", "AsteriskPing", "Answer to a ping", asterisk_ping),
	M("asterisk", "Module", "A loaded module", module),
	M("asterisk", "LogChannel", "A log channel", log_channel),
	M("asterisk", "Variable", "Value of one variable", variable),
	M("asterisk", "Variables", "Values of several variables", variables),
	M("asterisk", "ConfigTuple", "One field of a configuration object",
	  config_tuple),

	M("endpoints", "Endpoint", "A device or peer that channels connect to",
	  endpoint),
	M("endpoints", "TextMessage", "An out-of-call text message", text_message),

	M("channels", "Dialed", "Information about a dialed channel", dialed),
	M("channels", "DialplanCEP", "A location in the dialplan", dialplan_cep),
	M("channels", "CallerID", "Party identification", caller_id),
	M("channels", "RTPstat", "RTP statistics of a channel", rtp_stat),
	M("channels", "Channel", "A call leg between the server and an endpoint",
	  channel),

	M("bridges", "Bridge", "A set of channels that share media", bridge),
	M("recordings", "StoredRecording", "A finished recording on disk",
	  stored_recording),
	M("recordings", "LiveRecording", "A recording in progress",
	  live_recording),
	M("sounds", "FormatLangPair", "A language and format a sound exists in",
	  format_lang_pair),
	M("sounds", "Sound", "A sound file that can be played", sound),
	M("playbacks", "Playback", "Media being played to a channel or bridge",
	  playback),
	M("deviceStates", "DeviceState", "State of a device", device_state),
	M("mailboxes", "Mailbox", "A mailbox's message counts", mailbox),
	M("applications", "Application", "A Stasis application", application),

	M("events", "Message", "Base of every WebSocket message", message),
	M("events", "MissingParams", "Error: required parameters were missing",
	  missing_params),
	M("events", "Event", "Base of every event", event),
	M("events", "ContactInfo", "A SIP contact and its status", contact_info),
	M("events", "Peer", "A peer and its status", peer),
	M("events", "ReferTo", "Target of a transfer request", refer_to),
	M("events", "ReferredBy", "Source of a transfer request", referred_by),
	M("events", "RequiredDestination", "Destination asked for by a transfer",
	  required_destination),
	M("events", "AdditionalParam", "An extra protocol parameter",
	  additional_param),
	M("events", "RESTRequest", "A REST request sent over the WebSocket",
	  rest_request),
	M("events", "RESTQueryStringParameter", "A query parameter of a RESTRequest",
	  name_value),
	M("events", "RESTHeader", "A header of a REST request or response",
	  name_value),

	EV("DeviceStateChanged", "A device's state changed", ev_device_state),
	EV("PlaybackStarted", "A playback began", ev_playback),
	EV("PlaybackContinuing", "A playback moved on to its next media",
	   ev_playback),
	EV("PlaybackFinished", "A playback ended", ev_playback),
	EV("RecordingStarted", "A recording began", ev_recording),
	EV("RecordingFinished", "A recording ended", ev_recording),
	EV("RecordingFailed", "A recording failed", ev_recording),
	EV("ApplicationMoveFailed",
	   "A channel could not be moved to another application", ev_move_failed),
	EV("ApplicationRegistered", "The application was registered", ev_none),
	EV("ApplicationUnregistered", "The application was unregistered", ev_none),
	EV("ApplicationReplaced",
	   "Another WebSocket took over the application; this one gets no "
	   "more of its events",
	   ev_none),
	EV("BridgeCreated", "A bridge was created", ev_bridge),
	EV("BridgeDestroyed", "A bridge was destroyed", ev_bridge),
	EV("BridgeMerged", "Two bridges were merged", ev_bridge_merged),
	EV("BridgeBlindTransfer", "A blind transfer was attempted",
	   ev_blind_transfer),
	EV("BridgeAttendedTransfer", "An attended transfer was attempted",
	   ev_attended_transfer),
	EV("BridgeVideoSourceChanged", "A bridge's video source changed",
	   ev_video_source),
	EV("ChannelCreated", "A channel was created", ev_channel),
	EV("ChannelDestroyed", "A channel was destroyed", ev_channel_destroyed),
	EV("ChannelEnteredBridge", "A channel joined a bridge", ev_entered_bridge),
	EV("ChannelLeftBridge", "A channel left a bridge", ev_left_bridge),
	EV("ChannelStateChange", "A channel's state changed", ev_channel),
	EV("ChannelDtmfReceived", "A DTMF digit ended on a channel", ev_dtmf),
	EV("ChannelDialplan", "A channel moved in the dialplan", ev_dialplan),
	EV("ChannelCallerId", "A channel's caller id changed", ev_caller_id),
	EV("ChannelUserevent", "A user defined event", ev_userevent),
	EV("ChannelHangupRequest", "A hangup was requested on a channel",
	   ev_hangup_request),
	EV("ChannelVarset", "A variable was set", ev_varset),
	EV("ChannelToneDetected", "A tone was detected on a channel", ev_channel),
	EV("ChannelTalkingStarted", "Talking began on a channel", ev_channel),
	EV("ChannelTalkingFinished", "Talking ended on a channel",
	   ev_talking_finished),
	EV("ChannelHold", "A channel put the call on hold", ev_hold),
	EV("ChannelUnhold", "A channel took the call off hold", ev_channel),
	EV("ContactStatusChange", "A contact's reachability changed",
	   ev_contact_status),
	EV("EndpointStateChange", "An endpoint's state changed", ev_endpoint),
	EV("Dial", "Progress of a dial", ev_dial),
	EV("StasisEnd", "A channel left the application", ev_channel),
	EV("StasisStart", "A channel entered the application", ev_stasis_start),
	EV("TextMessageReceived", "An out-of-call text message arrived",
	   ev_text_message),
	EV("ChannelConnectedLine", "A channel's connected line changed",
	   ev_channel),
	EV("PeerStatusChange", "A peer's status changed", ev_peer_status),
	EV("ChannelTransfer", "A channel asked for a transfer",
	   ev_channel_transfer),
	EV("RESTResponse", "Answer to a REST request sent over the WebSocket",
	   ev_rest_response),
	EV("CallBroadcast", "A channel is offered to the applications to claim",
	   ev_call_broadcast),
	EV("CallClaimed", "A broadcast channel was claimed", ev_call_claimed),
};

#define NMODELS (sizeof(models) / sizeof(models[0]))

bool ari_event_type_documented(const char *type)
{
	if (!type)
		return false;
	for (size_t i = 0; i < NMODELS; i++) {
		if (models[i].event && !strcmp(models[i].id, type))
			return true;
	}
	return false;
}

/* {"valueType":"LIST","values":[...]} from a comma list. */
json_t *ari_json_allowable_list(const char *list)
{
	json_t *values = json_array();
	const char *p = list;

	while (values) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);

		if (json_array_append_new(values, json_stringn(p, len))) {
			json_decref(values);
			return NULL;
		}
		if (!comma)
			break;
		p = comma + 1;
	}
	return values ? json_pack("{s:s, s:o}", "valueType", "LIST", "values",
				  values)
		      : NULL;
}

static json_t *property_json(const struct prop *p)
{
	json_t *o = json_pack("{s:s, s:b, s:s}", "type", p->type, "required",
			      p->required, "description", p->desc);

	if (o && p->allowed &&
	    json_object_set_new(o, "allowableValues", ari_json_allowable_list(p->allowed))) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *model_json(const struct model *m)
{
	json_t *props = json_object();
	json_t *o;

	for (const struct prop *p = m->props; props && p->name; p++) {
		if (json_object_set_new(props, p->name, property_json(p))) {
			json_decref(props);
			props = NULL;
		}
	}
	if (!props)
		return NULL;
	o = json_pack("{s:s, s:s, s:o}", "id", m->id, "description", m->desc,
		      "properties", props);
	if (!o)
		return NULL;

	/* The event type discriminator, as Asterisk's events.json has it:
	 * Message -> {MissingParams, Event}, Event -> every event model. */
	if (!strcmp(m->id, "Message")) {
		if (json_object_set_new(o, "discriminator", json_string("type")) ||
		    json_object_set_new(o, "subTypes",
					json_pack("[s, s]", "MissingParams",
						  "Event")))
			goto fail;
	} else if (!strcmp(m->id, "Event")) {
		json_t *subs = json_array();

		for (size_t i = 0; subs && i < NMODELS; i++) {
			if (models[i].event &&
			    json_array_append_new(subs, json_string(models[i].id))) {
				json_decref(subs);
				subs = NULL;
			}
		}
		if (json_object_set_new(o, "subTypes", subs))
			goto fail;
	}
	return o;
fail:
	json_decref(o);
	return NULL;
}

json_t *ari_models_json(const char *resource)
{
	json_t *out = json_object();

	for (size_t i = 0; out && i < NMODELS; i++) {
		if (strcmp(models[i].resource, resource))
			continue;
		/* swaggerpy requires the key to equal the model's id. */
		if (json_object_set_new(out, models[i].id, model_json(&models[i]))) {
			json_decref(out);
			out = NULL;
		}
	}
	return out;
}
