/* datafile.h — small JSON documents kept in the data directory (mailbox
 * counts, ARI-controlled device states): read at start-up, rewritten whole
 * after each change. Writes go to a temporary file that is renamed over the
 * old one, so a crash leaves either the old or the new document, never half.
 * jansson only; files including this must not include re.h / re_json.h. */
#ifndef ARIADNE_DATAFILE_H
#define ARIADNE_DATAFILE_H

#include <jansson.h>

/* Load `<dir>/<name>` as a JSON object into *objp (new reference).
 * ENOENT: no file yet (*objp = NULL); EBADMSG: not JSON or not an object,
 * logged as a WARNING naming the file. */
int datafile_load(const char *dir, const char *name, json_t **objp);

/* Write `obj` to `<dir>/<name>` atomically (temp file, fsync, rename). */
int datafile_save(const char *dir, const char *name, const json_t *obj);

#endif
