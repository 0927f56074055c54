/* em_ws.c — what travels on a WebSocket media channel's socket, as
 * Asterisk's chan_websocket carries it: audio in BINARY frames in the
 * channel's format, control in TEXT frames in one of em_ctl.c's dialects.
 * Events the engine raises (marks, flow control, DTMF) go out here; the
 * peer's commands are carried out here. The channel technology around it
 * (dial strings, the socket's arrival, hangup) is em_ws_chan.c. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include <re_types.h>
#include <re_fmt.h>
#include <re_mem.h>
#include <re_mbuf.h>
#include <re_list.h>
#include <re_tmr.h>
#include <re_base64.h>
#include "base/log.h"
#include "core/channel.h"
#include "extmedia/em_ctl.h"
#include "extmedia/em_int.h"
#include "extmedia/em_ws.h"
#include "extmedia/extmedia.h"
#include "net/ws_conn.h"

/* Commands longer than this get an ERROR (Asterisk ignored anything over
 * 128 bytes without a word: correlation ids are often longer). Twilio's
 * dialect carries audio in its text messages, a whole spoken answer in
 * one if the bot likes: those are bounded only by the largest WebSocket
 * message (4 MB). */
enum { TEXT_MAX = 16 * 1024 };

void em_ws_destructor(void *arg)
{
	struct em_ws *w = arg;

	list_unlink(&w->le);
	em_close(&w->e);
	if (w->wc)
		ws_conn_close(w->wc, 1000, NULL);
	mem_deref(w->wc);
	mem_deref(w->dial);
	mem_deref(w->conn_id);
	mem_deref(w->uri);
}

/* ---- sending ---- */

static int send_text(struct em_ws *w, const char *s)
{
	if (!w->wc || ws_conn_closing(w->wc))
		return ENOTCONN;
	return ws_conn_send(w->wc, false, s, strlen(s));
}

/* An event object, consumed: in the channel's dialect. */
static void send_event(struct em_ws *w, json_t *ev)
{
	char *s;

	if (!ev)
		return;
	s = em_ctl_format(w->ctl, ev);
	if (s)
		send_text(w, s);
	mem_deref(s);
	json_decref(ev);
}

static const char *ch_id(const struct em_ws *w)
{
	return w->e.ch ? channel_id(w->e.ch) : "";
}

static json_t *event_new(struct em_ws *w, const char *name)
{
	return json_pack("{s:s,s:s}", "event", name, "channel_id", ch_id(w));
}

/* Twilio's envelope: event, sequenceNumber, streamSid. */
static json_t *twilio_new(struct em_ws *w, const char *name)
{
	char seq[24];

	snprintf(seq, sizeof(seq), "%llu", (unsigned long long)++w->seq);
	return json_pack("{s:s,s:s,s:s}", "event", name, "sequenceNumber", seq,
			 "streamSid", w->stream_sid);
}

static void add_var(const char *name, const char *value, void *arg)
{
	json_object_set_new(arg, name, json_string(value));
}

/* Twilio's customParameters are what the stream was given, not what the
 * server says about it: the app's variables, without MEDIA_WEBSOCKET_*. */
static void add_param(const char *name, const char *value, void *arg)
{
	if (strncmp(name, "MEDIA_WEBSOCKET_", 16))
		add_var(name, value, arg);
}

static json_t *variables(const struct em_ws *w)
{
	json_t *o = json_object();

	if (o && w->e.ch)
		channel_var_foreach(w->e.ch, w->ctl == EM_CTL_TWILIO ?
				    add_param : add_var, o);
	return o;
}

void em_ws_media_start(struct em_ws *w)
{
	const struct em_format *f = w->e.conv.fmt;
	json_t *ev;

	if (w->ctl == EM_CTL_TWILIO) {
		send_event(w, json_pack("{s:s,s:s,s:s}", "event", "connected",
					"protocol", "Call", "version", "1.0.0"));
		ev = twilio_new(w, "start");
		json_object_set_new(ev, "start", json_pack(
			"{s:s,s:s,s:s,s:[s],s:o,s:{s:s,s:i,s:i}}",
			"streamSid", w->stream_sid, "accountSid", "",
			"callSid", ch_id(w), "tracks", "inbound",
			"customParameters", variables(w), "mediaFormat",
			"encoding", f->twilio ? f->twilio : "audio/x-l16",
			"sampleRate", (int)f->rate, "channels", 1));
		send_event(w, ev);
		return;
	}
	ev = json_pack("{s:s,s:s,s:s,s:s,s:s,s:i,s:i}", "event", "MEDIA_START",
		       "connection_id", w->conn_id, "channel",
		       w->e.ch ? channel_name(w->e.ch) : "", "channel_id",
		       ch_id(w), "format", f->name, "optimal_frame_size",
		       (int)f->frame, "ptime", 20);
	if (ev && w->ctl == EM_CTL_JSON)
		json_object_set_new(ev, "channel_variables", variables(w));
	send_event(w, ev);
}

/* Plain text writes these four in a form of their own: the id bare after
 * the name, as Asterisk. A mark that was flushed rather than played (which
 * Asterisk never acknowledges) says so after the id, so that a bot reading
 * the whole rest of the line as the id does not take it for a played one. */
static void send_plain_word(struct em_ws *w, const char *name, const char *id,
			    bool flushed)
{
	char *s = NULL;

	if (re_sdprintf(&s, "%s%s%s%s", name, id ? " " : "", id ? id : "",
			flushed ? " flushed:true" : ""))
		return;
	send_text(w, s);
	mem_deref(s);
}

static void mark_event(struct em_ws *w, const char *name, const char *id,
		       bool flushed)
{
	json_t *ev;

	if (w->ctl == EM_CTL_TWILIO) {
		if (strcmp(name, "MEDIA_MARK_PROCESSED"))
			return;
		ev = twilio_new(w, "mark");
		json_object_set_new(ev, "mark", json_pack("{s:s}", "name", id));
		send_event(w, ev);
		return;
	}
	if (w->ctl == EM_CTL_PLAIN) {
		send_plain_word(w, name, id && *id ? id : NULL, flushed);
		return;
	}
	ev = event_new(w, name);
	json_object_set_new(ev, "correlation_id", json_string(id ? id : ""));
	if (flushed)
		json_object_set_new(ev, "flushed", json_true());
	send_event(w, ev);
}

/* chan_websocket's bots get an ERROR event; Twilio's dialect has no word
 * for one, so what went wrong is logged instead: each new kind of mistake,
 * and one line in a hundred of a bot repeating itself. */
static void error_event(struct em_ws *w, const char *text)
{
	const char *name = w->e.ch ? channel_name(w->e.ch) : "WebSocket";
	json_t *ev;

	if (w->ctl == EM_CTL_TWILIO) {
		bool repeated = !strncmp(w->last_error, text,
					 sizeof(w->last_error) - 1);

		w->errors++;
		if (!repeated || !(w->errors % 100))
			log_notice("%s: Twilio media stream: %s (%llu bad "
				   "message%s so far)", name, text,
				   (unsigned long long)w->errors,
				   w->errors == 1 ? "" : "s");
		str_ncpy(w->last_error, text, sizeof(w->last_error));
		return;
	}
	log_verbose(3, "%s: WebSocket media: %s", name, text);
	ev = event_new(w, "ERROR");
	json_object_set_new(ev, "error_text", json_string(text));
	send_event(w, ev);
}

/* ---- the engine's wire ---- */

static int wire_audio(void *arg, const uint8_t *p, size_t n)
{
	struct em_ws *w = arg;
	char b64[EM_FRAME_MAX * 4 / 3 + 4], ts[24], chunk[24];
	size_t blen = sizeof(b64) - 1;
	json_t *ev;

	if (!w->wc || !w->started)
		return 0;
	if (w->ctl != EM_CTL_TWILIO)
		return ws_conn_send(w->wc, true, p, n);
	if (base64_encode(p, n, b64, &blen))
		return EINVAL;
	b64[blen] = '\0';
	snprintf(chunk, sizeof(chunk), "%llu", (unsigned long long)++w->chunk);
	snprintf(ts, sizeof(ts), "%llu",
		 (unsigned long long)(tmr_jiffies() - w->started_ms));
	ev = twilio_new(w, "media");
	json_object_set_new(ev, "media", json_pack("{s:s,s:s,s:s,s:s}",
		"track", "inbound", "chunk", chunk, "timestamp", ts,
		"payload", b64));
	send_event(w, ev);
	return 0;
}

static size_t wire_queued(void *arg)
{
	struct em_ws *w = arg;

	return w->wc ? ws_conn_queued(w->wc) : 0;
}

static void dtmf_event(struct em_ws *w, const char *digit)
{
	json_t *ev;

	if (w->ctl == EM_CTL_TWILIO) {
		ev = twilio_new(w, "dtmf");
		json_object_set_new(ev, "dtmf", json_pack("{s:s,s:s}", "track",
				    "inbound_track", "digit", digit));
	}
	/* Asterisk's key orders, which plain-text bots may read by place:
	 * "DTMF_END digit:5 channel_id:..." but JSON's channel_id first. */
	else if (w->ctl == EM_CTL_PLAIN) {
		ev = json_pack("{s:s,s:s,s:s}", "event", "DTMF_END",
			       "digit", digit, "channel_id", ch_id(w));
	}
	else {
		ev = json_pack("{s:s,s:s,s:s}", "event", "DTMF_END",
			       "channel_id", ch_id(w), "digit", digit);
	}
	send_event(w, ev);
}

static void wire_event(void *arg, enum em_event ev, const char *a, bool flag)
{
	struct em_ws *w = arg;
	static const char *const words[] = {
		[EM_EV_XOFF] = "MEDIA_XOFF", [EM_EV_XON] = "MEDIA_XON",
		[EM_EV_DRAINED] = "QUEUE_DRAINED",
	};

	if (!w->wc)
		return;
	switch (ev) {
	case EM_EV_XOFF:
	case EM_EV_XON:
	case EM_EV_DRAINED:
		if (w->ctl == EM_CTL_PLAIN)
			send_plain_word(w, words[ev], NULL, false);
		else if (w->ctl == EM_CTL_JSON)
			send_event(w, event_new(w, words[ev]));
		break;
	case EM_EV_MARK:
		mark_event(w, "MEDIA_MARK_PROCESSED", a, flag);
		break;
	case EM_EV_BUFFERING_DONE:
		mark_event(w, "MEDIA_BUFFERING_COMPLETED", a, flag);
		break;
	case EM_EV_DTMF:
		dtmf_event(w, a);
		break;
	case EM_EV_ERROR:
		error_event(w, a);
		break;
	}
}

const struct em_wire em_ws_wire = {
	.audio = wire_audio,
	.queued = wire_queued,
	.event = wire_event,
};

/* ---- the channel ends ---- */

/* tech: chan_websocket's technology cause, a WebSocket status code (1000
 * for the peer's HANGUP, 1001 "going away" for its close or a lost
 * connection), which ChannelDestroyed carries as tech_cause. */
static void hang_up(struct em_ws *w, int cause, int tech, const char *why)
{
	if (!w->e.ch || channel_is_hungup(w->e.ch))
		return;
	log_verbose(3, "%s: %s", channel_name(w->e.ch), why);
	channel_set_tech_cause(w->e.ch, tech);
	channel_hangup(w->e.ch, cause, "WebSocket");
}

/* A close frame is the peer hanging up; a connection lost without one is
 * a network failure, as Asterisk's read error (NETWORK_OUT_OF_ORDER). */
void extmedia_ws_closed(void *arg)
{
	struct em_ws *w = arg;
	bool clean = ws_conn_peer_closed(w->wc);

	/* The ws_conn may be freed by its owner now: that is us. */
	if (w->wc) {
		mem_deref(w->wc);
		w->wc = NULL;
	}
	if (clean)
		hang_up(w, CAUSE_NORMAL_CLEARING, 1001, "WebSocket media peer "
			"closed the connection");
	else
		hang_up(w, CAUSE_FAILURE, 1001, "WebSocket media connection "
			"lost (no close frame)");
}

void em_ws_twilio_stop(struct em_ws *w)
{
	json_t *ev = twilio_new(w, "stop");

	json_object_set_new(ev, "stop", json_pack("{s:s,s:s}", "accountSid",
			    "", "callSid", ch_id(w)));
	send_event(w, ev);
}

/* ---- the peer's commands ---- */

static void status_event(struct em_ws *w)
{
	const struct em *e = &w->e;
	size_t len = em_queue_length(e);
	json_t *ev = event_new(w, "STATUS");

	json_object_set_new(ev, "queue_length", json_integer((json_int_t)len));
	json_object_set_new(ev, "xon_level", json_integer(em_conf.xon));
	json_object_set_new(ev, "xoff_level", json_integer(em_conf.xoff));
	json_object_set_new(ev, "queue_full", json_boolean(e->xoff_sent));
	json_object_set_new(ev, "bulk_media", json_boolean(e->bulk));
	json_object_set_new(ev, "media_paused", json_boolean(e->paused));
	send_event(w, ev);
}

static void answer(struct em_ws *w)
{
	if (w->e.ch && !channel_is_hungup(w->e.ch) &&
	    channel_state(w->e.ch) != CHANNEL_UP)
		channel_set_state(w->e.ch, CHANNEL_UP);
}

/* Refused in passthrough mode, and (for what feeds the queue) while the
 * peer only listens: Asterisk's rules, with an ERROR either way. */
static bool refused(struct em_ws *w, const struct em_cmd *c)
{
	char text[128];

	switch (c->id) {
	case EM_CMD_ANSWER:
	case EM_CMD_HANGUP:
	case EM_CMD_GET_STATUS:
	case EM_CMD_AUDIO:
	case EM_CMD_IGNORED:
		return false;
	default:
		break;
	}
	if (w->e.passthrough) {
		snprintf(text, sizeof(text), "%s not supported in passthrough "
			 "mode", em_cmd_name(c->id));
		error_event(w, text);
		return true;
	}
	if (w->e.dir == EM_DIR_IN && c->id != EM_CMD_FLUSH &&
	    c->id != EM_CMD_REPORT_DRAINED && c->id != EM_CMD_SET_DIRECTION) {
		snprintf(text, sizeof(text), "%s not supported with media "
			 "direction 'in'", em_cmd_name(c->id));
		error_event(w, text);
		return true;
	}
	return false;
}

static void buffering(struct em_ws *w, const struct em_cmd *c)
{
	struct em *e = &w->e;

	if (c->id == EM_CMD_START_BUFFERING) {
		if (e->bulk)
			error_event(w, "START_MEDIA_BUFFERING: already "
				    "buffering");
		e->bulk = true;
		return;
	}
	if (!e->bulk) {
		error_event(w, "STOP_MEDIA_BUFFERING without "
			    "START_MEDIA_BUFFERING");
		return;
	}
	e->bulk = false;
	em_mark(e, EM_MARK_BUFFERING, c->arg);
}

static void set_direction(struct em_ws *w, const struct em_cmd *c)
{
	enum em_dir d;

	if (w->ctl != EM_CTL_JSON || em_dir_parse(c->arg, &d)) {
		error_event(w, "SET_MEDIA_DIRECTION: invalid direction (both, "
			    "in or out)");
		return;
	}
	w->e.dir = d;
}

static void run(struct em_ws *w, struct em_cmd *c)
{
	switch (c->id) {
	case EM_CMD_ANSWER:
		answer(w);
		break;
	case EM_CMD_HANGUP:
		hang_up(w, CAUSE_NORMAL_CLEARING, 1000, "WebSocket media peer "
			"hung up");
		break;
	case EM_CMD_START_BUFFERING:
	case EM_CMD_STOP_BUFFERING:
		buffering(w, c);
		break;
	case EM_CMD_MARK:
		em_mark(&w->e, EM_MARK, c->arg);
		break;
	case EM_CMD_FLUSH:
		em_flush(&w->e);
		break;
	case EM_CMD_PAUSE:
		w->e.paused = true;
		break;
	case EM_CMD_CONTINUE:
		w->e.paused = false;
		break;
	case EM_CMD_REPORT_DRAINED:
		w->e.drained_req = true;
		break;
	case EM_CMD_GET_STATUS:
		status_event(w);
		break;
	case EM_CMD_SET_DIRECTION:
		set_direction(w, c);
		break;
	case EM_CMD_AUDIO:
		em_audio_in(&w->e, c->audio, c->alen);
		break;
	default:
		break;
	}
}

static void text_in(struct em_ws *w, const char *p, size_t n)
{
	struct em_cmd c;
	char text[160];
	int err;

	if (!n)
		return;
	if (n > TEXT_MAX && w->ctl != EM_CTL_TWILIO) {
		error_event(w, "Command too long, ignored");
		return;
	}
	err = em_ctl_parse(w->ctl, p, n, &c);
	switch (err) {
	case 0:
		if (!refused(w, &c))
			run(w, &c);
		break;
	case ENOENT:
		snprintf(text, sizeof(text), "Unknown %s '%.100s'",
			 w->ctl == EM_CTL_TWILIO ? "event" : "command", c.name);
		error_event(w, text);
		break;
	case EBADMSG:
		error_event(w, "Unable to parse JSON command");
		break;
	case EILSEQ:
		error_event(w, "media payload is not base64, ignored");
		break;
	default:
		error_event(w, err == ENOMEM ? "Out of memory" :
			    "Command without what it needs, ignored");
		break;
	}
	em_cmd_reset(&c);
}

void extmedia_ws_recv(bool binary, const char *data, size_t len, void *arg)
{
	struct em_ws *w = arg;

	if (!w->e.ch || channel_is_hungup(w->e.ch))
		return;
	if (binary)
		em_audio_in(&w->e, (const uint8_t *)data, len);
	else
		text_in(w, data, len);
}
