#ifndef CHATMAIL_IDLE_H
#define CHATMAIL_IDLE_H

/*++
 * NAME
 *	chatmail-idle 3h
 * SUMMARY
 *	instant IMAP IDLE wake-ups on Maildir
 * SYNOPSIS
 *	#include "chatmail-idle.h"
 * DESCRIPTION
 *	chatmail_idle_init() registers the mail storage hooks (user
 *	created: read the chatmail_idle setting; mailbox allocated: wrap
 *	Maildir mailboxes' notify_changes and close) for the given plugin
 *	module; chatmail_idle_deinit() removes them. Called from the
 *	plugin's own init/deinit (chatmail-plugin.c).
 *--*/

struct module;

void chatmail_idle_init(struct module *module);
void chatmail_idle_deinit(void);

#endif
