#ifndef CHATMAIL_CLIENT_H
#define CHATMAIL_CLIENT_H

/*++
 * NAME
 *	chatmail-client 3h
 * SUMMARY
 *	the Dovecot plugins' connection to chatmail-policyd
 * SYNOPSIS
 *	#include "chatmail-client.h"
 * DESCRIPTION
 *	A blocking client of the dovecot protocol (doc/dovecot-protocol.md)
 *	on dovecot_socket, with a deadline per call. One connection, made
 *	at the first call and kept; a connection idle for more than
 *	CHATMAIL_CLIENT_STALE_SECS is replaced before use (the daemon drops
 *	idle ones after 30 s), and a kept connection that turns out to be
 *	closed is retried once on a fresh one.
 *
 *	chatmail_client_run() sends its requests in one write (pipelined)
 *	and reads one final reply (OK or FAIL) per request, handing data
 *	rows ("*") to row_fn. Returns 1 when every request got OK (the
 *	last OK in *last_r, its fields copied to the data stack), -1 when
 *	one got FAIL or the daemon broke the protocol (error_r says which
 *	and why), and 0 when the daemon is unavailable: no socket, refused,
 *	a timeout or another protocol version. After a timeout, calls
 *	return 0 at once for retry_secs, so a hung daemon costs nothing
 *	per message; after any other failure (refused, reset, EOF, junk)
 *	the next call tries again, which costs one failed connect() while
 *	the daemon is away and counts the first change after a restart.
 *
 *	chatmail_client_send() is for requests whose answer the caller
 *	does not need (QUOTA-ADD, EVENT): it writes them and returns
 *	without waiting; the replies are read by the next
 *	chatmail_client_run() on the connection (they come first, the
 *	daemon answers in order), once more than CHATMAIL_CLIENT_OWED_MAX
 *	are owed, and before the client is freed. A FAIL among them is
 *	logged as a warning (unless quiet). Returns 1 when the requests
 *	were written, 0 when the daemon is unavailable (as above), -1 when
 *	a request is too long. This saves the caller a wait for the
 *	daemon per request, and the daemon a wake-up of the caller.
 *
 *	Logging: unless quiet, the first failure of an outage is logged
 *	with i_error (once, not per message) and the first success after
 *	it with i_info. A quiet client (doveadm) only reports through
 *	error_r.
 *
 *	Not thread-safe; Dovecot processes are single-threaded.
 *--*/

#include "cm_dove_codec.h"

#define CHATMAIL_SOCKET_DEFAULT "/run/chatmail/dovecot.sock"
#define CHATMAIL_CLIENT_STALE_SECS 20
#define CHATMAIL_CLIENT_OWED_MAX 1024

struct chatmail_client;

struct chatmail_client_settings {
	const char *socket_path;
	unsigned int timeout_msecs;	/* per call, connecting included */
	unsigned int retry_secs;	/* after a failure; 0 = always try */
	bool quiet;
};

typedef void chatmail_client_row_fn(const struct cm_dove_reply *row,
				    void *ctx);

struct chatmail_client *
chatmail_client_init(const struct chatmail_client_settings *set);
void chatmail_client_deinit(struct chatmail_client **client);

const char *chatmail_client_socket_path(const struct chatmail_client *client);

int chatmail_client_run(struct chatmail_client *client,
			const struct cm_dove_request *requests,
			unsigned int count, chatmail_client_row_fn *row_fn,
			void *ctx, struct cm_dove_reply *last_r,
			const char **error_r);

int chatmail_client_send(struct chatmail_client *client,
			 const struct cm_dove_request *requests,
			 unsigned int count, const char **error_r);

/* A typed shortcut: QUOTA-GET/-ADD/-RECALC and its "OK used max". Same
   results as chatmail_client_run(). */
int chatmail_client_quota(struct chatmail_client *client,
			  const struct cm_dove_request *request,
			  struct cm_dove_quota *quota_r, const char **error_r);

#endif
