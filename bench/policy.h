#ifndef BENCH_POLICY_H
#define BENCH_POLICY_H

/*++
 * NAME
 *	policy 3h
 * SUMMARY
 *	internal interfaces of the policy benchmark (bench/policy*.c)
 * DESCRIPTION
 *	policy.c runs the benchmark and owns cleanup; policy_load.c holds
 *	the load generator and the echo server; policy_servers.c
 *	sets up, starts and stops chatmail-policyd and Dovecot's
 *	quota-status.
 *--*/

#include <stddef.h>
#include <sys/types.h>

#define PB_DOMAIN	"example.org"
#define PB_MAX_CONNS	8

/* Command line. */
struct pb_opts {
	const char *daemon;	/* chatmail-policyd binary */
	char ctl[4096];		/* chatmailctl, next to the daemon */
	int seconds;		/* per row */
	long users;
	int keep;
};

/* One row of the table. */
struct pb_result {
	int measured;		/* 0: see why */
	char why[256];
	int conns;
	long long requests;
	long long bad;		/* replies not "action=...\n\n" */
	long long unrecorded;	/* latencies past the arrays' end */
	double seconds;
	double rps;
	double p50_us;
	double p99_us;
};

/* What the benchmark started; cleaned up by pb_cleanup(). */
struct pb_state {
	char dir[256];		/* mkdtemp() directory, "" = none */
	pid_t daemon_pid;	/* chatmail-policyd, 0 = none */
	pid_t dovecot_pid;	/* dovecot -F, 0 = none */
	pid_t echo_pid;		/* the echo server's process, 0 = none */
	int keep;
};

extern struct pb_state pb_state;

/* policy.c */
void pb_die(int errnum, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));
void pb_cleanup(void);
int pb_stopping(void);
void pb_checkpoint(void);
double pb_now(void);
pid_t pb_spawn(char *const argv[], const char *out_path);
int pb_run_command(char *const argv[], const char *out_path);
int pb_wait_socket(const char *path, double timeout, pid_t *child);
int pb_stop_child(pid_t *pid, double timeout);
void pb_print_tail(const char *path, int lines);

/* policy_load.c */
struct pb_echo;
struct pb_echo *pb_echo_start(const char *path, int own_process);
void pb_echo_stop(struct pb_echo **echo);
int pb_load_run(const char *path, int conns, int seconds, long users,
		int rcpt_only, struct pb_result *res);
int pb_probe(const char *path, char *reply, size_t size);

/* policy_servers.c */
void pb_make_tree(const char *dir, long users);
void pb_chatmail_start(const struct pb_opts *opts, char *sock,
		       size_t size);
int pb_chatmail_stop(void);
int pb_dovecot_start(const struct pb_opts *opts, char *sock, size_t size,
		     char *why, size_t why_size);
void pb_dovecot_stop(void);

#endif
