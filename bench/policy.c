/*++
 * NAME
 *	policy 1
 * SUMMARY
 *	benchmark: chatmail-policyd against an always-DUNNO echo server
 * SYNOPSIS
 *	bench/policy [--daemon PATH] [--seconds N] [--users N] [--quick]
 *		[--keep]
 * DESCRIPTION
 *	Measures Postfix policy delegation round trips over UNIX sockets,
 *	for 1 and then 8 persistent connections, each a closed loop
 *	(request, full reply, next request) for --seconds (default 10),
 *	against:
 * .IP (a)
 *	an echo server answering "action=DUNNO" (one thread per connection,
 *	blocking reads) in a process of its own: the baseline. The same
 *	server on threads of the benchmark process is measured too and its
 *	ratio printed for information: it shares the address space with
 *	the load generator, so each round trip switches threads, not
 *	processes, which no real policy server can do (on the 2-vCPU VMs
 *	here that alone makes it ~1.5 x faster at 8 connections);
 * .IP (b)
 *	chatmail-policyd (--daemon, default
 *	./postfix-policy/chatmail-policyd, with chatmailctl next to it),
 *	started with "-c CONF --foreground" on a fresh database and a
 *	Maildir tree of --users users (default 10000) in example.org. The
 *	sender rate limit is switched off with "chatmailctl settings set
 *	max_user_send_per_minute 0" (the load has one authenticated sender
 *	per transaction, far above 60/min); the domain spam.example and the
 *	IP 203.0.113.66 are blocklisted and every 500th user gets a 1 KiB
 *	quota, so some requests take the blocklist and quota paths;
 * .IP (c)
 *	Dovecot's quota-status service (RCPT requests only) in a throwaway
 *	dovecot instance, when that can be started; otherwise its row says
 *	why it was not measured.
 *
 *	The request mix is described in policy_load.c. It prints one row
 *	per server and connection count (req/s, p50 and p99 latency in
 *	microseconds), the throughput ratios of chatmail-policyd (and
 *	quota-status) to the echo server, and whether the target (8
 *	connections at >= 0.50 x echo with p99 < 1000 us) is met.
 *
 *	--quick (smoke tests) means 1 s per row and 200 users. Everything
 *	lives in a mkdtemp() directory under /var/tmp, removed at the end
 *	unless --keep. The exit status is 0 unless something broke (a
 *	connection failed, a bad reply, the daemon did not start or did
 *	not stop cleanly); a low ratio is not a failure, nor is (c).
 *--*/

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "policy.h"

#define ROWS	8

struct pb_state pb_state;
static atomic_int stopping;	/* set by the signal thread */

/* Rows come in pairs (1, 8 connections); pair 0 is the baseline. */
enum { ROW_ECHO, ROW_ECHO_THREADS, ROW_CHATMAIL, ROW_QUOTA_STATUS };
static const char *const row_names[ROWS / 2] = {
	"echo (process)", "echo (in-process)", "chatmail-policyd",
	"quota-status",
};

/* pb_die - print a message (with errno text when errnum), clean up, exit 1 */
void pb_die(int errnum, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "bench/policy: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (errnum)
		fprintf(stderr, ": %s", strerror(errnum));
	fputc('\n', stderr);
	pb_cleanup();
	exit(1);
}

/* pb_now - monotonic clock in seconds */
double pb_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((double) ts.tv_sec + ts.tv_nsec / 1e9);
}

/* sleep_ms - nanosleep a few milliseconds */
static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

/* spawn - fork and exec argv with stdout+stderr to out_path (or kept) */
static pid_t spawn(char *const argv[], const char *out_path)
{
	sigset_t none;
	pid_t pid;
	int fd;

	if ((pid = fork()) != 0)
		return (pid);	/* -1: fork failed */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	if (out_path != NULL) {
		fd = open(out_path, O_WRONLY | O_CREAT | O_APPEND, 0644);
		if (fd < 0)
			_exit(126);
		dup2(fd, 1);
		dup2(fd, 2);
		close(fd);
	}
	if ((fd = open("/dev/null", O_RDONLY)) >= 0) {
		dup2(fd, 0);
		close(fd);
	}
	execvp(argv[0], argv);
	fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

/* pb_spawn - start argv in the background; its pid (exits on failure) */
pid_t pb_spawn(char *const argv[], const char *out_path)
{
	pid_t pid = spawn(argv, out_path);

	if (pid < 0)
		pb_die(errno, "fork for %s", argv[0]);
	return (pid);
}

/* pb_run_command - run argv to completion; its exit status or -1 */
int pb_run_command(char *const argv[], const char *out_path)
{
	pid_t pid = spawn(argv, out_path);
	int status;

	if (pid < 0)
		return (-1);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return (-1);
	return (WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

/* pb_wait_socket - 0 once path accepts; -1 timeout, -2 child exited */
int pb_wait_socket(const char *path, double timeout, pid_t *child)
{
	struct sockaddr_un sun;
	double deadline = pb_now() + timeout;
	int fd, ok, status;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	while (pb_now() < deadline && !pb_stopping()) {
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		ok = fd >= 0 && connect(fd, (struct sockaddr *) &sun,
					sizeof(sun)) == 0;
		if (fd >= 0)
			close(fd);
		if (ok)
			return (0);
		if (child && *child > 0
		    && waitpid(*child, &status, WNOHANG) == *child) {
			*child = 0;
			return (-2);
		}
		sleep_ms(20);
	}
	return (-1);
}

/* pb_stop_child - SIGTERM, wait up to timeout, then SIGKILL; exit status */
int pb_stop_child(pid_t *pid, double timeout)
{
	double deadline = pb_now() + timeout;
	int status = 0;
	pid_t got = 0;

	if (*pid <= 0)
		return (0);
	kill(*pid, SIGTERM);
	while (pb_now() < deadline
	       && (got = waitpid(*pid, &status, WNOHANG)) == 0)
		sleep_ms(20);
	if (got == 0) {
		fprintf(stderr, "bench/policy: pid %ld did not stop in %.0f s,"
			" killing it\n", (long) *pid, timeout);
		kill(*pid, SIGKILL);
		waitpid(*pid, &status, 0);
		*pid = 0;
		return (-1);
	}
	*pid = 0;
	return (got > 0 && WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

/* pb_print_tail - the last lines of a log file to stderr */
void pb_print_tail(const char *path, int lines)
{
	char buf[8192], *p;
	ssize_t n;
	int fd, seen = 0;
	off_t size;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return;
	size = lseek(fd, 0, SEEK_END);
	if (size > (off_t) sizeof(buf) - 1)
		lseek(fd, size - (off_t) sizeof(buf) + 1, SEEK_SET);
	else
		lseek(fd, 0, SEEK_SET);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return;
	buf[n] = '\0';
	for (p = buf + n - 1; p > buf; p--)
		if (*p == '\n' && p != buf + n - 1 && ++seen >= lines)
			break;
	fprintf(stderr, "---- last lines of %s ----\n%s", path,
		p == buf ? p : p + 1);
	if (buf[n - 1] != '\n')
		fputc('\n', stderr);
}

/* pb_cleanup - stop what was started, remove the directory unless kept */
void pb_cleanup(void)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	static int done;
	char *rm[] = {"rm", "-rf", "--", pb_state.dir, NULL};

	pthread_mutex_lock(&lock);	/* a second caller waits for the first */
	if (!done) {
		done = 1;
		pb_stop_child(&pb_state.echo_pid, 2.0);
		pb_chatmail_stop();
		pb_dovecot_stop();
		if (pb_state.dir[0] && pb_state.keep)
			fprintf(stderr, "bench/policy: kept %s\n",
				pb_state.dir);
		else if (pb_state.dir[0])
			pb_run_command(rm, NULL);
	}
	pthread_mutex_unlock(&lock);
}

/* pb_stopping - 1 once a signal asked us to stop */
int pb_stopping(void)
{
	return (atomic_load(&stopping));
}

/* pb_checkpoint - exit (cleaning up) when a signal asked us to stop */
void pb_checkpoint(void)
{
	if (pb_stopping())
		pb_die(0, "%s", "interrupted");
}

/* signal_thread - ask main to stop; clean up ourselves if it hangs */
static void *signal_thread(void *arg)
{
	struct timespec grace = {30, 0};
	sigset_t *set = arg;
	int sig;

	if (sigwait(set, &sig) != 0)
		return (NULL);
	fprintf(stderr, "bench/policy: signal %d, stopping\n", sig);
	atomic_store(&stopping, 1);
	/* A second signal, or main not done within 30 s: do it here. */
	sigtimedwait(set, NULL, &grace);
	pb_cleanup();
	_exit(1);
}

static sigset_t fatal_signals;

/* block_signals - ignore SIGPIPE; block the fatal signals until
   start_signal_thread() takes them (they wait pending meanwhile) */
static void block_signals(void)
{
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&fatal_signals);
	sigaddset(&fatal_signals, SIGINT);
	sigaddset(&fatal_signals, SIGTERM);
	sigaddset(&fatal_signals, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &fatal_signals, NULL);
}

/* start_signal_thread - route the fatal signals to one thread. Only
   after the echo server's fork(): a thread that is starting up while
   the process forks can hold a lock (libc's, or the sanitizer
   runtime's) that the child then waits for forever */
static void start_signal_thread(void)
{
	pthread_t t;

	if (pthread_create(&t, NULL, signal_thread, &fatal_signals) != 0)
		pb_die(0, "%s", "pthread_create failed");
	pthread_detach(t);
}

/* usage - print the synopsis and exit 2 */
static void usage(void)
{
	fprintf(stderr, "usage: bench/policy [--daemon PATH] [--seconds N] "
		"[--users N] [--quick] [--keep]\n");
	exit(2);
}

/* parse_long - a positive number option value */
static long parse_long(const char *s, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end != '\0' || v < 1 || v > max)
		usage();
	return (v);
}

/* parse_args - command line into opts */
static void parse_args(int argc, char **argv, struct pb_opts *opts)
{
	const char *slash;
	int i;

	memset(opts, 0, sizeof(*opts));
	opts->daemon = "./postfix-policy/chatmail-policyd";
	opts->seconds = 10;
	opts->users = 10000;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--keep") == 0) {
			opts->keep = 1;
		} else if (strcmp(argv[i], "--quick") == 0) {
			opts->seconds = 1;
			opts->users = 200;
		} else if (i + 1 >= argc) {
			usage();
		} else if (strcmp(argv[i], "--daemon") == 0) {
			opts->daemon = argv[++i];
		} else if (strcmp(argv[i], "--seconds") == 0) {
			opts->seconds = (int) parse_long(argv[++i], 3600);
		} else if (strcmp(argv[i], "--users") == 0) {
			opts->users = parse_long(argv[++i], 99999);
		} else {
			usage();
		}
	}
	slash = strrchr(opts->daemon, '/');
	snprintf(opts->ctl, sizeof(opts->ctl), "%.*schatmailctl",
		 slash ? (int) (slash - opts->daemon + 1) : 0, opts->daemon);
}

/* print_row - one line of the table */
static void print_row(const char *name, const struct pb_result *r)
{
	if (!r->measured) {
		printf("%s: not measured (%s)\n", name, r->why);
		return;
	}
	printf("%-20s %5d %10.0f %9.1f %9.1f %10lld\n", name, r->conns,
	       r->rps, r->p50_us, r->p99_us, r->requests);
}

/* print_ratios - throughput ratios to the echo rows, and the target */
static void print_ratios(const struct pb_result *rows)
{
	const struct pb_result *e1 = &rows[0], *e8 = &rows[1];
	const struct pb_result *c8 = &rows[2 * ROW_CHATMAIL + 1];
	const struct pb_result *t8 = &rows[2 * ROW_ECHO_THREADS + 1];
	int s;

	for (s = ROW_CHATMAIL; s <= ROW_QUOTA_STATUS; s++) {
		if (!rows[2 * s].measured || !rows[2 * s + 1].measured)
			continue;
		printf("ratio (1 conn): %s = %.2f x echo\n", row_names[s],
		       rows[2 * s].rps / e1->rps);
		printf("ratio (8 conn): %s = %.2f x echo\n", row_names[s],
		       rows[2 * s + 1].rps / e8->rps);
	}
	if (t8->measured)
		printf("for information (8 conn): chatmail-policyd = %.2f x "
		       "echo (in-process)\n", c8->rps / t8->rps);
	printf("target (8 conn >= 0.50 x echo, p99 < 1000 us): %s\n",
	       c8->rps / e8->rps >= 0.5 && c8->p99_us < 1000.0 ? "met"
	       : "not met");
}

/* print_table - all rows, ratios and the target */
static void print_table(const struct pb_opts *opts, const struct pb_result *rows)
{
	long long unrecorded = 0;
	int i;

	printf("policy benchmark: %d s per row, %ld users, closed loop per "
	       "connection, UNIX sockets\n", opts->seconds, opts->users);
	printf("%-20s %5s %10s %9s %9s %10s\n", "server", "conns", "req/s",
	       "p50 us", "p99 us", "requests");
	for (i = 0; i < ROWS; i++) {
		if (i % 2 == 1 && !rows[i].measured && !rows[i - 1].measured
		    && strcmp(rows[i].why, rows[i - 1].why) == 0)
			continue;
		print_row(row_names[i / 2], &rows[i]);
		unrecorded += rows[i].unrecorded;
	}
	if (unrecorded)
		printf("(%lld latencies beyond the preallocated arrays were "
		       "not recorded)\n", unrecorded);
	print_ratios(rows);
}

/* run_pair - 1 then 8 connections against one socket */
static int run_pair(const struct pb_opts *opts, const char *sock,
		    int rcpt_only, struct pb_result *rows, const char *name)
{
	int conns[2] = {1, PB_MAX_CONNS}, i, ret = 0;

	for (i = 0; i < 2; i++) {
		pb_checkpoint();
		fprintf(stderr, "running %s, %d connection%s, %d s\n", name,
			conns[i], conns[i] > 1 ? "s" : "", opts->seconds);
		if (pb_load_run(sock, conns[i], opts->seconds, opts->users,
				rcpt_only, &rows[i]) < 0) {
			fprintf(stderr, "bench/policy: %s: %s\n", name,
				rows[i].why);
			ret = -1;
		}
		rows[i].conns = conns[i];
		if (rows[i].bad) {
			fprintf(stderr, "bench/policy: %s: %lld bad replies\n",
				name, rows[i].bad);
			ret = -1;
		}
	}
	return (ret);
}

/* bench_quota_status - row (c); never fails the benchmark */
static void bench_quota_status(const struct pb_opts *opts,
			       struct pb_result *rows)
{
	char sock[512], why[256];
	int i;

	pb_checkpoint();
	if (pb_dovecot_start(opts, sock, sizeof(sock), why, sizeof(why)) == 0
	    && run_pair(opts, sock, 1, rows, "quota-status") < 0) {
		for (i = 0; i < 2; i++)
			if (rows[i].measured && rows[i].bad)
				snprintf(rows[i].why, sizeof(rows[i].why),
					 "%lld bad replies", rows[i].bad);
		snprintf(why, sizeof(why), "%s", rows[0].why[0] ? rows[0].why
			 : rows[1].why);
		rows[0].measured = rows[1].measured = 0;
	}
	pb_dovecot_stop();
	for (i = 0; i < 2; i++)
		if (!rows[i].measured)
			snprintf(rows[i].why, sizeof(rows[i].why), "%s", why);
}

/* make_dir - the mkdtemp() directory, world-traversable for dovecot */
static void make_dir(void)
{
	snprintf(pb_state.dir, sizeof(pb_state.dir),
		 "/var/tmp/cm-bench-policy-XXXXXX");
	if (mkdtemp(pb_state.dir) == NULL) {
		pb_state.dir[0] = '\0';
		pb_die(errno, "%s", "mkdtemp /var/tmp/cm-bench-policy-XXXXXX");
	}
	if (chmod(pb_state.dir, 0755) < 0)
		pb_die(errno, "chmod %s", pb_state.dir);
}

/* main - run the benchmark */
int main(int argc, char **argv)
{
	struct pb_result rows[ROWS];
	struct pb_opts opts;
	struct pb_echo *echo;
	char sock[512];
	int failed = 0;

	parse_args(argc, argv, &opts);
	memset(rows, 0, sizeof(rows));
	block_signals();
	pb_state.keep = opts.keep;
	if (access(opts.daemon, X_OK) < 0)
		pb_die(errno, "%s", opts.daemon);
	make_dir();
	snprintf(sock, sizeof(sock), "%s/echo.sock", pb_state.dir);
	echo = pb_echo_start(sock, 1);	/* forks: no other thread yet */
	start_signal_thread();
	failed |= run_pair(&opts, sock, 0, rows + 2 * ROW_ECHO, "echo");
	pb_echo_stop(&echo);
	echo = pb_echo_start(sock, 0);
	failed |= run_pair(&opts, sock, 0, rows + 2 * ROW_ECHO_THREADS,
			   "echo (in-process)");
	pb_echo_stop(&echo);
	pb_checkpoint();
	pb_make_tree(pb_state.dir, opts.users);
	pb_checkpoint();
	pb_chatmail_start(&opts, sock, sizeof(sock));
	failed |= run_pair(&opts, sock, 0, rows + 2 * ROW_CHATMAIL,
			   "chatmail-policyd");
	pb_checkpoint();
	if (pb_chatmail_stop() != 0)
		failed = -1;
	bench_quota_status(&opts, rows + 2 * ROW_QUOTA_STATUS);
	pb_checkpoint();
	print_table(&opts, rows);
	fflush(stdout);
	pb_cleanup();
	return (failed ? 1 : 0);
}
