#ifndef POLICYD_MILTER_PRIVATE_H
#define POLICYD_MILTER_PRIVATE_H

/*++
 * NAME
 *	policyd_milter_private 3h
 * SUMMARY
 *	what policyd_milter.c (socket, protocol) and policyd_milter_cb.c
 *	(the gate's decisions) share
 * DESCRIPTION
 *	Two contexts, each its own struct with its own reset:
 * .IP \(bu
 *	struct policyd_milter_conn, one per milter connection (a Postfix
 *	SMTP session, or a cleanup run for non_smtpd_milters), made when
 *	the connection is accepted and freed when it closes; it belongs
 *	to the worker thread that serves the connection;
 * .IP \(bu
 *	struct policyd_milter_msg inside it, one per transaction: MAIL
 *	FROM resets it, end of message and abort clear it. It holds the
 *	envelope, the cm_pgp checker (made at the first header, once the
 *	envelope is complete), and the From header's address.
 *
 *	The macros the gate reads are kept as they arrive (Postfix sends
 *	them before the event they belong to): {daemon_name} for the
 *	connection, {auth_authen} for the next MAIL FROM, and the queue id
 *	(i) for the log.
 *--*/

#include "policyd_milter.h"
#include "policyd_worker.h"
#include "cm_gate.h"
#include "cm_pgp.h"

/* The process's one milter socket. */
struct policyd_milter {
	char *spec;			/* milter_socket, libmilter notation */
	char *unix_path;		/* its file, or NULL (inet) */
	int fd;				/* listening, until the workers take it */
	struct policyd_server_group *group;
};

/* One transaction: MAIL FROM to the end of the message (or abort). */
struct policyd_milter_msg {
	enum cm_pgp_mode mode;
	char *mail_from;		/* no <>; NULL = no MAIL FROM seen */
	char *sasl;			/* {auth_authen}, or NULL */
	GPtrArray *rcpt;		/* of char *, no <> */
	struct cm_pgp *pgp;		/* made at the first header */
	gboolean internal_error;	/* decided: tempfail */
	gboolean refused;		/* the checker gave up early */
	unsigned from_count;		/* From: fields seen */
	int from_rc;			/* cm_pgp_from_addr() on the first */
	char from_addr[CM_GATE_ADDR_MAX];
};

/* One milter connection. */
struct policyd_milter_conn {
	struct policyd_worker *w;
	struct policyd_conn *conn;
	GByteArray *in;			/* input not parsed yet */
	guint32 pflags;			/* negotiated SMFIP_* flags */
	gboolean negotiated;		/* OPTNEG done */
	char *client;			/* "name[addr]", for the log */
	char *daemon_name;		/* {daemon_name}, or NULL */
	char *mail_auth;		/* {auth_authen} of the MAIL macros */
	char *qid;			/* the last queue id (i), or NULL */
	struct policyd_milter_msg msg;
};

/* policyd_milter_cb.c: the gate's side of each event */
void policyd_milter_cb_connect(struct policyd_milter_conn *c,
			       const char *host, const char *addr);
void policyd_milter_cb_mail(struct policyd_milter_conn *c, const char *arg);
void policyd_milter_cb_rcpt(struct policyd_milter_conn *c, const char *arg);
void policyd_milter_cb_header(struct policyd_milter_conn *c,
			      const char *name, const char *value);
/* TRUE once the checker has refused: the rest of the body may go. */
gboolean policyd_milter_cb_body(struct policyd_milter_conn *c,
				const char *data, gsize len);
/* The gate's answer (counted, logged if not CONTINUE); ends the
   transaction. */
void policyd_milter_cb_eom(struct policyd_milter_conn *c,
			   struct cm_gate_reply *reply_r);
/* Forgets the transaction. */
void policyd_milter_cb_reset(struct policyd_milter_conn *c);

#endif
