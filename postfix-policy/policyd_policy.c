/*++
 * NAME
 *	policyd_policy 3
 * SUMMARY
 *	the Postfix policy delegation protocol of chatmail-policyd
 * DESCRIPTION
 *	Decode (cm_policy_codec) -> decide (cm_policy_decide, a pure
 *	function of the request and the worker's snapshot) -> encode. A
 *	connection keeps its parser and its SMTP transaction state; every
 *	verdict other than DUNNO is logged in Postfix's style, e.g.
 *
 *	NOQUEUE: reject: RCPT from host[192.0.2.1]: 550 5.7.1 Sender
 *	address rejected: blocked by policy; from=<a@b> to=<c@d>
 *	sasl_username=x reason=blocklist
 *
 *	Runs on the policy workers (the server's ctx is a struct
 *	policyd_worker): nothing here reads struct policyd's snapshots,
 *	only policyd_worker_snap().
 *--*/

#include "policyd.h"
#include "policyd_worker.h"
#include "policyd_log.h"
#include "cm_policy.h"

#include <string.h>

struct policyd_policy_conn {
	struct policyd_worker *w;
	struct policyd_conn *conn;
	struct cm_policy_parser *parser;
	struct cm_policy_txn txn;
};

/* policyd_policy_new - per-connection state */
static void *policyd_policy_new(struct policyd_conn *conn, void *ctx)
{
	struct policyd_policy_conn *pc = g_new0(struct policyd_policy_conn, 1);

	pc->w = ctx;
	pc->conn = conn;
	pc->parser = cm_policy_parser_new();
	return pc;
}

/* policyd_policy_free - release per-connection state */
static void policyd_policy_free(void *state)
{
	struct policyd_policy_conn *pc = state;

	cm_policy_parser_free(&pc->parser);
	g_free(pc);
}

/* policyd_policy_busy - a request is partly received */
static gboolean policyd_policy_busy(void *state)
{
	struct policyd_policy_conn *pc = state;

	return cm_policy_parser_pending(pc->parser) > 0;
}

/* policyd_policy_verb - Postfix's word for a verdict kind */
static const char *policyd_policy_verb(enum cm_verdict_kind kind)
{
	switch (kind) {
	case CM_VERDICT_REJECT:
		return "reject";
	case CM_VERDICT_DEFER:
		return "defer";
	case CM_VERDICT_DISCARD:
		return "discard";
	case CM_VERDICT_DEFER_IF_PERMIT:
		return "defer_if_permit";
	default:
		return "dunno";
	}
}

/* policyd_policy_log - one line per decision that is not DUNNO */
static void policyd_policy_log(const struct policyd_policy_conn *pc,
			       const struct cm_policy_request *req,
			       const struct cm_policy_verdict *v)
{
	if (req->malformed) {
		policyd_log_warning("policy: malformed request from %s: %s",
				    policyd_conn_peer(pc->conn),
				    req->malformed_reason);
		return;
	}
	policyd_log_info("%s: %s: %s from %s[%s]: %s %s; from=<%s> to=<%s> "
			 "sasl_username=%s reason=%s",
			 req->queue_id[0] ? req->queue_id : "NOQUEUE",
			 policyd_policy_verb(v->kind),
			 req->protocol_state[0] ? req->protocol_state : "?",
			 req->client_name[0] ? req->client_name : "unknown",
			 req->client_address[0] ? req->client_address : "?",
			 v->action, v->text, req->sender, req->recipient,
			 req->sasl_username[0] ? req->sasl_username : "-",
			 v->reason);
}

/* policyd_policy_answer - decide one request and queue the reply */
static void policyd_policy_answer(struct policyd_policy_conn *pc,
				  const struct cm_policy_request *req)
{
	struct policyd *d = pc->w->d;
	const struct policyd_snap *snap = policyd_worker_snap(pc->w);
	struct cm_policy_env env = {
		&snap->settings, d->hot, snap->blocks,
		(const char *const *) snap->config->local_domains,
		snap->n_local_domains,
		g_get_monotonic_time() / 1000,
		g_get_real_time() / G_USEC_PER_SEC,
		d->milter_counts,
	};
	struct cm_policy_verdict verdict;
	char reply[CM_POLICY_REPLY_MAX];
	size_t len;

	cm_policy_decide(&env, req, &pc->txn, &verdict);
	len = cm_policy_reply_format(reply, sizeof(reply), verdict.action,
				     verdict.text);
	policyd_conn_write(pc->conn, reply, len);
	policyd_count(d, policyd_stat_of(verdict.reason));
	if (verdict.kind != CM_VERDICT_DUNNO)
		policyd_policy_log(pc, req, &verdict);
}

/* policyd_policy_input - parse what arrived, answer every request */
static gboolean policyd_policy_input(struct policyd_conn *conn, void *state,
				     const char *data, gsize len)
{
	struct policyd_policy_conn *pc = state;
	struct cm_policy_request req;
	size_t used;

	while (len > 0) {
		if (cm_policy_parser_feed(pc->parser, data, len, &used,
					  &req) == 1)
			policyd_policy_answer(pc, &req);
		data += used;
		len -= used;
	}
	return TRUE;
}

const struct policyd_server_ops policyd_policy_ops = {
	policyd_policy_new,
	policyd_policy_free,
	policyd_policy_input,
	policyd_policy_busy,
};
