/* cluster_conf.c — nats.conf [general]: url, prefix, node_id, apps,
 * announce_interval, checked once at start-up. Only parsing: nothing here
 * connects. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>
#include "base/config.h"
#include "base/log.h"
#include "cluster/cluster_int.h"

bool cluster_token_ok(const char *s)
{
	if (!s || !*s)
		return false;
	for (; *s; s++) {
		if (*s == '.' || *s == '*' || *s == '>' ||
		    isspace((unsigned char)*s) || !isprint((unsigned char)*s))
			return false;
	}
	return true;
}

static int copy(char *dst, size_t size, const char *v, const char *name)
{
	if (strlen(v) >= size) {
		log_error("nats.conf: %s '%s' is too long (%zu at most)", name,
			  v, size - 1);
		return EINVAL;
	}
	snprintf(dst, size, "%s", v);
	return 0;
}

/* "test, other" → apps; each a subject token. */
static int parse_apps(struct cluster_conf *cc, const char *v)
{
	char buf[1024], *save = NULL;

	if (copy(buf, sizeof(buf), v, "apps"))
		return EINVAL;
	for (char *t = strtok_r(buf, ", \t", &save); t;
	     t = strtok_r(NULL, ", \t", &save)) {
		if (cc->napps == CLUSTER_APPS_MAX) {
			log_error("nats.conf: more than %d apps",
				  CLUSTER_APPS_MAX);
			return EINVAL;
		}
		if (!cluster_token_ok(t) ||
		    copy(cc->apps[cc->napps], CLUSTER_TOKEN_MAX, t, "app")) {
			log_error("nats.conf: app '%s' cannot be a NATS subject "
				  "token", t);
			return EINVAL;
		}
		cc->napps++;
	}
	if (!cc->napps) {
		log_error("nats.conf: apps lists no ARI application");
		return EINVAL;
	}
	return 0;
}

static int parse_interval(struct cluster_conf *cc, const char *v)
{
	char *end;
	long n = strtol(v, &end, 10);

	if (*end || n < 1 || n > 3600) {
		log_error("nats.conf: announce_interval '%s' is not a number "
			  "of seconds between 1 and 3600", v);
		return EINVAL;
	}
	cc->announce_s = (unsigned)n;
	return 0;
}

int cluster_conf_load(struct cluster_conf *cc, const struct config *cfg,
		      const char *default_node)
{
	const char *v;
	int err;

	memset(cc, 0, sizeof(*cc));
	v = cfg ? config_get(cfg, "general", "url") : NULL;
	if (!v || !*v)
		return ENOENT;
	if ((err = copy(cc->url, sizeof(cc->url), v, "url")))
		return err;
	v = config_get(cfg, "general", "prefix");
	if ((err = copy(cc->prefix, sizeof(cc->prefix), v ? v : "ari.",
			"prefix")))
		return err;
	v = config_get(cfg, "general", "node_id");
	if ((err = copy(cc->node, sizeof(cc->node), v && *v ? v : default_node,
			"node_id")))
		return err;
	if (!cluster_token_ok(cc->node)) {
		log_error("nats.conf: node_id '%s' cannot be a NATS subject "
			  "token (no '.', '*', '>' or spaces)", cc->node);
		return EINVAL;
	}
	if (!v || !*v)
		log_notice("nats.conf: no node_id, using this host's entity id "
			   "'%s' (set one per node when several run on one "
			   "host)", cc->node);
	v = config_get(cfg, "general", "apps");
	if (!v || !*v) {
		log_error("nats.conf: apps is missing: which ARI applications "
			  "does this node serve?");
		return EINVAL;
	}
	if ((err = parse_apps(cc, v)))
		return err;
	cc->announce_s = 60;
	v = config_get(cfg, "general", "announce_interval");
	if (v && *v && (err = parse_interval(cc, v)))
		return err;
	return 0;
}
