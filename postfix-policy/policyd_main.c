/*++
 * NAME
 *	chatmail-policyd 8
 * SUMMARY
 *	policy service, hot state and control socket of a chatmail relay
 * SYNOPSIS
 *	chatmail-policyd [-c FILE] [--foreground] [--check-config]
 * DESCRIPTION
 *	See doc/chatmail-policyd.md. Start-up order: configuration, store
 *	and first hydrate, listeners, detach, flusher thread, policy
 *	workers (policyd_worker), main loop. The main thread keeps the
 *	signals, the control socket and the reloads.
 *	Start-up errors exit 1 with a message naming the fix.
 *
 *	SIGTERM: every listener stops accepting and idle connections
 *	close; once no connection is left (or after 5 s) the main loop
 *	ends, the workers are joined, and the final flush runs.
 * DIAGNOSTICS
 *	Exit 0 after a clean SIGTERM, 1 on a start-up error.
 *--*/

#include "chatmail-config.h"
#include "policyd.h"
#include "policyd_log.h"
#include "policyd_milter.h"
#include "policyd_worker.h"

#include <errno.h>
#include <glib-unix.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define POLICYD_STOP_GRACE_MS 5000

/* policyd_main_listen - open the listeners; serve the control socket */
static gboolean policyd_main_listen(struct policyd *d, int *unix_fd_r,
				    int *tcp_fd_r, GError **error)
{
	const struct policyd_config *c = d->config;
	struct policyd_server_limits limits = {
		c->max_connections, c->request_timeout, 3600
	};
	int fd;

	if (c->policy_socket[0] != '\0') {
		*unix_fd_r = policyd_listen_unix(c->policy_socket,
						 c->policy_socket_mode,
						 c->policy_socket_user,
						 c->policy_socket_group, error);
		if (*unix_fd_r < 0)
			return FALSE;
	}
	if (c->policy_tcp[0] != '\0'
	    && (*tcp_fd_r = policyd_listen_tcp(c->policy_tcp, error)) < 0)
		return FALSE;
	fd = policyd_listen_unix(c->control_socket, c->control_socket_mode, "",
				 c->control_socket_group, error);
	if (fd < 0)
		return FALSE;
	d->control_group = policyd_server_group_new(&limits);
	d->control = policyd_server_new("control", fd, &policyd_control_ops, d,
					d->control_group, NULL);
	return policyd_milter_open(d, error)
	    && policyd_dovecot_start(d, error);
}

/* policyd_main_on_hup - SIGHUP: reload */
static gboolean policyd_main_on_hup(gpointer data)
{
	struct policyd *d = data;
	g_autoptr(GError) error = NULL;

	policyd_log_info("reload: SIGHUP");
	if (!policyd_reload(d, &error))
		policyd_log_error("reload: %s; keeping the previous "
				  "configuration", error->message);
	return G_SOURCE_CONTINUE;
}

/* policyd_main_open_conns - connections still open on all listeners */
static guint policyd_main_open_conns(const struct policyd *d)
{
	return (d->policy_unix
		? policyd_server_group_connections(d->policy_unix) : 0)
	    + (d->policy_tcp
	       ? policyd_server_group_connections(d->policy_tcp) : 0)
	    + (d->control ? policyd_server_connections(d->control) : 0)
	    + policyd_milter_connections(d)
	    + policyd_dovecot_connections(d);
}

/* policyd_main_stop_check - quit once drained or after the grace time */
static gboolean policyd_main_stop_check(gpointer data)
{
	struct policyd *d = data;

	if (policyd_main_open_conns(d) == 0
	    || g_get_monotonic_time() / 1000 >= d->stop_deadline) {
		g_main_loop_quit(d->loop);
		return G_SOURCE_REMOVE;
	}
	return G_SOURCE_CONTINUE;
}

/* policyd_main_on_term - SIGTERM/SIGINT: stop accepting, drain, quit */
static gboolean policyd_main_on_term(gpointer data)
{
	struct policyd *d = data;

	if (d->stopping)
		return G_SOURCE_CONTINUE;
	d->stopping = TRUE;
	policyd_log_info("stopping: answering requests in flight");
	policyd_worker_drain(d);
	policyd_milter_drain(d);
	policyd_server_stop_accepting(d->control);
	policyd_server_drain(d->control);
	policyd_dovecot_drain(d);
	d->stop_deadline = g_get_monotonic_time() / 1000
	    + POLICYD_STOP_GRACE_MS;
	g_timeout_add(50, policyd_main_stop_check, d);
	return G_SOURCE_CONTINUE;
}

/* policyd_main_check - --check-config: print values, probe the database */
static int policyd_main_check(const struct policyd_config *config)
{
	struct cm_store_options opts = { config->sqlite_path, 1, 0, 0 };
	GString *out = g_string_new(NULL);
	struct cm_store *store;
	struct cm_error err;

	policyd_config_dump(config, out);
	fputs(out->str, stdout);
	g_string_free(out, TRUE);
	if (cm_store_open(&opts, &store, &err) < 0) {
		if (err.kind == CM_ERR_IO && err.sys_code == ENOENT) {
			printf("# %s does not exist yet: it is created at the "
			       "first start\n", config->sqlite_path);
			return 0;
		}
		fprintf(stderr, "chatmail-policyd: %s\n", err.message);
		return 1;
	}
	cm_store_close(&store);
	printf("# configuration and database are fine\n");
	return 0;
}

/* policyd_main_detach - background ourselves and write the pid file */
static void policyd_main_detach(struct policyd *d)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *pid = NULL;
	g_autofree char *dir = g_path_get_dirname(d->config->pid_file);

	if (daemon(0, 0) < 0)
		policyd_log_fatal("detach: %s", g_strerror(errno));
	pid = g_strdup_printf("%ld\n", (long) getpid());
	if (g_mkdir_with_parents(dir, 0755) < 0
	    || !g_file_set_contents(d->config->pid_file, pid, -1, &error))
		policyd_log_warning("pid file %s: %s", d->config->pid_file,
				    error ? error->message : g_strerror(errno));
}

/* policyd_main_start - everything between parsing and the main loop */
static void policyd_main_start(struct policyd *d)
{
	g_autoptr(GError) error = NULL;
	int unix_fd = -1, tcp_fd = -1;

	if (!policyd_state_open(d, &error)
	    || !policyd_main_listen(d, &unix_fd, &tcp_fd, &error))
		policyd_log_fatal("%s", error->message);
	if (!d->foreground)
		policyd_main_detach(d);
	/* Threads only after the fork of detaching. */
	if (!policyd_start_flusher(d, &error)
	    || !policyd_worker_start(d, unix_fd, tcp_fd, &error)
	    || !policyd_milter_start(d, &error))
		policyd_log_fatal("%s", error->message);
	g_unix_signal_add(SIGHUP, policyd_main_on_hup, d);
	g_unix_signal_add(SIGTERM, policyd_main_on_term, d);
	g_unix_signal_add(SIGINT, policyd_main_on_term, d);
	policyd_log_info("started: policy on %s%s%s, control on %s, "
			 "database %s%s", d->config->policy_socket,
			 d->config->policy_tcp[0] ? " and " : "",
			 d->config->policy_tcp, d->config->control_socket,
			 d->config->sqlite_path,
			 d->config->sqlite_in_memory ? " (in memory)" : "");
}

/* policyd_main_cleanup - join workers, close, flush, remove our files */
static void policyd_main_cleanup(struct policyd *d)
{
	policyd_milter_stop(d);
	policyd_worker_stop(d);
	policyd_server_free(&d->control);
	policyd_server_group_free(&d->control_group);
	policyd_dovecot_free(d);
	if (d->config->policy_socket[0] != '\0')
		unlink(d->config->policy_socket);
	unlink(d->config->control_socket);
	policyd_state_close(d);
	if (!d->foreground)
		unlink(d->config->pid_file);
	policyd_log_info("stopped");
	policyd_config_unref(&d->config);
	g_main_loop_unref(d->loop);
}

int main(int argc, char **argv)
{
	g_autofree char *config_path = NULL;
	gboolean foreground = FALSE, check = FALSE, version = FALSE;
	GOptionEntry entries[] = {
		{ "config", 'c', 0, G_OPTION_ARG_FILENAME, &config_path,
		  "configuration file (default " POLICYD_CONFIG_DEFAULT ")",
		  "FILE" },
		{ "foreground", 'f', 0, G_OPTION_ARG_NONE, &foreground,
		  "do not detach; log to stderr unless log = syslog", NULL },
		{ "check-config", 0, 0, G_OPTION_ARG_NONE, &check,
		  "check the configuration and the database, then exit", NULL },
		{ "version", 0, 0, G_OPTION_ARG_NONE, &version,
		  "print the version and exit", NULL },
		{ NULL, 0, 0, 0, NULL, NULL, NULL }
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new("");
	g_autoptr(GError) error = NULL;
	struct policyd d;

	memset(&d, 0, sizeof(d));
	g_option_context_add_main_entries(ctx, entries, NULL);
	g_option_context_set_summary(ctx, "The policy service and control "
				     "socket of a chatmail relay.");
	if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
		fprintf(stderr, "chatmail-policyd: %s (try --help)\n",
			error->message);
		return 1;
	}
	if (version) {
		printf("chatmail-policyd %s\n", PACKAGE_VERSION);
		return 0;
	}
	d.config = policyd_config_load(config_path ? config_path
				       : POLICYD_CONFIG_DEFAULT, &error);
	if (d.config == NULL) {
		fprintf(stderr, "chatmail-policyd: fatal: %s\n",
			error->message);
		return 1;
	}
	if (check) {
		int rc = policyd_main_check(d.config);

		policyd_config_unref(&d.config);
		return rc;
	}
	d.foreground = foreground;
	policyd_log_open(d.config->log == POLICYD_LOG_STDERR
			 || (d.config->log == POLICYD_LOG_DEFAULT && foreground),
			 d.config->syslog_facility);
	signal(SIGPIPE, SIG_IGN);
	d.loop = g_main_loop_new(NULL, FALSE);
	policyd_main_start(&d);
	g_main_loop_run(d.loop);
	policyd_main_cleanup(&d);
	return d.exit_status;
}
