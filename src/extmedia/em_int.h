/* em_int.h — what the files of src/extmedia share. Internal: nothing
 * outside the folder includes it (the module's face is extmedia.h).
 *
 * Names: non-static symbols start with em_, then the part:
 *   em_format_, em_conv_  formats and their conversion to and from the
 *                         8 kHz linear audio inside ariadne (em_format.c)
 *   em_queue_             the queue of audio and marks from the peer
 *                         (em_queue.c)
 *   em_conf_              chan_websocket.conf, websocket_client.conf
 *                         (em_conf.c)
 *   em_                   the engine: one external media channel's audio
 *                         on the 20 ms tick (em_engine.c)
 *   em_ctl_               the WebSocket control messages: plain text,
 *                         JSON, Twilio Media Streams (em_ctl.c)
 *   em_ws_                WebSocket/ channels (em_ws.c, em_ws_client.c)
 *   em_as_                AudioSocket/ channels (em_audiosocket.c)
 *   em_rtp_               UnicastRTP/ channels (em_rtp.c, em_rtp_lin.c)
 *
 * Files, lowest first (a file calls only files on lines above its own):
 *   em_format.c em_queue.c em_conf.c
 *   em_engine.c
 *   em_rtp_lin.c
 *   em_rtp.c
 *   em_ctl.c em_audiosocket.c
 *   em_ws_client.c
 *   em_ws.c
 *   extmedia.c         start and stop */
#ifndef ARIADNE_EM_INT_H
#define ARIADNE_EM_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
/* libre's headers have no include guards: a file includes, before this
 * one, <re_types.h> <re_list.h> <re_mbuf.h>. */

struct channel;
struct config;

/* ---- formats (em_format.c) ---- */

enum {
	EM_PCM8 = 160,          /* samples of a 20 ms frame inside ariadne */
	EM_FRAME_MAX = 1920,    /* bytes of a 20 ms frame of the widest
	                         * format, slin48 */
};

struct em_format {
	const char *name;        /* as ARI's format parameter: "slin16" */
	uint32_t rate;           /* samples per second */
	size_t frame;            /* bytes of 20 ms */
	int codec;               /* enum media_codec, or MEDIA_CODEC_NONE */
	uint8_t as_kind;         /* AudioSocket message kind of its audio */
	const char *twilio;      /* Twilio mediaFormat.encoding, or NULL */
};

const struct em_format *em_format_find(const char *name);

/* Conversion of one channel's audio: the wire format to and from 8 kHz
 * linear (G.711 tables; speexdsp's resampler, Asterisk's too, for
 * wideband). */
struct SpeexResamplerState_;
struct em_conv {
	const struct em_format *fmt;
	struct SpeexResamplerState_ *down;   /* wire rate -> 8 kHz */
	struct SpeexResamplerState_ *up;     /* 8 kHz -> wire rate */
};
int em_conv_init(struct em_conv *c, const struct em_format *fmt);
void em_conv_close(struct em_conv *c);
/* n bytes (at most fmt->frame; fewer are padded with silence) into
 * EM_PCM8 samples. */
void em_conv_in(struct em_conv *c, const uint8_t *b, size_t n,
		int16_t pcm[EM_PCM8]);
/* EM_PCM8 samples into fmt->frame bytes. */
void em_conv_out(struct em_conv *c, const int16_t pcm[EM_PCM8], uint8_t *out);

/* Linear audio a peer sends at another rate than its format's (AudioSocket
 * kinds 0x11-0x18, or 0x10 into a 16 kHz channel), converted to the
 * format's rate; the resampler is kept while the rates stay the same.
 * *outp (n bytes at `from` made into *outn bytes at `to`) is valid until
 * em_rerate_done(). */
struct em_rerate {
	struct SpeexResamplerState_ *st;
	uint32_t from, to;
	void *buf;
};
int em_rerate(struct em_rerate *r, uint32_t from, uint32_t to,
	      const uint8_t *in, size_t n, uint8_t **outp, size_t *outn);
void em_rerate_done(struct em_rerate *r);
void em_rerate_close(struct em_rerate *r);

/* ---- the queue from the peer (em_queue.c) ---- */

enum em_mark_kind {
	EM_MARK,                 /* MARK_MEDIA: MEDIA_MARK_PROCESSED */
	EM_MARK_BUFFERING,       /* STOP_MEDIA_BUFFERING: ..._COMPLETED */
};

struct em_mark {
	struct le le;
	enum em_mark_kind kind;
	uint64_t at;             /* due when this many bytes were taken */
	char *id;                /* correlation id (may be "") */
};

/* Bytes of audio in the wire format, taken a frame at a time, and marks
 * that fall due once the audio queued before them has been taken. The
 * counters are the queue's own (never kept apart from it), so a flush
 * resets them all. */
struct em_queue {
	struct mbuf *audio;      /* pos: next byte to take; end: last put */
	struct list marks;       /* struct em_mark, in order */
	uint64_t in, out;        /* bytes ever put, ever taken */
	size_t frame;            /* bytes of a frame */
};

int em_queue_init(struct em_queue *q, size_t frame);
void em_queue_close(struct em_queue *q);
int em_queue_put(struct em_queue *q, const uint8_t *p, size_t n);
/* A mark after everything queued so far (a partial frame included). */
int em_queue_mark(struct em_queue *q, enum em_mark_kind kind, const char *id);
/* Whole frames waiting. */
size_t em_queue_frames(const struct em_queue *q);
/* No audio and no mark left: a mark after the last frame is still to be
 * announced (QUEUE_DRAINED comes after it, as in Asterisk). */
bool em_queue_empty(const struct em_queue *q);
/* The next whole frame; with `tail`, also a last partial one. Returns its
 * length (0: nothing). */
size_t em_queue_take(struct em_queue *q, uint8_t *out, bool tail);
/* The first mark that is due, unlinked (the caller frees it), or NULL. */
struct em_mark *em_queue_due(struct em_queue *q);
/* Drop all audio; the pending marks are moved to `flushed`, in order. */
void em_queue_flush(struct em_queue *q, struct list *flushed);

/* ---- configuration (em_conf.c) ---- */

struct em_conf {
	bool json;               /* control_message_format = json */
	unsigned xoff, xon;      /* queue levels, frames */
	unsigned max_frames;     /* a message arriving at this depth is dropped */
	unsigned tx_queue_ms;    /* audio queued towards a peer before drops */
	unsigned stuck_hangup_s; /* hang up a peer that reads nothing (0 off) */
	unsigned connect_ms;     /* client connect + handshake time limit */
	char *allow_uris;        /* "yes", "no" or prefixes (comma list) */
};
extern struct em_conf em_conf;

struct em_client {
	struct le le;
	char *id, *uri, *protocols, *username, *password;
	unsigned timeout_ms;
};
int em_conf_load(const char *confdir);
void em_conf_close(void);
const struct em_client *em_conf_client(const char *id);
/* "host:port", "[v6]:port", "name:port" or a bare host (def_port): the
 * address, a name looked up at once (as Asterisk does). EINVAL: no port
 * and no default; EADDRNOTAVAIL: the name does not resolve. */
struct sa;
int em_conf_resolve(const char *hostport, uint16_t def_port, struct sa *out);

/* ---- the engine (em_engine.c) ---- */

enum em_dir { EM_DIR_BOTH, EM_DIR_IN, EM_DIR_OUT };
/* "both", "in", "out" (seen from the peer); EINVAL otherwise. */
int em_dir_parse(const char *s, enum em_dir *d);

/* What the engine tells the peer, in whatever words its protocol has. */
enum em_event {
	EM_EV_XOFF, EM_EV_XON,
	EM_EV_MARK,              /* arg: correlation id; flushed */
	EM_EV_BUFFERING_DONE,    /* arg: correlation id */
	EM_EV_DRAINED,
	EM_EV_DTMF,              /* arg: the digit */
	EM_EV_ERROR,             /* arg: the text */
};

struct em;
struct em_wire {
	/* One frame of audio in the wire format towards the peer; the
	 * bytes it could not queue are counted as drops by the engine
	 * when it returns ENOBUFS. */
	int (*audio)(void *w, const uint8_t *p, size_t n);
	/* Bytes waiting towards the peer (the engine drops audio beyond
	 * em_conf.tx_queue_ms of it). */
	size_t (*queued)(void *w);
	void (*event)(void *w, enum em_event ev, const char *arg, bool flag);
};

/* One external media channel's audio: its format, the queue from the
 * peer paced out one frame per tick, and what goes to the peer. Embedded
 * in the encapsulation's object. */
struct em_tp;
struct em {
	struct channel *ch;              /* not referenced: the channel owns us */
	struct em_tp *tp;                /* our place on the tick, or NULL */
	struct em_conv conv;
	struct em_queue q;
	const struct em_wire *wire;
	void *warg;
	enum em_dir dir;
	bool paused, bulk, passthrough, drained_req, xoff_sent;
	bool fresh;                      /* audio came since the last tick */
	unsigned max_frames;             /* em_conf.max_frames, or more */
	uint64_t ticks;                  /* media ticks seen (wires count
	                                  * the frames they did not send) */
	uint64_t tx_frames, tx_drops, rx_drops;
	uint64_t tx_drops_told;           /* drops the log has reported */
	uint64_t stuck_since;            /* ms; 0 while the peer reads */
};

int em_init(struct em *e, struct channel *ch, const struct em_format *fmt,
	    const struct em_wire *wire, void *warg);
void em_close(struct em *e);
/* Put the engine on the tick: `tp` is the mem object that embeds it
 * (referenced by the channel's media state until hangup). */
int em_attach(struct em *e, void *tp);
/* Audio from the peer (any length: it is cut into frames here). */
void em_audio_in(struct em *e, const uint8_t *p, size_t n);
/* Control from the peer. */
void em_mark(struct em *e, enum em_mark_kind kind, const char *id);
void em_flush(struct em *e);
size_t em_queue_length(const struct em *e);
/* The socket to the peer: no Nagle, a kernel buffer the size of our own
 * queue towards it. */
void em_socket_tune(struct em *e, int fd);
/* A digit towards the peer (the technology's send_digit). */
int em_send_digit(struct em *e, char digit);

/* ---- UnicastRTP (em_rtp.c; linear formats em_rtp_lin.c) ---- */
int em_rtp_init(void);
struct sa;
int em_rtp_lin_request(struct channel **chp, const struct em_format *fmt,
		       const char *dest, const struct sa *laddr,
		       const struct sa *raddr, const char *id, unsigned seq,
		       uint16_t *lport);

/* ---- AudioSocket (em_audiosocket.c) ---- */
int em_as_init(void);
void em_as_close(void);

/* ---- WebSocket (em_ws.c) ---- */
int em_ws_init(void);
void em_ws_close(void);

#endif
