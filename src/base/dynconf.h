/* dynconf.h — dynamic configuration objects (ARI's
 * /asterisk/config/dynamic/{configClass}/{objectType}/{id}): a module that
 * owns a configuration class (src/sip owns "res_pjsip" with types endpoint,
 * auth, aor) registers these operations; ARI looks the class up here. The
 * core stores nothing itself. */
#ifndef ARIADNE_DYNCONF_H
#define ARIADNE_DYNCONF_H

#include <stdbool.h>

/* One attribute/value pair (ConfigTuple). */
struct dynconf_field {
	const char *attribute;
	const char *value;
};

/* Called with each field of an object. */
typedef void (dynconf_field_h)(const char *attribute, const char *value,
			       void *arg);

struct dynconf_class_ops {
	/* Is `type` a type of this class? */
	bool (*has_type)(const char *type);
	/* Visit the object's fields. ENOENT: no such object. */
	int (*get)(const char *type, const char *id, dynconf_field_h *h,
		   void *arg);
	/* Create or update with the given fields (unknown attribute or bad
	 * value: EINVAL with a message in errbuf → 400/403). */
	int (*update)(const char *type, const char *id,
		      const struct dynconf_field *fields, int n,
		      char *errbuf, unsigned errsz);
	/* ENOENT: no such object; EPERM: refused (e.g. from a file). */
	int (*remove)(const char *type, const char *id);
};

int dynconf_class_register(const char *name,
			   const struct dynconf_class_ops *ops);
const struct dynconf_class_ops *dynconf_class_find(const char *name);

#endif
