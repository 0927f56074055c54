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

static bool has_type(const char *type)
{
	return !strcmp(type, "endpoint") || !strcmp(type, "auth") ||
		!strcmp(type, "aor");
}

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

static int get(const char *type, const char *id, dynconf_field_h *h,
	       void *arg)
{
	if (!strcmp(type, "endpoint")) {
		const struct sip_endpoint *e = sip_endpoint_find(id);
		char cid[160];

		if (!e)
			return ENOENT;
		field_s(h, arg, "context", e->context);
		field_s(h, arg, "allow", e->allow);
		field_s(h, arg, "auth", e->auth);
		field_s(h, arg, "outbound_auth", e->outbound_auth);
		field_s(h, arg, "aors", e->aors);
		snprintf(cid, sizeof(cid), "%s%s%s%s%s",
			 e->cid_name ? "\"" : "",
			 e->cid_name ? e->cid_name : "",
			 e->cid_name ? "\" " : "", e->cid_num ? "<" : "",
			 e->cid_num ? e->cid_num : "");
		if (e->cid_num)
			strncat(cid, ">", sizeof(cid) - strlen(cid) - 1);
		field_s(h, arg, "callerid", cid);
		field_s(h, arg, "dtmf_mode",
			e->dtmf == SIP_DTMF_INFO ? "info" : "rfc4733");
		field_u(h, arg, "rtp_timeout", e->rtp_timeout);
		field_s(h, arg, "language", e->language);
		return 0;
	}
	if (!strcmp(type, "auth")) {
		const struct sip_authobj *a = sip_authobj_find(id);

		if (!a)
			return ENOENT;
		field_s(h, arg, "auth_type", "userpass");
		field_s(h, arg, "username", a->username);
		/* Asterisk shows the password too; an app that set it may
		 * read it back */
		field_s(h, arg, "password", a->password);
		field_s(h, arg, "realm", a->realm);
		return 0;
	}
	if (!strcmp(type, "aor")) {
		const struct sip_aor *a = sip_aor_find(id);

		if (!a)
			return ENOENT;
		field_u(h, arg, "max_contacts", a->max_contacts);
		field_s(h, arg, "remove_existing",
			a->remove_existing ? "yes" : "no");
		field_u(h, arg, "qualify_frequency", a->qualify_frequency);
		field_u(h, arg, "default_expiration", a->default_expiration);
		return 0;
	}
	return ENOENT;
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

static void refresh_states(void)
{
	struct le *le;

	for (le = list_head(&sipmod.conf->endpoints); le; le = le->next)
		sip_endpoint_update_state(le->data);
}

/* Setting one field, whatever the object type. */
typedef int (field_set_h)(void *obj, const char *name, const char *value);

static int set_endpoint_field(void *obj, const char *name, const char *value)
{
	return sip_endpoint_set(obj, name, value, "ari", 0);
}

static int set_auth_field(void *obj, const char *name, const char *value)
{
	return sip_auth_set(obj, name, value);
}

static int set_aor_field(void *obj, const char *name, const char *value)
{
	return sip_aor_set(obj, name, value);
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
 * the fresh one is adopted (returned in *adopt, NULL otherwise). */
static int validate_then_apply(void *existing, void *fresh, field_set_h *set,
			       const struct dynconf_field *f, int n,
			       const char *skip_existing, char *errbuf,
			       unsigned errsz, void **adopt)
{
	int err = apply(fresh, set, f, n, NULL, errbuf, errsz);

	*adopt = NULL;
	if (err || existing) {
		mem_deref(fresh);
		if (!err)
			(void)apply(existing, set, f, n, skip_existing, errbuf,
				    errsz);
		return err;
	}
	*adopt = fresh;
	return 0;
}

static int update_endpoint(const char *id, const struct dynconf_field *f,
			   int n, char *errbuf, unsigned errsz)
{
	struct sip_endpoint *e = sip_endpoint_find(id), *tmp;
	void *adopt;
	int err;

	if (e && !e->dynamic)
		return from_file(id, errbuf, errsz);
	err = sip_endpoint_alloc(&tmp, id);
	if (!err)
		err = validate_then_apply(e, tmp, set_endpoint_field, f, n, NULL,
					  errbuf, errsz, &adopt);
	if (err)
		return err;
	if (adopt) {
		e = adopt;
		e->dynamic = true;
		list_append(&sipmod.conf->endpoints, &e->le, e);
	}
	return sip_endpoint_publish(e);
}

static int update_auth(const char *id, const struct dynconf_field *f, int n,
		       char *errbuf, unsigned errsz)
{
	struct sip_authobj *a = sip_authobj_find(id), *tmp;
	void *adopt;
	int err;

	if (a && !a->dynamic)
		return from_file(id, errbuf, errsz);
	err = sip_authobj_alloc(&tmp, id);
	if (!err)
		err = validate_then_apply(a, tmp, set_auth_field, f, n, NULL,
					  errbuf, errsz, &adopt);
	if (err)
		return err;
	if (adopt) {
		a = adopt;
		a->dynamic = true;
		list_append(&sipmod.conf->auths, &a->le, a);
	}
	return 0;
}

static int update_aor(const char *id, const struct dynconf_field *f, int n,
		      char *errbuf, unsigned errsz)
{
	struct sip_aor *a = sip_aor_find(id), *tmp;
	void *adopt;
	int err;

	if (a && !a->dynamic)
		return from_file(id, errbuf, errsz);
	err = sip_aor_alloc(&tmp, id);
	/* An existing aor keeps its contacts: re-adding a static contact
	 * would duplicate it. */
	if (!err)
		err = validate_then_apply(a, tmp, set_aor_field, f, n, "contact",
					  errbuf, errsz, &adopt);
	if (err)
		return err;
	if (adopt) {
		a = adopt;
		a->dynamic = true;
		list_append(&sipmod.conf->aors, &a->le, a);
		for (struct le *le = list_head(&a->contacts); le; le = le->next)
			sip_qualify_contact(le->data);
	}
	refresh_states();
	return 0;
}

static int update(const char *type, const char *id,
		  const struct dynconf_field *f, int n, char *errbuf,
		  unsigned errsz)
{
	if (!sipmod.conf || !id || !*id)
		return EINVAL;
	if (!strcmp(type, "endpoint"))
		return update_endpoint(id, f, n, errbuf, errsz);
	if (!strcmp(type, "auth"))
		return update_auth(id, f, n, errbuf, errsz);
	if (!strcmp(type, "aor"))
		return update_aor(id, f, n, errbuf, errsz);
	return EINVAL;
}

static int remove_obj(const char *type, const char *id)
{
	if (!sipmod.conf)
		return ENOENT;
	if (!strcmp(type, "endpoint")) {
		struct sip_endpoint *e = sip_endpoint_find(id);

		if (!e)
			return ENOENT;
		if (!e->dynamic)
			return EPERM;
		list_unlink(&e->le);
		if (e->ep)
			endpoint_remove(e->ep);
		e->ep = NULL;
		mem_deref(e);
		return 0;
	}
	if (!strcmp(type, "auth")) {
		struct sip_authobj *a = sip_authobj_find(id);

		if (!a)
			return ENOENT;
		if (!a->dynamic)
			return EPERM;
		list_unlink(&a->le);
		mem_deref(a);
		return 0;
	}
	if (!strcmp(type, "aor")) {
		struct sip_aor *a = sip_aor_find(id);
		struct le *le;

		if (!a)
			return ENOENT;
		if (!a->dynamic)
			return EPERM;
		while ((le = list_head(&a->contacts)))
			sip_contact_remove(le->data, "aor removal");
		list_unlink(&a->le);
		mem_deref(a);
		refresh_states();
		return 0;
	}
	return ENOENT;
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
