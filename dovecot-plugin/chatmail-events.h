#ifndef CHATMAIL_EVENTS_H
#define CHATMAIL_EVENTS_H

/*++
 * NAME
 *	chatmail-events 3h
 * SUMMARY
 *	new-mail events to chatmail-policyd
 * SYNOPSIS
 *	#include "chatmail-events.h"
 * DESCRIPTION
 *	chatmail_events_init() registers a mailbox_allocated hook for the
 *	plugin module; chatmail_events_deinit() removes it. Called from
 *	the plugin's own init/deinit. See chatmail-events.c.
 *--*/

struct module;

void chatmail_events_init(struct module *module);
void chatmail_events_deinit(void);

#endif
