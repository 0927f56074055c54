/* dynconf.c — registry of dynamic configuration classes (see dynconf.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "base/dynconf.h"

#define CLASSES_MAX 8

static struct {
	char name[32];
	const struct dynconf_class_ops *ops;
} classes[CLASSES_MAX];

int dynconf_class_register(const char *name,
			   const struct dynconf_class_ops *ops)
{
	if (!name || !*name)
		return EINVAL;
	/* A truncated name could never be found again. */
	if (strlen(name) >= sizeof(classes[0].name))
		return ENAMETOOLONG;
	for (int i = 0; i < CLASSES_MAX; i++) {
		if (!classes[i].name[0] || !strcmp(classes[i].name, name)) {
			snprintf(classes[i].name, sizeof(classes[i].name), "%s",
				 name);
			classes[i].ops = ops;
			return 0;
		}
	}
	return ENOMEM;
}

const struct dynconf_class_ops *dynconf_class_find(const char *name)
{
	for (int i = 0; name && i < CLASSES_MAX; i++)
		if (classes[i].name[0] && !strcmp(classes[i].name, name))
			return classes[i].ops;
	return NULL;
}
