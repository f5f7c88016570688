/*++
 * NAME
 *	policyd_milter_cb 3
 * SUMMARY
 *	the encryption gate's side of the milter events: decode, decide,
 *	encode
 * DESCRIPTION
 *	policyd_milter.c parses the milter protocol and calls these with
 *	the decoded event; the contexts are described in
 *	policyd_milter_private.h. They only decode (arguments, macros,
 *	chunks) and feed the checker; the answer at end of message is
 *	cm_gate_decide()'s. Every message ends in exactly one gate
 *	counter; a refusal or a tempfail is logged once, in Postfix's
 *	style:
 *
 *	QUEUEID: reject: END-OF-MESSAGE from host[192.0.2.1]: 523 5.7.10
 *	Encryption Needed: Invalid Unencrypted Mail; mode=incoming
 *	from=<a@b> to=<c@d> nrcpt=1 sasl_username=- reason=...
 *
 *	Everything runs on the worker thread that serves the connection:
 *	nothing here is shared but the worker's snapshot
 *	(policyd_worker_snap()), the hot state and the gate counters,
 *	which are thread-safe.
 *--*/

#include "policyd_milter_private.h"
#include "policyd_log.h"
#include "cm_policy.h"

#include <string.h>

/* policyd_milter_msg_reset - forget the transaction */
static void policyd_milter_msg_reset(struct policyd_milter_msg *msg)
{
	g_free(msg->mail_from);
	g_free(msg->sasl);
	if (msg->rcpt != NULL)
		g_ptr_array_free(msg->rcpt, TRUE);
	cm_pgp_free(msg->pgp);
	memset(msg, 0, sizeof(*msg));
}

/* policyd_milter_addr - an envelope address without its <> (copy) */
static char *policyd_milter_addr(const char *arg)
{
	size_t len;

	if (arg == NULL)
		return g_strdup("");
	len = strlen(arg);
	if (len >= 2 && arg[0] == '<' && arg[len - 1] == '>')
		return g_strndup(arg + 1, len - 2);
	return g_strdup(arg);
}

/* policyd_milter_pgp - the checker, made once the envelope is known */
static struct cm_pgp *policyd_milter_pgp(struct policyd_milter_msg *msg)
{
	struct cm_pgp_envelope env;

	if (msg->pgp != NULL || msg->internal_error)
		return msg->pgp;
	env.mode = msg->mode;
	env.mail_from = msg->mail_from != NULL ? msg->mail_from : "";
	env.rcpt = msg->rcpt != NULL ? (const char *const *) msg->rcpt->pdata
	    : NULL;
	env.rcpt_count = msg->rcpt != NULL ? msg->rcpt->len : 0;
	if ((msg->pgp = cm_pgp_new(&env)) == NULL)
		msg->internal_error = TRUE;
	return msg->pgp;
}

/* policyd_milter_cb_connect - remember the client for the log */
void policyd_milter_cb_connect(struct policyd_milter_conn *c,
			       const char *host, const char *addr)
{
	g_free(c->client);
	c->client = g_strdup_printf("%s[%s]", host != NULL && host[0] != '\0'
				    ? host : "unknown",
				    addr != NULL && addr[0] != '\0'
				    ? addr : "unknown");
}

/* policyd_milter_cb_mail - a new transaction: sender and mode */
void policyd_milter_cb_mail(struct policyd_milter_conn *c, const char *arg)
{
	const struct policyd_snap *snap = policyd_worker_snap(c->w);
	struct policyd_milter_msg *msg = &c->msg;

	policyd_milter_msg_reset(msg);
	msg->mail_from = policyd_milter_addr(arg);
	msg->rcpt = g_ptr_array_new_with_free_func(g_free);
	msg->mode = cm_gate_mode(c->mail_auth, c->daemon_name,
				 snap->config->milter_outgoing_daemon_name);
	msg->sasl = c->mail_auth != NULL && c->mail_auth[0] != '\0'
	    ? g_strdup(c->mail_auth) : NULL;
}

/* policyd_milter_cb_rcpt - one more recipient */
void policyd_milter_cb_rcpt(struct policyd_milter_conn *c, const char *arg)
{
	if (c->msg.rcpt != NULL)
		g_ptr_array_add(c->msg.rcpt, policyd_milter_addr(arg));
	else
		c->msg.internal_error = TRUE;	/* RCPT without MAIL */
}

/* policyd_milter_cb_header - one header field to the checker */
void policyd_milter_cb_header(struct policyd_milter_conn *c,
			      const char *name, const char *value)
{
	struct policyd_milter_msg *msg = &c->msg;
	struct cm_pgp *pgp;

	if ((pgp = policyd_milter_pgp(msg)) == NULL)
		return;
	if (g_ascii_strcasecmp(name, "From") == 0 && ++msg->from_count == 1)
		msg->from_rc = cm_pgp_from_addr(value, msg->from_addr,
						sizeof(msg->from_addr));
	if (!msg->refused && cm_pgp_header(pgp, name, value) < 0)
		msg->refused = TRUE;
}

/* policyd_milter_cb_body - a body chunk to the checker */
gboolean policyd_milter_cb_body(struct policyd_milter_conn *c,
				const char *data, gsize len)
{
	struct policyd_milter_msg *msg = &c->msg;
	struct cm_pgp *pgp;

	if ((pgp = policyd_milter_pgp(msg)) == NULL)
		return FALSE;
	if (!msg->refused && cm_pgp_body(pgp, data, len) < 0)
		msg->refused = TRUE;
	return msg->refused;
}

/* policyd_milter_log - one line per refused or tempfailed message */
static void policyd_milter_log(const struct policyd_milter_conn *c,
			       const struct cm_gate_reply *r)
{
	const struct policyd_milter_msg *msg = &c->msg;
	const char *qid = c->qid;

	policyd_log_info("%s: %s: END-OF-MESSAGE from %s: %s %s %s; mode=%s "
			 "from=<%s> to=<%s> nrcpt=%u sasl_username=%s "
			 "reason=%s", qid != NULL && qid[0] ? qid : "NOQUEUE",
			 r->action == CM_GATE_REJECT ? "reject" : "defer",
			 c->client != NULL ? c->client : "unknown[unknown]",
			 r->code, r->xcode, r->text,
			 cm_gate_mode_name(msg->mode),
			 msg->mail_from != NULL ? msg->mail_from : "",
			 msg->rcpt != NULL && msg->rcpt->len > 0
			 ? (const char *) msg->rcpt->pdata[0] : "",
			 msg->rcpt != NULL ? msg->rcpt->len : 0,
			 msg->sasl != NULL ? msg->sasl : "-", r->reason);
}

/* policyd_milter_facts - what the transaction amounts to */
static void policyd_milter_facts(struct policyd_milter_msg *msg,
				 struct cm_gate_facts *f)
{
	struct cm_pgp *pgp = policyd_milter_pgp(msg);
	const char *reason = NULL;

	memset(f, 0, sizeof(*f));
	f->mode = msg->mode;
	f->mail_from = msg->mail_from;
	f->rcpt_count = msg->rcpt != NULL ? msg->rcpt->len : 0;
	if (pgp != NULL) {
		f->verdict = (int) cm_pgp_finish(pgp, &reason);
		f->verdict_reason = reason;
	}
	f->internal_error = msg->internal_error;
	f->from_count = msg->from_count;
	f->from_rc = msg->from_rc;
	f->from_equal = msg->from_rc == 1 && msg->mail_from != NULL
	    && cm_pgp_addr_equal(msg->from_addr, msg->mail_from);
}

/* policyd_milter_count - count a message that passed the gate (sent,
   received, federation), as END-OF-MESSAGE does without a milter */
static void policyd_milter_count(struct policyd_milter_conn *c)
{
	const struct policyd_snap *snap = policyd_worker_snap(c->w);
	const struct policyd_milter_msg *msg = &c->msg;
	struct cm_policy_env env;

	memset(&env, 0, sizeof(env));
	env.settings = &snap->settings;
	env.hot = c->w->d->hot;
	env.blocks = snap->blocks;
	env.local_domains = (const char *const *) snap->config->local_domains;
	env.n_local_domains = snap->n_local_domains;
	env.now_ms = g_get_monotonic_time() / 1000;
	env.now = g_get_real_time() / G_USEC_PER_SEC;
	cm_policy_count(&env, msg->mail_from, msg->sasl,
			msg->rcpt != NULL ? (const char *const *) msg->rcpt->pdata
			: NULL, msg->rcpt != NULL ? msg->rcpt->len : 0);
}

/* policyd_milter_cb_eom - decide, count, log; the transaction ends */
void policyd_milter_cb_eom(struct policyd_milter_conn *c,
			   struct cm_gate_reply *reply_r)
{
	struct cm_gate_facts f;

	policyd_milter_facts(&c->msg, &f);
	cm_gate_decide(&f, reply_r);
	cm_hot_gate_count(c->w->d->gate, f.mode == CM_PGP_OUTGOING,
			  reply_r->stat);
	if (reply_r->action == CM_GATE_CONTINUE)
		policyd_milter_count(c);
	else
		policyd_milter_log(c, reply_r);
	policyd_milter_msg_reset(&c->msg);
}

/* policyd_milter_cb_reset - the transaction ended without a message */
void policyd_milter_cb_reset(struct policyd_milter_conn *c)
{
	policyd_milter_msg_reset(&c->msg);
}
