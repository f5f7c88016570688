/*++
 * NAME
 *	cm_gate 3
 * SUMMARY
 *	the encryption gate's decisions (pure)
 * DESCRIPTION
 *	See cm_gate.h. The reply texts are fixed: nothing a client sent
 *	is echoed into a reply (no CR/LF or '%' can reach smfi_setreply).
 *--*/

#include "cm_gate.h"

#include <string.h>

#define CM_GATE_ENC_TEXT	"Encryption Needed: Invalid Unencrypted Mail"
#define CM_GATE_TEMP_TEXT	"Internal error in the encryption gate, " \
				"try again later"

/* cm_gate_mode - outgoing for SASL logins and the submission service */
enum cm_pgp_mode cm_gate_mode(const char *auth_authen,
			      const char *daemon_name,
			      const char *outgoing_name)
{
	if (auth_authen != NULL && auth_authen[0] != '\0')
		return CM_PGP_OUTGOING;
	if (daemon_name != NULL && outgoing_name != NULL
	    && outgoing_name[0] != '\0'
	    && strcmp(daemon_name, outgoing_name) == 0)
		return CM_PGP_OUTGOING;
	return CM_PGP_INCOMING;
}

/* cm_gate_mode_name - "incoming" or "outgoing" */
const char *cm_gate_mode_name(enum cm_pgp_mode mode)
{
	return mode == CM_PGP_OUTGOING ? "outgoing" : "incoming";
}

/* cm_gate_set - fill a reply */
static void cm_gate_set(struct cm_gate_reply *r, enum cm_gate_action action,
			enum cm_hot_gate_stat stat, const char *code,
			const char *xcode, const char *text,
			const char *reason)
{
	r->action = action;
	r->stat = stat;
	r->code = code;
	r->xcode = xcode;
	r->text = text;
	r->reason = reason;
}

/* cm_gate_tempfail - 451 4.3.5 for an internal error */
static void cm_gate_tempfail(struct cm_gate_reply *r, const char *reason)
{
	cm_gate_set(r, CM_GATE_TEMPFAIL, CM_HOT_GATE_TEMPFAIL, "451", "4.3.5",
		    CM_GATE_TEMP_TEXT, reason);
}

/* cm_gate_from - the From check of outgoing mail; 1 passed, 0 refused */
static int cm_gate_from(const struct cm_gate_facts *f,
			struct cm_gate_reply *r)
{
	const char *text, *reason;

	if (f->from_count == 0) {
		text = "Message has no From header";
		reason = "From header missing";
	} else if (f->from_count > 1) {
		text = "Message has more than one From header";
		reason = "several From headers";
	} else if (f->from_rc != 1) {
		text = "From header must hold exactly one address";
		reason = f->from_rc < 0 ? "From address too long"
		    : "no single From address";
	} else if (!f->from_equal) {
		text = "From header address does not match the sender";
		reason = "From address is not the envelope sender";
	} else {
		return 1;
	}
	cm_gate_set(r, CM_GATE_REJECT, CM_HOT_GATE_REFUSED_FROM, "550",
		    "5.7.1", text, reason);
	return 0;
}

/* cm_gate_decide - what to answer at the end of a message */
void cm_gate_decide(const struct cm_gate_facts *f, struct cm_gate_reply *r)
{
	const char *why = f->verdict_reason != NULL ? f->verdict_reason : "?";

	if (f->internal_error) {
		cm_gate_tempfail(r, "internal error");
		return;
	}
	if (f->mail_from == NULL || f->rcpt_count == 0) {
		cm_gate_tempfail(r, f->mail_from == NULL ? "no envelope sender"
				 : "no envelope recipient");
		return;
	}
	if (f->verdict != CM_PGP_ENCRYPTED && f->verdict != CM_PGP_EXCEPTION
	    && f->verdict != CM_PGP_REFUSED) {
		cm_gate_tempfail(r, "checker misuse");
		return;
	}
	if (f->mode == CM_PGP_OUTGOING && !cm_gate_from(f, r))
		return;
	switch (f->verdict) {
	case CM_PGP_REFUSED:
		cm_gate_set(r, CM_GATE_REJECT, CM_HOT_GATE_REFUSED_PGP, "523",
			    "5.7.10", CM_GATE_ENC_TEXT, why);
		break;
	case CM_PGP_EXCEPTION:
		cm_gate_set(r, CM_GATE_CONTINUE, CM_HOT_GATE_EXCEPTION, NULL,
			    NULL, NULL, why);
		break;
	default:
		cm_gate_set(r, CM_GATE_CONTINUE, CM_HOT_GATE_ENCRYPTED, NULL,
			    NULL, NULL, why);
		break;
	}
}
