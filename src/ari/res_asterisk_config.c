/* res_asterisk_config.c — /asterisk/config/dynamic handlers: read, create or
 * update, and delete objects of the configuration classes that modules
 * register with base/dynconf.h (res_pjsip: endpoint, auth, aor). ARI only
 * checks the request and maps errors; the class owns the objects. Codes and
 * messages follow Asterisk's resource_asterisk.c. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include "ari/handlers.h"
#include "base/dynconf.h"

#define FIELDS_MAX 128

static void add_tuple(const char *attribute, const char *value, void *arg)
{
	json_array_append_new(arg, json_pack("{s:s, s:s}", "attribute",
					     attribute, "value",
					     value ? value : ""));
}

/* The class and type named in the path, or NULL after replying 404. */
static const struct dynconf_class_ops *find_class(struct ari_req *req,
						  struct ari_resp *resp)
{
	const char *cls = ari_req_param(req, "configClass");
	const char *type = ari_req_param(req, "objectType");
	const struct dynconf_class_ops *ops = dynconf_class_find(cls);

	if (!ops) {
		ari_resp_error(resp, 404, "configClass '%s' not found", cls);
		return NULL;
	}
	if (!ops->has_type || !ops->has_type(type)) {
		ari_resp_error(resp, 404, "objectType '%s' not found", type);
		return NULL;
	}
	return ops;
}

/* Reply 200 with the object's fields, or 404 when it does not exist. */
static void reply_object(struct ari_resp *resp,
			 const struct dynconf_class_ops *ops,
			 const char *type, const char *id)
{
	json_t *list = json_array();
	int err;

	if (!list) {
		ari_resp_error(resp, 500, "Allocation failed");
		return;
	}
	err = ops->get ? ops->get(type, id, add_tuple, list) : ENOENT;
	if (err) {
		json_decref(list);
		if (err == ENOENT)
			ari_resp_error(resp, 404, "Object with id '%s' not "
				       "found", id);
		else
			ari_resp_error(resp, 500, "Object with id '%s' could "
				       "not be read", id);
		return;
	}
	ari_resp_json(resp, 200, list);
}

void ari_asterisk_get_object(struct ari_req *req, struct ari_resp *resp)
{
	const struct dynconf_class_ops *ops = find_class(req, resp);

	if (ops)
		reply_object(resp, ops, ari_req_param(req, "objectType"),
			     ari_req_param(req, "id"));
}

/* {"fields":[{"attribute":A,"value":V},...]} → fields (borrowed strings).
 * Returns the count, or -1 for a malformed body. */
static int parse_fields(json_t *body, struct dynconf_field *fields)
{
	json_t *list = body ? json_object_get(body, "fields") : NULL;
	size_t i;
	json_t *item;
	int n = 0;

	if (!list || json_is_null(list))
		return 0;
	if (!json_is_array(list) || json_array_size(list) > FIELDS_MAX)
		return -1;
	json_array_foreach(list, i, item) {
		json_t *a = json_object_get(item, "attribute");
		json_t *v = json_object_get(item, "value");

		if (!json_is_object(item) || !json_is_string(a) ||
		    !*json_string_value(a) || !json_is_string(v))
			return -1;
		fields[n].attribute = json_string_value(a);
		fields[n].value = json_string_value(v);
		n++;
	}
	return n;
}

/* Was the object there before the update? Decides create vs update, as
 * Asterisk does: fields are required only to update. */
static void count_field(const char *a, const char *v, void *arg)
{
	++*(int *)arg;
}

void ari_asterisk_update_object(struct ari_req *req, struct ari_resp *resp)
{
	const struct dynconf_class_ops *ops = find_class(req, resp);
	const char *type = ari_req_param(req, "objectType");
	const char *id = ari_req_param(req, "id");
	struct dynconf_field fields[FIELDS_MAX];
	char errbuf[256] = "";
	bool exists;
	int n, count = 0, err;

	if (!ops)
		return;
	exists = ops->get && !ops->get(type, id, count_field, &count);
	n = parse_fields(ari_req_body(req), fields);
	if (n < 0) {
		ari_resp_error(resp, 400, "Fields must be a list of "
			       "{\"attribute\", \"value\"} objects");
		return;
	}
	if (exists && (!ari_req_body(req) ||
		       !json_object_get(ari_req_body(req), "fields"))) {
		ari_resp_error(resp, 400, "Fields must be provided to update "
			       "object '%s'", id);
		return;
	}
	if (!ops->update) {
		ari_resp_error(resp, 403, "Cannot %s objects of type '%s'",
			       exists ? "update" : "create", type);
		return;
	}
	err = ops->update(type, id, fields, n, errbuf, sizeof(errbuf));
	switch (err) {
	case 0:
		reply_object(resp, ops, type, id);
		break;
	case EINVAL:
		ari_resp_error(resp, 400, "%s of object '%s' failed field "
			       "value validation%s%s",
			       exists ? "Update" : "Creation", id,
			       *errbuf ? ": " : "", errbuf);
		break;
	default:
		ari_resp_error(resp, 403, "Cannot %s objects of type '%s'%s%s",
			       exists ? "update" : "create", type,
			       *errbuf ? ": " : "", errbuf);
		break;
	}
}

void ari_asterisk_delete_object(struct ari_req *req, struct ari_resp *resp)
{
	const struct dynconf_class_ops *ops = find_class(req, resp);
	const char *type = ari_req_param(req, "objectType");
	const char *id = ari_req_param(req, "id");
	int err;

	if (!ops)
		return;
	if (ops->remove) {
		err = ops->remove(type, id);
	}
	else {
		int count = 0;

		err = ops->get && !ops->get(type, id, count_field, &count)
			      ? EPERM : ENOENT;
	}
	if (err == ENOENT) {
		ari_resp_error(resp, 404, "Object with id '%s' not found", id);
		return;
	}
	if (err) {
		ari_resp_error(resp, 403, "Could not delete object with id "
			       "'%s'", id);
		return;
	}
	ari_resp_no_content(resp);
}
