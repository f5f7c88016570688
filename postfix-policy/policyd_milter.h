#ifndef POLICYD_MILTER_H
#define POLICYD_MILTER_H

/*++
 * NAME
 *	policyd_milter 3h
 * SUMMARY
 *	the encryption gate: a milter (Debian's libmilter) in
 *	chatmail-policyd
 * DESCRIPTION
 *	Postfix hands every message to the milter (smtpd_milters); the
 *	milter feeds it to the cm_pgp checker, checks the From header of
 *	outgoing mail, and answers through cm_gate_decide(): accept,
 *	523 5.7.10 / 550 5.7.1 (reject) or 451 4.3.5 (tempfail).
 *
 *	libmilter serves exactly one socket per process (smfi_setconn()
 *	once, smfi_main() once: its stop flag never resets), so both modes
 *	share the one socket and the mode of each message is chosen from
 *	the milter macros (cm_gate_mode()): {auth_authen} or the service's
 *	{daemon_name}.
 *
 *	Life cycle, all on the main thread:
 *	policyd_milter_open() registers with libmilter and opens the
 *	socket (before detaching, so errors reach the terminal);
 *	policyd_milter_start() runs smfi_main() on a thread of its own
 *	(after detaching); policyd_milter_drain() at SIGTERM stops
 *	accepting connections without blocking the main loop;
 *	policyd_milter_stop() at exit waits for the callbacks in flight,
 *	makes later ones answer tempfail without touching the daemon, and
 *	joins the threads. All do nothing when milter_socket is empty.
 *
 *	If libmilter stops on its own (its signal thread took a SIGHUP,
 *	SIGTERM or SIGINT meant for the daemon, or the listener failed),
 *	the daemon logs it and shuts down with exit status 1, so that
 *	systemd (Restart=on-failure) brings the gate back.
 *--*/

#include "policyd.h"

gboolean policyd_milter_open(struct policyd *d, GError **error);
gboolean policyd_milter_start(struct policyd *d, GError **error);
void policyd_milter_drain(struct policyd *d);
/* Milter connections (Postfix SMTP sessions) open now. */
guint policyd_milter_connections(const struct policyd *d);
void policyd_milter_stop(struct policyd *d);

#endif
