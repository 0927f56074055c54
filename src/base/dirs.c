/* dirs.c — mkdir -p, for the directories of ariadne.conf and the files
 * written under them (base/linefile.c). Nothing logged here: the logger
 * itself uses it. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include "base/dirs.h"

int dirs_make(const char *dir, char *failed, size_t size)
{
	char tmp[512];
	size_t len;

	snprintf(tmp, sizeof(tmp), "%s", dir ? dir : "");
	len = strlen(tmp);
	for (size_t i = 1; i <= len; i++) {
		char c = tmp[i];

		if (c != '/' && c != '\0')
			continue;
		tmp[i] = '\0';
		if (mkdir(tmp, 0755) < 0 && errno != EEXIST) {
			int err = errno;

			if (failed && size)
				snprintf(failed, size, "%s", tmp);
			return err;
		}
		tmp[i] = c;
	}
	return 0;
}
