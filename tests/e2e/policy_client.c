/*++
 * NAME
 *	policy_client 1
 * SUMMARY
 *	send Postfix policy requests to a UNIX socket, print the replies
 * SYNOPSIS
 *	policy_client SOCKET < requests
 * DESCRIPTION
 *	Reads policy requests from stdin (name=value lines, each request
 *	ended by an empty line), sends each one over a single connection to
 *	the UNIX socket SOCKET, as Postfix's smtpd does, and prints the
 *	reply's action line ("action=...") for each request on stdout.
 *	For the e2e tests (tests/e2e/): bash cannot speak over UNIX sockets
 *	and a fresh Debian has no python3.
 * DIAGNOSTICS
 *	Exit 0 when every request got a well-formed reply; 1 on a connect,
 *	I/O or protocol error or a 10 s timeout (message on stderr).
 *--*/

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define TIMEOUT_MS 10000

/* fail - print a message and exit 1 */
static void fail(const char *what)
{
	fprintf(stderr, "policy_client: %s: %s\n", what,
		errno ? strerror(errno) : "protocol error");
	exit(1);
}

/* write_all - write the whole buffer */
static void write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			fail("write");
		buf += n;
		len -= (size_t) n;
	}
}

/* read_reply - read until an empty line; print the action line */
static void read_reply(int fd)
{
	char buf[4096];
	size_t len = 0;
	char *end, *line, *next;

	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t n;

		buf[len] = 0;
		if ((end = strstr(buf, "\n\n")) != NULL)
			break;
		if (len + 1 >= sizeof(buf)) {
			errno = 0;
			fail("reply too long");
		}
		if (poll(&pfd, 1, TIMEOUT_MS) == 0) {
			errno = ETIMEDOUT;
			fail("read");
		}
		n = read(fd, buf + len, sizeof(buf) - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n == 0)
			errno = ECONNRESET;
		if (n <= 0)
			fail("read");
		len += (size_t) n;
	}
	if (end + 2 != buf + len) {
		errno = 0;
		fail("bytes after the reply's empty line");
	}
	end[1] = 0;
	for (line = buf; *line; line = next) {
		next = strchr(line, '\n');
		*next++ = 0;
		if (strncmp(line, "action=", 7) == 0) {
			printf("%s\n", line);
			fflush(stdout);
			return;
		}
	}
	errno = 0;
	fail("reply without action=");
}

int main(int argc, char **argv)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char *line = NULL;
	size_t cap = 0, pending = 0;
	ssize_t n;
	char *req = NULL;
	size_t req_len = 0;
	int fd;

	if (argc != 2 || strlen(argv[1]) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "usage: policy_client SOCKET < requests\n");
		return 2;
	}
	strcpy(sun.sun_path, argv[1]);
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) < 0)
		fail("socket");
	if (connect(fd, (struct sockaddr *) &sun, sizeof(sun)) < 0)
		fail(argv[1]);
	while ((n = getline(&line, &cap, stdin)) >= 0) {
		if ((req = realloc(req, req_len + (size_t) n + 1)) == NULL)
			fail("realloc");
		memcpy(req + req_len, line, (size_t) n);
		req_len += (size_t) n;
		if (strcmp(line, "\n") == 0) {
			if (pending == 0) {	/* blank lines between requests */
				req_len = 0;
				continue;
			}
			write_all(fd, req, req_len);
			read_reply(fd);
			req_len = pending = 0;
		} else {
			pending++;
		}
	}
	if (pending > 0) {		/* last request without its blank line */
		write_all(fd, req, req_len);
		write_all(fd, "\n", 1);
		read_reply(fd);
	}
	free(line);
	free(req);
	close(fd);
	return 0;
}
