/*++
 * NAME
 *	policyd_server 3
 * SUMMARY
 *	non-blocking stream listeners on the GLib main loop
 * DESCRIPTION
 *	See policyd_server.h. Every socket is non-blocking; a peer is read
 *	once per wake-up (16 KiB at most) so one busy client cannot starve
 *	the others. A reply is written at once when the socket takes it,
 *	which is the common case; only leftovers wait for G_IO_OUT.
 *
 *	Connections are freed only from the event callbacks after the
 *	protocol callback has returned, never from inside it.
 *--*/

#include "policyd_server.h"
#include "policyd_log.h"

#include <errno.h>
#include <glib-unix.h>
#include <grp.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pwd.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define POLICYD_READ_CHUNK	16384
#define POLICYD_OUT_MAX		(1024 * 1024)
#define POLICYD_ACCEPT_BATCH	64

struct policyd_conn {
	struct policyd_server *server;
	int fd;
	guint in_watch;
	guint out_watch;
	GString *out;
	gsize out_off;
	void *state;
	gint64 last_active;	/* monotonic seconds */
	gboolean closing;	/* close once the output is written */
	gboolean failed;	/* write error: close now */
	char peer[64];
};

struct policyd_server {
	char *name;
	int listen_fd;
	guint listen_watch;
	guint retry_id;
	guint sweep_id;
	const struct policyd_server_ops *ops;
	void *ctx;
	struct policyd_server_limits limits;
	GHashTable *conns;
	guint64 accepted;
	guint64 dropped;
	gint64 last_flood_log;
	gboolean draining;
};

static gboolean policyd_server_on_accept(gint fd, GIOCondition cond,
					 gpointer data);

/* policyd_now - monotonic seconds */
static gint64 policyd_now(void)
{
	return g_get_monotonic_time() / G_USEC_PER_SEC;
}

/* policyd_conn_free - close and free one connection */
static void policyd_conn_free(struct policyd_conn *conn)
{
	if (conn->in_watch != 0)
		g_source_remove(conn->in_watch);
	if (conn->out_watch != 0)
		g_source_remove(conn->out_watch);
	conn->server->ops->conn_free(conn->state);
	close(conn->fd);
	g_string_free(conn->out, TRUE);
	g_free(conn);
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
		conn->out_watch = 0;
		policyd_conn_drop(conn);
		return G_SOURCE_REMOVE;
	}
	if (conn->out->len > 0)
		return G_SOURCE_CONTINUE;
	conn->out_watch = 0;
	if (conn->closing) {
		policyd_conn_drop(conn);
		return G_SOURCE_REMOVE;
	}
	return G_SOURCE_REMOVE;
}

/* policyd_conn_write - queue output and write what fits now */
void policyd_conn_write(struct policyd_conn *conn, const char *data,
			gsize len)
{
	if (conn->failed)
		return;
	g_string_append_len(conn->out, data, (gssize) len);
	if (conn->out_watch != 0)
		return;		/* already waiting for the socket */
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
		conn->out_watch = g_unix_fd_add(conn->fd, G_IO_OUT,
						policyd_conn_on_output, conn);
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
		conn->in_watch = 0;
		policyd_conn_drop(conn);
		return G_SOURCE_REMOVE;
	}
	if (keep)
		return G_SOURCE_CONTINUE;
	conn->in_watch = 0;
	if (conn->out->len == 0) {
		policyd_conn_drop(conn);
	} else {
		conn->closing = TRUE;
		if (conn->out_watch == 0)
			conn->out_watch = g_unix_fd_add(conn->fd, G_IO_OUT,
							policyd_conn_on_output,
							conn);
	}
	return G_SOURCE_REMOVE;
}

/* policyd_conn_on_input - the peer sent something (or went away) */
static gboolean policyd_conn_on_input(gint fd, GIOCondition cond,
				      gpointer data)
{
	struct policyd_conn *conn = data;
	char buf[POLICYD_READ_CHUNK];
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
	return policyd_conn_finish(conn, conn->server->ops->on_input(
					   conn, conn->state, buf, (gsize) n));
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
static void policyd_server_refuse(struct policyd_server *server, int fd)
{
	char peer[64];

	server->dropped++;
	if (policyd_now() != server->last_flood_log) {
		server->last_flood_log = policyd_now();
		policyd_peer_name(fd, peer, sizeof(peer));
		policyd_log_warning("%s: too many connections (%u, "
				    "max_connections); closing the one from "
				    "%s", server->name,
				    g_hash_table_size(server->conns), peer);
	}
	close(fd);
}

/* policyd_server_adopt - wrap an accepted socket */
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
	conn->in_watch = g_unix_fd_add(fd, G_IO_IN | G_IO_HUP | G_IO_ERR,
				       policyd_conn_on_input, conn);
	g_hash_table_add(server->conns, conn);
	server->accepted++;
}

/* policyd_server_resume - re-arm accepting after a descriptor shortage */
static gboolean policyd_server_resume(gpointer data)
{
	struct policyd_server *server = data;

	server->retry_id = 0;
	if (server->listen_fd >= 0)
		server->listen_watch = g_unix_fd_add(server->listen_fd, G_IO_IN,
						     policyd_server_on_accept,
						     server);
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
			server->listen_watch = 0;
			server->retry_id = g_timeout_add_seconds(
				1, policyd_server_resume, server);
			return G_SOURCE_REMOVE;
		}
		if (g_hash_table_size(server->conns)
		    >= server->limits.max_connections)
			policyd_server_refuse(server, fd);
		else
			policyd_server_adopt(server, fd);
	}
	return G_SOURCE_CONTINUE;
}

/* policyd_server_expired - should this connection go now */
static gboolean policyd_server_expired(struct policyd_server *server,
				       struct policyd_conn *conn, gint64 now)
{
	gint64 quiet = now - conn->last_active;
	gboolean busy = server->ops->busy(conn->state);

	if (conn->closing || conn->out_watch != 0)
		return FALSE;	/* output in progress */
	if (busy && quiet >= server->limits.request_timeout) {
		policyd_log_warning("%s: %s stalled in a request for %"
				    G_GINT64_FORMAT " s; closing",
				    server->name, conn->peer, quiet);
		return TRUE;
	}
	if (!busy && (server->draining
		      || quiet >= server->limits.idle_timeout))
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

/* policyd_server_new - serve listen_fd with ops */
struct policyd_server *policyd_server_new(const char *name, int listen_fd,
					  const struct policyd_server_ops *ops,
					  void *ctx,
					  const struct policyd_server_limits *l)
{
	struct policyd_server *server = g_new0(struct policyd_server, 1);

	server->name = g_strdup(name);
	server->listen_fd = listen_fd;
	server->ops = ops;
	server->ctx = ctx;
	server->limits = *l;
	server->conns = g_hash_table_new(g_direct_hash, g_direct_equal);
	server->listen_watch = g_unix_fd_add(listen_fd, G_IO_IN,
					     policyd_server_on_accept, server);
	server->sweep_id = g_timeout_add_seconds(1, policyd_server_sweep,
						 server);
	return server;
}

/* policyd_server_set_limits - new limits (on reload) */
void policyd_server_set_limits(struct policyd_server *server,
			       const struct policyd_server_limits *limits)
{
	server->limits = *limits;
}

/* policyd_server_stop_accepting - close the listening socket */
void policyd_server_stop_accepting(struct policyd_server *server)
{
	if (server->listen_watch != 0)
		g_source_remove(server->listen_watch);
	if (server->retry_id != 0)
		g_source_remove(server->retry_id);
	server->listen_watch = server->retry_id = 0;
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

/* policyd_server_connections - open connections */
guint policyd_server_connections(const struct policyd_server *server)
{
	return g_hash_table_size(server->conns);
}

/* policyd_server_accepted - connections accepted since start */
guint64 policyd_server_accepted(const struct policyd_server *server)
{
	return server->accepted;
}

/* policyd_server_dropped - connections refused over the limit */
guint64 policyd_server_dropped(const struct policyd_server *server)
{
	return server->dropped;
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
	g_source_remove(server->sweep_id);
	g_hash_table_iter_init(&iter, server->conns);
	while (g_hash_table_iter_next(&iter, &key, NULL)) {
		g_hash_table_iter_steal(&iter);
		policyd_conn_free(key);
	}
	g_hash_table_destroy(server->conns);
	g_free(server->name);
	g_free(server);
}
