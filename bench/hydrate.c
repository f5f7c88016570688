/*++
 * NAME
 *	hydrate 1
 * SUMMARY
 *	benchmark: cm_hydrate_run() against "du -sb" on a Maildir tree
 * SYNOPSIS
 *	bench/hydrate [--users N] [--messages M] [--dir D] [--keep]
 *		[--reuse] [--rounds R]
 * DESCRIPTION
 *	Generates <dir>/<domain>/<user>/Maildir for N users (default 10000)
 *	in 10 domains, M messages each (default 100) with Dovecot-style
 *	names carrying ",S=<size>"; sizes are pseudo-random 2-60 KiB from a
 *	fixed seed and each file's apparent size is set to its S= value
 *	with ftruncate(), so "du -sb" and hydrate see the same bytes. About
 *	10% of the messages go to ".Sent/cur", the rest 80/20 to cur/ and
 *	new/.
 *
 *	After one untimed "du -sb" to warm the caches it times, for R
 *	rounds (default 3) in alternating order, "du -sb <dir>" run as a
 *	child process and cm_hydrate_run() (with a scratch store outside
 *	the tree, the default layout "%d/%n/Maildir"). It checks that both
 *	agree on the bytes: du's total must equal the message bytes plus
 *	the directories' own sizes, and hydrate's total the message bytes.
 *	It prints a table and the speed ratio (best times), and whether the
 *	3x target is met. The exit status is 0 unless something failed or
 *	the byte totals disagree.
 *
 *	The tree is created under a mkdtemp() directory in /var/tmp unless
 *	--dir is given, and removed at the end unless --keep. --reuse skips
 *	the generation and uses the tree already in --dir (made earlier by
 *	this program with the same --users and --messages and --keep).
 *--*/

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cm_error.h"
#include "cm_hot.h"
#include "cm_hydrate.h"
#include "cm_store.h"

#define BENCH_DOMAINS	10
#define BENCH_SEED	0x63686174ULL	/* "chat" */
#define BENCH_MIN_SIZE	(2 * 1024)
#define BENCH_MAX_SIZE	(60 * 1024)
#define BENCH_THREADS	2
#define BENCH_MAX_ROUNDS 100

struct bench_opts {
	long users;
	long messages;
	const char *dir;
	int keep;
	int reuse;
	int rounds;
};

/* Shared by the generator threads. */
struct gen_ctx {
	const struct bench_opts *opts;
	int root_fd;
	atomic_long next_user;
	atomic_long done_users;
	atomic_int failed;
};

static void die(int errnum, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));

/* die - print a message (with errno text when errnum) and exit 1 */
static void die(int errnum, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "bench/hydrate: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (errnum)
		fprintf(stderr, ": %s", strerror(errnum));
	fputc('\n', stderr);
	exit(1);
}

/* now_seconds - monotonic clock */
static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((double) ts.tv_sec + ts.tv_nsec / 1e9);
}

/* splitmix64 - next pseudo-random value of *state */
static uint64_t splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return (z ^ (z >> 31));
}

/* message_size - the deterministic size of message m of user u */
static long message_size(long u, long m)
{
	uint64_t state = BENCH_SEED ^ ((uint64_t) u << 24) ^ (uint64_t) m;

	return (BENCH_MIN_SIZE + (long) (splitmix64(&state)
			% (BENCH_MAX_SIZE - BENCH_MIN_SIZE + 1)));
}

/* message_place - 0 cur, 1 new, 2 .Sent/cur (about 72/18/10 %) */
static int message_place(long m)
{
	if (m % 10 == 9)
		return (2);
	return ((m % 10) < 2 ? 1 : 0);
}

/* expected_bytes - the total message bytes of the tree */
static long long expected_bytes(const struct bench_opts *opts)
{
	long long total = 0;
	long u, m;

	for (u = 0; u < opts->users; u++)
		for (m = 0; m < opts->messages; m++)
			total += message_size(u, m);
	return (total);
}

/* mkdir_open - mkdirat (existing is fine) and open it */
static int mkdir_open(int parent, const char *name)
{
	int fd;

	if (mkdirat(parent, name, 0700) < 0 && errno != EEXIST)
		return (-1);
	fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return (fd);
}

/* put_message - create one message file with its apparent size */
static int put_message(int dirfd, long u, long m, int place, long size)
{
	char name[128];
	int fd, ret = 0;

	if (place == 1)
		snprintf(name, sizeof(name), "%ld.M%ldP%ld.bench.example,"
			 "S=%ld,W=%ld", 1700000000L + m, m * 7919 % 1000000,
			 u + 1000, size, size + size / 40);
	else
		snprintf(name, sizeof(name), "%ld.M%ldP%ld.bench.example,"
			 "S=%ld,W=%ld:2,S", 1700000000L + m,
			 m * 7919 % 1000000, u + 1000, size,
			 size + size / 40);
	fd = openat(dirfd, name, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
	if (fd < 0)
		return (-1);
	if (ftruncate(fd, size) < 0)
		ret = -1;
	if (close(fd) < 0)
		ret = -1;
	return (ret);
}

/* user_names - domain and user directory names of user u */
static void user_names(long u, char *domain, size_t dsize, char *user,
		       size_t usize)
{
	snprintf(domain, dsize, "d%ld.example", u % BENCH_DOMAINS);
	snprintf(user, usize, "user%ld", u);
}

/* make_user_dirs - the Maildir++ skeleton; fds of cur, new, .Sent/cur */
static int make_user_dirs(int root_fd, long u, int fds[3])
{
	static const char *const skel[] = {"cur", "new", "tmp", ".Sent"};
	char domain[64], user[64];
	int dom, usr, md, sent, d[4], i, ok;

	user_names(u, domain, sizeof(domain), user, sizeof(user));
	if ((dom = mkdir_open(root_fd, domain)) < 0)
		return (-1);
	usr = mkdir_open(dom, user);
	close(dom);
	if (usr < 0)
		return (-1);
	md = mkdir_open(usr, "Maildir");
	close(usr);
	if (md < 0)
		return (-1);
	for (i = 0; i < 4; i++)
		d[i] = mkdir_open(md, skel[i]);
	close(md);
	sent = d[3];
	ok = d[0] >= 0 && d[1] >= 0 && d[2] >= 0 && sent >= 0;
	fds[0] = d[0];
	fds[1] = d[1];
	fds[2] = ok ? mkdir_open(sent, "cur") : -1;
	if (ok) {
		close(mkdir_open(sent, "new"));
		close(mkdir_open(sent, "tmp"));
		close(openat(sent, "maildirfolder", O_CREAT | O_WRONLY
			     | O_CLOEXEC, 0600));
	}
	if (d[2] >= 0)
		close(d[2]);
	if (sent >= 0)
		close(sent);
	return (ok && fds[2] >= 0 ? 0 : -1);
}

/* make_user - one user's Maildir with all its messages */
static int make_user(int root_fd, long u, long messages)
{
	int fds[3] = {-1, -1, -1}, i, ret = 0, place;
	long m;

	if (make_user_dirs(root_fd, u, fds) < 0)
		ret = -1;
	for (m = 0; ret == 0 && m < messages; m++) {
		place = message_place(m);
		if (put_message(fds[place], u, m, place,
				message_size(u, m)) < 0)
			ret = -1;
	}
	for (i = 0; i < 3; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	return (ret);
}

/* gen_worker - create users until none is left */
static void *gen_worker(void *arg)
{
	struct gen_ctx *gen = arg;
	long u, done;

	while ((u = atomic_fetch_add(&gen->next_user, 1)) < gen->opts->users) {
		if (atomic_load(&gen->failed))
			break;
		if (make_user(gen->root_fd, u, gen->opts->messages) < 0) {
			fprintf(stderr, "bench/hydrate: creating user %ld: "
				"%s\n", u, strerror(errno));
			atomic_store(&gen->failed, 1);
			break;
		}
		done = atomic_fetch_add(&gen->done_users, 1) + 1;
		if (done % 500 == 0 || done == gen->opts->users)
			fprintf(stderr, "\rgenerating: %ld/%ld users",
				done, gen->opts->users);
	}
	return (NULL);
}

/* generate - build the whole tree with BENCH_THREADS threads */
static void generate(const struct bench_opts *opts)
{
	struct gen_ctx gen;
	pthread_t threads[BENCH_THREADS];
	double t0 = now_seconds();
	int i;

	memset(&gen, 0, sizeof(gen));
	gen.opts = opts;
	gen.root_fd = open(opts->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (gen.root_fd < 0)
		die(errno, "open %s", opts->dir);
	for (i = 0; i < BENCH_THREADS; i++)
		if (pthread_create(&threads[i], NULL, gen_worker, &gen) != 0)
			die(0, "%s", "pthread_create failed");
	for (i = 0; i < BENCH_THREADS; i++)
		pthread_join(threads[i], NULL);
	close(gen.root_fd);
	if (atomic_load(&gen.failed))
		die(0, "%s", "generation failed");
	fprintf(stderr, "\ngenerated %ld files in %.1f s\n",
		opts->users * opts->messages, now_seconds() - t0);
}

/* dir_size_at - st_size of parent/name, 0 when absent */
static long long dir_size_at(int parent, const char *name)
{
	struct stat st;

	if (fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return (0);
	return ((long long) st.st_size);
}

/* other_bytes - what du counts besides messages: directories, etc. */
static long long other_bytes(const struct bench_opts *opts)
{
	static const char *const dirs[] = {
		"", "/Maildir", "/Maildir/cur", "/Maildir/new", "/Maildir/tmp",
		"/Maildir/.Sent", "/Maildir/.Sent/cur", "/Maildir/.Sent/new",
		"/Maildir/.Sent/tmp", "/Maildir/.Sent/maildirfolder",
	};
	char domain[64], user[64], rel[256];
	long long total;
	long u;
	size_t i;
	int root = open(opts->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (root < 0)
		die(errno, "open %s", opts->dir);
	total = dir_size_at(root, ".");
	for (u = 0; u < BENCH_DOMAINS && u < opts->users; u++) {
		user_names(u, domain, sizeof(domain), user, sizeof(user));
		total += dir_size_at(root, domain);
	}
	for (u = 0; u < opts->users; u++) {
		user_names(u, domain, sizeof(domain), user, sizeof(user));
		for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
			snprintf(rel, sizeof(rel), "%s/%s%s", domain, user,
				 dirs[i]);
			total += dir_size_at(root, rel);
		}
	}
	close(root);
	return (total);
}

/* run_du - "du -sb dir" as a child; its byte total */
static long long run_du(const char *dir)
{
	int pipefd[2], status;
	char out[256];
	ssize_t n, len = 0;
	pid_t pid;

	if (pipe(pipefd) < 0)
		die(errno, "%s", "pipe");
	if ((pid = fork()) < 0)
		die(errno, "%s", "fork");
	if (pid == 0) {
		dup2(pipefd[1], 1);
		close(pipefd[0]);
		close(pipefd[1]);
		execlp("du", "du", "-sb", dir, (char *) NULL);
		_exit(127);
	}
	close(pipefd[1]);
	while (len < (ssize_t) sizeof(out) - 1
	       && (n = read(pipefd[0], out + len, sizeof(out) - 1 - len)) > 0)
		len += n;
	out[len] = '\0';
	close(pipefd[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		 /* void */ ;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		die(0, "du -sb %s failed", dir);
	return (strtoll(out, NULL, 10));
}

/* Result of one timed hydrate. */
struct hydrate_result {
	long long bytes;
	long long files;
	size_t users;
	size_t failed;
};

/* on_hydrate_error - print what hydrate reported */
static void on_hydrate_error(const char *what, const struct cm_error *err,
			     void *ctx)
{
	(void) ctx;
	fprintf(stderr, "bench/hydrate: hydrate: %s: %s\n", what,
		err->message);
}

/* run_hydrate - one cm_hydrate_run() into a fresh hot state */
static double run_hydrate(struct cm_store *store, const char *dir,
			  struct hydrate_result *res)
{
	struct cm_hydrate_options hopts;
	struct cm_hydrate_report report;
	struct cm_error err;
	struct cm_hot *hot;
	double t0, t;

	memset(&hopts, 0, sizeof(hopts));
	hopts.mail_root = dir;
	hopts.on_error = on_hydrate_error;
	t0 = now_seconds();
	hot = cm_hot_new();
	if (cm_hydrate_run(store, hot, &hopts, &report, &err) < 0)
		die(0, "cm_hydrate_run: %s", err.message);
	t = now_seconds() - t0;
	res->bytes = report.bytes;
	res->files = report.files;
	res->users = report.users;
	res->failed = report.failed;
	if (cm_hot_user_count(hot) != report.users)
		die(0, "%s", "hot user count differs from users found");
	cm_hot_free(&hot);
	return (t);
}

/* cmp_double - qsort comparator */
static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *) a, y = *(const double *) b;

	return ((x > y) - (x < y));
}

/* median - of n sorted values */
static double median(const double *v, int n)
{
	return ((n % 2) ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2);
}

/* usage - print the synopsis and exit 2 */
static void usage(void)
{
	fprintf(stderr, "usage: bench/hydrate [--users N] [--messages M] "
		"[--dir D] [--keep] [--reuse] [--rounds R]\n");
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
static void parse_args(int argc, char **argv, struct bench_opts *opts)
{
	int i;

	memset(opts, 0, sizeof(*opts));
	opts->users = 10000;
	opts->messages = 100;
	opts->rounds = 3;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--keep") == 0)
			opts->keep = 1;
		else if (strcmp(argv[i], "--reuse") == 0)
			opts->reuse = 1;
		else if (i + 1 >= argc)
			usage();
		else if (strcmp(argv[i], "--users") == 0)
			opts->users = parse_long(argv[++i], 100000000L);
		else if (strcmp(argv[i], "--messages") == 0)
			opts->messages = parse_long(argv[++i], 1000000L);
		else if (strcmp(argv[i], "--rounds") == 0)
			opts->rounds = (int) parse_long(argv[++i],
							BENCH_MAX_ROUNDS);
		else if (strcmp(argv[i], "--dir") == 0)
			opts->dir = argv[++i];
		else
			usage();
	}
	if (opts->reuse && opts->dir == NULL)
		die(0, "%s", "--reuse needs --dir");
}

/* rm_rf - "rm -rf path" as a child */
static void rm_rf(const char *path)
{
	int status;
	pid_t pid;

	if ((pid = fork()) < 0)
		die(errno, "%s", "fork");
	if (pid == 0) {
		execlp("rm", "rm", "-rf", "--", path, (char *) NULL);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		 /* void */ ;
}

/* open_scratch_store - a store in its own temp dir (outside the tree) */
static struct cm_store *open_scratch_store(char *store_dir, size_t size)
{
	struct cm_store_options sopts;
	struct cm_store *store;
	struct cm_error err;
	char path[4096];

	snprintf(store_dir, size, "/var/tmp/cm-bench-store-XXXXXX");
	if (mkdtemp(store_dir) == NULL)
		die(errno, "mkdtemp %s", store_dir);
	snprintf(path, sizeof(path), "%s/chatmail.sqlite", store_dir);
	memset(&sopts, 0, sizeof(sopts));
	sopts.path = path;
	if (cm_store_open(&sopts, &store, &err) < 0)
		die(0, "cm_store_open: %s", err.message);
	return (store);
}

/* Timings and totals of all rounds. */
struct bench_times {
	double du[BENCH_MAX_ROUNDS];
	double hy[BENCH_MAX_ROUNDS];
	long long du_bytes;
	struct hydrate_result hy_res;
};

/* check_totals - both tools must agree on the bytes; 0 ok, -1 not */
static int check_totals(const struct bench_opts *opts, long long du_bytes,
			 const struct hydrate_result *res, long long expect,
			 long long others)
{
	if (res->users != (size_t) opts->users || res->failed != 0
	    || res->files != (long long) opts->users * opts->messages) {
		fprintf(stderr, "bench/hydrate: hydrate found %zu users, %lld "
			"files, %zu failures; want %ld users, %ld files\n",
			res->users, res->files, res->failed, opts->users,
			opts->users * opts->messages);
		return (-1);
	}
	if (res->bytes != expect || du_bytes != expect + others) {
		fprintf(stderr, "bench/hydrate: byte totals disagree: "
			"generated %lld, hydrate %lld, du -sb %lld (of which "
			"directories etc. %lld, messages %lld)\n", expect,
			res->bytes, du_bytes, others, du_bytes - others);
		return (-1);
	}
	return (0);
}

/* run_rounds - alternate du and hydrate, R rounds */
static void run_rounds(const struct bench_opts *opts, struct cm_store *store,
		       struct bench_times *bt)
{
	double t0;
	int r;

	for (r = 0; r < opts->rounds; r++) {
		if (r % 2 == 1)
			bt->hy[r] = run_hydrate(store, opts->dir, &bt->hy_res);
		t0 = now_seconds();
		bt->du_bytes = run_du(opts->dir);
		bt->du[r] = now_seconds() - t0;
		if (r % 2 == 0)
			bt->hy[r] = run_hydrate(store, opts->dir, &bt->hy_res);
		fprintf(stderr, "round %d: du -sb %.3f s, hydrate %.3f s\n",
			r + 1, bt->du[r], bt->hy[r]);
	}
}

/* print_table - the results */
static void print_table(const struct bench_opts *opts, struct bench_times *bt,
		       long long expect, long long others)
{
	long long files = (long long) opts->users * opts->messages;
	double du_best, hy_best, du_med, hy_med, ratio;
	int n = opts->rounds;

	qsort(bt->du, n, sizeof(double), cmp_double);
	qsort(bt->hy, n, sizeof(double), cmp_double);
	du_best = bt->du[0];
	hy_best = bt->hy[0];
	du_med = median(bt->du, n);
	hy_med = median(bt->hy, n);
	ratio = du_best / hy_best;
	printf("tree: %s (%ld users x %ld messages, %d domains), %d rounds\n",
	       opts->dir, opts->users, opts->messages, BENCH_DOMAINS, n);
	printf("%-22s %16s %16s\n", "", "du -sb", "hydrate");
	printf("%-22s %16lld %16lld\n", "files", files, bt->hy_res.files);
	printf("%-22s %16lld %16lld\n", "bytes (messages)",
	       bt->du_bytes - others, bt->hy_res.bytes);
	printf("%-22s %16lld %16s\n", "bytes (du total)", bt->du_bytes, "-");
	printf("%-22s %16.3f %16.3f\n", "best s", du_best, hy_best);
	printf("%-22s %16.3f %16.3f\n", "median s", du_med, hy_med);
	printf("%-22s %16.0f %16.0f\n", "files/s (best)", files / du_best,
	       files / hy_best);
	printf("bytes agree: %lld message bytes (du total %lld = messages + "
	       "%lld directory bytes)\n", expect, bt->du_bytes, others);
	printf("ratio: hydrate is %.2fx faster than du -sb\n", ratio);
	printf("ratio of medians: %.2fx\n", du_med / hy_med);
	printf("target (>= 3.00x): %s\n", ratio >= 3.0 ? "met" : "not met");
}

/* main - run the benchmark */
int main(int argc, char **argv)
{
	struct bench_opts opts;
	struct bench_times bt;
	struct cm_store *store;
	char dirbuf[4096], store_dir[256];
	long long expect, others;
	int status;

	parse_args(argc, argv, &opts);
	if (opts.dir == NULL) {
		snprintf(dirbuf, sizeof(dirbuf), "/var/tmp/cm-bench-XXXXXX");
		if (mkdtemp(dirbuf) == NULL)
			die(errno, "mkdtemp %s", dirbuf);
		opts.dir = dirbuf;
	} else if (!opts.reuse && mkdir(opts.dir, 0700) < 0
		   && errno != EEXIST) {
		die(errno, "mkdir %s", opts.dir);
	}
	if (!opts.reuse)
		generate(&opts);
	expect = expected_bytes(&opts);
	others = other_bytes(&opts);
	store = open_scratch_store(store_dir, sizeof(store_dir));
	fprintf(stderr, "warming the page cache (untimed du -sb)\n");
	run_du(opts.dir);
	memset(&bt, 0, sizeof(bt));
	run_rounds(&opts, store, &bt);
	cm_store_close(&store);
	rm_rf(store_dir);
	status = check_totals(&opts, bt.du_bytes, &bt.hy_res, expect, others);
	if (status == 0)
		print_table(&opts, &bt, expect, others);
	if (!opts.keep)
		rm_rf(opts.dir);
	else
		fprintf(stderr, "tree kept in %s\n", opts.dir);
	return (status == 0 ? 0 : 1);
}
