/*++
 * NAME
 *	cm_sock 1
 * SUMMARY
 *	test tool: talk to a UNIX stream socket
 * SYNOPSIS
 *	cm_sock [-w SECONDS] [-n REPLIES] SOCKET < input > output
 * DESCRIPTION
 *	Connects to SOCKET, sends standard input, and copies what the peer
 *	answers to standard output. With -n it stops after that many
 *	policy replies (blank-line terminated) and keeps the connection
 *	open until then; without it, it half-closes after sending and reads
 *	to EOF. -w bounds the wait (default 10 s).
 * DIAGNOSTICS
 *	Exit 0 on success, 1 on a connection error, 2 on a timeout.
 *--*/

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

/* cm_sock_count - count "\n\n" reply ends across reads */
static int cm_sock_count(const char *buf, size_t len, char *prev)
{
	int count = 0;
	size_t i;

	for (i = 0; i < len; i++) {
		if (buf[i] == '\n' && *prev == '\n')
			count++;
		*prev = buf[i];
	}
	return count;
}

/* cm_sock_send - write all of stdin */
static int cm_sock_send(int fd)
{
	char buf[65536];
	ssize_t n;

	while ((n = read(0, buf, sizeof(buf))) > 0)
		if (write(fd, buf, (size_t) n) != n)
			return -1;
	return n < 0 ? -1 : 0;
}

int main(int argc, char **argv)
{
	struct sockaddr_un sun;
	int fd, opt, wait_s = 10, want = -1, got = 0;
	char buf[65536], prev = 0;
	time_t deadline;
	ssize_t n;

	while ((opt = getopt(argc, argv, "w:n:")) != -1) {
		if (opt == 'w')
			wait_s = atoi(optarg);
		else if (opt == 'n')
			want = atoi(optarg);
		else
			return 1;
	}
	if (optind != argc - 1) {
		fprintf(stderr, "usage: cm_sock [-w S] [-n N] SOCKET\n");
		return 1;
	}
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", argv[optind]);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *) &sun, sizeof(sun)) < 0) {
		fprintf(stderr, "cm_sock: %s: %s\n", argv[optind],
			strerror(errno));
		return 1;
	}
	if (cm_sock_send(fd) < 0) {
		fprintf(stderr, "cm_sock: send: %s\n", strerror(errno));
		return 1;
	}
	if (want < 0)
		shutdown(fd, SHUT_WR);
	deadline = time(NULL) + wait_s;
	while (want < 0 || got < want) {
		struct pollfd pfd = { fd, POLLIN, 0 };
		int left = (int) (deadline - time(NULL));

		if (left <= 0 || poll(&pfd, 1, left * 1000) <= 0) {
			fprintf(stderr, "cm_sock: timeout\n");
			return 2;
		}
		if ((n = read(fd, buf, sizeof(buf))) <= 0)
			break;
		fwrite(buf, 1, (size_t) n, stdout);
		got += cm_sock_count(buf, (size_t) n, &prev);
	}
	close(fd);
	return 0;
}
