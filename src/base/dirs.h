/* dirs.h — making a directory and those above it (dirs.c). */
#ifndef ARIADNE_BASE_DIRS_H
#define ARIADNE_BASE_DIRS_H

#include <stddef.h>

/* mkdir -p of dir (mode 0755). Returns an errno value; the directory that
 * could not be made goes into failed when given. */
int dirs_make(const char *dir, char *failed, size_t size);

#endif
