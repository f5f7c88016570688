#ifndef CHATMAIL_QUOTA_H
#define CHATMAIL_QUOTA_H

/*++
 * NAME
 *	chatmail-quota 3h
 * SUMMARY
 *	quota backend "chatmail"
 * SYNOPSIS
 *	#include "chatmail-quota.h"
 * DESCRIPTION
 *	Registered by chatmail_plugin_init() with quota_backend_register()
 *	and removed by chatmail_plugin_deinit(). See chatmail-quota.c.
 *--*/

extern struct quota_backend quota_backend_chatmail;

#endif
