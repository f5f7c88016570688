/*++
 * NAME
 *	policyd_milter_cb 3
 * SUMMARY
 *	the encryption gate's milter callbacks: decode, decide, encode
 * DESCRIPTION
 *	Two contexts, each its own struct with its own reset:
 * .IP \(bu
 *	struct policyd_milter_conn, one per milter connection (a Postfix
 *	SMTP session, or a cleanup run for non_smtpd_milters), made at
 *	negotiation and freed at close (smfi_setpriv);
 * .IP \(bu
 *	struct policyd_milter_msg inside it, one per transaction: MAIL
 *	FROM resets it, end of message and abort clear it. It holds the
 *	envelope, the cm_pgp checker (made at the first header, once the
 *	envelope is complete), and the From header's address.
 *
 *	The callbacks only decode (argv, macros, chunks) and feed the
 *	checker; the answer at end of message is cm_gate_decide()'s,
 *	encoded with smfi_setreply() and SMFIS_REJECT / SMFIS_TEMPFAIL.
 *	Every message ends in exactly one gate counter; a refusal or a
 *	tempfail is logged once, in Postfix's style:
 *
 *	QUEUEID: reject: END-OF-MESSAGE from host[192.0.2.1]: 523 5.7.10
 *	Encryption Needed: Invalid Unencrypted Mail; mode=incoming
 *	from=<a@b> to=<c@d> nrcpt=1 sasl_username=- reason=...
 *
 *	Steps the gate does not need are not requested (HELO, DATA, end
 *	of headers, unknown commands), and connect, MAIL, RCPT and header
 *	events are "no reply" steps: Postfix does not wait for us there.
 *	Once the checker has refused, the rest of the body is skipped
 *	(SMFIS_SKIP) when Postfix supports it.
 *
 *	Callbacks run on libmilter's threads, many at once: nothing here
 *	is shared but the process-wide struct policyd_milter (atomics),
 *	the daemon's snapshot (policyd_snap_get) and its gate counters.
 *--*/

#include "policyd_milter_private.h"
#include "policyd_milter_steps.h"
#include "policyd_log.h"
#include "cm_gate.h"
#include "cm_policy.h"
#include "cm_pgp.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

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
	char *client;			/* "name[addr]", for the log */
	gboolean can_skip;		/* the MTA understands SMFIS_SKIP */
	struct policyd_milter_msg msg;
};

static struct policyd_milter policyd_milter_instance;

/* policyd_milter_the - the process's one milter */
struct policyd_milter *policyd_milter_the(void)
{
	return &policyd_milter_instance;
}

/* policyd_milter_enter - a callback starts; *live_r: d may be used */
static struct policyd_milter_conn *policyd_milter_enter(SMFICTX *ctx,
							gboolean *live_r)
{
	struct policyd_milter *m = &policyd_milter_instance;

	g_atomic_int_inc(&m->busy);
	*live_r = !g_atomic_int_get(&m->stopping);
	return smfi_getpriv(ctx);
}

/* policyd_milter_leave - a callback ends with rc */
static sfsistat policyd_milter_leave(sfsistat rc)
{
	(void) g_atomic_int_dec_and_test(&policyd_milter_instance.busy);
	return rc;
}

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

/* policyd_milter_client - "name[addr]" of the SMTP client */
static char *policyd_milter_client(const char *host, const _SOCK_ADDR *sa)
{
	char addr[INET6_ADDRSTRLEN] = "unknown";

	if (sa != NULL && sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *) sa)->sin_addr,
			  addr, sizeof(addr));
	else if (sa != NULL && sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6,
			  &((const struct sockaddr_in6 *) sa)->sin6_addr, addr,
			  sizeof(addr));
	return g_strdup_printf("%s[%s]", host != NULL ? host : "unknown",
			       addr);
}

/* policyd_milter_mode - the message's mode from macros and config */
static enum cm_pgp_mode policyd_milter_mode(struct policyd *d, SMFICTX *ctx,
					    char **sasl_r)
{
	const char *auth = smfi_getsymval(ctx, (char *) "{auth_authen}");
	const char *daemon = smfi_getsymval(ctx, (char *) "{daemon_name}");
	struct policyd_snap *snap;
	enum cm_pgp_mode mode;
	guint gen;

	snap = policyd_snap_get(d, &gen);
	mode = cm_gate_mode(auth, daemon,
			    snap->config->milter_outgoing_daemon_name);
	policyd_snap_unref(&snap);
	*sasl_r = auth != NULL && auth[0] != '\0' ? g_strdup(auth) : NULL;
	return mode;
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

/* policyd_milter_negotiate - the steps and flags we want */
static sfsistat policyd_milter_negotiate(SMFICTX *ctx, unsigned long f0,
					 unsigned long f1, unsigned long f2,
					 unsigned long f3, unsigned long *pf0,
					 unsigned long *pf1,
					 unsigned long *pf2,
					 unsigned long *pf3)
{
	struct policyd_milter *m = &policyd_milter_instance;
	gboolean live;
	struct policyd_milter_conn *c = policyd_milter_enter(ctx, &live);

	*pf0 = 0;			/* the gate never changes a message */
	*pf1 |= f1 & POLICYD_MILTER_STEPS;
	*pf2 = 0;
	*pf3 = 0;
	if (c == NULL && live) {
		c = g_new0(struct policyd_milter_conn, 1);
		smfi_setpriv(ctx, c);
		g_atomic_int_inc(&m->conns);
	}
	if (c != NULL)
		c->can_skip = (f1 & SMFIP_SKIP) != 0;
	return policyd_milter_leave(SMFIS_CONTINUE);
}

/* policyd_milter_connect - remember the client for the log */
static sfsistat policyd_milter_connect(SMFICTX *ctx, char *host,
				       _SOCK_ADDR *sa)
{
	gboolean live;
	struct policyd_milter_conn *c = policyd_milter_enter(ctx, &live);

	if (c != NULL) {
		g_free(c->client);
		c->client = policyd_milter_client(host, sa);
	}
	return policyd_milter_leave(SMFIS_NOREPLY);
}

/* policyd_milter_envfrom - a new transaction: sender and mode */
static sfsistat policyd_milter_envfrom(SMFICTX *ctx, char **argv)
{
	gboolean live;
	struct policyd_milter_conn *c = policyd_milter_enter(ctx, &live);

	if (c != NULL) {
		policyd_milter_msg_reset(&c->msg);
		c->msg.mail_from = policyd_milter_addr(argv[0]);
		c->msg.rcpt = g_ptr_array_new_with_free_func(g_free);
		if (live)
			c->msg.mode = policyd_milter_mode(
				policyd_milter_instance.d, ctx, &c->msg.sasl);
		else
			c->msg.internal_error = TRUE;
	}
	return policyd_milter_leave(SMFIS_NOREPLY);
}

/* policyd_milter_envrcpt - one more recipient */
static sfsistat policyd_milter_envrcpt(SMFICTX *ctx, char **argv)
{
	gboolean live;
	struct policyd_milter_conn *c = policyd_milter_enter(ctx, &live);

	if (c != NULL && c->msg.rcpt != NULL)
		g_ptr_array_add(c->msg.rcpt, policyd_milter_addr(argv[0]));
	else if (c != NULL)
		c->msg.internal_error = TRUE;	/* RCPT without MAIL */
	return policyd_milter_leave(SMFIS_NOREPLY);
}

/* policyd_milter_header - one header field to the checker */
static sfsistat policyd_milter_header(SMFICTX *ctx, char *name, char *value)
{
	gboolean live;
	struct policyd_milter_conn *c = policyd_milter_enter(ctx, &live);
	struct policyd_milter_msg *msg = c != NULL ? &c->msg : NULL;
	struct cm_pgp *pgp;

	if (msg == NULL || (pgp = policyd_milter_pgp(msg)) == NULL)
		return policyd_milter_leave(SMFIS_NOREPLY);
	if (g_ascii_strcasecmp(name, "From") == 0 && ++msg->from_count == 1)
		msg->from_rc = cm_pgp_from_addr(value, msg->from_addr,
						sizeof(msg->from_addr));
	if (!msg->refused && cm_pgp_header(pgp, name, value) < 0)
		msg->refused = TRUE;
	return policyd_milter_leave(SMFIS_NOREPLY);
}

/* policyd_milter_body - a body chunk to the checker */
static sfsistat policyd_milter_body(SMFICTX *ctx, unsigned char *data,
				    size_t len)
{
	gboolean live;
	struct policyd_milter_conn *c = policyd_milter_enter(ctx, &live);
	struct policyd_milter_msg *msg = c != NULL ? &c->msg : NULL;
	struct cm_pgp *pgp;

	if (msg == NULL || (pgp = policyd_milter_pgp(msg)) == NULL)
		return policyd_milter_leave(SMFIS_CONTINUE);
	if (!msg->refused && cm_pgp_body(pgp, (const char *) data, len) < 0)
		msg->refused = TRUE;
	return policyd_milter_leave(msg->refused && c->can_skip ? SMFIS_SKIP
				    : SMFIS_CONTINUE);
}

/* policyd_milter_log - one line per refused or tempfailed message */
static void policyd_milter_log(const struct policyd_milter_conn *c,
			       SMFICTX *ctx, const struct cm_gate_reply *r)
{
	const struct policyd_milter_msg *msg = &c->msg;
	const char *qid = smfi_getsymval(ctx, (char *) "i");

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
static void policyd_milter_count(struct policyd *d,
				 const struct policyd_milter_msg *msg)
{
	struct policyd_snap *snap;
	struct cm_policy_env env;
	guint gen;

	snap = policyd_snap_get(d, &gen);
	memset(&env, 0, sizeof(env));
	env.settings = &snap->settings;
	env.hot = d->hot;
	env.blocks = snap->blocks;
	env.local_domains = (const char *const *) snap->config->local_domains;
	env.n_local_domains = snap->n_local_domains;
	env.now_ms = g_get_monotonic_time() / 1000;
	env.now = g_get_real_time() / G_USEC_PER_SEC;
	cm_policy_count(&env, msg->mail_from, msg->sasl,
			msg->rcpt != NULL ? (const char *const *) msg->rcpt->pdata
			: NULL, msg->rcpt != NULL ? msg->rcpt->len : 0);
	policyd_snap_unref(&snap);
}

/* policyd_milter_answer - decide, count, encode, log */
static sfsistat policyd_milter_answer(struct policyd *d,
				      struct policyd_milter_conn *c,
				      SMFICTX *ctx)
{
	struct cm_gate_facts f;
	struct cm_gate_reply r;

	policyd_milter_facts(&c->msg, &f);
	cm_gate_decide(&f, &r);
	cm_hot_gate_count(d->gate, f.mode == CM_PGP_OUTGOING, r.stat);
	if (r.action == CM_GATE_CONTINUE) {
		policyd_milter_count(d, &c->msg);
		return SMFIS_CONTINUE;
	}
	if (smfi_setreply(ctx, (char *) r.code, (char *) r.xcode,
			  (char *) r.text) != MI_SUCCESS)
		policyd_log_warning("milter: smfi_setreply %s %s failed; "
				    "Postfix answers its generic text",
				    r.code, r.xcode);
	policyd_milter_log(c, ctx, &r);
	return r.action == CM_GATE_REJECT ? SMFIS_REJECT : SMFIS_TEMPFAIL;
}

/* policyd_milter_eom - the end of the message: the gate's answer */
static sfsistat policyd_milter_eom(SMFICTX *ctx)
{
	gboolean live;
	struct policyd_milter_conn *c = policyd_milter_enter(ctx, &live);
	sfsistat rc;

	if (live && c != NULL) {
		rc = policyd_milter_answer(policyd_milter_instance.d, c, ctx);
	} else {
		/* Shutting down, or a connection we never saw start. */
		if (live)
			policyd_log_error("milter: end of message without a "
					  "connection context; tempfail");
		smfi_setreply(ctx, (char *) "451", (char *) "4.3.5",
			      (char *) "Encryption gate unavailable, try "
			      "again later");
		rc = SMFIS_TEMPFAIL;
	}
	if (c != NULL)
		policyd_milter_msg_reset(&c->msg);
	return policyd_milter_leave(rc);
}

/* policyd_milter_abort - the transaction ended without a message */
static sfsistat policyd_milter_abort(SMFICTX *ctx)
{
	gboolean live;
	struct policyd_milter_conn *c = policyd_milter_enter(ctx, &live);

	if (c != NULL)
		policyd_milter_msg_reset(&c->msg);
	return policyd_milter_leave(SMFIS_CONTINUE);
}

/* policyd_milter_close - the connection ends: free its context */
static sfsistat policyd_milter_close(SMFICTX *ctx)
{
	gboolean live;
	struct policyd_milter_conn *c = policyd_milter_enter(ctx, &live);

	if (c != NULL) {
		smfi_setpriv(ctx, NULL);
		policyd_milter_msg_reset(&c->msg);
		g_free(c->client);
		g_free(c);
		(void) g_atomic_int_dec_and_test(&policyd_milter_instance.conns);
	}
	return policyd_milter_leave(SMFIS_CONTINUE);
}

/* policyd_milter_cb_desc - the registration for smfi_register() */
void policyd_milter_cb_desc(struct smfiDesc *desc)
{
	memset(desc, 0, sizeof(*desc));
	desc->xxfi_name = (char *) "chatmail-policyd";
	desc->xxfi_version = SMFI_VERSION;
	desc->xxfi_flags = SMFIF_NONE;
	desc->xxfi_connect = policyd_milter_connect;
	desc->xxfi_envfrom = policyd_milter_envfrom;
	desc->xxfi_envrcpt = policyd_milter_envrcpt;
	desc->xxfi_header = policyd_milter_header;
	desc->xxfi_body = policyd_milter_body;
	desc->xxfi_eom = policyd_milter_eom;
	desc->xxfi_abort = policyd_milter_abort;
	desc->xxfi_close = policyd_milter_close;
	desc->xxfi_negotiate = policyd_milter_negotiate;
}
