#ifndef POLICYD_CONFIG_H
#define POLICYD_CONFIG_H

/*++
 * NAME
 *	policyd_config 3h
 * SUMMARY
 *	chatmail.conf: an immutable, refcounted configuration snapshot
 * DESCRIPTION
 *	policyd_config_load() parses the INI file (group [chatmail]; see
 *	doc/chatmail-policyd.md for every key) into a new snapshot; unknown
 *	keys and bad values are errors that name the key. The daemon swaps
 *	snapshots on SIGHUP; holders keep theirs alive with _ref/_unref.
 *--*/

#include <glib.h>

#define POLICYD_CONFIG_DEFAULT "/etc/chatmail/chatmail.conf"

enum policyd_log_mode {
	POLICYD_LOG_DEFAULT = 0,	/* stderr in foreground, else syslog */
	POLICYD_LOG_SYSLOG,
	POLICYD_LOG_STDERR,
};

struct policyd_config {
	gint refcount;
	char *path;			/* the file it came from */
	char **local_domains;		/* lowercase, NULL-terminated */
	char *sqlite_path;
	gboolean sqlite_in_memory;
	gint64 sqlite_sync_interval;
	char *mail_root;
	char *mail_layout;
	char *policy_socket;		/* "" = none */
	guint policy_socket_mode;
	char *policy_socket_user;	/* "" = keep */
	char *policy_socket_group;
	char *policy_tcp;		/* "" = none */
	char *control_socket;
	guint control_socket_mode;
	char *control_socket_group;
	guint max_connections;
	guint request_timeout;
	guint idle_timeout;
	enum policyd_log_mode log;
	int syslog_facility;
	char *pid_file;
	/* The milter (policyd_milter.c); milter_socket in libmilter's
	   notation (unix:/path, inet:PORT@127.0.0.1), "" = no milter. */
	char *milter_socket;
	guint milter_socket_mode;
	char *milter_socket_group;	/* "" = keep */
	char *milter_outgoing_daemon_name;	/* "" = SASL login only */
	guint milter_timeout;
	/* The dovecot socket (policyd_dovecot.c), "" = none. */
	char *dovecot_socket;
	guint dovecot_socket_mode;
	char *dovecot_socket_group;	/* "" = keep */
};

struct policyd_config *policyd_config_load(const char *path, GError **error);
struct policyd_config *policyd_config_ref(struct policyd_config *config);
void policyd_config_unref(struct policyd_config **config);
/* Writes "key = value" lines of the effective configuration. */
void policyd_config_dump(const struct policyd_config *config, GString *out);

#endif
