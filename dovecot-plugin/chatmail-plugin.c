/*++
 * NAME
 *	chatmail-plugin 3
 * SUMMARY
 *	the chatmail Dovecot mail plugin (lib95_chatmail_plugin.so)
 * DESCRIPTION
 *	See chatmail-plugin.h. The loader symbols, the plugin settings and
 *	the process's one client of chatmail-policyd, which lives from the
 *	first call that needs it until the plugin unloads.
 *--*/

#include "lib.h"
#include "module-dir.h"
#include "mail-user.h"
#include "quota-private.h"
#include "chatmail-client.h"
#include "chatmail-events.h"
#include "chatmail-idle.h"
#include "chatmail-quota.h"
#include "chatmail-plugin.h"

#define CHATMAIL_TIMEOUT_MSECS_DEFAULT 2000
#define CHATMAIL_RETRY_SECS_DEFAULT 5

const char *chatmail_plugin_version = DOVECOT_ABI_VERSION;
const char *chatmail_plugin_dependencies[] = { "quota", NULL };

/* The process's connection to the daemon: owned by this module. */
static struct chatmail_client *chatmail_plugin_conn;

/* chatmail_plugin_uint - a numeric plugin setting or its default */
static unsigned int chatmail_plugin_uint(struct mail_user *user,
					 const char *name, unsigned int def)
{
	const char *value = mail_user_plugin_getenv(user, name);
	unsigned int n;

	if (value == NULL || *value == '\0')
		return def;
	if (str_to_uint(value, &n) < 0) {
		e_error(user->event, "chatmail: %s: '%s' is not a number; "
			"using %u", name, value, def);
		return def;
	}
	return n;
}

/* chatmail_plugin_client - the client for this user's settings */
struct chatmail_client *chatmail_plugin_client(struct mail_user *user)
{
	struct chatmail_client_settings set;

	i_zero(&set);
	set.socket_path = mail_user_plugin_getenv(user, "chatmail_socket");
	if (set.socket_path == NULL || *set.socket_path == '\0')
		set.socket_path = CHATMAIL_SOCKET_DEFAULT;
	if (chatmail_plugin_conn != NULL
	    && strcmp(chatmail_client_socket_path(chatmail_plugin_conn),
		      set.socket_path) == 0)
		return chatmail_plugin_conn;
	set.timeout_msecs = chatmail_plugin_uint(user, "chatmail_timeout_msecs",
		CHATMAIL_TIMEOUT_MSECS_DEFAULT);
	set.retry_secs = chatmail_plugin_uint(user, "chatmail_retry_secs",
					      CHATMAIL_RETRY_SECS_DEFAULT);
	chatmail_client_deinit(&chatmail_plugin_conn);
	chatmail_plugin_conn = chatmail_client_init(&set);
	return chatmail_plugin_conn;
}

/* chatmail_plugin_init - called by Dovecot when the module loads */
void chatmail_plugin_init(struct module *module)
{
	quota_backend_register(&quota_backend_chatmail);
	chatmail_events_init(module);
	chatmail_idle_init(module);
}

/* chatmail_plugin_deinit - called by Dovecot before the module unloads */
void chatmail_plugin_deinit(void)
{
	chatmail_idle_deinit();
	chatmail_events_deinit();
	quota_backend_unregister(&quota_backend_chatmail);
	chatmail_client_deinit(&chatmail_plugin_conn);
}
