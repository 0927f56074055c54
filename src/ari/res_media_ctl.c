/* res_media_ctl.c — /channels handlers that act on a channel's media:
 * sendDTMF (POST /channels/{id}/dtmf) and mute/unmute. Checks, defaults and
 * status codes follow Asterisk's resource_channels.c; the digits go out
 * through the channel tech's send_digit (RFC 4733 for SIP), paced by one
 * timer per request. Playback, hold and MOH handlers live elsewhere. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <inttypes.h>
#include <re_types.h>
#include <re_fmt.h>
#include <re_mem.h>
#include <re_list.h>
#include <re_tmr.h>
#include "ari/ari_util.h"
#include "ari/handlers.h"
#include "core/channel.h"
#include "base/log.h"

/* One sendDTMF request working through its digits. */
struct dtmf_job {
	struct tmr tmr;
	struct channel *ch;   /* referenced; we stop once it hangs up */
	char *digits;
	size_t pos;
	int between, duration, after;
	bool done_digits;
};

static void job_destructor(void *arg)
{
	struct dtmf_job *j = arg;

	tmr_cancel(&j->tmr);
	mem_deref(j->ch);
	mem_deref(j->digits);
}

static void job_step(void *arg)
{
	struct dtmf_job *j = arg;
	int delay = -1;

	if (channel_is_hungup(j->ch) || j->done_digits) {
		mem_deref(j);
		return;
	}
	while (delay < 0 && j->digits[j->pos]) {
		char c = j->digits[j->pos++];

		/* Asterisk's dtmf stream: ',' and 'w' pause half a second,
		 * 'W' a second; other characters are not digits. */
		if (c == ',' || c == 'w')
			delay = 500;
		else if (c == 'W')
			delay = 1000;
		else if (strchr("0123456789*#abcdABCD", c)) {
			int err = channel_send_digit(j->ch, c, j->duration);

			if (err && err != ENOSYS)
				log_warning("%s: could not send DTMF '%c': %s",
					    channel_name(j->ch), c,
					    strerror(err));
			delay = j->duration + j->between;
		}
		else
			log_warning("Illegal DTMF character '%c' in string. "
				    "(0-9*#aAbBcCdD allowed)", c);
	}
	if (delay < 0) {
		/* `after` holds the request open so later digits from the
		 * same app do not run into these (nothing else waits). */
		j->done_digits = true;
		delay = j->after > 0 ? j->after : 0;
	}
	tmr_start(&j->tmr, (uint64_t)delay, job_step, j);
}

void ari_channels_send_dtmf(struct ari_req *req, struct ari_resp *resp)
{
	const char *dtmf = ari_req_param(req, "dtmf");
	struct channel *ch;
	struct dtmf_job *j;
	int before;

	if (!dtmf || !*dtmf) {
		ari_resp_error(resp, 400, "DTMF is required");
		return;
	}
	ch = ari_channel_lookup(req, resp, ARI_CHAN_USABLE);
	if (!ch)
		return;
	j = mem_zalloc(sizeof(*j), job_destructor);
	if (!j || str_dup(&j->digits, dtmf)) {
		mem_deref(j);
		ari_resp_error(resp, 500, "Allocation failed");
		return;
	}
	before = ari_req_param_int(req, "before", 0);
	j->between = ari_req_param_int(req, "between", 100);
	j->duration = ari_req_param_int(req, "duration", 100);
	j->after = ari_req_param_int(req, "after", 0);
	if (j->between < 0)
		j->between = 0;
	if (j->duration <= 0)
		j->duration = 100;
	j->ch = mem_ref(ch);
	tmr_init(&j->tmr);
	tmr_start(&j->tmr, before > 0 ? (uint64_t)before : 0, job_step, j);
	ari_resp_no_content(resp);
}

/* direction both|in|out (default both); 400 for anything else. */
static void mute(struct ari_req *req, struct ari_resp *resp, bool on)
{
	const char *dir = ari_req_param(req, "direction");
	bool in, out;
	struct channel *ch;

	if (!dir || !*dir || !strcmp(dir, "both"))
		in = out = true;
	else if (!strcmp(dir, "in"))
		in = true, out = false;
	else if (!strcmp(dir, "out"))
		in = false, out = true;
	else {
		ari_resp_error(resp, 400, "Invalid direction specified");
		return;
	}
	ch = ari_channel_lookup(req, resp, ARI_CHAN_USABLE);
	if (!ch)
		return;
	channel_set_mute(ch, in, out, on);
	ari_resp_no_content(resp);
}

void ari_channels_mute(struct ari_req *req, struct ari_resp *resp)
{
	mute(req, resp, true);
}

void ari_channels_unmute(struct ari_req *req, struct ari_resp *resp)
{
	mute(req, resp, false);
}
