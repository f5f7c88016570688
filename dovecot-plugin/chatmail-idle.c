/*++
 * NAME
 *	chatmail-idle 3
 * SUMMARY
 *	instant IMAP IDLE wake-ups on Maildir
 * DESCRIPTION
 *	See chatmail-idle.h. Stock Dovecot 2.3 watches a Maildir's new/
 *	and cur/ with inotify while a client is in IDLE, but waits a fixed
 *	500 ms after the first change before it syncs and sends EXISTS.
 *	This module overrides the mailbox's notify_changes vfunc on
 *	Maildir mailboxes: it first chains to the storage's own method
 *	(which keeps Dovecot's watch list, the one imap-hibernate extracts
 *	when it hibernates the client), then adds its own inotify ios on
 *	new/ and cur/ that call the mailbox's notify callback at once.
 *
 *	Both ios live on the ioloop's single inotify instance, so no extra
 *	inotify instance per IMAP process is used. inotify gives a path
 *	watched twice one watch descriptor, and Dovecot dispatches an
 *	event to the most recently added io of that descriptor: ours,
 *	because it is added after super (and re-added when notify is
 *	restarted). Dovecot's own 500 ms timer is therefore never armed
 *	by inotify; its periodic mailbox_idle_check_interval stat check
 *	stays as the fallback for file systems without inotify.
 *
 *	Coalescing: an event schedules one wake-up timer; more events
 *	while it is pending are absorbed by it. The first wake-up after a
 *	quiet period runs on the next ioloop pass (0 ms); later ones keep
 *	at least CHATMAIL_IDLE_MIN_INTERVAL_MSECS between callbacks, so a
 *	mailbox under constant churn costs at most one sync per interval.
 *	The callback runs after all module state is updated: it may close
 *	and free the mailbox.
 *
 *	Settings (plugin section): chatmail_idle = yes|no (default yes).
 *	Other storages (sdbox, mdbox, mbox, imapc, virtual) are untouched.
 * DIAGNOSTICS
 *	An invalid chatmail_idle value is logged as an error (once per
 *	user session) and turns the feature off (stock behaviour).
 * SEE ALSO
 *	doc/dovecot-plugin.md, bench/idle.c
 *--*/

#include "lib.h"
#include "ioloop.h"
#include "time-util.h"
#include "module-dir.h"
#include "mail-user.h"
#include "mail-storage-private.h"
#include "mail-storage-hooks.h"
#include "chatmail-idle.h"

/* Minimum spacing of two wake-ups of one mailbox. */
#define CHATMAIL_IDLE_MIN_INTERVAL_MSECS 25

#define CHATMAIL_IDLE_CONTEXT(obj) \
	MODULE_CONTEXT(obj, chatmail_idle_storage_module)
#define CHATMAIL_IDLE_USER_CONTEXT(obj) \
	MODULE_CONTEXT(obj, chatmail_idle_user_module)

struct chatmail_idle_user {
	union mail_user_module_context module_ctx;
	bool enabled;			/* chatmail_idle, read once */
};

struct chatmail_idle_mailbox {
	union mailbox_module_context module_ctx;

	struct io *io_new, *io_cur;	/* owned; NULL when not watching */
	struct timeout *to_wake;	/* owned; pending wake-up */
	struct timeval last_wake;	/* zero before the first one */
};

static MODULE_CONTEXT_DEFINE_INIT(chatmail_idle_storage_module,
				  &mail_storage_module_register);
static MODULE_CONTEXT_DEFINE_INIT(chatmail_idle_user_module,
				  &mail_user_module_register);

/* chatmail_idle_setting_parse - "yes"/"no" style value to a bool */
static int chatmail_idle_setting_parse(const char *value, bool *enabled_r)
{
	static const char *const yes[] = { "yes", "y", "1", "true", "on" };
	static const char *const no[] = { "no", "n", "0", "false", "off" };
	unsigned int i;

	if (value == NULL || *value == '\0') {
		*enabled_r = TRUE;
		return 0;
	}
	for (i = 0; i < N_ELEMENTS(yes); i++) {
		if (strcasecmp(value, yes[i]) == 0) {
			*enabled_r = TRUE;
			return 0;
		}
		if (strcasecmp(value, no[i]) == 0) {
			*enabled_r = FALSE;
			return 0;
		}
	}
	return -1;
}

/* chatmail_idle_wake_delay - msecs to wait before the next wake-up */
static unsigned int
chatmail_idle_wake_delay(const struct timeval *last, const struct timeval *now)
{
	long long elapsed;

	if (last->tv_sec == 0 && last->tv_usec == 0)
		return 0;
	elapsed = timeval_diff_msecs(now, last);
	if (elapsed < 0 || elapsed >= CHATMAIL_IDLE_MIN_INTERVAL_MSECS)
		return 0;
	return (unsigned int)(CHATMAIL_IDLE_MIN_INTERVAL_MSECS - elapsed);
}

/* chatmail_idle_wake - timer: tell the mailbox's notify callback now */
static void chatmail_idle_wake(struct mailbox *box)
{
	struct chatmail_idle_mailbox *ibox = CHATMAIL_IDLE_CONTEXT(box);

	timeout_remove(&ibox->to_wake);
	ibox->last_wake = ioloop_timeval;
	/* last use of ibox: the callback may close and free the box */
	if (box->notify_callback != NULL)
		box->notify_callback(box, box->notify_context);
}

/* chatmail_idle_event - inotify io: schedule one coalesced wake-up */
static void chatmail_idle_event(struct mailbox *box)
{
	struct chatmail_idle_mailbox *ibox = CHATMAIL_IDLE_CONTEXT(box);

	if (ibox->to_wake != NULL)
		return;
	ibox->to_wake = timeout_add_short(
		chatmail_idle_wake_delay(&ibox->last_wake, &ioloop_timeval),
		chatmail_idle_wake, box);
}

/* chatmail_idle_unwatch - remove our ios and any pending wake-up */
static void chatmail_idle_unwatch(struct chatmail_idle_mailbox *ibox)
{
	io_remove(&ibox->io_new);
	io_remove(&ibox->io_cur);
	timeout_remove(&ibox->to_wake);
}

/* chatmail_idle_watch_dir - add one inotify io on box_path/sub */
static void chatmail_idle_watch_dir(struct mailbox *box, const char *sub,
				    struct io **io_r)
{
	const char *path = t_strconcat(mailbox_get_path(box), "/", sub, NULL);

	if (io_add_notify(path, chatmail_idle_event, box, io_r) !=
	    IO_NOTIFY_ADDED) {
		/* not found or no inotify: Dovecot's own check remains */
		e_debug(box->event, "chatmail_idle: can't watch %s", path);
		*io_r = NULL;
	}
}

/* chatmail_idle_notify_changes - vfunc: super first, then our ios */
static void chatmail_idle_notify_changes(struct mailbox *box)
{
	struct chatmail_idle_mailbox *ibox = CHATMAIL_IDLE_CONTEXT(box);

	/* Removing first and adding after super keeps our ios the newest
	   of their watch descriptors, also when notify is restarted. */
	chatmail_idle_unwatch(ibox);
	ibox->module_ctx.super.notify_changes(box);
	if (box->notify_callback == NULL)
		return;
	chatmail_idle_watch_dir(box, "new", &ibox->io_new);
	chatmail_idle_watch_dir(box, "cur", &ibox->io_cur);
}

/* chatmail_idle_close - vfunc: drop our watch before the box closes */
static void chatmail_idle_close(struct mailbox *box)
{
	struct chatmail_idle_mailbox *ibox = CHATMAIL_IDLE_CONTEXT(box);

	chatmail_idle_unwatch(ibox);
	ibox->module_ctx.super.close(box);
}

/* chatmail_idle_user_created - hook: read chatmail_idle once per user */
static void chatmail_idle_user_created(struct mail_user *user)
{
	struct chatmail_idle_user *iuser;
	const char *value;

	iuser = p_new(user->pool, struct chatmail_idle_user, 1);
	value = mail_user_plugin_getenv(user, "chatmail_idle");
	if (chatmail_idle_setting_parse(value, &iuser->enabled) < 0) {
		e_error(user->event, "chatmail_idle: invalid value '%s' "
			"(expected yes or no), instant IDLE disabled", value);
		iuser->enabled = FALSE;
	}
	MODULE_CONTEXT_SET(user, chatmail_idle_user_module, iuser);
}

/* chatmail_idle_mailbox_allocated - hook: wrap Maildir mailboxes */
static void chatmail_idle_mailbox_allocated(struct mailbox *box)
{
	struct chatmail_idle_user *iuser =
		CHATMAIL_IDLE_USER_CONTEXT(box->storage->user);
	struct mailbox_vfuncs *v = box->vlast;
	struct chatmail_idle_mailbox *ibox;

	if (iuser == NULL || !iuser->enabled ||
	    strcmp(box->storage->name, "maildir") != 0)
		return;

	ibox = p_new(box->pool, struct chatmail_idle_mailbox, 1);
	ibox->module_ctx.super = *v;
	box->vlast = &ibox->module_ctx.super;
	v->notify_changes = chatmail_idle_notify_changes;
	v->close = chatmail_idle_close;
	MODULE_CONTEXT_SET(box, chatmail_idle_storage_module, ibox);
}

static struct mail_storage_hooks chatmail_idle_hooks = {
	.mail_user_created = chatmail_idle_user_created,
	.mailbox_allocated = chatmail_idle_mailbox_allocated
};

/* chatmail_idle_init - register the mailbox hook */
void chatmail_idle_init(struct module *module)
{
	mail_storage_hooks_add(module, &chatmail_idle_hooks);
}

/* chatmail_idle_deinit - unregister the mailbox hook */
void chatmail_idle_deinit(void)
{
	mail_storage_hooks_remove(&chatmail_idle_hooks);
}
