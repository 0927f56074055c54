/* em_ctl.c — the words of a WebSocket media channel's control messages, in
 * its three dialects: chan_websocket's plain text ("MARK_MEDIA m1" in,
 * "MEDIA_MARK_PROCESSED channel_id:x correlation_id:m1" out), its JSON
 * ({"command":"MARK_MEDIA","correlation_id":"m1"} in, {"event":...} out),
 * and Twilio Media Streams' JSON (an ariadne extension: "media" with base64
 * audio, "mark", "clear" in). Parsing happens once, here, into a command
 * from a table (Asterisk once compared some commands against the raw
 * payload: #1525); what a command does is em_ws.c's. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <jansson.h>
#include <re_types.h>
#include <re_fmt.h>
#include <re_mem.h>
#include <re_mbuf.h>
#include "extmedia/em_ctl.h"

static const struct {
	const char *name;
	enum em_cmd_id id;
} cmds[] = {
	{"ANSWER", EM_CMD_ANSWER},
	{"HANGUP", EM_CMD_HANGUP},
	{"START_MEDIA_BUFFERING", EM_CMD_START_BUFFERING},
	{"STOP_MEDIA_BUFFERING", EM_CMD_STOP_BUFFERING},
	{"MARK_MEDIA", EM_CMD_MARK},
	{"FLUSH_MEDIA", EM_CMD_FLUSH},
	{"PAUSE_MEDIA", EM_CMD_PAUSE},
	{"CONTINUE_MEDIA", EM_CMD_CONTINUE},
	{"REPORT_QUEUE_DRAINED", EM_CMD_REPORT_DRAINED},
	{"GET_STATUS", EM_CMD_GET_STATUS},
	{"SET_MEDIA_DIRECTION", EM_CMD_SET_DIRECTION},
};

const char *em_cmd_name(enum em_cmd_id id)
{
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (cmds[i].id == id)
			return cmds[i].name;
	return "";
}

static enum em_cmd_id cmd_find(const char *name, size_t n)
{
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (strlen(cmds[i].name) == n && !memcmp(cmds[i].name, name, n))
			return cmds[i].id;
	return EM_CMD_NONE;
}

void em_cmd_reset(struct em_cmd *c)
{
	mem_deref(c->audio);
	memset(c, 0, sizeof(*c));
}

static void copy_arg(char *out, size_t size, const char *p, size_t n)
{
	if (n >= size)
		n = size - 1;
	memcpy(out, p, n);
	out[n] = '\0';
}

static bool blank(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

/* "NAME" or "NAME argument" (blanks and line ends around it ignored). */
static int parse_plain(const char *p, size_t n, struct em_cmd *c)
{
	size_t w;

	while (n && blank(*p)) {
		p++;
		n--;
	}
	while (n && blank(p[n - 1]))
		n--;
	for (w = 0; w < n && p[w] != ' '; w++)
		;
	c->id = cmd_find(p, w);
	copy_arg(c->name, sizeof(c->name), p, w);
	if (c->id == EM_CMD_NONE)
		return ENOENT;
	while (w < n && p[w] == ' ')
		w++;
	copy_arg(c->arg, sizeof(c->arg), p + w, n - w);
	return 0;
}

static const char *str_of(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* A correlation id a bot wrote as a number ({"correlation_id": 5}) is
 * that number's text: the bot gets "5" back, not an empty id. */
static bool id_of(json_t *o, const char *key, char *out, size_t size)
{
	json_t *v = json_object_get(o, key);

	if (json_is_string(v))
		copy_arg(out, size, json_string_value(v),
			 strlen(json_string_value(v)));
	else if (json_is_integer(v))
		snprintf(out, size, "%" JSON_INTEGER_FORMAT,
			 json_integer_value(v));
	else if (json_is_real(v))
		snprintf(out, size, "%.17g", json_real_value(v));
	else
		return false;
	return true;
}

static int parse_json(json_t *j, struct em_cmd *c)
{
	const char *name = str_of(j, "command");
	const char *v;

	if (!name)
		return EPROTO;
	c->id = cmd_find(name, strlen(name));
	copy_arg(c->name, sizeof(c->name), name, strlen(name));
	if (c->id == EM_CMD_NONE)
		return ENOENT;
	if (!id_of(j, "correlation_id", c->arg, sizeof(c->arg)) &&
	    (v = str_of(j, "direction")))
		copy_arg(c->arg, sizeof(c->arg), v, strlen(v));
	return 0;
}

/* One character of base64, either alphabet (RFC 4648 sections 4 and 5):
 * its six bits, or -1. */
static int b64_bits(char ch)
{
	if (ch >= 'A' && ch <= 'Z')
		return ch - 'A';
	if (ch >= 'a' && ch <= 'z')
		return ch - 'a' + 26;
	if (ch >= '0' && ch <= '9')
		return ch - '0' + 52;
	if (ch == '+' || ch == '-')
		return 62;
	if (ch == '/' || ch == '_')
		return 63;
	return -1;
}

/* Base64 as bots write it: line breaks (MIME encoders wrap at 76) and
 * blanks are skipped, padding is optional but only at the end. Anything
 * else makes the whole payload invalid (EILSEQ): noise played to a
 * caller is worse than a gap. out holds at least n / 4 * 3 + 3 bytes. */
static int b64_decode(const char *in, size_t n, uint8_t *out, size_t *olen)
{
	uint32_t acc = 0;
	size_t k = 0, pad = 0, chars = 0;
	int v;

	for (size_t i = 0; i < n; i++) {
		char ch = in[i];

		if (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n')
			continue;
		if (ch == '=') {
			pad++;
			continue;
		}
		v = b64_bits(ch);
		if (v < 0 || pad)
			return EILSEQ;
		acc = acc << 6 | (uint32_t)v;
		if (++chars % 4 == 0) {
			out[k++] = (uint8_t)(acc >> 16);
			out[k++] = (uint8_t)(acc >> 8);
			out[k++] = (uint8_t)acc;
			acc = 0;
		}
	}
	switch (chars % 4) {
	case 1:
		return EILSEQ;
	case 2:
		out[k++] = (uint8_t)(acc >> 4);
		break;
	case 3:
		out[k++] = (uint8_t)(acc >> 10);
		out[k++] = (uint8_t)(acc >> 2);
		break;
	}
	if (pad > 2 || (pad && (chars + pad) % 4))
		return EILSEQ;
	*olen = k;
	return 0;
}

static int twilio_media(json_t *j, struct em_cmd *c)
{
	const char *b64 = str_of(json_object_get(j, "media"), "payload");
	size_t n;

	if (!b64)
		return EPROTO;
	n = strlen(b64);
	c->audio = mem_alloc(n / 4 * 3 + 3, NULL);
	if (!c->audio)
		return ENOMEM;
	if (b64_decode(b64, n, c->audio, &n))
		return EILSEQ;
	c->alen = n;
	c->id = EM_CMD_AUDIO;
	return 0;
}

/* media → audio, mark → MARK_MEDIA, clear → FLUSH_MEDIA; what Twilio sends
 * and a bot may echo ("connected", "start", "stop", "dtmf") means nothing
 * here; any other event is unknown (ENOENT). */
static int parse_twilio(json_t *j, struct em_cmd *c)
{
	static const char *const quiet[] = {"connected", "start", "stop",
					    "dtmf"};
	const char *ev = str_of(j, "event");
	const char *name;

	if (!ev)
		return EPROTO;
	copy_arg(c->name, sizeof(c->name), ev, strlen(ev));
	if (!strcmp(ev, "media"))
		return twilio_media(j, c);
	if (!strcmp(ev, "mark")) {
		name = str_of(json_object_get(j, "mark"), "name");
		if (!name)
			return EPROTO;
		c->id = EM_CMD_MARK;
		copy_arg(c->arg, sizeof(c->arg), name, strlen(name));
		return 0;
	}
	if (!strcmp(ev, "clear")) {
		c->id = EM_CMD_FLUSH;
		return 0;
	}
	for (size_t i = 0; i < sizeof(quiet) / sizeof(quiet[0]); i++) {
		if (!strcmp(ev, quiet[i])) {
			c->id = EM_CMD_IGNORED;
			return 0;
		}
	}
	return ENOENT;
}

int em_ctl_parse(enum em_ctl ctl, const char *p, size_t n, struct em_cmd *c)
{
	json_error_t jerr;
	json_t *j;
	int err;

	memset(c, 0, sizeof(*c));
	if (ctl == EM_CTL_PLAIN)
		return parse_plain(p, n, c);
	j = json_loadb(p, n, 0, &jerr);
	if (!json_is_object(j)) {
		json_decref(j);
		return EBADMSG;
	}
	err = ctl == EM_CTL_JSON ? parse_json(j, c) : parse_twilio(j, c);
	json_decref(j);
	return err;
}

/* A value as plain text shows it: strings bare, numbers and booleans as
 * JSON writes them; objects are left out (channel_variables). */
static int plain_value(struct mbuf *mb, const char *key, json_t *v)
{
	if (json_is_string(v))
		return mbuf_printf(mb, " %s:%s", key, json_string_value(v));
	if (json_is_integer(v))
		return mbuf_printf(mb, " %s:%lld", key,
				   (long long)json_integer_value(v));
	if (json_is_boolean(v))
		return mbuf_printf(mb, " %s:%s", key,
				   json_is_true(v) ? "true" : "false");
	return 0;
}

char *em_ctl_format(enum em_ctl ctl, json_t *ev)
{
	struct mbuf *mb;
	const char *key;
	json_t *v;
	char *s = NULL;
	int err;

	if (ctl != EM_CTL_PLAIN) {
		char *d = json_dumps(ev, JSON_COMPACT | JSON_PRESERVE_ORDER);

		if (d) {
			str_dup(&s, d);
			free(d);
		}
		return s;
	}
	mb = mbuf_alloc(128);
	if (!mb)
		return NULL;
	err = mbuf_write_str(mb, str_of(ev, "event") ? str_of(ev, "event") : "");
	json_object_foreach(ev, key, v) {
		if (strcmp(key, "event"))
			err |= plain_value(mb, key, v);
	}
	mb->pos = 0;
	if (!err)
		mbuf_strdup(mb, &s, mb->end);
	mem_deref(mb);
	return s;
}
