/* em_conf.c — the configuration of external media, in Asterisk's files:
 *
 *   chan_websocket.conf [global]
 *     control_message_format = plain-text | json   (Asterisk's option)
 *     xoff_level = 900, xon_level = 800            frames queued from a peer
 *     max_queue_frames = 1000                      a message arriving at this
 *                                                  depth is dropped
 *     tx_queue_ms = 1000        audio queued towards a peer that does not
 *                               read; beyond it frames are dropped, counted
 *     stuck_hangup = 0          seconds a peer may read nothing before its
 *                               call is hung up (0: never)
 *     allow_uris = yes          external_host may be a ws:// or wss:// URI
 *                               (ariadne extension): yes, no, or a comma
 *                               list of allowed prefixes
 *   websocket_client.conf [<id>] type = websocket_client, uri, protocols,
 *     username, password, connection_timeout (ms) — the entries
 *     connection_type=client names in external_host.
 *
 * The last four options of [global] are ariadne's; Asterisk has the levels
 * as constants. A bad value is logged and the default kept. */
#include <errno.h>
#include <netdb.h>
#include <sys/socket.h>
#include <stdlib.h>
#include <string.h>
#include <re_types.h>
#include <re_fmt.h>
#include <re_mem.h>
#include <re_list.h>
#include <re_sa.h>
#include <re_mbuf.h>
#include "base/config.h"
#include "base/log.h"
#include "extmedia/em_int.h"
#include "net/lookup.h"
#include "extmedia/extmedia.h"

struct em_conf em_conf;
static struct list clients;

static void defaults(void)
{
	em_conf.allow_uris = mem_deref(em_conf.allow_uris);
	memset(&em_conf, 0, sizeof(em_conf));
	em_conf.xoff = 900;
	em_conf.xon = 800;
	em_conf.max_frames = 1000;
	em_conf.tx_queue_ms = 1000;
	em_conf.connect_ms = 2000;
}

static void number(const struct config_section *sec, const char *name,
		   unsigned *out, unsigned min, unsigned max)
{
	const char *v = config_var_get(sec, name);
	char *end;
	unsigned long n;

	if (!v)
		return;
	n = strtoul(v, &end, 10);
	if (*end || end == v || n < min || n > max) {
		log_warning("chan_websocket.conf: invalid %s '%s' (%u..%u), "
			    "using %u", name, v, min, max, *out);
		return;
	}
	*out = (unsigned)n;
}

static void load_global(const struct config *cfg)
{
	const struct config_section *sec = config_section_find(cfg, "global");
	const char *v;

	if (!sec)
		return;
	v = config_var_get(sec, "control_message_format");
	if (v && !strcmp(v, "json"))
		em_conf.json = true;
	else if (v && strcmp(v, "plain-text"))
		log_warning("chan_websocket.conf: invalid "
			    "control_message_format '%s', using plain-text", v);
	number(sec, "xoff_level", &em_conf.xoff, 2, 100000);
	number(sec, "xon_level", &em_conf.xon, 1, em_conf.xoff - 1);
	number(sec, "max_queue_frames", &em_conf.max_frames, em_conf.xoff,
	       1000000);
	number(sec, "tx_queue_ms", &em_conf.tx_queue_ms, 20, 60000);
	number(sec, "stuck_hangup", &em_conf.stuck_hangup_s, 0, 86400);
	v = config_var_get(sec, "allow_uris");
	if (v)
		str_dup(&em_conf.allow_uris, v);
}

static void client_destructor(void *arg)
{
	struct em_client *c = arg;

	list_unlink(&c->le);
	mem_deref(c->id);
	mem_deref(c->uri);
	mem_deref(c->protocols);
	mem_deref(c->username);
	mem_deref(c->password);
}

static int dup_var(char **out, const struct config_section *sec,
		   const char *name)
{
	const char *v = config_var_get(sec, name);

	return v ? str_dup(out, v) : 0;
}

/* ws:// or wss://, and nothing that cannot stand in a request line as
 * it is: no space, no control character (CR/LF would add headers), no
 * byte outside ASCII. */
static bool is_ws_uri(const char *s)
{
	if (strncmp(s, "ws://", 5) && strncmp(s, "wss://", 6))
		return false;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p <= 0x20 || *p >= 0x7f)
			return false;
	return true;
}

static void load_client(const struct config_section *sec)
{
	const char *type = config_var_get(sec, "type");
	const char *tmo = config_var_get(sec, "connection_timeout");
	struct em_client *c;
	int err;

	if (!type || strcmp(type, "websocket_client"))
		return;
	if (!config_var_get(sec, "uri")) {
		log_error("websocket_client.conf: %s: no uri; entry ignored",
			  sec->name);
		return;
	}
	if (!is_ws_uri(config_var_get(sec, "uri"))) {
		log_error("websocket_client.conf: %s: uri '%s' is not a ws:// "
			  "or wss:// URI without spaces; entry ignored",
			  sec->name, config_var_get(sec, "uri"));
		return;
	}
	c = mem_zalloc(sizeof(*c), client_destructor);
	if (!c)
		return;
	err = str_dup(&c->id, sec->name);
	err |= dup_var(&c->uri, sec, "uri");
	err |= dup_var(&c->protocols, sec, "protocols");
	err |= dup_var(&c->username, sec, "username");
	err |= dup_var(&c->password, sec, "password");
	c->timeout_ms = tmo ? (unsigned)atoi(tmo) : 0;
	if (err) {
		mem_deref(c);
		return;
	}
	list_append(&clients, &c->le, c);
}

int em_conf_load(const char *confdir)
{
	struct config *cfg = NULL;
	const struct config_section *sec = NULL;

	defaults();
	list_flush(&clients);
	if (confdir && !config_load(&cfg, confdir, "chan_websocket.conf")) {
		load_global(cfg);
		config_free(cfg);
		cfg = NULL;
	}
	if (confdir && !config_load(&cfg, confdir, "websocket_client.conf")) {
		while ((sec = config_section_next(cfg, sec)))
			load_client(sec);
		config_free(cfg);
	}
	return 0;
}

void em_conf_close(void)
{
	list_flush(&clients);
	em_conf.allow_uris = mem_deref(em_conf.allow_uris);
}

const struct em_client *em_conf_client(const char *id)
{
	for (struct le *le = list_head(&clients); le; le = le->next) {
		const struct em_client *c = le->data;

		if (id && !strcmp(c->id, id))
			return c;
	}
	return NULL;
}

bool extmedia_ws_client_exists(const char *id)
{
	return em_conf_client(id) != NULL;
}

bool extmedia_ws_uri_allowed(const char *uri)
{
	const char *list = em_conf.allow_uris;
	const char *p;

	if (!uri || !is_ws_uri(uri))
		return false;
	if (!list || config_true(list))
		return true;
	if (config_false(list))
		return false;
	for (p = list; *p;) {
		size_t n;

		while (*p == ',' || *p == ' ')
			p++;
		n = strcspn(p, ", ");
		if (n && !strncmp(uri, p, n))
			return true;
		p += n;
	}
	return false;
}

/* "1.2.3.4:5", "[::1]:5" or "name:5" (a name resolved now, as Asterisk
 * does); without a port, def_port (0: the port is required). A bare IPv6
 * address needs brackets before a port. */
int em_conf_resolve(const char *dest, uint16_t def_port, struct sa *out)
{
	struct sockaddr_storage ss;
	socklen_t sslen;
	const char *colon = dest ? strrchr(dest, ':') : NULL, *h = dest;
	size_t hlen;
	unsigned long port = def_port;
	char host[256], *end;
	int err;

	if (!dest || !*dest)
		return EINVAL;
	if (colon && dest[0] == '[' && colon < strchr(dest, ']'))
		colon = NULL;                /* "[v6]" alone */
	else if (colon && dest[0] != '[' && memchr(dest, ':', colon - dest))
		return EINVAL;               /* IPv6 wants brackets */
	hlen = colon ? (size_t)(colon - dest) : strlen(dest);
	if (hlen > 2 && dest[0] == '[' && dest[hlen - 1] == ']') {
		h++;
		hlen -= 2;
	}
	if (colon) {
		port = strtoul(colon + 1, &end, 10);
		if (*end || end == colon + 1 || port > 65535)
			return EINVAL;
	}
	if (!port || !hlen || hlen >= sizeof(host))
		return EINVAL;
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	if (!sa_set_str(out, host, (uint16_t)port))
		return 0;
	if (h != dest)
		return EINVAL;
	/* Never long on the loop: net/lookup.h. */
	if (net_lookup(host, &ss, &sslen))
		return EADDRNOTAVAIL;
	err = sa_set_sa(out, (struct sockaddr *)&ss);
	if (err)
		return EADDRNOTAVAIL;
	sa_set_port(out, (uint16_t)port);
	return 0;
}
