/* em_ctl.h — control messages of WebSocket media channels (em_ctl.c):
 * commands parsed from the peer's TEXT frames, events written for it.
 * jansson only (no re.h). */
#ifndef ARIADNE_EM_CTL_H
#define ARIADNE_EM_CTL_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

enum em_ctl {
	EM_CTL_PLAIN,            /* chan_websocket's plain-text (its default) */
	EM_CTL_JSON,             /* chan_websocket's JSON */
	EM_CTL_TWILIO,           /* Twilio Media Streams (ariadne extension) */
};

enum em_cmd_id {
	EM_CMD_NONE,
	EM_CMD_ANSWER, EM_CMD_HANGUP,
	EM_CMD_START_BUFFERING, EM_CMD_STOP_BUFFERING,
	EM_CMD_MARK, EM_CMD_FLUSH, EM_CMD_PAUSE, EM_CMD_CONTINUE,
	EM_CMD_REPORT_DRAINED, EM_CMD_GET_STATUS, EM_CMD_SET_DIRECTION,
	EM_CMD_AUDIO,            /* Twilio "media": audio in `audio` */
	EM_CMD_IGNORED,          /* a Twilio message with nothing to do */
};

struct em_cmd {
	enum em_cmd_id id;
	char name[64];           /* as the peer wrote it (for ERROR) */
	char arg[16 * 1024 + 1]; /* correlation id, direction, mark name */
	uint8_t *audio;          /* mem; EM_CMD_AUDIO */
	size_t alen;
};

/* 0, ENOENT (unknown command or Twilio event: name set), EBADMSG (not
 * JSON), EPROTO (JSON without what the dialect needs), EILSEQ (a Twilio
 * payload that is not base64), ENOMEM. em_cmd_reset() after. */
int em_ctl_parse(enum em_ctl ctl, const char *p, size_t n, struct em_cmd *c);
void em_cmd_reset(struct em_cmd *c);
const char *em_cmd_name(enum em_cmd_id id);

/* An event ({"event":NAME, ...}) as the dialect writes it: JSON as is,
 * plain text as "NAME key:value ...". A mem string, NULL on ENOMEM. */
char *em_ctl_format(enum em_ctl ctl, json_t *ev);

#endif
