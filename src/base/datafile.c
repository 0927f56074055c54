/* datafile.c — atomic load/save of small JSON documents under the data
 * directory (see datafile.h). Not a database: each save rewrites the whole
 * file, which is fine for the few hundred entries these stores hold. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include "base/datafile.h"
#include "base/log.h"

int datafile_load(const char *dir, const char *name, json_t **objp)
{
	char path[512];
	json_error_t jerr;
	json_t *obj;

	*objp = NULL;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (access(path, F_OK) != 0)
		return ENOENT;
	obj = json_load_file(path, 0, &jerr);
	if (!obj || !json_is_object(obj)) {
		char aside[600];

		/* The next save would write over it: keep it for whoever
		 * wants to recover what it held. */
		snprintf(aside, sizeof(aside), "%s.corrupt-%ld", path,
			 (long)time(NULL));
		if (rename(path, aside))
			snprintf(aside, sizeof(aside), "not kept: %s",
				 strerror(errno));
		log_warning("Ignoring corrupt data file '%s' (%s, line %d); "
			    "the file as it was: %s", path,
			    obj ? "not a JSON object" : jerr.text, jerr.line,
			    aside);
		json_decref(obj);
		return EBADMSG;
	}
	*objp = obj;
	return 0;
}

/* Creates the data directory's last component when missing: the default
 * datadir may not exist yet on a fresh machine. */
static void ensure_dir(const char *dir)
{
	if (mkdir(dir, 0755) != 0 && errno != EEXIST)
		log_debug(1, "mkdir %s: %s", dir, strerror(errno));
}

int datafile_save(const char *dir, const char *name, const json_t *obj)
{
	char path[512], tmp[528];
	char *text;
	size_t len;
	int fd, err = 0;

	ensure_dir(dir);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid());
	text = json_dumps(obj, JSON_INDENT(1) | JSON_SORT_KEYS);
	if (!text)
		return ENOMEM;
	len = strlen(text);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		err = errno;
		log_error("Cannot write '%s': %s", tmp, strerror(err));
		free(text);
		return err;
	}
	for (size_t off = 0; off < len;) {
		ssize_t n = write(fd, text + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = errno;
			break;
		}
		off += (size_t)n;
	}
	/* fsync before rename: otherwise a power loss can leave the new
	 * name pointing at an empty file. */
	if (!err && fsync(fd) != 0)
		err = errno;
	if (close(fd) != 0 && !err)
		err = errno;
	free(text);
	if (!err && rename(tmp, path) != 0)
		err = errno;
	if (err) {
		log_error("Cannot save '%s': %s", path, strerror(err));
		unlink(tmp);
	}
	return err;
}
