/*++
 * NAME
 *	idle 1
 * SUMMARY
 *	benchmark: delivery-to-IDLE latency, chatmail plugin vs stock Dovecot
 * SYNOPSIS
 *	bench/idle [--samples N] [--quick] [--interval-ms MS] [--hibernate]
 *		[--plugin SO] [--script SH] [--keep] [--verbose]
 * DESCRIPTION
 *	Starts two throwaway Dovecot instances with bench/idle.sh (--script)
 *	in a mkdtemp() directory under /var/tmp: "stock" (no mail plugins)
 *	and "chatmail" (mail_plugins = quota chatmail, loading --plugin,
 *	default the lib95_chatmail_plugin.so of this build tree). For each
 *	it keeps one IMAP connection in IDLE on INBOX and one LMTP
 *	connection, both over 127.0.0.1 with TCP_NODELAY.
 *
 *	One sample delivers a small message over LMTP and measures from
 *	the final "250" reply to LMTP's end-of-data (the message is saved
 *	and committed) to the "* N EXISTS" line on the IDLE connection.
 *	Both sockets are polled together; when EXISTS arrives before the
 *	250 the sample counts as 0 ms and in the "early" column.
 *
 *	After one unmeasured warm-up delivery each, the instances take
 *	turns, --samples N (default 50; --quick means 2, for smoke tests)
 *	each. A delivery starts at least --interval-ms (default 1000; 3000
 *	with --hibernate) after the EXISTS of the same instance's previous
 *	sample. Counting from the EXISTS, not from the delivery, matters
 *	for stock Dovecot: the sync that sends EXISTS moves the message
 *	from new/ to cur/, which arms Dovecot's 500 ms timer once more; a
 *	delivery landing inside that window would read falsely low.
 *
 *	--hibernate sets imap_hibernate_timeout = 1s in both instances:
 *	every delivery then finds the client hibernated (imap-hibernate
 *	holds the connection and the inotify fd of Dovecot's own watches),
 *	and the sample measures un-hibernation too. Un-hibernation has no
 *	500 ms delay in stock Dovecot either, so the target line says n/a;
 *	this mode shows that the plugin keeps hibernation working.
 *
 *	It prints per instance the samples, median, p90, min and max in
 *	milliseconds, the "early" count, and for context the median time
 *	from sending end-of-data to EXISTS (LMTP delivery included); then
 *	the ratio of the medians ("> N x" when the chatmail median is
 *	under 0.1 ms) and whether the target (chatmail median < 50 ms and
 *	>= 10 x faster than stock) is met.
 * DIAGNOSTICS
 *	Exit 0 when every sample got its EXISTS (whatever the timings);
 *	1 when something broke (Dovecot did not start, a connection or
 *	command failed, no EXISTS within 15 s); 77 when not run as root
 *	(Dovecot must start as root). The directory is removed at the end
 *	unless --keep. --verbose prints every sample to stderr.
 * SEE ALSO
 *	bench/idle.sh, dovecot-plugin/chatmail-idle.c
 *--*/

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef IDLE_SCRIPT
#define IDLE_SCRIPT "bench/idle.sh"
#endif
#ifndef IDLE_PLUGIN
#define IDLE_PLUGIN "dovecot-plugin/.libs/lib95_chatmail_plugin.so"
#endif

#define IDLE_TARGETS	2
#define IDLE_TIMEOUT_MS	15000
#define IDLE_LINE_MAX	4096

struct idle_conn {
	int	fd;
	size_t	len;			/* bytes buffered in buf */
	char	buf[IDLE_LINE_MAX];
};

struct idle_target {
	char	name[32];
	int	imap_port;
	int	lmtp_port;
	struct idle_conn imap;
	struct idle_conn lmtp;
	unsigned long exists;		/* last EXISTS count seen */
	double *ms;			/* owned: one latency per sample */
	double *eod;			/* owned: end-of-data sent -> EXISTS */
	unsigned n;			/* samples taken */
	unsigned early;			/* EXISTS before the 250 */
	double	last_ms;		/* when the last EXISTS came */
};

struct idle_opts {
	unsigned samples;
	unsigned interval_ms;
	int	hibernate;
	int	keep;
	int	verbose;
	const char *plugin;
	const char *script;
};

struct idle_run {
	struct idle_opts opts;
	char	dir[64];		/* the mkdtemp() directory */
	char	quota[256];		/* quota root line from idle.sh */
	int	started;		/* idle.sh start succeeded */
	struct idle_target t[IDLE_TARGETS];
};

static volatile sig_atomic_t idle_stop;

/* idle_signal - SIGINT/SIGTERM: end the run, clean up */
static void idle_signal(int sig)
{
	(void) sig;
	idle_stop = 1;
}

/* idle_now_ms - monotonic clock in milliseconds */
static double idle_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((double) ts.tv_sec * 1e3 + ts.tv_nsec / 1e6);
}

/* idle_sleep_ms - sleep, cut short by a signal */
static void idle_sleep_ms(double ms)
{
	struct timespec ts;

	if (ms <= 0)
		return;
	ts.tv_sec = (time_t) (ms / 1e3);
	ts.tv_nsec = (long) ((ms - ts.tv_sec * 1e3) * 1e6);
	nanosleep(&ts, NULL);
}

/* idle_fail - print why a step failed; always -1 */
static int idle_fail(const struct idle_target *t, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "bench/idle: %s: ", t != NULL ? t->name : "setup");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return (-1);
}

/* idle_connect - TCP connection to 127.0.0.1:port with TCP_NODELAY */
static int idle_connect(struct idle_conn *c, int port)
{
	struct sockaddr_in sin;
	int one = 1;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((unsigned short) port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	c->len = 0;
	c->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		return (-1);
	if (setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one,
		       sizeof(one)) < 0 ||
	    connect(c->fd, (struct sockaddr *) &sin, sizeof(sin)) < 0) {
		close(c->fd);
		c->fd = -1;
		return (-1);
	}
	return (0);
}

/* idle_close - close a connection if open */
static void idle_close(struct idle_conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->len = 0;
}

/* idle_send - write all of a string */
static int idle_send(struct idle_conn *c, const char *s)
{
	size_t left = strlen(s);
	ssize_t w;

	while (left > 0) {
		w = write(c->fd, s, left);
		if (w < 0 && errno == EINTR && !idle_stop)
			continue;
		if (w <= 0)
			return (-1);
		s += w;
		left -= (size_t) w;
	}
	return (0);
}

/* idle_take_line - 1 and a NUL-terminated line (no CRLF) when buffered */
static int idle_take_line(struct idle_conn *c, char *line, size_t size)
{
	char   *nl = memchr(c->buf, '\n', c->len);
	size_t  n;

	if (nl == NULL)
		return (0);
	n = (size_t) (nl - c->buf);
	if (n > 0 && c->buf[n - 1] == '\r')
		n--;
	if (n >= size)
		n = size - 1;
	memcpy(line, c->buf, n);
	line[n] = '\0';
	c->len -= (size_t) (nl + 1 - c->buf);
	memmove(c->buf, nl + 1, c->len);
	return (1);
}

/* idle_fill - read what is there into the buffer; -1 on EOF/error */
static int idle_fill(struct idle_conn *c)
{
	ssize_t r;

	if (c->len == sizeof(c->buf))
		return (-1);			/* a line longer than we take */
	r = read(c->fd, c->buf + c->len, sizeof(c->buf) - c->len);
	if (r < 0 && errno == EINTR && !idle_stop)
		return (0);
	if (r <= 0)
		return (-1);
	c->len += (size_t) r;
	return (0);
}

/* idle_read_line - next line within timeout_ms: 1, 0 timeout, -1 error */
static int idle_read_line(struct idle_conn *c, char *line, size_t size,
			  int timeout_ms)
{
	double deadline = idle_now_ms() + timeout_ms;
	struct pollfd pfd;
	int     r;

	for (;;) {
		if (idle_take_line(c, line, size))
			return (1);
		if (idle_stop)
			return (-1);
		pfd.fd = c->fd;
		pfd.events = POLLIN;
		r = poll(&pfd, 1, (int) (deadline - idle_now_ms()));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return (-1);
		if (r == 0)
			return (0);
		if (idle_fill(c) < 0)
			return (-1);
	}
}

/* idle_expect - read lines until one starts with prefix (IMAP untagged
 *	EXISTS lines are noted on the way); 0 or -1 */
static int idle_expect(struct idle_target *t, struct idle_conn *c,
		       const char *prefix, const char *what)
{
	char    line[IDLE_LINE_MAX];
	unsigned long n;
	char    word[16];

	for (;;) {
		if (idle_read_line(c, line, sizeof(line), IDLE_TIMEOUT_MS) <= 0)
			return (idle_fail(t, "%s: no reply", what));
		if (c == &t->imap && sscanf(line, "* %lu %15s", &n, word) == 2
		    && strcmp(word, "EXISTS") == 0)
			t->exists = n;
		if (strncmp(line, prefix, strlen(prefix)) == 0)
			return (0);
		if (c == &t->imap && line[0] == '*')
			continue;
		if (c == &t->lmtp && strncmp(line, "250-", 4) == 0)
			continue;
		return (idle_fail(t, "%s: unexpected reply \"%s\"", what, line));
	}
}

/* idle_command - send a line, expect a reply starting with prefix */
static int idle_command(struct idle_target *t, struct idle_conn *c,
			const char *cmd, const char *prefix)
{
	if (idle_send(c, cmd) < 0)
		return (idle_fail(t, "send %.*s: %s", (int) strcspn(cmd, "\r"),
				  cmd, strerror(errno)));
	return (idle_expect(t, c, prefix, cmd));
}

/* idle_target_open - IMAP login, SELECT, IDLE; LMTP greeting and LHLO */
static int idle_target_open(struct idle_target *t)
{
	if (idle_connect(&t->imap, t->imap_port) < 0)
		return (idle_fail(t, "IMAP connect: %s", strerror(errno)));
	if (idle_expect(t, &t->imap, "* OK", "IMAP greeting") < 0
	    || idle_command(t, &t->imap, "a LOGIN bench bench\r\n", "a OK") < 0
	    || idle_command(t, &t->imap, "b SELECT INBOX\r\n", "b OK") < 0
	    || idle_command(t, &t->imap, "c IDLE\r\n", "+ ") < 0)
		return (-1);
	if (idle_connect(&t->lmtp, t->lmtp_port) < 0)
		return (idle_fail(t, "LMTP connect: %s", strerror(errno)));
	if (idle_expect(t, &t->lmtp, "220 ", "LMTP greeting") < 0
	    || idle_command(t, &t->lmtp, "LHLO bench.example\r\n", "250 ") < 0)
		return (-1);
	return (0);
}

/* idle_target_close - leave IDLE, log out, quit LMTP (best effort) */
static void idle_target_close(struct idle_target *t)
{
	if (t->imap.fd >= 0 && idle_send(&t->imap, "DONE\r\n") == 0
	    && idle_expect(t, &t->imap, "c OK", "DONE") == 0)
		(void) idle_command(t, &t->imap, "d LOGOUT\r\n", "d OK");
	if (t->lmtp.fd >= 0)
		(void) idle_command(t, &t->lmtp, "QUIT\r\n", "221 ");
	idle_close(&t->imap);
	idle_close(&t->lmtp);
}

/* idle_wait_both - poll LMTP for the final 250 and IMAP for EXISTS above
 *	t->exists; their arrival times in *lmtp_ms, *imap_ms. 0 or -1 */
static int idle_wait_both(struct idle_target *t, double *lmtp_ms,
			  double *imap_ms)
{
	double deadline = idle_now_ms() + IDLE_TIMEOUT_MS, now;
	char    line[IDLE_LINE_MAX], word[16];
	struct pollfd pfd[2];
	unsigned long n;
	int     r, i;

	*lmtp_ms = *imap_ms = -1;
	while (*lmtp_ms < 0 || *imap_ms < 0) {
		pfd[0].fd = *lmtp_ms < 0 ? t->lmtp.fd : -1;
		pfd[1].fd = *imap_ms < 0 ? t->imap.fd : -1;
		pfd[0].events = pfd[1].events = POLLIN;
		r = poll(pfd, 2, (int) (deadline - idle_now_ms()));
		now = idle_now_ms();
		if (r < 0 && errno == EINTR && !idle_stop)
			continue;
		if (r <= 0)
			return (idle_fail(t, "%s", r == 0 ? (*lmtp_ms < 0 ?
				"no 250 after end-of-data" : "no EXISTS in IDLE")
					  : "interrupted"));
		for (i = 0; i < 2; i++) {
			struct idle_conn *c = i == 0 ? &t->lmtp : &t->imap;

			if (pfd[i].fd < 0 || pfd[i].revents == 0)
				continue;
			if (idle_fill(c) < 0)
				return (idle_fail(t, "connection closed"));
			while (idle_take_line(c, line, sizeof(line))) {
				if (i == 0 && strncmp(line, "250 ", 4) == 0)
					*lmtp_ms = now;
				else if (i == 0)
					return (idle_fail(t, "delivery: \"%s\"",
							  line));
				else if (sscanf(line, "* %lu %15s", &n,
						word) == 2
					 && strcmp(word, "EXISTS") == 0
					 && n > t->exists) {
					t->exists = n;
					*imap_ms = now;
				}
			}
		}
	}
	return (0);
}

/* idle_sample - deliver one message; its latency in ms, or -1; the time
 *	from sending end-of-data to EXISTS in *eod_r */
static double idle_sample(struct idle_target *t, unsigned seq, double *eod_r)
{
	double  lmtp_ms, imap_ms, sent_ms;
	char    msg[512];

	*eod_r = 0;
	snprintf(msg, sizeof(msg),
		 "From: bench@example.org\r\nTo: bench@example.org\r\n"
		 "Subject: idle %s %u\r\nMessage-ID: <idle-%s-%u-%ld@bench>\r\n"
		 "\r\nsample %u\r\n.\r\n", t->name, seq, t->name, seq,
		 (long) getpid(), seq);
	if (idle_command(t, &t->lmtp, "MAIL FROM:<bench@example.org>\r\n",
			 "250 ") < 0
	    || idle_command(t, &t->lmtp, "RCPT TO:<bench@example.org>\r\n",
			    "250 ") < 0
	    || idle_command(t, &t->lmtp, "DATA\r\n", "354 ") < 0)
		return (-1);
	if (idle_send(&t->lmtp, msg) < 0)
		return (idle_fail(t, "send message: %s", strerror(errno)));
	sent_ms = idle_now_ms();
	if (idle_wait_both(t, &lmtp_ms, &imap_ms) < 0)
		return (-1);
	t->last_ms = imap_ms;
	*eod_r = imap_ms - sent_ms;
	if (imap_ms < lmtp_ms) {
		t->early++;
		return (0);
	}
	return (imap_ms - lmtp_ms);
}

/* idle_cmp - qsort order of doubles */
static int idle_cmp(const void *a, const void *b)
{
	double x = *(const double *) a, y = *(const double *) b;

	return ((x > y) - (x < y));
}

/* idle_median - median of sorted v[0..n-1] */
static double idle_median(const double *v, unsigned n)
{
	return (n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2);
}

/* idle_p90 - nearest-rank 90th percentile of sorted v[0..n-1] */
static double idle_p90(const double *v, unsigned n)
{
	unsigned rank = (9 * n + 9) / 10;	/* ceil(0.9 n) */

	return (v[rank > 0 ? rank - 1 : 0]);
}

/* idle_script - run "SCRIPT VERB DIR ..." with stdout to a pipe; the
 *	FILE to read it from, closed by idle_script_end() */
static int idle_script(const struct idle_run *run, const char *verb,
		       FILE **out_r, pid_t *pid_r)
{
	const char *argv[7];
	int     p[2], i = 0;
	pid_t   pid;

	argv[i++] = "/bin/bash";
	argv[i++] = run->opts.script;
	argv[i++] = verb;
	argv[i++] = run->dir;
	if (strcmp(verb, "start") == 0) {
		argv[i++] = run->opts.plugin;
		if (run->opts.hibernate)
			argv[i++] = "hibernate";
	}
	argv[i] = NULL;
	if (pipe(p) < 0 || (pid = fork()) < 0)
		return (idle_fail(NULL, "pipe/fork: %s", strerror(errno)));
	if (pid == 0) {
		dup2(p[1], 1);
		close(p[0]);
		close(p[1]);
		execv(argv[0], (char *const *) argv);
		_exit(127);
	}
	close(p[1]);
	*out_r = fdopen(p[0], "r");
	*pid_r = pid;
	return (*out_r != NULL ? 0 : -1);
}

/* idle_script_end - close the pipe, wait; the script's exit status */
static int idle_script_end(FILE *out, pid_t pid)
{
	int     status;

	fclose(out);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return (-1);
	return (WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

/* idle_start - start both Dovecots, learn their ports; 0 or -1 */
static int idle_start(struct idle_run *run)
{
	char    line[256], name[32];
	int     imap, lmtp, i, found = 0;
	FILE   *out;
	pid_t   pid;

	if (idle_script(run, "start", &out, &pid) < 0)
		return (-1);
	while (fgets(line, sizeof(line), out) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if (strncmp(line, "quota ", 6) == 0) {
			snprintf(run->quota, sizeof(run->quota), "%s", line + 6);
			continue;
		}
		if (sscanf(line, "%31s %d %d", name, &imap, &lmtp) != 3)
			continue;
		for (i = 0; i < IDLE_TARGETS; i++) {
			if (strcmp(run->t[i].name, name) == 0) {
				run->t[i].imap_port = imap;
				run->t[i].lmtp_port = lmtp;
				found++;
			}
		}
	}
	run->started = 1;		/* stop even after a partial start */
	if (idle_script_end(out, pid) != 0 || found != IDLE_TARGETS)
		return (idle_fail(NULL, "%s start failed", run->opts.script));
	return (0);
}

/* idle_cleanup - close clients, stop the Dovecots, remove the dir */
static int idle_cleanup(struct idle_run *run)
{
	const char *rm[] = { "rm", "-rf", "--", run->dir, NULL };
	FILE   *out;
	pid_t   pid;
	int     i, rc = 0;

	for (i = 0; i < IDLE_TARGETS; i++) {
		idle_target_close(&run->t[i]);
		free(run->t[i].ms);
		free(run->t[i].eod);
		run->t[i].ms = run->t[i].eod = NULL;
	}
	if (run->started) {
		if (idle_script(run, "stop", &out, &pid) < 0
		    || idle_script_end(out, pid) != 0)
			rc = idle_fail(NULL, "Dovecot did not stop cleanly");
		run->started = 0;
	}
	if (run->opts.keep) {
		fprintf(stderr, "bench/idle: kept %s\n", run->dir);
	} else if ((pid = fork()) == 0) {
		execvp(rm[0], (char *const *) rm);
		_exit(127);
	} else if (pid > 0) {
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	return (rc);
}

/* idle_measure - warm up, then take the samples in turns; 0 or -1 */
static int idle_measure(struct idle_run *run)
{
	struct idle_target *t;
	unsigned s;
	double  ms, eod;
	int     i;

	for (i = 0; i < IDLE_TARGETS; i++) {
		t = &run->t[i];
		t->ms = calloc(run->opts.samples, sizeof(double));
		t->eod = calloc(run->opts.samples, sizeof(double));
		if (t->ms == NULL || t->eod == NULL || idle_target_open(t) < 0)
			return (-1);
	}
	for (s = 0; s <= run->opts.samples; s++) {	/* s == 0: warm-up */
		for (i = 0; i < IDLE_TARGETS; i++) {
			t = &run->t[i];
			if (s > 0)
				idle_sleep_ms(t->last_ms + run->opts.interval_ms
					      - idle_now_ms());
			if ((ms = idle_sample(t, s, &eod)) < 0)
				return (-1);
			if (run->opts.verbose)
				fprintf(stderr, "%-8s %3u %9.2f ms (eod %.2f)\n",
					t->name, s, ms, eod);
			if (s == 0) {
				t->early = 0;
				continue;
			}
			t->eod[t->n] = eod;
			t->ms[t->n++] = ms;
		}
	}
	return (0);
}

/* idle_report - the table, the ratio and the target line */
static void idle_report(struct idle_run *run)
{
	double  med[IDLE_TARGETS];
	struct idle_target *t;
	int     i;

	printf("bench/idle: delivery-to-IDLE latency, LMTP end-of-data "
	       "\"250\" -> \"* N EXISTS\" in IDLE\n");
	printf("samples: %u per instance, >= %u ms apart; hibernation: %s; "
	       "chatmail quota root: %s\n", run->opts.samples,
	       run->opts.interval_ms, run->opts.hibernate ? "1s" : "off",
	       run->quota[0] ? run->quota : "?");
	printf("%-9s %7s %9s %9s %9s %9s %5s %13s\n", "instance", "samples",
	       "median_ms", "p90_ms", "min_ms", "max_ms", "early",
	       "eod_median_ms");
	for (i = 0; i < IDLE_TARGETS; i++) {
		t = &run->t[i];
		qsort(t->ms, t->n, sizeof(double), idle_cmp);
		qsort(t->eod, t->n, sizeof(double), idle_cmp);
		med[i] = idle_median(t->ms, t->n);
		printf("%-9s %7u %9.2f %9.2f %9.2f %9.2f %5u %13.2f\n", t->name,
		       t->n, med[i], idle_p90(t->ms, t->n), t->ms[0],
		       t->ms[t->n - 1], t->early, idle_median(t->eod, t->n));
	}
	/* below 0.1 ms the clock says "at once"; give a lower bound */
	printf("ratio (stock/chatmail median): %s%.1f x\n",
	       med[1] < 0.1 ? "> " : "", med[0] / (med[1] < 0.1 ? 0.1 : med[1]));
	printf("target (chatmail median < 50 ms, >= 10 x stock): %s\n",
	       run->opts.hibernate ? "n/a (un-hibernation has no 500 ms delay)"
	       : med[1] < 50 && med[0] >= 10 * med[1] ? "met" : "not met");
}

/* idle_usage - print usage, exit 1 */
static void idle_usage(void)
{
	fprintf(stderr, "usage: bench/idle [--samples N] [--quick] "
		"[--interval-ms MS] [--hibernate] [--plugin SO] "
		"[--script SH] [--keep] [--verbose]\n");
	exit(1);
}

/* idle_args - parse the command line into opts */
static void idle_args(int argc, char **argv, struct idle_opts *o)
{
	int     i, interval_set = 0;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(a, "--quick") == 0)
			o->samples = 2;
		else if (strcmp(a, "--hibernate") == 0)
			o->hibernate = 1;
		else if (strcmp(a, "--keep") == 0)
			o->keep = 1;
		else if (strcmp(a, "--verbose") == 0)
			o->verbose = 1;
		else if (v == NULL)
			idle_usage();
		else if (strcmp(a, "--samples") == 0 && atoi(v) > 0)
			o->samples = (unsigned) atoi(v), i++;
		else if (strcmp(a, "--interval-ms") == 0 && atoi(v) > 0)
			o->interval_ms = (unsigned) atoi(v), interval_set = 1, i++;
		else if (strcmp(a, "--plugin") == 0)
			o->plugin = v, i++;
		else if (strcmp(a, "--script") == 0)
			o->script = v, i++;
		else
			idle_usage();
	}
	if (o->hibernate && !interval_set)
		o->interval_ms = 3000;
}

int     main(int argc, char **argv)
{
	struct idle_run run;
	struct sigaction sa;
	int     rc;

	memset(&run, 0, sizeof(run));
	run.opts.samples = 50;
	run.opts.interval_ms = 1000;
	run.opts.plugin = IDLE_PLUGIN;
	run.opts.script = IDLE_SCRIPT;
	idle_args(argc, argv, &run.opts);
	if (geteuid() != 0) {
		printf("bench/idle: SKIP: needs root to start Dovecot\n");
		return (77);
	}
	snprintf(run.t[0].name, sizeof(run.t[0].name), "stock");
	snprintf(run.t[1].name, sizeof(run.t[1].name), "chatmail");
	run.t[0].imap.fd = run.t[0].lmtp.fd = -1;
	run.t[1].imap.fd = run.t[1].lmtp.fd = -1;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = idle_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	snprintf(run.dir, sizeof(run.dir), "/var/tmp/cm-idle-XXXXXX");
	if (mkdtemp(run.dir) == NULL || chmod(run.dir, 0755) < 0) {
		perror("bench/idle: mkdtemp /var/tmp");
		return (1);
	}
	rc = idle_start(&run) < 0 || idle_measure(&run) < 0 ? 1 : 0;
	if (rc == 0)
		idle_report(&run);
	fflush(stdout);
	if (idle_cleanup(&run) < 0)
		rc = 1;
	return (rc);
}
