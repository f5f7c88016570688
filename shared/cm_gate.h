#ifndef CM_GATE_H
#define CM_GATE_H

/*++
 * NAME
 *	cm_gate 3h
 * SUMMARY
 *	the encryption gate's decisions (pure): mode, and the reply to a
 *	message
 * SYNOPSIS
 *	#include "cm_gate.h"
 * DESCRIPTION
 *	The milter in chatmail-policyd gathers facts about one SMTP
 *	transaction (the envelope, the From header fields, the verdict of
 *	the cm_pgp checker, its own errors) and hands them to
 *	cm_gate_decide(), which says what to answer: go on, reject (with
 *	the reply code, enhanced code and text) or tempfail, and which
 *	counter (enum cm_hot_gate_stat) the message goes to. Nothing here
 *	does I/O or allocates; every string returned is static.
 *
 *	cm_gate_mode() chooses the mode of a message from the milter
 *	macros: outgoing when the client authenticated ({auth_authen} is
 *	set and not empty), or when the Postfix service's
 *	{daemon_name} equals outgoing_name (the admin's
 *	"-o milter_macro_daemon_name=ORIGINATING" on submission);
 *	incoming otherwise. An empty outgoing_name matches nothing.
 *
 *	cm_gate_decide() applies, in this order:
 * .IP \(bu
 *	an internal error (a checker that could not be created, a checker
 *	misused, a verdict that is none of enum cm_pgp_verdict) or a
 *	missing envelope (no MAIL FROM, no RCPT) tempfails with
 *	451 4.3.5: never an accept of what should be refused;
 * .IP \(bu
 *	outgoing only: exactly one From header field holding exactly one
 *	address equal to the envelope sender, else 550 5.7.1;
 * .IP \(bu
 *	a refused verdict: 523 5.7.10 Encryption Needed: Invalid
 *	Unencrypted Mail;
 * .IP \(bu
 *	encrypted or an allowed exception: go on (accept).
 *--*/

#include <stddef.h>
#include "cm_hot.h"
#include "cm_pgp.h"

#define CM_GATE_DAEMON_NAME_DEFAULT	"ORIGINATING"

/* The longest address the From check keeps (RFC 5321: 64 + 1 + 255). */
#define CM_GATE_ADDR_MAX	321

enum cm_gate_action {
	CM_GATE_CONTINUE = 0,		/* accept: SMFIS_CONTINUE */
	CM_GATE_REJECT,			/* 5xx: SMFIS_REJECT */
	CM_GATE_TEMPFAIL,		/* 4xx: SMFIS_TEMPFAIL */
};

/* What the milter saw of one message. */
struct cm_gate_facts {
	enum cm_pgp_mode mode;
	int internal_error;		/* the milter's own failure */
	const char *mail_from;		/* envelope sender, no <>; NULL =
					   no MAIL FROM seen */
	size_t rcpt_count;		/* envelope recipients */
	int verdict;			/* enum cm_pgp_verdict of
					   cm_pgp_finish(); else misuse */
	const char *verdict_reason;	/* cm_pgp_finish()'s reason */
	unsigned from_count;		/* From: header fields seen */
	int from_rc;			/* cm_pgp_from_addr() on the first */
	int from_equal;			/* cm_pgp_addr_equal(that address,
					   mail_from) */
};

struct cm_gate_reply {
	enum cm_gate_action action;
	enum cm_hot_gate_stat stat;	/* the counter it goes to */
	const char *code;		/* "523"; NULL with CONTINUE */
	const char *xcode;		/* "5.7.10"; NULL with CONTINUE */
	const char *text;		/* no CR/LF; NULL with CONTINUE */
	const char *reason;		/* for the log, never NULL */
};

extern enum cm_pgp_mode cm_gate_mode(const char *auth_authen,
				     const char *daemon_name,
				     const char *outgoing_name);
extern const char *cm_gate_mode_name(enum cm_pgp_mode mode);
extern void cm_gate_decide(const struct cm_gate_facts *facts,
			   struct cm_gate_reply *reply_r);

#endif
