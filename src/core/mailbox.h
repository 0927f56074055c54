/* mailbox.h — message counts of mailboxes that ARI applications manage
 * (Asterisk's external MWI, res_mwi_external behind /ari/mailboxes). The
 * store is kept in <datadir>/mailboxes.json and survives restarts. */
#ifndef ARIADNE_MAILBOX_H
#define ARIADNE_MAILBOX_H

/* Load the store from `datadir` (a missing file is an empty store; a
 * corrupt one is logged and ignored). */
int mailbox_init(const char *datadir);
/* Writes what changed since the last write (after the worker has stopped). */
void mailbox_close(void);

/* ENOENT when there is no such mailbox. */
int mailbox_get(const char *name, int *old_msgs, int *new_msgs);
/* Create or update; the store is written within DATAFILE_DELAY_MS
 * (base/datafile.h). EINVAL for an empty name; the errno of the last write
 * while the store cannot be written (nothing is changed then). */
int mailbox_update(const char *name, int old_msgs, int new_msgs);
/* ENOENT when there is no such mailbox; otherwise as mailbox_update(). */
int mailbox_delete(const char *name);
/* In name order. */
void mailbox_foreach(void (*h)(const char *name, int old_msgs, int new_msgs,
			       void *arg), void *arg);

#endif
