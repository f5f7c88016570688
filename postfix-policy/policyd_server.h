#ifndef POLICYD_SERVER_H
#define POLICYD_SERVER_H

/*++
 * NAME
 *	policyd_server 3h
 * SUMMARY
 *	non-blocking stream listeners on GLib main contexts
 * DESCRIPTION
 *	A policyd_server accepts connections on one listening socket and
 *	feeds what each peer sends to a protocol's on_input callback, which
 *	answers with policyd_conn_write(). Output is buffered and written
 *	as the peer reads it. The server enforces the limits every protocol
 *	needs: at most max_connections at once (the one over the limit is
 *	accepted, logged and closed), request_timeout for a peer that
 *	started a request and stalls, idle_timeout between requests, and a
 *	cap on unread output (a peer that never reads is dropped). Each
 *	drop is logged once with the peer.
 *
 *	Threads: a server's sources live in the GMainContext given to
 *	policyd_server_new() (NULL: the default one), and the server, its
 *	connections and the protocol callbacks run on the thread that
 *	iterates that context only. policyd_server_stop_accepting(),
 *	_drain() and _free() belong to that thread too (or to any thread
 *	once it has ended).
 *
 *	Groups: every server belongs to a policyd_server_group, which holds
 *	the limits, the connection count (max_connections is a total over
 *	the group) and the counters. Several servers, one per thread, on
 *	copies (dup()) of one listening socket form one group: whichever
 *	accepts a connection hands it to the member with the fewest open
 *	connections, so the threads share the load. All members are made
 *	before any of them runs. The group functions are thread-safe.
 *
 *	Ownership: the server owns its connections and their protocol
 *	state (made by conn_new, freed by conn_free); the caller owns the
 *	group and frees it after its servers and their main contexts.
 *--*/

#include <glib.h>

struct policyd_server;
struct policyd_server_group;
struct policyd_conn;

struct policyd_server_ops {
	/* Per-connection protocol state. */
	void *(*conn_new)(struct policyd_conn *conn, void *ctx);
	void (*conn_free)(void *state);
	/* New bytes from the peer. Return FALSE to close the connection
	   (after the pending output is written). */
	gboolean (*on_input)(struct policyd_conn *conn, void *state,
			     const char *data, gsize len);
	/* TRUE while a request is partly received (request_timeout). */
	gboolean (*busy)(void *state);
};

struct policyd_server_limits {
	guint max_connections;
	guint request_timeout;	/* seconds */
	guint idle_timeout;	/* seconds */
};

/* Opens a UNIX listener: a stale socket file is replaced, a live one
   (another daemon answering) is an error; mode/user/group applied
   ("" user/group = leave as is). Returns the fd or -1. */
int policyd_listen_unix(const char *path, guint mode, const char *user,
			const char *group, GError **error);
/* "127.0.0.1:PORT" or "[::1]:PORT"; non-loopback addresses refused. */
int policyd_listen_tcp(const char *spec, GError **error);

struct policyd_server_group *policyd_server_group_new(
	const struct policyd_server_limits *limits);
/* New limits (on reload), seen by every member at its next use. */
void policyd_server_group_set_limits(struct policyd_server_group *group,
				     const struct policyd_server_limits *l);
/* Open connections over all members. */
guint policyd_server_group_connections(struct policyd_server_group *group);
guint64 policyd_server_group_accepted(struct policyd_server_group *group);
/* Connections refused over the limit. */
guint64 policyd_server_group_dropped(struct policyd_server_group *group);
void policyd_server_group_free(struct policyd_server_group **group);

/* Takes ownership of listen_fd. name appears in logs ("policy"). */
struct policyd_server *policyd_server_new(const char *name, int listen_fd,
					  const struct policyd_server_ops *ops,
					  void *ctx,
					  struct policyd_server_group *group,
					  GMainContext *context);
/* Stops accepting and closes the listening socket (connections stay). */
void policyd_server_stop_accepting(struct policyd_server *server);
/* Closes idle connections now; busy ones close once answered. */
void policyd_server_drain(struct policyd_server *server);
/* Open connections of this member (any thread). */
guint policyd_server_connections(struct policyd_server *server);
/* Closes everything and frees. */
void policyd_server_free(struct policyd_server **server);

void policyd_conn_write(struct policyd_conn *conn, const char *data,
			gsize len);
const char *policyd_conn_peer(const struct policyd_conn *conn);

/* Line assembly for LF-terminated protocols: appends *data up to the
   next LF to line (at most max - 1 bytes; beyond that *overlong is set
   and the rest of the line is dropped) and advances *data and *len
   past the LF. TRUE when a whole line was taken (the caller handles
   it, then empties line and clears *overlong); FALSE when all of the
   input was taken without a LF. */
gboolean policyd_conn_take_line(GString *line, gboolean *overlong, gsize max,
				const char **data, gsize *len);

#endif
