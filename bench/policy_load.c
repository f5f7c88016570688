/*++
 * NAME
 *	policy_load 3
 * SUMMARY
 *	policy benchmark: Postfix-like request load and an echo server
 * SYNOPSIS
 *	#include "policy.h"
 *
 *	struct pb_echo *pb_echo_start(const char *path, int own_process)
 *	void pb_echo_stop(struct pb_echo **echo)
 *	int pb_load_run(const char *path, int conns, int seconds,
 *			long users, int rcpt_only, struct pb_result *res)
 *	int pb_probe(const char *path, char *reply, size_t size)
 * DESCRIPTION
 *	pb_echo_start() listens on the UNIX socket path and answers every
 *	request (bytes up to an empty line) with "action=DUNNO\n\n": one
 *	thread per connection, blocking read(), memchr() for the line ends,
 *	one write() per reply. It is the baseline: as fast as a simple
 *	policy server can be. With own_process it runs in a forked child
 *	(the baseline of the ratios: a policy server is a process of its
 *	own, and switching between processes costs more than between the
 *	threads of one); otherwise on threads of the benchmark itself.
 *	pb_echo_stop() closes the listener (or ends the child); the
 *	connection threads end when their clients close.
 *
 *	pb_load_run() opens conns connections to path, sends 50 untimed
 *	warm-up requests on each, and then, all starting together, runs a
 *	closed loop per connection for seconds: build a request, write it,
 *	read until the reply is complete, record the latency
 *	(CLOCK_MONOTONIC, in a preallocated array), check the reply. A
 *	reply must start with "action=" and end with its only empty line;
 *	others are counted in res->bad.
 *
 *	The requests carry the attributes Postfix 3.7 sends (31 names,
 *	640-700 bytes). Every SMTP transaction has a unique instance and
 *	is one of: 78 % mail from a remote domain (port 25, TLS, no SASL)
 *	to 3 random local users; 20 % an authenticated user (port 587,
 *	sasl_username) to 2 local users and one remote address; 2 % a
 *	sender in the blocklisted domain spam.example from 203.0.113.66,
 *	one RCPT. Each accepted transaction ends with an END-OF-MESSAGE
 *	request (recipient empty, recipient_count 3, the real size), unless
 *	rcpt_only (for services that only judge RCPT).
 *
 *	pb_load_run() returns 0, or -1 with res->why when a connection
 *	failed (connect, a write error, the server closing, a 5 s read
 *	timeout).
 *
 *	pb_probe() sends one RCPT request (a remote sender to user 1) and
 *	stores the reply; 0 ok, -1 with the error in reply.
 *--*/

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "policy.h"

#define LOAD_WARMUP	50
#define LOAD_PER_SEC	150000	/* latency slots per thread and second */
#define LOAD_REQ_MAX	2048
#define LOAD_REPLY_MAX	4096

struct pb_echo {
	int fd;
	pthread_t thread;
	pid_t pid;		/* own_process: the child, else 0 */
};

/* One load connection and its transaction in progress. */
struct load_conn {
	const char *path;
	int index;
	unsigned run;		/* pb_load_run() call, for unique instances */
	long users;
	int rcpt_only;
	int seconds;
	pthread_barrier_t *barrier;
	uint64_t rng;
	int fd;
	/* transaction */
	unsigned long txn;
	int step, n_rcpt, eom, kind;
	long size;
	long rcpt_user[3];
	char sender[96], helo[64], client[48], client_name[80];
	char instance[48], queue_id[16], sasl[96];
	/* results */
	uint32_t *lat;
	size_t lat_cap, lat_n;
	long long requests, bad, unrecorded;
	double start, end;
	char err[200];
	/* buffers */
	size_t req_len;
	char req[LOAD_REQ_MAX];
	char reply[LOAD_REPLY_MAX];
};

enum { TXN_REMOTE, TXN_AUTH, TXN_BLOCKED };

/* write_all - write len bytes; 0 ok, -1 error */
static int write_all(int fd, const char *buf, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return (-1);
		buf += n;
		len -= (size_t) n;
	}
	return (0);
}

/* echo_conn - answer every request of one connection with DUNNO */
static void *echo_conn(void *arg)
{
	static const char reply[] = "action=DUNNO\n\n";
	int fd = (int) (intptr_t) arg, prev_nl = 0;
	char buf[16384], *p, *end, *q;
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0 || (n < 0
							 && errno == EINTR)) {
		p = buf;
		end = buf + (n > 0 ? n : 0);
		while (p < end) {
			if (prev_nl && *p == '\n') {
				if (write_all(fd, reply, sizeof(reply) - 1))
					goto out;
				prev_nl = 0;
				p++;
				continue;
			}
			if ((q = memchr(p, '\n', (size_t) (end - p))) == NULL) {
				prev_nl = 0;
				break;
			}
			prev_nl = 1;
			p = q + 1;
		}
	}
out:
	close(fd);
	return (NULL);
}

/* echo_accept - accept connections until the listener is shut down */
static void *echo_accept(void *arg)
{
	struct pb_echo *echo = arg;
	pthread_attr_t attr;
	pthread_t t;
	int fd;

	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	for (;;) {
		fd = accept4(echo->fd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0 && (errno == EINTR || errno == ECONNABORTED))
			continue;
		if (fd < 0)
			break;
		if (pthread_create(&t, &attr, echo_conn,
				   (void *) (intptr_t) fd) != 0)
			close(fd);
	}
	pthread_attr_destroy(&attr);
	return (NULL);
}

/* unix_addr - fill a sockaddr_un; -1 when the path is too long */
static int unix_addr(struct sockaddr_un *sun, const char *path)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun->sun_path))
		return (-1);
	strcpy(sun->sun_path, path);
	return (0);
}

/* pb_echo_start - listen on path and serve DUNNO in threads */
struct pb_echo *pb_echo_start(const char *path, int own_process)
{
	struct sockaddr_un sun;
	struct pb_echo *echo;

	if ((echo = calloc(1, sizeof(*echo))) == NULL)
		pb_die(errno, "%s", "calloc");
	if (unix_addr(&sun, path) < 0)
		pb_die(0, "socket path too long: %s", path);
	echo->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (echo->fd < 0)
		pb_die(errno, "%s", "socket");
	unlink(path);
	if (bind(echo->fd, (struct sockaddr *) &sun, sizeof(sun)) < 0)
		pb_die(errno, "bind %s", path);
	if (listen(echo->fd, 64) < 0)
		pb_die(errno, "listen %s", path);
	if (own_process) {
		if ((echo->pid = fork()) < 0)
			pb_die(errno, "%s", "fork for the echo server");
		if (echo->pid == 0) {
			sigset_t none;

			sigemptyset(&none);
			signal(SIGTERM, SIG_DFL);
			pthread_sigmask(SIG_SETMASK, &none, NULL);
			echo_accept(echo);
			_exit(0);
		}
		pb_state.echo_pid = echo->pid;
		return (echo);
	}
	if (pthread_create(&echo->thread, NULL, echo_accept, echo) != 0)
		pb_die(0, "%s", "pthread_create failed");
	return (echo);
}

/* pb_echo_stop - stop accepting; running connections end by themselves */
void pb_echo_stop(struct pb_echo **echo)
{
	if (*echo == NULL)
		return;
	if ((*echo)->pid > 0) {
		pb_stop_child(&pb_state.echo_pid, 2.0);	/* it has the listener */
	} else {
		shutdown((*echo)->fd, SHUT_RDWR);
		pthread_join((*echo)->thread, NULL);
	}
	close((*echo)->fd);
	free(*echo);
	*echo = NULL;
}

/* next_rand - xorshift64* step */
static uint64_t next_rand(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return (*s * 0x2545f4914f6cdd1dULL);
}

/* put - append a string to the request */
static void put(struct load_conn *c, const char *s)
{
	size_t n = strlen(s);

	if (c->req_len + n < LOAD_REQ_MAX) {
		memcpy(c->req + c->req_len, s, n);
		c->req_len += n;
	}
}

/* put_num - append a decimal number to the request */
static void put_num(struct load_conn *c, unsigned long v)
{
	char tmp[24];
	int i = sizeof(tmp) - 1;

	tmp[i] = '\0';
	do {
		tmp[--i] = (char) ('0' + v % 10);
		v /= 10;
	} while (v > 0);
	put(c, tmp + i);
}

/* put_attr - append "name=value\n" */
static void put_attr(struct load_conn *c, const char *name, const char *value)
{
	put(c, name);
	put(c, "=");
	put(c, value);
	put(c, "\n");
}

/* put_user - append "userNNNNN@example.org" */
static void put_user(struct load_conn *c, long u)
{
	char tmp[64];

	snprintf(tmp, sizeof(tmp), "user%05ld@" PB_DOMAIN, u);
	put(c, tmp);
}

/* new_remote - the transaction's sender is a remote MTA (port 25) */
static void new_remote(struct load_conn *c, uint64_t r)
{
	unsigned dom = (unsigned) (r % 50), host = (unsigned) (r >> 8) % 250;

	c->kind = TXN_REMOTE;
	snprintf(c->sender, sizeof(c->sender), "sender%u@remote%u.example",
		 (unsigned) (r >> 16) % 1000, dom);
	snprintf(c->helo, sizeof(c->helo), "mx.remote%u.example", dom);
	snprintf(c->client, sizeof(c->client), "198.51.%u.%u", dom,
		 host + 1);
	snprintf(c->client_name, sizeof(c->client_name),
		 "mx.remote%u.example", dom);
	c->sasl[0] = '\0';
}

/* new_auth - the transaction's sender is one of ours (port 587) */
static void new_auth(struct load_conn *c, uint64_t r)
{
	long u = (long) ((r >> 8) % (uint64_t) c->users);

	c->kind = TXN_AUTH;
	snprintf(c->sasl, sizeof(c->sasl), "user%05ld@" PB_DOMAIN, u);
	snprintf(c->sender, sizeof(c->sender), "%s", c->sasl);
	snprintf(c->helo, sizeof(c->helo), "[192.168.%u.%u]",
		 (unsigned) (r >> 24) % 250, (unsigned) (r >> 32) % 250 + 1);
	snprintf(c->client, sizeof(c->client), "%s", c->helo + 1);
	c->client[strlen(c->client) - 1] = '\0';
	snprintf(c->client_name, sizeof(c->client_name), "unknown");
}

/* new_txn - plan the next SMTP transaction */
static void new_txn(struct load_conn *c)
{
	uint64_t r = next_rand(&c->rng);
	int i, pct = (int) (r % 100);

	c->txn++;
	c->step = 0;
	c->n_rcpt = 3;
	c->eom = !c->rcpt_only;
	c->size = 2000 + (long) ((r >> 40) % 60000);
	for (i = 0; i < 3; i++)
		c->rcpt_user[i] = (long) (next_rand(&c->rng)
					  % (uint64_t) c->users);
	if (pct < 2) {
		new_remote(c, r);
		c->kind = TXN_BLOCKED;
		snprintf(c->sender, sizeof(c->sender), "bulk%u@spam.example",
			 (unsigned) (r >> 16) % 1000);
		snprintf(c->client, sizeof(c->client), "203.0.113.66");
		c->n_rcpt = 1;
		c->eom = 0;
	} else if (pct < 22) {
		new_auth(c, r);
	} else {
		new_remote(c, r);
	}
	snprintf(c->instance, sizeof(c->instance), "%x.%x.%lx.0",
		 c->run * 16 + (unsigned) c->index, (unsigned) (r >> 48),
		 c->txn);
	snprintf(c->queue_id, sizeof(c->queue_id), "%X%06lX",
		 0x4a0 + c->index, c->txn & 0xffffff);
}

/* put_tls - the TLS and client certificate attributes */
static void put_tls(struct load_conn *c)
{
	put_attr(c, "ccert_subject", "");
	put_attr(c, "ccert_issuer", "");
	put_attr(c, "ccert_fingerprint", "");
	put_attr(c, "ccert_pubkey_fingerprint", "");
	put_attr(c, "encryption_protocol", "TLSv1.3");
	put_attr(c, "encryption_cipher", "TLS_AES_256_GCM_SHA384");
	put_attr(c, "encryption_keysize", "256");
}

/* put_recipient - recipient of the current step ("" at a 3-rcpt EOM) */
static void put_recipient(struct load_conn *c, int eom)
{
	put(c, "recipient=");
	if (eom && c->n_rcpt > 1)
		;
	else if (c->kind == TXN_AUTH && c->step == 2)
		put(c, "friend@remote7.example");
	else
		put_user(c, c->rcpt_user[eom ? 0 : c->step]);
	put(c, "\n");
}

/* build_request - the next request of the closed loop into c->req */
static void build_request(struct load_conn *c)
{
	int eom;

	if (c->step >= c->n_rcpt + c->eom)
		new_txn(c);
	eom = c->step >= c->n_rcpt;
	c->req_len = 0;
	put_attr(c, "request", "smtpd_access_policy");
	put_attr(c, "protocol_state", eom ? "END-OF-MESSAGE" : "RCPT");
	put_attr(c, "protocol_name", "ESMTP");
	put_attr(c, "helo_name", c->helo);
	put_attr(c, "queue_id", c->step == 0 ? "" : c->queue_id);
	put_attr(c, "sender", c->sender);
	put_recipient(c, eom);
	put(c, "recipient_count=");
	put_num(c, eom ? (unsigned long) c->n_rcpt : 0);
	put(c, "\n");
	put_attr(c, "client_address", c->client);
	put_attr(c, "client_name", c->client_name);
	put_attr(c, "reverse_client_name", c->client_name);
	put_attr(c, "instance", c->instance);
	put_attr(c, "sasl_method", c->sasl[0] ? "PLAIN" : "");
	put_attr(c, "sasl_username", c->sasl);
	put_attr(c, "sasl_sender", "");
	put(c, "size=");
	put_num(c, (unsigned long) c->size);
	put(c, "\n");
	put_tls(c);
	put_attr(c, "etrn_domain", "");
	put_attr(c, "stress", "");
	put_attr(c, "client_port", c->sasl[0] ? "50412" : "39170");
	put_attr(c, "policy_context", "");
	put_attr(c, "server_address", "192.0.2.25");
	put_attr(c, "server_port", c->sasl[0] ? "587" : "25");
	put_attr(c, "compatibility_level", "3.6");
	put_attr(c, "mail_version", "3.7.11");
	put(c, "\n");
	c->step++;
}

/* read_reply - read until the reply ends in "\n\n"; its length or -1 */
static ssize_t read_reply(struct load_conn *c)
{
	size_t len = 0;
	ssize_t n;

	for (;;) {
		n = read(c->fd, c->reply + len, sizeof(c->reply) - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			snprintf(c->err, sizeof(c->err), "reading a reply: %s",
				 n == 0 ? "server closed the connection"
				 : strerror(errno));
			return (-1);
		}
		len += (size_t) n;
		if (len >= 2 && c->reply[len - 1] == '\n'
		    && c->reply[len - 2] == '\n')
			break;
		if (len >= sizeof(c->reply) - 1) {
			snprintf(c->err, sizeof(c->err), "%s",
				 "reply too long");
			return (-1);
		}
	}
	c->reply[len] = '\0';
	return ((ssize_t) len);
}

/* reply_ok - "action=..." with the empty line only at its end */
static int reply_ok(const char *reply, size_t len)
{
	const char *nn = strstr(reply, "\n\n");

	return (strncmp(reply, "action=", 7) == 0 && nn == reply + len - 2);
}

static atomic_int bad_reported;	/* the first bad reply was printed */

/* escape_lf - turn LF into '~' in place, for one-line messages */
static const char *escape_lf(char *s)
{
	char *p;

	for (p = s; *p; p++)
		if (*p == '\n')
			*p = '~';
	return (s);
}

/* exchange - one request and its reply; 0, or -1 on a broken connection */
static int exchange(struct load_conn *c, int record)
{
	double t0, t1;
	ssize_t len;

	build_request(c);
	t0 = pb_now();
	if (write_all(c->fd, c->req, c->req_len) < 0) {
		snprintf(c->err, sizeof(c->err), "writing a request: %s",
			 strerror(errno));
		return (-1);
	}
	if ((len = read_reply(c)) < 0)
		return (-1);
	t1 = pb_now();
	c->end = t1;
	if (!reply_ok(c->reply, (size_t) len)) {
		c->bad++;
		if (atomic_exchange(&bad_reported, 1) == 0)
			fprintf(stderr, "bench/policy: first bad reply: "
				"\"%.*s\" (escaped LF: ~)\n", (int) len,
				escape_lf(c->reply));
	}
	if (!record)
		return (0);
	c->requests++;
	if (c->lat_n < c->lat_cap)
		c->lat[c->lat_n++] = (uint32_t) ((t1 - t0) * 1e9 > 4e9 ? 4e9
						 : (t1 - t0) * 1e9);
	else
		c->unrecorded++;
	return (0);
}

/* conn_open - connect with a 5 s read timeout; -1 with c->err */
static int conn_open(struct load_conn *c)
{
	struct timeval tv = {5, 0};
	struct sockaddr_un sun;

	if (unix_addr(&sun, c->path) < 0) {
		snprintf(c->err, sizeof(c->err), "%s", "path too long");
		return (-1);
	}
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0 || connect(c->fd, (struct sockaddr *) &sun,
				 sizeof(sun)) < 0) {
		snprintf(c->err, sizeof(c->err), "connect %s: %s", c->path,
			 strerror(errno));
		return (-1);
	}
	setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return (0);
}

/* load_thread - warm up, wait for the others, run the closed loop */
static void *load_thread(void *arg)
{
	struct load_conn *c = arg;
	int i, ok = conn_open(c) == 0;
	double deadline;

	for (i = 0; ok && i < LOAD_WARMUP; i++)
		ok = exchange(c, 0) == 0;
	pthread_barrier_wait(c->barrier);
	c->start = c->end = pb_now();
	deadline = c->start + c->seconds;
	while (ok && c->end < deadline && !pb_stopping())
		ok = exchange(c, 1) == 0;
	if (c->fd >= 0)
		close(c->fd);
	if (ok)
		c->err[0] = '\0';
	return (NULL);
}

/* cmp_u32 - qsort comparator */
static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *) a, y = *(const uint32_t *) b;

	return ((x > y) - (x < y));
}

/* summarize - merge the connections' results into res */
static int summarize(struct load_conn *cs, int conns, struct pb_result *res)
{
	double first = 0, last = 0;
	size_t total = 0, n = 0;
	uint32_t *all;
	int i;

	for (i = 0; i < conns; i++) {
		if (cs[i].err[0] && !res->why[0])
			snprintf(res->why, sizeof(res->why), "%s", cs[i].err);
		res->requests += cs[i].requests;
		res->bad += cs[i].bad;
		res->unrecorded += cs[i].unrecorded;
		total += cs[i].lat_n;
		if (i == 0 || cs[i].start < first)
			first = cs[i].start;
		if (i == 0 || cs[i].end > last)
			last = cs[i].end;
	}
	if (res->why[0] || total == 0)
		return (-1);
	if ((all = malloc(total * sizeof(*all))) == NULL)
		pb_die(errno, "%s", "malloc");
	for (i = 0; i < conns; i++) {
		memcpy(all + n, cs[i].lat, cs[i].lat_n * sizeof(*all));
		n += cs[i].lat_n;
	}
	qsort(all, total, sizeof(*all), cmp_u32);
	res->p50_us = all[(total - 1) / 2] / 1e3;
	res->p99_us = all[(size_t) ((total - 1) * 0.99)] / 1e3;
	res->seconds = last - first;
	res->rps = res->requests / res->seconds;
	res->measured = 1;
	free(all);
	return (0);
}

/* pb_load_run - conns closed-loop connections for seconds */
int pb_load_run(const char *path, int conns, int seconds, long users,
		int rcpt_only, struct pb_result *res)
{
	static atomic_uint runs;
	unsigned run = atomic_fetch_add(&runs, 1) + 1;
	pthread_t threads[PB_MAX_CONNS];
	struct load_conn *cs;
	pthread_barrier_t barrier;
	int i, ret;

	memset(res, 0, sizeof(*res));
	res->conns = conns;
	if ((cs = calloc((size_t) conns, sizeof(*cs))) == NULL)
		pb_die(errno, "%s", "calloc");
	pthread_barrier_init(&barrier, NULL, (unsigned) conns);
	for (i = 0; i < conns; i++) {
		cs[i].path = path;
		cs[i].index = i;
		cs[i].run = run;
		cs[i].users = users;
		cs[i].rcpt_only = rcpt_only;
		cs[i].seconds = seconds;
		cs[i].barrier = &barrier;
		cs[i].fd = -1;
		cs[i].rng = 0x9e3779b97f4a7c15ULL * (run * 16 + i + 1);
		cs[i].lat_cap = (size_t) seconds * LOAD_PER_SEC + 1000;
		cs[i].lat = malloc(cs[i].lat_cap * sizeof(uint32_t));
		if (cs[i].lat == NULL)
			pb_die(errno, "%s", "malloc");
		snprintf(cs[i].err, sizeof(cs[i].err), "%s", "not started");
	}
	for (i = 0; i < conns; i++)
		if (pthread_create(&threads[i], NULL, load_thread, &cs[i]))
			pb_die(0, "%s", "pthread_create failed");
	for (i = 0; i < conns; i++)
		pthread_join(threads[i], NULL);
	ret = summarize(cs, conns, res);
	for (i = 0; i < conns; i++)
		free(cs[i].lat);
	free(cs);
	pthread_barrier_destroy(&barrier);
	return (ret);
}

/* pb_probe - one RCPT request; its reply (or the error) into reply */
int pb_probe(const char *path, char *reply, size_t size)
{
	struct load_conn *c;
	int ret;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		pb_die(errno, "%s", "calloc");
	c->path = path;
	c->users = 2;
	c->rcpt_only = 1;
	c->fd = -1;
	c->rng = 1;
	ret = conn_open(c) == 0 && exchange(c, 0) == 0 ? 0 : -1;
	if (c->fd >= 0)
		close(c->fd);
	snprintf(reply, size, "%s", ret == 0 ? c->reply : c->err);
	free(c);
	return (ret);
}
