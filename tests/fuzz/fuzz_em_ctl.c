/* fuzz_em_ctl.c — the control messages a voice bot sends on a WebSocket
 * media channel (src/extmedia/em_ctl.c), in the three dialects: byte 0
 * chooses chan_websocket's plain text (0), its JSON (1) or Twilio Media
 * Streams (2); the rest is one TEXT message as the bot wrote it. With
 * byte 0 = 3, the rest is audio instead: it is base64-encoded by libre,
 * put in a Twilio "media" message, and must come back from the parser
 * byte for byte (the decoder is ariadne's own, so it is checked against
 * another one).
 *
 * Why: a bot controls every byte of these messages, a Twilio bot's audio
 * itself is text to decode, and each message is parsed on the event loop
 * of every call.
 *
 * Checked on the way: only the documented results come back; audio is
 * present exactly for Twilio's "media" and fits the buffer sized from the
 * payload; an event written back in each dialect is a string. */
#include <errno.h>
#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include <re_types.h>
#include <re_fmt.h>
#include <re_mem.h>
#include <re_list.h>
#include <re_tmr.h>
#include <re_main.h>
#include <re_base64.h>
#include "fuzz.h"
#include "extmedia/em_ctl.h"

static struct em_cmd cmd;   /* 16 KB of arguments: not on the stack */

static void check_result(enum em_ctl ctl, int err, size_t n)
{
	if (err && err != ENOENT && err != EBADMSG && err != EPROTO &&
	    err != EILSEQ && err != ENOMEM)
		abort();
	if (err == EILSEQ && ctl != EM_CTL_TWILIO)
		abort();
	if (!err && (cmd.id == EM_CMD_AUDIO) != (cmd.audio != NULL))
		abort();
	if (cmd.audio && (ctl != EM_CTL_TWILIO || cmd.alen > n / 4 * 3 + 3))
		abort();
}

/* An event in the dialect, with a value the bot chose (the mark name). */
static void check_format(enum em_ctl ctl)
{
	json_t *ev = json_pack("{s:s,s:s}", "event", "MEDIA_MARK_PROCESSED",
			       "correlation_id", cmd.arg);
	char *s;

	if (!ev)
		return;
	s = em_ctl_format(ctl, ev);
	if (s && strlen(s) == 0)
		abort();
	mem_deref(s);
	json_decref(ev);
}

/* Audio through libre's encoder and our decoder: the same bytes. */
static void round_trip(const uint8_t *p, size_t n)
{
	size_t blen = n / 3 * 4 + 8;
	char *b64 = malloc(blen + 1);
	char *msg = NULL;
	json_t *j;

	if (!b64 || base64_encode(p, n, b64, &blen)) {
		free(b64);
		return;
	}
	b64[blen] = '\0';
	j = json_pack("{s:s,s:{s:s}}", "event", "media", "media", "payload",
		      b64);
	free(b64);
	msg = j ? json_dumps(j, JSON_COMPACT) : NULL;
	json_decref(j);
	if (!msg)
		return;
	if (em_ctl_parse(EM_CTL_TWILIO, msg, strlen(msg), &cmd) ||
	    cmd.id != EM_CMD_AUDIO || cmd.alen != n ||
	    (n && memcmp(cmd.audio, p, n)))
		abort();
	em_cmd_reset(&cmd);
	free(msg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool started;
	enum em_ctl ctl;
	int err;

	if (!started) {
		fuzz_libre_init();
		started = true;
	}
	if (size < 1)
		return 0;
	if (data[0] % 4 == 3) {
		round_trip(data + 1, size - 1);
		return 0;
	}
	ctl = (enum em_ctl)(data[0] % 4);
	err = em_ctl_parse(ctl, (const char *)data + 1, size - 1, &cmd);
	check_result(ctl, err, size - 1);
	if (!err)
		check_format(ctl);
	em_cmd_reset(&cmd);
	return 0;
}
