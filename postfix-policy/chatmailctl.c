/*++
 * NAME
 *	chatmailctl 1
 * SUMMARY
 *	administer a chatmail relay through chatmail-policyd
 * SYNOPSIS
 *	chatmailctl [-c FILE] [-s SOCKET] COMMAND [ARGUMENTS...]
 * DESCRIPTION
 *	Sends COMMAND to the daemon's control socket (doc/control-
 *	protocol.md lists them) and prints the answer: one line per row,
 *	fields separated by tabs. When the daemon is not running, commands
 *	that only read run against the database opened read-only (and the
 *	Maildir tree for quota figures), with a note on stderr; writes are
 *	refused, since they must go through the daemon to reach its RAM.
 * DIAGNOSTICS
 *	Exit 0 on OK, 1 when the daemon answered ERR, 2 on usage or
 *	connection problems.
 *--*/

#include "chatmail-config.h"
#include "policyd_config.h"
#include "policyd_ctl.h"
#include "cm_ctl_codec.h"
#include "cm_hydrate.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define CTL_TIMEOUT_S 120

/* ctl_print_reply - print rows, report the status; returns exit code */
static int ctl_print_reply(char *reply)
{
	char *line, *save = NULL, *fields[CM_CTL_WORDS_MAX * 2];
	int n, i, rows = 0;

	for (line = strtok_r(reply, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "* ", 2) == 0) {
			g_auto(GStrv) parts = g_strsplit(line + 2, "\t", -1);

			for (n = 0; parts[n] != NULL && n < (int) G_N_ELEMENTS(fields); n++) {
				fields[n] = parts[n];
				cm_ctl_unescape(fields[n]);
			}
			for (i = 0; i < n; i++)
				printf("%s%s", i ? "\t" : "", fields[i]);
			printf("\n");
			rows++;
		} else if (strncmp(line, "OK", 2) == 0) {
			if (line[2] == ' ' && rows == 0)
				printf("%s\n", line + 3);
			return 0;
		} else if (strncmp(line, "ERR ", 4) == 0) {
			const char *text = strchr(line + 4, ' ');

			fprintf(stderr, "chatmailctl: %s\n",
				text ? text + 1 : line + 4);
			return 1;
		}
	}
	fprintf(stderr, "chatmailctl: incomplete answer from the daemon\n");
	return 2;
}

/* ctl_connect - connect to the control socket; -1 with errno */
static int ctl_connect(const char *path)
{
	struct sockaddr_un sun;
	struct timeval tv = { CTL_TIMEOUT_S, 0 };
	int fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(sun.sun_path, path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return -1;
	if (connect(fd, (struct sockaddr *) &sun, sizeof(sun)) < 0) {
		int saved = errno;

		close(fd);
		errno = saved;
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	return fd;
}

/* ctl_status_complete - does buf end with a status line */
static gboolean ctl_status_complete(const GString *buf)
{
	gsize start;

	if (buf->len == 0 || buf->str[buf->len - 1] != '\n')
		return FALSE;
	start = buf->len - 1;
	while (start > 0 && buf->str[start - 1] != '\n')
		start--;
	return strncmp(buf->str + start, "OK", 2) == 0
	    || strncmp(buf->str + start, "ERR ", 4) == 0;
}

/* ctl_online - send the request, print the answer */
static int ctl_online(int fd, const char *request)
{
	GString *buf = g_string_new(NULL);
	char chunk[4096];
	ssize_t n;
	int rc;

	if (write(fd, request, strlen(request)) != (ssize_t) strlen(request)) {
		fprintf(stderr, "chatmailctl: send: %s\n", g_strerror(errno));
		return 2;
	}
	while (!ctl_status_complete(buf)) {
		n = read(fd, chunk, sizeof(chunk));
		if (n <= 0) {
			fprintf(stderr, "chatmailctl: the daemon %s\n", n == 0
				? "closed the connection" : g_strerror(errno));
			g_string_free(buf, TRUE);
			return 2;
		}
		g_string_append_len(buf, chunk, n);
	}
	rc = ctl_print_reply(buf->str);
	g_string_free(buf, TRUE);
	return rc;
}

/* ctl_offline_error - hydrate problems are notes, not failures */
static void ctl_offline_error(const char *what, const struct cm_error *err,
			      void *ctx)
{
	fprintf(stderr, "chatmailctl: skipping %s: %s\n", what, err->message);
}

/* ctl_offline - run the command against the read-only database */
static int ctl_offline(const struct policyd_config *config, char **words,
		       int n)
{
	struct cm_store_options opts = { config->sqlite_path, 1, 0, 0 };
	struct cm_hydrate_options hopts = {
		config->mail_root, config->mail_layout, ctl_offline_error, NULL
	};
	struct cm_hydrate_report report;
	struct cm_settings settings;
	struct policyd_ctl ctl;
	struct cm_error err;
	int rc;

	memset(&ctl, 0, sizeof(ctl));
	if (cm_store_open(&opts, &ctl.store, &err) < 0
	    || cm_settings_load(ctl.store, &settings, &err) < 0) {
		fprintf(stderr, "chatmailctl: %s\n", err.message);
		cm_store_close(&ctl.store);
		return 2;
	}
	ctl.hot = cm_hot_new();
	if (policyd_ctl_needs_hot(words, n)
	    && cm_hydrate_run(ctl.store, ctl.hot, &hopts, &report, &err) < 0)
		fprintf(stderr, "chatmailctl: hydrate: %s\n", err.message);
	ctl.settings = &settings;
	ctl.mail_root = config->mail_root;
	ctl.mail_layout = config->mail_layout;
	ctl.out = g_string_new(NULL);
	policyd_ctl_run(&ctl, words, n);
	rc = ctl_print_reply(ctl.out->str);
	g_string_free(ctl.out, TRUE);
	cm_hot_free(&ctl.hot);
	cm_store_close(&ctl.store);
	return rc;
}

/* ctl_request - the request line for argv's words */
static char *ctl_request(char **words, int n)
{
	char line[CM_CTL_LINE_MAX];

	if (cm_ctl_join((const char *const *) words, n, ' ', line,
			sizeof(line) - 1) < 0)
		return NULL;
	return g_strconcat(line, "\n", NULL);
}

/* ctl_run - online when the daemon answers, else offline */
static int ctl_run(const char *config_path, const char *socket_path,
		   char **words, int n)
{
	g_autoptr(GError) error = NULL;
	struct policyd_config *config = NULL;
	g_autofree char *request = ctl_request(words, n);
	int fd, rc;

	if (request == NULL) {
		fprintf(stderr, "chatmailctl: request longer than %d bytes\n",
			CM_CTL_LINE_MAX);
		return 2;
	}
	if (socket_path == NULL || socket_path[0] == '\0') {
		if ((config = policyd_config_load(config_path, &error)) == NULL) {
			fprintf(stderr, "chatmailctl: %s\n", error->message);
			return 2;
		}
		socket_path = config->control_socket;
	}
	if ((fd = ctl_connect(socket_path)) >= 0) {
		rc = ctl_online(fd, request);
		close(fd);
	} else if (config == NULL) {
		fprintf(stderr, "chatmailctl: connect %s: %s\n", socket_path,
			g_strerror(errno));
		rc = 2;
	} else {
		fprintf(stderr, "chatmailctl: chatmail-policyd is not running "
			"(%s: %s); read-only view of %s\n", socket_path,
			g_strerror(errno), config->sqlite_path);
		rc = ctl_offline(config, words, n);
	}
	policyd_config_unref(&config);
	return rc;
}

int main(int argc, char **argv)
{
	g_autofree char *config_path = NULL, *socket_path = NULL;
	GOptionEntry entries[] = {
		{ "config", 'c', 0, G_OPTION_ARG_FILENAME, &config_path,
		  "configuration file (default " POLICYD_CONFIG_DEFAULT ")",
		  "FILE" },
		{ "socket", 's', 0, G_OPTION_ARG_FILENAME, &socket_path,
		  "control socket (default: control_socket of the "
		  "configuration)", "SOCKET" },
		{ NULL, 0, 0, 0, NULL, NULL, NULL }
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new(
		"COMMAND [ARGUMENTS...]");
	g_autoptr(GError) error = NULL;

	g_option_context_add_main_entries(ctx, entries, NULL);
	g_option_context_set_summary(ctx, "Commands: version; quota get|set|"
		"list|recalc; stats; blocklist add|del|list; settings get|set|"
		"reset|list; federation mode|add|del|list|stats; token create|"
		"list|revoke; reload; flush. See doc/control-protocol.md.");
	g_option_context_set_strict_posix(ctx, TRUE);
	if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
		fprintf(stderr, "chatmailctl: %s (try --help)\n", error->message);
		return 2;
	}
	if (argc < 2) {
		fprintf(stderr, "chatmailctl: no command (try --help)\n");
		return 2;
	}
	return ctl_run(config_path ? config_path : POLICYD_CONFIG_DEFAULT,
		       socket_path, argv + 1, argc - 1);
}
