/* res_asterisk.c — /asterisk handlers: info, ping, global variables. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <pwd.h>
#include <grp.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include "ari/handlers.h"
#include "ari/models.h"
#include "core/bus.h"
#include "core/channel.h"
#include "base/options.h"

static uint64_t tv_us(const struct timeval *tv)
{
	return (uint64_t)tv->tv_sec * 1000000u + (uint64_t)tv->tv_usec;
}

static bool wanted(const char *only, const char *section)
{
	char buf[128], *save = NULL, *tok;

	if (!only || !*only)
		return true;
	snprintf(buf, sizeof(buf), "%s", only);
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save))
		if (!strcmp(tok, section))
			return true;
	return false;
}

/* What info reports that cannot change while the process runs: the user
 * and group it runs as, the machine, the open files limit (main.c raised
 * it at start). Looked up once: getpwuid() reads /etc/passwd, and doing
 * that on every request made info three times slower than ping. */
static struct {
	bool done;
	char user[64], group[64];
	struct utsname u;
	long long max_files;     /* -1: unlimited */
} fixed;

static void fixed_load(void)
{
	struct passwd *pw;
	struct group *gr;
	struct rlimit rl;

	if (fixed.done)
		return;
	pw = getpwuid(geteuid());
	gr = getgrgid(getegid());
	snprintf(fixed.user, sizeof(fixed.user), "%s", pw ? pw->pw_name : "");
	snprintf(fixed.group, sizeof(fixed.group), "%s",
		 gr ? gr->gr_name : "");
	uname(&fixed.u);
	fixed.max_files = !getrlimit(RLIMIT_NOFILE, &rl) &&
			  rl.rlim_cur != RLIM_INFINITY ?
			  (long long)rl.rlim_cur : -1;
	fixed.done = true;
}

/* Asterisk's config section: who the process runs as, its limit of open
 * files, and the call limits of [options]. */
static json_t *config_json(void)
{
	json_t *config;

	config = json_pack("{s:s, s:s, s:{s:s, s:s}}",
			   "name", options.system_name,
			   "default_language", options.default_language,
			   "setid", "user", fixed.user, "group", fixed.group);
	if (config && fixed.max_files >= 0)
		json_object_set_new(config, "max_open_files",
				    json_integer((json_int_t)fixed.max_files));
	/* as Asterisk: present only when set in [options] */
	if (config && options.maxcalls)
		json_object_set_new(config, "max_channels",
				    json_integer(options.maxcalls));
	if (config && options.maxload > 0)
		json_object_set_new(config, "max_load",
				    json_real(options.maxload));
	return config;
}

static json_t *info_json(const char *only)
{
	json_t *info = json_object();
	const struct utsname *u = &fixed.u;
	char t1[40], t2[40];

	fixed_load();
	if (wanted(only, "build")) {
		json_object_set_new(info, "build", json_pack(
			"{s:s, s:s, s:s, s:s, s:s, s:s}",
			"os", u->sysname, "kernel", u->release,
			"options", "", "machine", u->machine,
			"date", __DATE__ " " __TIME__, "user", "ariadne"));
	}
	if (wanted(only, "system")) {
		json_object_set_new(info, "system", json_pack(
			"{s:s, s:s}", "version", ARIADNE_VERSION,
			"entity_id", options.entity_id));
	}
	if (wanted(only, "config"))
		json_object_set_new(info, "config", config_json());
	if (wanted(only, "status")) {
		json_object_set_new(info, "status", json_pack(
			"{s:s, s:s}",
			"startup_time", ari_time_str(tv_us(&options.startup_time),
						     t1, sizeof(t1)),
			"last_reload_time", ari_time_str(tv_us(&options.reload_time),
							 t2, sizeof(t2))));
	}
	return info;
}

/* The whole of info (no `only`) changes only with a reload (the reload
 * time is in it, and ari.conf's pretty may change): monitoring polls it,
 * so its text is kept until then rather than built for every request. */
static struct {
	char *text;
	uint64_t reload_us;
} info_cache;   /* kept for the life of the process */

void ari_asterisk_get_info(struct ari_req *req, struct ari_resp *resp)
{
	const char *only = ari_req_param(req, "only");
	uint64_t reload_us = tv_us(&options.reload_time);

	if (only) {
		ari_resp_json(resp, 200, info_json(only));
		return;
	}
	if (!info_cache.text || info_cache.reload_us != reload_us) {
		json_t *info = info_json(NULL);

		free(info_cache.text);
		info_cache.text = ari_json_text(info);
		info_cache.reload_us = reload_us;
		json_decref(info);
		if (!info_cache.text) {
			ari_resp_error(resp, 500, "Internal Server Error");
			return;
		}
	}
	ari_resp_data(resp, 200, "application/json", info_cache.text,
		      strlen(info_cache.text));
}

void ari_asterisk_ping(struct ari_req *req, struct ari_resp *resp)
{
	char stamp[40];

	ari_resp_json(resp, 200, json_pack(
		"{s:s, s:s, s:s}", "asterisk_id", options.entity_id,
		"ping", "pong",
		"timestamp", ari_time_str(bus_now_us(), stamp, sizeof(stamp))));
}

void ari_asterisk_get_global_var(struct ari_req *req, struct ari_resp *resp)
{
	const char *name = ari_req_param(req, "variable");
	const char *value;

	if (!name || !*name) {
		ari_resp_error(resp, 400, "Variable name is required");
		return;
	}
	value = channel_global_get(name);
	ari_resp_json(resp, 200, json_pack("{s:s}", "value", value ? value : ""));
}

void ari_asterisk_set_global_var(struct ari_req *req, struct ari_resp *resp)
{
	const char *name = ari_req_param(req, "variable");
	const char *value = ari_req_param(req, "value");

	if (!name || !*name) {
		ari_resp_error(resp, 400, "Variable name is required");
		return;
	}
	channel_global_set(name, value ? value : "");
	ari_resp_no_content(resp);
}
