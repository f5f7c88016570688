/*++
 * NAME
 *	policyd_config 3
 * SUMMARY
 *	chatmail.conf parsing
 * DESCRIPTION
 *	See policyd_config.h. Keys are looked up in one table; every value
 *	is validated here so the rest of the daemon can trust the snapshot.
 *--*/

#include "policyd_config.h"

#include <stdarg.h>
#include <string.h>
#include <syslog.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/un.h>

#define GROUP "chatmail"

static const char *const policyd_config_keys[] = {
	"local_domains", "sqlite_path", "sqlite_in_memory",
	"sqlite_sync_interval", "mail_root", "mail_layout", "policy_socket",
	"policy_socket_mode", "policy_socket_user", "policy_socket_group",
	"policy_tcp", "control_socket", "control_socket_mode",
	"control_socket_group", "max_connections", "request_timeout",
	"idle_timeout", "log", "syslog_facility", "pid_file",
	"milter_socket", "milter_socket_mode", "milter_socket_group",
	"milter_outgoing_daemon_name", "milter_timeout",
	"dovecot_socket", "dovecot_socket_mode", "dovecot_socket_group",
	NULL
};

static const struct {
	const char *name;
	int facility;
} policyd_config_facilities[] = {
	{ "mail", LOG_MAIL }, { "daemon", LOG_DAEMON },
	{ "local0", LOG_LOCAL0 }, { "local1", LOG_LOCAL1 },
	{ "local2", LOG_LOCAL2 }, { "local3", LOG_LOCAL3 },
	{ "local4", LOG_LOCAL4 }, { "local5", LOG_LOCAL5 },
	{ "local6", LOG_LOCAL6 }, { "local7", LOG_LOCAL7 },
};

static gboolean policyd_config_fail(GError **error, const char *path,
				    const char *key, const char *fmt, ...)
	G_GNUC_PRINTF(4, 5);

/* policyd_config_fail - set a GError naming file and key */
static gboolean policyd_config_fail(GError **error, const char *path,
				    const char *key, const char *fmt, ...)
{
	g_autofree char *what = NULL;
	va_list ap;

	va_start(ap, fmt);
	what = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
		    "%s: %s: %s", path, key, what);
	return FALSE;
}

/* policyd_config_str - a string key or its default (trimmed) */
static char *policyd_config_str(GKeyFile *kf, const char *key,
				const char *def)
{
	char *value = g_key_file_get_string(kf, GROUP, key, NULL);

	if (value == NULL)
		return g_strdup(def);
	return g_strstrip(value);
}

/* policyd_config_uint - an unsigned key within [min, max] */
static gboolean policyd_config_uint(GKeyFile *kf, const char *path,
				    const char *key, guint64 def, guint64 min,
				    guint64 max, int base, guint64 *out,
				    GError **error)
{
	g_autofree char *text = policyd_config_str(kf, key, NULL);
	char *end;

	if (text == NULL) {
		*out = def;
		return TRUE;
	}
	if (!g_ascii_isdigit(text[0]))
		return policyd_config_fail(error, path, key,
					   "'%s' is not a number", text);
	*out = g_ascii_strtoull(text, &end, base);
	if (*end != '\0')
		return policyd_config_fail(error, path, key,
					   "'%s' is not a number", text);
	if (*out < min || *out > max)
		return policyd_config_fail(error, path, key,
					   "'%s' is out of range", text);
	return TRUE;
}

/* policyd_config_bool - yes/no */
static gboolean policyd_config_bool(GKeyFile *kf, const char *path,
				    const char *key, gboolean def,
				    gboolean *out, GError **error)
{
	g_autofree char *text = policyd_config_str(kf, key, NULL);

	if (text == NULL) {
		*out = def;
	} else if (g_ascii_strcasecmp(text, "yes") == 0
		   || g_ascii_strcasecmp(text, "true") == 0
		   || strcmp(text, "1") == 0) {
		*out = TRUE;
	} else if (g_ascii_strcasecmp(text, "no") == 0
		   || g_ascii_strcasecmp(text, "false") == 0
		   || strcmp(text, "0") == 0) {
		*out = FALSE;
	} else {
		return policyd_config_fail(error, path, key,
					   "'%s' is not yes or no", text);
	}
	return TRUE;
}

/* policyd_config_check_keys - refuse unknown groups and keys */
static gboolean policyd_config_check_keys(GKeyFile *kf, const char *path,
					  GError **error)
{
	g_auto(GStrv) groups = g_key_file_get_groups(kf, NULL);
	g_auto(GStrv) keys = NULL;
	guint i;

	for (i = 0; groups[i] != NULL; i++)
		if (strcmp(groups[i], GROUP) != 0)
			return policyd_config_fail(error, path, groups[i],
						   "unknown group (only [%s])",
						   GROUP);
	keys = g_key_file_get_keys(kf, GROUP, NULL, NULL);
	for (i = 0; keys != NULL && keys[i] != NULL; i++)
		if (!g_strv_contains(policyd_config_keys, keys[i]))
			return policyd_config_fail(error, path, keys[i],
						   "unknown key%s (see "
						   "chatmail-policyd(8))", "");
	return TRUE;
}

/* policyd_config_domains - split and lowercase local_domains */
static gboolean policyd_config_domains(GKeyFile *kf, const char *path,
				       struct policyd_config *c,
				       GError **error)
{
	g_autofree char *text = policyd_config_str(kf, "local_domains", "");
	g_auto(GStrv) parts = g_strsplit_set(text, ", \t", -1);
	GPtrArray *list = g_ptr_array_new();
	guint i;

	for (i = 0; parts[i] != NULL; i++) {
		if (parts[i][0] == '\0')
			continue;
		if (strchr(parts[i], '@') != NULL) {
			g_ptr_array_free(list, TRUE);
			return policyd_config_fail(error, path, "local_domains",
						   "'%s' is an address, not a "
						   "domain", parts[i]);
		}
		g_ptr_array_add(list, g_ascii_strdown(parts[i], -1));
	}
	if (list->len == 0) {
		g_ptr_array_free(list, TRUE);
		return policyd_config_fail(error, path, "local_domains",
					   "not set%s: name the relay's mail "
					   "domains, e.g. local_domains = "
					   "example.org", "");
	}
	g_ptr_array_add(list, NULL);
	c->local_domains = (char **) g_ptr_array_free(list, FALSE);
	return TRUE;
}

/* policyd_config_logging - log and syslog_facility */
static gboolean policyd_config_logging(GKeyFile *kf, const char *path,
				       struct policyd_config *c,
				       GError **error)
{
	g_autofree char *log = policyd_config_str(kf, "log", "");
	g_autofree char *fac = policyd_config_str(kf, "syslog_facility", "mail");
	guint i;

	if (log[0] == '\0')
		c->log = POLICYD_LOG_DEFAULT;
	else if (strcmp(log, "syslog") == 0)
		c->log = POLICYD_LOG_SYSLOG;
	else if (strcmp(log, "stderr") == 0)
		c->log = POLICYD_LOG_STDERR;
	else
		return policyd_config_fail(error, path, "log",
					   "'%s' is not syslog or stderr", log);
	for (i = 0; i < G_N_ELEMENTS(policyd_config_facilities); i++) {
		if (strcmp(fac, policyd_config_facilities[i].name) == 0) {
			c->syslog_facility = policyd_config_facilities[i].facility;
			return TRUE;
		}
	}
	return policyd_config_fail(error, path, "syslog_facility",
				   "'%s' is not mail, daemon or local0..7", fac);
}

/* policyd_config_numbers - every numeric and boolean key */
static gboolean policyd_config_numbers(GKeyFile *kf, const char *path,
				       struct policyd_config *c,
				       GError **error)
{
	guint64 v;

	if (!policyd_config_bool(kf, path, "sqlite_in_memory", FALSE,
				 &c->sqlite_in_memory, error)
	    || !policyd_config_uint(kf, path, "sqlite_sync_interval", 1200, 0,
				    G_MAXINT32, 10, &v, error))
		return FALSE;
	c->sqlite_sync_interval = (gint64) v;
	if (!policyd_config_uint(kf, path, "policy_socket_mode", 0660, 0,
				 0777, 8, &v, error))
		return FALSE;
	c->policy_socket_mode = (guint) v;
	if (!policyd_config_uint(kf, path, "control_socket_mode", 0660, 0,
				 0777, 8, &v, error))
		return FALSE;
	c->control_socket_mode = (guint) v;
	if (!policyd_config_uint(kf, path, "max_connections", 256, 1, 100000,
				 10, &v, error))
		return FALSE;
	c->max_connections = (guint) v;
	if (!policyd_config_uint(kf, path, "request_timeout", 10, 1, 3600,
				 10, &v, error))
		return FALSE;
	c->request_timeout = (guint) v;
	if (!policyd_config_uint(kf, path, "idle_timeout", 900, 1, 86400, 10,
				 &v, error))
		return FALSE;
	c->idle_timeout = (guint) v;
	return TRUE;
}

/* policyd_config_strings - path and name keys */
static gboolean policyd_config_strings(GKeyFile *kf, const char *path,
				       struct policyd_config *c,
				       GError **error)
{
	c->sqlite_path = policyd_config_str(kf, "sqlite_path",
					    "/var/lib/chatmail/chatmail.db");
	c->mail_root = policyd_config_str(kf, "mail_root", "/var/vmail");
	c->mail_layout = policyd_config_str(kf, "mail_layout", "%d/%n/Maildir");
	c->policy_socket = policyd_config_str(kf, "policy_socket",
		"/var/spool/postfix/private/chatmail-policy");
	c->policy_socket_user = policyd_config_str(kf, "policy_socket_user",
						   "postfix");
	c->policy_socket_group = policyd_config_str(kf, "policy_socket_group",
						    "postfix");
	c->policy_tcp = policyd_config_str(kf, "policy_tcp", "");
	c->control_socket = policyd_config_str(kf, "control_socket",
					       "/run/chatmail/control.sock");
	c->control_socket_group = policyd_config_str(kf, "control_socket_group",
						     "");
	c->pid_file = policyd_config_str(kf, "pid_file",
					 "/run/chatmail/chatmail-policyd.pid");
	if (c->sqlite_path[0] != '/')
		return policyd_config_fail(error, path, "sqlite_path",
					   "'%s' is not an absolute path",
					   c->sqlite_path);
	if (c->mail_root[0] != '/')
		return policyd_config_fail(error, path, "mail_root",
					   "'%s' is not an absolute path",
					   c->mail_root);
	if (c->control_socket[0] == '\0')
		return policyd_config_fail(error, path, "control_socket",
					   "must be set%s", "");
	if (c->policy_socket[0] == '\0' && c->policy_tcp[0] == '\0')
		return policyd_config_fail(error, path, "policy_socket",
					   "empty and no policy_tcp either%s",
					   ": Postfix could not reach us");
	return TRUE;
}

/* policyd_config_milter_inet - "PORT@HOST" of inet:/inet6:, loopback */
static gboolean policyd_config_milter_inet(const char *path, const char *spec,
					   const char *rest, gboolean v6,
					   GError **error)
{
	const char *at = strchr(rest, '@');
	g_autofree char *host = NULL;
	unsigned char addr[sizeof(struct in6_addr)];
	guint64 port;
	char *end;

	if (at == NULL)
		return policyd_config_fail(error, path, "milter_socket",
					   "'%s': name a loopback address, e.g. "
					   "inet:8891@127.0.0.1 (the milter "
					   "protocol has no authentication)", spec);
	port = g_ascii_strtoull(rest, &end, 10);
	if (end != at || end == rest || port == 0 || port > 65535)
		return policyd_config_fail(error, path, "milter_socket",
					   "'%s': bad port", spec);
	host = at[1] == '[' && g_str_has_suffix(at, "]")
	    ? g_strndup(at + 2, strlen(at) - 3) : g_strdup(at + 1);
	if (v6 ? inet_pton(AF_INET6, host, addr) == 1
	    && IN6_IS_ADDR_LOOPBACK((struct in6_addr *) addr)
	    : inet_pton(AF_INET, host, addr) == 1 && addr[0] == 127)
		return TRUE;
	return policyd_config_fail(error, path, "milter_socket",
				   "'%s': only loopback addresses are allowed "
				   "(the milter protocol has no authentication)",
				   spec);
}

/* policyd_config_milter_spec - libmilter's socket notation, local only */
static gboolean policyd_config_milter_spec(const char *path, const char *spec,
					   GError **error)
{
	const char *colon = strchr(spec, ':');
	struct sockaddr_un sun;

	if (spec[0] == '\0')
		return TRUE;
	if (colon == NULL)
		return policyd_config_fail(error, path, "milter_socket",
					   "'%s': write unix:/PATH or "
					   "inet:PORT@127.0.0.1", spec);
	if (g_str_has_prefix(spec, "unix:") || g_str_has_prefix(spec, "local:")) {
		if (colon[1] != '/')
			return policyd_config_fail(error, path, "milter_socket",
						   "'%s' is not an absolute "
						   "path", spec);
		if (strlen(colon + 1) >= sizeof(sun.sun_path))
			return policyd_config_fail(error, path, "milter_socket",
						   "'%s': path longer than %zu "
						   "bytes", spec,
						   sizeof(sun.sun_path) - 1);
		return TRUE;
	}
	if (g_str_has_prefix(spec, "inet:") || g_str_has_prefix(spec, "inet6:"))
		return policyd_config_milter_inet(path, spec, colon + 1,
						  spec[4] == '6', error);
	return policyd_config_fail(error, path, "milter_socket",
				   "'%s': unknown socket type (unix:, local:, "
				   "inet: or inet6:)", spec);
}

/* policyd_config_milter - the milter's keys */
static gboolean policyd_config_milter(GKeyFile *kf, const char *path,
				      struct policyd_config *c, GError **error)
{
	guint64 v;

	c->milter_socket = policyd_config_str(kf, "milter_socket",
		"unix:/var/spool/postfix/private/chatmail-milter");
	c->milter_socket_group = policyd_config_str(kf, "milter_socket_group",
						    "postfix");
	c->milter_outgoing_daemon_name = policyd_config_str(kf,
		"milter_outgoing_daemon_name", "ORIGINATING");
	if (!policyd_config_milter_spec(path, c->milter_socket, error))
		return FALSE;
	if (strpbrk(c->milter_outgoing_daemon_name, " \t{}") != NULL)
		return policyd_config_fail(error, path,
					   "milter_outgoing_daemon_name",
					   "'%s': one word, as in Postfix's "
					   "milter_macro_daemon_name",
					   c->milter_outgoing_daemon_name);
	if (!policyd_config_uint(kf, path, "milter_socket_mode", 0660, 0,
				 0777, 8, &v, error))
		return FALSE;
	c->milter_socket_mode = (guint) v;
	if (!policyd_config_uint(kf, path, "milter_timeout", 600, 1, 86400,
				 10, &v, error))
		return FALSE;
	c->milter_timeout = (guint) v;
	return TRUE;
}

/* policyd_config_dovecot - the dovecot socket's keys */
static gboolean policyd_config_dovecot(GKeyFile *kf, const char *path,
				       struct policyd_config *c, GError **error)
{
	guint64 v;

	c->dovecot_socket = policyd_config_str(kf, "dovecot_socket",
					       "/run/chatmail/dovecot.sock");
	c->dovecot_socket_group = policyd_config_str(kf, "dovecot_socket_group",
						     "");
	if (c->dovecot_socket[0] != '\0' && c->dovecot_socket[0] != '/')
		return policyd_config_fail(error, path, "dovecot_socket",
					   "'%s' is not an absolute path",
					   c->dovecot_socket);
	if (!policyd_config_uint(kf, path, "dovecot_socket_mode", 0660, 0,
				 0777, 8, &v, error))
		return FALSE;
	c->dovecot_socket_mode = (guint) v;
	return TRUE;
}

/* policyd_config_load - parse path into a new snapshot */
struct policyd_config *policyd_config_load(const char *path, GError **error)
{
	g_autoptr(GKeyFile) kf = g_key_file_new();
	struct policyd_config *c;

	if (!g_key_file_load_from_file(kf, path, G_KEY_FILE_NONE, error)) {
		g_prefix_error(error, "%s: ", path);
		return NULL;
	}
	if (!policyd_config_check_keys(kf, path, error))
		return NULL;
	c = g_new0(struct policyd_config, 1);
	c->refcount = 1;
	c->path = g_strdup(path);
	if (!policyd_config_domains(kf, path, c, error)
	    || !policyd_config_strings(kf, path, c, error)
	    || !policyd_config_numbers(kf, path, c, error)
	    || !policyd_config_logging(kf, path, c, error)
	    || !policyd_config_milter(kf, path, c, error)
	    || !policyd_config_dovecot(kf, path, c, error)) {
		policyd_config_unref(&c);
		return NULL;
	}
	return c;
}

/* policyd_config_ref - one more holder */
struct policyd_config *policyd_config_ref(struct policyd_config *config)
{
	g_atomic_int_inc(&config->refcount);
	return config;
}

/* policyd_config_unref - drop a holder; frees with the last */
void policyd_config_unref(struct policyd_config **_config)
{
	struct policyd_config *c = *_config;

	if (c == NULL)
		return;
	*_config = NULL;
	if (!g_atomic_int_dec_and_test(&c->refcount))
		return;
	g_free(c->path);
	g_strfreev(c->local_domains);
	g_free(c->sqlite_path);
	g_free(c->mail_root);
	g_free(c->mail_layout);
	g_free(c->policy_socket);
	g_free(c->policy_socket_user);
	g_free(c->policy_socket_group);
	g_free(c->policy_tcp);
	g_free(c->control_socket);
	g_free(c->control_socket_group);
	g_free(c->pid_file);
	g_free(c->milter_socket);
	g_free(c->milter_socket_group);
	g_free(c->milter_outgoing_daemon_name);
	g_free(c->dovecot_socket);
	g_free(c->dovecot_socket_group);
	g_free(c);
}

/* policyd_config_dump - the effective values, one "key = value" a line */
void policyd_config_dump(const struct policyd_config *c, GString *out)
{
	g_autofree char *domains = g_strjoinv(", ", c->local_domains);
	const char *log = c->log == POLICYD_LOG_SYSLOG ? "syslog"
	    : c->log == POLICYD_LOG_STDERR ? "stderr" : "(default)";

	g_string_append_printf(out,
		"local_domains = %s\nsqlite_path = %s\nsqlite_in_memory = %s\n"
		"sqlite_sync_interval = %" G_GINT64_FORMAT "\nmail_root = %s\n"
		"mail_layout = %s\npolicy_socket = %s\npolicy_socket_mode = %04o\n"
		"policy_socket_user = %s\npolicy_socket_group = %s\n"
		"policy_tcp = %s\ncontrol_socket = %s\ncontrol_socket_mode = %04o\n"
		"control_socket_group = %s\nmax_connections = %u\n"
		"request_timeout = %u\nidle_timeout = %u\nlog = %s\npid_file = %s\n",
		domains, c->sqlite_path, c->sqlite_in_memory ? "yes" : "no",
		c->sqlite_sync_interval, c->mail_root, c->mail_layout,
		c->policy_socket, c->policy_socket_mode, c->policy_socket_user,
		c->policy_socket_group, c->policy_tcp, c->control_socket,
		c->control_socket_mode, c->control_socket_group,
		c->max_connections, c->request_timeout, c->idle_timeout, log,
		c->pid_file);
	g_string_append_printf(out,
		"milter_socket = %s\nmilter_socket_mode = %04o\n"
		"milter_socket_group = %s\nmilter_outgoing_daemon_name = %s\n"
		"milter_timeout = %u\n", c->milter_socket,
		c->milter_socket_mode, c->milter_socket_group,
		c->milter_outgoing_daemon_name, c->milter_timeout);
	g_string_append_printf(out,
		"dovecot_socket = %s\ndovecot_socket_mode = %04o\n"
		"dovecot_socket_group = %s\n", c->dovecot_socket,
		c->dovecot_socket_mode, c->dovecot_socket_group);
}
