#ifndef POLICYD_WORKER_H
#define POLICYD_WORKER_H

/*++
 * NAME
 *	policyd_worker 3h
 * SUMMARY
 *	the threads that serve the policy protocol
 * DESCRIPTION
 *	policyd_worker_start() starts d->n_workers threads (four per online
 *	CPU, at least 2, at most 8; policyd_worker.c says why). Each runs
 *	a GMainContext of its own with one policyd_server per policy
 *	listener (the UNIX socket and, if configured, policy_tcp) on a
 *	dup() of the listening socket; the servers of one listener form a
 *	group (d->policy_unix, d->policy_tcp) that shares max_connections
 *	and spreads the connections over the workers.
 *
 *	A worker decides on a snapshot (policyd_worker_snap()), which it
 *	keeps and replaces when the main thread has published a newer one.
 *
 *	policyd_worker_drain() asks every worker to stop accepting and to
 *	close its idle connections (policyd_server_stop_accepting(),
 *	policyd_server_drain()); policyd_worker_stop() ends the threads,
 *	joins them and closes what is left. Both are for the main thread.
 *--*/

#include "policyd.h"

struct policyd_worker {
	struct policyd *d;
	guint index;
	GThread *thread;
	GMainContext *context;
	GMainLoop *loop;
	struct policyd_server *policy_unix;	/* or NULL */
	struct policyd_server *policy_tcp;	/* or NULL */
	struct policyd_snap *snap;		/* the worker's reference */
	guint snap_gen;
};

/* Takes ownership of unix_fd and tcp_fd (either may be -1). */
gboolean policyd_worker_start(struct policyd *d, int unix_fd, int tcp_fd,
			      GError **error);
void policyd_worker_drain(struct policyd *d);
void policyd_worker_stop(struct policyd *d);
/* The current snapshot, valid until the worker's next call. */
const struct policyd_snap *policyd_worker_snap(struct policyd_worker *w);

#endif
