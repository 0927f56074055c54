/* uuid.h — random (version 4) uuids, the ids Asterisk gives bridges and
 * playbacks when the client chooses none. */
#ifndef ARIADNE_UUID_H
#define ARIADNE_UUID_H

#include <stddef.h>

#define UUID_STR_LEN 37  /* 36 characters and the NUL */

/* "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx" into buf (size >= UUID_STR_LEN).
 * ENOMEM when it does not fit. */
int uuid_v4(char *buf, size_t size);
/* *dst = a copy of `id`, or of a new uuid when id is NULL or "". */
int uuid_dup_or_new(char **dst, const char *id);

#endif
