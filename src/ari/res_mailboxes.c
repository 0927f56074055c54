/* res_mailboxes.c — /mailboxes handlers: list, get, update (creates the
 * mailbox when missing) and delete, with Asterisk's resource_mailboxes.c
 * status codes and messages. The store is core/mailbox.c. */
#include <errno.h>
#include <stdbool.h>
#include "ari/handlers.h"
#include "core/mailbox.h"

static json_t *mailbox_json(const char *name, int old_msgs, int new_msgs)
{
	return json_pack("{s:s, s:i, s:i}", "name", name,
			 "old_messages", old_msgs, "new_messages", new_msgs);
}

static void add_mailbox(const char *name, int old_msgs, int new_msgs,
			void *arg)
{
	json_array_append_new(arg, mailbox_json(name, old_msgs, new_msgs));
}

void ari_mailboxes_list(struct ari_req *req, struct ari_resp *resp)
{
	json_t *list = json_array();

	mailbox_foreach(add_mailbox, list);
	ari_resp_json(resp, 200, list);
}

/* "Mailbox is does not exist" is Asterisk's wording, kept for clients that
 * match on it. */
void ari_mailboxes_get(struct ari_req *req, struct ari_resp *resp)
{
	const char *name = ari_req_param(req, "mailboxName");
	int o, n;

	if (mailbox_get(name, &o, &n)) {
		ari_resp_error(resp, 404, "Mailbox is does not exist");
		return;
	}
	ari_resp_json(resp, 200, mailbox_json(name, o, n));
}

/* Missing counts are 0 (ARI converts int parameters with atoi). */
void ari_mailboxes_update(struct ari_req *req, struct ari_resp *resp)
{
	const char *name = ari_req_param(req, "mailboxName");
	int err;

	err = mailbox_update(name, ari_req_param_int(req, "oldMessages", 0),
			     ari_req_param_int(req, "newMessages", 0));
	if (err == EINVAL) {
		ari_resp_error(resp, 404, "Mailbox is does not exist");
		return;
	}
	if (err) {
		ari_resp_error(resp, 500, "Error updating mailbox");
		return;
	}
	ari_resp_no_content(resp);
}

void ari_mailboxes_delete(struct ari_req *req, struct ari_resp *resp)
{
	switch (mailbox_delete(ari_req_param(req, "mailboxName"))) {
	case 0:
		ari_resp_no_content(resp);
		break;
	case ENOENT:
		ari_resp_error(resp, 404, "Mailbox does not exist");
		break;
	default:
		ari_resp_error(resp, 500, "Error deleting mailbox");
		break;
	}
}
