/* channel_attr.c — a channel's fields read and set: names, caller and
 * connected line, location in the dialplan, media and mute, what the
 * technology reports (DTMF, hold) and hands down (audio). No registry and
 * no life cycle here (channel.c): these only look at one channel. */
#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include <string.h>
#include <re_types.h>
#include <re_fmt.h>
#include <re_mem.h>
#include <re_list.h>
#include "base/log.h"
#include "core/bus.h"
#include "core/channel.h"
#include "core/channel_int.h"

const char *channel_id(const struct channel *ch) { return ch->id; }
const char *channel_name(const struct channel *ch) { return ch->name; }
enum channel_state channel_state(const struct channel *ch) { return ch->state; }
const char *channel_tech_type(const struct channel *ch) { return ch->tech->type; }
const struct channel_tech *channel_get_tech(const struct channel *ch) { return ch->tech; }
void *channel_pvt(const struct channel *ch) { return ch->pvt; }
void channel_set_pvt(struct channel *ch, void *pvt) { ch->pvt = pvt; }
const char *channel_caller_name(const struct channel *ch) { return ch->caller_name; }
const char *channel_caller_num(const struct channel *ch) { return ch->caller_num; }
const char *channel_connected_name(const struct channel *ch) { return ch->conn_name; }
const char *channel_connected_num(const struct channel *ch) { return ch->conn_num; }
const char *channel_accountcode(const struct channel *ch) { return ch->accountcode; }
const char *channel_language(const struct channel *ch) { return ch->language; }
const char *channel_linkedid(const struct channel *ch) { return ch->linkedid; }
const char *channel_protocol_id(const struct channel *ch) { return ch->protocol_id ? ch->protocol_id : ""; }
const char *channel_endpoint(const struct channel *ch) { return ch->endpoint; }
int channel_tech_cause(const struct channel *ch) { return ch->tech_cause; }
void channel_set_tech_cause(struct channel *ch, int c) { ch->tech_cause = c; }
void *channel_media(const struct channel *ch) { return ch->media; }
bool channel_mute_in(const struct channel *ch) { return ch->mute_in; }
bool channel_mute_out(const struct channel *ch) { return ch->mute_out; }

void channel_set_mute(struct channel *ch, bool in, bool out, bool on)
{
	if (in)
		ch->mute_in = on;
	if (out)
		ch->mute_out = on;
}

struct channel *channel_peer(const struct channel *ch)
{
	return ch && ch->tech && ch->tech->peer ? ch->tech->peer(ch) : NULL;
}
void channel_set_media(struct channel *ch, void *media) { ch->media = media; }

void channel_set_protocol_id(struct channel *ch, const char *id)
{
	ch->protocol_id = mem_deref(ch->protocol_id);
	if (id)
		str_dup(&ch->protocol_id, id);
}

void channel_dtmf_received(struct channel *ch, char digit,
			   unsigned duration_ms)
{
	struct bus_event ev = {.type = BUS_CHANNEL_DTMF, .chan = ch,
			       .digit = digit, .duration_ms = duration_ms};

	if (ch->hungup)
		return;
	log_verbose(4, "DTMF end '%c' received on %s, duration %u ms", digit,
		    ch->name, duration_ms);
	bus_publish(&ev);
}

void channel_remote_hold(struct channel *ch, bool on, const char *musicclass)
{
	struct bus_event ev = {.type = on ? BUS_CHANNEL_HOLD : BUS_CHANNEL_UNHOLD,
			       .chan = ch, .musicclass = musicclass};

	if (!ch->hungup)
		bus_publish(&ev);
}

int channel_write_audio(struct channel *ch, const int16_t *pcm, size_t n)
{
	if (ch->hungup || !ch->tech->write_audio)
		return 0;
	return ch->tech->write_audio(ch, pcm, n);
}
const char *channel_context(const struct channel *ch) { return ch->context; }
const char *channel_exten(const struct channel *ch) { return ch->exten; }
int channel_priority(const struct channel *ch) { return ch->priority; }
const char *channel_appl(const struct channel *ch) { return ch->appl ? ch->appl : ""; }
const char *channel_data(const struct channel *ch) { return ch->data ? ch->data : ""; }
const struct timeval *channel_creationtime(const struct channel *ch) { return &ch->created; }
bool channel_is_hungup(const struct channel *ch) { return ch->hungup; }
int channel_hangup_cause(const struct channel *ch) { return ch->cause; }
const char *channel_hangup_source(const struct channel *ch) { return ch->hangup_source; }
struct stasis_control *channel_control(const struct channel *ch) { return ch->control; }
void channel_set_control(struct channel *ch, struct stasis_control *c) { ch->control = c; }
struct pbx *channel_pbx(const struct channel *ch) { return ch->pbx; }
