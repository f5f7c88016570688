/*++
 * NAME
 *	chatmail-client 3
 * SUMMARY
 *	the Dovecot plugins' connection to chatmail-policyd
 * DESCRIPTION
 *	See chatmail-client.h. Plain blocking I/O with poll() against one
 *	deadline per call, so that the caller's ioloop (imap, lmtp,
 *	doveadm) is never involved. Lines are read into one buffer owned
 *	by the client; replies handed out point into it until the next
 *	read, and last_r's fields are copied to the data stack.
 *
 *	Requests sent with chatmail_client_send() are owed their replies:
 *	the daemon answers in order, so they come before the replies of
 *	whatever is sent next and are read (settled) then, usually in the
 *	same read() as those. A process that exits settles what it is owed
 *	first, so that the daemon is never left writing to a closed peer.
 *--*/

#include "lib.h"
#include "net.h"
#include "str.h"
#include "chatmail-client.h"

#include <errno.h>
#include <poll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define CHATMAIL_CLIENT_BUF (CM_DOVE_LINE_MAX * 2)

struct chatmail_client {
	char *path;
	unsigned int timeout_msecs;
	unsigned int retry_secs;
	bool quiet;
	bool down;		/* in an outage (logged once) */
	bool timed_out;		/* the last failure was a deadline */
	int fd;
	time_t last_used;	/* monotonic seconds */
	time_t retry_at;	/* monotonic seconds; 0 = try now */
	char *last_error;	/* why it is down */
	char *buf;		/* CHATMAIL_CLIENT_BUF bytes */
	size_t start, end;	/* unread bytes: buf[start..end) */
	unsigned int owed;	/* final replies not read yet (send()) */
};

/* Outcome of one exchange on one connection. */
enum chatmail_client_io {
	CHATMAIL_IO_OK = 1,	/* every reply OK */
	CHATMAIL_IO_FAIL = 0,	/* a FAIL reply; the connection is fine */
	CHATMAIL_IO_BROKEN = -1,	/* EOF, error, timeout, junk */
};

static void chatmail_client_settle_now(struct chatmail_client *client);

/* chatmail_client_now_ms - monotonic milliseconds */
static long long chatmail_client_now_ms(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) < 0)
		i_fatal("clock_gettime(CLOCK_MONOTONIC) failed: %m");
	return (long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* chatmail_client_init - a client; connects at the first call */
struct chatmail_client *
chatmail_client_init(const struct chatmail_client_settings *set)
{
	struct chatmail_client *client = i_new(struct chatmail_client, 1);

	client->path = i_strdup(set->socket_path);
	client->timeout_msecs = set->timeout_msecs;
	client->retry_secs = set->retry_secs;
	client->quiet = set->quiet;
	client->fd = -1;
	client->buf = i_malloc(CHATMAIL_CLIENT_BUF);
	return client;
}

/* chatmail_client_close - drop the connection */
static void chatmail_client_close(struct chatmail_client *client)
{
	if (client->fd != -1)
		i_close_fd(&client->fd);
	client->start = client->end = 0;
	client->owed = 0;
}

/* chatmail_client_deinit - close and free */
void chatmail_client_deinit(struct chatmail_client **_client)
{
	struct chatmail_client *client = *_client;

	if (client == NULL)
		return;
	*_client = NULL;
	if (client->owed > 0) T_BEGIN {
		chatmail_client_settle_now(client);
	} T_END;
	chatmail_client_close(client);
	i_free(client->last_error);
	i_free(client->buf);
	i_free(client->path);
	i_free(client);
}

/* chatmail_client_socket_path - the socket it talks to */
const char *chatmail_client_socket_path(const struct chatmail_client *client)
{
	return client->path;
}

/* chatmail_client_wait - poll until ready; 1 ready, 0 timeout, -1 error */
static int chatmail_client_wait(int fd, short events, long long deadline)
{
	struct pollfd pfd;
	long long left;
	int ret;

	for (;;) {
		left = deadline - chatmail_client_now_ms();
		if (left <= 0)
			return 0;
		pfd.fd = fd;
		pfd.events = events;
		pfd.revents = 0;
		ret = poll(&pfd, 1, (int) (left > 60000 ? 60000 : left));
		if (ret > 0)
			return 1;
		if (ret < 0 && errno != EINTR)
			return -1;
	}
}

/* chatmail_client_write - all of data before the deadline; *sent_any_r
   (if not NULL) says whether some of it went out */
static int chatmail_client_write(struct chatmail_client *client,
				 const char *data, size_t len,
				 long long deadline, bool *sent_any_r,
				 const char **error_r)
{
	ssize_t n;
	int ret;

	while (len > 0) {
		n = send(client->fd, data, len, MSG_NOSIGNAL);
		if (n > 0) {
			data += n;
			len -= (size_t) n;
			if (sent_any_r != NULL)
				*sent_any_r = TRUE;
			continue;
		}
		if (n < 0 && errno != EAGAIN && errno != EINTR) {
			*error_r = t_strdup_printf("send() failed: %m");
			return -1;
		}
		if ((ret = chatmail_client_wait(client->fd, POLLOUT,
						deadline)) <= 0) {
			client->timed_out = ret == 0;
			*error_r = ret == 0 ? "timed out writing"
				: t_strdup_printf("poll() failed: %m");
			return -1;
		}
	}
	return 0;
}

/* chatmail_client_fill - read more bytes; 1 some, 0 EOF, -1 error */
static int chatmail_client_fill(struct chatmail_client *client,
				long long deadline, const char **error_r)
{
	ssize_t n;
	int ret;

	if (client->start > 0) {
		memmove(client->buf, client->buf + client->start,
			client->end - client->start);
		client->end -= client->start;
		client->start = 0;
	}
	if (client->end >= CHATMAIL_CLIENT_BUF - 1) {
		*error_r = "reply line longer than 8192 bytes";
		return -1;
	}
	for (;;) {
		n = read(client->fd, client->buf + client->end,
			 CHATMAIL_CLIENT_BUF - 1 - client->end);
		if (n > 0) {
			client->end += (size_t) n;
			return 1;
		}
		if (n == 0) {
			*error_r = "connection closed by chatmail-policyd";
			return 0;
		}
		if (errno != EAGAIN && errno != EINTR) {
			*error_r = t_strdup_printf("read() failed: %m");
			return -1;
		}
		if ((ret = chatmail_client_wait(client->fd, POLLIN,
						deadline)) <= 0) {
			client->timed_out = ret == 0;
			*error_r = ret == 0 ? "timed out waiting for a reply"
				: t_strdup_printf("poll() failed: %m");
			return -1;
		}
	}
}

/* chatmail_client_line - the next line (LF cut off); NULL on failure */
static char *chatmail_client_line(struct chatmail_client *client,
				  long long deadline, bool *got_any,
				  const char **error_r)
{
	char *line, *nl;

	for (;;) {
		line = client->buf + client->start;
		nl = memchr(line, '\n', client->end - client->start);
		if (nl != NULL) {
			*nl = '\0';
			client->start = (size_t) (nl + 1 - client->buf);
			*got_any = TRUE;
			return line;
		}
		if (client->end - client->start >= CM_DOVE_LINE_MAX) {
			*error_r = "reply line longer than 8192 bytes";
			return NULL;
		}
		if (chatmail_client_fill(client, deadline, error_r) <= 0)
			return NULL;
		if (client->end > client->start)
			*got_any = TRUE;
	}
}

/* chatmail_client_handshake - VERSION both ways on a fresh connection */
static int chatmail_client_handshake(struct chatmail_client *client,
				     long long deadline, const char **error_r)
{
	struct cm_dove_request req;
	struct cm_dove_reply reply;
	char wire[64];
	int64_t major;
	bool got_any = FALSE;
	char *line;
	long len;

	i_zero(&req);
	req.cmd = CM_DOVE_CMD_VERSION;
	req.major = CM_DOVE_VERSION_MAJOR;
	req.minor = CM_DOVE_VERSION_MINOR;
	len = cm_dove_request_format(&req, wire, sizeof(wire));
	i_assert(len > 0);
	if (chatmail_client_write(client, wire, (size_t) len, deadline, NULL,
				  error_r) < 0)
		return -1;
	if ((line = chatmail_client_line(client, deadline, &got_any,
					 error_r)) == NULL)
		return -1;
	if (cm_dove_reply_parse(line, &reply, error_r) < 0)
		return -1;
	if (reply.kind == CM_DOVE_REPLY_FAIL) {
		*error_r = t_strdup_printf("refused: %s", reply.fields[1]);
		return -1;
	}
	if (reply.kind != CM_DOVE_REPLY_VERSION
	    || cm_dove_int64(reply.fields[0], &major) < 0) {
		*error_r = "bad reply to VERSION";
		return -1;
	}
	if (!cm_dove_version_compatible(major)) {
		*error_r = t_strdup_printf("speaks protocol version %s, we "
					   "speak %d", reply.fields[0],
					   CM_DOVE_VERSION_MAJOR);
		return -1;
	}
	return 0;
}

/* chatmail_client_connect - a fresh connection with its handshake */
static int chatmail_client_connect(struct chatmail_client *client,
				   long long deadline, const char **error_r)
{
	int err;

	client->fd = net_connect_unix(client->path);
	if (client->fd == -1) {
		*error_r = t_strdup_printf("connect(%s) failed: %m",
					   client->path);
		return -1;
	}
	/* non-blocking: wait until connected (at once for a UNIX socket
	   unless its listen queue is full) */
	if (chatmail_client_wait(client->fd, POLLOUT, deadline) <= 0) {
		client->timed_out = TRUE;
		*error_r = t_strdup_printf("connect(%s) timed out",
					   client->path);
		chatmail_client_close(client);
		return -1;
	}
	if ((err = net_geterror(client->fd)) != 0) {
		*error_r = t_strdup_printf("connect(%s) failed: %s",
					   client->path, strerror(err));
		chatmail_client_close(client);
		return -1;
	}
	if (chatmail_client_handshake(client, deadline, error_r) < 0) {
		chatmail_client_close(client);
		return -1;
	}
	return 0;
}

/* chatmail_client_copy_reply - last_r with fields on the data stack */
static void chatmail_client_copy_reply(const struct cm_dove_reply *reply,
				       struct cm_dove_reply *last_r)
{
	int i;

	if (last_r == NULL)
		return;
	*last_r = *reply;
	for (i = 0; i < reply->n; i++)
		last_r->fields[i] = t_strdup_noconst(reply->fields[i]);
}

/* chatmail_client_reply - read and parse the next reply line; -1 when
   the connection broke or the line is junk (or a stray VERSION) */
static int chatmail_client_reply(struct chatmail_client *client,
				 long long deadline, bool *got_any,
				 struct cm_dove_reply *reply_r,
				 const char **error_r)
{
	char *line = chatmail_client_line(client, deadline, got_any, error_r);

	if (line == NULL || cm_dove_reply_parse(line, reply_r, error_r) < 0)
		return -1;
	if (reply_r->kind == CM_DOVE_REPLY_VERSION) {
		*error_r = "unexpected VERSION reply";
		return -1;
	}
	return 0;
}

/* chatmail_client_settle - read the replies owed to send(); a FAIL
   among them is logged, it is no failure of the caller's requests */
static enum chatmail_client_io
chatmail_client_settle(struct chatmail_client *client, long long deadline,
		       bool *got_any, const char **error_r)
{
	struct cm_dove_reply reply;

	while (client->owed > 0) {
		if (chatmail_client_reply(client, deadline, got_any, &reply,
					  error_r) < 0)
			return CHATMAIL_IO_BROKEN;
		if (reply.kind == CM_DOVE_REPLY_ROW)
			continue;
		client->owed--;
		if (reply.kind == CM_DOVE_REPLY_FAIL && !client->quiet)
			i_warning("chatmail: chatmail-policyd refused a request "
				  "sent without waiting: %s: %s",
				  reply.fields[0], reply.fields[1]);
	}
	return CHATMAIL_IO_OK;
}

/* chatmail_client_exchange - send the requests, read every reply */
static enum chatmail_client_io
chatmail_client_exchange(struct chatmail_client *client, string_t *wire,
			 unsigned int count, chatmail_client_row_fn *row_fn,
			 void *ctx, struct cm_dove_reply *last_r,
			 long long deadline, bool *got_any,
			 const char **error_r)
{
	struct cm_dove_reply reply;
	const char *fail = NULL;
	unsigned int done = 0;

	if (chatmail_client_write(client, str_c(wire), str_len(wire),
				  deadline, NULL, error_r) < 0)
		return CHATMAIL_IO_BROKEN;
	if (chatmail_client_settle(client, deadline, got_any, error_r)
	    != CHATMAIL_IO_OK)
		return CHATMAIL_IO_BROKEN;
	while (done < count) {
		if (chatmail_client_reply(client, deadline, got_any, &reply,
					  error_r) < 0)
			return CHATMAIL_IO_BROKEN;
		if (reply.kind == CM_DOVE_REPLY_ROW) {
			if (row_fn != NULL)
				row_fn(&reply, ctx);
			continue;
		}
		done++;
		if (reply.kind == CM_DOVE_REPLY_FAIL && fail == NULL)
			fail = t_strdup_printf("%s: %s", reply.fields[0],
					       reply.fields[1]);
		else if (reply.kind == CM_DOVE_REPLY_OK)
			chatmail_client_copy_reply(&reply, last_r);
	}
	if (fail != NULL) {
		*error_r = fail;
		return CHATMAIL_IO_FAIL;
	}
	return CHATMAIL_IO_OK;
}

/* chatmail_client_down - an outage begins (or goes on): log once */
static void chatmail_client_down(struct chatmail_client *client,
				 const char *error)
{
	client->retry_at = chatmail_client_now_ms() / 1000 + client->retry_secs;
	i_free(client->last_error);
	client->last_error = i_strdup(error);
	if (!client->down && !client->quiet)
		i_error("chatmail: chatmail-policyd is not reachable at %s: "
			"%s; quota is neither enforced nor updated until it "
			"is back (logged once)", client->path, error);
	client->down = TRUE;
}

/* chatmail_client_up - a call went through */
static void chatmail_client_up(struct chatmail_client *client)
{
	if (client->down && !client->quiet)
		i_info("chatmail: chatmail-policyd at %s answers again",
		       client->path);
	client->down = FALSE;
	client->retry_at = 0;
	client->last_used = chatmail_client_now_ms() / 1000;
}

/* chatmail_client_wire - the requests as lines; NULL if one is too long */
static string_t *chatmail_client_wire(const struct cm_dove_request *requests,
				      unsigned int count, const char **error_r)
{
	string_t *wire = t_str_new(128 * count);
	char *line = t_malloc_no0(CM_DOVE_LINE_MAX + 1);
	unsigned int i;
	long len;

	for (i = 0; i < count; i++) {
		len = cm_dove_request_format(&requests[i], line,
					     CM_DOVE_LINE_MAX + 1);
		if (len < 0) {
			*error_r = "request longer than 8192 bytes";
			return NULL;
		}
		str_append_data(wire, line, (size_t) len);
	}
	return wire;
}

/* chatmail_client_open - the kept connection unless it is stale, else a
   fresh one; *reused_r says which */
static int chatmail_client_open(struct chatmail_client *client, long long now,
				long long deadline, bool *reused_r,
				const char **error_r)
{
	if (client->fd != -1 && now / 1000 - client->last_used
	    > CHATMAIL_CLIENT_STALE_SECS)
		chatmail_client_close(client);
	*reused_r = client->fd != -1;
	if (*reused_r)
		return 0;
	return chatmail_client_connect(client, deadline, error_r);
}

/* One call: the requests, and whether to wait for their replies. */
struct chatmail_client_call {
	const struct cm_dove_request *requests;
	unsigned int count;
	bool wait;			/* FALSE: send(), replies read later */
	chatmail_client_row_fn *row_fn;
	void *ctx;
	struct cm_dove_reply *last_r;
};

/* chatmail_client_post - write requests whose replies are owed;
   *sent_any_r: some of them went out (do not send them again) */
static enum chatmail_client_io
chatmail_client_post(struct chatmail_client *client, string_t *wire,
		     unsigned int count, long long deadline, bool *sent_any_r,
		     const char **error_r)
{
	if (chatmail_client_write(client, str_c(wire), str_len(wire),
				  deadline, sent_any_r, error_r) < 0)
		return CHATMAIL_IO_BROKEN;
	client->owed += count;
	return CHATMAIL_IO_OK;
}

/* chatmail_client_call - run() and send(): connect if needed, one retry
   on a kept connection the daemon had closed, down/up bookkeeping */
static int chatmail_client_call(struct chatmail_client *client,
				const struct chatmail_client_call *call,
				const char **error_r)
{
	long long now = chatmail_client_now_ms();
	long long deadline = now + client->timeout_msecs;
	enum chatmail_client_io io = CHATMAIL_IO_BROKEN;
	string_t *wire;
	bool reused, progressed = FALSE;
	int attempt;

	/* Skip the daemon for retry_secs after a timeout (a hung daemon
	   would cost every call the deadline). When it had gone away
	   (refused, reset, EOF) or answered junk, try again at once: that
	   costs a failed connect(), and the first change after a restart
	   reaches it (the restart's hydrate counted only what was on disk). */
	if (client->down && client->timed_out && now / 1000 < client->retry_at) {
		*error_r = t_strdup(client->last_error);
		return 0;
	}
	wire = chatmail_client_wire(call->requests, call->count, error_r);
	if (wire == NULL)
		return -1;
	for (attempt = 0; attempt < 2; attempt++) {
		client->timed_out = FALSE;	/* the last attempt's says */
		if (chatmail_client_open(client, now, deadline, &reused,
					 error_r) < 0)
			break;
		progressed = FALSE;
		io = call->wait
		    ? chatmail_client_exchange(client, wire, call->count,
					       call->row_fn, call->ctx,
					       call->last_r, deadline,
					       &progressed, error_r)
		    : chatmail_client_post(client, wire, call->count,
					   deadline, &progressed, error_r);
		if (io != CHATMAIL_IO_BROKEN)
			break;
		chatmail_client_close(client);
		/* A kept connection the daemon had closed: once more, unless
		   something went through (a request must not run twice). */
		if (!reused || progressed)
			break;
	}
	/* Bound what the daemon has to hold for us. */
	if (io == CHATMAIL_IO_OK && client->owed > CHATMAIL_CLIENT_OWED_MAX)
		io = chatmail_client_settle(client, deadline, &progressed,
					    error_r);
	if (io == CHATMAIL_IO_BROKEN) {
		chatmail_client_close(client);
		chatmail_client_down(client, *error_r);
		return 0;
	}
	chatmail_client_up(client);
	return io == CHATMAIL_IO_OK ? 1 : -1;
}

/* chatmail_client_run - pipelined requests, one final reply each */
int chatmail_client_run(struct chatmail_client *client,
			const struct cm_dove_request *requests,
			unsigned int count, chatmail_client_row_fn *row_fn,
			void *ctx, struct cm_dove_reply *last_r,
			const char **error_r)
{
	const struct chatmail_client_call call = {
		requests, count, TRUE, row_fn, ctx, last_r
	};

	return chatmail_client_call(client, &call, error_r);
}

/* chatmail_client_quota - one quota request and its "OK used max" */
int chatmail_client_quota(struct chatmail_client *client,
			  const struct cm_dove_request *request,
			  struct cm_dove_quota *quota_r, const char **error_r)
{
	struct cm_dove_reply reply;
	int ret;

	ret = chatmail_client_run(client, request, 1, NULL, NULL, &reply,
				  error_r);
	if (ret <= 0)
		return ret;
	if (cm_dove_reply_quota(&reply, quota_r, error_r) < 0) {
		*error_r = t_strdup_printf("bad reply to %s: %s",
					   cm_dove_cmd_name(request->cmd),
					   *error_r);
		return -1;
	}
	return 1;
}

/* chatmail_client_send - requests whose replies are read later */
int chatmail_client_send(struct chatmail_client *client,
			 const struct cm_dove_request *requests,
			 unsigned int count, const char **error_r)
{
	const struct chatmail_client_call call = {
		requests, count, FALSE, NULL, NULL, NULL
	};

	return chatmail_client_call(client, &call, error_r);
}

/* chatmail_client_settle_now - read what is owed before the client goes */
static void chatmail_client_settle_now(struct chatmail_client *client)
{
	long long deadline = chatmail_client_now_ms() + client->timeout_msecs;
	const char *error;
	bool got_any = FALSE;

	if (client->fd == -1
	    || chatmail_client_settle(client, deadline, &got_any, &error)
	    == CHATMAIL_IO_OK || client->quiet)
		return;
	i_warning("chatmail: chatmail-policyd at %s did not answer %u "
		  "request(s) sent without waiting: %s", client->path,
		  client->owed, error);
}
