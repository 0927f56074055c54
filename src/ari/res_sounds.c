/* res_sounds.c — ARI GET /sounds and /sounds/{soundId}: the prompts
 * installed under the sounds directory, each with its {language, format}
 * pairs. Every directory directly under the sounds directory is a language
 * (en, en_US, ...); ids are paths below it without extension ("digits/1").
 * The index is built on first use and kept (Asterisk rebuilds it on
 * reload; we have no reload yet). */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <re_types.h>
#include <re_mem.h>
#include "ari/handlers.h"
#include "ari/route.h"
#include "base/log.h"
#include "core/playback.h"

#define SOUNDS_DEFAULT_DIR "/usr/share/asterisk/sounds"
#define SOUNDS_MAX_DEPTH 4

static json_t *index_obj;  /* id → Sound, built once */

static bool known_format(const char *ext)
{
	static const char *const fmts[] = {
		"wav", "wav16", "WAV", "gsm", "ulaw", "alaw", "g722", "g729",
		"sln", "sln16", "siren7", "siren14", "ogg", "g719", NULL
	};

	for (size_t i = 0; fmts[i]; i++) {
		if (!strcmp(ext, fmts[i]))
			return true;
	}
	return false;
}

static void add_pair(const char *id, const char *lang, const char *fmt)
{
	json_t *snd = json_object_get(index_obj, id), *formats;

	if (!snd) {
		snd = json_pack("{s:s, s:[]}", "id", id, "formats");
		if (!snd || json_object_set_new(index_obj, id, snd))
			return;
	}
	formats = json_object_get(snd, "formats");
	json_array_append_new(formats, json_pack("{s:s, s:s}", "language",
						 lang, "format", fmt));
}

static void scan(const char *dir, const char *rel, const char *lang,
		 int depth)
{
	struct dirent *de;
	DIR *d = opendir(dir);

	if (!d)
		return;
	while ((de = readdir(d))) {
		char path[1024], id[512];
		struct stat st;
		char *dot;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		snprintf(id, sizeof(id), "%s%s%s", rel, *rel ? "/" : "",
			 de->d_name);
		if (stat(path, &st))
			continue;
		if (S_ISDIR(st.st_mode)) {
			if (depth < SOUNDS_MAX_DEPTH)
				scan(path, id, lang, depth + 1);
			continue;
		}
		dot = strrchr(id, '.');
		if (!S_ISREG(st.st_mode) || !dot || !known_format(dot + 1))
			continue;
		*dot = '\0';
		add_pair(id, lang, dot + 1);
	}
	closedir(d);
}

static json_t *sound_index(void)
{
	const struct playback_engine *eng = playback_engine_get();
	const char *root = eng && eng->sounds_dir ? eng->sounds_dir()
						  : SOUNDS_DEFAULT_DIR;
	struct dirent *de;
	DIR *d;

	if (index_obj)
		return index_obj;
	index_obj = json_object();
	if (!index_obj)
		return NULL;
	d = opendir(root);
	if (!d) {
		log_warning("Cannot read sounds directory %s", root);
		return index_obj;
	}
	while ((de = readdir(d))) {
		char path[1024];
		struct stat st;

		snprintf(path, sizeof(path), "%s/%s", root, de->d_name);
		if (de->d_name[0] != '.' && !stat(path, &st) &&
		    S_ISDIR(st.st_mode))
			scan(path, "", de->d_name, 1);
	}
	closedir(d);
	return index_obj;
}

/* The sound with only the pairs matching lang/format (NULL: any); NULL
 * when none match. New reference. */
static json_t *filtered(json_t *snd, const char *lang, const char *fmt)
{
	json_t *out, *formats, *pair;
	size_t i;

	if (!lang && !fmt)
		return json_incref(snd);
	formats = json_array();
	json_array_foreach(json_object_get(snd, "formats"), i, pair) {
		const char *l = json_string_value(json_object_get(pair,
								  "language"));
		const char *f = json_string_value(json_object_get(pair,
								  "format"));

		if ((!lang || !strcmp(lang, l)) && (!fmt || !strcmp(fmt, f)))
			json_array_append(formats, pair);
	}
	if (!json_array_size(formats)) {
		json_decref(formats);
		return NULL;
	}
	out = json_pack("{s:O, s:o}", "id", json_object_get(snd, "id"),
			"formats", formats);
	return out;
}

static int cmp_id(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void ari_sounds_list(struct ari_req *req, struct ari_resp *resp)
{
	const char *lang = ari_req_param(req, "lang");
	const char *fmt = ari_req_param(req, "format");
	json_t *idx = sound_index(), *list = json_array(), *snd;
	const char **ids;
	const char *id;
	size_t n = 0;

	if (!idx || !list) {
		json_decref(list);
		ari_resp_error(resp, 500, "Out of memory");
		return;
	}
	/* Sorted, so that clients and tests see a stable order. */
	ids = mem_zalloc((json_object_size(idx) + 1) * sizeof(*ids), NULL);
	if (!ids) {
		json_decref(list);
		ari_resp_error(resp, 500, "Out of memory");
		return;
	}
	json_object_foreach(idx, id, snd)
		ids[n++] = id;
	qsort(ids, n, sizeof(*ids), cmp_id);
	for (size_t i = 0; i < n; i++) {
		json_t *s = filtered(json_object_get(idx, ids[i]), lang, fmt);

		if (s)
			json_array_append_new(list, s);
	}
	mem_deref(ids);
	ari_resp_json(resp, 200, list);
}

void ari_sounds_get(struct ari_req *req, struct ari_resp *resp)
{
	json_t *idx = sound_index();
	json_t *snd = idx ? json_object_get(idx, ari_req_param(req, "soundId"))
			  : NULL;

	if (!snd) {
		ari_resp_error(resp, 404, "Sound not found");
		return;
	}
	ari_resp_json(resp, 200, json_incref(snd));
}
