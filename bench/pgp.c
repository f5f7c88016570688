/*++
 * NAME
 *	pgp 1
 * SUMMARY
 *	benchmark: the encryption gate's checker against memcpy + base64
 * SYNOPSIS
 *	bench/pgp [--quick] [--portable] [--sizes N,N,...] [--rounds N]
 *	[--seconds S]
 *
 *	bench/pgp --train
 * DESCRIPTION
 *	For each message size (default 1 KB, 100 KB and 30 MB; --quick:
 *	1 KB, 64 KB and 1 MB with short timings) a child process is forked
 *	so that its peak RSS belongs to that size alone. The child
 *
 *	1. streams a generated PGP/MIME message through the checker in
 *	   64 KB chunks straight from the generator (the message never
 *	   exists whole) and reads ru_maxrss: the memory the checker needs
 *	   for that size (plus the fixed cost of the process);
 *
 *	2. builds the same message in memory and times, alternately, the
 *	   checker (cm_pgp_new, the header fields, the body in 64 KB
 *	   chunks as a milter gets it, cm_pgp_finish) and the baseline: a
 *	   memcpy of the message in the same chunks plus a plain base64
 *	   decode (four characters to three octets through a table, line
 *	   by line) of its armored lines. Each is repeated until it has
 *	   run for the time given (--seconds, default 0.03; --quick 0.02),
 *	   the two taking turns for many rounds (--rounds, default 30;
 *	   --quick: one), and each one's best rate is kept: on a shared
 *	   machine a slow spell then costs a few rounds of either, not the
 *	   whole measurement of one of them.
 *
 *	The message is syntactically valid PGP/MIME: a PKESK and a SEIPD
 *	with pseudo-random content (the checker does not decrypt, so no
 *	key is needed), 64-column base64 and a CRC24 line; the checker
 *	must say "encrypted" or the benchmark fails.
 *
 *	The checker uses the vector kernels of this CPU (cm_pgp_simd: AVX2
 *	base64, PCLMULQDQ CRC24); --portable times it without them, as on
 *	a CPU that lacks them.
 *
 *	Output: a table of size, checker MB/s, baseline MB/s, ratio and
 *	peak RSS, the kernels the checker used, then "target (ratio >=
 *	0.50, RSS independent of size):
 *	met" or "not met". RSS counts as independent when the largest and
 *	the smallest differ by less than 1 MB. The exit status is 0 unless
 *	something failed; a missed target is reported, not an error.
 *
 *	--train runs, untimed, the workload that the profile-guided build
 *	of the checker learns from (configure --enable-pgo, the default
 *	with GCC; see doc/encryption-gate.md): encrypted messages of 600
 *	octets to 1 MB fed in the milter's chunks and in small ones, with
 *	CRLF and with LF line ends, and a few that are refused (plaintext,
 *	cut short). It exits 1 if a verdict is wrong.
 *--*/

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cm_pgp.h"
#include "cm_pgp_armor.h"
#include "cm_pgp_simd.h"

#define BENCH_CHUNK	65536		/* what Postfix hands a milter */
#define BENCH_MAX_SIZES	8
#define BENCH_PKESK	94		/* an ECDH PKESK body, like gpg's */

struct bench_result {
	double  checker_mbs;
	double  baseline_mbs;
	long    rss_kb;
	int     ok;
};

/* The message generator: emits the text in pieces of any size. */
struct gen {
	uint64_t rng;
	size_t  seipd_len;		/* SEIPD body octets */
	size_t  bin_total, bin_done;	/* packet octets in all / emitted */
	unsigned char head[BENCH_PKESK + 16];	/* PKESK + SEIPD header */
	size_t  head_len;
	uint32_t crc;
	int     stage;			/* 0 head, 1 lines, 2 tail, 3 done */
	const char *src;		/* text being handed out */
	size_t  src_len, src_off;
	char    pend[128];		/* one line or the tail */
};

static const char gen_head[] =
"This is an OpenPGP/MIME encrypted message (RFC 4880 and 3156)\r\n"
"--OpenPGP-bench\r\n"
"Content-Type: application/pgp-encrypted\r\n"
"Content-Description: PGP/MIME version identification\r\n"
"\r\n"
"Version: 1\r\n"
"\r\n"
"--OpenPGP-bench\r\n"
"Content-Type: application/octet-stream; name=\"encrypted.asc\"\r\n"
"Content-Description: OpenPGP encrypted message\r\n"
"Content-Disposition: inline; filename=\"encrypted.asc\"\r\n"
"\r\n"
"-----BEGIN PGP MESSAGE-----\r\n"
"\r\n";

static const char b64[] =
"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static unsigned bench_simd = ~0u;	/* kernels the checker may use */

/* die - report and exit */
static void die(const char *what)
{
	fprintf(stderr, "bench/pgp: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* now_seconds - monotonic time */
static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((double) ts.tv_sec + (double) ts.tv_nsec / 1e9);
}

/* gen_random - xorshift64 */
static uint64_t gen_random(struct gen *g)
{
	g->rng ^= g->rng << 13;
	g->rng ^= g->rng >> 7;
	g->rng ^= g->rng << 17;
	return (g->rng);
}

/* gen_init - a message of about size octets of body text */
static void gen_init(struct gen *g, size_t size)
{
	size_t  fixed = sizeof(gen_head) + 120, b, i;

	memset(g, 0, sizeof(*g));
	g->rng = 0x9e3779b97f4a7c15ULL;
	/* 48 octets become 66 characters (64 + CRLF) */
	b = size > fixed ? (size - fixed) / 66 * 48 : 48;
	g->seipd_len = b > BENCH_PKESK + 8 ? b - BENCH_PKESK - 8 : 1;
	g->head[g->head_len++] = 0x84;	/* old-format PKESK, 1-octet length */
	g->head[g->head_len++] = BENCH_PKESK;
	for (i = 0; i < BENCH_PKESK; i++)
		g->head[g->head_len++] = (unsigned char) gen_random(g);
	g->head[g->head_len++] = 0xd2;	/* new-format SEIPD, 5-octet length */
	g->head[g->head_len++] = 0xff;
	for (i = 0; i < 4; i++)
		g->head[g->head_len++] = (unsigned char) (g->seipd_len >> (24 - 8 * i));
	g->bin_total = g->head_len + g->seipd_len;
	g->crc = CM_PGP_ARMOR_CRC24_INIT;
	g->src = gen_head;
	g->src_len = sizeof(gen_head) - 1;
}

/* gen_line - the next base64 line (or the tail) into g->pend */
static void gen_line(struct gen *g)
{
	unsigned char bin[48];
	size_t  n = 0, i, o = 0;

	g->src = g->pend;
	g->src_off = 0;
	g->src_len = 0;
	if (g->stage == 2) {
		g->stage = 3;
		return;
	}
	g->stage = 1;
	while (n < sizeof(bin) && g->bin_done < g->bin_total) {
		bin[n++] = g->bin_done < g->head_len ? g->head[g->bin_done] :
			(unsigned char) gen_random(g);
		g->bin_done++;
	}
	if (n == 0) {
		g->src_len = (size_t) snprintf(g->pend, sizeof(g->pend),
			  "=%c%c%c%c\r\n-----END PGP MESSAGE-----\r\n\r\n"
			  "--OpenPGP-bench--\r\n", b64[(g->crc >> 18) & 63],
			  b64[(g->crc >> 12) & 63], b64[(g->crc >> 6) & 63],
					       b64[g->crc & 63]);
		g->stage = 2;
		return;
	}
	g->crc = cm_pgp_armor_crc24(g->crc, bin, n);
	for (i = 0; i < n; i += 3) {
		uint32_t w = (uint32_t) bin[i] << 16;

		w |= i + 1 < n ? (uint32_t) bin[i + 1] << 8 : 0;
		w |= i + 2 < n ? bin[i + 2] : 0;
		g->pend[o++] = b64[(w >> 18) & 63];
		g->pend[o++] = b64[(w >> 12) & 63];
		g->pend[o++] = i + 1 < n ? b64[(w >> 6) & 63] : '=';
		g->pend[o++] = i + 2 < n ? b64[w & 63] : '=';
	}
	g->pend[o++] = '\r';
	g->pend[o++] = '\n';
	g->src_len = o;
}

/* gen_next - up to cap octets of body text; 0 at the end */
static size_t gen_next(struct gen *g, char *out, size_t cap)
{
	size_t  o = 0;

	while (o < cap) {
		size_t  n;

		if (g->src_off == g->src_len) {
			if (g->stage == 3)
				break;
			gen_line(g);
			continue;
		}
		n = g->src_len - g->src_off;
		if (n > cap - o)
			n = cap - o;
		memcpy(out + o, g->src + g->src_off, n);
		g->src_off += n;
		o += n;
	}
	return (o);
}

/* check_headers - the top-level header fields of gen_headers */
static void check_headers(struct cm_pgp *pgp)
{
	cm_pgp_header(pgp, "From", "Alice <alice@example.org>");
	cm_pgp_header(pgp, "To", "bob@example.net");
	cm_pgp_header(pgp, "Subject", "...");
	cm_pgp_header(pgp, "MIME-Version", "1.0");
	cm_pgp_header(pgp, "Content-Type", "multipart/encrypted; "
		      "protocol=\"application/pgp-encrypted\";\r\n"
		      "\tboundary=\"OpenPGP-bench\"");
}

/* check_new - a checker for the bench's envelope */
static struct cm_pgp *check_new(void)
{
	static const char *const rcpt[] = {"bob@example.net"};
	struct cm_pgp_envelope env = {CM_PGP_OUTGOING, "alice@example.org",
	rcpt, 1};
	struct cm_pgp *pgp = cm_pgp_new(&env);

	if (pgp == NULL)
		die("cm_pgp_new");
	cm_pgp_set_simd(pgp, bench_simd);
	check_headers(pgp);
	return (pgp);
}

/* check_done - finish; 1 when the verdict is "encrypted" */
static int check_done(struct cm_pgp *pgp)
{
	const char *reason = "";
	enum cm_pgp_verdict v = cm_pgp_finish(pgp, &reason);

	cm_pgp_free(pgp);
	if (v != CM_PGP_ENCRYPTED)
		fprintf(stderr, "bench/pgp: checker says: %s\n", reason);
	return (v == CM_PGP_ENCRYPTED);
}

/* stream_rss - check a streamed message; peak RSS in KB, -1 failed */
static long stream_rss(size_t size)
{
	struct gen *g = malloc(sizeof(*g));
	char   *chunk = malloc(BENCH_CHUNK);
	struct cm_pgp *pgp = check_new();
	struct rusage ru;
	size_t  n;
	int     ok;

	if (g == NULL || chunk == NULL)
		die("malloc");
	gen_init(g, size);
	while ((n = gen_next(g, chunk, BENCH_CHUNK)) > 0)
		cm_pgp_body(pgp, chunk, n);
	ok = check_done(pgp);
	free(g);
	free(chunk);
	if (getrusage(RUSAGE_SELF, &ru) < 0)
		die("getrusage");
	return (ok ? ru.ru_maxrss : -1);
}

/* build - the whole body text in memory; *len_r its length */
static char *build(size_t size, size_t *len_r)
{
	struct gen g;
	size_t  cap = size + size / 8 + 4096, len = 0, n;
	char   *buf = malloc(cap);

	if (buf == NULL)
		die("malloc");
	gen_init(&g, size);
	while ((n = gen_next(&g, buf + len, cap - len)) > 0)
		len += n;
	*len_r = len;
	return (buf);
}

/* run_checker - one pass of the checker; 1 when "encrypted" */
static int run_checker(const char *msg, size_t len)
{
	struct cm_pgp *pgp = check_new();
	size_t  off;

	for (off = 0; off < len; off += BENCH_CHUNK)
		cm_pgp_body(pgp, msg + off, len - off < BENCH_CHUNK ?
			    len - off : BENCH_CHUNK);
	return (check_done(pgp));
}

/* run_baseline - memcpy in chunks + plain base64 decode of the lines */
static unsigned run_baseline(const char *msg, size_t len, char *copy,
			     unsigned char *out, const unsigned char *dec,
			     size_t data_off, size_t data_end)
{
	size_t  off, o = 0;
	unsigned sum = 0;
	const char *p = msg + data_off, *end = msg + data_end;

	for (off = 0; off < len; off += BENCH_CHUNK)
		memcpy(copy + off, msg + off, len - off < BENCH_CHUNK ?
		       len - off : BENCH_CHUNK);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t) (end - p));
		size_t  n = (size_t) ((nl != NULL ? nl : end) - p), i;

		if (n > 0 && p[n - 1] == '\r')
			n--;
		for (i = 0; i + 4 <= n; i += 4) {
			uint32_t w = (uint32_t) dec[(unsigned char) p[i]] << 18
				| (uint32_t) dec[(unsigned char) p[i + 1]] << 12
				| (uint32_t) dec[(unsigned char) p[i + 2]] << 6
				| dec[(unsigned char) p[i + 3]];

			out[o++] = (unsigned char) (w >> 16);
			out[o++] = (unsigned char) (w >> 8);
			out[o++] = (unsigned char) w;
		}
		p = nl != NULL ? nl + 1 : end;
	}
	for (off = 0; off < o; off += 4096)
		sum += out[off];
	return (sum + (unsigned) copy[len / 2]);
}

/* time_checker - MB/s of the checker, repeated for seconds */
static double time_checker(const char *msg, size_t len, double seconds)
{
	size_t  n = 0, batch = 1 + (1 << 20) / len;
	double  t0 = now_seconds(), t;

	do {
		size_t  k;

		for (k = 0; k < batch; k++)
			if (!run_checker(msg, len))
				return (-1);
		n += batch;
	} while ((t = now_seconds() - t0) < seconds);
	return ((double) len * (double) n / t / 1e6);
}

/* time_baseline - MB/s of the baseline, repeated for seconds */
static double time_baseline(const char *msg, size_t len, double seconds,
			    size_t data_off, size_t data_end)
{
	unsigned char dec[256];
	char   *copy = malloc(len + 1);
	unsigned char *out = malloc(len);
	volatile unsigned sink = 0;
	double  t0, t;
	size_t  n = 0, i, batch = 1 + (1 << 20) / len;

	if (copy == NULL || out == NULL)
		die("malloc");
	memset(copy, 0, len + 1);		/* no page faults while timed */
	memset(out, 0, len);
	memset(dec, 0, sizeof(dec));
	for (i = 0; i < 64; i++)
		dec[(unsigned char) b64[i]] = (unsigned char) i;
	t0 = now_seconds();
	do {
		size_t  k;

		for (k = 0; k < batch; k++)
			sink += run_baseline(msg, len, copy, out, dec, data_off,
					     data_end);
		n += batch;
	} while ((t = now_seconds() - t0) < seconds);
	(void) sink;
	free(copy);
	free(out);
	return ((double) len * (double) n / t / 1e6);
}

/* child - everything for one size; the result goes to fd */
static void child(size_t size, double seconds, int rounds, int fd)
{
	struct bench_result r = {0, 0, 0, 0};
	size_t  len, data_off, data_end;
	char   *msg;
	int     k;

	r.rss_kb = stream_rss(size);
	msg = build(size, &len);
	data_off = sizeof(gen_head) - 1;
	data_end = (size_t) (strstr(msg + data_off, "\r\n=") - msg);
	for (k = 0; k < rounds && r.rss_kb > 0; k++) {
		double  c = time_checker(msg, len, seconds);
		double  b = time_baseline(msg, len, seconds, data_off, data_end);

		if (c < 0)
			break;
		r.checker_mbs = c > r.checker_mbs ? c : r.checker_mbs;
		r.baseline_mbs = b > r.baseline_mbs ? b : r.baseline_mbs;
		r.ok = 1;
	}
	free(msg);
	if (write(fd, &r, sizeof(r)) != (ssize_t) sizeof(r))
		_exit(1);
	_exit(0);
}

/* measure - fork a child for one size */
static int measure(size_t size, double seconds, int rounds,
		           struct bench_result *r)
{
	int     p[2], status;
	pid_t   pid;

	if (pipe(p) < 0)
		die("pipe");
	fflush(stdout);
	if ((pid = fork()) < 0)
		die("fork");
	if (pid == 0) {
		close(p[0]);
		child(size, seconds, rounds, p[1]);
	}
	close(p[1]);
	if (read(p[0], r, sizeof(*r)) != (ssize_t) sizeof(*r))
		r->ok = 0;
	close(p[0]);
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status)
	    || WEXITSTATUS(status) != 0)
		r->ok = 0;
	return (r->ok ? 0 : -1);
}

/* train_one - one message through the checker in chunks of chunk
 * octets, Content-Type ct; 1 when the verdict is want */
static int train_one(const char *msg, size_t len, size_t chunk,
		             const char *ct, enum cm_pgp_verdict want)
{
	static const char *const rcpt[] = {"bob@example.net"};
	struct cm_pgp_envelope env = {CM_PGP_OUTGOING, "alice@example.org",
	rcpt, 1};
	struct cm_pgp *pgp = cm_pgp_new(&env);
	enum cm_pgp_verdict v;
	size_t  off;

	if (pgp == NULL)
		die("cm_pgp_new");
	cm_pgp_header(pgp, "From", "Alice <alice@example.org>");
	cm_pgp_header(pgp, "To", "bob@example.net");
	cm_pgp_header(pgp, "Subject", "...");
	cm_pgp_header(pgp, "MIME-Version", "1.0");
	cm_pgp_header(pgp, "Content-Type", ct);
	for (off = 0; off < len; off += chunk)
		if (cm_pgp_body(pgp, msg + off, len - off < chunk ?
				len - off : chunk) < 0)
			break;
	v = cm_pgp_finish(pgp, NULL);
	cm_pgp_free(pgp);
	return (v == want);
}

/* train_lf - the message with LF line ends; *len_r its length */
static char *train_lf(const char *msg, size_t len, size_t *len_r)
{
	char   *lf = malloc(len);
	size_t  i, n = 0;

	if (lf == NULL)
		die("malloc");
	for (i = 0; i < len; i++)
		if (msg[i] != '\r')
			lf[n++] = msg[i];
	*len_r = n;
	return (lf);
}

/* train - the --train workload: about 8 MB of mail per size */
static int train(void)
{
	static const size_t sizes[] = {600, 1024, 1500, 3000, 8192, 32768,
	102400, 1048576};
	const char *enc = "multipart/encrypted; "
	"protocol=\"application/pgp-encrypted\";\r\n"
	"\tboundary=\"OpenPGP-bench\"";
	size_t  i, k, len, lf_len, reps;
	int     ok = 1;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		char   *msg = build(sizes[i], &len);
		char   *lf = train_lf(msg, len, &lf_len);

		reps = 1 + (8u << 20) / len;
		for (k = 0; k < reps; k++) {
			ok &= train_one(msg, len, BENCH_CHUNK, enc, CM_PGP_ENCRYPTED);
			if (k % 4 == 0)
				ok &= train_one(lf, lf_len, BENCH_CHUNK, enc,
						CM_PGP_ENCRYPTED);
			if (k % 8 == 0)
				ok &= train_one(msg, len, 4096, enc, CM_PGP_ENCRYPTED);
			if (k % 32 == 0) {
				ok &= train_one(msg, len / 2, BENCH_CHUNK, enc,
						CM_PGP_REFUSED);
				ok &= train_one(msg, len, BENCH_CHUNK,
				     "text/plain; charset=utf-8", CM_PGP_REFUSED);
			}
		}
		free(lf);
		free(msg);
	}
	if (!ok)
		fprintf(stderr, "bench/pgp: --train: a verdict was wrong\n");
	return (ok ? 0 : 1);
}

/* size_text - "1 KB", "100 KB", "30 MB" */
static void size_text(size_t size, char *buf, size_t len)
{
	if (size >= 1024 * 1024 && size % (1024 * 1024) == 0)
		snprintf(buf, len, "%zu MB", size / (1024 * 1024));
	else if (size >= 1024 && size % 1024 == 0)
		snprintf(buf, len, "%zu KB", size / 1024);
	else
		snprintf(buf, len, "%zu B", size);
}

int     main(int argc, char **argv)
{
	size_t  sizes[BENCH_MAX_SIZES] = {1024, 100 * 1024, 30 * 1024 * 1024};
	int     nsizes = 3, rounds = 30, i, met = 1;
	unsigned simd;
	double  seconds = 0.03;
	long    rss_min = -1, rss_max = -1;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--quick") == 0) {
			sizes[0] = 1024;
			sizes[1] = 64 * 1024;
			sizes[2] = 1024 * 1024;
			nsizes = 3;
			rounds = 1;
			seconds = 0.02;
		} else if (strcmp(argv[i], "--train") == 0) {
			return (train());
		} else if (strcmp(argv[i], "--portable") == 0) {
			bench_simd = 0;
		} else if (strcmp(argv[i], "--rounds") == 0 && i + 1 < argc) {
			rounds = atoi(argv[++i]);
			rounds = rounds > 0 ? rounds : 1;
		} else if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc) {
			seconds = atof(argv[++i]);
		} else if (strcmp(argv[i], "--sizes") == 0 && i + 1 < argc) {
			char   *s = argv[++i], *end;

			for (nsizes = 0; nsizes < BENCH_MAX_SIZES && *s; nsizes++) {
				sizes[nsizes] = strtoul(s, &end, 10);
				s = *end == ',' ? end + 1 : end;
				if (end == s && *s)
					break;
			}
		} else {
			fprintf(stderr, "usage: bench/pgp [--quick] [--portable]"
				" [--sizes N,N,...] [--rounds N] [--seconds S]\n"
				"       bench/pgp --train\n");
			return (2);
		}
	}
	printf("%-8s %14s %14s %7s %12s\n", "size", "checker MB/s",
	       "baseline MB/s", "ratio", "peak RSS");
	for (i = 0; i < nsizes; i++) {
		struct bench_result r;
		char    name[32];
		double  ratio;

		size_text(sizes[i], name, sizeof(name));
		if (measure(sizes[i], seconds, rounds, &r) < 0) {
			fprintf(stderr, "bench/pgp: size %s failed\n", name);
			return (1);
		}
		ratio = r.checker_mbs / r.baseline_mbs;
		printf("%-8s %14.1f %14.1f %7.2f %9ld KB\n", name, r.checker_mbs,
		       r.baseline_mbs, ratio, r.rss_kb);
		met &= ratio >= 0.50;
		rss_min = rss_min < 0 || r.rss_kb < rss_min ? r.rss_kb : rss_min;
		rss_max = r.rss_kb > rss_max ? r.rss_kb : rss_max;
	}
	met &= rss_max - rss_min < 1024;
	simd = cm_pgp_simd_cpu() & bench_simd;
	printf("vector kernels:%s%s%s\n", simd & CM_PGP_SIMD_B64 ?
	       " base64 (AVX2)" : "", simd & CM_PGP_SIMD_CRC ?
	       " CRC24 (PCLMULQDQ)" : "", simd == 0 ? " none (portable code)" : "");
	printf("target (ratio >= 0.50, RSS independent of size): %s\n",
	       met ? "met" : "not met");
	return (0);
}
