/* recording.h — recordings of a channel or a bridge, as ARI's /recordings
 * resource shows them: live recordings (their registry by name, the state
 * machine queued → recording ⇄ paused → done/failed/canceled, and the
 * events RecordingStarted, RecordingFinished, RecordingFailed) and stored
 * recordings (the files under <astspooldir>/recording/: list, find, copy,
 * delete, with every name kept inside that directory).
 *
 * The audio is written by an engine that src/media registers
 * (recording_engine_register), the way playbacks are: the core knows file
 * names and directories, never what is inside a file (no WAV, no codec).
 * States, events and error cases follow Asterisk's res_stasis_recording and
 * stasis_recording/stored.c. */
#ifndef ARIADNE_RECORDING_H
#define ARIADNE_RECORDING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bridge;
struct channel;
struct recording;

enum recording_state {
	RECORDING_QUEUED = 0,
	RECORDING_RECORDING,
	RECORDING_PAUSED,
	RECORDING_DONE,
	RECORDING_FAILED,
	RECORDING_CANCELED,
};

enum recording_if_exists {
	RECORDING_IF_EXISTS_FAIL = 0,
	RECORDING_IF_EXISTS_OVERWRITE,
	RECORDING_IF_EXISTS_APPEND,
};

/* Why the audio ended; the engine trims trailing silence for the ends
 * Asterisk trims (silence, max duration, a terminating digit). */
enum recording_end {
	RECORDING_END_STOP = 0,     /* POST .../stop */
	RECORDING_END_CANCEL,       /* DELETE /recordings/live/x: file removed */
	RECORDING_END_DTMF,         /* terminateOn */
	RECORDING_END_MAX_DURATION,
	RECORDING_END_SILENCE,      /* maxSilenceSeconds */
	RECORDING_END_HANGUP,       /* the channel or bridge went */
	RECORDING_END_ERROR,        /* the file could not be written */
};

/* Live operations (POST/DELETE /recordings/live/{name}/...). */
enum recording_op {
	RECORDING_OP_STOP = 0,
	RECORDING_OP_CANCEL,
	RECORDING_OP_PAUSE,
	RECORDING_OP_UNPAUSE,
	RECORDING_OP_MUTE,
	RECORDING_OP_UNMUTE,
};

#define RECORDING_DTMF_ANY "#*0123456789ABCD"

struct recording_opts {
	const char *name;        /* relative to the recordings directory */
	const char *format;      /* a format of the engine ("wav", "ulaw") */
	int max_duration_s;      /* 0: no limit */
	int max_silence_s;       /* 0: no limit, and no talking/silence
	                          * durations (as Asterisk) */
	enum recording_if_exists if_exists;
	bool beep;
	const char *terminate_on; /* digits that end it; NULL or "": none */
};

/* ---- starting one ---- */

/* Record what `ch` sends (ARI POST /channels/{id}/record). The recording
 * starts on a later turn of the loop, once the channel's running playback
 * has finished (Asterisk runs a channel's commands one after another): the
 * channel is answered if need be, RecordingStarted is published, the beep
 * plays if asked, then the audio is written. A channel in a bridge gets
 * RecordingFailed ("Cannot record channel while in bridge").
 * Errors: EINVAL missing name or format, negative limits; ENOTSUP format
 * unknown (no engine, or not one of its formats); EACCES a name that leaves
 * the recordings directory (absolute, or ".." above it); EEXIST a live
 * recording has the name, or ifExists=fail and a file of that name exists
 * in any format; another errno when its directory cannot be made. *recp is
 * borrowed: the registry owns the recording until it ends. */
int recording_start(struct recording **recp, struct channel *ch,
		    const struct recording_opts *o);
/* The same for what everyone in bridge `b` says and hears (the sum of its
 * members and its own playbacks); target_uri "bridge:ID". Starts on the
 * next turn (no queue). Until it ends it is a helper of the bridge
 * (Asterisk's Recorder channel: it counts for the technology and the
 * members' BRIDGEPEER); EBUSY the bridge takes no more helpers. */
int recording_start_bridge(struct recording **recp, struct bridge *b,
			   const struct recording_opts *o);

/* "fail", "overwrite", "append" (NULL or "": fail); EINVAL otherwise. */
int recording_if_exists_parse(const char *s, enum recording_if_exists *out);
/* ARI's terminateOn: "none" (NULL, ""), "any", "#", "*" → the digits that
 * end the recording (a static string); EINVAL otherwise. */
int recording_terminate_parse(const char *s, const char **digits);
/* A format the engine can write and read ("wav", "ulaw", ...). */
bool recording_format_known(const char *format);

/* ---- live recordings ---- */

struct recording *recording_find(const char *name);
/* The live recording that holds `ch` (queued, recording or paused), or
 * NULL: Asterisk refuses to bridge a channel that records. */
struct recording *recording_of_channel(const struct channel *ch);

/* stop, cancel, pause, unpause, mute, unmute with Asterisk's table: 0 (also
 * for what changes nothing: unpause while recording, mute twice), EBUSY
 * "Recording not in session" (ARI 409) for anything but stop or cancel of
 * a queued one, or for any operation once it is done. Stop and cancel
 * end the audio on the next turn of the loop, after the REST reply. */
int recording_operation(struct recording *rec, enum recording_op op);

const char *recording_name(const struct recording *rec);
const char *recording_format(const struct recording *rec);
const char *recording_target_uri(const struct recording *rec);
enum recording_state recording_get_state(const struct recording *rec);
/* "queued", "recording", "paused", "done", "failed", "canceled" */
const char *recording_state_str(enum recording_state st);
/* Seconds, -1 until it finished (Asterisk shows them only then). talking
 * is -1 too without silence detection (max_silence_s 0). */
int recording_duration(const struct recording *rec);
int recording_talking_duration(const struct recording *rec);
/* Why it failed (RecordingFailed), or NULL. */
const char *recording_cause(const struct recording *rec);

/* ---- what the engine reads ---- */

struct channel *recording_channel(const struct recording *rec);
struct bridge *recording_bridge(const struct recording *rec);
/* Absolute file name without extension (the engine adds ".<format>"). */
const char *recording_path(const struct recording *rec);
enum recording_if_exists recording_if_exists(const struct recording *rec);
bool recording_beep(const struct recording *rec);
int recording_max_duration(const struct recording *rec);
int recording_max_silence(const struct recording *rec);
bool recording_muted(const struct recording *rec);
bool recording_paused(const struct recording *rec);

/* ---- the audio engine, registered by src/media ---- */

struct recording_engine {
	/* The formats it writes and reads, NULL-terminated; each is also
	 * the file name's extension. */
	const char *const *formats;
	/* Open the file (if_exists: fail → exclusive create, overwrite,
	 * append), beep if asked, then write the target's audio. From then
	 * on the engine ends by calling recording_engine_ended() once. */
	int (*start)(struct recording *rec);
	/* End now for `why` (stop, cancel, dtmf, hangup): the engine
	 * finalises (or, for cancel, just closes) the file and calls
	 * recording_engine_ended() before returning. */
	void (*stop)(struct recording *rec, enum recording_end why);
	/* Pause (write nothing) and mute (write silence): the state is
	 * already in recording_paused()/recording_muted(). */
	void (*changed)(struct recording *rec);
};

/* NULL unregisters. Without an engine every format is unknown. */
void recording_engine_register(const struct recording_engine *eng);

void recording_set_engine_data(struct recording *rec, void *data);
void *recording_engine_data(const struct recording *rec);

/* The audio ended: the file is closed. duration_s and talking_s as
 * Asterisk computes them (talking -1 without silence detection); `cause`
 * for RECORDING_END_ERROR. Publishes RecordingFinished (state done) or
 * RecordingFailed; for a cancel the file is removed first. The recording
 * leaves the registry; its name is free again. */
void recording_engine_ended(struct recording *rec, enum recording_end why,
			    int duration_s, int talking_s, const char *cause);

/* ---- stored recordings (recording_stored.c) ---- */

struct recording_stored;

/* The recordings directory: <astspooldir>/recording. */
const char *recording_dir(void);

/* A stored recording by name (no extension; may hold sub-directories):
 * the first file "<name>.<ext>" with a known format. ENOENT none; EACCES
 * a name that leaves the directory (absolute, "..", a symbolic link out);
 * EINVAL empty. *sp is a new mem object. */
int recording_stored_find(struct recording_stored **sp, const char *name);
const char *recording_stored_name(const struct recording_stored *s);
const char *recording_stored_format(const struct recording_stored *s);
/* Absolute file name with its extension. */
const char *recording_stored_file(const struct recording_stored *s);

/* Every stored recording under the directory, sorted by name, one per
 * name. *listp is a mem array of n new references (free with
 * recording_stored_list_free). */
int recording_stored_list(struct recording_stored ***listp, size_t *np);
void recording_stored_list_free(struct recording_stored **list, size_t n);

/* Copy to `dst` (an extension in dst is dropped, as Asterisk does):
 * EEXIST the destination exists, EACCES it leaves the directory, EINVAL
 * empty. *outp the copy. */
int recording_stored_copy(const struct recording_stored *s, const char *dst,
			  struct recording_stored **outp);
int recording_stored_delete(const struct recording_stored *s);
/* The file's bytes (a mem buffer). EACCES unreadable (ARI 403). */
int recording_stored_read(const struct recording_stored *s, uint8_t **bufp,
			  size_t *np);

/* ---- start and stop ---- */

/* The hangup hook (a recording of a channel that hangs up ends before its
 * StasisEnd, as in Asterisk: call before Stasis adds its hook) and the bus
 * subscription (terminateOn digits, playbacks a recording waits for,
 * bridges that go). */
int recording_init(void);
/* Shutdown: forget every live recording without events. */
void recording_close(void);

#endif
