/*++
 * NAME
 *	policyd_milter 3
 * SUMMARY
 *	the encryption gate's milter: socket, thread, start and stop
 * DESCRIPTION
 *	See policyd_milter.h; the callbacks are in policyd_milter_cb.c.
 *
 *	Threads and signals: smfi_main() blocks, and it first starts a
 *	libmilter thread that sigwait()s SIGHUP, SIGTERM and SIGINT (and
 *	blocks them in the thread that called smfi_main()). So smfi_main()
 *	runs on a thread of its own, never on the main thread, which keeps
 *	them unblocked for GLib's g_unix_signal_add() handlers. A signal
 *	sent to the daemon's process id goes to the main thread (the
 *	kernel offers a process signal to the thread whose id it is first)
 *	and libmilter's thread never sees it; should it ever take one all
 *	the same, smfi_main() returns without our asking, and
 *	policyd_milter_lost() stops the daemon with exit status 1.
 *
 *	Stopping: smfi_stop() waits for the listener's poll() (up to 5 s
 *	in libmilter), so it runs on a short-lived thread of its own, and
 *	the listener is woken by connecting to our own socket ("pokes")
 *	until smfi_main() has returned. libmilter leaves a UNIX socket
 *	behind when running as root; we remove it.
 * DIAGNOSTICS
 *	A socket that cannot be opened is a start-up error naming
 *	milter_socket; libmilter's own details go to syslog.
 *--*/

#include "policyd_milter_private.h"
#include "policyd_log.h"

#include <errno.h>
#include <gio/gio.h>
#include <pthread.h>
#include <fcntl.h>
#include <grp.h>
#include <netdb.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define POLICYD_MILTER_POKE_MS		50
#define POLICYD_MILTER_STOP_TRIES	200	/* x POKE_MS */

/* policyd_milter_sockaddr - where spec listens; FALSE if unparsable */
static gboolean policyd_milter_sockaddr(struct policyd_milter *m)
{
	const char *colon = strchr(m->spec, ':'), *at;
	struct sockaddr_un *sun = (struct sockaddr_un *) &m->addr;
	struct addrinfo hints, *ai = NULL;
	g_autofree char *host = NULL, *port = NULL;

	memset(&m->addr, 0, sizeof(m->addr));
	if (colon == NULL)
		return FALSE;
	if (colon[1] == '/') {			/* unix: or local: */
		if (strlen(colon + 1) >= sizeof(sun->sun_path))
			return FALSE;
		sun->sun_family = AF_UNIX;
		strcpy(sun->sun_path, colon + 1);
		m->addr_len = sizeof(*sun);
		m->unix_path = g_strdup(colon + 1);
		return TRUE;
	}
	if ((at = strchr(colon, '@')) == NULL)
		return FALSE;
	port = g_strndup(colon + 1, (gsize) (at - colon - 1));
	host = at[1] == '[' && g_str_has_suffix(at, "]")
	    ? g_strndup(at + 2, strlen(at) - 3) : g_strdup(at + 1);
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	if (getaddrinfo(host, port, &hints, &ai) != 0)
		return FALSE;
	memcpy(&m->addr, ai->ai_addr, ai->ai_addrlen);
	m->addr_len = ai->ai_addrlen;
	freeaddrinfo(ai);
	return TRUE;
}

/* policyd_milter_answers - 1 when something accepts on our address */
static gboolean policyd_milter_answers(const struct policyd_milter *m)
{
	int fd = socket(m->addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	gboolean up;

	if (fd < 0)
		return FALSE;
	up = connect(fd, (const struct sockaddr *) &m->addr, m->addr_len) == 0;
	close(fd);
	return up;
}

/* policyd_milter_poke - wake libmilter's listener (non-blocking) */
static void policyd_milter_poke(const struct policyd_milter *m)
{
	int fd = socket(m->addr.ss_family,
			SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return;
	(void) connect(fd, (const struct sockaddr *) &m->addr, m->addr_len);
	close(fd);
}

/* policyd_milter_prepare - parent directory; refuse a live socket */
static gboolean policyd_milter_prepare(struct policyd_milter *m,
				       GError **error)
{
	g_autofree char *dir = NULL;

	if (policyd_milter_answers(m)) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE,
			    "milter_socket %s: another process is listening "
			    "there (is chatmail-policyd already running?)",
			    m->spec);
		return FALSE;
	}
	if (m->unix_path == NULL)
		return TRUE;
	dir = g_path_get_dirname(m->unix_path);
	if (g_mkdir_with_parents(dir, 0755) < 0) {
		g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errno),
			    "milter_socket %s: mkdir %s: %s", m->spec, dir,
			    g_strerror(errno));
		return FALSE;
	}
	return TRUE;
}

/* policyd_milter_perms - milter_socket_mode and _group on the file */
static gboolean policyd_milter_perms(const struct policyd_milter *m,
				     const struct policyd_config *c,
				     GError **error)
{
	struct group *gr = NULL;

	if (m->unix_path == NULL)
		return TRUE;
	if (c->milter_socket_group[0] != '\0'
	    && (gr = getgrnam(c->milter_socket_group)) == NULL) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
			    "milter_socket_group: unknown group '%s'",
			    c->milter_socket_group);
		return FALSE;
	}
	if (chmod(m->unix_path, (mode_t) c->milter_socket_mode) < 0
	    || (gr != NULL && chown(m->unix_path, (uid_t) -1, gr->gr_gid) < 0)) {
		g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errno),
			    "milter_socket %s: chmod/chgrp: %s", m->spec,
			    g_strerror(errno));
		return FALSE;
	}
	return TRUE;
}

/* policyd_milter_fail - a start-up error naming the key */
static gboolean policyd_milter_fail(struct policyd_milter *m, GError **error,
				    const char *what)
{
	g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED,
		    "milter_socket %s: libmilter %s (details in syslog: is the "
		    "address in use, or the directory not writable?)",
		    m->spec, what);
	return FALSE;
}

/* policyd_milter_open - register, open the socket (before detaching) */
gboolean policyd_milter_open(struct policyd *d, GError **error)
{
	const struct policyd_config *c = d->config;
	struct policyd_milter *m = policyd_milter_the();
	struct smfiDesc desc;

	if (c->milter_socket[0] == '\0')
		return TRUE;
	m->d = d;
	m->spec = g_strdup(c->milter_socket);
	if (!policyd_milter_sockaddr(m)) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
			    "milter_socket %s: cannot be parsed", m->spec);
		return FALSE;
	}
	if (!policyd_milter_prepare(m, error))
		return FALSE;
	policyd_milter_cb_desc(&desc);
	if (smfi_register(desc) == MI_FAILURE)
		return policyd_milter_fail(m, error, "refused the registration");
	if (smfi_setconn(m->spec) == MI_FAILURE
	    || smfi_settimeout((int) c->milter_timeout) == MI_FAILURE)
		return policyd_milter_fail(m, error, "refused the settings");
	if (smfi_opensocket(TRUE) == MI_FAILURE)
		return policyd_milter_fail(m, error, "could not listen there");
	if (!policyd_milter_perms(m, c, error))
		return FALSE;
	d->milter = m;
	d->milter_counts = TRUE;
	return TRUE;
}

/* policyd_milter_lost - main thread: libmilter stopped on its own */
static gboolean policyd_milter_lost(gpointer data)
{
	struct policyd_milter *m = data;

	if (g_atomic_int_get(&m->stop_requested))
		return G_SOURCE_REMOVE;
	policyd_log_error("milter: libmilter stopped on its own (its signal "
			  "thread took a signal meant for chatmail-policyd, or "
			  "its listener failed; see syslog); stopping with "
			  "exit status 1 so that the service is restarted");
	m->d->exit_status = 1;
	/* To this thread, the main one: GLib's SIGTERM handler runs the
	   usual drain and final flush. */
	raise(SIGTERM);
	return G_SOURCE_REMOVE;
}

/* policyd_milter_thread - runs smfi_main() until it returns */
static gpointer policyd_milter_thread(gpointer data)
{
	struct policyd_milter *m = data;

	(void) smfi_main();
	g_atomic_int_set(&m->main_done, 1);
	if (!g_atomic_int_get(&m->stop_requested))
		g_idle_add(policyd_milter_lost, m);
	return NULL;
}

/* Stack size of the threads started from policyd_milter_start() on. */
#define POLICYD_MILTER_STACK	(512 * 1024)

/* policyd_milter_stack - the default stack size for new threads */
static void policyd_milter_stack(void)
{
	pthread_attr_t attr;
	int rc;

	if ((rc = pthread_getattr_default_np(&attr)) != 0) {
		policyd_log_warning("milter: pthread_getattr_default_np: %s",
				    g_strerror(rc));
		return;
	}
	rc = pthread_attr_setstacksize(&attr, POLICYD_MILTER_STACK);
	if (rc == 0)
		rc = pthread_setattr_default_np(&attr);
	if (rc != 0)
		policyd_log_warning("milter: thread stack size %d: %s",
				    POLICYD_MILTER_STACK, g_strerror(rc));
	pthread_attr_destroy(&attr);
}

/* policyd_milter_start - serve (after detaching) */
gboolean policyd_milter_start(struct policyd *d, GError **error)
{
	struct policyd_milter *m = d->milter;

	if (m == NULL)
		return TRUE;
	policyd_milter_stack();
	m->thread = g_thread_try_new("milter", policyd_milter_thread, m, error);
	if (m->thread == NULL) {
		g_prefix_error(error, "milter: start thread: ");
		return FALSE;
	}
	policyd_log_info("milter: listening on %s", m->spec);
	return TRUE;
}

/* policyd_milter_stopper - smfi_stop() may block: its own thread */
static gpointer policyd_milter_stopper(gpointer data)
{
	(void) data;
	(void) smfi_stop();
	return NULL;
}

/* policyd_milter_poke_tick - wake the listener until it has stopped */
static gboolean policyd_milter_poke_tick(gpointer data)
{
	struct policyd_milter *m = data;

	if (g_atomic_int_get(&m->main_done)) {
		m->poke_source = 0;
		return G_SOURCE_REMOVE;
	}
	policyd_milter_poke(m);
	return G_SOURCE_CONTINUE;
}

/* policyd_milter_drain - SIGTERM: stop accepting, never block */
void policyd_milter_drain(struct policyd *d)
{
	struct policyd_milter *m = d->milter;

	if (m == NULL || g_atomic_int_get(&m->stop_requested))
		return;
	g_atomic_int_set(&m->stop_requested, 1);
	if (g_atomic_int_get(&m->main_done) || m->thread == NULL)
		return;
	m->stopper = g_thread_new("milter-stop", policyd_milter_stopper, m);
	m->poke_source = g_timeout_add(POLICYD_MILTER_POKE_MS,
				       policyd_milter_poke_tick, m);
}

/* policyd_milter_connections - open milter connections */
guint policyd_milter_connections(const struct policyd *d)
{
	return d->milter != NULL
	    ? (guint) g_atomic_int_get(&d->milter->conns) : 0;
}

/* policyd_milter_unlink - remove our socket file (only a socket) */
static void policyd_milter_unlink(const struct policyd_milter *m)
{
	struct stat st;

	if (m->unix_path != NULL && lstat(m->unix_path, &st) == 0
	    && S_ISSOCK(st.st_mode))
		unlink(m->unix_path);
}

/* policyd_milter_stop - at exit: quiesce callbacks, join, clean up */
void policyd_milter_stop(struct policyd *d)
{
	struct policyd_milter *m = d->milter;
	int tries;

	if (m == NULL)
		return;
	policyd_milter_drain(d);
	g_atomic_int_set(&m->stopping, 1);
	while (g_atomic_int_get(&m->busy) > 0)
		g_usleep(1000);
	for (tries = 0; m->thread != NULL && !g_atomic_int_get(&m->main_done)
	     && tries < POLICYD_MILTER_STOP_TRIES; tries++) {
		policyd_milter_poke(m);
		g_usleep(POLICYD_MILTER_POKE_MS * 1000);
	}
	if (m->poke_source != 0)
		g_source_remove(m->poke_source);
	m->poke_source = 0;
	if (g_atomic_int_get(&m->main_done) && m->thread != NULL)
		g_thread_join(m->thread);
	else if (m->thread != NULL)
		policyd_log_warning("milter: libmilter did not stop in time");
	m->thread = NULL;
	if (m->stopper != NULL)
		g_thread_join(m->stopper);
	m->stopper = NULL;
	policyd_milter_unlink(m);
	g_free(m->spec);
	g_free(m->unix_path);
	m->spec = m->unix_path = NULL;
	m->d = NULL;
	d->milter = NULL;
}
