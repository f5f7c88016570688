#ifndef CHATMAIL_PLUGIN_H
#define CHATMAIL_PLUGIN_H

/*++
 * NAME
 *	chatmail-plugin 3h
 * SUMMARY
 *	the chatmail Dovecot mail plugin (lib95_chatmail_plugin.so)
 * SYNOPSIS
 *	#include "chatmail-plugin.h"
 * DESCRIPTION
 *	mail_plugins = quota chatmail loads it after the quota plugin; it
 *	registers the quota backend "chatmail" (chatmail-quota.c), the
 *	new-mail events (chatmail-events.c) and instant IDLE
 *	(chatmail-idle.c). Dovecot finds the loader symbols below by the
 *	module's name.
 *
 *	chatmail_plugin_client() is the process's one connection to
 *	chatmail-policyd, made for the first user's settings and owned by
 *	the plugin until it unloads; a user whose chatmail_socket differs
 *	gets it re-made. Settings (plugin { }, read per user with
 *	mail_user_plugin_getenv):
 * .IP chatmail_socket
 *	the daemon's dovecot_socket (default /run/chatmail/dovecot.sock);
 * .IP chatmail_timeout_msecs
 *	a call's deadline (default 2000);
 * .IP chatmail_retry_secs
 *	after a failure, calls give up at once for this long (default 5);
 * .IP chatmail_events
 *	"no" turns the new-mail events off (default yes).
 *--*/

struct module;
struct mail_user;

extern const char *chatmail_plugin_version;
extern const char *chatmail_plugin_dependencies[];

void chatmail_plugin_init(struct module *module);
void chatmail_plugin_deinit(void);

struct chatmail_client *chatmail_plugin_client(struct mail_user *user);

#endif
