/* mailbox.c — the mailbox store behind /ari/mailboxes: name → old/new
 * message counts, in memory in name order, written through to
 * <datadir>/mailboxes.json after each change (atomically, datafile.c).
 *
 * Not here: message waiting notifications to SIP phones (the SIP module may
 * read the counts through mailbox_get()). */
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
#include "base/datafile.h"
#include "base/log.h"
#include "core/mailbox.h"

#define MAILBOX_FILE "mailboxes.json"

struct mailbox {
	struct le le;
	char *name;
	int old_msgs, new_msgs;
};

static struct list boxes; /* struct mailbox, sorted by name */
static char *dir;

static void box_destructor(void *arg)
{
	struct mailbox *mb = arg;

	list_unlink(&mb->le);
	mem_deref(mb->name);
}

static struct mailbox *box_find(const char *name)
{
	for (struct le *le = boxes.head; le; le = le->next) {
		struct mailbox *mb = le->data;

		if (!strcmp(mb->name, name))
			return mb;
	}
	return NULL;
}

static bool sort_h(struct le *le1, struct le *le2, void *arg)
{
	const struct mailbox *a = le1->data, *b = le2->data;

	return strcmp(a->name, b->name) <= 0;
}

static int box_add(const char *name, int old_msgs, int new_msgs)
{
	struct mailbox *mb = mem_zalloc(sizeof(*mb), box_destructor);

	if (!mb || str_dup(&mb->name, name)) {
		mem_deref(mb);
		return ENOMEM;
	}
	mb->old_msgs = old_msgs;
	mb->new_msgs = new_msgs;
	list_append(&boxes, &mb->le, mb);
	list_sort(&boxes, sort_h, NULL);
	return 0;
}

static int save(void)
{
	json_t *obj = json_object();
	int err;

	if (!obj)
		return ENOMEM;
	for (struct le *le = boxes.head; le; le = le->next) {
		struct mailbox *mb = le->data;

		json_object_set_new(obj, mb->name,
				    json_pack("{s:i, s:i}",
					      "old_messages", mb->old_msgs,
					      "new_messages", mb->new_msgs));
	}
	err = dir ? datafile_save(dir, MAILBOX_FILE, obj) : 0;
	json_decref(obj);
	return err;
}

/* Entries that do not have the expected shape are skipped one by one: a
 * hand-edited file with one bad line must not lose every other mailbox. */
static void load(void)
{
	const char *name;
	json_t *obj, *val;

	if (datafile_load(dir, MAILBOX_FILE, &obj))
		return;
	json_object_foreach(obj, name, val) {
		json_t *o = json_object_get(val, "old_messages");
		json_t *n = json_object_get(val, "new_messages");

		if (!*name || !json_is_integer(o) || !json_is_integer(n)) {
			log_warning("%s/%s: ignoring mailbox '%s'", dir,
				    MAILBOX_FILE, name);
			continue;
		}
		if (!box_find(name))
			box_add(name, (int)json_integer_value(o),
				(int)json_integer_value(n));
	}
	json_decref(obj);
}

int mailbox_init(const char *datadir)
{
	if (!datadir || !*datadir)
		return EINVAL;
	if (str_dup(&dir, datadir))
		return ENOMEM;
	load();
	log_verbose(3, "Mailboxes: %u loaded from %s/%s", list_count(&boxes),
		    dir, MAILBOX_FILE);
	return 0;
}

void mailbox_close(void)
{
	list_flush(&boxes);
	dir = mem_deref(dir);
}

int mailbox_get(const char *name, int *old_msgs, int *new_msgs)
{
	struct mailbox *mb = name ? box_find(name) : NULL;

	if (!mb)
		return ENOENT;
	*old_msgs = mb->old_msgs;
	*new_msgs = mb->new_msgs;
	return 0;
}

/* A change that could not be saved is undone: the caller answers 500, and
 * what GET shows must be what a restart would show. */
int mailbox_update(const char *name, int old_msgs, int new_msgs)
{
	struct mailbox *mb;
	int was_old = 0, was_new = 0, err;

	if (!name || !*name)
		return EINVAL;
	mb = box_find(name);
	if (mb) {
		was_old = mb->old_msgs;
		was_new = mb->new_msgs;
		mb->old_msgs = old_msgs;
		mb->new_msgs = new_msgs;
	}
	else {
		err = box_add(name, old_msgs, new_msgs);
		if (err)
			return err;
	}
	err = save();
	if (err && mb) {
		mb->old_msgs = was_old;
		mb->new_msgs = was_new;
	}
	else if (err) {
		mem_deref(box_find(name));
	}
	return err;
}

int mailbox_delete(const char *name)
{
	struct mailbox *mb = name ? box_find(name) : NULL;
	int old_msgs, new_msgs, err;
	char *keep = NULL;

	if (!mb)
		return ENOENT;
	if (str_dup(&keep, mb->name))
		return ENOMEM;
	old_msgs = mb->old_msgs;
	new_msgs = mb->new_msgs;
	mem_deref(mb);
	err = save();
	if (err)
		(void)box_add(keep, old_msgs, new_msgs);
	mem_deref(keep);
	return err;
}

void mailbox_foreach(void (*h)(const char *name, int old_msgs, int new_msgs,
			       void *arg), void *arg)
{
	for (struct le *le = boxes.head; le; le = le->next) {
		struct mailbox *mb = le->data;

		h(mb->name, mb->old_msgs, mb->new_msgs, arg);
	}
}
