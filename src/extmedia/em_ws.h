/* em_ws.h — a WebSocket media channel's state, shared by its two files:
 * em_ws.c (what travels on the socket: audio, events, commands) and
 * em_ws_chan.c (the channel technology: dial strings, the socket's
 * arrival or dialling, hangup). Internal to src/extmedia; include after
 * em_int.h and em_ctl.h. */
#ifndef ARIADNE_EM_WS_H
#define ARIADNE_EM_WS_H

struct ws_conn;
struct em_wsc;

/* What a Twilio bot may queue: five minutes of audio (its dialect has no
 * flow control), unless max_queue_frames allows more. */
enum { TWILIO_QUEUE_FRAMES = 5 * 60 * 50 };

struct em_ws {
	struct le le;            /* in em_ws_chan.c's list of channels */
	struct em e;             /* the engine; e.ch is the channel */
	struct ws_conn *wc;      /* the socket, once there */
	struct em_wsc *dial;     /* a client connection being made */
	char *conn_id;           /* MEDIA_WEBSOCKET_CONNECTION_ID */
	char *uri;               /* a client's URI (v() parameters added) */
	enum em_ctl ctl;
	bool server;             /* INCOMING: the peer connects to us */
	bool no_answer;          /* n: the peer or the app answers */
	bool started;            /* MEDIA_START went out */
	char stream_sid[40];     /* Twilio dialect */
	uint64_t seq, chunk, started_ms;
	uint64_t errors;         /* Twilio dialect: bad messages, logged */
	char last_error[64];     /* the last one logged, cut short */
};

/* Everything released: the socket closed with 1000 if still open. */
void em_ws_destructor(void *arg);
/* The socket is there: MEDIA_START (or Twilio's connected + start). */
void em_ws_media_start(struct em_ws *w);
extern const struct em_wire em_ws_wire;
/* Twilio's "stop", before the socket closes at hangup. */
void em_ws_twilio_stop(struct em_ws *w);

#endif
