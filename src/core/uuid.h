/* uuid.h — random (version 4) uuids, the ids Asterisk gives bridges and
 * playbacks when the client chooses none. */
#ifndef ARIADNE_UUID_H
#define ARIADNE_UUID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define UUID_STR_LEN 37  /* 36 characters and the NUL */

/* "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx" into buf (size >= UUID_STR_LEN).
 * ENOMEM when it does not fit. */
int uuid_v4(char *buf, size_t size);
/* *dst = a copy of `id`, or of a new uuid when id is NULL or "". */
int uuid_dup_or_new(char **dst, const char *id);
/* "8-4-4-4-12" hex digits (any version), as uuid_parse() accepts. With
 * bin (16 bytes) the value is written there, in the text's byte order. */
bool uuid_parse_text(const char *s, uint8_t *bin);
#define uuid_is_valid(s) uuid_parse_text((s), NULL)

#endif
