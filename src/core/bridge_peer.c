/* bridge_peer.c — the BRIDGEPEER and BRIDGEPVTCALLID variables Asterisk
 * sets on the members of a bridge each time it changes: in a two-party
 * bridge each one's peer name (and the peer's SIP Call-ID), in a bigger one
 * a comma list of the others (at most ten), nothing below two members or in
 * a holding bridge (where they are cleared). A helper (a playback or the
 * music, Asterisk's Announcer channel) counts as a member.
 *
 * Not here: when the bridge changes (bridge.c). */
#include <stdint.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <re_types.h>
#include <re_list.h>
#include "core/channel.h"
#include "core/bridge_int.h"

#define BRIDGEPEER_MAX (10 + 1)  /* names listed, plus the member itself */

/* Only a value is announced (ChannelVarset); clearing a variable that is
 * not set stays silent, as Asterisk's unset is. */
static void peer_var_set(struct channel *ch, const char *name,
			 const char *value)
{
	if (value && *value)
		channel_var_set(ch, name, value);
	else if (channel_var_get(ch, name))
		channel_var_set(ch, name, NULL);
}

static void peer_vars_set(struct channel *ch, const char *peer,
			  const char *pvtid)
{
	peer_var_set(ch, "BRIDGEPEER", peer);
	peer_var_set(ch, "BRIDGEPVTCALLID", pvtid);
}

/* The names in the bridge as Asterisk lists its channels: members in join
 * order, then the helpers' Announcer and Recorder channels (they join
 * after them). */
static size_t peer_names(const struct bridge *b, const char **names,
			 char *annbuf, size_t annsize)
{
	size_t n = 0;

	for (struct le *le = b->members.head; le; le = le->next) {
		const struct bridge_member *m = le->data;

		if (n < BRIDGEPEER_MAX)
			names[n] = channel_name(m->ch);
		n++;
	}
	for (unsigned i = 0; i < b->nhelpers && annsize > 40; i++) {
		int len = snprintf(annbuf, annsize, "%s/ARI-%08x;2",
				   b->helper_kind[i] == BRIDGE_RECORDER ?
				   "Recorder" : "Announcer", b->helper_seq[i]);

		if (n < BRIDGEPEER_MAX)
			names[n] = annbuf;
		n++;
		annbuf += len + 1;
		annsize -= (size_t)len + 1;
	}
	return n;
}

/* A comma list of the first names but `skip`; members past the first
 * BRIDGEPEER_MAX keep the list made for the one before (Asterisk's). */
static void peer_list(char *buf, size_t size, const char **names, size_t n,
		      size_t skip)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && len < size; i++) {
		if (i == skip)
			continue;
		len += (size_t)snprintf(buf + len, size - len, "%s%s",
					len ? "," : "", names[i]);
	}
}

static void peers_multiparty(const struct bridge *b, const char **names,
			     size_t total)
{
	size_t n = total < BRIDGEPEER_MAX ? total : BRIDGEPEER_MAX;
	char buf[BRIDGEPEER_MAX * 128];
	size_t idx = 0;
	struct le *le = b->members.head;

	buf[0] = '\0';
	while (le) {
		struct bridge_member *m = le->data;

		le = le->next;
		if (idx < n)
			peer_list(buf, sizeof(buf), names, n, idx);
		idx++;
		peer_vars_set(m->ch, buf, NULL);
	}
}

void bridge_peers_update(struct bridge *b)
{
	const char *names[BRIDGEPEER_MAX];
	char ann[BRIDGE_HELPERS_MAX * 40];
	size_t total;
	struct bridge_member *m0, *m1;

	if (b->dying)
		return;
	if (b->flags & BRIDGE_HOLDING) {
		for (struct le *le = b->members.head; le; le = le->next)
			peer_vars_set(((struct bridge_member *)le->data)->ch, NULL,
				      NULL);
		return;
	}
	total = peer_names(b, names, ann, sizeof(ann));
	/* helpers count as peers, but with no member there is no one to
	 * tell (a recorded bridge with an announcement, its last caller
	 * gone, dereferenced an empty member list here) */
	if (total < 2 || !b->members.head)
		return;
	if (total > 2) {
		peers_multiparty(b, names, total);
		return;
	}
	m0 = b->members.head->data;
	if (b->members.head->next) {
		m1 = b->members.head->next->data;
		peer_vars_set(m0->ch, channel_name(m1->ch),
			      channel_protocol_id(m1->ch));
		peer_vars_set(m1->ch, channel_name(m0->ch),
			      channel_protocol_id(m0->ch));
	}
	else {
		/* One member and the announcer (which has no call id). */
		peer_vars_set(m0->ch, names[1], NULL);
	}
}
