#ifndef POLICYD_MILTER_H
#define POLICYD_MILTER_H

/*++
 * NAME
 *	policyd_milter 3h
 * SUMMARY
 *	the encryption gate: a milter (protocol version 6) in
 *	chatmail-policyd
 * DESCRIPTION
 *	Postfix hands every message to the milter (smtpd_milters); the
 *	milter feeds it to the cm_pgp checker, checks the From header of
 *	outgoing mail, and answers through cm_gate_decide(): accept,
 *	523 5.7.10 / 550 5.7.1 (reject) or 451 4.3.5 (tempfail).
 *
 *	The milter protocol is spoken here, on the policy workers
 *	(policyd_worker): every worker has a policyd_server on a copy of
 *	milter_socket, and the servers form one group, like the policy
 *	listeners. Both modes share the one socket; the mode of each
 *	message is chosen from the milter macros (cm_gate_mode()):
 *	{auth_authen} or the service's {daemon_name}.
 *
 *	Life cycle, on the main thread: policyd_milter_open() opens the
 *	socket (before detaching, so errors reach the terminal) and makes
 *	the group; policyd_worker_start() takes the socket and serves it
 *	(policyd_milter_take_fd(), policyd_milter_group(),
 *	policyd_milter_ops), and the workers' drain (which stops
 *	accepting) and stop are the milter's too; policyd_milter_close(),
 *	after policyd_worker_stop(), removes the socket file and frees the
 *	group. All do nothing when milter_socket is empty.
 *--*/

#include "policyd.h"

gboolean policyd_milter_open(struct policyd *d, GError **error);
/* The listening socket, or -1; the caller (policyd_worker_start(),
   which serves copies of it) owns it from now on. */
int policyd_milter_take_fd(struct policyd *d);
/* The group of the workers' milter servers, or NULL. */
struct policyd_server_group *policyd_milter_group(const struct policyd *d);
/* Milter connections (Postfix SMTP sessions) open now. */
guint policyd_milter_connections(const struct policyd *d);
void policyd_milter_close(struct policyd *d);

/* policyd_milter.c: the milter protocol (ctx: a worker) */
extern const struct policyd_server_ops policyd_milter_ops;

#endif
