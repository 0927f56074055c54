/* recording_int.h — what recording.c (live recordings) takes from
 * recording_stored.c (the directory, names made safe, the engine and its
 * formats). Internal to src/core; the public face is recording.h. */
#ifndef ARIADNE_RECORDING_INT_H
#define ARIADNE_RECORDING_INT_H

#include <stdbool.h>
#include "core/recording.h"

const struct recording_engine *recording_engine_get(void);

/* "<dir>/<name>" (no extension) with the checks of recording_stored_find
 * (EINVAL, EACCES); with `make_dirs` its parent directories are made
 * (inside the recordings directory only). *pathp is a mem string. */
int recording_path_make(char **pathp, const char *name, bool make_dirs);
/* "<path>.<format>" exists for one of the engine's formats. */
bool recording_file_exists(const char *path);

#endif
