/*++
 * NAME
 *	policy_servers 3
 * SUMMARY
 *	policy benchmark: the Maildir tree, chatmail-policyd, quota-status
 * SYNOPSIS
 *	#include "policy.h"
 *
 *	void pb_make_tree(const char *dir, long users)
 *	void pb_chatmail_start(const struct pb_opts *opts, char *sock,
 *			       size_t size)
 *	int pb_chatmail_stop(void)
 *	int pb_dovecot_start(const struct pb_opts *opts, char *sock,
 *			     size_t size, char *why, size_t why_size)
 *	void pb_dovecot_stop(void)
 * DESCRIPTION
 *	pb_make_tree() creates dir/mail/example.org/userNNNNN/Maildir with
 *	cur/, new/ and tmp/ for each user and one message in cur/ (every
 *	third user also one in new/), named the way Dovecot names them,
 *	with ",S=<size>,W=<vsize>", the file holding exactly size bytes.
 *
 *	pb_chatmail_start() writes dir/chatmail.conf, starts the daemon
 *	with "-c CONF --foreground" (output to dir/daemon.log), waits up to
 *	30 s until its policy socket accepts connections and configures it
 *	with chatmailctl (output to dir/ctl.log): no sender rate limit,
 *	spam.example and 203.0.113.66 blocklisted, a 1 KiB quota for every
 *	500th user. Any failure prints the log's tail and exits 1. The
 *	policy socket's path goes to sock. pb_chatmail_stop() sends SIGTERM
 *	and waits up to 15 s; it returns the daemon's exit status (0 is a
 *	clean stop), or 0 when nothing runs.
 *
 *	pb_dovecot_start() runs "dovecot -F -c dir/dovecot/dovecot.conf"
 *	with everything (base_dir, state, logs) below dir/dovecot, a
 *	passwd-file for the users (mail uid nobody; the tree is chowned to
 *	it), the maildir quota backend with a 1 GiB rule and a quota-status
 *	service ("-p postfix", success = DUNNO) listening on
 *	dir/dovecot/run/quota-status. It waits for the socket and checks
 *	that a probe request gets "action=DUNNO". It returns 0 with the
 *	socket in sock, or -1 with the reason in why (nothing is fatal).
 *	pb_dovecot_stop() stops the master with SIGTERM.
 *--*/

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "policy.h"

#define DOVECOT_UID	65534	/* nobody */
#define DOVECOT_BIN	"/usr/sbin/dovecot"
#define QUOTA_STATUS	"/usr/lib/dovecot/quota-status"

/* mkdir_open - mkdirat (existing is fine) and open it */
static int mkdir_open(int parent, const char *name)
{
	if (mkdirat(parent, name, 0700) < 0 && errno != EEXIST)
		return (-1);
	return (openat(parent, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC));
}

/* message_text - a small plain message of user u into buf; its length */
static size_t message_text(char *buf, size_t size, long u, int m)
{
	size_t target = 400 + (size_t) ((u * 37 + m * 101) % 1500), len;

	len = (size_t) snprintf(buf, size,
		"Return-Path: <sender%ld@remote%ld.example>\n"
		"Delivered-To: user%05ld@" PB_DOMAIN "\n"
		"From: <sender%ld@remote%ld.example>\n"
		"To: <user%05ld@" PB_DOMAIN ">\n"
		"Subject: bench message %d\n"
		"Message-ID: <bench.%ld.%d@remote.example>\n"
		"Date: Tue, 14 Nov 2023 22:13:20 +0000\n"
		"MIME-Version: 1.0\n"
		"Content-Type: text/plain; charset=utf-8\n\n",
		u % 1000, u % 50, u, u % 1000, u % 50, u, m, u, m);
	while (len + 72 < target && len + 72 < size) {
		memset(buf + len, 'x', 71);
		buf[len + 71] = '\n';
		len += 72;
	}
	return (len);
}

/* put_message - one message file in dirfd, Dovecot-style name */
static int put_message(int dirfd, long u, int m, int in_cur)
{
	char text[2048], name[160];
	size_t len = message_text(text, sizeof(text), u, m), lines = 0, i;
	int fd, ret = 0;

	for (i = 0; i < len; i++)
		lines += text[i] == '\n';
	snprintf(name, sizeof(name), "%ld.M%ldP%ld.bench,S=%zu,W=%zu%s",
		 1700000000L + m, (u * 7919) % 1000000, u + 1000, len,
		 len + lines, in_cur ? ":2,S" : "");
	fd = openat(dirfd, name, O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC,
		    0600);
	if (fd < 0)
		return (-1);
	if (write(fd, text, len) != (ssize_t) len)
		ret = -1;
	if (close(fd) < 0)
		ret = -1;
	return (ret);
}

/* make_user - Maildir skeleton and messages of user u */
static int make_user(int domain_fd, long u)
{
	static const char *const sub[] = {"cur", "new", "tmp"};
	char name[32];
	int usr, md, fd[3], i, ret = 0;

	snprintf(name, sizeof(name), "user%05ld", u);
	if ((usr = mkdir_open(domain_fd, name)) < 0)
		return (-1);
	md = mkdir_open(usr, "Maildir");
	close(usr);
	if (md < 0)
		return (-1);
	for (i = 0; i < 3; i++)
		if ((fd[i] = mkdir_open(md, sub[i])) < 0)
			ret = -1;
	close(md);
	if (ret == 0)
		ret = put_message(fd[0], u, 0, 1);
	if (ret == 0 && u % 3 == 0)
		ret = put_message(fd[1], u, 1, 0);
	for (i = 0; i < 3; i++)
		if (fd[i] >= 0)
			close(fd[i]);
	return (ret);
}

/* pb_make_tree - dir/mail/example.org/userNNNNN/Maildir for all users */
void pb_make_tree(const char *dir, long users)
{
	double t0 = pb_now();
	int root, mail, dom;
	long u;

	if ((root = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		pb_die(errno, "open %s", dir);
	if ((mail = mkdir_open(root, "mail")) < 0
	    || (dom = mkdir_open(mail, PB_DOMAIN)) < 0)
		pb_die(errno, "mkdir %s/mail/%s", dir, PB_DOMAIN);
	for (u = 0; u < users; u++) {
		pb_checkpoint();
		if (make_user(dom, u) < 0)
			pb_die(errno, "creating the Maildir of user %ld", u);
	}
	close(dom);
	close(mail);
	close(root);
	fprintf(stderr, "made %ld Maildirs in %.1f s\n", users,
		pb_now() - t0);
}

/* write_file - create path with text; exits on failure */
static void write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	if (fp == NULL)
		pb_die(errno, "create %s", path);
	fputs(text, fp);
	if (fclose(fp) != 0)
		pb_die(errno, "write %s", path);
}

/* chatmail_conf - the daemon's configuration file */
static void chatmail_conf(const char *dir, const char *conf)
{
	char text[4096];

	snprintf(text, sizeof(text),
		 "# written by bench/policy\n"
		 "[chatmail]\n"
		 "local_domains = " PB_DOMAIN "\n"
		 "sqlite_path = %s/chatmail.db\n"
		 "mail_root = %s/mail\n"
		 "policy_socket = %s/policy.sock\n"
		 "policy_socket_user =\n"
		 "policy_socket_group =\n"
		 "control_socket = %s/control.sock\n"
		 "dovecot_socket = %s/dovecot.sock\n"
		 "milter_socket =\n"
		 "pid_file = %s/chatmail-policyd.pid\n"
		 "log = stderr\n", dir, dir, dir, dir, dir, dir);
	write_file(conf, text);
}

/* ctl - run "chatmailctl -c CONF words..."; exits on failure */
static void ctl(const struct pb_opts *opts, const char *conf,
		const char *a1, const char *a2, const char *a3,
		const char *a4)
{
	char *argv[] = {(char *) opts->ctl, "-c", (char *) conf,
		(char *) a1, (char *) a2, (char *) a3, (char *) a4, NULL};
	char log[512];

	snprintf(log, sizeof(log), "%s/ctl.log", pb_state.dir);
	if (pb_run_command(argv, log) != 0) {
		fprintf(stderr, "bench/policy: %s -c %s %s %s %s%s%s failed\n",
			opts->ctl, conf, a1, a2, a3, a4 ? " " : "",
			a4 ? a4 : "");
		pb_print_tail(log, 10);
		pb_die(0, "%s", "configuring chatmail-policyd failed");
	}
}

/* chatmail_configure - rate limit off, some blocklist and quota entries */
static void chatmail_configure(const struct pb_opts *opts, const char *conf)
{
	char user[64];
	long u;

	ctl(opts, conf, "settings", "set", "max_user_send_per_minute", "0");
	ctl(opts, conf, "blocklist", "add", "domain", "spam.example");
	ctl(opts, conf, "blocklist", "add", "ip", "203.0.113.66");
	for (u = 7; u < opts->users && !pb_stopping(); u += 500) {
		snprintf(user, sizeof(user), "user%05ld@" PB_DOMAIN, u);
		ctl(opts, conf, "quota", "set", user, "1K");
	}
}

/* pb_chatmail_start - configure, start and wait for chatmail-policyd */
void pb_chatmail_start(const struct pb_opts *opts, char *sock, size_t size)
{
	char conf[512], log[512], csock[512];
	char *argv[] = {(char *) opts->daemon, "-c", conf, "--foreground",
		NULL};
	double t0 = pb_now();
	int w;

	snprintf(conf, sizeof(conf), "%s/chatmail.conf", pb_state.dir);
	snprintf(log, sizeof(log), "%s/daemon.log", pb_state.dir);
	snprintf(sock, size, "%s/policy.sock", pb_state.dir);
	snprintf(csock, sizeof(csock), "%s/control.sock", pb_state.dir);
	chatmail_conf(pb_state.dir, conf);
	pb_state.daemon_pid = pb_spawn(argv, log);
	w = pb_wait_socket(sock, 30.0, &pb_state.daemon_pid);
	if (w == 0)
		w = pb_wait_socket(csock, 5.0, &pb_state.daemon_pid);
	if (w < 0) {
		fprintf(stderr, "bench/policy: chatmail-policyd %s\n",
			w == -2 ? "exited" : "did not listen within 30 s");
		pb_print_tail(log, 20);
		pb_die(0, "%s", "chatmail-policyd did not start");
	}
	fprintf(stderr, "chatmail-policyd listening after %.2f s\n",
		pb_now() - t0);
	chatmail_configure(opts, conf);
}

/* pb_chatmail_stop - SIGTERM and wait; the exit status */
int pb_chatmail_stop(void)
{
	char log[512];
	int status;

	if (pb_state.daemon_pid <= 0)
		return (0);
	status = pb_stop_child(&pb_state.daemon_pid, 15.0);
	if (status != 0) {
		snprintf(log, sizeof(log), "%s/daemon.log", pb_state.dir);
		fprintf(stderr, "bench/policy: chatmail-policyd did not stop "
			"cleanly (status %d)\n", status);
		pb_print_tail(log, 10);
	}
	return (status);
}

/* chown_entry - nftw callback: give one entry to the mail uid */
static int chown_entry(const char *path, const struct stat *st, int flag,
		       struct FTW *ftw)
{
	(void) st;
	(void) flag;
	(void) ftw;
	return (lchown(path, DOVECOT_UID, DOVECOT_UID) < 0 ? -1 : 0);
}

/* dovecot_users - passwd-file with every user; -1 on failure */
static int dovecot_users(const char *path, long users)
{
	FILE *fp = fopen(path, "w");
	long u;

	if (fp == NULL)
		return (-1);
	for (u = 0; u < users; u++)
		fprintf(fp, "user%05ld@" PB_DOMAIN ":{PLAIN}bench:%d:%d::"
			"%s/mail/" PB_DOMAIN "/user%05ld::\n", u, DOVECOT_UID,
			DOVECOT_UID, pb_state.dir, u);
	return (fclose(fp) == 0 ? 0 : -1);
}

/* dovecot_conf - the throwaway instance's configuration; -1 on failure */
static int dovecot_conf(const char *d, const char *path)
{
	FILE *fp = fopen(path, "w");

	if (fp == NULL)
		return (-1);
	fprintf(fp, "# written by bench/policy\n"
		"base_dir = %s/run\nstate_dir = %s/state\n"
		"log_path = %s/dovecot.log\ninstance_name = cm-bench-policy\n"
		"protocols =\nssl = no\n"
		"default_internal_user = dovecot\n"
		"default_login_user = dovenull\n"
		"mail_location = maildir:~/Maildir\nfirst_valid_uid = 1\n"
		"mail_plugins = quota\n"
		"passdb {\n  driver = passwd-file\n  args = %s/users\n}\n"
		"userdb {\n  driver = passwd-file\n  args = %s/users\n}\n"
		"plugin {\n  quota = maildir:User quota\n"
		"  quota_rule = *:storage=1G\n"
		"  quota_status_success = DUNNO\n"
		"  quota_status_nouser = DUNNO\n"
		"  quota_status_overquota = \"552 5.2.2 Mailbox is full\"\n"
		"}\n"
		"service quota-status {\n"
		"  executable = quota-status -p postfix\n"
		"  unix_listener quota-status {\n    mode = 0666\n  }\n"
		"  client_limit = 1\n}\n", d, d, d, d, d);
	return (fclose(fp) == 0 ? 0 : -1);
}

/* dovecot_prepare - directories, users, config, tree ownership */
static int dovecot_prepare(const struct pb_opts *opts, const char *d,
			   char *why, size_t why_size)
{
	char path[512];

	if (access(DOVECOT_BIN, X_OK) < 0 || access(QUOTA_STATUS, X_OK) < 0) {
		snprintf(why, why_size, "%s or %s not installed", DOVECOT_BIN,
			 QUOTA_STATUS);
		return (-1);
	}
	if (geteuid() != 0) {
		snprintf(why, why_size, "%s", "a throwaway dovecot needs root");
		return (-1);
	}
	snprintf(path, sizeof(path), "%s/mail", pb_state.dir);
	if (mkdir(d, 0755) < 0 || nftw(path, chown_entry, 32, FTW_PHYS) != 0) {
		snprintf(why, why_size, "preparing %s: %s", d,
			 strerror(errno));
		return (-1);
	}
	snprintf(path, sizeof(path), "%s/users", d);
	if (dovecot_users(path, opts->users) < 0) {
		snprintf(why, why_size, "writing %s: %s", path,
			 strerror(errno));
		return (-1);
	}
	snprintf(path, sizeof(path), "%s/dovecot.conf", d);
	if (dovecot_conf(d, path) < 0) {
		snprintf(why, why_size, "writing %s: %s", path,
			 strerror(errno));
		return (-1);
	}
	return (0);
}

/* last_line - the last non-empty line of a file into buf */
static void last_line(const char *path, char *buf, size_t size)
{
	char line[512];
	FILE *fp = fopen(path, "r");
	size_t n;

	snprintf(buf, size, "%s", "no log");
	if (fp == NULL)
		return;
	while (fgets(line, sizeof(line), fp) != NULL) {
		if ((n = strcspn(line, "\n")) == 0)
			continue;
		if (n >= size)
			n = size - 1;
		memcpy(buf, line, n);
		buf[n] = '\0';
	}
	fclose(fp);
}

/* pb_dovecot_start - start a throwaway dovecot; 0, or -1 with why */
int pb_dovecot_start(const struct pb_opts *opts, char *sock, size_t size,
		     char *why, size_t why_size)
{
	char d[320], conf[512], log[512], line[300], reply[256];
	char *argv[] = {DOVECOT_BIN, "-F", "-c", conf, NULL};
	int w;

	snprintf(d, sizeof(d), "%s/dovecot", pb_state.dir);
	snprintf(conf, sizeof(conf), "%s/dovecot.conf", d);
	snprintf(log, sizeof(log), "%s/master.log", d);
	snprintf(sock, size, "%s/run/quota-status", d);
	if (dovecot_prepare(opts, d, why, why_size) < 0)
		return (-1);
	pb_state.dovecot_pid = pb_spawn(argv, log);
	w = pb_wait_socket(sock, 15.0, &pb_state.dovecot_pid);
	if (w < 0) {
		last_line(log, line, sizeof(line));
		snprintf(why, why_size, "dovecot %s: %s", w == -2 ? "exited"
			 : "did not listen in 15 s", line);
		return (-1);
	}
	if (pb_probe(sock, reply, sizeof(reply)) < 0
	    || strcmp(reply, "action=DUNNO\n\n") != 0) {
		reply[strcspn(reply, "\n")] = '\0';
		snprintf(log, sizeof(log), "%s/dovecot.log", d);
		last_line(log, line, sizeof(line));
		snprintf(why, why_size, "probe got \"%s\"; log: %.150s", reply,
			 line);
		return (-1);
	}
	fprintf(stderr, "dovecot quota-status listening on %s\n", sock);
	return (0);
}

/* pb_dovecot_stop - stop the master (it takes its children along) */
void pb_dovecot_stop(void)
{
	if (pb_state.dovecot_pid > 0)
		pb_stop_child(&pb_state.dovecot_pid, 15.0);
}
