/* sip_dynconf.c — the "res_pjsip" dynamic configuration class (ARI's
 * /asterisk/config/dynamic/res_pjsip/{endpoint,auth,aor}/{id}): lets an
 * application provision a SIP endpoint without editing pjsip.conf. Fields
 * are checked on a scratch object first, so a bad request changes nothing.
 * Objects that came from pjsip.conf are read-only here (EPERM), as the
 * file stays the source of truth for them. */
#include <errno.h>
#include <stdint.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <re_types.h>
#include <re_fmt.h>
#include <re_mem.h>
#include <re_list.h>
#include <re_sa.h>
#include "base/dynconf.h"
#include "core/endpoint.h"
#include "sip/sip_int.h"
#include "sip/sip_services.h"

static void field_u(dynconf_field_h *h, void *arg, const char *name,
		    unsigned v)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "%u", v);
	h(name, buf, arg);
}

static void field_s(dynconf_field_h *h, void *arg, const char *name,
		    const char *v)
{
	h(name, v ? v : "", arg);
}

/* callerid as pjsip.conf writes it: "Name" <num> */
static void field_callerid(dynconf_field_h *h, void *arg,
			   const struct sip_endpoint *e)
{
	char cid[160];

	snprintf(cid, sizeof(cid), "%s%s%s%s%s", e->cid_name ? "\"" : "",
		 e->cid_name ? e->cid_name : "", e->cid_name ? "\" " : "",
		 e->cid_num ? "<" : "", e->cid_num ? e->cid_num : "");
	if (e->cid_num)
		strncat(cid, ">", sizeof(cid) - strlen(cid) - 1);
	field_s(h, arg, "callerid", cid);
}

static void get_endpoint(const void *obj, dynconf_field_h *h, void *arg)
{
	const struct sip_endpoint *e = obj;

	field_s(h, arg, "context", e->context);
	field_s(h, arg, "allow", e->allow);
	field_s(h, arg, "auth", e->auth);
	field_s(h, arg, "outbound_auth", e->outbound_auth);
	field_s(h, arg, "aors", e->aors);
	field_callerid(h, arg, e);
	field_s(h, arg, "dtmf_mode",
		e->dtmf == SIP_DTMF_INFO ? "info" : "rfc4733");
	field_u(h, arg, "rtp_timeout", e->rtp_timeout);
	field_u(h, arg, "rtp_keepalive", e->rtp_keepalive);
	field_s(h, arg, "language", e->language);
}

static void get_auth(const void *obj, dynconf_field_h *h, void *arg)
{
	const struct sip_authobj *a = obj;

	field_s(h, arg, "auth_type", "userpass");
	field_s(h, arg, "username", a->username);
	/* Asterisk shows the password too; an app that set it may read it
	 * back */
	field_s(h, arg, "password", a->password);
	field_s(h, arg, "realm", a->realm);
}

static void get_aor(const void *obj, dynconf_field_h *h, void *arg)
{
	const struct sip_aor *a = obj;

	field_u(h, arg, "max_contacts", a->max_contacts);
	field_s(h, arg, "remove_existing", a->remove_existing ? "yes" : "no");
	field_u(h, arg, "qualify_frequency", a->qualify_frequency);
	field_u(h, arg, "default_expiration", a->default_expiration);
}

static void refresh_states(void)
{
	struct le *le;

	for (le = list_head(&sipmod.conf->endpoints); le; le = le->next)
		sip_endpoint_update_state(le->data);
}

/* ---- the three object types, for the generic get/update/remove ---- */

/* Setting one field, whatever the object type. */
typedef int (field_set_h)(void *obj, const char *name, const char *value);

static void *find_endpoint(const char *id)
{
	return sip_endpoint_find(id);
}

static int alloc_endpoint(void **objp, const char *id)
{
	struct sip_endpoint *e = NULL;
	int err = sip_endpoint_alloc(&e, id);

	*objp = e;
	return err;
}

static int set_endpoint_field(void *obj, const char *name, const char *value)
{
	return sip_endpoint_set(obj, name, value, "ari", 0);
}

static int updated_endpoint(void *obj, bool fresh)
{
	(void)fresh;
	return sip_endpoint_publish(obj);
}

static void detach_endpoint(void *obj)
{
	struct sip_endpoint *e = obj;

	if (e->ep)
		endpoint_remove(e->ep);
	e->ep = NULL;
}

static void *find_auth(const char *id)
{
	return sip_authobj_find(id);
}

static int alloc_auth(void **objp, const char *id)
{
	struct sip_authobj *a = NULL;
	int err = sip_authobj_alloc(&a, id);

	*objp = a;
	return err;
}

static int set_auth_field(void *obj, const char *name, const char *value)
{
	return sip_auth_set(obj, name, value);
}

static void *find_aor(const char *id)
{
	return sip_aor_find(id);
}

static int alloc_aor(void **objp, const char *id)
{
	struct sip_aor *a = NULL;
	int err = sip_aor_alloc(&a, id);

	*objp = a;
	return err;
}

static int set_aor_field(void *obj, const char *name, const char *value)
{
	return sip_aor_set(obj, name, value);
}

/* A new aor's static contacts are qualified like those of pjsip.conf. */
static int updated_aor(void *obj, bool fresh)
{
	struct sip_aor *a = obj;

	if (fresh)
		for (struct le *le = list_head(&a->contacts); le; le = le->next)
			sip_qualify_contact(le->data);
	refresh_states();
	return 0;
}

static void detach_aor(void *obj)
{
	struct sip_aor *a = obj;
	struct le *le;

	while ((le = list_head(&a->contacts)))
		sip_contact_remove(le->data, "aor removal");
	refresh_states();
}

/* What get, update and remove need of an object type. The objects differ
 * in type but each has its list element, its list in sipmod.conf and its
 * dynamic flag, found by offset. */
struct kind {
	const char *type;
	size_t le_off, dynamic_off, list_off;
	void *(*find)(const char *id);
	int (*alloc)(void **objp, const char *id);
	field_set_h *set;
	const char *keep;  /* not applied again to an existing object */
	void (*get)(const void *obj, dynconf_field_h *h, void *arg);
	int (*updated)(void *obj, bool fresh);  /* NULL: nothing to do */
	void (*detach)(void *obj);              /* NULL: nothing to do */
};

#define OFFSETS(T, list) offsetof(T, le), offsetof(T, dynamic), \
	offsetof(struct sip_conf, list)

static const struct kind kinds[] = {
	{"endpoint", OFFSETS(struct sip_endpoint, endpoints), find_endpoint,
	 alloc_endpoint, set_endpoint_field, NULL, get_endpoint,
	 updated_endpoint, detach_endpoint},
	{"auth", OFFSETS(struct sip_authobj, auths), find_auth, alloc_auth,
	 set_auth_field, NULL, get_auth, NULL, NULL},
	/* An existing aor keeps its contacts: re-adding a static contact
	 * would duplicate it. */
	{"aor", OFFSETS(struct sip_aor, aors), find_aor, alloc_aor,
	 set_aor_field, "contact", get_aor, updated_aor, detach_aor},
};

static const struct kind *kind_of(const char *type)
{
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strcmp(type, kinds[i].type))
			return &kinds[i];
	return NULL;
}

static bool *dynamic_of(const struct kind *k, void *obj)
{
	return (bool *)((char *)obj + k->dynamic_off);
}

static struct le *le_of(const struct kind *k, void *obj)
{
	return (struct le *)((char *)obj + k->le_off);
}

static void adopt(const struct kind *k, void *obj)
{
	*dynamic_of(k, obj) = true;
	list_append((struct list *)((char *)sipmod.conf + k->list_off),
		    le_of(k, obj), obj);
}

/* ---- the class operations ---- */

static bool has_type(const char *type)
{
	return kind_of(type) != NULL;
}

static int get(const char *type, const char *id, dynconf_field_h *h,
	       void *arg)
{
	const struct kind *k = kind_of(type);
	void *obj = k ? k->find(id) : NULL;

	if (!obj)
		return ENOENT;
	k->get(obj, h, arg);
	return 0;
}

static int bad(char *errbuf, unsigned errsz, int err,
	       const struct dynconf_field *f)
{
	if (err == ENOENT)
		snprintf(errbuf, errsz, "Unknown attribute '%s'",
			 f->attribute);
	else
		snprintf(errbuf, errsz, "Invalid value '%s' for '%s'",
			 f->value ? f->value : "", f->attribute);
	return EINVAL;
}

/* Apply the fields in order, skipping `skip` (NULL: none); the first bad
 * one is described in errbuf. */
static int apply(void *obj, field_set_h *set, const struct dynconf_field *f,
		 int n, const char *skip, char *errbuf, unsigned errsz)
{
	for (int i = 0; i < n; i++) {
		int err;

		if (skip && !strcmp(f[i].attribute, skip))
			continue;
		err = set(obj, f[i].attribute, f[i].value ? f[i].value : "");
		if (err)
			return bad(errbuf, errsz, err, &f[i]);
	}
	return 0;
}

/* Objects read from pjsip.conf are not ARI's to change. */
static int from_file(const char *id, char *errbuf, unsigned errsz)
{
	snprintf(errbuf, errsz, "Object '%s' comes from pjsip.conf", id);
	return EPERM;
}

/* An update is checked on a fresh object first, so a bad field leaves an
 * existing object untouched; then it is applied to the existing one, or
 * the fresh one joins the configuration. */
static int update(const char *type, const char *id,
		  const struct dynconf_field *f, int n, char *errbuf,
		  unsigned errsz)
{
	const struct kind *k = kind_of(type);
	void *obj, *fresh = NULL;
	int err;

	if (!sipmod.conf || !id || !*id || !k)
		return EINVAL;
	obj = k->find(id);
	if (obj && !*dynamic_of(k, obj))
		return from_file(id, errbuf, errsz);
	err = k->alloc(&fresh, id);
	if (!err)
		err = apply(fresh, k->set, f, n, NULL, errbuf, errsz);
	if (err || obj)
		fresh = mem_deref(fresh);
	if (err)
		return err;
	if (obj)
		(void)apply(obj, k->set, f, n, k->keep, errbuf, errsz);
	else
		adopt(k, obj = fresh);
	return k->updated ? k->updated(obj, fresh != NULL) : 0;
}

static int remove_obj(const char *type, const char *id)
{
	const struct kind *k = kind_of(type);
	void *obj;

	if (!sipmod.conf || !k)
		return ENOENT;
	obj = k->find(id);
	if (!obj)
		return ENOENT;
	if (!*dynamic_of(k, obj))
		return EPERM;
	if (k->detach)
		k->detach(obj);
	list_unlink(le_of(k, obj));
	mem_deref(obj);
	return 0;
}

static const struct dynconf_class_ops ops = {
	.has_type = has_type,
	.get = get,
	.update = update,
	.remove = remove_obj,
};

int sip_dynconf_init(void)
{
	return dynconf_class_register("res_pjsip", &ops);
}
