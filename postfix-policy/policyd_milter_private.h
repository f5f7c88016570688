#ifndef POLICYD_MILTER_PRIVATE_H
#define POLICYD_MILTER_PRIVATE_H

/*++
 * NAME
 *	policyd_milter_private 3h
 * SUMMARY
 *	what policyd_milter.c (life cycle) and policyd_milter_cb.c
 *	(callbacks) share
 * DESCRIPTION
 *	libmilter is process-wide by design: one registration, one
 *	socket, one smfi_main(), and callbacks that get no user pointer.
 *	So the one struct policyd_milter is process-wide too
 *	(policyd_milter_the()), static storage that outlives the daemon's
 *	state: a libmilter thread may still call back after
 *	policyd_milter_stop(), and then finds "stopping" set and touches
 *	nothing of the daemon.
 *
 *	Counters are GLib atomics (full barriers): a callback increments
 *	busy before it reads stopping, the stopper sets stopping before
 *	it waits for busy to reach 0, so no callback that saw
 *	stopping == 0 is still running once the wait ends.
 *--*/

#include <libmilter/mfapi.h>
#include <sys/socket.h>

#include "policyd_milter.h"

struct policyd_milter {
	struct policyd *d;		/* valid while stopping == 0 */
	char *spec;			/* milter_socket, libmilter notation */
	char *unix_path;		/* its file, or NULL (inet) */
	struct sockaddr_storage addr;	/* where to poke the listener */
	socklen_t addr_len;
	GThread *thread;		/* runs smfi_main() */
	GThread *stopper;		/* runs smfi_stop(), which can block */
	guint poke_source;		/* main loop timer while draining */
	gint stop_requested;		/* atomic: we asked libmilter to stop */
	gint main_done;			/* atomic: smfi_main() returned */
	gint busy;			/* atomic: callbacks running */
	gint stopping;			/* atomic: callbacks leave d alone */
	gint conns;			/* atomic: open connection contexts */
};

/* policyd_milter_cb.c */
struct policyd_milter *policyd_milter_the(void);
void policyd_milter_cb_desc(struct smfiDesc *desc);

#endif
