/*++
 * NAME
 *	chatmail-events 3
 * SUMMARY
 *	new-mail events: committed saves reported to chatmail-policyd
 * DESCRIPTION
 *	A mailbox_allocated hook wraps the transaction and save vfuncs of
 *	every mailbox (unless chatmail_events = no): each save or copy
 *	that finishes records the message's physical size; when the
 *	transaction commits, the UIDs Dovecot assigned (changes->saved_uids,
 *	the n-th UID for the n-th save, which is how Maildir appends them)
 *	and those sizes go to the daemon as EVENT lines, pipelined, in
 *	batches of CHATMAIL_EVENTS_BATCH, without waiting for the replies
 *	(chatmail_client_send()). A rollback reports nothing.
 *
 *	Deliveries (the mailbox was opened by LMTP/LDA: MAILBOX_FLAG_POST_
 *	SESSION) are "deliver" events; their transactions are made to
 *	assign UIDs (Maildir otherwise assigns a delivery's UID at commit
 *	only when it gets the dovecot-uidlist lock without waiting). This
 *	makes concurrent deliveries to one mailbox wait for that lock; the
 *	cost shows in bench/relay --users 1 (all into one mailbox). Everything
 *	else (IMAP APPEND, COPY, MOVE, doveadm) is "append"; a UID Dovecot
 *	did not assign is sent as 0.
 *
 *	The daemon being down is not an error here (the client logged it
 *	once); a FAIL reply is logged as a warning by the client when it
 *	reads it.
 *--*/

#include "lib.h"
#include "array.h"
#include "seq-range-array.h"
#include "mail-storage-private.h"
#include "mail-user.h"
#include "chatmail-client.h"
#include "chatmail-plugin.h"
#include "chatmail-events.h"

#define CHATMAIL_EVENTS_BATCH 1000

#define CHATMAIL_EVENTS_CONTEXT(obj) \
	MODULE_CONTEXT(obj, chatmail_events_storage_module)
#define CHATMAIL_EVENTS_CONTEXT_REQUIRE(obj) \
	MODULE_CONTEXT_REQUIRE(obj, chatmail_events_storage_module)

struct chatmail_events_mailbox {
	union mailbox_module_context module_ctx;
};

struct chatmail_events_transaction {
	union mailbox_transaction_module_context module_ctx;
	ARRAY(uoff_t) sizes;		/* one per finished save, in order */
};

static MODULE_CONTEXT_DEFINE_INIT(chatmail_events_storage_module,
				  &mail_storage_module_register);

/* chatmail_events_enabled - chatmail_events is not "no" */
static bool chatmail_events_enabled(struct mail_user *user)
{
	const char *value = mail_user_plugin_getenv(user, "chatmail_events");

	return value == NULL || !(strcasecmp(value, "no") == 0
				  || strcmp(value, "0") == 0
				  || strcasecmp(value, "false") == 0);
}

/* chatmail_events_transaction_begin - our context; UIDs for deliveries */
static struct mailbox_transaction_context *
chatmail_events_transaction_begin(struct mailbox *box,
				  enum mailbox_transaction_flags flags,
				  const char *reason)
{
	struct chatmail_events_mailbox *ebox =
		CHATMAIL_EVENTS_CONTEXT_REQUIRE(box);
	struct chatmail_events_transaction *et;
	struct mailbox_transaction_context *t;

	if ((box->flags & MAILBOX_FLAG_POST_SESSION) != 0)
		flags |= MAILBOX_TRANSACTION_FLAG_ASSIGN_UIDS;
	t = ebox->module_ctx.super.transaction_begin(box, flags, reason);
	et = i_new(struct chatmail_events_transaction, 1);
	i_array_init(&et->sizes, 4);
	MODULE_CONTEXT_SET(t, chatmail_events_storage_module, et);
	return t;
}

/* chatmail_events_transaction_free - release our context */
static void chatmail_events_transaction_free(
	struct chatmail_events_transaction *et)
{
	array_free(&et->sizes);
	i_free(et);
}

/* chatmail_events_record - the size of the message just saved */
static void chatmail_events_record(struct mail_save_context *ctx)
{
	struct chatmail_events_transaction *et =
		CHATMAIL_EVENTS_CONTEXT_REQUIRE(ctx->transaction);
	uoff_t size = 0;

	if (mail_get_physical_size(ctx->dest_mail, &size) < 0)
		size = 0;
	array_push_back(&et->sizes, &size);
}

/* chatmail_events_save_finish - after a save went through */
static int chatmail_events_save_finish(struct mail_save_context *ctx)
{
	struct chatmail_events_mailbox *ebox =
		CHATMAIL_EVENTS_CONTEXT_REQUIRE(ctx->transaction->box);

	if (ebox->module_ctx.super.save_finish(ctx) < 0)
		return -1;
	chatmail_events_record(ctx);
	return 0;
}

/* chatmail_events_copy - after a copy that did not go through a save */
static int chatmail_events_copy(struct mail_save_context *ctx,
				struct mail *mail)
{
	struct chatmail_events_mailbox *ebox =
		CHATMAIL_EVENTS_CONTEXT_REQUIRE(ctx->transaction->box);

	if (ebox->module_ctx.super.copy(ctx, mail) < 0)
		return -1;
	if (!ctx->copying_via_save)	/* else save_finish counted it */
		chatmail_events_record(ctx);
	return 0;
}

/* chatmail_events_send - EVENT lines for the committed saves */
static void chatmail_events_send(struct mailbox *box,
				 const ARRAY_TYPE(seq_range) *saved_uids,
				 const uoff_t *sizes, unsigned int count)
{
	struct mail_user *user = box->storage->user;
	struct cm_dove_request *reqs = t_new(struct cm_dove_request, count);
	struct seq_range_iter iter;
	unsigned int i, done, n;
	const char *error;
	uint32_t uid;
	bool uids_known = seq_range_count(saved_uids) == count;

	seq_range_array_iter_init(&iter, saved_uids);
	for (i = 0; i < count; i++) {
		reqs[i].cmd = CM_DOVE_CMD_EVENT;
		reqs[i].user = user->username;
		reqs[i].mailbox = box->vname;
		reqs[i].after = "";
		reqs[i].uid = uids_known && seq_range_array_iter_nth(&iter, i,
			&uid) ? uid : 0;
		reqs[i].size = (int64_t) sizes[i];
		reqs[i].kind = (box->flags & MAILBOX_FLAG_POST_SESSION) != 0
			? CM_DOVE_EVENT_DELIVER : CM_DOVE_EVENT_APPEND;
	}
	for (done = 0; done < count; done += n) {
		n = I_MIN(count - done, CHATMAIL_EVENTS_BATCH);
		if (chatmail_client_send(chatmail_plugin_client(user),
					 reqs + done, n, &error) < 0)
			e_warning(box->event, "chatmail: new-mail event: %s",
				  error);
	}
}

/* chatmail_events_transaction_commit - commit, then report the saves */
static int
chatmail_events_transaction_commit(struct mailbox_transaction_context *t,
				   struct mail_transaction_commit_changes *changes_r)
{
	struct mailbox *box = t->box;
	struct chatmail_events_mailbox *ebox =
		CHATMAIL_EVENTS_CONTEXT_REQUIRE(box);
	struct chatmail_events_transaction *et =
		CHATMAIL_EVENTS_CONTEXT_REQUIRE(t);
	unsigned int count;
	const uoff_t *sizes;
	int ret;

	ret = ebox->module_ctx.super.transaction_commit(t, changes_r);
	sizes = array_get(&et->sizes, &count);
	if (ret == 0 && count > 0) T_BEGIN {
		chatmail_events_send(box, &changes_r->saved_uids, sizes,
				     count);
	} T_END;
	chatmail_events_transaction_free(et);
	return ret;
}

/* chatmail_events_transaction_rollback - nothing to report */
static void
chatmail_events_transaction_rollback(struct mailbox_transaction_context *t)
{
	struct chatmail_events_mailbox *ebox =
		CHATMAIL_EVENTS_CONTEXT_REQUIRE(t->box);
	struct chatmail_events_transaction *et =
		CHATMAIL_EVENTS_CONTEXT_REQUIRE(t);

	ebox->module_ctx.super.transaction_rollback(t);
	chatmail_events_transaction_free(et);
}

/* chatmail_events_mailbox_allocated - wrap the vfuncs */
static void chatmail_events_mailbox_allocated(struct mailbox *box)
{
	struct mailbox_vfuncs *v = box->vlast;
	struct chatmail_events_mailbox *ebox;

	if (!chatmail_events_enabled(box->storage->user))
		return;
	ebox = p_new(box->pool, struct chatmail_events_mailbox, 1);
	ebox->module_ctx.super = *v;
	box->vlast = &ebox->module_ctx.super;
	v->transaction_begin = chatmail_events_transaction_begin;
	v->transaction_commit = chatmail_events_transaction_commit;
	v->transaction_rollback = chatmail_events_transaction_rollback;
	v->save_finish = chatmail_events_save_finish;
	v->copy = chatmail_events_copy;
	MODULE_CONTEXT_SET(box, chatmail_events_storage_module, ebox);
}

static struct mail_storage_hooks chatmail_events_hooks = {
	.mailbox_allocated = chatmail_events_mailbox_allocated,
};

/* chatmail_events_init - register the hook for the plugin module */
void chatmail_events_init(struct module *module)
{
	mail_storage_hooks_add(module, &chatmail_events_hooks);
}

/* chatmail_events_deinit - remove it */
void chatmail_events_deinit(void)
{
	mail_storage_hooks_remove(&chatmail_events_hooks);
}
