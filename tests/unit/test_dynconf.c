/* test_dynconf.c — unit tests for the dynamic configuration class registry
 * (dynconf.h) and its contract, exercised through a small test class
 * ("test_store", type "thing") the way ARI's /asterisk/config/dynamic
 * handlers drive res_pjsip: look the class up, check the type, then get /
 * update / remove through its ops. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include "base/dynconf.h"

/* ---- the test class: objects of type "thing" with attributes colour and
 * size (size must be a number) ---- */

#define OBJS_MAX 4

static struct {
	bool used;
	char id[32];
	char colour[32];
	char size[16];
} objs[OBJS_MAX];

static int obj_index(const char *id)
{
	for (int i = 0; i < OBJS_MAX; i++)
		if (objs[i].used && !strcmp(objs[i].id, id))
			return i;
	return -1;
}

static bool t_has_type(const char *type)
{
	return !strcmp(type, "thing");
}

static int t_get(const char *type, const char *id, dynconf_field_h *h,
		 void *arg)
{
	int i = obj_index(id);

	if (i < 0 || !t_has_type(type))
		return ENOENT;
	h("colour", objs[i].colour, arg);
	h("size", objs[i].size, arg);
	return 0;
}

static int t_update(const char *type, const char *id,
		    const struct dynconf_field *f, int n, char *errbuf,
		    unsigned errsz)
{
	int i = obj_index(id);

	for (int k = 0; k < n; k++) {
		if (!strcmp(f[k].attribute, "size") &&
		    strspn(f[k].value, "0123456789") != strlen(f[k].value)) {
			snprintf(errbuf, errsz, "Bad value for size: %s",
				 f[k].value);
			return EINVAL;
		}
		if (strcmp(f[k].attribute, "size") &&
		    strcmp(f[k].attribute, "colour")) {
			snprintf(errbuf, errsz, "Unknown attribute %s",
				 f[k].attribute);
			return EINVAL;
		}
	}
	if (i < 0) {
		for (i = 0; i < OBJS_MAX && objs[i].used; i++)
			;
		if (i == OBJS_MAX)
			return ENOMEM;
		memset(&objs[i], 0, sizeof(objs[i]));
		objs[i].used = true;
		snprintf(objs[i].id, sizeof(objs[i].id), "%s", id);
	}
	for (int k = 0; k < n; k++) {
		if (!strcmp(f[k].attribute, "size"))
			snprintf(objs[i].size, sizeof(objs[i].size), "%s",
				 f[k].value);
		else
			snprintf(objs[i].colour, sizeof(objs[i].colour), "%s",
				 f[k].value);
	}
	return 0;
}

static int t_remove(const char *type, const char *id)
{
	int i = obj_index(id);

	if (i < 0)
		return ENOENT;
	if (!strcmp(id, "from-file"))
		return EPERM;
	objs[i].used = false;
	return 0;
}

static const struct dynconf_class_ops test_ops = {
	.has_type = t_has_type,
	.get = t_get,
	.update = t_update,
	.remove = t_remove,
};

static const struct dynconf_class_ops other_ops = {
	.has_type = t_has_type,
};

static int reset(void **state)
{
	memset(objs, 0, sizeof(objs));
	assert_int_equal(dynconf_class_register("test_store", &test_ops), 0);
	return 0;
}

struct fields {
	char text[256];
	int n;
};

static void collect(const char *attribute, const char *value, void *arg)
{
	struct fields *fs = arg;
	size_t len = strlen(fs->text);

	snprintf(fs->text + len, sizeof(fs->text) - len, "%s%s=%s",
		 fs->n ? ";" : "", attribute, value);
	fs->n++;
}

/* ---- registry ---- */

static void unknown_class_is_not_found(void **state)
{
	assert_null(dynconf_class_find("res_nosuch"));
	assert_null(dynconf_class_find(NULL));
	assert_null(dynconf_class_find(""));
}

static void registered_class_is_found_with_its_ops(void **state)
{
	const struct dynconf_class_ops *ops = dynconf_class_find("test_store");

	assert_ptr_equal(ops, &test_ops);
	assert_true(ops->has_type("thing"));
	assert_false(ops->has_type("endpoint"));
	/* Class names are case-sensitive, as Asterisk's sorcery names. */
	assert_null(dynconf_class_find("TEST_STORE"));
}

static void registering_a_name_again_replaces_its_ops(void **state)
{
	assert_int_equal(dynconf_class_register("swap", &test_ops), 0);
	assert_int_equal(dynconf_class_register("swap", &other_ops), 0);
	assert_ptr_equal(dynconf_class_find("swap"), &other_ops);
	/* Other classes are untouched. */
	assert_ptr_equal(dynconf_class_find("test_store"), &test_ops);
}

static void full_registry_refuses_new_names_but_keeps_replacing(void **state)
{
	char name[32];
	int n = 0, err = 0;

	while (n < 64) {
		snprintf(name, sizeof(name), "filler%d", n);
		err = dynconf_class_register(name, &other_ops);
		if (err)
			break;
		n++;
	}
	assert_int_equal(err, ENOMEM);
	assert_true(n < 64);
	/* What was registered is still there... */
	assert_ptr_equal(dynconf_class_find("filler0"), &other_ops);
	assert_ptr_equal(dynconf_class_find("test_store"), &test_ops);
	/* ...and an existing name can still be re-registered. */
	assert_int_equal(dynconf_class_register("test_store", &test_ops), 0);
}

static void long_class_name_is_found_by_the_name_it_was_registered_with(
	void **state)
{
	const char *name = "res_a_configuration_class_name_longer_than_32";
	int err = dynconf_class_register(name, &other_ops);

	/* Either refused, or findable under exactly that name: never
	 * registered under a truncated name nobody can look up. */
	if (!err)
		assert_ptr_equal(dynconf_class_find(name), &other_ops);
	else
		assert_int_equal(err, ENAMETOOLONG);
	assert_null(dynconf_class_find(
		"res_a_configuration_class_name_"));
	assert_int_equal(dynconf_class_register(NULL, &other_ops), EINVAL);
	assert_int_equal(dynconf_class_register("", &other_ops), EINVAL);
}

/* ---- the contract through the registry ---- */

static void update_creates_then_get_returns_the_fields(void **state)
{
	const struct dynconf_class_ops *ops = dynconf_class_find("test_store");
	const struct dynconf_field f[] = {{"colour", "red"}, {"size", "3"}};
	struct fields fs = {0};
	char err[64] = "";

	assert_int_equal(ops->get("thing", "a", collect, &fs), ENOENT);
	assert_int_equal(ops->update("thing", "a", f, 2, err, sizeof(err)), 0);
	assert_int_equal(ops->get("thing", "a", collect, &fs), 0);
	assert_string_equal(fs.text, "colour=red;size=3");
	assert_int_equal(fs.n, 2);
}

static void update_with_a_bad_field_is_EINVAL_with_a_message(void **state)
{
	const struct dynconf_class_ops *ops = dynconf_class_find("test_store");
	const struct dynconf_field bad_attr[] = {{"flavour", "x"}};
	const struct dynconf_field bad_val[] = {{"size", "big"}};
	struct fields fs = {0};
	char err[64] = "";

	assert_int_equal(ops->update("thing", "b", bad_attr, 1, err,
				     sizeof(err)), EINVAL);
	assert_string_equal(err, "Unknown attribute flavour");
	assert_int_equal(ops->update("thing", "b", bad_val, 1, err,
				     sizeof(err)), EINVAL);
	assert_string_equal(err, "Bad value for size: big");
	/* Nothing half-created. */
	assert_int_equal(ops->get("thing", "b", collect, &fs), ENOENT);
}

static void remove_then_get_is_ENOENT_and_refused_objects_stay(void **state)
{
	const struct dynconf_class_ops *ops = dynconf_class_find("test_store");
	const struct dynconf_field f[] = {{"colour", "blue"}};
	struct fields fs = {0};
	char err[64] = "";

	assert_int_equal(ops->update("thing", "c", f, 1, err, sizeof(err)), 0);
	assert_int_equal(ops->remove("thing", "c"), 0);
	assert_int_equal(ops->get("thing", "c", collect, &fs), ENOENT);
	assert_int_equal(ops->remove("thing", "c"), ENOENT);

	assert_int_equal(ops->update("thing", "from-file", f, 1, err,
				     sizeof(err)), 0);
	assert_int_equal(ops->remove("thing", "from-file"), EPERM);
	assert_int_equal(ops->get("thing", "from-file", collect, &fs), 0);
}

#define T(f) cmocka_unit_test_setup_teardown(f, reset, NULL)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(unknown_class_is_not_found),
		T(registered_class_is_found_with_its_ops),
		T(registering_a_name_again_replaces_its_ops),
		T(long_class_name_is_found_by_the_name_it_was_registered_with),
		T(update_creates_then_get_returns_the_fields),
		T(update_with_a_bad_field_is_EINVAL_with_a_message),
		T(remove_then_get_is_ENOENT_and_refused_objects_stay),
		/* Last: it fills the registry for the rest of the binary. */
		T(full_registry_refuses_new_names_but_keeps_replacing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
