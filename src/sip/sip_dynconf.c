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
#include "core/dynconf.h"
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

static int apply_endpoint(struct sip_endpoint *e,
			  const struct dynconf_field *f, int n, char *errbuf,
			  unsigned errsz)
{
	for (int i = 0; i < n; i++) {
		int err = sip_endpoint_set(e, f[i].attribute,
					   f[i].value ? f[i].value : "",
					   "ari", 0);

		if (err)
			return bad(errbuf, errsz, err, &f[i]);
	}
	return 0;
}

static int update_endpoint(const char *id, const struct dynconf_field *f,
			   int n, char *errbuf, unsigned errsz)
{
	struct sip_endpoint *e = sip_endpoint_find(id), *tmp;
	int err;

	if (e && !e->dynamic)
		goto perm;
	err = sip_endpoint_alloc(&tmp, id);
	if (err)
		return err;
	err = apply_endpoint(tmp, f, n, errbuf, errsz);
	if (err || e) {
		mem_deref(tmp);
		if (err)
			return err;
		(void)apply_endpoint(e, f, n, errbuf, errsz);
	} else {
		e = tmp;
		e->dynamic = true;
		list_append(&sipmod.conf->endpoints, &e->le, e);
	}
	return sip_endpoint_publish(e);
perm:
	snprintf(errbuf, errsz, "Object '%s' comes from pjsip.conf", id);
	return EPERM;
}

static int update(const char *type, const char *id,
		  const struct dynconf_field *f, int n, char *errbuf,
		  unsigned errsz)
{
	int err, i;

	if (!sipmod.conf || !id || !*id)
		return EINVAL;
	if (!strcmp(type, "endpoint"))
		return update_endpoint(id, f, n, errbuf, errsz);
	if (!strcmp(type, "auth")) {
		struct sip_authobj *a = sip_authobj_find(id), *tmp;

		if (a && !a->dynamic) {
			snprintf(errbuf, errsz,
				 "Object '%s' comes from pjsip.conf", id);
			return EPERM;
		}
		if ((err = sip_authobj_alloc(&tmp, id)))
			return err;
		for (i = 0; i < n; i++) {
			err = sip_auth_set(tmp, f[i].attribute,
					   f[i].value ? f[i].value : "");
			if (err) {
				mem_deref(tmp);
				return bad(errbuf, errsz, err, &f[i]);
			}
		}
		if (a) {
			mem_deref(tmp);
			for (i = 0; i < n; i++)
				(void)sip_auth_set(a, f[i].attribute,
						   f[i].value ? f[i].value : "");
		} else {
			tmp->dynamic = true;
			list_append(&sipmod.conf->auths, &tmp->le, tmp);
		}
		return 0;
	}
	if (!strcmp(type, "aor")) {
		struct sip_aor *a = sip_aor_find(id), *tmp;

		if (a && !a->dynamic) {
			snprintf(errbuf, errsz,
				 "Object '%s' comes from pjsip.conf", id);
			return EPERM;
		}
		if ((err = sip_aor_alloc(&tmp, id)))
			return err;
		for (i = 0; i < n; i++) {
			err = sip_aor_set(tmp, f[i].attribute,
					  f[i].value ? f[i].value : "");
			if (err) {
				mem_deref(tmp);
				return bad(errbuf, errsz, err, &f[i]);
			}
		}
		if (a) {
			mem_deref(tmp);
			for (i = 0; i < n; i++)
				if (strcmp(f[i].attribute, "contact"))
					(void)sip_aor_set(a, f[i].attribute,
							  f[i].value ?
							  f[i].value : "");
		} else {
			struct le *le;

			tmp->dynamic = true;
			list_append(&sipmod.conf->aors, &tmp->le, tmp);
			for (le = list_head(&tmp->contacts); le; le = le->next)
				sip_qualify_contact(le->data);
		}
		refresh_states();
		return 0;
	}
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
