/*++
 * NAME
 *	policyd_worker 3
 * SUMMARY
 *	the threads that serve the policy protocol
 * DESCRIPTION
 *	See policyd_worker.h. The main thread talks to a running worker
 *	only through g_main_context_invoke() into the worker's context
 *	(drain, quit); everything else a worker shares is thread-safe (the
 *	hot state, the server groups, the snapshot lock, the counters).
 *
 *	Why more workers than CPUs: a policy connection is persistent and
 *	strictly request/reply, and a worker that serves one connection
 *	ping-pongs with its client the way a blocking thread would, which
 *	keeps the two on one CPU; a worker that multiplexes several clients
 *	wakes them across CPUs, and on a small (virtual) machine those
 *	wake-ups cost more than the requests. bench/policy on 2 vCPUs, 8
 *	connections: 2 workers reach 0.29 x the (then in-process) echo
 *	server, 4 reach 0.37, 8 reach 0.68. The groups spread connections evenly, so up to
 *	n_workers connections get a thread each; more share them.
 *
 *	The workers start after the daemon has detached (fork() keeps
 *	only the calling thread), and they are joined before the final
 *	flush.
 * DIAGNOSTICS
 *	Failing to copy a listening socket or to start a thread is a
 *	start-up error.
 *--*/

#include "policyd_worker.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#define POLICYD_WORKERS_PER_CPU	4
#define POLICYD_WORKERS_MIN	2
#define POLICYD_WORKERS_MAX	8

/* policyd_worker_count - four per online CPU, within bounds */
static guint policyd_worker_count(void)
{
	return CLAMP(g_get_num_processors() * POLICYD_WORKERS_PER_CPU,
		     POLICYD_WORKERS_MIN, POLICYD_WORKERS_MAX);
}

/* policyd_worker_serve - a server on a copy of listen_fd, or NULL */
static gboolean policyd_worker_serve(struct policyd_worker *w,
				     const char *name, int listen_fd,
				     struct policyd_server_group *group,
				     struct policyd_server **server_r,
				     GError **error)
{
	int fd;

	if (listen_fd < 0)
		return TRUE;
	if ((fd = fcntl(listen_fd, F_DUPFD_CLOEXEC, 0)) < 0) {
		g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errno),
			    "%s: copy the listening socket: %s", name,
			    g_strerror(errno));
		return FALSE;
	}
	*server_r = policyd_server_new(name, fd, &policyd_policy_ops, w, group,
				       w->context);
	return TRUE;
}

/* policyd_worker_free - close a worker's servers and release it */
static void policyd_worker_free(struct policyd_worker **_w)
{
	struct policyd_worker *w = *_w;

	if (w == NULL)
		return;
	*_w = NULL;
	policyd_server_free(&w->policy_unix);
	policyd_server_free(&w->policy_tcp);
	policyd_snap_unref(&w->snap);
	g_main_loop_unref(w->loop);
	g_main_context_unref(w->context);
	g_free(w);
}

/* policyd_worker_new - a worker and its servers, not running yet */
static struct policyd_worker *policyd_worker_new(struct policyd *d,
						 guint index, int unix_fd,
						 int tcp_fd, GError **error)
{
	struct policyd_worker *w = g_new0(struct policyd_worker, 1);

	w->d = d;
	w->index = index;
	w->context = g_main_context_new();
	w->loop = g_main_loop_new(w->context, FALSE);
	w->snap = policyd_snap_get(d, &w->snap_gen);
	if (!policyd_worker_serve(w, "policy", unix_fd, d->policy_unix,
				  &w->policy_unix, error)
	    || !policyd_worker_serve(w, "policy-tcp", tcp_fd, d->policy_tcp,
				     &w->policy_tcp, error)) {
		policyd_worker_free(&w);
		return NULL;
	}
	return w;
}

/* policyd_worker_run - the thread: iterate the worker's context */
static gpointer policyd_worker_run(gpointer data)
{
	struct policyd_worker *w = data;

	g_main_context_push_thread_default(w->context);
	g_main_loop_run(w->loop);
	g_main_context_pop_thread_default(w->context);
	return NULL;
}

/* policyd_worker_groups - the listener groups, with the current limits */
static void policyd_worker_groups(struct policyd *d, int unix_fd,
				  int tcp_fd)
{
	struct policyd_server_limits limits = {
		d->config->max_connections, d->config->request_timeout,
		d->config->idle_timeout
	};

	if (unix_fd >= 0)
		d->policy_unix = policyd_server_group_new(&limits);
	if (tcp_fd >= 0)
		d->policy_tcp = policyd_server_group_new(&limits);
}

/* policyd_worker_start - make the workers and start their threads */
gboolean policyd_worker_start(struct policyd *d, int unix_fd, int tcp_fd,
			      GError **error)
{
	guint i, n = policyd_worker_count();
	struct policyd_worker *w;
	char name[16];
	gboolean ok = TRUE;

	policyd_worker_groups(d, unix_fd, tcp_fd);
	d->workers = g_new0(struct policyd_worker *, n);
	for (i = 0; ok && i < n; i++) {
		w = policyd_worker_new(d, i, unix_fd, tcp_fd, error);
		if ((ok = w != NULL))
			d->workers[d->n_workers++] = w;
	}
	if (unix_fd >= 0)
		close(unix_fd);
	if (tcp_fd >= 0)
		close(tcp_fd);
	/* Every member of a group exists before any of them runs. */
	for (i = 0; ok && i < d->n_workers; i++) {
		w = d->workers[i];
		g_snprintf(name, sizeof(name), "policy-%u", i + 1);
		w->thread = g_thread_try_new(name, policyd_worker_run, w, error);
		ok = w->thread != NULL;
	}
	return ok;
}

/* policyd_worker_on_drain - in the worker: stop accepting, drain */
static gboolean policyd_worker_on_drain(gpointer data)
{
	struct policyd_worker *w = data;

	if (w->policy_unix != NULL) {
		policyd_server_stop_accepting(w->policy_unix);
		policyd_server_drain(w->policy_unix);
	}
	if (w->policy_tcp != NULL) {
		policyd_server_stop_accepting(w->policy_tcp);
		policyd_server_drain(w->policy_tcp);
	}
	return G_SOURCE_REMOVE;
}

/* policyd_worker_drain - stop accepting and drain on every worker */
void policyd_worker_drain(struct policyd *d)
{
	guint i;

	for (i = 0; i < d->n_workers; i++)
		g_main_context_invoke(d->workers[i]->context,
				      policyd_worker_on_drain, d->workers[i]);
}

/* policyd_worker_on_quit - in the worker: leave the loop */
static gboolean policyd_worker_on_quit(gpointer data)
{
	struct policyd_worker *w = data;

	g_main_loop_quit(w->loop);
	return G_SOURCE_REMOVE;
}

/* policyd_worker_stop - end and join the threads, close what is left */
void policyd_worker_stop(struct policyd *d)
{
	guint i;

	for (i = 0; i < d->n_workers; i++)
		if (d->workers[i]->thread != NULL)
			g_main_context_invoke(d->workers[i]->context,
					      policyd_worker_on_quit,
					      d->workers[i]);
	for (i = 0; i < d->n_workers; i++)
		if (d->workers[i]->thread != NULL)
			g_thread_join(d->workers[i]->thread);
	for (i = 0; i < d->n_workers; i++)
		policyd_worker_free(&d->workers[i]);
	g_free(d->workers);
	d->workers = NULL;
	d->n_workers = 0;
	policyd_server_group_free(&d->policy_unix);
	policyd_server_group_free(&d->policy_tcp);
}

/* policyd_worker_snap - the newest snapshot, kept until a newer one */
const struct policyd_snap *policyd_worker_snap(struct policyd_worker *w)
{
	if (policyd_snap_generation(w->d) != w->snap_gen) {
		policyd_snap_unref(&w->snap);
		w->snap = policyd_snap_get(w->d, &w->snap_gen);
	}
	return w->snap;
}
