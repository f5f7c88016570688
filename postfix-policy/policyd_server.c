/*++
 * NAME
 *	policyd_server 3
 * SUMMARY
 *	non-blocking stream listeners on GLib main contexts
 * DESCRIPTION
 *	See policyd_server.h. Every socket is non-blocking; a peer is read
 *	once per wake-up (16 KiB at most) so one busy client cannot starve
 *	the others. The replies to what one read brought are written
 *	together (one send()) when the protocol callback returns, at once
 *	when the socket takes them, which is the common case; only
 *	leftovers wait for G_IO_OUT.
 *
 *	Connections are freed only from the event callbacks after the
 *	protocol callback has returned, never from inside it.
 *
 *	Every source is attached to the server's context and kept as a
 *	GSource reference (policyd_server_watch, policyd_source_drop). The
 *	sources may recurse: nothing here iterates a context from inside a
 *	callback, and GLib otherwise blocks and unblocks each dispatched
 *	source, waking its own context (two eventfd writes and an extra
 *	poll) on every request.
 *
 *	A group's counters and limits are shared between threads and
 *	accessed with relaxed atomics; the rest of a server is touched by
 *	its own thread only. A connection accepted for another member is
 *	handed over with g_main_context_invoke_full(); it is counted from
 *	the accept on, so max_connections holds across the hand-over.
 *--*/

#include "policyd_server.h"
#include "policyd_log.h"

#include <errno.h>
#include <glib-unix.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define POLICYD_READ_CHUNK	16384
#define POLICYD_OUT_MAX		(1024 * 1024)
#define POLICYD_ACCEPT_BATCH	64

#define POLICYD_LOAD(p)		__atomic_load_n((p), __ATOMIC_RELAXED)
#define POLICYD_STORE(p, v)	__atomic_store_n((p), (v), __ATOMIC_RELAXED)
#define POLICYD_ADD(p, v)	__atomic_fetch_add((p), (v), __ATOMIC_RELAXED)

struct policyd_conn {
	struct policyd_server *server;
	int fd;
	GSource *in_watch;
	GSource *out_watch;
	GString *out;
	gsize out_off;
	void *state;
	gint64 last_active;	/* monotonic seconds */
	gboolean closing;	/* close once the output is written */
	gboolean failed;	/* write error: close now */
	gboolean batching;	/* in on_input: write once it returns */
	char peer[64];
};

struct policyd_server_group {
	struct policyd_server_limits limits;	/* fields atomic */
	gint conns;			/* open or being handed over */
	guint64 accepted;
	guint64 dropped;
	gint64 last_flood_log;		/* monotonic seconds */
	GPtrArray *members;		/* fixed while members run */
};

struct policyd_server {
	char *name;
	int listen_fd;
	GSource *listen_watch;
	GSource *retry;
	GSource *sweep;
	GMainContext *context;
	const struct policyd_server_ops *ops;
	void *ctx;
	struct policyd_server_group *group;
	GHashTable *conns;
	gint open;		/* conns plus those on their way here */
	gint accepting;		/* listening (read by other members) */
	gboolean draining;
};

/* A connection accepted by one member for another. */
struct policyd_handoff {
	struct policyd_server *server;
	struct policyd_server_group *group;
	int fd;			/* -1 once adopted */
};

static gboolean policyd_server_on_accept(gint fd, GIOCondition cond,
					 gpointer data);

/* policyd_now - monotonic seconds */
static gint64 policyd_now(void)
{
	return g_get_monotonic_time() / G_USEC_PER_SEC;
}

/* policyd_server_attach - attach a source to the server's context */
static GSource *policyd_server_attach(struct policyd_server *server,
				      GSource *src, GSourceFunc func,
				      gpointer data)
{
	g_source_set_can_recurse(src, TRUE);
	g_source_set_callback(src, func, data, NULL);
	g_source_attach(src, server->context);
	return src;
}

/* policyd_server_watch - call func when fd is ready for cond */
static GSource *policyd_server_watch(struct policyd_server *server, int fd,
				     GIOCondition cond, GUnixFDSourceFunc func,
				     gpointer data)
{
	return policyd_server_attach(server, g_unix_fd_source_new(fd, cond),
				     G_SOURCE_FUNC(func), data);
}

/* policyd_source_drop - destroy and release a source (NULL is fine) */
static void policyd_source_drop(GSource **src)
{
	if (*src == NULL)
		return;
	g_source_destroy(*src);
	g_source_unref(*src);
	*src = NULL;
}

/* policyd_conn_free - close and free one connection */
static void policyd_conn_free(struct policyd_conn *conn)
{
	struct policyd_server *server = conn->server;

	policyd_source_drop(&conn->in_watch);
	policyd_source_drop(&conn->out_watch);
	server->ops->conn_free(conn->state);
	close(conn->fd);
	g_string_free(conn->out, TRUE);
	g_free(conn);
	g_atomic_int_add(&server->open, -1);
	g_atomic_int_add(&server->group->conns, -1);
}

/* policyd_conn_drop - remove from the server and free */
static void policyd_conn_drop(struct policyd_conn *conn)
{
	g_hash_table_remove(conn->server->conns, conn);
	policyd_conn_free(conn);
}

/* policyd_conn_flush - write what the socket takes; FALSE on error */
static gboolean policyd_conn_flush(struct policyd_conn *conn)
{
	ssize_t n;

	while (conn->out_off < conn->out->len) {
		n = send(conn->fd, conn->out->str + conn->out_off,
			 conn->out->len - conn->out_off,
			 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return TRUE;
		if (n < 0) {
			if (errno != EPIPE && errno != ECONNRESET)
				policyd_log_warning("%s: write to %s: %s",
						    conn->server->name,
						    conn->peer,
						    g_strerror(errno));
			return FALSE;
		}
		conn->out_off += (gsize) n;
	}
	g_string_truncate(conn->out, 0);
	conn->out_off = 0;
	return TRUE;
}

/* policyd_conn_on_output - the socket can take more output */
static gboolean policyd_conn_on_output(gint fd, GIOCondition cond,
				       gpointer data)
{
	struct policyd_conn *conn = data;

	if (!policyd_conn_flush(conn)) {
		policyd_conn_drop(conn);
		return G_SOURCE_REMOVE;
	}
	if (conn->out->len > 0)
		return G_SOURCE_CONTINUE;
	policyd_source_drop(&conn->out_watch);
	if (conn->closing)
		policyd_conn_drop(conn);
	return G_SOURCE_REMOVE;
}

/* policyd_conn_wait_output - write the rest when the socket takes it */
static void policyd_conn_wait_output(struct policyd_conn *conn)
{
	if (conn->out_watch == NULL)
		conn->out_watch = policyd_server_watch(conn->server, conn->fd,
						       G_IO_OUT,
						       policyd_conn_on_output,
						       conn);
}

/* policyd_conn_push - write what the queued output allows now; wait for
   the socket for the rest */
static void policyd_conn_push(struct policyd_conn *conn)
{
	if (conn->failed || conn->out_watch != NULL)
		return;		/* closing, or already waiting for the socket */
	if (!policyd_conn_flush(conn)) {
		conn->failed = TRUE;
		return;
	}
	if (conn->out->len - conn->out_off > POLICYD_OUT_MAX) {
		policyd_log_warning("%s: %s does not read its replies; "
				    "closing", conn->server->name, conn->peer);
		conn->failed = TRUE;
		return;
	}
	if (conn->out->len > 0)
		policyd_conn_wait_output(conn);
}

/* policyd_conn_write - queue output and write what fits now (during
   on_input: once it returns, unless more than a read's worth piles up) */
void policyd_conn_write(struct policyd_conn *conn, const char *data,
			gsize len)
{
	if (conn->failed)
		return;
	g_string_append_len(conn->out, data, (gssize) len);
	if (conn->batching
	    && conn->out->len - conn->out_off <= POLICYD_READ_CHUNK)
		return;
	policyd_conn_push(conn);
}

/* policyd_conn_peer - printable peer identity */
const char *policyd_conn_peer(const struct policyd_conn *conn)
{
	return conn->peer;
}

/* policyd_conn_finish - after input: close now, later, or go on */
static gboolean policyd_conn_finish(struct policyd_conn *conn, gboolean keep)
{
	if (conn->failed) {
		policyd_conn_drop(conn);
		return G_SOURCE_REMOVE;
	}
	if (keep)
		return G_SOURCE_CONTINUE;
	policyd_source_drop(&conn->in_watch);
	if (conn->out->len == 0) {
		policyd_conn_drop(conn);
	} else {
		conn->closing = TRUE;
		policyd_conn_wait_output(conn);
	}
	return G_SOURCE_REMOVE;
}

/* policyd_conn_on_input - the peer sent something (or went away) */
static gboolean policyd_conn_on_input(gint fd, GIOCondition cond,
				      gpointer data)
{
	struct policyd_conn *conn = data;
	char buf[POLICYD_READ_CHUNK];
	gboolean keep;
	ssize_t n;

	n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK
		      || errno == EINTR))
		return G_SOURCE_CONTINUE;
	if (n <= 0) {
		if (n < 0 && errno != ECONNRESET)
			policyd_log_warning("%s: read from %s: %s",
					    conn->server->name, conn->peer,
					    g_strerror(errno));
		if (conn->server->ops->busy(conn->state))
			policyd_log_warning("%s: %s went away in the middle "
					    "of a request", conn->server->name,
					    conn->peer);
		/* A half-closed peer still gets the replies it asked for. */
		return policyd_conn_finish(conn, FALSE);
	}
	conn->last_active = policyd_now();
	conn->batching = TRUE;
	keep = conn->server->ops->on_input(conn, conn->state, buf, (gsize) n);
	conn->batching = FALSE;
	if (conn->out->len > 0)
		policyd_conn_push(conn);	/* what was batched */
	return policyd_conn_finish(conn, keep);
}

/* policyd_peer_name - "pid=N uid=N" for UNIX peers, "ip:port" for TCP */
static void policyd_peer_name(int fd, char *buf, gsize size)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	struct ucred cred;
	socklen_t clen = sizeof(cred);
	char host[48], port[8];

	if (getsockname(fd, (struct sockaddr *) &ss, &len) == 0
	    && ss.ss_family == AF_UNIX) {
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) == 0)
			g_snprintf(buf, size, "pid=%ld uid=%ld",
				   (long) cred.pid, (long) cred.uid);
		else
			g_strlcpy(buf, "unix", size);
		return;
	}
	len = sizeof(ss);
	if (getpeername(fd, (struct sockaddr *) &ss, &len) == 0
	    && getnameinfo((struct sockaddr *) &ss, len, host, sizeof(host),
			   port, sizeof(port),
			   NI_NUMERICHOST | NI_NUMERICSERV) == 0)
		g_snprintf(buf, size, "%s:%s", host, port);
	else
		g_strlcpy(buf, "unknown", size);
}

/* policyd_server_refuse - over the connection limit: log (rate-limited) */
static void policyd_server_refuse(struct policyd_server *server, int fd,
				  gint open)
{
	struct policyd_server_group *group = server->group;
	gint64 now = policyd_now();
	gint64 last = POLICYD_LOAD(&group->last_flood_log);
	char peer[64];

	POLICYD_ADD(&group->dropped, 1);
	if (now != last
	    && __atomic_compare_exchange_n(&group->last_flood_log, &last, now,
					   FALSE, __ATOMIC_RELAXED,
					   __ATOMIC_RELAXED)) {
		policyd_peer_name(fd, peer, sizeof(peer));
		policyd_log_warning("%s: too many connections (%u, "
				    "max_connections); closing the one from "
				    "%s", server->name, (guint) open, peer);
	}
	close(fd);
}

/* policyd_server_adopt - wrap an accepted socket (counted already) */
static void policyd_server_adopt(struct policyd_server *server, int fd)
{
	struct policyd_conn *conn = g_new0(struct policyd_conn, 1);
	int one = 1;

	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	conn->server = server;
	conn->fd = fd;
	conn->out = g_string_sized_new(256);
	conn->last_active = policyd_now();
	policyd_peer_name(fd, conn->peer, sizeof(conn->peer));
	conn->state = server->ops->conn_new(conn, server->ctx);
	conn->in_watch = policyd_server_watch(server, fd,
					      G_IO_IN | G_IO_HUP | G_IO_ERR,
					      policyd_conn_on_input, conn);
	g_hash_table_add(server->conns, conn);
	/* Clients write at once (a policy request), and a handed-over
	   connection arrives a little later: read now rather than after one
	   more wake-up. This may close conn. */
	(void) policyd_conn_on_input(fd, G_IO_IN, conn);
}

/* policyd_server_take - adopt a handed-over connection (its thread) */
static gboolean policyd_server_take(gpointer data)
{
	struct policyd_handoff *handoff = data;

	policyd_server_adopt(handoff->server, handoff->fd);
	handoff->fd = -1;
	return G_SOURCE_REMOVE;
}

/* policyd_handoff_free - release a hand-over; close it if never taken */
static void policyd_handoff_free(gpointer data)
{
	struct policyd_handoff *handoff = data;

	/* Only when the receiving context went away: the server may be
	   gone too, so only the group is uncounted. */
	if (handoff->fd >= 0) {
		close(handoff->fd);
		g_atomic_int_add(&handoff->group->conns, -1);
	}
	g_free(handoff);
}

/* policyd_server_least_busy - the accepting member with fewest conns */
static struct policyd_server *policyd_server_least_busy(
	struct policyd_server *server)
{
	GPtrArray *members = server->group->members;
	struct policyd_server *best = server, *member;
	gint fewest = g_atomic_int_get(&server->open), n;
	guint i;

	for (i = 0; i < members->len; i++) {
		member = members->pdata[i];
		if (member == server || !g_atomic_int_get(&member->accepting))
			continue;
		n = g_atomic_int_get(&member->open);
		if (n < fewest) {
			best = member;
			fewest = n;
		}
	}
	return best;
}

/* policyd_server_place - count a new connection and give it a home */
static void policyd_server_place(struct policyd_server *server, int fd)
{
	struct policyd_server_group *group = server->group;
	struct policyd_server *target;
	struct policyd_handoff *handoff;
	gint open = g_atomic_int_add(&group->conns, 1);

	if ((guint) open >= POLICYD_LOAD(&group->limits.max_connections)) {
		g_atomic_int_add(&group->conns, -1);
		policyd_server_refuse(server, fd, open);
		return;
	}
	POLICYD_ADD(&group->accepted, 1);
	target = policyd_server_least_busy(server);
	g_atomic_int_inc(&target->open);
	if (target == server) {
		policyd_server_adopt(server, fd);
		return;
	}
	handoff = g_new0(struct policyd_handoff, 1);
	handoff->server = target;
	handoff->group = group;
	handoff->fd = fd;
	g_main_context_invoke_full(target->context, G_PRIORITY_DEFAULT,
				   policyd_server_take, handoff,
				   policyd_handoff_free);
}

/* policyd_server_resume - re-arm accepting after a descriptor shortage */
static gboolean policyd_server_resume(gpointer data)
{
	struct policyd_server *server = data;

	policyd_source_drop(&server->retry);
	if (server->listen_fd >= 0)
		server->listen_watch = policyd_server_watch(
			server, server->listen_fd, G_IO_IN,
			policyd_server_on_accept, server);
	return G_SOURCE_REMOVE;
}

/* policyd_server_on_accept - take new connections */
static gboolean policyd_server_on_accept(gint lfd, GIOCondition cond,
					 gpointer data)
{
	struct policyd_server *server = data;
	int i, fd;

	for (i = 0; i < POLICYD_ACCEPT_BATCH; i++) {
		fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK
			    || errno == EINTR || errno == ECONNABORTED)
				break;
			policyd_log_error("%s: accept: %s; pausing 1 s",
					  server->name, g_strerror(errno));
			policyd_source_drop(&server->listen_watch);
			server->retry = policyd_server_attach(
				server, g_timeout_source_new_seconds(1),
				policyd_server_resume, server);
			return G_SOURCE_REMOVE;
		}
		policyd_server_place(server, fd);
	}
	return G_SOURCE_CONTINUE;
}

/* policyd_server_expired - should this connection go now */
static gboolean policyd_server_expired(struct policyd_server *server,
				       struct policyd_conn *conn, gint64 now)
{
	struct policyd_server_limits *limits = &server->group->limits;
	gint64 quiet = now - conn->last_active;
	gboolean busy = server->ops->busy(conn->state);

	if (conn->closing || conn->out_watch != NULL)
		return FALSE;	/* output in progress */
	if (busy && quiet >= POLICYD_LOAD(&limits->request_timeout)) {
		policyd_log_warning("%s: %s stalled in a request for %"
				    G_GINT64_FORMAT " s; closing",
				    server->name, conn->peer, quiet);
		return TRUE;
	}
	if (!busy && (server->draining
		      || quiet >= POLICYD_LOAD(&limits->idle_timeout)))
		return TRUE;
	return FALSE;
}

/* policyd_server_sweep - enforce timeouts once a second */
static gboolean policyd_server_sweep(gpointer data)
{
	struct policyd_server *server = data;
	GPtrArray *expired = g_ptr_array_new();
	GHashTableIter iter;
	gpointer key;
	gint64 now = policyd_now();
	guint i;

	g_hash_table_iter_init(&iter, server->conns);
	while (g_hash_table_iter_next(&iter, &key, NULL))
		if (policyd_server_expired(server, key, now))
			g_ptr_array_add(expired, key);
	for (i = 0; i < expired->len; i++)
		policyd_conn_drop(expired->pdata[i]);
	g_ptr_array_free(expired, TRUE);
	return G_SOURCE_CONTINUE;
}

/* policyd_server_group_new - limits and counters for some servers */
struct policyd_server_group *policyd_server_group_new(
	const struct policyd_server_limits *limits)
{
	struct policyd_server_group *group =
		g_new0(struct policyd_server_group, 1);

	group->limits = *limits;
	group->members = g_ptr_array_new();
	return group;
}

/* policyd_server_group_set_limits - new limits (on reload) */
void policyd_server_group_set_limits(struct policyd_server_group *group,
				     const struct policyd_server_limits *l)
{
	POLICYD_STORE(&group->limits.max_connections, l->max_connections);
	POLICYD_STORE(&group->limits.request_timeout, l->request_timeout);
	POLICYD_STORE(&group->limits.idle_timeout, l->idle_timeout);
}

/* policyd_server_group_connections - open connections of all members */
guint policyd_server_group_connections(struct policyd_server_group *group)
{
	return (guint) g_atomic_int_get(&group->conns);
}

/* policyd_server_group_accepted - connections accepted since start */
guint64 policyd_server_group_accepted(struct policyd_server_group *group)
{
	return POLICYD_LOAD(&group->accepted);
}

/* policyd_server_group_dropped - connections refused over the limit */
guint64 policyd_server_group_dropped(struct policyd_server_group *group)
{
	return POLICYD_LOAD(&group->dropped);
}

/* policyd_server_group_free - after all its servers */
void policyd_server_group_free(struct policyd_server_group **_group)
{
	struct policyd_server_group *group = *_group;

	if (group == NULL)
		return;
	*_group = NULL;
	g_ptr_array_free(group->members, TRUE);
	g_free(group);
}

/* policyd_server_new - serve listen_fd with ops in context */
struct policyd_server *policyd_server_new(const char *name, int listen_fd,
					  const struct policyd_server_ops *ops,
					  void *ctx,
					  struct policyd_server_group *group,
					  GMainContext *context)
{
	struct policyd_server *server = g_new0(struct policyd_server, 1);

	server->name = g_strdup(name);
	server->listen_fd = listen_fd;
	server->context = context != NULL ? g_main_context_ref(context)
	    : g_main_context_ref(g_main_context_default());
	server->ops = ops;
	server->ctx = ctx;
	server->group = group;
	server->conns = g_hash_table_new(g_direct_hash, g_direct_equal);
	server->accepting = TRUE;
	g_ptr_array_add(group->members, server);
	server->listen_watch = policyd_server_watch(server, listen_fd, G_IO_IN,
						    policyd_server_on_accept,
						    server);
	server->sweep = policyd_server_attach(server,
					      g_timeout_source_new_seconds(1),
					      policyd_server_sweep, server);
	return server;
}

/* policyd_server_stop_accepting - close the listening socket */
void policyd_server_stop_accepting(struct policyd_server *server)
{
	g_atomic_int_set(&server->accepting, FALSE);
	policyd_source_drop(&server->listen_watch);
	policyd_source_drop(&server->retry);
	if (server->listen_fd >= 0)
		close(server->listen_fd);
	server->listen_fd = -1;
}

/* policyd_server_drain - close idle connections now and busy ones later */
void policyd_server_drain(struct policyd_server *server)
{
	server->draining = TRUE;
	policyd_server_sweep(server);
}

/* policyd_server_connections - open connections of this member */
guint policyd_server_connections(struct policyd_server *server)
{
	return (guint) g_atomic_int_get(&server->open);
}

/* policyd_server_free - close everything */
void policyd_server_free(struct policyd_server **_server)
{
	struct policyd_server *server = *_server;
	GHashTableIter iter;
	gpointer key;

	if (server == NULL)
		return;
	*_server = NULL;
	policyd_server_stop_accepting(server);
	policyd_source_drop(&server->sweep);
	g_hash_table_iter_init(&iter, server->conns);
	while (g_hash_table_iter_next(&iter, &key, NULL)) {
		g_hash_table_iter_steal(&iter);
		policyd_conn_free(key);
	}
	g_hash_table_destroy(server->conns);
	g_ptr_array_remove(server->group->members, server);
	g_main_context_unref(server->context);
	g_free(server->name);
	g_free(server);
}

/* policyd_conn_take_line - append input up to the next LF to line */
gboolean policyd_conn_take_line(GString *line, gboolean *overlong, gsize max,
				const char **data, gsize *len)
{
	const char *nl = memchr(*data, '\n', *len);
	gsize   take = nl ? (gsize) (nl - *data) : *len;

	if (!*overlong && line->len + take < max)
		g_string_append_len(line, *data, (gssize) take);
	else
		*overlong = TRUE;
	*data += take;
	*len -= take;
	if (nl == NULL)
		return FALSE;
	*data += 1;
	*len -= 1;
	return TRUE;
}
