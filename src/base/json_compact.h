/* json_compact.h — jansson trees to compact JSON text, fast (json_compact.c). */
#ifndef ARIADNE_BASE_JSON_COMPACT_H
#define ARIADNE_BASE_JSON_COMPACT_H

#include <jansson.h>

/* The same bytes as json_dumps(j, JSON_ENCODE_ANY | JSON_COMPACT), in a
 * malloc()ed string to free() as json_dumps' own. NULL where json_dumps
 * would fail (a string that is not UTF-8, a tree that contains itself),
 * for a key that is not UTF-8, a tree over 4096 deep, or out of memory. */
char *json_compact(const json_t *j);

#endif
