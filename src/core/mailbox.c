/* mailbox.c — the mailbox store behind /ari/mailboxes: name → old/new
 * message counts, in memory in name order (and a hash by name: an update
 * costs the same at 5 or 5000 mailboxes), kept in <datadir>/mailboxes.json.
 * A change is written behind the loop within DATAFILE_DELAY_MS
 * (base/datafile.c); while the file cannot be written, changes are
 * refused.
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
#include <re_hash.h>
#include "base/datafile.h"
#include "base/log.h"
#include "core/mailbox.h"

#define MAILBOX_FILE "mailboxes.json"

struct mailbox {
	struct le le;   /* in boxes */
	struct le he;   /* in by_name */
	char *name;
	int old_msgs, new_msgs;
};

static struct list boxes; /* struct mailbox, sorted by name */
static struct hash *by_name;
static struct datafile *store;

static void box_destructor(void *arg)
{
	struct mailbox *mb = arg;

	list_unlink(&mb->le);
	hash_unlink(&mb->he);
	mem_deref(mb->name);
}

static bool name_eq(struct le *le, void *arg)
{
	const struct mailbox *mb = le->data;

	return !strcmp(mb->name, arg);
}

static struct mailbox *box_find(const char *name)
{
	struct le *le;

	if (!by_name)
		return NULL;
	le = hash_lookup(by_name, hash_fast_str(name), name_eq, (void *)name);
	return le ? le->data : NULL;
}

/* In name order: after the last one when it sorts last (loading a file
 * written in order), else before the first that sorts after it. */
static void box_insert(struct mailbox *mb)
{
	struct le *le = boxes.tail;

	if (le && strcmp(((struct mailbox *)le->data)->name, mb->name) > 0) {
		for (le = boxes.head; le; le = le->next)
			if (strcmp(((struct mailbox *)le->data)->name,
				   mb->name) > 0)
				break;
		list_insert_before(&boxes, le, &mb->le, mb);
		return;
	}
	list_append(&boxes, &mb->le, mb);
}

static int box_add(const char *name, int old_msgs, int new_msgs)
{
	struct mailbox *mb;

	if (!by_name && hash_alloc(&by_name, 1024))
		return ENOMEM;
	mb = mem_zalloc(sizeof(*mb), box_destructor);
	if (!mb || str_dup(&mb->name, name)) {
		mem_deref(mb);
		return ENOMEM;
	}
	mb->old_msgs = old_msgs;
	mb->new_msgs = new_msgs;
	box_insert(mb);
	hash_append(by_name, hash_fast_str(name), &mb->he, mb);
	return 0;
}

/* On the loop, at each write: only names and counts are copied. */
static int box_rows(struct datafile_rows *rows, void *arg)
{
	(void)arg;
	for (struct le *le = boxes.head; le; le = le->next) {
		struct mailbox *mb = le->data;
		int err = datafile_row(rows, mb->name, mb->old_msgs,
				       mb->new_msgs);

		if (err)
			return err;
	}
	return 0;
}

/* On the worker thread. */
static json_t *box_value(int old_msgs, int new_msgs)
{
	return json_pack("{s:i, s:i}", "old_messages", old_msgs,
			 "new_messages", new_msgs);
}

/* Entries that do not have the expected shape are skipped one by one: a
 * hand-edited file with one bad line must not lose every other mailbox. */
static void load(const char *dir)
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
	int err;

	if (!datadir || !*datadir)
		return EINVAL;
	err = datafile_open(&store, datadir, MAILBOX_FILE, box_rows, box_value,
			    NULL);
	if (err)
		return err;
	load(datadir);
	log_verbose(3, "Mailboxes: %u loaded from %s/%s", list_count(&boxes),
		    datadir, MAILBOX_FILE);
	return 0;
}

/* After the worker has stopped (main.c): what changed since the last
 * write is written here, so a clean stop loses nothing acknowledged. */
void mailbox_close(void)
{
	datafile_close(store);
	store = NULL;
	list_flush(&boxes);
	by_name = mem_deref(by_name);
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

/* While the file cannot be written (the last write failed: a full disk, a
 * read-only directory), a change is refused rather than acknowledged and
 * lost at the next restart: the caller answers 500. */
int mailbox_update(const char *name, int old_msgs, int new_msgs)
{
	struct mailbox *mb;
	int err;

	if (!name || !*name)
		return EINVAL;
	err = datafile_error(store);
	if (err)
		return err;
	mb = box_find(name);
	if (mb) {
		mb->old_msgs = old_msgs;
		mb->new_msgs = new_msgs;
	}
	else {
		err = box_add(name, old_msgs, new_msgs);
		if (err)
			return err;
	}
	datafile_changed(store);
	return 0;
}

int mailbox_delete(const char *name)
{
	struct mailbox *mb = name ? box_find(name) : NULL;
	int err;

	if (!mb)
		return ENOENT;
	err = datafile_error(store);
	if (err)
		return err;
	mem_deref(mb);
	datafile_changed(store);
	return 0;
}

void mailbox_foreach(void (*h)(const char *name, int old_msgs, int new_msgs,
			       void *arg), void *arg)
{
	for (struct le *le = boxes.head; le; le = le->next) {
		struct mailbox *mb = le->data;

		h(mb->name, mb->old_msgs, mb->new_msgs, arg);
	}
}
